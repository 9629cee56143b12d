//! What can go wrong while a real interpreter runs a job: it cannot be
//! started, it dies, or it answers something conlab cannot read. Each
//! message names the interpreter and carries the end of its stderr.

/// Why a run of a `python-*` model failed.
#[derive(Debug, thiserror::Error)]
pub enum PythonError {
    #[error("cannot start the Python interpreter `{interpreter}`: {source}")]
    Start {
        interpreter: String,
        source: std::io::Error,
    },
    #[error("lost the Python interpreter `{interpreter}`: {source}")]
    Wait {
        interpreter: String,
        source: std::io::Error,
    },
    #[error("the Python interpreter `{interpreter}` {how}{stderr}")]
    Crashed {
        interpreter: String,
        /// `exited with status 1`, `was killed by signal 9 (SIGKILL)`.
        how: String,
        /// The end of its stderr, `: ` first, or empty.
        stderr: String,
    },
    #[error(
        "the Python interpreter `{interpreter}` answered with data conlab cannot read ({detail}){stderr}"
    )]
    Malformed {
        interpreter: String,
        detail: String,
        stderr: String,
    },
    #[error(
        "the Python interpreter `{interpreter}` wrote more than {limit} on {stream} and was killed: conlab's runner writes one line of reply to this job on stdout, and at most a traceback on stderr{stderr}"
    )]
    TooMuchOutput {
        interpreter: String,
        stream: &'static str,
        limit: String,
        stderr: String,
    },
    #[error("cannot encode the job for Python: {0}")]
    Encode(serde_json::Error),
}

/// How much of an interpreter's stderr goes into a message.
const STDERR_TAIL: usize = 800;

/// The last lines of `stderr` on one line, `: ` first; empty if there are
/// none. A Python traceback ends with the exception, the part that matters.
pub fn stderr_tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    let mut start = text.len().saturating_sub(STDERR_TAIL);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let lines: Vec<&str> = text[start..]
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!(": {}", lines.join(" | "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_lines_on_one_line() {
        let tb = b"Traceback (most recent call last):\n  File \"<string>\", line 3\nValueError: boom\n\n";
        assert_eq!(
            stderr_tail(tb),
            ": Traceback (most recent call last): |   File \"<string>\", line 3 | ValueError: boom"
        );
        assert_eq!(stderr_tail(b"  \n"), "");
        let long = "é".repeat(1000);
        let tail = stderr_tail(long.as_bytes());
        assert!(tail.len() <= STDERR_TAIL + 2, "{}", tail.len());
    }
}
