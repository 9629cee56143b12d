//! Which charts a report has: the default set, or the experiment's
//! `[[chart]]` entries in place of the per-workload defaults; plus the
//! overview and a timeline per recorded run. Also the file names, made
//! safe for any file system from any workload or model name. Pure.

use std::collections::{HashMap, HashSet};

use crate::config::{Axis, ChartSpec, ChartY, DEFAULT_CHART_HEIGHT, DEFAULT_CHART_WIDTH};
use crate::format::{cut_at_char_boundary, slug};
use crate::results::{CellSummary, Distribution, Timeline};

use super::metric::{self, Metric};

/// A chart of one measurement of one workload.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricChart {
    pub workload: String,
    pub metric: Metric,
    /// The sweep axis on x; the workload's first when `None`.
    pub x: Option<Axis>,
    /// Log x; automatic (two decades or more) when `None`.
    pub log_x: Option<bool>,
    pub log_y: Option<bool>,
    pub predictions: bool,
    /// Only these models; all when empty.
    pub models: Vec<String>,
    pub title: Option<String>,
    /// Only cells with these values of the workload's other sweep axes
    /// (one chart per combination when a workload sweeps several fields).
    pub fixed: Vec<(Axis, String)>,
}

impl MetricChart {
    /// Whether `c` is one of the cells this chart shows.
    pub fn shows(&self, c: &CellSummary) -> bool {
        c.workload == self.workload
            && (self.models.is_empty() || self.models.contains(&c.model))
            && (self.fixed.is_empty() || {
                let values = metric::axis_values(c);
                self.fixed.iter().all(|f| values.contains(f))
            })
    }

    /// The fields the chart holds still, for its subtitle: the values it
    /// was drawn at, then the workload's unswept fields (of `first`).
    pub fn fixed_subtitle(&self, first: Option<&CellSummary>) -> String {
        let mut parts: Vec<String> = self.fixed.iter().map(|(a, v)| format!("{a}={v}")).collect();
        if let Some(c) = first {
            let rest = metric::fixed_fields(c);
            if !rest.is_empty() {
                parts.push(rest);
            }
        }
        parts.join(" ")
    }
}

/// What a chart shows.
#[derive(Clone, Debug, PartialEq)]
pub enum ChartKind {
    Metric(MetricChart),
    CpuWall {
        workload: String,
    },
    Overview,
    /// The timeline of the cell with this index.
    Timeline {
        cell: usize,
    },
    /// Each cell's wake-up delays (p50, p99, longest) of one group of a
    /// workload of several groups.
    Wake {
        workload: String,
        group: String,
    },
    /// The distribution of one group's wake-up delays, a line per cell.
    Cdf {
        workload: String,
        group: String,
    },
    /// A group with arrivals: p50 and p99 latency against the offered
    /// rate, with capacities and predicted means.
    Latency {
        workload: String,
        group: String,
    },
    /// A group with arrivals: achieved against offered throughput.
    Throughput {
        workload: String,
        group: String,
    },
    /// A group with arrivals: the distribution of its request latencies
    /// at one rate, a line per cell.
    LatencyCdf {
        workload: String,
        group: String,
        rate: f64,
    },
}

/// The most bytes of UTF-8 a chart's file stem has. Its files are
/// `<stem>.png` and `<stem>.svg`, so every file name stays under 200
/// bytes, in any script, with room to spare under the 255 bytes file
/// systems allow for the store's temporary names.
pub const MAX_STEM_BYTES: usize = 190;

/// Chart file stems handed out so far: each unique, at most
/// [`MAX_STEM_BYTES`] long.
#[derive(Default)]
struct Stems {
    taken: HashSet<String>,
    /// Per wanted stem, the number to try next after a clash, so that a
    /// thousand charts wanting one name cost a thousand tries, not a
    /// million.
    next: HashMap<String, usize>,
}

impl Stems {
    /// `wanted`, cut to size at a character boundary; if another chart
    /// has that name already, `-2`, `-3`, … take the place of its end.
    fn unique(&mut self, wanted: &str) -> String {
        let base = cut_stem(wanted, MAX_STEM_BYTES);
        let mut stem = base.to_string();
        let mut n = self.next.get(base).copied().unwrap_or(2);
        while self.taken.contains(&stem) {
            let suffix = format!("-{n}");
            stem = format!("{}{suffix}", cut_stem(base, MAX_STEM_BYTES - suffix.len()));
            n += 1;
        }
        self.next.insert(base.to_string(), n);
        self.taken.insert(stem.clone());
        stem
    }
}

