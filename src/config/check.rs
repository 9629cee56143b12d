//! The checks that read several validated sections together, after the
//! reader has turned each table into its type: a `[[claim]]` against the
//! workloads and models it names (they exist; it claims something, in the
//! metric's terms: a duration for a time, a number for speedup and
//! efficiency, a ratio of another model's value for a time; every point its
//! `where` names is a point of the sweeps; a crossover runs along a swept
//! axis of the workload, in a range that meets its values), a `[[chart]]`
//! against its workload, and a group's keys against each other (a shared
//! counter needs tasks to race; a group with arrivals says how many). They
//! work on typed values only, and what they need of how the file is
//! written comes through [`Written`]; each returns [`Problem`]s, which the
//! reader places in the file by their [`At`]. A claim that passes can
//! always be judged (or found not measured) against results of its file.

use super::arrival::{RequestSpan, expected_span_s, stop_after, timeout_for};
use super::claim::{AxisValue, ClaimSpec, CrossoverSpec, Limit, Metric};
use super::diagnostic::{At, Problem, Written, some};
use super::duration::Nanos;
use super::field::{Axis, Field, SharedMode, Sweep};
use super::kind::ModelKind;
use super::limits::MAX_TASKS;
use super::param::{DEFAULT_PYTHON, Param};
use super::schema::{ChartSpec, ChartY, Experiment, Group, IoLatency, ModelSpec, Workload};

/// The workload named `name`, or the problem of a `what` (`[[chart]]`)
/// naming one the experiment does not have.
pub fn workload_named<'e>(
    exp: &'e Experiment,
    name: &str,
    what: &str,
) -> Result<&'e Workload, Problem> {
    exp.workloads
        .iter()
        .find(|w| w.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = exp.workloads.iter().map(|w| w.name.as_str()).collect();
            let message =
                format!("{what} names workload \"{name}\", which the experiment does not have");
            let hint = format!("workloads: {}", some(&names));
            Problem::new(At::Key("workload"), message, hint)
        })
}

/// The model named `name`, or the problem of a `what` naming, at `at`,
/// one the experiment does not have.
pub fn model_named<'e>(
    exp: &'e Experiment,
    name: &str,
    what: &str,
    at: At,
) -> Result<&'e ModelSpec, Problem> {
    exp.models.iter().find(|m| m.name == name).ok_or_else(|| {
        let names: Vec<&str> = exp.models.iter().map(|m| m.name.as_str()).collect();
        let message = format!("{what} names model \"{name}\", which the experiment does not have");
        Problem::new(at, message, format!("models: {}", some(&names)))
    })
}

/// What `shared` and `await_inside` say together with `tasks` (or, in
/// a group with arrivals, its requests), for the group `whose` names:
/// a counter needs two tasks to race, and a yield inside the window
/// needs a racy window.
pub fn counter(g: &Group, whose: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let counter = g.shared.values.iter().find(|m| m.counts());
    let fewest = g.task_counts().into_iter().min().unwrap_or(0);
    if let Some(mode) = counter
        && fewest < 2
    {
        let (message, hint) = if g.arrival.is_some() {
            (
                format!(
                    "shared = \"{mode}\" needs two requests or more to race for the counter, \
                     but {whose} brings {fewest}"
                ),
                "give it requests = 2 or more (or a duration that brings them at every rate), \
                 or remove `shared`",
            )
        } else {
            (
                format!(
                    "shared = \"{mode}\" needs two tasks or more to race for the counter, but \
                     {whose} has tasks = {fewest}"
                ),
                "give it tasks = 2 or more (in every value of a sweep), or remove `shared`",
            )
        };
        out.push(Problem::new(At::Key("shared"), message, hint));
    }
    if g.await_inside && !g.shared.values.contains(&SharedMode::Racy) {
        let now = match counter {
            Some(mode) => format!("shared = \"{mode}\""),
            None => "no shared counter".to_string(),
        };
        let message = format!(
            "await_inside = true yields between a racy counter's read and write, but {whose} \
             has {now}"
        );
        let hint =
            "add shared = \"racy\" (or a list with \"racy\" in it), or remove `await_inside`";
        out.push(Problem::new(At::Key("await_inside"), message, hint));
    }
    out
}

