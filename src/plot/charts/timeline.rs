//! One measured run drawn as a Gantt chart: a row per task, a bar for each
//! IO wait, CPU burst and wait for a lock, in distinct colours, against
//! time since the start of the run. Each row says which thread (or worker)
//! the task ran on, so N:1, 1:1 and N:M models look as different as they
//! are.

use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use crate::format::format_ms;
use crate::model::SpanKind;
use crate::plot::kit::{
    Canvas, ChartError, Dimension, Entry, Frame, Rect, Scale, Symbol, Tick, TimeUnit,
};
use crate::results::{CellSummary, Timeline};

use crate::plot::metric;

pub const IO: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub const CPU: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const LOCK_WAIT: RGBColor = RGBColor(0xCC, 0x79, 0xA7);

fn kind_color(kind: SpanKind) -> RGBColor {
    match kind {
        SpanKind::Io => IO,
        SpanKind::Cpu => CPU,
        SpanKind::LockWait => LOCK_WAIT,
    }
}

fn threads_text(mut threads: Vec<u32>) -> String {
    threads.sort_unstable();
    threads.dedup();
    match threads.as_slice() {
        [] => String::new(),
        [t] => format!(" · thread {t}"),
        [a, b] => format!(" · threads {a}, {b}"),
        more => format!(" · {} threads", more.len()),
    }
}

pub fn draw<DB: DrawingBackend>(
    c: &Canvas<DB>,
    timeline: &Timeline,
    cell: Option<&CellSummary>,
) -> Result<(), ChartError> {
    let tasks = timeline
        .spans
        .iter()
        .map(|s| s.task as usize + 1)
        .max()
        .unwrap_or(0)
        .max(cell.map_or(0, |c| c.tasks as usize))
        .max(1);
    let end_ns = timeline
        .spans
        .iter()
        .map(|s| s.end_ns)
        .max()
        .unwrap_or(0)
        .max(timeline.wall_ns);
    let end_ms = end_ns as f64 / 1e6;
    let unit = TimeUnit::for_max(end_ms, true);
    let f = unit.per_ms();
    let x = Scale::linear(0.0, end_ms * f, true);

    // Label every row while they fit, else every k-th.
    let row_px = (c.height as f64 * 0.7) / tasks as f64;
    let every = (c.px(17.0) as f64 / row_px).ceil().max(1.0) as usize;
    // Each task's threads, in one pass over the spans (a run may have
    // many of both).
    let mut threads_of: Vec<Vec<u32>> = vec![Vec::new(); tasks];
    for s in &timeline.spans {
        if let Some(threads) = threads_of.get_mut(s.task as usize) {
            threads.push(s.thread);
        }
    }
    // In a workload of several groups, each row says its task's group
    // (tasks are numbered group after group).
    let group_of: Vec<&str> = match cell {
        Some(c) if c.groups.len() > 1 => c
            .groups
            .iter()
            .flat_map(|g| {
                std::iter::repeat_n(g.name.as_str(), usize::try_from(g.tasks).unwrap_or(0))
            })
            .take(tasks)
            .collect(),
        _ => Vec::new(),
    };
    let labels: Vec<String> = threads_of
        .into_iter()
        .enumerate()
        .map(|(t, threads)| match group_of.get(t) {
            Some(group) => format!("{group} · task {t}{}", threads_text(threads)),
            None => format!("task {t}{}", threads_text(threads)),
        })
        .collect();
    let mut y = Dimension::categories(&labels, "");
    for (i, t) in y.ticks.iter_mut().enumerate() {
        if i % every != 0 {
            *t = Tick {
                value: t.value,
                label: None,
            };
        }
    }
    let kinds: Vec<SpanKind> = [SpanKind::Io, SpanKind::Cpu, SpanKind::LockWait]
        .into_iter()
        .filter(|k| timeline.spans.iter().any(|s| s.kind == *k))
        .collect();
    let mut legend: Vec<Entry> = kinds
        .iter()
        .map(|k| {
            Entry::new(
                Symbol::Swatch(kind_color(*k)),
                match k {
                    SpanKind::Io => "IO wait",
                    SpanKind::Cpu => "CPU work",
                    SpanKind::LockWait => "waiting for the lock (GIL)",
                },
            )
        })
        .collect();
    legend.push(Entry::reference(format!(
        "end of run ({})",
        format_ms(timeline.wall_ns as f64 / 1e6)
    )));
    let threads = {
        let mut t: Vec<u32> = timeline.spans.iter().map(|s| s.thread).collect();
        t.sort_unstable();
        t.dedup();
        t.len()
    };
    legend.push(Entry::new(
        Symbol::Note,
        format!(
            "{tasks} task{}, {threads} thread{}",
            if tasks == 1 { "" } else { "s" },
            if threads == 1 { "" } else { "s" }
        ),
    ));
    if timeline.spans.is_empty() {
        legend.push(Entry::new(Symbol::Note, "no spans were recorded"));
    }
    let (title, subtitle) = match cell {
        Some(cell) => {
            let wp = cell.workload_point();
            (
                format!("Timeline · {} · {}", cell.workload, cell.variant),
                format!(
                    "{}{} · one measured run (the first)",
                    if wp.is_empty() {
                        String::new()
                    } else {
                        format!("{wp} · ")
                    },
                    metric::fixed_fields(cell)
                ),
            )
        }
        None => (
            format!("Timeline · {}", timeline.label),
            "one measured run (the first)".to_string(),
        ),
    };
    let frame = Frame {
        title,
        subtitle,
        x: Dimension::numeric(
            x,
            format!("time since the start of the run ({})", unit.symbol()),
        ),
        y,
        legend,
        y_down: true,
    };
    let plot = frame.draw(c)?;
    let half = if row_px > 6.0 { 0.36 } else { 0.5 };
    for s in &timeline.spans {
        let top = plot.y_px(s.task as f64 - half);
        let bottom = plot.y_px(s.task as f64 + half).max(top + 1);
        let left = plot.x_px(s.start_ns as f64 / 1e6 * f);
        let right = plot.x_px(s.end_ns as f64 / 1e6 * f).max(left + 1);
        c.rect(
            Rect {
                left,
                top,
                right,
                bottom,
            },
            kind_color(s.kind),
        )?;
    }
    let end = plot.x_px(timeline.wall_ns as f64 / 1e6 * f);
    c.reference(&[(end, plot.area.top), (end, plot.area.bottom)])?;
    Ok(())
}
