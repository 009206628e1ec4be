//! The Levenberg-Marquardt step in trust-region form, as in MINPACK's `lmder` (More 1978):
//! the damping parameter is found from the QR factorization of the Jacobian, never from
//! `J'J`.
//!
//! # Problem
//!
//! At a point with residuals $r$ (length $m$) and dense Jacobian $J$ ($m \times n$), with a
//! positive diagonal scaling $D$ and radius $\Delta$, find
//!
//! $$p_\ast = \arg\min \tfrac12 \norm{J p + r}^2 \quad \text{subject to} \quad \norm{D p} \le \Delta, \tag{1}$$
//!
//! the Gauss-Newton model `m(p) = f + g'p + p'J'Jp/2` (`g = J'r`) in the scaled region. Its
//! solution is characterized (More 1978, sec. 2; Nocedal & Wright 2006, Theorem 10.1) by a
//! $\lambda \ge 0$ with
//!
//! $$(J^\top J + \lambda D^\top D) p = -J^\top r, \qquad \lambda (\norm{D p} - \Delta) = 0, \tag{2}$$
//!
//! and `||Dp|| <= Delta`: `p(lambda)` is the least-squares solution of the augmented system
//!
//! $$\begin{pmatrix} J \\ \sqrt{\lambda} D \end{pmatrix} p \approx -\begin{pmatrix} r \\ 0 \end{pmatrix}. \tag{3}$$
//!
//! # Equations
//!
//! With the substitution $q = D p$ and $A = J D^{-1}$, (1) becomes the same problem with
//! $D = I$; we work in $q$ throughout and return $p = D^{-1} q$.
//!
//! 1. Once per point (`prepare`): the Householder QR factorization with column pivoting
//!    $A P = Q R$ ($R$ upper triangular, $|R_{11}| \ge |R_{22}| \ge \dots$ up to rounding),
//!    and $c = Q^\top r$ (first $n$ components). When $m < n$ the matrix is padded with zero
//!    rows (zero residuals), which changes neither (1) nor its solution. The numerical rank
//!    $k$ is the number of leading diagonal entries with $|R_{jj}| > \epsilon \max(m, n) |R_{11}|$;
//!    the rows of $R$ beyond it (rounding errors) are set to zero.
//! 2. The Gauss-Newton step (`lambda = 0`): $R_{11} z_1 = -c_1$ on the leading $k \times k$
//!    block, $z_2 = 0$ (the basic solution when `J` is rank deficient), $q = P z$. If
//!    $\norm{q} \le (1 + \sigma) \Delta$ it is the step (with `sigma` =
//!    [`LevenbergMarquardtOptions::boundary_tolerance`]).
//! 3. Otherwise $\lambda > 0$ solves $\phi(\lambda) = \norm{q(\lambda)} - \Delta = 0$ to
//!    $|\phi| \le \sigma \Delta$. For each trial $\lambda$ the augmented matrix
//!    $\begin{pmatrix} R \\ \sqrt\lambda I \end{pmatrix}$ (the identity is unchanged by the
//!    permutation) is reduced to an upper triangular $S$ with $S^\top S = R^\top R + \lambda I$
//!    by Givens rotations that eliminate one row of $\sqrt\lambda I$ at a time, applied to
//!    $(c, 0)$ as well, giving $b$; then $S z = -b$, $q = P z$. This costs $O(n^3/6)$ per
//!    $\lambda$, against $O(m n^2)$ for the factorization, and the condition number of $S$ is
//!    that of the augmented matrix, not its square (as `J'J + lambda D'D` would have).
//! 4. The Newton iteration on $\phi$ (More 1978, eq. 5.5 and sec. 5): with
//!    $\phi'(\lambda) = -\norm{q} \norm{y}^2$, $y = S^{-\top} P^\top q / \norm{q}$,
//!
//!    $$\lambda_+ = \lambda - \frac{\phi + \Delta}{\Delta} \frac{\phi}{\phi'} = \lambda + \frac{\phi}{\Delta \norm{y}^2}, \tag{4}$$
//!
//!    which is Newton's method on $1/\norm{q(\lambda)} - 1/\Delta$ (nearly linear in
//!    $\lambda$), safeguarded in $[l, u]$: $u = \norm{A^\top r}/\Delta$ (at $\lambda = u$,
//!    $\norm{q} \le \norm{A^\top r}/\lambda = \Delta$); $l = -\phi(0)/\phi'(0)$ when $J$ has full
//!    rank (by convexity of $\phi$ the Newton step from 0 does not pass the root), else $0$.
//!    `l` rises to every `lambda` with `phi > 0`, `u` falls to every `lambda` with `phi < 0`,
//!    and the next trial is `max(l, lambda_+)`. A trial `lambda = 0` inside the iteration is
//!    replaced by `max(tiny, u/1000)`. The first trial is the last `lambda` (warm start
//!    across trials and points, as MINPACK carries `par`), clamped to `[l, u]`, or
//!    $\norm{A^\top r} / \norm{q_{GN}}$ when that is 0. The iteration stops at
//!    $|\phi| \le \sigma \Delta$, at the cap
//!    [`LevenbergMarquardtOptions::max_lambda_iterations`] (MINPACK: 10), or when `l = 0`
//!    and `phi` is negative and did not increase (More 1978, sec. 5).
//! 5. A step with $\norm{q} > \Delta$ (within the tolerance) is scaled back to the boundary,
//!    $\alpha q$ with $\alpha = \Delta / \norm{q}$, so that `||Dp|| <= Delta` always holds.
//!
//! The scaling $D$ (More 1978, sec. 6; MINPACK `mode = 1`): $D_j = \norm{J_j}$ (column
//! norms of `J`) at the first point, then $D_j \leftarrow \max(D_j, \norm{J_j})$ at every new
//! point; a zero column norm gives $D_j = 1$ at the first point. It makes the method invariant
//! under a diagonal scaling of the variables. [`ColumnScaling::Identity`] keeps $D = I$.
//!
//! # Predicted reduction (cancellation-free)
//!
//! From (2), $g^\top p = -\norm{Jp}^2 - \lambda \norm{Dp}^2$, so for $\alpha p$,
//! $0 < \alpha \le 1$:
//!
//! $$m(0) - m(\alpha p) = \alpha (1 - \alpha/2) \norm{J p}^2 + \alpha \lambda \norm{D p}^2,$$
//!
//! a sum of nonnegative terms, with $\norm{Jp} = \norm{R z}$ (More 1978, eq. 8.3). (The
//! Gauss-Newton model's own `-(Jp)'(r + Jp/2)` replaces it in the loop.)
//!
//! # MINPACK's loop and this crate's
//!
//! The loop ([`crate::TrustRegion`]) owns the ratio and the radius; MINPACK's rules map to
//! [`crate::RadiusOptions`] and [`crate::Tolerances`] as follows (the preset
//! [`crate::RadiusOptions::levenberg_marquardt`] sets the radius part):
//!
//! | MINPACK `lmder` | here |
//! |---|---|
//! | accept when `ratio >= 1e-4` | `accept = 1e-4` (`ratio > 1e-4`) |
//! | `ratio <= 1/4`: `Delta <- t min(Delta, 10 ||Dp||)`, `t` in `[0.1, 0.5]` (0.5 unless `f` rose) | `eta1 = 0.25`, `shrink = 0.5`, `shrink_step = 5` |
//! | `ratio >= 3/4` or `lambda = 0`: `Delta <- 2 ||Dp||` | `eta2 = 0.75`, `grow = 2`, `grow_off_boundary`, from the step (never shrinks on success) |
//! | initial `Delta = factor ||D x0||` (`factor` 100) | `initial` (absolute, in the scaled norm, default 1), or `initial_factor` (`factor ||D x0||`, off by default) |
//! | `ftol`: both `|ared|` and `pred` `<= ftol f` (relative), `ratio <= 2` | `ftol`: `0 <= ared <= ftol f` on an accepted step |
//! | `xtol`: `Delta <= xtol ||D x||` | `xtol`: `||s||_inf <= xtol (xtol + ||x||_inf)` on an accepted step |
//! | `gtol`: `max_j |J_j'r| / (||J_j|| ||r||) <= gtol` (cosine, `||J_j||` the column norms at the current point) | `gtol_cosine`: the same cosine, at the start and after every accepted step (off by default); `gtol`: `||J'r||_inf <= gtol` (absolute); `grtol` relative to the start |
//!
//! # References
//!
//! 1. J. J. More, The Levenberg-Marquardt algorithm: implementation and theory, in Numerical
//!    Analysis (Dundee 1977), Lecture Notes in Mathematics 630, Springer (1978) 105-116.
//! 2. J. J. More, B. S. Garbow, K. E. Hillstrom, User guide for MINPACK-1, Argonne National
//!    Laboratory report ANL-80-74 (1980).
//! 3. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), sec. 10.3.
//! 4. G. H. Golub, C. F. Van Loan, Matrix Computations, 4th ed., Johns Hopkins (2013),
//!    sec. 5.4.2 (QR with column pivoting), 5.1.8 (Givens rotations).

