//! Judging the `[[claim]]`s of an experiment file against its results.
//! Pure: claims and results in, one [`ClaimResult`] per claim out, each
//! with a result per point it applies at. (Not to be confused with the
//! reports' table of medians per cell, `report::results_table`.)
//!
//! A claim **holds** at a point when the whole 95 % interval of its
//! metric satisfies it, **fails** when the whole interval violates it,
//! and is **inconclusive** otherwise, or when the point was not measured
//! with at least two runs. A claim holds when it holds at every point it
//! applies at, fails when it fails at one, and is inconclusive otherwise.
//! The intervals:
//!
//! - a ratio of another model (`at_most = { ratio = 0.4, of = … }`) and a
//!   speedup: the measured value is the ratio of the medians, and the
//!   interval Welch's 95 % interval of the ratio of geometric means (a
//!   t-test on the runs' log values, fractional degrees of freedom), the
//!   same as `conlab compare`'s;
//! - an absolute limit (`at_most = "120ms"`): the mean of the runs'
//!   values, and Student's t 95 % interval of that mean (`wall_ci95_*` in
//!   the summaries, for wall times);
//! - efficiency: the cell's efficiency (predicted / median), and the
//!   prediction over the t-interval of the mean wall time;
//! - a crossover: where the median curves cross, and the interval from
//!   where they are last certainly on one side to where they are first
//!   certainly on the other (see `crossovers`); it holds when, within
//!   its range, the curves are certainly on each side somewhere, and
//!   fails when they are certainly on one side all through it.

use serde::{Deserialize, Serialize};

use super::compare::judge;
use super::crossovers::{self, Sample};
use super::record::{GroupRecord, RunRecord, RunStatus};
use super::summary::CellSummary;
use crate::config::{Axis, ClaimSpec, CrossoverSpec, Limit, Metric, ModelKind};
use crate::format::{duration_text, format_number};

use crate::stats;

/// What the numbers say about a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Holds,
    Fails,
    Inconclusive,
}

impl Outcome {
    pub fn text(self) -> &'static str {
        match self {
            Outcome::Holds => "holds",
            Outcome::Fails => "fails",
            Outcome::Inconclusive => "inconclusive",
        }
    }
}

/// A claim at one point (a cell, or a crossover's curves).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointResult {
    /// Where: the swept values (and the model's variant, and the machine);
    /// empty for a workload that sweeps nothing.
    pub at: String,
    pub outcome: Outcome,
    /// The measured value: a time in ms, a ratio, a number, or where
    /// curves cross (an axis value, durations in ms).
    pub value: Option<f64>,
    /// Its 95 % interval (an open end of a crossover's is absent).
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The value and interval as people read them.
    pub measured: String,
    /// Why the point could not be judged, if it could not.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Whether other work on the machine disturbed the runs of a cell it
    /// is judged on (see `noise`): its verdict may be the other work's.
    #[serde(default)]
    pub busy_machine: bool,
}

/// A claim and what the results say about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimResult {
    pub text: String,
    pub workload: String,
    /// The model, or the two models of a crossover (`threads, async`).
    pub model: String,
    pub metric: String,
    /// What is claimed, in symbols: `≤ 0.4× sequential`.
    pub claimed: String,
    /// What is checked, in full: `three-tasks · threads: wall ≤ 0.4×
    /// sequential`.
    pub checked: String,
    pub outcome: Outcome,
    /// The line of experiment.toml the claim starts on.
    pub line: usize,
    pub points: Vec<PointResult>,
}

/// What claims are judged against.
#[derive(Clone, Copy)]
pub struct Measured<'a> {
    pub cells: &'a [CellSummary],
    pub runs: &'a [RunRecord],
    pub groups: &'a [GroupRecord],
}

/// Judges every claim, in file order.
pub fn judge_all(claims: &[ClaimSpec], m: Measured) -> Vec<ClaimResult> {
    claims.iter().map(|c| judge_claim(c, m)).collect()
}

