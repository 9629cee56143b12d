//! Files inside a results folder, opened relative to the folder's own file
//! descriptor and never through a symbolic link.
//!
//! A results folder may come from someone else (a paper's download, a
//! colleague's archive), so anything in it may be a trap: `charts` a link
//! to the user's pictures, `runs.csv` a dangling link to `~/.bashrc`. Every
//! write here is therefore made without following links: a new file is
//! written to a fresh, uniquely named temporary file opened with
//! `O_CREAT | O_EXCL | O_NOFOLLOW` and then renamed over its name (a rename
//! replaces a link, it never writes where the link points); appends open
//! with `O_NOFOLLOW`; sub-folders are opened with `O_NOFOLLOW` and used
//! through their descriptor, so a link swapped in later is not followed
//! either. The folder the user names may itself be reached through a link
//! (an `output` link to a bigger disk is fine): inside it, nothing is.

use std::ffi::CString;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The start of every temporary file name conlab makes in a results
/// folder. A run killed mid-write can leave one behind; it is never a file
/// a user wrote, so it does not make a folder "not empty".
pub const TEMP_PREFIX: &str = ".conlab-tmp-";

/// A failure inside a results folder, always naming the path.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error(
        "{} is a symbolic link{}: conlab never writes through a symbolic link in a results folder\n  = help: remove the link, then run again",
        path.display(),
        target.as_ref().map(|t| format!(" (to {})", t.display())).unwrap_or_default()
    )]
    Symlink {
        path: PathBuf,
        target: Option<PathBuf>,
    },
    #[error(
        "{} is not a folder, but conlab writes a folder there\n  = help: move it away, then run again",
        path.display()
    )]
    NotDir { path: PathBuf },
    #[error(
        "{} is not a regular file, but conlab keeps a file of its own there\n  = help: move it away, then run again",
        path.display()
    )]
    NotFile { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// A file that is not a regular file, or larger than conlab reads of
    /// it (see `results::limits`).
    #[error(
        "{0}\n  = help: conlab wrote a regular file of its own there; move the one there away, then run again"
    )]
    Refused(crate::bounded::ReadError),
}

/// What a name in a folder is, without following a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Missing,
    File,
    Dir,
    Symlink,
    /// A FIFO, socket or device.
    Other,
}

/// An open folder; every name given to its methods is one path component.
#[derive(Debug)]
pub struct SafeDir {
    fd: OwnedFd,
    path: PathBuf,
}

fn c_name(name: &str) -> io::Result<CString> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{name:?} is not one file name"),
        ));
    }
    CString::new(name).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

