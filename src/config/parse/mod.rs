//! Turns an experiment file's text into a validated [`Experiment`], or into
//! every problem found in it. The file is parsed into a spanned TOML tree
//! and each table is read by its section's declared keys
//! ([`crate::config::keys`]) through [`Checker`], so each problem carries
//! its exact place and key path. What no single key can say is checked
//! here when it is about how the file is written (which parameters a
//! model's kind takes, a workload's groups against its own fields), and
//! by [`check`] when it is about what typed values mean together (a
//! claim, a chart, a group): those return `Problem`s that the reader
//! places in the file by their `At`.

mod value;

use toml::de::{DeTable, DeValue};

use self::value::{Checker, Table, Value};
use super::check;
use super::claim::ClaimSpec;
use super::diagnostic::{Diagnostic, SourceFile};
use super::duration::Nanos;
use super::folder_name;
use super::keys::{CHART, CLAIM, EXPERIMENT, GROUP, MODEL, TOP_LEVEL, WORKLOAD};
use super::kind::ModelKind;
use super::limits;
use super::param::Param;
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
    let with = Some("name and tasks");
    let tables = c.tables(
        root.get("workload"),
        ("workload", "workload"),
        WORKLOAD.title,
        with,
    );
    for (i, t) in tables.iter().enumerate() {
        if let Some(w) = workload(c, t, i, exp.timeout) {
            read.push((t, w.name.clone()));
            exp.workloads.push(w);
        }
    }
    c.unique_names(&read, "workloads", "give each [[workload]] its own name");
    let mut read = Vec::new();
    let with = Some("kind = \"threads\"");
    let tables = c.tables(root.get("model"), ("model", "model"), MODEL.title, with);
    for t in &tables {
        if let Some(m) = model(c, t) {
            read.push((t, m.name.clone()));
            exp.models.push(m);
        }
    }
    c.unique_names(&read, "models", "give each [[model]] its own name");
    let tables = c.tables(root.get("chart"), ("chart", "chart"), CHART.title, None);
    exp.charts = (tables.into_iter())
        .filter_map(|t| chart(c, t, &exp))
        .collect();
    let tables = c.tables(root.get("claim"), ("claim", "claim"), CLAIM.title, None);
    exp.claims = (tables.into_iter())
        .filter_map(|t| claim(c, t, &exp, file))
        .collect();
    // Sizes of an experiment with mistakes in it would only mislead.
    if c.diags.is_empty()
        && let Some((message, hint)) = limits::experiment_problem(&exp)
    {
        c.diags.push(Diagnostic::error(message).hint(hint));
    }
    exp
}

fn workload(c: &mut Checker, t: &Table, index: usize, timeout: Nanos) -> Option<Workload> {
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
        let whose = format!("workload \"{}\"", w.name);
        ok = ok && c.place(t, check::counter(&g, &whose));
        ok = ok
            && c.place(
                t,
                check::arrival_span(&g, &whose, timeout)
                    .into_iter()
                    .collect(),
            );
        w.groups.push(g);
    }
    ok &= c.read_keys(t, &WORKLOAD, &mut w, &["name", "group"]);
    if let Some(value) = groups {
        w.grouped = true;
        ok &= read_groups(c, value, &t.path_of("group"), &mut w, timeout);
    }
    if ok && let Some((message, hint)) = limits::workload_problem(&w) {
        c.error(&t.path, t.span.clone(), message, &hint);
        return None;
    }
    ok.then_some(w)
}

/// Reads the `[[workload.group]]` tables at `path` into `w`.
fn read_groups(
    c: &mut Checker,
    value: &Value,
    path: &str,
    w: &mut Workload,
    timeout: Nanos,
) -> bool {
    if matches!(value.get_ref(), DeValue::Array(items) if items.is_empty()) {
        let hint = "add [[workload.group]] tables, or remove `group` and give the workload tasks";
        c.error(path, value.span(), "`group` is an empty list", hint);
        return false;
    }
    let mut ok = true;
    let tables = c.tables(Some(value), (path, "workload.group"), GROUP.title, None);
    let mut read = Vec::new();
    for (j, t) in tables.iter().enumerate() {
        c.known_keys(t, &GROUP.names().collect::<Vec<_>>());
        let mut g = Group {
            name: format!("group-{}", j + 1),
            ..Group::default()
        };
        let whose = format!("group \"{}\" of workload \"{}\"", g.name, w.name);
        let fine = read_group(c, t, &mut g, &[]);
        let named = format!("group \"{}\" of workload \"{}\"", g.name, w.name);
        if fine
            && c.place(t, check::counter(&g, &whose))
            && c.place(
                t,
                check::arrival_span(&g, &named, timeout)
                    .into_iter()
                    .collect(),
            )
        {
            read.push((t, g.name.clone()));
            w.groups.push(g);
        } else {
            ok = false;
        }
    }
    let what = format!("groups of workload \"{}\"", w.name);
    ok & c.unique_names(&read, &what, "give each [[workload.group]] its own name")
}

