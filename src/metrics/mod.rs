//! Measurement: streaming statistics, what a run collects, and the regime classifier.

pub mod collector;
pub mod recovery;
pub mod regime;
pub mod stats;
pub mod summary;

pub use regime::Regime;
