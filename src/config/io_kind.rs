//! How an IO wait happens (`io` of a `[[workload]]`): a word of the file
//! format that the workloads, the models and the registry's resource
//! counts all speak.

use serde::{Deserialize, Serialize};

use super::named::named;

named! {
    serde,
    /// How an IO wait happens.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
    pub enum IoKind {
        /// An OS timer: the task's thread (or event loop) sleeps until a deadline.
        #[default]
        Sleep = "sleep",
        /// A request over loopback TCP to a delay server.
        Tcp = "tcp",
    }
}