use faer::Mat;

use super::cauchy::Cauchy;
use super::{Needs, StepInfo, StepSolver, StepStatus};
use crate::error::SetupError;
use crate::linalg::norm;
use crate::model::Model;

/// The column scaling `D` of the Levenberg-Marquardt step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnScaling {
    /// `D_j = max` over the points so far of the column norm `||J_j||` (MINPACK `mode = 1`).
    #[default]
    RunningMax,
    /// `D = I`: the region is Euclidean.
    Identity,
}

/// Options of [`LevenbergMarquardt`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LevenbergMarquardtOptions {
    /// `sigma`: the `lambda` iteration stops when `| ||Dp|| - Delta | <= sigma Delta`, and the
    /// Gauss-Newton step is taken when `||Dp|| <= (1 + sigma) Delta` (a step outside is then
    /// scaled back to the boundary). Must be in `(0, 1)`. Default `0.1` (More 1978, sec. 5;
    /// MINPACK `lmpar`).
    pub boundary_tolerance: f64,
    /// Cap on `lambda` iterations per trial step (status
    /// [`StepStatus::IterationCap`] when reached). Must be at least 1. Default `10`
    /// (MINPACK `lmpar`).
    pub max_lambda_iterations: usize,
    /// The scaling `D`. Default [`ColumnScaling::RunningMax`].
    pub scaling: ColumnScaling,
}

