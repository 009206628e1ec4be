//! The Hessian-free training loop over sharded data: each rank evaluates the samples of the
//! mini-batch that live on its shard.
//!
//! With `N` samples split into contiguous shards ([`shard_range`]) and a batch `S` of iteration
//! `k`, rank `r` holds $S_r = S \cap \text{shard}_r$ and returns the sums
//! $s_r = \sum_{i \in S_r} l_i(w)$, $\sum_{i \in S_r} \nabla l_i(w)$,
//! $\sum_{i \in S_r} \nabla^2 l_i(w) v$ and the count $c_r = |S_r|$ ([`BatchShard`]); the
//! batch mean is $f_S = \sum_r s_r / \sum_r c_r$ (and likewise the gradient and products).
//!
//! The batch itself does not depend on the number of ranks: [`BatchSampler`] draws the global
//! batch of iteration `k` from its seed and `k` alone (the same indices on every rank, `O(|S|)`
//! work), and each rank keeps the indices inside its shard. A run on 1, 2 or 3 ranks therefore
//! trains on the same batches as the single-process run and differs from it only by the order
//! of the additions.

use std::collections::BTreeSet;
use std::ops::Range;

use mpi::traits::Communicator;

use super::{Collective, Communication, Reduction};
use crate::error::SetupError;
use crate::observe::Observer;
use crate::solver::hessian_free::{BatchLoss, HessianFree, HistoryEntry, TrainingReport};
use crate::subproblem::MatrixFree;

/// This rank's part of a loss over data, as sums over its samples in the current batch.
pub trait BatchShard {
    /// Number of parameters (the same on every rank).
    fn dim(&self) -> usize;
    /// Makes this rank's part of the batch of iteration `iteration` current and returns its
    /// number of samples (zero is allowed). The global batch must be a deterministic function
    /// of a seed shared by the ranks and `iteration` (for example [`BatchSampler`]).
    fn sample_batch(&mut self, iteration: u64) -> usize;
    /// The sum of the sample losses over this rank's part of the batch.
    fn loss_sum(&mut self, w: &[f64]) -> f64;
    /// Writes the sum of the sample gradients into `g` and returns the sum of the losses.
    fn gradient_sum(&mut self, w: &[f64], g: &mut [f64]) -> f64;
    /// Writes the sum of the sample Hessian-vector products into `hv`.
    fn hessian_product_sum(&mut self, w: &[f64], v: &[f64], hv: &mut [f64]);
}

/// The contiguous block of `0..total` held by `rank` of `ranks`: the first `total % ranks`
/// ranks hold one sample more than the others.
pub fn shard_range(total: usize, rank: usize, ranks: usize) -> Range<usize> {
    let ranks = ranks.max(1);
    let (base, extra) = (total / ranks, total % ranks);
    let start = rank * base + rank.min(extra);
    let len = base + usize::from(rank < extra);
    start.min(total)..(start + len).min(total)
}

/// Draws the mini-batch of each iteration from a seed: `batch` distinct indices of
/// `0..total`, uniformly (Floyd's algorithm), the same on every rank and for every number of
/// ranks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchSampler {
    /// The seed shared by the ranks.
    pub seed: u64,
    /// Number of samples `N`.
    pub total: usize,
    /// Batch size `|S|` (at most `N`).
    pub batch: usize,
}

impl BatchSampler {
    /// A sampler of `batch` out of `total` samples.
    pub fn new(seed: u64, total: usize, batch: usize) -> Self {
        Self { seed, total, batch: batch.min(total) }
    }

    /// The global batch of `iteration`, sorted.
    pub fn batch_of(&self, iteration: u64) -> Vec<usize> {
        let mut state = self.seed ^ iteration.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5851_f42d_4c95_7f2d;
        let mut chosen = BTreeSet::new();
        // Floyd: for j in N-B..N, draw t in 0..=j; take t, or j if t was taken.
        for j in (self.total - self.batch)..self.total {
            let t = (splitmix(&mut state) % (j as u64 + 1)) as usize;
            if !chosen.insert(t) {
                chosen.insert(j);
            }
        }
        chosen.into_iter().collect()
    }

