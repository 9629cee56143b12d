//! The config loader against hostile input, on stable Rust: proptest feeds
//! [`from_text`] random bytes and random mutations of every experiment file
//! in `experiments/`, every fixture and the `conlab init` starter. Whatever
//! comes in, it must return — no panic, no abort, no hang. A short run is
//! part of the default tests; `cargo test --release -- --ignored
//! config::fuzz` runs 100,000 cases.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::from_text;

/// Every experiment file the repository ships, and the fixtures.
pub fn sample_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = vec![root.join("src/commands/starter.toml")];
    files.retain(|p| p.exists());
    for dir in ["experiments", "experiments/bench", "tests/fixtures"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// Pieces of experiment files and of hostile input, to splice in.
const TOKENS: &[&str] = &[
    "[[workload]]\n",
    "[[workload.group]]\n",
    "[workload.group]\n",
    "[[model]]\n",
    "[[chart]]\n",
    "[experiment]\n",
    "tasks = ",
    "rounds = 10000000\n",
    "tasks = [1000000, 999999]\n",
    "cpu_cost = \"6000h\"\n",
    "io_latency = { dist = \"uniform\", min = \"99999999h\", max = \"99999999h\" }\n",
    "io_latency = { dist = \"normal\", mean = \"1ms\", sd = \"9999h\" }\n",
    "workers = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n",
    "kind = \"python-processes\"\n",
    "x = \"io.rounds\"\n",
    "group = []\n",
    "name = \"\\u202e\\u001b[2J\"\n",
    "\"1+2ms\"",
    "99999999999999999999999",
    "-9223372036854775808",
    "1e308",
    "nan",
    "= [",
    "]",
    "{",
    "}",
    "\"",
    "'''",
    "\n",
    "=",
    ".",
    "#",
    "\u{202e}",
    "\u{1b}",
    "\0",
];

/// Values to put on the right of a `key = value` line: most mutations
/// should keep the file TOML, so the reader, not the TOML parser, meets
/// them.
const VALUES: &[&str] = &[
    "0",
    "-1",
    "1",
    "3",
    "1.5",
    "1e308",
    "nan",
    "true",
    "\"\"",
    "\" \"",
    "\"1+2ms\"",
    "\"_1__0_ms\"",
    "\"6000h\"",
    "\"99999999999h\"",
    "\"0ms\"",
    "\"1.5ns\"",
    "\"a.b\"",
    "\"io.rounds\"",
    "\"tasks\"",
    "\"\\u202e\\u001b[2J\"",
    "99999999999999999999999",
    "9223372036854775807",
    "[]",
    "[1, 1]",
    "[[1]]",
    "[1, 1000000, 999999]",
    "[\"1ms\", 2]",
    "{ dist = \"uniform\", min = \"5ms\", max = \"1ms\" }",
    "{ dist = \"normal\", mean = \"1ms\", sd = \"9999h\" }",
    "{ dist = \"exponential\", mean = \"0ms\" }",
    "{ dist = \"gauss\" }",
    "{ mean = \"1ms\" }",
    "\"python-processes\"",
    "\"thread\"",
    "\"./no-such-python\"",
];

/// Keys of every section, to put where another key was.
const KEYS: &[&str] = &[
    "name",
    "description",
    "repetitions",
    "warmup",
    "seed",
    "timeout",
    "python",
    "tasks",
    "io_latency",
    "cpu_cost",
    "rounds",
    "io",
    "group",
    "kind",
    "workers",
    "switch_interval",
    "poll_interval",
    "workload",
    "y",
    "x",
    "log_x",
    "log_y",
    "width",
    "height",
    "title",
    "predictions",
    "models",
    "dist",
    "min",
    "max",
    "mean",
    "sd",
    "speed",
];

/// One change to a file's bytes.
#[derive(Clone, Debug)]
enum Edit {
    /// Give the `key = value` line at this fraction of the lines another
    /// value.
    Value(f64, &'static str),
    /// Give it another key.
    Key(f64, &'static str),
    /// Replace the byte at this fraction of the length.
    Flip(f64, u8),
    Insert(f64, &'static str),
    Delete(f64, usize),
    /// Repeat the line at this fraction of the lines.
    Duplicate(f64),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    prop_oneof![
        4 => (at.clone(), proptest::sample::select(VALUES)).prop_map(|(a, v)| Edit::Value(a, v)),
        2 => (at.clone(), proptest::sample::select(KEYS)).prop_map(|(a, k)| Edit::Key(a, k)),
        1 => (at.clone(), any::<u8>()).prop_map(|(a, b)| Edit::Flip(a, b)),
        2 => (at.clone(), proptest::sample::select(TOKENS)).prop_map(|(a, t)| Edit::Insert(a, t)),
        1 => (at.clone(), 1..64usize).prop_map(|(a, n)| Edit::Delete(a, n)),
        2 => at.prop_map(Edit::Duplicate),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for e in edits {
        let at = |f: f64, len: usize| ((f * len as f64) as usize).min(len);
        match e {
            Edit::Value(f, new) | Edit::Key(f, new) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let lines: Vec<&str> = text.split('\n').collect();
                let assignments: Vec<usize> = (0..lines.len())
                    .filter(|&i| {
                        lines[i].contains(" = ") && !lines[i].trim_start().starts_with('#')
                    })
                    .collect();
                let Some(&line) = assignments.get(at(*f, assignments.len().saturating_sub(1)))
                else {
                    continue;
                };
                let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                if let Some((key, value)) = lines[line].split_once(" = ") {
                    out[line] = match e {
                        Edit::Value(..) => format!("{key} = {new}"),
                        _ => format!("{new} = {value}"),
                    };
                }
                bytes = out.join("\n").into_bytes();
            }
            Edit::Flip(f, b) => {
                let i = at(*f, bytes.len());
                if let Some(slot) = bytes.get_mut(i) {
                    *slot = *b;
                }
            }
            Edit::Insert(f, token) => {
                let i = at(*f, bytes.len());
                bytes.splice(i..i, token.bytes());
            }
            Edit::Delete(f, n) => {
                let i = at(*f, bytes.len());
                let end = (i + n).min(bytes.len());
                bytes.drain(i..end);
            }
            Edit::Duplicate(f) => {
                let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
                let i = at(*f, lines.len().saturating_sub(1));
                let mut out = Vec::with_capacity(bytes.len() * 2);
                for (j, line) in lines.iter().enumerate() {
                    out.extend_from_slice(line);
                    out.push(b'\n');
                    if j == i {
                        out.extend_from_slice(line);
                        out.push(b'\n');
                    }
                }
                bytes = out;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Only new values, which keep a file TOML.
fn value_edit() -> impl Strategy<Value = Edit> {
    (0.0..1.0f64, proptest::sample::select(VALUES)).prop_map(|(a, v)| Edit::Value(a, v))
}

/// The input of one case: random bytes, or a sample file with edits of
/// any kind, or with new values only (so that most reach the reader).
fn input(samples: Vec<String>) -> impl Strategy<Value = String> {
    let sample = proptest::sample::select(samples);
    prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..2048)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        2 => (sample.clone(), proptest::collection::vec(edit(), 1..8))
            .prop_map(|(text, edits)| apply(&text, &edits)),
        3 => (sample, proptest::collection::vec(value_edit(), 1..4))
            .prop_map(|(text, edits)| apply(&text, &edits)),
    ]
}

/// How long one file may take before it counts as a hang (debug builds
/// read a 2 KiB file in milliseconds).
const HANG: Duration = Duration::from_secs(20);

/// Reads `text` on another thread: a panic or a hang fails the case.
fn check(text: String) -> Result<(), TestCaseError> {
    let (tx, rx) = mpsc::channel();
    let shown = text.chars().take(2000).collect::<String>();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| {
            let _ = from_text("fuzz.toml", &text, "fuzz");
        });
        let _ = tx.send(outcome.is_ok());
    });
    match rx.recv_timeout(HANG) {
        Ok(true) => Ok(()),
        Ok(false) => Err(TestCaseError::fail(format!("panicked on:\n{shown}"))),
        Err(_) => Err(TestCaseError::fail(format!(
            "no answer in {HANG:?} for:\n{shown}"
        ))),
    }
}

fn fuzz(cases: u32) -> Duration {
    let samples: Vec<String> = sample_files()
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    assert!(
        samples.len() >= 10,
        "found only {} sample files",
        samples.len()
    );
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let started = Instant::now();
    let mut runner = TestRunner::new(config);
    if let Err(e) = runner.run(&input(samples), check) {
        panic!("{e}");
    }
    started.elapsed()
}

#[test]
fn hostile_files_get_an_answer_short() {
    fuzz(3_000);
}

#[test]
#[ignore = "long: 100,000 cases; run with --ignored"]
fn hostile_files_get_an_answer_long() {
    let cases = 100_000;
    let took = fuzz(cases);
    eprintln!("config fuzz: {cases} cases in {:.1} s", took.as_secs_f64());
}

#[test]
fn edits_apply_where_they_say() {
    let text = "a\nb\n";
    assert_eq!(apply(text, &[Edit::Duplicate(0.0)]), "a\na\nb\n\n");
    assert_eq!(
        apply(text, &[Edit::Insert(1.0, "[[model]]\n")]),
        "a\nb\n[[model]]\n"
    );
    assert_eq!(apply(text, &[Edit::Delete(0.0, 2)]), "b\n");
    assert_eq!(apply(text, &[Edit::Flip(0.0, b'z')]), "z\nb\n");
    let file = "# a = 1\ntasks = 3\nkind = \"x\"\n";
    assert_eq!(
        apply(file, &[Edit::Value(1.0, "[]")]),
        "# a = 1\ntasks = 3\nkind = []\n"
    );
    assert_eq!(
        apply(file, &[Edit::Key(0.0, "rounds")]),
        "# a = 1\nrounds = 3\nkind = \"x\"\n"
    );
}
