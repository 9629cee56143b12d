//! `conlab run FILE...`: validates every file (and, with `--resume`, the
//! run each continues) first, then runs each experiment's cells and stores
//! the results, one experiment after another. Every experiment's results
//! folder is locked before anything runs and stays locked until the
//! command ends (see `results::lock`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Context;

use super::{Exit, load_all, out, say, tell_rendering, terminal_width, took};
use crate::cli::{OrderArg, RunArgs};
use crate::config::{self, Loaded, Nanos, limits};
use crate::environment::{self, usable_cores};
use crate::matrix::{self, Cell, Shard};
use crate::model::python::{InterpreterFacts, Located, locate_for};
use crate::model::runtimes::{self, Runtimes};
use crate::progress::Progress;
use crate::render::render_dir;
use crate::report::{self, claim_verdicts, table};
use crate::results::claims::{self, Measured};
use crate::results::folder::{Folder, FolderError, Purpose};
use crate::results::limits as limits_of_results;
use crate::results::lock::WriteLock;
use crate::results::manifest::{CellHash, StartedRun, cell_sha256, text_sha256};
use crate::results::resume::{self, Mismatch};
use crate::results::{CellStatus, Results, RunStatus, Store, SummaryFile};
use crate::runner::{self, ChildExecutor, Limits, Order, Run, Settings};

/// Cells with at most this many tasks record one run's timeline.
const TIMELINE_MAX_TASKS: u64 = 64;

/// Where an experiment's results go: a shard's by default beside the
/// whole experiment's, `output/<name>-shard-K-of-N`.
fn results_dir(args: &RunArgs, name: &str) -> PathBuf {
    let name = match args.shard {
        Some(s) => format!("{name}-shard-{}-of-{}", s.index, s.count),
        None => name.to_string(),
    };
    match &args.out {
        Some(out) if args.files.len() == 1 => out.clone(),
        Some(out) => out.join(name),
        None => Path::new("output").join(name),
    }
}

fn matches_filter(cell: &Cell, filters: &[String]) -> bool {
    let label = cell.label().to_lowercase();
    filters.is_empty() || filters.iter().any(|f| label.contains(&f.to_lowercase()))
}

/// Whether the run's `--filter` and `--shard` keep `cell`.
fn keeps(cell: &Cell, filters: &[String], shard: Option<Shard>) -> bool {
    matches_filter(cell, filters) && shard.is_none_or(|s| s.contains(cell.index))
}

/// `1 run`, `2 runs`.
fn runs(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn cell_hash(cell: &Cell, seed: u64) -> CellHash {
    CellHash {
        cell: cell.index,
        label: cell.label(),
        sha256: cell_sha256(cell, seed),
    }
}

/// Whether `dir` holds results that `conlab merge` joined (its
/// environment.json says what it was merged from).
fn is_merged(dir: &Path) -> bool {
    crate::bounded::read_file(
        &dir.join("environment.json"),
        limits_of_results::ENVIRONMENT_JSON,
    )
    .ok()
    .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
    .is_some_and(|env| env.get("merged_from").is_some())
}

/// The rows `--resume` keeps of `runs` and `groups` (the files' bytes).
fn kept_rows(
    runs: &[u8],
    groups: &[u8],
    cells: &[Cell],
    runnable: &HashSet<usize>,
    repetitions: u32,
) -> Result<resume::Kept, resume::Unreadable> {
    let runs = resume::read_runs(runs).map_err(|message| resume::Unreadable {
        file: "runs.csv",
        message,
    })?;
    resume::keep(&runs, groups, cells, runnable, repetitions)
}

/// One experiment, checked and ready to run.
struct Plan<'a> {
    loaded: &'a Loaded,
    dir: PathBuf,
    cells: Vec<Cell>,
    repetitions: u32,
    warmup: u32,
    filter: Vec<String>,
    shard: Option<Shard>,
    /// Set for `--resume`.
    resuming: bool,
}

/// Says `message` and gives exit 2, or the plan.
fn checked<'a>(plan: Result<Plan<'a>, String>) -> Result<Plan<'a>, Exit> {
    plan.map_err(|message| {
        say(&message);
        Exit::BadInput
    })
}

