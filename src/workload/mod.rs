//! The primitives tasks are made of: IO waits that are real waits on the
//! OS (a timer, or a request to a loopback delay server) and CPU work that
//! is real CPU burned on the task's own thread. No measurement and no
//! output here, and nothing about experiment files: a primitive is told a
//! duration or a deadline, never a workload.

pub mod cpu;
pub mod delay_server;
pub mod sleep;
pub mod tcp;
pub mod timer;
pub mod timerfd;
