//! Where one model's median curve crosses another's along a swept axis —
//! "processes overtake sequential between 1 and 10 tasks, at about 2.9" —
//! found in a results folder's summaries for the reports and
//! `summary.json`, and the arithmetic a crossover `[[claim]]` is judged
//! by. Pure.
//!
//! Two curves a and b are compared through the ratio of their medians,
//! a / b, at each point both have: they cross where it passes 1. Between
//! neighbouring points its logarithm is interpolated linearly, along the
//! axis's logarithm where the axis spans two decades or more (as a chart
//! draws it, see [`stats::spans_two_decades`]); a point where the ratio is
//! exactly 1 is a crossing when the curves change sides there, and a mere
//! touch when they do not. Each point also has the 95 % interval of the
//! ratio (Welch's test on the runs' log wall times, as `compare` uses):
//! the crossing's own interval runs from where the curves are last
//! certainly on one side to where they are first certainly on the other,
//! those bounds interpolated the same way. A crossing is **certain** when
//! both ends are within the sweep; otherwise it may be noise.

use serde::{Deserialize, Serialize};

use super::compare::judge;
use super::record::{RunRecord, RunStatus};
use super::summary::CellSummary;
use crate::config::{Axis, Point};
use crate::format::{duration_text, format_number};
use crate::stats;

/// Two curves at one point of an axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub x: f64,
    /// Curve a's median over curve b's.
    pub ratio: f64,
    /// The 95 % interval of that ratio, if both sides have two runs.
    pub ci: Option<(f64, f64)>,
}

/// Where two curves cross.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Crossing {
    /// The neighbouring points it lies between.
    pub from: f64,
    pub to: f64,
    /// Where the interpolated ratio is 1.
    pub at: f64,
    /// Whether curve a is the lower (faster) one after it.
    pub a_lower_after: bool,
    /// Its 95 % interval; `None` at an end the sweep's points do not bound
    /// (the curves are nowhere certainly on that side).
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl Crossing {
    /// Whether both ends of its interval lie within the sweep.
    pub fn certain(&self) -> bool {
        self.low.is_some() && self.high.is_some()
    }
}

/// The samples in interpolation coordinates: u (x or ln x), the log
/// ratio and the log bounds (±∞ without an interval).
struct Coords {
    x: Vec<f64>,
    u: Vec<f64>,
    s: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    log_x: bool,
}

impl Coords {
    fn new(samples: &[Sample], log_x: bool) -> Coords {
        let mut sorted: Vec<Sample> = samples
            .iter()
            .copied()
            .filter(|s| s.ratio > 0.0 && s.ratio.is_finite() && (!log_x || s.x > 0.0))
            .collect();
        sorted.sort_by(|a, b| a.x.total_cmp(&b.x));
        sorted.dedup_by(|a, b| a.x == b.x);
        let u = |x: f64| if log_x { x.ln() } else { x };
        let bound = |ci: Option<(f64, f64)>, high: bool| match ci {
            Some((l, h)) if l > 0.0 && h >= l => {
                if high {
                    h.ln()
                } else {
                    l.ln()
                }
            }
            _ if high => f64::INFINITY,
            _ => f64::NEG_INFINITY,
        };
        Coords {
            x: sorted.iter().map(|s| s.x).collect(),
            u: sorted.iter().map(|s| u(s.x)).collect(),
            s: sorted.iter().map(|s| s.ratio.ln()).collect(),
            lo: sorted.iter().map(|s| bound(s.ci, false)).collect(),
            hi: sorted.iter().map(|s| bound(s.ci, true)).collect(),
            log_x,
        }
    }

    fn x_of(&self, u: f64) -> f64 {
        if self.log_x { u.exp() } else { u }
    }

    fn u_of(&self, x: f64) -> f64 {
        if self.log_x { x.ln() } else { x }
    }
}

/// Where on [u0, u1] a line from y0 to y1 is 0 (y0 and y1 on different
/// sides, or one of them 0); an infinite end pins it to the other end.
fn zero_between(u0: f64, u1: f64, y0: f64, y1: f64) -> f64 {
    if y1.is_infinite() || y0 == 0.0 {
        u0
    } else if y0.is_infinite() || y1 == 0.0 {
        u1
    } else {
        u0 + (u1 - u0) * y0 / (y0 - y1)
    }
}