/// -n and -w change the number of runs the file was checked for.
fn too_many_runs(plan: &Plan) -> Result<(), Exit> {
    match limits::too_many_runs(plan.cells.len() as u128, plan.warmup, plan.repetitions) {
        Some(e) => {
            say(format_args!(
                "error: {e}\n  = help: lower -n or -w, or keep fewer cells with --filter"
            ));
            Err(Exit::BadInput)
        }
        None => Ok(()),
    }
}

pub fn run(args: &RunArgs, interrupted: &AtomicBool) -> anyhow::Result<Exit> {
    let timeout = match args.timeout.as_deref().map(str::parse::<Nanos>) {
        None => None,
        Some(Ok(t)) if t.0 > 0 => Some(t),
        Some(Ok(_)) => {
            say("error: --timeout must be longer than zero");
            return Ok(Exit::BadInput);
        }
        Some(Err(e)) => {
            say(format_args!(
                "error: invalid --timeout: {e}\n  = help: write a number with a unit, e.g. --timeout 30s"
            ));
            return Ok(Exit::BadInput);
        }
    };
    // Every experiment file is read (and kept in memory) before any
    // results folder is touched: one may be the copy inside the folder
    // that --force replaces.
    let Some(loaded) = load_all(&args.files) else {
        return Ok(Exit::BadInput);
    };
    // The files were checked against their own timeouts; --timeout too
    // must leave their arrivals the time to arrive.
    if let Some(t) = timeout {
        for l in &loaded {
            if let Some((message, needed)) = config::arrivals_too_long(&l.experiment, t) {
                let fix = match needed {
                    Some(n) => format!(", or give --timeout {n} or more"),
                    None => String::new(),
                };
                say(format_args!(
                    "error: {} with --timeout {t}: {message}\n  = help: raise the rate or ask for fewer requests in the file{fix}",
                    l.experiment.source_path
                ));
                return Ok(Exit::BadInput);
            }
        }
    }
    let cores = usable_cores();
    // Every experiment's folder and cells, checked before anything runs:
    // first what needs no folder, so that a folder is made only for a
    // run that will start.
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut fresh: Vec<Plan> = Vec::new();
    for l in &loaded {
        let dir = results_dir(args, &l.experiment.name);
        if dirs.contains(&dir) {
            say(format_args!(
                "error: two experiments write to {}\n  = help: give them different [experiment] names",
                dir.display()
            ));
            return Ok(Exit::BadInput);
        }
        dirs.push(dir.clone());
        if !args.resume {
            let plan = match checked(fresh_plan(args, l, dir, cores)) {
                Ok(plan) => plan,
                Err(exit) => return Ok(exit),
            };
            if let Err(exit) = too_many_runs(&plan) {
                return Ok(exit);
            }
            fresh.push(plan);
        }
    }
    // Then each folder, taken for the whole command (made if it is new)
    // and checked under its lock; another conlab command writing one of
    // them refuses the command before anything runs.
    let purpose = if args.resume {
        Purpose::Resume
    } else {
        Purpose::Run { force: args.force }
    };
    let mut fresh = fresh.into_iter();
    let mut plans: Vec<(Plan, WriteLock)> = Vec::new();
    for (l, dir) in loaded.iter().zip(dirs) {
        let lock = match Folder::lock(&dir, purpose) {
            Err(FolderError::NothingToResume { .. }) if is_merged(&dir) => {
                say(format_args!(
                    "error: there is no run to resume in {0}: it holds results that `conlab merge` joined, not a run\n  = help: resume each folder it was merged from (conlab run FILE --out DIR --resume), then merge them again; or start a run afresh in another folder with --out DIR",
                    dir.display()
                ));
                return Ok(Exit::BadInput);
            }
            taken => match took(taken) {
                Ok(lock) => lock,
                Err(exit) => return Ok(exit),
            },
        };
        let plan = if args.resume {
            let plan = match checked(resume_plan(args, l, dir, cores, &lock)?) {
                Ok(plan) => plan,
                Err(exit) => return Ok(exit),
            };
            if let Err(exit) = too_many_runs(&plan) {
                return Ok(exit);
            }
            plan
        } else {
            match fresh.next() {
                Some(plan) => plan,
                None => anyhow::bail!("no plan for {}", dir.display()),
            }
        };
        plans.push((plan, lock));
    }
    let mut exit = Exit::Ok;
    let mut done: Vec<WriteLock> = Vec::new();
    for (plan, lock) in plans {
        let ran = run_one(args, plan, &lock, timeout, cores, interrupted)?;
        done.push(lock);
        match ran {
            Exit::Ok => {}
            Exit::Interrupted => return Ok(Exit::Interrupted),
            other => exit = other,
        }
    }
    Ok(exit)
}

