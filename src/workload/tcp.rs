//! IO over loopback TCP: the wire format between a task and the delay
//! server, and the client side for blocking and async tasks. A task keeps
//! one connection across its rounds; each IO wait is one request (the
//! latency in ns, 8 bytes big-endian) and one reply (8 bytes big-endian:
//! when the server sent it, in ns on `CLOCK_MONOTONIC`, the clock every
//! process of a run shares), sent after that latency. The client knows
//! from it when its IO completed, so it can tell how long it took to run
//! again after that.

use std::io::{self, Read, Write};
use std::net::TcpStream;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Bytes in a request and in a reply.
pub const MESSAGE_LEN: usize = 8;

/// Opens a blocking connection to the delay server at `addr`.
pub fn connect(addr: &str) -> io::Result<TcpStream> {
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// One IO wait over a blocking connection: asks for `latency_ns`, blocks
/// until the answer arrives, and returns when the server sent it.
pub fn request(stream: &mut TcpStream, latency_ns: u64) -> io::Result<u64> {
    stream.write_all(&latency_ns.to_be_bytes())?;
    let mut reply = [0u8; MESSAGE_LEN];
    stream.read_exact(&mut reply)?;
    Ok(u64::from_be_bytes(reply))
}

/// Opens an async connection to the delay server at `addr`.
pub async fn connect_async(addr: &str) -> io::Result<tokio::net::TcpStream> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// One IO wait over an async connection: the task yields to the event loop
/// until the answer arrives; returns when the server sent it.
pub async fn request_async(stream: &mut tokio::net::TcpStream, latency_ns: u64) -> io::Result<u64> {
    stream.write_all(&latency_ns.to_be_bytes()).await?;
    let mut reply = [0u8; MESSAGE_LEN];
    stream.read_exact(&mut reply).await?;
    Ok(u64::from_be_bytes(reply))
}

/// A reply being received without blocking, for tasks that poll.
pub struct PendingReply {
    buf: [u8; MESSAGE_LEN],
    got: usize,
}

impl PendingReply {
    /// Sends the request on a non-blocking connection.
    pub fn send(stream: &mut TcpStream, latency_ns: u64) -> io::Result<PendingReply> {
        let request = latency_ns.to_be_bytes();
        let mut sent = 0;
        while sent < MESSAGE_LEN {
            match stream.write(&request[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::hint::spin_loop(),
                Err(e) => return Err(e),
            }
        }
        Ok(PendingReply {
            buf: [0; MESSAGE_LEN],
            got: 0,
        })
    }

    /// Checks, without blocking, whether the whole reply has arrived, and
    /// if so returns when the server sent it.
    pub fn check(&mut self, stream: &mut TcpStream) -> io::Result<Option<u64>> {
        loop {
            match stream.read(&mut self.buf[self.got..]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the delay server closed the connection",
                    ));
                }
                Ok(n) => {
                    self.got += n;
                    if self.got == MESSAGE_LEN {
                        return Ok(Some(u64::from_be_bytes(self.buf)));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}
