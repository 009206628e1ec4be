//! Generalized Lanczos trust-region step (GLTR): the model minimized over a growing Krylov
//! subspace, matrix-free and preconditioned.
//!
//! # Problem
//!
//! Minimize `m(s) = f + g's + s'Bs/2` subject to `||s||_M <= radius`, where `M` is a symmetric
//! positive definite preconditioner (only `z = M^{-1} r` is ever applied) and
//! `||s||_M = sqrt(s'Ms)`. Only products `v -> Bv` are used.
//!
//! # The Krylov subproblem
//!
//! The preconditioned Lanczos process started from `g` builds vectors `q_0, q_1, ...` that are
//! orthonormal in the `M` inner product (`q_i'Mq_j = [i = j]`) and span the Krylov spaces
//! `K_k = span{M^{-1}g, (M^{-1}B) M^{-1}g, ...}`, together with the symmetric tridiagonal
//! `T_k = Q_k'BQ_k` (diagonal `delta_j`, off-diagonal `t_j` coupling `j - 1` and `j`):
//!
//! ```text
//! B Q_k = M Q_k T_k + u_{k+1} e_k',     Q_k' g = rho_0 e_1,     rho_0 = sqrt(g'M^{-1}g).       (1)
//! ```
//!
//! With `s = Q_k h` the trust-region problem restricted to `K_{k+1}` is the small problem
//! (Gould, Lucidi, Roma & Toint 1999; Conn, Gould & Toint 2000, sec. 7.5)
//!
//! ```text
//! minimize  rho_0 h_1 + h'T_k h/2   subject to  ||h|| <= radius,                                 (2)
//! ```
//!
//! because `s'Ms = h'h` and `g's = rho_0 h_1`. The Krylov solutions improve monotonically with
//! `k`, and once the space is invariant they solve the problem restricted to the eigenvectors
//! that `g` touches. In the hard case (`g` orthogonal to the leftmost eigenvectors of
//! `M^{-1/2}BM^{-1/2}`, and in particular for `g = 0`) the Krylov space misses them: GLTR returns
//! the best step in the Krylov space, not the global solution (the small problem's own hard case
//! is handled below).
//!
//! # Phase 1: truncated CG
//!
//! While `T_k` stays positive definite and the CG iterate stays inside the region, the solution
//! of (2) is the CG iterate, so phase 1 *is* preconditioned CG, written exactly like
//! [`Steihaug`](super::Steihaug) (same recurrences, same stopping test, same iterates). The
//! Lanczos quantities come for free from CG's scalars (Gould et al. 1999; Conn, Gould & Toint
//! 2000, ch. 5): with residuals `r_k`, `z_k = M^{-1} r_k`, `rz_k = r_k'z_k`,
//! `kappa_k = p_k'Bp_k`, `alpha_k = rz_k/kappa_k`, `beta_k = rz_{k+1}/rz_k`,
//!
//! ```text
//! q_k = z_k / sqrt(rz_k),   delta_k = kappa_k/rz_k + beta_{k-1} kappa_{k-1}/rz_{k-1},
//! t_{k+1} = -sqrt(beta_k) kappa_k / rz_k.                                                        (3)
//! ```
//!
//! (The signs of the `t_j` differ from the textbook Lanczos convention; the small problem (2)
//! is invariant under that change of sign of the basis vectors, and we keep `q_k` as above.)
//!
//! # Phase 2: Lanczos on the boundary
//!
//! When CG meets curvature `kappa_k <= 0` or its next iterate would leave the region, Steihaug
//! stops on the boundary along `p_k`; GLTR instead continues the Lanczos process (the plain
//! three-term recurrence `u_{k+1} = Bq_k - delta_k Mq_k - t_k Mq_{k-1}`, robust to zero
//! curvature, where `Mq_j` is kept as the scaled residual `r_j / sqrt(rz_j)`), and after each
//! step solves (2) by the More-Sorensen iteration specialized to the tridiagonal: the `LDL'`
//! factorization of `T + lambda I` costs `O(k)`, and Newton's method on the secular equation
//! `1/||h(lambda)|| - 1/radius = 0` reads (More & Sorensen 1983, sec. 3)
//!
//! ```text
//! (T + lambda I) h = -rho_0 e_1,  w = L^{-1} h,
//! lambda+ = lambda + (||h||^2 / w'D^{-1}w) (||h|| - radius) / radius.                              (4)
//! ```
//!
//! On an indefinite `T` the leftmost eigenvalue `theta_1` is found to full precision by
//! bisection on Sturm counts (the number of negative pivots of `T - sigma I`;
//! [`crate::linalg::tridiagonal`]), so every `lambda`
//! tried lies in `(max(0, -theta_1), rho_0/radius + max(0, -theta_1)]` and Newton is
//! safeguarded by bisection in that bracket. If `||h||` is already inside the region just right
//! of `-theta_1` (the hard case, or a nearly hard case with a tiny first component of the
//! leftmost eigenvector), the step moves to the boundary along that eigenvector (computed by
//! inverse iteration) in the direction that does not increase the model: status `HardCase`.
//! `lambda` is warm-started from the previous solve at the same point.
//!
//! # Stopping test
//!
//! From (1), the solution `h` of the shifted system gives the Lagrangian gradient
//! `g + (B + lambda M) Q_k h = h_k u_{k+1}`, so its Euclidean norm is
//! `|h_k| |t_{k+1}| ||Mq_{k+1}||`, available without forming the step (the estimate GLTR uses;
//! Gould et al. 1999). Phase 2 stops when it is at most `eta ||g||` with the same forcing term as
//! Steihaug (default `eta = min(0.5, sqrt(||g|| / ||g0||))`, see [`Forcing`]), when the Krylov
//! space becomes invariant (`u_{k+1} = 0`), or at a cap; the step is then `s = Q_k h`.
//!
//! # Storage of the Lanczos vectors
//!
//! The step `s = Q_k h` needs every Lanczos vector. This implementation **stores** them, up to
//! [`GltrOptions::max_lanczos_vectors`] vectors of length `n` allocated once in `initialize`
//! (memory `8 n max_lanczos_vectors` bytes), instead of GLTR's alternative of regenerating them
//! in a second Lanczos pass (which doubles the products on every boundary step and on every
//! re-solve). Storing is what makes rejected trials cheap: after a rejection at the same point
//! the solver keeps `T_k`, the stored basis and the state of the recurrence, re-solves only the
//! small problem (2) for the new radius (no product at all when the stopping test holds), and
//! extends the Lanczos process only if it does not. When the CG phase runs past the stored
//! basis before reaching the boundary, the step is the Steihaug-Toint point (the phase-1 exit
//! of the CG iteration, exactly as [`Steihaug`](super::Steihaug)); when phase 2 fills the
//! basis, the step is the solution of (2) on the stored space with status `IterationCap`.
//!
//! # Predicted reduction
//!
//! Cancellation-free from the small problem. For `(T + lambda I) h = -rho_0 e_1` with
//! `T + lambda I` positive definite, `h'Th = -rho_0 h_1 - lambda ||h||^2`, so
//!
//! ```text
//! m(0) - m(Qh) = -(rho_0 h_1 + h'Th/2) = (-rho_0 h_1 + lambda ||h||^2) / 2,                       (5)
//! ```
//!
//! a sum of two nonnegative terms (`-rho_0 h_1 = h'(T + lambda I)h >= 0`). Scaling a step by
//! `c in (0, 1]` (onto the boundary) gives `c^2 pred - c (1 - c) g's` with `g's <= 0`; the
//! hard-case move `h + tau e` along a unit eigenvector `e` with `e'Te = theta_1` adds
//! `lambda tau h'e - tau^2 theta_1 / 2`, both nonnegative for `tau h'e >= 0`. In phase 1 the
//! CG recurrences accumulate the reduction as in Steihaug. The Lanczos vectors lose
//! `M`-orthogonality in floating point; the final `||s||_M` is therefore measured, and a step
//! found outside the region is scaled back onto it.
//!
//! # Measurements
//!
//! Suite figures against Steihaug (CUTEst and MGH, with and without the Jacobi
//! preconditioner) are kept in `benches/README.md`, with the commit they were measured at.
//!
//! References:
//! 1. N. I. M. Gould, S. Lucidi, M. Roma, Ph. L. Toint, Solving the trust-region subproblem
//!    using the Lanczos method, SIAM J. Optim. 9 (1999) 504-525.
//! 2. A. R. Conn, N. I. M. Gould, Ph. L. Toint, Trust-Region Methods, SIAM (2000), ch. 5
//!    (Lanczos and CG), sec. 7.3 (More-Sorensen), sec. 7.5 (truncated CG and GLTR).
//! 3. J. J. More, D. C. Sorensen, Computing a trust region step, SIAM J. Sci. Stat. Comput. 4
//!    (1983) 553-572.
//! 4. T. Steihaug, The conjugate gradient method and trust regions in large scale
//!    optimization, SIAM J. Numer. Anal. 20 (1983) 626-637.
//! 5. B. N. Parlett, The Symmetric Eigenvalue Problem, SIAM (1998) (Sturm counts of a tridiagonal,
//!    bisection).

