//! The primitives tasks are made of: IO waits that are real waits on the
//! OS, CPU work that is real CPU burned on the task's own thread, and the
//! seeded draw of each task's latencies. No measurement and no output here.

pub mod cpu;
pub mod io;
pub mod latency;
pub mod timer;
