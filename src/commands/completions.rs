//! `conlab completions SHELL`: the shell's completion script. clap_complete
//! writes it from the command definitions `--help` shows (`cli.rs`), so an
//! option completes as soon as it exists; the hidden subcommands conlab
//! starts itself are left out.

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use super::{Exit, write_stdout};
use crate::cli::Cli;

/// The completion script of `shell`, for a binary named `conlab`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    // Into memory first: clap_complete panics when its writer fails, and
    // stdout can be a closed pipe or a full disk.
    clap_complete::generate(shell, &mut typed(), "conlab", &mut script);
    script
}

/// conlab's command line as people type it. clap_complete completes
/// hidden subcommands too (`conlab __w<Tab>`), and clap cannot remove a
/// subcommand, so this is a copy with only the visible ones.
fn typed() -> clap::Command {
    let cli = Cli::command();
    let mut typed = clap::Command::new("conlab")
        .version(env!("CARGO_PKG_VERSION"))
        .args(cli.get_arguments().cloned())
        .subcommands(cli.get_subcommands().filter(|c| !c.is_hide_set()).cloned());
    if let Some(about) = cli.get_about() {
        typed = typed.about(about.clone());
    }
    typed
}

/// Prints the script of `shell` on stdout.
pub fn run(shell: Shell) -> anyhow::Result<Exit> {
    write_stdout(&script(shell)).context("cannot write the completion script to stdout")?;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The subcommands a user may type, as `--help` lists them.
    fn visible_subcommands() -> Vec<String> {
        Cli::command()
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .map(|c| c.get_name().to_string())
            .collect()
    }

    #[test]
    fn the_bash_script_completes_every_subcommand_and_no_hidden_one() {
        let script = String::from_utf8(script(Shell::Bash)).unwrap_or_default();
        let names = visible_subcommands();
        assert!(names.len() >= 12, "{names:?}");
        for name in names {
            // The word list bash offers after `conlab`, and the case that
            // completes the subcommand's own options.
            assert!(
                script.contains(&format!("conlab,{name})")),
                "bash completes no `conlab {name}`"
            );
        }
    }

    #[test]
    fn no_shell_completes_a_hidden_subcommand() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let script = String::from_utf8(script(shell)).unwrap_or_default();
            for hidden in ["__worker", "pool-worker", "delay-server"] {
                assert!(!script.contains(hidden), "{shell} completes {hidden}");
            }
        }
    }

    #[test]
    fn the_bash_script_completes_options_and_values() {
        let script = String::from_utf8(script(Shell::Bash)).unwrap_or_default();
        for word in ["--shard", "--resume", "--label", "--json", "interleaved"] {
            assert!(script.contains(word), "bash does not complete {word}");
        }
        // The shells `completions` itself takes.
        assert!(script.contains("bash elvish fish powershell zsh"));
    }

    #[test]
    fn every_shell_gets_a_script_that_names_conlab() {
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::Elvish,
            Shell::PowerShell,
        ] {
            let script = String::from_utf8(script(shell)).unwrap_or_default();
            assert!(
                script.contains("conlab") && script.contains("resume"),
                "{shell}: {script:.200}"
            );
        }
    }
}
