//! The progress bar over all runs of an experiment, and the only file that
//! imports indicatif. Hidden when stderr is not a terminal or with
//! `--quiet`; failures are still reported on stderr unless quiet.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::format::visible;
use crate::runner::{Observer, Outcome, Phase};

pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Progress {
    pub fn new(total_runs: u64, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total_runs), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner:.green} [{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} runs, ETA {eta} {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { bar, quiet }
    }

    /// Prints a line above the bar, control characters made visible (cell
    /// labels and failure messages carry text from files and programs).
    fn print(&self, message: &str) {
        let message = visible(message);
        match &self.bar {
            Some(bar) => bar.println(message),
            None if !self.quiet => eprintln!("{message}"),
            None => {}
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn phase_text(phase: Phase) -> String {
    match phase {
        Phase::Warmup(i) => format!("warm-up {i}"),
        Phase::Measured(i) => format!("run {i}"),
    }
}

impl Observer for Progress {
    fn run_started(&mut self, label: &str, phase: Phase) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} ({})", visible(label), phase_text(phase)));
        }
    }

    fn run_ended(&mut self, label: &str, phase: Phase, outcome: &Outcome) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        let problem = match outcome {
            Outcome::Failed(m) => Some(format!("failed: {m}")),
            Outcome::TimedOut(m) => Some(format!("timed out: {m}")),
            Outcome::Refused(m) => Some(format!("skipped: {m}")),
            _ => None,
        };
        if let Some(problem) = problem {
            self.print(&format!(
                "warning: {label} ({}) {problem}",
                phase_text(phase)
            ));
        }
    }

    fn note(&mut self, message: &str) {
        self.print(&format!("note: {message}"));
    }
}
