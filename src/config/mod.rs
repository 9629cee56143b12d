//! Experiment files: reading, parsing and validating them. Nothing here
//! runs anything; `load` either returns an [`Experiment`] that is safe to
//! run or every problem found, each with its place in the file.

pub mod diagnostic;
pub mod duration;
pub mod folder_name;
mod parse;
pub mod schema;

use std::path::Path;

pub use diagnostic::{Diagnostic, Diagnostics, Severity, SourceFile};
pub use duration::Nanos;
pub use parse::{AXIS_NAMES, MAX_TASKS};
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

/// A validated experiment and the warnings found on the way.
#[derive(Debug)]
pub struct Loaded {
    pub experiment: Experiment,
    pub warnings: Diagnostics,
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
    let file = SourceFile {
        path: path.to_string(),
        text: text.to_string(),
    };
    let (experiment, items) = parse::parse(&file, default_name);
    let diagnostics = Diagnostics { file, items };
    match experiment {
        Some(experiment) if !diagnostics.has_errors() => Ok(Loaded {
            experiment,
            warnings: diagnostics,
        }),
        _ => Err(ConfigError::Invalid(diagnostics)),
    }
}

#[cfg(test)]
mod tests;
