//! Reading a `[[claim]]` and checking what its keys say together: the
//! workload, models and group it names exist; it claims something (a
//! limit or a crossover), in the metric's terms (a duration for a time,
//! a number for speedup and efficiency, a ratio of another model's value
//! for a time); every point its `where` names is a point of the sweeps;
//! a crossover runs along a swept axis of the workload, in a range that
//! meets its values. A claim that passes can always be judged (or found
//! not measured) against results of this file.

use toml::de::DeValue;

use super::value::{Checker, Table, Value};
use super::{Known, some};
use crate::config::claim::{AxisValue, ClaimSpec, Limit, PointFilter};
use crate::config::diagnostic::SourceFile;
use crate::config::duration::Nanos;
use crate::config::field::{Axis, Field};
use crate::config::keys::CLAIM;
use crate::config::kind::{DEFAULT_POLL_INTERVAL, DEFAULT_SWITCH_INTERVAL, Param};
use crate::config::schema::{IoLatency, ModelSpec, Workload};

/// Reads one `[[claim]]` table; `None` (with every problem reported) if
/// it is wrong.
pub fn claim(c: &mut Checker, mut t: Table, known: &Known, file: &SourceFile) -> Option<ClaimSpec> {
    c.known_keys(&t, &CLAIM.names().collect::<Vec<_>>());
    let exp = known.exp;
    let workloads: Vec<&str> = exp.workloads.iter().map(|w| w.name.as_str()).collect();
    t.vars.push((
        "{workload}",
        workloads.first().copied().unwrap_or("...").to_string(),
    ));
    let mut spec = ClaimSpec {
        line: file.line_col(t.span.start).0,
        ..ClaimSpec::default()
    };
    if !c.read_keys(&t, &CLAIM, &mut spec, &[]) {
        return None;
    }
    let Some(&workload) = known.workloads.get(spec.workload.as_str()) else {
        let span = t.get("workload").map_or(t.span.clone(), Value::span);
        let message = format!(
            "[[claim]] names workload \"{}\", which the experiment does not have",
            spec.workload
        );
        let hint = format!("workloads: {}", some(&workloads));
        c.error(&t.path_of("workload"), span, message, &hint);
        return None;
    };
    let mut ok = both_limits_or_between(c, &t);
    ok &= group(c, &t, &mut spec, workload);
    ok &= if spec.crossover.is_some() {
        crossover(c, &t, &spec, workload, known)
    } else {
        limits(c, &t, &spec, known)
    };
    if !ok {
        return None;
    }
    ok &= wheres(c, &t, &spec, workload, known);
    if spec.text.trim().is_empty() {
        spec.text = spec.default_text();
    }
    ok.then_some(spec)
}

/// The span of `key` in `t`, or of the table.
fn span_of(t: &Table, key: &str) -> std::ops::Range<usize> {
    t.get(key).map_or(t.span.clone(), Value::span)
}

fn model_named<'e>(known: &Known<'e>, name: &str) -> Option<&'e ModelSpec> {
    known.exp.models.iter().find(|m| m.name == name)
}

/// Reports an unknown model at `key` of `t`; false then.
fn model_exists(
    c: &mut Checker,
    t: &Table,
    key: &str,
    path: &str,
    name: &str,
    known: &Known,
) -> bool {
    if known.models.contains(name) {
        return true;
    }
    let models: Vec<&str> = known.exp.models.iter().map(|m| m.name.as_str()).collect();
    let message = format!("[[claim]] names model \"{name}\", which the experiment does not have");
    let hint = format!("models: {}", some(&models));
    c.error(path, span_of(t, key), message, &hint);
    false
}

fn both_limits_or_between(c: &mut Checker, t: &Table) -> bool {
    let Some(between) = t.get("between") else {
        return true;
    };
    let with: Vec<&str> = ["at_least", "at_most"]
        .into_iter()
        .filter(|k| t.get(k).is_some())
        .collect();
    if with.is_empty() {
        return true;
    }
    let message = format!(
        "`between` cannot be given with `{}`: both set the same limits",
        with.join("` and `")
    );
    let hint = "keep `between = [low, high]`, or `at_least` and `at_most`";
    c.error(&t.path_of("between"), between.span(), message, hint);
    false
}

