//! Experiment files: reading, parsing and validating them, and the
//! vocabulary every later stage speaks (durations, model kinds, IO kinds,
//! sweep fields). Nothing here runs anything; `load` either returns an
//! [`Experiment`] that is safe to run or every problem found, each with its
//! place in the file.

mod arrival;
mod check;
mod claim;
mod declaration;
mod diagnostic;
mod docs;
mod duration;
mod field;
pub mod folder_name;
mod io_kind;
mod json_schema;
mod keys;
mod kind;
pub mod limits;
mod named;
mod param;
mod parse;
mod schema;

use std::path::Path;

pub use arrival::{ArrivalDist, CellArrival, stop_after};
#[cfg(test)]
pub use arrival::{Rate, RequestSpan};
pub use check::arrivals_too_long;
pub use claim::{ClaimSpec, CrossoverSpec, Limit, Metric};
pub use declaration::{CpuWays, Own, Runs, Runtime, Shape};
pub use diagnostic::{Diagnostics, SourceFile};
pub use docs::key_help;
pub use duration::Nanos;
pub use field::{Axes, Axis, Field, GroupPoint, Point, SharedMode, Sweep, Value};
pub use io_kind::IoKind;
pub use json_schema::json_schema;
pub use kind::ModelKind;
pub use param::{DEFAULT_POLL_INTERVAL, DEFAULT_SWITCH_INTERVAL, Param, workers_or_cores};
pub use schema::*;

/// Why an experiment file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read experiment file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "experiment file {path} is larger than 1 MiB, the most conlab reads\n  = help: an \
         experiment file is a few kilobytes of TOML; is {path} the file you meant?"
    )]
    TooLarge { path: String },
    #[error(
        "experiment file {0}\n  = help: write the experiment to a file and name that file; \
         is {path} the file you meant?",
        path = .0.path().display()
    )]
    NotRegular(crate::bounded::ReadError),
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl ConfigError {
    /// What `conlab validate` and `conlab run` print on stderr when they
    /// refuse the file (before the closing newline `say` adds): every
    /// problem found, then how many, or why the file could not be read.
    pub fn refusal(&self) -> String {
        match self {
            ConfigError::Invalid(d) => {
                let n = d.error_count();
                format!(
                    "{d}\n{}: {n} error{} found; nothing was run\n",
                    d.file.path,
                    if n == 1 { "" } else { "s" }
                )
            }
            other => format!("error: {other}\n"),
        }
    }
}

/// A validated experiment.
#[derive(Debug)]
pub struct Loaded {
    pub experiment: Experiment,
}

/// The most conlab reads of an experiment file.
pub const EXPERIMENT_FILE: crate::bounded::Limit = crate::bounded::Limit {
    bytes: limits::MAX_FILE_BYTES,
    what: "an experiment file",
};

/// Reads the experiment file at `path` through [`crate::bounded`]: a
/// regular file of at most [`limits::MAX_FILE_BYTES`], in UTF-8.
pub fn read(path: &Path) -> Result<String, ConfigError> {
    use crate::bounded::ReadError;
    let shown = path.display().to_string();
    let bytes = match crate::bounded::read_file(path, EXPERIMENT_FILE) {
        Ok(bytes) => bytes,
        Err(ReadError::TooLarge { .. }) => return Err(ConfigError::TooLarge { path: shown }),
        Err(ReadError::Io { source, .. }) => {
            return Err(ConfigError::Read {
                path: shown,
                source,
            });
        }
        Err(e) => return Err(ConfigError::NotRegular(e)),
    };
    String::from_utf8(bytes).map_err(|e| ConfigError::Read {
        path: shown,
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
    })
}

/// Reads and validates the experiment file at `path`.
pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let text = read(path)?;
    let shown = path.display().to_string();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "experiment".to_string());
    from_text(&shown, &text, &stem)
}

/// Validates experiment text that came from `path` (used for messages).
pub fn from_text(path: &str, text: &str, default_name: &str) -> Result<Loaded, ConfigError> {
    let file = SourceFile::new(path, text);
    let (experiment, items) = parse::parse(&file, default_name);
    let diagnostics = Diagnostics { file, items };
    match experiment {
        Some(experiment) if diagnostics.items.is_empty() => Ok(Loaded { experiment }),
        _ => Err(ConfigError::Invalid(diagnostics)),
    }
}

#[cfg(test)]
pub use docs::key_table;
#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod messages;
#[cfg(test)]
mod tests;
