//! Reading a results directory back: what `conlab plot` and
//! `conlab compare` work from. Every error names the file it is about.
//!
//! Results folders are edited by hand and passed around with papers, so
//! what they say is checked before anything is drawn or compared: times
//! are finite and not negative, counts are no larger than `conlab
//! validate` accepts for an experiment, every run and timeline belongs to
//! a cell of `summary.json`, and every timeline span to a task of its cell
//! and a thread of its run. Nothing a results file says can then make
//! conlab allocate without bound, abort, or reach a verdict from NaN.
//! Each error names the file and the row, cell or span.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::export::{self, SummaryFile};
use super::limits;
use super::record::{Distribution, GroupRecord, RunRecord, Timeline};
use super::summary::CellSummary;
use crate::bounded::{self, Limit, ReadError};
use crate::format::excerpt;

/// The most tasks of a cell, rounds of a task, and task rounds and
/// workers of a cell that `conlab validate` accepts in an experiment file
/// (a unit test holds these to the config's own limits).
pub const MAX_TASKS: u64 = 1_000_000;
pub const MAX_WAITS: u64 = 10_000_000;
pub const MAX_WORKERS: u64 = 100_000;

/// Why a results directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(
        "{} is not a conlab results directory: it has no summary.json\n  = help: pass the directory `conlab run` wrote, e.g. output/seed",
        dir.display()
    )]
    NotResults { dir: PathBuf },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not a regular file, or larger than conlab reads (see [`limits`]).
    #[error("{0}\n  = help: {REFUSED_HELP}")]
    Refused(ReadError),
    #[error("cannot parse {path}: {message}\n  = help: {HELP}")]
    Parse { path: PathBuf, message: String },
    /// A value no run of conlab writes, at `place` in the file.
    #[error("{path}, {place}: {problem}\n  = help: {HELP}")]
    Invalid {
        path: PathBuf,
        place: String,
        problem: String,
    },
}

const HELP: &str = "the file was edited or damaged; restore it from the run that wrote it, or run the experiment again";
const REFUSED_HELP: &str = "conlab wrote a regular file of its own there; restore it from the run that wrote it, or run the experiment again";

/// Everything a results directory holds.
#[derive(Clone, Debug)]
pub struct Results {
    pub summary: SummaryFile,
    pub runs: Vec<RunRecord>,
    /// `groups.csv`: each group of each measured run (empty when absent).
    pub groups: Vec<GroupRecord>,
    /// Sorted by cell.
    pub timelines: Vec<Timeline>,
    /// Each cell's wake-up delays in its first measured run, sorted by
    /// cell (none in results of conlab 0.1).
    pub distributions: Vec<Distribution>,
    /// `experiment.toml`, the file as run, if present.
    pub experiment_text: Option<String>,
    /// `environment.json`, kept as JSON so fields added later still show.
    pub environment: Option<serde_json::Value>,
}

fn refused(e: ReadError) -> LoadError {
    match e {
        ReadError::Io { path, source } => LoadError::Read { path, source },
        other => LoadError::Refused(other),
    }
}

fn read(path: &Path, limit: Limit) -> Result<Vec<u8>, LoadError> {
    bounded::read_file(path, limit).map_err(refused)
}

/// A parser's message, shortened: it can quote what it could not read.
fn parse_err(path: &Path, e: impl std::fmt::Display) -> LoadError {
    LoadError::Parse {
        path: path.to_path_buf(),
        message: excerpt(&e.to_string(), MAX_MESSAGE_CHARS).into_owned(),
    }
}

/// The most characters of a parser's message shown.
const MAX_MESSAGE_CHARS: usize = 300;

fn read_optional(path: &Path, limit: Limit) -> Result<Option<Vec<u8>>, LoadError> {
    bounded::read_optional(path, limit).map_err(refused)
}

