//! The concurrency soak test (issue 22): random interleavings of `run`,
//! `run --resume`, `run --force`, `plot`, `check` and `merge` on one
//! results folder, overlapping in time, with random SIGKILLs, checked after
//! each batch of commands:
//!
//! - every command did its work (exit 0) or was refused (exit 2, for a
//!   reason on its list: the folder in use, or a state it may not start
//!   from); never exit 1 from a race, never a panic;
//! - `runs.csv` never holds a measured run twice, `groups.csv` never a
//!   group of a run twice, and every run of a workload with groups has all
//!   its group rows; `summary.json` never counts more runs than `runs.csv`
//!   holds;
//! - every file of conlab's names in the folder is in the manifest, and
//!   after a run that ended alone in its batch the manifest lists exactly
//!   the files there, and the run is whole, as the run said: a new run all
//!   its runs, a resumed one the runs it kept (unchanged) and those it did.
//!
//! Seeded and reproducible up to the machine's timing: the seed is printed
//! (`CONLAB_SOAK_SEED=N` repeats it, `CONLAB_SOAK_OPS=N` sets the number of
//! commands). The short version runs in the default suite; the long one
//! (`cargo test --release --test e2e -- --ignored soak_long --nocapture`)
//! prints its figures; `CONLAB_SOAK_VERBOSE=1` says how each batch ended.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::common::*;

/// Six cells (two of a workload with two groups), two measured runs each,
/// of 1–3 ms waits: Rust models only; few charts.
const EXPERIMENT: &str = r#"
[experiment]
name = "soak"
repetitions = 2
warmup = 0

[[workload]]
name = "io"
tasks = [1, 2]
io_latency = "2ms"

[[workload]]
name = "mix"

[[workload.group]]
name = "a"
tasks = 1
io_latency = "1ms"

[[workload.group]]
name = "b"
tasks = 1
io_latency = "3ms"

[[model]]
kind = "sequential"

[[model]]
kind = "async"

# One chart per workload instead of the default five, to render quickly.
[[chart]]
workload = "io"
y = "wall"

[[chart]]
workload = "mix"
y = "wall"
"#;

const CELLS: usize = 6;
const REPETITIONS: usize = 2;

/// The group rows each run of `cell` has in groups.csv: a workload of
/// one group has one, named after the workload.
fn groups_of(cell: usize) -> &'static [&'static str] {
    if cell < 4 { &["io"] } else { &["a", "b"] }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Run,
    Resume,
    Force,
    Plot,
    Check,
    Merge,
}

const KINDS: [Kind; 6] = [
    Kind::Run,
    Kind::Resume,
    Kind::Force,
    Kind::Plot,
    Kind::Check,
    Kind::Merge,
];

impl Kind {
    /// Whether it writes the soaked folder's runs.
    fn runs(self) -> bool {
        matches!(self, Kind::Run | Kind::Resume | Kind::Force)
    }

    /// The start of the messages of a refusal that is not a race: a state
    /// of the folder this command may not start from.
    fn may_refuse(self) -> &'static [&'static str] {
        match self {
            Kind::Run => &["already holds results of an earlier run"],
            Kind::Resume => &["there is no run to resume in"],
            Kind::Force => &[],
            Kind::Plot | Kind::Check | Kind::Merge => {
                &["is not a conlab results directory: it has no summary.json"]
            }
        }
    }
}

/// How one command ended.
#[derive(Clone, Debug, PartialEq, Eq)]
enum End {
    Done,
    /// Refused because another command held a folder.
    InUse,
    /// Refused for the folder's state (see [`Kind::may_refuse`]).
    Refused,
    Killed,
}

struct Op {
    kind: Kind,
    child: Child,
    stderr: PathBuf,
    kill_at: Option<Instant>,
    status: Option<ExitStatus>,
}

/// The soak's folders and counts.
struct Soak {
    dir: tempfile::TempDir,
    file: PathBuf,
    folder: PathBuf,
    other: PathBuf,
    merged: PathBuf,
    rng: ChaCha8Rng,
    seed: u64,
    started: usize,
    kills: usize,
    in_use: usize,
    refused: usize,
    done: usize,
    /// Commands that did their work, by kind.
    done_by: BTreeMap<String, usize>,
    whole_checks: usize,
    /// Whether to say how each batch ended (`CONLAB_SOAK_VERBOSE=1`).
    verbose: bool,
    /// Whether a run-writing command was killed since a new run was last
    /// made whole: group rows whose run row never came may be there.
    killed_since_whole: bool,
}

/// A `runs.csv` or `groups.csv`: its complete rows by key, each once.
type Rows = BTreeMap<(usize, usize, String), Vec<String>>;

