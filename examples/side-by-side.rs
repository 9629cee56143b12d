//! The side-by-side benchmark: conlab's models against the bare programs
//! they stand for (`examples/reference-*.rs`), on this machine, in one go.
//!
//! ```text
//! cargo run --release --features reference-programs --example side-by-side -- [--rounds 5] [--sizes 10,1000,10000,100000,1000000]
//!     [--latency-ms 100] [--max-run-s 10] [--csv FILE] [--no-build]
//! ```
//!
//! It first builds `conlab` and the reference programs (release), then
//! runs a warm-up round that is thrown away and `--rounds` measured rounds.
//! In each round and at each size, conlab runs its models through
//! `conlab run` (a generated experiment, one repetition, the numbers a
//! user of conlab reads in `runs.csv` and `groups.csv`) and each reference
//! runs once; which side goes first alternates from round to round, so
//! drift in the machine's load spreads over both. It prints, per model and
//! size, the medians of wall time, peak RSS and the median wake-up delay
//! of both sides and their ratios (conlab / reference).
//!
//! Pairs: `async` with tokio's current-thread runtime, `async-multi` with
//! its multi-thread runtime (each twice: with tokio's own timer, the idiom,
//! which rounds sleeps up by about a millisecond, and with conlab's precise
//! timer, which isolates the rest of the harness), `threads` with a thread
//! per task, `thread-pool` with a rayon pool, `sequential` with a
//! `clock_nanosleep` loop. `threads` runs only up to the thread limit
//! conlab works out (its cell is skipped past it, and the reference is
//! not run); `thread-pool` and `sequential` only where their ideal time is
//! at most `--max-run-s`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use conlab::reference::Report;

/// One measured run of either side.
#[derive(Clone, Debug)]
struct Sample {
    wall_ms: f64,
    rss_kb: f64,
    wake_p50_us: Option<f64>,
    cpu_ms: f64,
}

/// A conlab model and the references it is held against.
struct Pair {
    kind: &'static str,
    references: Vec<(&'static str, Vec<String>)>,
}

struct Options {
    rounds: u32,
    sizes: Vec<u64>,
    latency_ns: u64,
    max_run_ns: u64,
    csv: Option<PathBuf>,
    build: bool,
}

fn parse_options() -> Result<Options, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut o = Options {
        rounds: 5,
        sizes: vec![10, 1_000, 10_000, 100_000, 1_000_000],
        latency_ns: 100_000_000,
        max_run_ns: 10_000_000_000,
        csv: None,
        build: true,
    };
    let mut i = 0;
    while i < args.len() {
        let value = || {
            args.get(i + 1)
                .cloned()
                .ok_or_else(|| format!("{} needs a value", args[i]))
        };
        let number = |v: String| v.parse::<u64>().map_err(|e| format!("{v:?}: {e}"));
        match args[i].as_str() {
            "--rounds" => o.rounds = number(value()?)? as u32,
            "--latency-ms" => o.latency_ns = number(value()?)? * 1_000_000,
            "--max-run-s" => o.max_run_ns = number(value()?)? * 1_000_000_000,
            "--csv" => o.csv = Some(PathBuf::from(value()?)),
            "--sizes" => {
                o.sizes = value()?
                    .split(',')
                    .map(|s| number(s.replace('_', "")))
                    .collect::<Result<_, _>>()?
            }
            "--no-build" => {
                o.build = false;
                i += 1;
                continue;
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
        i += 2;
    }
    if o.rounds == 0 {
        return Err("--rounds must be at least 1".into());
    }
    Ok(o)
}

fn main() {
    let options = match parse_options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&options) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| {
            let parts: Vec<&str> = l.split_whitespace().take(3).collect();
            (parts.len() == 3).then(|| parts.join(" "))
        })
        .unwrap_or_else(|| "unknown".into())
}

fn build() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "--features",
            "reference-programs",
            "--bin",
            "conlab",
            "--examples",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo build failed: {status}"))
    }
}

