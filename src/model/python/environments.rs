//! conlab's own Python environments: for a kind that needs a module from
//! PyPI (gevent), a virtual environment made from the interpreter a file
//! names, with the module installed, so that the user's own Python stays
//! as it is. They live in conlab's cache directory,
//! `$XDG_CACHE_HOME/conlab` (`~/.cache/conlab` without it), the one place
//! outside results folders that conlab writes to, and only
//! `conlab install-gevent` writes there. Finding one reads the file
//! system and runs nothing, so the worker and `conlab validate` find the
//! same program as `conlab run`'s probe.

use std::path::{Path, PathBuf};

/// The folder of conlab's environments for `module`, one per interpreter.
const ENVIRONMENTS: &str = "gevent";

/// conlab's cache directory: `$XDG_CACHE_HOME/conlab`, else
/// `$HOME/.cache/conlab`; `None` when neither variable gives an absolute
/// path.
pub fn cache_dir() -> Option<PathBuf> {
    let absolute = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    absolute("XDG_CACHE_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".cache")))
        .map(|cache| cache.join("conlab"))
}

/// Where conlab's gevent environment made from `interpreter` (as a file
/// names it) is, whether or not it exists.
pub fn gevent_environment(interpreter: &str) -> Option<PathBuf> {
    Some(cache_dir()?.join(ENVIRONMENTS).join(slug(interpreter)))
}

/// The interpreter of an environment.
pub fn environment_python(environment: &Path) -> PathBuf {
    environment.join("bin").join("python")
}

/// conlab's gevent environment's interpreter for `interpreter`, if one was
/// made (an executable file is there).
pub fn gevent_python(interpreter: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let python = environment_python(&gevent_environment(interpreter)?);
    let meta = std::fs::metadata(&python).ok()?;
    (meta.is_file() && meta.permissions().mode() & 0o111 != 0).then_some(python)
}

/// One folder name per interpreter: a name on `PATH` as it is (`python3.11`),
/// a path made absolute (`/usr/bin/python3` → `_usr_bin_python3`), every
/// character but letters, digits, `.`, `+` and `-` made `_`, and `py-` in
/// front so that no name is `.` or `..`.
fn slug(interpreter: &str) -> String {
    let name = if interpreter.contains('/') {
        std::path::absolute(interpreter)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| interpreter.to_string())
    } else {
        interpreter.to_string()
    };
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("py-{safe}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_interpreter_has_a_folder_of_its_own() {
        assert_eq!(slug("python3.11"), "py-python3.11");
        assert_eq!(slug("pypy3"), "py-pypy3");
        assert_eq!(slug("/usr/bin/python3"), "py-_usr_bin_python3");
        assert_eq!(slug(".."), "py-..");
        assert_eq!(slug("a b"), "py-a_b");
        let relative = slug("./venv/bin/python");
        assert!(
            relative.starts_with("py-_") && relative.ends_with("_venv_bin_python"),
            "{relative}"
        );
    }
}
