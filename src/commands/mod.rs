//! One file per subcommand; each turns parsed arguments into work and
//! returns the exit status.

pub mod check;
pub mod compare;
pub mod completions;
pub mod doctor;
pub mod init;
pub mod install_gevent;
pub mod man;
pub mod merge;
pub mod models;
pub mod plot;
pub mod run;
pub mod runner_check;
pub mod schema;
pub mod validate;

use std::path::Path;

use crate::config::{self, Loaded};
use crate::format::visible;
use crate::render::Rendering;
use crate::results::folder::{Folder, FolderError, Purpose};
use crate::results::lock::{self, WriteLock};

/// How conlab exits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything ran.
    Ok = 0,
    /// Some runs failed or timed out; they are recorded.
    RunsFailed = 1,
    /// An experiment file or an argument is wrong; nothing ran.
    BadInput = 2,
    /// Ctrl-C, SIGTERM or SIGHUP stopped the run; what was measured is
    /// kept. The process exits with 128 + the signal's number.
    Interrupted = 130,
}

/// The first failure to write to stdout, if one happened.
static STDOUT_FAILURE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Prints `text` and a newline on stdout, control characters made
/// visible (names and labels come from files). A reader that went away
/// (`conlab validate x.toml | head`) is not an error worth a panic, nor
/// an error at all; any other failure (a full disk, `>/dev/full`) is
/// kept, and [`stdout_failure`] makes the command fail with it.
pub fn out(text: impl std::fmt::Display) {
    use std::io::Write;
    let text = text.to_string();
    let written = writeln!(std::io::stdout().lock(), "{}", visible(&text));
    note_stdout(written);
}

fn note_stdout(written: std::io::Result<()>) {
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = STDOUT_FAILURE.set(e.to_string());
    }
}

/// Flushes stdout, and says why writing to it failed, if it did.
pub fn stdout_failure() -> Option<String> {
    use std::io::Write;
    note_stdout(std::io::stdout().lock().flush());
    STDOUT_FAILURE.get().cloned()
}

/// Prints `text` and a newline on stderr, control characters made visible.
pub fn say(text: impl std::fmt::Display) {
    use std::io::Write;
    let text = text.to_string();
    let _ = writeln!(std::io::stderr().lock(), "{}", visible(&text));
}

/// Writes `bytes` to stdout as they are (a script, a manual page). A
/// reader that went away (`conlab man | head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        done => done,
    }
}

/// Prints `doc` on stdout as pretty JSON and a newline (`--json`): JSON
/// escapes control characters itself, so it goes out as it is.
pub fn out_json(doc: &serde_json::Value) {
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    let _ = write_stdout(text.as_bytes());
}

/// The width tables may take on a terminal: `$COLUMNS` when the shell
/// exports it, else 120.
pub fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .map_or(120, |w| w.clamp(60, 400))
}

/// Loads every file, printing each problem; `None` if any file is bad.
pub fn load_all(files: &[impl AsRef<Path>]) -> Option<Vec<Loaded>> {
    let mut loaded = Vec::new();
    let mut bad = 0;
    for file in files {
        match config::load(file.as_ref()) {
            Ok(l) => loaded.push(l),
            Err(e) => {
                say(e.refusal());
                bad += 1;
            }
        }
    }
    (bad == 0).then_some(loaded)
}

/// Tells how a rendering went, on stderr.
pub fn tell_rendering(dir: &Path, r: &Rendering, quiet: bool) {
    if let Some(note) = &r.note {
        say(format_args!("warning: {note}"));
    }
    for (stem, message) in &r.failures {
        say(format_args!("warning: chart {stem} {message}"));
    }
    if !quiet {
        say(format_args!(
            "Rendered {} charts (PNG and SVG) into {} and report.html, report.md, summary.tex in {:.1} s",
            r.charts,
            dir.join("charts").display(),
            r.elapsed.as_secs_f64()
        ));
    }
}

/// Takes the results folder `dir` for `purpose`, holding it until the
/// returned lock is dropped (see `Folder::lock`), or says why not and
/// gives the exit status.
pub fn take_folder(dir: &Path, purpose: Purpose) -> Result<WriteLock, Exit> {
    took(Folder::lock(dir, purpose))
}

/// What [`take_folder`] says of a folder taken (a warning if its file
/// system keeps no locks) or refused (why, and the exit status).
pub fn took(taken: Result<WriteLock, FolderError>) -> Result<WriteLock, Exit> {
    match taken {
        Ok(lock) => {
            if let Some(warning) = lock.unlocked() {
                say(format_args!("warning: {warning}"));
            }
            Ok(lock)
        }
        Err(e) => {
            say(format_args!("error: {e}"));
            Err(if e.is_bad_input() {
                Exit::BadInput
            } else {
                Exit::RunsFailed
            })
        }
    }
}

/// Runs `read` on the results folder `dir` while no conlab command writes
/// it (see `lock::read_whole`), or says which command writes it (exit 2).
pub fn read_folder<T>(dir: &Path, read: impl FnMut() -> T) -> Result<T, Exit> {
    lock::read_whole(dir, read).map_err(|e| {
        say(format_args!("error: {e}"));
        Exit::BadInput
    })
}

/// The manual and its generated tables, held to the code.
#[cfg(test)]
mod book;
