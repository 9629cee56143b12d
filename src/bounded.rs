//! Reading a file conlab did not just write — an experiment file, any
//! file of a results folder, a manifest — with a size limit, and only if
//! it is a regular file. Every such read in conlab goes through
//! [`read_file`] (or [`read_opened`], for a file a caller opened itself,
//! as `results::safe_fs` does relative to a folder's descriptor).
//!
//! Why each step, in order:
//! - the path is `stat`ed first, and anything but a regular file (a FIFO,
//!   a socket, a device such as `/dev/zero`, also through a symbolic link,
//!   a folder) is refused before it is opened: opening some devices has
//!   effects of its own, and a FIFO that no one writes to would block the
//!   open;
//! - the file is opened with `O_NONBLOCK`, so a FIFO swapped in after the
//!   `stat` cannot hang the open either, and its descriptor is `fstat`ed
//!   again: what is read is what was checked;
//! - a file whose size is above the limit is refused without reading a
//!   byte, and at most limit + 1 bytes are ever read (a file that grows,
//!   or one whose size the kernel does not know, is caught by reading one
//!   byte past the limit).
//!
//! So nothing a file is or says can make conlab wait forever or hold more
//! than the limit in memory.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The most bytes conlab reads of one kind of file, and how that kind is
/// named in messages (`an experiment file`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub bytes: u64,
    pub what: &'static str,
}

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(
        "{}{} is {kind}, not a regular file: conlab reads {what} only from a regular file",
        path.display(),
        link.as_ref().map(|t| format!(" (a symbolic link to {})", t.display())).unwrap_or_default()
    )]
    NotRegular {
        path: PathBuf,
        /// `a FIFO`, `a character device`, …
        kind: &'static str,
        /// Where the path leads, when it is a symbolic link.
        link: Option<PathBuf>,
        what: &'static str,
    },
    #[error(
        "{} is larger than {}, the most conlab reads of {what}",
        path.display(),
        size_text(*limit)
    )]
    TooLarge {
        path: PathBuf,
        limit: u64,
        what: &'static str,
    },
    #[error("cannot read {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

impl ReadError {
    /// Whether the file is simply not there.
    pub fn is_missing(&self) -> bool {
        matches!(self, ReadError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::NotRegular { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::Io { path, .. } => path,
        }
    }
}

/// `1 MiB`, `64 MiB`, `1.5 GiB`, `512 bytes`: a size as limits are given.
pub fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    let scaled = |unit: u64, name: &str| {
        let v = bytes as f64 / unit as f64;
        if bytes.is_multiple_of(unit) {
            format!("{} {name}", bytes / unit)
        } else {
            format!("{v:.1} {name}")
        }
    };
    if bytes >= GIB {
        scaled(GIB, "GiB")
    } else if bytes >= MIB {
        scaled(MIB, "MiB")
    } else if bytes >= KIB {
        scaled(KIB, "KiB")
    } else {
        format!("{bytes} bytes")
    }
}

/// What a file of this mode is, in words; `None` for a regular file.
fn kind_of(file_type: std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        None
    } else if file_type.is_dir() {
        Some("a folder")
    } else if file_type.is_fifo() {
        Some("a FIFO (a pipe)")
    } else if file_type.is_char_device() {
        Some("a character device")
    } else if file_type.is_block_device() {
        Some("a block device")
    } else if file_type.is_socket() {
        Some("a socket")
    } else {
        Some("not a file")
    }
}

fn not_regular(path: &Path, kind: &'static str, limit: Limit) -> ReadError {
    let link = std::fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.file_type().is_symlink())
        .and_then(|_| std::fs::read_link(path).ok());
    ReadError::NotRegular {
        path: path.to_path_buf(),
        kind,
        link,
        what: limit.what,
    }
}

/// Reads the regular file at `path` (following links), at most
/// `limit.bytes` of it; anything else is refused before it is opened.
pub fn read_file(path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(not_regular(path, kind, limit));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(io)?;
    read_opened(file, path, limit)
}

/// [`read_file`], but `None` when there is no file at `path`.
pub fn read_optional(path: &Path, limit: Limit) -> Result<Option<Vec<u8>>, ReadError> {
    match read_file(path, limit) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.is_missing() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads `file`, opened by the caller (with `O_NONBLOCK`, so that opening
/// a FIFO did not wait) from `path`: refused unless its descriptor is a
/// regular file, and read to at most `limit.bytes`.
pub fn read_opened(file: File, path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = file.metadata().map_err(io)?;
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(not_regular(path, kind, limit));
    }
    let too_large = || ReadError::TooLarge {
        path: path.to_path_buf(),
        limit: limit.bytes,
        what: limit.what,
    };
    if meta.size() > limit.bytes {
        return Err(too_large());
    }
    // The size is known: one allocation, and at most one byte more to see
    // whether the file grew past the limit since.
    let mut bytes = Vec::with_capacity(meta.size().min(limit.bytes) as usize + 1);
    file.take(limit.bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limit = Limit {
        bytes: 16,
        what: "a test file",
    };

    fn temp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_regular_file_within_the_limit_is_read_whole() {
        let t = temp();
        let path = t.path().join("a.txt");
        std::fs::write(&path, b"sixteen bytes!!!").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            read_file(&path, SMALL).ok().as_deref(),
            Some(&b"sixteen bytes!!!"[..])
        );
    }

    #[test]
    fn a_file_one_byte_over_the_limit_is_refused_naming_it_and_the_limit() {
        let t = temp();
        let path = t.path().join("a.txt");
        std::fs::write(&path, [b'x'; 17]).unwrap_or_else(|e| panic!("{e}"));
        let e = read_file(&path, SMALL).err().map(|e| e.to_string());
        assert_eq!(
            e,
            Some(format!(
                "{} is larger than 16 bytes, the most conlab reads of a test file",
                path.display()
            ))
        );
    }

    #[test]
    fn dev_zero_through_a_link_is_refused_before_it_is_read() {
        let t = temp();
        let path = t.path().join("experiment.toml");
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap_or_else(|e| panic!("{e}"));
        let e = read_file(&path, SMALL).err().map(|e| e.to_string());
        assert_eq!(
            e,
            Some(format!(
                "{} (a symbolic link to /dev/zero) is a character device, not a regular file: \
                 conlab reads a test file only from a regular file",
                path.display()
            ))
        );
    }

    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let t = temp();
        let path = t.path().join("fifo");
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        // SAFETY: `c` is a NUL-terminated path that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert!(matches!(
            read_file(&path, SMALL),
            Err(ReadError::NotRegular {
                kind: "a FIFO (a pipe)",
                ..
            })
        ));
        // Opened by the caller (as a folder's files are), the descriptor
        // is checked instead.
        let opened = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&path)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            read_opened(opened, &path, SMALL),
            Err(ReadError::NotRegular { link: None, .. })
        ));
    }

    #[test]
    fn a_missing_file_is_none_and_a_folder_is_refused() {
        let t = temp();
        assert!(matches!(
            read_optional(&t.path().join("nothing"), SMALL),
            Ok(None)
        ));
        assert!(matches!(
            read_file(t.path(), SMALL),
            Err(ReadError::NotRegular {
                kind: "a folder",
                ..
            })
        ));
    }

    #[test]
    fn sizes_read_as_limits_are_written() {
        assert_eq!(size_text(1 << 20), "1 MiB");
        assert_eq!(size_text(64 << 20), "64 MiB");
        assert_eq!(size_text(3 << 29), "1.5 GiB");
        assert_eq!(size_text(2048), "2 KiB");
        assert_eq!(size_text(16), "16 bytes");
    }
}
