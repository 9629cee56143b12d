//! The delay server behind `io = "tcp"`: a process of its own (the hidden
//! `conlab __delay-server`), so its CPU time is not charged to the model it
//! serves. It listens on 127.0.0.1 on an ephemeral port, prints
//! `listening PORT`, and answers each request after the latency it names,
//! on one event loop with the same precise timer as the async models. When
//! its stdin closes it prints how late it answered (JSON) and exits.

use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::tcp::MESSAGE_LEN;
use super::timer::PreciseTimer;
use crate::measure::now_ns;
use crate::stats;

/// What the server reports when it stops.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerReport {
    pub requests: u64,
    /// Median lateness of its answers against the requested latency.
    pub overshoot_median_ns: Option<u64>,
    pub overshoot_max_ns: Option<u64>,
}

/// Entry point of `conlab __delay-server`; returns the exit code.
pub fn serve() -> i32 {
    // SAFETY: PR_SET_PDEATHSIG takes a signal number; no memory effects.
    unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        )
    };
    let _ = super::sleep::precise_timers();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("delay server: cannot build its event loop: {e}");
            return 2;
        }
    };
    let overshoots = Arc::new(Mutex::new(Vec::<u64>::new()));
    let served = overshoots.clone();
    let result: std::io::Result<()> = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening {port}")?;
            out.flush()?;
        }
        let timer = PreciseTimer::new()?;
        tokio::spawn(timer.clone().drive());
        // Stop when the run closes our stdin (or dies).
        let (stop_tx, mut stop_rx) = tokio::sync::mpsc::channel::<()>(1);
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            let _ = stop_tx.blocking_send(());
        });
        loop {
            tokio::select! {
                _ = stop_rx.recv() => return Ok(()),
                accepted = listener.accept() => {
                    let (stream, _) = accepted?;
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(answer(stream, timer.clone(), served.clone()));
                }
            }
        }
    });
    if let Err(e) = result {
        eprintln!("delay server: {e}");
        return 2;
    }
    let mut all = std::mem::take(&mut *overshoots.lock().unwrap_or_else(|e| e.into_inner()));
    let report = ServerReport {
        requests: all.len() as u64,
        overshoot_max_ns: all.iter().copied().max(),
        overshoot_median_ns: stats::median_u64(&mut all),
    };
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, &report)
        .map_err(std::io::Error::other)
        .and_then(|_| out.write_all(b"\n"))
        .and_then(|_| out.flush());
    if written.is_err() { 3 } else { 0 }
}

/// Serves one connection until the client closes it.
async fn answer(
    mut stream: tokio::net::TcpStream,
    timer: PreciseTimer,
    overshoots: Arc<Mutex<Vec<u64>>>,
) {
    let mut request = [0u8; MESSAGE_LEN];
    while stream.read_exact(&mut request).await.is_ok() {
        let deadline = now_ns() + u64::from_be_bytes(request);
        timer.sleep_until(deadline).await;
        let sent = now_ns();
        if let Ok(mut all) = overshoots.lock() {
            all.push(sent.saturating_sub(deadline));
        }
        if stream.write_all(&sent.to_be_bytes()).await.is_err() {
            return;
        }
    }
}
