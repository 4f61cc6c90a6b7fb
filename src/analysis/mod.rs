//! Research tools: sound statistics (intervals, multiplicity, warm-up, precision), global
//! sensitivity (Morris, Sobol), scenario discovery (PRIM) and calibration (simulated method of
//! moments). Pure numerical routines sit in their own files and know nothing of the simulator;
//! the files that run scenarios say so at their top. Methods and references: docs/RESEARCH.md.

pub mod calibrate;
pub mod design;
pub mod discovery;
pub mod fluid;
pub mod intervals;
pub mod morris;
pub mod mser;
pub mod multiplicity;
pub mod neldermead;
pub mod precision;
pub mod prim;
pub mod sensitivity;
pub mod sobol;
pub mod special;
pub mod warmup;
