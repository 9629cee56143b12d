//! `conlab install-gevent [--python PYTHON]...`: makes, from each named
//! interpreter, a Python environment with gevent in conlab's cache
//! directory, where `python-gevent` cells that name that interpreter find
//! it (`model::python`'s environments). gevent comes from PyPI; the
//! interpreter itself, and every other cell, stay as they are. It runs
//! `PYTHON -m venv DIR` and `DIR/bin/python -m pip install gevent`, their
//! output shown as it comes; an environment that already imports gevent is
//! left alone, and one this command could not finish is removed again.

use std::path::Path;
use std::process::Command;

use super::{Exit, out, say};
use crate::cli::InstallGeventArgs;
use crate::model::python::{self, environment_python, gevent_environment};

/// The package, and the module the probe imports.
const GEVENT: &str = "gevent";

pub fn run(args: &InstallGeventArgs) -> Exit {
    let mut exit = Exit::Ok;
    for interpreter in &args.python {
        let Some(dir) = gevent_environment(interpreter) else {
            say(
                "error: conlab has no cache directory: neither XDG_CACHE_HOME nor HOME is an \
                 absolute path\n  = help: set one, e.g. XDG_CACHE_HOME=$PWD/.cache",
            );
            return Exit::BadInput;
        };
        if let Err(why) = install(interpreter, &dir) {
            say(format_args!(
                "error: no gevent environment from `{interpreter}`: {why}"
            ));
            exit = Exit::RunsFailed;
        }
    }
    exit
}

/// Makes (or finds) the gevent environment from `interpreter` in `dir`.
fn install(interpreter: &str, dir: &Path) -> Result<(), String> {
    let env_python = environment_python(dir);
    let shown = env_python.display().to_string();
    if let Ok(found) = python::probe(&shown, &[GEVENT])
        && let Some(version) = found.module(GEVENT)
    {
        out(format_args!(
            "{} already has gevent {version} ({}): python-gevent cells with python = \
             \"{interpreter}\" run in it",
            dir.display(),
            found.describe()
        ));
        return Ok(());
    }
    let found = python::probe(interpreter, &[]).map_err(|e| e.to_string())?;
    let existed = dir.exists();
    say(format_args!(
        "Making a Python environment with gevent from `{interpreter}` ({}) in {}",
        found.describe(),
        dir.display()
    ));
    let made = step(
        Command::new(interpreter).args(["-m", "venv"]).arg(dir),
        &format!("`{interpreter} -m venv` failed (Debian and Ubuntu: apt install python3-venv)"),
    )
    .and_then(|()| {
        step(
            Command::new(&env_python).args(["-m", "pip", "install", "--upgrade", GEVENT]),
            "pip could not install gevent (it needs PyPI, and where no wheel fits this \
             interpreter, a C compiler and the interpreter's headers)",
        )
    })
    .and_then(|()| {
        let found = python::probe(&shown, &[GEVENT]).map_err(|e| e.to_string())?;
        let version = found
            .module(GEVENT)
            .ok_or_else(|| format!("{shown} still cannot import gevent"))?;
        out(format_args!(
            "{} has gevent {version} ({}): python-gevent cells with python = \"{interpreter}\" \
             run in it",
            dir.display(),
            found.describe()
        ));
        Ok(())
    });
    if made.is_err() && !existed {
        // Half an environment would be found by the cells and fail there.
        let _ = std::fs::remove_dir_all(dir);
    }
    made
}

/// Runs one step, its output on the terminal; `failed` says what it means
/// when it does not succeed.
fn step(command: &mut Command, failed: &str) -> Result<(), String> {
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("{failed} ({status})")),
        Err(e) => Err(format!("{failed}: {e}")),
    }
}
