//! The exact trust-region step on a limited-memory model in compact form, in `O(n k^2)` per
//! point and `O(n k)` per trial radius.
//!
//! # Problem
//!
//! Minimize $m(s) = f + g^\top s + \tfrac12 s^\top B s$ subject to $\norm{s} \le \Delta$ for
//! $B = \gamma I + \Psi M \Psi^\top$ ($\Psi$ is `n x k`, `k` at most `2m`; see
//! [`LimitedMemory`](crate::model::LimitedMemory)). The global solution is characterized as for
//! every exact step (More & Sorensen 1983; Nocedal & Wright 2006, Theorem 4.1): some
//! $\sigma \ge 0$ has $(B + \sigma I) s = -g$, $B + \sigma I \succeq 0$ and
//! $\sigma (\Delta - \norm{s}) = 0$.
//!
//! # Equations
//!
//! Once per point (`prepare`), following Burdakov, Gong, Zikrin & Yuan (2017, sec. 3) and
//! Brust, Erway & Marcia (2017, sec. 2):
//! 1. thin Householder QR $\Psi = Q_1 R$ (`Q_1` is `n x r`, `r = min(n, k)`, kept as the `r`
//!    reflectors; `O(n k^2)`); a rank-deficient $\Psi$ only gives $R$ zero rows;
//! 2. the eigendecomposition $R M R^\top = U \hat\Lambda U^\top$ (`r x r`, cyclic Jacobi);
//!    with $P = Q_1 U$, $B = P (\gamma I + \hat\Lambda) P^\top + \gamma (I - P P^\top)$: the
//!    eigenvalues of $B$ are $\lambda_i = \gamma + \hat\lambda_i$ on $\operatorname{span} P$ and
//!    $\gamma$ (`n - r` times) on its complement;
//! 3. with the full $Q = [Q_1, Q_2]$ (never formed), $Q^\top g = [q; w]$: $g_\parallel = U^\top q$
//!    and $\norm{g_\perp} = \norm{w}$ (the tail of the reflected gradient, exact rather than a
//!    difference of squares).
//!
//! Per trial radius (`solve`) the problem is diagonal in the coordinates $u = [U^\top, I] Q^\top s$:
//! with $a_i$ the components of $[g_\parallel; \norm{g_\perp}]$ and $\lambda_i$ the eigenvalues
//! (the last one $\gamma$), the secular equation
//!
//! $$\phi(\sigma) = \frac{1}{\norm{s(\sigma)}} - \frac1\Delta = 0, \qquad \norm{s(\sigma)}^2 = \sum_i \frac{a_i^2}{(\lambda_i + \sigma)^2}, \tag{1}$$
//!
//! is scalar; Newton's method on the concave, increasing $\phi$ (Nocedal & Wright 2006, eq. 4.44)
//!
//! $$\sigma_+ = \sigma + \frac{\norm{s}^2}{\sum_i a_i^2 / (\lambda_i + \sigma)^3}\,\frac{\norm{s} - \Delta}{\Delta} \tag{2}$$
//!
//! converges monotonically from a point left of the root, here
//! $\sigma_0 = \max(0, -\lambda_{\min}, \max_i (|a_i| / \Delta - \lambda_i))$ (each term of (1)
//! alone already gives $\norm{s(\sigma_0)} \ge \Delta$). The step is (spec eq.)
//!
//! $$s = -P (\Lambda + \sigma I)^{-1} g_\parallel - \frac{g - P g_\parallel}{\gamma + \sigma}, \tag{3}$$
//!
//! computed as $Q [U c; \beta w]$ with $c_i = -a_i/(\lambda_i + \sigma)$, $\beta = -1/(\gamma + \sigma)$
//! (one application of the reflectors, `O(n r)`).
//!
//! - Interior: $\lambda_{\min} > 0$ and $\norm{s(0)} \le \Delta$ gives $\sigma = 0$.
//! - Hard case: $\lambda_{\min} \le 0$, the components $a_i$ of the eigenvalues equal to
//!   $\lambda_{\min}$ vanish (below $10^{-12} \norm{g}$) and $\norm{s(-\lambda_{\min})} \le \Delta$
//!   without them: $\sigma = -\lambda_{\min}$ and $s = s(\sigma) + \tau z$ with $z$ a unit
//!   eigenvector of $\lambda_{\min}$ (a column of $P$, or the first column of $Q_2$ when
//!   $\lambda_{\min} = \gamma$ belongs to the complement) and $\tau^2 = \Delta^2 - \norm{s(\sigma)}^2$.
//!
//! The predicted reduction is computed without cancellation: with $(B + \sigma I) s = -g$ and
//! $u_i$ the coordinates of $s$ in the eigenbasis,
//! $-(g^\top s + \tfrac12 s^\top B s) = \tfrac12 \big(\sum_i (\lambda_i + \sigma) u_i^2 + \sigma \norm{s}^2\big)$,
//! a sum of non-negative terms (the hard-case direction has $\lambda_i + \sigma = 0$).
//!
//! A model without a compact form (possible only through
//! [`RuntimeChecked`](crate::subproblem::RuntimeChecked)) gets the Cauchy point (status
//! `Fallback`).
//!
//! References:
//! 1. O. Burdakov, L. Gong, S. Zikrin, Y. Yuan, On efficiently combining limited-memory and
//!    trust-region techniques, Math. Program. Comput. 9 (2017) 101-134.
//! 2. J. Brust, J. B. Erway, R. F. Marcia, On solving L-SR1 trust-region subproblems, Comput.
//!    Optim. Appl. 66 (2017) 245-266.
//! 3. J. J. More, D. C. Sorensen, Computing a trust region step, SIAM J. Sci. Stat. Comput. 4
//!    (1983) 553-572.
//! 4. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), sec. 4.3.