/// The group of a group metric: the one named, or the workload's only one.
fn group(c: &mut Checker, t: &Table, spec: &mut ClaimSpec, w: &Workload) -> bool {
    let names: Vec<&str> = w.groups.iter().map(|g| g.name.as_str()).collect();
    match (&spec.group, spec.metric.of_group()) {
        (Some(_), false) => {
            let message = format!(
                "`group` applies to a group's metrics (completion_p50, completion_p99, \
                 wake_delay_p50, wake_delay_p99), not to {}",
                spec.metric
            );
            let hint = "remove `group`, or choose a group's metric";
            c.error(&t.path_of("group"), span_of(t, "group"), message, hint);
            false
        }
        (Some(g), true) if !names.contains(&g.as_str()) => {
            let message = format!("workload \"{}\" has no group \"{g}\"", w.name);
            let hint = format!("groups: {}", some(&names));
            c.error(&t.path_of("group"), span_of(t, "group"), message, &hint);
            false
        }
        (None, true) if names.len() > 1 => {
            let message = format!(
                "metric {} is a group's, and workload \"{}\" has {} groups",
                spec.metric,
                w.name,
                names.len()
            );
            let hint = format!("add group = \"{}\" (groups: {})", names[0], some(&names));
            c.error(&t.path_of("metric"), span_of(t, "metric"), message, &hint);
            false
        }
        (None, true) => {
            spec.group = names.first().map(|n| n.to_string());
            true
        }
        _ => true,
    }
}