/// What the keys of a group with arrivals say together (`file` says
/// which it writes): `arrival` with exactly one of `requests` and
/// `duration`, and no `tasks`; then a `duration` that brings at least
/// one request, and not too many, at every rate.
pub fn open_loop(g: &Group, file: &dyn Written) -> Vec<Problem> {
    let mut out = Vec::new();
    let arrival = file.has("arrival");
    if file.has("tasks") && arrival {
        let message = "`tasks` and `arrival` cannot both be set in one group: its tasks either \
                       start together or arrive as requests";
        let hint = "remove `tasks` and say how many requests arrive with requests = 2000 or \
                    duration = \"10s\", or remove `arrival`";
        out.push(Problem::new(At::Key("tasks"), message, hint));
    }
    match (arrival, file.has("requests"), file.has("duration")) {
        (true, true, true) => out.push(Problem::new(
            At::Key("duration"),
            "`requests` and `duration` cannot both be set: each says how many requests arrive",
            "keep one: requests = 2000 (a count), or duration = \"10s\" (rate × duration \
             requests)",
        )),
        (true, false, false) => out.push(Problem::new(
            At::Key("arrival"),
            "`arrival` needs `requests` or `duration`: how many requests arrive",
            "add requests = 2000, or duration = \"10s\"",
        )),
        (false, requests, duration) => {
            for (key, _) in [("requests", requests), ("duration", duration)]
                .iter()
                .filter(|k| k.1)
            {
                out.push(Problem::new(
                    At::Key(key),
                    format!("`{key}` needs `arrival`: the rate its requests arrive at"),
                    "add arrival = { rate = 100, dist = \"poisson\" }, or give tasks = 10 for \
                     tasks that start together",
                ));
            }
        }
        _ => {}
    }
    if out.is_empty() {
        out.extend(duration(g));
    }
    out
}

/// A span of time in seconds as a message says it, roughly: `2.00 s`,
/// `40 min`, `63 years`.
fn roughly(secs: f64) -> String {
    const DAY: f64 = 86_400.0;
    const YEAR: f64 = 365.25 * DAY;
    if secs < 120.0 {
        crate::format::format_ms(secs * 1e3)
    } else if secs < 2.0 * 3600.0 {
        format!("{:.0} min", secs / 60.0)
    } else if secs < 2.0 * DAY {
        format!("{:.0} h", secs / 3600.0)
    } else if secs < 2.0 * YEAR {
        format!("{:.0} days", secs / DAY)
    } else if secs < 1e6 * YEAR {
        format!("{:.0} years", secs / YEAR)
    } else {
        "more than a million years".to_string()
    }
}

/// Whether `g`'s requests (`whose` names the group) arrive, at its
/// slowest rate, later than a run of `timeout` takes requests (its
/// timeout less a margin: see [`stop_after`]); if they do, the message
/// and the timeout that would let them all arrive (`None` when no
/// sensible one would).
pub fn overlong_arrivals(
    g: &Group,
    whose: &str,
    timeout: Nanos,
) -> Option<(String, Option<Nanos>)> {
    let (arrival, span) = (g.arrival.as_ref()?, g.span()?);
    let (rate, requests, secs) = arrival
        .rate
        .values
        .iter()
        .map(|&rate| {
            let n = span.requests(rate);
            (rate, n, expected_span_s(rate, n))
        })
        .max_by(|a, b| a.2.total_cmp(&b.2))?;
    let stop = stop_after(timeout.as_std());
    if secs <= stop.as_secs_f64() {
        return None;
    }
    let stop = Nanos(stop.as_nanos().min(u128::from(u64::MAX)) as u64);
    let message = format!(
        "at rate = {rate}, the {requests} requests of {whose} arrive over {} on average, but a run \
         stops taking requests {stop} after it starts (its timeout, {timeout}, less a margin)",
        roughly(secs)
    );
    // A timeout of more than a year is no fix.
    let needed = timeout_for(secs);
    let needed = (needed.as_secs() <= 366 * 86_400).then_some(Nanos(needed.as_nanos() as u64));
    Some((message, needed))
}

