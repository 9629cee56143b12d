//! The Python interpreters on this machine, for `conlab doctor`: the
//! candidates on `PATH` (`python3`, `python3.N`, `python3.Nt`, `pypy3`),
//! pyenv's versions (`$PYENV_ROOT/versions/*`, `~/.pyenv` by default) and
//! conlab's own gevent environments, each real file once, each probed for
//! what it is, its GIL and whether it imports gevent.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::environments::{cache_dir, environment_python};
use super::interpreter::{Interpreter, ProbeError, probe};

/// Interpreters probed at most (each probe starts a Python).
const MAX_PYTHONS: usize = 32;

/// One interpreter found, named as an experiment file would name it (its
/// name on `PATH`, else its path), and what probing it said.
#[derive(Debug)]
pub struct FoundPython {
    pub name: String,
    pub path: PathBuf,
    pub found: Result<Interpreter, ProbeError>,
}

/// Whether `name` is an interpreter's name on `PATH`.
fn is_candidate(name: &str) -> bool {
    name == "python3"
        || name == "pypy3"
        || name.strip_prefix("python3.").is_some_and(|rest| {
            let digits = rest.strip_suffix('t').unwrap_or(rest);
            !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
        })
}

/// pyenv's root: `$PYENV_ROOT`, else `~/.pyenv`.
fn pyenv_root() -> Option<PathBuf> {
    std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))
}

/// Candidates on `PATH`, in `PATH` order, `python3` first in each
/// directory and `python3.N` in version order. pyenv's shims are left out:
/// its versions are listed by their own paths, and a shim starts a shell.
fn on_path(pyenv: Option<&Path>) -> Vec<(String, PathBuf)> {
    let shims = pyenv.map(|root| root.join("shims"));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut found = Vec::new();
    for dir in std::env::split_paths(&path) {
        if shims.as_deref() == Some(dir.as_path()) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| is_candidate(n))
            .collect();
        names.sort_by_key(|n| {
            let minor = n
                .strip_prefix("python3.")
                .map(|r| r.trim_end_matches('t').parse::<u32>().unwrap_or(u32::MAX));
            (n != "python3", minor.is_none(), minor, n.clone())
        });
        found.extend(names.into_iter().map(|n| (n.clone(), dir.join(n))));
    }
    found
}

/// A version folder's name as numbers, for sorting (`3.10.13` after
/// `3.9.18`); names that are not versions after them, by name.
fn version_key(name: &str) -> (Vec<u32>, String) {
    let numbers = name
        .split('.')
        .map(|p| p.parse::<u32>())
        .collect::<Result<Vec<u32>, _>>()
        .unwrap_or_else(|_| vec![u32::MAX]);
    (numbers, name.to_string())
}

/// The interpreter of each of pyenv's versions: `bin/python3`, or
/// `bin/pypy3` for a PyPy.
fn in_pyenv(root: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(root.join("versions")) else {
        return Vec::new();
    };
    let mut versions: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    versions.sort_by_key(|v| version_key(v));
    versions
        .into_iter()
        .filter_map(|v| {
            let bin = root.join("versions").join(&v).join("bin");
            let python = ["python3", "pypy3", "python"]
                .into_iter()
                .map(|n| bin.join(n))
                .find(|p| p.is_file())?;
            Some((python.display().to_string(), python))
        })
        .collect()
}

/// The interpreter of each of conlab's gevent environments.
fn gevent_environments() -> Vec<(String, PathBuf)> {
    let Some(dir) = cache_dir().map(|c| c.join("gevent")) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| environment_python(&e.path()))
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), p))
        .collect();
    found.sort();
    found
}

/// Every interpreter found, each real file once (the first name that
/// reaches it), probed for what it is and whether it imports gevent.
pub fn pythons() -> Vec<FoundPython> {
    let pyenv = pyenv_root();
    let mut candidates = on_path(pyenv.as_deref());
    if let Some(root) = &pyenv {
        candidates.extend(in_pyenv(root));
    }
    candidates.extend(gevent_environments());
    let mut seen = HashSet::new();
    candidates
        .into_iter()
        .filter(|(_, path)| {
            // A venv's python links to its base interpreter, but runs with
            // the venv's packages: it is itself, not its target.
            let real = if path.parent().and_then(Path::parent).is_some_and(is_venv) {
                path.clone()
            } else {
                path.canonicalize().unwrap_or_else(|_| path.clone())
            };
            path.is_file() && seen.insert(real)
        })
        .take(MAX_PYTHONS)
        .map(|(name, path)| {
            let found = probe(&path.display().to_string(), &["gevent"]);
            FoundPython { name, path, found }
        })
        .collect()
}

/// Whether `dir` is a virtual environment (it has a `pyvenv.cfg`).
fn is_venv(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpreters_are_recognised_by_name_and_versions_sorted() {
        for name in ["python3", "python3.8", "python3.13t", "pypy3"] {
            assert!(is_candidate(name), "{name}");
        }
        for name in ["python", "python3-config", "python3.x", "python3.", "pypy"] {
            assert!(!is_candidate(name), "{name}");
        }
        let mut versions = vec!["3.9.18", "3.10.13", "pypy3.10-7.3.17", "2.7.18", "3.13.0t"];
        versions.sort_by_key(|v| version_key(v));
        assert_eq!(
            versions,
            ["2.7.18", "3.9.18", "3.10.13", "3.13.0t", "pypy3.10-7.3.17"]
        );
    }

    #[test]
    fn pyenv_versions_are_found_by_their_interpreter() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for (version, file) in [
            ("3.12.1", "python3"),
            ("3.9.18", "python3"),
            ("pypy3.10-7.3.17", "pypy3"),
            ("broken", "nothing"),
        ] {
            let bin = root.path().join("versions").join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(bin.join(file), "").unwrap_or_else(|e| panic!("{e}"));
        }
        let found: Vec<String> = in_pyenv(root.path())
            .into_iter()
            .map(|(_, p)| {
                let p = p.strip_prefix(root.path()).map(Path::to_path_buf);
                p.unwrap_or_default().display().to_string()
            })
            .collect();
        assert_eq!(
            found,
            [
                "versions/3.9.18/bin/python3",
                "versions/3.12.1/bin/python3",
                "versions/pypy3.10-7.3.17/bin/pypy3"
            ]
        );
    }
}
