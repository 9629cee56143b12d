//! The runtimes this machine has for the models that run in another
//! runtime than conlab's own, found for `conlab doctor`: each installation
//! with its version, or the note that there is none and how to get one.
//!
//! [`RUNTIMES`] lists what is looked for, one row each; [`FINDERS`] the
//! functions that look, one per family of runtimes (one search of the
//! Python interpreters finds CPython, PyPy and gevent). A new runtime (Go,
//! the JVM) is a row here and a finder: doctor lists it with no other
//! change.

use std::process::Command;
use std::time::Duration;

use serde::Serialize;

use super::python::found::{FoundPython, pythons};
use crate::child::run_bounded;

/// How long `node --version` and the like may take.
const VERSION_TIMEOUT: Duration = Duration::from_secs(5);

/// A runtime doctor looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Runtime {
    /// Its key in `conlab doctor --json`'s checks.
    pub key: &'static str,
    /// Its item in doctor's report.
    pub item: &'static str,
    /// The kinds that run in it.
    pub kinds: &'static str,
    /// How to get it, when none is found.
    pub install: &'static str,
}

/// Every runtime doctor looks for, in the order it lists them.
pub const RUNTIMES: &[Runtime] = &[
    Runtime {
        key: "python",
        item: "Python interpreters",
        kinds: "the python-* cells",
        install: "install CPython 3.8 or newer (e.g. `sudo apt install python3`, or `pyenv install \
                  3.13`), or name one with python = \"...\" in the experiment",
    },
    Runtime {
        key: "pypy",
        item: "PyPy",
        kinds: "python-* cells with python = \"pypy3\"",
        install: "`sudo apt install pypy3` (Debian, Ubuntu), or `pyenv install pypy3.10`",
    },
    Runtime {
        key: "gevent",
        item: "gevent",
        kinds: "the python-gevent cells",
        install: "`conlab install-gevent --python python3` makes a Python environment with gevent \
                  in conlab's cache directory (your Python stays as it is)",
    },
    Runtime {
        key: "node",
        item: "Node.js",
        kinds: "Node.js cells",
        install: "install Node.js 18 or newer (e.g. `sudo apt install nodejs`)",
    },
];

/// One installation of a runtime.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Found {
    /// The [`Runtime`]'s key.
    pub runtime: &'static str,
    /// How an experiment file names it (`python3.11`, a path, `node`).
    pub name: String,
    pub path: String,
    /// What it is (`CPython 3.11.7`, `v20.20.0`), or why conlab cannot use
    /// it.
    pub what: String,
    pub usable: bool,
}

/// The functions that look for runtimes: one per family.
const FINDERS: &[fn() -> Vec<Found>] = &[python_runtimes, node_runtimes];

/// Every installation of every runtime found.
pub fn find() -> Vec<Found> {
    FINDERS.iter().flat_map(|find| find()).collect()
}

/// CPython and PyPy, each interpreter found once; and gevent, once per
/// interpreter that imports it.
fn python_runtimes() -> Vec<Found> {
    pythons().into_iter().flat_map(python_found).collect()
}

fn python_found(p: FoundPython) -> Vec<Found> {
    let path = p.path.display().to_string();
    let found = |runtime, what: String, usable| Found {
        runtime,
        name: p.name.clone(),
        path: path.clone(),
        what,
        usable,
    };
    match &p.found {
        Err(e) => vec![found("python", e.to_string(), false)],
        Ok(i) => {
            let runtime = if i.implementation == "pypy" {
                "pypy"
            } else {
                "python"
            };
            let mut all = vec![found(runtime, i.describe(), true)];
            if let Some(version) = i.module("gevent") {
                all.push(found(
                    "gevent",
                    format!("gevent {version} in {}", i.describe()),
                    true,
                ));
            }
            all
        }
    }
}

/// Node.js on `PATH` (`node`, or Debian's older `nodejs`), asked its
/// version.
fn node_runtimes() -> Vec<Found> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut found: Vec<Found> = Vec::new();
    for name in ["node", "nodejs"] {
        let Some(at) = std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
        else {
            continue;
        };
        let real = at.canonicalize().unwrap_or_else(|_| at.clone());
        if found.iter().any(|f| f.path == real.display().to_string()) {
            continue;
        }
        let answer = run_bounded(Command::new(&at).arg("--version"), VERSION_TIMEOUT);
        let (what, usable) = match answer {
            Ok(e) if e.status.is_some_and(|s| s.success()) => {
                (String::from_utf8_lossy(&e.stdout).trim().to_string(), true)
            }
            Ok(_) => ("did not answer `--version`".to_string(), false),
            Err(e) => (format!("cannot start it: {e}"), false),
        };
        found.push(Found {
            runtime: "node",
            name: name.to_string(),
            path: real.display().to_string(),
            what,
            usable,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every runtime a finder reports is one doctor lists.
    #[test]
    fn finders_report_listed_runtimes() {
        let keys: Vec<&str> = RUNTIMES.iter().map(|r| r.key).collect();
        assert_eq!(keys, ["python", "pypy", "gevent", "node"]);
        for f in node_runtimes() {
            assert!(keys.contains(&f.runtime), "{f:?}");
        }
    }
}
