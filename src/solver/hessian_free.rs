//! A stochastic sub-sampled trust-region Newton-CG loop ("Hessian-free" training) for a loss
//! over data.
//!
//! Problem: minimize an empirical loss $F(w) = \frac1N \sum_{i=1}^N l_i(w)$ over parameters $w$
//! when only mini-batch losses $f_S(w) = \frac{1}{|S|} \sum_{i \in S} l_i(w)$, their exact
//! gradients $g_S(w)$ and exact Hessian-vector products $H_S(w) v$ are affordable ([`BatchLoss`]).
//!
//! Outer iteration `k` (Shi, Gulgec, Berahas, Pakzad & Takac 2020, sec. III and the released
//! code; Xu, Roosta & Mahoney 2020, Algorithm 1 with a sub-sampled gradient; Byrd, Chin,
//! Neveitt & Nocedal 2011 for sub-sampled Hessian-vector products):
//! 1. draw a fresh mini-batch $S_k$ ([`BatchLoss::sample_batch`], seeded by the model);
//! 2. evaluate $f = f_S(w)$ and $g = g_S(w)$ (one gradient);
//! 3. compute a step $s$ with Steihaug-Toint CG on the model
//!    $m(s) = f + g^\top s + \tfrac12 s^\top H_S s$ over $\norm{s} \le \Delta$, started from
//!    $s = 0$, stopped on negative curvature or the boundary (to the boundary by the
//!    cancellation-free root), on $\norm{r} \le \min(0.5, \sqrt{\norm{g}}) \norm{g}$
//!    (Nocedal & Wright 2006, eq. 7.3; [`Forcing::SqrtGradient`]) or after 60 CG iterations
//!    (each one Hessian-vector product). The CG is [`Steihaug`]: it is not written twice;
//! 4. $\rho = \dfrac{f_S(w) - f_S(w + s)}{m(0) - m(s)}$ on the *same* batch $S_k$
//!    (the predicted reduction is the CG's cancellation-free sum of nonnegative terms);
//! 5. accept $w \leftarrow w + s$ if $\rho > 0.2$; then the radius update of the reference (spec
//!    `fdnet.md`, "Training"):
//!    - $\rho < 0.25$: $\Delta \leftarrow \Delta / 4$;
//!    - $\rho > 0.75$ and the step is on the boundary: $\Delta \leftarrow \min(2 \Delta, 5)$;
//!    - otherwise unchanged.
//!
//! This update contracts the *radius*, not the step length: it differs from
//! [`crate::radius::update`], which shrinks relative to `min(||s||, radius)`, so it is
//! implemented here with the constants as documented defaults of [`RadiusRule`]. The ratio is
//! `ared / pred` with a *relative* round-off guard: when both `|ared|` and `|pred|` are at most
//! `10 eps |f|` the step counts as in agreement (`rho = 1`). A loss computed from residuals
//! is accurate relative to itself, and the losses of interest go to zero (1e-13 here), so the
//! absolute floor `10 eps (1 + |f|)` of [`crate::radius::ratio`] would accept every step once
//! `f < 1e-14`.
//!
//! Cost is counted as gradients + Hessian-vector products, the unit of the reference's plots;
//! trial losses are counted separately ([`Cost::losses`]).
//!
//! Non-finite values never panic the loop: a non-finite trial loss rejects the step and shrinks
//! the radius like `rho = -inf`; a non-finite loss or gradient at the current point on a new batch
//! skips the iteration; after `max_non_finite` consecutive such iterations the run ends with
//! [`Termination::NonFinite`]. A non-finite Hessian-vector product is seen by CG as non-positive
//! curvature (it goes to the boundary with zero curvature), and the trial loss then decides.
//!
//! The loop is deterministic: the batch of iteration `k` is chosen by the model from its own
//! seed and `k`, and no work is split across threads.
//!
//! References:
//! 1. J. Shi, N. Gulgec, A. S. Berahas, S. N. Pakzad, M. Takac, Finite Difference Neural
//!    Networks: Fast Prediction of Partial Differential Equations, ICMLA 2020, arXiv:2006.01892.
//! 2. T. Steihaug, The conjugate gradient method and trust regions in large scale optimization,
//!    SIAM J. Numer. Anal. 20 (1983) 626-637.
//! 3. J. Martens, Deep learning via Hessian-free optimization, ICML 2010.
//! 4. R. H. Byrd, G. M. Chin, W. Neveitt, J. Nocedal, On the use of stochastic Hessian
//!    information in optimization methods for machine learning, SIAM J. Optim. 21 (2011) 977-995.
//! 5. P. Xu, F. Roosta, M. W. Mahoney, Newton-type methods for non-convex optimization under
//!    inexact Hessian information, Math. Program. 184 (2020) 35-70.
//! 6. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), ch. 4 and 7.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use crate::error::SetupError;
use crate::linalg::{all_finite, norm_inf};
use crate::model::Model;
use crate::report::IterationInfo;
use crate::subproblem::steihaug::Forcing;
use crate::subproblem::{Needs, Steihaug, StepSolver, StepStatus};
use crate::termination::Termination;

