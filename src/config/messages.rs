//! Every message the config reader can produce, pinned as data, the way
//! rustc's UI tests and trycmd pin theirs: each case in `tests/ui/config/`
//! is an experiment file `<case>.toml` beside `<case>.stderr`, exactly what
//! `conlab validate tests/ui/config/<case>.toml` prints on stderr when run
//! from the repository root (message, place, key path, caret, help, and
//! the closing count). Every case is a file conlab refuses, so it exits
//! with status 2 and prints nothing on stdout; `tests/e2e/ui.rs` holds the
//! real binary to that and to these same files.
//!
//! The cases run here, in-process, rather than through the binary: all of
//! them take under a second, and the mutation tests of the reader, which
//! run only the library's `config::` tests (`cargo mutants … -C --lib …
//! -- -- config::`, see CONTRIBUTING.md), see a mutant that changes a
//! message. After a deliberate change to a message, `BLESS=1 cargo test
//! --lib config::messages` rewrites the `.stderr` files; review the diff.

use std::path::{Path, PathBuf};

use super::load;
use crate::format::visible;

/// The cases' folder, relative to the repository root (the directory
/// `cargo test` runs in), as the messages show it.
pub const CASES: &str = "tests/ui/config";

/// Every `<case>.toml` of [`CASES`], in name order.
pub fn cases() -> Vec<PathBuf> {
    let entries = std::fs::read_dir(CASES)
        .unwrap_or_else(|e| panic!("cannot list {CASES} (run from the repository root): {e}"));
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| Path::new(CASES).join(e.file_name()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    found.sort();
    found
}

/// What `conlab validate` prints on stderr for `case`, or why it has
/// nothing to print.
fn stderr_of(case: &Path) -> Result<String, String> {
    match load(case) {
        Ok(_) => Err("conlab validate accepts it; a case must be a file it refuses".to_string()),
        // As `commands::say` prints it: made visible, with a newline.
        Err(e) => Ok(format!("{}\n", visible(&e.refusal()))),
    }
}

#[test]
fn every_case_prints_its_stderr() {
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let cases = cases();
    assert!(cases.len() > 100, "only {} cases in {CASES}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let expected_path = case.with_extension("stderr");
        let shown = match stderr_of(case) {
            Ok(shown) => shown,
            Err(why) => {
                failures.push(format!("{}: {why}", case.display()));
                continue;
            }
        };
        if bless {
            std::fs::write(&expected_path, &shown)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", expected_path.display()));
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if shown != expected {
            failures.push(format!(
                "{} prints:\n{shown}\nbut {} expects:\n{expected}",
                case.display(),
                expected_path.display()
            ));
        }
    }
    // An expectation whose case is gone pins nothing.
    let orphans: Vec<String> = std::fs::read_dir(CASES)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| Path::new(CASES).join(e.file_name()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "stderr")
                && !cases.contains(&p.with_extension("toml"))
        })
        .map(|p| p.display().to_string())
        .collect();
    if !orphans.is_empty() {
        failures.push(format!(
            "expectations without a case: {}",
            orphans.join(", ")
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases in {CASES} fail:\n\n{}\n\nIf the change is deliberate: \
         BLESS=1 cargo test --lib config::messages, then review the diff",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Issue 8: `validate /dev/zero` grew without end; reading stops after
/// 1 MiB of a regular file (issue 22: and is refused before the first
/// byte when the file says it is larger).
#[test]
fn a_file_larger_than_a_mebibyte() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("big.toml");
    std::fs::write(&path, vec![b'#'; (1 << 20) + 1]).unwrap_or_else(|e| panic!("{e}"));
    let shown = match load(&path) {
        Err(e) => e.to_string(),
        Ok(_) => String::new(),
    };
    assert_eq!(
        shown,
        format!(
            "experiment file {0} is larger than 1 MiB, the most conlab reads\n  = help: an \
             experiment file is a few kilobytes of TOML; is {0} the file you meant?",
            path.display()
        )
    );
}

/// Issue 22: a device (`/dev/zero`), a FIFO or a folder is refused before
/// it is opened, not read up to the limit (or waited on).
#[test]
fn a_device_is_not_an_experiment_file() {
    let shown = match load(Path::new("/dev/zero")) {
        Err(e) => e.to_string(),
        Ok(_) => String::new(),
    };
    assert_eq!(
        shown,
        "experiment file /dev/zero is a character device, not a regular file: conlab reads an \
         experiment file only from a regular file\n  = help: write the experiment to a file and \
         name that file; is /dev/zero the file you meant?"
    );
}
