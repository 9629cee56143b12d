//! Issue 8, item 11 (the results half): a small real results folder
//! (`tests/fixtures/results-tiny`, written by `conlab run` on
//! `tests/fixtures/tiny.toml`) corrupted at random, then loaded, planned,
//! drawn, reported and compared the way `conlab plot` and `conlab
//! compare` do. Whatever the corruption, that must end in charts or in an
//! error that names a file: never a panic (in the chart code too, where
//! rendering would turn it into a missing chart), an abort or a hang.
//!
//! Corruptions: a file removed, truncated or with a byte changed; a JSON
//! value replaced by a hostile one (huge, negative, NaN or infinite
//! numbers, numbers out of range, long, Korean, control or bidi text,
//! other types), a key dropped or an element repeated (up to 2,000 times); a `runs.csv` field
//! replaced or a row repeated; a `[[chart]]` entry added to the
//! experiment file as run. One to four of them per case.
//!
//! The short run is part of `cargo test`; the long one (100,000 cases) is
//! `cargo test --release -- --ignored results_fuzz_long`. Both draw the SVG
//! of every chart and skip the PNG, which takes most of the time and
//! shares all layout code with the SVG; the end-to-end tests render PNGs
//! of corrupted folders with the real binary.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRunner};

use super::draw_charts;
use crate::plot::charts::Chart;
use crate::plot::charts::compare::Comparison;
use crate::plot::kit::svg;
use crate::plot::{self, ChartError, ChartJob, Rendered};
use crate::report::{self, ReportInput, compare as show};
use crate::results::{LoadError, Results, compare};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/results-tiny");

/// The longest one case may take: far more than any case needs (a few
/// milliseconds to a second), far less than a hang.
const CASE_LIMIT: Duration = Duration::from_secs(30);

/// The fixture's files: path relative to the folder, and content.
fn fixture() -> &'static [(PathBuf, Vec<u8>)] {
    static FILES: OnceLock<Vec<(PathBuf, Vec<u8>)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let root = Path::new(FIXTURE);
        let mut files = Vec::new();
        let mut dirs = vec![root.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            let entries = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    let bytes = std::fs::read(&path)
                        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                    let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                    files.push((relative, bytes));
                }
            }
        }
        files.sort();
        files
    })
}

/// Numbers no run of conlab writes, as JSON and CSV write them: huge,
/// negative, out of range for the field's type, tiny.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "-0.001",
    "1",
    "1.5",
    "3",
    "64",
    "65",
    "123456.789",
    "1000000",
    "1000001",
    "10000000",
    "10000001",
    "1000000000000",
    "4000000000",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "1e308",
    "1.7976931348623157e308",
    "5e-324",
    "1e-300",
];

/// Tokens in the place of a value that are not what the field holds:
/// numbers JSON cannot hold, NaN and infinities, other types, nothing.
const TOKENS: &[&str] = &[
    "1e999", "-1e999", "NaN", "nan", "inf", "-inf", "Infinity", "0x10", "true", "null", "[]", "{}",
    "[1, 2]", "\"\"", "",
];

fn texts() -> Vec<String> {
    vec![
        String::new(),
        " ".to_string(),
        "가".repeat(60),
        "입출력 대기 ".repeat(40),
        "🚀👩‍👩‍👧".repeat(8),
        "\u{1b}[31mred\u{1b}]8;;x\u{7}".to_string(),
        "\u{202e}abc\u{2066}".to_string(),
        "a\nb\r\nc\u{0}".to_string(),
        "x".repeat(10_000),
        "word ".repeat(5_000),
        "\u{301}".repeat(2_000),
        "sequential".to_string(),
        "gil-threads".to_string(),
        "python-threads".to_string(),
        "bogus".to_string(),
        "io".to_string(),
        "mixed".to_string(),
        "pool".to_string(),
        "tasks".to_string(),
        "tasks;workers;rounds;io_latency;poll_interval".to_string(),
        "tasks;tasks".to_string(),
        "unknown_axis".to_string(),
        "io.rounds".to_string(),
        "tcp".to_string(),
        "ok".to_string(),
        "failed".to_string(),
        "timed_out".to_string(),
        "skipped".to_string(),
        "pending".to_string(),
        "cpu".to_string(),
        "lock_wait".to_string(),
        "1ms".to_string(),
        "-1ms".to_string(),
        "6000h".to_string(),
        "exp(mean 2ms)".to_string(),
    ]
}

