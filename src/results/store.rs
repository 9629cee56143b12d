//! The results directory, and the only code that writes into it, through
//! [`Folder`] (which writes only files its manifest lists, and never through
//! a symbolic link), always under the folder's lock ([`WriteLock`]). Each run
//! is appended to `runs.csv` and flushed as soon as it finishes, and the
//! summaries are rewritten (via a temporary file and a rename) after every
//! pass over the cells, so an interrupted experiment keeps what it measured.

use std::collections::HashSet;
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use super::export::{self, SummaryFile};
use super::folder::{Folder, FolderError, Purpose};
use super::lock::WriteLock;
use super::manifest::StartedRun;
use super::record::{Distribution, GroupRecord, RunRecord, Timeline};

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
    /// The folder may not be used, or could not be written.
    #[error(transparent)]
    Folder(#[from] FolderError),
}

impl StoreError {
    /// Whether the folder given is the problem (exit 2), not the disk.
    pub fn is_bad_input(&self) -> bool {
        match self {
            StoreError::Io { .. } | StoreError::Encode { .. } => false,
            StoreError::Folder(e) => e.is_bad_input(),
        }
    }
}

/// An open results directory.
pub struct Store {
    folder: Folder,
    runs: File,
    /// Whether `runs.csv` has its header line.
    header_written: bool,
    /// `groups.csv`, opened with its first rows, and whether it has its
    /// header line.
    groups: Option<File>,
    groups_header_written: bool,
}

fn encode_err(path: PathBuf) -> impl FnOnce(String) -> StoreError {
    move |message| StoreError::Encode { path, message }
}

impl Store {
    /// Opens the folder `lock` holds for a new run, refusing to touch
    /// earlier results unless `force` (which deletes only the files conlab
    /// listed there), records the run in the manifest and saves the
    /// experiment file as run. The copy of the experiment file there is
    /// never deleted, only replaced (through a temporary file and a
    /// rename): it may be the very file this run was given, read before.
    pub fn create(
        lock: &WriteLock,
        force: bool,
        experiment_text: &str,
        run: StartedRun,
    ) -> Result<Store, StoreError> {
        let mut folder = Folder::open(lock, Purpose::Run { force })?;
        // A user's experiment.toml in the way is refused before anything
        // is deleted.
        folder.claim(&["experiment.toml".to_string()])?;
        if force {
            folder.remove_all_but(&["experiment.toml"])?;
        }
        folder.set_run(run)?;
        folder.write("experiment.toml", experiment_text.as_bytes())?;
        let runs = folder.append_runs(true)?;
        Ok(Store {
            folder,
            runs,
            header_written: false,
            groups: None,
            groups_header_written: false,
        })
    }

    /// Continues the run started in the folder `lock` holds: `runs.csv` becomes `kept_csv`
    /// (the rows worth keeping, with the header if `has_header`), written
    /// whole through a temporary file, and new rows are appended to it.
    /// The timelines of `rerun_timelines` cells are deleted: their first
    /// run is measured again.
    /// `groups.csv` becomes `kept_groups_csv` likewise (nothing when it
    /// is empty).
    pub fn resume(
        lock: &WriteLock,
        kept_csv: &[u8],
        has_header: bool,
        kept_groups_csv: &[u8],
        experiment_text: &str,
        rerun_timelines: &[usize],
    ) -> Result<Store, StoreError> {
        let mut folder = Folder::open(lock, Purpose::Resume)?;
        if folder.read("experiment.toml")?.is_none() {
            folder.write("experiment.toml", experiment_text.as_bytes())?;
        }
        folder.write("runs.csv", kept_csv)?;
        let groups_kept = !kept_groups_csv.is_empty();
        if groups_kept {
            folder.write("groups.csv", kept_groups_csv)?;
        } else {
            folder.remove("groups.csv")?;
        }
        for cell in rerun_timelines {
            folder.remove(&format!("timelines/cell-{cell}.json"))?;
            folder.remove(&format!("distributions/cell-{cell}.json"))?;
        }
        let runs = folder.append_runs(false)?;
        Ok(Store {
            folder,
            runs,
            header_written: has_header,
            groups: None,
            groups_header_written: groups_kept,
        })
    }