/// A loss over data whose mini-batch value, gradient and Hessian-vector products are exact.
///
/// The model owns its data, its batch sampler and any workspace; the methods take `&mut self`
/// so that an implementation can cache per-batch statistics and per-point intermediates
/// (for example the gradient's cotangents reused by every Hessian-vector product at `w`).
/// Every method after [`BatchLoss::sample_batch`] refers to the current batch.
pub trait BatchLoss {
    /// Number of parameters.
    fn dim(&self) -> usize;
    /// Makes the mini-batch of outer iteration `iteration` the current one. The choice must be a
    /// deterministic function of the model's seed and `iteration`.
    fn sample_batch(&mut self, iteration: u64);
    /// The batch loss `f_S(w)`.
    fn loss(&mut self, w: &[f64]) -> f64;
    /// Writes `g_S(w)` into `g` and returns `f_S(w)`.
    fn gradient(&mut self, w: &[f64], g: &mut [f64]) -> f64;
    /// Writes the exact batch Hessian-vector product `H_S(w) v` into `hv`.
    fn hessian_product(&mut self, w: &[f64], v: &[f64], hv: &mut [f64]);
}

impl<L: BatchLoss + ?Sized> BatchLoss for &mut L {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn sample_batch(&mut self, iteration: u64) {
        (**self).sample_batch(iteration)
    }
    fn loss(&mut self, w: &[f64]) -> f64 {
        (**self).loss(w)
    }
    fn gradient(&mut self, w: &[f64], g: &mut [f64]) -> f64 {
        (**self).gradient(w, g)
    }
    fn hessian_product(&mut self, w: &[f64], v: &[f64], hv: &mut [f64]) {
        (**self).hessian_product(w, v, hv)
    }
}

/// The radius and acceptance rule of the loop. Defaults are the reference's constants
/// (Shi et al. 2020, released code; spec `fdnet.md`, "Training").
#[derive(Clone, Debug, PartialEq)]
pub struct RadiusRule {
    /// Initial radius. Default `0.1`.
    pub initial: f64,
    /// Largest radius. Default `5`.
    pub max_radius: f64,
    /// Accept the step when `rho > accept`. Default `0.2`.
    pub accept: f64,
    /// Shrink when `rho < eta1`. Default `0.25`.
    pub eta1: f64,
    /// Grow a boundary step when `rho > eta2`. Default `0.75`.
    pub eta2: f64,
    /// `radius <- shrink * radius` when `rho < eta1`. Default `0.25`.
    pub shrink: f64,
    /// `radius <- min(grow * radius, max_radius)` when `rho > eta2` on the boundary. Default `2`.
    pub grow: f64,
}

impl Default for RadiusRule {
    fn default() -> Self {
        Self { initial: 0.1, max_radius: 5.0, accept: 0.2, eta1: 0.25, eta2: 0.75, shrink: 0.25, grow: 2.0 }
    }
}