use std::time::Instant;

use super::steihaug::{measure_in_region, validate_cg_options, Forcing, IdentityPreconditioner, Preconditioner};
use super::{Needs, StepInfo, StepSolver, StepStatus};
use crate::error::SetupError;
use crate::linalg::tridiagonal::{self, leftmost_eigenvalue, solve_factored, Coupling};
use crate::linalg::{axpy, boundary_root, cg_update, dot, norm, norm_from_sum_sq};
use crate::model::Model;

/// Options of [`Gltr`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct GltrOptions {
    /// When the Krylov step is good enough: stop once the Lagrangian gradient estimate
    /// `|h_k| |t_{k+1}| ||Mq_{k+1}||` (phase 2) or the CG residual `||g + Bs||` (phase 1) is at
    /// most `eta ||g||`. Default [`Forcing::SqrtRelativeGradient`],
    /// `eta = min(0.5, sqrt(||g|| / ||g0||))` (Steihaug's default; Nocedal & Wright 2006,
    /// sec. 7.1, made invariant to the scale of `f`).
    pub forcing: Forcing,
    /// Cap on Lanczos (CG) iterations, that is on products with `B`, at one point; `None`
    /// means `n`. Default `None`.
    pub max_iterations: Option<usize>,
    /// How many Lanczos vectors are stored (each of length `n`, allocated in `initialize`;
    /// capped by `n` and by the iteration cap). Phase 2 and the reuse of the Krylov space after
    /// a rejected step work within this space; a CG phase that needs more iterations before it
    /// reaches the boundary ends at the Steihaug-Toint point. Default `100` (memory
    /// `800 n` bytes).
    pub max_lanczos_vectors: usize,
    /// Cap on the Newton (and bisection) iterations of the tridiagonal More-Sorensen solve of
    /// (2). Default `100`; the safeguarded iteration typically needs fewer than 10.
    pub max_tridiagonal_iterations: usize,
    /// Relative accuracy of the tridiagonal solve on the boundary:
    /// `| ||h|| - radius | <= tridiagonal_tolerance radius`. Must lie in `(0, 1)`.
    /// Default `1e-10`.
    pub tridiagonal_tolerance: f64,
}