/// A claim with a limit: its model, and limits in the metric's terms.
fn limits(c: &mut Checker, t: &Table, spec: &ClaimSpec, known: &Known) -> bool {
    let models: Vec<&str> = known.exp.models.iter().map(|m| m.name.as_str()).collect();
    if t.get("model").is_none() {
        let message = "[[claim]] is missing the key `model`";
        let first = models.first().copied().unwrap_or("threads");
        let hint = format!(
            "add model = \"{first}\" (models: {}), or state a crossover = {{ of, and, axis, between }}",
            some(&models)
        );
        c.error(&t.path_of("model"), t.span.clone(), message, &hint);
        return false;
    }
    if !model_exists(c, t, "model", &t.path_of("model"), &spec.model, known) {
        return false;
    }
    let given: Vec<(&str, &Limit)> = [
        ("at_least", spec.at_least.as_ref()),
        ("at_most", spec.at_most.as_ref()),
    ]
    .into_iter()
    .filter_map(|(k, l)| {
        Some((
            if t.get("between").is_some() {
                "between"
            } else {
                k
            },
            l?,
        ))
    })
    .collect();
    if given.is_empty() {
        let message = "[[claim]] says nothing to check";
        let hint = "add at_most, at_least or between (or a crossover = { of, and, axis, between })";
        c.error(&t.path, t.span.clone(), message, hint);
        return false;
    }
    let metric = spec.metric;
    let mut ok = true;
    for (key, limit) in &given {
        let path = t.path_of(key);
        let problem = match limit {
            Limit::Ratio { .. } if !metric.takes_ratios() => Some((
                format!(
                    "{metric} is a ratio already (over sequential, or of the prediction), so a ratio of it is not a claim conlab checks"
                ),
                format!("give a number: {key} = 1.5"),
            )),
            Limit::Number(_) if metric.is_time() => Some((
                format!("`{key}` for metric {metric} is a time and needs a unit"),
                format!(
                    "write a duration such as {key} = \"120ms\", or a ratio: {key} = {{ ratio = 0.4, of = \"sequential\" }}"
                ),
            )),
            Limit::Time(_) if !metric.is_time() => Some((
                format!("`{key}` for metric {metric} is a number, not a duration"),
                format!("write a number such as {key} = 1.5"),
            )),
            _ => None,
        };
        if let Some((message, hint)) = problem {
            c.error(&path, span_of(t, key), message, &hint);
            ok = false;
        }
    }
    if !ok {
        return false;
    }
    if let [(_, lo), (_, hi)] = given.as_slice() {
        if lo.of() != hi.of() {
            let message = "`at_least` and `at_most` must both be ratios of the same model, or \
                           neither be a ratio";
            c.error(&t.path_of("at_most"), span_of(t, "at_most"), message, "");
            return false;
        }
        if lo.number() > hi.number() && t.get("between").is_none() {
            let message = "`at_least` is above `at_most`: no value can be both";
            c.error(
                &t.path_of("at_least"),
                span_of(t, "at_least"),
                message,
                "swap them",
            );
            return false;
        }
    }
    let Some(of) = spec.reference() else {
        return true;
    };
    let key = given.first().map_or("at_most", |(k, _)| k);
    let of_path = format!("{}.of", t.path_of(key));
    if !model_exists(c, t, key, &of_path, of, known) {
        return false;
    }
    if of == spec.model {
        let message = format!("a ratio of model \"{of}\" to itself is always 1");
        let hint = "name another model in `of`, e.g. of = \"sequential\"";
        c.error(&of_path, span_of(t, key), message, hint);
        return false;
    }
    // The reference must be one variant at each point the claim selects.
    let (Some(model), Some(reference)) = (model_named(known, &spec.model), model_named(known, of))
    else {
        return true;
    };
    for field in [Field::Workers, Field::SwitchInterval, Field::PollInterval] {
        let fixed = !spec.wheres.is_empty()
            && spec.wheres.iter().all(|w| {
                w.axes
                    .iter()
                    .any(|(a, values)| a.field == field && values.len() == 1)
            });
        if reference.sweeps(field) && !model.sweeps(field) && !fixed {
            let message = format!(
                "model \"{of}\" sweeps {field}, so \"a ratio of {of}\" does not say which of its variants"
            );
            let hint = format!("choose one in `where`: where = {{ {field} = … }}");
            c.error(&of_path, span_of(t, key), message, &hint);
            return false;
        }
    }
    true
}

