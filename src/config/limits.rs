//! How large an experiment may be, and the arithmetic that checks it
//! before anything runs. Every bound is here, named, so the reader, the
//! command line (`-n`, `-w`) and the book agree; the sizes are worked
//! out from the sweeps without expanding them (a file of a few lines can
//! describe more cells than memory holds), in saturating `u128` so no sum
//! or product can wrap.

use super::duration::Nanos;
use super::field::Sweep;
use super::schema::{Experiment, Group, Workload};

/// The most bytes of an experiment file conlab reads.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// The most tasks in one cell (and in one value of `tasks`).
pub const MAX_TASKS: u64 = 1_000_000;
/// The most task rounds (tasks × rounds, summed over groups) in one cell:
/// a run's latency table and task records take about 50 bytes each, so a
/// cell stays within about half a gigabyte.
pub const MAX_WAITS: u64 = 10_000_000;
pub const MAX_WORKERS: u64 = 100_000;
/// The most measured runs per cell (`repetitions`, `-n`).
pub const MAX_REPETITIONS: u64 = 100_000;
/// The most warm-up runs per cell (`warmup`, `-w`).
pub const MAX_WARMUP: u64 = 100_000;
/// The most cells in one experiment.
pub const MAX_CELLS: u64 = 100_000;
/// The most runs in one experiment: cells × (warm-up + measured runs).
/// Each is a process start-up, so a million is hours of runs already.
pub const MAX_RUNS: u64 = 1_000_000;
/// The most task rounds summed over every cell of an experiment: each
/// cell's latencies are drawn for its prediction before anything runs.
pub const MAX_EXPERIMENT_WAITS: u64 = 100_000_000;

/// The product of `values`, saturating.
fn product(values: impl IntoIterator<Item = u128>) -> u128 {
    values.into_iter().fold(1, u128::saturating_mul)
}

fn sum(values: impl IntoIterator<Item = u128>) -> u128 {
    values.into_iter().fold(0, u128::saturating_add)
}

fn len<T>(sweep: &Sweep<T>) -> u128 {
    sweep.values.len() as u128
}

fn group_points(g: &Group) -> u128 {
    let rates = g.arrival.as_ref().map_or(1, |a| len(&a.rate));
    let tasks = if g.arrival.is_some() {
        1
    } else {
        len(&g.tasks)
    };
    product([
        tasks,
        len(&g.io_latency),
        len(&g.cpu_cost),
        len(&g.rounds),
        rates,
    ])
}

/// The workload's points: every combination of its groups' sweeps.
pub fn points(w: &Workload) -> u128 {
    product(w.groups.iter().map(group_points))
}

/// Task rounds summed over every point of the workload.
fn point_waits(w: &Workload) -> u128 {
    let all = points(w);
    sum(w.groups.iter().map(|g| {
        // A group with arrivals has a task count per rate.
        let counts = g.task_counts();
        let tasks = sum(counts.iter().map(|&t| u128::from(t)));
        let rounds = sum(g.rounds.values.iter().map(|&r| u128::from(r)));
        // Each (tasks, rounds) pair occurs at all / (len tasks × len rounds)
        // points.
        let others = all / (counts.len() as u128 * len(&g.rounds)).max(1);
        tasks.saturating_mul(rounds).saturating_mul(others)
    }))
}

/// How many cells and task rounds an experiment has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub points: u128,
    pub variants: u128,
    pub cells: u128,
    /// Task rounds summed over every cell.
    pub waits: u128,
}

pub fn size(exp: &Experiment) -> Size {
    let variants = sum(exp.models.iter().map(|m| {
        let n = |s: &Option<Sweep<_>>| s.as_ref().map_or(1, len);
        let workers = m.workers.as_ref().map_or(1, len);
        product([workers, n(&m.switch_interval), n(&m.poll_interval)])
    }));
    let points = sum(exp.workloads.iter().map(points));
    let waits = sum(exp.workloads.iter().map(point_waits)).saturating_mul(variants);
    Size {
        points,
        variants,
        cells: points.saturating_mul(variants),
        waits,
    }
}

/// Why `cells` cells with these runs each are too many runs, if they are.
pub fn too_many_runs(cells: u128, warmup: u32, repetitions: u32) -> Option<String> {
    let per_cell = u128::from(warmup) + u128::from(repetitions);
    let runs = cells.saturating_mul(per_cell);
    (runs > u128::from(MAX_RUNS)).then(|| {
        format!(
            "the experiment asks for {runs} runs ({cells} cells × ({warmup} warm-up + \
             {repetitions} measured)); conlab runs at most {MAX_RUNS}"
        )
    })
}

/// The largest task rounds and tasks one cell of the workload has, and
/// each group's largest tasks and rounds.
pub fn most_per_cell(w: &Workload) -> (u128, u128) {
    let waits = sum(w.groups.iter().map(|g| {
        let tasks = g.most_tasks();
        let rounds = g.rounds.most().unwrap_or(1);
        u128::from(tasks) * u128::from(rounds)
    }));
    let tasks = sum(w.groups.iter().map(|g| u128::from(g.most_tasks())));
    (waits, tasks)
}

/// At the workload's heaviest point, Σ tasks × rounds × (io_latency +
/// cpu_cost) over its groups: the work a single thread would do, in ns.
/// The text shows the sum with the values, group by group.
pub fn most_work(w: &Workload) -> (u128, String) {
    let mut total: u128 = 0;
    let mut terms = Vec::new();
    for g in &w.groups {
        let tasks = g.most_tasks();
        let rounds = g.rounds.most().unwrap_or(1);
        let latency = g
            .io_latency
            .values
            .iter()
            .map(|l| l.nominal_mean())
            .max()
            .unwrap_or(Nanos::ZERO);
        let cpu = g.cpu_cost.most().unwrap_or(Nanos::ZERO);
        let per_round = u128::from(latency.0) + u128::from(cpu.0);
        total = total
            .saturating_add((u128::from(tasks) * u128::from(rounds)).saturating_mul(per_round));
        let group = if w.grouped {
            format!("{}: ", g.name)
        } else {
            String::new()
        };
        terms.push(format!("{group}{tasks} × {rounds} × ({latency} + {cpu})"));
    }
    (total, terms.join(" + "))
}