impl Default for GltrOptions {
    fn default() -> Self {
        Self {
            forcing: Forcing::SqrtRelativeGradient,
            max_iterations: None,
            max_lanczos_vectors: 100,
            max_tridiagonal_iterations: 100,
            tridiagonal_tolerance: 1e-10,
        }
    }
}

impl GltrOptions {
    /// Checks every option; an out-of-range value is a [`SetupError::InvalidOption`].
    pub fn validate(&self) -> Result<(), SetupError> {
        validate_cg_options(self.forcing, self.max_iterations)?;
        if self.max_lanczos_vectors == 0 {
            return Err(SetupError::InvalidOption {
                name: "max_lanczos_vectors",
                value: 0.0,
                reason: "must be at least 1",
            });
        }
        if self.max_tridiagonal_iterations == 0 {
            return Err(SetupError::InvalidOption {
                name: "max_tridiagonal_iterations",
                value: 0.0,
                reason: "must be at least 1",
            });
        }
        let tol = self.tridiagonal_tolerance;
        if !(tol > 0.0 && tol < 1.0) {
            return Err(SetupError::InvalidOption {
                name: "tridiagonal_tolerance",
                value: tol,
                reason: "must lie in (0, 1)",
            });
        }
        Ok(())
    }
}

/// Generalized Lanczos trust-region step (GLTR, "trust-krylov") with a preconditioner `M`
/// (trust region in the `M`-norm). See the [module documentation](self) for the method.
#[derive(Clone, Debug)]
pub struct Gltr<M: Preconditioner = IdentityPreconditioner> {
    /// The options.
    pub options: GltrOptions,
    /// The preconditioner.
    pub preconditioner: M,
    n: usize,
    /// Iteration cap and stored-vector count for the current `n`.
    iteration_cap: usize,
    capacity: usize,
    // CG / Lanczos vectors. After phase 1 (and between Lanczos steps) they hold, in Lanczos
    // form: `z = q_m`, `r = Mq_m`, `rprev = Mq_{m-1}` with `m = steps`.
    r: Vec<f64>,
    z: Vec<f64>,
    p: Vec<f64>,
    bp: Vec<f64>,
    rprev: Vec<f64>,
    /// The stored basis, `capacity` vectors of length `n`, column after column.
    basis: Vec<f64>,
    /// `T`: `diag[j]`, and `off[j]` coupling `j - 1` and `j` (`off[0]` unused).
    diag: Vec<f64>,
    off: Vec<f64>,
    tri: Tridiagonal,
    // State at the current point.
    g0_norm: f64,
    reusable: bool,
    steps: usize,
    exhausted: bool,
    broken: bool,
    next_norm: f64,
    rho0: f64,
    lambda: f64,
    deadline: Option<Instant>,
}

impl Default for Gltr<IdentityPreconditioner> {
    fn default() -> Self {
        Self::with_preconditioner(IdentityPreconditioner)
    }
}

impl Gltr<IdentityPreconditioner> {
    /// Unpreconditioned GLTR with the default options.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<M: Preconditioner> Gltr<M> {
    /// GLTR with the given preconditioner and the default options.
    pub fn with_preconditioner(preconditioner: M) -> Self {
        Self {
            options: GltrOptions::default(),
            preconditioner,
            n: 0,
            iteration_cap: 0,
            capacity: 0,
            r: Vec::new(),
            z: Vec::new(),
            p: Vec::new(),
            bp: Vec::new(),
            rprev: Vec::new(),
            basis: Vec::new(),
            diag: Vec::new(),
            off: Vec::new(),
            tri: Tridiagonal::default(),
            g0_norm: f64::NAN,
            reusable: false,
            steps: 0,
            exhausted: false,
            broken: false,
            next_norm: 0.0,
            rho0: 0.0,
            lambda: 0.0,
            deadline: None,
        }
    }

    /// The same solver with other options.
    pub fn with_options(mut self, options: GltrOptions) -> Self {
        self.options = options;
        self
    }

    /// Number of Lanczos vectors held for the current point (the dimension of the Krylov
    /// space the last step was computed in), or `0` if none are reusable.
    pub fn krylov_dimension(&self) -> usize {
        if self.reusable {
            self.steps
        } else {
            0
        }
    }

    fn basis_vector(&self, j: usize) -> &[f64] {
        &self.basis[j * self.n..(j + 1) * self.n]
    }

    fn finish(&self, model: &dyn Model, step: &mut [f64], radius: f64, pred: f64, info: &mut StepInfo) {
        (info.predicted_reduction, info.step_norm) =
            measure_in_region(&self.preconditioner, model.gradient(), step, radius, pred);
        info.hits_boundary = info.step_norm >= (1.0 - 1e-6) * radius;
    }

