//! Turns an experiment file's text into a validated [`Experiment`], or into
//! every problem found in it. The file is parsed into a spanned TOML tree
//! and each table is read by its section's declared keys
//! ([`crate::config::keys`]) through [`Checker`], so each problem carries
//! its exact place and key path. What no single key can say is checked
//! here: which parameters a model's kind takes, a workload's groups against
//! its own fields, what a chart names, and the experiment's size.

mod claim;
mod value;

use std::collections::{HashMap, HashSet};

use toml::de::{DeTable, DeValue};

use self::value::{Checker, Table, Value};
use super::arrival::RequestSpan;
use super::claim::ClaimSpec;
use super::diagnostic::{Diagnostic, SourceFile};
use super::field::{Axis, Field};
use super::folder_name;
use super::keys::{CHART, CLAIM, EXPERIMENT, GROUP, MODEL, TOP_LEVEL, WORKLOAD};
use super::kind::Param;
use super::limits;
use super::schema::*;

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
    let experiment = experiment(&mut c, root.get_ref(), file, default_name);
    let failed = !c.diags.is_empty();
    (Some(experiment).filter(|_| !failed), c.diags)
}

fn experiment(
    c: &mut Checker,
    root: &DeTable,
    file: &SourceFile,
    default_name: &str,
) -> Experiment {
    let top = Table::new(root, 0..0, String::new(), "the top level");
    c.known_keys(&top, &TOP_LEVEL.map(|(k, _)| k));
    let mut exp = Experiment {
        name: default_name.to_string(),
        source_path: file.path.clone(),
        source_text: file.text.clone(),
        ..Experiment::default()
    };
    match root.get("experiment").map(|v| (v, v.get_ref())) {
        Some((v, DeValue::Table(keys))) => {
            let t = Table::new(keys, v.span(), "experiment".into(), EXPERIMENT.title);
            c.known_keys(&t, &EXPERIMENT.names().collect::<Vec<_>>());
            c.read_keys(&t, &EXPERIMENT, &mut exp, &[]);
        }
        Some((v, _)) => c.wrong_type("experiment", v, "a table", "write it as [experiment]"),
        None => {}
    }
    let named = matches!(
        root.get("experiment").map(|v| v.get_ref()),
        Some(DeValue::Table(t)) if t.contains_key("name")
    );
    if !named && let Some(why) = folder_name::problem(default_name) {
        // The name comes from the file name, which has no line to point
        // at: say where it came from and how to give one.
        c.diags.push(
            Diagnostic::error(format!(
                "the experiment has no [experiment] name, and the one its file name gives, \
                 \"{}\", cannot name its results folder: {why}",
                default_name.escape_debug()
            ))
            .hint("add a name to the file: [experiment] name = \"my-experiment\""),
        );
    }
    let mut read = Vec::new();
    let tables = needed_tables(c, root, "workload", WORKLOAD.title, "name and tasks");
    for (i, t) in tables.iter().enumerate() {
        if let Some(w) = workload(c, t, i) {
            read.push((t, w.name.clone()));
            exp.workloads.push(w);
        }
    }
    c.unique_names(&read, "workloads", "give each [[workload]] its own name");
    let mut read = Vec::new();
    let tables = needed_tables(c, root, "model", MODEL.title, "kind = \"threads\"");
    for t in &tables {
        if let Some(m) = model(c, t) {
            read.push((t, m.name.clone()));
            exp.models.push(m);
        }
    }
    c.unique_names(&read, "models", "give each [[model]] its own name");
    if let Some(value) = root.get("chart") {
        let known = Known::of(&exp);
        let tables = c.tables(value, "chart", "chart", CHART.title);
        let charts: Vec<ChartSpec> = tables
            .into_iter()
            .filter_map(|t| chart(c, t, &known))
            .collect();
        exp.charts = charts;
    }
    if let Some(value) = root.get("claim") {
        let known = Known::of(&exp);
        let tables = c.tables(value, "claim", "claim", CLAIM.title);
        let claims: Vec<ClaimSpec> = tables
            .into_iter()
            .filter_map(|t| claim::claim(c, t, &known, file))
            .collect();
        exp.claims = claims;
    }
    // Sizes of an experiment with mistakes in it would only mislead.
    if c.diags.is_empty()
        && let Some((message, hint)) = limits::experiment_problem(&exp)
    {
        c.diags.push(Diagnostic::error(message).hint(hint));
    }
    exp
}

