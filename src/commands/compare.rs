//! `conlab compare DIR_A DIR_B`: the same experiment measured twice, cell
//! by cell (matched by label): the ratio of median wall times and a
//! noise-aware verdict (see `results::compare` for the rule), printed as a
//! table and written as a chart and a Markdown file.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{Exit, out, out_json, read_folder, say, take_folder};
use crate::cli::{CompareArgs, FailOn};
use crate::format::slug;
use crate::plot;
use crate::report::compare as show;
use crate::results::folder::Purpose;
use crate::results::{Results, compare, store};

/// `output/compare-<A>-vs-<B>`, from the directories' names.
pub fn default_out(a: &Path, b: &Path) -> PathBuf {
    let name = |p: &Path| {
        p.canonicalize()
            .ok()
            .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
            .or_else(|| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "results".to_string())
    };
    Path::new("output").join(format!("compare-{}-vs-{}", slug(&name(a)), slug(&name(b))))
}

pub fn run(args: &CompareArgs) -> anyhow::Result<Exit> {
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.a, &args.b));
    let mut loaded = Vec::new();
    for dir in [&args.a, &args.b] {
        match read_folder(dir, || Results::load(dir)) {
            Ok(Ok(r)) => loaded.push(r),
            Ok(Err(e)) => {
                say(format_args!("error: {e}"));
                return Ok(Exit::BadInput);
            }
            Err(exit) => return Ok(exit),
        }
    }
    // The inputs are read (each under its shared lock, released since:
    // `--out` may be one of them); the comparison's folder is held from
    // here to the end.
    let lock = match take_folder(&out_dir, Purpose::Compare) {
        Ok(lock) => lock,
        Err(exit) => return Ok(exit),
    };
    let (a, b) = (&loaded[0], &loaded[1]);
    let rows = compare::compare(&a.summary.cells, &a.runs, &b.summary.cells, &b.runs);
    let (a_name, b_name) = (args.a.display().to_string(), args.b.display().to_string());
    if args.json {
        let doc = serde_json::json!({
            "a": a_name,
            "b": b_name,
            "min_effect": compare::MIN_EFFECT,
            "cells": rows,
        });
        out_json(&doc);
    } else {
        out(format_args!("A = {a_name}\nB = {b_name}\n"));
        out(format_args!("{}", show::render_table(&rows)));
        out(format_args!("\n{}", show::rule()));
    }
    let chart = match plot::render_comparison(&a_name, &b_name, &rows) {
        Ok(picture) => Some((picture.png, picture.svg)),
        Err(e) => {
            say(format_args!(
                "warning: the comparison chart could not be drawn: {e}"
            ));
            None
        }
    };
    let chart_ok = chart.is_some();
    let md = show::render_markdown(&a_name, &b_name, &rows, chart_ok.then_some("compare.png"));
    let mut files: Vec<(&str, &[u8])> = vec![("compare.md", md.as_bytes())];
    if let Some((png, svg)) = &chart {
        files.push(("compare.png", png));
        files.push(("compare.svg", svg.as_bytes()));
    }
    if let Err(e) = store::write_compare(&lock, &files) {
        if e.is_bad_input() {
            say(format_args!("error: {e}"));
            return Ok(Exit::BadInput);
        }
        return Err(anyhow::Error::new(e))
            .with_context(|| format!("cannot write the comparison into {}", out_dir.display()));
    }
    say(format_args!(
        "\nWrote compare.md{} into {}",
        if chart_ok {
            ", compare.png and compare.svg"
        } else {
            ""
        },
        out_dir.display()
    ));
    let slower: Vec<&str> = rows
        .iter()
        .filter(|r| r.verdict == compare::Verdict::Slower)
        .map(|r| r.label.as_str())
        .collect();
    if args.fail_on == Some(FailOn::Slower) && !slower.is_empty() {
        say(format_args!(
            "fails (--fail-on slower): {} of {} cells slower in B: {}",
            slower.len(),
            rows.len(),
            slower.join(", ")
        ));
        return Ok(Exit::RunsFailed);
    }
    Ok(Exit::Ok)
}
