//! More-Sorensen nearly exact trust-region step on a dense symmetric `B`, or on a sparse one
//! (lower triangle, fixed pattern) with a sparse Cholesky factorization.
//!
//! # Problem
//!
//! Minimize $m(s) = f + g^\top s + \tfrac12 s^\top B s$ subject to $\norm{s} \le \Delta$
//! (Euclidean norm, $\Delta$ the radius). A step $s_\ast$ is a global solution if and only if
//! there is a $\lambda \ge 0$ with (More & Sorensen 1983, Lemma 2.1 and Theorem 2.1; Nocedal &
//! Wright 2006, Theorem 4.1)
//!
//! $$(B + \lambda I) s_\ast = -g, \qquad B + \lambda I \succeq 0, \qquad \lambda (\Delta - \norm{s_\ast}) = 0. \tag{1}$$
//!
//! # Equations
//!
//! For $\lambda > -\lambda_1$ ($\lambda_1$ the leftmost eigenvalue of $B$),
//! $s(\lambda) = -(B + \lambda I)^{-1} g$ and $\norm{s(\lambda)}$ decreases in $\lambda$. With
//! the Cholesky factorization $B + \lambda I = L L^\top$, the secular equation
//! $\phi(\lambda) = 1/\norm{s(\lambda)} - 1/\Delta = 0$ is solved by Newton's method, which on
//! this nearly linear, concave function reads (More & Sorensen 1983, sec. 3; Nocedal & Wright
//! 2006, Algorithm 4.3, eq. 4.44)
//!
//! $$w = L^{-1} s, \qquad \lambda_+ = \lambda + \Big(\frac{\norm{s}}{\norm{w}}\Big)^2 \frac{\norm{s} - \Delta}{\Delta}. \tag{2}$$
//!
//! From the left of the root (`||s|| > radius`) the iterates increase monotonically to the root
//! and never leave the region where `B + lambda I` is positive definite.
//!
//! Safeguards (Conn, Gould & Toint 2000, sec. 7.3.8; More & Sorensen 1983, sec. 3): the root
//! lies in $[\lambda_L, \lambda_U]$ (3) with
//!
//! $$\lambda_L = \max\big(0, -\min_i b_{ii}, \norm{g}/\Delta - \min(\max_i (b_{ii} + r_i), \lVert B \rVert_F, \lVert B \rVert_\infty)\big), \tag{3a}$$
//!
//! $$\lambda_U = \max\big(0, \norm{g}/\Delta + \min(\max_i (r_i - b_{ii}), \lVert B \rVert_F, \lVert B \rVert_\infty)\big), \tag{3b}$$
//!
//! $r_i = \sum_{j \ne i} |b_{ij}|$ (Gershgorin). `lambda_L` rises to every `lambda` at which the
//! factorization fails (then `lambda <= -lambda_1`), to every `lambda` with `||s|| > radius`,
//! and to the Rayleigh-quotient bound `lambda - z'(B + lambda I) z / z'z <= -lambda_1` for any
//! `z != 0`; `lambda_U` falls to every `lambda` with `||s|| < radius`. A trial `lambda` outside
//! the bracket (or known to be `<= -lambda_1`) is replaced by
//!
//! $$\lambda = \max\big(\sqrt{\lambda_L \lambda_U}, \lambda_L + \theta (\lambda_U - \lambda_L)\big). \tag{4}$$
//!
//! # Termination
//!
//! The basic fact behind every test: when $H = B + \lambda I$ is positive semidefinite and
//! $H s = -g$, the function $m(w) + \lambda \norm{w}^2/2$ is convex with minimizer $s$, so for
//! every $w$
//!
//! $$m(w) \ge m(s) + \tfrac12 \lambda \big(\norm{s}^2 - \norm{w}^2\big). \tag{5}$$
//!
//! With `A = ||L's||^2 = ||L^{-1} g||^2` the predicted reduction of `s` is (derivation at (6)
//! below) `pred(s) = (A + lambda ||s||^2)/2`, and (5) bounds the optimal reduction over the
//! region by `pred* <= (A + lambda radius^2)/2` (and by `pred(s)` when `||s|| >= radius`). The
//! solver stops at the first of:
//! 1. `lambda = 0` and `||s|| <= radius`: the Newton step (status `Interior`);
//! 2. `| ||s|| - radius | <= kappa_easy radius`: an inside `s` is returned as is, and an outside `s`
//!    is scaled back to the boundary, `alpha s` with `alpha = radius/||s||`; either way
//!    `pred >= (1 - kappa_easy)^2 pred*` (status `Boundary`);
//! 3. `||s|| < radius` and `A + lambda ||s||^2 >= (1 - kappa_hard)(A + lambda radius^2)` (the
//!    complementarity defect `lambda (radius^2 - ||s||^2)` is negligible: `pred >= (1 - kappa_hard) pred*`),
//!    or `lambda` below the round-off floor `n eps ||B||` (status `Interior`);
//! 4. the hard case: `||s|| < radius`, and with an approximate leftmost eigenvector `z` of `H`
//!    (`||z|| = 1`) and `tau` the root of `||s + tau z|| = radius` of smaller magnitude
//!    (which gives the smaller model value, see (7)),
//!    `tau^2 ||L'z||^2 <= kappa_hard (A + lambda radius^2)`: the step `s + tau z` has
//!    `pred >= (1 - kappa_hard) pred*` (More & Sorensen 1983, sec. 3; status `HardCase`);
//! 5. the cap on `lambda` iterations: the best feasible candidate seen (every successful
//!    factorization yields one: `s`, `alpha s`, or `s + tau z`), status `IterationCap`.
//!
//! Finally the step is compared with the Cauchy point (computed in O(n) from `Bg`, one product per
//! point) and replaced by it if the Cauchy point predicts more reduction, so the Cauchy decrease
//! condition holds by construction (status `Fallback`, unless the cap was hit).
//!
//! # Variant
//!
//! - The leftmost direction `z` comes (dense path; the sparse path is described below) from a
//!   LINPACK-style estimate (Cline, Moler, Stewart &
//!   Wilkinson 1979): solve `L v = e` with `e_j = +-1` chosen greedily to make `|v_j|` large, then
//!   `z = L'^{-1} v`, followed by up to `inverse_iterations` steps of inverse iteration
//!   `z <- (L L')^{-1} z`, all with the factor at hand (O(n^2) each, against O(n^3) for a
//!   factorization). The partial factorization at a failure is not used; the Rayleigh-quotient
//!   bound plays its role. `lambda_L` also starts from the Rayleigh quotient of `g`,
//!   `-g'Bg/g'g <= -lambda_1`.
//! - When the hard-case test fails and Newton's step (2) from the right falls below `lambda_L`
//!   (as it does near the hard case), the next trial is where the test would pass if the
//!   Rayleigh-quotient bound were exact: `lambda_L + kappa_hard (A/radius^2 + lambda_L)/2`
//!   (inside the bracket; otherwise (4)); if the bound was not tight, the factorization fails
//!   and (4) takes over. The factorizations it saves on random spectra are measured in
//!   `benches/README.md`.
//! - Warm start across trials at the same point: the bound on `-lambda_1`, the last `lambda` with
//!   its `||s(lambda)||`, and the factorization at that `lambda` survive between `solve` calls.
//!   A rejected trial shrinks the radius, so the previous `lambda` (where `||s|| > new radius`)
//!   is a lower bound and Newton's method (2) proceeds monotonically from it without refactorizing
//!   first. `prepare` resets all of this and computes the bounds (3) once per point.
//! - The solver allocates only in `initialize` (dense path, `n <= 2048`; above, the dense factor
//!   is allocated by the first `prepare`) and, on the sparse path, at the first `prepare` that
//!   sees the pattern (symbolic analysis and buffers).
//!
//! # Two paths, one algorithm
//!
//! The iteration above (bracket, safeguards, Newton step, tests 1 to 5, warm start) is written
//! once, generic over what it needs from a factorization of `H = B + lambda I` (the private
//! trait `ShiftedFactorization`): factorize for a shift, the step `s` with `A = g'H^{-1}g`,
//! Newton's weight `||w||^2 = s'H^{-1}s`, and a leftmost direction `z` with `z'Hz`.
//!
//! - Dense path (the model offers `dense_hessian`): faer's dense Cholesky `H = L L'`; the
//!   quantities are read off the triangular factor as written above (`A = ||L^{-1}g||^2`,
//!   `w = L^{-1}s`, `||L'z||^2`, the LINPACK estimate).
//! - Sparse path (the model offers only `sparse_hessian`): faer's supernodal or simplicial
//!   sparse Cholesky `P H P' = L L'` with an approximate minimum degree ordering (Amestoy,
//!   Davis & Duff 1996), see [`crate::linalg::sparse_cholesky`]. The symbolic analysis runs once
//!   per pattern for the whole solve; each `lambda` costs one numeric factorization into reused
//!   buffers with the diagonal shifted in place. The factor is not read, only solves and
//!   products: `A = g'H^{-1}g` is the inner product of `g` and the solved `-s`,
//!   `||w||^2 = s'H^{-1}s` costs one more solve, and `||L'z||^2 = z'Bz + lambda z'z` one sparse
//!   product. These inner products are not sums of squares, so they carry a relative error of
//!   order `eps |g|'|H^{-1}g| / g'H^{-1}g` where the dense path has `eps`; they only enter the
//!   predicted reduction (whose round-off the outer loop's ratio guard absorbs), the Newton
//!   correction (safeguarded) and the hard-case test (a factor `kappa_hard` from the edge).
//!   The failing pivot of a failed factorization is in the permuted order and is not used.
//!   The leftmost direction comes from Lanczos with full reorthogonalization on `B` (at most
//!   `lanczos_steps` products, from a fixed pseudo-random vector since `g` is orthogonal to the
//!   leftmost eigenvector in the hard case; [`crate::linalg::lanczos`]; Golub & Van Loan 2013,
//!   sec. 10.1; Parlett 1998, ch. 13), followed by inverse iteration with the current
//!   factorization; the refined vector is kept for the next `lambda` (the leftmost eigenvector
//!   of `B` does not depend on it).
//!   When the Gershgorin bound does not exclude indefiniteness, Lanczos runs in `prepare` and
//!   the Rayleigh quotient `rq` of its Ritz vector (`lambda_1 <= rq`) raises the lower bound
//!   `lambda_L` of (3) to `-rq`: on indefinite models the first trial `lambda` is then close to
//!   `-lambda_1`, which saves factorizations (counted in `tests/sparse_exact.rs` and
//!   `benches/sparse_exact.rs`). `StepInfo::factorizations` counts numeric factorizations, and
//!   [`StepSolver::symbolic_analyses`] the symbolic ones (the report's `symbolic_analyses`).
//!
//! # Predicted reductions (cancellation-free)
//!
//! With $H = B + \lambda I = L L^\top$, $H s = -g$ and $y = L^{-1} g$ (so $L^\top s = -y$):
//!
//! $$m(p) - f = g^\top p + \tfrac12 p^\top B p = -s^\top H p + \tfrac12 p^\top H p - \tfrac12 \lambda \norm{p}^2$$
//!
//! $$= \tfrac12 \big((p - s)^\top H (p - s) - s^\top H s\big) - \tfrac12 \lambda \norm{p}^2. \tag{6}$$
//!
//! - $p = s$: $\mathrm{pred} = \tfrac12 (\norm{y}^2 + \lambda \norm{s}^2)$, a sum of nonnegative terms.
//! - $p = \alpha s$, $0 \lt \alpha \lt 1$:
//!   $\mathrm{pred} = \alpha (1 - \alpha/2) \norm{y}^2 + \tfrac12 \lambda \alpha^2 \norm{s}^2$,
//!   nonnegative terms again ($\alpha^2 \norm{s}^2 = \Delta^2$).
//! - $p = s + \tau z$:
//!   $\mathrm{pred} = \tfrac12 (\norm{y}^2 + \lambda \norm{p}^2 - \tau^2 \norm{L^\top z}^2)$ (7),
//!   which depends on `tau^2` only (hence the smaller root); the acceptance test of item 4 bounds
//!   the subtracted term by `kappa_hard` times the rest, so at most a factor `1 - kappa_hard` is
//!   lost to the subtraction, never digits.
//! - Norms `||y||^2`, `||L'z||^2` are sums of squares of vectors computed by triangular solves and
//!   products with `L`; no difference of large quantities appears.
//!
//! # References
//!
//! 1. J. J. More, D. C. Sorensen, Computing a trust region step, SIAM J. Sci. Stat. Comput. 4
//!    (1983) 553-572.
//! 2. A. R. Conn, N. I. M. Gould, Ph. L. Toint, Trust-Region Methods, SIAM (2000), sec. 7.3
//!    (7.3.8: bounds and safeguards).
//! 3. J. Nocedal, S. J. Wright, Numerical Optimization, 2nd ed., Springer (2006), sec. 4.3.
//! 4. A. K. Cline, C. B. Moler, G. W. Stewart, J. H. Wilkinson, An estimate for the condition
//!    number of a matrix, SIAM J. Numer. Anal. 16 (1979) 368-375.
//! 5. P. R. Amestoy, T. A. Davis, I. S. Duff, An approximate minimum degree ordering algorithm,
//!    SIAM J. Matrix Anal. Appl. 17 (1996) 886-905.
//! 6. G. H. Golub, C. F. Van Loan, Matrix Computations, 4th ed., Johns Hopkins (2013),
//!    sec. 10.1 (Lanczos).
//! 7. B. N. Parlett, The Symmetric Eigenvalue Problem, SIAM (1998), ch. 13.