    /// Whether the top-level file `name` is there.
    pub fn has(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.folder.read(name)?.is_some())
    }

    /// Appends one run to `runs.csv` and flushes it to the OS.
    pub fn append_run(&mut self, record: &RunRecord) -> Result<(), StoreError> {
        let path = self.folder.path().join("runs.csv");
        let bytes = export::run_row(record, !self.header_written)
            .map_err(|e| encode_err(path.clone())(e.to_string()))?;
        self.runs
            .write_all(&bytes)
            .and_then(|()| self.runs.flush())
            .map_err(|source| StoreError::Io { path, source })?;
        self.header_written = true;
        Ok(())
    }

    /// Appends a measured run's rows to `groups.csv` (one per group) and
    /// flushes them to the OS.
    pub fn append_groups(&mut self, records: &[GroupRecord]) -> Result<(), StoreError> {
        let path = self.folder.path().join("groups.csv");
        let bytes = export::group_rows(records, !self.groups_header_written)
            .map_err(|e| encode_err(path.clone())(e.to_string()))?;
        let file = match &mut self.groups {
            Some(file) => file,
            None => {
                let exists = self.groups_header_written;
                self.groups
                    .insert(self.folder.append("groups.csv", !exists)?)
            }
        };
        file.write_all(&bytes)
            .and_then(|()| file.flush())
            .map_err(|source| StoreError::Io { path, source })?;
        self.groups_header_written = true;
        Ok(())
    }

    /// Rewrites `summary.csv` and `summary.json`.
    pub fn write_summary(&mut self, file: &SummaryFile) -> Result<(), StoreError> {
        let dir = self.folder.path().to_path_buf();
        let csv = export::summary_csv(&file.cells)
            .map_err(|e| encode_err(dir.join("summary.csv"))(e.to_string()))?;
        let json = export::summary_json(file)
            .map_err(|e| encode_err(dir.join("summary.json"))(e.to_string()))?;
        Ok(self.folder.write_all(&[
            ("summary.csv".to_string(), &csv),
            ("summary.json".to_string(), &json),
        ])?)
    }

    /// Saves one run's timeline as `timelines/cell-<index>.json`.
    pub fn write_timeline(&mut self, timeline: &Timeline) -> Result<(), StoreError> {
        let rel = format!("timelines/cell-{}.json", timeline.cell);
        let bytes = serde_json::to_vec(timeline)
            .map_err(|e| encode_err(self.folder.path().join(&rel))(e.to_string()))?;
        Ok(self.folder.write(&rel, &bytes)?)
    }

    /// Saves one run's wake-up delay distribution as
    /// `distributions/cell-<index>.json`.
    pub fn write_distribution(&mut self, d: &Distribution) -> Result<(), StoreError> {
        let rel = format!("distributions/cell-{}.json", d.cell);
        let bytes = serde_json::to_vec(d)
            .map_err(|e| encode_err(self.folder.path().join(&rel))(e.to_string()))?;
        Ok(self.folder.write(&rel, &bytes)?)
    }

    /// Saves `environment.json`.
    pub fn write_json<T: serde::Serialize>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<(), StoreError> {
        let mut bytes = serde_json::to_vec_pretty(value)
            .map_err(|e| encode_err(self.folder.path().join(name))(e.to_string()))?;
        bytes.push(b'\n');
        Ok(self.folder.write(name, &bytes)?)
    }
}

/// A results folder opened to write rendered charts and reports into, one
/// file at a time, so that a file that cannot be written costs its own
/// chart only.
pub struct RenderTarget {
    folder: Folder,
}

impl RenderTarget {
    /// Opens the folder `lock` holds, refusing links and files in the way
    /// (as every write into a results folder does).
    pub fn open(lock: &WriteLock) -> Result<RenderTarget, StoreError> {
        Ok(RenderTarget {
            folder: Folder::open(lock, Purpose::Render)?,
        })
    }

    /// Writes `rel` (`charts/<name>` or a report's name).
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<(), StoreError> {
        Ok(self.folder.write(rel, bytes)?)
    }

    /// Deletes the chart files an earlier rendering wrote (the manifest
    /// lists them) that this one did not (a chart set can shrink);
    /// `written` names the files it wrote in `charts/`.
    pub fn remove_stale_charts(&mut self, written: &[String]) -> Result<(), StoreError> {
        let keep: HashSet<String> = written.iter().map(|n| format!("charts/{n}")).collect();
        Ok(self.folder.remove_listed_under("charts", &keep)?)
    }
}

/// Writes the files of a merged results folder (`conlab merge`) into the
/// folder `lock` holds, which must be new or empty, or hold conlab's files
/// of an earlier merge or run and `force` (which deletes those first, but
/// replaces the ones written again). The folder then records no run: it
/// cannot be resumed.
pub fn write_merged(
    lock: &WriteLock,
    force: bool,
    files: &[(String, Vec<u8>)],
) -> Result<(), StoreError> {
    let mut folder = Folder::open(lock, Purpose::Run { force })?;
    if force {
        let keep: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        folder.remove_all_but(&keep)?;
    }
    folder.clear_run();
    let files: Vec<(String, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.clone(), b.as_slice()))
        .collect();
    Ok(folder.write_all(&files)?)
}

/// Writes `conlab compare`'s files (top-level names) into the folder
/// `lock` holds.
pub fn write_compare(lock: &WriteLock, files: &[(&str, &[u8])]) -> Result<(), StoreError> {
    let mut folder = Folder::open(lock, Purpose::Compare)?;
    let files: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.to_string(), *b)).collect();
    Ok(folder.write_all(&files)?)
}
