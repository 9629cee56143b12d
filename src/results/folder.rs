//! A results folder as conlab may touch it: the one place that decides
//! whether a folder may be written, and which files in it conlab may
//! overwrite or delete (those its manifest lists, see [`manifest`]).
//!
//! A folder is one of: missing or empty (conlab makes it its own); ours
//! (it has `conlab-manifest.json`); written by conlab 0.1 (no manifest,
//! but a `summary.json` or `environment.json` of conlab's, or only
//! `compare.*` files), which conlab adopts by listing the files there that
//! have the names conlab writes (see [`manifest::is_output_name`]) and
//! nothing else; or someone else's, which conlab refuses to write into.
//! Before anything else, a folder with a symbolic link where conlab writes
//! (a top-level result name, `charts`, `timelines`, anything inside those
//! two, or a temporary `*.tmp~` name) is refused, the link named.
//!
//! [`manifest`]: super::manifest

use std::collections::HashSet;
use std::fs::File;
use std::path::Path;

use super::manifest::{self, COMPARE_FILES, MANIFEST, Manifest, StartedRun, is_output_name};
use super::safe_fs::{Entry, FsError, SafeDir, TEMP_PREFIX};
use super::store::StoreError;

/// What a command wants the folder for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A new run; `force` replaces conlab's files from an earlier one.
    Run { force: bool },
    /// `run --resume`: continue the run started there.
    Resume,
    /// Charts and reports of the results there (`plot`, and `run` at its end).
    Render,
    /// `compare --out`: write the comparison there.
    Compare,
}

/// What a folder is, before conlab touches it.
#[derive(Debug)]
enum State {
    Missing,
    Empty,
    Ours(Manifest),
    Legacy,
    Foreign,
}

/// An open results folder that writes, overwrites and deletes only files
/// its manifest lists, and lists each before writing it.
#[derive(Debug)]
pub struct Folder {
    root: SafeDir,
    manifest: Manifest,
}

/// A top-level name conlab writes, wrote, or writes temporarily.
fn conlab_top_level_name(name: &str) -> bool {
    is_output_name(name)
        || name == MANIFEST
        || manifest::SUBDIRS.contains(&name)
        || name.ends_with(".tmp~")
        || name.starts_with(TEMP_PREFIX)
}

/// The folder and file parts of a relative name: `charts/x.png`.
fn split(rel: &str) -> (Option<&str>, &str) {
    match rel.split_once('/') {
        Some((dir, name)) => (Some(dir), name),
        None => (None, rel),
    }
}

/// Whether `bytes` is a JSON object with every one of `keys`: how a
/// conlab 0.1 `summary.json` or `environment.json` is recognised.
fn json_with_keys(bytes: &[u8], keys: &[&str]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| {
            v.as_object()
                .map(|o| keys.iter().all(|k| o.contains_key(*k)))
        })
        .unwrap_or(false)
}

/// Refuses a symbolic link anywhere conlab would write in `root`.
fn refuse_links(root: &SafeDir, names: &[String]) -> Result<(), StoreError> {
    for name in names {
        if conlab_top_level_name(name) && root.entry(name)? == Entry::Symlink {
            root.refuse_symlink(name)?;
        }
    }
    for sub in manifest::SUBDIRS {
        let Some(dir) = root.subdir(sub, false)? else {
            continue;
        };
        for name in dir.names()? {
            dir.refuse_symlink(&name)?;
        }
    }
    Ok(())
}

