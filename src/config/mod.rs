//! Experiment files: reading, parsing and validating them, and the
//! vocabulary every later stage speaks (durations, model kinds, IO kinds,
//! sweep fields). Nothing here runs anything; `load` either returns an
//! [`Experiment`] that is safe to run or every problem found, each with its
//! place in the file.

mod diagnostic;
mod duration;
mod field;
mod kind;
mod parse;
mod schema;

use std::path::Path;

pub use diagnostic::{Diagnostics, SourceFile};
pub use duration::Nanos;
pub use field::{Axes, Axis, Field, GroupPoint, Point};
pub use kind::{
    DEFAULT_POLL_INTERVAL, DEFAULT_SWITCH_INTERVAL, ModelKind, Param, workers_or_cores,
};
pub use schema::*;

/// Why an experiment file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read experiment file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Diagnostics),
}

/// A validated experiment.
#[derive(Debug)]
pub struct Loaded {
    pub experiment: Experiment,
}

/// Reads and validates the experiment file at `path`.
pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: shown.clone(),
        source,
    })?;
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
mod tests;