impl Default for LevenbergMarquardtOptions {
    fn default() -> Self {
        Self { boundary_tolerance: 0.1, max_lambda_iterations: 10, scaling: ColumnScaling::RunningMax }
    }
}

/// The Levenberg-Marquardt step (module docs): the trust-region step of the Gauss-Newton
/// model in the scaled norm `||D p||`, with the damping `lambda` found from the QR
/// factorization of `J D^{-1}` (More 1978, MINPACK `lmder`).
///
/// Pair it with a Gauss-Newton model over a dense Jacobian, [`crate::GaussNewton::dense`]
/// (any other model does not compile, [`super::StepSolverFor`]); with a robust loss
/// ([`crate::GaussNewton::with_loss`]) it works on the corrected `J` and `r`. For MINPACK's
/// radius rule use [`crate::RadiusOptions::levenberg_marquardt`].
///
/// ```
/// use faer::MatMut;
/// use trust_region::subproblem::LevenbergMarquardt;
/// use trust_region::{DenseJacobian, GaussNewton, Residuals, TrustRegion};
///
/// /// Rosenbrock as least squares: r = (10 (x1 - x0^2), 1 - x0).
/// struct Rosenbrock;
/// impl Residuals for Rosenbrock {
///     fn dim(&self) -> usize { 2 }
///     fn residual_count(&self) -> usize { 2 }
///     fn residuals(&self, x: &[f64], r: &mut [f64]) {
///         r[0] = 10.0 * (x[1] - x[0] * x[0]);
///         r[1] = 1.0 - x[0];
///     }
/// }
/// impl DenseJacobian for Rosenbrock {
///     fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
///         j[(0, 0)] = -20.0 * x[0];
///         j[(0, 1)] = 10.0;
///         j[(1, 0)] = -1.0;
///         j[(1, 1)] = 0.0;
///     }
/// }
///
/// let report = TrustRegion::new(LevenbergMarquardt::new())
///     .solve(GaussNewton::dense(&Rosenbrock), &[-1.2, 1.0])
///     .unwrap();
/// assert!(report.converged());
/// assert!((report.x[0] - 1.0).abs() < 1e-6 && (report.x[1] - 1.0).abs() < 1e-6);
/// ```
#[derive(Clone, Debug, Default)]
pub struct LevenbergMarquardt {
    /// The options.
    pub options: LevenbergMarquardtOptions,
    /// The last damping parameter (warm start).
    lambda: f64,
    /// Whether `D` has been set at a first point of this solve.
    scale_set: bool,
    /// Whether the model offered a dense Jacobian at the last `prepare`.
    available: bool,
    /// Whether the next `solve` is the first at this point (it reports the factorization).
    fresh: bool,
    /// The workspace of the factorization (m-dependent, sized at the first `prepare`).
    w: Workspace,
    fallback: Cauchy,
}

