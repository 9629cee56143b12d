//! The experiment file's keys, each declared once: its name, how its value
//! is read (which is also its type in the docs and the JSON Schema), its
//! default (shown from the section type's `Default` impl) and one line of
//! help. The reader (`parse/`), unknown-key detection, "did you mean", the
//! "belongs in" hint, `conlab validate --help`, the book's key table and
//! `conlab schema` all work from these tables, so none of them can drift
//! from the others: adding a key means adding it here.

use super::arrival::{ArrivalDist, ArrivalSpec, MAX_RATE, Rate};
use super::claim::{AxisValue, ClaimSpec, CrossoverSpec, Limit, Metric, PointFilter};
use super::duration::Nanos;
use super::field::{SharedMode, Sweep};
use super::folder_name;
use super::io_kind::IoKind;
use super::kind::ModelKind;
use super::limits::{MAX_REPETITIONS, MAX_TASKS, MAX_WAITS, MAX_WARMUP, MAX_WORKERS};
use super::param::{DEFAULT_POLL_INTERVAL, DEFAULT_SWITCH_INTERVAL, Param};
use super::schema::*;
use crate::format::is_hidden_control;

/// One key of a section.
pub struct Key<S: 'static> {
    pub name: &'static str,
    pub read: Read<S>,
    pub default: Fallback<S>,
    pub help: &'static str,
}

/// What a key's value must be, and where the value goes once read.
pub enum Read<S: 'static> {
    /// Any string.
    Text(fn(&mut S, String)),
    /// A name people see in labels, charts and file names.
    Name(NameRule, fn(&mut S, String)),
    /// A program to run: a command on PATH or a path; not empty.
    Program(fn(&mut S, String)),
    /// A program to run, or a list of them to sweep.
    Programs(fn(&mut S, Sweep<String>)),
    Flag(fn(&mut S, bool)),
    /// A whole number from `.0` to `.1`.
    Count((u64, u64), fn(&mut S, u64)),
    /// A whole number from `.0` to `.1`, or a list of them to sweep.
    Counts((u64, u64), fn(&mut S, Sweep<u64>)),
    /// A duration; `true` if zero is allowed.
    Duration(bool, fn(&mut S, Nanos)),
    /// A duration, or a list of them to sweep; `true` if zero is allowed.
    Durations(bool, fn(&mut S, Sweep<Nanos>)),
    /// A duration or a distribution, or a list of them to sweep.
    Latencies(fn(&mut S, Sweep<IoLatency>)),
    /// A number of requests per second above 0 and at most
    /// [`super::arrival::MAX_RATE`],
    /// or a list of them to sweep.
    Rates(fn(&mut S, Sweep<Rate>)),
    /// An `{ rate = …, dist = … }` table, read by [`ARRIVAL`].
    Arrival(fn(&mut S, ArrivalSpec)),
    /// One of a fixed set of words.
    Choice(&'static Choices, fn(&mut S, &str)),
    /// One of a fixed set of words, or a list of them to sweep.
    Words(&'static Choices, fn(&mut S, Sweep<String>)),
    /// A list of strings.
    Texts(fn(&mut S, Vec<String>)),
    /// A command to start: a list of strings, the first a program on PATH
    /// or a path (not empty), then its arguments.
    Command(fn(&mut S, Vec<String>)),
    /// `[[…]]` tables of a sub-section, which its section reads itself.
    Tables(&'static str),
    /// A limit: a duration, a number, or `{ ratio = 0.4, of = "model" }`.
    Limit(fn(&mut S, Limit)),
    /// Two limits: `[low, high]` (durations or numbers), or
    /// `{ ratio = [low, high], of = "model" }`.
    Limits(fn(&mut S, (Limit, Limit))),
    /// Points of the sweeps: `{ axis = value or a list, … }`, or a list
    /// of such tables.
    Points(fn(&mut S, Vec<PointFilter>)),
    /// Two values of an axis, low and high: numbers or durations.
    Range(fn(&mut S, (AxisValue, AxisValue))),
    /// A `crossover = { … }` table, read by [`CROSSOVER`]'s keys.
    Crossover(fn(&mut S, CrossoverSpec)),
}

/// What else a name may not contain, beyond control characters and
/// bidirectional controls (which no name may contain).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRule {
    /// Workload and model names.
    Label,
    /// The experiment's name: it becomes a directory.
    Directory,
    /// A group's name: it becomes part of axis names and labels.
    Group,
}

impl NameRule {
    /// Why `name` cannot be a name under this rule, if it cannot.
    pub fn problem(self, name: &str) -> Option<String> {
        let group_breaking = |c: char| matches!(c, '.' | ';' | '=') || c.is_whitespace();
        if name.trim().is_empty() {
            Some("a name cannot be empty".to_string())
        } else if name.chars().any(char::is_control) {
            Some("a name cannot contain control characters".to_string())
        } else if name.chars().any(is_hidden_control) {
            Some(
                "a name cannot contain bidirectional text controls (U+202A–U+202E, \
                 U+2066–U+2069 and the like): they make a name show in another order \
                 than it reads"
                    .to_string(),
            )
        } else if self == NameRule::Directory
            && let Some(why) = folder_name::problem(name)
        {
            Some(format!(
                "the name is the results folder's name (output/<name>) and must be one plain \
                 folder name, but {why}"
            ))
        } else if self == NameRule::Group && name.chars().any(group_breaking) {
            Some(
                "a group's name becomes part of axis names like `io.rounds` and labels like \
                 `io.rounds=50`: no `.`, `;`, `=` or whitespace"
                    .to_string(),
            )
        } else {
            None
        }
    }
}

/// The words a [`Read::Choice`] key accepts.
pub struct Choices {
    /// What the word names, as in `unknown io "x"`.
    pub what: &'static str,
    pub names: &'static [&'static str],
    /// The help line for a word that is none of them.
    pub hint: fn(&str) -> String,
}