    /// Phase 1: preconditioned CG from `s = 0`, recording `T` and the basis. Returns `true`
    /// when the step is final (`info` filled), `false` when phase 2 must solve (2) on the
    /// recorded `T` (the recurrence state is then in Lanczos form).
    fn phase_one(
        &mut self,
        model: &mut dyn Model,
        radius: f64,
        tol: f64,
        step: &mut [f64],
        info: &mut StepInfo,
    ) -> bool {
        let n = self.n;
        self.steps = 0;
        self.exhausted = false;
        self.broken = false;
        self.reusable = false;
        self.next_norm = 0.0;
        self.lambda = 0.0;
        self.r.copy_from_slice(model.gradient());
        self.preconditioner.apply(&self.r, &mut self.z);
        let mut rz = dot(&self.r, &self.z);
        if !(rz > 0.0 && rz.is_finite()) {
            // M^{-1} is not positive definite on g (or not finite): no usable direction.
            info.status = StepStatus::IterationCap;
            return true;
        }
        self.rho0 = rz.sqrt();
        for (p, z) in self.p.iter_mut().zip(&self.z) {
            *p = -z;
        }
        let (mut sms, mut smp, mut pmp) = (0.0f64, 0.0f64, rz);
        let r2 = radius * radius;
        let mut pred = 0.0;
        // beta_{k-1} / alpha_{k-1} = beta_{k-1} kappa_{k-1} / rz_{k-1}, the second term of (3).
        let mut prev_ratio = 0.0;
        for k in 0..self.iteration_cap {
            if k > 0 && self.deadline.is_some_and(|d| Instant::now() >= d) {
                // Out of time: the CG iterate so far, as for a broken recurrence below, and
                // nothing kept for a re-solve.
                self.steps = k;
                self.exhausted = true;
                self.reusable = false;
                info.status = StepStatus::IterationCap;
                self.finish(model, step, radius, pred, info);
                return true;
            }
            let rho = rz.sqrt();
            let record = k < self.capacity;
            if record {
                let inv = 1.0 / rho;
                for (q, z) in self.basis[k * n..(k + 1) * n].iter_mut().zip(&self.z) {
                    *q = inv * z;
                }
            }
            info.inner_iterations += 1;
            model.apply(&self.p, &mut self.bp);
            let kappa = dot(&self.p, &self.bp);
            if !kappa.is_finite() {
                // Non-finite curvature: the CG iterate so far (in span{q_0..q_{k-1}}) is the best
                // step; the Krylov space cannot grow past it.
                self.steps = k;
                self.exhausted = true;
                self.broken = true;
                self.reusable = k <= self.capacity;
                info.status = StepStatus::IterationCap;
                self.finish(model, step, radius, pred, info);
                return true;
            }
            if record {
                self.diag[k] = kappa / rz + prev_ratio;
            }
            let alpha = rz / kappa;
            let sms_next = sms + 2.0 * alpha * smp + alpha * alpha * pmp;
            if kappa <= 0.0 || sms_next >= r2 {
                if !record {
                    // Past the stored basis: the Steihaug-Toint point.
                    let tau = boundary_root(sms, smp, pmp, radius);
                    axpy(tau, &self.p, step);
                    pred +=
                        if kappa <= 0.0 { tau * rz - 0.5 * tau * tau * kappa } else { tau * (rz - 0.5 * tau * kappa) };
                    info.status = if kappa <= 0.0 { StepStatus::NegativeCurvature } else { StepStatus::Boundary };
                    self.finish(model, step, radius, pred, info);
                    info.hits_boundary = true;
                    return true;
                }
                self.steps = k + 1;
                if kappa == 0.0 {
                    // CG breaks down (alpha infinite); T_k is complete but cannot grow.
                    self.exhausted = true;
                    self.off[k + 1] = 0.0;
                } else {
                    self.rprev.copy_from_slice(&self.r);
                    axpy(alpha, &self.bp, &mut self.r);
                    self.preconditioner.apply(&self.r, &mut self.z);
                    let rz_next = dot(&self.r, &self.z);
                    self.switch_to_lanczos_form(rho, rz, rz_next, kappa);
                }
                self.reusable = true;
                return false;
            }
            let rr = cg_update(alpha, &self.p, &self.bp, step, &mut self.r);
            pred += 0.5 * alpha * rz;
            sms = sms_next;
            let rnorm = norm_from_sum_sq(rr, &self.r);
            let interior = rnorm <= tol;
            self.preconditioner.apply(&self.r, &mut self.z);
            let rz_next = dot(&self.r, &self.z);
            if interior || !(rz_next > 0.0 && rz_next.is_finite()) {
                info.status = if interior { StepStatus::Interior } else { StepStatus::IterationCap };
                if record {
                    // Keep the recurrence for a re-solve at this point: r_k = r_{k+1} - alpha Bp_k.
                    self.steps = k + 1;
                    self.rprev.copy_from_slice(&self.r);
                    axpy(-alpha, &self.bp, &mut self.rprev);
                    self.switch_to_lanczos_form(rho, rz, rz_next, kappa);
                    self.reusable = true;
                    self.broken = !interior;
                }
                self.finish(model, step, radius, pred, info);
                return true;
            }
            let beta = rz_next / rz;
            if record {
                self.off[k + 1] = -beta.sqrt() * kappa / rz;
            }
            prev_ratio = beta * kappa / rz;
            rz = rz_next;
            for (p, z) in self.p.iter_mut().zip(&self.z) {
                *p = beta * *p - z;
            }
            smp = beta * (smp + alpha * pmp);
            pmp = rz + beta * beta * pmp;
        }
        // The iteration cap inside the region: the CG iterate. T (if recorded) covers every
        // iteration, and the cap forbids growing it (`steps` reaches the phase-2 limit).
        self.steps = self.iteration_cap;
        self.reusable = self.iteration_cap <= self.capacity;
        if self.reusable {
            self.next_norm = norm(&self.r) / rz.sqrt();
        }
        info.status = StepStatus::IterationCap;
        self.finish(model, step, radius, pred, info);
        true
    }