#[derive(Clone, Debug)]
struct Workspace {
    n: usize,
    /// Rows of the padded matrix, `max(m, n)`.
    rows: usize,
    /// `A = J D^{-1}` (padded), overwritten by the Householder factorization.
    a: Mat<f64>,
    /// `R` (upper triangle), `n x n`.
    r: Mat<f64>,
    /// `S` of the current `lambda` (upper triangle), `n x n`.
    s: Mat<f64>,
    /// `Q'r` (the residuals transformed in place; first `n` used), length `rows`.
    qtr: Vec<f64>,
    /// Column `k` of `R` is variable `perm[k]`.
    perm: Vec<usize>,
    /// Partial column norms during the factorization, and their reference values.
    norms: Vec<f64>,
    norms0: Vec<f64>,
    /// The scaling `D`.
    d: Vec<f64>,
    /// The Gauss-Newton step in scaled coordinates `q`, and `||q||`.
    gn: Vec<f64>,
    gn_norm: f64,
    /// `||y||^2` at `lambda = 0` (full rank only) for the lower bound.
    gn_ysq: f64,
    /// `||A'r|| = ||D^{-1} g||`.
    grad_norm: f64,
    /// Numerical rank of `R`.
    rank: usize,
    /// Work vectors of length `n`: the Givens row, the right-hand side `b`, `z`, `y`, `q`.
    row: Vec<f64>,
    b: Vec<f64>,
    z: Vec<f64>,
    y: Vec<f64>,
    q: Vec<f64>,
}

impl LevenbergMarquardt {
    /// The step with default options (MINPACK's).
    pub fn new() -> Self {
        Self::default()
    }

    /// The step with `options`.
    pub fn with_options(options: LevenbergMarquardtOptions) -> Self {
        Self { options, ..Self::default() }
    }

    /// The scaling `D` at the current point (empty before the first `prepare`).
    pub fn scaling(&self) -> &[f64] {
        &self.w.d
    }

    /// The damping parameter `lambda` of the last step (0 for a Gauss-Newton step).
    pub fn damping(&self) -> f64 {
        self.lambda
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Self {
            n: 0,
            rows: 0,
            a: Mat::zeros(0, 0),
            r: Mat::zeros(0, 0),
            s: Mat::zeros(0, 0),
            qtr: Vec::new(),
            perm: Vec::new(),
            norms: Vec::new(),
            norms0: Vec::new(),
            d: Vec::new(),
            gn: Vec::new(),
            gn_norm: 0.0,
            gn_ysq: 0.0,
            grad_norm: 0.0,
            rank: 0,
            row: Vec::new(),
            b: Vec::new(),
            z: Vec::new(),
            y: Vec::new(),
            q: Vec::new(),
        }
    }
}