impl Results {
    /// Reads the results in `dir`, and checks them.
    pub fn load(dir: &Path) -> Result<Results, LoadError> {
        let summary_path = dir.join("summary.json");
        let Some(summary) = read_optional(&summary_path, limits::SUMMARY_JSON)? else {
            return Err(LoadError::NotResults {
                dir: dir.to_path_buf(),
            });
        };
        let summary: SummaryFile =
            serde_json::from_slice(&summary).map_err(|e| parse_err(&summary_path, e))?;
        check_summary(&summary_path, &summary)?;
        let runs_path = dir.join("runs.csv");
        let runs = match read_optional(&runs_path, limits::RUNS_CSV)? {
            Some(bytes) => {
                let runs = export::parse_runs(&bytes).map_err(|e| parse_err(&runs_path, e))?;
                check_runs(&runs_path, &bytes, &runs, &summary.cells)?;
                runs
            }
            None => Vec::new(),
        };
        let groups_path = dir.join("groups.csv");
        let groups = match read_optional(&groups_path, limits::GROUPS_CSV)? {
            Some(bytes) => {
                let groups =
                    export::parse_groups(&bytes).map_err(|e| parse_err(&groups_path, e))?;
                check_groups(&groups_path, &bytes, &groups, &summary.cells)?;
                groups
            }
            None => Vec::new(),
        };
        // Every timeline and distribution together is bounded too: each
        // belongs to a cell, so there are no more of them than cells.
        let mut budget = CellFiles::new();
        let mut timelines = Vec::new();
        for path in json_files(&dir.join("timelines"), summary.cells.len())? {
            let t: Timeline =
                serde_json::from_slice(&budget.read(&path)?).map_err(|e| parse_err(&path, e))?;
            check_timeline(&path, &t, &summary.cells)?;
            timelines.push(t);
        }
        timelines.sort_by_key(|t| t.cell);
        let mut distributions = Vec::new();
        for path in json_files(&dir.join("distributions"), summary.cells.len())? {
            let d: Distribution =
                serde_json::from_slice(&budget.read(&path)?).map_err(|e| parse_err(&path, e))?;
            check_distribution(&path, &d, &summary.cells)?;
            distributions.push(d);
        }
        distributions.sort_by_key(|d| d.cell);
        let experiment_path = dir.join("experiment.toml");
        let experiment_text = match read_optional(&experiment_path, limits::of("experiment.toml"))?
        {
            Some(bytes) => {
                Some(String::from_utf8(bytes).map_err(|e| parse_err(&experiment_path, e))?)
            }
            None => None,
        };
        let env_path = dir.join("environment.json");
        let environment = match read_optional(&env_path, limits::ENVIRONMENT_JSON)? {
            Some(bytes) => {
                Some(serde_json::from_slice(&bytes).map_err(|e| parse_err(&env_path, e))?)
            }
            None => None,
        };
        Ok(Results {
            summary,
            runs,
            groups,
            timelines,
            distributions,
            experiment_text,
            environment,
        })
    }
}

/// What is wrong with a value, said for the user; the caller adds where.
type Problem = String;

fn invalid(path: &Path, place: String, problem: Problem) -> LoadError {
    LoadError::Invalid {
        path: path.to_path_buf(),
        place,
        problem,
    }
}

/// Times, and other measurements that cannot be negative, if present.
fn measurements(values: &[(&str, Option<f64>)]) -> Result<(), Problem> {
    for (name, v) in values {
        if let Some(v) = *v
            && !(v.is_finite() && v >= 0.0)
        {
            return Err(format!(
                "`{name}` is {v}; measurements are finite numbers, 0 or more"
            ));
        }
    }
    Ok(())
}

/// A number that may be negative, such as the low end of an interval.
fn finite(name: &str, v: Option<f64>) -> Result<(), Problem> {
    match v {
        Some(v) if !v.is_finite() => {
            Err(format!("`{name}` is {v}, but it must be a finite number"))
        }
        _ => Ok(()),
    }
}

fn at_most(name: &str, v: u64, max: u64, what: &str) -> Result<(), Problem> {
    if v <= max {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is {v}, but conlab runs at most {max} {what}"
        ))
    }
}

