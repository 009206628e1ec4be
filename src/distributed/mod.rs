//! Data-parallel trust regions over MPI (feature `mpi`): the data is sharded across ranks, the
//! trust-region state is replicated.
//!
//! # What is distributed
//!
//! The problems this module serves are sums over data,
//!
//! $$ f(x) = \sum_{k=0}^{p-1} f_k(x), \qquad
//!    g(x) = \sum_k g_k(x), \qquad H(x) v = \sum_k H_k(x) v, $$
//!
//! where rank `k` of `p` holds shard `k` of the data and can evaluate its part. For least
//! squares the shard is a block of rows, $r = (r_0; \dots; r_{p-1})$, and
//!
//! $$ f = \tfrac12 \sum_k \lVert r_k \rVert^2, \qquad g = J^\top r = \sum_k J_k^\top r_k,
//!    \qquad J^\top J v = \sum_k J_k^\top (J_k v), $$
//!
//! so only `n`-vectors ever cross the network: a residual vector of `m` entries never does.
//! For the Hessian-free training loop the mini-batch is split: each rank evaluates the samples
//! of the batch that live on its shard, and the batch mean is
//! $f_S = \sum_k s_k / \sum_k c_k$ with local sums $s_k$ and counts $c_k$ ([`training`]).
//!
//! The wrappers ([`ShardedObjective`], [`ShardedLeastSquares`], [`ShardedBatchLoss`]) implement
//! the ordinary problem traits ([`Objective`](crate::Objective),
//! [`HessianProduct`](crate::HessianProduct), [`DenseHessian`](crate::DenseHessian),
//! [`BatchLoss`](crate::solver::hessian_free::BatchLoss)) by evaluating the local part and
//! summing across ranks. The trust-region loops and step solvers are the unchanged
//! single-process code, run on every rank: the state they keep (`x`, the radius, the CG
//! vectors) is `O(n)` and identical everywhere. Gauss-Newton on sharded residuals is the
//! Newton loop on the model $B = J^\top J$: with [`Steihaug`](crate::subproblem::Steihaug) it is
//! CG on the normal equations (matrix-free), with
//! [`MoreSorensen`](crate::subproblem::MoreSorensen) the exact step on the reduced `n x n`
//! matrix (for a few parameters).
//!
//! # Every rank takes the same step
//!
//! A rank's next `x` is a function of the reduced values only, so the ranks stay in lock step
//! as long as every rank receives the *same bits*. The sums are formed on rank 0 and then
//! broadcast ([`Reduction`]): `MPI_Reduce` followed by `MPI_Bcast`
//! ([`Reduction::ReduceBroadcast`]), or `MPI_Gather` with the sum taken on rank 0 in rank
//! order followed by `MPI_Bcast` ([`Reduction::Ordered`], the default). Either way every rank
//! holds rank 0's result, so every rank computes the same step. With [`Reduction::Ordered`] the
//! order of the additions is fixed (rank 0's part, plus rank 1's, ...), so a run is bitwise
//! reproducible for a given number of ranks whatever the MPI library does; on one rank it is
//! bitwise the single-process run. `MPI_Reduce` leaves the order to the MPI library (usually
//! fixed for a given library, message size and rank count, but not promised by the standard);
//! it sends `O(n log p)` instead of rank 0 receiving `O(n p)`.
//!
//! The replicated computation must itself be bitwise identical on every rank: the same binary
//! on machines with the same floating-point behaviour (faer picks SIMD kernels at run time, so
//! mixing CPU generations in one job can make the ranks' steps differ in the last bits).
//!
//! # Limits, observers and faults
//!
//! - A wall-clock limit could end the run on one rank and not on another, leaving the others
//!   waiting in a reduction forever: the distributed entry points refuse options with
//!   `limits.max_time` ([`crate::SetupError::InvalidOption`]). The
//!   iteration and evaluation limits count the same on every rank. An observer that stops the
//!   run must decide from the values it is given (identical on every rank), not from a clock or
//!   the rank.
//! - A non-finite local value on one rank makes the sum non-finite on every rank (NaN and
//!   infinities propagate through the additions): the trial is rejected, or the start refused,
//!   on every rank together. No rank continues alone.
//! - Setup is checked collectively before the first evaluation: every rank compares its number
//!   of variables, a fingerprint of its options and its start point with rank 0's, and every
//!   rank returns the same [`crate::SetupError::RankMismatch`] when one
//!   differs.
//! - A rank that panics takes the job down: the wrappers install (once) a panic hook that
//!   prints the panic and then calls `MPI_Abort` on `MPI_COMM_WORLD`, which the MPI launcher
//!   turns into the end of every rank ([`abort_on_panic`]). A rank that exits without
//!   `MPI_Finalize` (`std::process::exit`, a signal) is detected by the launcher (Open MPI's
//!   `mpirun` then kills the other ranks and exits non-zero); the others do not hang.
//!
//! # Communication volume
//!
//! Every wrapper counts its collective operations and the bytes each rank contributes to
//! them ([`Communication`]): one reduction of `n + 1` doubles per gradient, `n` per
//! Hessian-vector product, one double per trial value. That, not the data size, is what a
//! cluster run scales with.
//!
//! # Example
//!
//! `examples/mpi_least_squares.rs` fits a few parameters to `10^7` observations split over
//! the ranks (`mpirun -np 2 target/release/examples/mpi_least_squares`; the README says how
//! to run it on a cluster).

