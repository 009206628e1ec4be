//! Adam, the first-order baseline of the FDNet experiments.
//!
//! For `t = 1, 2, ...` on a fresh mini-batch each iteration (the same [`BatchLoss`] sampler as
//! the trust region, so a seed gives both methods the same batch sequence):
//!
//! ```text
//! m <- beta1 m + (1 - beta1) g,    v <- beta2 v + (1 - beta2) g^2,
//! w <- w - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
//! ```
//!
//! (Kingma & Ba 2015, Algorithm 1, with `eps` added after the square root as in PyTorch).
//! Reference settings: `beta = (0.9, 0.999)`, `eps = 1e-8`, learning rates 1e-3 and 1e-4,
//! batch 64, 12,000 iterations. Cost: one gradient per iteration. A non-finite loss or gradient
//! ends the run and marks it diverged.
//!
//! References:
//! 1. D. P. Kingma, J. Ba, Adam: A method for stochastic optimization, ICLR 2015.
//! 2. Spec `fdnet.md`, "Training" (baseline).

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use trust_region::solver::hessian_free::BatchLoss;

/// Adam's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct AdamOptions {
    /// Learning rate. Default `1e-3` (the reference also runs `1e-4`).
    pub learning_rate: f64,
    /// First-moment decay. Default `0.9`.
    pub beta1: f64,
    /// Second-moment decay. Default `0.999`.
    pub beta2: f64,
    /// Added to the root of the second moment. Default `1e-8`.
    pub eps: f64,
    /// Iterations (one mini-batch and one gradient each). Default `12_000`.
    pub iterations: usize,
}

impl Default for AdamOptions {
    fn default() -> Self {
        Self { learning_rate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, iterations: 12_000 }
    }
}

/// The outcome of an Adam run.
#[derive(Clone, Debug)]
pub struct AdamReport {
    /// Final parameters (the last finite iterate if the run diverged).
    pub w: Vec<f64>,
    /// Batch loss at the last gradient evaluation.
    pub loss: f64,
    /// Iterations performed (= gradients, the cost).
    pub iterations: usize,
    /// Whether a loss or gradient became non-finite.
    pub diverged: bool,
    /// Wall-clock time.
    pub elapsed: Duration,
}

/// Runs Adam from `w0`; `observer(t, batch_loss, w)` is called after every update and may stop
/// the run.
pub fn adam<L, O>(loss: &mut L, w0: &[f64], opts: &AdamOptions, mut observer: O) -> AdamReport
where
    L: BatchLoss + ?Sized,
    O: FnMut(usize, f64, &[f64]) -> ControlFlow<()>,
{
    let started = Instant::now();
    let n = w0.len();
    let mut w = w0.to_vec();
    let mut g = vec![0.0; n];
    let mut m = vec![0.0; n];
    let mut v = vec![0.0; n];
    let (mut p1, mut p2) = (1.0f64, 1.0f64);
    let mut last = f64::NAN;
    let mut diverged = false;
    let mut iterations = 0;
    for t in 1..=opts.iterations {
        loss.sample_batch((t - 1) as u64);
        let f = loss.gradient(&w, &mut g);
        iterations = t;
        last = f;
        if !f.is_finite() || !g.iter().all(|x| x.is_finite()) {
            diverged = true;
            break;
        }
        p1 *= opts.beta1;
        p2 *= opts.beta2;
        let (c1, c2) = (1.0 / (1.0 - p1), 1.0 / (1.0 - p2));
        for i in 0..n {
            m[i] = opts.beta1 * m[i] + (1.0 - opts.beta1) * g[i];
            v[i] = opts.beta2 * v[i] + (1.0 - opts.beta2) * g[i] * g[i];
            w[i] -= opts.learning_rate * (m[i] * c1) / ((v[i] * c2).sqrt() + opts.eps);
        }
        if observer(t, f, &w).is_break() {
            break;
        }
    }
    AdamReport { w, loss: last, iterations, diverged, elapsed: started.elapsed() }
}