/// The counts of a cell or a group: no more than `conlab validate`
/// accepts.
fn counts(tasks: u64, rounds: Option<u32>, workers: Option<u32>) -> Result<(), Problem> {
    at_most("tasks", tasks, MAX_TASKS, "tasks per cell")?;
    if let Some(rounds) = rounds {
        let rounds = u64::from(rounds);
        at_most("rounds", rounds, MAX_WAITS, "rounds per task")?;
        let waits = tasks.saturating_mul(rounds);
        if waits > MAX_WAITS {
            return Err(format!(
                "`tasks` × `rounds` is {waits}, but conlab runs at most {MAX_WAITS} task rounds per cell"
            ));
        }
    }
    if let Some(w) = workers {
        at_most("workers", u64::from(w), MAX_WORKERS, "workers")?;
    }
    Ok(())
}

/// A label as it is shown in a place: quoted, and short.
fn quoted(label: &str) -> String {
    const MAX: usize = 60;
    if label.chars().count() <= MAX {
        format!("\"{label}\"")
    } else {
        format!("\"{}…\"", label.chars().take(MAX).collect::<String>())
    }
}

fn check_summary(path: &Path, summary: &SummaryFile) -> Result<(), LoadError> {
    let mut seen: HashSet<usize> = HashSet::with_capacity(summary.cells.len());
    for (i, c) in summary.cells.iter().enumerate() {
        let place = || format!("cells[{i}] ({})", quoted(&c.label));
        if !seen.insert(c.cell) {
            return Err(invalid(
                path,
                place(),
                format!(
                    "cell {} is in the file twice; every cell has a number of its own",
                    c.cell
                ),
            ));
        }
        check_cell(c).map_err(|problem| invalid(path, place(), problem))?;
        for (j, g) in c.groups.iter().enumerate() {
            counts(g.tasks, Some(g.rounds), None)
                .and_then(|()| {
                    measurements(&[
                        ("io_latency_mean_ms", Some(g.io_latency_mean_ms)),
                        ("cpu_cost_ms", Some(g.cpu_cost_ms)),
                    ])
                })
                .map_err(|problem| {
                    invalid(
                        path,
                        format!("cells[{i}].groups[{j}] ({})", quoted(&g.name)),
                        problem,
                    )
                })?;
        }
    }
    Ok(())
}

fn check_cell(c: &CellSummary) -> Result<(), Problem> {
    counts(c.tasks, c.rounds, c.workers)?;
    measurements(&[
        ("io_latency_mean_ms", Some(c.io_latency_mean_ms)),
        ("cpu_cost_ms", c.cpu_cost_ms),
        ("switch_interval_ms", c.switch_interval_ms),
        ("poll_interval_ms", c.poll_interval_ms),
        ("wall_mean_ms", c.wall_mean_ms),
        ("wall_median_ms", c.wall_median_ms),
        ("wall_stddev_ms", c.wall_stddev_ms),
        ("wall_min_ms", c.wall_min_ms),
        ("wall_max_ms", c.wall_max_ms),
        ("wall_cv", c.wall_cv),
        ("setup_median_ms", c.setup_median_ms),
        ("cpu_median_ms", c.cpu_median_ms),
        ("user_median_ms", c.user_median_ms),
        ("sys_median_ms", c.sys_median_ms),
        ("ctx_voluntary_median", c.ctx_voluntary_median),
        ("ctx_involuntary_median", c.ctx_involuntary_median),
        ("peak_rss_median_kb", c.peak_rss_median_kb),
        ("io_overshoot_median_us", c.io_overshoot_median_us),
        ("server_overshoot_median_us", c.server_overshoot_median_us),
        ("lock_handoffs_median", c.lock_handoffs_median),
        ("lock_wait_total_median_ms", c.lock_wait_total_median_ms),
        ("lock_wait_max_ms", c.lock_wait_max_ms),
        ("loop_lag_max_median_ms", c.loop_lag_max_median_ms),
        ("baseline_ms", Some(c.baseline_ms)),
        ("predicted_ms", Some(c.predicted_ms)),
        ("efficiency", c.efficiency),
        ("speedup", c.speedup),
        ("updates_expected_median", c.updates_expected_median),
        ("updates_lost_median", c.updates_lost_median),
        ("updates_lost_min", c.updates_lost_min),
        ("updates_lost_max", c.updates_lost_max),
        ("runs_with_loss_share", c.runs_with_loss_share),
        ("shared_lock_wait_median_ms", c.shared_lock_wait_median_ms),
    ])?;
    if let Some(share) = c.runs_with_loss_share.filter(|s| *s > 1.0) {
        return Err(format!(
            "`runs_with_loss_share` is {share}, but a share of runs is at most 1"
        ));
    }
    // The ends of a confidence interval may be below 0 (few, noisy runs).
    finite("wall_ci95_low_ms", c.wall_ci95_low_ms)?;
    finite("wall_ci95_high_ms", c.wall_ci95_high_ms)
}

