//! conlab: turns claims about concurrency models into measured,
//! reproducible experiments.
//!
//! Data flows one way: the command line ([`cli`]) → experiment files
//! ([`config`]) → cells ([`matrix`]) → the runner ([`runner`]), which runs
//! each cell's runs in child processes that drive a [`model`] built from
//! [`workload`] primitives and timed by [`measure`] → [`results`] and
//! [`stats`] → charts ([`plot`]) and [`report`], written back by
//! [`render`]; [`commands`] wires the stages together per subcommand.
//!
//! The modules form layers, and a module imports only from layers below
//! its own; inside a folder, the files import one way too (plain data and
//! error types at the bottom, in files of their own), with no cycle among
//! them. Tests read the imports and hold the code to both:
//!
//! | layer | modules | what they hold |
//! |---|---|---|
//! | 0 | [`format`], [`stats`], [`measure`], [`signals`], [`child`], [`bounded`] | text formatting, pure statistics, clocks and rusage, the signals that stop a run, child processes' pipes and process groups, reading files conlab did not write with a limit |
//! | 1 | [`config`], [`noise`] | experiment files, and the vocabulary every later stage speaks: durations, model kinds and their defaults, IO kinds, sweep fields; how busy the machine was around a run |
//! | 2 | [`matrix`], [`predict`], [`queueing`], [`machine`] | cells from sweeps; each model's ideal time; its capacity and latency under open-loop load; facts about this machine |
//! | 3 | [`workload`] | IO waits and CPU work, the primitives tasks are made of |
//! | 4 | [`model`], [`reference`] | the concurrency models running a cell's tasks; what the bare reference programs (`examples/`) borrow to measure alike |
//! | 5 | [`results`] | what runs measured, summaries, the results folder |
//! | 6 | [`runner`] | preparing cells, scheduling runs in child processes |
//! | 7 | [`environment`], [`progress`] | the machine a run happens on; the progress bar |
//! | 8 | [`plot`] | charts |
//! | 9 | [`report`] | reports |
//! | 10 | [`render`] | charts and reports of a results folder, written into it |
//! | 11 | [`cli`] | the command line, as clap sees it |
//! | 12 | [`commands`] | one file per subcommand |

pub(crate) mod bounded;
pub(crate) mod child;
pub mod cli;
pub(crate) mod commands;
pub(crate) mod config;
pub(crate) mod environment;
pub(crate) mod format;
pub(crate) mod machine;
pub(crate) mod matrix;
pub(crate) mod measure;
pub(crate) mod model;
pub(crate) mod noise;
pub(crate) mod plot;
pub(crate) mod predict;
pub(crate) mod progress;
pub(crate) mod queueing;
pub mod reference;
pub(crate) mod render;
pub(crate) mod report;
pub(crate) mod results;
pub(crate) mod runner;
pub(crate) mod signals;
pub(crate) mod stats;
pub(crate) mod workload;

/// The runtimes beyond `python3` that tests run, shared likewise.
#[cfg(test)]
#[path = "../tests/support/runtimes.rs"]
pub(crate) mod test_runtimes;
/// Skips said out loud, shared with the end-to-end tests.
#[cfg(test)]
#[path = "../tests/support/skip.rs"]
pub(crate) mod test_skip;

use cli::{Cli, Command};
use commands::Exit;