/// Opens `dir` if it exists and works out what it is.
fn inspect(dir: &Path) -> Result<(Option<SafeDir>, State), StoreError> {
    let Some(root) = SafeDir::open(dir, false)? else {
        return Ok((None, State::Missing));
    };
    let names = root.names()?;
    refuse_links(&root, &names)?;
    let names: Vec<&String> = names
        .iter()
        .filter(|n| !n.starts_with(TEMP_PREFIX))
        .collect();
    let state = if let Some(bytes) = root.read(MANIFEST)? {
        let m = Manifest::parse(&bytes).map_err(|message| StoreError::BadManifest {
            path: dir.join(MANIFEST),
            message,
        })?;
        State::Ours(m)
    } else if names.is_empty() {
        State::Empty
    } else if is_legacy(&root, &names)? {
        State::Legacy
    } else {
        State::Foreign
    };
    Ok((Some(root), state))
}

/// Whether a folder without a manifest was written by conlab 0.1.
fn is_legacy(root: &SafeDir, names: &[&String]) -> Result<bool, StoreError> {
    let has = |n: &str| names.iter().any(|m| *m == n);
    let of_conlab = |name: &str, keys: &[&str]| -> Result<bool, StoreError> {
        Ok(has(name)
            && root.entry(name)? == Entry::File
            && root.read(name)?.is_some_and(|b| json_with_keys(&b, keys)))
    };
    if of_conlab("summary.json", &["conlab_version", "cells"])?
        || of_conlab("environment.json", &["conlab_version", "experiment_sha256"])?
    {
        return Ok(true);
    }
    // A comparison folder: only conlab's comparison files (and the
    // temporary file 0.1 wrote them through).
    Ok(names
        .iter()
        .all(|n| COMPARE_FILES.contains(&n.as_str()) || *n == "compare.tmp~")
        && names.iter().any(|n| COMPARE_FILES.contains(&n.as_str())))
}

fn has_results(root: &SafeDir, m: &Manifest) -> Result<bool, StoreError> {
    for rel in &m.files {
        if entry_of(root, rel)? != Entry::Missing {
            return Ok(true);
        }
    }
    Ok(false)
}

fn entry_of(root: &SafeDir, rel: &str) -> Result<Entry, StoreError> {
    match split(rel) {
        (None, name) => Ok(root.entry(name)?),
        (Some(sub), name) => match root.subdir(sub, false)? {
            Some(dir) => Ok(dir.entry(name)?),
            None => Ok(Entry::Missing),
        },
    }
}

fn nothing_to_resume(dir: &Path, why: &str, help: &str) -> StoreError {
    StoreError::NothingToResume {
        dir: dir.to_path_buf(),
        why: why.to_string(),
        help: help.to_string(),
    }
}

/// Whether `state` allows `purpose`; the error says why not.
fn decide(
    dir: &Path,
    root: Option<&SafeDir>,
    state: &State,
    purpose: Purpose,
) -> Result<(), StoreError> {
    let exists = || StoreError::Exists {
        dir: dir.to_path_buf(),
    };
    let foreign = || StoreError::NotResults {
        dir: dir.to_path_buf(),
    };
    let start_it = "give the --out DIR the run was started with, or start the run without --resume";
    match (purpose, state) {
        (_, State::Foreign) => Err(foreign()),
        (Purpose::Run { .. }, State::Missing | State::Empty) => Ok(()),
        (Purpose::Run { force: false }, State::Legacy) => Err(exists()),
        (Purpose::Run { force: false }, State::Ours(m)) => match root {
            Some(root) if has_results(root, m)? => Err(exists()),
            _ => Ok(()),
        },
        (Purpose::Run { force: true }, _) => Ok(()),
        (Purpose::Resume, State::Ours(m)) if m.run.is_some() => Ok(()),
        (Purpose::Resume, State::Ours(_) | State::Legacy) => Err(nothing_to_resume(
            dir,
            "its results record no run to continue (conlab 0.1 recorded none, and `plot` and `compare` start none)",
            "start the run afresh with --force (it replaces only conlab's files there), or into another folder with --out DIR",
        )),
        (Purpose::Resume, State::Missing) => {
            Err(nothing_to_resume(dir, "it does not exist", start_it))
        }
        (Purpose::Resume, State::Empty) => Err(nothing_to_resume(dir, "it is empty", start_it)),
        (Purpose::Render | Purpose::Compare, _) => Ok(()),
    }
}

