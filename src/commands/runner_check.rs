//! `conlab runner-check [--kind KIND | COMMAND...]`: the runner protocol's
//! conformance checks (`runner::conformance`) against a runner, each
//! printed with its figures as it ends, and a tally. Exit 0 when every
//! check held, 1 when one failed, 2 on bad arguments (nothing ran).

use super::{Exit, out, say};
use crate::cli::RunnerCheckArgs;
use crate::config::{ModelKind, Runs, Runtime};
use crate::model::external::Program;
use crate::model::{node, python};
use crate::runner::conformance::{Check, Conformance, Expect, Profile};

pub fn run(args: &RunnerCheckArgs) -> Exit {
    let (program, mode, profile) = match what_to_check(args) {
        Ok(found) => found,
        Err(message) => {
            say(format_args!("error: {message}"));
            return Exit::BadInput;
        }
    };
    let checks = match &args.only {
        None => Check::ALL.to_vec(),
        Some(list) => {
            let mut checks = Vec::new();
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                match Check::from_name(name) {
                    Some(c) => checks.push(c),
                    None => {
                        let all: Vec<&str> = Check::ALL.iter().map(|c| c.name()).collect();
                        say(format_args!(
                            "error: unknown check \"{name}\" in --only\n  = help: the checks are {}",
                            all.join(", ")
                        ));
                        return Exit::BadInput;
                    }
                }
            }
            checks
        }
    };
    out(format_args!(
        "runner-check: {} as model \"{mode}\" (expected: {}, {} workers){}",
        shown(&program),
        profile.expect.name(),
        profile.workers,
        if args.thorough { ", thorough" } else { "" }
    ));
    let mut report = |f: &crate::runner::conformance::Finding| out(f.line());
    let found = Conformance::new(&program, &mode, profile, args.thorough, &mut report).run(&checks);
    let failed = found.iter().filter(|f| f.held == Some(false)).count();
    let held = found.iter().filter(|f| f.held == Some(true)).count();
    if failed == 0 {
        out(format_args!("all {held} checks held"));
        Exit::Ok
    } else {
        out(format_args!("{failed} of {} checks failed", failed + held));
        Exit::RunsFailed
    }
}

/// The runner, its mode and what to expect of it, from the arguments.
fn what_to_check(args: &RunnerCheckArgs) -> Result<(Program, String, Profile), String> {
    if let Some(kind) = &args.kind {
        if !args.command.is_empty() {
            return Err("give --kind or a command, not both".to_string());
        }
        let Some(k) = ModelKind::from_name(kind) else {
            return Err(format!(
                "unknown model kind \"{kind}\"\n  = help: the built-in runner kinds are {}",
                runner_kinds().join(", ")
            ));
        };
        let (program, mode) = match k.runs() {
            Runs::Runner {
                runtime: Runtime::Python,
                mode,
            } => (python::program(python::DEFAULT_INTERPRETER), mode),
            Runs::Runner {
                runtime: Runtime::Node,
                mode,
            } => (node::program(node::DEFAULT_NODE), mode),
            Runs::Runner {
                runtime: Runtime::Custom,
                ..
            }
            | Runs::Own(_) => {
                return Err(format!(
                    "\"{kind}\" has no built-in runner\n  = help: the built-in runner kinds are {}; \
                     give your own runner as a command: conlab runner-check -- ./my-runner",
                    runner_kinds().join(", ")
                ));
            }
        };
        let profile = Profile::builtin(mode, args.workers)
            .ok_or_else(|| format!("no conformance profile for the runner's mode \"{mode}\""))?;
        return Ok((program, mode.to_string(), profile));
    }
    if args.command.is_empty() {
        return Err(
            "name the runner to check: conlab runner-check -- ./my-runner --flag \
                    (or --kind KIND for a built-in one)"
                .to_string(),
        );
    }
    if args.command[0].trim().is_empty() {
        return Err("the command's program (its first word) is empty".to_string());
    }
    let expect = Expect::from_name(&args.expect).ok_or_else(|| {
        format!(
            "unknown --expect \"{}\"\n  = help: use one of {}",
            args.expect,
            Expect::NAMES.join(", ")
        )
    })?;
    let program = Program {
        runner: format!("the runner `{}`", args.command[0]),
        argv: args.command.clone(),
    };
    Ok((
        program,
        args.model.clone(),
        Profile::custom(expect, args.workers),
    ))
}

/// The kinds with a built-in runner.
fn runner_kinds() -> Vec<&'static str> {
    ModelKind::ALL
        .into_iter()
        .filter(|k| matches!(k.runtime(), Some(Runtime::Python | Runtime::Node)))
        .map(ModelKind::name)
        .collect()
}

/// The command as a person reads it: a built-in runner's source, passed
/// on the command line, shown by name.
fn shown(program: &Program) -> String {
    let words: Vec<String> = program
        .argv
        .iter()
        .map(|w| {
            if w == python::RUNNER {
                "<runner.py>".to_string()
            } else if w == node::RUNNER {
                "<runner.js>".to_string()
            } else if w.contains('\n') {
                format!("<a program of {} lines>", w.lines().count())
            } else if w.contains(char::is_whitespace) || w.is_empty() {
                format!("'{w}'")
            } else {
                w.clone()
            }
        })
        .collect();
    format!("`{}`", words.join(" "))
}