use super::{Cauchy, StepSolver};
use crate::linalg::small_eigen::symmetric_eigen;
use crate::linalg::{dot, norm};
use crate::model::Model;
use crate::step::{Needs, StepInfo, StepStatus};

/// Relative size below which the components of `g` along the leftmost eigenvectors count as
/// zero (the hard case).
const HARD_CASE_TOL: f64 = 1e-12;
/// Relative accuracy of `||s|| = radius` on the boundary.
const BOUNDARY_TOL: f64 = 1e-12;
/// Newton iterations on the secular equation before giving up.
const MAX_NEWTON: usize = 100;

/// The exact trust-region step on a limited-memory model in compact form (module docs): pair
/// it with [`Newton::lsr1`](crate::model::Newton::lsr1) or
/// [`Newton::lbfgs`](crate::model::Newton::lbfgs).
///
/// ```
/// use trust_region::model::Newton;
/// use trust_region::subproblem::LimitedMemoryExact;
/// use trust_region::{Objective, TrustRegion};
///
/// struct Rosenbrock;
/// impl Objective for Rosenbrock {
///     fn dim(&self) -> usize { 2 }
///     fn value(&self, x: &[f64]) -> f64 {
///         100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)
///     }
///     fn gradient(&self, x: &[f64], g: &mut [f64]) {
///         g[0] = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
///         g[1] = 200.0 * (x[1] - x[0] * x[0]);
///     }
/// }
///
/// let mut tr = TrustRegion::new(LimitedMemoryExact::new());
/// let report = tr.solve(Newton::lsr1(&Rosenbrock), &[-1.2, 1.0]).unwrap();
/// assert!(report.converged() && report.grad_inf <= 1e-6);
/// ```
#[derive(Clone, Debug, Default)]
pub struct LimitedMemoryExact {
    n: usize,
    /// The compact form was available at the last `prepare`.
    ready: bool,
    fallback: Cauchy,
    /// Householder vectors (`n x k`, column `j` holds `v_j` in rows `j..n`), `tau_j`.
    w: Vec<f64>,
    tau: Vec<f64>,
    r: usize,
    k: usize,
    /// `R` (`r x k`, column-major with leading dimension `kmax`), `T = R M R'`, `U`.
    rmat: Vec<f64>,
    tmat: Vec<f64>,
    xmat: Vec<f64>,
    umat: Vec<f64>,
    /// Eigenvalues `lambda_i` (then `gamma` for the complement) and components `a_i`.
    lambda: Vec<f64>,
    a: Vec<f64>,
    terms: usize,
    gamma: f64,
    gnorm: f64,
    /// `Q' g`.
    qg: Vec<f64>,
    /// Rotated step, small coefficient vector.
    u: Vec<f64>,
    c: Vec<f64>,
    kmax: usize,
}