use std::time::Instant;

use faer::sparse::SparseColMatRef;
use faer::MatRef;

use super::cauchy::Cauchy;
use super::{Needs, StepInfo, StepSolver, StepStatus};
use crate::error::SetupError;
use crate::linalg::dense::{matvec, DenseCholesky, NotPositiveDefinite};
use crate::linalg::lanczos::{Lanczos, LeftmostRitz};
use crate::linalg::sparse::symmetric_lower_matvec;
use crate::linalg::sparse_cholesky::SparseCholesky;
use crate::linalg::{dot, norm, normalize};
use crate::model::Model;

/// More-Sorensen nearly exact step solver on a dense symmetric `B` (both triangles stored) or a
/// sparse one (lower triangle, fixed pattern).
///
/// The dense path is taken when the model offers [`Model::dense_hessian`], the sparse path when
/// it offers only [`Model::sparse_hessian`]; without either the solver returns the Cauchy point
/// (status `Fallback`).
///
/// Guarantee (see the module documentation): the predicted reduction of the returned step is at
/// least `min((1 - kappa_easy)^2, 1 - kappa_hard)` times the optimal one, `0.98` with the
/// defaults, unless the iteration cap is hit; and never less than that of the Cauchy point.
///
/// # Example
///
/// The hard case: `g` is orthogonal to the eigenvector of the leftmost eigenvalue, so no
/// multiple of the identity alone gives a step on the boundary.
///
/// ```
/// use faer::Mat;
/// use trust_region::subproblem::{MoreSorensen, StepSolver};
/// use trust_region::DenseModel;
///
/// // B = diag(-1, 2), g = (0, 1), radius 1: the solution is s = (+-sqrt(8)/3, -1/3) with
/// // lambda = 1 and m(s) = -2/3.
/// let b = Mat::from_fn(2, 2, |i, j| if i == j { [-1.0, 2.0][i] } else { 0.0 });
/// let mut model = DenseModel::new(vec![0.0, 1.0], b);
/// let mut exact = MoreSorensen::new();
/// exact.initialize(2);
/// exact.prepare(&mut model);
/// let mut s = [0.0; 2];
/// let info = exact.solve(&mut model, 1.0, &mut s);
/// assert!(info.step_norm <= 1.0 + 1e-12);
/// assert!(info.predicted_reduction >= 0.98 * 2.0 / 3.0);
/// assert!((model.change(&s) + info.predicted_reduction).abs() < 1e-12);
/// ```
#[derive(Debug)]
pub struct MoreSorensen {
    /// Relative boundary tolerance: stop when `| ||s|| - radius | <= kappa_easy radius`; also the
    /// relative tolerance of `hits_boundary`. The step then predicts at least
    /// `(1 - kappa_easy)^2` of the optimal reduction. Default `0.01` (guarantee `0.98`). More &
    /// Sorensen (1983) use `sigma_1 = 0.1` and SciPy's `trust-exact` `k_easy = 0.1`; the tighter
    /// default costs a few more factorizations per solve for a better worst-case reduction (the
    /// measurements are in `benches/README.md`). Must lie in `(0, 1)`.
    pub kappa_easy: f64,
    /// Hard-case and complementarity tolerance: accept `s + tau z` when
    /// `tau^2 ||L'z||^2 <= kappa_hard (||L's||^2 + lambda radius^2)` (More & Sorensen 1983,
    /// sec. 3); the step then predicts at least `1 - kappa_hard` of the optimal reduction.
    /// Default `0.02`, matching `(1 - kappa_easy)^2 ~ 0.98` (SciPy: `k_hard = 0.2`). Must lie
    /// in `(0, 1)`.
    pub kappa_hard: f64,
    /// Cap on `lambda` iterations (each costs at most one Cholesky factorization) per trial.
    /// Default `100`; typical solves need 2 to 8. Must be at least 1.
    pub max_iterations: usize,
    /// Safeguard weight `theta` of (4): a `lambda` outside the bracket is replaced by
    /// `max(sqrt(lambda_L lambda_U), lambda_L + theta (lambda_U - lambda_L))` (Conn, Gould &
    /// Toint 2000, sec. 7.3.8; More & Sorensen use `max(0.001 lambda_U, sqrt(lambda_L lambda_U))`).
    /// Default `0.01`. Must lie in `(0, 1)`.
    pub theta: f64,
    /// Cap on inverse-iteration steps refining the estimate of the leftmost eigenvector
    /// of `B + lambda I` (dense path: the LINPACK estimate, each step two triangular solves,
    /// O(n^2); sparse path: the Lanczos estimate, each step one sparse solve; the iteration
    /// stops earlier once the eigenvalue estimate settles to a relative 1e-4). Default `20`
    /// (against a fixed 2 steps, measured in `benches/README.md`). `0` keeps the first estimate
    /// alone.
    pub inverse_iterations: usize,
    /// Sparse path only: cap on Lanczos steps (products with `B`) for the estimate of the
    /// leftmost eigenpair of `B`, run at most once per point (Golub & Van Loan 2013, sec. 10.1;
    /// full reorthogonalization, so it stores `lanczos_steps` vectors of length `n`:
    /// `8 lanczos_steps n` bytes, 240 MB at `n = 10^6` with the default). Its Ritz vector starts
    /// the inverse iteration of the hard case, and its Rayleigh quotient `rq` (an upper bound on
    /// `lambda_1`) raises the lower bound of (3) to `-rq`. Default `30`: more steps give a
    /// better bound and fewer numeric factorizations per trial, and a product costs far less
    /// than a factorization (the counts for 10 and 30 steps are in `benches/README.md`). `0`
    /// disables it (inverse iteration then starts from a fixed pseudo-random vector).
    pub lanczos_steps: usize,
    ws: Workspace,
    dense: Option<DenseCholesky>,
    sparse: Option<SparseState>,
    /// Symbolic analyses since `initialize`.
    symbolic_analyses: usize,
    /// Lanczos products since `initialize`.
    lanczos_products: usize,
}