/// Which of a [`Hostile`]'s values takes a field's place.
#[derive(Clone, Copy, Debug)]
enum Pick {
    Number,
    Text,
    Token,
}

/// A value no run of conlab writes. Most of the time one of the kind the
/// field holds (a number for a number), so that the file still parses
/// and the value reaches the checks and the charts; else the one `pick`
/// names.
#[derive(Clone)]
struct Hostile {
    number: &'static str,
    text: String,
    token: &'static str,
    same_kind: bool,
    pick: Pick,
}

impl std::fmt::Debug for Hostile {
    /// Long texts shortened, so that a failing case reads on one screen.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text: String = self.text.chars().take(24).collect();
        f.debug_struct("Hostile")
            .field("number", &self.number)
            .field("text", &format!("{text:?}… ({} bytes)", self.text.len()))
            .field("token", &self.token)
            .field("same_kind", &self.same_kind)
            .field("pick", &self.pick)
            .finish()
    }
}

impl Hostile {
    fn picked(&self, text: String) -> String {
        match self.pick {
            Pick::Number => self.number.to_string(),
            Pick::Text => text,
            Pick::Token => self.token.to_string(),
        }
    }

    /// In the place of a JSON value that was `old`, as JSON text.
    fn json(&self, old: &serde_json::Value) -> String {
        let text = serde_json::Value::String(self.text.clone()).to_string();
        match (self.same_kind, old) {
            (true, serde_json::Value::Number(_)) => self.number.to_string(),
            (true, serde_json::Value::String(_)) => text,
            _ => self.picked(text),
        }
    }

    /// In the place of a CSV field that was `old`. A number's place may
    /// get NaN or an infinity too: CSV readers parse them as numbers.
    fn csv(&self, old: &str) -> String {
        let numeric = !old.is_empty() && old.parse::<f64>().is_ok();
        match (self.same_kind, numeric, self.pick) {
            (true, true, Pick::Token) => self.token.to_string(),
            (true, true, _) => self.number.to_string(),
            (true, false, _) => self.text.clone(),
            (false, _, _) => self.picked(self.text.clone()),
        }
    }
}

fn hostile() -> impl Strategy<Value = Hostile> {
    (
        prop::sample::select(NUMBERS),
        prop::sample::select(texts()),
        prop::sample::select(TOKENS),
        prop::bool::weighted(0.8),
        prop_oneof![Just(Pick::Number), Just(Pick::Text), Just(Pick::Token)],
    )
        .prop_map(|(number, text, token, same_kind, pick)| Hostile {
            number,
            text,
            token,
            same_kind,
            pick,
        })
}

/// One corruption. File and position choices are indexes into whatever
/// is there when the mutation applies.
#[derive(Clone, Debug)]
enum Mutation {
    Remove(Index),
    Truncate(Index, Index),
    SetByte(Index, Index, u8),
    JsonValue(Option<Index>, Index, Hostile),
    JsonDropKey(Option<Index>, Index),
    JsonRepeat(Option<Index>, Index, usize),
    CsvField(Index, Index, Hostile),
    CsvRepeatRow(Index),
    Chart(String),
}

fn chart_entry() -> impl Strategy<Value = String> {
    let workload = prop::sample::select(vec!["io", "mixed", "none", ""]);
    let y = prop::sample::select(vec![
        "wall",
        "cpu",
        "speedup",
        "efficiency",
        "ctx_switches",
        "peak_rss",
    ]);
    let x = prop::sample::select(vec![
        "",
        "tasks",
        "workers",
        "rounds",
        "io_latency",
        "cpu_cost",
    ]);
    let size = prop::sample::select(vec![
        (200u32, 150u32),
        (1200, 800),
        (640, 8000),
        (8000, 300),
    ]);
    let models = prop::sample::select(vec!["", "[]", "[\"pool\"]", "[\"async\", \"nothing\"]"]);
    (
        workload,
        y,
        x,
        any::<Option<bool>>(),
        any::<bool>(),
        size,
        models,
    )
        .prop_map(|(w, y, x, log_x, log_y, (width, height), models)| {
            let mut s = format!("\n[[chart]]\nworkload = \"{w}\"\ny = \"{y}\"\n");
            if !x.is_empty() {
                s.push_str(&format!("x = \"{x}\"\n"));
            }
            if let Some(b) = log_x {
                s.push_str(&format!("log_x = {b}\n"));
            }
            s.push_str(&format!(
                "log_y = {log_y}\nwidth = {width}\nheight = {height}\n"
            ));
            if !models.is_empty() {
                s.push_str(&format!("models = {models}\n"));
            }
            s
        })
}