/// A new run: a cell must match. The error is the message for the user
/// (exit 2). The folder is checked under its lock, later.
fn fresh_plan<'a>(
    args: &RunArgs,
    l: &'a Loaded,
    dir: PathBuf,
    cores: usize,
) -> Result<Plan<'a>, String> {
    let all = matrix::expand(&l.experiment, cores);
    let total = all.len();
    let cells: Vec<Cell> = all
        .into_iter()
        .filter(|c| keeps(c, &args.filter, args.shard))
        .collect();
    if cells.is_empty()
        && args.filter.is_empty()
        && let Some(s) = args.shard
    {
        return Err(format!(
            "error: shard {s} of {} has no cells: the experiment has {total}\n  = help: run at most {total} shards (--shard K/{total} or fewer)",
            l.experiment.source_path
        ));
    }
    if cells.is_empty() {
        let shard = args
            .shard
            .map(|s| format!(" in shard {s}"))
            .unwrap_or_default();
        return Err(format!(
            "error: no cell of {}{shard} matches --filter {}\n  = help: `conlab validate {}` lists the cells",
            l.experiment.source_path,
            args.filter.join(" --filter "),
            l.experiment.source_path
        ));
    }
    Ok(Plan {
        loaded: l,
        dir,
        cells,
        repetitions: args.repetitions.unwrap_or(l.experiment.repetitions),
        warmup: args.warmup.unwrap_or(l.experiment.warmup),
        filter: args.filter.clone(),
        shard: args.shard,
        resuming: false,
    })
}