impl LimitedMemoryExact {
    /// The solver (no options).
    pub fn new() -> Self {
        Self::default()
    }

    fn ensure(&mut self, n: usize, kmax: usize) {
        if self.kmax >= kmax && self.n == n && self.w.len() >= n * kmax {
            return;
        }
        self.kmax = kmax.max(self.kmax);
        let kmax = self.kmax;
        self.w.resize(n * kmax, 0.0);
        self.tau.resize(kmax, 0.0);
        for v in [&mut self.rmat, &mut self.tmat, &mut self.xmat, &mut self.umat] {
            v.resize(kmax * kmax, 0.0);
        }
        self.lambda.resize(kmax + 1, 0.0);
        self.a.resize(kmax + 1, 0.0);
        self.c.resize(kmax, 0.0);
    }

    /// `u <- H_j u` for the reflector `j` (rows `j..n`).
    fn reflect(&self, j: usize, u: &mut [f64]) {
        let n = self.n;
        let t = self.tau[j];
        if t == 0.0 {
            return;
        }
        let v = &self.w[j * n + j..(j + 1) * n];
        let d = t * dot(v, &u[j..n]);
        for (ui, &vi) in u[j..n].iter_mut().zip(v) {
            *ui -= d * vi;
        }
    }

    /// `||s(sigma)||^2` over the terms not in `skip` (a component mask by index: the hard-case
    /// group), and `sum a^2 / (lambda + sigma)^3`.
    fn norms(&self, sigma: f64, skip_below: Option<f64>) -> (f64, f64) {
        let (mut n2, mut n3) = (0.0, 0.0);
        for i in 0..self.terms {
            let (a, l) = (self.a[i], self.lambda[i] + sigma);
            if a == 0.0 || skip_below.is_some_and(|t| self.lambda[i] <= t) {
                continue;
            }
            let q = a / l;
            n2 += q * q;
            n3 += q * q / l;
        }
        (n2, n3)
    }
}

