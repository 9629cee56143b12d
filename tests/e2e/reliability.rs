//! Issue 8's reliability defects, one test each, named after the defect:
//! names that escape `output/`, files conlab did not write, symbolic-link
//! traps in a results folder, SIGTERM/SIGHUP, and SIGKILL followed by
//! `run --resume`. Each asserts the message a user sees. Waits poll for a
//! file condition with a generous deadline, never a fixed sleep.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// Four short cells (2 task counts × 2 models), 3 measured runs and a
/// warm-up each: 16 runs of about 30 ms.
fn small() -> String {
    io_experiment("small", 3, 1, "[1, 2]", "15ms", &["sequential", "async"])
}

/// Runs conlab with `args` in `cwd`: exit code and stderr.
fn conlab_in(cwd: &Path, args: &[&str]) -> (i32, String) {
    let output = conlab()
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every file and folder under `dir`, with each file's content.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap_or_else(|e| panic!("{e}"));
            if meta.is_dir() {
                todo.push(path.clone());
                out.insert(path, None);
            } else if meta.file_type().is_symlink() {
                out.insert(
                    path.clone(),
                    std::fs::read_link(&path)
                        .ok()
                        .map(|t| t.into_os_string().into_encoded_bytes()),
                );
            } else {
                out.insert(path.clone(), std::fs::read(&path).ok());
            }
        }
    }
    out
}

/// [`snapshot`] of a results folder, but for its lock file, where each
/// command that takes the folder records itself (a refused one too, when
/// the folder's state refuses it under the lock).
fn results_snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut files = snapshot(dir);
    files.remove(&dir.join(".conlab-lock"));
    files
}

/// Polls `ready` every 10 ms until it holds; fails after two minutes.
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !ready() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Complete data rows in a `runs.csv` so far (lines after the header).
fn rows_written(runs: &Path) -> usize {
    let bytes = std::fs::read(runs).unwrap_or_default();
    bytes
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        .saturating_sub(1)
}

/// Starts `conlab run FILE --out OUT -q EXTRA...` in the background.
fn spawn_run(file: &Path, out: &Path, extra: &[&str], stderr: Stdio) -> Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_conlab"))
        .arg("run")
        .arg(file)
        .arg("--out")
        .arg(out)
        .arg("-q")
        .args(extra)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start conlab: {e}"))
}