/// `ys` (linear between the points `u`) at `at`; an infinite end makes
/// the inside of its segment infinite too.
fn value_at(u: &[f64], ys: &[f64], at: f64) -> f64 {
    match u.iter().position(|&v| v >= at) {
        Some(i) if u[i] == at => ys[i],
        Some(0) | None => f64::NAN,
        Some(i) => {
            let (y0, y1) = (ys[i - 1], ys[i]);
            if y0.is_infinite() {
                y0
            } else if y1.is_infinite() {
                y1
            } else {
                y0 + (y1 - y0) * (at - u[i - 1]) / (u[i] - u[i - 1])
            }
        }
    }
}

/// Every crossing of two curves, in axis order.
pub fn crossings(samples: &[Sample], log_x: bool) -> Vec<Crossing> {
    let c = Coords::new(samples, log_x);
    let n = c.x.len();
    let mut out = Vec::new();
    let mut previous: Option<usize> = None;
    for k in 0..n {
        if c.s[k] == 0.0 {
            continue;
        }
        if let Some(j) = previous
            && (c.s[j] > 0.0) != (c.s[k] > 0.0)
        {
            let at = if k == j + 1 {
                c.x_of(zero_between(c.u[j], c.u[k], c.s[j], c.s[k]))
            } else {
                // Equal medians at the points between: the middle one.
                c.x[(j + 1 + k - 1) / 2]
            };
            let before_high = c.s[j] > 0.0;
            out.push(Crossing {
                from: c.x[j],
                to: c.x[k],
                at,
                a_lower_after: before_high,
                low: lower_end(&c, j, before_high),
                high: upper_end(&c, k, before_high),
            });
        }
        previous = Some(k);
    }
    out
}

/// Where the curves were last certainly on their side before the
/// crossing (at or before point `j`): ratio above 1 if `high`.
fn lower_end(c: &Coords, j: usize, high: bool) -> Option<f64> {
    let bound = if high { &c.lo } else { &c.hi };
    let certain = |p: usize| if high { bound[p] > 0.0 } else { bound[p] < 0.0 };
    let p = (0..=j).rev().find(|&p| certain(p))?;
    let next = (p + 1).min(c.x.len() - 1);
    Some(c.x_of(zero_between(c.u[p], c.u[next], bound[p], bound[next])))
}

/// Where the curves are first certainly on their new side after the
/// crossing (at or after point `k`).
fn upper_end(c: &Coords, k: usize, high_before: bool) -> Option<f64> {
    let bound = if high_before { &c.hi } else { &c.lo };
    let certain = |q: usize| {
        if high_before {
            bound[q] < 0.0
        } else {
            bound[q] > 0.0
        }
    };
    let q = (k..c.x.len()).find(|&q| certain(q))?;
    let prev = q.saturating_sub(1);
    Some(c.x_of(zero_between(c.u[prev], c.u[q], bound[prev], bound[q])))
}

/// Whether the curves cross within `range` (axis values, low first):
/// `Some(true)` when somewhere in it curve a is certainly above b and
/// somewhere certainly below; `Some(false)` when it is certainly on one
/// side all through it (as far as the points reach); `None` when the
/// intervals leave it open, or the points do not reach the range.
pub fn crosses_within(samples: &[Sample], log_x: bool, range: (f64, f64)) -> Option<bool> {
    let c = Coords::new(samples, log_x);
    let (first, last) = (*c.x.first()?, *c.x.last()?);
    let (from, to) = (range.0.max(first), range.1.min(last));
    if from > to || c.x.len() < 2 {
        return None;
    }
    let (a, b) = (c.u_of(from), c.u_of(to));
    let mut at: Vec<f64> = vec![a, b];
    at.extend(c.u.iter().copied().filter(|u| *u > a && *u < b));
    let lows: Vec<f64> = at.iter().map(|u| value_at(&c.u, &c.lo, *u)).collect();
    let highs: Vec<f64> = at.iter().map(|u| value_at(&c.u, &c.hi, *u)).collect();
    let above = lows.iter().any(|l| *l > 0.0);
    let below = highs.iter().any(|h| *h < 0.0);
    if above && below {
        Some(true)
    } else if lows.iter().all(|l| *l > 0.0) || highs.iter().all(|h| *h < 0.0) {
        Some(false)
    } else {
        None
    }
}

