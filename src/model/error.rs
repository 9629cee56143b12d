//! Why a model could not complete a run: conlab's own models' failures,
//! and a runner's (which its runtime's module words). In a file of its
//! own so that the models, the runners and the job they share each point
//! one way: to it, and it to nothing of theirs but the runner's error.

/// Why a model could not complete a run.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("could not start thread {index}: {source}")]
    Thread {
        index: usize,
        source: std::io::Error,
    },
    #[error("a task panicked: {0}")]
    TaskPanicked(String),
    #[error("{0}")]
    Io(String),
    #[error("could not build the {what}: {source}")]
    Setup {
        what: &'static str,
        source: std::io::Error,
    },
    #[error(transparent)]
    Runner(#[from] super::external::RunnerError),
}

impl ModelError {
    /// The reason a runner gave for refusing the job, if it refused it:
    /// its cell is skipped, not failed.
    pub fn refusal(&self) -> Option<&str> {
        match self {
            ModelError::Runner(super::external::RunnerError::Refused(reason)) => Some(reason),
            _ => None,
        }
    }

    /// Whether a runner was stopped at the run's deadline (it hung, or
    /// its tasks had not finished): the run timed out rather than failed.
    pub fn timed_out(&self) -> bool {
        matches!(
            self,
            ModelError::Runner(
                super::external::RunnerError::Deadline { .. }
                    | super::external::RunnerError::Unfinished { .. }
            )
        )
    }
}
