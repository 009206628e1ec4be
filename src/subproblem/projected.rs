//! The step of the projected Newton trust region for bound constraints (TRON family): a
//! generalized Cauchy step by projected search, then subspace conjugate gradients on the free
//! variables with projected searches and repeated growth of the active set.
//!
//! # The problem
//!
//! At a point $x$ of the box $\Omega = \{l \le x \le u\}$ with gradient $g$ and model Hessian
//! $B$, the step approximately solves
//!
//! $$\min_s \; q(s) = g^\top s + \tfrac12 s^\top B s \quad \text{subject to} \quad
//! x + s \in \Omega, \quad \norm{s}_2 \le \Delta .$$
//!
//! $P(y) = \mathrm{mid}(l, y, u)$ is the projection onto the box. Fixed variables ($l_i = u_i$)
//! are never free, so every step leaves them where they are.
//!
//! # 1. Generalized Cauchy step (Lin & More 1999, sec. 4; More & Toraldo 1989)
//!
//! Along the projected gradient path $s(\alpha) = P(x - \alpha g) - x$ pick $\alpha > 0$ with
//!
//! $$\norm{s(\alpha)}_2 \le \Delta, \qquad q(s(\alpha)) \le \mu_0 \, g^\top s(\alpha)
//! \quad (\mu_0 = 10^{-2}).$$
//!
//! The search starts from the previous iteration's $\alpha$ (1 at the first): when both
//! conditions hold it extrapolates, $\alpha \leftarrow \alpha / \beta$, while they keep holding
//! and $\alpha$ is below the last breakpoint of the path (beyond it the path is constant);
//! otherwise it backtracks, $\alpha \leftarrow \beta \alpha$, until they hold ($\beta = 0.1$).
//! Every component that reaches a bound on the path stays there, so one search can add many
//! bounds to the active set. Since $g^\top s(\alpha) < 0$ whenever the projected gradient is
//! nonzero, the Cauchy step decreases the model by at least $\mu_0 |g^\top s|$.
//!
//! # 2. Subspace steps (Lin & More 1999, sec. 5 and Algorithm 5.1)
//!
//! From the current minor iterate $x_k = x + s_k$ (first the Cauchy point), with the free set
//! $F = \{i : l_i < (x_k)_i < u_i\}$ and the model gradient $r = g + B s_k$, preconditioned CG
//! approximately minimizes $q(s_k + w)$ over $w$ with $w_i = 0$ outside $F$ (Steihaug-Toint
//! exits: negative curvature and leaving the region go to the boundary, and the forcing test
//! $\norm{r_F} \le \xi \norm{g_F}$ with $\xi = 10^{-2}$ ends it inside). A projected search
//! along $w$ follows: $\alpha = 1$, then $\alpha \leftarrow 0.1 \alpha$ while
//! $\alpha$ exceeds the first breakpoint $\alpha_b$ and
//! $q(s_k + d) - q(s_k) > \mu_0 \, r^\top d$ for $d = P(x_k + \alpha w) - x_k$; a search that
//! fell below $\alpha_b$ takes $\alpha_b$ itself, where $q$ still decreases along the ray and at
//! least one more bound becomes active. The minor iterations end when the reduced gradient test
//! holds at the new iterate, when CG stopped on the boundary of the region or on negative
//! curvature, or when no variable is free; otherwise they repeat with the larger active set.
//!
//! Our choice, different from TRON: the region bounds the total step in the Euclidean norm,
//! $\norm{s_k + w}_2 \le \Delta$, also with a preconditioner (TRON bounds each minor step in
//! the norm of that step's incomplete Cholesky factor). Preconditioned CG iterates do not grow
//! monotonically in the Euclidean norm, so CG stops at the first iterate that would leave the
//! region (a truncation that still decreases $q$ monotonically); in exchange the region is one
//! ball for the Cauchy step, the subspace steps and the radius update, `||s|| <= radius` holds
//! for every step, and the projections cannot leave the ball (the projection onto a convex
//! set containing $x$ is nonexpansive).
//!
//! # 3. Preconditioners
//!
//! - Incomplete Cholesky with limited memory (Lin & More 1999b) of the reduced Hessian
//!   $B_{FF}$: the model's sparse preconditioning matrix with the rows and columns outside $F$
//!   replaced by those of the identity. The pattern never changes, so the factorization
//!   analyses it once per solve, and the factor of the block-diagonal matrix is the factor of
//!   $B_{FF}$ with a unit block (every product with a zero coupling is an exact zero). The
//!   factorization is redone only when $F$ changes (and once per accepted point).
//! - Jacobi on the free variables, $M = \mathrm{diag}(\max(|B_{ii}|, 10^{-8} \max_{j \in F}
//!   |B_{jj}|))$, when the model gives its diagonal; the identity otherwise (Hessian-vector
//!   products only: the factorization-free variant, as JSOSolvers' `tron`).
//!
//! # Predicted reduction
//!
//! With $B s$ recomputed by one product after every minor iteration, $\mathrm{pred} =
//! -q(s) = -s^\top (g + \tfrac12 B s)$: one inner product, no difference of two large sums.
//!
//! Every inner loop is capped: 60 steps of the Cauchy search each way, 30 backtracks of a
//! projected search, CG at `max_cg_iterations` (default the number of free variables), and `n`
//! minor iterations. Non-finite products make the step non-finite; the loop checks for that and
//! rejects the trial without evaluating `f`.
//!
//! References:
//! 1. C.-J. Lin, J. J. More, Newton's method for large bound-constrained optimization problems,
//!    SIAM J. Optim. 9 (1999) 1100-1127.
//! 2. C.-J. Lin, J. J. More, Incomplete Cholesky factorizations with limited memory, SIAM J.
//!    Sci. Comput. 21 (1999) 24-45.
//! 3. J. J. More, G. Toraldo, Algorithms for bound constrained quadratic programming problems,
//!    Numer. Math. 55 (1989) 377-400.
//! 4. T. Steihaug, The conjugate gradient method and trust regions in large scale
//!    optimization, SIAM J. Numer. Anal. 20 (1983) 626-637.
//! 5. A. R. Conn, N. I. M. Gould, Ph. L. Toint, Trust-Region Methods, SIAM (2000), ch. 12.

