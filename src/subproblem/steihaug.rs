//! Steihaug-Toint truncated conjugate gradients, matrix-free and preconditioned.
//!
//! Minimizes $m(s) = f + g^\top s + \tfrac12 s^\top B s$ over $\lVert s \rVert_M \le \Delta$ by
//! preconditioned CG started at $s = 0$, where $M$ is the preconditioner and
//! $\lVert s \rVert_M = \sqrt{s^\top M s}$ (with $M = I$ the Euclidean norm). CG stops at the first of (Steihaug 1983; Toint 1981; Conn, Gould & Toint
//! 2000, Algorithm 7.5.1; Nocedal & Wright 2006, Algorithm 7.2):
//! 1. negative or zero curvature $p^\top B p \le 0$: move along $p$ to the boundary;
//! 2. the next iterate would leave the region: stop on the boundary along $p$;
//! 3. the model gradient $r = g + B s$ is small: $\norm{r} \le \eta \norm{g}$. The forcing term
//!    $\eta = \min(0.5, \sqrt{\norm{g}})$ (Nocedal & Wright 2006, eq. 7.3 and the choice after
//!    Theorem 7.2; SciPy's trust-ncg) gives superlinear local convergence but depends on the
//!    units of `f`: scale `f` by 1e6 and CG stops at `eta = 0.5` until `||g|| < 0.25`. The
//!    default here is the same rule on the relative gradient, $\eta = \min(0.5, \sqrt{\norm{g} / \norm{g_0}})$
//!    with $g_0$ the gradient at the start, which is invariant to the scale of `f` and keeps the
//!    same asymptotics. Measured on extended Rosenbrock with `n = 1e5` from the standard start:
//!    46 iterations with the absolute rule, 38 with the relative one, 28 with exact CG
//!    (`Forcing::Fixed(1e-10)`);
//! 4. the iteration cap (default `n`).
//!
//! Norms of the iterates in the `M`-norm follow from recurrences that need no extra products
//! (Conn, Gould & Toint 2000, sec. 7.5.1; Gould, Lucidi, Roma & Toint 1999): with
//! $z = M^{-1} r$, $\rho = r^\top z$ (`rz`), $p_{k+1} = -z_{k+1} + \beta_k p_k$ and
//! $s_{k+1} = s_k + \alpha_k p_k$,
//!
//! $$s_{k+1}^\top M s_{k+1} = s_k^\top M s_k + 2 \alpha_k s_k^\top M p_k + \alpha_k^2 p_k^\top M p_k,$$
//!
//! $$s_{k+1}^\top M p_{k+1} = \beta_k (s_k^\top M p_k + \alpha_k p_k^\top M p_k),$$
//!
//! $$p_{k+1}^\top M p_{k+1} = \rho_{k+1} + \beta_k^2 p_k^\top M p_k.$$
//!
//! Predicted reduction, accumulated without cancellation: a full CG step with
//! $\alpha = \rho / p^\top B p$ reduces the model by $\alpha \rho / 2$ (since $r^\top p = -\rho$);
//! a partial step $\tau$ to the boundary reduces it by $\tau (\rho - \tau p^\top B p / 2)$, which
//! for $p^\top B p > 0$ and $\tau \le \alpha$ keeps at least half of $\tau \rho$, and for
//! $p^\top B p \le 0$ is a sum of two nonnegative terms. The total is a sum of nonnegative terms.
//!
//! References:
//! 1. T. Steihaug, The conjugate gradient method and trust regions in large scale
//!    optimization, SIAM J. Numer. Anal. 20 (1983) 626-637.
//! 2. Ph. L. Toint, Towards an efficient sparsity exploiting Newton method for minimization,
//!    in Sparse Matrices and Their Uses, Academic Press (1981) 57-88.
//! 3. A. R. Conn, N. I. M. Gould, Ph. L. Toint, Trust-Region Methods, SIAM (2000), sec. 7.5.
//! 4. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), sec. 7.1.

use std::time::Instant;

use super::{Needs, StepInfo, StepSolver, StepStatus};
use crate::error::SetupError;
use crate::linalg::{axpy, boundary_root, cg_start, cg_update, dot, norm, norm_from_sum_sq};
use crate::model::Model;

/// A symmetric positive definite preconditioner `M`; `apply` computes `z = M^{-1} r`.
pub trait Preconditioner {
    /// Allocates workspace for `n` variables.
    fn initialize(&mut self, n: usize);
    /// Refreshes `M` at a new point (once per accepted point).
    fn prepare(&mut self, model: &dyn Model);
    /// `z <- M^{-1} r`.
    fn apply(&self, r: &[f64], z: &mut [f64]);
    /// `s'Ms` for a vector `s` (used for the norm of the final step).
    fn norm_sq(&self, s: &[f64]) -> f64;
    /// Whether `M = I` at the current point, so that CG may use `r` for `z` without the copy.
    /// Default `false`.
    fn is_identity(&self) -> bool {
        false
    }
    /// Checks the preconditioner's options; called before the first evaluation. Default: none.
    fn validate(&self) -> Result<(), SetupError> {
        Ok(())
    }
}

