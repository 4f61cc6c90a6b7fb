//! The discrete-event core: time and calendar, the event queue, random streams, distributions.

pub mod dist;
pub mod quad_heap;
pub mod queue;
pub mod rng;
pub mod time;