    /// Converts the CG state after iteration `k` (`rprev = r_k`, `r = r_{k+1}`,
    /// `z = z_{k+1}`) into Lanczos form and records `t_{k+1}` by (3).
    fn switch_to_lanczos_form(&mut self, rho: f64, rz: f64, rz_next: f64, kappa: f64) {
        let m = self.steps;
        if !(rz_next > 0.0 && rz_next.is_finite()) {
            // Invariant Krylov space (r_{k+1} = 0) or a non-finite residual.
            self.exhausted = true;
            self.broken = !rz_next.is_finite();
            self.off[m] = 0.0;
            self.next_norm = 0.0;
            return;
        }
        let rho_next = rz_next.sqrt();
        self.off[m] = -(rz_next / rz).sqrt() * kappa / rz;
        let (a, b) = (1.0 / rho, 1.0 / rho_next);
        self.rprev.iter_mut().for_each(|v| *v *= a);
        self.r.iter_mut().for_each(|v| *v *= b);
        self.z.iter_mut().for_each(|v| *v *= b);
        self.next_norm = norm(&self.r);
    }

    /// One step of the plain Lanczos recurrence: appends `delta_m` and `t_{m+1}` to `T` and
    /// `q_m` to the basis (`m = steps < capacity`). Returns `false` on a non-finite product.
    fn lanczos_step(&mut self, model: &mut dyn Model) -> bool {
        let n = self.n;
        let m = self.steps;
        self.basis[m * n..(m + 1) * n].copy_from_slice(&self.z);
        model.apply(&self.basis[m * n..(m + 1) * n], &mut self.bp);
        let delta = dot(&self.basis[m * n..(m + 1) * n], &self.bp);
        if !delta.is_finite() {
            self.exhausted = true;
            self.broken = true;
            return false;
        }
        self.diag[m] = delta;
        let t = self.off[m];
        // u = Bq_m - delta Mq_m - t_m Mq_{m-1}, written over Mq_{m-1}.
        for ((u, bq), v) in self.rprev.iter_mut().zip(&self.bp).zip(&self.r) {
            *u = bq - delta * v - t * *u;
        }
        std::mem::swap(&mut self.r, &mut self.rprev);
        self.preconditioner.apply(&self.r, &mut self.z);
        let uu = dot(&self.r, &self.z);
        self.steps = m + 1;
        if !(uu > 0.0 && uu.is_finite()) {
            self.exhausted = true;
            self.broken = !uu.is_finite();
            self.off[m + 1] = 0.0;
            self.next_norm = 0.0;
            return uu.is_finite();
        }
        let gamma = uu.sqrt();
        let inv = 1.0 / gamma;
        self.r.iter_mut().for_each(|v| *v *= inv);
        self.z.iter_mut().for_each(|v| *v *= inv);
        self.off[m + 1] = gamma;
        self.next_norm = norm(&self.r);
        true
    }

    /// Phase 2: solve (2) on the recorded `T`, grow the Krylov space until the stopping test
    /// holds, then form `s = Q h`.
    fn phase_two(&mut self, model: &mut dyn Model, radius: f64, tol: f64, step: &mut [f64], info: &mut StepInfo) {
        let limit = self.capacity.min(self.iteration_cap);
        let opts = self.options;
        loop {
            let m = self.steps;
            if m == 0 {
                info.status = StepStatus::IterationCap;
                return;
            }
            let sol = self.tri.solve(
                &self.diag[..m],
                &self.off[..m],
                self.rho0,
                radius,
                self.lambda,
                opts.tridiagonal_tolerance,
                opts.max_tridiagonal_iterations,
            );
            self.lambda = sol.lambda;
            let residual = self.tri.h[m - 1].abs() * self.off[m].abs() * self.next_norm;
            let satisfied = residual <= tol;
            if satisfied || self.exhausted || m >= limit {
                info.status = if self.broken || !sol.converged || (!satisfied && !self.exhausted) {
                    StepStatus::IterationCap
                } else if sol.interior {
                    StepStatus::Interior
                } else if sol.hard {
                    StepStatus::HardCase
                } else if sol.indefinite {
                    StepStatus::NegativeCurvature
                } else {
                    StepStatus::Boundary
                };
                // s = Q h.
                step.iter_mut().for_each(|s| *s = 0.0);
                for j in 0..m {
                    axpy(self.tri.h[j], self.basis_vector(j), step);
                }
                self.finish(model, step, radius, sol.pred, info);
                return;
            }
            info.inner_iterations += 1;
            self.lanczos_step(model);
        }
    }

