//! The runtimes beyond `python3` that tests run, found as `.ci/run`
//! installs them: PyPy, and a Python that imports gevent. A test that
//! needs one and finds none is skipped through `skip.rs`, with
//! `Reason::NoPyPy` or `Reason::NoGevent` and the reason returned here;
//! under `CONLAB_TEST_STRICT=1` that fails it, since CI installs both.
//!
//! One file for the unit tests (`src/lib.rs` includes it under
//! `#[cfg(test)]`) and the end-to-end tests (`tests/e2e/common.rs`).

use std::process::{Command, Stdio};

/// The variable `.ci/run` sets to the interpreter of the gevent
/// environment it makes.
pub const GEVENT_ENV: &str = "CONLAB_TEST_GEVENT_PYTHON";

/// Whether `program` starts and exits 0 on `code`.
fn answers(program: &str, code: &str) -> bool {
    Command::new(program)
        .args(["-I", "-c", code])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `pypy3` on PATH, if it runs Python 3.8 or newer.
#[allow(dead_code)] // each test binary uses some of these
pub fn pypy() -> Result<String, String> {
    let code =
        "import sys; sys.exit(sys.implementation.name != 'pypy' or sys.version_info < (3, 8))";
    if answers("pypy3", code) {
        Ok("pypy3".to_string())
    } else {
        Err("no pypy3 of Python 3.8 or newer on PATH (Debian: apt-get install pypy3)".to_string())
    }
}

/// An interpreter that imports gevent: `$CONLAB_TEST_GEVENT_PYTHON`, else
/// conlab's own gevent environment made from `python3` (what `conlab
/// install-gevent` makes), else `python3` itself if it has gevent.
#[allow(dead_code)]
pub fn gevent_python() -> Result<String, String> {
    let code = "import gevent";
    if let Ok(named) = std::env::var(GEVENT_ENV) {
        return if answers(&named, code) {
            Ok(named)
        } else {
            Err(format!("{GEVENT_ENV}={named} cannot import gevent"))
        };
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")));
    let conlabs = cache.map(|c| c.join("conlab/gevent/py-python3/bin/python"));
    for candidate in conlabs
        .map(|p| p.display().to_string())
        .into_iter()
        .chain(["python3".to_string()])
    {
        if answers(&candidate, code) {
            return Ok(candidate);
        }
    }
    Err(format!(
        "no Python with gevent: set {GEVENT_ENV}, or run `conlab install-gevent` (as .ci/run \
         does)"
    ))
}