/// The tables of a `[[key]]` list that every file needs at least one of.
fn needed_tables<'t, 'i>(
    c: &mut Checker,
    root: &'t DeTable<'i>,
    key: &str,
    title: &'static str,
    with: &str,
) -> Vec<Table<'t, 'i>> {
    match root.get(key) {
        Some(v) if !matches!(v.get_ref(), DeValue::Array(a) if a.is_empty()) => {
            c.tables(v, key, key, title)
        }
        _ => {
            let message = format!("the experiment has no [[{key}]]");
            let mut d = Diagnostic::error(message).hint(format!("add a [[{key}]] with {with}"));
            d.key_path = Some(key.to_string());
            c.diags.push(d);
            Vec::new()
        }
    }
}

fn workload(c: &mut Checker, t: &Table, index: usize) -> Option<Workload> {
    let own: Vec<&str> = GROUP.names().filter(|&k| k != "name").collect();
    c.known_keys(
        t,
        &WORKLOAD
            .names()
            .chain(own.iter().copied())
            .collect::<Vec<_>>(),
    );
    let mut w = Workload {
        name: format!("workload-{}", index + 1),
        ..Workload::default()
    };
    let mut ok = c.read_keys(t, &WORKLOAD, &mut w, &["io", "group"]);
    let groups = t.get("group");
    if groups.is_some() {
        for (key, v) in own.iter().filter_map(|&k| Some((k, t.get(k)?))) {
            let message = format!(
                "workload \"{}\" has [[workload.group]] entries, so `{key}` cannot be set on \
                 the workload itself",
                w.name
            );
            let hint = format!("move `{key}` into each [[workload.group]]");
            c.error(&t.path_of(key), v.span(), message, &hint);
            ok = false;
        }
    } else {
        // Without groups, the workload is one group named after it.
        let mut g = Group::default();
        ok &= read_group(c, t, &mut g, &["name"]);
        g.name = w.name.clone();
        ok = ok && shared_counter(c, t, &g, &format!("workload \"{}\"", w.name));
        w.groups.push(g);
    }
    ok &= c.read_keys(t, &WORKLOAD, &mut w, &["name", "group"]);
    if let Some(value) = groups {
        w.grouped = true;
        ok &= read_groups(c, value, &t.path_of("group"), &mut w);
    }
    if ok && let Some((message, hint)) = limits::workload_problem(&w) {
        c.error(&t.path, t.span.clone(), message, &hint);
        return None;
    }
    ok.then_some(w)
}

/// Reads the `[[workload.group]]` tables at `path` into `w`.
fn read_groups(c: &mut Checker, value: &Value, path: &str, w: &mut Workload) -> bool {
    if matches!(value.get_ref(), DeValue::Array(items) if items.is_empty()) {
        let hint = "add [[workload.group]] tables, or remove `group` and give the workload tasks";
        c.error(path, value.span(), "`group` is an empty list", hint);
        return false;
    }
    let mut ok = true;
    let tables = c.tables(value, path, "workload.group", GROUP.title);
    let mut read = Vec::new();
    for (j, t) in tables.iter().enumerate() {
        c.known_keys(t, &GROUP.names().collect::<Vec<_>>());
        let mut g = Group {
            name: format!("group-{}", j + 1),
            ..Group::default()
        };
        let whose = format!("group \"{}\" of workload \"{}\"", g.name, w.name);
        if read_group(c, t, &mut g, &[]) && shared_counter(c, t, &g, &whose) {
            read.push((t, g.name.clone()));
            w.groups.push(g);
        } else {
            ok = false;
        }
    }
    let what = format!("groups of workload \"{}\"", w.name);
    ok & c.unique_names(&read, &what, "give each [[workload.group]] its own name")
}