/// `stem` cut to at most `max` bytes at a character boundary, without a
/// `-` left dangling at the end of a cut.
fn cut_stem(stem: &str, max: usize) -> &str {
    if stem.len() <= max {
        return stem;
    }
    cut_at_char_boundary(stem, max).trim_end_matches('-')
}

/// One chart to render: `charts/<stem>.png` and `.svg`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartJob {
    pub stem: String,
    /// A one-line description for reports.
    pub caption: String,
    /// The report section it belongs to: a workload, or "overview" or
    /// "timelines".
    pub section: String,
    pub kind: ChartKind,
    pub width: u32,
    pub height: u32,
}

/// The workload's first swept workload field that is a number, the
/// default x of its charts (a field of words, such as `shared`, gets a
/// chart per value instead).
pub fn default_x(cells: &[&CellSummary]) -> Option<Axis> {
    cells.iter().find_map(|c| {
        c.axes
            .of_workload()
            .find(|a| !a.field.is_categorical())
            .cloned()
    })
}

fn workloads(cells: &[CellSummary]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for c in cells {
        if !names.contains(&c.workload) {
            names.push(c.workload.clone());
        }
    }
    names
}

/// The height of a lost-updates bar chart (`charts::lost`) that gives each
/// of its `bars` room.
fn lost_updates_height(bars: usize) -> u32 {
    (bars as u32 * 22 + 260).max(crate::config::DEFAULT_CHART_HEIGHT)
}

fn metric_chart(workload: &str, y: ChartY) -> MetricChart {
    MetricChart {
        workload: workload.to_string(),
        metric: Metric::of(y),
        x: None,
        log_x: None,
        log_y: None,
        predictions: true,
        models: Vec::new(),
        title: None,
        fixed: Vec::new(),
    }
}

/// Where the group a `[[chart]]` names sits among its workload's groups.
fn group_index(cells: &[CellSummary], spec: &ChartSpec) -> Option<usize> {
    let name = spec.group.as_deref()?;
    cells
        .iter()
        .find(|c| c.workload == spec.workload)?
        .groups
        .iter()
        .position(|g| g.name == name)
}

/// The values of a workload's sweep axes other than `x` in each of its
/// cells, in order of first appearance: one default chart each. A single
/// empty combination when the workload sweeps one field or none.
fn combinations(cells: &[&CellSummary], x: Option<&Axis>) -> Vec<Vec<(Axis, String)>> {
    let mut all: Vec<Vec<(Axis, String)>> = Vec::new();
    for c in cells {
        let others: Vec<(Axis, String)> = metric::axis_values(c)
            .into_iter()
            .filter(|(a, _)| a.field.of_workload() && Some(a) != x)
            .collect();
        if !all.contains(&others) {
            all.push(others);
        }
    }
    if all.is_empty() {
        all.push(Vec::new());
    }
    all
}

