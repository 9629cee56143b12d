//! The parameters a `[[model]]` entry may set besides `kind` and `name`,
//! each declared once: its word here, its default here, its type and help
//! in its row of `keys::MODEL` (which names it by [`Param::as_str`]), and
//! the kinds that take it in their declarations (`kind.rs`). The reader,
//! its "does not apply" message, the matrix's defaults, `where` checks,
//! `conlab validate --help` and the JSON Schema all ask these.

use super::duration::Nanos;
use super::field::Field;
use super::named::named;

/// The default `switch_interval` of `gil-threads`, CPython's own 5 ms.
pub const DEFAULT_SWITCH_INTERVAL: Nanos = Nanos(5_000_000);
/// The default `poll_interval` of `polling`: a busy spin.
pub const DEFAULT_POLL_INTERVAL: Nanos = Nanos(0);

named! {
    /// A model parameter that a `[[model]]` entry may set.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Param {
        Workers = "workers",
        SwitchInterval = "switch_interval",
        PollInterval = "poll_interval",
        Python = "python",
        Node = "node",
        Command = "command",
    }
}

/// What a cell runs with when its model takes a parameter but does not
/// set it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamDefault {
    /// One per usable core of the machine that runs it.
    Cores,
    /// A fixed duration.
    Duration(Nanos),
    /// The `[experiment]`'s `python`, else `python3`.
    Interpreter,
    /// The `[experiment]`'s `node`, else `node`.
    Node,
    /// None: a model of a kind that takes it must set it.
    Required,
}

impl Param {
    /// The parameter's value when a model that takes it does not set it.
    pub const fn default(self) -> ParamDefault {
        match self {
            Param::Workers => ParamDefault::Cores,
            Param::SwitchInterval => ParamDefault::Duration(DEFAULT_SWITCH_INTERVAL),
            Param::PollInterval => ParamDefault::Duration(DEFAULT_POLL_INTERVAL),
            Param::Python => ParamDefault::Interpreter,
            Param::Node => ParamDefault::Node,
            Param::Command => ParamDefault::Required,
        }
    }

    /// The sweep axis of a parameter a file may give a list of values
    /// (`workers = [2, 8]`); `None` for one that takes one value only.
    pub const fn field(self) -> Option<Field> {
        match self {
            Param::Workers => Some(Field::Workers),
            Param::SwitchInterval => Some(Field::SwitchInterval),
            Param::PollInterval => Some(Field::PollInterval),
            Param::Python | Param::Node | Param::Command => None,
        }
    }

    /// The parameters that are sweep axes, and their fields.
    pub fn sweepable() -> impl Iterator<Item = (Param, Field)> {
        Param::ALL.into_iter().filter_map(|p| Some((p, p.field()?)))
    }

    /// The default of a duration parameter (`None` for the others).
    pub const fn default_duration(self) -> Option<Nanos> {
        match self.default() {
            ParamDefault::Duration(d) => Some(d),
            ParamDefault::Cores
            | ParamDefault::Interpreter
            | ParamDefault::Node
            | ParamDefault::Required => None,
        }
    }
}

/// The workers a model with a `workers` parameter runs: the ones its cell
/// names, or one per usable core.
pub fn workers_or_cores(workers: Option<u32>, cores: usize) -> usize {
    workers.map_or(cores, |w| w as usize).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sweepable parameter's axis has the parameter's own key, and
    /// every model field is one parameter's.
    #[test]
    fn sweepable_parameters_are_the_model_fields() {
        for (param, field) in Param::sweepable() {
            assert_eq!(field.key(), param.as_str());
            assert!(!field.of_workload(), "{field}");
        }
        let model_fields: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|f| !f.of_workload())
            .collect();
        let params: Vec<Field> = Param::sweepable().map(|(_, f)| f).collect();
        assert_eq!(params, model_fields);
    }
}
