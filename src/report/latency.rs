//! The latency table of a report: per workload with arrivals (open-loop
//! load), each cell's requests, measured beside what queueing theory
//! predicts of them.

use super::results_table::{Table, workloads};
use crate::format::format_ms;
use crate::results::CellSummary;

/// Per workload with a group of arrivals, a row per cell and such group:
/// offered and achieved rates, latency percentiles (medians over the
/// runs), the predicted mean and capacity, and the unfinished requests.
pub fn tables(cells: &[CellSummary]) -> Vec<Table> {
    let header: Vec<String> = [
        "cell",
        "group",
        "offered / s",
        "achieved / s",
        "mean",
        "p50",
        "p90",
        "p99",
        "p99.9",
        "max",
        "predicted mean",
        "capacity / s",
        "unfinished",
    ]
    .map(String::from)
    .to_vec();
    let ms = |v: Option<f64>| v.map_or_else(|| "–".to_string(), format_ms);
    let rate = |v: Option<f64>| v.map_or_else(|| "–".to_string(), |v| format!("{v:.1}"));
    workloads(cells)
        .into_iter()
        .filter_map(|w| {
            let rows: Vec<Vec<String>> = cells
                .iter()
                .filter(|c| c.workload == w && c.n > 0)
                .flat_map(|c| {
                    c.groups.iter().filter_map(move |g| {
                        let r = g.requests.as_ref()?;
                        let predicted = match (r.predicted_latency_mean_ms, r.capacity_per_s) {
                            (Some(p), _) => format!("{} ({})", format_ms(p), r.prediction_method),
                            (None, Some(_)) => "above capacity".to_string(),
                            (None, None) => "–".to_string(),
                        };
                        Some(vec![
                            c.label.clone(),
                            g.name.clone(),
                            rate(r.offered_per_s_median),
                            rate(r.achieved_per_s_median),
                            ms(r.latency_mean_median_ms),
                            ms(r.latency_p50_median_ms),
                            ms(r.latency_p90_median_ms),
                            ms(r.latency_p99_median_ms),
                            ms(r.latency_p999_median_ms),
                            ms(r.latency_max_median_ms),
                            predicted,
                            r.capacity_per_s
                                .map_or_else(|| "unbounded".to_string(), |v| format!("{v:.1}")),
                            r.unfinished_total.to_string(),
                        ])
                    })
                })
                .collect();
            (!rows.is_empty()).then(|| Table {
                title: format!("Request latency of {w}"),
                note: "Medians over the measured runs of each run's figure. Latency: from a \
                       request's scheduled arrival to its completion, so a model that falls \
                       behind is charged for it. Predicted mean and capacity: queueing theory \
                       (`conlab models` lists the formulas); where no closed form exists the \
                       prediction is the service time, a lower bound. Unfinished: requests not \
                       completed when a run stopped before its timeout, over all runs."
                    .to_string(),
                header: header.clone(),
                rows,
            })
        })
        .collect()
}