/// Largest `n` for which `initialize` allocates the dense factor (32 MiB); above it the dense
/// factor is allocated by the first `prepare` that sees a dense matrix.
const DENSE_EAGER_MAX: usize = 2048;

/// Which matrix `prepare` found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Path {
    /// No usable matrix: Cauchy point.
    #[default]
    None,
    /// `Model::dense_hessian`.
    Dense,
    /// `Model::sparse_hessian`.
    Sparse,
}

/// Buffers and per-point state (allocated in `initialize`).
#[derive(Debug, Default)]
struct Workspace {
    /// The run's deadline ([`StepSolver::set_deadline`]): the `lambda` iteration stops at it as
    /// at its cap.
    deadline: Option<Instant>,
    g: Vec<f64>,
    bg: Vec<f64>,
    s: Vec<f64>,
    w: Vec<f64>,
    z: Vec<f64>,
    u: Vec<f64>,
    p: Vec<f64>,
    best: Vec<f64>,
    /// Which matrix `prepare` found finite.
    path: Path,
    gnorm: f64,
    gbg: f64,
    /// Upper bound on `lambda_max(B)`: `min(max_i (b_ii + r_i), ||B||_F, ||B||_inf)`.
    lmax_hi: f64,
    /// Upper bound on `-lambda_1(B)` (shrinks with every successful factorization).
    neg_lmin_hi: f64,
    /// Lower bound on `-lambda_1(B)` (radius-independent: diagonal, failures, Rayleigh quotients).
    neg_lmin_lo: f64,
    /// Below this `lambda` is indistinguishable from zero: `n eps min(||B||_F, ||B||_inf)`.
    lambda_floor: f64,
    /// The `lambda` whose factorization the Cholesky workspace holds (positive definite).
    factored: Option<f64>,
    /// The last `lambda` with a successful factorization and its `||s(lambda)||`.
    last: Option<(f64, f64)>,
}

