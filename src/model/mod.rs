//! Actors and mechanisms of the township, one file each, and the world that runs them.

pub mod citizens;
pub mod decision;
pub mod department;
pub mod desk;
pub mod leader;
pub mod operator;
pub mod order;
pub mod queue_stat;
pub mod ranking;
pub mod run_heap;
pub mod sorted;
pub mod story;
pub mod world;

pub use world::{DayFigures, DayObserver, RunOutput, SimError, run_observed, run_replication};
