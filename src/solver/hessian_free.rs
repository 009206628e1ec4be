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
//! This update contracts the *radius*, not the step length (the Newton loop shrinks relative to
//! `min(||s||, radius)`); it is the shared policy of [`crate::radius`] with the parameters of
//! [`RadiusOptions::hessian_free`]. The ratio is `ared / pred` with a *relative* round-off
//! guard ([`crate::radius::RoundOffGuard::Relative`]): when both `|ared|` and `|pred|` are at
//! most `10 eps |f|` the step counts as in agreement (`rho = 1`). A loss computed from
//! residuals is accurate relative to itself, and the losses of interest go to zero (1e-13
//! here), so the absolute floor `10 eps (1 + |f|)` of the Newton loop would accept every step
//! once `f < 1e-14`.
//!
//! Cost is counted as gradients + Hessian-vector products, the unit of the reference's plots
//! ([`training_cost`]); trial losses are counted separately (`Evaluations::f`).
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

use std::time::Instant;

use serde::Serialize;

use crate::error::SetupError;
use crate::linalg::{all_finite, norm_inf};
use crate::model::Model;
use crate::observe::Observer;
use crate::radius::{RadiusOptions, RadiusTrial};
use crate::report::{IterationInfo, Report};
use crate::step::{Evaluations, StepStatus};
use crate::subproblem::steihaug::Forcing;
use crate::subproblem::{MatrixFree, Steihaug};
use crate::termination::{Limits, Termination};

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

/// Options of the Hessian-free loop.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct HessianFreeOptions {
    /// Limits: outer iterations (one mini-batch and one trial step each; default `100`, the
    /// reference uses 300 for its unstable heat-equation case), evaluations (batch losses and
    /// gradients, each gradient also gives a loss), time.
    pub limits: Limits,
    /// Radius and acceptance rule: [`RadiusOptions::hessian_free`], the reference's constants.
    pub radius: RadiusOptions,
    /// Consecutive iterations with a non-finite loss or gradient at the current point tolerated
    /// before the run fails. Default `30`.
    pub max_non_finite: usize,
    /// Keep a [`HistoryEntry`] per iteration in [`Report::history`]. Default `true` (the
    /// records are small and the loop is short).
    pub keep_history: bool,
}

impl Default for HessianFreeOptions {
    fn default() -> Self {
        Self {
            limits: Limits { max_iterations: 100, ..Limits::default() },
            radius: RadiusOptions::hessian_free(),
            max_non_finite: 30,
            keep_history: true,
        }
    }
}

impl HessianFreeOptions {
    /// Checks every option.
    pub fn validate(&self) -> Result<(), SetupError> {
        self.radius.validate()?;
        if self.max_non_finite == 0 {
            return Err(SetupError::InvalidOption { name: "max_non_finite", value: 0.0, reason: "must be at least 1" });
        }
        Ok(())
    }
}

/// One iteration of the loop.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// The shared per-iteration record. Here `f` is the batch loss at the current point after
    /// the iteration (the trial loss if accepted), `grad_inf` is `||g_S||_inf` at the point where
    /// the step was computed, and `radius` is the radius this trial used (before the update).
    pub info: IterationInfo,
    /// Batch loss `f_S(w)` at the point where the step was computed.
    pub loss_before: f64,
    /// Cumulative cost (gradients + Hessian-vector products, the reference's unit) after this
    /// iteration.
    pub cost: usize,
}

/// The outcome of a training run: `x` holds the final parameters (the last accepted point:
/// with a new batch per iteration there is no comparable "best" batch loss), `f` the batch loss
/// at `x` on the last batch; the termination is [`Termination::MaxIterations`] (or another
/// limit), [`Termination::UserStopped`] or [`Termination::NonFinite`]. The evaluation counters
/// hold batch gradients (`g`), Hessian-vector products (`hv`) and trial losses (`f`); the
/// reference's cost is `g + hv` ([`training_cost`]).
pub type TrainingReport = Report<Termination, HistoryEntry>;

/// The reference's cost unit: batch gradients plus Hessian-vector products.
pub fn training_cost(e: &Evaluations) -> usize {
    e.g + e.hv
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
/// assert!(report.f < 1e-20);
/// assert!((report.x[1] + 3.0).abs() < 1e-8);
/// ```
#[derive(Clone, Debug)]
pub struct HessianFree<S = Steihaug, O = ()> {
    /// Loop options.
    pub options: HessianFreeOptions,
    /// The step solver: one that works with Hessian-vector products only ([`MatrixFree`]).
    pub step: S,
    /// The observer, called after every iteration ([`HessianFree::with_observer`]).
    pub observer: O,
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
        Self { options: HessianFreeOptions::default(), step: reference_cg(), observer: () }
    }
}