impl RadiusRule {
    /// Checks `0 < initial <= max_radius`, `0 <= accept < 1`, `0 < eta1 <= eta2 < 1`,
    /// `0 < shrink < 1 < grow`.
    pub fn validate(&self) -> Result<(), SetupError> {
        let bad = |name, value, reason| Err(SetupError::InvalidOption { name, value, reason });
        if !(self.max_radius > 0.0) {
            return bad("max_radius", self.max_radius, "must be positive");
        }
        if !(self.initial > 0.0 && self.initial.is_finite() && self.initial <= self.max_radius) {
            return bad("initial_radius", self.initial, "must be positive, finite and at most max_radius");
        }
        if !(0.0..1.0).contains(&self.accept) {
            return bad("accept", self.accept, "must satisfy 0 <= accept < 1");
        }
        if !(self.eta1 > 0.0 && self.eta1 <= self.eta2 && self.eta2 < 1.0) {
            return bad("eta1", self.eta1, "must satisfy 0 < eta1 <= eta2 < 1");
        }
        if !(self.shrink > 0.0 && self.shrink < 1.0) {
            return bad("shrink", self.shrink, "must satisfy 0 < shrink < 1");
        }
        if !(self.grow > 1.0 && self.grow.is_finite()) {
            return bad("grow", self.grow, "must be finite and > 1");
        }
        Ok(())
    }

    /// The radius after a trial with ratio `rho` (spec `fdnet.md`): `radius * shrink` if
    /// `rho < eta1` (also for NaN), `min(grow * radius, max_radius)` if `rho > eta2` and the
    /// step is on the boundary, else unchanged.
    pub fn update(&self, radius: f64, rho: f64, hits_boundary: bool) -> f64 {
        if !(rho >= self.eta1) {
            self.shrink * radius
        } else if rho > self.eta2 && hits_boundary {
            (self.grow * radius).min(self.max_radius)
        } else {
            radius
        }
    }
}

/// `rho = ared / pred` with the relative round-off guard described in the module docs:
/// `1` when `|ared| <= 10 eps |f|` and `|pred| <= 10 eps |f|`; `-inf` for a non-finite `ared`,
/// a NaN `pred`, or a non-positive `pred` outside the guard.
pub fn batch_ratio(actual_reduction: f64, predicted_reduction: f64, f: f64) -> f64 {
    if !actual_reduction.is_finite() || predicted_reduction.is_nan() {
        return f64::NEG_INFINITY;
    }
    let noise = 10.0 * f64::EPSILON * f.abs();
    if actual_reduction.abs() <= noise && predicted_reduction.abs() <= noise {
        return 1.0;
    }
    if predicted_reduction <= 0.0 {
        return f64::NEG_INFINITY;
    }
    actual_reduction / predicted_reduction
}

/// Options of the Hessian-free loop.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Outer iterations (one mini-batch and one trial step each). Default `100` (the reference
    /// uses 300 for its unstable heat-equation case).
    pub iterations: usize,
    /// Radius and acceptance rule (reference constants).
    pub radius: RadiusRule,
    /// Consecutive iterations with a non-finite loss or gradient at the current point tolerated
    /// before the run fails. Default `30`.
    pub max_non_finite: usize,
    /// Keep a [`HistoryEntry`] per iteration in [`TrainingReport::history`]. Default `true`
    /// (the records are small and the loop is short).
    pub keep_history: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { iterations: 100, radius: RadiusRule::default(), max_non_finite: 30, keep_history: true }
    }
}

impl Options {
    /// Checks every option.
    pub fn validate(&self) -> Result<(), SetupError> {
        self.radius.validate()?;
        if self.max_non_finite == 0 {
            return Err(SetupError::InvalidOption { name: "max_non_finite", value: 0.0, reason: "must be at least 1" });
        }
        Ok(())
    }
}