/// State of the sparse path: the factorization (one symbolic analysis per pattern) and the
/// Lanczos workspace (allocated at the first `prepare` that sees a sparse matrix).
#[derive(Debug)]
struct SparseState {
    chol: SparseCholesky,
    lanczos: Lanczos,
    /// The current estimate of a leftmost unit eigenvector of `B` (valid if `have_leftmost`).
    leftmost: Vec<f64>,
    have_leftmost: bool,
}

impl Default for MoreSorensen {
    fn default() -> Self {
        Self {
            kappa_easy: 0.01,
            kappa_hard: 0.02,
            max_iterations: 100,
            theta: 0.01,
            inverse_iterations: 20,
            lanczos_steps: 30,
            ws: Workspace::default(),
            dense: None,
            sparse: None,
            symbolic_analyses: 0,
            lanczos_products: 0,
        }
    }
}

impl MoreSorensen {
    /// A new solver with the default tolerances.
    pub fn new() -> Self {
        Self::default()
    }

    /// Products with `B` spent in Lanczos estimates (sparse path) since `initialize`.
    pub fn lanczos_products(&self) -> usize {
        self.lanczos_products
    }

    /// Numeric factorizations of the sparse path since the sparse pattern was analysed (the
    /// per-trial count is in [`StepInfo::factorizations`] on both paths).
    pub fn sparse_factorizations(&self) -> usize {
        self.sparse.as_ref().map_or(0, |s| s.chol.numeric_factorizations())
    }
}

/// Which buffer holds the accepted step.
#[derive(Clone, Copy)]
enum Pick {
    /// `s(lambda)` scaled by the factor.
    S(f64),
    /// `s + tau z`.
    P,
}

/// The safeguarded choice (4) inside `[lo, hi]`.
fn safeguard(lo: f64, hi: f64, theta: f64) -> f64 {
    (lo * hi).sqrt().max(lo + theta * (hi - lo))
}

/// Column `j` of `m` as a slice (faer `Mat` columns are contiguous).
fn col(m: MatRef<'_, f64>, j: usize) -> Option<&[f64]> {
    m.col(j).try_as_col_major().map(|c| c.as_slice())
}

/// `out <- L' x` for the lower-triangular `L` (`out_j = sum_{i >= j} l_ij x_i`).
fn lower_transpose_apply(l: MatRef<'_, f64>, x: &[f64], out: &mut [f64]) {
    let n = x.len();
    for (j, o) in out.iter_mut().enumerate() {
        *o = match col(l, j) {
            Some(c) => dot(&c[j..n], &x[j..n]),
            None => (j..n).map(|i| l[(i, j)] * x[i]).sum(),
        };
    }
}

/// Inverse iteration `z <- H^{-1} z`, normalized, from a unit `z`. 1/||H^{-1} z|| decreases to
/// the smallest eigenvalue of `H` (at the rate of the ratio of its two smallest eigenvalues);
/// stop once it settles to a relative 1e-4 (1e-2 measured worse on random hard cases:
/// `benches/README.md`).
fn inverse_iteration(mut solve: impl FnMut(&mut [f64]), iterations: usize, z: &mut [f64]) {
    let mut prev = f64::INFINITY;
    for _ in 0..iterations {
        solve(z);
        let est = 1.0 / normalize(z);
        if !(est < prev * (1.0 - 1e-4)) {
            break;
        }
        prev = est;
    }
}

/// An approximate unit eigenvector `z` of the smallest eigenvalue of `L L'`; returns
/// `z'(L L')z = ||L'z||^2`, or `None` if the estimate is not finite. `t` is scratch.
fn leftmost_direction(chol: &DenseCholesky, iterations: usize, z: &mut [f64], t: &mut [f64]) -> Option<f64> {
    let l = chol.lower();
    let n = z.len();
    // LINPACK-style greedy forward solve L v = e, e_j = +-1 (Cline, Moler, Stewart & Wilkinson
    // 1979): t holds the partial sums sum_{k<j} l_jk v_k, updated column by column.
    t.iter_mut().for_each(|v| *v = 0.0);
    for j in 0..n {
        let e = if t[j] > 0.0 { -1.0 } else { 1.0 };
        let vj = (e - t[j]) / l[(j, j)];
        z[j] = vj;
        match col(l, j) {
            Some(c) => {
                for (ti, &lij) in t[j + 1..].iter_mut().zip(&c[j + 1..n]) {
                    *ti += lij * vj;
                }
            }
            None => {
                for i in j + 1..n {
                    t[i] += l[(i, j)] * vj;
                }
            }
        }
    }
    chol.solve_upper_in_place(z);
    normalize(z);
    inverse_iteration(|z| chol.solve_in_place(z), iterations, z);
    if !z.iter().all(|v| v.is_finite()) || norm(z) == 0.0 {
        return None;
    }
    lower_transpose_apply(l, z, t);
    let zhz = dot(t, t);
    zhz.is_finite().then_some(zhz)
}

impl SparseState {
    fn new(chol: SparseCholesky, n: usize, steps: usize) -> Self {
        Self { chol, lanczos: Lanczos::new(n, steps), leftmost: vec![0.0; n], have_leftmost: false }
    }

    /// Lanczos with full reorthogonalization on `B` (lower triangle `h`), see
    /// [`Lanczos::leftmost`]: writes the Ritz vector of the smallest Ritz value into `leftmost`
    /// and returns its Rayleigh quotient `rq >= lambda_1` (`None` if not finite, or if no step
    /// is allowed). Adds the products used to `products`.
    fn lanczos(&mut self, h: SparseColMatRef<'_, usize, f64>, products: &mut usize) -> Option<f64> {
        let found = self.lanczos.leftmost(
            |v, out| {
                symmetric_lower_matvec(h, v, out);
                *products += 1;
            },
            &mut self.leftmost,
        );
        self.have_leftmost = found != LeftmostRitz::Failed;
        match found {
            LeftmostRitz::Pair(rq) => Some(rq),
            LeftmostRitz::Vector | LeftmostRitz::Failed => None,
        }
    }
}

/// What the secular-equation iteration needs from a factorization of `B + shift I`: the dense
/// path works with the triangular factor, the sparse path with solves and products only.
trait ShiftedFactorization {
    /// Factorizes `B + shift I`.
    fn factorize(&mut self, shift: f64) -> Result<(), NotPositiveDefinite>;
    /// `s <- -(B + shift I)^{-1} g`; returns `A = g'(B + shift I)^{-1} g = ||L^{-1} g||^2`.
    /// `w` is scratch.
    fn step(&mut self, g: &[f64], s: &mut [f64], w: &mut [f64]) -> f64;
    /// `||L^{-1} s||^2 = s'(B + shift I)^{-1} s`, the derivative term of Newton's step (2).
    /// `w` is scratch.
    fn newton_weight(&mut self, s: &[f64], w: &mut [f64]) -> f64;
    /// An approximate unit leftmost eigenvector `z` of `B + shift I`; returns `z'(B + shift I)z`
    /// (`None` if not finite). `t` is scratch.
    fn leftmost(&mut self, iterations: usize, z: &mut [f64], t: &mut [f64]) -> Option<f64>;
}