impl HessianFree<Steihaug> {
    /// The loop with the reference's options and CG ([`reference_cg`]).
    pub fn new() -> Self {
        Self::default()
    }
}

impl<S: MatrixFree> HessianFree<S> {
    /// The loop with default options and a custom step solver.
    pub fn with_step(step: S) -> Self {
        Self { options: HessianFreeOptions::default(), step, observer: () }
    }
}

impl<S: MatrixFree, O: Observer<HistoryEntry>> HessianFree<S, O> {
    /// Replaces the options.
    pub fn with_options(mut self, options: HessianFreeOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets the observer: any `FnMut(&HistoryEntry, &[f64]) -> ControlFlow<()>`, called after
    /// every iteration with its record and the parameters after it.
    pub fn with_observer<O2: Observer<HistoryEntry>>(self, observer: O2) -> HessianFree<S, O2> {
        HessianFree { options: self.options, step: self.step, observer }
    }

    /// Trains from `w0`.
    pub fn train<L: BatchLoss + ?Sized>(&mut self, loss: &mut L, w0: &[f64]) -> Result<TrainingReport, SetupError> {
        let opts = &self.options;
        opts.validate()?;
        self.step.validate()?;
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
        self.step.set_deadline(opts.limits.max_time.and_then(|t| started.checked_add(t)));
        let mut w = w0.to_vec();
        let mut w_trial = vec![0.0; n];
        let mut g = vec![0.0; n];
        let mut s = vec![0.0; n];
        let mut history =
            Vec::with_capacity(if opts.keep_history { opts.limits.max_iterations.min(1 << 20) } else { 0 });
        let mut radius = rule.initial_radius();
        let mut evals = Evaluations::default();
        let (mut accepted_steps, mut inner, mut non_finite) = (0usize, 0usize, 0usize);
        let mut last_loss = f64::NAN;
        let mut iterations = 0usize;

        let mut last_grad_inf = f64::NAN;
        let termination = 'outer: {
            loop {
                if let Some(l) = opts.limits.reached(iterations, evals.f + evals.g, started) {
                    break 'outer l.into();
                }
                iterations += 1;
                loss.sample_batch((iterations - 1) as u64);
                let f = loss.gradient(&w, &mut g);
                evals.g += 1;
                let grad_inf = norm_inf(&g);
                last_grad_inf = grad_inf;
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
                        cost: training_cost(&evals),
                    };
                    if opts.keep_history {
                        history.push(entry);
                    }
                    let stop = self.observer.observe(&entry, &w).is_break();
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
                evals.hv += model.products;
                inner += info.inner_iterations;
                let pred = info.predicted_reduction;

                for ((wt, wi), si) in w_trial.iter_mut().zip(&w).zip(&s) {
                    *wt = wi + si;
                }
                // Same batch as f and g (step 4 of the module docs).
                let f_trial = loss.loss(&w_trial);
                evals.f += 1;
                let ared = f - f_trial;
                let rho = rule.ratio(ared, pred, f);
                let accepted = f_trial.is_finite() && rule.accepts(rho, false);
                // The history records the radius this trial used (IterationInfo::radius).
                let trial_radius = radius;
                let trial = RadiusTrial {
                    ratio: rho,
                    accepted,
                    step_norm: info.step_norm,
                    hits_boundary: info.hits_boundary,
                    may_grow: true,
                };
                radius = rule.update(radius, &trial);
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
                    cost: training_cost(&evals),
                };
                if opts.keep_history {
                    history.push(entry);
                }
                if self.observer.observe(&entry, &w).is_break() {
                    break 'outer Termination::UserStopped { iteration: iterations };
                }
            }
        };

        Ok(Report {
            x: w,
            f: last_loss,
            gradient: Vec::new(),
            grad_inf: last_grad_inf,
            residuals: Vec::new(),
            stationarity: last_grad_inf,
            termination,
            iterations,
            accepted_steps,
            inner_iterations: inner,
            factorizations: 0,
            symbolic_analyses: 0,
            evaluations: evals,
            radius,
            start_moved: false,
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
    use std::ops::ControlFlow;

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
        let r = RadiusOptions::hessian_free();
        let up = |radius: f64, ratio: f64, hits_boundary: bool| {
            let accepted = r.accepts(ratio, false);
            r.update(radius, &RadiusTrial { ratio, accepted, step_norm: 0.01, hits_boundary, may_grow: true })
        };
        assert_eq!(up(1.0, 0.1, true), 0.25);
        assert_eq!(up(1.0, f64::NAN, false), 0.25);
        assert_eq!(up(1.0, 0.5, true), 1.0);
        assert_eq!(up(1.0, 0.9, false), 1.0);
        assert_eq!(up(1.0, 0.9, true), 2.0);
        assert_eq!(up(4.0, 0.9, true), 5.0);
        assert!(r.validate().is_ok());
        assert_eq!(r.initial_radius(), 0.1);
        assert!(RadiusOptions { shrink: 1.0, ..RadiusOptions::hessian_free() }.validate().is_err());
    }

    #[test]
    fn ratio_guard_is_relative() {
        let r = RadiusOptions::hessian_free();
        assert_eq!(r.ratio(1e-30, -1e-30, 1e-13), 1.0);
        assert_eq!(r.ratio(-1e-20, 1e-20, 1e-13), -1.0);
        assert_eq!(r.ratio(f64::INFINITY, 1.0, 1.0), f64::NEG_INFINITY);
        assert_eq!(r.ratio(1.0, 0.0, 1e-3), f64::NEG_INFINITY);
        assert_eq!(r.ratio(0.0, 0.0, 0.0), 1.0);
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
        assert!(report.f < 1e-12 * f0, "loss {} from {f0}", report.f);
        let last = report.history.last().unwrap();
        assert_eq!(last.cost, training_cost(&report.evaluations));
        assert_eq!(report.evaluations.g, 100);
        assert_eq!(report.evaluations.hv, report.inner_iterations);
        assert!(report.history.iter().all(|h| h.info.inner_iterations <= 60));
        assert!(matches!(report.termination, Termination::MaxIterations { limit: 100 }));
    }

    #[test]
    fn same_seed_same_run() {
        let w0 = vec![0.1; 8];
        let a = HessianFree::new().train(&mut Neuron::new(8, 200, 5), &w0).unwrap();
        let b = HessianFree::new().train(&mut Neuron::new(8, 200, 5), &w0).unwrap();
        assert_eq!(a.x, b.x);
        assert_eq!(a.evaluations, b.evaluations);
    }

    #[test]
    fn non_finite_trial_losses_shrink_and_never_panic() {
        let mut p = Neuron::new(4, 100, 7);
        p.nan_beyond = 0.05;
        let opts = HessianFreeOptions {
            limits: Limits { max_iterations: 40, ..Limits::default() },
            radius: RadiusOptions { initial: Some(1.0), ..RadiusOptions::hessian_free() },
            ..Default::default()
        };
        let report = HessianFree::new().with_options(opts).train(&mut p, &[0.0; 4]).unwrap();
        assert!(report.x.iter().all(|v| v.abs() <= 0.05));
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
        let opts = HessianFreeOptions { max_non_finite: 3, ..Default::default() };
        let report = HessianFree::new().with_options(opts).train(&mut p, &[0.0; 4]).unwrap();
        assert_eq!(report.termination, Termination::NonFinite { consecutive: 3 });
        assert_eq!(report.iterations, 3);
    }

    #[test]
    fn observer_stops_and_setup_errors() {
        let mut p = Neuron::new(4, 100, 1);
        let mut seen = 0;
        let report = HessianFree::new()
            .with_observer(|e: &HistoryEntry, w: &[f64]| {
                seen += 1;
                assert_eq!(w.len(), 4);
                if e.info.iteration == 5 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .train(&mut p, &[0.0; 4])
            .unwrap();
        assert_eq!(seen, 5);
        assert_eq!(report.termination, Termination::UserStopped { iteration: 5 });
        assert!(matches!(HessianFree::new().train(&mut p, &[0.0; 3]), Err(SetupError::DimensionMismatch { .. })));
        assert!(matches!(
            HessianFree::new().train(&mut p, &[0.0, f64::NAN, 0.0, 0.0]),
            Err(SetupError::NonFiniteStart { index: 1, .. })
        ));
        let ok = HessianFreeOptions {
            radius: RadiusOptions { accept: 0.25, eta1: 0.25, ..RadiusOptions::hessian_free() },
            ..Default::default()
        };
        assert!(HessianFree::new().with_options(ok).train(&mut p, &[0.0; 4]).is_ok());
        let bad = HessianFreeOptions {
            radius: RadiusOptions { grow: 0.5, ..RadiusOptions::hessian_free() },
            ..Default::default()
        };
        assert!(HessianFree::new().with_options(bad).train(&mut p, &[0.0; 4]).is_err());
    }
}
