//! One writer per results folder: an advisory lock (`flock`) on the file
//! `.conlab-lock` inside the folder, held for a whole command.
//!
//! Two conlab commands writing one folder at once each keep their own copy
//! of the manifest and their own idea of what `runs.csv` holds, so one
//! loses the other's rows and files (issue 22). So every command that
//! writes a results folder (`run` in all its modes, `plot`, `merge` and
//! `compare` into their `--out`) takes the lock exclusively before it
//! reads or deletes anything there, and a second writer is refused at
//! once. Commands that only read a folder (`check`, `compare`, `merge`'s
//! inputs) take it shared while they read, so they never see a run's
//! half-written state, and are refused while a writer holds it. A writer
//! that finds only readers waits for them (up to [`READERS_WAIT`]): they
//! read for a moment and never wait themselves, so nothing deadlocks.
//!
//! The lock itself decides; the writer then records its PID and command
//! line in the file, for the message that refuses the next one. The kernel
//! releases an `flock` when its holder ends, however it ends, so a run
//! killed with SIGKILL leaves a folder that `--resume` can take at once.
//!
//! The lock file is never deleted, renamed or replaced by conlab: a lock
//! on a file that a second command could replace by a new one would lock
//! nothing. Its name is not one conlab's manifest may list (see
//! `manifest::is_output_name`), so `--force` never deletes it,
//! and a folder holding only it counts as empty. A reader never creates
//! it (a results folder may be read-only, or checked into a repository):
//! where it is missing, the reader reads and then checks that it is still
//! missing, which it is unless a writer started meanwhile, since a writer
//! makes it before it touches anything; then the reader reads again under
//! the lock.

use std::fs::{File, TryLockError};
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::safe_fs::{FsError, SafeDir};

/// The lock file's name, in the results folder's top level.
pub const LOCK_FILE: &str = ".conlab-lock";

/// How long a writer waits for commands that are reading the folder.
pub const READERS_WAIT: Duration = Duration::from_secs(10);

/// The most of the lock file read for a holder's PID and command line.
const RECORD_MAX: u64 = 4096;

/// The most of a command line recorded, in characters.
const COMMAND_MAX: usize = 1000;

/// Why a folder could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// A writer was refused: another writer holds the folder.
    #[error(
        "{} is being written by another conlab command ({holder}), and a results folder takes one writer at a time\n  = help: run this again when that command has ended",
        dir.display()
    )]
    Writing { dir: PathBuf, holder: Holder },
    /// A reader was refused: a writer holds the folder.
    #[error(
        "{} is being written by another conlab command ({holder}), so its results are not complete yet\n  = help: run this again when that command has ended",
        dir.display()
    )]
    Incomplete { dir: PathBuf, holder: Holder },
    /// A writer waited [`READERS_WAIT`] for readers to end.
    #[error(
        "{} is being read by other conlab commands (check, compare or merge), still after {} s\n  = help: run this again when they have ended",
        dir.display(),
        READERS_WAIT.as_secs()
    )]
    Reading { dir: PathBuf },
    #[error(transparent)]
    Fs(#[from] FsError),
}

/// Who holds a lock, as the holder recorded it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holder {
    pub pid: Option<u32>,
    pub command: Option<String>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.pid, &self.command) {
            (Some(pid), Some(command)) => write!(f, "PID {pid}: {command}"),
            (Some(pid), None) => write!(f, "PID {pid}"),
            _ => write!(f, "its PID is not recorded yet"),
        }
    }
}

impl Holder {
    /// The record a holder writes into the lock file.
    fn to_record(&self) -> Vec<u8> {
        let mut text = format!("conlab {}\n", env!("CARGO_PKG_VERSION"));
        if let Some(pid) = self.pid {
            text.push_str(&format!("pid {pid}\n"));
        }
        if let Some(command) = &self.command {
            text.push_str(&format!("command {command}\n"));
        }
        text.into_bytes()
    }

