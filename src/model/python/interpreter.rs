//! Whether a program named as the interpreter of the `python-*` models is
//! one they can use: it must start, run a tiny fixed probe within
//! [`PROBE_TIMEOUT`], writing at most [`PROBE_OUTPUT_LIMIT`] on each of
//! stdout and stderr, and say it is Python [`MIN_VERSION`] or newer. Cells
//! whose interpreter fails this are skipped before anything runs.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::child::{self, Bounds, End};
use crate::model::external::stderr_tail;

/// The probe, run as `<interpreter> -E -s -c <probe>` (flags Python 2 knows).
const PROBE: &str = include_str!("probe.py");
/// The oldest Python the runner supports (`threading.get_native_id`).
pub const MIN_VERSION: (u32, u32) = (3, 8);
/// How long a probe may take; a Python starts in well under a second.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// The most a probe may write on stdout, and on stderr: the probe prints
/// one line (a Python's start-up warnings, a few more).
pub const PROBE_OUTPUT_LIMIT: usize = 64 << 10;
/// How the fix reads in every message.
const HOW_TO_FIX: &str = "install CPython 3.8 or newer, or name one with python = \"...\" \
                          in [experiment] or in the [[model]]";

/// A usable interpreter, as it described itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpreter {
    /// `cpython`, `pypy`, … (`python` for a Python 2).
    pub implementation: String,
    pub version: (u32, u32, u32),
}

impl Interpreter {
    /// `CPython 3.11.7`.
    pub fn describe(&self) -> String {
        let name = match self.implementation.as_str() {
            "cpython" => "CPython",
            "pypy" => "PyPy",
            "python" => "Python",
            other => other,
        };
        let (major, minor, micro) = self.version;
        format!("{name} {major}.{minor}.{micro}")
    }
}

/// Why an interpreter cannot run the `python-*` models.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    #[error("Python interpreter `{interpreter}` not found; {HOW_TO_FIX}")]
    NotFound { interpreter: String },
    #[error("cannot start Python interpreter `{interpreter}`: {reason}; {HOW_TO_FIX}")]
    CannotStart { interpreter: String, reason: String },
    #[error(
        "Python interpreter `{interpreter}` did not answer a version probe within {}s",
        PROBE_TIMEOUT.as_secs()
    )]
    NoAnswer { interpreter: String },
    #[error("`{interpreter}` does not look like a Python interpreter: {detail}; {HOW_TO_FIX}")]
    NotPython { interpreter: String, detail: String },
    #[error(
        "`{interpreter}` is {found}; the python-* models need Python {}.{} or newer",
        MIN_VERSION.0,
        MIN_VERSION.1
    )]
    TooOld { interpreter: String, found: String },
}

/// Where an interpreter named in a file is, found without running it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Located {
    /// An executable file: the path found on `PATH`, or the path as given.
    Executable(std::path::PathBuf),
    /// Something at the path that is not an executable file.
    NotExecutable(std::path::PathBuf),
    /// Nothing: a bare name on no directory of `PATH`, or no such path.
    Missing,
}

impl Located {
    /// Why a cell cannot run with it, if it cannot.
    pub fn problem(&self, interpreter: &str) -> Option<ProbeError> {
        match self {
            Located::Executable(_) => None,
            Located::NotExecutable(path) => Some(ProbeError::CannotStart {
                interpreter: interpreter.to_string(),
                reason: format!("{} is not an executable file", path.display()),
            }),
            Located::Missing => Some(ProbeError::NotFound {
                interpreter: interpreter.to_string(),
            }),
        }
    }
}

fn located_at(path: &std::path::Path) -> Located {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => {
            Located::Executable(path.to_path_buf())
        }
        Ok(_) => Located::NotExecutable(path.to_path_buf()),
        Err(_) => Located::Missing,
    }
}

/// Finds `interpreter` as the OS would start it — a name without `/` on
/// `PATH`, a path relative to the current directory as given — without
/// starting it: `conlab validate` executes nothing a file names.
pub fn locate(interpreter: &str) -> Located {
    if interpreter.contains('/') {
        return located_at(std::path::Path::new(interpreter));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut first = Located::Missing;
    for dir in std::env::split_paths(&path).filter(|d| !d.as_os_str().is_empty()) {
        match located_at(&dir.join(interpreter)) {
            found @ Located::Executable(_) => return found,
            found @ Located::NotExecutable(_) if first == Located::Missing => first = found,
            _ => {}
        }
    }
    first
}

/// Runs the probe in `interpreter` and checks what it says.
pub fn probe(interpreter: &str) -> Result<Interpreter, ProbeError> {
    let spawned = Command::new(interpreter)
        .args(["-E", "-s", "-c", PROBE])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group, so that a program that hangs is killed with
        // whatever it started.
        .process_group(0)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ProbeError::NotFound {
                interpreter: interpreter.to_string(),
            });
        }
        Err(e) => {
            return Err(ProbeError::CannotStart {
                interpreter: interpreter.to_string(),
                reason: e.to_string(),
            });
        }
    };
    let started = Instant::now();
    let bounds = Bounds {
        stdout: PROBE_OUTPUT_LIMIT,
        stderr: PROBE_OUTPUT_LIMIT,
        deadline: Some(started + PROBE_TIMEOUT),
    };
    // Nothing the probe started outlives it (or holds its pipes open).
    let done = child::supervise(&mut child, Vec::new(), bounds, started, &|| false);
    match done.end {
        End::Exited(status) => judge(interpreter, status, &done.stdout, &done.stderr),
        End::TooMuch { stream, limit } => Err(ProbeError::NotPython {
            interpreter: interpreter.to_string(),
            detail: format!(
                "it wrote more than {} on {} on a Python probe, which prints one line, and was killed",
                crate::bounded::size_text(limit as u64),
                stream.name()
            ),
        }),
        End::Deadline { .. } | End::Stopped | End::Lost(_) => Err(ProbeError::NoAnswer {
            interpreter: interpreter.to_string(),
        }),
    }
}