/// Why the workload's largest cell is beyond the per-cell bounds, or its
/// work beyond what 64-bit nanoseconds count: a message and a help line.
pub fn workload_problem(w: &Workload) -> Option<(String, String)> {
    let (waits, tasks) = most_per_cell(w);
    let name = &w.name;
    let most = |g: &Group| (g.most_tasks(), g.rounds.most().unwrap_or(1));
    if waits > u128::from(MAX_WAITS) {
        let message = match w.groups.as_slice() {
            [g] if !w.grouped => {
                let (tasks, rounds) = most(g);
                format!("workload \"{name}\" asks for {tasks} tasks × {rounds} rounds")
            }
            groups => {
                let terms: Vec<String> = groups
                    .iter()
                    .map(|g| format!("{}: {} tasks × {} rounds", g.name, most(g).0, most(g).1))
                    .collect();
                let terms = terms.join(" + ");
                format!("workload \"{name}\" asks for {terms} = {waits} task rounds per cell")
            }
        };
        let hint =
            format!("conlab runs at most {MAX_WAITS} task rounds per cell; lower tasks or rounds");
        return Some((message, hint));
    }
    if tasks > u128::from(MAX_TASKS) {
        let message = format!("workload \"{name}\" has {tasks} tasks per cell in its groups");
        let hint = format!("conlab runs at most {MAX_TASKS} tasks per cell; lower tasks");
        return Some((message, hint));
    }
    let (work, terms) = most_work(w);
    (work > u128::from(u64::MAX)).then(|| {
        let message = format!(
            "workload \"{name}\" adds up to more than 584 years per cell: tasks × rounds × \
             (io_latency + cpu_cost) = {terms}"
        );
        let hint = "conlab counts time in nanoseconds, at most 584 years; \
                    lower tasks, rounds, io_latency or cpu_cost";
        (message, hint.to_string())
    })
}

/// Why the whole experiment is too large (cells, runs, task rounds),
/// worked out from its sweeps without expanding them.
pub fn experiment_problem(exp: &Experiment) -> Option<(String, String)> {
    let size = size(exp);
    if size.cells > u128::from(MAX_CELLS) {
        let message = format!(
            "the experiment has {} cells ({} workload points × {} model variants); conlab runs \
             at most {MAX_CELLS}",
            size.cells, size.points, size.variants
        );
        let hint = "sweep fewer values, or split the experiment into several files";
        return Some((message, hint.to_string()));
    }
    if let Some(message) = too_many_runs(size.cells, exp.warmup, exp.repetitions) {
        return Some((
            message,
            "lower repetitions or warmup, or sweep fewer values".to_string(),
        ));
    }
    (size.waits > u128::from(MAX_EXPERIMENT_WAITS)).then(|| {
        let message = format!(
            "the experiment's cells have {} task rounds (tasks × rounds) in all; conlab \
             prepares at most {MAX_EXPERIMENT_WAITS}",
            size.waits
        );
        let hint = "every model runs every workload point, so a sweep of tasks adds up \
                    quickly: sweep fewer or smaller values";
        (message, hint.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{IoLatency, ModelSpec};

    fn group(tasks: &[u64], rounds: &[u32]) -> Group {
        Group {
            tasks: Sweep {
                values: tasks.to_vec(),
            },
            rounds: Sweep {
                values: rounds.to_vec(),
            },
            ..Group::default()
        }
    }

    #[test]
    fn sizes_are_counted_without_expanding() {
        let exp = Experiment {
            workloads: vec![Workload {
                groups: vec![group(&[1, 10, 100], &[1, 2]), group(&[5], &[3])],
                ..Workload::default()
            }],
            models: vec![
                ModelSpec::default(),
                ModelSpec {
                    workers: Some(Sweep { values: vec![2, 4] }),
                    ..ModelSpec::default()
                },
            ],
            ..Experiment::default()
        };
        let size = size(&exp);
        assert_eq!((size.points, size.variants, size.cells), (6, 3, 18));
        // Points: tasks ∈ {1, 10, 100} × rounds ∈ {1, 2}, plus 15 from the
        // second group at each: (111 × 3 + 6 × 15) × 3 variants.
        assert_eq!(size.waits, (111 * 3 + 6 * 15) * 3);
    }

    #[test]
    fn work_sums_in_wide_numbers() {
        let mut g = group(&[1_000_000], &[10_000_000]);
        g.cpu_cost = Sweep::one(Nanos(u64::MAX));
        g.io_latency = Sweep::one(IoLatency::Uniform {
            min: Nanos(u64::MAX),
            max: Nanos(u64::MAX),
        });
        let w = Workload {
            groups: vec![g],
            ..Workload::default()
        };
        let (total, text) = most_work(&w);
        assert!(total > u128::from(u64::MAX));
        assert_eq!(
            text,
            "1000000 × 10000000 × (18446744073709551.615us + 18446744073709551.615us)"
        );
    }

    #[test]
    fn runs_are_bounded() {
        assert_eq!(too_many_runs(100, 1, 5), None);
        assert_eq!(
            too_many_runs(100_000, 0, 100_000).as_deref(),
            Some(
                "the experiment asks for 10000000000 runs (100000 cells × (0 warm-up + \
                 100000 measured)); conlab runs at most 1000000"
            )
        );
    }
}