/// A crossing of two model variants' median wall times in a workload,
/// as reports and `summary.json` list it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Crossover {
    pub workload: String,
    /// The swept axis the curves run along: `tasks`, `io.rounds`.
    pub axis: String,
    /// The other swept fields (and the machine), fixed along the curves;
    /// empty when there are none.
    pub at: String,
    /// The variant that is faster after the crossing, and the other.
    pub overtakes: String,
    pub overtaken: String,
    /// The neighbouring points it lies between, and where the medians
    /// meet (interpolated); durations in ms.
    pub from: f64,
    pub to: f64,
    pub x: f64,
    /// The 95 % interval of where it lies (absent: beyond the sweep).
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Whether both ends of that interval lie within the sweep.
    pub certain: bool,
    /// The sentence reports show.
    pub text: String,
}

/// An axis value as reports write it.
fn value_text(axis: &Axis, v: f64, digits: usize) -> String {
    if axis.field.is_duration() {
        duration_text(significant(v, digits))
    } else {
        format_number(significant(v, digits), 6)
    }
}

/// `v` rounded to `digits` significant digits.
fn significant(v: f64, digits: usize) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits as i32 - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

impl Crossover {
    fn describe(&mut self, axis: &Axis) {
        let (from, to) = (value_text(axis, self.from, 6), value_text(axis, self.to, 6));
        let between = if axis.field.is_duration() {
            format!("between {axis} = {from} and {to}")
        } else {
            format!("between {from} and {to} {axis}")
        };
        let mut text = format!(
            "{} overtakes {} {between}, at about {}",
            self.overtakes,
            self.overtaken,
            value_text(axis, self.x, 3)
        );
        match (self.low, self.high) {
            (Some(lo), Some(hi)) => text.push_str(&format!(
                " (95 % interval {}–{})",
                value_text(axis, lo, 3),
                value_text(axis, hi, 3)
            )),
            _ => text.push_str(" (within the noise)"),
        }
        if !self.at.is_empty() {
            text.push_str(&format!(", at {}", self.at));
        }
        self.text = text;
    }
}

/// The wall times of a cell's measured runs.
fn walls(runs: &[RunRecord], cell: usize) -> Vec<f64> {
    runs.iter()
        .filter(|r| r.cell == cell && r.status == RunStatus::Ok)
        .filter_map(|r| r.wall_ms)
        .collect()
}