/// What the probe's exit and output say about the interpreter.
fn judge(
    interpreter: &str,
    status: ExitStatus,
    stdout: &[u8],
    stderr: &[u8],
) -> Result<Interpreter, ProbeError> {
    let found = parse(&String::from_utf8_lossy(stdout));
    match found {
        Some(found) if status.success() => {
            if (found.version.0, found.version.1) < MIN_VERSION {
                Err(ProbeError::TooOld {
                    interpreter: interpreter.to_string(),
                    found: found.describe(),
                })
            } else {
                Ok(found)
            }
        }
        _ => {
            let how = match (status.code(), status.signal()) {
                (Some(0), _) => "it ran the probe but did not print a Python version".to_string(),
                (Some(code), _) => format!("it exited with status {code} on a Python probe"),
                (_, Some(signal)) => format!("it was killed by signal {signal} on a Python probe"),
                _ => "it ended without answering a Python probe".to_string(),
            };
            Err(ProbeError::NotPython {
                interpreter: interpreter.to_string(),
                detail: format!("{how}{}", stderr_tail(stderr)),
            })
        }
    }
}

/// Reads the probe's line: `conlab-probe <implementation> <major> <minor> <micro>`.
fn parse(stdout: &str) -> Option<Interpreter> {
    let line = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("conlab-probe "))?;
    let mut words = line.split_whitespace();
    let implementation = words.next()?.to_string();
    let mut number = || words.next()?.parse::<u32>().ok();
    let version = (number()?, number()?, number()?);
    Some(Interpreter {
        implementation,
        version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exited(code: i32) -> ExitStatus {
        ExitStatus::from_raw(code << 8)
    }

    #[test]
    fn parses_the_probe_line() {
        assert_eq!(
            parse("noise\nconlab-probe cpython 3 11 7\n"),
            Some(Interpreter {
                implementation: "cpython".into(),
                version: (3, 11, 7)
            })
        );
        assert_eq!(parse("conlab-probe cpython 3 x 7"), None);
        assert_eq!(parse("Python 3.11.7"), None);
    }

    #[test]
    fn judges_versions_and_strangers() {
        let ok = judge("py", exited(0), b"conlab-probe cpython 3 8 0\n", b"");
        assert_eq!(ok.map(|i| i.describe()), Ok("CPython 3.8.0".to_string()));
        let old = judge("python2", exited(0), b"conlab-probe python 2 7 18\n", b"");
        assert_eq!(
            old.map_err(|e| e.to_string()),
            Err("`python2` is Python 2.7.18; the python-* models need Python 3.8 or newer".into())
        );
        let ls = judge("/bin/ls", exited(2), b"", b"ls: invalid option -- 'E'\n");
        let message = ls.map_err(|e| e.to_string()).err().unwrap_or_default();
        assert!(
            message.starts_with(
                "`/bin/ls` does not look like a Python interpreter: it exited with status 2 \
                 on a Python probe: ls: invalid option -- 'E'; install CPython"
            ),
            "{message}"
        );
    }

    #[test]
    fn interpreters_are_located_without_running_them() {
        assert!(matches!(locate("sh"), Located::Executable(p) if p.is_absolute()));
        assert_eq!(locate("/nonexistent/python3"), Located::Missing);
        assert_eq!(locate("no-such-python-anywhere"), Located::Missing);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let plain = dir.path().join("python3");
        std::fs::write(&plain, "print(1)\n").unwrap_or_else(|e| panic!("{e}"));
        let shown = plain.display().to_string();
        assert_eq!(locate(&shown), Located::NotExecutable(plain.clone()));
        let problem = Located::NotExecutable(plain).problem(&shown);
        assert_eq!(
            problem.map(|e| e.to_string()),
            Some(format!(
                "cannot start Python interpreter `{shown}`: {shown} is not an executable file; \
                 install CPython 3.8 or newer, or name one with python = \"...\" in \
                 [experiment] or in the [[model]]"
            ))
        );
    }

    #[test]
    fn a_missing_program_is_not_found() {
        let missing = probe("/nonexistent/conlab-test/python3");
        assert_eq!(
            missing,
            Err(ProbeError::NotFound {
                interpreter: "/nonexistent/conlab-test/python3".into()
            })
        );
    }

    #[test]
    fn a_program_that_is_not_python_is_refused() {
        // `true` ignores its arguments, exits 0 and prints nothing.
        let message = probe("true").map_err(|e| e.to_string());
        assert!(
            message
                .as_ref()
                .is_err_and(|m| m.contains("did not print a Python version")),
            "{message:?}"
        );
    }
}