/// The dense path: `B + shift I = L L'` with the triangular factor at hand.
struct DenseShifted<'a> {
    h: MatRef<'a, f64>,
    chol: &'a mut DenseCholesky,
}

impl ShiftedFactorization for DenseShifted<'_> {
    #[inline]
    fn factorize(&mut self, shift: f64) -> Result<(), NotPositiveDefinite> {
        self.chol.factorize(self.h, shift)
    }
    #[inline]
    fn step(&mut self, g: &[f64], s: &mut [f64], w: &mut [f64]) -> f64 {
        // y = L^{-1} g (in w), A = ||y||^2 = ||L's||^2, s = -L'^{-1} y.
        w.copy_from_slice(g);
        self.chol.solve_lower_in_place(w);
        let a = dot(w, w);
        for (s, &y) in s.iter_mut().zip(w.iter()) {
            *s = -y;
        }
        self.chol.solve_upper_in_place(s);
        a
    }
    #[inline]
    fn newton_weight(&mut self, s: &[f64], w: &mut [f64]) -> f64 {
        w.copy_from_slice(s);
        self.chol.solve_lower_in_place(w);
        dot(w, w)
    }
    #[inline]
    fn leftmost(&mut self, iterations: usize, z: &mut [f64], t: &mut [f64]) -> Option<f64> {
        leftmost_direction(self.chol, iterations, z, t)
    }
}

/// The sparse path: `B + shift I = P' L L' P` behind faer's solve; the factor is not read.
struct SparseShifted<'a> {
    h: SparseColMatRef<'a, usize, f64>,
    st: &'a mut SparseState,
    products: &'a mut usize,
}

impl ShiftedFactorization for SparseShifted<'_> {
    fn factorize(&mut self, shift: f64) -> Result<(), NotPositiveDefinite> {
        self.st.chol.factorize(self.h, shift)
    }
    fn step(&mut self, g: &[f64], s: &mut [f64], _w: &mut [f64]) -> f64 {
        // s = (B + lambda I)^{-1} g, A = g's (>= 0 for a positive definite matrix; the inner
        // product of two computed vectors replaces ||L^{-1} g||^2), then s <- -s.
        s.copy_from_slice(g);
        self.st.chol.solve_in_place(s);
        let a = dot(g, s);
        s.iter_mut().for_each(|v| *v = -*v);
        a.max(0.0)
    }
    fn newton_weight(&mut self, s: &[f64], w: &mut [f64]) -> f64 {
        // ||w||^2 = s'(B + lambda I)^{-1} s: one more solve.
        w.copy_from_slice(s);
        self.st.chol.solve_in_place(w);
        dot(s, w)
    }
    fn leftmost(&mut self, iterations: usize, z: &mut [f64], t: &mut [f64]) -> Option<f64> {
        if !self.st.have_leftmost {
            // Not run in `prepare` (B was positive semidefinite by Gershgorin): run it now.
            self.st.lanczos(self.h, self.products);
        }
        if !self.st.have_leftmost {
            return None;
        }
        z.copy_from_slice(&self.st.leftmost);
        let chol = &mut self.st.chol;
        inverse_iteration(|z| chol.solve_in_place(z), iterations, z);
        if !z.iter().all(|v| v.is_finite()) || norm(z) == 0.0 {
            return None;
        }
        // Keep the refined direction for the next lambda: the leftmost eigenvector of B does
        // not depend on lambda.
        self.st.leftmost.copy_from_slice(z);
        // ||L'z||^2 = z'(B + lambda I) z by one product; it is at least 0 in exact arithmetic.
        symmetric_lower_matvec(self.h, z, t);
        *self.products += 1;
        // The shift is the factorization's own (a warm start may reuse an earlier one).
        let zhz = (dot(z, t) + self.st.chol.shift() * dot(z, z)).max(0.0);
        zhz.is_finite().then_some(zhz)
    }
}

/// The tolerances of one solve.
#[derive(Clone, Copy)]
struct Params {
    kappa_easy: f64,
    kappa_hard: f64,
    theta: f64,
    inverse_iterations: usize,
    max_iterations: usize,
    deadline: Option<Instant>,
}