impl Folder {
    /// Checks, changing nothing, that `dir` may be used for `purpose`.
    pub fn check(dir: &Path, purpose: Purpose) -> Result<(), StoreError> {
        let (root, state) = inspect(dir)?;
        decide(dir, root.as_ref(), &state, purpose)
    }

    /// Opens `dir` for `purpose`, creating it if it is missing. A new run
    /// with `force` deletes the files the manifest lists first.
    pub fn open(dir: &Path, purpose: Purpose) -> Result<Folder, StoreError> {
        let (root, state) = inspect(dir)?;
        decide(dir, root.as_ref(), &state, purpose)?;
        let root = match root {
            Some(root) => root,
            None => SafeDir::open(dir, true)?.ok_or_else(|| StoreError::Io {
                path: dir.to_path_buf(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            })?,
        };
        let legacy = matches!(state, State::Legacy);
        let mut folder = Folder {
            root,
            manifest: match state {
                State::Ours(m) => m,
                _ => Manifest::new(),
            },
        };
        if legacy {
            folder.adopt()?;
        }
        if purpose == (Purpose::Run { force: true }) {
            folder.remove_all()?;
        }
        Ok(folder)
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        self.root.path()
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Lists the files with conlab's output names in a folder conlab 0.1
    /// wrote, which had no manifest.
    fn adopt(&mut self) -> Result<(), StoreError> {
        for name in self.root.names()? {
            if is_output_name(&name) && self.root.entry(&name)? == Entry::File {
                self.manifest.files.insert(name);
            }
        }
        for sub in manifest::SUBDIRS {
            let Some(dir) = self.root.subdir(sub, false)? else {
                continue;
            };
            for name in dir.names()? {
                let rel = format!("{sub}/{name}");
                if is_output_name(&rel) && dir.entry(&name)? == Entry::File {
                    self.manifest.files.insert(rel);
                }
            }
        }
        self.save()
    }

    fn save(&mut self) -> Result<(), StoreError> {
        self.manifest.conlab_version = env!("CARGO_PKG_VERSION").to_string();
        Ok(self
            .root
            .write_atomic(MANIFEST, &self.manifest.to_bytes())?)
    }

    /// Records the run started here (and saves the manifest).
    pub fn set_run(&mut self, run: StartedRun) -> Result<(), StoreError> {
        self.manifest.run = Some(run);
        self.save()
    }

    /// The sub-folder for `rel`, or the top level.
    fn dir_for(&self, rel: &str, create: bool) -> Result<Option<SafeDir>, StoreError> {
        match split(rel) {
            (None, _) => Ok(None),
            (Some(sub), _) => Ok(self.root.subdir(sub, create)?),
        }
    }

    /// Adds `rels` to the manifest before they are written. A name not
    /// listed yet must be free: a file conlab did not write is never
    /// overwritten.
    pub fn claim(&mut self, rels: &[String]) -> Result<(), StoreError> {
        let mut added = false;
        for rel in rels {
            if self.manifest.files.contains(rel) {
                continue;
            }
            if !is_output_name(rel) {
                return Err(StoreError::Io {
                    path: self.path().join(rel),
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "not a name conlab writes",
                    ),
                });
            }
            match entry_of(&self.root, rel)? {
                Entry::Missing => {}
                Entry::Symlink => {
                    let (sub, name) = split(rel);
                    match sub {
                        Some(sub) => {
                            if let Some(dir) = self.root.subdir(sub, false)? {
                                dir.refuse_symlink(name)?;
                            }
                        }
                        None => self.root.refuse_symlink(name)?,
                    }
                }
                _ => {
                    return Err(StoreError::InTheWay {
                        path: self.path().join(rel),
                        manifest: self.path().join(MANIFEST),
                    });
                }
            }
            self.manifest.files.insert(rel.clone());
            added = true;
        }
        if added {
            self.save()?;
        }
        Ok(())
    }

    /// Writes `rel` (claiming it first), through a fresh temporary file.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.write_all(&[(rel.to_string(), bytes)])
    }