/// The keys that make a group one of requests arriving at a rate.
const OPEN_LOOP: [&str; 3] = ["arrival", "requests", "duration"];

/// Reads a group's keys from `t` (a `[[workload.group]]`, or a workload
/// without groups), but those in `skip`, and checks what no single key
/// can ([`check::open_loop`]): a group has `tasks`, or `arrival`
/// and one of `requests` and `duration`. False if anything was wrong.
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
    c.place(t, check::open_loop(g, t)) && ok
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
        let (Some(param), Some(v)) = (Param::from_name(key.name), t.get(key.name)) else {
            continue;
        };
        if m.kind.takes(param) {
            ok &= c.read(key, v, &t.path_of(key.name), &mut m);
            continue;
        }
        let (name, kind) = (key.name, m.kind.name());
        let takers = ModelKind::taking(param).join(", ");
        let message = format!("`{name}` does not apply to model kind \"{kind}\"");
        let hint = format!("remove it; `{name}` is a parameter of {takers}");
        c.error(&t.path_of(name), v.span(), message, &hint);
        ok = false;
    }
    if m.kind.takes(Param::Command) && m.command.is_none() && t.get("command").is_none() {
        let kind = m.kind.name();
        let message = format!("model kind \"{kind}\" needs `command`, the runner to start");
        let hint = "add command = [\"./my-runner\", \"--flag\"]: a program on PATH or a path \
                    that speaks the runner protocol, then its arguments";
        c.error(&t.path_of("kind"), t.span.clone(), message, hint);
        ok = false;
    }
    match (t.get("name"), MODEL.key("name")) {
        (Some(v), Some(key)) if !c.read(key, v, &t.path_of("name"), &mut m) => return None,
        (Some(_), _) => {}
        (None, _) => m.name = m.default_name(),
    }
    ok.then_some(m)
}

/// Reads one `[[claim]]` table and checks it against the experiment.
fn claim(c: &mut Checker, mut t: Table, exp: &Experiment, file: &SourceFile) -> Option<ClaimSpec> {
    c.known_keys(&t, &CLAIM.names().collect::<Vec<_>>());
    let first = exp.workloads.first().map_or("...", |w| w.name.as_str());
    t.vars.push(("{workload}", first.to_string()));
    let line = file.line_col(t.span.start).0;
    let mut spec = ClaimSpec {
        line,
        ..ClaimSpec::default()
    };
    if !c.read_keys(&t, &CLAIM, &mut spec, &[]) {
        return None;
    }
    let problems = check::claim(&mut spec, exp, &t);
    c.place(&t, problems).then_some(spec)
}

/// Reads one `[[chart]]` table and checks it against the experiment.
fn chart(c: &mut Checker, mut t: Table, exp: &Experiment) -> Option<ChartSpec> {
    c.known_keys(&t, &CHART.names().collect::<Vec<_>>());
    let first = exp.workloads.first().map_or("...", |w| w.name.as_str());
    t.vars.push(("{workload}", first.to_string()));
    let mut chart = ChartSpec::default();
    // The workload first: the other keys are checked against it.
    let not_workload: Vec<&str> = CHART.names().filter(|&k| k != "workload").collect();
    if !c.read_keys(&t, &CHART, &mut chart, &not_workload) {
        return None;
    }
    let w = match check::workload_named(exp, &chart.workload, "[[chart]]") {
        Ok(w) => w,
        Err(problem) => return c.place(&t, vec![problem]).then_some(chart),
    };
    let ok = c.read_keys(&t, &CHART, &mut chart, &["workload"]);
    let problems = check::chart(&chart, w, exp, &t);
    (c.place(&t, problems) && ok).then_some(chart)
}
