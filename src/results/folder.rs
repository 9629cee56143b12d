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
//! One command at a time writes a folder: [`Folder::lock`] takes the
//! folder's lock (see [`lock`]) before anything there is read to decide or
//! deleted, and holds it until the command ends; a [`Folder`] is opened
//! only under it. Someone else's folder is refused before the lock file is
//! made in it, so it is left exactly as it was. Under the lock no other
//! conlab writes, so temporary files there are a killed command's leftovers
//! and are deleted.
//!
//! A folder an older conlab wrote may hold files of conlab's names that
//! its manifest lost (two commands writing at once, before the lock). Those
//! whose content is recognisably conlab's (see [`recognise`]) are listed
//! again when the folder is opened, so `--force` deletes them and `plot`
//! replaces them; the top-level files a command is about to write must
//! otherwise be free, and the ones in the way are refused up front, each
//! named, with how to free them.
//!
//! [`manifest`]: super::manifest
//! [`lock`]: super::lock
//! [`recognise`]: super::recognise

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use super::lock::{LOCK_FILE, LockError, WriteLock, shell_word};
use super::manifest::{
    self, COMPARE_FILES, MANIFEST, Manifest, REPORT_FILES, RUN_FILES, StartedRun, is_output_name,
};
use super::recognise::{self, Made};
use super::safe_fs::{Entry, FsError, SafeDir, TEMP_PREFIX};

/// Why a results folder may not be used, or could not be written; always
/// naming the path.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Fs(#[from] FsError),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(
        "{} already holds results of an earlier run\n  = help: pass --resume to continue it, --force to replace conlab's files there, or --out DIR to write elsewhere",
        dir.display()
    )]
    Exists { dir: PathBuf },
    #[error(
        "{} is not empty and is not a conlab results folder (it has no {MANIFEST}): conlab writes only into a new or empty folder, or one it made\n  = help: choose another folder, e.g. with --out DIR",
        dir.display()
    )]
    NotResults { dir: PathBuf },
    #[error("there are no results in {}: it does not exist", dir.display())]
    Missing { dir: PathBuf },
    #[error(
        "{} is in the way: conlab did not write it ({} does not list it), and never overwrites a file it did not write\n  = help: move or rename it, then run again",
        path.display(),
        manifest.display()
    )]
    InTheWay { path: PathBuf, manifest: PathBuf },
    #[error(
        "{} holds files of the names conlab writes that {} does not list, and whose content is not recognisably conlab's: {}\n  = help: conlab never overwrites or deletes a file it did not list. If they are yours, move them out of the folder; if they are conlab's (an older conlab could lose files from its list when two commands wrote the folder at once), delete them: rm -- {}; then run again",
        dir.display(),
        manifest.display(),
        paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        paths.iter().map(|p| shell_word(&p.display().to_string())).collect::<Vec<_>>().join(" ")
    )]
    Occupied {
        dir: PathBuf,
        manifest: PathBuf,
        paths: Vec<PathBuf>,
    },
    #[error(
        "{} is not a conlab manifest: {message}\n  = help: conlab writes this file itself; restore it, or write the results into a new folder with --out DIR",
        path.display()
    )]
    BadManifest { path: PathBuf, message: String },
    #[error("there is no run to resume in {}: {why}\n  = help: {help}", dir.display())]
    NothingToResume {
        dir: PathBuf,
        why: String,
        help: String,
    },
}

impl FolderError {
    /// Whether the folder given is the problem (exit 2), not the disk.
    pub fn is_bad_input(&self) -> bool {
        let fs = |e: &FsError| {
            matches!(
                e,
                FsError::Symlink { .. }
                    | FsError::NotDir { .. }
                    | FsError::NotFile { .. }
                    | FsError::Refused(_)
            )
        };
        match self {
            FolderError::Io { .. } => false,
            FolderError::Fs(e) | FolderError::Lock(LockError::Fs(e)) => fs(e),
            _ => true,
        }
    }
}

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

impl Purpose {
    /// Whether a missing folder is made for this purpose.
    fn creates(self) -> bool {
        matches!(self, Purpose::Run { .. } | Purpose::Compare)
    }