    /// Writes several files, claiming them all before writing any.
    pub fn write_all(&mut self, files: &[(String, &[u8])]) -> Result<(), StoreError> {
        let rels: Vec<String> = files.iter().map(|(r, _)| r.clone()).collect();
        self.claim(&rels)?;
        let mut subdirs: Vec<(&str, SafeDir)> = Vec::new();
        for (rel, bytes) in files {
            match split(rel) {
                (None, name) => self.root.write_atomic(name, bytes)?,
                (Some(sub), name) => {
                    if !subdirs.iter().any(|(s, _)| *s == sub) {
                        let dir = self.dir_for(rel, true)?.ok_or_else(|| FsError::NotDir {
                            path: self.path().join(sub),
                        })?;
                        subdirs.push((sub, dir));
                    }
                    if let Some((_, dir)) = subdirs.iter().find(|(s, _)| *s == sub) {
                        dir.write_atomic(name, bytes)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Opens `runs.csv` (claiming it) to append rows; `create_new` for a
    /// new run, where it must not exist yet.
    pub fn append_runs(&mut self, create_new: bool) -> Result<File, StoreError> {
        self.append("runs.csv", create_new)
    }

    /// Opens the top-level file `name` (claiming it) to append rows;
    /// `create_new` where it must not exist yet.
    pub fn append(&mut self, name: &str, create_new: bool) -> Result<File, StoreError> {
        self.claim(&[name.to_string()])?;
        Ok(self.root.open_append(name, create_new)?)
    }

    /// The content of a top-level file, never read through a link.
    pub fn read(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.root.read(name)?)
    }

    /// Deletes `rel` if the manifest lists it; anything else is left.
    pub fn remove(&mut self, rel: &str) -> Result<(), StoreError> {
        self.remove_quietly(rel)?;
        self.save()
    }

    fn remove_quietly(&mut self, rel: &str) -> Result<(), StoreError> {
        if !self.manifest.files.contains(rel) {
            return Ok(());
        }
        match split(rel) {
            (None, name) => {
                self.root.remove_file(name)?;
            }
            (Some(sub), name) => {
                if let Some(dir) = self.root.subdir(sub, false)? {
                    dir.remove_file(name)?;
                }
            }
        }
        self.manifest.files.remove(rel);
        Ok(())
    }

    /// Deletes every listed file under `sub/` that is not in `keep`: a
    /// rendering's charts that the new one does not draw.
    pub fn remove_listed_under(
        &mut self,
        sub: &str,
        keep: &HashSet<String>,
    ) -> Result<(), StoreError> {
        let prefix = format!("{sub}/");
        let stale: Vec<String> = self
            .manifest
            .files
            .iter()
            .filter(|f| f.starts_with(&prefix) && !keep.contains(*f))
            .cloned()
            .collect();
        if stale.is_empty() {
            return Ok(());
        }
        for rel in &stale {
            self.remove_quietly(rel)?;
        }
        self.save()
    }

    /// Deletes every file the manifest lists (`--force`), and `charts/`
    /// and `timelines/` if that leaves them empty. Files conlab did not
    /// write stay. The manifest is saved by [`Folder::set_run`] next: a run
    /// killed before that still has the old one, which lists no more than
    /// before and can still be resumed or forced.
    fn remove_all(&mut self) -> Result<(), StoreError> {
        let listed: Vec<String> = self.manifest.files.iter().cloned().collect();
        for rel in &listed {
            self.remove_quietly(rel)?;
        }
        for sub in manifest::SUBDIRS {
            self.root.remove_empty_dir(sub)?;
        }
        Ok(())
    }
}
