//! The primitives tasks are made of: IO waits that are real waits on the
//! OS (a timer, or a request to a loopback delay server), CPU work that is
//! real CPU burned on the task's own thread, and the seeded draw of each
//! task's latencies. No measurement and no output here.

pub mod cpu;
pub mod delay_server;
pub mod io;
pub mod latency;
pub mod tcp;
pub mod timer;
pub mod timerfd;
