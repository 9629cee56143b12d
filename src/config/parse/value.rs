//! Reading one value of a spanned TOML tree as a declared key says
//! ([`Read`]), and a whole table by its section's declarations: unknown
//! keys (with "did you mean" or "belongs in"), missing required keys, wrong
//! types and impossible values each become a [`Diagnostic`] with the key
//! path and the value's span. Nothing stops at the first problem.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::config::arrival::Rate;
use crate::config::claim::{AxisValue, Limit, PointFilter};
use crate::config::diagnostic::{At, Diagnostic, Problem, Written};
use crate::config::duration::Nanos;
use crate::config::field::Sweep;
use crate::config::field::{Axis, Field};
use crate::config::keys::{
    AMOUNT, ARRIVAL, CROSSOVER, Choices, DISTRIBUTION, DISTRIBUTIONS, Fallback, Key, LIMIT, Number,
    RATE, RATIO, Read, Section,
};
use crate::config::keys::{home_of, suggest};
use crate::config::schema::IoLatency;

pub type Value<'i> = Spanned<DeValue<'i>>;

/// A table being read: its keys, its span, its key path (`workload[0]`),
/// its title in messages (`[[workload]]`), and what fills `{…}` in the
/// help for a missing key.
pub struct Table<'t, 'i> {
    pub keys: &'t DeTable<'i>,
    pub span: Range<usize>,
    pub path: String,
    pub title: &'static str,
    pub vars: Vec<(&'static str, String)>,
}

impl<'t, 'i> Table<'t, 'i> {
    pub fn new(
        keys: &'t DeTable<'i>,
        span: Range<usize>,
        path: String,
        title: &'static str,
    ) -> Self {
        let vars = Vec::new();
        Table {
            keys,
            span,
            path,
            title,
            vars,
        }
    }

    pub fn get(&self, key: &str) -> Option<&'t Value<'i>> {
        self.keys.get(key)
    }

    /// The key path of `key` in this table.
    pub fn path_of(&self, key: &str) -> String {
        child(&self.path, key)
    }

    /// The span of `key`'s value, or of the table.
    pub fn span_of(&self, key: &str) -> Range<usize> {
        self.get(key).map_or(self.span.clone(), Value::span)
    }

    /// The key path and span of a place in this table.
    pub fn place(&self, at: &At) -> (String, Range<usize>) {
        let sub = |v: &Value, key: &str| match v.get_ref() {
            DeValue::Table(t) => t.get(key).map(Value::span),
            _ => None,
        };
        match at {
            At::Table => (self.path.clone(), self.span.clone()),
            At::Key(key) => (self.path_of(key), self.span_of(key)),
            At::Of(key) => (child(&self.path_of(key), "of"), self.span_of(key)),
            At::Sub(key, s) => {
                let span = self.get(key).and_then(|v| sub(v, s));
                (
                    child(&self.path_of(key), s),
                    span.unwrap_or_else(|| self.span_of(key)),
                )
            }
            At::Item(key, i) => {
                let item = match self.get(key).map(Value::get_ref) {
                    Some(DeValue::Array(items)) => items.get(*i).map(Value::span),
                    _ => None,
                };
                let span = item.unwrap_or_else(|| self.span_of(key));
                (format!("{}[{i}]", self.path_of(key)), span)
            }
            At::Where(i, key) => {
                let (item, path) = match self.get("where").map(|v| (v, v.get_ref())) {
                    Some((_, DeValue::Array(items))) => {
                        (items.get(*i), format!("{}[{i}]", self.path_of("where")))
                    }
                    other => (other.map(|(v, _)| v), self.path_of("where")),
                };
                let span = item.and_then(|v| sub(v, key));
                (
                    child(&path, key),
                    span.unwrap_or_else(|| self.span_of("where")),
                )
            }
        }
    }
}

impl Written for Table<'_, '_> {
    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    fn text(&self, path: &str) -> Option<String> {
        let mut keys = path.split('.');
        let mut value = self.get(keys.next()?)?;
        for key in keys {
            let DeValue::Table(t) = value.get_ref() else {
                return None;
            };
            value = t.get(key)?;
        }
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => None,
        }
    }
}

