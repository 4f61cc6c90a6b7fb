//! Experiments: replications in parallel, validation against queueing theory.

pub mod baseline;
pub mod compare;
pub mod design_file;
pub mod series_file;
pub mod shard;
pub mod sweep;
pub mod sweep_files;
pub mod trace;
pub mod validation;

use rayon::prelude::*;

use crate::model::{RunOutput, SimError, run_observed, run_replication};
use crate::scenario::Scenario;

/// Why a batch of runs failed.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    /// A run stopped at a stated limit.
    #[error(transparent)]
    Sim(#[from] SimError),
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads")]
    Threads {
        /// Requested threads.
        threads: usize,
        /// The cause.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

/// How many workers `threads` means (`None`: one per core, as rayon's default pool has).
pub fn workers(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(rayon::current_num_threads)
}

/// Runs `f` on a pool of `threads` workers (`None`: rayon's default, one per core).
pub fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T, ExperimentError> {
    match threads {
        None => Ok(f()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|source| ExperimentError::Threads { threads: n, source })?;
            Ok(pool.install(f))
        }
    }
}

/// Runs replications `0..scenario.simulation.replications` in parallel; results come back in
/// replication order whatever order the threads finish in. `tick` is called once per finished run.
pub fn run_all(
    sc: &Scenario,
    threads: Option<usize>,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<RunOutput>, ExperimentError> {
    run_range(sc, 0, sc.simulation.replications, threads, tick)
}

/// [`run_all`] calling `tick_day` as each simulated day of each replication ends, for the
/// progress of large runs (a run of one long replication moves too). The results are those of
/// [`run_all`]: the observer sees nothing else.
pub fn run_all_by_day(
    sc: &Scenario,
    threads: Option<usize>,
    tick_day: &(dyn Fn() + Sync),
) -> Result<Vec<RunOutput>, ExperimentError> {
    with_threads(threads, || {
        (0..sc.simulation.replications)
            .into_par_iter()
            .map(|r| {
                let mut on_day = |_: u32, _: &crate::model::DayFigures<'_>| {
                    tick_day();
                    true
                };
                run_observed(sc, r, None, Some(&mut on_day))
            })
            .collect::<Result<Vec<_>, _>>()
    })?
    .map_err(ExperimentError::from)
}

/// Runs replications `from..to` of `sc` in parallel, results in replication order (so a run
/// extended batch by batch equals one run of all its replications).
pub fn run_range(
    sc: &Scenario,
    from: u32,
    to: u32,
    threads: Option<usize>,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<RunOutput>, ExperimentError> {
    with_threads(threads, || {
        (from..to)
            .into_par_iter()
            .map(|r| {
                let out = run_replication(sc, r);
                tick();
                out
            })
            .collect::<Result<Vec<_>, _>>()
    })?
    .map_err(ExperimentError::from)
}