use faer::sparse::SparseColMat;

use crate::linalg::incomplete_cholesky::{IncompleteCholesky, IncompleteCholeskyOptions};
use crate::linalg::{all_finite, boundary_root, dot, norm};
use crate::model::Model;
use crate::step::StepStatus;

/// Preconditioner of the subspace CG of the projected method.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum BoundedPreconditioner {
    /// None (`M = I`).
    Identity,
    /// Jacobi on the free variables when the model gives its diagonal (dense or sparse
    /// Hessian), the identity otherwise.
    Jacobi,
    /// Incomplete Cholesky with limited memory of the reduced sparse Hessian (or of the
    /// model's sparse approximation, [`Model::preconditioning_matrix`]); Jacobi when the model
    /// has no sparse matrix or the factorization fails at a point.
    IncompleteCholesky(IncompleteCholeskyOptions),
}

impl Default for BoundedPreconditioner {
    fn default() -> Self {
        Self::IncompleteCholesky(IncompleteCholeskyOptions::default())
    }
}

/// Which preconditioner is in force for the current free set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Active {
    Identity,
    Jacobi,
    Factor,
}

/// The options of the step (copied from the loop's options).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ProjectedStepOptions {
    pub mu0: f64,
    pub search_factor: f64,
    pub forcing: f64,
    pub max_cg_iterations: Option<usize>,
    pub preconditioner: BoundedPreconditioner,
}

/// What one projected step reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ProjectedStepInfo {
    pub step_norm: f64,
    pub predicted_reduction: f64,
    pub hits_boundary: bool,
    pub status: StepStatus,
    pub cg_iterations: usize,
    pub minor_iterations: usize,
    pub cauchy_alpha: f64,
    /// `-q(s_c)` of the generalized Cauchy step.
    pub cauchy_reduction: f64,
    /// `-g's_c` of the generalized Cauchy step.
    pub cauchy_slope: f64,
    /// Whether the step and its predicted reduction are finite.
    pub finite: bool,
}

