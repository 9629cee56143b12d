//! `conlab init [FILE] [--python]`: writes a commented starter experiment,
//! small enough to run in seconds, that shows the keys a first experiment
//! needs: conlab's own models, or with `--python` real CPython's, with
//! claims.
//! It never replaces a file: the file is created exclusively, so an
//! existing file (or a symlink, even a dangling one) is refused.

use std::io::Write;
use std::path::Path;

use super::{Exit, out, say};
use crate::format::excerpt;

/// The starter experiment (validated and run by the tests).
pub const STARTER: &str = include_str!("starter.toml");

/// The starter of `--python`: the `python-*` models and claims.
pub const PYTHON_STARTER: &str = include_str!("starter-python.toml");

/// The file's name as shown: on one line, control characters escaped
/// (a name can hold a newline).
fn shown(file: &Path) -> String {
    excerpt(&file.display().to_string(), 4096).into_owned()
}

pub fn run(file: &Path, python: bool) -> Exit {
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file);
    let mut handle = match created {
        Ok(handle) => handle,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            say(format_args!(
                "error: {} already exists; conlab init never replaces a file\n  = help: name \
                 another file: conlab init my-experiment.toml",
                shown(file)
            ));
            return Exit::BadInput;
        }
        Err(e) => {
            say(format_args!("error: cannot create {}: {e}", shown(file)));
            return Exit::BadInput;
        }
    };
    let starter = if python { PYTHON_STARTER } else { STARTER };
    if let Err(e) = handle.write_all(starter.as_bytes()) {
        say(format_args!("error: cannot write {}: {e}", shown(file)));
        return Exit::RunsFailed;
    }
    // On stdout: what the command made (a script may read the name).
    out(format_args!(
        "Wrote {0}. Next: conlab validate {0}, then conlab run {0}",
        shown(file)
    ));
    Exit::Ok
}