fn read_rows(path: &Path, group: bool, why: &str) -> Rows {
    let bytes = std::fs::read(path).unwrap_or_default();
    // A command killed mid-append leaves a row cut short: not a row.
    let complete = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(end) => &bytes[..=end],
        None => return Rows::new(),
    };
    let mut reader = csv::Reader::from_reader(complete);
    let headers = reader.headers().cloned().unwrap_or_default();
    let at = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{why}: {} has no {name}", path.display()))
    };
    let (cell, rep) = (at("cell"), at("repetition"));
    let group_at = group.then(|| at("group"));
    let mut rows = Rows::new();
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| panic!("{why}: {}: {e}", path.display()));
        let num = |i: usize| -> usize {
            record
                .get(i)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{why}: {}: {record:?}", path.display()))
        };
        let key = (
            num(cell),
            num(rep),
            group_at
                .and_then(|g| record.get(g))
                .unwrap_or("")
                .to_string(),
        );
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        assert!(
            rows.insert(key.clone(), fields).is_none(),
            "{why}: {} holds {key:?} twice",
            path.display()
        );
    }
    rows
}

/// The runs of the soaked folder, each `ok` and of a cell and repetition
/// of the experiment.
fn runs_of(folder: &Path, why: &str) -> Rows {
    let runs = read_rows(&folder.join("runs.csv"), false, why);
    for ((cell, rep, _), fields) in &runs {
        assert!(
            *cell < CELLS && (1..=REPETITIONS).contains(rep),
            "{why}: {fields:?}"
        );
        assert!(
            fields.iter().any(|f| f == "ok"),
            "{why}: a run not ok: {fields:?}"
        );
    }
    runs
}

/// Every file under `dir` (relative, `/`-separated), and whether it is a
/// temporary file.
fn files_in(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.insert(rel.to_string_lossy().into_owned());
            }
        }
    }
    out
}