    /// The top-level files a command of this purpose writes, which must be
    /// conlab's (listed) or free before it starts. An experiment.toml that
    /// is not listed is left out: it may be the very file the run was
    /// given, which no message should offer to delete (a resumed run
    /// keeps it; a new one refuses it as in the way when it saves its
    /// copy, first thing).
    fn writes(self) -> Vec<&'static str> {
        match self {
            Purpose::Run { .. } | Purpose::Resume => RUN_FILES
                .iter()
                .chain(REPORT_FILES)
                .copied()
                .filter(|n| *n != "experiment.toml")
                .collect(),
            Purpose::Render => REPORT_FILES
                .iter()
                .copied()
                .chain(["summary.json"])
                .collect(),
            Purpose::Compare => COMPARE_FILES.to_vec(),
        }
    }
}

/// What a folder is, before conlab touches it.
#[derive(Debug)]
enum State {
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
    /// Whether the manifest lists files it did not list on disk (adopted
    /// ones), so the next change saves it even if it adds nothing.
    unsaved: bool,
}

/// A top-level name conlab writes, wrote, or writes temporarily.
fn conlab_top_level_name(name: &str) -> bool {
    is_output_name(name)
        || name == MANIFEST
        || manifest::SUBDIRS.contains(&name)
        || name.ends_with(".tmp~")
        || name.starts_with(TEMP_PREFIX)
        || name == LOCK_FILE
}

/// A name that says nothing about whose a folder is: conlab's lock file
/// and its temporary files.
fn bookkeeping(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX) || name == LOCK_FILE
}

/// The folder and file parts of a relative name: `charts/x.png`.
fn split(rel: &str) -> (Option<&str>, &str) {
    match rel.split_once('/') {
        Some((dir, name)) => (Some(dir), name),
        None => (None, rel),
    }
}