    /// The indices of the batch of `iteration` inside `shard`, sorted, written into `out`.
    pub fn local_batch(&self, iteration: u64, shard: &Range<usize>, out: &mut Vec<usize>) {
        out.clear();
        out.extend(self.batch_of(iteration).into_iter().filter(|i| shard.contains(i)));
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small, well-mixed generator for the sampler.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A [`BatchLoss`] whose batch is split over the ranks of a communicator (module docs); every
/// method is collective. Train with [`ShardedBatchLoss::train`] on every rank.
pub struct ShardedBatchLoss<'c, C: Communicator, L> {
    local: L,
    collective: Collective<'c, C>,
    /// `1 / sum_r c_r` of the current batch.
    inv_count: f64,
    send: Vec<f64>,
    recv: Vec<f64>,
}

impl<C: Communicator, L> std::fmt::Debug for ShardedBatchLoss<'_, C, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardedBatchLoss")
            .field("rank", &self.collective.rank())
            .field("ranks", &self.collective.size())
            .field("reduction", &self.collective.reduction)
            .field("communication", &self.collective.stats.get())
            .finish_non_exhaustive()
    }
}

impl<'c, C: Communicator, L: BatchShard> ShardedBatchLoss<'c, C, L> {
    /// Wraps this rank's part. Collective: every rank returns [`SetupError::RankMismatch`]
    /// when the ranks disagree on the number of parameters.
    pub fn new(comm: &'c C, local: L) -> Result<Self, SetupError> {
        let collective = Collective::new(comm);
        let n = local.dim();
        collective.agree("number of variables", n as u64, |v| format!("n = {v}"))?;
        Ok(Self { local, collective, inv_count: f64::NAN, send: vec![0.0; n + 1], recv: vec![0.0; n + 1] })
    }

    /// Chooses how the parts are summed (default [`Reduction::Ordered`]).
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.collective.reduction = reduction;
        self
    }

    /// This rank's part.
    pub fn local(&self) -> &L {
        &self.local
    }

    /// The collective operations made so far on this rank.
    pub fn communication(&self) -> Communication {
        self.collective.stats.get()
    }

    /// Trains on every rank ([`HessianFree::train`]) after the collective setup checks: the same
    /// number of parameters, options and start on every rank, no wall-clock limit.
    pub fn train<S: MatrixFree, O: Observer<HistoryEntry>>(
        &mut self,
        solver: &mut HessianFree<S, O>,
        w0: &[f64],
    ) -> Result<TrainingReport, SetupError> {
        self.collective.check_run(self.local.dim(), &solver.options, &solver.options.limits, w0)?;
        solver.train(self, w0)
    }
}

impl<C: Communicator, L: BatchShard> BatchLoss for ShardedBatchLoss<'_, C, L> {
    fn dim(&self) -> usize {
        self.local.dim()
    }
    fn sample_batch(&mut self, iteration: u64) {
        let count = self.local.sample_batch(iteration);
        // An empty global batch gives NaN values, which the loop treats as a skipped iteration.
        self.inv_count = 1.0 / self.collective.sum(count as f64);
    }
    fn loss(&mut self, w: &[f64]) -> f64 {
        self.collective.sum(self.local.loss_sum(w)) * self.inv_count
    }
    fn gradient(&mut self, w: &[f64], g: &mut [f64]) -> f64 {
        let n = g.len();
        self.send[n] = self.local.gradient_sum(w, &mut self.send[..n]);
        self.collective.sum_into(&self.send, &mut self.recv);
        for (o, v) in g.iter_mut().zip(&self.recv[..n]) {
            *o = v * self.inv_count;
        }
        self.recv[n] * self.inv_count
    }
    fn hessian_product(&mut self, w: &[f64], v: &[f64], hv: &mut [f64]) {
        let n = hv.len();
        self.local.hessian_product_sum(w, v, &mut self.send[..n]);
        self.collective.sum_into(&self.send[..n], hv);
        for o in hv.iter_mut() {
            *o *= self.inv_count;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_samples_once() {
        for total in [0, 1, 7, 10, 1001] {
            for ranks in 1..5 {
                let mut next = 0;
                for r in 0..ranks {
                    let s = shard_range(total, r, ranks);
                    assert_eq!(s.start, next);
                    assert!(s.len() + 1 >= total / ranks && s.len() <= total / ranks + 1);
                    next = s.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn batches_are_distinct_sorted_and_split_exactly_by_shards() {
        let s = BatchSampler::new(7, 1000, 64);
        let b = s.batch_of(3);
        assert_eq!(b.len(), 64);
        assert!(b.windows(2).all(|w| w[0] < w[1]) && b[63] < 1000);
        assert_ne!(b, s.batch_of(4));
        assert_eq!(b, s.batch_of(3));
        let mut all = Vec::new();
        let mut part = Vec::new();
        for r in 0..3 {
            s.local_batch(3, &shard_range(1000, r, 3), &mut part);
            all.extend_from_slice(&part);
        }
        assert_eq!(all, b);
        assert_eq!(BatchSampler::new(1, 5, 9).batch_of(0), vec![0, 1, 2, 3, 4]);
    }
}