/// The safeguarded Newton iteration on the secular equation (items 1 to 5 of the module
/// documentation), on either factorization. Returns the accepted pick with its predicted
/// reduction and status, and the best feasible predicted reduction seen (its step in `ws.best`).
fn secular<F: ShiftedFactorization>(
    prm: Params,
    ws: &mut Workspace,
    fac: &mut F,
    radius: f64,
    info: &mut StepInfo,
) -> (Option<(Pick, f64, StepStatus)>, f64) {
    let Params { kappa_easy, kappa_hard, theta, inverse_iterations: inv_its, max_iterations, deadline } = prm;
    let delta = radius;
    let delta2 = delta * delta;
    let gd = ws.gnorm / delta;
    // Bracket (3), tightened by what earlier trials at this point learned.
    let mut lam_l = 0.0f64.max(ws.neg_lmin_lo).max(gd - ws.lmax_hi);
    let mut lam_u = 0.0f64.max(gd + ws.neg_lmin_hi);
    let mut lam = if lam_l == 0.0 { 0.0 } else { f64::NAN };
    if let Some((lp, sp)) = ws.last {
        // ||s(lambda)|| decreases in lambda: lp is a lower bound if ||s(lp)|| > radius, an
        // upper bound if ||s(lp)|| < radius. Start from it (its factor is usually at hand).
        if sp > delta {
            lam_l = lam_l.max(lp);
        } else if sp < delta {
            lam_u = lam_u.min(lp);
        }
        lam = lp;
    }
    lam_u = lam_u.max(lam_l);
    let mut widen = ws.lambda_floor.max(1e-10 * lam_l).max(f64::MIN_POSITIVE);
    let mut best_pred = f64::NEG_INFINITY;
    let mut accepted: Option<(Pick, f64, StepStatus)> = None;

    for iter in 0..max_iterations {
        if iter > 0 && deadline.is_some_and(|d| Instant::now() >= d) {
            // Out of time: as at the cap, the best feasible candidate so far.
            break;
        }
        info.inner_iterations = iter + 1;
        // Next lambda suggested by the Rayleigh-quotient bound in the (nearly) hard case.
        let mut hard_guess = f64::NAN;
        // Safeguard (4): lambda must lie in the bracket and above the known non-PD region.
        if !(lam >= lam_l && lam <= lam_u) || lam <= ws.neg_lmin_lo {
            if lam_u <= lam_l {
                // The bracket collapsed (round-off in the bounds, or B + lambda_L I exactly
                // singular, as for a diagonal B with g = 0): widen it geometrically.
                lam_u = lam_l + widen;
                widen *= 10.0;
            }
            lam = safeguard(lam_l, lam_u, theta);
        }
        // Factorize B + lambda I unless the workspace already holds it (warm start).
        if ws.factored != Some(lam) {
            ws.factored = None;
            info.factorizations += 1;
            if fac.factorize(lam).is_err() {
                // B + lambda I is not positive definite: lambda <= -lambda_1.
                ws.neg_lmin_lo = ws.neg_lmin_lo.max(lam);
                lam_l = lam_l.max(lam);
                continue;
            }
            ws.factored = Some(lam);
        }
        // s = -(B + lambda I)^{-1} g, A = ||L's||^2 = ||L^{-1} g||^2.
        let a = fac.step(&ws.g, &mut ws.s, &mut ws.w);
        let snorm = norm(&ws.s);
        if !(a.is_finite() && snorm.is_finite()) {
            // Numerically singular: treat as a failed factorization.
            ws.factored = None;
            ws.neg_lmin_lo = ws.neg_lmin_lo.max(lam);
            lam_l = lam_l.max(lam);
            continue;
        }
        ws.neg_lmin_hi = ws.neg_lmin_hi.min(lam);
        ws.last = Some((lam, snorm));
        // (6) with p = s.
        let pred_s = 0.5 * (a + lam * snorm * snorm);
        if lam == 0.0 && snorm <= delta {
            // Item 1: the Newton step is interior.
            accepted = Some((Pick::S(1.0), pred_s, StepStatus::Interior));
            break;
        }
        if snorm > delta {
            lam_l = lam_l.max(lam);
            // (6) with p = alpha s: alpha (1 - alpha/2) A + lambda radius^2 / 2.
            let alpha = delta / snorm;
            let pred_a = alpha * (1.0 - 0.5 * alpha) * a + 0.5 * lam * delta2;
            if pred_a > best_pred {
                best_pred = pred_a;
                for (b, &s) in ws.best.iter_mut().zip(&ws.s) {
                    *b = alpha * s;
                }
            }
            if snorm - delta <= kappa_easy * delta {
                // Item 2, outside: scale back to the boundary.
                accepted = Some((Pick::S(alpha), pred_a, StepStatus::Boundary));
                break;
            }
        } else {
            lam_u = lam_u.min(lam);
            if pred_s > best_pred {
                best_pred = pred_s;
                ws.best.copy_from_slice(&ws.s);
            }
            if delta - snorm <= kappa_easy * delta {
                // Item 2, inside.
                accepted = Some((Pick::S(1.0), pred_s, StepStatus::Boundary));
                break;
            }
            if lam <= ws.lambda_floor || a + lam * snorm * snorm >= (1.0 - kappa_hard) * (a + lam * delta2) {
                // Item 3: lambda (radius^2 - ||s||^2) is negligible; by (5) s is optimal
                // to the factor 1 - kappa_hard.
                accepted = Some((Pick::S(1.0), pred_s, StepStatus::Interior));
                break;
            }
            // Item 4, the (nearly) hard case: move along the leftmost direction of H.
            if let Some(zhz) = fac.leftmost(inv_its, &mut ws.z, &mut ws.u) {
                // Rayleigh quotient: lambda - z'Hz <= -lambda_1 (radius-independent).
                ws.neg_lmin_lo = ws.neg_lmin_lo.max(lam - zhz);
                lam_l = lam_l.max(lam - zhz);
                // Smaller root of ||z||^2 tau^2 + 2 s'z tau - (radius^2 - ||s||^2) = 0,
                // written without cancellation; it carries the sign of s'z.
                let sz = dot(&ws.s, &ws.z);
                let c = (delta - snorm) * (delta + snorm);
                let tau = (c / (sz.abs() + (sz * sz + c).sqrt())).copysign(if sz == 0.0 { 1.0 } else { sz });
                for ((p, &s), &z) in ws.p.iter_mut().zip(&ws.s).zip(&ws.z) {
                    *p = s + tau * z;
                }
                let pnorm = norm(&ws.p);
                let defect = tau * tau * zhz;
                // (7).
                let pred_p = 0.5 * (a + lam * pnorm * pnorm - defect);
                if pnorm <= delta * (1.0 + 1e-12) && pred_p > best_pred {
                    best_pred = pred_p;
                    ws.best.copy_from_slice(&ws.p);
                }
                if defect <= kappa_hard * (a + lam * delta2) && pnorm <= delta * (1.0 + 1e-12) {
                    accepted = Some((Pick::P, pred_p, StepStatus::HardCase));
                    break;
                }
                // Where the test above would pass if lambda_L were -lambda_1: with
                // lambda - lambda_L = z'Hz and tau^2 <= radius^2, lambda_L + kappa_hard
                // (A/radius^2 + lambda_L)/2 does (used when Newton's step leaves the bracket).
                hard_guess = lam_l + 0.5 * kappa_hard * (a / delta2 + lam_l);
            }
        }
        // Newton step (2) on the secular equation.
        if snorm > 0.0 {
            let ww = fac.newton_weight(&ws.s, &mut ws.w);
            lam += (snorm * snorm / ww) * (snorm - delta) / delta;
            if snorm < delta && !(lam > lam_l) && hard_guess > lam_l && hard_guess < lam_u {
                lam = hard_guess;
            }
        } else if hard_guess > lam_l && hard_guess < lam_u {
            lam = hard_guess;
        } else {
            // g = 0: s(lambda) = 0 carries no information; the safeguard picks the next lambda.
            lam = f64::NAN;
        }
    }
    (accepted, best_pred)
}

/// Spectral bounds (3) from the diagonal `d`, the off-diagonal absolute row sums `r` and the
/// squared Frobenius norm; sets the per-point bounds of `ws`. `n` is the dimension.
fn set_bounds(ws: &mut Workspace, d: impl Iterator<Item = (f64, f64)>, fro2: f64, n: usize) {
    let (mut gersh_lo, mut gersh_hi, mut norm_inf, mut min_diag) =
        (f64::INFINITY, f64::NEG_INFINITY, 0.0f64, f64::INFINITY);
    for (d, r) in d {
        gersh_lo = gersh_lo.min(d - r);
        gersh_hi = gersh_hi.max(d + r);
        norm_inf = norm_inf.max(d.abs() + r);
        min_diag = min_diag.min(d);
    }
    let fro = fro2.sqrt();
    let finite = [gersh_lo, gersh_hi, norm_inf, fro, min_diag, ws.gbg].iter().all(|v| v.is_finite());
    if !finite {
        ws.path = Path::None;
    }
    ws.lmax_hi = gersh_hi.min(fro).min(norm_inf);
    ws.neg_lmin_hi = (-gersh_lo).min(fro).min(norm_inf);
    // lambda_1 <= min_i b_ii and lambda_1 <= g'Bg/g'g (Rayleigh quotients of e_i and g).
    ws.neg_lmin_lo = -min_diag;
    if ws.gnorm > 0.0 {
        ws.neg_lmin_lo = ws.neg_lmin_lo.max(-ws.gbg / (ws.gnorm * ws.gnorm));
    }
    ws.lambda_floor = n as f64 * f64::EPSILON * fro.min(norm_inf);
}

