//! IO over loopback TCP: the wire format between a task and the delay
//! server, and the client side for blocking and async tasks. A task keeps
//! one connection across its rounds; each IO wait is one request (the
//! latency in ns, 8 bytes big-endian) and one reply (8 bytes: how late the
//! server answered, in ns, big-endian), sent after that latency.

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

/// One IO wait over a blocking connection: asks for `latency_ns` and
/// blocks until the answer arrives.
pub fn request(stream: &mut TcpStream, latency_ns: u64) -> io::Result<()> {
    stream.write_all(&latency_ns.to_be_bytes())?;
    let mut reply = [0u8; MESSAGE_LEN];
    stream.read_exact(&mut reply)
}

/// Opens an async connection to the delay server at `addr`.
pub async fn connect_async(addr: &str) -> io::Result<tokio::net::TcpStream> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// One IO wait over an async connection: the task yields to the event loop
/// until the answer arrives.
pub async fn request_async(stream: &mut tokio::net::TcpStream, latency_ns: u64) -> io::Result<()> {
    stream.write_all(&latency_ns.to_be_bytes()).await?;
    let mut reply = [0u8; MESSAGE_LEN];
    stream.read_exact(&mut reply).await.map(|_| ())
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

    /// Checks, without blocking, whether the whole reply has arrived.
    pub fn check(&mut self, stream: &mut TcpStream) -> io::Result<bool> {
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
                        return Ok(true);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}
