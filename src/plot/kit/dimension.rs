//! One axis of a chart as the frame draws it: a scale, its ticks and its
//! title; numeric or categories.

use super::scale::{Scale, Tick};

/// One axis: its scale, its ticks (in scale values), its title.
#[derive(Clone, Debug)]
pub struct Dimension {
    pub scale: Scale,
    pub ticks: Vec<Tick>,
    pub title: String,
    /// Draw grid lines at the ticks (not for category axes).
    pub grid: bool,
}

impl Dimension {
    pub fn numeric(scale: Scale, title: impl Into<String>) -> Dimension {
        Dimension {
            scale,
            ticks: scale.ticks(7),
            title: title.into(),
            grid: true,
        }
    }

    /// Categories at 0, 1, 2, …, labelled in order.
    pub fn categories(labels: &[String], title: impl Into<String>) -> Dimension {
        Dimension {
            scale: Scale {
                lo: -0.5,
                hi: labels.len() as f64 - 0.5,
                log: false,
            },
            ticks: labels
                .iter()
                .enumerate()
                .map(|(i, l)| Tick {
                    value: i as f64,
                    label: Some(l.clone()),
                })
                .collect(),
            title: title.into(),
            grid: false,
        }
    }
}
