//! Rendering a results folder: every chart and report drawn from the
//! folder's saved files alone (summaries, runs, timelines, the experiment
//! file as run), then written back into it. `conlab run` renders this way
//! when its runs end and `conlab plot` renders again later, so both give
//! the same files. The experiment file's `[[claim]]`s are judged here too
//! (and `summary.json` rewritten with them and the crossovers first), so
//! claims edited in the folder's experiment.toml take effect, as charts do.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use rayon::prelude::*;

use crate::config;
use crate::plot::{self, ChartError, Rendered};
use crate::report::{self, ReportInput};
use crate::results::claims::{self, Measured};
use crate::results::{Results, crossovers, export, store};

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
    let (specs, claim_specs) = match &results.experiment_text {
        Some(text) => {
            let path = dir.join("experiment.toml");
            match config::from_text(
                &path.display().to_string(),
                text,
                &results.summary.experiment,
            ) {
                Ok(loaded) => (loaded.experiment.charts, loaded.experiment.claims),
                Err(_) => {
                    note = Some(format!(
                        "{} no longer validates; drawing the default charts and judging no claims (`conlab check {}` shows why)",
                        path.display(),
                        dir.display()
                    ));
                    (Vec::new(), Vec::new())
                }
            }
        }
        None => (Vec::new(), Vec::new()),
    };
    let judged = claims::judge_all(
        &claim_specs,
        Measured {
            cells: &results.summary.cells,
            runs: &results.runs,
            groups: &results.groups,
        },
    );
    let crossovers = crossovers::find(&results.summary.cells, &results.runs);
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
    let mut reports = report::render(&ReportInput {
        results: &results,
        charts: &rendered,
        chart_failures: &failures,
        claims: &judged,
        crossovers: &crossovers,
    });
    let summary = export::summary_json_with(&results.summary, &judged, &crossovers)
        .with_context(|| format!("cannot encode {}", dir.join("summary.json").display()))?;
    reports.push(("summary.json", summary));
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