/// Judges one claim at every point it applies at.
pub fn judge_claim(claim: &ClaimSpec, m: Measured) -> ClaimResult {
    let points = match &claim.crossover {
        Some(x) => crossover_points(claim, x, m),
        None => limit_points(claim, m),
    };
    let outcome = if points.iter().any(|p| p.outcome == Outcome::Fails) {
        Outcome::Fails
    } else if !points.is_empty() && points.iter().all(|p| p.outcome == Outcome::Holds) {
        Outcome::Holds
    } else {
        Outcome::Inconclusive
    };
    let model = match &claim.crossover {
        Some(x) => format!("{}, {}", x.of, x.and),
        None => claim.model.clone(),
    };
    let points = if points.is_empty() {
        vec![PointResult {
            at: String::new(),
            outcome: Outcome::Inconclusive,
            value: None,
            low: None,
            high: None,
            measured: "–".to_string(),
            note: "not measured: the results have no cell the claim applies to".to_string(),
            busy_machine: false,
        }]
    } else {
        points
    };
    ClaimResult {
        text: claim.text.clone(),
        workload: claim.workload.clone(),
        model,
        metric: claim.metric.to_string(),
        claimed: claim.claimed(),
        checked: claim.checked(),
        outcome,
        line: claim.line,
        points,
    }
}

/// The metric's value in each measured run of `cell`: times in ms.
fn run_values(metric: Metric, group: Option<&str>, cell: &CellSummary, m: Measured) -> Vec<f64> {
    let ok = m
        .runs
        .iter()
        .filter(|r| r.cell == cell.cell && r.status == RunStatus::Ok);
    match metric {
        Metric::Wall | Metric::Speedup | Metric::Efficiency => {
            ok.filter_map(|r| r.wall_ms).collect()
        }
        Metric::Cpu => ok.filter_map(|r| r.cpu_ms).collect(),
        _ => {
            let reps: Vec<u32> = ok.map(|r| r.repetition).collect();
            m.groups
                .iter()
                .filter(|g| g.cell == cell.cell && reps.contains(&g.repetition))
                .filter(|g| group.is_none_or(|name| g.group == name))
                .filter_map(|g| match metric {
                    Metric::CompletionP50 => Some(g.completion_p50_ms),
                    Metric::CompletionP99 => Some(g.completion_p99_ms),
                    Metric::WakeDelayP50 => g.wake_delay_p50_us.map(|us| us / 1000.0),
                    Metric::WakeDelayP99 => g.wake_delay_p99_us.map(|us| us / 1000.0),
                    _ => None,
                })
                .collect()
        }
    }
}