/// [`overlong_arrivals`] of each group of `exp`, for a run of `timeout`.
pub fn arrivals_too_long(exp: &Experiment, timeout: Nanos) -> Option<(String, Option<Nanos>)> {
    exp.workloads.iter().find_map(|w| {
        w.groups.iter().find_map(|g| {
            let whose = if w.grouped {
                format!("group \"{}\" of workload \"{}\"", g.name, w.name)
            } else {
                format!("workload \"{}\"", w.name)
            };
            overlong_arrivals(g, &whose, timeout)
        })
    })
}

/// [`overlong_arrivals`], placed at the group's `requests` or `duration`.
pub fn arrival_span(g: &Group, whose: &str, timeout: Nanos) -> Option<Problem> {
    let (message, needed) = overlong_arrivals(g, whose, timeout)?;
    let hint = match needed {
        Some(t) => format!(
            "raise the rate, ask for fewer requests, or give timeout = \"{t}\" or more in \
             [experiment]"
        ),
        None => "raise the rate, or ask for fewer requests".to_string(),
    };
    let key = if g.duration.is_some() {
        "duration"
    } else {
        "requests"
    };
    Some(Problem::new(At::Key(key), message, hint))
}

/// A group's `duration` that brings no request, or too many, at one
/// of its rates.
fn duration(g: &Group) -> Option<Problem> {
    let (arrival, d) = (g.arrival.as_ref()?, g.duration?);
    arrival.rate.values.iter().find_map(|&rate| {
        let n = RequestSpan::Duration(d).requests(rate);
        let (message, hint) = if n == 0 {
            (
                format!("at rate = {rate}, `duration` = \"{d}\" brings no request"),
                "lengthen duration, or give requests = N instead".to_string(),
            )
        } else if n > MAX_TASKS {
            (
                format!("at rate = {rate}, `duration` = \"{d}\" brings {n} requests"),
                format!(
                    "conlab runs at most {MAX_TASKS} tasks per cell; shorten duration or lower \
                     the rate"
                ),
            )
        } else {
            return None;
        };
        Some(Problem::new(At::Key("duration"), message, hint))
    })
}

/// Checks what the chart's keys say together against `w`, its
/// workload, and the experiment's models (`file` says how they were
/// written): its x is a swept axis, its group fits its y, its models
/// exist.
pub fn chart(c: &ChartSpec, w: &Workload, exp: &Experiment, file: &dyn Written) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(x) = file.text("x")
        && let Some((message, hint)) = chart_x(c, &x, w, exp)
    {
        out.push(Problem::new(At::Key("x"), message, hint));
    }
    if let Some((message, hint)) = chart_group(c, w) {
        let at = At::Key(if file.has("group") { "group" } else { "y" });
        out.push(Problem::new(at, message, hint));
    }
    for (i, name) in c.models.iter().enumerate() {
        out.extend(model_named(exp, name, "[[chart]]", At::Item("models", i)).err());
    }
    if c.y == ChartY::Speedup {
        out.extend(no_speedup_baseline(
            exp,
            "[[chart]] y = \"speedup\"",
            At::Key("y"),
        ));
    }
    out
}

/// The problem of a chart or claim of speedups in an experiment without
/// a model to take them over ([`ModelKind::speedup_baseline`]).
fn no_speedup_baseline(exp: &Experiment, what: &str, at: At) -> Option<Problem> {
    if ModelKind::speedup_baseline(exp.models.iter().map(|m| m.kind)).is_some() {
        return None;
    }
    let message = format!(
        "{what} needs a sequential or python-sequential model to take the speedup over, and the \
         experiment has neither"
    );
    let hint = "add [[model]] kind = \"sequential\" (or kind = \"python-sequential\", CPython's)";
    Some(Problem::new(at, message, hint))
}

