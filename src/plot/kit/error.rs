//! Why drawing failed: the one error type of the kit and the charts.

use plotters::prelude::DrawingAreaErrorKind;

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the chart font could not be loaded: {0}")]
    Font(String),
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("nothing to draw: {0}")]
    NoData(String),
    #[error("PNG encoding failed: {0}")]
    Encode(String),
}

impl ChartError {
    /// A failure of the plotters backend.
    pub fn draw<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> ChartError {
        ChartError::Draw(e.to_string())
    }
}