mod least_squares;
mod objective;
pub mod training;

pub use least_squares::{DenseShard, ResidualShard, ShardedLeastSquares};
pub use objective::ShardedObjective;
pub use training::{shard_range, BatchSampler, BatchShard, ShardedBatchLoss};

use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::sync::Once;

use mpi::collective::SystemOperation;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives, Root};
use serde::Serialize;

use crate::error::SetupError;
use crate::termination::Limits;

/// How the per-rank parts are summed so that every rank receives the same bits (module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Reduction {
    /// `MPI_Gather` to rank 0, the sum in rank order on rank 0, `MPI_Bcast`: bitwise
    /// reproducible for a given number of ranks. Rank 0 receives `p` vectors.
    #[default]
    Ordered,
    /// `MPI_Reduce` (sum) to rank 0, then `MPI_Bcast`: every rank gets rank 0's bits; the order
    /// of the additions is the MPI library's.
    ReduceBroadcast,
}

/// Collective operations made by a sharded problem, counted on the calling rank.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Communication {
    /// Number of reductions (each one sum followed by one broadcast).
    pub reductions: u64,
    /// Bytes this rank contributed to the reductions (8 per double): the volume a cluster run
    /// scales with. The broadcast of the result moves the same number of bytes back.
    pub bytes_reduced: u64,
}

/// The communicator side shared by the sharded wrappers: reductions with counters and scratch.
struct Collective<'c, C: Communicator> {
    comm: &'c C,
    reduction: Reduction,
    stats: Cell<Communication>,
    /// Rank 0's receive buffer for [`Reduction::Ordered`] (`p` times the message).
    gathered: RefCell<Vec<f64>>,
}

impl<'c, C: Communicator> Collective<'c, C> {
    fn new(comm: &'c C) -> Self {
        abort_on_panic();
        Self {
            comm,
            reduction: Reduction::default(),
            stats: Cell::new(Communication::default()),
            gathered: RefCell::new(Vec::new()),
        }
    }

    fn rank(&self) -> usize {
        self.comm.rank() as usize
    }

    fn size(&self) -> usize {
        self.comm.size() as usize
    }

    /// `out <- sum over ranks of local`, the same bits on every rank.
    fn sum_into(&self, local: &[f64], out: &mut [f64]) {
        debug_assert_eq!(local.len(), out.len());
        let root = self.comm.process_at_rank(0);
        let is_root = self.comm.rank() == 0;
        match self.reduction {
            Reduction::ReduceBroadcast => {
                if is_root {
                    root.reduce_into_root(local, out, SystemOperation::sum());
                } else {
                    root.reduce_into(local, SystemOperation::sum());
                }
            }
            Reduction::Ordered => {
                if is_root {
                    let len = local.len();
                    let mut all = self.gathered.borrow_mut();
                    all.resize(len * self.size(), 0.0);
                    root.gather_into_root(local, &mut all[..]);
                    out.copy_from_slice(&all[..len]);
                    for part in all[len..].chunks_exact(len.max(1)) {
                        for (o, v) in out.iter_mut().zip(part) {
                            *o += v;
                        }
                    }
                } else {
                    root.gather_into(local);
                }
            }
        }
        root.broadcast_into(out);
        let mut s = self.stats.get();
        s.reductions += 1;
        s.bytes_reduced += 8 * local.len() as u64;
        self.stats.set(s);
    }