/// Every chart of a report, in report order, with unique file stems. The
/// default charts of a workload with nothing measured (an interrupted run)
/// are left out, and so are `[[chart]]` entries whose workload has no cells
/// at all (`run --filter` left it out).
pub fn plan(
    cells: &[CellSummary],
    charts: &[ChartSpec],
    timelines: &[Timeline],
    distributions: &[Distribution],
) -> Vec<ChartJob> {
    let mut jobs: Vec<ChartJob> = Vec::new();
    let mut stems = Stems::default();
    let mut push = |stem: String, caption: String, section: String, kind, w, h| {
        jobs.push(ChartJob {
            stem: stems.unique(&stem),
            caption,
            section,
            kind,
            width: w,
            height: h,
        });
    };
    let (w, h) = (DEFAULT_CHART_WIDTH, DEFAULT_CHART_HEIGHT);
    let over = crate::results::summary::speedup_over(cells);
    if charts.is_empty() {
        for name in workloads(cells) {
            let mine: Vec<&CellSummary> = cells.iter().filter(|c| c.workload == name).collect();
            let base = slug(&name);
            let x = default_x(&mine);
            // A batch's speedup and efficiency say nothing of requests
            // arriving over time: open-loop workloads have latency charts.
            let open_loop = mine
                .iter()
                .any(|c| c.groups.iter().any(|g| g.requests.is_some()));
            for fixed in combinations(&mine, x.as_ref()) {
                let (suffix, at) = if fixed.is_empty() {
                    (String::new(), String::new())
                } else {
                    let point: Vec<String> =
                        fixed.iter().map(|(a, v)| format!("{a}={v}")).collect();
                    (
                        format!("-{}", slug(&point.join("-"))),
                        format!(" at {}", point.join(" ")),
                    )
                };
                let shown: Vec<&&CellSummary> = mine
                    .iter()
                    .filter(|c| {
                        let values = metric::axis_values(c);
                        fixed.iter().all(|f| values.contains(f))
                    })
                    .collect();
                for (y, stem, caption, any) in [
                    (
                        ChartY::Wall,
                        "wall",
                        format!("Wall time of {name}{at}"),
                        shown.iter().any(|c| c.wall_median_ms.is_some()),
                    ),
                    (
                        ChartY::Speedup,
                        "speedup",
                        format!("Speedup over {over}, {name}{at}"),
                        !open_loop && shown.iter().any(|c| c.speedup.is_some()),
                    ),
                    (
                        ChartY::Efficiency,
                        "efficiency",
                        format!("Efficiency against the prediction, {name}{at}"),
                        !open_loop && shown.iter().any(|c| c.efficiency.is_some()),
                    ),
                ] {
                    if any {
                        let mut chart = metric_chart(&name, y);
                        chart.fixed = fixed.clone();
                        if y == ChartY::Speedup {
                            chart.title = Some(format!("Speedup over {over} · {name}"));
                        }
                        push(
                            format!("{base}-{stem}{suffix}"),
                            caption,
                            name.clone(),
                            ChartKind::Metric(chart),
                            w,
                            h,
                        );
                    }
                }
            }
            let counted = mine
                .iter()
                .filter(|c| c.updates_expected_median.is_some())
                .count();
            if counted > 0 {
                // Every point at once: racy and locked side by side.
                let height = if x.is_some() {
                    h
                } else {
                    lost_updates_height(counted)
                };
                push(
                    format!("{base}-lost-updates"),
                    format!("Lost updates of the shared counters, {name}"),
                    name.clone(),
                    ChartKind::Metric(metric_chart(&name, ChartY::LostUpdates)),
                    w,
                    height,
                );
            }
            if mine.iter().any(|c| c.cpu_median_ms.is_some()) {
                push(
                    format!("{base}-cpu"),
                    format!("CPU time vs wall time, {name}"),
                    name.clone(),
                    ChartKind::CpuWall {
                        workload: name.clone(),
                    },
                    w,
                    h,
                );
            }
        }
    } else {
        for spec in charts
            .iter()
            .filter(|spec| cells.iter().any(|c| c.workload == spec.workload))
        {
            let mut stem = format!(
                "{}-{}",
                slug(&spec.workload),
                spec.y.as_str().replace('_', "-")
            );
            if let Some(group) = &spec.group {
                stem.push_str(&format!("-{}", slug(group)));
            }
            if let Some(x) = &spec.x {
                stem.push_str(&format!("-by-{}", slug(&x.to_string())));
            }
            let chart = MetricChart {
                workload: spec.workload.clone(),
                metric: Metric {
                    y: spec.y,
                    group: group_index(cells, spec),
                },
                x: spec.x.clone(),
                log_x: spec.log_x,
                log_y: spec.log_y,
                predictions: spec.predictions,
                models: spec.models.clone(),
                title: spec.title.clone().or_else(|| {
                    (spec.y == ChartY::Speedup && spec.group.is_none())
                        .then(|| format!("Speedup over {over} · {}", spec.workload))
                }),
                fixed: Vec::new(),
            };
            push(
                stem,
                chart.title.clone().unwrap_or_else(|| match &spec.group {
                    Some(g) => format!(
                        "{} of group {g} · {}",
                        Metric::of(spec.y).title(),
                        spec.workload
                    ),
                    None => format!("{} · {}", Metric::of(spec.y).title(), spec.workload),
                }),
                spec.workload.clone(),
                ChartKind::Metric(chart),
                spec.width,
                spec.height,
            );
        }
    }
    // Workloads of several groups: each group's wake-up delays, and the
    // distribution of the group that waits most often.
    for name in workloads(cells) {
        let mine: Vec<&CellSummary> = cells
            .iter()
            .filter(|c| c.workload == name && c.groups.len() > 1)
            .collect();
        let Some(first) = mine.first() else { continue };
        let base = slug(&name);
        for g in &first.groups {
            let waited = mine.iter().any(|c| {
                c.groups
                    .iter()
                    .any(|x| x.name == g.name && x.wake_delay_p50_median_us.is_some())
            });
            if waited {
                push(
                    format!("{base}-wake-{}", slug(&g.name)),
                    format!("Wake-up delay of group {} of {name}", g.name),
                    name.clone(),
                    ChartKind::Wake {
                        workload: name.clone(),
                        group: g.name.clone(),
                    },
                    w,
                    h,
                );
            }
        }
        let busiest = first
            .groups
            .iter()
            .filter(|g| g.io_latency_mean_ms > 0.0)
            .max_by_key(|g| g.tasks.saturating_mul(u64::from(g.rounds)));
        let drawn = |group: &str| {
            distributions.iter().any(|d| {
                mine.iter().any(|c| c.cell == d.cell)
                    && d.groups
                        .iter()
                        .any(|x| x.name == group && !x.wake_ns.is_empty())
            })
        };
        if let Some(g) = busiest.filter(|g| drawn(&g.name)) {
            push(
                format!("{base}-cdf-{}", slug(&g.name)),
                format!(
                    "Distribution of the wake-up delays of group {} of {name}",
                    g.name
                ),
                name.clone(),
                ChartKind::Cdf {
                    workload: name.clone(),
                    group: g.name.clone(),
                },
                w,
                h,
            );
        }
    }
    // Groups with arrivals: latency and throughput against the offered
    // rate, and the latency distribution at the middle rate.
    for name in workloads(cells) {
        let mine: Vec<&CellSummary> = cells.iter().filter(|c| c.workload == name).collect();
        let Some(first) = mine.first() else { continue };
        let base = slug(&name);
        for g in first.groups.iter().filter(|g| g.requests.is_some()) {
            let measured = mine.iter().any(|c| {
                c.groups.iter().any(|x| {
                    x.name == g.name
                        && x.requests
                            .as_ref()
                            .is_some_and(|r| r.latency_p50_median_ms.is_some())
                })
            });
            if !measured {
                continue;
            }
            let suffix = if first.groups.len() > 1 {
                format!("-{}", slug(&g.name))
            } else {
                String::new()
            };
            let of = if first.groups.len() > 1 {
                format!(" of group {}", g.name)
            } else {
                String::new()
            };
            let (workload, group) = (name.clone(), g.name.clone());
            push(
                format!("{base}-latency{suffix}"),
                format!("Latency against offered load{of}, {name}"),
                name.clone(),
                ChartKind::Latency {
                    workload: workload.clone(),
                    group: group.clone(),
                },
                w,
                h,
            );
            push(
                format!("{base}-throughput{suffix}"),
                format!("Achieved against offered throughput{of}, {name}"),
                name.clone(),
                ChartKind::Throughput {
                    workload: workload.clone(),
                    group: group.clone(),
                },
                w,
                h,
            );
            let mut rates: Vec<f64> = mine
                .iter()
                .filter_map(|c| c.groups.iter().find(|x| x.name == g.name)?.rate)
                .filter(|r| r.is_finite())
                .collect();
            rates.sort_by(f64::total_cmp);
            rates.dedup();
            let Some(&rate) = rates.get(rates.len().saturating_sub(1) / 2) else {
                continue;
            };
            let drawn = distributions.iter().any(|d| {
                mine.iter().any(|c| {
                    c.cell == d.cell
                        && c.groups
                            .iter()
                            .any(|x| x.name == g.name && x.rate == Some(rate))
                }) && d
                    .groups
                    .iter()
                    .any(|x| x.name == g.name && !x.latency_ns.is_empty())
            });
            if drawn {
                push(
                    format!("{base}-latency-cdf{suffix}"),
                    format!("Distribution of request latencies{of} at {rate}/s, {name}"),
                    name.clone(),
                    ChartKind::LatencyCdf {
                        workload,
                        group,
                        rate,
                    },
                    w,
                    h,
                );
            }
        }
    }
    if cells
        .iter()
        .any(|c| c.speedup.is_some() || c.efficiency.is_some())
    {
        push(
            "overview".to_string(),
            "Overview: every workload × model".to_string(),
            "overview".to_string(),
            ChartKind::Overview,
            w,
            h,
        );
    }
    let mut sorted: Vec<&Timeline> = timelines.iter().collect();
    sorted.sort_by_key(|t| t.cell);
    for t in sorted {
        let cell = cells.iter().find(|c| c.cell == t.cell);
        let stem = match cell {
            Some(c) => {
                let point = c.workload_point();
                let mut s = format!("{}-timeline-{}", slug(&c.workload), slug(&c.variant));
                if !point.is_empty() {
                    s.push('-');
                    s.push_str(&slug(&point));
                }
                s
            }
            None => format!("timeline-cell-{}", t.cell),
        };
        push(
            stem,
            format!("Timeline of one run: {}", t.label),
            "timelines".to_string(),
            ChartKind::Timeline { cell: t.cell },
            w,
            h,
        );
    }
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn cells(text: &str) -> Vec<CellSummary> {
        let exp = match crate::config::from_text("t.toml", text, "t") {
            Ok(l) => l.experiment,
            Err(e) => panic!("{e}"),
        };
        let plans: Vec<crate::results::CellPlan> = crate::matrix::expand(&exp, 2)
            .into_iter()
            .map(|cell| crate::results::CellPlan {
                group_io_latency_mean_ns: vec![1e6; cell.groups.len()],
                cell,
                io_latency_mean_ns: 1e6,
                baseline_ns: 0,
                predicted_ns: 0,
                skip: None,
                requests: Vec::new(),
                interpreter: None,
            })
            .collect();
        let mut rows = crate::results::summarize(&plans, &[], &[]);
        for r in &mut rows {
            r.wall_median_ms = Some(1.0);
        }
        rows
    }

    /// Issue 11: a workload with shared counters gets a lost-updates chart
    /// of all its points at once; one sweeping only `shared`, a wall-time
    /// chart per value instead of a line along 0, 1, 2.
    #[test]
    fn shared_counters_get_a_lost_updates_chart_and_modes_their_own_wall_charts() {
        let mut cs = cells(
            "[[workload]]\nname = \"w\"\ntasks = 4\nshared = [\"racy\", \"locked\"]\n\
             [[workload]]\nname = \"plain\"\ntasks = 4\n[[model]]\nkind = \"threads\"\n",
        );
        for c in cs.iter_mut().filter(|c| c.workload == "w") {
            c.updates_expected_median = Some(4.0);
        }
        let stems: Vec<String> = plan(&cs, &[], &[], &[])
            .into_iter()
            .map(|j| j.stem)
            .collect();
        for stem in [
            "w-wall-shared-racy",
            "w-wall-shared-locked",
            "w-lost-updates",
        ] {
            assert!(stems.contains(&stem.to_string()), "{stem}: {stems:?}");
        }
        assert!(
            !stems.iter().any(|s| s.starts_with("plain-lost")),
            "{stems:?}"
        );
        let lost = plan(&cs, &[], &[], &[])
            .into_iter()
            .find(|j| j.stem == "w-lost-updates");
        assert!(matches!(
            lost.map(|j| j.kind),
            Some(ChartKind::Metric(MetricChart { fixed, .. })) if fixed.is_empty()
        ));
    }

    #[test]
    fn a_workload_sweeping_several_fields_gets_a_chart_per_combination() {
        let cs = cells(
            "[[workload]]\nname = \"w\"\ntasks = [1, 2]\nio_latency = [\"1ms\", \"2ms\"]\n\
             rounds = [1, 3]\n[[model]]\nkind = \"async\"\n",
        );
        let walls: Vec<String> = plan(&cs, &[], &[], &[])
            .into_iter()
            .filter(|j| j.stem.starts_with("w-wall"))
            .map(|j| j.stem)
            .collect();
        assert_eq!(
            walls,
            [
                "w-wall-io-latency-1ms-rounds-1",
                "w-wall-io-latency-1ms-rounds-3",
                "w-wall-io-latency-2ms-rounds-1",
                "w-wall-io-latency-2ms-rounds-3",
            ]
        );
        let one_axis =
            cells("[[workload]]\nname = \"w\"\ntasks = [1, 2]\n[[model]]\nkind = \"async\"\n");
        let stems: Vec<String> = plan(&one_axis, &[], &[], &[])
            .into_iter()
            .map(|j| j.stem)
            .collect();
        assert!(stems.contains(&"w-wall".to_string()), "{stems:?}");
    }
}