/// Workspace and state of the projected step (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct ProjectedStep {
    opts: ProjectedStepOptions,
    /// Trial point `x + s` (exactly inside the box).
    pub xk: Vec<f64>,
    /// Step `s = xk - x`.
    pub s: Vec<f64>,
    bs: Vec<f64>,
    gq: Vec<f64>,
    w: Vec<f64>,
    t: Vec<f64>,
    r: Vec<f64>,
    z: Vec<f64>,
    p: Vec<f64>,
    bp: Vec<f64>,
    d: Vec<f64>,
    bd: Vec<f64>,
    free: Vec<bool>,
    prep_free: Vec<bool>,
    diag: Vec<f64>,
    active: Active,
    factor: Option<IncompleteCholesky>,
    masked: Option<SparseColMat<usize, f64>>,
    alpha: f64,
    epoch: usize,
    prep_epoch: usize,
    /// Numeric incomplete factorizations (every shift tried counts).
    pub factorizations: usize,
}

const CAUCHY_STEPS: usize = 60;
const SEARCH_STEPS: usize = 30;

impl ProjectedStep {
    /// A step with validated options (the incomplete Cholesky options are checked by the loop).
    pub(crate) fn new(opts: ProjectedStepOptions) -> Self {
        let factor = match opts.preconditioner {
            BoundedPreconditioner::IncompleteCholesky(o) => IncompleteCholesky::new(o).ok(),
            _ => None,
        };
        Self {
            opts,
            xk: Vec::new(),
            s: Vec::new(),
            bs: Vec::new(),
            gq: Vec::new(),
            w: Vec::new(),
            t: Vec::new(),
            r: Vec::new(),
            z: Vec::new(),
            p: Vec::new(),
            bp: Vec::new(),
            d: Vec::new(),
            bd: Vec::new(),
            free: Vec::new(),
            prep_free: Vec::new(),
            diag: Vec::new(),
            active: Active::Identity,
            factor,
            masked: None,
            alpha: 1.0,
            epoch: 1,
            prep_epoch: 0,
            factorizations: 0,
        }
    }

    /// Allocates the workspace for `n` variables.
    pub(crate) fn initialize(&mut self, n: usize) {
        for v in [
            &mut self.xk,
            &mut self.s,
            &mut self.bs,
            &mut self.gq,
            &mut self.w,
            &mut self.t,
            &mut self.r,
            &mut self.z,
            &mut self.p,
            &mut self.bp,
            &mut self.d,
            &mut self.bd,
            &mut self.diag,
        ] {
            *v = vec![0.0; n];
        }
        self.free = vec![false; n];
        self.prep_free = vec![false; n];
        self.alpha = 1.0;
        self.epoch = 1;
        self.prep_epoch = 0;
        self.masked = None;
        self.factorizations = 0;
        if let Some(f) = self.factor.as_mut() {
            f.forget_shift();
        }
    }

    /// The model moved to a new point: preconditioners must be rebuilt.
    pub(crate) fn new_point(&mut self) {
        self.epoch += 1;
    }

    /// Pattern analyses of the incomplete factorization so far.
    pub(crate) fn analyses(&self) -> usize {
        self.factor.as_ref().map_or(0, |f| f.analyses())
    }

