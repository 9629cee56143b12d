use clap::Parser;

fn main() -> std::process::ExitCode {
    // The hidden subcommands conlab starts itself take no arguments and
    // skip clap (see `conlab::run_internal`); anything else is parsed.
    let mut args = std::env::args_os().skip(1);
    let code = match (args.next(), args.next()) {
        (Some(name), None) => conlab::run_internal(&name),
        _ => None,
    }
    .unwrap_or_else(|| conlab::run(conlab::cli::Cli::parse()));
    std::process::ExitCode::from(code.clamp(0, 255) as u8)
}