/// What is wrong with x, written `x`: it must be a swept axis of the
/// workload or its models, and one a line can run along.
fn chart_x(c: &ChartSpec, x: &str, w: &Workload, exp: &Experiment) -> Option<(String, String)> {
    let mut swept = w.swept();
    let model_axes = Field::ALL
        .into_iter()
        .filter(|&f| exp.models.iter().any(|m| m.sweeps(f)));
    swept.extend(model_axes.map(Axis::plain));
    let shown: Vec<String> = swept.iter().map(Axis::to_string).collect();
    let not_swept = format!(
        "chart x = \"{x}\" is not swept in workload \"{}\" or its models",
        w.name
    );
    match &c.x {
        Some(a) if a.field.is_categorical() && !a.field.of_workload() => Some((
            format!("chart x = \"{x}\" takes words, not numbers a line could run along"),
            format!(
                "leave x out: each {x} is then a line of its own on every chart, as a model \
                 variant (`python-threads {x}=…`)"
            ),
        )),
        Some(a) if a.field.is_categorical() => Some((
            format!("chart x = \"{x}\" takes words, not numbers a line could run along"),
            "leave x out: each value then gets its own charts, and the lost-updates chart \
             sets the values side by side"
                .to_string(),
        )),
        Some(a) if w.sweeps(a) || (a.group.is_none() && swept.contains(a)) => None,
        Some(_) if shown.is_empty() => {
            let hint = "give that field a list of values; nothing is swept here yet";
            Some((not_swept, hint.to_string()))
        }
        Some(_) => {
            let hint = "give that field a list of values, or choose a swept axis";
            Some((not_swept, format!("{hint}: {}", shown.join(", "))))
        }
        None => {
            let keys: Vec<&str> = Field::ALL
                .into_iter()
                .filter(|f| !f.is_categorical())
                .map(Field::key)
                .collect();
            let message = format!("unknown chart x \"{x}\"");
            Some((message, format!("use one of: {}", keys.join(", "))))
        }
    }
}

/// What is wrong with the chart's `group`, if anything: a group's
/// figure in a workload of several groups must name one of them, and
/// only a group's figure takes a group.
fn chart_group(c: &ChartSpec, w: &Workload) -> Option<(String, String)> {
    let names: Vec<&str> = w.groups.iter().map(|g| g.name.as_str()).collect();
    let y = c.y.as_str();
    match (&c.group, c.y.of_group()) {
        (None, true) if names.len() > 1 => Some((
            format!(
                "chart y = \"{y}\" is a group's figure, and workload \"{}\" has {} groups",
                w.name,
                names.len()
            ),
            format!(
                "say which: group = \"{}\" (groups: {})",
                names[0],
                names.join(", ")
            ),
        )),
        (Some(g), true) if w.grouped && !names.contains(&g.as_str()) => Some((
            format!(
                "[[chart]] names group \"{g}\", which workload \"{}\" does not have",
                w.name
            ),
            format!("use one of: {}", names.join(", ")),
        )),
        (Some(g), true) if !w.grouped => Some((
            format!(
                "[[chart]] names group \"{g}\", but workload \"{}\" has no [[workload.group]]",
                w.name
            ),
            "remove group: a workload without groups is one group".to_string(),
        )),
        (Some(_), false) => Some((
            format!("chart y = \"{y}\" is not a group's figure, so `group` does not apply"),
            "remove group, or chart a group's figure: wake_p50, wake_p99, wake_max, \
             completion_p50, completion_p99, rounds_per_s, latency_mean, latency_p50, \
             latency_p99, throughput"
                .to_string(),
        )),
        _ => None,
    }
}

/// The model `name`, or the problem of a claim naming, at `at`, one the
/// experiment does not have.
fn model<'e>(exp: &'e Experiment, name: &str, at: At) -> Result<&'e ModelSpec, Problem> {
    model_named(exp, name, "[[claim]]", at)
}

/// Checks what the claim's keys say together against `exp` (`file`
/// says how they were written), and fills in the group of a group
/// metric and the text; every problem found.
pub fn claim(c: &mut ClaimSpec, exp: &Experiment, file: &dyn Written) -> Vec<Problem> {
    let mut out = Vec::new();
    let w = match workload_named(exp, &c.workload, "[[claim]]") {
        Ok(w) => w,
        Err(problem) => return vec![problem],
    };
    let with: Vec<&str> = ["at_least", "at_most"]
        .into_iter()
        .filter(|k| file.has(k))
        .collect();
    if file.has("between") && !with.is_empty() {
        let message = format!(
            "`between` cannot be given with `{}`: both set the same limits",
            with.join("` and `")
        );
        let hint = "keep `between = [low, high]`, or `at_least` and `at_most`";
        out.push(Problem::new(At::Key("between"), message, hint));
    }
    out.extend(claim_group(c, w));
    match &c.crossover {
        Some(x) => out.extend(crossover(c, x, w, exp, file)),
        None => out.extend(claim_limits(c, exp, file)),
    }
    if out.is_empty() {
        out.extend(wheres(c, w, exp));
    }
    if c.text.trim().is_empty() {
        c.text = c.default_text();
    }
    out
}