    /// Computes the step at `x` (in the box) for `radius` into [`Self::s`] and the trial point
    /// into [`Self::xk`].
    pub(crate) fn solve(
        &mut self,
        model: &mut dyn Model,
        x: &[f64],
        lower: &[f64],
        upper: &[f64],
        radius: f64,
    ) -> ProjectedStepInfo {
        let n = x.len();
        let mut info = ProjectedStepInfo {
            step_norm: 0.0,
            predicted_reduction: 0.0,
            hits_boundary: false,
            status: StepStatus::Interior,
            cg_iterations: 0,
            minor_iterations: 0,
            cauchy_alpha: 0.0,
            cauchy_reduction: 0.0,
            cauchy_slope: 0.0,
            finite: true,
        };
        // 1. Generalized Cauchy step.
        let Some(alpha) = self.cauchy(model, x, lower, upper, radius) else {
            // Non-finite model values: no step (the loop rejects the trial without `f`).
            info.finite = false;
            info.predicted_reduction = f64::NAN;
            self.s.iter_mut().for_each(|v| *v = 0.0);
            self.xk.copy_from_slice(x);
            return info;
        };
        info.cauchy_alpha = alpha;
        self.alpha = if alpha > 0.0 && alpha.is_finite() { alpha } else { 1.0 };
        cauchy_point(x, model.gradient(), alpha, lower, upper, &mut self.xk, &mut self.s);
        model.apply(&self.s, &mut self.bs);
        let g = model.gradient();
        let gs = dot(g, &self.s);
        let q = gs + 0.5 * dot(&self.s, &self.bs);
        info.cauchy_reduction = -q;
        info.cauchy_slope = -gs;
        // 2. Subspace steps.
        let mu0 = self.opts.mu0;
        for _ in 0..n.max(1) {
            let g = model.gradient();
            let mut nfree = 0;
            let mut gf2 = 0.0;
            let mut rf2 = 0.0;
            for i in 0..n {
                let f = lower[i] < self.xk[i] && self.xk[i] < upper[i];
                self.free[i] = f;
                self.gq[i] = g[i] + self.bs[i];
                if f {
                    nfree += 1;
                    gf2 += g[i] * g[i];
                    rf2 += self.gq[i] * self.gq[i];
                }
            }
            let tol = self.opts.forcing * gf2.sqrt();
            if nfree == 0 || !(rf2.sqrt() > tol) {
                break;
            }
            self.prepare_preconditioner(model);
            let (status, its) = self.cg(model, radius, nfree);
            info.cg_iterations += its;
            info.minor_iterations += 1;
            self.projected_search(model, x, lower, upper, mu0);
            model.apply(&self.s, &mut self.bs);
            // Reduced gradient at the new minor iterate, on its own free set.
            let g = model.gradient();
            let mut rn2 = 0.0;
            for i in 0..n {
                if lower[i] < self.xk[i] && self.xk[i] < upper[i] {
                    let v = g[i] + self.bs[i];
                    rn2 += v * v;
                }
            }
            info.status = status;
            if rn2.sqrt() <= tol || matches!(status, StepStatus::Boundary | StepStatus::NegativeCurvature) {
                break;
            }
        }
        let g = model.gradient();
        // pred = -q(s) = -s'(g + Bs/2).
        let mut pred = 0.0;
        for i in 0..n {
            pred -= self.s[i] * (g[i] + 0.5 * self.bs[i]);
        }
        info.predicted_reduction = pred;
        info.step_norm = norm(&self.s);
        info.hits_boundary = info.step_norm >= (1.0 - 1e-6) * radius;
        info.finite = pred.is_finite() && all_finite(&self.s);
        info
    }

    /// The projected search along the gradient path; returns the chosen `alpha`, or `None`
    /// when the model gives a non-finite value on the path.
    fn cauchy(&mut self, model: &mut dyn Model, x: &[f64], lower: &[f64], upper: &[f64], radius: f64) -> Option<f64> {
        let beta = self.opts.search_factor;
        // The last breakpoint: beyond it the path does not move.
        let g = model.gradient();
        let mut brpt_max = 0.0f64;
        for i in 0..x.len() {
            let t = if g[i] < 0.0 {
                (upper[i] - x[i]) / -g[i]
            } else if g[i] > 0.0 {
                (x[i] - lower[i]) / g[i]
            } else {
                0.0
            };
            brpt_max = brpt_max.max(t);
        }
        let mut alpha = self.alpha;
        if self.satisfies(model, x, lower, upper, radius, alpha)? {
            for _ in 0..CAUCHY_STEPS {
                if !(alpha < brpt_max) {
                    break;
                }
                let next = alpha / beta;
                if !self.satisfies(model, x, lower, upper, radius, next)? {
                    break;
                }
                alpha = next;
            }
        } else {
            for _ in 0..CAUCHY_STEPS {
                alpha *= beta;
                if self.satisfies(model, x, lower, upper, radius, alpha)? {
                    break;
                }
            }
        }
        Some(alpha)
    }