/// A crossover claim: its models exist and differ, its axis is a swept
/// axis of the workload, its range meets the axis's values.
fn crossover(c: &mut Checker, t: &Table, spec: &ClaimSpec, w: &Workload, known: &Known) -> bool {
    let Some(x) = &spec.crossover else {
        return true;
    };
    let path = t.path_of("crossover");
    let mut ok = true;
    for key in ["model", "at_most", "at_least", "between"] {
        if t.get(key).is_some() {
            let message = format!(
                "a crossover claim has no `{key}`: it claims where the curves of crossover.of \
                 and crossover.and cross"
            );
            let hint = format!("remove `{key}`, or make it a [[claim]] of its own");
            c.error(&t.path_of(key), span_of(t, key), message, &hint);
            ok = false;
        }
    }
    if !spec.metric.is_time() {
        let message = format!("a crossover compares times, and {} is not one", spec.metric);
        let hint = "use metric = \"wall\" (the default), \"cpu\", or a group's time";
        c.error(&t.path_of("metric"), span_of(t, "metric"), message, hint);
        ok = false;
    }
    for (key, name) in [("of", &x.of), ("and", &x.and)] {
        if !known.models.contains(name.as_str()) {
            let models: Vec<&str> = known.exp.models.iter().map(|m| m.name.as_str()).collect();
            let message =
                format!("[[claim]] names model \"{name}\", which the experiment does not have");
            let hint = format!("models: {}", some(&models));
            c.error(
                &format!("{path}.{key}"),
                crossover_span(t, key),
                message,
                &hint,
            );
            ok = false;
        }
    }
    if ok && x.of == x.and {
        let message = format!("a crossover of model \"{}\" with itself", x.of);
        c.error(
            &format!("{path}.and"),
            crossover_span(t, "and"),
            message,
            "name two models",
        );
        ok = false;
    }
    let swept: Vec<String> = w.swept().iter().map(Axis::to_string).collect();
    let Some(axis) = x.axis.as_ref().filter(|a| w.sweeps(a)) else {
        let given = crossover_key(t, "axis").unwrap_or_default();
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
        c.error(
            &format!("{path}.axis"),
            crossover_span(t, "axis"),
            message,
            &hint,
        );
        return false;
    };
    let Some((lo, hi)) = x.between else {
        return false;
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
        c.error(
            &format!("{path}.between"),
            crossover_span(t, "between"),
            message,
            hint,
        );
        return false;
    }
    let values = workload_values(w, axis).unwrap_or_default();
    let numbers: Vec<f64> = values.iter().map(|v| v.number()).collect();
    let (min, max) = numbers
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if hi.number() < min || lo.number() > max {
        let shown: Vec<String> = values.iter().map(AxisValue::to_string).collect();
        let message = format!(
            "crossover between [{lo}, {hi}] lies outside the values workload \"{}\" sweeps {axis} over",
            w.name
        );
        let hint = format!("{axis}: {}", shown.join(", "));
        c.error(
            &format!("{path}.between"),
            crossover_span(t, "between"),
            message,
            &hint,
        );
        return false;
    }
    for filter in &spec.wheres {
        if filter.axes.iter().any(|(a, _)| a == axis) {
            let message = format!("`where` names {axis}, the axis the crossover runs along");
            let hint =
                format!("remove {axis} from `where`; the crossover looks at all of its values");
            c.error(&t.path_of("where"), span_of(t, "where"), message, &hint);
            return false;
        }
    }
    ok
}

/// The span of `crossover.key`, or of `crossover`.
fn crossover_span(t: &Table, key: &str) -> std::ops::Range<usize> {
    match t.get("crossover").map(|v| (v, v.get_ref())) {
        Some((_, DeValue::Table(x))) if x.get(key).is_some() => {
            x.get(key).map_or(t.span.clone(), Value::span)
        }
        _ => span_of(t, "crossover"),
    }
}

