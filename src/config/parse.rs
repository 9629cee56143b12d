//! Turns an experiment file's text into a validated [`Experiment`], or into
//! every problem found in it. The file is parsed into a spanned TOML tree
//! and walked by hand, so each problem carries its exact place and key path
//! and a hint written for this format (unknown keys get a "did you mean").

use std::collections::HashSet;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::{Diagnostic, SourceFile};
use super::duration::{DurationError, Nanos, UNITS};
use super::field::{Axis, Field};
use super::folder_name;
use super::kind::{ModelKind, Param};
use super::schema::*;

type Value<'i> = Spanned<DeValue<'i>>;

/// The most tasks one cell may have; the per-task latency table and the
/// task records must fit in memory comfortably.
pub const MAX_TASKS: u64 = 1_000_000;
/// The most IO waits (tasks × rounds) one cell may have.
pub const MAX_WAITS: u64 = 10_000_000;
pub const MAX_WORKERS: u64 = 100_000;

const EXPERIMENT_KEYS: &[&str] = &[
    "name",
    "description",
    "repetitions",
    "warmup",
    "seed",
    "timeout",
    "python",
];
const WORKLOAD_KEYS: &[&str] = &["name", "tasks", "io_latency", "cpu_cost", "rounds", "io"];
const MODEL_KEYS: &[&str] = &[
    "kind",
    "name",
    "workers",
    "switch_interval",
    "poll_interval",
    "python",
];
const CHART_KEYS: &[&str] = &[
    "workload",
    "y",
    "x",
    "log_x",
    "log_y",
    "width",
    "height",
    "title",
    "predictions",
    "models",
];
/// Parses and validates one experiment file. Returns the experiment when
/// there is no error, and every problem found.
pub fn parse(file: &SourceFile, default_name: &str) -> (Option<Experiment>, Vec<Diagnostic>) {
    let root = match DeTable::parse(&file.text) {
        Ok(root) => root,
        Err(e) => {
            let mut d = Diagnostic::error(format!("invalid TOML: {}", e.message()))
                .hint("fix the TOML syntax; see https://toml.io for the rules");
            if let Some(span) = e.span() {
                d = d.at("", span);
            }
            return (None, vec![d]);
        }
    };
    let mut c = Checker::default();
    let experiment = c.experiment(root.get_ref(), file, default_name);
    let failed = !c.diags.is_empty();
    (experiment.filter(|_| !failed), c.diags)
}

#[derive(Default)]
struct Checker {
    diags: Vec<Diagnostic>,
}

fn type_name(v: &DeValue) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The key a path ends in, without a list index: `workload[0].tasks[2]`
/// gives `tasks`.
fn key_of(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

fn entry<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t Value<'i>> {
    table.get(key)
}

/// The closest of `candidates` to `word`, if it is close enough to be a
/// likely typo.
fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

impl Checker {
    fn error(&mut self, path: &str, span: Range<usize>, message: impl Into<String>, hint: &str) {
        let mut d = Diagnostic::error(message).at(path, span);
        if !hint.is_empty() {
            d = d.hint(hint);
        }
        self.diags.push(d);
    }

    /// Reports every key of `table` that is not in `allowed`.
    fn known_keys(&mut self, table: &DeTable, path: &str, allowed: &[&str], section: &str) {
        for (key, _) in table.iter() {
            let name: &str = key.get_ref();
            if allowed.contains(&name) {
                continue;
            }
            let hint = match suggest(name, allowed) {
                Some(s) => format!("did you mean `{s}`?"),
                None => elsewhere(name, section)
                    .unwrap_or_else(|| format!("valid keys in {section}: {}", allowed.join(", "))),
            };
            self.error(
                &child(path, name),
                key.span(),
                format!("unknown key `{name}` in {section}"),
                &hint,
            );
        }
    }

    fn missing(&mut self, path: &str, span: Range<usize>, key: &str, section: &str, hint: &str) {
        self.error(
            &child(path, key),
            span,
            format!("{section} is missing the key `{key}`"),
            hint,
        );
    }