    /// Whether `s(alpha)` lies in the region and decreases the model by the `mu0` fraction;
    /// `None` when the model value is not finite.
    fn satisfies(
        &mut self,
        model: &mut dyn Model,
        x: &[f64],
        l: &[f64],
        u: &[f64],
        radius: f64,
        alpha: f64,
    ) -> Option<bool> {
        cauchy_point(x, model.gradient(), alpha, l, u, &mut self.xk, &mut self.d);
        if !(norm(&self.d) <= radius) {
            return Some(false);
        }
        model.apply(&self.d, &mut self.bd);
        let gs = dot(model.gradient(), &self.d);
        let q = gs + 0.5 * dot(&self.d, &self.bd);
        if !q.is_finite() {
            return None;
        }
        Some(q <= self.opts.mu0 * gs)
    }

    /// Builds the preconditioner for the current free set (once per free set and point).
    fn prepare_preconditioner(&mut self, model: &mut dyn Model) {
        if self.prep_epoch == self.epoch && self.prep_free == self.free {
            return;
        }
        self.prep_epoch = self.epoch;
        self.prep_free.copy_from_slice(&self.free);
        self.active = Active::Identity;
        if let BoundedPreconditioner::IncompleteCholesky(_) = self.opts.preconditioner {
            if self.factorize(model) {
                self.active = Active::Factor;
                return;
            }
        }
        if self.opts.preconditioner != BoundedPreconditioner::Identity && model.diagonal(&mut self.diag) {
            let mut dmax = 0.0f64;
            for (d, &f) in self.diag.iter().zip(&self.free) {
                if f {
                    dmax = dmax.max(d.abs());
                }
            }
            if dmax > 0.0 && dmax.is_finite() {
                let lo = 1e-8 * dmax;
                for d in &mut self.diag {
                    *d = d.abs().max(lo);
                }
                self.active = Active::Jacobi;
            }
        }
    }

    /// The incomplete factor of the reduced preconditioning matrix (module docs); `false` when
    /// the model has none or the factorization fails.
    fn factorize(&mut self, model: &mut dyn Model) -> bool {
        let Some(factor) = self.factor.as_mut() else { return false };
        let Some(a) = model.preconditioning_matrix() else { return false };
        let n = self.free.len();
        if a.nrows() != n || a.ncols() != n {
            return false;
        }
        if self.masked.as_ref().is_none_or(|m| m.row_idx().len() != a.row_idx().len()) {
            let Ok(sym) = a.symbolic().to_owned() else { return false };
            let nnz = sym.row_idx().len();
            self.masked = Some(SparseColMat::new(sym, vec![0.0; nnz]));
        }
        let Some(m) = self.masked.as_mut() else { return false };
        let src = a.val();
        let (sym, vals) = m.parts_mut();
        for j in 0..n {
            for k in sym.col_range(j) {
                let i = sym.row_idx()[k];
                vals[k] = if self.free[i] && self.free[j] {
                    src[k]
                } else if i == j {
                    1.0
                } else {
                    0.0
                };
            }
        }
        let before = factor.factorizations();
        let ok = factor.factorize(m.as_ref()).is_ok();
        self.factorizations += factor.factorizations() - before;
        ok
    }

    /// `z <- M^{-1} r` on the free variables, zero elsewhere.
    fn precondition(&mut self) {
        match self.active {
            Active::Identity => self.z.copy_from_slice(&self.r),
            Active::Jacobi => {
                for ((z, r), d) in self.z.iter_mut().zip(&self.r).zip(&self.diag) {
                    *z = r / d;
                }
            }
            Active::Factor => {
                self.z.copy_from_slice(&self.r);
                if let Some(f) = self.factor.as_ref() {
                    f.solve_in_place(&mut self.z);
                }
            }
        }
        for (z, &f) in self.z.iter_mut().zip(&self.free) {
            if !f {
                *z = 0.0;
            }
        }
    }