#[cfg(test)]
mod file_names {
    //! Issue 8, item 6: chart and timeline file names are bounded in
    //! bytes, not characters, and stay unique.

    use super::*;

    fn timeline(cell: usize) -> Timeline {
        Timeline {
            cell,
            label: String::new(),
            wall_ns: 1,
            spans: Vec::new(),
        }
    }

    fn korean_cells() -> Vec<CellSummary> {
        let name = "가".repeat(60);
        let text = format!(
            "[[workload]]\nname = \"{name}\"\ntasks = [1, 2]\nio_latency = [\"1ms\", \"2ms\"]\n\
             [[model]]\nkind = \"thread-pool\"\nname = \"{name}\"\nworkers = [1, 2]\n\
             [[model]]\nkind = \"sequential\"\n"
        );
        let mut rows = super::tests::cells(&text);
        for r in &mut rows {
            r.speedup = Some(1.0);
            r.efficiency = Some(1.0);
            r.cpu_median_ms = Some(1.0);
        }
        rows
    }

    #[test]
    fn a_60_hangul_character_name_makes_file_names_under_200_bytes() {
        let cells = korean_cells();
        let timelines: Vec<Timeline> = cells.iter().map(|c| timeline(c.cell)).collect();
        let jobs = plan(&cells, &[], &timelines, &[]);
        assert!(jobs.len() > 12, "{} charts", jobs.len());
        let mut seen = HashSet::new();
        for j in &jobs {
            let name = format!("{}.png", j.stem);
            assert!(name.len() < 200, "{name}: {} bytes", name.len());
            assert!(seen.insert(j.stem.clone()), "{} twice", j.stem);
        }
        // Each part keeps 20 syllables (60 bytes), not a name cut short.
        let first = &jobs[0].stem;
        assert_eq!(first, &format!("{}-wall-io-latency-1ms", "가".repeat(20)));
        let timeline = jobs
            .iter()
            .find(|j| j.section == "timelines")
            .map(|j| j.stem.clone())
            .unwrap_or_default();
        assert_eq!(
            timeline,
            format!(
                "{}-timeline-{}-tasks-1-io-latency-1ms",
                "가".repeat(20),
                "가".repeat(20)
            )
        );
        // The model's slug lost `workers=1` to the cut: the second variant's
        // timeline is told apart by a number.
        assert!(
            jobs.iter().any(|j| j.stem == format!("{timeline}-2")),
            "{:?}",
            jobs.iter().map(|j| &j.stem).collect::<Vec<_>>()
        );
    }

