//! Runners that must be compiled before they run (Go's, the JVM's): their
//! source ships inside conlab and is built on first use, with the user's
//! own toolchain, into conlab's cache directory — `$XDG_CACHE_HOME/conlab`,
//! else `~/.cache/conlab`, never the repository or the results folder.
//! A build lives in a folder named by the hash of its source and the
//! toolchain's version, so a new conlab or a new toolchain builds afresh
//! and an old build is never run by mistake; it is made in a temporary
//! folder beside it and renamed into place whole, so two conlabs building
//! at once never see half a build.
//!
//! Asking a toolchain for its version costs a process (tens of ms, and its
//! memory would count in a worker's peak RSS), so the answer is kept in a
//! stamp named by the toolchain's path, size and modification time: a
//! worker finds the build its parent made without starting anything.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::python::{Located, locate};

/// conlab's cache directory: `$XDG_CACHE_HOME/conlab`, else
/// `$HOME/.cache/conlab`.
pub fn cache_dir() -> Result<PathBuf, String> {
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        let xdg = PathBuf::from(xdg);
        if xdg.is_absolute() {
            return Ok(xdg.join("conlab"));
        }
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".cache").join("conlab")),
        None => Err(
            "no cache directory: neither XDG_CACHE_HOME nor HOME is set; set one \
                     (conlab builds the Go and Java runners there)"
                .to_string(),
        ),
    }
}

/// The first `len` hex digits of the SHA-256 of `parts`, each one
/// length-prefixed so that no two lists of parts hash alike.
pub fn digest(parts: &[&[u8]], len: usize) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    hex[..len.min(hex.len())].to_string()
}

/// Where `program` (a command on PATH or a path) is, and what identifies
/// that file: its canonical path, size and modification time.
fn identity(program: &str) -> Result<(PathBuf, String), String> {
    let path = match locate(program) {
        Located::Executable(path) => path,
        Located::NotExecutable(path) => {
            return Err(format!("{} is not an executable file", path.display()));
        }
        Located::Missing => return Err("not found".to_string()),
    };
    let real = std::fs::canonicalize(&path).unwrap_or(path);
    let meta = std::fs::metadata(&real).map_err(|e| format!("{}: {e}", real.display()))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let id = format!("{}\n{}\n{modified}", real.display(), meta.len());
    Ok((real, id))
}

/// The version of the toolchain `program`, as `ask` finds it (by running
/// it), remembered in the cache under the program's identity so that the
/// next call need not run it. `Err` when the program is missing or `ask`
/// fails; the reason does not name the program (the caller's message
/// does).
pub fn toolchain_version(
    cache: &Path,
    program: &str,
    ask: impl FnOnce(&Path) -> Result<String, String>,
) -> Result<String, String> {
    let (path, id) = identity(program)?;
    let stamp = cache.join("toolchains").join(digest(&[id.as_bytes()], 32));
    if let Some(text) = read_small(&stamp) {
        let text = text.trim();
        if !text.is_empty() {
            return Ok(text.to_string());
        }
    }
    let version = ask(&path)?;
    if let Some(dir) = stamp.parent() {
        let _ = std::fs::create_dir_all(dir);
        let tmp = stamp.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, &version).is_ok() {
            let _ = std::fs::rename(&tmp, &stamp);
        }
    }
    Ok(version)
}

/// A small file's text (a stamp: at most 4 KiB read), if it is there.
fn read_small(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(4096)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// The folder of a finished build at `dir`, made by `build` if it is not
/// there yet: `build` fills a fresh temporary folder, which is then
/// renamed to `dir`. A build another process finished first is kept and
/// this one dropped.
pub fn built(
    dir: &Path,
    build: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<PathBuf, String> {
    if dir.is_dir() {
        return Ok(dir.to_path_buf());
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot make the cache folder {}: {e}", parent.display()))?;
    let name = dir
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        crate::measure::now_ns()
    ));
    std::fs::create_dir_all(&tmp)
        .map_err(|e| format!("cannot make the build folder {}: {e}", tmp.display()))?;
    let result = build(&tmp);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if std::fs::rename(&tmp, dir).is_err() {
        // Another process put its build there first; it is as good.
        let _ = std::fs::remove_dir_all(&tmp);
        if !dir.is_dir() {
            return Err(format!("cannot move the build into {}", dir.display()));
        }
    }
    Ok(dir.to_path_buf())
}

/// The bytes under `dir`, files and folders within, for `conlab doctor`.
pub fn size_of(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => size_of(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_tell_lists_of_parts_apart() {
        assert_eq!(digest(&[b"ab", b"c"], 16).len(), 16);
        assert_ne!(digest(&[b"ab", b"c"], 16), digest(&[b"a", b"bc"], 16));
        assert_eq!(digest(&[b"x"], 64), digest(&[b"x"], 64));
    }

    #[test]
    fn a_build_is_made_once_and_a_failed_one_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = tmp.path().join("a").join("build");
        let mut runs = 0;
        for _ in 0..2 {
            let got = built(&dir, |into| {
                runs += 1;
                std::fs::write(into.join("out"), "x").map_err(|e| e.to_string())
            });
            assert_eq!(got, Ok(dir.clone()));
        }
        assert_eq!(runs, 1);
        assert!(dir.join("out").is_file());
        let failed = tmp.path().join("a").join("failed");
        assert_eq!(
            built(&failed, |_| Err("no compiler".to_string())),
            Err("no compiler".to_string())
        );
        let left: Vec<_> = std::fs::read_dir(tmp.path().join("a"))
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("build")]);
    }

    #[test]
    fn a_toolchain_is_asked_once() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut asked = 0;
        for _ in 0..2 {
            let v = toolchain_version(tmp.path(), "sh", |_| {
                asked += 1;
                Ok("sh 1".to_string())
            });
            assert_eq!(v, Ok("sh 1".to_string()));
        }
        assert_eq!(asked, 1);
        assert_eq!(
            toolchain_version(tmp.path(), "/nonexistent/conlab-test/go", |_| Ok(
                String::new()
            )),
            Err("not found".to_string())
        );
    }
}
