//! A Linux timerfd on the monotonic clock: a timer the kernel completes at
//! an absolute deadline, readable (non-blocking) once it has expired. The
//! async models register it with their event loop; `polling` checks it.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::sleep::timespec;

pub struct TimerFd {
    fd: OwnedFd,
}

impl TimerFd {
    /// A new, disarmed, non-blocking timer.
    pub fn new() -> io::Result<TimerFd> {
        // SAFETY: timerfd_create has no memory effects; the result is
        // checked before use.
        let raw = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a freshly created descriptor that nothing else owns.
        Ok(TimerFd {
            fd: unsafe { OwnedFd::from_raw_fd(raw) },
        })
    }

    /// Arms the timer to expire at `deadline_ns` on the monotonic clock
    /// (at once if that has passed); 0 disarms it.
    pub fn arm(&self, deadline_ns: u64) {
        let spec = libc::itimerspec {
            it_interval: timespec(0),
            it_value: timespec(deadline_ns),
        };
        // SAFETY: a live timerfd and a valid itimerspec; a failure leaves
        // the timer as it was, which the callers' own deadline checks catch.
        unsafe {
            libc::timerfd_settime(
                self.fd.as_raw_fd(),
                libc::TFD_TIMER_ABSTIME,
                &spec,
                std::ptr::null_mut(),
            )
        };
    }

    /// Reads (and so clears) the expiration count without blocking: true
    /// if the timer has expired since the last read.
    pub fn expired(&self) -> io::Result<bool> {
        let mut count = 0u64;
        // SAFETY: reads at most 8 bytes into an 8-byte integer.
        let n = unsafe { libc::read(self.fd.as_raw_fd(), (&mut count as *mut u64).cast(), 8) };
        if n == 8 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::WouldBlock {
            Ok(false)
        } else {
            Err(e)
        }
    }
}

impl AsRawFd for TimerFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::now_ns;

    #[test]
    fn expires_at_its_deadline_and_not_before() {
        let t = TimerFd::new().unwrap_or_else(|e| panic!("{e}"));
        assert!(!t.expired().unwrap_or(true));
        let deadline = now_ns() + 2_000_000;
        t.arm(deadline);
        assert!(!t.expired().unwrap_or(true));
        while now_ns() < deadline + 1_000_000 {
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        assert!(t.expired().unwrap_or(false));
        assert!(
            !t.expired().unwrap_or(true),
            "reading clears the expiration"
        );
    }
}