/// Where a cell sits, as a claim's point is named: the workload's swept
/// values, the model's own ones, and the machine.
fn at_text(cell: &CellSummary) -> String {
    let point = cell.point();
    cell.axes
        .0
        .iter()
        .filter_map(|a| Some(format!("{a}={}", a.value(&point)?.chart_text())))
        .chain(cell.machine.iter().map(|m| format!("machine={m}")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether model fields both cells have agree (a ratio's reference is the
/// variant with the claim's model's own `workers`, if it has some).
fn same_model_fields(a: &CellSummary, b: &CellSummary) -> bool {
    let (pa, pb) = (a.point(), b.point());
    [
        crate::config::Field::Workers,
        crate::config::Field::SwitchInterval,
        crate::config::Field::PollInterval,
    ]
    .into_iter()
    .all(|f| {
        let axis = Axis::plain(f);
        match (axis.value(&pa), axis.value(&pb)) {
            (Some(x), Some(y)) if a.axes.contains(&axis) && b.axes.contains(&axis) => x == y,
            _ => true,
        }
    })
}

/// `v` with as many significant digits as it takes (at least three, at
/// most six) to tell it apart from each of `others`.
fn number_text(v: f64, others: &[f64]) -> String {
    let show = |x: f64, digits: usize| format_number(round_significant(x, digits), 9);
    let mut digits = 3;
    while digits < 6
        && others
            .iter()
            .any(|o| *o != v && show(*o, digits) == show(v, digits))
    {
        digits += 1;
    }
    show(v, digits)
}

fn round_significant(v: f64, digits: usize) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits as i32 - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Ms,
    Ratio,
    Plain,
}

/// `what value unit of (lo–hi)`, the interval in the value's unit:
/// `mean 300.1 ms (300.09–300.11)`, `0.334× sequential (0.3338–0.3343)`,
/// `speedup 1.94× (1.79–2.03)`.
fn measured_text(what: &str, value: f64, lo: f64, hi: f64, unit: Unit, of: &str) -> String {
    let (scale, suffix) = match unit {
        Unit::Ms if value.abs() < 1.0 => (1000.0, " µs"),
        Unit::Ms if value.abs() >= 1000.0 => (0.001, " s"),
        Unit::Ms => (1.0, " ms"),
        Unit::Ratio => (1.0, "×"),
        Unit::Plain => (1.0, ""),
    };
    let all = [value * scale, lo * scale, hi * scale];
    let t = |x: f64| {
        if x.is_finite() {
            number_text(x * scale, &all)
        } else {
            "∞".to_string()
        }
    };
    let of = if of.is_empty() {
        String::new()
    } else {
        format!(" {of}")
    };
    let what = if what.is_empty() {
        String::new()
    } else {
        format!("{what} ")
    };
    format!("{what}{}{suffix}{of} ({}–{})", t(value), t(lo), t(hi))
}

/// Holds, fails or inconclusive for an interval against the limits.
fn verdict(lo: f64, hi: f64, at_least: Option<f64>, at_most: Option<f64>) -> Outcome {
    let fails = at_least.is_some_and(|a| hi < a) || at_most.is_some_and(|b| lo > b);
    let holds = at_least.is_none_or(|a| lo >= a) && at_most.is_none_or(|b| hi <= b);
    if fails {
        Outcome::Fails
    } else if holds {
        Outcome::Holds
    } else {
        Outcome::Inconclusive
    }
}

fn open(at: String, note: impl Into<String>) -> PointResult {
    PointResult {
        at,
        outcome: Outcome::Inconclusive,
        value: None,
        low: None,
        high: None,
        measured: "–".to_string(),
        note: note.into(),
        busy_machine: false,
    }
}

/// A claim with limits, at each cell of its model it applies to.
fn limit_points(claim: &ClaimSpec, m: Measured) -> Vec<PointResult> {
    let at_least = claim.at_least.as_ref().map(Limit::number);
    let at_most = claim.at_most.as_ref().map(Limit::number);
    let group = claim.group.as_deref();
    m.cells
        .iter()
        .filter(|c| c.workload == claim.workload && c.model == claim.model)
        .filter(|c| claim.selects(&c.point()))
        .map(|cell| {
            let at = at_text(cell);
            let values = run_values(claim.metric, group, cell, m);
            // The cells compared with, whose runs count as much.
            let others: Vec<&CellSummary> = match (claim.reference(), claim.metric) {
                (Some(of), _) => references(claim, cell, of, m),
                (None, Metric::Speedup) => sequential_of(cell, m).into_iter().collect(),
                _ => Vec::new(),
            };
            let judged = match (claim.reference(), claim.metric, others.as_slice()) {
                (Some(of), _, [reference]) => ratio_of(claim, reference, of, &values, m),
                (Some(of), _, []) => Err(format!("no cell of {of} at this point")),
                (Some(of), _, _) => Err(format!("{of} has several variants at this point")),
                (None, Metric::Speedup, [sequential]) => speedup(sequential, &values, m),
                (None, Metric::Speedup, _) => Err(NO_BASELINE_AT_POINT.to_string()),
                (None, Metric::Efficiency, _) => efficiency(cell, &values),
                (None, metric, _) => absolute(metric, &values),
            };
            let busy = std::iter::once(cell)
                .chain(others.iter().copied())
                .any(|c| c.disturbance().is_some());
            match judged {
                Ok((value, lo, hi, measured)) => PointResult {
                    at,
                    outcome: verdict(lo, hi, at_least, at_most),
                    value: Some(value),
                    low: Some(lo),
                    high: Some(hi),
                    measured,
                    note: String::new(),
                    busy_machine: busy,
                },
                Err(note) => PointResult {
                    busy_machine: busy,
                    ..open(at, note)
                },
            }
        })
        .collect()
}

type Judged = Result<(f64, f64, f64, String), String>;

fn too_few(n: usize, what: &str) -> String {
    format!(
        "{what} has {n} measured run{}; an interval needs two",
        if n == 1 { "" } else { "s" }
    )
}

fn absolute(metric: Metric, values: &[f64]) -> Judged {
    let s = stats::describe(values).filter(|s| s.n >= 2);
    let Some(s) = s else {
        return Err(too_few(values.len(), "the cell"));
    };
    let unit = if metric.is_time() {
        Unit::Ms
    } else {
        Unit::Plain
    };
    let text = measured_text("mean", s.mean, s.ci95_low, s.ci95_high, unit, "");
    Ok((s.mean, s.ci95_low, s.ci95_high, text))
}

/// The ratio of this cell's medians to a reference cell's, and Welch's
/// interval of it.
fn ratio_between(mine: &[f64], reference: &[f64], of: &str) -> Judged {
    let j = judge(reference, mine);
    match (j.ratio, j.ci95) {
        (Some(r), Some((lo, hi))) => Ok((r, lo, hi, measured_text("", r, lo, hi, Unit::Ratio, of))),
        _ => Err(format!(
            "{} and {} measured runs: a ratio's interval needs two on each side",
            mine.len(),
            reference.len()
        )),
    }
}

/// The cells of model `of` a ratio claim compares `cell` with: at the
/// same point, with the same model fields where both have them.
fn references<'a>(
    claim: &ClaimSpec,
    cell: &CellSummary,
    of: &str,
    m: Measured<'a>,
) -> Vec<&'a CellSummary> {
    let key = cell.point().workload_key();
    m.cells
        .iter()
        .filter(|r| r.workload == cell.workload && r.model == of)
        .filter(|r| r.point().workload_key() == key && claim.selects(&r.point()))
        .filter(|r| same_model_fields(cell, r))
        .collect()
}

fn ratio_of(
    claim: &ClaimSpec,
    reference: &CellSummary,
    of: &str,
    values: &[f64],
    m: Measured,
) -> Judged {
    let theirs = run_values(claim.metric, claim.group.as_deref(), reference, m);
    ratio_between(values, &theirs, of)
}

/// Why a speedup claim is not judged at a point without a baseline cell.
const NO_BASELINE_AT_POINT: &str = "no sequential or python-sequential cell at this point to take the speedup over (add one as a [[model]])";

/// The speedup baseline's cell ([`ModelKind::speedup_baseline`]) at the
/// same point as `cell`.
fn sequential_of<'a>(cell: &CellSummary, m: Measured<'a>) -> Option<&'a CellSummary> {
    let key = cell.point().workload_key();
    let baseline = ModelKind::speedup_baseline(m.cells.iter().map(|c| c.kind))?;
    m.cells
        .iter()
        .find(|c| c.kind == baseline && c.point().workload_key() == key)
}