/// Work counters. The reference's cost is `gradients + hessian_products` ([`Cost::total`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// Batch gradients (each also gives the batch loss at the current point).
    pub gradients: usize,
    /// Batch Hessian-vector products.
    pub hessian_products: usize,
    /// Trial losses (not part of the reference's cost).
    pub losses: usize,
}

impl Cost {
    /// `gradients + hessian_products`.
    pub fn total(&self) -> usize {
        self.gradients + self.hessian_products
    }
}

/// One iteration of the loop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistoryEntry {
    /// The shared per-iteration record. Here `f` is the batch loss at the current point after
    /// the iteration (the trial loss if accepted), `grad_inf` is `||g_S||_inf` at the point where
    /// the step was computed, and `radius` is the radius after the update.
    pub info: IterationInfo,
    /// Batch loss `f_S(w)` at the point where the step was computed.
    pub loss_before: f64,
    /// Cumulative cost (`gradients + hessian_products`) after this iteration.
    pub cost: usize,
}

/// Receives every iteration with the current parameters; can end the run.
pub trait TrainingObserver {
    /// Called after each iteration with its record and the parameters after it.
    fn observe(&mut self, entry: &HistoryEntry, w: &[f64]) -> ControlFlow<()>;
}

impl TrainingObserver for () {
    fn observe(&mut self, _: &HistoryEntry, _: &[f64]) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

impl<F: FnMut(&HistoryEntry, &[f64]) -> ControlFlow<()>> TrainingObserver for F {
    fn observe(&mut self, entry: &HistoryEntry, w: &[f64]) -> ControlFlow<()> {
        self(entry, w)
    }
}

/// The outcome of a training run.
#[derive(Clone, Debug)]
pub struct TrainingReport {
    /// Final parameters (the last accepted point: with a new batch per iteration there is no
    /// comparable "best" batch loss).
    pub w: Vec<f64>,
    /// Batch loss at `w` on the last batch.
    pub loss: f64,
    /// Why the run ended: [`Termination::MaxIterations`], [`Termination::UserStopped`] or
    /// [`Termination::NonFinite`].
    pub termination: Termination,
    /// Iterations performed.
    pub iterations: usize,
    /// Accepted steps.
    pub accepted_steps: usize,
    /// Total CG iterations.
    pub inner_iterations: usize,
    /// Work counters.
    pub cost: Cost,
    /// Final radius.
    pub radius: f64,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// Per-iteration records (empty unless [`Options::keep_history`]).
    pub history: Vec<HistoryEntry>,
}

/// The stochastic trust-region Newton-CG loop with step solver `S` (default: [`Steihaug`]
/// with the reference's forcing term and a cap of 60 CG iterations).
///
/// ```
/// use trust_region::solver::hessian_free::{BatchLoss, HessianFree};
///
/// /// Least squares `(1/|S|) sum_{i in S} (w0 + w1 t_i - y_i)^2` over 100 points on a line.
/// struct Line { batch: Vec<usize> }
/// fn point(i: usize) -> (f64, f64) { let t = i as f64 / 100.0; (t, 2.0 - 3.0 * t) }
/// impl BatchLoss for Line {
///     fn dim(&self) -> usize { 2 }
///     fn sample_batch(&mut self, k: u64) {
///         self.batch = (0..10).map(|j| (7 * k as usize + 13 * j) % 100).collect();
///     }
///     fn loss(&mut self, w: &[f64]) -> f64 {
///         self.batch.iter().map(|&i| { let (t, y) = point(i); (w[0] + w[1] * t - y).powi(2) }).sum::<f64>() / 10.0
///     }
///     fn gradient(&mut self, w: &[f64], g: &mut [f64]) -> f64 {
///         g.fill(0.0);
///         for &i in &self.batch {
///             let (t, y) = point(i);
///             let r = w[0] + w[1] * t - y;
///             g[0] += 0.2 * r;
///             g[1] += 0.2 * r * t;
///         }
///         self.loss(w)
///     }
///     fn hessian_product(&mut self, _w: &[f64], v: &[f64], hv: &mut [f64]) {
///         hv.fill(0.0);
///         for &i in &self.batch {
///             let (t, _) = point(i);
///             let jv = v[0] + v[1] * t;
///             hv[0] += 0.2 * jv;
///             hv[1] += 0.2 * jv * t;
///         }
///     }
/// }
///
/// let report = HessianFree::new().train(&mut Line { batch: vec![] }, &[0.0, 0.0]).unwrap();
/// assert!(report.loss < 1e-20);
/// assert!((report.w[1] + 3.0).abs() < 1e-8);
/// ```
#[derive(Clone, Debug)]
pub struct HessianFree<S = Steihaug> {
    /// Loop options.
    pub options: Options,
    /// The step solver (it must work with Hessian-vector products only).
    pub step: S,
}

/// The reference's CG: [`Forcing::SqrtGradient`] (`eta = min(0.5, sqrt(||g||))`) and at most 60
/// iterations.
pub fn reference_cg() -> Steihaug {
    let mut cg = Steihaug::new();
    cg.forcing = Forcing::SqrtGradient;
    cg.max_iterations = Some(60);
    cg
}

impl Default for HessianFree<Steihaug> {
    fn default() -> Self {
        Self { options: Options::default(), step: reference_cg() }
    }
}

impl HessianFree<Steihaug> {
    /// The loop with the reference's options and CG ([`reference_cg`]).
    pub fn new() -> Self {
        Self::default()
    }
}

impl<S: StepSolver> HessianFree<S> {
    /// The loop with default options and a custom step solver.
    pub fn with_step(step: S) -> Self {
        Self { options: Options::default(), step }
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Trains from `w0` without an observer.
    pub fn train<L: BatchLoss + ?Sized>(&mut self, loss: &mut L, w0: &[f64]) -> Result<TrainingReport, SetupError> {
        self.train_observed(loss, w0, &mut ())
    }

    /// Trains from `w0`, calling `observer` after every iteration.
    pub fn train_observed<L: BatchLoss + ?Sized, O: TrainingObserver + ?Sized>(
        &mut self,
        loss: &mut L,
        w0: &[f64],
        observer: &mut O,
    ) -> Result<TrainingReport, SetupError> {
        let opts = &self.options;
        opts.validate()?;
        self.step.validate()?;
        if self.step.needs() != Needs::Products {
            return Err(SetupError::Unsupported {
                solver: self.step.name(),
                needs: "a dense Hessian (the Hessian-free loop offers Hessian-vector products only)",
            });
        }
        let n = loss.dim();
        if n == 0 {
            return Err(SetupError::EmptyProblem);
        }
        if w0.len() != n {
            return Err(SetupError::DimensionMismatch { what: "w0", expected: n, found: w0.len() });
        }
        if let Some((index, &value)) = w0.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(SetupError::NonFiniteStart { index, value });
        }
        let rule = &opts.radius;
        let started = Instant::now();
        self.step.initialize(n);
        let mut w = w0.to_vec();
        let mut w_trial = vec![0.0; n];
        let mut g = vec![0.0; n];
        let mut s = vec![0.0; n];
        let mut history = Vec::with_capacity(if opts.keep_history { opts.iterations } else { 0 });
        let mut radius = rule.initial;
        let mut cost = Cost::default();
        let (mut accepted_steps, mut inner, mut non_finite) = (0usize, 0usize, 0usize);
        let mut last_loss = f64::NAN;
        let mut iterations = 0usize;

        let termination = 'outer: {
            while iterations < opts.iterations {
                iterations += 1;
                loss.sample_batch((iterations - 1) as u64);
                let f = loss.gradient(&w, &mut g);
                cost.gradients += 1;
                let grad_inf = norm_inf(&g);
                if !f.is_finite() || !all_finite(&g) {
                    // The current point is unusable on this batch: nothing to step from.
                    non_finite += 1;
                    last_loss = f;
                    let entry = HistoryEntry {
                        info: IterationInfo {
                            iteration: iterations,
                            f,
                            grad_inf,
                            radius,
                            step_norm: 0.0,
                            actual_reduction: f64::NAN,
                            predicted_reduction: f64::NAN,
                            ratio: f64::NAN,
                            accepted: false,
                            hits_boundary: false,
                            step_status: StepStatus::Interior,
                            inner_iterations: 0,
                        },
                        loss_before: f,
                        cost: cost.total(),
                    };
                    if opts.keep_history {
                        history.push(entry);
                    }
                    let stop = observer.observe(&entry, &w).is_break();
                    if non_finite >= opts.max_non_finite {
                        break 'outer Termination::NonFinite { consecutive: non_finite };
                    }
                    if stop {
                        break 'outer Termination::UserStopped { iteration: iterations };
                    }
                    continue;
                }

                let mut model = BatchModel { loss: &mut *loss, w: &w, f, g: &g, products: 0 };
                self.step.prepare(&mut model);
                let info = self.step.solve(&mut model, radius, &mut s);
                cost.hessian_products += model.products;
                inner += info.inner_iterations;
                let pred = info.predicted_reduction;

                for ((wt, wi), si) in w_trial.iter_mut().zip(&w).zip(&s) {
                    *wt = wi + si;
                }
                // Same batch as f and g (step 4 of the module docs).
                let f_trial = loss.loss(&w_trial);
                cost.losses += 1;
                let ared = f - f_trial;
                let rho = batch_ratio(ared, pred, f);
                let accepted = f_trial.is_finite() && rho > rule.accept;
                // The history records the radius this trial used (IterationInfo::radius).
                let trial_radius = radius;
                radius = rule.update(radius, rho, info.hits_boundary);
                if accepted {
                    std::mem::swap(&mut w, &mut w_trial);
                    accepted_steps += 1;
                    last_loss = f_trial;
                } else {
                    last_loss = f;
                }
                non_finite = 0;

                let entry = HistoryEntry {
                    info: IterationInfo {
                        iteration: iterations,
                        f: last_loss,
                        grad_inf,
                        radius: trial_radius,
                        step_norm: info.step_norm,
                        actual_reduction: ared,
                        predicted_reduction: pred,
                        ratio: rho,
                        accepted,
                        hits_boundary: info.hits_boundary,
                        step_status: info.status,
                        inner_iterations: info.inner_iterations,
                    },
                    loss_before: f,
                    cost: cost.total(),
                };
                if opts.keep_history {
                    history.push(entry);
                }
                if observer.observe(&entry, &w).is_break() {
                    break 'outer Termination::UserStopped { iteration: iterations };
                }
            }
            Termination::MaxIterations { limit: opts.iterations }
        };