/// `M = I`: plain Steihaug-Toint CG in the Euclidean norm.
#[derive(Clone, Copy, Debug, Default)]
pub struct IdentityPreconditioner;

impl Preconditioner for IdentityPreconditioner {
    fn initialize(&mut self, _: usize) {}
    fn prepare(&mut self, _: &dyn Model) {}
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        z.copy_from_slice(r);
    }
    fn norm_sq(&self, s: &[f64]) -> f64 {
        dot(s, s)
    }
    fn is_identity(&self) -> bool {
        true
    }
}

/// Jacobi preconditioner `M = diag(max(|B_ii|, floor * max_j |B_jj|))`.
///
/// Falls back to `M = I` when the model cannot give its diagonal (pure Hessian-vector
/// products) or the diagonal is zero.
#[derive(Clone, Debug)]
pub struct DiagonalPreconditioner {
    /// Relative floor on the diagonal entries. Default `1e-8`.
    pub floor: f64,
    diag: Vec<f64>,
    identity: bool,
}

impl Default for DiagonalPreconditioner {
    fn default() -> Self {
        Self { floor: 1e-8, diag: Vec::new(), identity: true }
    }
}

impl Preconditioner for DiagonalPreconditioner {
    fn initialize(&mut self, n: usize) {
        self.diag = vec![1.0; n];
    }
    fn validate(&self) -> Result<(), SetupError> {
        // A floor of 0 (or NaN) lets a zero diagonal entry through: 0/0 in `apply`.
        if !(self.floor > 0.0 && self.floor < 1.0) {
            return Err(SetupError::InvalidOption {
                name: "floor",
                value: self.floor,
                reason: "must satisfy 0 < floor < 1",
            });
        }
        Ok(())
    }
    fn prepare(&mut self, model: &dyn Model) {
        self.identity = !model.diagonal(&mut self.diag);
        if self.identity {
            return;
        }
        let dmax = self.diag.iter().fold(0.0f64, |m, d| m.max(d.abs()));
        if !(dmax > 0.0 && dmax.is_finite()) {
            self.identity = true;
            return;
        }
        let lo = self.floor * dmax;
        for d in &mut self.diag {
            *d = d.abs().max(lo);
        }
    }
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        if self.identity {
            z.copy_from_slice(r);
        } else {
            for ((zi, ri), di) in z.iter_mut().zip(r).zip(&self.diag) {
                *zi = ri / di;
            }
        }
    }
    fn norm_sq(&self, s: &[f64]) -> f64 {
        if self.identity {
            dot(s, s)
        } else {
            s.iter().zip(&self.diag).map(|(si, di)| di * si * si).sum()
        }
    }
    fn is_identity(&self) -> bool {
        self.identity
    }
}

/// The forcing term that decides when CG has solved the Newton equation well enough.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Forcing {
    /// `||r|| <= min(0.5, sqrt(||g||)) ||g||` (Nocedal & Wright 2006, sec. 7.1; SciPy).
    SqrtGradient,
    /// `||r|| <= min(0.5, sqrt(||g|| / ||g0||)) ||g||`, with `g0` the gradient at the first
    /// point the solver prepared: the same rule made invariant to the scale of `f`.
    SqrtRelativeGradient,
    /// `||r|| <= eta ||g||` with a fixed `0 < eta < 1`.
    Fixed(f64),
}

impl Forcing {
    /// The CG stopping tolerance `eta ||g||` for the gradient norm `gnorm`, with `g0_norm` the
    /// gradient norm at the first prepared point (used by [`Forcing::SqrtRelativeGradient`];
    /// when it is not positive the rule falls back to the absolute one).
    pub fn tolerance(self, gnorm: f64, g0_norm: f64) -> f64 {
        let eta = match self {
            Forcing::SqrtGradient => gnorm.sqrt().min(0.5),
            Forcing::SqrtRelativeGradient => {
                let rel = if g0_norm > 0.0 { gnorm / g0_norm } else { gnorm };
                rel.sqrt().min(0.5)
            }
            Forcing::Fixed(e) => e,
        };
        eta * gnorm
    }
}

/// The option checks Steihaug and GLTR share: a fixed forcing term in `(0, 1)`, a CG cap of at
/// least one iteration.
pub(crate) fn validate_cg_options(forcing: Forcing, max_iterations: Option<usize>) -> Result<(), SetupError> {
    if let Forcing::Fixed(eta) = forcing {
        if !(eta > 0.0 && eta < 1.0) {
            return Err(SetupError::InvalidOption {
                name: "forcing",
                value: eta,
                reason: "fixed forcing term must lie in (0, 1)",
            });
        }
    }
    if max_iterations == Some(0) {
        return Err(SetupError::InvalidOption { name: "max_iterations", value: 0.0, reason: "must be at least 1" });
    }
    Ok(())
}

