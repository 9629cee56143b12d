//! The results directory, and the only code that writes into it. Each run
//! is appended to `runs.csv` and flushed as soon as it finishes, and the
//! summaries are rewritten (via a temporary file and a rename) after every
//! pass over the cells, so an interrupted experiment keeps what it measured.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::export::{self, SummaryFile};
use super::record::{RunRecord, Timeline};

/// A failure to write results, always naming the path.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode {path}: {message}")]
    Encode { path: PathBuf, message: String },
    #[error(
        "{} already holds results of an earlier run\n  = help: pass --force to replace them, or --out DIR to write elsewhere",
        dir.display()
    )]
    Exists { dir: PathBuf },
}

/// Files and folders conlab writes into a results directory; `--force`
/// removes exactly these and nothing else.
pub const OWNED: &[&str] = &[
    "experiment.toml",
    "environment.json",
    "runs.csv",
    "summary.csv",
    "summary.json",
    "summary.tex",
    "report.html",
    "report.md",
    "charts",
    "timelines",
];

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to `path` atomically (temporary file, then rename).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    let tmp = path.with_extension("tmp~");
    fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
    fs::rename(&tmp, path).map_err(io_err(path))
}

/// An open results directory.
pub struct Store {
    dir: PathBuf,
    runs: File,
    runs_written: usize,
}

impl Store {
    /// Opens `dir` for a new experiment, refusing to overwrite earlier
    /// results unless `force`, and saves the experiment file as run.
    pub fn create(dir: &Path, force: bool, experiment_text: &str) -> Result<Store, StoreError> {
        check_free(dir, force)?;
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        for name in OWNED {
            let path = dir.join(name);
            if path.is_dir() {
                fs::remove_dir_all(&path).map_err(io_err(&path))?;
            } else if path.exists() {
                fs::remove_file(&path).map_err(io_err(&path))?;
            }
        }
        write_file(&dir.join("experiment.toml"), experiment_text.as_bytes())?;
        let runs_path = dir.join("runs.csv");
        let runs = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&runs_path)
            .map_err(io_err(&runs_path))?;
        Ok(Store {
            dir: dir.to_path_buf(),
            runs,
            runs_written: 0,
        })
    }

    /// Appends one run to `runs.csv` and flushes it to the OS.
    pub fn append_run(&mut self, record: &RunRecord) -> Result<(), StoreError> {
        let path = self.dir.join("runs.csv");
        let bytes =
            export::run_row(record, self.runs_written == 0).map_err(|e| StoreError::Encode {
                path: path.clone(),
                message: e.to_string(),
            })?;
        self.runs.write_all(&bytes).map_err(io_err(&path))?;
        self.runs.flush().map_err(io_err(&path))?;
        self.runs_written += 1;
        Ok(())
    }

    /// Rewrites `summary.csv` and `summary.json`.
    pub fn write_summary(&self, file: &SummaryFile) -> Result<(), StoreError> {
        write_summary(&self.dir, file)
    }

    /// Saves one run's timeline as `timelines/cell-<index>.json`.
    pub fn write_timeline(&self, timeline: &Timeline) -> Result<(), StoreError> {
        let path = self
            .dir
            .join("timelines")
            .join(format!("cell-{}.json", timeline.cell));
        let bytes = serde_json::to_vec(timeline).map_err(|e| StoreError::Encode {
            path: path.clone(),
            message: e.to_string(),
        })?;
        write_file(&path, &bytes)
    }

    /// Saves `environment.json`.
    pub fn write_json<T: serde::Serialize>(&self, name: &str, value: &T) -> Result<(), StoreError> {
        let path = self.dir.join(name);
        let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| StoreError::Encode {
            path: path.clone(),
            message: e.to_string(),
        })?;
        bytes.push(b'\n');
        write_file(&path, &bytes)
    }
}

/// Writes `summary.csv` and `summary.json` into `dir`.
pub fn write_summary(dir: &Path, file: &SummaryFile) -> Result<(), StoreError> {
    let csv_path = dir.join("summary.csv");
    let csv = export::summary_csv(&file.cells).map_err(|e| StoreError::Encode {
        path: csv_path.clone(),
        message: e.to_string(),
    })?;
    write_file(&csv_path, &csv)?;
    let json_path = dir.join("summary.json");
    let json = export::summary_json(file).map_err(|e| StoreError::Encode {
        path: json_path.clone(),
        message: e.to_string(),
    })?;
    write_file(&json_path, &json)
}

/// Removes the chart files (`charts/*.png`, `.svg` and temporary files)
/// an earlier rendering left in `dir` that this one did not write (a
/// chart set can shrink); `written` names the files it wrote. Charts and
/// reports are written one by one with [`write_file`], so that a file
/// that cannot be written costs its own chart only.
pub fn remove_stale_charts(dir: &Path, written: &[String]) -> Result<(), StoreError> {
    let charts_dir = dir.join("charts");
    if !charts_dir.is_dir() {
        return Ok(());
    }
    let entries = fs::read_dir(&charts_dir).map_err(io_err(&charts_dir))?;
    for entry in entries {
        let entry = entry.map_err(io_err(&charts_dir))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = path
            .extension()
            .is_some_and(|e| e == "png" || e == "svg" || e == "tmp~");
        if ours && path.is_file() && !written.contains(&name) {
            fs::remove_file(&path).map_err(io_err(&path))?;
        }
    }
    Ok(())
}

/// Fails if `dir` holds results of an earlier run and `force` is not set.
pub fn check_free(dir: &Path, force: bool) -> Result<(), StoreError> {
    let taken = OWNED
        .iter()
        .filter(|name| !matches!(**name, "experiment.toml" | "environment.json"))
        .any(|name| dir.join(name).exists());
    if taken && !force {
        return Err(StoreError::Exists {
            dir: dir.to_path_buf(),
        });
    }
    Ok(())
}