/// A number a key accepts — whole or decimal, from `min` to `max` (any
/// finite one if `None`) — and what the file is told when a value is not
/// one, as (message, help line) templates: `{key}` is the key, `{text}`
/// the value as written (a whole number as its value), `{min}` and `{max}`
/// the bounds. One reader reads them all.
pub struct Number {
    /// Whole numbers only: a decimal one is refused, with its own message.
    pub whole: bool,
    pub min: u64,
    pub max: Option<u64>,
    /// What a value of another type must be, and the help line then.
    pub expected: (&'static str, &'static str),
    /// Whether a number in quotes is told to lose them.
    pub quoted: bool,
    /// Below `min` (or not a number at all), above `max`, and at zero if
    /// zero is refused.
    pub low: (&'static str, &'static str),
    pub high: (&'static str, &'static str),
    pub zero: Option<(&'static str, &'static str)>,
}

impl Number {
    /// A whole number from `min` to `max` (a [`Read::Count`] key's).
    pub const fn whole(min: u64, max: u64) -> Number {
        Number {
            whole: true,
            min,
            max: Some(max),
            expected: ("a whole number", ""),
            quoted: true,
            low: (
                "`{key}` = {text} is impossible",
                "`{key}` must be at least {min}",
            ),
            high: (
                "`{key}` = {text} is too large",
                "conlab accepts at most {max} here",
            ),
            zero: None,
        }
    }
}

/// Requests per second of an arrival's `rate`.
pub const RATE: Number = Number {
    whole: false,
    min: 0,
    max: Some(MAX_RATE as u64),
    expected: (
        "a number of requests per second",
        "give requests per second, e.g. rate = 100",
    ),
    quoted: true,
    low: IMPOSSIBLE_RATE,
    high: (
        "`{key}` = {text} is too large",
        "conlab accepts at most {max} requests per second",
    ),
    zero: Some(IMPOSSIBLE_RATE),
};

const IMPOSSIBLE_RATE: (&str, &str) = (
    "`{key}` = {text} is impossible",
    "a rate is requests per second, above 0: rate = 50 (or 0.5 for one every 2 s)",
);

/// A claim's limit or a crossover's bound written as a number.
pub const AMOUNT: Number = Number {
    whole: false,
    min: 0,
    max: None,
    expected: ("a number", ""),
    quoted: false,
    low: FINITE,
    high: FINITE,
    zero: None,
};

const FINITE: (&str, &str) = ("`{key}` must be a finite number, zero or more", "");

