//! embedsim: a discrete-event, agent-based simulator of how digital governance platforms embed —
//! or fail to embed — in a Chinese township's bureaucracy.
//!
//! The library never prints, exits or reads arguments: the `embedsim` binary does that.
//! Layers, bottom up: [`engine`] (time, events, randomness), [`scenario`] (TOML → validated model),
//! [`model`] (actors and mechanisms), [`metrics`] (measurement and regimes), [`experiment`]
//! (replications, validation), [`output`] (files and reports).

pub mod analysis;
pub mod api;
pub mod engine;
pub mod experiment;
pub mod metrics;
pub mod model;
pub mod output;
pub mod provenance;
pub mod scenario;
pub mod serve;
pub mod text;