/// Refuses a symbolic link anywhere conlab would write in `root`.
fn refuse_links(root: &SafeDir, names: &[String]) -> Result<(), FolderError> {
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

/// Works out what the open folder `root` is.
fn inspect(root: &SafeDir) -> Result<State, FolderError> {
    let names = root.names()?;
    refuse_links(root, &names)?;
    let names: Vec<&String> = names.iter().filter(|n| !bookkeeping(n)).collect();
    let state = if let Some(bytes) = root.read(MANIFEST)? {
        let m = Manifest::parse(&bytes).map_err(|message| FolderError::BadManifest {
            path: root.path().join(MANIFEST),
            message,
        })?;
        State::Ours(m)
    } else if names.is_empty() {
        State::Empty
    } else if is_legacy(root, &names)? {
        State::Legacy
    } else {
        State::Foreign
    };
    Ok(state)
}

/// Whether a folder without a manifest was written by conlab 0.1.
fn is_legacy(root: &SafeDir, names: &[&String]) -> Result<bool, FolderError> {
    let has = |n: &str| names.iter().any(|m| *m == n);
    let of_conlab = |name: &str| -> Result<bool, FolderError> {
        Ok(has(name)
            && root.entry(name)? == Entry::File
            && prefix_of(root, name)?.is_some_and(|(bytes, whole)| {
                recognise::is_conlabs(name, &bytes, whole) == Made::Conlab
            }))
    };
    if of_conlab("summary.json")? || of_conlab("environment.json")? {
        return Ok(true);
    }
    // A comparison folder: only conlab's comparison files (and the
    // temporary file 0.1 wrote them through).
    Ok(names
        .iter()
        .all(|n| COMPARE_FILES.contains(&n.as_str()) || *n == "compare.tmp~")
        && names.iter().any(|n| COMPARE_FILES.contains(&n.as_str())))
}

fn has_results(root: &SafeDir, m: &Manifest) -> Result<bool, FolderError> {
    for rel in &m.files {
        if entry_of(root, rel)? != Entry::Missing {
            return Ok(true);
        }
    }
    Ok(false)
}

fn entry_of(root: &SafeDir, rel: &str) -> Result<Entry, FolderError> {
    match split(rel) {
        (None, name) => Ok(root.entry(name)?),
        (Some(sub), name) => match root.subdir(sub, false)? {
            Some(dir) => Ok(dir.entry(name)?),
            None => Ok(Entry::Missing),
        },
    }
}

fn nothing_to_resume(dir: &Path, why: &str, help: &str) -> FolderError {
    FolderError::NothingToResume {
        dir: dir.to_path_buf(),
        why: why.to_string(),
        help: help.to_string(),
    }
}

/// How a run that is not there is started.
const START_IT: &str =
    "give the --out DIR the run was started with, or start the run without --resume";

/// Whether `state` allows `purpose`; the error says why not.
fn decide(root: &SafeDir, state: &State, purpose: Purpose) -> Result<(), FolderError> {
    let dir = root.path();
    let exists = || FolderError::Exists {
        dir: dir.to_path_buf(),
    };
    let foreign = || FolderError::NotResults {
        dir: dir.to_path_buf(),
    };
    match (purpose, state) {
        (_, State::Foreign) => Err(foreign()),
        (Purpose::Run { .. }, State::Empty) => Ok(()),
        (Purpose::Run { force: false }, State::Legacy) => Err(exists()),
        (Purpose::Run { force: false }, State::Ours(m)) => {
            if has_results(root, m)? {
                Err(exists())
            } else {
                Ok(())
            }
        }
        (Purpose::Run { force: true }, _) => Ok(()),
        (Purpose::Resume, State::Ours(m)) if m.run.is_some() => Ok(()),
        (Purpose::Resume, State::Ours(_) | State::Legacy) => Err(nothing_to_resume(
            dir,
            "its results record no run to continue (conlab 0.1 recorded none, and `plot` and `compare` start none)",
            "start the run afresh with --force (it replaces only conlab's files there), or into another folder with --out DIR",
        )),
        (Purpose::Resume, State::Empty) => Err(nothing_to_resume(dir, "it is empty", START_IT)),
        (Purpose::Render | Purpose::Compare, _) => Ok(()),
    }
}

/// Whether `root` holds a file there (not following a link).
fn file_at(root: &SafeDir, rel: &str) -> Result<bool, FolderError> {
    Ok(entry_of(root, rel)? == Entry::File)
}

/// The first bytes of the file `rel` (see [`recognise::read_size`]).
fn prefix_of(root: &SafeDir, rel: &str) -> Result<Option<(Vec<u8>, bool)>, FolderError> {
    let max = recognise::read_size(rel);
    Ok(match split(rel) {
        (None, name) => root.read_prefix(name, max)?,
        (Some(sub), name) => match root.subdir(sub, false)? {
            Some(dir) => dir.read_prefix(name, max)?,
            None => None,
        },
    })
}

/// The files of conlab's names in `root` that `m` does not list.
fn unlisted(root: &SafeDir, m: &Manifest) -> Result<Vec<String>, FolderError> {
    let mut found = Vec::new();
    for name in root.names()? {
        if is_output_name(&name) && !m.files.contains(&name) && file_at(root, &name)? {
            found.push(name);
        }
    }
    for sub in manifest::SUBDIRS {
        let Some(dir) = root.subdir(sub, false)? else {
            continue;
        };
        for name in dir.names()? {
            let rel = format!("{sub}/{name}");
            if is_output_name(&rel) && !m.files.contains(&rel) && dir.entry(&name)? == Entry::File {
                found.push(rel);
            }
        }
    }
    Ok(found)
}

/// The files of conlab's names in `root` that `m` lost but whose content
/// is conlab's (see [`recognise`]): a PNG only beside a lost SVG of the
/// same name and size.
fn recognised(root: &SafeDir, m: &Manifest) -> Result<Vec<String>, FolderError> {
    let mut found = Vec::new();
    let mut svgs: HashMap<String, (u32, u32)> = HashMap::new();
    let mut pngs: Vec<(String, u32, u32)> = Vec::new();
    for rel in unlisted(root, m)? {
        let Some((bytes, whole)) = prefix_of(root, &rel)? else {
            continue;
        };
        match recognise::is_conlabs(&rel, &bytes, whole) {
            Made::Conlab => {
                if let (Some(stem), Some(size)) =
                    (rel.strip_suffix(".svg"), recognise::svg_size(&bytes))
                {
                    svgs.insert(stem.to_string(), size);
                }
                found.push(rel);
            }
            Made::Png(w, h) => pngs.push((rel, w, h)),
            Made::Unknown => {}
        }
    }
    for (rel, w, h) in pngs {
        let stem = rel.strip_suffix(".png").unwrap_or(&rel);
        if svgs.get(stem) == Some(&(w, h)) {
            found.push(rel);
        }
    }
    Ok(found)
}

impl Folder {
    /// Takes `dir` for `purpose`: refuses someone else's folder (changing
    /// nothing in it), makes the folder if it is missing and `purpose`
    /// starts one, locks it (refusing it while another conlab command
    /// holds it), then checks under the lock that `purpose` may use it,
    /// and deletes the temporary files a killed command left there. The
    /// lock lasts until the returned value is dropped.
    pub fn lock(dir: &Path, purpose: Purpose) -> Result<WriteLock, FolderError> {
        let root = match SafeDir::open(dir, false)? {
            Some(root) => {
                // Read only, to leave a folder that is not conlab's as it
                // was: everything is decided again under the lock.
                if let State::Foreign = inspect(&root)? {
                    return Err(FolderError::NotResults {
                        dir: dir.to_path_buf(),
                    });
                }
                root
            }
            None if purpose.creates() => {
                SafeDir::open(dir, true)?.ok_or_else(|| FolderError::Io {
                    path: dir.to_path_buf(),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                })?
            }
            None if purpose == Purpose::Resume => {
                return Err(nothing_to_resume(dir, "it does not exist", START_IT));
            }
            None => {
                return Err(FolderError::Missing {
                    dir: dir.to_path_buf(),
                });
            }
        };
        let lock = WriteLock::acquire(root)?;
        Folder::open(&lock, purpose)?;
        remove_temporary_files(lock.dir())?;
        Ok(lock)
    }

    /// Opens the folder `lock` holds for `purpose`. Changes nothing on disk
    /// until written to; the caller keeps the lock while it uses the
    /// folder.
    pub fn open(lock: &WriteLock, purpose: Purpose) -> Result<Folder, FolderError> {
        let root = lock.dir().try_clone()?;
        let state = inspect(&root)?;
        let mut folder = Folder {
            manifest: match &state {
                State::Ours(m) => m.clone(),
                _ => Manifest::new(),
            },
            root,
            unsaved: false,
        };
        match state {
            State::Legacy => folder.adopt()?,
            State::Ours(_) => {
                for rel in recognised(&folder.root, &folder.manifest)? {
                    folder.manifest.files.insert(rel);
                    folder.unsaved = true;
                }
            }
            _ => {}
        }
        let state = match state {
            State::Ours(_) => State::Ours(folder.manifest.clone()),
            other => other,
        };
        decide(&folder.root, &state, purpose)?;
        folder.refuse_occupied(purpose)?;
        Ok(folder)
    }

    /// Refuses the files `purpose` writes at the top level that are there
    /// but not conlab's, all named at once, before anything is written.
    fn refuse_occupied(&self, purpose: Purpose) -> Result<(), FolderError> {
        let mut paths = Vec::new();
        for name in purpose.writes() {
            if !self.manifest.files.contains(name) && self.root.entry(name)? != Entry::Missing {
                paths.push(self.path().join(name));
            }
        }
        if paths.is_empty() {
            return Ok(());
        }
        Err(FolderError::Occupied {
            dir: self.path().to_path_buf(),
            manifest: self.path().join(MANIFEST),
            paths,
        })
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        self.root.path()
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Lists the files with conlab's output names in a folder conlab 0.1
    /// wrote, which had no manifest (saved with the first change).
    fn adopt(&mut self) -> Result<(), FolderError> {
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
        self.unsaved = true;
        Ok(())
    }

    fn save(&mut self) -> Result<(), FolderError> {
        self.manifest.conlab_version = env!("CARGO_PKG_VERSION").to_string();
        self.root
            .write_atomic(MANIFEST, &self.manifest.to_bytes())?;
        self.unsaved = false;
        Ok(())
    }

    /// Records the run started here (and saves the manifest).
    pub fn set_run(&mut self, run: StartedRun) -> Result<(), FolderError> {
        self.manifest.run = Some(run);
        self.save()
    }

    /// The sub-folder for `rel`, or the top level.
    fn dir_for(&self, rel: &str, create: bool) -> Result<Option<SafeDir>, FolderError> {
        match split(rel) {
            (None, _) => Ok(None),
            (Some(sub), _) => Ok(self.root.subdir(sub, create)?),
        }
    }

    /// Adds `rels` to the manifest before they are written. A name not
    /// listed yet must be free: a file conlab did not write is never
    /// overwritten.
    pub fn claim(&mut self, rels: &[String]) -> Result<(), FolderError> {
        let mut added = false;
        for rel in rels {
            if self.manifest.files.contains(rel) {
                continue;
            }
            if !is_output_name(rel) {
                return Err(FolderError::Io {
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
                    return Err(FolderError::InTheWay {
                        path: self.path().join(rel),
                        manifest: self.path().join(MANIFEST),
                    });
                }
            }
            self.manifest.files.insert(rel.clone());
            added = true;
        }
        if added || self.unsaved {
            self.save()?;
        }
        Ok(())
    }

    /// Writes `rel` (claiming it first), through a fresh temporary file.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<(), FolderError> {
        self.write_all(&[(rel.to_string(), bytes)])
    }

    /// Writes several files, claiming them all before writing any.
    pub fn write_all(&mut self, files: &[(String, &[u8])]) -> Result<(), FolderError> {
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
    pub fn append_runs(&mut self, create_new: bool) -> Result<File, FolderError> {
        self.append("runs.csv", create_new)
    }

    /// Opens the top-level file `name` (claiming it) to append rows;
    /// `create_new` where it must not exist yet.
    pub fn append(&mut self, name: &str, create_new: bool) -> Result<File, FolderError> {
        self.claim(&[name.to_string()])?;
        Ok(self.root.open_append(name, create_new)?)
    }

    /// The content of a top-level file, never read through a link.
    pub fn read(&self, name: &str) -> Result<Option<Vec<u8>>, FolderError> {
        Ok(self.root.read(name)?)
    }

    /// Deletes `rel` if the manifest lists it; anything else is left.
    pub fn remove(&mut self, rel: &str) -> Result<(), FolderError> {
        self.remove_quietly(rel)?;
        self.save()
    }

    fn remove_quietly(&mut self, rel: &str) -> Result<(), FolderError> {
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
    ) -> Result<(), FolderError> {
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

    /// Deletes every file the manifest lists (`--force`) but those in
    /// `keep`, which the caller replaces next (each through a temporary
    /// file and a rename, so it is never missing), and `charts/`,
    /// `timelines/` and `distributions/` if that leaves them empty. Files
    /// conlab did not write stay. The manifest is saved by the caller's
    /// next change ([`Folder::set_run`] or a write): a command killed
    /// before that still has the old one, which lists no more than before
    /// and can still be resumed or forced.
    pub fn remove_all_but(&mut self, keep: &[&str]) -> Result<(), FolderError> {
        let mut listed: Vec<String> = self
            .manifest
            .files
            .iter()
            .filter(|f| !keep.contains(&f.as_str()))
            .cloned()
            .collect();
        listed.sort_by_key(|rel| removal_rank(rel));
        for rel in &listed {
            self.remove_quietly(rel)?;
        }
        for sub in manifest::SUBDIRS {
            self.root.remove_empty_dir(sub)?;
        }
        self.unsaved = true;
        Ok(())
    }

    /// Forgets the run recorded here: a merged folder cannot be resumed.
    pub fn clear_run(&mut self) {
        if self.manifest.run.take().is_some() {
            self.unsaved = true;
        }
    }
}

/// The order `--force` deletes conlab's files in: what is made from the
/// runs before the runs, so that a command killed halfway leaves a folder
/// whose summary never counts a run `runs.csv` no longer holds, and whose
/// runs each keep their group rows.
fn removal_rank(rel: &str) -> u8 {
    match rel {
        "summary.json" | "summary.csv" => 0,
        "runs.csv" => 3,
        "groups.csv" => 4,
        "environment.json" | "experiment.toml" => 5,
        _ if rel.starts_with("timelines/") || rel.starts_with("distributions/") => 2,
        _ => 1,
    }
}

/// Deletes the temporary files in `root` and its sub-folders: under the
/// lock no other command writes, so they are a killed command's.
fn remove_temporary_files(root: &SafeDir) -> Result<(), FolderError> {
    let temporary = |n: &String| n.starts_with(TEMP_PREFIX);
    for name in root.names()?.iter().filter(|n| temporary(n)) {
        root.remove_file(name)?;
    }
    for sub in manifest::SUBDIRS {
        if let Some(dir) = root.subdir(sub, false)? {
            for name in dir.names()?.iter().filter(|n| temporary(n)) {
                dir.remove_file(name)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::safe_fs::tests::temp;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    }

    fn lock(dir: &Path, purpose: Purpose) -> WriteLock {
        Folder::lock(dir, purpose).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A folder of conlab's listing `files`, each written.
    fn ours(dir: &Path, files: &[(&str, &str)]) {
        let mut m = Manifest::new();
        for (rel, text) in files {
            write(dir, rel, text);
            m.files.insert(rel.to_string());
        }
        write(dir, MANIFEST, &String::from_utf8_lossy(&m.to_bytes()));
    }

    const RUNS: &str = "cell,workload,model,variant,kind,tasks,io_latency\n0,io\n";

    #[test]
    fn a_folder_that_is_not_conlabs_is_refused_and_gets_no_lock_file() {
        let t = temp();
        write(t.path(), "thesis.tex", "mine");
        for purpose in [
            Purpose::Run { force: true },
            Purpose::Resume,
            Purpose::Render,
            Purpose::Compare,
        ] {
            assert!(matches!(
                Folder::lock(t.path(), purpose),
                Err(FolderError::NotResults { .. })
            ));
        }
        assert!(!t.path().join(LOCK_FILE).exists());
        // A missing folder is made for a run, and only for a run.
        let new = t.path().join("new");
        assert!(matches!(
            Folder::lock(&new, Purpose::Resume),
            Err(FolderError::NothingToResume { .. })
        ));
        assert!(matches!(
            Folder::lock(&new, Purpose::Render),
            Err(FolderError::Missing { .. })
        ));
        assert!(!new.exists());
        drop(lock(&new, Purpose::Run { force: false }));
        assert!(new.join(LOCK_FILE).is_file());
        // The lock file alone leaves the folder empty.
        drop(lock(&new, Purpose::Run { force: false }));
    }

    #[test]
    fn a_killed_commands_temporary_files_are_deleted_when_the_folder_is_taken() {
        let t = temp();
        ours(t.path(), &[("runs.csv", RUNS)]);
        write(t.path(), ".conlab-tmp-99-3~", "half a summary");
        write(t.path(), "timelines/.conlab-tmp-99-4~", "half a timeline");
        write(t.path(), "notes.txt", "mine");
        drop(lock(t.path(), Purpose::Render));
        assert!(!t.path().join(".conlab-tmp-99-3~").exists());
        assert!(!t.path().join("timelines/.conlab-tmp-99-4~").exists());
        assert!(t.path().join("notes.txt").exists());
    }

    #[test]
    fn lost_files_of_conlabs_are_listed_again_and_a_users_are_refused_by_name() {
        let t = temp();
        ours(t.path(), &[("runs.csv", RUNS)]);
        // Lost from the list: conlab's summary and timeline, the user's
        // report.
        write(
            t.path(),
            "summary.csv",
            "cell,label,workload,model,variant,kind,tasks\n",
        );
        write(
            t.path(),
            "timelines/cell-7.json",
            "{\"cell\":7,\"label\":\"x\",\"spans\":[]}",
        );
        write(t.path(), "report.md", "# My notes\n\nmine\n");
        match Folder::lock(t.path(), Purpose::Render) {
            Err(FolderError::Occupied { paths, .. }) => {
                assert_eq!(paths, vec![t.path().join("report.md")]);
            }
            other => panic!("not refused: {other:?}"),
        }
        // A run without --force sees the recognised files as results.
        assert!(matches!(
            Folder::lock(t.path(), Purpose::Run { force: false }),
            Err(FolderError::Exists { .. })
        ));
        std::fs::remove_file(t.path().join("report.md")).unwrap_or_else(|e| panic!("{e}"));
        let held = lock(t.path(), Purpose::Run { force: true });
        let mut folder =
            Folder::open(&held, Purpose::Run { force: true }).unwrap_or_else(|e| panic!("{e}"));
        assert!(folder.manifest().files.contains("summary.csv"));
        assert!(folder.manifest().files.contains("timelines/cell-7.json"));
        write(t.path(), "experiment.toml", "[experiment]\n");
        folder.manifest.files.insert("experiment.toml".to_string());
        folder
            .remove_all_but(&["experiment.toml"])
            .unwrap_or_else(|e| panic!("{e}"));
        for gone in [
            "runs.csv",
            "summary.csv",
            "timelines/cell-7.json",
            "timelines",
        ] {
            assert!(!t.path().join(gone).exists(), "{gone}");
        }
        assert!(t.path().join("experiment.toml").exists());
    }

    #[test]
    fn force_deletes_what_is_made_from_the_runs_before_the_runs() {
        let mut order = vec![
            "environment.json",
            "groups.csv",
            "runs.csv",
            "timelines/cell-0.json",
            "charts/io-wall.png",
            "report.md",
            "summary.json",
            "summary.csv",
        ];
        order.sort_by_key(|rel| removal_rank(rel));
        assert_eq!(
            order,
            [
                "summary.json",
                "summary.csv",
                "charts/io-wall.png",
                "report.md",
                "timelines/cell-0.json",
                "runs.csv",
                "groups.csv",
                "environment.json",
            ]
        );
    }
}
