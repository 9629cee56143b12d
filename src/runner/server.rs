//! Starting and stopping a run's delay server (`io = "tcp"`): a process of
//! its own, in the run's process group, so a run killed at its timeout
//! takes its server with it; a run that ends normally stops it and reads
//! how precisely it answered.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use crate::workload::delay_server::ServerReport;

pub struct DelayServer {
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
    addr: String,
}

impl DelayServer {
    /// Starts `conlab __delay-server` and waits until it listens.
    pub fn start() -> Result<DelayServer, String> {
        let program = std::env::current_exe().map_err(|e| {
            format!("cannot find conlab's executable to start the delay server: {e}")
        })?;
        let mut child = Command::new(program)
            .arg("__delay-server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the delay server: {e}"))?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the delay server has no pipes".to_string());
        };
        let mut output = BufReader::new(output);
        let mut line = String::new();
        let port = match output.read_line(&mut line) {
            Ok(n) if n > 0 => line
                .trim()
                .strip_prefix("listening ")
                .and_then(|p| p.parse::<u16>().ok()),
            _ => None,
        };
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "the delay server did not start (it said {:?})",
                line.trim()
            ));
        };
        Ok(DelayServer {
            child,
            input: Some(input),
            output,
            addr: format!("127.0.0.1:{port}"),
        })
    }

    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Stops the server and returns its report, if it gave one.
    pub fn stop(mut self) -> Option<ServerReport> {
        if let Some(mut input) = self.input.take() {
            let _ = input.write_all(b"stop\n");
        }
        let mut line = String::new();
        let report = match self.output.read_line(&mut line) {
            Ok(n) if n > 0 => serde_json::from_str(line.trim()).ok(),
            _ => None,
        };
        let _ = self.child.kill();
        let _ = self.child.wait();
        report
    }
}

impl Drop for DelayServer {
    fn drop(&mut self) {
        // Whatever happened, the server does not outlive its run.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