/// Runs one of the hidden subcommands conlab starts itself (`__worker`,
/// `__pool-worker`, `__delay-server`) if `name` is one, and returns its
/// exit code. `main` tries this before parsing the command line with clap:
/// a worker is started for every run and its memory is part of the run's
/// peak RSS, and building clap's whole command tree to read one word costs
/// a worker about 0.9 MB, more than the tasks of a small run.
pub fn run_internal(name: &std::ffi::OsStr) -> Option<i32> {
    match name.to_str()? {
        "__worker" => Some(runner::worker::serve()),
        "__pool-worker" => Some(model::processes::serve_pool_worker()),
        "__delay-server" => Some(workload::delay_server::serve()),
        _ => None,
    }
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let outcome = match cli.command {
        Command::Worker => return runner::worker::serve(),
        Command::PoolWorker => return model::processes::serve_pool_worker(),
        Command::DelayServer => return workload::delay_server::serve(),
        Command::Models => Ok(commands::models::run()),
        Command::Validate { files } => Ok(commands::validate::run(&files)),
        Command::Schema => Ok(commands::schema::run()),
        Command::Init { file, python } => Ok(commands::init::run(&file, python)),
        Command::Plot(args) => commands::plot::run(&args),
        Command::Compare(args) => commands::compare::run(&args),
        Command::Check(args) => Ok(commands::check::run(&args)),
        Command::Merge(args) => commands::merge::run(&args),
        Command::Doctor(args) => Ok(commands::doctor::run(&args)),
        Command::InstallGevent(args) => Ok(commands::install_gevent::run(&args)),
        Command::Completions { shell } => commands::completions::run(shell),
        Command::Man => commands::man::run(),
        Command::RunnerCheck(args) => Ok(commands::runner_check::run(&args)),
        Command::Run(args) => {
            // First Ctrl-C, SIGTERM or SIGHUP: stop the current run, keep
            // what was measured, render. Second: leave at once.
            let interrupted = signals::install();
            commands::run::run(&args, interrupted)
        }
    };
    let code = match outcome {
        Ok(Exit::Interrupted) => signals::exit_code(),
        Ok(exit) => exit as i32,
        Err(e) => {
            eprintln!("error: {}", format::visible(&format!("{e:#}")));
            Exit::RunsFailed as i32
        }
    };
    // What a command printed is part of its work: if it could not be
    // written, the command did not do it.
    match commands::stdout_failure() {
        Some(why) => {
            eprintln!(
                "error: cannot write to stdout: {why}\n  = help: write the output somewhere with room, e.g. conlab … > file"
            );
            code.max(Exit::RunsFailed as i32)
        }
        None => code,
    }
}

#[cfg(test)]
mod layering {
    //! Holds the code to the layer table of this file's header, and the
    //! files inside each folder to a direction (what
    //! `shared/tools/file-cycles.py` checks, in the test suite).

    use std::path::Path;

    /// The layer of each top-level module, as in the header.
    const LAYERS: &[(&str, u32)] = &[
        ("format", 0),
        ("stats", 0),
        ("measure", 0),
        ("signals", 0),
        ("child", 0),
        ("bounded", 0),
        ("config", 1),
        ("noise", 1),
        ("matrix", 2),
        ("predict", 2),
        ("queueing", 2),
        ("machine", 2),
        ("workload", 3),
        ("model", 4),
        ("reference", 4),
        ("results", 5),
        ("runner", 6),
        ("environment", 7),
        ("progress", 7),
        ("plot", 8),
        ("report", 9),
        ("render", 10),
        ("cli", 11),
        ("commands", 12),
    ];

    fn layer(module: &str) -> Option<u32> {
        LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
    }

