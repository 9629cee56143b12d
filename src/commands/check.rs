//! `conlab check DIR`: judges the `[[claim]]`s of the experiment file saved
//! in a results folder against the results there, without running
//! anything — so a paper's repository can check its claims in CI, and a
//! claim edited in `DIR/experiment.toml` takes effect at once. Exit 0 when
//! no claim fails, 1 when one does, 2 when the folder or its experiment
//! file cannot be used.

use super::{Exit, out, out_json, read_folder, say, terminal_width};
use crate::cli::CheckArgs;
use crate::config::{self, ConfigError};
use crate::report::claim_verdicts;
use crate::results::Results;
use crate::results::claims::{self, ClaimResult, Measured, Outcome};

pub fn run(args: &CheckArgs) -> Exit {
    let dir = &args.dir;
    // Read under the folder's shared lock: never a run's half-written state.
    let results = match read_folder(dir, || Results::load(dir)) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            say(format_args!("error: {e}"));
            return Exit::BadInput;
        }
        Err(exit) => return exit,
    };
    let path = dir.join("experiment.toml");
    let Some(text) = &results.experiment_text else {
        say(format_args!(
            "error: {} is missing: conlab check judges the claims of the experiment file saved with the results\n  = help: copy the experiment file the results were measured with to {}",
            path.display(),
            path.display()
        ));
        return Exit::BadInput;
    };
    let shown = path.display().to_string();
    let experiment = match config::from_text(&shown, text, &results.summary.experiment) {
        Ok(loaded) => loaded.experiment,
        Err(ConfigError::Invalid(d)) => {
            say(&d);
            let n = d.error_count();
            say(format_args!(
                "{shown}: {n} error{} found; no claim was judged",
                if n == 1 { "" } else { "s" }
            ));
            return Exit::BadInput;
        }
        Err(e) => {
            say(format_args!("error: {e}"));
            return Exit::BadInput;
        }
    };
    if experiment.claims.is_empty() && !args.json {
        out(format_args!(
            "{shown} states no claims: add [[claim]] entries to it (see `conlab validate --help`), then check again"
        ));
        return Exit::Ok;
    }
    let judged = claims::judge_all(
        &experiment.claims,
        Measured {
            cells: &results.summary.cells,
            runs: &results.runs,
            groups: &results.groups,
        },
    );
    let failed = judged.iter().any(|c| c.outcome == Outcome::Fails);
    let exit = if failed { Exit::RunsFailed } else { Exit::Ok };
    if args.json {
        let count = |o: Outcome| judged.iter().filter(|c| c.outcome == o).count();
        let doc = serde_json::json!({
            "experiment_file": shown,
            "holds": count(Outcome::Holds),
            "fails": count(Outcome::Fails),
            "inconclusive": count(Outcome::Inconclusive),
            "claims": judged,
        });
        out_json(&doc);
        return exit;
    }
    if args.quiet {
        out(claim_verdicts::tally(&judged));
    } else {
        out(format_args!(
            "{}: {}",
            shown,
            claim_verdicts::terminal(&judged, terminal_width())
        ));
    }
    for outcome in [Outcome::Fails, Outcome::Inconclusive] {
        for (i, c) in judged.iter().enumerate() {
            if c.outcome == outcome {
                out(explain(i, c, &shown));
            }
        }
    }
    exit
}

/// `fails: claim 2 (experiment.toml, line 40) "…": checked …; at tasks=1:
/// measured …`, a line per point that is not a hold.
fn explain(index: usize, c: &ClaimResult, file: &str) -> String {
    let mut text = format!(
        "{}: claim {} ({file}, line {}) \"{}\": {}",
        c.outcome.text(),
        index + 1,
        c.line,
        c.text,
        c.checked
    );
    for p in c.points.iter().filter(|p| p.outcome != Outcome::Holds) {
        let at = if p.at.is_empty() {
            String::new()
        } else {
            format!("at {}: ", p.at)
        };
        let what = if p.note.is_empty() {
            &p.measured
        } else {
            &p.note
        };
        text.push_str(&format!("\n    {at}{what} ({})", p.outcome.text()));
    }
    text
}