    #[test]
    fn stems_too_long_are_cut_at_a_character_boundary_and_stay_unique() {
        let mut stems = Stems::default();
        let long = "가".repeat(100); // 300 bytes
        let a = stems.unique(&long);
        let b = stems.unique(&long);
        let c = stems.unique(&long);
        assert_eq!(a, "가".repeat(63)); // 189 bytes
        assert_eq!(b, format!("{}-2", "가".repeat(62)));
        assert_eq!(c, format!("{}-3", "가".repeat(62)));
        for s in [&a, &b, &c] {
            assert!(s.len() <= MAX_STEM_BYTES, "{} bytes", s.len());
        }
        // A short stem is kept, and clashes count up as before.
        assert_eq!(stems.unique("w-wall"), "w-wall");
        assert_eq!(stems.unique("w-wall"), "w-wall-2");
        assert_eq!(stems.unique("w-wall-2"), "w-wall-2-2");
        assert_eq!(stems.unique("w-wall"), "w-wall-3");
    }

    #[test]
    fn many_charts_wanting_one_name_are_numbered_quickly() {
        let mut stems = Stems::default();
        let names: Vec<String> = (0..20_000).map(|_| stems.unique("timeline")).collect();
        assert_eq!(names[0], "timeline");
        assert_eq!(names[19_999], "timeline-20000");
        let unique: HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
    }
}