fn speedup(sequential: &CellSummary, walls: &[f64], m: Measured) -> Judged {
    let theirs = run_values(Metric::Wall, None, sequential, m);
    // Speedup = sequential / this: the ratio of sequential's runs to these.
    let j = judge(walls, &theirs);
    match (j.ratio, j.ci95) {
        (Some(r), Some((lo, hi))) => Ok((
            r,
            lo,
            hi,
            measured_text("speedup", r, lo, hi, Unit::Ratio, ""),
        )),
        _ => Err(format!(
            "{} and {} measured runs (this cell and sequential's): an interval needs two on each side",
            walls.len(),
            theirs.len()
        )),
    }
}

fn efficiency(cell: &CellSummary, walls: &[f64]) -> Judged {
    let s = stats::describe(walls).filter(|s| s.n >= 2);
    let (Some(s), Some(value)) = (s, cell.efficiency) else {
        return Err(too_few(walls.len(), "the cell"));
    };
    let predicted = cell.predicted_ms;
    let lo = predicted / s.ci95_high;
    let hi = if s.ci95_low > 0.0 {
        predicted / s.ci95_low
    } else {
        f64::INFINITY
    };
    let text = measured_text("efficiency", value, lo, hi, Unit::Plain, "");
    Ok((value, lo, hi, text))
}