fn manifest_files(dir: &Path, why: &str) -> BTreeSet<String> {
    let Ok(text) = std::fs::read_to_string(dir.join("conlab-manifest.json")) else {
        return BTreeSet::new();
    };
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{why}: the manifest: {e}"));
    json["files"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The number in `text` just before `what` (`3 measured runs kept`).
fn count_before(text: &str, what: &str) -> Option<usize> {
    let at = text.find(what)?;
    text[..at].split_whitespace().last()?.parse().ok()
}

impl Soak {
    fn new(seed: u64) -> Soak {
        let dir = tempdir();
        let file = write(dir.path(), "soak.toml", EXPERIMENT);
        let folder = dir.path().join("f");
        let other = dir.path().join("g");
        let merged = dir.path().join("m");
        let (code, stderr) = run_into(&file, &other, &[]);
        assert_eq!(code, 0, "{stderr}");
        Soak {
            dir,
            file,
            folder,
            other,
            merged,
            rng: ChaCha8Rng::seed_from_u64(seed),
            seed,
            started: 0,
            kills: 0,
            in_use: 0,
            refused: 0,
            done: 0,
            done_by: BTreeMap::new(),
            whole_checks: 0,
            verbose: std::env::var("CONLAB_SOAK_VERBOSE").is_ok_and(|v| v == "1"),
            killed_since_whole: false,
        }
    }

    fn command(&self, kind: Kind) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_conlab"));
        cmd.env("NO_COLOR", "1").current_dir(self.dir.path());
        let (file, f) = (&self.file, &self.folder);
        match kind {
            Kind::Run => cmd.arg("run").arg(file).arg("--out").arg(f),
            Kind::Resume => cmd.arg("run").arg(file).arg("--out").arg(f).arg("--resume"),
            Kind::Force => cmd.arg("run").arg(file).arg("--out").arg(f).arg("--force"),
            Kind::Plot => cmd.arg("plot").arg(f),
            Kind::Check => cmd.arg("check").arg(f),
            Kind::Merge => cmd
                .arg("merge")
                .arg(f)
                .arg(&self.other)
                .arg("--label")
                .arg(format!("a={}", f.display()))
                .arg("--label")
                .arg(format!("b={}", self.other.display()))
                .arg("--out")
                .arg(&self.merged)
                .arg("--force"),
        };
        cmd
    }

    /// Starts a batch of one to three commands, at random moments within
    /// 150 ms, some to be killed a little later; waits for them all.
    fn batch(&mut self, n: usize) -> Vec<(Kind, End, String)> {
        let mut ops: Vec<Op> = Vec::new();
        let begin = Instant::now();
        let mut starts: Vec<(Duration, Kind, Option<Duration>)> = (0..n)
            .map(|_| {
                let kind = KINDS[self.rng.random_range(0..KINDS.len())];
                let at = Duration::from_millis(self.rng.random_range(0..150));
                let kill = self
                    .rng
                    .random_bool(0.25)
                    .then(|| Duration::from_millis(self.rng.random_range(0..600)));
                (at, kind, kill)
            })
            .collect();
        starts.sort_by_key(|(at, _, _)| *at);
        for (i, (at, kind, kill)) in starts.into_iter().enumerate() {
            if let Some(wait) = at.checked_sub(begin.elapsed()) {
                std::thread::sleep(wait);
            }
            let stderr = self.dir.path().join(format!("stderr-{}-{i}", self.started));
            let file = std::fs::File::create(&stderr).unwrap_or_else(|e| panic!("{e}"));
            let child = self
                .command(kind)
                .stdout(Stdio::null())
                .stderr(file)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start conlab: {e}"));
            self.started += 1;
            ops.push(Op {
                kind,
                child,
                stderr,
                kill_at: kill.map(|k| Instant::now() + k),
                status: None,
            });
        }
        let deadline = Instant::now() + Duration::from_secs(300);
        while ops.iter().any(|o| o.status.is_none()) {
            assert!(
                Instant::now() < deadline,
                "a command never ended (seed {})",
                self.seed
            );
            for op in ops.iter_mut().filter(|o| o.status.is_none()) {
                if op.kill_at.is_some_and(|k| Instant::now() >= k) {
                    // Child::kill never signals a child it has reaped.
                    let _ = op.child.kill();
                    op.kill_at = None;
                }
                op.status = op.child.try_wait().unwrap_or_else(|e| panic!("{e}"));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        ops.into_iter()
            .map(|op| {
                let stderr = std::fs::read_to_string(&op.stderr).unwrap_or_default();
                let _ = std::fs::remove_file(&op.stderr);
                let status = op.status.unwrap_or_else(|| panic!("not ended"));
                (op.kind, self.end_of(op.kind, status, &stderr), stderr)
            })
            .collect()
    }

    /// How a command ended; fails the test on anything but its work done,
    /// a refusal on its list, or our SIGKILL.
    fn end_of(&self, kind: Kind, status: ExitStatus, stderr: &str) -> End {
        use std::os::unix::process::ExitStatusExt;
        let seed = self.seed;
        assert!(
            !stderr.contains("panicked"),
            "{kind:?} panicked (seed {seed}): {stderr}"
        );
        if status.signal() == Some(libc::SIGKILL) {
            return End::Killed;
        }
        match status.code() {
            Some(0) => End::Done,
            Some(2) if stderr.contains(" is being written by another conlab command (") => {
                assert!(
                    stderr.contains("(PID ") || stderr.contains("its PID is not recorded yet"),
                    "{stderr}"
                );
                End::InUse
            }
            Some(2) if stderr.contains(" is being read by other conlab commands") => End::InUse,
            Some(2) if kind.may_refuse().iter().any(|m| stderr.contains(m)) => End::Refused,
            other => panic!(
                "{kind:?} ended with {other:?} (seed {seed}, command {}): {stderr}",
                self.started
            ),
        }
    }

    /// Runs `ops` commands in batches, checking the folder after each.
    fn soak(&mut self, ops: usize) {
        while self.started < ops {
            let n = self.rng.random_range(1..=3).min(ops - self.started);
            let runs_before = runs_of(&self.folder, "before a batch");
            let ended = self.batch(n);
            let why = format!(
                "after commands {}..{} (seed {}): {:?}",
                self.started - n,
                self.started,
                self.seed,
                ended.iter().map(|(k, e, _)| (k, e)).collect::<Vec<_>>()
            );
            if self.verbose {
                eprintln!("soak: {why}");
            }
            for (kind, end, _) in &ended {
                match end {
                    End::Done => {
                        self.done += 1;
                        *self.done_by.entry(format!("{kind:?}")).or_default() += 1;
                    }
                    End::InUse => self.in_use += 1,
                    End::Refused => self.refused += 1,
                    End::Killed => self.kills += 1,
                }
            }
            if ended.iter().any(|(k, e, _)| k.runs() && *e == End::Killed) {
                self.killed_since_whole = true;
            }
            self.check(&ended, &runs_before, &why);
        }
    }

    /// The checks after a batch (see the module's header).
    fn check(&mut self, ended: &[(Kind, End, String)], runs_before: &Rows, why: &str) {
        let f = &self.folder;
        let runs = runs_of(f, why);
        let groups = read_rows(&f.join("groups.csv"), true, why);
        for (cell, rep, _) in runs.keys() {
            for g in groups_of(*cell) {
                assert!(
                    groups.contains_key(&(*cell, *rep, g.to_string())),
                    "{why}: run {cell}/{rep} lost its group {g}"
                );
            }
        }
        // summary.json never counts a run runs.csv does not hold.
        if let Ok(text) = std::fs::read_to_string(f.join("summary.json")) {
            let json: serde_json::Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{why}: {e}"));
            for cell in json["cells"].as_array().cloned().unwrap_or_default() {
                let index = cell["cell"].as_u64().unwrap_or(u64::MAX) as usize;
                let n = cell["n"].as_u64().unwrap_or(0) as usize;
                let held = runs.keys().filter(|(c, _, _)| *c == index).count();
                assert!(
                    n <= held,
                    "{why}: summary.json counts {n} runs of cell {index}, runs.csv holds {held}"
                );
            }
        }
        // Every file of conlab's names there is conlab's, listed.
        let listed = manifest_files(f, why);
        let present: BTreeSet<String> = files_in(f)
            .into_iter()
            .filter(|n| n != "conlab-manifest.json" && n != ".conlab-lock")
            .collect();
        let temporary = |n: &String| {
            n.rsplit('/')
                .next()
                .is_some_and(|b| b.starts_with(".conlab-tmp-"))
        };
        let unlisted: Vec<&String> = present
            .iter()
            .filter(|n| !temporary(n) && !listed.contains(*n))
            .collect();
        assert!(
            unlisted.is_empty(),
            "{why}: not in the manifest: {unlisted:?}"
        );
        // A run that ended alone: whole, and as it said.
        let writers: Vec<&(Kind, End, String)> = ended
            .iter()
            .filter(|(k, e, _)| k.runs() && matches!(e, End::Done | End::Killed))
            .collect();
        let any_killed = ended.iter().any(|(_, e, _)| *e == End::Killed);
        if let [(kind, End::Done, stderr)] = writers.as_slice()
            && !any_killed
        {
            self.whole_checks += 1;
            let total = CELLS * REPETITIONS;
            assert_eq!(
                runs.len(),
                total,
                "{why}: {kind:?} left {} runs",
                runs.len()
            );
            let group_rows: usize = (0..CELLS).map(|c| groups_of(c).len() * REPETITIONS).sum();
            assert_eq!(groups.len(), group_rows, "{why}: groups.csv");
            assert_eq!(listed, present, "{why}: the manifest");
            for cell in summary(f) {
                assert_eq!(cell["n"], REPETITIONS, "{why}: {cell}");
            }
            match kind {
                Kind::Resume => {
                    let kept = count_before(stderr, "measured run")
                        .unwrap_or_else(|| panic!("{why}: {stderr}"));
                    let to_do = count_before(stderr, "runs to do")
                        .or_else(|| count_before(stderr, "run to do"))
                        .unwrap_or_else(|| panic!("{why}: {stderr}"));
                    assert_eq!(kept, runs_before.len(), "{why}: {stderr}");
                    assert_eq!(kept + to_do, total, "{why}: {stderr}");
                    for (key, fields) in runs_before {
                        assert_eq!(runs.get(key), Some(fields), "{why}: run {key:?} changed");
                    }
                }
                _ => {
                    let measured = count_before(stderr, "runs measured")
                        .unwrap_or_else(|| panic!("{why}: {stderr}"));
                    assert_eq!(measured, total, "{why}: {stderr}");
                    self.killed_since_whole = false;
                }
            }
            if !self.killed_since_whole {
                // No group row without its run.
                for (cell, rep, g) in groups.keys() {
                    assert!(
                        runs.contains_key(&(*cell, *rep, String::new())),
                        "{why}: group {g} of run {cell}/{rep} without the run"
                    );
                }
            }
        }
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn soak(default_ops: usize) {
    let seed = env_number("CONLAB_SOAK_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    });
    let ops = env_number("CONLAB_SOAK_OPS").map_or(default_ops, |n| n as usize);
    eprintln!("soak: seed {seed} (CONLAB_SOAK_SEED={seed} repeats it), {ops} commands");
    let began = Instant::now();
    let mut s = Soak::new(seed);
    s.soak(ops);
    eprintln!(
        "soak: seed {seed}: {} commands in {:.1} s: {} did their work ({:?}), {} killed, {} refused as the folder was in use, {} refused for its state; {} whole-run checks",
        s.started,
        began.elapsed().as_secs_f64(),
        s.done,
        s.done_by,
        s.kills,
        s.in_use,
        s.refused,
        s.whole_checks
    );
    assert!(s.done > 0, "no command did its work (seed {seed})");
}

#[test]
fn soak_short_random_commands_on_one_folder_lose_and_duplicate_nothing() {
    let _cores = serial();
    soak(30);
}

#[test]
#[ignore = "a few minutes: cargo test --release --test e2e -- --ignored soak_long --nocapture"]
fn soak_long_random_commands_on_one_folder_lose_and_duplicate_nothing() {
    let _cores = serial();
    soak(300);
}