/// The group of a group metric: the one named, or the workload's only one.
fn claim_group(c: &mut ClaimSpec, w: &Workload) -> Option<Problem> {
    let names: Vec<&str> = w.groups.iter().map(|g| g.name.as_str()).collect();
    let (message, hint) = match (&c.group, c.metric.of_group()) {
        (Some(_), false) => (
            format!(
                "`group` applies to a group's metrics (completion_p50, completion_p99, \
                 wake_delay_p50, wake_delay_p99), not to {}",
                c.metric
            ),
            "remove `group`, or choose a group's metric".to_string(),
        ),
        (Some(g), true) if !names.contains(&g.as_str()) => (
            format!("workload \"{}\" has no group \"{g}\"", w.name),
            format!("groups: {}", some(&names)),
        ),
        (None, true) if names.len() > 1 => {
            let message = format!(
                "metric {} is a group's, and workload \"{}\" has {} groups",
                c.metric,
                w.name,
                names.len()
            );
            let hint = format!("add group = \"{}\" (groups: {})", names[0], some(&names));
            return Some(Problem::new(At::Key("metric"), message, hint));
        }
        (None, true) => {
            c.group = names.first().map(|n| n.to_string());
            return None;
        }
        _ => return None,
    };
    Some(Problem::new(At::Key("group"), message, hint))
}