/// A crossover claim, once per combination of the other swept values
/// (and variants, and machines) along which the two models' curves run.
fn crossover_points(claim: &ClaimSpec, x: &CrossoverSpec, m: Measured) -> Vec<PointResult> {
    let (Some(axis), Some((lo, hi))) = (&x.axis, &x.between) else {
        return Vec::new();
    };
    let range = (lo.number(), hi.number());
    let group = claim.group.as_deref();
    let cells: Vec<&CellSummary> = m
        .cells
        .iter()
        .filter(|c| c.workload == claim.workload && (c.model == x.of || c.model == x.and))
        .filter(|c| claim.selects(&c.point()))
        .collect();
    let xs: Vec<f64> = cells
        .iter()
        .filter_map(|c| axis.value(&c.point()).map(|v| v.number()))
        .collect();
    let log_x = stats::spans_two_decades(&xs);
    // The curves: every variant of `of` against every variant of `and`,
    // where the other swept values agree.
    let rest = |c: &CellSummary| {
        let point = c.point();
        c.axes
            .of_workload()
            .filter(|a| *a != axis)
            .filter_map(|a| Some(format!("{a}={}", a.value(&point)?.chart_text())))
            .chain(c.machine.iter().map(|m| format!("machine={m}")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut curves: Vec<(String, String, String)> = Vec::new();
    for a in cells.iter().filter(|c| c.model == x.of) {
        for b in cells.iter().filter(|c| c.model == x.and) {
            let key = (rest(a), a.variant.clone(), b.variant.clone());
            if rest(a) == rest(b) && !curves.contains(&key) {
                curves.push(key);
            }
        }
    }
    let unit_text = |v: f64| {
        if axis.field.is_duration() {
            duration_text(round_significant(v, 3))
        } else {
            format_number(round_significant(v, 3), 6)
        }
    };
    curves
        .into_iter()
        .map(|(rest_key, va, vb)| {
            let mut at = rest_key.clone();
            for (v, model) in [(&va, &x.of), (&vb, &x.and)] {
                if v != model {
                    at = format!("{at} {v}").trim().to_string();
                }
            }
            let samples: Vec<Sample> = cells
                .iter()
                .filter(|a| a.variant == va && rest(a) == rest_key)
                .filter_map(|a| {
                    let point = a.point();
                    let xa = axis.value(&point)?.number();
                    let b = cells.iter().find(|b| {
                        b.variant == vb
                            && rest(b) == rest_key
                            && axis.value(&b.point()).map(|v| v.number()) == Some(xa)
                    })?;
                    let (wa, wb) = (
                        run_values(claim.metric, group, a, m),
                        run_values(claim.metric, group, b, m),
                    );
                    let j = judge(&wb, &wa);
                    Some(Sample {
                        x: xa,
                        ratio: j.ratio?,
                        ci: j.ci95,
                    })
                })
                .collect();
            if samples.len() < 2 {
                return open(at, "fewer than two points where both models were measured");
            }
            let found = crossovers::crossings(&samples, log_x);
            let outcome = match crossovers::crosses_within(&samples, log_x, range) {
                Some(true) => Outcome::Holds,
                Some(false) => Outcome::Fails,
                None => Outcome::Inconclusive,
            };
            // The crossing to show: the first inside the range, else the
            // nearest to it.
            let distance = |k: &crossovers::Crossing| {
                if k.at < range.0 {
                    range.0 - k.at
                } else if k.at > range.1 {
                    k.at - range.1
                } else {
                    0.0
                }
            };
            let shown = found
                .iter()
                .min_by(|a, b| distance(a).total_cmp(&distance(b)));
            let (value, low, high, measured) = match shown {
                Some(k) => {
                    let (lo, hi) = (
                        k.low.map_or_else(|| "…".to_string(), unit_text),
                        k.high.map_or_else(|| "…".to_string(), unit_text),
                    );
                    let (first, second) = if k.a_lower_after {
                        (&va, &vb)
                    } else {
                        (&vb, &va)
                    };
                    (
                        Some(k.at),
                        k.low,
                        k.high,
                        format!(
                            "{first} overtakes {second} at {axis} ≈ {} ({lo}–{hi})",
                            unit_text(k.at)
                        ),
                    )
                }
                None => {
                    let below = samples.iter().all(|s| s.ratio < 1.0);
                    let lower = if below { &va } else { &vb };
                    (
                        None,
                        None,
                        None,
                        format!("no crossing: {lower} is lower at every point"),
                    )
                }
            };
            let busy = cells
                .iter()
                .filter(|c| (c.variant == va || c.variant == vb) && rest(c) == rest_key)
                .any(|c| c.disturbance().is_some());
            PointResult {
                at,
                outcome,
                value,
                low,
                high,
                measured,
                note: String::new(),
                busy_machine: busy,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, ClaimSpec};
    use crate::matrix;
    use crate::results::{CellPlan, Measurement, summarize};

    /// Results of `text`'s experiment where each cell's runs took the
    /// wall times `walls(cell label)` (ms), and its claims.
    fn results(
        text: &str,
        walls: impl Fn(&str) -> Vec<f64>,
    ) -> (Vec<ClaimSpec>, Vec<CellSummary>, Vec<RunRecord>) {
        let exp = match config::from_text("t.toml", text, "t") {
            Ok(l) => l.experiment,
            Err(e) => panic!("{e}"),
        };
        let cells = matrix::expand(&exp, 2);
        let mut records = Vec::new();
        let mut plans = Vec::new();
        for cell in cells {
            for (i, wall) in walls(&cell.label()).into_iter().enumerate() {
                let m = Measurement {
                    wall_ns: (wall * 1e6) as u64,
                    ..Measurement::default()
                };
                records.push(RunRecord::measured(&cell, i as u32 + 1, &m));
            }
            plans.push(CellPlan {
                group_io_latency_mean_ns: vec![0.0; cell.groups.len()],
                requests: vec![None; cell.groups.len()],
                interpreter: None,
                io_latency_mean_ns: 0.0,
                baseline_ns: 0,
                predicted_ns: 100_000_000,
                skip: None,
                cell,
            });
        }
        let summaries = summarize(&plans, &records, &[]);
        (exp.claims, summaries, records)
    }

    fn judged(text: &str, walls: impl Fn(&str) -> Vec<f64>) -> Vec<ClaimResult> {
        let (claims, cells, runs) = results(text, walls);
        judge_all(
            &claims,
            Measured {
                cells: &cells,
                runs: &runs,
                groups: &[],
            },
        )
    }

    const THREE: &str = "[[workload]]\nname = \"three\"\ntasks = 3\n\
                         [[model]]\nkind = \"sequential\"\n[[model]]\nkind = \"threads\"\n";

    /// Sequential about 300 ms, threads about 100 ms, five runs each.
    fn three(label: &str) -> Vec<f64> {
        if label.contains("sequential") {
            vec![300.0, 301.0, 299.0, 300.5, 299.5]
        } else {
            vec![100.0, 101.0, 99.0, 100.5, 99.5]
        }
    }

    fn claim(body: &str) -> String {
        format!("{THREE}[[claim]]\nworkload = \"three\"\nmodel = \"threads\"\n{body}\n")
    }

    #[test]
    fn a_ratio_claim_holds_fails_or_stays_inconclusive_by_its_interval() {
        let r = judged(
            &claim("at_most = { ratio = 0.4, of = \"sequential\" }"),
            three,
        );
        assert_eq!(r[0].outcome, Outcome::Holds, "{r:?}");
        let p = &r[0].points[0];
        // The medians' ratio, 100 / 300, and Welch's interval around it.
        assert!((p.value.unwrap_or(0.0) - 1.0 / 3.0).abs() < 1e-9);
        let (lo, hi) = (p.low.unwrap_or(0.0), p.high.unwrap_or(0.0));
        assert!(
            lo < 1.0 / 3.0 && 1.0 / 3.0 < hi && hi < 0.34 && lo > 0.326,
            "{lo} {hi}"
        );
        let all = [1.0 / 3.0, lo, hi];
        assert_eq!(
            p.measured,
            format!(
                "{}× sequential ({}–{})",
                number_text(1.0 / 3.0, &all),
                number_text(lo, &all),
                number_text(hi, &all)
            )
        );
        let r = judged(
            &claim("at_least = { ratio = 0.5, of = \"sequential\" }"),
            three,
        );
        assert_eq!(r[0].outcome, Outcome::Fails);
        // 1/3 lies inside the interval, whose ends lie on both sides.
        let r = judged(
            &claim("at_most = { ratio = 0.3334, of = \"sequential\" }"),
            three,
        );
        assert_eq!(r[0].outcome, Outcome::Inconclusive);
    }

    #[test]
    fn an_absolute_claim_is_judged_on_the_t_interval_of_the_mean() {
        // Mean 100, sd 0.79: the interval is 100 ± 2.776 × 0.79 / √5.
        let half = stats::t_975(4) * (2.5f64 / 4.0).sqrt() / 5f64.sqrt();
        let r = judged(&claim("at_most = \"102ms\""), three);
        assert_eq!(r[0].outcome, Outcome::Holds);
        let p = &r[0].points[0];
        assert!((p.low.unwrap_or(0.0) - (100.0 - half)).abs() < 1e-9);
        assert!((p.high.unwrap_or(0.0) - (100.0 + half)).abs() < 1e-9);
        assert_eq!(p.measured, "mean 100 ms (99–101)");
        assert_eq!(
            judged(&claim("at_least = \"102ms\""), three)[0].outcome,
            Outcome::Fails
        );
        assert_eq!(
            judged(&claim("at_most = \"100.5ms\""), three)[0].outcome,
            Outcome::Inconclusive
        );
        assert_eq!(
            judged(&claim("between = [\"99ms\", \"101ms\"]"), three)[0].outcome,
            Outcome::Holds
        );
    }

    #[test]
    fn speedup_and_efficiency_have_intervals_too() {
        let r = judged(&claim("metric = \"speedup\"\nat_least = 2.5"), three);
        assert_eq!(r[0].outcome, Outcome::Holds);
        assert!((r[0].points[0].value.unwrap_or(0.0) - 3.0).abs() < 1e-9);
        assert_eq!(
            judged(&claim("metric = \"speedup\"\nat_least = 3.5"), three)[0].outcome,
            Outcome::Fails
        );
        // Predicted 100 ms over a mean of 100 ± 1 ms.
        let r = judged(&claim("metric = \"efficiency\"\nat_least = 0.95"), three);
        assert_eq!(r[0].outcome, Outcome::Holds, "{r:?}");
        assert_eq!(
            judged(&claim("metric = \"efficiency\"\nat_least = 1.0"), three)[0].outcome,
            Outcome::Inconclusive
        );
    }

    #[test]
    fn one_run_or_none_is_inconclusive() {
        let r = judged(&claim("at_most = \"1s\""), |_| vec![100.0]);
        assert_eq!(r[0].outcome, Outcome::Inconclusive);
        assert_eq!(
            r[0].points[0].note,
            "the cell has 1 measured run; an interval needs two"
        );
        let r = judged(&claim("at_most = \"1s\""), |_| Vec::new());
        assert_eq!(r[0].outcome, Outcome::Inconclusive);
    }

    const SWEEP: &str = "[[workload]]\nname = \"cpu\"\ntasks = [1, 2, 4, 8]\n\
                         [[model]]\nkind = \"gil-threads\"\n[[model]]\nkind = \"processes\"\n";

    /// gil-threads takes 50 ms per task; processes 30 ms + 26 ms per task
    /// (on two cores): they cross between 1 and 2 tasks, at about 1.36.
    /// The runs spread by 6 %.
    fn sweep(label: &str) -> Vec<f64> {
        let tasks: f64 = label
            .rsplit('=')
            .next()
            .and_then(|t| t.parse().ok())
            .unwrap_or(1.0);
        let base = if label.contains("gil") {
            50.0 * tasks
        } else {
            30.0 + 26.0 * tasks
        };
        (0..5)
            .map(|i| base * (1.0 + 0.015 * f64::from(i)))
            .collect()
    }

    fn crossover(between: &str) -> Vec<ClaimResult> {
        let text = format!(
            "{SWEEP}[[claim]]\nworkload = \"cpu\"\ncrossover = {{ of = \"processes\", and = \"gil-threads\", axis = \"tasks\", between = {between} }}\n"
        );
        judged(&text, sweep)
    }

    #[test]
    fn a_crossover_claim_holds_fails_or_stays_inconclusive() {
        let r = crossover("[1, 2]");
        assert_eq!(r[0].outcome, Outcome::Holds, "{r:?}");
        let p = &r[0].points[0];
        // ln(56/50) … ln(82/100): the log ratio reaches 0 at 1.36.
        let at = p.value.unwrap_or(0.0);
        let expected = 1.0 + (56.0f64 / 50.0).ln() / ((56.0f64 / 50.0).ln() - 0.82f64.ln());
        assert!((at - expected).abs() < 1e-9, "{at}");
        assert!(
            p.measured
                .starts_with("processes overtakes gil-threads at tasks ≈ "),
            "{}",
            p.measured
        );
        assert_eq!(crossover("[4, 8]")[0].outcome, Outcome::Fails);
        // Close to the crossing the intervals include 1.
        assert_eq!(crossover("[1.3, 1.4]")[0].outcome, Outcome::Inconclusive);
    }

    #[test]
    fn claims_apply_at_every_point_or_where_they_say() {
        let text = format!(
            "{SWEEP}[[claim]]\nworkload = \"cpu\"\nmodel = \"processes\"\nat_most = {{ ratio = 1, of = \"gil-threads\" }}\nwhere = {{ tasks = [4, 8] }}\n\
             [[claim]]\nworkload = \"cpu\"\nmodel = \"processes\"\nat_most = {{ ratio = 1, of = \"gil-threads\" }}\n"
        );
        let r = judged(&text, sweep);
        assert_eq!(r[0].outcome, Outcome::Holds);
        assert_eq!(r[0].points.len(), 2);
        assert_eq!(r[0].points[0].at, "tasks=4");
        // At 1 task processes are slower: the claim fails there.
        assert_eq!(r[1].outcome, Outcome::Fails);
        let outcomes: Vec<Outcome> = r[1].points.iter().map(|p| p.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Outcome::Fails,
                Outcome::Holds,
                Outcome::Holds,
                Outcome::Holds
            ]
        );
    }

    #[test]
    fn a_group_metric_reads_the_group_rows_of_measured_runs() {
        let text = "[[workload]]\nname = \"mix\"\n[[workload.group]]\nname = \"cpu\"\ntasks = 1\n\
                    [[workload.group]]\nname = \"io\"\ntasks = 2\n[[model]]\nkind = \"async\"\n\
                    [[claim]]\nworkload = \"mix\"\nmodel = \"async\"\nmetric = \"wake_delay_p99\"\n\
                    group = \"io\"\nat_least = \"5ms\"\n";
        let (claims, cells, runs) = results(text, |_| vec![20.0; 4]);
        // The io group waited about 10 ms for the loop; the cpu group's
        // rows (and a run that is not measured) must not count.
        let row = |repetition: u32, group: &str, wake_us: f64| GroupRecord {
            cell: 0,
            repetition,
            group: group.to_string(),
            tasks: 1,
            completion_p50_ms: 1.0,
            completion_p99_ms: 1.0,
            completion_max_ms: 1.0,
            wake_delay_p50_us: Some(wake_us),
            wake_delay_p99_us: Some(wake_us),
            wake_delay_max_us: Some(wake_us),
            rounds_per_s: None,
            offered_per_s: None,
            achieved_per_s: None,
            latency_mean_ms: None,
            latency_p50_ms: None,
            latency_p90_ms: None,
            latency_p99_ms: None,
            latency_p999_ms: None,
            latency_max_ms: None,
            requests_completed: None,
            requests_unfinished: None,
        };
        let groups: Vec<GroupRecord> = (1..=4)
            .flat_map(|r| [row(r, "io", 10_000.0 + f64::from(r)), row(r, "cpu", 1.0)])
            .chain([row(9, "io", 1.0)])
            .collect();
        let m = Measured {
            cells: &cells,
            runs: &runs,
            groups: &groups,
        };
        let r = judge_all(&claims, m);
        assert_eq!(r[0].outcome, Outcome::Holds, "{r:?}");
        assert!((r[0].points[0].value.unwrap_or(0.0) - 10.0025).abs() < 1e-9);
    }
}