/// Collects every problem found while reading.
#[derive(Default)]
pub struct Checker {
    pub diags: Vec<Diagnostic>,
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

/// A limit read as a time or an amount, a ratio of `of` if given.
fn limit(a: AxisValue, of: Option<String>) -> Limit {
    match (a, of) {
        (AxisValue::Duration(d), _) => Limit::Time(d),
        (AxisValue::Number(value), Some(of)) => Limit::Ratio { value, of },
        (AxisValue::Number(n), None) => Limit::Number(n),
    }
}

/// The key a path ends in, without a list index: `workload[0].tasks[2]`
/// gives `tasks`.
fn key_of(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

impl Checker {
    pub fn error(&mut self, path: &str, at: Range<usize>, message: impl Into<String>, hint: &str) {
        let mut d = Diagnostic::error(message).at(path, at);
        if !hint.is_empty() {
            d = d.hint(hint);
        }
        self.diags.push(d);
    }

    /// Reports every key of `t` that is not in `allowed`.
    pub fn known_keys(&mut self, t: &Table, allowed: &[&str]) {
        for (key, _) in t.keys.iter() {
            let name: &str = key.get_ref();
            if allowed.contains(&name) {
                continue;
            }
            let hint = match (suggest(name, allowed), home_of(name, t.title)) {
                (Some(s), _) => format!("did you mean `{s}`?"),
                (None, Some(home)) => format!("`{name}` belongs in {home}"),
                (None, None) => format!("valid keys in {}: {}", t.title, allowed.join(", ")),
            };
            let message = format!("unknown key `{name}` in {}", t.title);
            self.error(&t.path_of(name), key.span(), message, &hint);
        }
    }

    /// Reports the problems a section's type found, each at its place in
    /// `t`; false if there were any.
    pub fn place(&mut self, t: &Table, problems: Vec<Problem>) -> bool {
        let ok = problems.is_empty();
        for p in problems {
            let (path, span) = t.place(&p.at);
            self.error(&path, span, p.message, &p.hint);
        }
        ok
    }

    pub fn wrong_type(&mut self, path: &str, v: &Value, expected: &str, hint: &str) {
        let key = path.rsplit('.').next().unwrap_or(path);
        let message = format!("`{key}` must be {expected}, not {}", type_name(v.get_ref()));
        self.error(path, v.span(), message, hint);
    }

    /// Reads the keys of `section` found in `t` into `into`, in the order
    /// they are declared, except those in `skip`; reports missing required
    /// keys. False if any key was wrong or missing.
    pub fn read_keys<S>(
        &mut self,
        t: &Table,
        section: &Section<S>,
        into: &mut S,
        skip: &[&str],
    ) -> bool {
        let mut ok = true;
        for key in section.keys.iter().filter(|k| !skip.contains(&k.name)) {
            match (t.get(key.name), &key.default) {
                (Some(v), _) => ok &= self.read(key, v, &t.path_of(key.name), into),
                (None, Fallback::Required(hint)) => {
                    let mut hint = hint.to_string();
                    if let Read::Choice(choices, _) = &key.read {
                        hint = hint.replace("{choices}", &choices.names.join(", "));
                    }
                    for (var, text) in &t.vars {
                        hint = hint.replace(var, text);
                    }
                    self.missing::<()>(t, key.name, &hint);
                    ok = false;
                }
                (None, _) => {}
            }
        }
        ok
    }

    /// Reports `key` missing from `t`; nothing read then.
    fn missing<T>(&mut self, t: &Table, key: &str, hint: &str) -> Option<T> {
        let message = format!("{} is missing the key `{key}`", t.title);
        self.error(&t.path_of(key), t.span.clone(), message, hint);
        None
    }

    /// Reads one value as `key` declares and stores it; false if wrong.
    pub fn read<S>(&mut self, key: &Key<S>, v: &Value, path: &str, into: &mut S) -> bool {
        fn store<S, T>(value: Option<T>, into: &mut S, set: fn(&mut S, T)) -> bool {
            value.map(|value| set(into, value)).is_some()
        }
        match &key.read {
            Read::Text(set) => store(self.string(v, path), into, *set),
            Read::Name(rule, set) => {
                let name = self
                    .string(v, path)
                    .filter(|name| match rule.problem(name) {
                        Some(why) => {
                            self.error(path, v.span(), format!("invalid name \"{name}\""), &why);
                            false
                        }
                        None => true,
                    });
                store(name, into, *set)
            }
            Read::Program(set) => store(self.program(v, path), into, *set),
            Read::Command(set) => store(self.command(v, path), into, *set),
            Read::Flag(set) => store(self.boolean(v, path), into, *set),
            Read::Count(range, set) => store(self.count(v, path, *range), into, *set),
            Read::Counts(range, set) => {
                let read = self.sweep(v, path, |c, v, p| c.count(v, p, *range));
                store(read, into, *set)
            }
            Read::Duration(zero, set) => store(self.duration(v, path, *zero), into, *set),
            Read::Durations(zero, set) => {
                let read = self.sweep(v, path, |c, v, p| c.duration(v, p, *zero));
                store(read, into, *set)
            }
            Read::Latencies(set) => store(self.sweep(v, path, Self::latency), into, *set),
            Read::Rates(set) => {
                let read = self.sweep(v, path, |c, v, p| c.number(v, p, &RATE).map(Rate));
                store(read, into, *set)
            }
            Read::Arrival(set) => {
                let hint = "write it as a table: arrival = { rate = 100, dist = \"poisson\" }";
                store(self.section(v, path, &ARRIVAL, hint), into, *set)
            }
            Read::Choice(choices, set) => {
                let word = self.word(choices, v, path);
                word.map(|word| set(into, &word)).is_some()
            }
            Read::Words(choices, set) => {
                let read = self.sweep(v, path, |c, v, p| c.word(choices, v, p));
                store(read, into, *set)
            }
            Read::Texts(set) => {
                let read = self.sweep(v, path, |c, v, p| c.string(v, p));
                store(read.map(|s| s.values), into, *set)
            }
            // Sub-sections are read by their section's own code.
            Read::Tables(_) => true,
            Read::Limit(set) => store(self.limit(v, path), into, *set),
            Read::Limits(set) => store(self.limits(v, path), into, *set),
            Read::Points(set) => store(self.points(v, path), into, *set),
            Read::Range(set) => store(self.range(v, path), into, *set),
            Read::Crossover(set) => {
                let hint = "write crossover = { of = \"threads\", and = \"async\", axis = \"tasks\", \
                            between = [2, 10] }";
                store(self.section(v, path, &CROSSOVER, hint), into, *set)
            }
        }
    }

    /// One of `choices`' words.
    fn word(&mut self, choices: &Choices, v: &Value, path: &str) -> Option<String> {
        self.string(v, path).filter(|word| {
            let known = choices.names.contains(&word.as_str());
            if !known {
                let message = format!("unknown {} \"{word}\"", choices.what);
                self.error(path, v.span(), message, &(choices.hint)(word));
            }
            known
        })
    }

    /// A time or an amount: a duration (a string), or a number as `n`
    /// declares it.
    fn amount(&mut self, v: &Value, path: &str, n: &Number) -> Option<AxisValue> {
        match v.get_ref() {
            DeValue::String(_) => self.duration(v, path, true).map(AxisValue::Duration),
            _ => self.number(v, path, n).map(AxisValue::Number),
        }
    }

    /// `{ ratio = …, of = "model" }`: the ratio's value (read by `ratio`)
    /// and the model's name.
    fn ratio_table<T>(
        &mut self,
        v: &Value,
        path: &str,
        ratio: impl FnOnce(&mut Self, &Value, &str) -> Option<T>,
    ) -> Option<(T, String)> {
        let DeValue::Table(keys) = v.get_ref() else {
            return None;
        };
        let t = Table::new(keys, v.span(), path.to_string(), "a ratio");
        self.known_keys(&t, &["ratio", "of"]);
        let of = match t.get("of") {
            Some(of) => self.string(of, &t.path_of("of")),
            None => self.missing(
                &t,
                "of",
                "add of = \"sequential\" (the model the ratio is of)",
            ),
        };
        let value = match t.get("ratio") {
            Some(r) => ratio(self, r, &t.path_of("ratio")),
            None => self.missing(&t, "ratio", "add ratio = 0.4"),
        };
        Some((value?, of?))
    }

    /// `at_most` / `at_least`: a duration, a number, or a ratio table.
    fn limit(&mut self, v: &Value, path: &str) -> Option<Limit> {
        if let DeValue::Table(_) = v.get_ref() {
            let (value, of) = self.ratio_table(v, path, |c, v, p| c.number(v, p, &RATIO))?;
            return Some(Limit::Ratio { value, of });
        }
        self.amount(v, path, &LIMIT).map(|a| limit(a, None))
    }

    /// Exactly two values of a list, each read by `one`.
    fn two<T>(
        &mut self,
        v: &Value,
        path: &str,
        mut one: impl FnMut(&mut Self, &Value, &str) -> Option<T>,
    ) -> Option<(T, T)> {
        let key = key_of(path);
        let hint = format!("write {key} = [low, high]");
        match v.get_ref() {
            DeValue::Array(items) if items.len() == 2 => {
                let lo = one(self, &items[0], &format!("{path}[0]"));
                let hi = one(self, &items[1], &format!("{path}[1]"));
                Some((lo?, hi?))
            }
            DeValue::Array(_) => {
                let message = format!("`{key}` needs two values, low and high");
                self.error(path, v.span(), message, &hint);
                None
            }
            _ => {
                self.wrong_type(path, v, "a list of two values", &hint);
                None
            }
        }
    }

    /// `[low, high]` as read, if both are of one kind (`mixed` is the hint
    /// when one is a duration and the other a number) and low comes first;
    /// `text` shows a value.
    fn ordered(
        &mut self,
        v: &Value,
        path: &str,
        (lo, hi): (AxisValue, AxisValue),
        mixed: &str,
        text: fn(AxisValue) -> String,
    ) -> Option<(AxisValue, AxisValue)> {
        let key = key_of(path);
        let (message, hint) = if std::mem::discriminant(&lo) != std::mem::discriminant(&hi) {
            (format!("`{key}` mixes a duration and a number"), mixed)
        } else if lo.number() > hi.number() {
            let (lo, hi) = (text(lo), text(hi));
            let message = format!("`{key}` has its low value ({lo}) above its high value ({hi})");
            (message, "swap them")
        } else {
            return Some((lo, hi));
        };
        self.error(path, v.span(), message, hint);
        None
    }

    /// `between`: two durations or numbers, or a ratio table of two.
    fn limits(&mut self, v: &Value, path: &str) -> Option<(Limit, Limit)> {
        let (pair, of) = if let DeValue::Table(_) = v.get_ref() {
            let ratio =
                |c: &mut Self, v: &Value, p: &str| c.number(v, p, &RATIO).map(AxisValue::Number);
            let ((lo, hi), of) = self.ratio_table(v, path, |c, r, p| c.two(r, p, ratio))?;
            ((lo, hi), Some(of))
        } else {
            (self.two(v, path, |c, v, p| c.amount(v, p, &LIMIT))?, None)
        };
        let text = |a| match a {
            AxisValue::Number(n) => n.to_string(),
            duration => duration.to_string(),
        };
        let hint = "give two durations (\"90ms\") or two numbers (1.5)";
        let (lo, hi) = self.ordered(v, path, pair, hint, text)?;
        Some((limit(lo, of.clone()), limit(hi, of)))
    }

    /// One value of `axis` in a `where`: a whole number, or a duration
    /// for the duration fields.
    fn axis_value(&mut self, v: &Value, path: &str, field: Field) -> Option<AxisValue> {
        let key = key_of(path);
        if field.is_duration() {
            if let DeValue::String(_) = v.get_ref() {
                return self.duration(v, path, true).map(AxisValue::Duration);
            }
            let hint = format!("{field} is a duration: write it as a string, e.g. {key} = \"1ms\"");
            self.wrong_type(path, v, "a duration", &hint);
            return None;
        }
        if let DeValue::Integer(_) = v.get_ref() {
            return self
                .count(v, path, (0, u64::MAX))
                .map(|n| AxisValue::Number(n as f64));
        }
        self.wrong_type(path, v, "a whole number", "");
        None
    }

    /// One table of `where`: axis names and their values.
    fn point_filter(&mut self, v: &Value, path: &str) -> Option<PointFilter> {
        let DeValue::Table(keys) = v.get_ref() else {
            let hint = "write where = { tasks = 100 }, or a list of such tables";
            self.wrong_type(path, v, "a table", hint);
            return None;
        };
        if keys.is_empty() {
            let hint = "name a swept key and its value: where = { tasks = 100 }";
            self.error(path, v.span(), "`where` is an empty table", hint);
            return None;
        }
        let mut filter = PointFilter::default();
        let mut ok = true;
        for (key, value) in keys.iter() {
            let name: &str = key.get_ref();
            let item_path = child(path, name);
            if name == "machine" {
                // Results merged from several machines have this axis; no
                // file can say which machines there will be.
                match self.sweep(value, &item_path, |c, v, p| c.string(v, p)) {
                    Some(machines) => filter.machines = machines.values,
                    None => ok = false,
                }
                continue;
            }
            let Some(axis) = Axis::parse(name) else {
                let keys = Field::ALL.map(Field::key).join(", ");
                let message = format!("unknown key `{name}` in `where`");
                let hint = match suggest(name, &Field::ALL.map(Field::key)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("name a swept key: {keys}, <group>.<key>, or machine"),
                };
                self.error(&item_path, key.span(), message, &hint);
                ok = false;
                continue;
            };
            match self.sweep(value, &item_path, |c, v, p| c.axis_value(v, p, axis.field)) {
                Some(values) => filter.axes.push((axis, values.values)),
                None => ok = false,
            }
        }
        ok.then_some(filter)
    }

    /// `where`: one table, or a list of them.
    fn points(&mut self, v: &Value, path: &str) -> Option<Vec<PointFilter>> {
        match v.get_ref() {
            DeValue::Array(items) if items.is_empty() => {
                let hint = "leave `where` out to claim every point, or name one: { tasks = 100 }";
                self.error(path, v.span(), "`where` is an empty list", hint);
                None
            }
            DeValue::Array(items) => {
                // Every table is read, so each one's problems are found.
                let read: Vec<Option<PointFilter>> = (items.iter().enumerate())
                    .map(|(i, item)| self.point_filter(item, &format!("{path}[{i}]")))
                    .collect();
                read.into_iter().collect()
            }
            _ => self.point_filter(v, path).map(|f| vec![f]),
        }
    }

    /// A crossover's `between`: two values of its axis, low first.
    fn range(&mut self, v: &Value, path: &str) -> Option<(AxisValue, AxisValue)> {
        let pair = self.two(v, path, |c, v, p| c.amount(v, p, &AMOUNT))?;
        let hint = "give two numbers for tasks, rounds and workers, two durations otherwise";
        self.ordered(v, path, pair, hint, |a| a.to_string())
    }

    /// A `{ … }` table read by the keys of `section`; `hint` shows how to
    /// write one.
    fn section<T: Default>(
        &mut self,
        v: &Value,
        path: &str,
        section: &Section<T>,
        hint: &str,
    ) -> Option<T> {
        let DeValue::Table(keys) = v.get_ref() else {
            self.wrong_type(path, v, "a table", hint);
            return None;
        };
        let t = Table::new(keys, v.span(), path.to_string(), section.title);
        self.known_keys(&t, &section.names().collect::<Vec<_>>());
        let mut read = T::default();
        self.read_keys(&t, section, &mut read, &[]).then_some(read)
    }

    pub fn string(&mut self, v: &Value, path: &str) -> Option<String> {
        if let DeValue::String(s) = v.get_ref() {
            return Some(s.to_string());
        }
        self.wrong_type(path, v, "a string", "put the value in double quotes");
        None
    }

    fn boolean(&mut self, v: &Value, path: &str) -> Option<bool> {
        if let DeValue::Boolean(b) = v.get_ref() {
            return Some(*b);
        }
        self.wrong_type(path, v, "true or false", "write `true` or `false`");
        None
    }

    /// A number as `n` declares it, as a decimal (see [`Checker::count`]
    /// for whole ones).
    fn number(&mut self, v: &Value, path: &str, n: &Number) -> Option<f64> {
        let (text, x, exact) = match v.get_ref() {
            DeValue::Integer(i) => {
                let exact = i128::from_str_radix(i.as_str(), i.radix()).ok();
                let text = exact
                    .filter(|_| n.whole)
                    .map_or(i.to_string(), |e| e.to_string());
                (text, exact.map_or(f64::INFINITY, |e| e as f64), exact)
            }
            DeValue::Float(f) => {
                let x = f.as_str().replace('_', "").parse().unwrap_or(f64::NAN);
                (f.as_str().to_string(), x, None)
            }
            DeValue::String(s)
                if n.quoted
                    && (s.trim().parse::<i64>().is_ok()
                        || !n.whole && s.trim().parse::<f64>().is_ok()) =>
            {
                (s.trim().to_string(), f64::NAN, None)
            }
            _ => {
                self.wrong_type(path, v, n.expected.0, n.expected.1);
                return None;
            }
        };
        let below = exact.map_or(x.is_nan() || x < n.min as f64, |e| e < i128::from(n.min));
        let above = match n.max {
            Some(max) => exact.map_or(x > max as f64, |e| e > i128::from(max)),
            None => !x.is_finite(),
        };
        let (message, hint) = match v.get_ref() {
            DeValue::String(_) => (
                "`{key}` must be {what}, not a string",
                "remove the quotes: {key} = {text}",
            ),
            DeValue::Float(_) if n.whole => (
                "`{key}` must be a whole number, not {text}",
                "drop the decimal part",
            ),
            _ if n.whole && exact.is_none() => ("`{key}` is out of range", ""),
            _ if below => n.low,
            _ if above => n.high,
            _ => match n.zero {
                Some(zero) if x == 0.0 => zero,
                _ => return Some(x),
            },
        };
        let what = if n.whole {
            "a whole number"
        } else {
            "a number"
        };
        let (min, max) = (n.min.to_string(), n.max.unwrap_or_default().to_string());
        let fill = |s: &str| {
            let s = s.replace("{key}", key_of(path)).replace("{what}", what);
            let s = s.replace("{min}", &min).replace("{max}", &max);
            s.replace("{text}", &text)
        };
        self.error(path, v.span(), fill(message), &fill(hint));
        None
    }

    /// A whole number from `.0` to `.1`.
    fn count(&mut self, v: &Value, path: &str, (min, max): (u64, u64)) -> Option<u64> {
        self.number(v, path, &Number::whole(min, max))?;
        match v.get_ref() {
            DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix())
                .ok()
                .and_then(|n| u64::try_from(n).ok()),
            _ => None,
        }
    }

    /// A duration: a string with a unit, above zero unless `allow_zero`.
    fn duration(&mut self, v: &Value, path: &str, allow_zero: bool) -> Option<Nanos> {
        let key = key_of(path);
        let needs_unit = |number: &str| {
            let hint = format!("write it as a string with a unit, e.g. {key} = \"{number}ms\"");
            (format!("`{key}` is a duration and needs a unit"), hint)
        };
        let (message, hint) = match v.get_ref() {
            DeValue::String(s) => match s.parse::<Nanos>() {
                Ok(n) if n.0 > 0 || allow_zero => return Some(n),
                Ok(_) => (
                    format!("`{key}` must be longer than zero"),
                    "give a positive duration such as \"5ms\"".to_string(),
                ),
                Err(e) => (format!("invalid duration for `{key}`: {e}"), e.help()),
            },
            DeValue::Integer(i) => needs_unit(i.as_str()),
            DeValue::Float(f) => needs_unit(f.as_str()),
            _ => {
                self.wrong_type(path, v, "a duration such as \"50ms\"", "");
                return None;
            }
        };
        self.error(path, v.span(), message, &hint);
        None
    }

    /// A value or a non-empty list of different values (a sweep axis).
    /// Repeats are found by hashing: a 1 MiB file can list half a million
    /// values.
    fn sweep<T: Eq + std::hash::Hash + Clone>(
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
            let hint = "give one value, or a list of values to sweep over";
            self.error(path, v.span(), format!("`{key}` is an empty list"), hint);
            return None;
        }
        let mut values: Vec<T> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            if let DeValue::Array(_) = item.get_ref() {
                self.error(&item_path, item.span(), "a sweep cannot contain lists", "");
                ok = false;
                continue;
            }
            match one(self, item, &item_path) {
                Some(value) if !seen.insert(value.clone()) => {
                    let message = format!("`{key}` lists the same value twice");
                    self.error(
                        &item_path,
                        item.span(),
                        message,
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

    /// A duration, or a distribution table: `dist` picks the section
    /// whose keys the rest of the table is read by.
    fn latency(&mut self, v: &Value, path: &str) -> Option<IoLatency> {
        let DeValue::Table(keys) = v.get_ref() else {
            return self
                .duration(v, path, true)
                .map(|value| IoLatency::Fixed { value });
        };
        let mut t = Table::new(keys, v.span(), path.to_string(), DISTRIBUTION.title);
        let mut latency = IoLatency::default();
        if !self.read_keys(&t, &DISTRIBUTION, &mut latency, &[]) {
            return None;
        }
        let section = match latency {
            IoLatency::Uniform { .. } => &DISTRIBUTIONS[0],
            IoLatency::Exponential { .. } => &DISTRIBUTIONS[1],
            _ => &DISTRIBUTIONS[2],
        };
        t.title = section.title;
        let allowed: Vec<&str> = DISTRIBUTION.names().chain(section.names()).collect();
        self.known_keys(&t, &allowed);
        if !self.read_keys(&t, section, &mut latency, &[]) {
            return None;
        }
        if let IoLatency::Uniform { min, max } = latency
            && min > max
        {
            let message = format!("uniform distribution has min ({min}) above max ({max})");
            self.error(path, t.span, message, "swap min and max");
            return None;
        }
        Some(latency)
    }

    /// A program to run: a command on PATH or a path, not empty.
    fn program(&mut self, v: &Value, path: &str) -> Option<String> {
        let name = self.string(v, path)?;
        if name.trim().is_empty() {
            let key = path.rsplit('.').next().unwrap_or(path);
            let hint = match key {
                "node" => "name Node.js, e.g. node = \"node20\" or a path to one".to_string(),
                "python" => {
                    "name an interpreter, e.g. python = \"python3.12\" or a path to one".to_string()
                }
                other => format!("name a program on PATH or a path to one in `{other}`"),
            };
            self.error(path, v.span(), format!("`{key}` is empty"), &hint);
            return None;
        }
        Some(name)
    }

    /// A command to start: a non-empty list of strings whose first, the
    /// program, is not empty.
    fn command(&mut self, v: &Value, path: &str) -> Option<Vec<String>> {
        let hint = "write the program and its arguments as a list: command = [\"./my-runner\", \
                    \"--flag\"]";
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(path, v, "a list of strings", hint);
            return None;
        };
        let mut argv = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let DeValue::String(s) = item.get_ref() else {
                let at = format!("{path}[{i}]");
                let message = format!(
                    "`command` must be a list of strings; item {} is {}",
                    i + 1,
                    type_name(item.get_ref())
                );
                self.error(&at, item.span(), message, hint);
                return None;
            };
            argv.push(s.to_string());
        }
        match argv.first() {
            None => {
                let message = "`command` is empty";
                let hint = "name the runner to start: command = [\"./my-runner\"] (a program on \
                            PATH or a path, then its arguments)";
                self.error(path, v.span(), message, hint);
                None
            }
            Some(program) if program.trim().is_empty() => {
                let message = "`command`'s program (its first item) is empty";
                let hint = "start the list with a program on PATH or a path: command = \
                            [\"./my-runner\", \"--flag\"]";
                self.error(path, v.span(), message, hint);
                None
            }
            Some(_) => Some(argv),
        }
    }

    /// The tables of the `[[key]]` list at `path`, each titled `title`;
    /// reports a single table or another value, and no tables at all when
    /// every file needs one (`needed` says what to add then).
    pub fn tables<'t, 'i>(
        &mut self,
        value: Option<&'t Value<'i>>,
        (path, key): (&str, &str),
        title: &'static str,
        needed: Option<&str>,
    ) -> Vec<Table<'t, 'i>> {
        let items = match value.map(|v| (v, v.get_ref())) {
            Some((_, DeValue::Array(items))) if !items.is_empty() || needed.is_none() => items,
            Some((v, DeValue::Table(_))) => {
                let message = format!("[{key}] must be written [[{key}]]");
                let hint =
                    format!("use double brackets: [[{key}]] (an experiment may have several)");
                self.error(path, v.span(), message, &hint);
                return Vec::new();
            }
            Some((v, value)) if !matches!(value, DeValue::Array(_)) => {
                self.wrong_type(path, v, &format!("a list of [[{key}]] tables"), "");
                return Vec::new();
            }
            _ => {
                if let Some(with) = needed {
                    let message = format!("the experiment has no [[{key}]]");
                    let mut d =
                        Diagnostic::error(message).hint(format!("add a [[{key}]] with {with}"));
                    d.key_path = Some(key.to_string());
                    self.diags.push(d);
                }
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            match item.get_ref() {
                DeValue::Table(t) => out.push(Table::new(t, item.span(), item_path, title)),
                _ => self.wrong_type(&item_path, item, "a table", ""),
            }
        }
        out
    }

    /// Reports names used twice among the tables read; `what` names them
    /// in the message. False if any was.
    pub fn unique_names(&mut self, read: &[(&Table, String)], what: &str, hint: &str) -> bool {
        let mut seen = std::collections::HashSet::new();
        let mut ok = true;
        for (t, name) in read {
            if !seen.insert(name.as_str()) {
                let message = format!("two {what} are named \"{name}\"");
                self.error(&t.path_of("name"), t.span_of("name"), message, hint);
                ok = false;
            }
        }
        ok
    }
}