    /// Preconditioned Steihaug-Toint CG on the free variables from the current minor iterate,
    /// keeping `||s + w||_2 <= radius`; the step goes to `w`.
    fn cg(&mut self, model: &mut dyn Model, radius: f64, nfree: usize) -> (StepStatus, usize) {
        let n = self.free.len();
        for i in 0..n {
            self.w[i] = 0.0;
            self.t[i] = self.s[i];
            self.r[i] = if self.free[i] { self.gq[i] } else { 0.0 };
        }
        let rnorm0 = norm(&self.r);
        let g = model.gradient();
        let gf = self.free.iter().zip(g).filter(|(f, _)| **f).map(|(_, v)| v * v).sum::<f64>().sqrt();
        let tol = self.opts.forcing * gf;
        if !(rnorm0 > tol) {
            return (StepStatus::Interior, 0);
        }
        self.precondition();
        for (p, z) in self.p.iter_mut().zip(&self.z) {
            *p = -z;
        }
        let mut rz = dot(&self.r, &self.z);
        let cap = self.opts.max_cg_iterations.unwrap_or(nfree).max(1);
        for k in 0..cap {
            if !(rz > 0.0 && rz.is_finite()) {
                return (StepStatus::IterationCap, k);
            }
            model.apply(&self.p, &mut self.bp);
            for (bp, &f) in self.bp.iter_mut().zip(&self.free) {
                if !f {
                    *bp = 0.0;
                }
            }
            let kappa = dot(&self.p, &self.bp);
            let (tt, tp, pp) = (dot(&self.t, &self.t), dot(&self.t, &self.p), dot(&self.p, &self.p));
            if !(kappa > 0.0) {
                let tau = boundary_root(tt, tp, pp, radius);
                self.advance(tau);
                return (StepStatus::NegativeCurvature, k + 1);
            }
            let alpha = rz / kappa;
            if tt + alpha * (2.0 * tp + alpha * pp) >= radius * radius {
                let tau = boundary_root(tt, tp, pp, radius);
                self.advance(tau);
                return (StepStatus::Boundary, k + 1);
            }
            self.advance(alpha);
            for (r, bp) in self.r.iter_mut().zip(&self.bp) {
                *r += alpha * bp;
            }
            if norm(&self.r) <= tol {
                return (StepStatus::Interior, k + 1);
            }
            self.precondition();
            let rz_next = dot(&self.r, &self.z);
            let beta = rz_next / rz;
            rz = rz_next;
            for (p, z) in self.p.iter_mut().zip(&self.z) {
                *p = beta * *p - z;
            }
        }
        (StepStatus::IterationCap, cap)
    }

    /// `w += tau p`, `t += tau p`.
    fn advance(&mut self, tau: f64) {
        for ((w, t), p) in self.w.iter_mut().zip(self.t.iter_mut()).zip(&self.p) {
            *w += tau * p;
            *t += tau * p;
        }
    }

    /// The projected search along `w` from the minor iterate `xk` (module docs); moves `xk`
    /// and `s`.
    fn projected_search(&mut self, model: &mut dyn Model, x: &[f64], lower: &[f64], upper: &[f64], mu0: f64) {
        let n = x.len();
        // The first breakpoint along w.
        let mut brpt_min = f64::INFINITY;
        for i in 0..n {
            let t = breakpoint(self.xk[i], self.w[i], lower[i], upper[i]);
            brpt_min = brpt_min.min(t);
        }
        let mut alpha = 1.0f64;
        for _ in 0..SEARCH_STEPS {
            if !(alpha > brpt_min) {
                break;
            }
            for i in 0..n {
                self.d[i] = move_to(self.xk[i], self.w[i], alpha, lower[i], upper[i]) - self.xk[i];
            }
            model.apply(&self.d, &mut self.bd);
            let gts = dot(&self.gq, &self.d);
            let q = gts + 0.5 * dot(&self.d, &self.bd);
            if q <= mu0 * gts {
                break;
            }
            alpha *= 0.1;
        }
        if alpha < 1.0 && alpha < brpt_min {
            alpha = brpt_min;
        }
        for i in 0..n {
            self.xk[i] = move_to(self.xk[i], self.w[i], alpha, lower[i], upper[i]);
            self.s[i] = self.xk[i] - x[i];
        }
    }
}