    /// Reads a record back; what cannot be read is left out. A record cut
    /// short, or followed by the tail of a longer earlier one, still gives
    /// its complete lines.
    fn parse(bytes: &[u8]) -> Holder {
        let text = String::from_utf8_lossy(bytes);
        let mut holder = Holder::default();
        let mut lines = text.split_inclusive('\n').filter(|l| l.ends_with('\n'));
        if !lines.next().is_some_and(|l| l.starts_with("conlab ")) {
            return holder;
        }
        for line in lines {
            let line = line.trim_end_matches('\n');
            if let Some(pid) = line.strip_prefix("pid ") {
                holder.pid = pid.parse().ok();
            } else if let Some(command) = line.strip_prefix("command ") {
                holder.command = Some(command.to_string());
            }
        }
        holder
    }

    /// This process.
    fn this_process() -> Holder {
        Holder {
            pid: Some(std::process::id()),
            command: Some(command_line(std::env::args_os())),
        }
    }

    /// What the lock file `file` records.
    fn recorded_in(file: &File) -> Holder {
        let mut bytes = Vec::new();
        match file.take(RECORD_MAX).read_to_end(&mut bytes) {
            Ok(_) => Holder::parse(&bytes),
            Err(_) => Holder::default(),
        }
    }
}

/// A command line as a user would type it: the program's file name, then
/// its arguments, each quoted for a shell where it needs to be.
fn command_line(args: impl Iterator<Item = std::ffi::OsString>) -> String {
    let mut words = Vec::new();
    for (i, arg) in args.enumerate() {
        let text = arg.to_string_lossy().into_owned();
        let word = if i == 0 {
            Path::new(&text)
                .file_name()
                .map_or(text.clone(), |n| n.to_string_lossy().into_owned())
        } else {
            text
        };
        words.push(shell_word(&word));
    }
    let line = words.join(" ");
    if line.chars().count() > COMMAND_MAX {
        let cut: String = line.chars().take(COMMAND_MAX).collect();
        format!("{cut}…")
    } else {
        line
    }
}

/// `word` as a shell reads it back: as it is if it is plain, else quoted.
pub fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "_./=:,+@%-".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// Whether `e` says this file system keeps no locks (some network file
/// systems): conlab then writes without one, as before it had one.
fn unsupported(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::ENOLCK | libc::EOPNOTSUPP | libc::ENOSYS)
    )
}

fn io_error(dir: &SafeDir, source: io::Error) -> LockError {
    LockError::Fs(FsError::Io {
        path: dir.path().join(LOCK_FILE),
        source,
    })
}

/// The exclusive lock of a results folder, held until it is dropped: what
/// every writer of the folder needs (a `Folder` is opened only under one).
#[derive(Debug)]
pub struct WriteLock {
    dir: SafeDir,
    /// The locked file: the lock lasts as long as this descriptor.
    _file: File,
    /// Why the folder is not locked after all, if its file system keeps
    /// no locks.
    unlocked: Option<String>,
}