/// `--resume`: the run started in `dir` must exist and match the
/// experiment file and the arguments as they are now; `runs.csv` must be
/// readable (a last row cut short is fine).
fn resume_plan<'a>(
    args: &RunArgs,
    l: &'a Loaded,
    dir: PathBuf,
    cores: usize,
    lock: &WriteLock,
) -> anyhow::Result<Result<Plan<'a>, String>> {
    let exp = &l.experiment;
    let folder = match Folder::open(lock, Purpose::Resume) {
        Ok(folder) => folder,
        Err(e) if e.is_bad_input() => return Ok(Err(format!("error: {e}"))),
        Err(e) => return Err(e.into()),
    };
    let Some(started) = folder.manifest().run.clone() else {
        return Ok(Err(format!(
            "error: there is no run to resume in {}\n  = help: start the run without --resume",
            dir.display()
        )));
    };
    let cannot = |why: String, help: &str| {
        Err(format!(
            "error: cannot resume the run in {}: {why}\n  = help: {help}",
            dir.display()
        ))
    };
    let afresh = "or start afresh with --force (or into another folder with --out DIR)";
    let differs = |flag: &str, given: String, recorded: String| {
        cannot(
            format!("it was started with {flag} {recorded}, not {given}"),
            &format!("leave out {flag} to continue with {recorded}, {afresh}"),
        )
    };
    if let Some(n) = args.repetitions.filter(|n| *n != started.repetitions) {
        return Ok(differs(
            "--repetitions",
            n.to_string(),
            started.repetitions.to_string(),
        ));
    }
    if let Some(n) = args.warmup.filter(|n| *n != started.warmup) {
        return Ok(differs(
            "--warmup",
            n.to_string(),
            started.warmup.to_string(),
        ));
    }
    if !args.filter.is_empty() && args.filter != started.filter {
        let show = |f: &[String]| {
            if f.is_empty() {
                "no --filter".to_string()
            } else {
                format!("--filter {}", f.join(" --filter "))
            }
        };
        return Ok(cannot(
            format!(
                "it was started with {}, not {}",
                show(&started.filter),
                show(&args.filter)
            ),
            &format!("leave out --filter to continue with the run's own, {afresh}"),
        ));
    }
    if let Some(s) = args.shard.filter(|s| Some(*s) != started.shard) {
        let recorded = started
            .shard
            .map_or("no --shard".to_string(), |r| format!("--shard {r}"));
        return Ok(cannot(
            format!("it was started with {recorded}, not --shard {s}"),
            &format!("leave out --shard to continue it, {afresh}"),
        ));
    }
    let cells: Vec<Cell> = matrix::expand(exp, cores)
        .into_iter()
        .filter(|c| keeps(c, &started.filter, started.shard))
        .collect();
    let now: Vec<CellHash> = cells.iter().map(|c| cell_hash(c, exp.seed)).collect();
    match resume::check(&started, &now, &text_sha256(&exp.source_text)) {
        Ok(()) => {}
        Err(Mismatch::Version { started }) => {
            return Ok(cannot(
                format!(
                    "it was started by conlab {started}, and this is conlab {}",
                    env!("CARGO_PKG_VERSION")
                ),
                &format!("finish it with conlab {started}, {afresh}"),
            ));
        }
        Err(Mismatch::Experiment { cells }) => {
            let mut why = format!("{} changed since the run started", exp.source_path);
            if cells.is_empty() {
                why.push_str(
                    " (no cell differs: the change is in its name, description, timeout, charts or comments)",
                );
            } else {
                why.push_str("; the cells that differ:");
                for (label, how) in &cells {
                    why.push_str(&format!("\n    {label} ({how})"));
                }
            }
            return Ok(cannot(
                why,
                &format!("undo the change to resume the run, {afresh}"),
            ));
        }
    }
    // A file that cannot be read at all refuses the resume now, before
    // any experiment runs; rows that do not check out are dropped later.
    let mut files = Vec::new();
    for name in ["runs.csv", "groups.csv"] {
        match folder.read(name) {
            Ok(bytes) => files.push(bytes.unwrap_or_default()),
            Err(e) if e.is_bad_input() => return Ok(Err(format!("error: {e}"))),
            Err(e) => return Err(e.into()),
        }
    }
    let all: HashSet<usize> = cells.iter().map(|c| c.index).collect();
    if let Err(u) = kept_rows(&files[0], &files[1], &cells, &all, started.repetitions) {
        return Ok(cannot(
            format!("{} {}", dir.join(u.file).display(), u.message),
            &format!("it was changed by hand: restore it, {afresh}"),
        ));
    }
    Ok(Ok(Plan {
        loaded: l,
        dir,
        cells,
        repetitions: started.repetitions,
        warmup: started.warmup,
        filter: started.filter,
        shard: started.shard,
        resuming: true,
    }))
}

/// `python = "pypy3" is PyPy 3.9.16 with a GIL`: what a run says of each
/// interpreter once it has asked.
fn describe_interpreter(f: &InterpreterFacts) -> String {
    let gil = if f.gil { "with a GIL" } else { "without a GIL" };
    let gevent = f
        .gevent
        .as_ref()
        .map(|v| format!(", gevent {v}"))
        .unwrap_or_default();
    format!(
        "python = \"{}\" is {} {} {gil}{gevent}",
        f.name, f.implementation, f.version
    )
}