/// The line of `runs.csv` where record `index` (from 0) starts.
fn line_of_record(bytes: &[u8], index: usize) -> Option<u64> {
    csv::Reader::from_reader(bytes)
        .records()
        .nth(index)
        .and_then(|r| r.ok())
        .and_then(|r| r.position().map(|p| p.line()))
}

fn check_runs(
    path: &Path,
    bytes: &[u8],
    runs: &[RunRecord],
    cells: &[CellSummary],
) -> Result<(), LoadError> {
    let known: HashSet<usize> = cells.iter().map(|c| c.cell).collect();
    for (i, r) in runs.iter().enumerate() {
        check_run(r, &known).map_err(|problem| {
            // Found only when needed: a second pass over the file.
            let row = match line_of_record(bytes, i) {
                Some(line) => format!("line {line}"),
                None => format!("row {}", i + 1),
            };
            invalid(
                path,
                format!("{row} (cell {}, repetition {})", r.cell, r.repetition),
                problem,
            )
        })?;
    }
    Ok(())
}

/// Each row of `groups.csv` belongs to a cell of the summary, and its
/// times are finite and not negative (claims are judged on them).
fn check_groups(
    path: &Path,
    bytes: &[u8],
    groups: &[GroupRecord],
    cells: &[CellSummary],
) -> Result<(), LoadError> {
    let known: HashSet<usize> = cells.iter().map(|c| c.cell).collect();
    for (i, g) in groups.iter().enumerate() {
        let problem = if known.contains(&g.cell) {
            group_values(g).err()
        } else {
            Some(format!(
                "cell {} is not a cell of summary.json; every group row belongs to one",
                g.cell
            ))
        };
        if let Some(problem) = problem {
            let row = match line_of_record(bytes, i) {
                Some(line) => format!("line {line}"),
                None => format!("row {}", i + 1),
            };
            return Err(invalid(
                path,
                format!(
                    "{row} (cell {}, repetition {}, group {})",
                    g.cell, g.repetition, g.group
                ),
                problem,
            ));
        }
    }
    Ok(())
}

fn check_run(r: &RunRecord, known: &HashSet<usize>) -> Result<(), Problem> {
    if !known.contains(&r.cell) {
        return Err(format!(
            "cell {} is not a cell of summary.json; every run belongs to one",
            r.cell
        ));
    }
    run_values(r)
}

/// What is wrong with a run row's own values (counts, times, lost
/// updates), if anything: `run --resume` keeps no such row.
pub fn measured_run_problem(r: &RunRecord) -> Option<String> {
    run_values(r).err()
}

/// What is wrong with a `groups.csv` row's times, if anything.
pub fn group_row_problem(g: &GroupRecord) -> Option<String> {
    group_values(g).err()
}

fn group_values(g: &GroupRecord) -> Result<(), Problem> {
    measurements(&[
        ("completion_p50_ms", Some(g.completion_p50_ms)),
        ("completion_p99_ms", Some(g.completion_p99_ms)),
        ("completion_max_ms", Some(g.completion_max_ms)),
        ("wake_delay_p50_us", g.wake_delay_p50_us),
        ("wake_delay_p99_us", g.wake_delay_p99_us),
        ("wake_delay_max_us", g.wake_delay_max_us),
        ("rounds_per_s", g.rounds_per_s),
    ])
}