/// What `shared` and `await_inside` say together with `tasks` (or, in a
/// group with arrivals, its requests), for the group `g` read from `t`
/// (`whose` names it in messages): a counter needs two tasks to race, and
/// a yield inside the window needs a racy window. False if they say
/// something impossible.
fn shared_counter(c: &mut Checker, t: &Table, g: &Group, whose: &str) -> bool {
    let mut ok = true;
    let counter = g.shared.values.iter().find(|m| m.counts());
    let fewest = g.task_counts().into_iter().min().unwrap_or(0);
    if let (Some(mode), Some(v)) = (counter, t.get("shared"))
        && fewest < 2
    {
        let (message, hint) = if g.arrival.is_some() {
            (
                format!(
                    "shared = \"{mode}\" needs two requests or more to race for the counter, but \
                     {whose} brings {fewest}"
                ),
                "give it requests = 2 or more (or a duration that brings them at every rate), or \
                 remove `shared`",
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
        c.error(&t.path_of("shared"), v.span(), message, hint);
        ok = false;
    }
    if g.await_inside
        && !g.shared.values.contains(&SharedMode::Racy)
        && let Some(v) = t.get("await_inside")
    {
        let now = match counter {
            Some(mode) => format!("shared = \"{mode}\""),
            None => "no shared counter".to_string(),
        };
        let message = format!(
            "await_inside = true yields between a racy counter's read and write, but {whose} has \
             {now}"
        );
        let hint =
            "add shared = \"racy\" (or a list with \"racy\" in it), or remove `await_inside`";
        c.error(&t.path_of("await_inside"), v.span(), message, hint);
        ok = false;
    }
    ok
}

/// The keys that make a group one of requests arriving at a rate.
const OPEN_LOOP: [&str; 3] = ["arrival", "requests", "duration"];

/// Reads a group's keys from `t` (a `[[workload.group]]`, or a workload
/// without groups), but those in `skip`, and checks what no single key
/// can: a group has `tasks`, or `arrival` and one of `requests` and
/// `duration`. False if anything was wrong.
fn read_group(c: &mut Checker, t: &Table, g: &mut Group, skip: &[&str]) -> bool {
    let open_loop = OPEN_LOOP.iter().any(|k| t.get(k).is_some());
    let mut skip = skip.to_vec();
    if open_loop {
        // Not missing: a group of arrivals has requests instead.
        skip.push("tasks");
    }
    let ok = c.read_keys(t, &GROUP, g, &skip);
    if !open_loop {
        return ok;
    }
    open_loop_keys(c, t, g) && ok
}

/// The keys of a group with arrivals, together: `arrival` with exactly
/// one of `requests` and `duration`, and no `tasks`; a `duration` that
/// brings at least one request, and not too many, at every rate.
fn open_loop_keys(c: &mut Checker, t: &Table, g: &Group) -> bool {
    let span = |key: &str| t.get(key).map(Value::span);
    let (tasks, arrival) = (span("tasks"), span("arrival"));
    let (requests, duration) = (span("requests"), span("duration"));
    let mut ok = true;
    if let (Some(at), Some(_)) = (tasks, &arrival) {
        c.error(
            &t.path_of("tasks"),
            at,
            "`tasks` and `arrival` cannot both be set in one group: its tasks either start \
             together or arrive as requests",
            "remove `tasks` and say how many requests arrive with requests = 2000 or duration = \
             \"10s\", or remove `arrival`",
        );
        ok = false;
    }
    match (arrival, requests, duration) {
        (Some(_), Some(_), Some(at)) => {
            c.error(
                &t.path_of("duration"),
                at,
                "`requests` and `duration` cannot both be set: each says how many requests arrive",
                "keep one: requests = 2000 (a count), or duration = \"10s\" (rate × duration \
                 requests)",
            );
            ok = false;
        }
        (Some(at), None, None) => {
            c.error(
                &t.path_of("arrival"),
                at,
                "`arrival` needs `requests` or `duration`: how many requests arrive",
                "add requests = 2000, or duration = \"10s\"",
            );
            ok = false;
        }
        (None, requests, duration) => {
            for (key, at) in [("requests", requests), ("duration", duration)] {
                let Some(at) = at else { continue };
                c.error(
                    &t.path_of(key),
                    at,
                    format!("`{key}` needs `arrival`: the rate its requests arrive at"),
                    "add arrival = { rate = 100, dist = \"poisson\" }, or give tasks = 10 for \
                     tasks that start together",
                );
            }
            ok = false;
        }
        _ => {}
    }
    if let (true, Some(arrival), Some(d), Some(at)) = (ok, &g.arrival, g.duration, span("duration"))
    {
        for &rate in &arrival.rate.values {
            let n = RequestSpan::Duration(d).requests(rate);
            let (message, hint) = if n == 0 {
                (
                    format!("at rate = {rate}, `duration` = \"{d}\" brings no request"),
                    "lengthen duration, or give requests = N instead".to_string(),
                )
            } else if n > limits::MAX_TASKS {
                (
                    format!("at rate = {rate}, `duration` = \"{d}\" brings {n} requests"),
                    format!(
                        "conlab runs at most {} tasks per cell; shorten duration or lower the rate",
                        limits::MAX_TASKS
                    ),
                )
            } else {
                continue;
            };
            c.error(&t.path_of("duration"), at, message, &hint);
            return false;
        }
    }
    ok
}

fn model(c: &mut Checker, t: &Table) -> Option<ModelSpec> {
    c.known_keys(t, &MODEL.names().collect::<Vec<_>>());
    let mut m = ModelSpec::default();
    // The kind first: which parameters apply depends on it.
    let not_kind: Vec<&str> = MODEL.names().filter(|&k| k != "kind").collect();
    if !c.read_keys(t, &MODEL, &mut m, &not_kind) {
        return None;
    }
    let mut ok = true;
    for key in MODEL.keys {
        let (Some(param), Some(v)) = (Param::from_key(key.name), t.get(key.name)) else {
            continue;
        };
        if m.kind.params().contains(&param) {
            ok &= c.read(key, v, &t.path_of(key.name), &mut m);
            continue;
        }
        let (name, kind, takers) = (key.name, m.kind.name(), param.kinds().join(", "));
        let message = format!("`{name}` does not apply to model kind \"{kind}\"");
        let hint = format!("remove it; `{name}` is a parameter of {takers}");
        c.error(&t.path_of(name), v.span(), message, &hint);
        ok = false;
    }
    match (t.get("name"), MODEL.key("name")) {
        (Some(v), Some(key)) if !c.read(key, v, &t.path_of("name"), &mut m) => return None,
        (Some(_), _) => {}
        (None, _) => m.name = m.default_name(),
    }
    ok.then_some(m)
}

/// What charts may name, looked up by hash: a file can have thousands of
/// charts, workloads and models.
struct Known<'e> {
    exp: &'e Experiment,
    workloads: HashMap<&'e str, &'e Workload>,
    models: HashSet<&'e str>,
    /// The fields some model sweeps.
    model_axes: Vec<Axis>,
}

impl<'e> Known<'e> {
    fn of(exp: &'e Experiment) -> Known<'e> {
        Known {
            exp,
            workloads: exp.workloads.iter().map(|w| (w.name.as_str(), w)).collect(),
            models: exp.models.iter().map(|m| m.name.as_str()).collect(),
            model_axes: Field::ALL
                .into_iter()
                .filter(|&f| exp.models.iter().any(|m| m.sweeps(f)))
                .map(Axis::plain)
                .collect(),
        }
    }
}

/// Names for a help line: the first few, and how many in all.
fn some(names: &[&str]) -> String {
    match names.len() {
        0..=20 => names.join(", "),
        n => format!("{}, … ({n} in all)", names[..20].join(", ")),
    }
}

/// What is wrong with a chart's `group`, if anything: a group's figure in
/// a workload of several groups must name one of them, and only a group's
/// figure takes a group.
fn group_problem(chart: &ChartSpec, workload: &Workload) -> Option<(String, String)> {
    let names: Vec<&str> = workload.groups.iter().map(|g| g.name.as_str()).collect();
    let y = chart.y.as_str();
    match (&chart.group, chart.y.of_group()) {
        (None, true) if names.len() > 1 => Some((
            format!(
                "chart y = \"{y}\" is a group's figure, and workload \"{}\" has {} groups",
                workload.name,
                names.len()
            ),
            format!(
                "say which: group = \"{}\" (groups: {})",
                names[0],
                names.join(", ")
            ),
        )),
        (Some(g), true) if workload.grouped && !names.contains(&g.as_str()) => Some((
            format!(
                "[[chart]] names group \"{g}\", which workload \"{}\" does not have",
                workload.name
            ),
            format!("use one of: {}", names.join(", ")),
        )),
        (Some(g), true) if !workload.grouped => Some((
            format!(
                "[[chart]] names group \"{g}\", but workload \"{}\" has no [[workload.group]]",
                workload.name
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

fn chart(c: &mut Checker, mut t: Table, known: &Known) -> Option<ChartSpec> {
    c.known_keys(&t, &CHART.names().collect::<Vec<_>>());
    let (exp, mut chart) = (known.exp, ChartSpec::default());
    let workloads: Vec<&str> = exp.workloads.iter().map(|w| w.name.as_str()).collect();
    let first = workloads.first().copied().unwrap_or("...");
    t.vars.push(("{workload}", first.to_string()));
    let not_workload: Vec<&str> = CHART.names().filter(|&k| k != "workload").collect();
    if !c.read_keys(&t, &CHART, &mut chart, &not_workload) {
        return None;
    }
    let Some(&workload) = known.workloads.get(chart.workload.as_str()) else {
        let span = t.get("workload").map_or(t.span.clone(), Value::span);
        let message = format!(
            "[[chart]] names workload \"{}\", which the experiment does not have",
            chart.workload
        );
        let hint = format!("workloads: {}", some(&workloads));
        c.error(&t.path_of("workload"), span, message, &hint);
        return None;
    };
    let mut ok = c.read_keys(&t, &CHART, &mut chart, &["workload"]);
    if let Some(v) = t.get("x")
        && let DeValue::String(x) = v.get_ref()
    {
        let mut swept = workload.swept();
        swept.extend(known.model_axes.iter().cloned());
        let shown: Vec<String> = swept.iter().map(Axis::to_string).collect();
        let name = &workload.name;
        let not_swept =
            format!("chart x = \"{x}\" is not swept in workload \"{name}\" or its models");
        let problem = match &chart.x {
            Some(a) if a.field.is_categorical() => Some((
                format!("chart x = \"{x}\" takes words, not numbers a line could run along"),
                "leave x out: each value then gets its own charts, and the lost-updates chart \
                 sets the values side by side"
                    .to_string(),
            )),
            Some(a) if workload.sweeps(a) || (a.group.is_none() && swept.contains(a)) => None,
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
                let keys = keys.join(", ");
                Some((
                    format!("unknown chart x \"{x}\""),
                    format!("use one of: {keys}"),
                ))
            }
        };
        if let Some((message, hint)) = problem {
            c.error(&t.path_of("x"), v.span(), message, &hint);
            ok = false;
        }
    }
    if let Some(problem) = group_problem(&chart, workload) {
        let (message, hint) = problem;
        let span = t
            .get("group")
            .or_else(|| t.get("y"))
            .map_or(t.span.clone(), Value::span);
        let at = if t.get("group").is_some() {
            "group"
        } else {
            "y"
        };
        c.error(&t.path_of(at), span, message, &hint);
        ok = false;
    }
    if let Some(v) = t.get("models")
        && let DeValue::Array(items) = v.get_ref()
    {
        let models: Vec<&str> = exp.models.iter().map(|m| m.name.as_str()).collect();
        for (i, item) in items.iter().enumerate() {
            if let DeValue::String(name) = item.get_ref()
                && !known.models.contains(name.as_ref())
            {
                let message =
                    format!("[[chart]] names model \"{name}\", which the experiment does not have");
                let hint = format!("models: {}", some(&models));
                c.error(
                    &format!("{}.models[{i}]", t.path),
                    item.span(),
                    message,
                    &hint,
                );
                ok = false;
            }
        }
    }
    ok.then_some(chart)
}