/// The swept values of `axes` except `axis`, and the machine: what stays
/// the same along one curve.
fn rest_of(point: &Point, axes: &[Axis], axis: &Axis) -> String {
    axes.iter()
        .filter(|a| *a != axis)
        .filter_map(|a| Some(format!("{a}={}", a.value(point)?.chart_text())))
        .chain(point.machine.iter().map(|m| format!("machine={m}")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One model variant's curve along an axis: its name and its cells.
struct Curve<'a> {
    name: String,
    cells: Vec<(f64, &'a CellSummary)>,
}

/// Every crossing of two model variants' median wall times along each
/// swept axis of each workload, workloads and axes in results order.
pub fn find(cells: &[CellSummary], runs: &[RunRecord]) -> Vec<Crossover> {
    let mut out = Vec::new();
    let mut workloads: Vec<&str> = Vec::new();
    for c in cells {
        if !workloads.contains(&c.workload.as_str()) {
            workloads.push(&c.workload);
        }
    }
    for workload in workloads {
        let mine: Vec<&CellSummary> = cells
            .iter()
            .filter(|c| c.workload == workload && c.wall_median_ms.is_some_and(|m| m > 0.0))
            .collect();
        let mut axes: Vec<Axis> = Vec::new();
        for c in &mine {
            for a in &c.axes.0 {
                if !axes.contains(a) {
                    axes.push(a.clone());
                }
            }
        }
        for axis in &axes {
            out.extend(along(&mine, &axes, axis, runs));
        }
    }
    out
}

/// The crossings along one axis of one workload's cells.
fn along(cells: &[&CellSummary], axes: &[Axis], axis: &Axis, runs: &[RunRecord]) -> Vec<Crossover> {
    // Curves by what stays fixed along them; a model's own axis makes
    // curves of the models that sweep it only.
    let mut groups: Vec<(String, Vec<Curve>)> = Vec::new();
    let mut xs = Vec::new();
    for c in cells {
        let point = c.point();
        let Some(x) = axis.value(&point).map(|v| v.number()) else {
            continue;
        };
        xs.push(x);
        let rest = rest_of(&point, axes, axis);
        let name = if axis.field.of_workload() {
            c.variant.clone()
        } else {
            let own: Vec<String> = axes
                .iter()
                .filter(|a| !a.field.of_workload() && *a != axis)
                .filter_map(|a| Some(format!("{a}={}", a.value(&point)?.label())))
                .collect();
            std::iter::once(c.model.clone())
                .chain(own)
                .collect::<Vec<_>>()
                .join(" ")
        };
        let at = match groups.iter().position(|(r, _)| *r == rest) {
            Some(i) => i,
            None => {
                groups.push((rest, Vec::new()));
                groups.len() - 1
            }
        };
        let curves = &mut groups[at].1;
        match curves.iter_mut().find(|cv| cv.name == name) {
            Some(cv) => cv.cells.push((x, c)),
            None => curves.push(Curve {
                name,
                cells: vec![(x, c)],
            }),
        }
    }
    let log_x = stats::spans_two_decades(&xs);
    let mut out = Vec::new();
    for (rest, curves) in &groups {
        for (i, a) in curves.iter().enumerate() {
            for b in &curves[i + 1..] {
                let samples: Vec<Sample> = a
                    .cells
                    .iter()
                    .filter_map(|(x, ca)| {
                        let (_, cb) = b.cells.iter().find(|(xb, _)| xb == x)?;
                        let (ma, mb) = (ca.wall_median_ms?, cb.wall_median_ms?);
                        let ci = judge(&walls(runs, cb.cell), &walls(runs, ca.cell)).ci95;
                        Some(Sample {
                            x: *x,
                            ratio: ma / mb,
                            ci,
                        })
                    })
                    .collect();
                if samples.len() < 2 {
                    continue;
                }
                for k in crossings(&samples, log_x) {
                    let (overtakes, overtaken) = if k.a_lower_after {
                        (&a.name, &b.name)
                    } else {
                        (&b.name, &a.name)
                    };
                    let mut crossover = Crossover {
                        workload: a.cells[0].1.workload.clone(),
                        axis: axis.to_string(),
                        at: rest.clone(),
                        overtakes: overtakes.clone(),
                        overtaken: overtaken.clone(),
                        from: k.from,
                        to: k.to,
                        x: k.at,
                        low: k.low,
                        high: k.high,
                        certain: k.certain(),
                        text: String::new(),
                    };
                    crossover.describe(axis);
                    out.push(crossover);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(x: f64, ratio: f64, ci: (f64, f64)) -> Sample {
        Sample {
            x,
            ratio,
            ci: Some(ci),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_crossing_between_two_points_is_interpolated() {
        // a is twice b's at x = 2, half of it at x = 4: on a linear axis
        // the log ratio is 0 half way.
        let samples = [sample(2.0, 2.0, (1.8, 2.2)), sample(4.0, 0.5, (0.45, 0.55))];
        let found = crossings(&samples, false);
        let [k] = found.as_slice() else {
            panic!("one crossing expected: {found:?}")
        };
        assert!(close(k.at, 3.0), "{k:?}");
        assert_eq!((k.from, k.to), (2.0, 4.0));
        assert!(k.a_lower_after);
        assert!(k.certain());
        // The interval: where the lower bound leaves ln 1.8 > 0 and the
        // upper bound reaches ln 0.55 < 0, interpolated.
        let (lo, hi) = (k.low.unwrap_or(f64::NAN), k.high.unwrap_or(f64::NAN));
        let l_at = 2.0 + 2.0 * 1.8f64.ln() / (1.8f64.ln() - 0.45f64.ln());
        let h_at = 2.0 + 2.0 * 2.2f64.ln() / (2.2f64.ln() - 0.55f64.ln());
        assert!(close(lo, l_at) && close(hi, h_at), "{lo} {hi}");
        assert!(lo < k.at && k.at < hi);
    }

    #[test]
    fn a_log_axis_interpolates_in_log_space() {
        // Over 1 … 100 the middle of the log axis is 10.
        let samples = [sample(1.0, 2.0, (1.9, 2.1)), sample(100.0, 0.5, (0.4, 0.6))];
        let k = crossings(&samples, true);
        assert!(close(k[0].at, 10.0), "{k:?}");
        let k = crossings(&samples, false);
        assert!(close(k[0].at, 50.5), "{k:?}");
    }

    #[test]
    fn curves_that_do_not_cross_have_no_crossing() {
        let samples = [
            sample(1.0, 0.5, (0.4, 0.6)),
            sample(2.0, 0.9, (0.8, 1.05)),
            sample(4.0, 0.7, (0.6, 0.8)),
        ];
        assert_eq!(crossings(&samples, false), []);
        assert_eq!(crosses_within(&samples, false, (1.0, 4.0)), None);
        assert_eq!(crosses_within(&samples, false, (1.0, 1.5)), Some(false));
    }

    #[test]
    fn touching_is_not_crossing() {
        // The medians meet at x = 2 and part on the same side.
        let samples = [
            sample(1.0, 2.0, (1.8, 2.2)),
            sample(2.0, 1.0, (0.9, 1.1)),
            sample(4.0, 2.0, (1.8, 2.2)),
        ];
        assert_eq!(crossings(&samples, false), []);
        // Meeting at a point and parting on the other side is a crossing
        // at that point.
        let samples = [
            sample(1.0, 2.0, (1.8, 2.2)),
            sample(2.0, 1.0, (0.9, 1.1)),
            sample(4.0, 0.5, (0.45, 0.55)),
        ];
        let k = crossings(&samples, false);
        assert_eq!(k.len(), 1);
        assert!(close(k[0].at, 2.0));
        assert_eq!((k[0].from, k[0].to), (1.0, 4.0));
    }

    #[test]
    fn a_crossing_within_the_noise_is_not_certain() {
        let samples = [sample(1.0, 1.02, (0.9, 1.1)), sample(2.0, 0.98, (0.9, 1.1))];
        let k = crossings(&samples, false);
        assert_eq!(k.len(), 1);
        assert!(!k[0].certain());
        assert_eq!((k[0].low, k[0].high), (None, None));
        assert_eq!(crosses_within(&samples, false, (1.0, 2.0)), None);
    }

    #[test]
    fn a_range_holds_fails_or_stays_open() {
        let samples = [
            sample(1.0, 1.5, (1.4, 1.6)),
            sample(2.0, 0.6, (0.5, 0.7)),
            sample(4.0, 0.3, (0.25, 0.35)),
            sample(8.0, 0.2, (0.15, 0.25)),
        ];
        assert_eq!(crosses_within(&samples, false, (1.0, 2.0)), Some(true));
        assert_eq!(crosses_within(&samples, false, (0.0, 100.0)), Some(true));
        assert_eq!(crosses_within(&samples, false, (4.0, 8.0)), Some(false));
        // From 1.5: the bounds are interpolated; at 1.5 the upper bound is
        // ln-half-way between 1.6 and 0.7, above 1: not certain there, and
        // certainly below at 2.
        assert_eq!(crosses_within(&samples, false, (1.5, 8.0)), None);
        assert_eq!(crosses_within(&samples, false, (20.0, 30.0)), None);
        // Without intervals nothing is certain.
        let bare: Vec<Sample> = samples.iter().map(|s| Sample { ci: None, ..*s }).collect();
        assert_eq!(crosses_within(&bare, false, (1.0, 2.0)), None);
    }

    #[test]
    fn significant_digits() {
        assert_eq!(significant(2.6381, 2), 2.6);
        assert_eq!(significant(263.81, 2), 260.0);
        assert_eq!(significant(0.026381, 2), 0.026);
    }
}
