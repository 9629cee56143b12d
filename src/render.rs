//! Rendering a results folder: every chart and report drawn from the
//! folder's saved files alone (summaries, runs, timelines, the experiment
//! file as run), then written back into it. `conlab run` renders this way
//! when its runs end and `conlab plot` renders again later, so both give
//! the same files. The experiment file's `[[claim]]`s are judged here too
//! (and `summary.json` rewritten with them and the crossovers first), so
//! claims edited in the folder's experiment.toml take effect, as charts do.
//!
//! Rendering is per chart: a chart that cannot be drawn, or whose file
//! cannot be written, is left out and named (in the returned
//! [`Rendering`] and in the reports' warnings), and every other chart and
//! every report is still written.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{self, ChartSpec, ClaimSpec};
use crate::plot::{self, ChartError, ChartJob, Rendered};
use crate::report::{self, ReportInput};
use crate::results::claims::{self, Measured};
use crate::results::folder::FolderError;
use crate::results::lock::WriteLock;
use crate::results::store::RenderTarget;
use crate::results::{Results, StoreError, crossovers, export};

#[cfg(test)]
mod fuzz;

/// What a rendering produced.
#[derive(Debug)]
pub struct Rendering {
    /// Charts drawn and written.
    pub charts: usize,
    /// Charts left out, in report order: file stem and why, as the end of
    /// a sentence that starts with "chart <stem>".
    pub failures: Vec<(String, String)>,
    /// Why the `[[chart]]` entries of experiment.toml were not used, if so.
    pub note: Option<String>,
    pub elapsed: Duration,
}

/// Draws one chart with `draw`. A bug in drawing must cost one chart,
/// never the results or the other charts.
fn draw_one(
    job: &ChartJob,
    input: &plot::Input,
    draw: &(impl Fn(&ChartJob, &plot::Input) -> Result<Rendered, ChartError> + Sync),
) -> Result<Rendered, ChartError> {
    catch_unwind(AssertUnwindSafe(|| draw(job, input)))
        .unwrap_or_else(|_| Err(ChartError::Draw("the chart code panicked".to_string())))
}

/// The `[[chart]]` entries of the experiment file saved with the results,
/// and a note if that file no longer validates (the default charts are
/// drawn then).
fn chart_specs(dir: &Path, results: &Results) -> (Vec<ChartSpec>, Option<String>) {
    let Some(text) = &results.experiment_text else {
        return (Vec::new(), None);
    };
    let path = dir.join("experiment.toml");
    match config::from_text(
        &path.display().to_string(),
        text,
        &results.summary.experiment,
    ) {
        Ok(loaded) => (loaded.experiment.charts, None),
        Err(_) => (
            Vec::new(),
            Some(format!(
                "{} no longer validates; drawing the default charts and judging no claims (`conlab check {}` shows why)",
                path.display(),
                dir.display()
            )),
        ),
    }
}

/// The `[[claim]]`s of the experiment file saved with the results; none
/// if it is missing or no longer validates (`conlab check` says why).
fn claim_specs(dir: &Path, results: &Results) -> Vec<ClaimSpec> {
    let Some(text) = &results.experiment_text else {
        return Vec::new();
    };
    let path = dir.join("experiment.toml");
    config::from_text(
        &path.display().to_string(),
        text,
        &results.summary.experiment,
    )
    .map(|loaded| loaded.experiment.claims)
    .unwrap_or_default()
}

/// Charts that could not be made, each with its place in the plan (so
/// that failures to draw and to write are told in report order), its
/// stem, and why.
type Failures = Vec<(usize, String, String)>;

/// Every chart of `results`, drawn with `draw` (in parallel), each with its
/// place in the plan; the failures; the note of [`chart_specs`].
fn draw_charts(
    dir: &Path,
    results: &Results,
    draw: impl Fn(&ChartJob, &plot::Input) -> Result<Rendered, ChartError> + Sync,
) -> (Vec<(usize, Rendered)>, Failures, Option<String>) {
    let (specs, note) = chart_specs(dir, results);
    let jobs = plot::plan::plan(
        &results.summary.cells,
        &specs,
        &results.timelines,
        &results.distributions,
    );
    let input = plot::Input::new(&results.summary, &results.timelines, &results.distributions);
    let outcomes: Vec<Result<Rendered, ChartError>> = jobs
        .par_iter()
        .map(|job| draw_one(job, &input, &draw))
        .collect();
    let mut rendered = Vec::new();
    let mut failures = Vec::new();
    for (i, (job, outcome)) in jobs.iter().zip(outcomes).enumerate() {
        match outcome {
            Ok(r) => rendered.push((i, r)),
            Err(e) => failures.push((i, job.stem.clone(), format!("could not be drawn: {e}"))),
        }
    }
    (rendered, failures, note)
}