/// A claim's limit that is not a ratio, when it is not a duration.
pub const LIMIT: Number = Number {
    expected: (
        "a duration or a number",
        "write a duration such as \"120ms\" (wall, cpu and the group metrics) or a number \
         (speedup, efficiency)",
    ),
    ..AMOUNT
};

/// The `ratio` of a limit that is a ratio of another model's value.
pub const RATIO: Number = Number {
    zero: Some(("`{key}` must be above zero", "a ratio of zero says nothing")),
    ..AMOUNT
};

/// A key's value when the file does not give it.
pub enum Fallback<S: 'static> {
    /// The file must give it; the text is the help line when it does not
    /// (`{choices}` stands for the key's choices).
    Required(&'static str),
    /// The value in the section type's `Default` impl, as the docs show it.
    Value(fn(&S) -> String),
    /// Worked out from other keys, as the text says.
    Derived(&'static str),
}

/// A table of the file: its title in messages and its keys.
pub struct Section<S: 'static> {
    pub title: &'static str,
    pub keys: &'static [Key<S>],
}

impl<S> Section<S> {
    pub fn key(&self, name: &str) -> Option<&Key<S>> {
        self.keys.iter().find(|k| k.name == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.keys.iter().map(|k| k.name)
    }
}

/// The closest of `candidates` to `word`, if close enough to be a typo.
pub fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn quoted(text: impl std::fmt::Display) -> String {
    format!("\"{text}\"")
}

/// The top level of a file: its sections, with a line on each.
pub const TOP_LEVEL: [(&str, &str); 5] = [
    (
        "experiment",
        "[experiment]: the experiment's name and how it runs",
    ),
    (
        "workload",
        "[[workload]]: what runs together in one run (at least one)",
    ),
    (
        "model",
        "[[model]]: a concurrency model to run each workload with (at least one)",
    ),
    (
        "chart",
        "[[chart]]: a chart to draw instead of the default ones",
    ),
    (
        "claim",
        "[[claim]]: a statement about the results, checked with its 95 % interval",
    ),
];

pub static EXPERIMENT: Section<Experiment> = Section {
    title: "[experiment]",
    keys: &[
        Key {
            name: "name",
            read: Read::Name(NameRule::Directory, |e, v| e.name = v),
            default: Fallback::Derived("the file's name without .toml"),
            help: "results go to output/<name>/",
        },
        Key {
            name: "description",
            read: Read::Text(|e, v| e.description = v),
            default: Fallback::Value(|e| quoted(&e.description)),
            help: "one line on what the experiment shows, for reports",
        },
        Key {
            name: "repetitions",
            read: Read::Count((1, MAX_REPETITIONS), |e, n| e.repetitions = n as u32),
            default: Fallback::Value(|e| e.repetitions.to_string()),
            help: "measured runs per cell",
        },
        Key {
            name: "warmup",
            read: Read::Count((0, MAX_WARMUP), |e, n| e.warmup = n as u32),
            default: Fallback::Value(|e| e.warmup.to_string()),
            help: "unmeasured runs per cell, first",
        },
        Key {
            name: "seed",
            read: Read::Count((0, u64::MAX), |e, n| e.seed = n),
            default: Fallback::Value(|e| e.seed.to_string()),
            help: "seeds the latency distributions",
        },
        Key {
            name: "timeout",
            read: Read::Duration(false, |e, d| e.timeout = d),
            default: Fallback::Value(|e| quoted(e.timeout)),
            help: "one run's limit; a run past it is killed and recorded as timed out",
        },
        Key {
            name: "python",
            read: Read::Programs(|e, v| e.python = Some(v)),
            default: Fallback::Derived("python3 from PATH"),
            help: "the interpreter of the python-* models, unless a model names its own; a list \
                   runs each python model under each",
        },
        Key {
            name: "node",
            read: Read::Program(|e, v| e.node = Some(v)),
            default: Fallback::Derived("node from PATH"),
            help: "the Node.js of the node-* models, unless a model names its own",
        },
        Key {
            name: "go",
            read: Read::Program(|e, v| e.go = Some(v)),
            default: Fallback::Derived("go from PATH"),
            help: "the Go toolchain that builds the go-* models' runner, unless a model names its own",
        },
        Key {
            name: "java",
            read: Read::Program(|e, v| e.java = Some(v)),
            default: Fallback::Derived("java from PATH"),
            help: "the JVM of the java-* models, unless a model names its own",
        },
    ],
};

pub static IO: Choices = Choices {
    what: "io",
    names: &IoKind::NAMES,
    hint: |_| {
        "use io = \"sleep\" (an OS timer) or io = \"tcp\" (a loopback delay server)".to_string()
    },
};

pub static WORKLOAD: Section<Workload> = Section {
    title: "[[workload]]",
    keys: &[
        Key {
            name: "name",
            read: Read::Name(NameRule::Label, |w, v| w.name = v),
            default: Fallback::Derived("workload-N"),
            help: "names the workload in labels, charts and file names",
        },
        Key {
            name: "io",
            read: Read::Choice(&IO, |w, v| w.io = IoKind::from_name(v).unwrap_or_default()),
            default: Fallback::Value(|w| quoted(w.io.as_str())),
            help: "how an IO wait happens: \"sleep\" (an OS timer) or \"tcp\" (a request to a \
                   loopback delay server)",
        },
        Key {
            name: "group",
            read: Read::Tables("[[workload.group]]"),
            default: Fallback::Derived("one group: the workload's own keys of [[workload.group]]"),
            help: "groups of different tasks that run together; a workload without them sets \
                   tasks, io_latency, cpu_cost and rounds itself",
        },
    ],
};

pub static SHARED: Choices = Choices {
    what: "shared counter",
    names: &SharedMode::NAMES,
    hint: |given| match suggest(given, &SharedMode::NAMES) {
        Some(s) => format!("did you mean \"{s}\"? Valid: none, racy, locked, atomic"),
        None => "use \"none\", \"racy\", \"locked\" or \"atomic\"".to_string(),
    },
};

pub static GROUP: Section<Group> = Section {
    title: "[[workload.group]]",
    keys: &[
        Key {
            name: "name",
            read: Read::Name(NameRule::Group, |g, v| g.name = v),
            default: Fallback::Derived("group-N"),
            help: "names the group's sweep axes (io.rounds) in labels and charts",
        },
        Key {
            name: "tasks",
            read: Read::Counts((1, MAX_TASKS), |g, s| g.tasks = s),
            default: Fallback::Required("add tasks = 10 (or a list to sweep: [1, 10, 100])"),
            help: "how many identical tasks; a list is a sweep axis (so is any numeric key)",
        },
        Key {
            name: "io_latency",
            read: Read::Latencies(|g, s| g.io_latency = s),
            default: Fallback::Value(|g| first(&g.io_latency)),
            help: "each IO wait: a duration, or { dist = \"uniform\", min, max }, \
                   { dist = \"exponential\", mean } or { dist = \"normal\", mean, sd }",
        },
        Key {
            name: "cpu_cost",
            read: Read::Durations(true, |g, s| g.cpu_cost = s),
            default: Fallback::Value(|g| first(&g.cpu_cost)),
            help: "CPU burned after each IO wait, on the task's own CPU clock",
        },
        Key {
            name: "rounds",
            read: Read::Counts((1, MAX_WAITS), |g, s| g.rounds = s.map(|n| n as u32)),
            default: Fallback::Value(|g| {
                g.rounds
                    .values
                    .first()
                    .map_or(String::new(), u32::to_string)
            }),
            help: "each task does rounds × (IO wait, then CPU work)",
        },
        Key {
            name: "shared",
            read: Read::Words(&SHARED, |g, s| {
                g.shared = s.map(|w| SharedMode::from_name(&w).unwrap_or_default())
            }),
            default: Fallback::Value(|g| first(&g.shared)),
            help: "a counter the group's tasks update once a round, after the IO wait: \
                   \"racy\" reads it, does the CPU work, writes back what it read + 1 (updates \
                   get lost); \"locked\" does that under the runtime's lock; \"atomic\" is one \
                   atomic increment",
        },
        Key {
            name: "await_inside",
            read: Read::Flag(|g, b| g.await_inside = b),
            default: Fallback::Value(|g| g.await_inside.to_string()),
            help: "with shared = \"racy\": also yield to the runtime between the read and the \
                   write (an await in async models, sched_yield or time.sleep(0) in thread models)",
        },
        Key {
            name: "arrival",
            read: Read::Arrival(|g, a| g.arrival = Some(a)),
            default: Fallback::Derived("none: the group's tasks start together"),
            help: "requests arriving at a rate instead of tasks: { rate = 100, dist = \"poisson\" \
                   }, with requests or duration; each request is a task",
        },
        Key {
            name: "requests",
            read: Read::Count((1, MAX_TASKS), |g, n| g.requests = Some(n)),
            default: Fallback::Derived("with arrival, this or duration"),
            help: "how many requests arrive (with arrival)",
        },
        Key {
            name: "duration",
            read: Read::Duration(false, |g, d| g.duration = Some(d)),
            default: Fallback::Derived("with arrival, this or requests"),
            help: "requests arrive for this long: rate × duration of them (with arrival)",
        },
    ],
};

pub static ARRIVAL_DISTS: Choices = Choices {
    what: "arrival distribution",
    names: &ArrivalDist::NAMES,
    hint: |_| {
        "use dist = \"poisson\" (independent arrivals, exponential gaps) or dist = \"uniform\" \
         (evenly spaced)"
            .to_string()
    },
};

/// The keys of a group's `arrival` table.
pub static ARRIVAL: Section<ArrivalSpec> = Section {
    title: "an arrival table",
    keys: &[
        Key {
            name: "rate",
            read: Read::Rates(|a, s| a.rate = s),
            default: Fallback::Required("add rate = 100 (requests per second, or a list to sweep)"),
            help: "requests per second; a list is a sweep axis (`<group>.rate`)",
        },
        Key {
            name: "dist",
            read: Read::Choice(&ARRIVAL_DISTS, |a, v| {
                a.dist = ArrivalDist::from_name(v).unwrap_or_default()
            }),
            default: Fallback::Value(|a| quoted(a.dist.as_str())),
            help: "\"poisson\": independent arrivals (exponential gaps); \"uniform\": evenly \
                   spaced, 1/rate apart",
        },
    ],
};

fn first<T: std::fmt::Display>(sweep: &Sweep<T>) -> String {
    sweep.values.first().map(quoted).unwrap_or_default()
}

pub static KINDS: Choices = Choices {
    what: "model kind",
    names: &ModelKind::NAMES,
    hint: |given| {
        let all = ModelKind::NAMES.join(", ");
        if let Some(kind) = ModelKind::from_python_name(given) {
            return format!(
                "did you mean \"{}\", which runs it in a real CPython? Valid kinds: {all}",
                kind.name()
            );
        }
        match suggest(given, &ModelKind::NAMES) {
            Some(s) => format!("did you mean \"{s}\"? Valid kinds: {all}"),
            None => format!("valid kinds: {all}"),
        }
    },
};

pub static MODEL: Section<ModelSpec> = Section {
    title: "[[model]]",
    keys: &[
        Key {
            name: "kind",
            read: Read::Choice(&KINDS, |m, v| {
                m.kind = ModelKind::from_name(v).unwrap_or_default()
            }),
            default: Fallback::Required("add kind = \"threads\" (one of: {choices})"),
            help: "the concurrency model; `conlab models` describes each",
        },
        Key {
            name: "name",
            read: Read::Name(NameRule::Label, |m, v| m.name = v),
            default: Fallback::Derived("the kind and its fixed parameters: thread-pool workers=8"),
            help: "names the model in labels and charts",
        },
        Key {
            name: Param::Workers.as_str(),
            read: Read::Counts((1, MAX_WORKERS), |m, s| {
                m.workers = Some(s.map(|n| n as u32))
            }),
            default: Fallback::Derived("the usable cores"),
            help: "threads or processes that take tasks in turn",
        },
        Key {
            name: Param::SwitchInterval.as_str(),
            read: Read::Durations(false, |m, s| m.switch_interval = Some(s)),
            default: Fallback::Value(|_| quoted(DEFAULT_SWITCH_INTERVAL)),
            help: "how long a thread waits for the modelled GIL before asking for it",
        },
        Key {
            name: Param::PollInterval.as_str(),
            read: Read::Durations(true, |m, s| m.poll_interval = Some(s)),
            default: Fallback::Value(|_| quoted(DEFAULT_POLL_INTERVAL)),
            help: "time between checks for finished IO (0 = busy spin)",
        },
        Key {
            name: Param::Python.as_str(),
            read: Read::Programs(|m, v| m.python = Some(v)),
            default: Fallback::Derived("the [experiment]'s python, else python3"),
            help: "the interpreter: a command on PATH or a path (python3.13, pypy3); a list \
                   sweeps them",
        },
        Key {
            name: Param::Node.as_str(),
            read: Read::Program(|m, v| m.node = Some(v)),
            default: Fallback::Derived("the [experiment]'s node, else node"),
            help: "Node.js: a command on PATH or a path",
        },
        Key {
            name: Param::Go.as_str(),
            read: Read::Program(|m, v| m.go = Some(v)),
            default: Fallback::Derived("the [experiment]'s go, else go"),
            help: "the Go toolchain that builds the runner: a command on PATH or a path",
        },
        Key {
            name: Param::Java.as_str(),
            read: Read::Program(|m, v| m.java = Some(v)),
            default: Fallback::Derived("the [experiment]'s java, else java"),
            help: "the JVM (java 17 or later; 21 for java-virtual): a command on PATH or a path",
        },
        Key {
            name: Param::Command.as_str(),
            read: Read::Command(|m, v| m.command = Some(v)),
            default: Fallback::Derived("none: a custom model must name its runner"),
            help: "the runner to start: a program on PATH or a path, then its arguments",
        },
    ],
};

pub static YS: Choices = Choices {
    what: "chart y",
    names: &ChartY::NAMES,
    hint: |_| format!("use one of: {}", ChartY::NAMES.join(", ")),
};

pub static CHART: Section<ChartSpec> = Section {
    title: "[[chart]]",
    keys: &[
        Key {
            name: "workload",
            read: Read::Text(|c, v| c.workload = v),
            default: Fallback::Required("add workload = \"{workload}\""),
            help: "the [[workload]] to chart",
        },
        Key {
            name: "y",
            read: Read::Choice(&YS, |c, v| {
                c.y = ChartY::from_name(v).unwrap_or(ChartY::Wall)
            }),
            default: Fallback::Value(|c| quoted(c.y.as_str())),
            help: "what goes on the y axis; wake_*, completion_*, rounds_per_s, latency_* and \
                   throughput (a group with arrivals) are a group's",
        },
        Key {
            name: "x",
            read: Read::Text(|c, v| c.x = super::field::Axis::parse(&v)),
            default: Fallback::Derived("the workload's first sweep axis"),
            help: "a swept key of the workload or its models: tasks, workers, io.rounds, …",
        },
        Key {
            name: "log_x",
            read: Read::Flag(|c, b| c.log_x = Some(b)),
            default: Fallback::Derived("when the x values span two decades or more"),
            help: "a logarithmic x axis",
        },
        Key {
            name: "log_y",
            read: Read::Flag(|c, b| c.log_y = Some(b)),
            default: Fallback::Derived(
                "on line charts, when the plotted medians span two decades or more",
            ),
            help: "a logarithmic y axis",
        },
        Key {
            name: "predictions",
            read: Read::Flag(|c, b| c.predictions = b),
            default: Fallback::Value(|c| c.predictions.to_string()),
            help: "draw each model's prediction as a dotted line",
        },
        Key {
            name: "width",
            read: Read::Count((200, 8000), |c, n| c.width = n as u32),
            default: Fallback::Value(|c| c.width.to_string()),
            help: "PNG width in pixels",
        },
        Key {
            name: "height",
            read: Read::Count((150, 8000), |c, n| c.height = n as u32),
            default: Fallback::Value(|c| c.height.to_string()),
            help: "PNG height in pixels",
        },
        Key {
            name: "title",
            read: Read::Text(|c, v| c.title = Some(v)),
            default: Fallback::Derived("the workload and what is charted"),
            help: "the chart's title",
        },
        Key {
            name: "models",
            read: Read::Texts(|c, v| c.models = v),
            default: Fallback::Derived("every model"),
            help: "only these models, by name",
        },
        Key {
            name: "group",
            read: Read::Text(|c, v| c.group = Some(v)),
            default: Fallback::Derived("the workload's only group"),
            help: "the group a group's figure (wake_*, completion_*, rounds_per_s, latency_*, \
                   throughput) is of",
        },
    ],
};

pub static METRICS: Choices = Choices {
    what: "metric",
    names: &Metric::NAMES,
    hint: |given| {
        let all = Metric::NAMES.join(", ");
        match suggest(given, &Metric::NAMES) {
            Some(s) => format!("did you mean \"{s}\"? Metrics: {all}"),
            None => format!("metrics: {all}"),
        }
    },
};

pub static CLAIM: Section<ClaimSpec> = Section {
    title: "[[claim]]",
    keys: &[
        Key {
            name: "text",
            read: Read::Text(|c, v| c.text = v),
            default: Fallback::Derived(
                "what it checks: three-tasks · threads: wall ≤ 0.4× sequential",
            ),
            help: "the claim in words, as a paper states it",
        },
        Key {
            name: "workload",
            read: Read::Text(|c, v| c.workload = v),
            default: Fallback::Required("add workload = \"{workload}\""),
            help: "the [[workload]] the claim is about",
        },
        Key {
            name: "model",
            read: Read::Text(|c, v| c.model = v),
            default: Fallback::Derived("required, unless the claim is a crossover"),
            help: "the [[model]] the claim is about, by name",
        },
        Key {
            name: "metric",
            read: Read::Choice(&METRICS, |c, v| {
                c.metric = Metric::from_name(v).unwrap_or_default()
            }),
            default: Fallback::Value(|c| quoted(c.metric)),
            help: "what is measured: wall and cpu time, speedup over sequential, efficiency \
                   (predicted / measured), and a group's completion or wake-up delay (p50, p99)",
        },
        Key {
            name: "group",
            read: Read::Text(|c, v| c.group = Some(v)),
            default: Fallback::Derived("the workload's only group"),
            help: "the [[workload.group]] of a completion_* or wake_delay_* metric",
        },
        Key {
            name: "at_most",
            read: Read::Limit(|c, l| c.at_most = Some(l)),
            default: Fallback::Derived("no upper limit"),
            help: "the claim holds when the whole 95 % interval is at most this: a duration \
                   (\"120ms\"), a number (speedup, efficiency), or { ratio = 0.4, of = \"model\" }",
        },
        Key {
            name: "at_least",
            read: Read::Limit(|c, l| c.at_least = Some(l)),
            default: Fallback::Derived("no lower limit"),
            help: "the claim holds when the whole 95 % interval is at least this (as at_most)",
        },
        Key {
            name: "between",
            read: Read::Limits(|c, (lo, hi)| {
                c.at_least = Some(lo);
                c.at_most = Some(hi);
            }),
            default: Fallback::Derived("no range"),
            help: "the claim holds when the whole 95 % interval lies in [low, high]: two \
                   durations or numbers, or { ratio = [low, high], of = \"model\" }",
        },
        Key {
            name: "where",
            read: Read::Points(|c, p| c.wheres = p),
            default: Fallback::Derived("every point of the workload's sweeps"),
            help: "the points the claim is about: { tasks = 100 }, { tasks = [10, 100], \
                   workers = 2 }, or a list of such tables; machine = \"laptop\" in results merged \
                   from several machines",
        },
        Key {
            name: "crossover",
            read: Read::Crossover(|c, x| c.crossover = Some(x)),
            default: Fallback::Derived("none"),
            help: "the median curves of two models cross in a range of an axis: { of, and, axis, \
                   between }",
        },
    ],
};

pub static CROSSOVER: Section<CrossoverSpec> = Section {
    title: "a crossover",
    keys: &[
        Key {
            name: "of",
            read: Read::Text(|x, v| x.of = v),
            default: Fallback::Required("add of = \"threads\" (a model's name)"),
            help: "one model, by name",
        },
        Key {
            name: "and",
            read: Read::Text(|x, v| x.and = v),
            default: Fallback::Required("add and = \"async\" (a model's name)"),
            help: "the other model, by name",
        },
        Key {
            name: "axis",
            read: Read::Text(|x, v| x.axis = super::field::Axis::parse(&v)),
            default: Fallback::Required("add axis = \"tasks\" (a swept key of the workload)"),
            help: "the swept key of the workload the curves run along: tasks, io.rounds, …",
        },
        Key {
            name: "between",
            read: Read::Range(|x, r| x.between = Some(r)),
            default: Fallback::Required("add between = [2, 10] (where the curves cross)"),
            help: "the range the curves cross in, [low, high], in the axis's values",
        },
    ],
};

pub static DISTS: Choices = Choices {
    what: "distribution",
    names: &["uniform", "exponential", "normal"],
    hint: |given| match suggest(given, DISTS.names) {
        Some(s) => format!("did you mean \"{s}\"?"),
        None => "use \"uniform\", \"exponential\" or \"normal\"".to_string(),
    },
};

/// The key every distribution table has; its value picks the section of
/// the others ([`DISTRIBUTIONS`]).
pub static DISTRIBUTION: Section<IoLatency> = Section {
    title: "a latency distribution",
    keys: &[Key {
        name: "dist",
        read: Read::Choice(&DISTS, |l, v| {
            *l = match v {
                "uniform" => IoLatency::Uniform {
                    min: Nanos::ZERO,
                    max: Nanos::ZERO,
                },
                "exponential" => IoLatency::Exponential { mean: Nanos::ZERO },
                _ => IoLatency::Normal {
                    mean: Nanos::ZERO,
                    sd: Nanos::ZERO,
                },
            }
        }),
        default: Fallback::Required("add dist = \"uniform\", \"exponential\" or \"normal\""),
        help: "the distribution IO waits are drawn from, seeded by [experiment] seed",
    }],
};

/// Each distribution's keys besides `dist`, in the order of [`DISTS`].
pub static DISTRIBUTIONS: [Section<IoLatency>; 3] = [
    Section {
        title: "a uniform distribution",
        keys: &[
            Key {
                name: "min",
                read: Read::Duration(true, |l, d| {
                    if let IoLatency::Uniform { min, .. } = l {
                        *min = d;
                    }
                }),
                default: Fallback::Required("add min = \"10ms\" (for example)"),
                help: "the shortest wait",
            },
            Key {
                name: "max",
                read: Read::Duration(true, |l, d| {
                    if let IoLatency::Uniform { max, .. } = l {
                        *max = d;
                    }
                }),
                default: Fallback::Required("add max = \"10ms\" (for example)"),
                help: "the longest wait",
            },
        ],
    },
    Section {
        title: "an exponential distribution",
        keys: &[Key {
            name: "mean",
            read: Read::Duration(false, |l, d| {
                if let IoLatency::Exponential { mean } = l {
                    *mean = d;
                }
            }),
            default: Fallback::Required("add mean = \"10ms\" (for example)"),
            help: "the mean wait",
        }],
    },
    Section {
        title: "a normal distribution",
        keys: &[
            Key {
                name: "mean",
                read: Read::Duration(true, |l, d| {
                    if let IoLatency::Normal { mean, .. } = l {
                        *mean = d;
                    }
                }),
                default: Fallback::Required("add mean = \"10ms\" (for example)"),
                help: "the mean wait, before draws below zero are drawn again",
            },
            Key {
                name: "sd",
                read: Read::Duration(true, |l, d| {
                    if let IoLatency::Normal { sd, .. } = l {
                        *sd = d;
                    }
                }),
                default: Fallback::Required("add sd = \"10ms\" (for example)"),
                help: "the standard deviation",
            },
        ],
    },
];

/// The sections a key may belong to, for "`x` belongs in …" hints: the
/// keys of the four top-level sections, a workload's including those of
/// its groups (which a workload without groups sets itself).
pub fn home_of(key: &str, section: &str) -> Option<&'static str> {
    let homes: [(&str, Vec<&str>); 5] = [
        (EXPERIMENT.title, EXPERIMENT.names().collect()),
        (
            WORKLOAD.title,
            WORKLOAD.names().chain(GROUP.names()).collect(),
        ),
        (MODEL.title, MODEL.names().collect()),
        (CHART.title, CHART.names().collect()),
        (CLAIM.title, CLAIM.names().collect()),
    ];
    homes
        .into_iter()
        .find(|(home, keys)| *home != section && keys.contains(&key))
        .map(|(home, _)| home)
}