impl Workspace {
    fn ensure(&mut self, m: usize, n: usize) {
        let rows = m.max(n);
        if self.n == n && self.rows == rows {
            return;
        }
        self.n = n;
        self.rows = rows;
        self.a = Mat::zeros(rows, n);
        self.r = Mat::zeros(n, n);
        self.s = Mat::zeros(n, n);
        self.qtr = vec![0.0; rows];
        self.perm = vec![0; n];
        self.norms = vec![0.0; n];
        self.norms0 = vec![0.0; n];
        if self.d.len() != n {
            self.d = vec![1.0; n];
        }
        for v in [&mut self.gn, &mut self.row, &mut self.b, &mut self.z, &mut self.y, &mut self.q] {
            *v = vec![0.0; n];
        }
    }

    /// Householder QR with column pivoting of `a` (in place), applied to `qtr`; writes `R`,
    /// `perm` and the rank.
    fn factorize(&mut self) {
        let (rows, n) = (self.rows, self.n);
        for j in 0..n {
            self.perm[j] = j;
            self.norms[j] = col_norm(self.a.col(j));
            self.norms0[j] = self.norms[j];
        }
        let mut rdiag_max = 0.0f64;
        self.rank = n;
        for k in 0..n {
            // Pivot: the remaining column of largest partial norm.
            let p = (k..n).fold(k, |best, j| if self.norms[j] > self.norms[best] { j } else { best });
            if p != k {
                for i in 0..rows {
                    let t = self.a[(i, k)];
                    self.a[(i, k)] = self.a[(i, p)];
                    self.a[(i, p)] = t;
                }
                self.perm.swap(k, p);
                self.norms.swap(k, p);
                self.norms0.swap(k, p);
            }
            // The reflector H = I - v v' / v_0 that maps a[k.., k] to (-alpha, 0, ...), with
            // v = x / alpha + e_1 and alpha = sign(x_0) ||x|| (no cancellation in v_0 >= 1).
            let col = &mut self.a.col_mut(k).try_as_col_major_mut().expect("contiguous").as_slice_mut()[k..];
            let mut alpha = norm(col);
            let diag = if alpha == 0.0 {
                0.0
            } else {
                if col[0] < 0.0 {
                    alpha = -alpha;
                }
                col.iter_mut().for_each(|v| *v /= alpha);
                col[0] += 1.0;
                let v0 = col[0];
                for j in k + 1..n {
                    reflect(&mut self.a, k, j, v0, rows);
                    let akj = self.a[(k, j)];
                    // Downdate the partial norm of column j; recompute when cancellation
                    // has eaten its digits.
                    if self.norms[j] != 0.0 {
                        let t = akj / self.norms[j];
                        let t = (1.0 - t * t).max(0.0);
                        self.norms[j] *= t.sqrt();
                        let ratio = self.norms[j] / self.norms0[j];
                        if 0.05 * ratio * ratio <= f64::EPSILON {
                            let c = self.a.col(j).try_as_col_major().expect("contiguous").as_slice();
                            self.norms[j] = norm(&c[k + 1..]);
                            self.norms0[j] = self.norms[j];
                        }
                    }
                }
                // Apply H to Q'r.
                let c = self.a.col(k).try_as_col_major().expect("contiguous").as_slice();
                let dotv: f64 = c[k..].iter().zip(&self.qtr[k..]).map(|(a, b)| a * b).sum();
                let t = dotv / v0;
                for (q, a) in self.qtr[k..].iter_mut().zip(&c[k..]) {
                    *q -= t * a;
                }
                -alpha
            };
            rdiag_max = rdiag_max.max(diag.abs());
            if self.rank == n && !(diag.abs() > f64::EPSILON * rows as f64 * rdiag_max) {
                self.rank = k;
            }
            for i in 0..k {
                self.r[(i, k)] = self.a[(i, k)];
                self.r[(k, i)] = 0.0;
            }
            self.r[(k, k)] = diag;
        }
        // Beyond the numerical rank, R holds rounding errors: set those rows to zero, so that
        // p(lambda) tends to the minimum-norm solution of the truncated problem as lambda -> 0
        // instead of amplifying noise along the null space of J.
        for i in self.rank..n {
            for j in i..n {
                self.r[(i, j)] = 0.0;
            }
        }
    }
}