    fn wrong_type(&mut self, path: &str, v: &Value, expected: &str, hint: &str) {
        self.error(
            path,
            v.span(),
            format!(
                "`{}` must be {expected}, not {}",
                path.rsplit('.').next().unwrap_or(path),
                type_name(v.get_ref())
            ),
            hint,
        );
    }

    fn string(&mut self, v: &Value, path: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(path, v, "a string", "put the value in double quotes");
                None
            }
        }
    }

    fn boolean(&mut self, v: &Value, path: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(path, v, "true or false", "write `true` or `false`");
                None
            }
        }
    }

    fn integer(&mut self, v: &Value, path: &str, min: u64, max: u64) -> Option<u64> {
        let key = key_of(path);
        match v.get_ref() {
            DeValue::Integer(i) => {
                let Ok(n) = i128::from_str_radix(i.as_str(), i.radix()) else {
                    self.error(path, v.span(), format!("`{key}` is out of range"), "");
                    return None;
                };
                if n < min as i128 {
                    let hint = if min == 1 {
                        format!("`{key}` must be at least 1")
                    } else {
                        format!("`{key}` must be at least {min}")
                    };
                    self.error(
                        path,
                        v.span(),
                        format!("`{key}` = {n} is impossible"),
                        &hint,
                    );
                    None
                } else if n > max as i128 {
                    self.error(
                        path,
                        v.span(),
                        format!("`{key}` = {n} is too large"),
                        &format!("conlab accepts at most {max} here"),
                    );
                    None
                } else {
                    Some(n as u64)
                }
            }
            DeValue::Float(f) => {
                self.error(
                    path,
                    v.span(),
                    format!("`{key}` must be a whole number, not {}", f.as_str()),
                    "drop the decimal part",
                );
                None
            }
            DeValue::String(s) if s.trim().parse::<i64>().is_ok() => {
                self.error(
                    path,
                    v.span(),
                    format!("`{key}` must be a whole number, not a string"),
                    &format!("remove the quotes: {key} = {}", s.trim()),
                );
                None
            }
            _ => {
                self.wrong_type(path, v, "a whole number", "");
                None
            }
        }
    }

    fn duration(&mut self, v: &Value, path: &str, allow_zero: bool) -> Option<Nanos> {
        let key = key_of(path);
        let text = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Integer(_) | DeValue::Float(_) => {
                let raw = &v.get_ref();
                let number = match raw {
                    DeValue::Integer(i) => i.as_str().to_string(),
                    DeValue::Float(f) => f.as_str().to_string(),
                    _ => String::new(),
                };
                self.error(
                    path,
                    v.span(),
                    format!("`{key}` is a duration and needs a unit"),
                    &format!("write it as a string with a unit, e.g. {key} = \"{number}ms\""),
                );
                return None;
            }
            _ => {
                self.wrong_type(path, v, "a duration such as \"50ms\"", "");
                return None;
            }
        };
        match text.parse::<Nanos>() {
            Ok(n) if n.0 == 0 && !allow_zero => {
                self.error(
                    path,
                    v.span(),
                    format!("`{key}` must be longer than zero"),
                    "give a positive duration such as \"5ms\"",
                );
                None
            }
            Ok(n) => Some(n),
            Err(e) => {
                let units: Vec<&str> = UNITS.iter().map(|(u, _)| *u).collect();
                let hint = match &e {
                    DurationError::NoUnit(t) => {
                        format!(
                            "add a unit: \"{}ms\" (units: {})",
                            t.trim(),
                            units.join(", ")
                        )
                    }
                    DurationError::UnknownUnit { .. } => {
                        format!("use one of the units {}", units.join(", "))
                    }
                    DurationError::Negative(_) => "durations cannot be negative".to_string(),
                    _ => {
                        "write a number with a unit, e.g. \"250us\", \"1.5ms\", \"2s\"".to_string()
                    }
                };
                self.error(
                    path,
                    v.span(),
                    format!("invalid duration for `{key}`: {e}"),
                    &hint,
                );
                None
            }
        }
    }

    /// A value or a non-empty list of values (a sweep axis).
    fn sweep<T: PartialEq>(
        &mut self,
        v: &Value,
        path: &str,
        mut one: impl FnMut(&mut Self, &Value, &str) -> Option<T>,
    ) -> Option<Sweep<T>> {
        let DeValue::Array(items) = v.get_ref() else {
            return one(self, v, path).map(Sweep::one);
        };
        let key = key_of(path);
        if items.is_empty() {
            self.error(
                path,
                v.span(),
                format!("`{key}` is an empty list"),
                "give one value, or a list of values to sweep over",
            );
            return None;
        }
        let mut values: Vec<T> = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            if let DeValue::Array(_) = item.get_ref() {
                self.error(&item_path, item.span(), "a sweep cannot contain lists", "");
                ok = false;
                continue;
            }
            match one(self, item, &item_path) {
                Some(value) if values.contains(&value) => {
                    self.error(
                        &item_path,
                        item.span(),
                        format!("`{key}` lists the same value twice"),
                        "remove the repeated value",
                    );
                    ok = false;
                }
                Some(value) => values.push(value),
                None => ok = false,
            }
        }
        ok.then_some(Sweep { values })
    }

    fn latency(&mut self, v: &Value, path: &str) -> Option<IoLatency> {
        let DeValue::Table(t) = v.get_ref() else {
            return self
                .duration(v, path, true)
                .map(|value| IoLatency::Fixed { value });
        };
        let section = "a latency distribution";
        let Some(dist) = entry(t, "dist") else {
            self.missing(
                path,
                v.span(),
                "dist",
                section,
                "add dist = \"uniform\", \"exponential\" or \"normal\"",
            );
            return None;
        };
        let dist_name = self.string(dist, &child(path, "dist"))?;
        let keys: &[&str] = match dist_name.as_str() {
            "uniform" => &["dist", "min", "max"],
            "exponential" => &["dist", "mean"],
            "normal" => &["dist", "mean", "sd"],
            other => {
                let hint = match suggest(other, &["uniform", "exponential", "normal"]) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => "use \"uniform\", \"exponential\" or \"normal\"".to_string(),
                };
                self.error(
                    &child(path, "dist"),
                    dist.span(),
                    format!("unknown distribution \"{other}\""),
                    &hint,
                );
                return None;
            }
        };
        let section = format!("a {dist_name} distribution");
        self.known_keys(t, path, keys, &section);
        let get = |c: &mut Self, key: &str, allow_zero: bool| -> Option<Nanos> {
            match entry(t, key) {
                Some(value) => c.duration(value, &child(path, key), allow_zero),
                None => {
                    c.missing(
                        path,
                        v.span(),
                        key,
                        &section,
                        &format!("add {key} = \"10ms\" (for example)"),
                    );
                    None
                }
            }
        };
        match dist_name.as_str() {
            "uniform" => {
                let min = get(self, "min", true);
                let max = get(self, "max", true);
                let (min, max) = (min?, max?);
                if min > max {
                    self.error(
                        path,
                        v.span(),
                        format!("uniform distribution has min ({min}) above max ({max})"),
                        "swap min and max",
                    );
                    return None;
                }
                Some(IoLatency::Uniform { min, max })
            }
            "exponential" => get(self, "mean", false).map(|mean| IoLatency::Exponential { mean }),
            _ => {
                let mean = get(self, "mean", true);
                let sd = get(self, "sd", true);
                Some(IoLatency::Normal {
                    mean: mean?,
                    sd: sd?,
                })
            }
        }
    }

    /// A Python interpreter: a command on PATH or a path, not empty.
    fn interpreter(&mut self, v: &Value, path: &str) -> Option<String> {
        let name = self.string(v, path)?;
        if name.trim().is_empty() {
            self.error(
                path,
                v.span(),
                "`python` is empty",
                "name an interpreter, e.g. python = \"python3.12\" or a path to one",
            );
            return None;
        }
        Some(name)
    }

    fn name(&mut self, v: &Value, path: &str, for_directory: bool) -> Option<String> {
        let name = self.string(v, path)?;
        if for_directory {
            // The same check as a name taken from the file name.
            if let Some(why) = folder_name::problem(&name) {
                self.error(
                    path,
                    v.span(),
                    format!("invalid name \"{name}\""),
                    &format!(
                        "the name is the results folder's name (output/<name>) and must be \
                         one plain folder name, but {why}"
                    ),
                );
                return None;
            }
            return Some(name);
        }
        let bad = if name.trim().is_empty() {
            Some("a name cannot be empty")
        } else if name.chars().any(char::is_control) {
            Some("a name cannot contain control characters")
        } else {
            None
        };
        match bad {
            Some(why) => {
                self.error(path, v.span(), format!("invalid name \"{name}\""), why);
                None
            }
            None => Some(name),
        }
    }

    fn experiment(
        &mut self,
        root: &DeTable,
        file: &SourceFile,
        default_name: &str,
    ) -> Option<Experiment> {
        self.known_keys(
            root,
            "",
            &["experiment", "workload", "model", "chart"],
            "the top level",
        );
        let mut exp = Experiment {
            name: default_name.to_string(),
            description: String::new(),
            repetitions: DEFAULT_REPETITIONS,
            warmup: DEFAULT_WARMUP,
            seed: 0,
            timeout: DEFAULT_TIMEOUT,
            python: None,
            workloads: Vec::new(),
            models: Vec::new(),
            charts: Vec::new(),
            source_path: file.path.clone(),
            source_text: file.text.clone(),
        };
        if let Some(section) = entry(root, "experiment") {
            match section.get_ref() {
                DeValue::Table(t) => self.experiment_section(t, &mut exp),
                _ => self.wrong_type("experiment", section, "a table", "write it as [experiment]"),
            }
        }
        let named = matches!(
            entry(root, "experiment").map(Spanned::get_ref),
            Some(DeValue::Table(t)) if t.contains_key("name")
        );
        if !named && let Some(why) = folder_name::problem(default_name) {
            // The name comes from the file name, which has no line to
            // point at: say where it came from and how to give one.
            self.diags.push(
                Diagnostic::error(format!(
                    "the experiment has no [experiment] name, and the one its file name \
                     gives, \"{}\", cannot name its results folder: {why}",
                    default_name.escape_debug()
                ))
                .hint("add a name to the file: [experiment] name = \"my-experiment\""),
            );
        }
        let workloads =
            self.array_of_tables(root, "workload", "add a [[workload]] with name and tasks");
        let mut workload_names = Vec::new();
        for (i, (t, span)) in workloads.iter().enumerate() {
            if let Some(w) = self.workload(t, span.clone(), &format!("workload[{i}]"), i) {
                workload_names.push((i, w.name.clone()));
                exp.workloads.push(w);
            }
        }
        let models = self.array_of_tables(root, "model", "add a [[model]] with kind = \"threads\"");
        let mut model_names = Vec::new();
        for (i, (t, span)) in models.iter().enumerate() {
            if let Some(m) = self.model(t, span.clone(), &format!("model[{i}]")) {
                model_names.push((i, m.name.clone()));
                exp.models.push(m);
            }
        }
        self.unique_names(&workloads, "workload", &workload_names);
        self.unique_names(&models, "model", &model_names);
        if let Some(value) = entry(root, "chart") {
            let charts = self.tables(value, "chart");
            for (i, (t, span)) in charts.iter().enumerate() {
                if let Some(chart) = self.chart(t, span.clone(), &format!("chart[{i}]"), &exp) {
                    exp.charts.push(chart);
                }
            }
        }
        Some(exp)
    }

    fn experiment_section(&mut self, t: &DeTable, exp: &mut Experiment) {
        let path = "experiment";
        self.known_keys(t, path, EXPERIMENT_KEYS, "[experiment]");
        if let Some(v) = entry(t, "name")
            && let Some(name) = self.name(v, "experiment.name", true)
        {
            exp.name = name;
        }
        if let Some(v) = entry(t, "description") {
            exp.description = self.string(v, "experiment.description").unwrap_or_default();
        }
        if let Some(v) = entry(t, "repetitions") {
            exp.repetitions = self
                .integer(v, "experiment.repetitions", 1, 100_000)
                .map_or(exp.repetitions, |n| n as u32);
        }
        if let Some(v) = entry(t, "warmup") {
            exp.warmup = self
                .integer(v, "experiment.warmup", 0, 100_000)
                .map_or(exp.warmup, |n| n as u32);
        }
        if let Some(v) = entry(t, "seed") {
            exp.seed = self.integer(v, "experiment.seed", 0, u64::MAX).unwrap_or(0);
        }
        if let Some(v) = entry(t, "timeout") {
            exp.timeout = self
                .duration(v, "experiment.timeout", false)
                .unwrap_or(exp.timeout);
        }
        if let Some(v) = entry(t, "python") {
            exp.python = self.interpreter(v, "experiment.python");
        }
    }

    /// The tables of a `[[key]]` array; reports a missing or single table.
    fn array_of_tables<'t, 'i>(
        &mut self,
        root: &'t DeTable<'i>,
        key: &str,
        hint: &str,
    ) -> Vec<(&'t DeTable<'i>, Range<usize>)> {
        match entry(root, key) {
            Some(value) => self.tables(value, key),
            None => {
                let mut d =
                    Diagnostic::error(format!("the experiment has no [[{key}]]")).hint(hint);
                d.key_path = Some(key.to_string());
                self.diags.push(d);
                Vec::new()
            }
        }
    }

    fn tables<'t, 'i>(
        &mut self,
        value: &'t Value<'i>,
        key: &str,
    ) -> Vec<(&'t DeTable<'i>, Range<usize>)> {
        match value.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item.get_ref() {
                        DeValue::Table(t) => out.push((t, item.span())),
                        _ => self.wrong_type(&format!("{key}[{i}]"), item, "a table", ""),
                    }
                }
                out
            }
            DeValue::Table(_) => {
                self.error(
                    key,
                    value.span(),
                    format!("[{key}] must be written [[{key}]]"),
                    &format!("use double brackets: [[{key}]] (an experiment may have several)"),
                );
                Vec::new()
            }
            _ => {
                self.wrong_type(key, value, &format!("a list of [[{key}]] tables"), "");
                Vec::new()
            }
        }
    }

    /// Reports names used twice; `names` pairs each name with the index of
    /// its table.
    fn unique_names(
        &mut self,
        tables: &[(&DeTable, Range<usize>)],
        what: &str,
        names: &[(usize, String)],
    ) {
        let mut seen = HashSet::new();
        for (i, name) in names {
            if !seen.insert(name.clone()) {
                let span = tables
                    .get(*i)
                    .map(|(t, s)| entry(t, "name").map_or(s.clone(), |v| v.span()))
                    .unwrap_or(0..0);
                self.error(
                    &format!("{what}[{i}].name"),
                    span,
                    format!("two {what}s are named \"{name}\""),
                    &format!("give each [[{what}]] its own name"),
                );
            }
        }
    }

    fn workload(
        &mut self,
        t: &DeTable,
        span: Range<usize>,
        path: &str,
        index: usize,
    ) -> Option<Workload> {
        self.known_keys(t, path, WORKLOAD_KEYS, "[[workload]]");
        let name = match entry(t, "name") {
            Some(v) => self.name(v, &child(path, "name"), false),
            None => Some(format!("workload-{}", index + 1)),
        };
        let tasks = match entry(t, "tasks") {
            Some(v) => self.sweep(v, &child(path, "tasks"), |c, v, p| {
                c.integer(v, p, 1, MAX_TASKS)
            }),
            None => {
                self.missing(
                    path,
                    span.clone(),
                    "tasks",
                    "[[workload]]",
                    "add tasks = 10 (or a list to sweep: [1, 10, 100])",
                );
                None
            }
        };
        let io_latency = match entry(t, "io_latency") {
            Some(v) => self.sweep(v, &child(path, "io_latency"), Self::latency),
            None => Some(Sweep::one(IoLatency::Fixed { value: Nanos::ZERO })),
        };
        let cpu_cost = match entry(t, "cpu_cost") {
            Some(v) => self.sweep(v, &child(path, "cpu_cost"), |c, v, p| {
                c.duration(v, p, true)
            }),
            None => Some(Sweep::one(Nanos::ZERO)),
        };
        let rounds = match entry(t, "rounds") {
            Some(v) => self.sweep(v, &child(path, "rounds"), |c, v, p| {
                c.integer(v, p, 1, MAX_WAITS).map(|n| n as u32)
            }),
            None => Some(Sweep::one(1)),
        };
        let io = match entry(t, "io") {
            Some(v) => {
                let text = self.string(v, &child(path, "io"))?;
                match text.as_str() {
                    "sleep" => Some(IoKind::Sleep),
                    "tcp" => Some(IoKind::Tcp),
                    other => {
                        self.error(
                            &child(path, "io"),
                            v.span(),
                            format!("unknown io \"{other}\""),
                            "use io = \"sleep\" (an OS timer) or io = \"tcp\" (a loopback delay server)",
                        );
                        None
                    }
                }
            }
            None => Some(IoKind::Sleep),
        };
        let (name, tasks, io_latency, cpu_cost, rounds, io) =
            (name?, tasks?, io_latency?, cpu_cost?, rounds?, io?);
        let most_tasks = tasks.values.iter().copied().max().unwrap_or(1);
        let most_rounds = rounds.values.iter().copied().max().unwrap_or(1) as u64;
        if most_tasks.saturating_mul(most_rounds) > MAX_WAITS {
            self.error(
                path,
                span,
                format!("workload \"{name}\" asks for {most_tasks} tasks × {most_rounds} rounds"),
                &format!(
                    "conlab runs at most {MAX_WAITS} task rounds per cell; lower tasks or rounds"
                ),
            );
            return None;
        }
        Some(Workload {
            groups: vec![Group {
                name: name.clone(),
                tasks,
                io_latency,
                cpu_cost,
                rounds,
            }],
            grouped: false,
            name,
            io,
        })
    }

    fn model(&mut self, t: &DeTable, span: Range<usize>, path: &str) -> Option<ModelSpec> {
        self.known_keys(t, path, MODEL_KEYS, "[[model]]");
        let Some(kind_value) = entry(t, "kind") else {
            self.missing(
                path,
                span,
                "kind",
                "[[model]]",
                &format!(
                    "add kind = \"threads\" (one of: {})",
                    ModelKind::names().join(", ")
                ),
            );
            return None;
        };
        let kind_path = child(path, "kind");
        let kind_name = self.string(kind_value, &kind_path)?;
        let Some(kind) = ModelKind::from_name(&kind_name) else {
            let hint = match suggest(&kind_name, &ModelKind::names()) {
                Some(s) => format!(
                    "did you mean \"{s}\"? Valid kinds: {}",
                    ModelKind::names().join(", ")
                ),
                None => format!("valid kinds: {}", ModelKind::names().join(", ")),
            };
            self.error(
                &kind_path,
                kind_value.span(),
                format!("unknown model kind \"{kind_name}\""),
                &hint,
            );
            return None;
        };
        let accepts = kind.params();
        let mut spec = ModelSpec {
            name: String::new(),
            kind,
            workers: None,
            switch_interval: None,
            poll_interval: None,
            python: None,
        };
        let mut ok = true;
        let mut fixed_parts = Vec::new();
        for param in [
            Param::Workers,
            Param::SwitchInterval,
            Param::PollInterval,
            Param::Python,
        ] {
            let key = param.key();
            let Some(v) = entry(t, key) else { continue };
            let p = child(path, key);
            if !accepts.contains(&param) {
                let takers: Vec<&str> = ModelKind::ALL
                    .iter()
                    .filter(|k| k.params().contains(&param))
                    .map(|k| k.name())
                    .collect();
                self.error(
                    &p,
                    v.span(),
                    format!("`{key}` does not apply to model kind \"{kind_name}\""),
                    &format!("remove it; `{key}` is a parameter of {}", takers.join(", ")),
                );
                ok = false;
                continue;
            }
            match param {
                Param::Workers => {
                    spec.workers = self.sweep(v, &p, |c, v, p| {
                        c.integer(v, p, 1, MAX_WORKERS).map(|n| n as u32)
                    });
                    ok &= spec.workers.is_some();
                    if let Some(s) = spec.workers.as_ref().filter(|s| !s.is_axis()) {
                        fixed_parts.push(format!("workers={}", s.values[0]));
                    }
                }
                Param::SwitchInterval => {
                    spec.switch_interval = self.sweep(v, &p, |c, v, p| c.duration(v, p, false));
                    ok &= spec.switch_interval.is_some();
                    if let Some(s) = spec.switch_interval.as_ref().filter(|s| !s.is_axis()) {
                        fixed_parts.push(format!("switch_interval={}", s.values[0]));
                    }
                }
                Param::PollInterval => {
                    spec.poll_interval = self.sweep(v, &p, |c, v, p| c.duration(v, p, true));
                    ok &= spec.poll_interval.is_some();
                    if let Some(s) = spec.poll_interval.as_ref().filter(|s| !s.is_axis()) {
                        fixed_parts.push(format!("poll_interval={}", s.values[0]));
                    }
                }
                Param::Python => {
                    spec.python = self.interpreter(v, &p);
                    ok &= spec.python.is_some();
                }
            }
        }
        spec.name = match entry(t, "name") {
            Some(v) => self.name(v, &child(path, "name"), false)?,
            None => std::iter::once(kind.name().to_string())
                .chain(fixed_parts)
                .collect::<Vec<_>>()
                .join(" "),
        };
        ok.then_some(spec)
    }

    fn chart(
        &mut self,
        t: &DeTable,
        span: Range<usize>,
        path: &str,
        exp: &Experiment,
    ) -> Option<ChartSpec> {
        self.known_keys(t, path, CHART_KEYS, "[[chart]]");
        let Some(w) = entry(t, "workload") else {
            let names: Vec<&str> = exp.workloads.iter().map(|w| w.name.as_str()).collect();
            self.missing(
                path,
                span,
                "workload",
                "[[chart]]",
                &format!(
                    "add workload = \"{}\"",
                    names.first().copied().unwrap_or("...")
                ),
            );
            return None;
        };
        let wp = child(path, "workload");
        let workload_name = self.string(w, &wp)?;
        let names: Vec<&str> = exp.workloads.iter().map(|w| w.name.as_str()).collect();
        let Some(workload) = exp.workloads.iter().find(|w| w.name == workload_name) else {
            self.error(
                &wp,
                w.span(),
                format!("[[chart]] names workload \"{workload_name}\", which the experiment does not have"),
                &format!("workloads: {}", names.join(", ")),
            );
            return None;
        };
        let mut chart = ChartSpec {
            workload: workload_name,
            y: ChartY::Wall,
            x: None,
            log_x: None,
            log_y: false,
            width: DEFAULT_CHART_WIDTH,
            height: DEFAULT_CHART_HEIGHT,
            title: None,
            predictions: true,
            models: Vec::new(),
        };
        let mut ok = true;
        if let Some(v) = entry(t, "y") {
            let p = child(path, "y");
            match self.string(v, &p) {
                Some(y) => match ChartY::ALL.iter().find(|(n, _)| *n == y) {
                    Some((_, value)) => chart.y = *value,
                    None => {
                        let all: Vec<&str> = ChartY::ALL.iter().map(|(n, _)| *n).collect();
                        self.error(
                            &p,
                            v.span(),
                            format!("unknown chart y \"{y}\""),
                            &format!("use one of: {}", all.join(", ")),
                        );
                        ok = false;
                    }
                },
                None => ok = false,
            }
        }
        if let Some(v) = entry(t, "x") {
            let p = child(path, "x");
            match self.string(v, &p) {
                Some(x) => match Axis::parse(&x) {
                    Some(axis)
                        if workload.sweeps(&axis)
                            || (axis.group.is_none()
                                && exp.models.iter().any(|m| m.sweeps(axis.field))) =>
                    {
                        chart.x = Some(axis);
                    }
                    Some(_) => {
                        self.error(
                            &p,
                            v.span(),
                            format!(
                                "chart x = \"{x}\" is not swept in workload \"{}\" or its models",
                                workload.name
                            ),
                            "give that field a list of values, or choose an axis that is swept",
                        );
                        ok = false;
                    }
                    None => {
                        let keys = Field::ALL.map(Field::key);
                        self.error(
                            &p,
                            v.span(),
                            format!("unknown chart x \"{x}\""),
                            &format!("use one of: {}", keys.join(", ")),
                        );
                        ok = false;
                    }
                },
                None => ok = false,
            }
        }
        if let Some(v) = entry(t, "log_x") {
            chart.log_x = self.boolean(v, &child(path, "log_x"));
            ok &= chart.log_x.is_some();
        }
        if let Some(v) = entry(t, "log_y") {
            match self.boolean(v, &child(path, "log_y")) {
                Some(b) => chart.log_y = b,
                None => ok = false,
            }
        }
        if let Some(v) = entry(t, "predictions") {
            match self.boolean(v, &child(path, "predictions")) {
                Some(b) => chart.predictions = b,
                None => ok = false,
            }
        }
        if let Some(v) = entry(t, "width") {
            match self.integer(v, &child(path, "width"), 200, 8000) {
                Some(n) => chart.width = n as u32,
                None => ok = false,
            }
        }
        if let Some(v) = entry(t, "height") {
            match self.integer(v, &child(path, "height"), 150, 8000) {
                Some(n) => chart.height = n as u32,
                None => ok = false,
            }
        }
        if let Some(v) = entry(t, "title") {
            chart.title = self.string(v, &child(path, "title"));
            ok &= chart.title.is_some();
        }
        if let Some(v) = entry(t, "models") {
            let p = child(path, "models");
            let model_names: Vec<&str> = exp.models.iter().map(|m| m.name.as_str()).collect();
            match self.sweep(v, &p, |c, v, p| {
                let name = c.string(v, p)?;
                if model_names.contains(&name.as_str()) {
                    Some(name)
                } else {
                    c.error(
                        p,
                        v.span(),
                        format!(
                            "[[chart]] names model \"{name}\", which the experiment does not have"
                        ),
                        &format!("models: {}", model_names.join(", ")),
                    );
                    None
                }
            }) {
                Some(s) => chart.models = s.values,
                None => ok = false,
            }
        }
        ok.then_some(chart)
    }
}

/// A hint for a key that is valid, but in another section.
fn elsewhere(key: &str, section: &str) -> Option<String> {
    let homes: [(&[&str], &str); 4] = [
        (EXPERIMENT_KEYS, "[experiment]"),
        (WORKLOAD_KEYS, "[[workload]]"),
        (MODEL_KEYS, "[[model]]"),
        (CHART_KEYS, "[[chart]]"),
    ];
    homes
        .iter()
        .find(|(keys, home)| *home != section && keys.contains(&key))
        .map(|(_, home)| format!("`{key}` belongs in {home}"))
}