/// A claim with a limit: its model, and limits in the metric's terms.
fn claim_limits(c: &ClaimSpec, exp: &Experiment, file: &dyn Written) -> Vec<Problem> {
    let models: Vec<&str> = exp.models.iter().map(|m| m.name.as_str()).collect();
    if !file.has("model") {
        let first = models.first().copied().unwrap_or("threads");
        let hint = format!(
            "add model = \"{first}\" (models: {}), or state a crossover = {{ of, and, axis, between }}",
            some(&models)
        );
        let message = "[[claim]] is missing the key `model`";
        return vec![Problem::new(At::Key("model"), message, hint)];
    }
    let claimed = match model(exp, &c.model, At::Key("model")) {
        Ok(m) => m,
        Err(problem) => return vec![problem],
    };
    let between = file.has("between");
    let given: Vec<(&'static str, &Limit)> = [("at_least", &c.at_least), ("at_most", &c.at_most)]
        .into_iter()
        .filter_map(|(k, l)| Some((if between { "between" } else { k }, l.as_ref()?)))
        .collect();
    if given.is_empty() {
        let hint = "add at_most, at_least or between (or a crossover = { of, and, axis, between })";
        let message = "[[claim]] says nothing to check";
        return vec![Problem::new(At::Table, message, hint)];
    }
    let metric = c.metric;
    let wrong: Vec<Problem> = given
        .iter()
        .filter_map(|&(key, limit)| {
            let (message, hint) = match limit {
                Limit::Ratio { .. } if !metric.takes_ratios() => (
                    format!(
                        "{metric} is a ratio already (over sequential, or of the prediction), so a ratio of it is not a claim conlab checks"
                    ),
                    format!("give a number: {key} = 1.5"),
                ),
                Limit::Number(_) if metric.is_time() => (
                    format!("`{key}` for metric {metric} is a time and needs a unit"),
                    format!(
                        "write a duration such as {key} = \"120ms\", or a ratio: {key} = {{ ratio = 0.4, of = \"sequential\" }}"
                    ),
                ),
                Limit::Time(_) if !metric.is_time() => (
                    format!("`{key}` for metric {metric} is a number, not a duration"),
                    format!("write a number such as {key} = 1.5"),
                ),
                _ => return None,
            };
            Some(Problem::new(At::Key(key), message, hint))
        })
        .collect();
    if !wrong.is_empty() {
        return wrong;
    }
    if metric == Metric::Speedup
        && c.reference().is_none()
        && let Some(problem) =
            no_speedup_baseline(exp, "[[claim]] metric = \"speedup\"", At::Key("metric"))
    {
        return vec![problem];
    }
    if let [(_, lo), (_, hi)] = given.as_slice() {
        if lo.of() != hi.of() {
            let message = "`at_least` and `at_most` must both be ratios of the same model, or \
                           neither be a ratio";
            return vec![Problem::new(At::Key("at_most"), message, "")];
        }
        if lo.number() > hi.number() && !between {
            let message = "`at_least` is above `at_most`: no value can be both";
            return vec![Problem::new(At::Key("at_least"), message, "swap them")];
        }
    }
    let (Some(of), Some(&(key, _))) = (c.reference(), given.first()) else {
        return Vec::new();
    };
    let reference = match model(exp, of, At::Of(key)) {
        Ok(m) => m,
        Err(problem) => return vec![problem],
    };
    if of == c.model {
        let message = format!("a ratio of model \"{of}\" to itself is always 1");
        let hint = "name another model in `of`, e.g. of = \"sequential\"";
        return vec![Problem::new(At::Of(key), message, hint)];
    }
    // The reference must be one variant at each point the claim selects.
    for (_, field) in Param::sweepable() {
        let fixed = !c.wheres.is_empty()
            && c.wheres.iter().all(|w| {
                w.axes
                    .iter()
                    .any(|(a, values)| a.field == field && values.len() == 1)
            });
        if reference.sweeps(field) && !claimed.sweeps(field) && !fixed {
            let message = format!(
                "model \"{of}\" sweeps {field}, so \"a ratio of {of}\" does not say which of its variants"
            );
            let hint = format!("choose one in `where`: where = {{ {field} = … }}");
            return vec![Problem::new(At::Of(key), message, hint)];
        }
    }
    Vec::new()
}

/// A crossover claim: its models exist and differ, its axis is a swept
/// axis of the workload, its range meets the axis's values.
fn crossover(
    c: &ClaimSpec,
    x: &CrossoverSpec,
    w: &Workload,
    exp: &Experiment,
    file: &dyn Written,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for key in ["model", "at_most", "at_least", "between"] {
        if file.has(key) {
            let message = format!(
                "a crossover claim has no `{key}`: it claims where the curves of crossover.of \
                 and crossover.and cross"
            );
            let hint = format!("remove `{key}`, or make it a [[claim]] of its own");
            out.push(Problem::new(At::Key(key), message, hint));
        }
    }
    if !c.metric.is_time() {
        let message = format!("a crossover compares times, and {} is not one", c.metric);
        let hint = "use metric = \"wall\" (the default), \"cpu\", or a group's time";
        out.push(Problem::new(At::Key("metric"), message, hint));
    }
    for (key, name) in [("of", &x.of), ("and", &x.and)] {
        out.extend(model(exp, name, At::Sub("crossover", key)).err());
    }
    if out.is_empty() && x.of == x.and {
        let message = format!("a crossover of model \"{}\" with itself", x.of);
        let at = At::Sub("crossover", "and");
        out.push(Problem::new(at, message, "name two models"));
    }
    let at = |key| At::Sub("crossover", key);
    let swept: Vec<String> = w.swept().iter().map(Axis::to_string).collect();
    let Some(axis) = x.axis.as_ref().filter(|a| w.sweeps(a)) else {
        let given = file.text("crossover.axis").unwrap_or_default();
        let message = match &x.axis {
            Some(_) => format!(
                "crossover axis \"{given}\" is not swept in workload \"{}\"",
                w.name
            ),
            None => format!("unknown crossover axis \"{given}\""),
        };
        let hint = if swept.is_empty() {
            "give one of the workload's keys a list of values to sweep; it sweeps none".to_string()
        } else {
            format!("swept: {}", swept.join(", "))
        };
        out.push(Problem::new(at("axis"), message, hint));
        return out;
    };
    let Some((lo, hi)) = &x.between else {
        return out;
    };
    let duration = matches!(lo, AxisValue::Duration(_));
    if duration != axis.field.is_duration() {
        let (message, hint) = if duration {
            (
                format!("crossover between gives durations, and {axis} is a count"),
                "give two numbers: between = [2, 10]",
            )
        } else {
            (
                format!("crossover between gives numbers, and {axis} is a duration"),
                "give two durations: between = [\"1ms\", \"10ms\"]",
            )
        };
        out.push(Problem::new(at("between"), message, hint));
        return out;
    }
    let values = workload_values(w, axis).unwrap_or_default();
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v.number()), b.max(v.number()))
        });
    if hi.number() < min || lo.number() > max {
        let shown: Vec<String> = values.iter().map(AxisValue::to_string).collect();
        let message = format!(
            "crossover between [{lo}, {hi}] lies outside the values workload \"{}\" sweeps {axis} over",
            w.name
        );
        out.push(Problem::new(
            at("between"),
            message,
            format!("{axis}: {}", shown.join(", ")),
        ));
        return out;
    }
    if c.wheres
        .iter()
        .any(|f| f.axes.iter().any(|(a, _)| a == axis))
    {
        let message = format!("`where` names {axis}, the axis the crossover runs along");
        let hint = format!("remove {axis} from `where`; the crossover looks at all of its values");
        out.push(Problem::new(At::Key("where"), message, hint));
    }
    out
}

