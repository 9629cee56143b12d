//! `conlab plot DIR`: renders the charts and reports of a results directory
//! from its saved files alone, without running anything. `conlab run` calls
//! [`render_dir`] too when its runs end, so both render the same way.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use rayon::prelude::*;

use super::Exit;
use crate::cli::PlotArgs;
use crate::config;
use crate::plot::{self, ChartError, Rendered};
use crate::report::{self, ReportInput};
use crate::results::folder::{Folder, Purpose};
use crate::results::{LoadError, Results, StoreError, store};

/// What a rendering produced.
#[derive(Debug)]
pub struct Rendering {
    pub charts: usize,
    /// Charts that could not be drawn: file stem and why.
    pub failures: Vec<(String, String)>,
    /// Why the `[[chart]]` entries of experiment.toml were not used, if so.
    pub note: Option<String>,
    pub elapsed: Duration,
}

fn render_one(job: &plot::ChartJob, input: &plot::Input) -> Result<Rendered, ChartError> {
    // A bug in drawing must cost one chart, never the results or the
    // other charts.
    catch_unwind(AssertUnwindSafe(|| plot::render(job, input)))
        .unwrap_or_else(|_| Err(ChartError::Draw("the chart code panicked".to_string())))
}

/// Renders every chart and report of the results in `dir` into it.
pub fn render_dir(dir: &Path) -> anyhow::Result<Rendering> {
    let started = Instant::now();
    let results = Results::load(dir)?;
    let mut note = None;
    let specs = match &results.experiment_text {
        Some(text) => {
            let path = dir.join("experiment.toml");
            match config::from_text(
                &path.display().to_string(),
                text,
                &results.summary.experiment,
            ) {
                Ok(loaded) => loaded.experiment.charts,
                Err(_) => {
                    note = Some(format!(
                        "{} no longer validates; drawing the default charts",
                        path.display()
                    ));
                    Vec::new()
                }
            }
        }
        None => Vec::new(),
    };
    let jobs = plot::plan::plan(&results.summary.cells, &specs, &results.timelines);
    let input = plot::Input::new(&results.summary, &results.timelines);
    let outcomes: Vec<Result<Rendered, ChartError>> =
        jobs.par_iter().map(|job| render_one(job, &input)).collect();
    let mut rendered = Vec::new();
    let mut failures = Vec::new();
    for (job, outcome) in jobs.iter().zip(outcomes) {
        match outcome {
            Ok(r) => rendered.push(r),
            Err(e) => failures.push((job.stem.clone(), e.to_string())),
        }
    }
    let reports = report::render(&ReportInput {
        results: &results,
        charts: &rendered,
        chart_failures: &failures,
    });
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(rendered.len() * 2);
    for r in &rendered {
        files.push((format!("{}.png", r.job.stem), r.png.clone()));
        files.push((format!("{}.svg", r.job.stem), r.svg.clone().into_bytes()));
    }
    store::write_rendered(dir, &files, &reports)
        .with_context(|| format!("cannot write the charts and reports into {}", dir.display()))?;
    Ok(Rendering {
        charts: rendered.len(),
        failures,
        note,
        elapsed: started.elapsed(),
    })
}

/// Tells how a rendering went, on stderr.
pub fn report(dir: &Path, r: &Rendering, quiet: bool) {
    if let Some(note) = &r.note {
        eprintln!("warning: {note}");
    }
    for (stem, message) in &r.failures {
        eprintln!("warning: chart {stem} could not be drawn: {message}");
    }
    if !quiet {
        eprintln!(
            "Rendered {} charts (PNG and SVG) into {} and report.html, report.md, summary.tex in {:.1} s",
            r.charts,
            dir.join("charts").display(),
            r.elapsed.as_secs_f64()
        );
    }
}

pub fn run(args: &PlotArgs) -> anyhow::Result<Exit> {
    // Refuse links and files in the way before drawing anything; a folder
    // that is not results at all is told by loading it.
    match Folder::check(&args.dir, Purpose::Render) {
        Err(StoreError::NotResults { .. }) | Ok(()) => {}
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(if e.is_bad_input() {
                Exit::BadInput
            } else {
                Exit::RunsFailed
            });
        }
    }
    match render_dir(&args.dir) {
        Ok(r) => {
            report(&args.dir, &r, args.quiet);
            Ok(if r.failures.is_empty() {
                Exit::Ok
            } else {
                Exit::RunsFailed
            })
        }
        Err(e) => {
            // A folder refused says itself which file and why.
            match e.downcast_ref::<StoreError>() {
                Some(refused) if refused.is_bad_input() => eprintln!("error: {refused}"),
                _ => eprintln!("error: {e:#}"),
            }
            let bad_input = e.downcast_ref::<LoadError>().is_some()
                || e.downcast_ref::<StoreError>()
                    .is_some_and(StoreError::is_bad_input);
            Ok(if bad_input {
                Exit::BadInput
            } else {
                Exit::RunsFailed
            })
        }
    }
}