/// `summary.json` (`None`) half of the time, else any JSON file.
fn json_file() -> impl Strategy<Value = Option<Index>> {
    prop_oneof![Just(None), any::<Index>().prop_map(Some)]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => any::<Index>().prop_map(Mutation::Remove),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(f, at)| Mutation::Truncate(f, at)),
        1 => (any::<Index>(), any::<Index>(), any::<u8>())
            .prop_map(|(f, at, b)| Mutation::SetByte(f, at, b)),
        8 => (json_file(), any::<Index>(), hostile())
            .prop_map(|(f, leaf, v)| Mutation::JsonValue(f, leaf, v)),
        1 => (json_file(), any::<Index>()).prop_map(|(f, k)| Mutation::JsonDropKey(f, k)),
        1 => (json_file(), any::<Index>(), prop::sample::select(vec![1usize, 10, 2_000]))
            .prop_map(|(f, k, times)| Mutation::JsonRepeat(f, k, times)),
        4 => (any::<Index>(), any::<Index>(), hostile())
            .prop_map(|(r, c, v)| Mutation::CsvField(r, c, v)),
        1 => any::<Index>().prop_map(Mutation::CsvRepeatRow),
        1 => chart_entry().prop_map(Mutation::Chart),
    ]
}

/// The folder as files in memory, mutated, then written out.
struct Folder {
    files: Vec<(PathBuf, Vec<u8>)>,
}

/// Every leaf of `v` (numbers, strings, booleans, nulls), depth first,
/// as JSON pointers.
fn leaves(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                leaves(item, format!("{at}/{i}"), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, item) in map {
                leaves(item, format!("{at}/{}", pointer_key(k)), out);
            }
        }
        _ => out.push(at),
    }
}

fn pointer_key(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

/// Every object (for dropping a key) or array (for repeating an element)
/// of `v`, as JSON pointers.
fn containers(v: &serde_json::Value, at: String, arrays: bool, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Array(items) => {
            if arrays && !items.is_empty() {
                out.push(at.clone());
            }
            for (i, item) in items.iter().enumerate() {
                containers(item, format!("{at}/{i}"), arrays, out);
            }
        }
        serde_json::Value::Object(map) => {
            if !arrays && !map.is_empty() {
                out.push(at.clone());
            }
            for (k, item) in map {
                containers(item, format!("{at}/{}", pointer_key(k)), arrays, out);
            }
        }
        _ => {}
    }
}

impl Folder {
    fn pristine() -> Folder {
        Folder {
            files: fixture().to_vec(),
        }
    }

    fn json_files(&self) -> Vec<usize> {
        (0..self.files.len())
            .filter(|&i| self.files[i].0.extension().is_some_and(|e| e == "json"))
            .collect()
    }

