//! `conlab run FILE...`: validates every file first, then runs each
//! experiment's cells and stores the results, one experiment after another.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Context;

use super::{Exit, load_all, out};
use crate::cli::{OrderArg, RunArgs};
use crate::config::{Loaded, Nanos};
use crate::environment::{self, usable_cores};
use crate::matrix::{self, Cell};
use crate::model::python::Interpreters;
use crate::progress::Progress;
use crate::report::{self, table};
use crate::results::{CellStatus, RunStatus, Store, StoreError, SummaryFile};
use crate::runner::{self, ChildExecutor, Limits, Order, Run, Settings};

/// Cells with at most this many tasks record one run's timeline.
const TIMELINE_MAX_TASKS: u64 = 64;

/// Where an experiment's results go.
fn results_dir(args: &RunArgs, name: &str) -> PathBuf {
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

pub fn run(args: &RunArgs, interrupted: &AtomicBool) -> anyhow::Result<Exit> {
    let timeout = match args.timeout.as_deref().map(str::parse::<Nanos>) {
        None => None,
        Some(Ok(t)) if t.0 > 0 => Some(t),
        Some(Ok(_)) => {
            eprintln!("error: --timeout must be longer than zero");
            return Ok(Exit::BadInput);
        }
        Some(Err(e)) => {
            eprintln!(
                "error: invalid --timeout: {e}\n  = help: write a number with a unit, e.g. --timeout 30s"
            );
            return Ok(Exit::BadInput);
        }
    };
    let Some(loaded) = load_all(&args.files) else {
        return Ok(Exit::BadInput);
    };
    let cores = usable_cores();
    // Every experiment's directory and cells, checked before any runs.
    let mut plans: Vec<(&Loaded, PathBuf, Vec<Cell>)> = Vec::new();
    for l in &loaded {
        let dir = results_dir(args, &l.experiment.name);
        if plans.iter().any(|(_, d, _)| *d == dir) {
            eprintln!(
                "error: two experiments write to {}\n  = help: give them different [experiment] names",
                dir.display()
            );
            return Ok(Exit::BadInput);
        }
        if let Err(e) = crate::results::store::check_free(&dir, args.force) {
            eprintln!("error: {e}");
            return Ok(Exit::BadInput);
        }
        let cells: Vec<Cell> = matrix::expand(&l.experiment, cores)
            .into_iter()
            .filter(|c| matches_filter(c, &args.filter))
            .collect();
        if cells.is_empty() {
            eprintln!(
                "error: no cell of {} matches --filter {}\n  = help: `conlab validate {}` lists the cells",
                l.experiment.source_path,
                args.filter.join(" --filter "),
                l.experiment.source_path
            );
            return Ok(Exit::BadInput);
        }
        plans.push((l, dir, cells));
    }
    let mut exit = Exit::Ok;
    for (l, dir, cells) in plans {
        match run_one(args, l, &dir, cells, timeout, cores, interrupted)? {
            Exit::Ok => {}
            Exit::Interrupted => return Ok(Exit::Interrupted),
            other => exit = other,
        }
    }
    Ok(exit)
}

fn run_one(
    args: &RunArgs,
    loaded: &Loaded,
    dir: &Path,
    cells: Vec<Cell>,
    timeout: Option<Nanos>,
    cores: usize,
    interrupted: &AtomicBool,
) -> anyhow::Result<Exit> {
    let exp = &loaded.experiment;
    let limits = Limits::of_this_machine();
    let interpreters = Interpreters::probe_for(&cells);
    let prepared = runner::prepare(exp, cells, cores, &limits, &interpreters);
    let settings = Settings {
        repetitions: args.repetitions.unwrap_or(exp.repetitions),
        warmup: args.warmup.unwrap_or(exp.warmup),
        order: match args.order {
            OrderArg::Interleaved => Order::Interleaved,
            OrderArg::Grouped => Order::Grouped,
        },
        timeout: timeout.unwrap_or(exp.timeout).as_std(),
        cores,
        timeline_max_tasks: TIMELINE_MAX_TASKS,
    };
    let mut store = match Store::create(dir, args.force, &exp.source_text) {
        Ok(store) => store,
        Err(e @ StoreError::Exists { .. }) => {
            eprintln!("error: {e}");
            return Ok(Exit::BadInput);
        }
        Err(e) => return Err(e.into()),
    };
    let env = environment::capture(
        &exp.source_path,
        &exp.source_text,
        &limits,
        interpreters.describe(),
    );
    store.write_json("environment.json", &env)?;
    let runnable = prepared.iter().filter(|p| p.plan.skip.is_none()).count() as u64;
    let total = runnable * (settings.warmup + settings.repetitions) as u64;
    if !args.quiet {
        let est = super::validate::estimate(&prepared, settings.warmup, settings.repetitions);
        eprintln!(
            "Running {} ({} cells, {total} runs, at least {}) into {}",
            exp.source_path,
            prepared.len(),
            humantime::format_duration(Duration::from_secs(est.as_secs().max(1))),
            dir.display()
        );
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
    }
    .execute()?;
    progress.finish();
    if !args.quiet {
        out(format_args!("{}", table::render(&finished.summary.cells)));
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
        eprintln!(
            "{measured} runs measured, {failed} failed, {failed_cells} cells with failures; results in {}",
            dir.display()
        );
        eprintln!("Rendering charts and reports…");
    }
    // The measurements are on disk already: a failure here loses none.
    let rendered = match super::plot::render_dir(dir) {
        Ok(r) => {
            super::plot::report(dir, &r, args.quiet);
            r.failures.is_empty()
        }
        Err(e) => {
            eprintln!(
                "error: could not render the charts and reports: {e:#}\n  = help: the measurements are kept in {dir}; `conlab plot {dir}` renders them again",
                dir = dir.display()
            );
            false
        }
    };
    Ok(if finished.interrupted {
        eprintln!(
            "interrupted: the runs measured so far are kept in {}",
            dir.display()
        );
        Exit::Interrupted
    } else if failed_cells > 0 || !rendered {
        Exit::RunsFailed
    } else {
        Exit::Ok
    })
}
