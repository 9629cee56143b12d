//! Reading a results directory back: what `conlab plot` and
//! `conlab compare` work from. Every error names the file it is about.

use std::fs;
use std::path::{Path, PathBuf};

use super::export::{self, SummaryFile};
use super::record::{GroupRecord, RunRecord, Timeline};

/// Why a results directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(
        "{} is not a conlab results directory: it has no summary.json\n  = help: pass the directory `conlab run` wrote, e.g. output/seed",
        dir.display()
    )]
    NotResults { dir: PathBuf },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot parse {path}: {message}")]
    Parse { path: PathBuf, message: String },
}

/// Everything a results directory holds.
#[derive(Clone, Debug)]
pub struct Results {
    pub summary: SummaryFile,
    pub runs: Vec<RunRecord>,
    /// `groups.csv`: each group of each measured run (empty when absent).
    pub groups: Vec<GroupRecord>,
    /// Sorted by cell.
    pub timelines: Vec<Timeline>,
    /// `experiment.toml`, the file as run, if present.
    pub experiment_text: Option<String>,
    /// `environment.json`, kept as JSON so fields added later still show.
    pub environment: Option<serde_json::Value>,
}

fn read(path: &Path) -> Result<Vec<u8>, LoadError> {
    fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn parse_err(path: &Path, e: impl std::fmt::Display) -> LoadError {
    LoadError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, LoadError> {
    if path.exists() {
        read(path).map(Some)
    } else {
        Ok(None)
    }
}

impl Results {
    /// Reads the results in `dir`.
    pub fn load(dir: &Path) -> Result<Results, LoadError> {
        let summary_path = dir.join("summary.json");
        if !summary_path.is_file() {
            return Err(LoadError::NotResults {
                dir: dir.to_path_buf(),
            });
        }
        let summary: SummaryFile = serde_json::from_slice(&read(&summary_path)?)
            .map_err(|e| parse_err(&summary_path, e))?;
        let runs_path = dir.join("runs.csv");
        let runs = match read_optional(&runs_path)? {
            Some(bytes) => export::parse_runs(&bytes).map_err(|e| parse_err(&runs_path, e))?,
            None => Vec::new(),
        };
        let groups_path = dir.join("groups.csv");
        let groups = match read_optional(&groups_path)? {
            Some(bytes) => export::parse_groups(&bytes).map_err(|e| parse_err(&groups_path, e))?,
            None => Vec::new(),
        };
        let mut timelines = Vec::new();
        let timelines_dir = dir.join("timelines");
        if timelines_dir.is_dir() {
            let entries = fs::read_dir(&timelines_dir).map_err(|source| LoadError::Read {
                path: timelines_dir.clone(),
                source,
            })?;
            let mut paths: Vec<PathBuf> = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|source| LoadError::Read {
                    path: timelines_dir.clone(),
                    source,
                })?;
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "json") {
                    paths.push(path);
                }
            }
            paths.sort();
            for path in paths {
                let t: Timeline =
                    serde_json::from_slice(&read(&path)?).map_err(|e| parse_err(&path, e))?;
                timelines.push(t);
            }
            timelines.sort_by_key(|t| t.cell);
        }
        let experiment_path = dir.join("experiment.toml");
        let experiment_text = match read_optional(&experiment_path)? {
            Some(bytes) => {
                Some(String::from_utf8(bytes).map_err(|e| parse_err(&experiment_path, e))?)
            }
            None => None,
        };
        let env_path = dir.join("environment.json");
        let environment = match read_optional(&env_path)? {
            Some(bytes) => {
                Some(serde_json::from_slice(&bytes).map_err(|e| parse_err(&env_path, e))?)
            }
            None => None,
        };
        Ok(Results {
            summary,
            runs,
            groups,
            timelines,
            experiment_text,
            environment,
        })
    }
}
