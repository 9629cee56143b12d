//! The experiment file's keys as people read them: a Markdown table per
//! section for the book's file-format chapter ([`key_table`]) and plain
//! text for `conlab validate --help` ([`key_help`]), both generated from
//! the key declarations and the sections' `Default` impls (a test in
//! `commands::book` holds the book to [`key_table`]).

use super::keys::{
    ARRIVAL, CHART, CLAIM, CROSSOVER, DISTRIBUTION, DISTRIBUTIONS, EXPERIMENT, Fallback, GROUP,
    MODEL, NameRule, Read, Section, WORKLOAD,
};
use super::kind::ModelKind;
use super::param::Param;

/// One documented key: name, value, default, help.
type Row = [String; 4];

fn value_text<S>(read: &Read<S>) -> String {
    let range = |min: u64, max: u64| match (min, max) {
        (0, u64::MAX) => "a whole number".to_string(),
        (min, max) => format!("a whole number from {min} to {max}"),
    };
    let duration = |zero: bool| {
        if zero {
            "a duration"
        } else {
            "a duration above 0"
        }
    };
    match read {
        Read::Text(_) => "a string".to_string(),
        Read::Name(NameRule::Directory, _) => "a name; no `/`, `\\`, or leading `.`".to_string(),
        Read::Name(NameRule::Group, _) => "a name; no `.`, `;`, `=` or spaces".to_string(),
        Read::Name(NameRule::Label, _) => "a name".to_string(),
        Read::Program(_) => "a command on PATH, or a path".to_string(),
        Read::Flag(_) => "true or false".to_string(),
        Read::Count((min, max), _) => range(*min, *max),
        Read::Counts((min, max), _) => format!("{}, or a list", range(*min, *max)),
        Read::Duration(zero, _) => duration(*zero).to_string(),
        Read::Durations(zero, _) => format!("{}, or a list", duration(*zero)),
        Read::Latencies(_) => "a duration or a distribution, or a list".to_string(),
        Read::Rates(_) => "a number above 0 (requests per second), or a list".to_string(),
        Read::Arrival(_) => "a table { rate, dist }".to_string(),
        Read::Choice(choices, _) => {
            let names: Vec<String> = choices.names.iter().map(|n| format!("\"{n}\"")).collect();
            names.join(", ")
        }
        Read::Words(choices, _) => {
            let names: Vec<String> = choices.names.iter().map(|n| format!("\"{n}\"")).collect();
            format!("{}, or a list", names.join(", "))
        }
        Read::Texts(_) => "a list of strings".to_string(),
        Read::Command(_) => "a list of strings: a program, then its arguments".to_string(),
        Read::Tables(title) => format!("{title} tables"),
        Read::Limit(_) => "a duration, a number, or { ratio, of }".to_string(),
        Read::Limits(_) => {
            "[low, high] (two durations or numbers), or { ratio = [low, high], of }".to_string()
        }
        Read::Points(_) => "{ key = a value or a list, … }, or a list of them".to_string(),
        Read::Range(_) => "[low, high]: two numbers, or two durations".to_string(),
        Read::Crossover(_) => "{ of, and, axis, between }".to_string(),
    }
}

fn rows<S: Default>(section: &Section<S>) -> Vec<Row> {
    let defaults = S::default();
    section
        .keys
        .iter()
        .map(|key| {
            let default = match &key.default {
                Fallback::Required(_) => "required".to_string(),
                Fallback::Value(show) => format!("`{}`", show(&defaults)),
                Fallback::Derived(how) => how.to_string(),
            };
            let mut help = key.help.to_string();
            if section.title == MODEL.title
                && let Some(param) = Param::from_name(key.name)
            {
                help.push_str(&format!(" ({})", ModelKind::taking(param).join(", ")));
            }
            [key.name.to_string(), value_text(&key.read), default, help]
        })
        .collect()
}

/// Every section with its documented keys, in the order of a file.
fn sections() -> Vec<(String, Vec<Row>)> {
    let mut all = vec![
        (EXPERIMENT.title.to_string(), rows(&EXPERIMENT)),
        (WORKLOAD.title.to_string(), rows(&WORKLOAD)),
        (
            format!("{} (or a [[workload]] without groups)", GROUP.title),
            rows(&GROUP),
        ),
        (MODEL.title.to_string(), rows(&MODEL)),
        (CHART.title.to_string(), rows(&CHART)),
        (CLAIM.title.to_string(), rows(&CLAIM)),
        ("crossover = { … }".to_string(), rows(&CROSSOVER)),
    ];
    let mut latency = rows(&DISTRIBUTION);
    for (section, dist) in DISTRIBUTIONS
        .iter()
        .zip(["uniform", "exponential", "normal"])
    {
        for mut row in rows(section) {
            row[0] = format!("{} ({dist})", row[0]);
            latency.push(row);
        }
    }
    all.push(("io_latency = { dist = … }".to_string(), latency));
    all.push((
        "arrival = { rate = …, dist = … }".to_string(),
        rows(&ARRIVAL),
    ));
    all
}

/// The book's key reference: a Markdown table per section, each under a
/// heading (a test holds the book to it).
#[cfg(test)]
pub fn key_table() -> String {
    let cell = |text: &str| text.replace('|', "\\|");
    let mut out = String::new();
    for (title, rows) in sections() {
        out.push_str(&format!(
            "### `{title}`\n\n| key | value | default | what it does |\n|---|---|---|---|\n"
        ));
        for [name, value, default, help] in rows {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                cell(&name),
                cell(&value),
                cell(&default),
                cell(&help)
            ));
        }
        out.push('\n');
    }
    out
}

/// The keys as plain text, for `conlab validate --help`.
pub fn key_help() -> String {
    let mut out = String::from(
        "Keys of an experiment file (`conlab schema` prints them as a JSON Schema; \
         durations are strings such as \"250us\", \"1.5ms\", \"2s\"):\n",
    );
    for (title, rows) in sections() {
        out.push_str(&format!("\n{title}\n"));
        for [name, value, default, help] in rows {
            let default = default.replace('`', "");
            out.push_str(&format!(
                "  {name:<18} {value}; default: {default}\n  {:<18} {help}\n",
                ""
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_the_default_impls() {
        let table = key_table();
        assert!(table.contains("| `repetitions` | a whole number from 1 to 100000 | `5` |"));
        assert!(table.contains("| `timeout` | a duration above 0 | `\"300s\"` |"));
        assert!(
            table.contains("| `tasks` | a whole number from 1 to 1000000, or a list | required |")
        );
        assert!(table.contains("| `width` | a whole number from 200 to 8000 | `1200` |"));
        let help = key_help();
        assert!(help.contains("\n[[workload.group]] (or a [[workload]] without groups)\n"));
        assert!(
            help.contains("  switch_interval    a duration above 0, or a list; default: \"5ms\"\n")
        );
    }
}
