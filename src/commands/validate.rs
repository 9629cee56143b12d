//! `conlab validate FILE...`: checks files without running anything and
//! shows the expanded matrix, the cells this machine must skip, and an
//! estimated duration. "Anything" includes programs a file names: Python
//! interpreters are located and reported, never started (`run` asks each
//! which Python it is when it starts).

use std::path::PathBuf;
use std::time::Duration;

use super::{Exit, load_all, out, say};
use crate::environment::usable_cores;
use crate::matrix;
use crate::model::python::{Located, locate_for};
use crate::model::runtimes::Runtimes;
use crate::report::table;
use crate::runner::{self, Limits, Prepared, estimate};

pub fn run(files: &[PathBuf]) -> Exit {
    let Some(loaded) = load_all(files) else {
        return Exit::BadInput;
    };
    let cores = usable_cores();
    let limits = Limits::of_this_machine();
    for l in loaded {
        let exp = &l.experiment;
        let cells = matrix::expand(exp, cores);
        let located = locate_for(&cells);
        let runtimes = Runtimes::located(&cells);
        let prepared = runner::prepare(exp, cells, cores, &limits, &runtimes);
        let skipped: Vec<&Prepared> = prepared.iter().filter(|p| p.plan.skip.is_some()).collect();
        for p in &skipped {
            say(format_args!(
                "warning: cell \"{}\" will be skipped: {}",
                p.plan.cell.label(),
                p.plan.skip.as_deref().unwrap_or("")
            ));
        }
        for line in runner::longer_than_timeout(&prepared, exp.timeout.as_std()) {
            say(line);
        }
        let runnable = prepared.len() - skipped.len();
        let per_cell = u64::from(exp.warmup) + u64::from(exp.repetitions);
        let plans: Vec<_> = prepared.iter().map(|p| p.plan.clone()).collect();
        out(format_args!(
            "{}: ok, experiment \"{}\"",
            exp.source_path, exp.name
        ));
        for line in exp.description.trim().lines() {
            out(format_args!("  {line}"));
        }
        out(format_args!(
            "  {} workload{} × {} model{} → {} cells ({} skipped), {} runs ({} warm-up + {} measured per cell)",
            exp.workloads.len(),
            if exp.workloads.len() == 1 { "" } else { "s" },
            exp.models.len(),
            if exp.models.len() == 1 { "" } else { "s" },
            prepared.len(),
            skipped.len(),
            runnable as u64 * per_cell,
            exp.warmup,
            exp.repetitions
        ));
        if !exp.claims.is_empty() {
            let n = exp.claims.len();
            out(format_args!(
                "  {n} claim{}, judged when the runs end (`conlab check DIR` judges them again)",
                if n == 1 { "" } else { "s" }
            ));
        }
        if !located.is_empty() {
            out(
                "  Python interpreters (validate starts none; run asks each for its version first):",
            );
        }
        for p in &located {
            let found = match &p.at {
                Located::Executable(path) => format!("{}, executable", path.display()),
                Located::NotExecutable(path) => {
                    format!("{}, not an executable file", path.display())
                }
                Located::Missing if p.program.contains('/') => "no such file".to_string(),
                Located::Missing => "not found on PATH".to_string(),
            };
            let name = &p.name;
            let gevent = if p.program == *name {
                ""
            } else {
                " (python-gevent: conlab's gevent environment)"
            };
            out(format_args!("    python = \"{name}\"{gevent} → {found}"));
        }
        let est = estimate(&prepared, exp.warmup, exp.repetitions);
        out(format_args!(
            "  estimated duration: about {} (from the predictions; real runs are slower than ideal)\n",
            humantime::format_duration(Duration::from_secs(est.as_secs().max(1)))
        ));
        out(format_args!("{}\n", table::render_plan(&plans)));
    }
    Exit::Ok
}
