//! Skipped tests, said out loud: a test that cannot check what it is for
//! on this machine (no Python, one usable core, cores held by other
//! processes) calls [`skip`] instead of returning quietly. The skip is
//! printed at once on the test binary's own stderr (the harness captures
//! only `print!`/`eprint!`), and every skip of the binary is listed again
//! after the harness's `test result:` line, so a run that checked less
//! than it claims says so in its summary.
//!
//! With `CONLAB_TEST_STRICT=1` (set by `.ci/run`) a skip for a reason that
//! should not happen on CI fails the test instead: CI has Python and two
//! cores, so a CI machine without them is a broken CI machine, not a pass.
//! Cores held by other processes twice in a row stay a (listed) skip: CI
//! machines are shared, and failing on their load would make CI flaky.
//!
//! One file for the unit tests (`src/lib.rs` includes it under
//! `#[cfg(test)]`) and the end-to-end tests (`tests/e2e/common.rs`).

use std::io::Write;
use std::sync::Mutex;

/// The environment variable that turns unexpected skips into failures.
pub const STRICT_ENV: &str = "CONLAB_TEST_STRICT";

/// Why a test did not check what it is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // each test binary uses some of the reasons
pub enum Reason {
    /// No `python3` of 3.8 or newer on PATH.
    NoPython,
    /// No Node.js 20 or newer (`node`) on PATH.
    NoNode,
    /// Only one core is usable by this process.
    OneCore,
    /// Other processes held a core through every check of this test
    /// (two measurements in a row). Allowed on CI: CI machines are shared
    /// with other builds, and a timing claim is not checked on a core
    /// someone else holds; the skip is still listed.
    CoresBusy,
    /// The machine gives no pseudo-terminal (no `/dev/ptmx` or devpts
    /// mounted), so what conlab does on a terminal cannot be seen.
    NoTerminal,
    /// The user chose something on purpose that the test cannot check
    /// under (e.g. their own font through an environment variable).
    ChosenByUser,
}

impl Reason {
    /// Whether CI may skip for this reason (in strict mode the others fail).
    pub fn allowed_on_ci(self) -> bool {
        matches!(self, Reason::ChosenByUser | Reason::CoresBusy)
    }
}

/// Whether `CONLAB_TEST_STRICT` asks for strict mode (`1`, `true` or `yes`).
pub fn strict() -> bool {
    std::env::var(STRICT_ENV).is_ok_and(|v| is_strict_value(&v))
}

fn is_strict_value(value: &str) -> bool {
    matches!(value.trim(), "1" | "true" | "yes")
}

/// The skips of this test binary so far, printed again when it exits.
static SKIPPED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Prints the skips after the harness's summary; registered with `atexit`
/// on the first skip.
extern "C" fn list_skips() {
    let skipped = SKIPPED.lock().unwrap_or_else(|e| e.into_inner());
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "\n{} test(s) skipped what they are for:",
        skipped.len()
    );
    for line in skipped.iter() {
        let _ = writeln!(err, "  SKIPPED {line}");
    }
}

/// Records that the calling test did not check what it is for, and why;
/// in strict mode, panics (fails the test) unless CI may skip for `reason`.
/// The test is named by its thread, as the harness names it.
pub fn skip(reason: Reason, detail: &str) {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    let line = format!("{test}: {detail} ({reason:?})");
    if strict() && !reason.allowed_on_ci() {
        panic!(
            "{test} would be skipped ({detail}), and {STRICT_ENV}=1 says this must not happen here"
        );
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED {line}");
    let mut skipped = SKIPPED.lock().unwrap_or_else(|e| e.into_inner());
    if skipped.is_empty() {
        // SAFETY: `list_skips` is an `extern "C" fn()` that lives as long
        // as the program and neither unwinds nor calls `exit`.
        unsafe { libc::atexit(list_skips) };
    }
    skipped.push(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_python_and_one_core_may_not_be_skipped_on_ci() {
        assert!(Reason::ChosenByUser.allowed_on_ci());
        assert!(Reason::CoresBusy.allowed_on_ci());
        assert!(!Reason::NoPython.allowed_on_ci());
        assert!(!Reason::NoNode.allowed_on_ci());
        assert!(!Reason::OneCore.allowed_on_ci());
    }

    #[test]
    fn strict_values() {
        for v in ["1", "true", "yes", " 1\n"] {
            assert!(is_strict_value(v), "{v:?}");
        }
        for v in ["", "0", "false", "no", "2"] {
            assert!(!is_strict_value(v), "{v:?}");
        }
    }
}