/// Applies the reflector `I - v v'/v0` stored in column `k` (rows `k..`) to column `j` of `a`.
fn reflect(a: &mut Mat<f64>, k: usize, j: usize, v0: f64, rows: usize) {
    let dotv: f64 = (k..rows).map(|i| a[(i, k)] * a[(i, j)]).sum();
    let t = dotv / v0;
    for i in k..rows {
        a[(i, j)] -= t * a[(i, k)];
    }
}

/// `||c||` of a column, scaled against overflow.
fn col_norm(c: faer::ColRef<'_, f64>) -> f64 {
    match c.try_as_col_major() {
        Some(c) => norm(c.as_slice()),
        None => {
            let v: Vec<f64> = c.iter().copied().collect();
            norm(&v)
        }
    }
}

impl StepSolver for LevenbergMarquardt {
    fn name(&self) -> &'static str {
        "levenberg-marquardt"
    }
    fn needs(&self) -> Needs {
        Needs::DenseJacobian
    }
    fn validate(&self) -> Result<(), SetupError> {
        let sigma = self.options.boundary_tolerance;
        if !(sigma > 0.0 && sigma < 1.0) {
            return Err(SetupError::InvalidOption {
                name: "boundary_tolerance",
                value: sigma,
                reason: "must satisfy 0 < boundary_tolerance < 1",
            });
        }
        if self.options.max_lambda_iterations == 0 {
            return Err(SetupError::InvalidOption {
                name: "max_lambda_iterations",
                value: 0.0,
                reason: "must be at least 1",
            });
        }
        Ok(())
    }
    fn initialize(&mut self, n: usize) {
        self.lambda = 0.0;
        self.scale_set = false;
        self.available = false;
        self.w.d = vec![1.0; n];
        self.fallback.initialize(n);
    }
    fn prepare(&mut self, model: &mut dyn Model) {
        let Some(ls) = model.least_squares() else {
            self.available = false;
            self.fallback.prepare(model);
            return;
        };
        let (m, n) = (ls.jacobian.nrows(), ls.jacobian.ncols());
        self.available = true;
        self.fresh = true;
        let w = &mut self.w;
        w.ensure(m, n);
        // The scaling D (MINPACK mode 1): column norms, running maximum.
        for j in 0..n {
            let cj = col_norm(ls.jacobian.col(j));
            w.d[j] = match self.options.scaling {
                ColumnScaling::Identity => 1.0,
                ColumnScaling::RunningMax if !self.scale_set => {
                    if cj > 0.0 && cj.is_finite() {
                        cj
                    } else {
                        1.0
                    }
                }
                ColumnScaling::RunningMax => w.d[j].max(cj),
            };
        }
        self.scale_set = true;
        // A = J D^{-1}, padded with zero rows; Q'r starts as r, padded with zeros.
        for j in 0..n {
            let dj = w.d[j];
            for i in 0..m {
                w.a[(i, j)] = ls.jacobian[(i, j)] / dj;
            }
            for i in m..w.rows {
                w.a[(i, j)] = 0.0;
            }
        }
        w.qtr[..m].copy_from_slice(ls.residuals);
        w.qtr[m..].iter_mut().for_each(|v| *v = 0.0);
        w.factorize();
        // ||A'r|| = ||R'c|| (the permutation keeps the norm).
        for j in 0..n {
            w.y[j] = (0..=j).map(|i| w.r[(i, j)] * w.qtr[i]).sum();
        }
        w.grad_norm = norm(&w.y);
        // The Gauss-Newton step on the leading rank x rank block (basic solution).
        let k = w.rank;
        w.z.iter_mut().for_each(|v| *v = 0.0);
        for i in (0..k).rev() {
            let s: f64 = (i + 1..k).map(|j| w.r[(i, j)] * w.z[j]).sum();
            w.z[i] = (-w.qtr[i] - s) / w.r[(i, i)];
        }
        for kk in 0..n {
            w.gn[w.perm[kk]] = w.z[kk];
        }
        w.gn_norm = norm(&w.gn);
        // ||y||^2 with R'y = z/||z|| (full rank): phi'(0) = -||q|| ||y||^2.
        w.gn_ysq = 0.0;
        if k == n && w.gn_norm > 0.0 {
            for i in 0..n {
                let s: f64 = (0..i).map(|j| w.r[(j, i)] * w.y[j]).sum();
                w.y[i] = (w.z[i] / w.gn_norm - s) / w.r[(i, i)];
            }
            w.gn_ysq = w.y.iter().map(|v| v * v).sum();
        }
    }
    fn region_norm(&self, v: &[f64]) -> Option<f64> {
        if !self.available || v.len() != self.w.d.len() {
            return None;
        }
        let mut amax = 0.0f64;
        for (a, d) in v.iter().zip(&self.w.d) {
            amax = amax.max((a * d).abs());
        }
        if amax == 0.0 || !amax.is_finite() {
            return Some(amax);
        }
        // Scaled by the largest entry: `||D v||` neither overflows nor underflows.
        let s: f64 = v.iter().zip(&self.w.d).map(|(a, d)| (a * d / amax) * (a * d / amax)).sum();
        Some(amax * s.sqrt())
    }
    fn solve(&mut self, model: &mut dyn Model, radius: f64, step: &mut [f64]) -> StepInfo {
        if !self.available {
            return self.fallback.solve(model, radius, step);
        }
        let factorizations = usize::from(std::mem::take(&mut self.fresh));
        let sigma = self.options.boundary_tolerance;
        let n = self.w.n;
        let w = &mut self.w;
        let delta = radius;
        // 2. The Gauss-Newton step.
        if w.gn_norm <= (1.0 + sigma) * delta {
            self.lambda = 0.0;
            let alpha = if w.gn_norm > delta { delta / w.gn_norm } else { 1.0 };
            w.q.iter_mut().zip(&w.gn).for_each(|(q, g)| *q = alpha * g);
            // ||Jp|| = ||R z|| with z the permuted Gauss-Newton step.
            for kk in 0..n {
                w.z[kk] = w.gn[w.perm[kk]];
            }
            let jp2 = r_times_sq(&w.r, &w.z, &mut w.row);
            let pred = alpha * (1.0 - 0.5 * alpha) * jp2;
            for j in 0..n {
                step[j] = w.q[j] / w.d[j];
            }
            let boundary = alpha < 1.0;
            return StepInfo {
                step_norm: alpha * w.gn_norm,
                predicted_reduction: pred,
                hits_boundary: boundary,
                status: if boundary { StepStatus::Boundary } else { StepStatus::Interior },
                inner_iterations: 0,
                factorizations,
            };
        }
        // 3.-4. The lambda iteration.
        let mut lower = if w.rank == n && w.gn_ysq > 0.0 { (w.gn_norm - delta) / (delta * w.gn_ysq) } else { 0.0 };
        lower = lower.max(0.0);
        let mut upper = w.grad_norm / delta;
        if !(upper > 0.0) || !upper.is_finite() {
            upper = if upper.is_finite() { f64::MIN_POSITIVE / delta.min(0.1) } else { f64::MAX };
        }
        let mut lambda = self.lambda.max(lower).min(upper);
        if lambda == 0.0 {
            lambda = w.grad_norm / w.gn_norm;
        }
        let mut phi_prev = f64::NAN;
        let mut iterations = 0;
        let mut qnorm;
        let mut capped = false;
        loop {
            iterations += 1;
            if !(lambda > 0.0) || !lambda.is_finite() {
                lambda = f64::MIN_POSITIVE.max(1e-3 * upper);
            }
            qnorm = w.solve_damped(lambda);
            let phi = qnorm - delta;
            if phi.abs() <= sigma * delta || (lower == 0.0 && phi <= phi_prev && phi_prev < 0.0) {
                break;
            }
            if iterations >= self.options.max_lambda_iterations {
                capped = true;
                break;
            }
            // y = S^{-T} P'q / ||q||, the Newton correction (4).
            for kk in 0..n {
                w.b[kk] = w.q[w.perm[kk]] / qnorm;
            }
            for i in 0..n {
                let s: f64 = (0..i).map(|j| w.s[(j, i)] * w.y[j]).sum();
                w.y[i] = (w.b[i] - s) / w.s[(i, i)];
            }
            let ysq: f64 = w.y.iter().map(|v| v * v).sum();
            let correction = phi / (delta * ysq);
            if phi > 0.0 {
                lower = lower.max(lambda);
            } else if phi < 0.0 {
                upper = upper.min(lambda);
            }
            lambda = lower.max(lambda + correction);
            phi_prev = phi;
        }
        self.lambda = lambda;
        // 5. Back to the boundary when outside; the prediction from ||Jp|| = ||R z||.
        let alpha = if qnorm > delta { delta / qnorm } else { 1.0 };
        let jp2 = r_times_sq(&w.r, &w.z, &mut w.row);
        let pred = alpha * (1.0 - 0.5 * alpha) * jp2 + alpha * lambda * qnorm * qnorm;
        for j in 0..n {
            step[j] = alpha * w.q[j] / w.d[j];
        }
        let step_norm = alpha * qnorm;
        let boundary = step_norm >= (1.0 - sigma) * delta;
        StepInfo {
            step_norm,
            predicted_reduction: pred,
            hits_boundary: boundary,
            status: if capped {
                StepStatus::IterationCap
            } else if boundary {
                StepStatus::Boundary
            } else {
                StepStatus::Interior
            },
            inner_iterations: iterations,
            factorizations,
        }
    }
}