    fn tolerance(&self, gnorm: f64) -> f64 {
        self.options.forcing.tolerance(gnorm, self.g0_norm)
    }
}

impl<M: Preconditioner> StepSolver for Gltr<M> {
    fn name(&self) -> &'static str {
        "gltr"
    }
    fn needs(&self) -> Needs {
        Needs::Products
    }
    fn validate(&self) -> Result<(), SetupError> {
        self.options.validate()?;
        self.preconditioner.validate()
    }
    fn initialize(&mut self, n: usize) {
        self.n = n;
        self.iteration_cap = self.options.max_iterations.unwrap_or(n).max(1);
        self.capacity = self.options.max_lanczos_vectors.max(1).min(n.max(1)).min(self.iteration_cap);
        self.r = vec![0.0; n];
        self.z = vec![0.0; n];
        self.p = vec![0.0; n];
        self.bp = vec![0.0; n];
        self.rprev = vec![0.0; n];
        self.basis = vec![0.0; self.capacity * n];
        self.diag = vec![0.0; self.capacity];
        self.off = vec![0.0; self.capacity + 1];
        self.tri = Tridiagonal::with_capacity(self.capacity);
        self.preconditioner.initialize(n);
        self.g0_norm = f64::NAN;
        self.reusable = false;
    }
    fn prepare(&mut self, model: &mut dyn Model) {
        if self.r.len() != model.dim() {
            self.initialize(model.dim());
        }
        self.preconditioner.prepare(model);
        if !(self.g0_norm > 0.0) {
            self.g0_norm = norm(model.gradient());
        }
        self.reusable = false;
        self.lambda = 0.0;
    }
    fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }
    fn solve(&mut self, model: &mut dyn Model, radius: f64, step: &mut [f64]) -> StepInfo {
        step.iter_mut().for_each(|s| *s = 0.0);
        let mut info = StepInfo {
            step_norm: 0.0,
            predicted_reduction: 0.0,
            hits_boundary: false,
            status: StepStatus::Interior,
            inner_iterations: 0,
            factorizations: 0,
        };
        let gnorm = norm(model.gradient());
        if gnorm == 0.0 || !(radius > 0.0) {
            return info;
        }
        let tol = self.tolerance(gnorm);
        // A new point (prepare) or a space that cannot be reused: build it.
        if !self.reusable && self.phase_one(model, radius, tol, step, &mut info) {
            return info;
        }
        self.phase_two(model, radius, tol, step, &mut info);
        info
    }
}

/// The solution of the small problem (2).
#[derive(Clone, Copy, Debug)]
struct TriSolution {
    lambda: f64,
    /// `m(0) - m(Qh)` by (5).
    pred: f64,
    interior: bool,
    hard: bool,
    indefinite: bool,
    converged: bool,
}

/// Workspace of the tridiagonal More-Sorensen solve: the solution `h`, the pivots of
/// `T + lambda I = LDL'`, and scratch.
#[derive(Clone, Debug, Default)]
struct Tridiagonal {
    h: Vec<f64>,
    piv: Vec<f64>,
    w: Vec<f64>,
    e: Vec<f64>,
}

/// `LDL'` of `T + lambda I` (`L` unit lower bidiagonal with `l_j = off[j] / d_{j-1}`): the
/// pivots `d_j` into `piv`; `false` if a pivot is not positive and finite.
fn factor(diag: &[f64], off: &[f64], lambda: f64, piv: &mut [f64]) -> bool {
    tridiagonal::factor(diag, off, lambda, Coupling::Quotient, piv)
}

impl Tridiagonal {
    fn with_capacity(m: usize) -> Self {
        Self { h: vec![0.0; m], piv: vec![0.0; m], w: vec![0.0; m], e: vec![0.0; m] }
    }

    /// `h <- -(T + lambda I)^{-1} rho_0 e_1` (pivots in `piv` already) and `||h||`.
    fn newton_point(&mut self, off: &[f64], rho0: f64) -> f64 {
        let m = off.len();
        let h = &mut self.h[..m];
        h.iter_mut().for_each(|v| *v = 0.0);
        h[0] = -rho0;
        solve_factored(off, &self.piv[..m], h);
        norm(h)
    }

