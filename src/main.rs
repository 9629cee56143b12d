use clap::Parser;

fn main() -> std::process::ExitCode {
    let code = conlab::run(conlab::cli::Cli::parse());
    std::process::ExitCode::from(code.clamp(0, 255) as u8)
}