fn run_one(
    args: &RunArgs,
    plan: Plan,
    lock: &WriteLock,
    timeout: Option<Nanos>,
    cores: usize,
    interrupted: &AtomicBool,
) -> anyhow::Result<Exit> {
    let loaded = plan.loaded;
    let dir = plan.dir.as_path();
    let exp = &loaded.experiment;
    let limits = Limits::of_this_machine();
    let cells = plan.cells.clone();
    if !args.quiet {
        // The file names these programs: say which ones run before they do.
        for p in locate_for(&cells) {
            if let Located::Executable(path) = &p.at {
                let cells = if p.program == p.name {
                    "the python-* cells"
                } else {
                    "the python-gevent cells (conlab's gevent environment)"
                };
                say(format_args!(
                    "Python interpreter (python = \"{}\"): runs {} for {cells}",
                    p.name,
                    path.display()
                ));
            }
        }
    }
    let mut runtimes = Runtimes::probe_for(&plan.cells);
    // Each runtime's start-up, an empty program timed once: setup, outside
    // every run's wall time, said beside the runs' own setup.
    let startup: Vec<(String, f64)> = runtimes
        .empty_programs(&plan.cells)
        .into_iter()
        .filter_map(|(name, argv)| Some((name, runtimes::startup_ms(&argv)?)))
        .collect();
    runtimes.record_startup(&startup);
    if !args.quiet {
        for facts in runtimes.python.facts() {
            say(format_args!("  {}", describe_interpreter(&facts)));
        }
    }
    if !args.quiet && !startup.is_empty() {
        let each: Vec<String> = startup
            .iter()
            .map(|(name, ms)| format!("{name} {ms:.0} ms"))
            .collect();
        say(format_args!(
            "Runtime start-up (an empty program, least of 3): {}; setup, outside wall time",
            each.join(", ")
        ));
    }
    let prepared = runner::prepare(exp, plan.cells, cores, &limits, &runtimes);
    let settings = Settings {
        repetitions: plan.repetitions,
        warmup: plan.warmup,
        order: match args.order {
            OrderArg::Interleaved => Order::Interleaved,
            OrderArg::Grouped => Order::Grouped,
        },
        timeout: timeout.unwrap_or(exp.timeout).as_std(),
        cores,
        timeline_max_tasks: TIMELINE_MAX_TASKS,
    };
    for line in runner::longer_than_timeout(&prepared, settings.timeout) {
        say(line);
    }
    let (mut store, mut kept) = if plan.resuming {
        // Checked before any experiment ran; read again now that this
        // machine has said which cells it can run.
        let folder = Folder::open(lock, Purpose::Resume)?;
        let bytes = folder.read("runs.csv")?.unwrap_or_default();
        let group_bytes = folder.read("groups.csv")?.unwrap_or_default();
        drop(folder);
        let runnable: HashSet<usize> = prepared
            .iter()
            .filter(|p| p.plan.skip.is_none())
            .map(|p| p.plan.cell.index)
            .collect();
        let kept = kept_rows(
            &bytes,
            &group_bytes,
            &cells,
            &runnable,
            settings.repetitions,
        )
        .map_err(|u| {
            anyhow::anyhow!(
                "cannot resume from {}: {}",
                dir.join(u.file).display(),
                u.message
            )
        })?;
        let resumed = Store::resume(
            lock,
            &kept.csv,
            kept.has_header,
            &kept.groups_csv,
            &exp.source_text,
            &kept.rerun_timelines,
        );
        match resumed {
            Ok(store) => (store, Some(kept)),
            Err(e) if e.is_bad_input() => {
                say(format_args!("error: {e}"));
                return Ok(Exit::BadInput);
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        let hashes = cells.iter().map(|c| cell_hash(c, exp.seed)).collect();
        let started = StartedRun {
            conlab_version: env!("CARGO_PKG_VERSION").to_string(),
            experiment_file: exp.source_path.clone(),
            experiment_sha256: text_sha256(&exp.source_text),
            repetitions: settings.repetitions,
            warmup: settings.warmup,
            filter: plan.filter.clone(),
            shard: plan.shard,
            cells: hashes,
        };
        match Store::create(lock, args.force, &exp.source_text, started) {
            Ok(store) => (store, None),
            Err(e) if e.is_bad_input() => {
                say(format_args!("error: {e}"));
                return Ok(Exit::BadInput);
            }
            Err(e) => return Err(e.into()),
        }
    };
    // A resumed run keeps the environment it started in, if it got that far.
    if kept.is_none() || !store.has("environment.json")? {
        let env = environment::capture(
            &exp.source_path,
            &exp.source_text,
            &limits,
            environment::Runtimes {
                python: runtimes.python.describe(),
                node: runtimes.describe_node(),
                go: runtimes.describe_go(),
                java: runtimes.describe_java(),
                startup_ms: startup.clone(),
                interpreters: runtimes.python.facts(),
            },
        );
        store.write_json("environment.json", &env)?;
    }
    let kept_groups = kept
        .as_mut()
        .map(|k| std::mem::take(&mut k.group_records))
        .unwrap_or_default();
    let kept_records = kept.as_ref().map(|k| k.records.clone()).unwrap_or_default();
    let done: HashSet<(usize, u32)> = kept_records
        .iter()
        .map(|r| (r.cell, r.repetition))
        .collect();
    let total = runner::runs_to_do(&prepared, &settings, &done).len() as u64;
    if !args.quiet {
        match &kept {
            Some(k) => say(format_args!(
                "Resuming {} in {}: {} kept, {} to replace (failed, timed out or skipped){}, {} to do",
                exp.source_path,
                dir.display(),
                runs(k.records.len() as u64, "measured run"),
                runs(k.replaced as u64, "recorded run"),
                if k.dropped.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", {} dropped (they do not check out; below)",
                        runs(k.dropped.len() as u64, "recorded run")
                    )
                },
                runs(total, "run")
            )),
            None => {
                let est = runner::estimate(&prepared, settings.warmup, settings.repetitions);
                let shard = plan
                    .shard
                    .map(|s| format!("shard {s}: "))
                    .unwrap_or_default();
                say(format_args!(
                    "Running {} ({shard}{} cells, {total} runs, at least {}) into {}",
                    exp.source_path,
                    prepared.len(),
                    humantime::format_duration(Duration::from_secs(est.as_secs().max(1))),
                    dir.display()
                ));
            }
        }
    }
    // Said even with --quiet: these rows were in the folder, and are not
    // kept.
    if let Some(k) = &kept {
        const SHOWN: usize = 20;
        for d in k.dropped.iter().take(SHOWN) {
            say(format_args!("warning: dropped and run again: {d}"));
        }
        if k.dropped.len() > SHOWN {
            say(format_args!(
                "warning: … and {} more rows dropped and run again",
                k.dropped.len() - SHOWN
            ));
        }
    }
    let mut progress = Progress::new(total, args.quiet);
    let mut executor = ChildExecutor::new().context("cannot find conlab's own executable")?;
    let finished = Run {
        prepared: &prepared,
        settings: &settings,
        executor: &mut executor,
        store: &mut store,
        observer: &mut progress,
        interrupted,
        summary: SummaryFile {
            experiment: exp.name.clone(),
            description: exp.description.clone(),
            conlab_version: env!("CARGO_PKG_VERSION").to_string(),
            cores,
            cells: Vec::new(),
        },
        kept: kept_records,
        kept_groups,
    }
    .execute()?;
    // Every run is on disk; the rendering opens the folder afresh.
    drop(store);
    progress.finish();
    if !args.quiet {
        out(format_args!("{}", table::render(&finished.summary.cells)));
        if !exp.claims.is_empty() {
            // groups.csv is on disk only.
            let groups = Results::load(dir).map(|r| r.groups).unwrap_or_default();
            let judged = claims::judge_all(
                &exp.claims,
                Measured {
                    cells: &finished.summary.cells,
                    runs: &finished.records,
                    groups: &groups,
                },
            );
            out(format_args!(
                "\n{}",
                claim_verdicts::terminal(&judged, terminal_width())
            ));
        }
        if let Some(warning) = report::noise::terminal(&finished.summary.cells, &finished.records) {
            eprintln!("{warning}");
        }
    }
    let failed = finished
        .records
        .iter()
        .filter(|r| matches!(r.status, RunStatus::Failed | RunStatus::TimedOut))
        .count();
    let failed_cells = finished
        .summary
        .cells
        .iter()
        .filter(|c| matches!(c.status, CellStatus::Failed | CellStatus::Partial))
        .count();
    let measured = finished
        .records
        .iter()
        .filter(|r| r.status == RunStatus::Ok)
        .count();
    if !args.quiet {
        say(format_args!(
            "{measured} runs measured, {failed} failed, {failed_cells} cells with failures; results in {}",
            dir.display()
        ));
        say("Rendering charts and reports…");
    }
    // The measurements are on disk already: a failure here loses none.
    let rendered = match render_dir(lock) {
        Ok(r) => {
            tell_rendering(dir, &r, args.quiet);
            r.failures.is_empty()
        }
        Err(e) => {
            say(format_args!(
                "error: could not render the charts and reports: {e:#}\n  = help: the measurements are kept in {dir}; `conlab plot {dir}` renders them again",
                dir = dir.display()
            ));
            false
        }
    };
    Ok(if finished.interrupted {
        say(format_args!(
            "interrupted: the runs measured so far are kept in {}",
            dir.display()
        ));
        Exit::Interrupted
    } else if failed_cells > 0 || !rendered {
        Exit::RunsFailed
    } else {
        Exit::Ok
    })
}