    /// The top-level modules a source text names as `crate::X`, outside
    /// its unit tests (which may reach anywhere to build their inputs).
    fn imports(text: &str) -> Vec<String> {
        let code = text.split("#[cfg(test)]").next().unwrap_or(text);
        let mut found = Vec::new();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if rest.starts_with('{') {
                // `use crate::{a::X, b::{Y, Z}};`: the first word of each
                // top-level item of the group.
                let group = rest.split("};").next().unwrap_or("");
                let mut depth = 0;
                let mut items = vec![String::new()];
                for ch in group.chars().skip(1) {
                    match ch {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => items.push(String::new()),
                        c => {
                            if let Some(item) = items.last_mut() {
                                item.push(c);
                            }
                        }
                    }
                }
                for item in items {
                    let word: String = item
                        .trim_start()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !word.is_empty() {
                        found.push(word);
                    }
                }
            } else {
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.push(word);
            }
        }
        found
    }

    fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_module_imports_only_from_layers_below_its_own() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        assert!(files.len() > 50, "found only {} source files", files.len());
        let mut upward = Vec::new();
        for file in &files {
            let relative = file.strip_prefix(&src).unwrap_or(file);
            let first = relative
                .components()
                .next()
                .map(|c| {
                    c.as_os_str()
                        .to_string_lossy()
                        .trim_end_matches(".rs")
                        .to_string()
                })
                .unwrap_or_default();
            let is_tests = file.file_name().is_some_and(|n| n == "tests.rs");
            if first == "lib" || first == "main" || is_tests {
                continue;
            }
            let Some(own) = layer(&first) else {
                upward.push(format!(
                    "{}: module `{first}` has no layer",
                    relative.display()
                ));
                continue;
            };
            let text = std::fs::read_to_string(file).unwrap_or_default();
            for target in imports(&text) {
                if target == first {
                    continue;
                }
                match layer(&target) {
                    Some(l) if l < own => {}
                    Some(l) => upward.push(format!(
                        "{}: `{first}` (layer {own}) imports `{target}` (layer {l})",
                        relative.display()
                    )),
                    None => {}
                }
            }
        }
        assert!(upward.is_empty(), "{}", upward.join("\n"));
    }

    /// The files of a folder a test leaves out (as
    /// `shared/tools/file-cycles.py` does): they may reach anywhere.
    const TEST_FILES: [&str; 3] = ["tests.rs", "fuzz.rs", "messages.rs"];

    /// A source text without its unit tests: everything from the first
    /// `#[cfg(test)] mod name {` on.
    fn without_tests(text: &str) -> &str {
        let mut rest = text;
        let mut at = 0;
        while let Some(found) = rest.find("#[cfg(test)]") {
            let after = rest[found + "#[cfg(test)]".len()..].trim_start();
            let is_mod = after.strip_prefix("mod ").is_some_and(|m| {
                let m = m.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
                m.trim_start().starts_with('{')
            });
            if is_mod {
                return &text[..at + found];
            }
            at += found + 1;
            rest = &text[at..];
        }
        text
    }

    /// The words `prefix` reaches in `text`: `prefix` then a word, or
    /// `prefix{…}` and every word up to its first `}`. Matches do not
    /// overlap, so `super::super::x` from a `super::` prefix reaches only
    /// `super`.
    fn reached(text: &str, prefix: &str, out: &mut Vec<String>) {
        let word = |s: &str| -> String {
            s.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        };
        let mut rest = text;
        while let Some(at) = rest.find(prefix) {
            rest = &rest[at + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inside = group.split('}').next().unwrap_or("");
                out.extend(
                    inside
                        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .filter(|w| !w.is_empty())
                        .map(str::to_string),
                );
            }
            let w = word(rest);
            rest = &rest[w.len()..];
            if !w.is_empty() {
                out.push(w);
            }
        }
    }

    /// The cycles among the files inside each folder of `src` (a file and
    /// the files beside it, a subfolder counting as one), read from
    /// `super::X`, `crate::<folder>::X` and `super::{…}` paths, as
    /// `folder: a <-> b <-> c`, sorted.
    fn file_cycles(src: &Path) -> Vec<String> {
        let mut folders = Vec::new();
        let mut files = Vec::new();
        sources(src, &mut files);
        for file in &files {
            let mut dir = file.parent();
            while let Some(d) = dir.filter(|d| *d != src && d.starts_with(src)) {
                if !folders.contains(&d.to_path_buf()) {
                    folders.push(d.to_path_buf());
                }
                dir = d.parent();
            }
        }
        folders.sort();
        let mut cycles = Vec::new();
        for folder in &folders {
            let name_of = |f: &Path| f.file_name().map(|n| n.to_string_lossy().to_string());
            // Each unit of the folder and its files.
            let mut units: Vec<(String, Vec<&std::path::PathBuf>)> = Vec::new();
            for file in files.iter().filter(|f| f.starts_with(folder)) {
                let name = name_of(file).unwrap_or_default();
                if TEST_FILES.contains(&name.as_str()) {
                    continue;
                }
                let relative = file.strip_prefix(folder).unwrap_or(file);
                let mut parts = relative.components();
                let first = parts
                    .next()
                    .map(|c| c.as_os_str().to_string_lossy().to_string())
                    .unwrap_or_default();
                let unit = if parts.next().is_none() {
                    if first == "mod.rs" {
                        continue;
                    }
                    first.trim_end_matches(".rs").to_string()
                } else {
                    first
                };
                match units.iter_mut().find(|(u, _)| *u == unit) {
                    Some((_, fs)) => fs.push(file),
                    None => units.push((unit, vec![file])),
                }
            }
            if units.len() < 2 {
                continue;
            }
            let crate_path = format!(
                "crate::{}::",
                folder
                    .strip_prefix(src)
                    .unwrap_or(folder)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().to_string())
                    .collect::<Vec<_>>()
                    .join("::")
            );
            let names: Vec<&str> = units.iter().map(|(u, _)| u.as_str()).collect();
            let mut edges: Vec<Vec<usize>> = vec![Vec::new(); units.len()];
            for (i, (_, fs)) in units.iter().enumerate() {
                for file in fs {
                    let text = std::fs::read_to_string(file).unwrap_or_default();
                    let text = without_tests(&text);
                    let parent = file.parent().unwrap_or(folder);
                    let below = parent
                        .strip_prefix(folder)
                        .map_or(0, |r| r.components().count());
                    let is_mod = name_of(file).is_some_and(|n| n == "mod.rs");
                    let depth = if below > 0 && is_mod {
                        below
                    } else {
                        below + 1
                    };
                    let mut found = Vec::new();
                    reached(text, &"super::".repeat(depth), &mut found);
                    let mut crate_found = Vec::new();
                    reached(text, &crate_path, &mut crate_found);
                    // `crate::a::{…}` groups are not read by the tool.
                    found.extend(crate_found);
                    for word in found {
                        if let Some(j) = names.iter().position(|n| *n == word)
                            && j != i
                            && !edges[i].contains(&j)
                        {
                            edges[i].push(j);
                        }
                    }
                }
            }
            // Units that reach each other are one cycle.
            let reach = |from: usize| {
                let mut seen = vec![false; units.len()];
                let mut stack = vec![from];
                while let Some(u) = stack.pop() {
                    for &v in &edges[u] {
                        if !seen[v] {
                            seen[v] = true;
                            stack.push(v);
                        }
                    }
                }
                seen
            };
            let reaches: Vec<Vec<bool>> = (0..units.len()).map(reach).collect();
            let mut placed = vec![false; units.len()];
            for i in 0..units.len() {
                if placed[i] {
                    continue;
                }
                let mut cycle: Vec<&str> = (0..units.len())
                    .filter(|&j| j == i || (reaches[i][j] && reaches[j][i]))
                    .inspect(|&j| placed[j] = true)
                    .map(|j| names[j])
                    .collect();
                if cycle.len() > 1 {
                    cycle.sort();
                    let at = folder.strip_prefix(src).unwrap_or(folder);
                    cycles.push(format!("{}: {}", at.display(), cycle.join(" <-> ")));
                }
            }
        }
        cycles.sort();
        cycles
    }

    #[test]
    fn the_files_of_a_folder_import_one_way() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let cycles = file_cycles(&src);
        assert!(
            cycles.is_empty(),
            "files inside one folder import each other (plain data and errors go in files of \
             their own, which the others import):\n{}",
            cycles.join("\n")
        );
    }

    #[test]
    fn a_cycle_among_files_is_found_in_a_folder_of_its_own() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
        };
        write("m/mod.rs", "mod a;\nmod b;\nmod c;\nuse self::a::A;\n");
        write("m/a.rs", "use super::b::B;\n");
        write("m/b.rs", "use super::{c::C, d};\n");
        write(
            "m/c.rs",
            "use crate::m::a::A;\n#[cfg(test)]\nmod tests {\n use super::b;\n}\n",
        );
        write("m/tests.rs", "use super::a;\n");
        // A subfolder is one unit; its files reach their siblings with one
        // `super::` more, its mod.rs with as many as a sibling file.
        write("n/sub/mod.rs", "use super::x::X;\n");
        write("n/sub/deep.rs", "use super::super::y::Y;\n");
        write("n/x.rs", "use super::y::Y;\n");
        write("n/y.rs", "use super::sub::Z;\n");
        write("n/z.rs", "use super::super::x::X;\n");
        assert_eq!(
            file_cycles(dir.path()),
            ["m: a <-> b <-> c", "n: sub <-> x <-> y"]
        );
    }

    #[test]
    fn imports_are_read_from_paths_and_groups() {
        let text = "use crate::config::{A, B};\nuse crate::{matrix::Cell, model::{Job, X}};\n\
                    fn f() { crate::stats::median(&[]); }\n#[cfg(test)]\nuse crate::plot;";
        assert_eq!(imports(text), ["config", "matrix", "model", "stats"]);
    }
}
