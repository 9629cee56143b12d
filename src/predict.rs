//! The ideal wall time each model can reach for a cell, from the cell's
//! actual per-task latencies and the machine's usable cores, and the same
//! as a formula for `conlab models` and the docs: both read from the
//! kind's declared [`Shape`], so the formula shown is the one evaluated.
//! For task i, I_i is its total IO wait, P_i its total CPU and
//! S_i = I_i + P_i; C is the usable cores and W the workers. Pure.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::config::{CpuWays, ModelKind, Shape, workers_or_cores};

/// The inputs of a prediction: each task's total IO wait and total CPU
/// work (I_i and P_i), in ns, in task order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskTimes {
    pub tasks: Vec<(u64, u64)>,
}

impl TaskTimes {
    fn spans(&self) -> impl Iterator<Item = u64> + '_ {
        self.tasks.iter().map(|&(io, cpu)| io.saturating_add(cpu))
    }

    fn sum_cpu(&self) -> f64 {
        self.tasks.iter().map(|&(_, cpu)| cpu as f64).sum()
    }

    /// Σ I_i = N × rounds × avg(io_latency): what a single thread waits in
    /// total.
    pub fn baseline(&self) -> u64 {
        self.tasks
            .iter()
            .map(|&(io, _)| io)
            .fold(0, u64::saturating_add)
    }
}

/// The predicted wall time in ns of `kind` with `workers` on `cores`.
pub fn predict(kind: ModelKind, workers: Option<u32>, cores: usize, w: &TaskTimes) -> u64 {
    let workers = workers_or_cores(workers, cores.max(1));
    let sum_s: u64 = w.spans().fold(0, u64::saturating_add);
    let max_s = w.spans().max().unwrap_or(0);
    let parallel = |cpu: CpuWays| (w.sum_cpu() / cpu.ways(workers, cores)).round() as u64;
    match kind.shape() {
        Shape::Serial => sum_s,
        Shape::Overlap { cpu } => max_s.max(parallel(cpu)),
        Shape::Pool { cpu } => makespan(w.spans(), workers).max(parallel(cpu)),
        // No prediction: 0, which the summary shows as none (no
        // efficiency).
        Shape::Unknown => 0,
    }
}

/// The ideal wall time of `kind` as a formula, as [`predict`] works it out.
pub fn formula(kind: ModelKind) -> String {
    let cpu = |cpu: CpuWays| match cpu {
        CpuWays::One => "Σ P_i".to_string(),
        ways => format!("Σ P_i / {}", ways.symbol()),
    };
    match kind.shape() {
        Shape::Serial => "Σ S_i".to_string(),
        Shape::Overlap { cpu: ways } => format!("max(max S_i, {})", cpu(ways)),
        Shape::Unknown => "none: conlab does not know how it shares the time".to_string(),
        Shape::Pool { cpu: ways } => format!(
            "max(makespan of tasks in order on W workers, {})",
            cpu(ways)
        ),
    }
}

/// The finish time of handing tasks, in order, each to the worker that
/// frees up first.
pub fn makespan(spans: impl Iterator<Item = u64>, workers: usize) -> u64 {
    let mut free: BinaryHeap<Reverse<u64>> = (0..workers.max(1)).map(|_| Reverse(0)).collect();
    let mut end = 0;
    for s in spans {
        let Reverse(at) = free.pop().unwrap_or(Reverse(0));
        end = end.max(at.saturating_add(s));
        free.push(Reverse(at.saturating_add(s)));
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    /// `tasks` tasks of `rounds` rounds, each waiting `latencies` in turn
    /// and burning `cpu` per round.
    fn w(latencies: &[u64], tasks: usize, cpu: u64) -> TaskTimes {
        let rounds = latencies.len() / tasks;
        TaskTimes {
            tasks: latencies
                .chunks(rounds.max(1))
                .take(tasks)
                .map(|l| (l.iter().sum(), cpu * rounds as u64))
                .collect(),
        }
    }

    #[test]
    fn the_notes_three_tasks() {
        let l = [100 * MS; 3];
        let w = w(&l, 3, 0);
        assert_eq!(w.baseline(), 300 * MS);
        assert_eq!(predict(ModelKind::Sequential, None, 2, &w), 300 * MS);
        assert_eq!(predict(ModelKind::Threads, None, 2, &w), 100 * MS);
        assert_eq!(predict(ModelKind::Async, None, 2, &w), 100 * MS);
        assert_eq!(predict(ModelKind::ThreadPool, Some(2), 2, &w), 200 * MS);
        assert_eq!(predict(ModelKind::ThreadPool, Some(3), 2, &w), 100 * MS);
    }

    #[test]
    fn cpu_bound_work() {
        let l = [0; 4];
        let w = w(&l, 4, 50 * MS);
        assert_eq!(predict(ModelKind::Sequential, None, 2, &w), 200 * MS);
        assert_eq!(predict(ModelKind::Threads, None, 2, &w), 100 * MS);
        assert_eq!(predict(ModelKind::GilThreads, None, 2, &w), 200 * MS);
        assert_eq!(predict(ModelKind::AsyncMulti, Some(8), 2, &w), 100 * MS);
        assert_eq!(predict(ModelKind::Processes, Some(2), 2, &w), 100 * MS);
        assert_eq!(predict(ModelKind::ThreadPool, Some(1), 2, &w), 200 * MS);
    }

    /// The formulas `conlab models` showed when each kind wrote its own.
    #[test]
    fn formulas_are_the_ones_written_before_the_registry() {
        let pool = "max(makespan of tasks in order on W workers, Σ P_i / min(W, C))";
        for (kind, text) in [
            (ModelKind::Sequential, "Σ S_i"),
            (ModelKind::Threads, "max(max S_i, Σ P_i / C)"),
            (ModelKind::GilThreads, "max(max S_i, Σ P_i)"),
            (ModelKind::AsyncMulti, "max(max S_i, Σ P_i / min(W, C))"),
            (ModelKind::Processes, pool),
            (
                ModelKind::PythonThreadPool,
                "max(makespan of tasks in order on W workers, Σ P_i)",
            ),
        ] {
            assert_eq!(formula(kind), text, "{kind}");
        }
    }

    #[test]
    fn makespan_hands_tasks_in_order() {
        assert_eq!(makespan([5, 1, 1, 1].into_iter(), 2), 5);
        assert_eq!(makespan([1, 1, 1, 5].into_iter(), 2), 6);
        assert_eq!(makespan(std::iter::empty(), 4), 0);
    }
}