/// The file names of a chart: `<stem>.png` and `<stem>.svg`.
fn chart_files(r: &Rendered) -> [(String, &[u8]); 2] {
    [
        (format!("{}.png", r.job.stem), r.png.as_slice()),
        (format!("{}.svg", r.job.stem), r.svg.as_bytes()),
    ]
}

/// Writes a chart's two files into `charts/`; the first failure.
fn write_chart(target: &mut RenderTarget, r: &Rendered) -> Result<(), StoreError> {
    for (name, bytes) in chart_files(r) {
        target.write(&format!("charts/{name}"), bytes)?;
    }
    Ok(())
}

/// Why a chart could not be written, with the fix: the error's own words
/// (without its generic help) and what to do about this chart.
fn unwritten(dir: &Path, e: &StoreError) -> String {
    let text = e.to_string();
    let what = text.split("\n  = help:").next().unwrap_or(&text);
    let fix = match e {
        StoreError::Folder(FolderError::InTheWay { .. }) => "move or rename it".to_string(),
        _ => "move whatever is in the way, or free some space".to_string(),
    };
    format!(
        "could not be written: {what}\n  = help: {fix}; `conlab plot {}` then draws the missing charts",
        dir.display()
    )
}

/// Renders every chart and report of the results in the folder `lock`
/// holds into it.
pub fn render_dir(lock: &WriteLock) -> anyhow::Result<Rendering> {
    let started = Instant::now();
    let dir = lock.path();
    let results = Results::load(dir)?;
    let (drawn, mut failures, note) = draw_charts(dir, &results, plot::render);
    let mut target = RenderTarget::open(lock)?;

    // Each chart is written on its own: one that cannot be written (a
    // folder in its place, a full disk) is named, and the others and the
    // reports are still written.
    let mut written: Vec<Rendered> = Vec::with_capacity(drawn.len());
    let mut written_files: Vec<String> = Vec::with_capacity(drawn.len() * 2);
    for (i, r) in drawn {
        match write_chart(&mut target, &r) {
            Ok(()) => {
                written_files.extend(chart_files(&r).map(|(name, _)| name));
                written.push(r);
            }
            Err(e) => failures.push((i, r.job.stem.clone(), unwritten(dir, &e))),
        }
    }
    failures.sort_by_key(|(i, _, _)| *i);
    let failures: Vec<(String, String)> = failures
        .into_iter()
        .map(|(_, stem, why)| (stem, why))
        .collect();
    // Reports say what is missing and why; the help is for the terminal.
    let missing: Vec<(String, String)> = failures
        .iter()
        .map(|(stem, why)| (stem.clone(), why.lines().next().unwrap_or("").to_string()))
        .collect();
    let judged = claims::judge_all(
        &claim_specs(dir, &results),
        Measured {
            cells: &results.summary.cells,
            runs: &results.runs,
            groups: &results.groups,
        },
    );
    let crossovers = crossovers::find(&results.summary.cells, &results.runs);
    let mut reports = report::render(&ReportInput {
        results: &results,
        charts: &written,
        chart_failures: &missing,
        claims: &judged,
        crossovers: &crossovers,
    });
    let summary =
        export::summary_json_with(&results.summary, &judged, &crossovers).map_err(|e| {
            anyhow::anyhow!("cannot encode {}: {e}", dir.join("summary.json").display())
        })?;
    reports.push(("summary.json", summary));
    let mut report_errors: Vec<String> = Vec::new();
    for (name, bytes) in &reports {
        if let Err(e) = target.write(name, bytes) {
            report_errors.push(e.to_string());
        }
    }
    target.remove_stale_charts(&written_files)?;
    if !report_errors.is_empty() {
        anyhow::bail!(
            "{}\n  = help: the charts that could be written are in {}; `conlab plot {}` writes the reports again",
            report_errors.join("\n"),
            dir.join("charts").display(),
            dir.display()
        );
    }
    Ok(Rendering {
        charts: written.len(),
        failures,
        note,
        elapsed: started.elapsed(),
    })
}