/// `xk <- P(x - alpha g)`, `s <- xk - x`.
fn cauchy_point(x: &[f64], g: &[f64], alpha: f64, lower: &[f64], upper: &[f64], xk: &mut [f64], s: &mut [f64]) {
    for i in 0..x.len() {
        xk[i] = project(x[i] - alpha * g[i], lower[i], upper[i]);
        s[i] = xk[i] - x[i];
    }
}

/// `mid(l, v, u)`; NaN maps to `l` (or `u`), never outside.
pub(crate) fn project(v: f64, l: f64, u: f64) -> f64 {
    v.max(l).min(u)
}

/// The step length at which `x + t w` reaches a bound of `[l, u]` (`inf` if never).
fn breakpoint(x: f64, w: f64, l: f64, u: f64) -> f64 {
    if w > 0.0 {
        (u - x) / w
    } else if w < 0.0 {
        (l - x) / w
    } else {
        f64::INFINITY
    }
}

/// `P(x + alpha w)` componentwise, exactly at the bound when the breakpoint is reached.
fn move_to(x: f64, w: f64, alpha: f64, l: f64, u: f64) -> f64 {
    if w == 0.0 {
        return x;
    }
    if breakpoint(x, w, l, u) <= alpha {
        return if w > 0.0 { u } else { l };
    }
    project(x + alpha * w, l, u)
}

/// `pg(x) = ||x - P(x - g)||_inf` for `x` in the box, evaluated without cancellation: the
/// component is `min(g_i, x_i - l_i)` for `g_i > 0` and `min(-g_i, u_i - x_i)` for `g_i < 0`,
/// the same number in exact arithmetic, but `x_i - (x_i - g_i)` loses `g_i` entirely once
/// `|x_i| > |g_i| / eps` (a run along an unbounded ray would report `pg = 0`).
pub(crate) fn projected_gradient_inf(x: &[f64], g: &[f64], lower: &[f64], upper: &[f64]) -> f64 {
    let mut m = 0.0f64;
    for i in 0..x.len() {
        let v = if g[i] > 0.0 {
            g[i].min(x[i] - lower[i])
        } else if g[i] < 0.0 {
            (-g[i]).min(upper[i] - x[i])
        } else if g[i] == 0.0 {
            0.0
        } else {
            return f64::NAN;
        };
        m = m.max(v.abs());
    }
    m
}

/// Components of `x` at a bound (fixed variables included).
pub(crate) fn active_bounds(x: &[f64], lower: &[f64], upper: &[f64]) -> usize {
    x.iter().zip(lower.iter().zip(upper)).filter(|(&v, (&l, &u))| v <= l || v >= u).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_and_breakpoints() {
        assert_eq!(project(2.0, 0.0, 1.0), 1.0);
        assert_eq!(project(f64::NAN, 0.0, 1.0), 0.0);
        assert_eq!(project(-5.0, f64::NEG_INFINITY, 1.0), -5.0);
        assert_eq!(breakpoint(0.5, 1.0, 0.0, 1.0), 0.5);
        assert_eq!(breakpoint(0.5, 0.0, 0.0, 1.0), f64::INFINITY);
        assert_eq!(move_to(0.3, 1.0, 0.7, 0.0, 1.0), 1.0);
        assert_eq!(projected_gradient_inf(&[0.0, 0.5], &[1.0, 0.0], &[0.0, 0.0], &[1.0, 1.0]), 0.0);
        assert_eq!(projected_gradient_inf(&[0.25, 0.5], &[1.0, -0.125], &[0.0, 0.0], &[1.0, 1.0]), 0.25);
        assert_eq!(projected_gradient_inf(&[1e17], &[-1.0], &[0.0], &[f64::INFINITY]), 1.0);
        assert!(projected_gradient_inf(&[0.5], &[f64::NAN], &[0.0], &[1.0]).is_nan());
        assert_eq!(active_bounds(&[0.0, 0.5, 1.0], &[0.0; 3], &[1.0; 3]), 2);
    }
}