fn run(o: &Options) -> Result<(), String> {
    if o.build {
        build()?;
    }
    let examples = std::env::current_exe()
        .map_err(|e| format!("cannot find this program: {e}"))?
        .parent()
        .map(Path::to_path_buf)
        .ok_or("this program has no directory")?;
    let conlab = examples
        .parent()
        .map(|p| p.join("conlab"))
        .ok_or("no target directory")?;
    if !conlab.exists() {
        return Err(format!(
            "{} is missing: build it with cargo build --release",
            conlab.display()
        ));
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let scratch = std::env::temp_dir().join(format!("conlab-side-by-side-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let outcome = measure(o, &examples, &conlab, workers, &scratch);
    // Only this program's own folder, which it just created.
    let _ = std::fs::remove_dir_all(&scratch);
    outcome
}

fn pairs() -> Vec<Pair> {
    let v = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        Pair {
            kind: "async",
            references: vec![
                ("tokio current-thread", v(&["reference-tokio", "current"])),
                (
                    "tokio current-thread, precise timer",
                    v(&["reference-tokio", "current", "--precise"]),
                ),
            ],
        },
        Pair {
            kind: "async-multi",
            references: vec![
                ("tokio multi-thread", v(&["reference-tokio", "multi"])),
                (
                    "tokio multi-thread, precise timer",
                    v(&["reference-tokio", "multi", "--precise"]),
                ),
            ],
        },
        Pair {
            kind: "threads",
            references: vec![("std::thread per task", v(&["reference-threads"]))],
        },
        Pair {
            kind: "thread-pool",
            references: vec![("rayon pool", v(&["reference-pool"]))],
        },
        Pair {
            kind: "sequential",
            references: vec![("clock_nanosleep loop", v(&["reference-sequential"]))],
        },
    ]
}

/// Whether `kind` is worth running at `tasks` (its ideal time is short
/// enough).
fn runs_at(kind: &str, tasks: u64, o: &Options, workers: usize) -> bool {
    let ideal = match kind {
        "sequential" => tasks.saturating_mul(o.latency_ns),
        "thread-pool" => tasks.div_ceil(workers as u64).saturating_mul(o.latency_ns),
        _ => o.latency_ns,
    };
    ideal <= o.max_run_ns
}

type Key = (String, u64, String);

fn measure(
    o: &Options,
    examples: &Path,
    conlab: &Path,
    workers: usize,
    scratch: &Path,
) -> Result<(), String> {
    let load_start = load();
    let started = std::time::Instant::now();
    let pairs = pairs();
    // (kind or reference label, tasks, side) → samples over the rounds.
    let mut samples: HashMap<Key, Vec<Sample>> = HashMap::new();
    // Cells conlab skipped (past the thread limit): no reference either.
    let mut skipped: Vec<(String, u64)> = Vec::new();
    let mut csv = String::from("round,tasks,side,name,wall_ms,peak_rss_kb,wake_p50_us,cpu_ms\n");
    for round in 0..=o.rounds {
        for &tasks in &o.sizes {
            let kinds: Vec<&str> = pairs
                .iter()
                .map(|p| p.kind)
                .filter(|k| runs_at(k, tasks, o, workers))
                .collect();
            let conlab_first = round % 2 == 0;
            let mut sides = [true, false];
            if !conlab_first {
                sides.reverse();
            }
            for side_is_conlab in sides {
                if side_is_conlab {
                    let dir = scratch.join(format!("r{round}-n{tasks}"));
                    let found = run_conlab(conlab, &dir, &kinds, tasks, o.latency_ns)?;
                    for (kind, sample) in found {
                        match sample {
                            Some(s) => {
                                csv_row(&mut csv, round, tasks, "conlab", &kind, &s);
                                if round > 0 {
                                    samples
                                        .entry((kind, tasks, "conlab".into()))
                                        .or_default()
                                        .push(s);
                                }
                            }
                            None => {
                                if !skipped.contains(&(kind.clone(), tasks)) {
                                    skipped.push((kind, tasks));
                                }
                            }
                        }
                    }
                } else {
                    for pair in pairs.iter().filter(|p| kinds.contains(&p.kind)) {
                        if skipped.contains(&(pair.kind.to_string(), tasks))
                            || (pair.kind == "threads" && round == 0 && !conlab_first)
                        {
                            continue;
                        }
                        for (label, command) in &pair.references {
                            let s = run_reference(examples, command, tasks, o.latency_ns)?;
                            csv_row(&mut csv, round, tasks, "reference", label, &s);
                            if round > 0 {
                                samples
                                    .entry((label.to_string(), tasks, "reference".into()))
                                    .or_default()
                                    .push(s);
                            }
                        }
                    }
                }
            }
            eprintln!(
                "round {round}/{} ({}), {tasks} tasks done, load {}",
                o.rounds,
                if round == 0 { "warm-up" } else { "measured" },
                load()
            );
        }
    }
    if let Some(path) = &o.csv {
        std::fs::write(path, &csv).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    print_table(o, &pairs, &samples, &skipped, workers);
    println!(
        "\n{} measured rounds (after one warm-up round), {} ms each wait, {workers} workers; \
         load average (1, 5, 15 min) {load_start} at the start, {} at the end; {:.0} s in all.",
        o.rounds,
        o.latency_ns / 1_000_000,
        load(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn csv_row(csv: &mut String, round: u32, tasks: u64, side: &str, name: &str, s: &Sample) {
    csv.push_str(&format!(
        "{round},{tasks},{side},{name:?},{:.3},{},{},{:.3}\n",
        s.wall_ms,
        s.rss_kb,
        s.wake_p50_us.map_or(String::new(), |w| format!("{w:.1}")),
        s.cpu_ms
    ));
}

fn run_reference(
    examples: &Path,
    command: &[String],
    tasks: u64,
    latency_ns: u64,
) -> Result<Sample, String> {
    let (program, args) = command.split_first().ok_or("empty command")?;
    let mut cmd = Command::new(examples.join(program));
    // The flavor comes first, then the sizes, then the flags.
    let (flavor, flags): (Vec<&String>, Vec<&String>) =
        args.iter().partition(|a| !a.starts_with("--"));
    cmd.args(flavor)
        .arg(tasks.to_string())
        .arg(latency_ns.to_string())
        .args(flags);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{program} {tasks} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let report: Report = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("{program}: unreadable report: {e}"))?;
    Ok(Sample {
        wall_ms: report.wall_ns as f64 / 1e6,
        rss_kb: report.peak_rss_kb as f64,
        wake_p50_us: report.wake_p50_ns.map(|n| n as f64 / 1e3),
        cpu_ms: (report.user_ns + report.sys_ns) as f64 / 1e6,
    })
}

/// Runs `kinds` at `tasks` through `conlab run`, one repetition each;
/// returns each kind's run, or None where conlab skipped the cell.
fn run_conlab(
    conlab: &Path,
    dir: &Path,
    kinds: &[&str],
    tasks: u64,
    latency_ns: u64,
) -> Result<Vec<(String, Option<Sample>)>, String> {
    let mut text = format!(
        "[experiment]\nname = \"side-by-side\"\nrepetitions = 1\nwarmup = 0\ntimeout = \"5m\"\n\n\
         [[workload]]\nname = \"io\"\ntasks = {tasks}\nio_latency = \"{}ms\"\n",
        latency_ns / 1_000_000
    );
    for kind in kinds {
        text.push_str(&format!("\n[[model]]\nkind = \"{kind}\"\n"));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join("side-by-side.toml");
    std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
    let out_dir = dir.join("out");
    let out = Command::new(conlab)
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .arg("--quiet")
        .output()
        .map_err(|e| format!("cannot run conlab: {e}"))?;
    let runs = read_csv(&out_dir.join("runs.csv")).map_err(|e| {
        format!(
            "{e} (conlab said: {})",
            String::from_utf8_lossy(&out.stderr).trim()
        )
    })?;
    let groups = read_csv(&out_dir.join("groups.csv")).unwrap_or_default();
    let mut found = Vec::new();
    for row in &runs {
        let get = |k: &str| row.get(k).cloned().unwrap_or_default();
        let num = |k: &str| get(k).parse::<f64>().ok();
        let kind = get("kind");
        match get("status").as_str() {
            "ok" => {
                let wake = groups
                    .iter()
                    .find(|g| g.get("cell") == row.get("cell"))
                    .and_then(|g| g.get("wake_delay_p50_us")?.parse::<f64>().ok());
                found.push((
                    kind,
                    Some(Sample {
                        wall_ms: num("wall_ms").unwrap_or(f64::NAN),
                        rss_kb: num("peak_rss_kb").unwrap_or(f64::NAN),
                        wake_p50_us: wake,
                        cpu_ms: num("cpu_ms").unwrap_or(f64::NAN),
                    }),
                ));
            }
            "skipped" => found.push((kind, None)),
            status => {
                return Err(format!(
                    "conlab's {kind} run at {tasks} tasks ended {status}: {}",
                    get("message")
                ));
            }
        }
    }
    Ok(found)
}

fn read_csv(path: &Path) -> Result<Vec<HashMap<String, String>>, String> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = reader
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        rows.push(
            headers
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect(),
        );
    }
    Ok(rows)
}

fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

fn fmt(x: Option<f64>, digits: usize) -> String {
    x.map_or("–".into(), |x| format!("{x:.digits$}"))
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".into(),
    }
}

fn print_table(
    o: &Options,
    pairs: &[Pair],
    samples: &HashMap<Key, Vec<Sample>>,
    skipped: &[(String, u64)],
    workers: usize,
) {
    println!(
        "| conlab model | reference | tasks | wall ms conlab / ref | ratio | peak RSS MB conlab / ref | ratio | wake-up p50 µs conlab / ref |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for pair in pairs {
        for &tasks in &o.sizes {
            if !runs_at(pair.kind, tasks, o, workers) {
                continue;
            }
            if skipped.contains(&(pair.kind.to_string(), tasks)) {
                println!(
                    "| `{}` | | {tasks} | skipped: past the thread limit | | | | |",
                    pair.kind
                );
                continue;
            }
            let ours = samples.get(&(pair.kind.to_string(), tasks, "conlab".into()));
            let of = |s: Option<&Vec<Sample>>, f: fn(&Sample) -> Option<f64>| {
                s.and_then(|s| median(s.iter().filter_map(f)))
            };
            let wall = |s: &Sample| Some(s.wall_ms);
            let rss = |s: &Sample| Some(s.rss_kb / 1024.0);
            let wake = |s: &Sample| s.wake_p50_us;
            for (label, _) in &pair.references {
                let theirs = samples.get(&(label.to_string(), tasks, "reference".into()));
                println!(
                    "| `{}` | {label} | {tasks} | {} / {} | {} | {} / {} | {} | {} / {} |",
                    pair.kind,
                    fmt(of(ours, wall), 1),
                    fmt(of(theirs, wall), 1),
                    ratio(of(ours, wall), of(theirs, wall)),
                    fmt(of(ours, rss), 1),
                    fmt(of(theirs, rss), 1),
                    ratio(of(ours, rss), of(theirs, rss)),
                    fmt(of(ours, wake), 0),
                    fmt(of(theirs, wake), 0),
                );
            }
        }
    }
}
