//! `conlab models`: every model kind, its parameters and its prediction,
//! and under open-loop load its capacity and predicted mean latency.

use comfy_table::Table;

use super::{Exit, out};
use crate::config::ModelKind;
use crate::environment::usable_cores;
use crate::{predict, queueing};

pub fn run() -> Exit {
    let mut table = Table::new();
    table.load_preset(crate::report::table::STYLE);
    table.set_header(["kind", "parameters", "prediction", "what it is"]);
    for kind in ModelKind::ALL {
        let params: Vec<&str> = kind.params().iter().map(|p| p.as_str()).collect();
        let what = kind.summary().to_string();
        table.add_row(vec![
            kind.name().to_string(),
            if params.is_empty() {
                "-".to_string()
            } else {
                params.join(", ")
            },
            predict::formula(kind),
            what,
        ]);
    }
    out(format_args!("{table}"));
    out(format_args!(
        "\nFor task i: I_i is its total IO wait, P_i its total CPU work, S_i = I_i + P_i.\n\
         C is the number of usable cores ({} here), W the workers (default: C).\n\
         Every summary row has `predicted` and `efficiency` = predicted / median wall time.",
        usable_cores()
    ));
    let mut queueing = Table::new();
    queueing.load_preset(crate::report::table::STYLE);
    queueing.set_header(["kind", "capacity (requests/s)", "mean latency at rate λ"]);
    for kind in ModelKind::ALL {
        queueing.add_row(vec![
            kind.name().to_string(),
            queueing::capacity_formula(kind),
            queueing::latency_formula(kind),
        ]);
    }
    out(format_args!(
        "\n\nOpen-loop load (a group with `arrival`): requests arrive at λ per second; \
         latency runs from a request's scheduled arrival to its completion.\n{queueing}"
    ));
    out(format_args!(
        "\nE[S] is a request's mean service time (its IO waits and CPU work, from the drawn \
         latencies), E[S²] its second moment, P its CPU work, ρ = λ·E[S], c_s² = Var[S] / \
         E[S]², C(c, a) Erlang C's probability of waiting. Where no closed form is used the \
         prediction is E[S], a lower bound, and the summary says so in `prediction_method`. \
         Every group with arrivals has `capacity_per_s` and `predicted_latency_mean_ms` in \
         summary.json."
    ));
    Exit::Ok
}