    /// Solves (2) for `T` given by `diag` and `off` (`off[j]` couples `j - 1` and `j`) into
    /// `self.h`, with `||h|| <= radius`.
    #[allow(clippy::too_many_arguments)]
    fn solve(
        &mut self,
        diag: &[f64],
        off: &[f64],
        rho0: f64,
        radius: f64,
        warm: f64,
        tol: f64,
        max_iterations: usize,
    ) -> TriSolution {
        let m = diag.len();
        let mut out =
            TriSolution { lambda: 0.0, pred: 0.0, interior: false, hard: false, indefinite: false, converged: true };
        // lambda = 0: the Newton (CG) point if T is positive definite and it lies inside.
        let definite = factor(diag, off, 0.0, &mut self.piv);
        let mut lower;
        let mut lambda;
        let mut hnorm;
        let scale = diag.iter().chain(off[1..].iter()).fold(0.0f64, |a, v| a.max(v.abs())).max(rho0 / radius);
        if definite {
            hnorm = self.newton_point(off, rho0);
            if hnorm <= radius {
                out.interior = true;
                out.pred = -0.5 * rho0 * self.h[0];
                return out;
            }
            lower = 0.0;
            lambda = 0.0;
        } else {
            out.indefinite = true;
            let pole = (-leftmost_eigenvalue(diag, off)).max(0.0);
            // Just right of the pole: if ||h|| is already inside there, the hard case.
            let mut shift = 1e-12 * scale.max(f64::MIN_POSITIVE);
            let mut ok = false;
            for _ in 0..20 {
                if factor(diag, off, pole + shift, &mut self.piv) {
                    ok = true;
                    break;
                }
                shift *= 10.0;
            }
            if !ok {
                out.converged = false;
                self.h[..m].iter_mut().for_each(|v| *v = 0.0);
                return out;
            }
            lambda = pole + shift;
            hnorm = self.newton_point(off, rho0);
            if hnorm <= radius {
                return self.hard_case(diag, off, rho0, radius, lambda, hnorm);
            }
            lower = lambda;
        }
        // Here ||h(lambda)|| > radius: lambda is left of the root. The root is at most
        // rho_0 / radius + max(0, -theta_1) <= rho_0 / radius + lower (for the indefinite case
        // lower exceeds -theta_1 by `shift`).
        let mut upper = rho0 / radius + lower;
        let mut h_lambda = lambda; // the lambda that self.h solves for
        let mut start = true;
        if warm > lambda && warm < upper {
            lambda = warm;
            start = false;
        }
        let mut converged = false;
        for _ in 0..max_iterations {
            if !start {
                if !factor(diag, off, lambda, &mut self.piv) {
                    lower = lower.max(lambda);
                    lambda = 0.5 * (lower + upper);
                    continue;
                }
                hnorm = self.newton_point(off, rho0);
                h_lambda = lambda;
            }
            start = false;
            if (hnorm - radius).abs() <= tol * radius {
                converged = true;
                break;
            }
            if hnorm < radius {
                upper = lambda;
            } else {
                lower = lambda;
            }
            // w = L^{-1} h, w'D^{-1}w = h'(T + lambda I)^{-1} h.
            self.w[..m].copy_from_slice(&self.h[..m]);
            let w = &mut self.w[..m];
            for j in 1..m {
                w[j] -= off[j] / self.piv[j - 1] * w[j - 1];
            }
            let wdw: f64 = w.iter().zip(&self.piv[..m]).map(|(v, d)| v * v / d).sum();
            let next = lambda + (hnorm * hnorm / wdw) * (hnorm - radius) / radius;
            lambda = if next > lower && next < upper { next } else { 0.5 * (lower + upper) };
            if upper - lower <= 4.0 * f64::EPSILON * upper.abs() {
                // The bracket has collapsed: h is as accurate as the arithmetic allows.
                converged = true;
                break;
            }
        }
        out.converged = converged;
        out.lambda = h_lambda;
        let h = &mut self.h[..m];
        // (5), then the scaling onto the boundary.
        let mut pred = 0.5 * (-rho0 * h[0] + h_lambda * hnorm * hnorm);
        if hnorm > radius {
            let c = radius / hnorm;
            pred = c * c * pred - c * (1.0 - c) * rho0 * h[0];
            h.iter_mut().for_each(|v| *v *= c);
        }
        out.pred = pred;
        out
    }