fn run_values(r: &RunRecord) -> Result<(), Problem> {
    counts(r.tasks, r.rounds, r.workers)?;
    measurements(&[
        ("wall_ms", r.wall_ms),
        ("setup_ms", r.setup_ms),
        ("user_ms", r.user_ms),
        ("sys_ms", r.sys_ms),
        ("cpu_ms", r.cpu_ms),
        ("io_overshoot_median_us", r.io_overshoot_median_us),
        ("io_overshoot_max_us", r.io_overshoot_max_us),
        ("server_overshoot_median_us", r.server_overshoot_median_us),
        ("lock_wait_total_ms", r.lock_wait_total_ms),
        ("lock_wait_max_ms", r.lock_wait_max_ms),
        ("loop_lag_max_ms", r.loop_lag_max_ms),
        ("shared_lock_wait_ms", r.shared_lock_wait_ms),
    ])?;
    match (r.updates_expected, r.updates_lost) {
        (Some(expected), Some(lost)) if lost > expected => Err(format!(
            "`updates_lost` is {lost}, more than the {expected} updates expected"
        )),
        _ => Ok(()),
    }
}

/// The `.json` files of `dir`, sorted; none if there is no such folder.
/// Each is of one of the `cells`, so more than that many are refused
/// before their names fill memory.
fn json_files(dir: &Path, cells: usize) -> Result<Vec<PathBuf>, LoadError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let failed = |source| LoadError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir).map_err(failed)? {
        let path = entry.map_err(failed)?.path();
        if path.extension().is_some_and(|e| e == "json") {
            if paths.len() == cells {
                return Err(invalid(
                    dir,
                    "the folder".to_string(),
                    format!(
                        "it holds more than {cells} .json files, but summary.json has {cells} cell{} and each has at most one",
                        if cells == 1 { "" } else { "s" }
                    ),
                ));
            }
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// Reads the timelines and distributions of a folder, each within its
/// limit and all of them within [`limits::ALL_CELL_JSON_BYTES`].
struct CellFiles {
    read: u64,
}

impl CellFiles {
    fn new() -> CellFiles {
        CellFiles { read: 0 }
    }

    fn read(&mut self, path: &Path) -> Result<Vec<u8>, LoadError> {
        let bytes = read(path, limits::CELL_JSON)?;
        self.read = self.read.saturating_add(bytes.len() as u64);
        if self.read > limits::ALL_CELL_JSON_BYTES {
            return Err(invalid(
                path,
                "with the files before it".to_string(),
                format!(
                    "the timelines and distributions come to more than {}, the most conlab reads of them together",
                    bounded::size_text(limits::ALL_CELL_JSON_BYTES)
                ),
            ));
        }
        Ok(bytes)
    }
}

/// The most quantiles a distribution may list.
const MAX_QUANTILES: usize = 1_000;

fn check_distribution(
    path: &Path,
    d: &Distribution,
    cells: &[CellSummary],
) -> Result<(), LoadError> {
    if !cells.iter().any(|c| c.cell == d.cell) {
        return Err(invalid(
            path,
            format!("cell {}", d.cell),
            format!(
                "the distribution is of cell {}, which is not a cell of summary.json",
                d.cell
            ),
        ));
    }
    let q = &d.quantiles;
    if q.len() > MAX_QUANTILES
        || q.iter().any(|v| !(0.0..=1.0).contains(v))
        || q.windows(2).any(|w| w[0] > w[1])
    {
        return Err(invalid(
            path,
            "quantiles".to_string(),
            format!(
                "quantiles must be at most {MAX_QUANTILES} numbers from 0 to 1, in increasing order"
            ),
        ));
    }
    for (i, g) in d.groups.iter().enumerate() {
        if !g.wake_ns.is_empty() && g.wake_ns.len() != q.len() {
            return Err(invalid(
                path,
                format!("groups[{i}]"),
                format!(
                    "group \"{}\" lists {} wake-up delays for {} quantiles",
                    g.name,
                    g.wake_ns.len(),
                    q.len()
                ),
            ));
        }
        if !g.latency_ns.is_empty() && g.latency_ns.len() != q.len() {
            return Err(invalid(
                path,
                format!("groups[{i}]"),
                format!(
                    "group \"{}\" lists {} request latencies for {} quantiles",
                    g.name,
                    g.latency_ns.len(),
                    q.len()
                ),
            ));
        }
    }
    Ok(())
}

fn check_timeline(path: &Path, t: &Timeline, cells: &[CellSummary]) -> Result<(), LoadError> {
    let Some(cell) = cells.iter().find(|c| c.cell == t.cell) else {
        return Err(invalid(
            path,
            format!("cell {}", t.cell),
            format!(
                "the timeline is of cell {}, which is not a cell of summary.json",
                t.cell
            ),
        ));
    };
    // Threads are numbered from 0 in the order they first ran something,
    // so a run on n threads names threads 0 to n - 1.
    let threads = t
        .spans
        .iter()
        .map(|s| s.thread)
        .collect::<HashSet<u32>>()
        .len();
    for (i, s) in t.spans.iter().enumerate() {
        let problem = if u64::from(s.task) >= cell.tasks {
            format!(
                "task {} does not exist: cell {} ({}) has {} task{}, numbered from 0",
                s.task,
                cell.cell,
                quoted(&cell.label),
                cell.tasks,
                if cell.tasks == 1 { "" } else { "s" }
            )
        } else if s.thread as usize >= threads {
            format!(
                "thread {} does not exist: the run's spans name {threads} thread{}, numbered from 0",
                s.thread,
                if threads == 1 { "" } else { "s" }
            )
        } else if s.end_ns < s.start_ns {
            format!(
                "the span ends (at {} ns) before it starts (at {} ns)",
                s.end_ns, s.start_ns
            )
        } else {
            continue;
        };
        return Err(invalid(path, format!("spans[{i}]"), problem));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `conlab validate` accepts a workload with these fields.
    fn accepted(fields: &str, model: &str) -> bool {
        let text = format!("[[workload]]\n{fields}\n[[model]]\n{model}\n");
        crate::config::from_text("t.toml", &text, "t").is_ok()
    }

    #[test]
    fn the_limits_are_those_validate_accepts() {
        let kind = "kind = \"async\"";
        assert!(accepted(&format!("tasks = {MAX_TASKS}"), kind));
        assert!(!accepted(&format!("tasks = {}", MAX_TASKS + 1), kind));
        assert!(accepted(&format!("tasks = 1\nrounds = {MAX_WAITS}"), kind));
        assert!(!accepted(
            &format!("tasks = 1\nrounds = {}", MAX_WAITS + 1),
            kind
        ));
        assert!(accepted(
            &format!("tasks = 10\nrounds = {}", MAX_WAITS / 10),
            kind
        ));
        assert!(!accepted(
            &format!("tasks = 10\nrounds = {}", MAX_WAITS / 10 + 1),
            kind
        ));
        let pool = |w: u64| format!("kind = \"thread-pool\"\nworkers = {w}");
        assert!(accepted("tasks = 1", &pool(MAX_WORKERS)));
        assert!(!accepted("tasks = 1", &pool(MAX_WORKERS + 1)));
    }

    /// A shared counter's figures are measurements too: a share of runs
    /// above 1, or more updates lost than made, is refused.
    #[test]
    fn impossible_lost_updates_are_refused() {
        let exp = match crate::config::from_text(
            "t.toml",
            "[[workload]]\ntasks = 2\nshared = \"racy\"\n[[model]]\nkind = \"threads\"\n",
            "t",
        ) {
            Ok(l) => l.experiment,
            Err(e) => panic!("{e}"),
        };
        let cell = crate::matrix::expand(&exp, 1).remove(0);
        let mut run = RunRecord::measured(&cell, 1, &Default::default());
        run.updates_expected = Some(8);
        run.updates_lost = Some(8);
        let known: HashSet<usize> = [run.cell].into();
        assert_eq!(check_run(&run, &known), Ok(()));
        run.updates_lost = Some(9);
        assert_eq!(
            check_run(&run, &known),
            Err("`updates_lost` is 9, more than the 8 updates expected".to_string())
        );
        run.updates_lost = Some(1);
        run.shared_lock_wait_ms = Some(f64::NAN);
        assert!(check_run(&run, &known).is_err_and(|p| p.contains("shared_lock_wait_ms")));
    }

    #[test]
    fn long_labels_are_shortened_in_places() {
        assert_eq!(quoted("io · async"), "\"io · async\"");
        let long = "가".repeat(70);
        assert_eq!(quoted(&long), format!("\"{}…\"", "가".repeat(60)));
    }
}
