//! The command line, as clap sees it. Only argument definitions live here;
//! `commands/` turns them into work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{self, limits};

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
    after_help = "Start with: conlab init (writes experiment.toml; conlab init --python for \
        CPython's models), then conlab run experiment.toml"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run experiment files and record every measurement
    Run(RunArgs),
    /// Check experiment files and show the cells, runs and estimated time;
    /// runs nothing the files name (`--help` lists every key)
    #[command(after_long_help = config::key_help())]
    Validate {
        /// Experiment files (TOML)
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print a JSON Schema of experiment files, for editors (Taplo, Even
    /// Better TOML)
    Schema,
    /// Write a commented starter experiment that runs in a few seconds
    Init {
        /// Where to write it; an existing file is never replaced
        #[arg(value_name = "FILE", default_value = "experiment.toml")]
        file: PathBuf,
        /// The starter for Python: real CPython's threads, asyncio (and its
        /// blocking-call pitfall) and processes, with claims to judge
        #[arg(long)]
        python: bool,
    },
    /// List the concurrency models, their parameters and predictions
    Models,
    /// Render the charts and reports of a results directory again, from
    /// its saved files, without running anything
    Plot(PlotArgs),
    /// Compare two results directories of the same experiment, cell by cell
    Compare(CompareArgs),
    /// Join results directories of one experiment (shards of a run, or
    /// several machines) into one
    Merge(MergeArgs),
    /// Judge the [[claim]]s of a results directory's experiment.toml against
    /// its saved results; exit 1 if one fails
    Check(CheckArgs),
    /// Show how ready this machine is for measurement (changes nothing)
    Doctor(DoctorArgs),
    /// Make a Python environment with gevent for the python-gevent model in
    /// conlab's cache directory (your Python stays as it is)
    InstallGevent(InstallGeventArgs),
    /// Print the completion script for a shell (the book's "Installing
    /// conlab" says where each shell looks for it)
    Completions {
        /// The shell whose script to print
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print conlab's manual page, every command and option on one page
    /// (`conlab man | man -l -`)
    Man,
    /// Run the runner protocol's conformance checks against a runner (a
    /// command of yours, or a built-in runner kind) and print what holds
    RunnerCheck(RunnerCheckArgs),
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
#[command(
    after_help = "Exit codes: 0 every run succeeded; 1 some runs failed or timed out (they are recorded); \
        2 a bad experiment file, argument or results directory (nothing ran); \
        130, 143 or 129 stopped by Ctrl-C (SIGINT), SIGTERM or SIGHUP: the current run is killed, \
        the runs measured so far are kept and the charts and reports rendered (128 + the signal's number; \
        a second signal exits at once). `conlab run --resume` continues such a run."
)]
pub struct RunArgs {
    /// Experiment files (TOML)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Results directory [default: output/<name>]; with several files,
    /// each goes to DIR/<name>
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Measured runs per cell, overriding the file's `repetitions`
    #[arg(
        long,
        short = 'n',
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..=limits::MAX_REPETITIONS as i64)
    )]
    pub repetitions: Option<u32>,

    /// Unmeasured runs per cell first, overriding the file's `warmup`
    #[arg(
        long,
        short = 'w',
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(0..=limits::MAX_WARMUP as i64)
    )]
    pub warmup: Option<u32>,

    /// Only run cells whose label contains TEXT (e.g. "threads" or
    /// "tasks=10"); repeat to keep cells matching any
    #[arg(long, short, value_name = "TEXT")]
    pub filter: Vec<String>,

    /// Run the K-th of N shares of the cells (cell i is in shard i mod N +
    /// 1), e.g. one per task of a Slurm job array; `conlab merge` joins the
    /// N results folders [default --out: output/<name>-shard-K-of-N]
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::matrix::Shard>,

    /// Limit for one run, overriding the file's `timeout` (e.g. "30s")
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,

    /// Order of runs: interleaved spreads machine drift over all cells
    #[arg(long, value_enum, default_value_t = OrderArg::Interleaved)]
    pub order: OrderArg,

    /// Replace results an earlier run left in the results directory:
    /// deletes only the files conlab-manifest.json lists (files conlab
    /// wrote), never anything else there
    #[arg(long)]
    pub force: bool,

    /// Continue the run in the results directory that was interrupted or
    /// partly failed: keep its measured runs, run only the missing ones
    /// (failed and timed-out runs too), then summarise and render all.
    /// Refused if the experiment file changed since the run started
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,

    /// No progress bar and no summary table
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Writes DIR/charts/*.png and *.svg, DIR/report.html, DIR/report.md and DIR/summary.tex, \
        from DIR/summary.json, runs.csv, timelines/, experiment.toml and environment.json. \
        Chart files that an earlier rendering wrote (DIR/conlab-manifest.json lists them) and this one \
        does not make are removed; no other file is. A symbolic link where conlab writes is refused."
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

    /// Exit 1 when any cell of B is slower than A's: its interval of the
    /// ratio excludes 1 and the medians differ by 5 % or more (a CI gate)
    #[arg(long, value_enum, value_name = "VERDICT")]
    pub fail_on: Option<FailOn>,

    /// Print the comparison as JSON on stdout instead of the table
    /// ({"a", "b", "min_effect", "cells"}); the files are written as ever
    #[arg(long)]
    pub json: bool,
}

/// The verdicts `compare --fail-on` fails on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A cell slower in B than in A
    Slower,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Each directory belongs to a machine: the NAME of --label NAME=DIR, else its \
        environment.json hostname. The shards of one run (each ran a different --shard K/N of the same N) \
        are one machine, however many hosts ran them; a warning names what differs between their environments. \
        Results of several machines get a machine axis: every cell carries its machine (machine=NAME in its \
        label, a machine column in runs.csv), and each workload's charts show every machine. Directories of \
        one machine must hold different cells. Directories of different experiments are refused.\n\n\
        Writes runs.csv, groups.csv, summary.json and .csv, experiment.toml (the first directory's), \
        environment.json (every directory's), timelines, charts and reports into --out."
)]
pub struct MergeArgs {
    /// Results directories written by `conlab run` (or `conlab merge`)
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,

    /// Where the joined results go (a new or empty directory)
    #[arg(long, short, value_name = "DIR", required = true)]
    pub out: PathBuf,

    /// The machine of a directory, instead of its hostname: NAME=DIR (the
    /// DIR as given above); repeat for each
    #[arg(long, value_name = "NAME=DIR")]
    pub label: Vec<String>,

    /// Replace the results of an earlier merge or run in --out (deletes
    /// only the files conlab wrote there)
    #[arg(long)]
    pub force: bool,

    /// Print only warnings and errors
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Reads DIR/experiment.toml (claims edited there take effect), DIR/summary.json, runs.csv and \
        groups.csv, and runs nothing. A claim holds when the whole 95 % interval of its metric satisfies it, \
        fails when the whole interval violates it, and is inconclusive otherwise. Prints every claim's \
        verdict, then each failing and inconclusive one with why.\n\n\
        Exit codes: 0 no claim fails (inconclusive ones are printed); 1 a claim fails; 2 DIR or its \
        experiment.toml cannot be read or is invalid."
)]
pub struct CheckArgs {
    /// A results directory written by `conlab run` or `conlab merge`
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Print only the claims that fail or are inconclusive, and the tally
    #[arg(long, short)]
    pub quiet: bool,

    /// Print the verdicts as JSON on stdout instead ({"experiment_file",
    /// "holds", "fails", "inconclusive", "claims"}, each claim as in
    /// summary.json); the exit code is the same
    #[arg(long, conflicts_with = "quiet")]
    pub json: bool,
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

#[derive(Debug, Args)]
#[command(
    after_help = "For each interpreter, runs `PYTHON -m venv DIR` and `DIR/bin/python -m pip install \
        gevent`, where DIR is $XDG_CACHE_HOME/conlab/gevent/py-PYTHON (~/.cache/conlab/... without \
        XDG_CACHE_HOME): the one place outside results folders that conlab writes to. python-gevent \
        cells whose python names PYTHON then run in it; other cells and PYTHON itself are untouched. \
        Needs the network (PyPI) and PYTHON's venv module (Debian: apt install python3-venv). An \
        environment that already imports gevent is left as it is. Exit codes: 0 every interpreter \
        has its environment; 1 one could not be made (said why); 2 no cache directory."
)]
pub struct InstallGeventArgs {
    /// The interpreter to make it from, as experiment files name it
    /// (`python3.12`, a path); repeat for several
    #[arg(long, value_name = "PYTHON", default_value = "python3")]
    pub python: Vec<String>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Runs short jobs through the runner (a few seconds with a short check, longer for a \
        serial model) and checks its replies as `conlab run` reads them and more: every task and wait \
        recorded, waits never early, N equal waits taking what --expect says, a CPU burst costing its \
        time on the thread's clock, counters adding up, arrivals and the stop, IO over TCP. Each check \
        prints a line with its figures: ok, FAIL, or info (a figure only).\n\n\
        Examples:\n  conlab runner-check -- ./my-runner --flag\n  conlab runner-check --expect serial \
        --model sequential -- ./my-runner\n  conlab runner-check --kind node-async\n\n\
        Exit codes: 0 every check held; 1 a check failed; 2 a bad argument (nothing ran)."
)]
pub struct RunnerCheckArgs {
    /// A built-in runner kind to check (python-threads, node-async, …)
    /// instead of a command: its runner, mode and expected shape
    #[arg(long, value_name = "KIND", conflicts_with_all = ["model", "expect"])]
    pub kind: Option<String>,

    /// With --kind: the runtime to run its runner in (a Python
    /// interpreter as experiment files name it, Node.js, a Go toolchain or
    /// a JVM) instead of the default on PATH; python-gevent runs in
    /// conlab's gevent environment made from the interpreter, where there
    /// is one
    #[arg(
        long,
        visible_alias = "python",
        value_name = "PROGRAM",
        requires = "kind"
    )]
    pub runtime: Option<String>,

    /// The job's `model`: the runner's name for the model to run
    #[arg(long, value_name = "MODE", default_value = "custom")]
    pub model: String,

    /// How N equal IO waits add up in the model: serial (N × the wait),
    /// overlap (about one wait) or pool (⌈N / workers⌉ waits)
    #[arg(long, value_name = "SHAPE", default_value = "overlap")]
    pub expect: String,

    /// The job's `workers`
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub workers: u32,

    /// Only these checks, comma-separated: timers, short, cpu, counters,
    /// arrivals, tcp
    #[arg(long, value_name = "CHECKS")]
    pub only: Option<String>,

    /// Also check CPU by the difference of long bursts (500 ms, three runs
    /// each), which takes about half a minute more
    #[arg(long)]
    pub thorough: bool,

    /// The runner to start: a program on PATH or a path, then its
    /// arguments (after `--`)
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,
}