impl WriteLock {
    /// Locks the open folder `dir` for this process, or says who holds it.
    pub fn acquire(dir: SafeDir) -> Result<WriteLock, LockError> {
        let file = dir
            .open_regular(LOCK_FILE, true)?
            .ok_or_else(|| io_error(&dir, io::Error::from(io::ErrorKind::NotFound)))?;
        let started = Instant::now();
        let mut unlocked = None;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) if unsupported(&e) => {
                    unlocked = Some(e.to_string());
                    break;
                }
                Err(TryLockError::Error(e)) => return Err(io_error(&dir, e)),
            }
            // Held: by a writer (refused at once), or only by readers
            // (which end soon, and wait for nothing).
            match file.try_lock_shared() {
                Ok(()) => {
                    file.unlock().map_err(|e| io_error(&dir, e))?;
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Writing {
                        dir: dir.path().to_path_buf(),
                        holder: Holder::recorded_in(&file),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io_error(&dir, e)),
            }
            if started.elapsed() >= READERS_WAIT {
                return Err(LockError::Reading {
                    dir: dir.path().to_path_buf(),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if unlocked.is_none() {
            // For the message that refuses the next writer only: a record
            // that cannot be written leaves the lock as good.
            let record = Holder::this_process().to_record();
            let written = file
                .write_all_at(&record, 0)
                .and_then(|()| file.set_len(record.len() as u64));
            drop(written);
        }
        Ok(WriteLock {
            dir,
            _file: file,
            unlocked,
        })
    }

    /// The locked folder.
    pub fn dir(&self) -> &SafeDir {
        &self.dir
    }

    /// The locked folder's path, as the user gave it.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Why the folder could not be locked after all (its file system keeps
    /// no locks), for a warning.
    pub fn unlocked(&self) -> Option<String> {
        self.unlocked.as_ref().map(|why| {
            format!(
                "cannot lock {} ({why}): another conlab command writing this folder at the same time would not be stopped",
                self.path().join(LOCK_FILE).display()
            )
        })
    }
}

/// What a reader finds before it reads.
enum Access {
    /// The shared lock, held until dropped.
    Shared(File),
    /// No lock file: no writer has started here.
    NoLockFile,
    /// The folder cannot be locked here (no such folder, a lock file that
    /// cannot be opened, a file system without locks): no conlab writer
    /// can lock it either.
    Unlockable,
}

fn reader_access(dir: &Path) -> Result<Access, LockError> {
    let Ok(Some(root)) = SafeDir::open(dir, false) else {
        return Ok(Access::NoLockFile);
    };
    let file = match root.open_regular(LOCK_FILE, false) {
        Ok(Some(file)) => file,
        Ok(None) => return Ok(Access::NoLockFile),
        Err(_) => return Ok(Access::Unlockable),
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(Access::Shared(file)),
        Err(TryLockError::WouldBlock) => Err(LockError::Incomplete {
            dir: dir.to_path_buf(),
            holder: Holder::recorded_in(&file),
        }),
        Err(TryLockError::Error(_)) => Ok(Access::Unlockable),
    }
}

fn has_lock_file(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(LOCK_FILE)).is_ok()
}

/// Runs `read` on the results folder `dir` while no conlab command writes
/// it, and returns what it gave; refused while a writer holds the folder
/// (which includes this process, if it holds `dir` itself).
pub fn read_whole<T>(dir: &Path, mut read: impl FnMut() -> T) -> Result<T, LockError> {
    // The lock file appears at most once (conlab never deletes it), so the
    // second pass finds it; a third is only for a user deleting it.
    let mut pass = 0;
    loop {
        pass += 1;
        match reader_access(dir)? {
            Access::Shared(file) => {
                let value = read();
                drop(file);
                return Ok(value);
            }
            Access::Unlockable => return Ok(read()),
            Access::NoLockFile => {
                let value = read();
                if pass >= 3 || !has_lock_file(dir) {
                    return Ok(value);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::safe_fs::tests::{open, temp};
    use std::ffi::OsString;

    #[test]
    fn a_record_round_trips_and_a_damaged_one_gives_what_it_can() {
        let holder = Holder {
            pid: Some(4242),
            command: Some("conlab run t.toml --out 'my results'".to_string()),
        };
        assert_eq!(Holder::parse(&holder.to_record()), holder);
        // Cut short inside the command line: the PID is complete.
        let record = holder.to_record();
        let cut = &record[..record.len() - 3];
        assert_eq!(
            Holder::parse(cut),
            Holder {
                pid: Some(4242),
                command: None
            }
        );
        // A shorter record over a longer one, before the file was cut.
        let mut over = Holder {
            pid: Some(7),
            command: Some("conlab plot out".to_string()),
        }
        .to_record();
        over.extend_from_slice(b"ut' --force\n");
        assert_eq!(
            Holder::parse(&over),
            Holder {
                pid: Some(7),
                command: Some("conlab plot out".to_string())
            }
        );
        assert_eq!(Holder::parse(b"pid 3\n"), Holder::default());
        assert_eq!(Holder::parse(b""), Holder::default());
    }

    #[test]
    fn a_holder_shows_what_it_knows() {
        let both = Holder {
            pid: Some(12),
            command: Some("conlab plot out".to_string()),
        };
        assert_eq!(both.to_string(), "PID 12: conlab plot out");
        let pid = Holder {
            pid: Some(12),
            command: None,
        };
        assert_eq!(pid.to_string(), "PID 12");
        assert_eq!(Holder::default().to_string(), "its PID is not recorded yet");
    }

    #[test]
    fn a_command_line_names_the_program_and_quotes_what_a_shell_would_split() {
        let args = [
            "/usr/local/bin/conlab",
            "run",
            "my exp.toml",
            "--out",
            "it's",
        ]
        .map(OsString::from);
        assert_eq!(
            command_line(args.into_iter()),
            "conlab run 'my exp.toml' --out 'it'\\''s'"
        );
        let long = ["conlab".to_string(), "x".repeat(5000)].map(OsString::from);
        let line = command_line(long.into_iter());
        assert_eq!(line.chars().count(), COMMAND_MAX + 1);
        assert!(line.ends_with('…'));
    }

    #[test]
    fn a_second_writer_is_refused_with_the_first_ones_record() {
        let t = temp();
        let first = match WriteLock::acquire(open(t.path())) {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        };
        assert!(first.unlocked().is_none());
        match WriteLock::acquire(open(t.path())) {
            Err(LockError::Writing { dir, holder }) => {
                assert_eq!(dir, t.path());
                assert_eq!(holder.pid, Some(std::process::id()));
                assert!(holder.command.is_some());
            }
            other => panic!("not refused: {other:?}"),
        }
        // A reader is refused too, and reads nothing.
        let mut reads = 0;
        let read = read_whole(t.path(), || reads += 1);
        assert!(
            matches!(read, Err(LockError::Incomplete { .. })),
            "{read:?}"
        );
        assert_eq!(reads, 0);
        drop(first);
        assert!(WriteLock::acquire(open(t.path())).is_ok());
        assert!(read_whole(t.path(), || ()).is_ok());
    }

    #[test]
    fn a_reader_creates_no_lock_file_and_reads_a_folder_without_one() {
        let t = temp();
        let mut reads = 0;
        assert!(read_whole(t.path(), || reads += 1).is_ok());
        assert_eq!(reads, 1);
        assert!(!has_lock_file(t.path()));
        // A missing folder is read (and the reading says it is missing).
        assert!(read_whole(&t.path().join("nowhere"), || ()).is_ok());
    }

    #[test]
    fn a_reader_reads_again_when_a_writer_started_during_its_read() {
        let t = temp();
        let mut reads = 0;
        let read = read_whole(t.path(), || {
            reads += 1;
            if reads == 1 {
                // A writer starts (and ends) while this reads.
                drop(WriteLock::acquire(open(t.path())));
            }
        });
        assert!(read.is_ok());
        assert_eq!(reads, 2);
    }

    #[test]
    fn a_writer_waits_for_a_reader_then_takes_the_folder() {
        let t = temp();
        drop(WriteLock::acquire(open(t.path())));
        let path = t.path().to_path_buf();
        let (started, reading) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            read_whole(&path, || {
                let _ = started.send(());
                std::thread::sleep(Duration::from_millis(300));
            })
        });
        let _ = reading.recv();
        let begun = Instant::now();
        let writer = WriteLock::acquire(open(t.path()));
        assert!(writer.is_ok(), "{writer:?}");
        assert!(begun.elapsed() >= Duration::from_millis(100));
        assert!(matches!(reader.join(), Ok(Ok(()))));
    }

    #[test]
    fn a_linked_lock_file_is_refused() {
        let t = temp();
        let target = t.path().join("elsewhere");
        std::fs::write(&target, "mine").unwrap_or_else(|e| panic!("{e}"));
        let dir = t.path().join("out");
        let d = open(&dir);
        std::os::unix::fs::symlink(&target, dir.join(LOCK_FILE)).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            WriteLock::acquire(d),
            Err(LockError::Fs(FsError::Symlink { .. }))
        ));
        assert_eq!(
            std::fs::read_to_string(&target).ok().as_deref(),
            Some("mine")
        );
    }
}