    /// The hard case: `h` solves `(T + lambda I) h = -rho_0 e_1` just right of the pole and
    /// lies inside; move to the boundary along the leftmost eigenvector.
    fn hard_case(&mut self, diag: &[f64], off: &[f64], rho0: f64, radius: f64, lambda: f64, hnorm: f64) -> TriSolution {
        let m = diag.len();
        // Inverse iteration with the factorization at lambda (pivots in piv).
        let e = &mut self.e[..m];
        for (j, v) in e.iter_mut().enumerate() {
            *v = 1.0 / (1.0 + j as f64);
        }
        for _ in 0..3 {
            solve_factored(off, &self.piv[..m], e);
            let en = norm(e);
            if !(en > 0.0 && en.is_finite()) {
                break;
            }
            e.iter_mut().for_each(|v| *v /= en);
        }
        let h = &mut self.h[..m];
        let pred0 = 0.5 * (-rho0 * h[0] + lambda * hnorm * hnorm);
        // e'Te, the Rayleigh quotient (close to theta_1 <= 0).
        let mut ete = 0.0;
        for j in 0..m {
            ete += diag[j] * e[j] * e[j];
            if j > 0 {
                ete += 2.0 * off[j] * e[j - 1] * e[j];
            }
        }
        let he = dot(h, e);
        let sign = if he >= 0.0 { 1.0 } else { -1.0 };
        let tau = boundary_root(hnorm * hnorm, sign * he, 1.0, radius);
        for (hj, ej) in h.iter_mut().zip(e.iter()) {
            *hj += sign * tau * ej;
        }
        let pred = pred0 + lambda * tau * he.abs() - 0.5 * tau * tau * ete;
        TriSolution { lambda, pred, interior: false, hard: true, indefinite: true, converged: true }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DenseModel;
    use faer::Mat;

    fn tri_model(diag: &[f64], off: &[f64], g: Vec<f64>) -> DenseModel {
        let n = diag.len();
        let hess = Mat::from_fn(n, n, |i, j| {
            if i == j {
                diag[i]
            } else if i + 1 == j {
                off[j]
            } else if j + 1 == i {
                off[i]
            } else {
                0.0
            }
        });
        DenseModel::new(g, hess)
    }

    #[test]
    fn tridiagonal_solve_meets_the_optimality_conditions() {
        let diag = [-2.0, 1.0, 3.0, 0.5, -0.5];
        let off = [0.0, 0.7, -1.1, 0.3, 2.0];
        let mut tri = Tridiagonal::with_capacity(5);
        for radius in [0.1, 1.0, 10.0] {
            let sol = tri.solve(&diag, &off, 1.5, radius, 0.0, 1e-12, 100);
            assert!(sol.converged && !sol.interior && sol.indefinite);
            let h = &tri.h;
            assert!((norm(h) - radius).abs() <= 1e-10 * radius);
            // (T + lambda I) h + rho0 e1 = 0.
            for j in 0..5 {
                let mut t = (diag[j] + sol.lambda) * h[j];
                if j > 0 {
                    t += off[j] * h[j - 1];
                }
                if j + 1 < 5 {
                    t += off[j + 1] * h[j + 1];
                }
                if j == 0 {
                    t += 1.5;
                }
                assert!(t.abs() <= 1e-8 * (1.0 + sol.lambda), "{j}: {t}");
            }
            // (5) against direct evaluation.
            let m = tri_model(&diag, &off, vec![1.5, 0.0, 0.0, 0.0, 0.0]);
            assert!((sol.pred + m.change(h)).abs() <= 1e-10 * sol.pred, "{} vs {}", sol.pred, -m.change(h));
        }
    }

    #[test]
    fn tridiagonal_hard_case_reaches_the_boundary() {
        // Decoupled T (t_1 = 0): e_2 is the leftmost eigenvector and orthogonal to e_1.
        let diag = [1.0, -1.0];
        let off = [0.0, 0.0];
        let mut tri = Tridiagonal::with_capacity(2);
        let sol = tri.solve(&diag, &off, 0.5, 2.0, 0.0, 1e-12, 100);
        assert!(sol.hard, "{sol:?}");
        assert!((norm(&tri.h) - 2.0).abs() <= 1e-10);
        let m = tri_model(&diag, &off, vec![0.5, 0.0]);
        assert!((sol.pred + m.change(&tri.h)).abs() <= 1e-10 * sol.pred);
        // Optimum: lambda = 1, h_1 = -0.25, h_2 = +-sqrt(4 - 1/16).
        let best = -(0.5 * -0.25 + 0.5 * 0.0625 - 0.5 * (4.0 - 0.0625));
        assert!(sol.pred >= best * (1.0 - 1e-9), "{} vs {best}", sol.pred);
    }

    #[test]
    fn interior_steps_match_steihaug() {
        // A positive definite model whose Newton step is inside: GLTR and Steihaug agree.
        let n = 6;
        let diag: Vec<f64> = (0..n).map(|i| 2.0 + i as f64).collect();
        let off: Vec<f64> = (0..n).map(|i| if i == 0 { 0.0 } else { 0.5 }).collect();
        let g: Vec<f64> = (0..n).map(|i| 1.0 - 0.3 * i as f64).collect();
        let mut m = tri_model(&diag, &off, g);
        let mut gltr = Gltr::new();
        let mut cg = super::super::Steihaug::new();
        gltr.initialize(n);
        cg.initialize(n);
        gltr.prepare(&mut m);
        cg.prepare(&mut m);
        let (mut s1, mut s2) = (vec![0.0; n], vec![0.0; n]);
        let a = gltr.solve(&mut m, 100.0, &mut s1);
        let b = cg.solve(&mut m, 100.0, &mut s2);
        assert_eq!(a.status, StepStatus::Interior);
        assert_eq!(s1, s2);
        assert_eq!(a.predicted_reduction, b.predicted_reduction);
        assert_eq!(a.inner_iterations, b.inner_iterations);
    }

    #[test]
    fn non_finite_curvature_returns_a_safe_step() {
        let mut m = DenseModel::new(vec![1.0, -2.0], Mat::from_fn(2, 2, |i, j| if i == j { f64::NAN } else { 0.0 }));
        let mut gltr = Gltr::new();
        gltr.initialize(2);
        gltr.prepare(&mut m);
        let mut s = vec![0.0; 2];
        let info = gltr.solve(&mut m, 1.0, &mut s);
        assert_eq!(info.status, StepStatus::IterationCap);
        assert!(s.iter().all(|v| v.is_finite()));
        assert_eq!(info.predicted_reduction, 0.0);
        // A second trial at the same point does not panic either.
        let info = gltr.solve(&mut m, 0.5, &mut s);
        assert!(s.iter().all(|v| v.is_finite()) && info.predicted_reduction == 0.0);
    }

    #[test]
    fn validate_rejects_bad_options() {
        assert!(GltrOptions::default().validate().is_ok());
        let edits: [fn(&mut GltrOptions); 6] = [
            |o| o.forcing = Forcing::Fixed(1.0),
            |o| o.max_iterations = Some(0),
            |o| o.max_lanczos_vectors = 0,
            |o| o.max_tridiagonal_iterations = 0,
            |o| o.tridiagonal_tolerance = 0.0,
            |o| o.tridiagonal_tolerance = f64::NAN,
        ];
        for edit in edits {
            let mut o = GltrOptions::default();
            edit(&mut o);
            assert!(matches!(o.validate(), Err(SetupError::InvalidOption { .. })), "{o:?}");
            assert!(Gltr::new().with_options(o).validate().is_err());
        }
    }
}