/// Steihaug-Toint truncated CG with a preconditioner `M` (trust region in the `M`-norm).
///
/// # Example
///
/// ```
/// use faer::Mat;
/// use trust_region::subproblem::steihaug::Forcing;
/// use trust_region::subproblem::{Steihaug, StepSolver, StepStatus};
/// use trust_region::DenseModel;
///
/// // B = diag(1, 4), g = (1, 1): CG finds the Newton step (-1, -1/4) in two iterations when
/// // the forcing term asks for it.
/// let b = Mat::from_fn(2, 2, |i, j| if i == j { [1.0, 4.0][i] } else { 0.0 });
/// let mut model = DenseModel::new(vec![1.0, 1.0], b);
/// let mut cg = Steihaug::new();
/// cg.forcing = Forcing::Fixed(1e-12);
/// cg.initialize(2);
/// cg.prepare(&mut model);
/// let mut s = [0.0; 2];
/// let info = cg.solve(&mut model, 10.0, &mut s);
/// assert_eq!(info.status, StepStatus::Interior);
/// assert_eq!(info.inner_iterations, 2);
/// assert!((s[0] + 1.0).abs() < 1e-12 && (s[1] + 0.25).abs() < 1e-12);
/// // On an indefinite model CG follows negative curvature to the boundary.
/// let b = Mat::from_fn(2, 2, |i, j| if i == j { [1.0, -2.0][i] } else { 0.0 });
/// let mut model = DenseModel::new(vec![1.0, 1.0], b);
/// cg.prepare(&mut model);
/// let info = cg.solve(&mut model, 1.0, &mut s);
/// assert!(info.hits_boundary && (info.step_norm - 1.0).abs() < 1e-12);
/// ```
#[derive(Clone, Debug)]
pub struct Steihaug<M: Preconditioner = IdentityPreconditioner> {
    /// The forcing term. Default [`Forcing::SqrtRelativeGradient`].
    pub forcing: Forcing,
    /// Cap on CG iterations per trial; `None` means `n`. Default `None`.
    pub max_iterations: Option<usize>,
    /// The preconditioner.
    pub preconditioner: M,
    r: Vec<f64>,
    z: Vec<f64>,
    p: Vec<f64>,
    bp: Vec<f64>,
    g0_norm: f64,
    deadline: Option<Instant>,
}

impl Default for Steihaug<IdentityPreconditioner> {
    fn default() -> Self {
        Self::with_preconditioner(IdentityPreconditioner)
    }
}

impl Steihaug<IdentityPreconditioner> {
    /// Unpreconditioned Steihaug-Toint CG with the default forcing term.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<M: Preconditioner> Steihaug<M> {
    /// Steihaug-Toint CG with the given preconditioner.
    pub fn with_preconditioner(preconditioner: M) -> Self {
        Self {
            forcing: Forcing::SqrtRelativeGradient,
            max_iterations: None,
            preconditioner,
            r: Vec::new(),
            z: Vec::new(),
            p: Vec::new(),
            bp: Vec::new(),
            g0_norm: f64::NAN,
            deadline: None,
        }
    }
}

impl<M: Preconditioner> Steihaug<M> {
    fn measure(&self, g: &[f64], step: &mut [f64], radius: f64, pred: f64) -> (f64, f64) {
        measure_in_region(&self.preconditioner, g, step, radius, pred)
    }
}

/// The norm recurrences of CG and Lanczos drift in floating point (orthogonality is lost; seen:
/// 1e-9 relative after 29 iterations), so a step they place on or inside the boundary can lie
/// slightly outside. Measures `||s||_M`; if it exceeds `radius`, scales the step by
/// `c = radius / ||s||_M`. Returns the predicted reduction of the result,
/// `c^2 pred - c (1 - c) g's` (from `m(cs) = c g's + c^2 s'Bs/2`; both terms are nonnegative
/// since `g's < 0` for the descent steps CG and GLTR build), and its norm. Shared by
/// [`Steihaug`] and [`super::Gltr`].
pub(crate) fn measure_in_region<M: Preconditioner>(
    preconditioner: &M,
    g: &[f64],
    step: &mut [f64],
    radius: f64,
    pred: f64,
) -> (f64, f64) {
    let actual = preconditioner.norm_sq(step).sqrt();
    if !(actual > radius) {
        return (pred, actual);
    }
    let c = radius / actual;
    let gs = dot(g, step);
    step.iter_mut().for_each(|v| *v *= c);
    (c * c * pred - c * (1.0 - c) * gs, radius)
}