/// The text of `crossover.key`, if it is a string.
fn crossover_key(t: &Table, key: &str) -> Option<String> {
    match t.get("crossover")?.get_ref() {
        DeValue::Table(x) => match x.get(key)?.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
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
    let number = |n: f64| AxisValue::Number(n);
    Some(match axis.field {
        Field::Tasks => g.tasks.values.iter().map(|n| number(*n as f64)).collect(),
        Field::Rounds => g
            .rounds
            .values
            .iter()
            .map(|n| number(f64::from(*n)))
            .collect(),
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
        Field::Shared => g
            .shared
            .values
            .iter()
            .map(|m| number(*m as usize as f64))
            .collect(),
        Field::Rate => g
            .arrival
            .as_ref()?
            .rate
            .values
            .iter()
            .map(|r| number(r.per_s()))
            .collect(),
        Field::Workers | Field::SwitchInterval | Field::PollInterval => return None,
    })
}

/// The values a model gives a field of its own, when the file says them
/// (a model without `workers` takes the machine's cores, unknown here).
fn model_values(m: &ModelSpec, field: Field) -> Option<Vec<AxisValue>> {
    let durations = |s: &Option<crate::config::schema::Sweep<Nanos>>, default: Nanos| {
        s.as_ref()
            .map_or(vec![default], |s| s.values.clone())
            .into_iter()
            .map(AxisValue::Duration)
            .collect()
    };
    Some(match field {
        Field::Workers if m.kind.params().contains(&Param::Workers) => m
            .workers
            .as_ref()?
            .values
            .iter()
            .map(|n| AxisValue::Number(f64::from(*n)))
            .collect(),
        Field::SwitchInterval if m.kind.params().contains(&Param::SwitchInterval) => {
            durations(&m.switch_interval, DEFAULT_SWITCH_INTERVAL)
        }
        Field::PollInterval if m.kind.params().contains(&Param::PollInterval) => {
            durations(&m.poll_interval, DEFAULT_POLL_INTERVAL)
        }
        _ => return None,
    })
}

/// The span of `where`'s table `index` (0 for a single table), key `key`.
fn where_span(t: &Table, index: usize, key: &str) -> std::ops::Range<usize> {
    let Some(v) = t.get("where") else {
        return t.span.clone();
    };
    let table = match v.get_ref() {
        DeValue::Array(items) => items.get(index),
        _ => Some(v),
    };
    table
        .and_then(|tv| match tv.get_ref() {
            DeValue::Table(keys) => keys.get(key).map(Value::span),
            _ => None,
        })
        .unwrap_or_else(|| v.span())
}

/// Every axis and value a `where` names is a point of the sweeps.
fn wheres(c: &mut Checker, t: &Table, spec: &ClaimSpec, w: &Workload, known: &Known) -> bool {
    let models: Vec<&ModelSpec> = match &spec.crossover {
        Some(x) => [&x.of, &x.and]
            .into_iter()
            .filter_map(|n| model_named(known, n))
            .collect(),
        None => model_named(known, &spec.model).into_iter().collect(),
    };
    let single = !matches!(t.get("where").map(|v| v.get_ref()), Some(DeValue::Array(_)));
    let mut ok = true;
    for (i, filter) in spec.wheres.iter().enumerate() {
        let path = if single {
            t.path_of("where")
        } else {
            format!("{}[{i}]", t.path_of("where"))
        };
        ok &= where_table(c, t, i, &path, filter, w, &models);
    }
    ok
}

fn where_table(
    c: &mut Checker,
    t: &Table,
    index: usize,
    path: &str,
    filter: &PointFilter,
    w: &Workload,
    models: &[&ModelSpec],
) -> bool {
    let mut ok = true;
    for (axis, values) in &filter.axes {
        let key = axis.to_string();
        let span = where_span(t, index, &key);
        let at = format!("{path}.{key}");
        let known: Result<Vec<AxisValue>, (String, String)> = if axis.field.of_workload() {
            workload_values(w, axis).ok_or_else(|| {
                let groups: Vec<String> = w
                    .groups
                    .iter()
                    .map(|g| format!("{}.{}", g.name, axis.field))
                    .collect();
                match (&axis.group, w.grouped) {
                    (None, true) => (
                        format!(
                            "workload \"{}\" has groups, so `{key}` needs its group",
                            w.name
                        ),
                        format!("name it by group: {}", groups.join(", ")),
                    ),
                    (Some(_), true) => (
                        format!("workload \"{}\" has no group named in `{key}`", w.name),
                        format!("name it by group: {}", groups.join(", ")),
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
            })
        } else {
            // A model's field in `where` chooses among the variants of the
            // models that have it; a crossover's other model may lack it.
            let mut all = Vec::new();
            let mut problem = None;
            let takes = |m: &ModelSpec| m.kind.params().iter().any(|p| p.key() == axis.field.key());
            let lacking = models.iter().filter(|m| !takes(m)).count();
            for m in models {
                match model_values(m, axis.field) {
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
                        problem = Some((
                            format!("model \"{}\" has no {key}", m.name),
                            format!("{key} is a parameter of {}", axis_takers(axis.field)),
                        ));
                    }
                }
            }
            match problem {
                Some(p) => Err(p),
                None => Ok(all),
            }
        };
        let known = match known {
            Ok(known) => known,
            Err((message, hint)) => {
                c.error(&at, span, message, &hint);
                ok = false;
                continue;
            }
        };
        for value in values {
            if known.contains(value) {
                continue;
            }
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
            c.error(&at, span.clone(), message, &hint);
            ok = false;
        }
    }
    ok
}

fn axis_takers(field: Field) -> String {
    Param::from_key(field.key())
        .map(|p| p.kinds().join(", "))
        .unwrap_or_default()
}