impl StepSolver for LimitedMemoryExact {
    fn name(&self) -> &'static str {
        "lm-exact"
    }
    fn needs(&self) -> Needs {
        Needs::Products
    }
    fn initialize(&mut self, n: usize) {
        self.n = n;
        self.qg = vec![0.0; n];
        self.u = vec![0.0; n];
        self.fallback.initialize(n);
        self.ready = false;
    }
    fn prepare(&mut self, model: &mut dyn Model) {
        let n = self.n;
        self.ready = false;
        let Some(cf) = model.compact() else {
            self.fallback.prepare(model);
            return;
        };
        let k = cf.psi.ncols();
        if cf.psi.nrows() != n || cf.middle.nrows() != k || cf.middle.ncols() != k || !cf.gamma.is_finite() {
            self.fallback.prepare(model);
            return;
        }
        self.ensure(n, cf.max_rank.max(k));
        let kmax = self.kmax;
        self.k = k;
        self.gamma = cf.gamma;
        let r = n.min(k);
        self.r = r;
        // 1. Householder QR of Psi.
        for j in 0..k {
            for i in 0..n {
                self.w[i + j * n] = cf.psi[(i, j)];
            }
        }
        for j in 0..r {
            let col = &self.w[j * n + j..(j + 1) * n];
            let xnorm = norm(col);
            let x0 = col[0];
            if xnorm == 0.0 || !xnorm.is_finite() {
                self.tau[j] = 0.0;
                self.rmat[j + j * kmax] = if xnorm.is_finite() { 0.0 } else { f64::NAN };
            } else {
                let alpha = if x0 >= 0.0 { -xnorm } else { xnorm };
                self.w[j * n + j] = x0 - alpha;
                let vv = {
                    let v = &self.w[j * n + j..(j + 1) * n];
                    dot(v, v)
                };
                self.tau[j] = if vv > 0.0 { 2.0 / vv } else { 0.0 };
                self.rmat[j + j * kmax] = alpha;
                for c in j + 1..k {
                    let (head, tail) = self.w.split_at_mut(c * n);
                    let v = &head[j * n + j..(j + 1) * n];
                    let col = &mut tail[j..n];
                    let d = self.tau[j] * dot(v, col);
                    for (ci, &vi) in col.iter_mut().zip(v) {
                        *ci -= d * vi;
                    }
                }
            }
        }
        for j in 0..k {
            for i in 0..r.min(j + 1) {
                if i < j {
                    self.rmat[i + j * kmax] = self.w[i + j * n];
                }
            }
        }
        // 2. T = R M R' (r x r), eigendecomposition.
        for a in 0..k {
            for i in 0..r {
                // X = R M: X_ia = sum_{j >= i} R_ij M_ja.
                self.xmat[i + a * kmax] = (i..k).map(|j| self.rmat[i + j * kmax] * cf.middle[(j, a)]).sum();
            }
        }
        for b in 0..r {
            for i in 0..r {
                // T_ib = sum_{a >= b} X_ia R_ba.
                self.tmat[i + b * r] = (b..k).map(|a| self.xmat[i + a * kmax] * self.rmat[b + a * kmax]).sum();
            }
        }
        for b in 0..r {
            for i in 0..b {
                let s = 0.5 * (self.tmat[i + b * r] + self.tmat[b + i * r]);
                self.tmat[i + b * r] = s;
                self.tmat[b + i * r] = s;
            }
        }
        let ok = symmetric_eigen(&mut self.tmat, r, &mut self.lambda, &mut self.umat);
        if !ok {
            self.fallback.prepare(model);
            return;
        }
        // 3. Q'g, g_par = U'q, ||g_perp||.
        let g = model.gradient();
        self.gnorm = norm(g);
        let mut qg = std::mem::take(&mut self.qg);
        qg.copy_from_slice(g);
        for j in 0..r {
            self.reflect(j, &mut qg);
        }
        for i in 0..r {
            self.lambda[i] += self.gamma;
            self.a[i] = (0..r).map(|l| self.umat[l + i * r] * qg[l]).sum();
        }
        self.terms = r;
        if n > r {
            self.lambda[r] = self.gamma;
            self.a[r] = norm(&qg[r..n]);
            self.terms = r + 1;
        }
        self.qg = qg;
        self.ready = self.lambda[..self.terms].iter().chain(&self.a[..self.terms]).all(|v| v.is_finite());
        if !self.ready {
            self.fallback.prepare(model);
        }
    }
    fn solve(&mut self, model: &mut dyn Model, radius: f64, step: &mut [f64]) -> StepInfo {
        if !self.ready {
            return self.fallback.solve(model, radius, step);
        }
        let (n, r, terms) = (self.n, self.r, self.terms);
        let lmin = self.lambda[..terms].iter().copied().fold(f64::INFINITY, f64::min);
        let lscale = self.lambda[..terms].iter().fold(0.0, |m: f64, l| m.max(l.abs()));
        let group = lmin + 1e-12 * lscale;
        let mut status = StepStatus::Interior;
        let mut iterations = 0;
        let mut sigma = 0.0;
        // Index of the hard-case direction, and tau.
        let mut hard: Option<(usize, f64)> = None;
        let interior = lmin > 0.0 && self.norms(0.0, None).0 <= radius * radius;
        if !interior {
            let a_group: f64 =
                (0..terms).filter(|&i| self.lambda[i] <= group).map(|i| self.a[i] * self.a[i]).sum::<f64>().sqrt();
            let hard_sigma = (-lmin).max(0.0);
            let mut hard_taken = false;
            if lmin <= 0.0 && a_group <= HARD_CASE_TOL * self.gnorm {
                let (n2, _) = self.norms(hard_sigma, Some(group));
                if n2 <= radius * radius {
                    let idx = (0..terms).find(|&i| self.lambda[i] <= group).unwrap_or(0);
                    hard = Some((idx, (radius * radius - n2).max(0.0).sqrt()));
                    sigma = hard_sigma;
                    status = StepStatus::HardCase;
                    hard_taken = true;
                }
            }
            if !hard_taken {
                status = StepStatus::Boundary;
                sigma = (0..terms)
                    .filter(|&i| self.a[i] != 0.0)
                    .map(|i| self.a[i].abs() / radius - self.lambda[i])
                    .fold(hard_sigma, f64::max);
                loop {
                    let (n2, n3) = self.norms(sigma, None);
                    let ns = n2.sqrt();
                    if (ns - radius).abs() <= BOUNDARY_TOL * radius || iterations >= MAX_NEWTON || !(n3 > 0.0) {
                        break;
                    }
                    let next = sigma + (n2 / n3) * (ns - radius) / radius;
                    iterations += 1;
                    if !(next > sigma) || !next.is_finite() {
                        break;
                    }
                    sigma = next;
                }
                if iterations >= MAX_NEWTON {
                    status = StepStatus::IterationCap;
                }
            }
        }
        // The step in rotated coordinates u = Q's: [U c; beta w] (+ tau z).
        let mut curv = 0.0;
        for i in 0..r {
            let l = self.lambda[i] + sigma;
            let in_group = hard.is_some() && self.lambda[i] <= group;
            let ci = if in_group || self.a[i] == 0.0 { 0.0 } else { -self.a[i] / l };
            self.c[i] = ci;
            curv += l * ci * ci;
        }
        let mut u = std::mem::take(&mut self.u);
        if n > r {
            let l = self.gamma + sigma;
            let in_group = hard.is_some() && self.lambda[r] <= group;
            let beta = if in_group || self.a[r] == 0.0 { 0.0 } else { -1.0 / l };
            for (ui, &qi) in u[r..n].iter_mut().zip(&self.qg[r..n]) {
                *ui = beta * qi;
            }
            curv += l * beta * beta * self.a[r] * self.a[r];
        }
        if let Some((idx, tau)) = hard {
            if idx < r {
                self.c[idx] = tau;
            } else {
                u[r] += tau;
            }
        }
        for i in 0..r {
            u[i] = (0..r).map(|l| self.umat[i + l * r] * self.c[l]).sum();
        }
        let mut snorm = norm(&u);
        // Newton stops within BOUNDARY_TOL of the radius, or where sigma can no longer resolve
        // it (a pole close to the root: one ulp of sigma moves ||s|| by more than the
        // tolerance), on either side: put the step on the boundary.
        let on_boundary = matches!(status, StepStatus::Boundary | StepStatus::IterationCap | StepStatus::HardCase);
        if (snorm > radius || (on_boundary && snorm > 0.0)) && snorm.is_finite() {
            let t = radius / snorm;
            u.iter_mut().for_each(|v| *v *= t);
            curv *= t * t;
            snorm = radius;
        }
        for j in (0..r).rev() {
            self.reflect(j, &mut u);
        }
        step.copy_from_slice(&u);
        self.u = u;
        let predicted_reduction = 0.5 * (curv + sigma * snorm * snorm);
        StepInfo {
            step_norm: snorm,
            predicted_reduction,
            hits_boundary: status != StepStatus::Interior,
            status,
            inner_iterations: iterations,
            factorizations: 0,
        }
    }
}