impl<M: Preconditioner> StepSolver for Steihaug<M> {
    fn name(&self) -> &'static str {
        "steihaug"
    }
    fn needs(&self) -> Needs {
        Needs::Products
    }
    fn validate(&self) -> Result<(), SetupError> {
        validate_cg_options(self.forcing, self.max_iterations)?;
        self.preconditioner.validate()
    }
    fn initialize(&mut self, n: usize) {
        self.r = vec![0.0; n];
        self.z = vec![0.0; n];
        self.p = vec![0.0; n];
        self.bp = vec![0.0; n];
        self.preconditioner.initialize(n);
        self.g0_norm = f64::NAN;
    }
    fn prepare(&mut self, model: &mut dyn Model) {
        if self.r.len() != model.dim() {
            self.initialize(model.dim());
        }
        self.preconditioner.prepare(model);
        if !(self.g0_norm > 0.0) {
            self.g0_norm = norm(model.gradient());
        }
    }
    fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }
    fn solve(&mut self, model: &mut dyn Model, radius: f64, step: &mut [f64]) -> StepInfo {
        let n = model.dim();
        // s = 0, r = g, p = -g and g'g in one pass (p is redone below for M != I).
        let gg = cg_start(model.gradient(), step, &mut self.r, &mut self.p);
        let gnorm = norm_from_sum_sq(gg, &self.r);
        let mut info = StepInfo {
            step_norm: 0.0,
            predicted_reduction: 0.0,
            hits_boundary: false,
            status: StepStatus::Interior,
            inner_iterations: 0,
            factorizations: 0,
        };
        if gnorm == 0.0 {
            return info;
        }
        let tol = self.forcing.tolerance(gnorm, self.g0_norm);
        let cap = self.max_iterations.unwrap_or(n).max(1);
        // With `M = I`, `z = r`: the copy is skipped and the products are the same numbers.
        let identity = self.preconditioner.is_identity();
        let mut rz = gg;
        if !identity {
            self.preconditioner.apply(&self.r, &mut self.z);
            rz = dot(&self.r, &self.z);
            for (p, z) in self.p.iter_mut().zip(&self.z) {
                *p = -z;
            }
        }
        let (mut sms, mut smp, mut pmp) = (0.0f64, 0.0f64, rz);
        let r2 = radius * radius;
        let mut pred = 0.0;
        for k in 0..cap {
            info.inner_iterations = k + 1;
            model.apply(&self.p, &mut self.bp);
            let kappa = dot(&self.p, &self.bp);
            if kappa <= 0.0 || !kappa.is_finite() {
                let tau = boundary_root(sms, smp, pmp, radius);
                axpy(tau, &self.p, step);
                let curv = if kappa.is_finite() { -kappa } else { 0.0 };
                pred += tau * rz + 0.5 * tau * tau * curv;
                (info.predicted_reduction, info.step_norm) = self.measure(model.gradient(), step, radius, pred);
                info.hits_boundary = true;
                info.status = StepStatus::NegativeCurvature;
                return info;
            }
            let alpha = rz / kappa;
            let sms_next = sms + 2.0 * alpha * smp + alpha * alpha * pmp;
            if sms_next >= r2 {
                let tau = boundary_root(sms, smp, pmp, radius);
                axpy(tau, &self.p, step);
                pred += tau * (rz - 0.5 * tau * kappa);
                (info.predicted_reduction, info.step_norm) = self.measure(model.gradient(), step, radius, pred);
                info.hits_boundary = true;
                info.status = StepStatus::Boundary;
                return info;
            }
            let rr = cg_update(alpha, &self.p, &self.bp, step, &mut self.r);
            pred += 0.5 * alpha * rz;
            sms = sms_next;
            if norm_from_sum_sq(rr, &self.r) <= tol {
                info.status = StepStatus::Interior;
                (info.predicted_reduction, info.step_norm) = self.measure(model.gradient(), step, radius, pred);
                info.hits_boundary = info.step_norm >= (1.0 - 1e-6) * radius;
                return info;
            }
            let rz_next = if identity {
                rr
            } else {
                self.preconditioner.apply(&self.r, &mut self.z);
                dot(&self.r, &self.z)
            };
            let z = if identity { &self.r } else { &self.z };
            let beta = rz_next / rz;
            rz = rz_next;
            for (p, z) in self.p.iter_mut().zip(z) {
                *p = beta * *p - z;
            }
            smp = beta * (smp + alpha * pmp);
            pmp = rz + beta * beta * pmp;
            if self.deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
        }
        info.status = StepStatus::IterationCap;
        (info.predicted_reduction, info.step_norm) = self.measure(model.gradient(), step, radius, pred);
        info.hits_boundary = info.step_norm >= (1.0 - 1e-6) * radius;
        info
    }
}
