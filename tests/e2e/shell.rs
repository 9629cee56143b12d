//! `conlab completions` and `conlab man`, through the real binary: what a
//! user pipes into their shell's completion folder or into `man`.

use crate::common::conlab;

#[test]
fn bash_loads_the_completion_script_and_completes_a_subcommand() {
    let out = conlab()
        .args(["completions", "bash"])
        .output()
        .expect("conlab runs");
    assert!(out.status.success(), "{out:?}");
    let script = String::from_utf8_lossy(&out.stdout);
    // bash itself reads the script, registers it and completes `conlab me`.
    let probe = format!(
        "{script}\ncomplete -p conlab\nCOMP_WORDS=(conlab me); COMP_CWORD=1; COMP_LINE='conlab me'; \
         COMP_POINT=9; _conlab conlab me conlab; echo \"words: ${{COMPREPLY[*]}}\"\n"
    );
    let bash = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .expect("bash runs");
    let said = String::from_utf8_lossy(&bash.stdout);
    assert!(
        bash.status.success(),
        "{said}\n{}",
        String::from_utf8_lossy(&bash.stderr)
    );
    assert!(
        said.contains("-F _conlab") && said.contains(" conlab\n"),
        "{said}"
    );
    assert!(said.contains("words: merge"), "{said}");
}

#[test]
fn an_unknown_shell_is_refused_with_the_ones_there_are() {
    let out = conlab()
        .args(["completions", "tcsh"])
        .output()
        .expect("conlab runs");
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("invalid value 'tcsh'")
            && said.contains("[possible values: bash, elvish, fish, powershell, zsh]"),
        "{said}"
    );
}

#[test]
fn the_man_page_is_roff_that_names_conlab_and_its_commands() {
    let out = conlab().arg("man").output().expect("conlab runs");
    assert!(out.status.success(), "{out:?}");
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH conlab 1"), "{page:.300}");
    for heading in [".SH COMMANDS", ".SS \"conlab run\"", ".SS \"conlab merge\""] {
        assert!(page.contains(heading), "no {heading}");
    }
}