/// `openat(dir, name, flags, mode)` as an owned descriptor.
fn open_at(
    dir: &OwnedFd,
    name: &str,
    flags: libc::c_int,
    mode: libc::mode_t,
) -> io::Result<OwnedFd> {
    let c = c_name(name)?;
    // SAFETY: `c` is a NUL-terminated string that outlives the call, and
    // `dir` is an open descriptor; openat reads nothing else.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            c.as_ptr(),
            flags | libc::O_CLOEXEC,
            libc::c_uint::from(mode),
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: openat just returned this descriptor, and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn is_errno(e: &io::Error, errno: libc::c_int) -> bool {
    e.raw_os_error() == Some(errno)
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl SafeDir {
    /// Opens the folder at `path`, creating it (and its parents) first if
    /// `create`. `None` if it does not exist and `create` is not set.
    pub fn open(path: &Path, create: bool) -> Result<Option<SafeDir>, FsError> {
        let err = |source| FsError::Io {
            path: path.to_path_buf(),
            source,
        };
        // A dangling link: making the folder would follow it.
        let dangling = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
            && std::fs::metadata(path).is_err();
        if dangling {
            return Err(FsError::Symlink {
                path: path.to_path_buf(),
                target: std::fs::read_link(path).ok(),
            });
        }
        if create {
            std::fs::create_dir_all(path).map_err(err)?;
        }
        let c = CString::new(path.as_os_str().as_bytes())
            .map_err(|e| err(io::Error::new(io::ErrorKind::InvalidInput, e)))?;
        // SAFETY: `c` is a NUL-terminated path that outlives the call.
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            let e = io::Error::last_os_error();
            return match e.raw_os_error() {
                Some(libc::ENOENT) => Ok(None),
                Some(libc::ENOTDIR) => Err(FsError::NotDir {
                    path: path.to_path_buf(),
                }),
                _ => Err(err(e)),
            };
        }
        Ok(Some(SafeDir {
            // SAFETY: open just returned this descriptor, and nothing else
            // owns it.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
            path: path.to_path_buf(),
        }))
    }

    /// The folder's path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The same folder, through a second descriptor (the same open folder,
    /// even if its path changed since).
    pub fn try_clone(&self) -> Result<SafeDir, FsError> {
        Ok(SafeDir {
            fd: self.fd.try_clone().map_err(|source| FsError::Io {
                path: self.path.clone(),
                source,
            })?,
            path: self.path.clone(),
        })
    }

    /// Opens the regular file `name`, never through a link: to read only,
    /// `None` if there is none; or to read and write, created if missing.
    /// A FIFO or device is refused (opened without blocking, never read).
    pub fn open_regular(&self, name: &str, write: bool) -> Result<Option<File>, FsError> {
        let flags = libc::O_NOFOLLOW
            | libc::O_NONBLOCK
            | if write {
                libc::O_RDWR | libc::O_CREAT
            } else {
                libc::O_RDONLY
            };
        let file = match open_at(&self.fd, name, flags, 0o666) {
            Ok(fd) => File::from(fd),
            Err(e) if is_errno(&e, libc::ENOENT) && !write => return Ok(None),
            Err(e) if is_errno(&e, libc::ELOOP) => return Err(self.symlink(name)),
            Err(e) if is_errno(&e, libc::EISDIR) => {
                return Err(FsError::NotFile {
                    path: self.path.join(name),
                });
            }
            Err(e) => return Err(self.io(name)(e)),
        };
        let meta = file.metadata().map_err(self.io(name))?;
        if !meta.is_file() {
            return Err(FsError::NotFile {
                path: self.path.join(name),
            });
        }
        Ok(Some(file))
    }

    /// The first `max` bytes of the regular file `name` (all of it if it
    /// is shorter) and whether that is all of it; `None` if there is no
    /// such file. Never reads through a link, nor from a FIFO or device.
    pub fn read_prefix(&self, name: &str, max: usize) -> Result<Option<(Vec<u8>, bool)>, FsError> {
        let file = match self.open_regular(name, false) {
            Ok(Some(file)) => file,
            Ok(None) => return Ok(None),
            Err(FsError::NotFile { .. } | FsError::Symlink { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut bytes = Vec::new();
        let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
        file.take(limit)
            .read_to_end(&mut bytes)
            .map_err(self.io(name))?;
        let whole = bytes.len() <= max;
        bytes.truncate(max);
        Ok(Some((bytes, whole)))
    }

    fn io(&self, name: &str) -> impl FnOnce(io::Error) -> FsError + '_ {
        let path = self.path.join(name);
        move |source| FsError::Io { path, source }
    }

    fn symlink(&self, name: &str) -> FsError {
        let path = self.path.join(name);
        FsError::Symlink {
            target: std::fs::read_link(&path).ok(),
            path,
        }
    }

    /// What `name` is here, not following a link.
    pub fn entry(&self, name: &str) -> Result<Entry, FsError> {
        let c = c_name(name).map_err(self.io(name))?;
        // SAFETY: all-zero bytes are a valid `stat` (plain integers).
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `c` outlives the call and `st` is a valid stat buffer.
        let rc = unsafe {
            libc::fstatat(
                self.fd.as_raw_fd(),
                c.as_ptr(),
                &mut st,
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if rc != 0 {
            let e = io::Error::last_os_error();
            return if is_errno(&e, libc::ENOENT) {
                Ok(Entry::Missing)
            } else {
                Err(self.io(name)(e))
            };
        }
        Ok(match st.st_mode & libc::S_IFMT {
            libc::S_IFREG => Entry::File,
            libc::S_IFDIR => Entry::Dir,
            libc::S_IFLNK => Entry::Symlink,
            _ => Entry::Other,
        })
    }

    /// Fails if `name` is a symbolic link.
    pub fn refuse_symlink(&self, name: &str) -> Result<(), FsError> {
        match self.entry(name)? {
            Entry::Symlink => Err(self.symlink(name)),
            _ => Ok(()),
        }
    }

    /// Opens the sub-folder `name`, creating it first if `create`; `None`
    /// if it does not exist and `create` is not set. A link is refused.
    pub fn subdir(&self, name: &str, create: bool) -> Result<Option<SafeDir>, FsError> {
        if create {
            let c = c_name(name).map_err(self.io(name))?;
            // SAFETY: `c` outlives the call; mkdirat never follows a link
            // at the last component (it fails with EEXIST).
            let rc = unsafe { libc::mkdirat(self.fd.as_raw_fd(), c.as_ptr(), 0o777) };
            if rc != 0 {
                let e = io::Error::last_os_error();
                if !is_errno(&e, libc::EEXIST) {
                    return Err(self.io(name)(e));
                }
            }
        }
        let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW;
        match open_at(&self.fd, name, flags, 0) {
            Ok(fd) => Ok(Some(SafeDir {
                fd,
                path: self.path.join(name),
            })),
            Err(e) if is_errno(&e, libc::ENOENT) => Ok(None),
            Err(e) if is_errno(&e, libc::ELOOP) || is_errno(&e, libc::ENOTDIR) => {
                match self.entry(name)? {
                    Entry::Symlink => Err(self.symlink(name)),
                    _ => Err(FsError::NotDir {
                        path: self.path.join(name),
                    }),
                }
            }
            Err(e) => Err(self.io(name)(e)),
        }
    }

    /// Replaces (or creates) `name` with `bytes`: written to a fresh
    /// temporary file first, then renamed into place, so a reader never
    /// sees half a file and a link at `name` is replaced, not followed.
    pub fn write_atomic(&self, name: &str, bytes: &[u8]) -> Result<(), FsError> {
        self.refuse_symlink(name)?;
        let (temp, mut file) = self.create_temp().map_err(self.io(name))?;
        let written = file.write_all(bytes).and_then(|()| file.flush());
        drop(file);
        let renamed = written.and_then(|()| self.rename(&temp, name));
        if let Err(e) = renamed {
            let _ = self.remove_file(&temp);
            return Err(self.io(name)(e));
        }
        Ok(())
    }

    /// A new temporary file, opened exclusively and never through a link.
    fn create_temp(&self) -> io::Result<(String, File)> {
        let pid = std::process::id();
        let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW;
        let mut last = None;
        for _ in 0..64 {
            let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
            let name = format!("{TEMP_PREFIX}{pid}-{n}~");
            match open_at(&self.fd, &name, flags, 0o666) {
                Ok(fd) => return Ok((name, File::from(fd))),
                Err(e) if is_errno(&e, libc::EEXIST) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no free temporary file name")))
    }

    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let (f, t) = (c_name(from)?, c_name(to)?);
        let fd = self.fd.as_raw_fd();
        // SAFETY: both names outlive the call; renameat replaces `to`
        // itself if it is a link, it never follows it.
        let rc = unsafe { libc::renameat(fd, f.as_ptr(), fd, t.as_ptr()) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Opens `name` to append to it, never through a link; with
    /// `create_new`, it must not exist yet.
    pub fn open_append(&self, name: &str, create_new: bool) -> Result<File, FsError> {
        let mut flags = libc::O_WRONLY | libc::O_APPEND | libc::O_NOFOLLOW;
        if create_new {
            flags |= libc::O_CREAT | libc::O_EXCL;
        }
        match open_at(&self.fd, name, flags, 0o666) {
            Ok(fd) => Ok(File::from(fd)),
            Err(e) if is_errno(&e, libc::ELOOP) => Err(self.symlink(name)),
            Err(e) if is_errno(&e, libc::EEXIST) && self.entry(name)? == Entry::Symlink => {
                Err(self.symlink(name))
            }
            Err(e) => Err(self.io(name)(e)),
        }
    }

    /// The content of the regular file `name`, `None` if there is none. A
    /// link is refused rather than read; so is anything but a regular file
    /// (opened without blocking, so a FIFO cannot hang the open), and a
    /// file larger than `results::limits` allows for its name.
    pub fn read(&self, name: &str) -> Result<Option<Vec<u8>>, FsError> {
        use crate::bounded::{ReadError, read_opened};
        let flags = libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY;
        let file = match open_at(&self.fd, name, flags, 0) {
            Ok(fd) => File::from(fd),
            Err(e) if is_errno(&e, libc::ENOENT) => return Ok(None),
            Err(e) if is_errno(&e, libc::ELOOP) => return Err(self.symlink(name)),
            Err(e) => return Err(self.io(name)(e)),
        };
        match read_opened(file, &self.path.join(name), super::limits::of(name)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(ReadError::Io { path, source }) => Err(FsError::Io { path, source }),
            Err(e) => Err(FsError::Refused(e)),
        }
    }

    /// Removes the file (or link) `name`; `false` if there was none. Never
    /// touches what a link points to.
    pub fn remove_file(&self, name: &str) -> Result<bool, FsError> {
        self.unlink(name, 0)
    }

    /// Removes the folder `name` if it is empty; `false` if it was not
    /// there or not empty.
    pub fn remove_empty_dir(&self, name: &str) -> Result<bool, FsError> {
        match self.unlink(name, libc::AT_REMOVEDIR) {
            Err(FsError::Io { source, .. })
                if is_errno(&source, libc::ENOTEMPTY) || is_errno(&source, libc::EEXIST) =>
            {
                Ok(false)
            }
            other => other,
        }
    }

    fn unlink(&self, name: &str, flags: libc::c_int) -> Result<bool, FsError> {
        let c = c_name(name).map_err(self.io(name))?;
        // SAFETY: `c` outlives the call; unlinkat removes the name itself,
        // never what a link points to.
        let rc = unsafe { libc::unlinkat(self.fd.as_raw_fd(), c.as_ptr(), flags) };
        if rc != 0 {
            let e = io::Error::last_os_error();
            return if is_errno(&e, libc::ENOENT) {
                Ok(false)
            } else {
                Err(self.io(name)(e))
            };
        }
        Ok(true)
    }

    /// The names in this folder (read through its descriptor, so it is
    /// the folder opened, even if its path changed since), sorted.
    pub fn names(&self) -> Result<Vec<String>, FsError> {
        let via_fd = PathBuf::from(format!("/proc/self/fd/{}", self.fd.as_raw_fd()));
        let entries = std::fs::read_dir(&via_fd)
            .or_else(|_| std::fs::read_dir(&self.path))
            .map_err(|source| FsError::Io {
                path: self.path.clone(),
                source,
            })?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| FsError::Io {
                path: self.path.clone(),
                source,
            })?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    pub(crate) fn temp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
    }

    /// The folder at `path`, made if missing.
    pub(crate) fn open(path: &Path) -> SafeDir {
        match SafeDir::open(path, true) {
            Ok(Some(d)) => d,
            other => panic!("cannot open {}: {other:?}", path.display()),
        }
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn write_atomic_replaces_a_file_and_leaves_no_temporary_file() {
        let t = temp();
        let d = open(t.path());
        assert!(d.write_atomic("a.txt", b"one").is_ok());
        assert!(d.write_atomic("a.txt", b"two").is_ok());
        assert_eq!(read(&t.path().join("a.txt")), "two");
        assert_eq!(d.names().ok(), Some(vec!["a.txt".to_string()]));
    }

    #[test]
    fn a_link_is_refused_and_its_target_left_alone() {
        let t = temp();
        let target = t.path().join("target.txt");
        std::fs::write(&target, "mine").unwrap_or_else(|e| panic!("{e}"));
        let dir = t.path().join("results");
        let d = open(&dir);
        let _ = symlink(&target, dir.join("report.md"));
        let _ = symlink(t.path().join("nowhere"), dir.join("runs.csv"));
        let e = d
            .write_atomic("report.md", b"x")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                format!(
                    "{} is a symbolic link (to {}): conlab never writes through a symbolic link in a results folder\n  = help: remove the link, then run again",
                    dir.join("report.md").display(),
                    target.display()
                )
                .as_str()
            )
        );
        assert!(matches!(
            d.open_append("runs.csv", false),
            Err(FsError::Symlink { .. })
        ));
        assert!(matches!(
            d.open_append("runs.csv", true),
            Err(FsError::Symlink { .. })
        ));
        assert!(matches!(d.read("report.md"), Err(FsError::Symlink { .. })));
        assert_eq!(read(&target), "mine");
        assert!(!t.path().join("nowhere").exists());
    }

    #[test]
    fn a_linked_subfolder_is_refused() {
        let t = temp();
        let elsewhere = t.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap_or_else(|e| panic!("{e}"));
        let dir = t.path().join("results");
        let d = open(&dir);
        let _ = symlink(&elsewhere, dir.join("charts"));
        assert!(matches!(
            d.subdir("charts", true),
            Err(FsError::Symlink { .. })
        ));
        std::fs::write(dir.join("timelines"), "").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            d.subdir("timelines", true),
            Err(FsError::NotDir { .. })
        ));
        assert!(matches!(d.subdir("new", false), Ok(None)));
        assert!(matches!(d.subdir("new", true), Ok(Some(_))));
        assert_eq!(d.entry("new").ok(), Some(Entry::Dir));
    }

    #[test]
    fn removing_a_link_keeps_its_target() {
        let t = temp();
        let target = t.path().join("target.txt");
        std::fs::write(&target, "mine").unwrap_or_else(|e| panic!("{e}"));
        let d = open(&t.path().join("results"));
        let _ = symlink(&target, t.path().join("results/x.png"));
        assert!(matches!(d.remove_file("x.png"), Ok(true)));
        assert!(matches!(d.remove_file("x.png"), Ok(false)));
        assert_eq!(read(&target), "mine");
    }

    #[test]
    fn names_must_be_one_component() {
        let t = temp();
        let d = open(t.path());
        for bad in ["", ".", "..", "a/b", "a\0b"] {
            assert!(d.write_atomic(bad, b"x").is_err(), "{bad:?}");
        }
    }
}
