//! `conlab models`: every model kind, its parameters and its prediction.

use comfy_table::Table;

use super::{Exit, out};
use crate::config::ModelKind;
use crate::environment::usable_cores;

pub fn run() -> Exit {
    let mut table = Table::new();
    table.load_preset(crate::report::table::STYLE);
    table.set_header(["kind", "parameters", "prediction", "what it is"]);
    for kind in ModelKind::ALL {
        let params: Vec<&str> = kind.params().iter().map(|p| p.key()).collect();
        let what = kind.summary().to_string();
        table.add_row(vec![
            kind.name().to_string(),
            if params.is_empty() {
                "-".to_string()
            } else {
                params.join(", ")
            },
            kind.prediction().to_string(),
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
    Exit::Ok
}
