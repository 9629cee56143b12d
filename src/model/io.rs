//! A task's IO handle: how its waits happen, chosen by the workload's `io`.
//! `sleep` waits on an OS timer; `tcp` sends a request over the task's own
//! loopback connection to the delay server and waits for the answer. The
//! connection is opened when the task starts and kept across its rounds.

use std::io;
use std::net::TcpStream;

use super::job::Job;
use crate::config::IoKind;
use crate::workload::timer::PreciseTimer;
use crate::workload::{sleep, tcp};

/// IO for a task that blocks its thread while it waits.
pub enum BlockingIo {
    Timer,
    Tcp(TcpStream),
}

impl BlockingIo {
    /// Opens the task's IO: nothing for timers, a connection for tcp.
    pub fn open(job: &Job) -> io::Result<BlockingIo> {
        match job.cell.io {
            IoKind::Sleep => Ok(BlockingIo::Timer),
            IoKind::Tcp => tcp::connect(job.tcp_server()?).map(BlockingIo::Tcp),
        }
    }

    /// Waits `latency_ns`, which began at `deadline_ns - latency_ns`, and
    /// returns when the IO completed: the deadline of a timer, the moment
    /// the delay server sent its answer.
    pub fn wait(&mut self, latency_ns: u64, deadline_ns: u64) -> io::Result<u64> {
        match self {
            BlockingIo::Timer => {
                sleep::sleep_until(deadline_ns);
                Ok(deadline_ns)
            }
            BlockingIo::Tcp(stream) => tcp::request(stream, latency_ns),
        }
    }
}

/// IO for a task on an event loop, which yields while it waits.
pub enum AsyncIo {
    Timer(PreciseTimer),
    Tcp(tokio::net::TcpStream),
}

impl AsyncIo {
    /// Opens the task's IO: the shared precise timer, or a connection.
    pub async fn open(job: &Job, timer: &PreciseTimer) -> io::Result<AsyncIo> {
        match job.cell.io {
            IoKind::Sleep => Ok(AsyncIo::Timer(timer.clone())),
            IoKind::Tcp => tcp::connect_async(job.tcp_server()?)
                .await
                .map(AsyncIo::Tcp),
        }
    }

    /// As [`BlockingIo::wait`], yielding to the event loop meanwhile.
    pub async fn wait(&mut self, latency_ns: u64, deadline_ns: u64) -> io::Result<u64> {
        match self {
            AsyncIo::Timer(timer) => {
                timer.sleep_until(deadline_ns).await;
                Ok(deadline_ns)
            }
            AsyncIo::Tcp(stream) => tcp::request_async(stream, latency_ns).await,
        }
    }
}