    /// Edits a JSON file: `summary.json` for `None`, else one of them.
    fn edit_json(
        &mut self,
        file: &Option<Index>,
        edit: impl FnOnce(&mut serde_json::Value) -> Option<String>,
    ) {
        let candidates = self.json_files();
        if candidates.is_empty() {
            return;
        }
        let summary = candidates
            .iter()
            .copied()
            .find(|&i| self.files[i].0 == Path::new("summary.json"));
        let i = match (file, summary) {
            (None, Some(i)) => i,
            (Some(_), _) | (None, None) => {
                candidates[file.as_ref().map_or(0, |f| f.index(candidates.len()))]
            }
        };
        let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&self.files[i].1) else {
            return;
        };
        if let Some(text) = edit(&mut value) {
            self.files[i].1 = text.into_bytes();
        }
    }

    fn apply(&mut self, m: &Mutation) {
        let n = self.files.len();
        match m {
            Mutation::Remove(f) if n > 0 => {
                self.files.remove(f.index(n));
            }
            Mutation::Truncate(f, at) if n > 0 => {
                let bytes = &mut self.files[f.index(n)].1;
                let len = bytes.len();
                bytes.truncate(at.index(len.max(1)));
            }
            Mutation::SetByte(f, at, b) if n > 0 => {
                let bytes = &mut self.files[f.index(n)].1;
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    bytes[i] = *b;
                }
            }
            Mutation::JsonValue(f, leaf, value) => self.edit_json(f, |v| {
                const MARK: &str = "\u{1}HOSTILE\u{1}";
                let mut all = Vec::new();
                leaves(v, String::new(), &mut all);
                if all.is_empty() {
                    return None;
                }
                let target = v.pointer_mut(&all[leaf.index(all.len())])?;
                let replacement = value.json(target);
                *target = serde_json::Value::String(MARK.to_string());
                let mark = serde_json::Value::String(MARK.to_string()).to_string();
                Some(v.to_string().replacen(&mark, &replacement, 1))
            }),
            Mutation::JsonDropKey(f, k) => self.edit_json(f, |v| {
                let mut objects = Vec::new();
                containers(v, String::new(), false, &mut objects);
                if objects.is_empty() {
                    return None;
                }
                let at = &objects[k.index(objects.len())];
                let map = v.pointer_mut(at)?.as_object_mut()?;
                let key = map.keys().nth(k.index(map.len()))?.clone();
                map.remove(&key);
                Some(v.to_string())
            }),
            Mutation::JsonRepeat(f, k, times) => self.edit_json(f, |v| {
                let mut arrays = Vec::new();
                containers(v, String::new(), true, &mut arrays);
                if arrays.is_empty() {
                    return None;
                }
                let at = &arrays[k.index(arrays.len())];
                let items = v.pointer_mut(at)?.as_array_mut()?;
                let item = items[k.index(items.len())].clone();
                items.extend(std::iter::repeat_n(item, *times));
                Some(v.to_string())
            }),
            Mutation::CsvField(row, col, value) => self.edit_runs(|records| {
                if records.len() < 2 {
                    return;
                }
                let r = 1 + row.index(records.len() - 1);
                let c = col.index(records[r].len().max(1));
                if let Some(field) = records[r].get_mut(c) {
                    *field = value.csv(field);
                }
            }),
            Mutation::CsvRepeatRow(row) => self.edit_runs(|records| {
                if records.len() >= 2 {
                    let r = 1 + row.index(records.len() - 1);
                    records.push(records[r].clone());
                }
            }),
            Mutation::Chart(entry) => {
                if let Some((_, bytes)) = self
                    .files
                    .iter_mut()
                    .find(|(p, _)| p == Path::new("experiment.toml"))
                {
                    bytes.extend_from_slice(entry.as_bytes());
                }
            }
            _ => {}
        }
    }

    /// Edits `runs.csv` as rows of fields (the header first).
    fn edit_runs(&mut self, edit: impl FnOnce(&mut Vec<Vec<String>>)) {
        let Some((_, bytes)) = self
            .files
            .iter_mut()
            .find(|(p, _)| p == Path::new("runs.csv"))
        else {
            return;
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes.as_slice());
        let mut records: Vec<Vec<String>> = Vec::new();
        for r in reader.records() {
            let Ok(r) = r else { return };
            records.push(r.iter().map(str::to_string).collect());
        }
        edit(&mut records);
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        for r in &records {
            if writer.write_record(r).is_err() {
                return;
            }
        }
        if let Ok(out) = writer.into_inner() {
            *bytes = out;
        }
    }

    fn write(&self, dir: &Path) {
        for (relative, bytes) in &self.files {
            let path = dir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
            }
            std::fs::write(&path, bytes)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        }
    }
}

/// Draws a chart's SVG only (see the module header).
fn svg_only(job: &ChartJob, input: &plot::Input) -> Result<Rendered, ChartError> {
    Ok(Rendered {
        job: job.clone(),
        png: Vec::new(),
        svg: svg((job.width, job.height), &Chart { job, input })?,
    })
}