impl Workspace {
    /// `S` for `lambda` by Givens rotations (module docs, 3.), `S z = -b`, `q = P z`; returns
    /// `||q||`.
    fn solve_damped(&mut self, lambda: f64) -> f64 {
        let n = self.n;
        let root = lambda.sqrt();
        for j in 0..n {
            for i in 0..=j {
                self.s[(i, j)] = self.r[(i, j)];
            }
            self.b[j] = self.qtr[j];
        }
        for j in 0..n {
            // The row sqrt(lambda) e_j of the augmented matrix, and its right-hand side.
            self.row[j..].iter_mut().for_each(|v| *v = 0.0);
            self.row[j] = root;
            let mut extra = 0.0;
            for k in j..n {
                let d = self.row[k];
                if d == 0.0 {
                    continue;
                }
                let skk = self.s[(k, k)];
                let h = skk.hypot(d);
                let (c, s) = (skk / h, d / h);
                self.s[(k, k)] = h;
                let bk = self.b[k];
                self.b[k] = c * bk + s * extra;
                extra = -s * bk + c * extra;
                for i in k + 1..n {
                    let ski = self.s[(k, i)];
                    let di = self.row[i];
                    self.s[(k, i)] = c * ski + s * di;
                    self.row[i] = -s * ski + c * di;
                }
            }
        }
        for i in (0..n).rev() {
            let t: f64 = (i + 1..n).map(|j| self.s[(i, j)] * self.z[j]).sum();
            self.z[i] = (-self.b[i] - t) / self.s[(i, i)];
        }
        for kk in 0..n {
            self.q[self.perm[kk]] = self.z[kk];
        }
        norm(&self.q)
    }
}

/// `||R z||^2` for the upper triangular `R`, with `work` of length `n`.
fn r_times_sq(r: &Mat<f64>, z: &[f64], work: &mut [f64]) -> f64 {
    let n = z.len();
    for i in 0..n {
        work[i] = (i..n).map(|j| r[(i, j)] * z[j]).sum();
    }
    work.iter().map(|v| v * v).sum()
}