/// Every axis and value a `where` names is a point of the sweeps.
fn wheres(c: &ClaimSpec, w: &Workload, exp: &Experiment) -> Vec<Problem> {
    let models: Vec<&ModelSpec> = match &c.crossover {
        Some(x) => [&x.of, &x.and]
            .into_iter()
            .filter_map(|n| model(exp, n, At::Table).ok())
            .collect(),
        None => model(exp, &c.model, At::Table).into_iter().collect(),
    };
    let mut out = Vec::new();
    for (i, filter) in c.wheres.iter().enumerate() {
        for (axis, values) in &filter.axes {
            let key = axis.to_string();
            let at = || At::Where(i, key.clone());
            let known = if axis.field.of_workload() {
                workload_values(w, axis).ok_or_else(|| ungrouped(w, axis))
            } else {
                model_field_values(&models, axis.field, &key)
            };
            let known = match known {
                Ok(known) => known,
                Err((message, hint)) => {
                    out.push(Problem::new(at(), message, hint));
                    continue;
                }
            };
            for value in values.iter().filter(|v| !known.contains(v)) {
                let shown: Vec<String> = known.iter().map(AxisValue::to_string).collect();
                let message = if axis.field.of_workload() {
                    format!(
                        "`where` {key} = {value} is not a point of workload \"{}\"",
                        w.name
                    )
                } else {
                    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
                    format!(
                        "`where` {key} = {value} is not a value of model \"{}\"",
                        names.join("\" or \"")
                    )
                };
                let hint = if shown.is_empty() {
                    format!("{key} has no fixed value to choose here")
                } else {
                    format!("its {key}: {}", shown.join(", "))
                };
                out.push(Problem::new(at(), message, hint));
            }
        }
    }
    out
}

/// Why a `where` cannot name the workload axis `axis` of `w`.
fn ungrouped(w: &Workload, axis: &Axis) -> (String, String) {
    let key = axis.to_string();
    let groups: Vec<String> = w
        .groups
        .iter()
        .map(|g| format!("{}.{}", g.name, axis.field))
        .collect();
    let by_group = format!("name it by group: {}", groups.join(", "));
    match (&axis.group, w.grouped) {
        (None, true) => (
            format!(
                "workload \"{}\" has groups, so `{key}` needs its group",
                w.name
            ),
            by_group,
        ),
        (Some(_), true) => (
            format!("workload \"{}\" has no group named in `{key}`", w.name),
            by_group,
        ),
        (Some(_), false) => (
            format!(
                "workload \"{}\" has no groups, so `{key}` names none",
                w.name
            ),
            format!("write `{}`", axis.field),
        ),
        (None, false) => (
            format!("workload \"{}\" has no {key}", w.name),
            String::new(),
        ),
    }
}