    /// The sum over ranks of one number.
    fn sum(&self, local: f64) -> f64 {
        let mut out = [0.0];
        self.sum_into(&[local], &mut out);
        out[0]
    }

    /// Every rank's `value`, gathered on every rank (setup checks only; not counted).
    fn gather_u64(&self, value: u64) -> Vec<u64> {
        let mut all = vec![0u64; self.size()];
        self.comm.all_gather_into(&value, &mut all[..]);
        all
    }

    /// Checks collectively that every rank has rank 0's `value`; the same error on every rank.
    fn agree(&self, what: &'static str, value: u64, show: impl Fn(u64) -> String) -> Result<(), SetupError> {
        let all = self.gather_u64(value);
        match all.iter().position(|&v| v != all[0]) {
            None => Ok(()),
            Some(rank) => Err(SetupError::RankMismatch {
                what,
                rank,
                detail: format!("rank {rank}: {}, rank 0: {}", show(all[rank]), show(all[0])),
            }),
        }
    }

    /// The collective checks before a run: the number of variables, the options (their `Debug`
    /// text), the start point (its bits), and no wall-clock limit.
    fn check_run(&self, n: usize, options: &impl Debug, limits: &Limits, x0: &[f64]) -> Result<(), SetupError> {
        self.agree("number of variables", n as u64, |v| format!("n = {v}"))?;
        self.agree("options", fingerprint(format!("{options:?}").as_bytes()), |v| format!("fingerprint {v:016x}"))?;
        let bits: Vec<u8> = x0.iter().flat_map(|v| v.to_bits().to_le_bytes()).collect();
        self.agree("start point", fingerprint(&bits), |v| format!("fingerprint {v:016x}"))?;
        // Every rank has rank 0's options here, so they all take this branch together.
        if let Some(t) = limits.max_time {
            return Err(SetupError::InvalidOption {
                name: "limits.max_time",
                value: t.as_secs_f64(),
                reason: "a wall-clock limit can end the run on one rank and not on the others; use max_iterations or max_evaluations in a distributed run",
            });
        }
        Ok(())
    }
}

/// Buffers of a reduced dense `n x n` matrix (the local matrix column-major, the sum), grown on
/// the first use and reused at every point after it.
#[derive(Debug, Default)]
struct DenseSum {
    local: Vec<f64>,
    sum: Vec<f64>,
}

impl DenseSum {
    /// The two buffers, each of length `n * n`.
    fn buffers(&mut self, n: usize) -> (&mut [f64], &mut [f64]) {
        if self.local.len() != n * n {
            self.local = vec![0.0; n * n];
            self.sum = vec![0.0; n * n];
        }
        (&mut self.local, &mut self.sum)
    }
}

/// FNV-1a, 64 bits: a fingerprint to compare options and start points across ranks.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// Installs (once per process) a panic hook that runs the previous hook, so the message is
/// printed, and then calls `MPI_Abort(MPI_COMM_WORLD, 101)`: a panic on one rank ends every
/// rank instead of leaving them blocked in the next reduction. The sharded wrappers call it
/// when they are built; call it yourself to cover code that runs before.
pub fn abort_on_panic() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            previous(info);
            if mpi::is_initialized() && !mpi::is_finalized() {
                SimpleCommunicator::world().abort(101);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn fingerprints_tell_options_apart() {
        assert_ne!(fingerprint(b"gtol: 1e-6"), fingerprint(b"gtol: 1e-7"));
        assert_eq!(fingerprint(b""), 0xcbf2_9ce4_8422_2325);
    }
}
