//! `conlab man`: the manual page, in roff. clap_mangen writes it from the
//! command definitions `--help` shows (`cli.rs`), so it cannot fall behind
//! the binary in hand, whichever way conlab was installed; nothing is
//! generated into the repository, so no file goes stale when an option is
//! added.
//!
//! clap_mangen's own layout is a page per subcommand, `conlab(1)` pointing
//! at `conlab-run(1)` and the rest. Installed by `cargo install` or from a
//! wheel, those pages would be nowhere `man` looks, so this is one page:
//! conlab's synopsis and options, then a COMMANDS section with each
//! subcommand's synopsis, description, options and notes under its own
//! heading.

use std::io;

use anyhow::Context;
use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, roman};

use super::{Exit, write_stdout};
use crate::cli::Cli;

/// The whole page.
pub fn page() -> io::Result<String> {
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build();
    let man = Man::new(cli.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    Roff::new()
        .control("SH", ["COMMANDS"])
        .to_writer(&mut page)?;
    for command in cli.get_subcommands().filter(|c| !c.is_hide_set()) {
        let name = command.get_bin_name().unwrap_or_else(|| command.get_name());
        Roff::new().control("SS", [name]).to_writer(&mut page)?;
        let man = Man::new(command.clone());
        let mut sections = Vec::new();
        man.render_synopsis_section(&mut sections)?;
        man.render_description_section(&mut sections)?;
        man.render_options_section(&mut sections)?;
        if command.get_after_long_help().is_some() || command.get_after_help().is_some() {
            man.render_extra_section(&mut sections)?;
        }
        page.extend_from_slice(as_subsection(&String::from_utf8_lossy(&sections)).as_bytes());
    }
    if cli.get_after_help().is_some() {
        Roff::new().control("SH", ["START"]).to_writer(&mut page)?;
        let mut text = Vec::new();
        man.render_extra_section(&mut text)?;
        page.extend_from_slice(as_subsection(&String::from_utf8_lossy(&text)).as_bytes());
    }
    Roff::new()
        .control("SH", ["SEE ALSO"])
        .text([roman(
            "The manual, an mdBook in docs/ of conlab's repository, every chapter of which \
             reads as Markdown too. `conlab validate --help` lists every key of an experiment \
             file; `conlab models` every model.",
        )])
        .to_writer(&mut page)?;
    man.render_version_section(&mut page)?;
    Ok(preamble_once(&String::from_utf8_lossy(&page)))
}

/// A subcommand's sections, their `.SH` headings dropped so that they sit
/// under the subcommand's `.SS` heading, each part a paragraph. A line of
/// notes that starts with spaces (`validate`'s list of keys) keeps them as
/// its indentation, so that it wraps under itself rather than at the
/// margin.
fn as_subsection(sections: &str) -> String {
    let mut out = String::new();
    for line in sections.lines() {
        let text = line.trim_start_matches(' ');
        if line.starts_with(".SH ") || line == ".SH" {
            out.push_str(".PP\n");
        } else if text.len() < line.len() && !text.is_empty() {
            let indent = line.len() - text.len();
            out.push_str(&format!(".RS {indent}\n{text}\n.RE\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `text` with the two lines every rendering starts with (they define the
/// apostrophe string `\*(Aq`) kept only at the top.
fn preamble_once(text: &str) -> String {
    let mut seen = Vec::new();
    let mut out = String::new();
    for line in text.lines() {
        let preamble = line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq");
        if preamble && seen.contains(&line) {
            continue;
        }
        if preamble {
            seen.push(line);
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Prints the page on stdout.
pub fn run() -> anyhow::Result<Exit> {
    let page = page().context("cannot render the manual page")?;
    write_stdout(page.as_bytes()).context("cannot write the manual page to stdout")?;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page's words as a reader sees them: roff's `\-` a dash, font
    /// changes dropped.
    fn plain(page: &str) -> String {
        page.replace("\\-", "-")
            .replace("\\fB", "")
            .replace("\\fI", "")
            .replace("\\fR", "")
    }

    /// The text under `.SS "conlab NAME"`, up to the next heading.
    fn subsection<'a>(page: &'a str, name: &str) -> Option<&'a str> {
        let start = page.find(&format!(".SS \"conlab {name}\"\n"))?;
        let body = &page[start + 1..];
        let end = body
            .find("\n.SS ")
            .into_iter()
            .chain(body.find("\n.SH "))
            .min()
            .unwrap_or(body.len());
        Some(&body[..end])
    }

    #[test]
    fn the_page_names_every_subcommand_and_each_of_its_options_under_it() {
        let page = plain(&page().expect("a page renders into memory"));
        assert!(page.contains(".TH conlab 1"), "{page:.200}");
        let mut cli = Cli::command().disable_help_subcommand(true);
        cli.build();
        let mut checked = 0;
        for command in cli.get_subcommands().filter(|c| !c.is_hide_set()) {
            let name = command.get_name();
            let text = subsection(&page, name)
                .unwrap_or_else(|| panic!("the page has no section for `conlab {name}`"));
            assert!(
                text.contains(&format!("\nconlab {name} ")),
                "{name}: no synopsis"
            );
            for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
                let mut words = Vec::new();
                if let Some(long) = arg.get_long() {
                    words.push(format!("--{long}"));
                }
                if let Some(short) = arg.get_short() {
                    words.push(format!("-{short}"));
                }
                let values = arg
                    .get_action()
                    .takes_values()
                    .then(|| arg.get_value_names());
                for value in values.flatten().into_iter().flatten() {
                    // `[FILE]` in the synopsis when it is optional.
                    words.push(if arg.is_positional() {
                        value.to_string()
                    } else {
                        format!("<{value}>")
                    });
                }
                for word in words {
                    assert!(
                        text.contains(&word),
                        "`conlab {name}`: {word} is not on the page"
                    );
                    checked += 1;
                }
            }
        }
        // --out, --shard, --resume, --label, --json, … and every help flag.
        assert!(checked > 40, "only {checked} options checked");
        for option in ["--help", "--version"] {
            assert!(page.contains(option), "{option}");
        }
        assert!(!page.contains("__worker") && !page.contains("pool-worker"));
    }

    #[test]
    fn a_page_has_one_preamble_and_its_subsections_no_section_headings() {
        let page = page().expect("a page renders into memory");
        assert_eq!(page.matches(".ds Aq \\(aq").count(), 1);
        assert_eq!(page.matches(".SH SYNOPSIS").count(), 1);
        assert_eq!(page.matches(".SH OPTIONS").count(), 1);
        assert_eq!(
            as_subsection(".SH OPTIONS\n.TP\n\\fB\\-q\\fR\n  name     a name\nnot indented\n"),
            ".PP\n.TP\n\\fB\\-q\\fR\n.RS 2\nname     a name\n.RE\nnot indented\n"
        );
    }
}