/// The values of a model's field in `where`: those of the models that
/// have it (a crossover's other model may lack it).
fn model_field_values(
    models: &[&ModelSpec],
    field: Field,
    key: &str,
) -> Result<Vec<AxisValue>, (String, String)> {
    let takes = |m: &ModelSpec| m.kind.params().iter().any(|p| p.field() == Some(field));
    let lacking = models.iter().filter(|m| !takes(m)).count();
    let mut all = Vec::new();
    let mut problem = None;
    for m in models {
        match model_values(m, field) {
            Some(v) => all.extend(v),
            None if !takes(m) && lacking < models.len() => {}
            None if takes(m) => {
                problem = Some((
                    format!(
                        "model \"{}\" does not set {key}, so it runs as many as the machine has usable cores, which the file cannot know",
                        m.name
                    ),
                    format!(
                        "give the model {key} = … to choose among, or remove {key} from `where`"
                    ),
                ));
            }
            None => {
                let takers = Param::sweepable()
                    .find(|(_, f)| *f == field)
                    .map(|(p, _)| ModelKind::taking(p).join(", "));
                problem = Some((
                    format!("model \"{}\" has no {key}", m.name),
                    format!("{key} is a parameter of {}", takers.unwrap_or_default()),
                ));
            }
        }
    }
    problem.map_or(Ok(all), Err)
}

/// The values a workload gives the field of `axis` (every group's when
/// the axis names none and the workload has one group).
fn workload_values(w: &Workload, axis: &Axis) -> Option<Vec<AxisValue>> {
    let g = match &axis.group {
        Some(name) if w.grouped => w.groups.iter().find(|g| g.name == *name)?,
        Some(_) => return None,
        None if w.grouped => return None,
        None => w.groups.first()?,
    };
    let numbers = |v: Vec<f64>| v.into_iter().map(AxisValue::Number).collect();
    Some(match axis.field {
        Field::Tasks => numbers(g.tasks.values.iter().map(|n| *n as f64).collect()),
        Field::Rounds => numbers(g.rounds.values.iter().map(|n| f64::from(*n)).collect()),
        Field::CpuCost => g
            .cpu_cost
            .values
            .iter()
            .map(|d| AxisValue::Duration(*d))
            .collect(),
        Field::IoLatency => g
            .io_latency
            .values
            .iter()
            .filter_map(|l| match l {
                IoLatency::Fixed { value } => Some(AxisValue::Duration(*value)),
                _ => None,
            })
            .collect(),
        // A word: its place in the list of modes, as on its axis.
        Field::Shared => numbers(g.shared.values.iter().map(|m| *m as usize as f64).collect()),
        Field::Rate => numbers(
            g.arrival
                .as_ref()?
                .rate
                .values
                .iter()
                .map(|r| r.per_s())
                .collect(),
        ),
        Field::Workers | Field::SwitchInterval | Field::PollInterval | Field::Python => {
            return None;
        }
    })
}

/// The values a model gives a field of its own, when the file says them
/// (a model without `workers` takes the machine's cores, unknown here).
fn model_values(m: &ModelSpec, field: Field) -> Option<Vec<AxisValue>> {
    let durations = |s: &Option<Sweep<Nanos>>, param: Param| {
        let default = param
            .default_duration()
            .map(|d| vec![d])
            .unwrap_or_default();
        let values = s.as_ref().map_or(default, |s| s.values.clone());
        values.into_iter().map(AxisValue::Duration).collect()
    };
    let takes = |p: Param| m.kind.takes(p);
    Some(match field {
        Field::Workers if takes(Param::Workers) => {
            let workers = &m.workers.as_ref()?.values;
            workers
                .iter()
                .map(|n| AxisValue::Number(f64::from(*n)))
                .collect()
        }
        Field::SwitchInterval if takes(Param::SwitchInterval) => {
            durations(&m.switch_interval, Param::SwitchInterval)
        }
        Field::PollInterval if takes(Param::PollInterval) => {
            durations(&m.poll_interval, Param::PollInterval)
        }
        Field::Python if takes(Param::Python) => {
            let named = m.python.as_ref().map(|s| s.values.clone());
            let names = named.unwrap_or_else(|| vec![DEFAULT_PYTHON.to_string()]);
            names.into_iter().map(AxisValue::Word).collect()
        }
        _ => return None,
    })
}