impl StepSolver for MoreSorensen {
    fn name(&self) -> &'static str {
        "exact"
    }

    fn needs(&self) -> Needs {
        Needs::Matrix
    }

    fn validate(&self) -> Result<(), SetupError> {
        let open_unit = |name: &'static str, v: f64| {
            if v > 0.0 && v < 1.0 {
                Ok(())
            } else {
                Err(SetupError::InvalidOption { name, value: v, reason: "must lie in (0, 1)" })
            }
        };
        open_unit("kappa_easy", self.kappa_easy)?;
        open_unit("kappa_hard", self.kappa_hard)?;
        open_unit("theta", self.theta)?;
        if self.max_iterations == 0 {
            return Err(SetupError::InvalidOption { name: "max_iterations", value: 0.0, reason: "must be at least 1" });
        }
        Ok(())
    }

    fn initialize(&mut self, n: usize) {
        let ws = &mut self.ws;
        for v in [&mut ws.g, &mut ws.bg, &mut ws.s, &mut ws.w, &mut ws.z, &mut ws.u, &mut ws.p, &mut ws.best] {
            *v = vec![0.0; n];
        }
        ws.factored = None;
        ws.last = None;
        ws.path = Path::None;
        // The dense factor (n^2 storage) is allocated here for n <= DENSE_EAGER_MAX (so that a
        // dense `prepare` never allocates), otherwise at the first point with a dense matrix:
        // a sparse model of large n must not pay n^2 memory. The sparse analysis and its
        // buffers are made at the first point with a sparse matrix (kept while the pattern and
        // the dimension do not change).
        if self.dense.as_ref().is_some_and(|c| c.dim() != n) {
            self.dense = None;
        }
        if self.dense.is_none() && n <= DENSE_EAGER_MAX {
            self.dense = Some(DenseCholesky::new(n));
        }
        if self.sparse.as_ref().is_some_and(|s| s.chol.dim() != n) {
            self.sparse = None;
        }
        self.symbolic_analyses = 0;
        self.lanczos_products = 0;
    }

    fn prepare(&mut self, model: &mut dyn Model) {
        let n = model.dim();
        if self.ws.g.len() != n {
            self.initialize(n);
        }
        let ws = &mut self.ws;
        ws.g.copy_from_slice(model.gradient());
        ws.gnorm = norm(&ws.g);
        ws.factored = None;
        ws.last = None;
        if let Some(h) = model.dense_hessian() {
            ws.path = Path::Dense;
            if self.dense.is_none() {
                self.dense = Some(DenseCholesky::new(n));
            }
            matvec(h, &ws.g, &mut ws.bg);
            ws.gbg = dot(&ws.g, &ws.bg);
            // Bounds (3) in one pass over the columns (B symmetric: column sums are row sums).
            let mut fro2 = 0.0f64;
            let rows = (0..n).map(|j| {
                let d = h[(j, j)];
                let (abs_sum, sq_sum) = match col(h, j) {
                    Some(c) => c.iter().fold((0.0, 0.0), |(a, q), &v| (a + v.abs(), q + v * v)),
                    None => (0..n).fold((0.0, 0.0), |(a, q), i| (a + h[(i, j)].abs(), q + h[(i, j)] * h[(i, j)])),
                };
                fro2 += sq_sum;
                (d, abs_sum - d.abs())
            });
            // Collect into the scratch buffers first (the iterator borrows fro2).
            for (j, (d, r)) in rows.enumerate() {
                ws.w[j] = d;
                ws.u[j] = r;
            }
            let (d, r) = (std::mem::take(&mut ws.w), std::mem::take(&mut ws.u));
            set_bounds(ws, d.iter().copied().zip(r.iter().copied()), fro2, n);
            ws.w = d;
            ws.u = r;
            return;
        }
        if let Some(h) = model.sparse_hessian() {
            let sym = h.symbolic();
            let reuse = self.sparse.as_ref().is_some_and(|s| s.chol.matches(sym));
            if !reuse {
                match SparseCholesky::new(sym) {
                    Ok(chol) => {
                        self.symbolic_analyses += 1;
                        self.sparse = Some(SparseState::new(chol, n, self.lanczos_steps));
                    }
                    Err(_) => {
                        self.sparse = None;
                    }
                }
            }
            if let Some(st) = self.sparse.as_mut() {
                ws.path = Path::Sparse;
                st.have_leftmost = false;
                symmetric_lower_matvec(h, &ws.g, &mut ws.bg);
                ws.gbg = dot(&ws.g, &ws.bg);
                // Bounds (3): diagonal into w, off-diagonal absolute row sums into u (each
                // stored entry below the diagonal counts in its row and, by symmetry, its column).
                ws.u.iter_mut().for_each(|v| *v = 0.0);
                ws.w.iter_mut().for_each(|v| *v = 0.0);
                let mut fro2 = 0.0f64;
                let vals = h.val();
                for j in 0..n {
                    let range = sym.col_range(j);
                    for (&i, &v) in sym.row_idx()[range.clone()].iter().zip(&vals[range]) {
                        if i == j {
                            ws.w[j] += v;
                            fro2 += v * v;
                        } else {
                            ws.u[i] += v.abs();
                            ws.u[j] += v.abs();
                            fro2 += 2.0 * v * v;
                        }
                    }
                }
                let (d, r) = (std::mem::take(&mut ws.w), std::mem::take(&mut ws.u));
                set_bounds(ws, d.iter().copied().zip(r.iter().copied()), fro2, n);
                let possibly_indefinite = d.iter().zip(&r).any(|(&d, &r)| d - r < 0.0);
                ws.w = d;
                ws.u = r;
                if ws.path == Path::Sparse && possibly_indefinite {
                    // Lanczos estimate of the leftmost eigenpair: its Rayleigh quotient rq
                    // satisfies lambda_1 <= rq, so -rq is a lower bound on -lambda_1.
                    if let Some(rq) = st.lanczos(h, &mut self.lanczos_products) {
                        ws.neg_lmin_lo = ws.neg_lmin_lo.max(-rq);
                    }
                }
                return;
            }
        }
        // No matrix: the Cauchy point is all we can offer.
        ws.path = Path::None;
        model.apply(&ws.g, &mut ws.bg);
        ws.gbg = dot(&ws.g, &ws.bg);
    }

    fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.ws.deadline = deadline;
    }

    fn solve(&mut self, model: &mut dyn Model, radius: f64, step: &mut [f64]) -> StepInfo {
        let prm = Params {
            kappa_easy: self.kappa_easy,
            kappa_hard: self.kappa_hard,
            theta: self.theta,
            inverse_iterations: self.inverse_iterations,
            max_iterations: self.max_iterations.max(1),
            deadline: self.ws.deadline,
        };
        let kappa_easy = prm.kappa_easy;
        let ws = &mut self.ws;
        let mut info = StepInfo {
            step_norm: 0.0,
            predicted_reduction: 0.0,
            hits_boundary: false,
            status: StepStatus::Interior,
            inner_iterations: 0,
            factorizations: 0,
        };
        let zero_step = |step: &mut [f64], info: StepInfo| {
            step.iter_mut().for_each(|v| *v = 0.0);
            info
        };
        if !(radius > 0.0 && radius.is_finite()) {
            // A wrong call (the outer loop never asks for this): the only feasible step is 0.
            return zero_step(step, info);
        }
        let cauchy_fallback = |ws: &Workspace, step: &mut [f64]| {
            let mut info = Cauchy::cauchy_step(&ws.g, ws.gnorm, ws.gbg, radius, step);
            info.status = StepStatus::Fallback;
            info
        };
        let usable = match ws.path {
            Path::Dense => model.dense_hessian().is_some() && self.dense.is_some(),
            Path::Sparse => model.sparse_hessian().is_some() && self.sparse.is_some(),
            Path::None => false,
        };
        if !usable {
            return cauchy_fallback(ws, step);
        }
        if ws.gnorm == 0.0 && ws.neg_lmin_hi <= 0.0 {
            // g = 0 and B positive semidefinite (Gershgorin): s = 0 is a global solution of (1).
            return zero_step(step, info);
        }
        let (accepted, best_pred) = match ws.path {
            Path::Dense => {
                let (Some(h), Some(chol)) = (model.dense_hessian(), self.dense.as_mut()) else {
                    return cauchy_fallback(ws, step);
                };
                secular(prm, ws, &mut DenseShifted { h, chol }, radius, &mut info)
            }
            _ => {
                let (Some(h), Some(st)) = (model.sparse_hessian(), self.sparse.as_mut()) else {
                    return cauchy_fallback(ws, step);
                };
                let mut fac = SparseShifted { h, st, products: &mut self.lanczos_products };
                secular(prm, ws, &mut fac, radius, &mut info)
            }
        };

        let (mut pred, mut status) = match accepted {
            Some((Pick::S(alpha), pred, status)) => {
                if alpha == 1.0 {
                    step.copy_from_slice(&ws.s);
                } else {
                    for (t, &s) in step.iter_mut().zip(&ws.s) {
                        *t = alpha * s;
                    }
                }
                (pred, status)
            }
            Some((Pick::P, pred, status)) => {
                step.copy_from_slice(&ws.p);
                (pred, status)
            }
            None if best_pred > f64::NEG_INFINITY => {
                step.copy_from_slice(&ws.best);
                (best_pred, StepStatus::IterationCap)
            }
            None => {
                step.iter_mut().for_each(|v| *v = 0.0);
                (0.0, StepStatus::IterationCap)
            }
        };
        // Never worse than the Cauchy point (O(n): Bg is known).
        let cauchy = Cauchy::cauchy_step(&ws.g, ws.gnorm, ws.gbg, radius, &mut ws.u);
        if cauchy.predicted_reduction > pred * (1.0 + 1e-12) || !pred.is_finite() {
            step.copy_from_slice(&ws.u);
            pred = cauchy.predicted_reduction;
            if status != StepStatus::IterationCap {
                status = StepStatus::Fallback;
            }
        }
        info.step_norm = norm(step);
        info.predicted_reduction = pred;
        info.hits_boundary = info.step_norm >= (1.0 - kappa_easy) * radius;
        info.status = status;
        info
    }

    fn symbolic_analyses(&self) -> usize {
        self.symbolic_analyses
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DenseModel;
    use faer::Mat;

    fn diag_model(d: &[f64], g: &[f64]) -> DenseModel {
        let n = d.len();
        let h = Mat::from_fn(n, n, |i, j| if i == j { d[i] } else { 0.0 });
        DenseModel::new(g.to_vec(), h)
    }

    fn run(m: &mut DenseModel, radius: f64) -> (Vec<f64>, StepInfo) {
        let mut ms = MoreSorensen::new();
        ms.validate().unwrap();
        ms.initialize(m.dim());
        ms.prepare(m);
        let mut s = vec![0.0; m.dim()];
        let info = ms.solve(m, radius, &mut s);
        (s, info)
    }

    #[test]
    fn interior_newton_step() {
        let mut m = diag_model(&[2.0, 4.0], &[-2.0, 4.0]);
        let (s, info) = run(&mut m, 10.0);
        assert_eq!(info.status, StepStatus::Interior);
        assert!((s[0] - 1.0).abs() < 1e-14 && (s[1] + 1.0).abs() < 1e-14);
        assert!((info.predicted_reduction + m.change(&s)).abs() < 1e-14);
        assert_eq!(info.factorizations, 1);
    }

    #[test]
    fn boundary_step_on_indefinite_model() {
        let mut m = diag_model(&[-1.0, 2.0, 3.0], &[1.0, 1.0, 1.0]);
        let (s, info) = run(&mut m, 0.5);
        assert!(info.step_norm <= 0.5 * (1.0 + 1e-12));
        assert!(info.hits_boundary);
        assert!((info.predicted_reduction + m.change(&s)).abs() < 1e-12);
    }

    #[test]
    fn hard_case_diagonal() {
        // g orthogonal to e_0 (the leftmost eigenvector), radius large: lambda* = 1.
        let mut m = diag_model(&[-1.0, 1.0, 2.0], &[0.0, 1.0, 1.0]);
        let (s, info) = run(&mut m, 3.0);
        assert_eq!(info.status, StepStatus::HardCase);
        assert!((norm(&s) - 3.0).abs() < 1e-9);
        // Optimum: s1 = -1/2, s2 = -1/3, s0^2 = 9 - 1/4 - 1/9; value = -1/4 - 1/6 ... - s0^2 / 2.
        let s0sq: f64 = 9.0 - 0.25 - 1.0 / 9.0;
        let best = -0.5 * 1.0 / 2.0 - 0.5 * 1.0 / 3.0 - 0.5 * s0sq;
        assert!(m.change(&s) <= 0.98 * best);
    }

    #[test]
    fn zero_gradient() {
        let mut m = diag_model(&[-1.0, 1.0], &[0.0, 0.0]);
        let (s, info) = run(&mut m, 2.0);
        assert!(info.hits_boundary);
        assert!(-m.change(&s) >= 0.98 * 2.0);
        let mut m = diag_model(&[0.0, 1.0], &[0.0, 0.0]);
        let (s, info) = run(&mut m, 2.0);
        assert_eq!(s, vec![0.0, 0.0]);
        assert_eq!(info.predicted_reduction, 0.0);
    }

    #[test]
    fn validate_rejects_bad_options() {
        let ms = MoreSorensen { kappa_easy: 0.0, ..MoreSorensen::default() };
        assert!(ms.validate().is_err());
        let ms = MoreSorensen { kappa_hard: 1.0, ..MoreSorensen::default() };
        assert!(ms.validate().is_err());
        let ms = MoreSorensen { theta: f64::NAN, ..MoreSorensen::default() };
        assert!(ms.validate().is_err());
        let ms = MoreSorensen { max_iterations: 0, ..MoreSorensen::default() };
        assert!(ms.validate().is_err());
    }
}
