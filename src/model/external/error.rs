//! What can go wrong while a runner runs a job: it cannot be started, it
//! dies, it hangs past the run's deadline, it prints without end, or it
//! answers something conlab cannot read; or it refuses the job, which is
//! no failure (its cell is skipped with the reason). Each message names
//! the runner and carries the end of its stderr.

/// Why a run of a runner-backed model did not complete.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error("cannot start {runner}: {source}")]
    Start {
        runner: String,
        source: std::io::Error,
    },
    #[error("lost {runner}: {source}")]
    Wait {
        runner: String,
        source: std::io::Error,
    },
    #[error("{runner} {how}{stderr}")]
    Crashed {
        runner: String,
        /// `exited with status 1`, `was killed by signal 9`.
        how: String,
        /// The end of its stderr, `: ` first, or empty.
        stderr: String,
    },
    #[error("{runner} answered with data conlab cannot read ({detail}){stderr}")]
    Malformed {
        runner: String,
        detail: String,
        stderr: String,
    },
    #[error(
        "{runner} did not answer by the run's deadline ({seconds:.1}s after it started) and was \
         killed with what it started{stderr}"
    )]
    Deadline {
        runner: String,
        seconds: f64,
        stderr: String,
    },
    #[error(
        "{runner} wrote more than {} on {stream} and was killed: a runner writes one line of \
         reply to this job on stdout, and at most a traceback on stderr",
        crate::bounded::size_text(*limit as u64)
    )]
    TooMuch {
        runner: String,
        stream: &'static str,
        limit: usize,
    },
    #[error("{runner} stopped at the run's deadline with {unfinished} of {tasks} tasks unfinished")]
    Unfinished {
        runner: String,
        unfinished: usize,
        tasks: usize,
    },
    /// The runner cannot run this job and said why, as the protocol asks:
    /// the cell is skipped with the reason.
    #[error("{0}")]
    Refused(String),
    /// The job cannot be put to the runner (a tcp job without the delay
    /// server's address).
    #[error(transparent)]
    Request(std::io::Error),
    #[error("cannot encode the job for the runner: {0}")]
    Encode(serde_json::Error),
}

/// How much of a runner's stderr goes into a message.
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