/// Waits for `child` to end: its exit code and what it wrote on stderr.
fn ended(child: Child) -> (Option<i32>, String) {
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("cannot wait for conlab: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

/// Waits until two runs are recorded in `out`.
fn two_rows_in(out: &Path) {
    wait_for("two rows in runs.csv", || {
        rows_written(&out.join("runs.csv")) >= 2
    });
}

fn signal(child: &Child, signal: libc::c_int) {
    let pid = i32::try_from(child.id()).unwrap_or_else(|e| panic!("{e}"));
    // SAFETY: kill has no memory effects; the pid is our own child's.
    let rc = unsafe { libc::kill(pid, signal) };
    assert_eq!(rc, 0, "cannot signal conlab");
}

/// The (cell, repetition) of every row, and whether each is `ok`.
fn cell_reps(out: &Path) -> Vec<(String, String, String)> {
    let mut rows: Vec<(String, String, String)> = csv_rows(&out.join("runs.csv"))
        .into_iter()
        .map(|r| {
            (
                r["cell"].clone(),
                r["repetition"].clone(),
                r["status"].clone(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// What a whole run of small() records: one ok row per cell and repetition.
fn whole_run() -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    for cell in 0..4 {
        for rep in 1..=3 {
            rows.push((cell.to_string(), rep.to_string(), "ok".to_string()));
        }
    }
    rows
}

fn assert_whole(out: &Path) {
    assert_eq!(cell_reps(out), whole_run());
    let cells = summary(out);
    assert_eq!(cells.len(), 4);
    for c in &cells {
        assert_eq!(c["n"], 3, "{c}");
        assert_eq!(c["status"], "ok", "{c}");
    }
    assert!(out.join("report.md").is_file());
    assert!(out.join("charts/io-wall.svg").is_file());
}

#[test]
fn a_file_named_dot_dot_dot_toml_is_rejected_and_nothing_outside_output_is_touched() {
    let dir = tempdir();
    let text = "[experiment]\nrepetitions = 1\nwarmup = 0\n[[workload]]\ntasks = 1\nio_latency = \"1ms\"\n[[model]]\nkind = \"sequential\"\n";
    write(dir.path(), "...toml", text);
    write(dir.path(), "..toml", text);
    write(dir.path(), "report.md", "my notes");
    std::fs::create_dir(dir.path().join("charts")).unwrap_or_else(|e| panic!("{e}"));
    write(&dir.path().join("charts"), "figure.png", "my figure");
    let before = snapshot(dir.path());
    for (file, name) in [("...toml", ".."), ("..toml", ".")] {
        for command in ["run", "validate"] {
            let (code, stderr) = conlab_in(dir.path(), &[command, file]);
            assert_eq!(code, 2, "{command} {file}: {stderr}");
            assert_eq!(
                stderr,
                format!(
                    "error: the experiment has no [experiment] name, and the one its file name gives, \"{name}\", cannot name its results folder: `.` and `..` are not folder names\n  --> {file}\n   = help: add a name to the file: [experiment] name = \"my-experiment\"\n\n{file}: 1 error found; nothing was run\n\n"
                )
            );
        }
    }
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn an_explicit_name_of_dot_dot_is_rejected_with_its_line() {
    let dir = tempdir();
    write(
        dir.path(),
        "up.toml",
        "[experiment]\nname = \"..\"\n[[workload]]\ntasks = 1\n[[model]]\nkind = \"sequential\"\n",
    );
    let (code, stderr) = conlab_in(dir.path(), &["run", "up.toml"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr,
        "error: invalid name \"..\"\n --> up.toml:2:8, at experiment.name\n  |\n2 | name = \"..\"\n  |        ^^^^\n  = help: the name is the results folder's name (output/<name>) and must be one plain folder name, but `.` and `..` are not folder names\n\nup.toml: 1 error found; nothing was run\n\n"
    );
    assert!(!dir.path().join("output").exists());
}

#[test]
fn force_deletes_only_conlabs_files_and_leaves_an_unrelated_file_alone() {
    let dir = tempdir();
    let file = write(dir.path(), "small.toml", &small());
    let out = dir.path().join("out");
    assert_eq!(run_into(&file, &out, &["-n", "1", "-w", "0"]).0, 0);
    write(&out, "notes.txt", "my notes");
    write(&out.join("charts"), "my-figure.png", "my figure");
    write(&out.join("timelines"), "README.txt", "how I read these");
    let (code, stderr) = run_into(&file, &out, &["-n", "1", "-w", "0"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error: {} already holds results of an earlier run\n  = help: pass --resume to continue it, --force to replace conlab's files there, or --out DIR to write elsewhere\n",
            out.display()
        )
    );
    let (code, stderr) = run_into(&file, &out, &["-n", "1", "-w", "0", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt"))
            .ok()
            .as_deref(),
        Some("my notes")
    );
    assert_eq!(
        std::fs::read_to_string(out.join("charts/my-figure.png"))
            .ok()
            .as_deref(),
        Some("my figure")
    );
    assert_eq!(
        std::fs::read_to_string(out.join("timelines/README.txt"))
            .ok()
            .as_deref(),
        Some("how I read these")
    );
    assert_eq!(csv_rows(&out.join("runs.csv")).len(), 4);
}

#[test]
fn plot_never_overwrites_a_file_conlab_did_not_write_and_draws_the_other_charts() {
    let dir = tempdir();
    let file = write(dir.path(), "small.toml", &small());
    let out = dir.path().join("out");
    assert_eq!(run_into(&file, &out, &["-n", "1", "-w", "0"]).0, 0);
    // The user replaces a chart by hand-drawing one: it is no longer the
    // file conlab wrote, so take it off the manifest as a user's file.
    let manifest = out.join("conlab-manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    std::fs::write(&manifest, text.replace("    \"charts/io-wall.png\",\n", ""))
        .unwrap_or_else(|e| panic!("{e}"));
    write(&out.join("charts"), "io-wall.png", "drawn by hand");
    // The chart in the way fails alone (exit 1); the others are drawn.
    let (code, stderr) = conlab_in(dir.path(), &["plot", "out", "--quiet"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stderr,
        "warning: chart io-wall could not be written: out/charts/io-wall.png is in the way: conlab did not write it (out/conlab-manifest.json does not list it), and never overwrites a file it did not write\n  = help: move or rename it; `conlab plot out` then draws the missing charts\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("charts/io-wall.png"))
            .ok()
            .as_deref(),
        Some("drawn by hand")
    );
}

#[test]
fn a_non_empty_folder_that_is_not_a_conlab_results_folder_is_refused() {
    let dir = tempdir();
    let file = write(dir.path(), "small.toml", &small());
    let thesis = dir.path().join("thesis");
    std::fs::create_dir(&thesis).unwrap_or_else(|e| panic!("{e}"));
    write(&thesis, "report.md", "chapter 1");
    write(&thesis, "summary.csv", "a,b\n");
    let before = snapshot(dir.path());
    let (code, stderr) = conlab_in(
        dir.path(),
        &["run", "small.toml", "--out", "thesis", "--force"],
    );
    assert_eq!(code, 2, "{stderr}");
    let refusal = "error: thesis is not empty and is not a conlab results folder (it has no conlab-manifest.json): conlab writes only into a new or empty folder, or one it made\n  = help: choose another folder, e.g. with --out DIR\n";
    assert_eq!(stderr, refusal);
    let (code, stderr) = conlab_in(
        dir.path(),
        &["run", "small.toml", "--out", "thesis", "--resume"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr, refusal);
    let out = dir.path().join("out");
    assert_eq!(run_into(&file, &out, &["-n", "1", "-w", "0"]).0, 0);
    let (code, stderr) = conlab_in(dir.path(), &["compare", "out", "out", "--out", "thesis"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr, refusal);
    let mut after = snapshot(dir.path());
    after.retain(|p, _| !p.starts_with(&out));
    assert_eq!(after, before);
}

#[test]
fn plot_of_a_conlab_0_1_folder_works_and_adopts_only_conlabs_file_names() {
    let dir = tempdir();
    let file = write(dir.path(), "small.toml", &small());
    let out = dir.path().join("out");
    assert_eq!(run_into(&file, &out, &["-n", "1", "-w", "0"]).0, 0);
    // conlab 0.1 wrote the same files, without a manifest.
    std::fs::remove_file(out.join("conlab-manifest.json")).unwrap_or_else(|e| panic!("{e}"));
    write(&out, "notes.txt", "my notes");
    write(&out.join("charts"), "stale.png", "a chart 0.1 drew");
    let (code, stderr) = conlab_in(dir.path(), &["plot", "out", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("conlab-manifest.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    let files: BTreeSet<&str> = manifest["files"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    assert!(files.contains("runs.csv") && files.contains("charts/io-wall.png"));
    assert!(!files.contains("notes.txt"));
    assert!(manifest.get("run").is_none());
    // 0.1's stale chart was 0.1's own (a charts/*.png): removed like 0.1 did.
    assert!(!out.join("charts/stale.png").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt"))
            .ok()
            .as_deref(),
        Some("my notes")
    );
    let (code, stderr) = run_into(&file, &out, &["--resume"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error: there is no run to resume in {}: its results record no run to continue (conlab 0.1 recorded none, and `plot` and `compare` start none)\n  = help: start the run afresh with --force (it replaces only conlab's files there), or into another folder with --out DIR\n",
            out.display()
        )
    );
}

/// A results folder of small(), run once with one repetition.
fn results(dir: &Path) -> PathBuf {
    let file = write(dir, "small.toml", &small());
    let out = dir.join("out");
    let (code, stderr) = run_into(&file, &out, &["-n", "1", "-w", "0"]);
    assert_eq!(code, 0, "{stderr}");
    out
}

#[test]
fn plot_refuses_a_charts_folder_that_is_a_symlink_and_leaves_its_target_alone() {
    let dir = tempdir();
    let out = results(dir.path());
    let pictures = dir.path().join("pictures");
    std::fs::create_dir(&pictures).unwrap_or_else(|e| panic!("{e}"));
    write(&pictures, "holiday.png", "my holiday");
    write(&pictures, "io-wall.svg", "my own io-wall");
    std::fs::remove_dir_all(out.join("charts")).unwrap_or_else(|e| panic!("{e}"));
    symlink(&pictures, out.join("charts")).unwrap_or_else(|e| panic!("{e}"));
    let before = snapshot(&pictures);
    let (code, stderr) = conlab_in(dir.path(), &["plot", "out"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "error: out/charts is a symbolic link (to {}): conlab never writes through a symbolic link in a results folder\n  = help: remove the link, then run again\n",
            pictures.display()
        )
    );
    let (code, _) = conlab_in(
        dir.path(),
        &["run", "small.toml", "--out", "out", "--force"],
    );
    assert_eq!(code, 2);
    assert_eq!(snapshot(&pictures), before);
}

#[test]
fn plot_refuses_a_report_tmp_symlink_and_leaves_its_target_alone() {
    let dir = tempdir();
    let out = results(dir.path());
    let secret = write(dir.path(), "bashrc", "export PATH=/usr/bin\n");
    symlink(&secret, out.join("report.tmp~")).unwrap_or_else(|e| panic!("{e}"));
    let (code, stderr) = conlab_in(dir.path(), &["plot", "out"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "error: out/report.tmp~ is a symbolic link (to {}): conlab never writes through a symbolic link in a results folder\n  = help: remove the link, then run again\n",
            secret.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&secret).ok().as_deref(),
        Some("export PATH=/usr/bin\n")
    );
}

#[test]
fn a_dangling_runs_csv_symlink_is_refused_and_never_created() {
    let dir = tempdir();
    write(dir.path(), "small.toml", &small());
    let target = dir.path().join("elsewhere.csv");
    std::fs::create_dir(dir.path().join("fresh")).unwrap_or_else(|e| panic!("{e}"));
    symlink(&target, dir.path().join("fresh/runs.csv")).unwrap_or_else(|e| panic!("{e}"));
    let (code, stderr) = conlab_in(dir.path(), &["run", "small.toml", "--out", "fresh", "-q"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "error: fresh/runs.csv is a symbolic link (to {}): conlab never writes through a symbolic link in a results folder\n  = help: remove the link, then run again\n",
            target.display()
        )
    );
    // The same link in a folder of earlier results, with --force.
    let out = results(dir.path());
    std::fs::remove_file(out.join("runs.csv")).unwrap_or_else(|e| panic!("{e}"));
    symlink(&target, out.join("runs.csv")).unwrap_or_else(|e| panic!("{e}"));
    let (code, stderr) = conlab_in(
        dir.path(),
        &["run", "small.toml", "--out", "out", "--force", "-q"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with("error: out/runs.csv is a symbolic link"),
        "{stderr}"
    );
    assert!(!target.exists());
}

#[test]
fn compare_out_refuses_a_symlinked_file() {
    let dir = tempdir();
    let out = results(dir.path());
    let mine = write(dir.path(), "mine.md", "my comparison");
    let cmp = dir.path().join("cmp");
    std::fs::create_dir(&cmp).unwrap_or_else(|e| panic!("{e}"));
    symlink(&mine, cmp.join("compare.md")).unwrap_or_else(|e| panic!("{e}"));
    let (code, stderr) = conlab_in(dir.path(), &["compare", "out", "out", "--out", "cmp"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "error: cmp/compare.md is a symbolic link (to {}): conlab never writes through a symbolic link in a results folder\n  = help: remove the link, then run again\n",
            mine.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&mine).ok().as_deref(),
        Some("my comparison")
    );
    assert!(out.join("conlab-manifest.json").is_file());
}

/// Starts small(), sends `sig` once 2 runs are recorded, and checks how the
/// run ended: the exit code, the runs kept, the report rendered.
fn stopped_by(sig: libc::c_int, code: i32) {
    let dir = tempdir();
    let file = write(dir.path(), "small.toml", &small());
    let out = dir.path().join("out");
    let child = spawn_run(&file, &out, &[], Stdio::piped());
    two_rows_in(&out);
    signal(&child, sig);
    let (exit, stderr) = ended(child);
    assert_eq!(exit, Some(code), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "interrupted: the runs measured so far are kept in {}\n",
            out.display()
        )
    );
    let rows = cell_reps(&out);
    assert!(rows.len() >= 2 && rows.len() < 12, "{rows:?}");
    assert!(rows.iter().all(|(_, _, status)| status == "ok"), "{rows:?}");
    assert!(out.join("report.md").is_file() && out.join("report.html").is_file());
    assert!(out.join("summary.json").is_file());
    // And it can be finished.
    let (code, stderr) = run_into(&file, &out, &["--resume"]);
    assert_eq!(code, 0, "{stderr}");
    assert_whole(&out);
}

#[test]
fn ctrl_c_after_the_first_recorded_run_keeps_its_rows_and_renders_with_exit_130() {
    stopped_by(libc::SIGINT, 130);
}

#[test]
fn sigterm_stops_a_run_like_ctrl_c_with_exit_143() {
    stopped_by(libc::SIGTERM, 143);
}

#[test]
fn sighup_stops_a_run_like_ctrl_c_with_exit_129() {
    stopped_by(libc::SIGHUP, 129);
}

/// Whether signal `sig` is pending for the process `pid` (not yet taken
/// by its handler), from the shared pending set in `/proc/PID/status`.
fn pending(pid: u32, sig: libc::c_int) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("ShdPnd:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (sig - 1)) != 0)
}

#[test]
fn a_second_signal_ends_conlab_at_once_with_the_second_signals_code() {
    let dir = tempdir();
    let file = write(dir.path(), "small.toml", &small());
    let out = dir.path().join("out");
    let child = spawn_run(&file, &out, &[], Stdio::piped());
    two_rows_in(&out);
    // The first stops the run and starts keeping what it measured; once
    // its handler has taken it, the second ends conlab there and then.
    signal(&child, libc::SIGTERM);
    wait_for("the SIGTERM to be taken", || {
        !pending(child.id(), libc::SIGTERM)
    });
    signal(&child, libc::SIGINT);
    let (exit, stderr) = ended(child);
    // 130 is SIGINT's (the first's, SIGTERM, would make 143), and conlab
    // did not get as far as saying what it kept.
    assert_eq!(exit, Some(130), "{stderr}");
    assert!(!stderr.contains("interrupted:"), "{stderr}");
}

#[test]
fn a_run_started_with_sighup_ignored_goes_on_through_a_sighup() {
    use std::os::unix::process::CommandExt;
    let dir = tempdir();
    let file = write(dir.path(), "small.toml", &small());
    let out = dir.path().join("out");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_conlab"));
    command
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // As `nohup conlab run …` starts it.
    // SAFETY: between fork and exec only `signal`, which is
    // async-signal-safe, runs in the child.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGHUP, libc::SIG_IGN);
            Ok(())
        });
    }
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start conlab: {e}"));
    two_rows_in(&out);
    signal(&child, libc::SIGHUP);
    let (exit, stderr) = ended(child);
    assert_eq!(exit, Some(0), "{stderr}");
    assert_whole(&out);
}

/// A pseudo-terminal: its master side, and the path of its other side
/// (which gives a child a terminal to write to); `None` if the machine
/// has none.
fn pseudo_terminal() -> Option<(std::fs::File, PathBuf)> {
    use std::os::fd::{AsRawFd, FromRawFd};
    // SAFETY: posix_openpt returns a new descriptor (or -1), owned by the
    // File from then on; grantpt, unlockpt and ptsname_r get that open
    // descriptor and a buffer of the length given.
    unsafe {
        let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        if fd < 0 {
            return None;
        }
        let master = std::fs::File::from_raw_fd(fd);
        let mut name = [0 as libc::c_char; 256];
        if libc::grantpt(master.as_raw_fd()) != 0
            || libc::unlockpt(master.as_raw_fd()) != 0
            || libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len()) != 0
        {
            return None;
        }
        let path = std::ffi::CStr::from_ptr(name.as_ptr()).to_str().ok()?;
        Some((master, PathBuf::from(path)))
    }
}

/// Everything `from` gives until it ends, read on a thread of its own.
fn drain(mut from: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        // A terminal's master side ends with EIO once no one holds the
        // other side: what was read until then is all there is.
        let mut chunk = [0u8; 4096];
        while let Ok(n) = from.read(&mut chunk) {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[test]
fn on_sighup_conlab_stops_writing_to_its_terminal_but_not_to_a_pipe() {
    use std::os::unix::fs::OpenOptionsExt;
    let Some((master, slave_path)) = pseudo_terminal() else {
        skip(Reason::NoTerminal, "no pseudo-terminal");
        return;
    };
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(&slave_path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", slave_path.display()));
    let dir = tempdir();
    let file = write(dir.path(), "small.toml", &small());
    let out = dir.path().join("out");
    // Not quiet: conlab writes its results table on stdout (a pipe here)
    // and what it says on stderr (the terminal) when it stops.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_conlab"))
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start conlab: {e}"));
    let terminal = drain(master);
    let stdout = drain(child.stdout.take().unwrap_or_else(|| panic!("no stdout")));
    two_rows_in(&out);
    signal(&child, libc::SIGHUP);
    let status = child
        .wait()
        .unwrap_or_else(|e| panic!("cannot wait for conlab: {e}"));
    let terminal = terminal
        .join()
        .unwrap_or_else(|_| panic!("terminal reader"));
    let stdout = stdout.join().unwrap_or_else(|_| panic!("stdout reader"));
    assert_eq!(status.code(), Some(129), "terminal: {terminal}");
    // The terminal hung up: what conlab says after the signal goes to
    // /dev/null, not to the terminal (where a write would fail) …
    assert!(!terminal.contains("interrupted:"), "terminal: {terminal}");
    assert!(!terminal.contains("Rendering"), "terminal: {terminal}");
    // … but a pipe is no terminal and still gets the results table.
    assert!(stdout.contains("sequential"), "stdout: {stdout}");
    assert!(out.join("report.md").is_file());
}

#[test]
fn sigkill_at_several_moments_then_resume_ends_with_exactly_a_whole_runs_rows() {
    let dir = tempdir();
    let file = write(dir.path(), "small.toml", &small());
    // 0: as soon as the manifest exists (before any row); then after 1, 5
    // and 11 rows; 12: after the last row, while rendering.
    for rows in [0, 1, 5, 11, 12] {
        let out = dir.path().join(format!("out-{rows}"));
        let mut child = spawn_run(&file, &out, &[], Stdio::null());
        wait_for(&format!("{rows} rows"), || {
            out.join("conlab-manifest.json").is_file()
                && rows_written(&out.join("runs.csv")) >= rows
        });
        child
            .kill()
            .unwrap_or_else(|e| panic!("cannot kill conlab: {e}"));
        let _ = child.wait();
        let (code, stderr) = run_into(&file, &out, &["--resume"]);
        assert_eq!(code, 0, "killed after {rows} rows: {stderr}");
        assert_whole(&out);
    }
}

#[test]
fn resume_drops_a_row_cut_short_and_reruns_failed_runs() {
    let dir = tempdir();
    let file = write(dir.path(), "small.toml", &small());
    let out = dir.path().join("out");
    assert_eq!(run_into(&file, &out, &[]).0, 0);
    // A run killed mid-append leaves half a row; a failed run is recorded.
    let runs = out.join("runs.csv");
    let text = std::fs::read_to_string(&runs).unwrap_or_default();
    let mut lines: Vec<&str> = text.lines().collect();
    let second = lines[2].replacen(",ok,,", ",failed,worker process exited with code 1,", 1);
    lines[2] = &second;
    let last = lines.pop().unwrap_or_default();
    let cut = format!("{}\n{}", lines.join("\n"), &last[..last.len() / 2]);
    std::fs::write(&runs, cut).unwrap_or_else(|e| panic!("{e}"));
    for name in ["summary.json", "summary.csv", "report.md"] {
        std::fs::remove_file(out.join(name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let (code, stderr) = conlab_in(
        dir.path(),
        &["run", "small.toml", "--out", "out", "--resume"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with(
            "Resuming small.toml in out: 10 measured runs kept, 1 recorded run to replace (failed, timed out or skipped), 4 runs to do\n"
        ),
        "{stderr}"
    );
    assert_whole(&out);
}

#[test]
fn resume_after_the_experiment_file_changed_refuses_and_names_the_cells() {
    let dir = tempdir();
    let file = write(dir.path(), "small.toml", &small());
    let out = dir.path().join("out");
    assert_eq!(run_into(&file, &out, &["-n", "1", "-w", "0"]).0, 0);
    let before = results_snapshot(&out);
    // Writes `text` as small.toml, resumes with `extra` arguments, and
    // returns the refusal's stderr.
    let refused = |text: &str, extra: &[&str]| {
        write(dir.path(), "small.toml", text);
        let args = [
            &["run", "small.toml", "--out", "out", "--resume"][..],
            extra,
        ]
        .concat();
        let (code, stderr) = conlab_in(dir.path(), &args);
        assert_eq!(code, 2, "{stderr}");
        stderr
    };
    assert_eq!(
        refused(&small().replace("tasks = [1, 2]", "tasks = [1, 3]"), &[]),
        "error: cannot resume the run in out: small.toml changed since the run started; the cells that differ:\n    io · sequential · tasks=3 (new)\n    io · async · tasks=3 (new)\n    io · sequential · tasks=2 (no longer in the file)\n    io · async · tasks=2 (no longer in the file)\n  = help: undo the change to resume the run, or start afresh with --force (or into another folder with --out DIR)\n"
    );
    assert_eq!(
        refused(
            &small().replace("name = \"small\"", "name = \"small\"\ndescription = \"x\""),
            &[]
        ),
        "error: cannot resume the run in out: small.toml changed since the run started (no cell differs: the change is in its name, description, timeout, charts or comments)\n  = help: undo the change to resume the run, or start afresh with --force (or into another folder with --out DIR)\n"
    );
    assert_eq!(
        refused(&small(), &["-n", "3"]),
        "error: cannot resume the run in out: it was started with --repetitions 1, not 3\n  = help: leave out --repetitions to continue with 1, or start afresh with --force (or into another folder with --out DIR)\n"
    );
    assert_eq!(results_snapshot(&out), before);
}

#[test]
fn resume_with_force_or_without_a_started_run_is_an_error_with_a_hint() {
    let dir = tempdir();
    write(dir.path(), "small.toml", &small());
    let (code, stderr) = conlab_in(dir.path(), &["run", "small.toml", "--resume", "--force"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: the argument '--resume' cannot be used with '--force'"),
        "{stderr}"
    );
    let (code, stderr) = conlab_in(dir.path(), &["run", "small.toml", "--resume"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: there is no run to resume in output/small: it does not exist\n  = help: give the --out DIR the run was started with, or start the run without --resume\n"
    );
    std::fs::create_dir_all(dir.path().join("output/small")).unwrap_or_else(|e| panic!("{e}"));
    let (code, stderr) = conlab_in(dir.path(), &["run", "small.toml", "--resume"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: there is no run to resume in output/small: it is empty\n  = help: give the --out DIR the run was started with, or start the run without --resume\n"
    );
}

// Issue 22: two conlab processes on one results folder, and the experiment
// file a forced run was given.

/// Twenty short cells' worth of runs (2 × 2 cells, 5 measured runs and a
/// warm-up each, 40 ms waits): long enough that other commands start and
/// end while it runs.
fn long_run() -> String {
    io_experiment("long", 5, 1, "[1, 2]", "40ms", &["sequential", "async"])
}

/// The record a running conlab keeps in `dir`'s lock file.
fn lock_record(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(".conlab-lock")).unwrap_or_default()
}

/// Waits until the conlab `child` holds `dir` (it has recorded itself in
/// the lock file) and has recorded `rows` rows.
fn holding(child: &Child, dir: &Path, rows: usize) {
    let pid = format!("\npid {}\n", child.id());
    wait_for("the run to hold its folder", || {
        lock_record(dir).contains(&pid) && rows_written(&dir.join("runs.csv")) >= rows
    });
}

/// How conlab names a command holding a folder: its PID and command line.
fn holder(child: &Child, args: &[&str]) -> String {
    format!("PID {}: conlab {}", child.id(), args.join(" "))
}

/// The files of conlab's names in `dir` (relative), the manifest's list
/// of them, and whatever else is there.
fn listed_and_present(dir: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("conlab-manifest.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    let listed = manifest["files"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let present = snapshot(dir)
        .into_iter()
        .filter(|(_, content)| content.is_some())
        .filter_map(|(path, _)| {
            path.strip_prefix(dir)
                .ok()
                .map(|p| p.to_string_lossy().into_owned())
        })
        .filter(|rel| rel != "conlab-manifest.json" && rel != ".conlab-lock")
        .collect();
    (listed, present)
}

#[test]
fn a_second_writer_on_a_folder_being_run_is_refused_with_exit_2_and_the_first_run_keeps_every_row()
{
    // Issue 22, point 1: `run t.toml --out cc & sleep 0.25; run t.toml
    // --out cc --resume` lost the first run's rows, and so did --force.
    let dir = tempdir();
    let file = write(dir.path(), "long.toml", &long_run());
    let cc = dir.path().join("cc");
    let mut first = spawn_run(&file, &cc, &[], Stdio::piped());
    holding(&first, &cc, 1);
    let (file_s, cc_s) = (file.display().to_string(), cc.display().to_string());
    let refusal = format!(
        "error: {cc_s} is being written by another conlab command ({}), and a results folder takes one writer at a time\n  = help: run this again when that command has ended\n",
        holder(&first, &["run", &file_s, "--out", &cc_s, "-q"])
    );
    for extra in [&["--resume"][..], &["--force"], &[]] {
        let (code, stderr) = run_into(&file, &cc, extra);
        assert_eq!((code, stderr.as_str()), (2, refusal.as_str()), "{extra:?}");
    }
    // Its folder is still being written: plot is refused like a run, and
    // check, which only reads, is refused until the results are whole.
    let (code, stderr) = conlab_in(dir.path(), &["plot", "cc"]);
    assert_eq!(
        (code, stderr),
        (
            2,
            refusal.replacen(&format!("error: {cc_s}"), "error: cc", 1)
        )
    );
    let (code, stderr) = conlab_in(dir.path(), &["check", "cc"]);
    assert_eq!(
        (code, stderr),
        (
            2,
            format!(
                "error: cc is being written by another conlab command ({}), so its results are not complete yet\n  = help: run this again when that command has ended\n",
                holder(&first, &["run", &file_s, "--out", &cc_s, "-q"])
            )
        )
    );
    assert!(
        first.try_wait().ok().flatten().is_none(),
        "the first run ended before the others were refused: the test checked nothing"
    );
    let (exit, stderr) = ended(first);
    assert_eq!(exit, Some(0), "{stderr}");
    let rows = cell_reps(&cc);
    assert_eq!(rows.len(), 20, "{rows:?}");
    for cell in summary(&cc) {
        assert_eq!(cell["n"], 5, "{cell}");
    }
    let (listed, present) = listed_and_present(&cc);
    assert_eq!(listed, present);
}

#[test]
fn plot_during_run_force_is_refused_and_the_forced_run_keeps_its_files_listed() {
    // Issue 22, point 2: `plot cc` during `run --force` left charts and
    // report.md out of the manifest, and the folder broken for good.
    let dir = tempdir();
    let file = write(dir.path(), "long.toml", &long_run());
    let cc = dir.path().join("cc");
    let (code, stderr) = run_into(&file, &cc, &["-n", "1", "-w", "0"]);
    assert_eq!(code, 0, "{stderr}");
    let forced = spawn_run(&file, &cc, &["--force"], Stdio::piped());
    holding(&forced, &cc, 0);
    let (code, stderr) = conlab_in(dir.path(), &["plot", "cc"]);
    assert_eq!(
        (code, stderr),
        (
            2,
            format!(
                "error: cc is being written by another conlab command ({}), and a results folder takes one writer at a time\n  = help: run this again when that command has ended\n",
                holder(
                    &forced,
                    &[
                        "run",
                        &file.display().to_string(),
                        "--out",
                        &cc.display().to_string(),
                        "-q",
                        "--force"
                    ]
                )
            )
        )
    );
    let (exit, stderr) = ended(forced);
    assert_eq!(exit, Some(0), "{stderr}");
    assert_eq!(cell_reps(&cc).len(), 20);
    let (listed, present) = listed_and_present(&cc);
    assert_eq!(listed, present);
    assert!(listed.contains("report.md") && listed.contains("charts/io-wall.png"));
    assert_eq!(
        conlab_in(dir.path(), &["plot", "cc", "-q"]),
        (0, String::new())
    );
}

/// Takes `names` off the manifest of `dir`, as two commands writing at
/// once made older conlab versions do.
fn unlist(dir: &Path, names: &[&str]) {
    let path = dir.join("conlab-manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
    if let Some(files) = manifest["files"].as_array_mut() {
        files.retain(|f| !names.iter().any(|n| f.as_str() == Some(*n)));
    }
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_folder_whose_manifest_lost_conlabs_charts_and_report_is_recovered_by_plot_and_force() {
    // Issue 22, point 2: what the race left (conlab's own charts and
    // report.md, unlisted) made `plot` exit 1 for ever ("report.md is in
    // the way"), and `--force` could not clean it.
    let dir = tempdir();
    let out = results(dir.path());
    let (listed, _) = listed_and_present(&out);
    let lost: Vec<&str> = listed
        .iter()
        .map(String::as_str)
        .filter(|f| f.starts_with("charts/") || f.starts_with("report"))
        .collect();
    assert!(lost.len() > 4, "{lost:?}");
    unlist(&out, &lost);
    let (code, stderr) = conlab_in(dir.path(), &["plot", "out", "-q"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let (listed, present) = listed_and_present(&out);
    assert_eq!(listed, present);
    // The same, and a timeline of a cell the run no longer has (conlab's,
    // lost from the list): --force deletes it with conlab's other files.
    let lost: Vec<String> = listed
        .iter()
        .filter(|f| f.starts_with("charts/") || f.starts_with("report"))
        .cloned()
        .collect();
    unlist(&out, &lost.iter().map(String::as_str).collect::<Vec<_>>());
    let timeline = std::fs::read_to_string(out.join("timelines/cell-0.json")).unwrap_or_default();
    write(
        &out.join("timelines"),
        "cell-9.json",
        &timeline.replacen("{\"cell\":0,", "{\"cell\":9,", 1),
    );
    let (code, stderr) = conlab_in(
        dir.path(),
        &[
            "run",
            "small.toml",
            "--out",
            "out",
            "--force",
            "-q",
            "-n",
            "1",
            "-w",
            "0",
        ],
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(!out.join("timelines/cell-9.json").exists());
    let (listed, present) = listed_and_present(&out);
    assert_eq!(listed, present);
}

#[test]
fn a_users_file_of_a_report_name_is_named_with_how_to_free_it_never_overwritten() {
    let dir = tempdir();
    let out = results(dir.path());
    unlist(&out, &["report.md", "summary.tex"]);
    write(&out, "report.md", "# My own report\n\nmine\n");
    write(&out, "summary.tex", "\\section{Mine}\n");
    let refusal = "error: out holds files of the names conlab writes that out/conlab-manifest.json does not list, and whose content is not recognisably conlab's: out/report.md, out/summary.tex\n  = help: conlab never overwrites or deletes a file it did not list. If they are yours, move them out of the folder; if they are conlab's (an older conlab could lose files from its list when two commands wrote the folder at once), delete them: rm -- out/report.md out/summary.tex; then run again\n";
    let before = results_snapshot(&out);
    assert_eq!(
        conlab_in(dir.path(), &["plot", "out"]),
        (2, refusal.to_string())
    );
    assert_eq!(
        conlab_in(
            dir.path(),
            &["run", "small.toml", "--out", "out", "--force"]
        ),
        (2, refusal.to_string())
    );
    assert_eq!(results_snapshot(&out), before);
    // Moved away as the message says, the folder is conlab's again.
    std::fs::remove_file(out.join("report.md")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_file(out.join("summary.tex")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        conlab_in(dir.path(), &["plot", "out", "-q"]),
        (0, String::new())
    );
}

#[test]
fn run_force_killed_at_any_moment_never_loses_the_experiment_file_it_was_given() {
    // Issue 22, point 10: `run DIR/experiment.toml --out DIR --force`
    // killed in its first milliseconds deleted the only copy.
    let dir = tempdir();
    let out = results(dir.path());
    let file = out.join("experiment.toml");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
    let mut kills = 0;
    for delay_ms in (0..=60).step_by(3) {
        let mut child = spawn_run(
            &file,
            &out,
            &["--force", "-n", "1", "-w", "0"],
            Stdio::null(),
        );
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().ok().flatten().is_none() {
            kills += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(
            std::fs::read_to_string(&file).ok().as_deref(),
            Some(text.as_str()),
            "killed after {delay_ms} ms"
        );
    }
    assert!(
        kills > 10,
        "only {kills} runs were still running when killed"
    );
    let (code, stderr) = run_into(&file, &out, &["--force", "-n", "1", "-w", "0"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).ok(), Some(text));
    let (listed, present) = listed_and_present(&out);
    assert_eq!(listed, present);
}

#[test]
fn force_with_a_users_experiment_toml_in_the_way_refuses_before_deleting_anything() {
    let dir = tempdir();
    let out = results(dir.path());
    unlist(&out, &["experiment.toml"]);
    write(&out, "experiment.toml", "# my own notes\n");
    let before = results_snapshot(&out);
    let (code, stderr) = conlab_in(
        dir.path(),
        &["run", "small.toml", "--out", "out", "--force", "-q"],
    );
    assert_eq!(
        (code, stderr.as_str()),
        (
            2,
            "error: out/experiment.toml is in the way: conlab did not write it (out/conlab-manifest.json does not list it), and never overwrites a file it did not write\n  = help: move or rename it, then run again\n"
        )
    );
    assert_eq!(results_snapshot(&out), before);
}