/// What `conlab plot` does with the folder in `dir`, but the PNGs and
/// the writes, then what `conlab compare` does with it and the fixture;
/// whether the folder loaded.
fn exercise(dir: &Path) -> Result<bool, TestCaseError> {
    let results = match Results::load(dir) {
        Ok(r) => r,
        Err(e) => {
            let message = e.to_string();
            let names_a_path = message.contains(&dir.display().to_string());
            prop_assert!(names_a_path, "the error names no file: {message}");
            prop_assert!(
                matches!(e, LoadError::NotResults { .. }) || message.contains("= help:"),
                "the error has no help: {message}"
            );
            return Ok(false);
        }
    };
    let (drawn, failures, _) = draw_charts(dir, &results, svg_only);
    for (_, stem, why) in &failures {
        prop_assert!(!why.contains("panicked"), "chart {stem} {why}");
    }
    let charts: Vec<Rendered> = drawn.into_iter().map(|(_, r)| r).collect();
    let missing: Vec<(String, String)> = failures
        .into_iter()
        .map(|(_, stem, why)| (stem, why))
        .collect();
    // Claims and crossovers are judged on whatever loads.
    let claims = crate::results::claims::judge_all(
        &super::claim_specs(dir, &results),
        crate::results::claims::Measured {
            cells: &results.summary.cells,
            runs: &results.runs,
            groups: &results.groups,
        },
    );
    let crossovers = crate::results::crossovers::find(&results.summary.cells, &results.runs);
    let reports = report::render(&ReportInput {
        results: &results,
        charts: &charts,
        chart_failures: &missing,
        claims: &claims,
        crossovers: &crossovers,
    });
    prop_assert_eq!(reports.len(), 3);

    let pristine = match Results::load(Path::new(FIXTURE)) {
        Ok(r) => r,
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "the fixture does not load: {e}"
            )));
        }
    };
    for (a, b) in [(&results, &pristine), (&pristine, &results)] {
        let rows = compare::compare(&a.summary.cells, &a.runs, &b.summary.cells, &b.runs);
        let _ = show::render_table(&rows);
        let _ = show::render_markdown("a", "b", &rows, Some("compare.png"));
        let chart = Comparison {
            a: "a",
            b: "b",
            rows: &rows,
        };
        if let Err(e) = svg(chart.size(), &chart) {
            prop_assert!(
                !e.to_string().contains("panicked"),
                "the comparison chart: {e}"
            );
        }
    }
    Ok(true)
}

/// Ends the test process if one case runs longer than [`CASE_LIMIT`],
/// saying which corruptions it was: a hang is a failure, not a test that
/// never ends.
struct Watchdog {
    current: Arc<Mutex<Option<(Instant, String)>>>,
}

impl Watchdog {
    fn start() -> Watchdog {
        let current: Arc<Mutex<Option<(Instant, String)>>> = Arc::new(Mutex::new(None));
        let watched = Arc::downgrade(&current);
        std::thread::spawn(move || {
            while let Some(current) = watched.upgrade() {
                if let Some((since, what)) = &*current.lock().unwrap_or_else(|e| e.into_inner())
                    && since.elapsed() > CASE_LIMIT
                {
                    eprintln!(
                        "results fuzz: one case has run for {:?}, longer than {CASE_LIMIT:?}: {what}",
                        since.elapsed()
                    );
                    std::process::exit(101);
                }
                drop(current);
                std::thread::sleep(Duration::from_millis(250));
            }
        });
        Watchdog { current }
    }

    fn begin(&self, what: String) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), what));
    }

    fn end(&self) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Runs `cases` random corruptions of the fixture; returns how many
/// loaded (and so were drawn).
fn fuzz(cases: u32) -> u32 {
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"));
    let loaded = AtomicU32::new(0);
    let case = AtomicU32::new(0);
    let watch = Watchdog::start();
    let strategy = prop::collection::vec(mutation(), 1..=3);
    let outcome = runner.run(&strategy, |mutations| {
        let n = case.fetch_add(1, Ordering::Relaxed);
        let dir = work.path().join(format!("case-{n}"));
        let mut folder = Folder::pristine();
        for m in &mutations {
            folder.apply(m);
        }
        folder.write(&dir);
        watch.begin(format!("{mutations:?}"));
        let result = exercise(&dir);
        watch.end();
        let _ = std::fs::remove_dir_all(&dir);
        if result? {
            loaded.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    loaded.into_inner()
}

#[test]
fn the_fixture_loads_and_draws_every_chart() {
    let dir = Path::new(FIXTURE);
    let results = match Results::load(dir) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let (drawn, failures, note) = draw_charts(dir, &results, svg_only);
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(note, None);
    assert_eq!(drawn.len(), 24);
}

#[test]
fn results_fuzz_short() {
    let loaded = fuzz(200);
    assert!(
        loaded > 0,
        "no corrupted folder loaded: the fuzz reaches no chart"
    );
}

/// `cargo test --release -- --ignored results_fuzz_long --nocapture`;
/// `CONLAB_FUZZ_CASES=N` runs N cases instead.
#[test]
#[ignore = "long: 100,000 corrupted results folders"]
fn results_fuzz_long() {
    let started = Instant::now();
    let cases = std::env::var("CONLAB_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let loaded = fuzz(cases);
    eprintln!(
        "results fuzz: {cases} cases ({loaded} loaded and drawn) in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}
