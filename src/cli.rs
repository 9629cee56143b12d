//! The command line, as clap sees it. Only argument definitions live here;
//! `commands/` turns them into work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Measure concurrency models on workloads described in TOML files.
#[derive(Debug, Parser)]
#[command(
    name = "conlab",
    version,
    about = "Turns claims about concurrency models into measured, reproducible experiments",
    long_about = "Turns claims about concurrency models into measured, reproducible experiments.\n\n\
        An experiment file describes workloads (tasks, IO latency, CPU cost) and a matrix of \
        concurrency models. `conlab run` executes every combination in fresh child processes, \
        measures it, and writes runs.csv, summaries and charts to output/<name>/.",
    after_help = "Start with: conlab run experiments/seed.toml"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run experiment files and record every measurement
    Run(RunArgs),
    /// Check experiment files and show the cells, runs and estimated time
    Validate {
        /// Experiment files (TOML)
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// List the concurrency models, their parameters and predictions
    Models,
    /// Render the charts and reports of a results directory again, from
    /// its saved files, without running anything
    Plot(PlotArgs),
    /// Compare two results directories of the same experiment, cell by cell
    Compare(CompareArgs),
    /// Show how ready this machine is for measurement (changes nothing)
    Doctor(DoctorArgs),
    /// Runs one job from stdin in this process (used by `run`)
    #[command(name = "__worker", hide = true)]
    Worker,
    /// Serves tasks of the `processes` model (started by a run)
    #[command(name = "__pool-worker", hide = true)]
    PoolWorker,
    /// Answers `io = "tcp"` requests after their latency (started by a run)
    #[command(name = "__delay-server", hide = true)]
    DelayServer,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Experiment files (TOML)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Results directory [default: output/<name>]; with several files,
    /// each goes to DIR/<name>
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Measured runs per cell, overriding the file's `repetitions`
    #[arg(long, short = 'n', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub repetitions: Option<u32>,

    /// Unmeasured runs per cell first, overriding the file's `warmup`
    #[arg(long, short = 'w', value_name = "N")]
    pub warmup: Option<u32>,

    /// Only run cells whose label contains TEXT (e.g. "threads" or
    /// "tasks=10"); repeat to keep cells matching any
    #[arg(long, short, value_name = "TEXT")]
    pub filter: Vec<String>,

    /// Limit for one run, overriding the file's `timeout` (e.g. "30s")
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,

    /// Order of runs: interleaved spreads machine drift over all cells
    #[arg(long, value_enum, default_value_t = OrderArg::Interleaved)]
    pub order: OrderArg,

    /// Replace results an earlier run left in the results directory
    #[arg(long)]
    pub force: bool,

    /// No progress bar and no summary table
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Writes DIR/charts/*.png and *.svg, DIR/report.html, DIR/report.md and DIR/summary.tex, \
        from DIR/summary.json, runs.csv, timelines/, experiment.toml and environment.json. \
        Chart files that an earlier rendering left and this one does not make are removed."
)]
pub struct PlotArgs {
    /// A results directory written by `conlab run` (e.g. output/seed)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Print only warnings and errors
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Cells are matched by label. For each: the ratio of median wall times B / A and a verdict: \
        B is faster or slower only if the 95 % interval of the ratio (Welch's t-test on the runs' log wall \
        times, fractional Welch-Satterthwaite degrees of freedom) excludes 1 and the medians differ by at \
        least 5 %; otherwise \"no significant difference\". Fewer than 2 runs on a side: \"not enough runs\". \
        A verdict adds \"busy machine\" when a side's runs shared the machine with other work.\n\n\
        Prints a table and writes compare.md, compare.png and compare.svg into the --out directory."
)]
pub struct CompareArgs {
    /// The results directory to compare against (A)
    #[arg(value_name = "DIR_A")]
    pub a: PathBuf,

    /// The results directory compared with it (B)
    #[arg(value_name = "DIR_B")]
    pub b: PathBuf,

    /// Where compare.md, compare.png and compare.svg go
    /// [default: output/compare-<name of DIR_A>-vs-<name of DIR_B>]
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OrderArg {
    /// Repetition 1 of every cell, then repetition 2, …
    Interleaved,
    /// All runs of one cell, then the next
    Grouped,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Checks the CPU frequency governor, turbo / boost, SMT, isolated CPUs, the load, \
        hypervisor steal over a 1-second sample, timer overshoot, the thread and open-file limits and \
        the Python interpreters on PATH, and prints each item's state and, where it matters, the \
        command that would improve it. conlab changes nothing on the system. Always exits 0."
)]
pub struct DoctorArgs {
    /// Print the report as JSON (for scripts)
    #[arg(long)]
    pub json: bool,
}