        Ok(TrainingReport {
            w,
            loss: last_loss,
            termination,
            iterations,
            accepted_steps,
            inner_iterations: inner,
            cost,
            radius,
            elapsed: started.elapsed(),
            history,
        })
    }
}

/// The quadratic model of the current batch at `w`, as the step solver sees it.
struct BatchModel<'a, L: ?Sized> {
    loss: &'a mut L,
    w: &'a [f64],
    f: f64,
    g: &'a [f64],
    products: usize,
}

impl<L: BatchLoss + ?Sized> Model for BatchModel<'_, L> {
    fn dim(&self) -> usize {
        self.g.len()
    }
    fn value(&self) -> f64 {
        self.f
    }
    fn gradient(&self) -> &[f64] {
        self.g
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        self.products += 1;
        self.loss.hessian_product(self.w, v, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seeded SplitMix64 for the inline fixtures.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn uniform(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Nonconvex fixture: `l_i(w) = (tanh(w . x_i) - y_i)^2` (a one-neuron regression), with
    /// targets from a teacher `w*`, so the full loss has minimum 0.
    struct Neuron {
        x: Vec<Vec<f64>>,
        y: Vec<f64>,
        batch: Vec<usize>,
        seed: u64,
        /// Return NaN for `||w||_inf > nan_beyond`.
        nan_beyond: f64,
    }

    impl Neuron {
        fn new(n: usize, m: usize, seed: u64) -> Self {
            let mut rng = Rng(seed);
            let teacher: Vec<f64> = (0..n).map(|_| rng.uniform() - 0.5).collect();
            let x: Vec<Vec<f64>> = (0..m).map(|_| (0..n).map(|_| 2.0 * rng.uniform() - 1.0).collect()).collect();
            let y = x.iter().map(|xi| dotp(xi, &teacher).tanh()).collect();
            Self { x, y, batch: Vec::new(), seed, nan_beyond: f64::INFINITY }
        }
    }

    fn dotp(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    impl BatchLoss for Neuron {
        fn dim(&self) -> usize {
            self.x[0].len()
        }
        fn sample_batch(&mut self, k: u64) {
            let mut rng = Rng(self.seed ^ k.wrapping_mul(0x2545_f491_4f6c_dd1d));
            self.batch = (0..16).map(|_| (rng.next() % self.x.len() as u64) as usize).collect();
        }
        fn loss(&mut self, w: &[f64]) -> f64 {
            if norm_inf(w) > self.nan_beyond {
                return f64::NAN;
            }
            let b = self.batch.len() as f64;
            self.batch.iter().map(|&i| (dotp(&self.x[i], w).tanh() - self.y[i]).powi(2)).sum::<f64>() / b
        }
        fn gradient(&mut self, w: &[f64], g: &mut [f64]) -> f64 {
            g.fill(0.0);
            let b = self.batch.len() as f64;
            for &i in &self.batch {
                let t = dotp(&self.x[i], w).tanh();
                let c = 2.0 * (t - self.y[i]) * (1.0 - t * t) / b;
                for (gj, xj) in g.iter_mut().zip(&self.x[i]) {
                    *gj += c * xj;
                }
            }
            self.loss(w)
        }
        fn hessian_product(&mut self, w: &[f64], v: &[f64], hv: &mut [f64]) {
            hv.fill(0.0);
            let b = self.batch.len() as f64;
            for &i in &self.batch {
                let t = dotp(&self.x[i], w).tanh();
                let d = 1.0 - t * t;
                let r = t - self.y[i];
                // d2/dz2 (tanh z - y)^2 = 2 d^2 - 4 r t d.
                let c = (2.0 * d * d - 4.0 * r * t * d) * dotp(&self.x[i], v) / b;
                for (h, xj) in hv.iter_mut().zip(&self.x[i]) {
                    *h += c * xj;
                }
            }
        }
    }

    #[test]
    fn radius_rule_matches_the_reference() {
        let r = RadiusRule::default();
        assert_eq!(r.update(1.0, 0.1, true), 0.25);
        assert_eq!(r.update(1.0, f64::NAN, false), 0.25);
        assert_eq!(r.update(1.0, 0.5, true), 1.0);
        assert_eq!(r.update(1.0, 0.9, false), 1.0);
        assert_eq!(r.update(1.0, 0.9, true), 2.0);
        assert_eq!(r.update(4.0, 0.9, true), 5.0);
        assert!(r.validate().is_ok());
        assert!(RadiusRule { initial: 6.0, ..RadiusRule::default() }.validate().is_err());
        assert!(RadiusRule { shrink: 1.0, ..RadiusRule::default() }.validate().is_err());
    }

    #[test]
    fn ratio_guard_is_relative() {
        assert_eq!(batch_ratio(1e-30, -1e-30, 1e-13), 1.0);
        assert_eq!(batch_ratio(-1e-20, 1e-20, 1e-13), -1.0);
        assert_eq!(batch_ratio(f64::INFINITY, 1.0, 1.0), f64::NEG_INFINITY);
        assert_eq!(batch_ratio(1.0, 0.0, 1e-3), f64::NEG_INFINITY);
        assert_eq!(batch_ratio(0.0, 0.0, 0.0), 1.0);
    }

    #[test]
    fn trains_a_nonconvex_model_and_counts_cost() {
        let mut p = Neuron::new(8, 400, 3);
        let w0 = vec![0.0; 8];
        p.sample_batch(0);
        let f0 = p.loss(&w0);
        let report = HessianFree::new().train(&mut p, &w0).unwrap();
        assert_eq!(report.iterations, 100);
        assert_eq!(report.history.len(), 100);
        assert!(report.loss < 1e-12 * f0, "loss {} from {f0}", report.loss);
        let last = report.history.last().unwrap();
        assert_eq!(last.cost, report.cost.total());
        assert_eq!(report.cost.gradients, 100);
        assert_eq!(report.cost.hessian_products, report.inner_iterations);
        assert!(report.history.iter().all(|h| h.info.inner_iterations <= 60));
        assert!(matches!(report.termination, Termination::MaxIterations { limit: 100 }));
    }

    #[test]
    fn same_seed_same_run() {
        let w0 = vec![0.1; 8];
        let a = HessianFree::new().train(&mut Neuron::new(8, 200, 5), &w0).unwrap();
        let b = HessianFree::new().train(&mut Neuron::new(8, 200, 5), &w0).unwrap();
        assert_eq!(a.w, b.w);
        assert_eq!(a.cost, b.cost);
    }

    #[test]
    fn non_finite_trial_losses_shrink_and_never_panic() {
        let mut p = Neuron::new(4, 100, 7);
        p.nan_beyond = 0.05;
        let opts = Options {
            iterations: 40,
            radius: RadiusRule { initial: 1.0, ..RadiusRule::default() },
            ..Default::default()
        };
        let report = HessianFree::new().with_options(opts).train(&mut p, &[0.0; 4]).unwrap();
        assert!(report.w.iter().all(|v| v.abs() <= 0.05));
        let first = report.history[0];
        assert!(!first.info.accepted);
        // The first trial used the initial radius; its non-finite loss shrank it for the next.
        assert_eq!(first.info.radius, 1.0);
        assert_eq!(report.history[1].info.radius, 0.25);
        assert!(report.history.iter().all(|h| !h.info.accepted || h.info.f.is_finite()));
    }

    #[test]
    fn non_finite_current_point_ends_the_run() {
        let mut p = Neuron::new(4, 100, 7);
        p.nan_beyond = -1.0;
        let opts = Options { max_non_finite: 3, ..Default::default() };
        let report = HessianFree::new().with_options(opts).train(&mut p, &[0.0; 4]).unwrap();
        assert_eq!(report.termination, Termination::NonFinite { consecutive: 3 });
        assert_eq!(report.iterations, 3);
    }

    #[test]
    fn observer_stops_and_setup_errors() {
        let mut p = Neuron::new(4, 100, 1);
        let mut seen = 0;
        let report = HessianFree::new()
            .train_observed(&mut p, &[0.0; 4], &mut |e: &HistoryEntry, w: &[f64]| {
                seen += 1;
                assert_eq!(w.len(), 4);
                if e.info.iteration == 5 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
        assert_eq!(seen, 5);
        assert_eq!(report.termination, Termination::UserStopped { iteration: 5 });
        assert!(matches!(HessianFree::new().train(&mut p, &[0.0; 3]), Err(SetupError::DimensionMismatch { .. })));
        assert!(matches!(
            HessianFree::new().train(&mut p, &[0.0, f64::NAN, 0.0, 0.0]),
            Err(SetupError::NonFiniteStart { index: 1, .. })
        ));
        let ok = Options { radius: RadiusRule { accept: 0.5, eta1: 0.25, ..Default::default() }, ..Default::default() };
        assert!(HessianFree::new().with_options(ok).train(&mut p, &[0.0; 4]).is_ok());
        let bad = Options { radius: RadiusRule { grow: 0.5, ..Default::default() }, ..Default::default() };
        assert!(HessianFree::new().with_options(bad).train(&mut p, &[0.0; 4]).is_err());
    }
}
