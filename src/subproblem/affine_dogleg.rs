//! The affine-scaling dogleg step for bound-constrained nonlinear systems: the STRSCNE dogleg
//! and the CoDoSol constrained dogleg in one step solver.
//!
//! The problem: find `x` with `F(x) = 0`, `F: R^n -> R^n`, in the box `l <= x <= u` (bounds
//! may be infinite), through the merit `f(x) = ||F(x)||^2 / 2`, `g = J'F`. Every iterate lies
//! strictly inside the box, and so does every trial point this solver builds.
//!
//! At the iterate `x` with `F`, `J` (a [`JacobianStore`]), `g` and a scale vector
//! `d = d(x) > 0` ([`crate::scaling`]), one trial step is built from:
//!
//! - (E1) the region: `||D^{-1/2} p|| <= radius` ([`Region::Elliptical`], [1, 2]) or
//!   `||p|| <= radius` ([`Region::Spherical`]); write `||p||_T` for the chosen norm;
//! - (E2) the generalized Cauchy step along `v = -D g`: the model minimizer
//!   `tau* = ||D^{1/2} g||^2 / ||J D g||^2`, cut to the region,
//!   `tau = min(tau*, radius / ||v||_T)`, then stepped back into the box: with
//!   `alpha = max{a : x + a tau v in [l, u]}`, `p_c = tau v` if `alpha > 1`, else
//!   `p_c = max(theta, 1 - ||tau v||) alpha tau v` with `theta = 0.99995` [1, sec. 3; 2, sec. 2];
//! - (E3) the Newton step `J s_N = -F` (dense or sparse LU, owned by this solver) for a square
//!   `J`, and in its place the Gauss-Newton step `s_N = argmin ||F + J s||` where `J` is
//!   rectangular (`m != n`) or the LU declares it singular: dense by column-pivoted QR (the
//!   basic solution on the numerical rank, [`crate::linalg::least_squares`]), sparse by the
//!   normal equations `(J'J + mu I) s = -J'F` with a rounding-level shift `mu` (a
//!   Levenberg-Marquardt step with a tiny damping), or, with [`LinearSolver::Lsmr`], by LSMR on
//!   products with `J` and `J'` for every shape (no factorization, [`crate::linalg::lsmr`]).
//!   For a nonsingular square `J` all of these give the Newton step; where `J` is singular the
//!   least-squares step still decreases the linear model along the well-conditioned directions,
//!   where dropping it (the Cauchy step alone) stalls on systems singular at a symmetric start
//!   (POWERSUMNE-like). Only when no step can be computed (non-finite values, `J = 0`) does the
//!   step fall back to `p_c`. The step rules below use only `p_N` and `J p_N`, so they carry
//!   over unchanged (Branch, Coleman & Li \[5\] use the same pairing of the Gauss-Newton and
//!   scaled gradient directions for rectangular least squares);
//! - (E3b) for overdetermined least squares (`m > n`) in a box the Gauss-Newton step is the
//!   trust-region-reflective one (Coleman & Li's affine scaling with its `C` term, as in
//!   Branch, Coleman & Li \[5\] and SciPy's `trf`): with Coleman-Li's `v(x)` (the distance to
//!   the bound that `-g` points at, `1` where that bound is infinite), `dv_i = sign(g_i)` where
//!   that bound is finite and `0` elsewhere, `S = diag(v)^{1/2}` and `C = diag(g . dv) >= 0`,
//!   `s_N = S q` with `q = argmin || [J S; C^{1/2}] q + [F; 0] ||`. A component whose bound
//!   blocks the descent has `v_i -> 0` and `c_i = |g_i| > 0`, so its part of the step vanishes
//!   and the other components take the Gauss-Newton step of the problem with it fixed; the
//!   plain step `argmin ||F + J s||` would push through the bound and be stepped back along its
//!   whole length (E5), leaving only the Cauchy step and linear convergence. Without finite
//!   bounds in the descent directions `S = I`, `C = 0` and the step is the plain one. The
//!   augmented problem is solved the same three ways (dense QR of the `(m + n) x n` matrix,
//!   sparse normal equations `S J'J S + C` of the augmented pattern, LSMR on the augmented
//!   operator). It is used for `m > n` only: for square and underdetermined systems the
//!   roots are the target and the plain step is kept;
//! - (E4) the model of the linear residual `F + J p`, with predicted reductions computed
//!   without cancellation: `pred_2(p) = ||F||^2/2 - ||F + Jp||^2/2 = -(Jp)'(F + Jp/2)` and
//!   `pred_1(p) = ||F|| - ||F + Jp|| = 2 pred_2(p) / (||F|| + ||F + Jp||)`; along `v`,
//!   `pred_2(c v) = c (||D^{1/2}g||^2 - c ||JDg||^2 / 2)` since `(JDg)'F = g'Dg`.
//!
//! Two step rules:
//!
//! - [`StepRule::Dogleg`] (STRSCNE, Bellavia, Macconi & Morini \[1\]), merit `||F||^2/2`:
//!   (E5) `p_N = s_N` if `x + s_N` is strictly inside, else `max(theta, 1 - ||s_N||) alpha s_N`;
//!   take `p_N` if `||p_N||_T <= radius`; else `p_c` if the Cauchy step was cut by the region;
//!   else the dogleg point `p_c + t (p_N - p_c)` with `||.||_T = radius` (stable root,
//!   [`crate::linalg::boundary_root`]); the segment joins two points strictly inside the box,
//!   so the point is strictly inside. (E6) Safeguard: if `pred_2(p) < beta pred_2(p_c)`
//!   (`beta = 0.1`), take `p_c`.
//! - [`StepRule::ConstrainedDogleg`] (CoDoSol, Bellavia, Macconi & Pieraccini \[2\]), merit
//!   `||F||`: (E7) `p_N = max(theta, 1 - ||s_N||) (P(x + s_N) - x)` with `P` the projection
//!   onto the box; (E8) minimize `||F + J p(gamma)||` on the whole line
//!   `p(gamma) = p_c + gamma (p_N - p_c)`:
//!   `gamma* = -(F + J p_c)'w / ||w||^2`, `w = J (p_N - p_c)`, clipped to the region and, for
//!   `gamma` outside `[0, 1]`, to `theta` times the largest step along the line that stays in
//!   the box. The clipped interval contains `gamma = 0`, so the step never predicts less than
//!   `p_c`. When `p_N` is a least-squares step (a singular or rectangular `J`, E3) and its end
//!   of the line (`gamma = 1`) predicts at least `1 - 1e-6` of the reduction of the line's
//!   minimizer, `gamma = 1` is taken (clipped to the region): with a rank-deficient `J` both
//!   `J p_c` and `J p_N` may minimize the model over `J`'s range, the line is then flat up to
//!   rounding, and its minimizer is noise. At the symmetric start of a POWERSUM-like system
//!   the Cauchy step keeps the symmetry and leads to a stationary point that is not a root,
//!   while the least-squares step of the pivoted QR breaks it.
//!
//! Adaptive scaling ([`Scaling::Adaptive`]): at every trial the member (CL, HUU, KK, equal
//! combination) whose truncated generalized Cauchy step (E2) has the largest predicted
//! reduction (E4) is used for the whole trial, region included.
//!
//! Protocol: [`AffineDogleg::new`] allocates everything (and runs the sparse symbolic analysis
//! once); [`AffineDogleg::prepare`] once per accepted point does everything that depends only
//! on the point: `g = J'F`, the scale vectors and their Cauchy data (E2), the stationarity
//! measure `||D g|| / ||F||`, and the Newton step (E3, E5, E7); [`AffineDogleg::solve`] once per
//! trial radius picks the member, builds the Cauchy and dogleg or constrained-dogleg points, the
//! safeguard and the predicted reduction (E2, E4-E8). Neither allocates. The solver sees the
//! problem only through the Jacobian store and the bounds; it never calls user code.
//!
//! References:
//! 1. S. Bellavia, M. Macconi, B. Morini, An affine scaling trust-region approach to
//!    bound-constrained nonlinear systems, Appl. Numer. Math. 44 (2003) 257-280 (STRSCNE).
//! 2. S. Bellavia, M. Macconi, S. Pieraccini, Constrained dogleg methods for nonlinear systems
//!    with simple bounds, Comput. Optim. Appl. 53 (2012) 771-794 (CoDoSol).
//! 3. T. F. Coleman, Y. Li, An interior trust region approach for nonlinear minimization
//!    subject to bounds, SIAM J. Optim. 6 (1996) 418-445.
//! 4. R. Ayanzadeh, M. Yazdanian, E. Shahamatnia, arXiv:1904.09209 (2019) (the combination).
//! 5. M. A. Branch, T. F. Coleman, Y. Li, A subspace, interior, and conjugate gradient method
//!    for large-scale bound-constrained minimization problems, SIAM J. Sci. Comput. 21 (1999)
//!    1-23 (SciPy's `least_squares(method='trf')`).

use serde::Serialize;

use crate::error::SetupError;
use crate::linalg::least_squares::{DenseLeastSquares, SparseNormalEquations};
use crate::linalg::lsmr::{Lsmr, LsmrStop};
use crate::linalg::lu::{DenseLu, SparseLu};
use crate::linalg::{all_finite, boundary_root, dot, norm};
use crate::model::jacobian::{JacobianRef, JacobianStore};
use crate::problem::Bounds;
use crate::scaling::{ScaleMember, Scaling};

/// How the trial step is built from the Newton and generalized Cauchy steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum StepRule {
    /// STRSCNE dogleg in the scaled variables with the Cauchy-ratio safeguard; merit
    /// `||F||^2/2` (Bellavia, Macconi & Morini 2003).
    #[default]
    Dogleg,
    /// CoDoSol constrained dogleg: projected Newton step, line minimization through it and
    /// the Cauchy step; merit `||F||` (Bellavia, Macconi & Pieraccini 2012).
    ConstrainedDogleg,
}

impl StepRule {
    /// Stable short name: `"dogleg"` or `"constrained_dogleg"`.
    pub fn name(&self) -> &'static str {
        match self {
            StepRule::Dogleg => "dogleg",
            StepRule::ConstrainedDogleg => "constrained_dogleg",
        }
    }
}

/// The norm of the trust region.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Region {
    /// `||D^{-1/2} p|| <= radius` (STRSCNE, CoDoSol).
    #[default]
    Elliptical,
    /// `||p|| <= radius`.
    Spherical,
}

/// How the Newton / Gauss-Newton step (E3) is computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum LinearSolver {
    /// Factorizations: the LU for a square `J` (dense or sparse), and for a rectangular or
    /// singular one the column-pivoted QR (dense) or the shifted normal equations with the
    /// sparse Cholesky (sparse).
    #[default]
    Direct,
    /// LSMR (Fong & Saunders 2011) on products with `J` and `J'` only, for every shape: no
    /// factorization and no matrix beyond the store's products.
    Lsmr,
}

/// Which step was tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum StepKind {
    /// The (stepped-back or projected) Newton step.
    Newton,
    /// The truncated generalized Cauchy step (E2).
    Cauchy,
    /// The dogleg point between the Cauchy and Newton steps (E5).
    Dogleg,
    /// The constrained-dogleg line minimizer (E8).
    ConstrainedDogleg,
}

impl StepKind {
    /// Stable short name.
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Newton => "newton",
            StepKind::Cauchy => "cauchy",
            StepKind::Dogleg => "dogleg",
            StepKind::ConstrainedDogleg => "constrained_dogleg",
        }
    }
}

/// Options of the affine-scaling dogleg (the interior loop fills them from its own options).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct AffineDoglegOptions {
    /// Step rule. Default [`StepRule::Dogleg`] (STRSCNE).
    pub rule: StepRule,
    /// Trust-region norm (E1). Default [`Region::Elliptical`] (STRSCNE, CoDoSol).
    pub region: Region,
    /// The scale vector `d(x)`. Default: the equal-weight combination (spec; Ayanzadeh et al.).
    pub scaling: Scaling,
    /// Step-back factor `theta` in `(0, 1)` (E2, E5, E7, E8). Default `0.99995` (STRSCNE, CoDoSol).
    pub theta: f64,
    /// Cauchy-ratio safeguard `beta` of the dogleg rule (E6), in `[0, 1)`. Default `0.1`
    /// (`beta_1` of STRSCNE).
    pub cauchy_fraction: f64,
    /// How the Newton / Gauss-Newton step is computed (E3). Default [`LinearSolver::Direct`].
    pub linear_solver: LinearSolver,
    /// Relative tolerance of LSMR (`atol = btol` of Fong & Saunders, sec. 3.5). Default `1e-10`.
    pub lsmr_tolerance: f64,
    /// Iteration cap of LSMR; `0` means `2 min(m, n) + 20` (LSMR ends within `min(m, n)`
    /// iterations in exact arithmetic). A capped solve still gives a usable step. Default `0`.
    pub lsmr_max_iterations: usize,
}

impl Default for AffineDoglegOptions {
    fn default() -> Self {
        Self {
            rule: StepRule::default(),
            region: Region::default(),
            scaling: Scaling::default(),
            theta: 0.99995,
            cauchy_fraction: 0.1,
            linear_solver: LinearSolver::Direct,
            lsmr_tolerance: 1e-10,
            lsmr_max_iterations: 0,
        }
    }
}

impl AffineDoglegOptions {
    /// Checks the scaling, `0 < theta < 1` and `0 <= cauchy_fraction < 1`.
    pub fn validate(&self) -> Result<(), SetupError> {
        let bad = |name, value, reason| Err(SetupError::InvalidOption { name, value, reason });
        self.scaling.validate()?;
        if !(self.theta > 0.0 && self.theta < 1.0) {
            return bad("theta", self.theta, "must satisfy 0 < theta < 1");
        }
        if !(self.cauchy_fraction >= 0.0 && self.cauchy_fraction < 1.0) {
            return bad("cauchy_fraction", self.cauchy_fraction, "must satisfy 0 <= cauchy_fraction < 1");
        }
        if !(self.lsmr_tolerance > 0.0 && self.lsmr_tolerance < 1.0) {
            return bad("lsmr_tolerance", self.lsmr_tolerance, "must satisfy 0 < lsmr_tolerance < 1");
        }
        Ok(())
    }
}

/// The facts about one trial step (the step itself is [`AffineDogleg::step`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AffineStep {
    /// `||p||_T` in the region's norm of the member used.
    pub step_norm: f64,
    /// Predicted reduction of the rule's merit (E4): `pred_2` for the dogleg, `pred_1` for the
    /// constrained dogleg.
    pub predicted_reduction: f64,
    /// Which step it is.
    pub kind: StepKind,
    /// Whether the Cauchy-ratio safeguard (E6) replaced the step.
    pub safeguard: bool,
    /// The scale vector used (for the adaptive scaling, the member chosen).
    pub member: ScaleMember,
    /// Whether the Newton step was available at this point (E3).
    pub newton_available: bool,
    /// Whether that step is a least-squares (Gauss-Newton) step rather than an LU solve (E3).
    pub least_squares: bool,
}

/// Per-member data at the current point: `d`, `Dg`, `JDg` (in the solver's flat arrays) and
/// scalars for the Cauchy step (E2).
#[derive(Clone, Copy, Debug, Default)]
struct MemberData {
    /// `||D^{1/2} g||^2 = g'Dg`.
    sdg: f64,
    /// `||D g||_2`.
    dg_norm: f64,
    /// `||J D g||^2`.
    jdg2: f64,
    /// Largest step along `-D g` inside the box.
    box_step: f64,
    /// `sigma = 2^-k` when the three scalars above would overflow (F around 1e100 or more):
    /// they are then those of `v = sigma D g` (`g'v`, `||v||`, `||J v||^2`, the largest step
    /// along `-v`), exactly scaled; `1` otherwise.
    sigma: f64,
    /// `||D g||_2` unscaled (for the stationarity measure).
    dg_norm_unscaled: f64,
}

/// The LU of the Newton step (E3), matching the store's matrix.
#[derive(Debug)]
enum NewtonLu {
    /// Dense LU and the numeric factorizations attempted.
    Dense(DenseLu, usize),
    /// Sparse LU, symbolic analysis done once (boxed: it is large).
    Sparse(Box<SparseLu>),
    /// No LU (a rectangular Jacobian, or [`LinearSolver::Lsmr`]).
    None,
}

/// The least-squares solvers of the Gauss-Newton step (E3), allocated once.
#[derive(Debug, Default)]
struct LeastSquaresSolvers {
    /// Dense column-pivoted QR (every dense store with [`LinearSolver::Direct`]).
    dense: Option<DenseLeastSquares>,
    /// Sparse shifted normal equations: built by `new` for a rectangular sparse store, on the
    /// first singular `J` for a square one (its symbolic analysis is not needed otherwise).
    sparse: Option<Box<SparseNormalEquations>>,
    /// The analysis of the normal equations failed: do not retry.
    sparse_failed: bool,
    /// LSMR workspace ([`LinearSolver::Lsmr`]).
    lsmr: Option<Lsmr>,
    /// The augmentation of (E3b) for `m > n`.
    augmented: Option<Augmented>,
    /// Least-squares factorizations (QR or normal equations) and LSMR solves so far.
    solves: usize,
}

/// Workspace of the augmented Gauss-Newton step (E3b), allocated once for `m > n`.
#[derive(Debug)]
struct Augmented {
    /// `sqrt(v_i)` at the prepared point.
    s: Vec<f64>,
    /// `sqrt(c_i)` at the prepared point.
    c: Vec<f64>,
    /// `[-F; 0]` (length `m + n`).
    rhs: Vec<f64>,
    /// The solution `q` (length `n`).
    q: Vec<f64>,
    /// Two length-`n` temporaries for the LSMR operator.
    t1: Vec<f64>,
    t2: Vec<f64>,
    /// `[J S; C^{1/2}]`, dense (`(m + n) x n`; the lower block's off-diagonal entries stay 0).
    dense: Option<faer::Mat<f64>>,
    /// The augmented sparse pattern (each column: `J`'s entries in storage order, then row
    /// `m + j`) and its values.
    sparse: Option<(faer::sparse::SymbolicSparseColMat<usize>, Vec<f64>)>,
}

impl Augmented {
    fn new(m: usize, n: usize, matrix: JacobianRef<'_>, direct: bool) -> Self {
        let dense = (direct && matches!(matrix, JacobianRef::Dense(_))).then(|| faer::Mat::zeros(m + n, n));
        let sparse = match matrix {
            JacobianRef::Sparse(a) if direct => {
                let sym = a.symbolic();
                let (cp, ri) = (sym.col_ptr(), sym.row_idx());
                let mut col_ptr = Vec::with_capacity(n + 1);
                let mut rows = Vec::with_capacity(ri.len() + n);
                col_ptr.push(0);
                for j in 0..n {
                    rows.extend_from_slice(&ri[cp[j]..cp[j + 1]]);
                    rows.push(m + j);
                    col_ptr.push(rows.len());
                }
                let nnz = rows.len();
                let pattern = faer::sparse::SymbolicSparseColMat::new_unsorted_checked(m + n, n, col_ptr, None, rows);
                Some((pattern, vec![0.0; nnz]))
            }
            _ => None,
        };
        Self {
            s: vec![1.0; n],
            c: vec![0.0; n],
            rhs: vec![0.0; m + n],
            q: vec![0.0; n],
            t1: vec![0.0; n],
            t2: vec![0.0; n],
            dense,
            sparse,
        }
    }

    /// `S` and `C^{1/2}` at `x` with `g` (E3b), and the right-hand side `[-F; 0]`.
    fn prepare(&mut self, x: &[f64], g: &[f64], f: &[f64], bounds: &Bounds) {
        for i in 0..x.len() {
            let (v, c) = if g[i] < 0.0 && bounds.upper[i].is_finite() {
                (bounds.upper[i] - x[i], -g[i])
            } else if g[i] > 0.0 && bounds.lower[i].is_finite() {
                (x[i] - bounds.lower[i], g[i])
            } else {
                (1.0, 0.0)
            };
            self.s[i] = v.max(0.0).sqrt();
            self.c[i] = c.sqrt();
        }
        let m = f.len();
        for (r, v) in self.rhs[..m].iter_mut().zip(f) {
            *r = -v;
        }
        self.rhs[m..].fill(0.0);
    }
}

/// Shift of the sparse normal equations relative to `max_j (J'J)_jj`
/// ([`crate::linalg::least_squares`]).
const NORMAL_EQUATIONS_SHIFT: f64 = 1e-12;

/// The affine-scaling dogleg step solver (module docs).
#[derive(Debug)]
pub struct AffineDogleg {
    options: AffineDoglegOptions,
    n: usize,
    x: Vec<f64>,
    f: Vec<f64>,
    fnorm: f64,
    /// The level `phi` of a merit `phi^2 / 2` other than `||F||^2 / 2` (a robust cost), set
    /// after [`AffineDogleg::prepare`] by [`AffineDogleg::set_merit_level`]; `None` for `||F||`.
    merit_level: Option<f64>,
    g: Vec<f64>,
    /// Members in use: one fixed scaling, or the four candidates of the adaptive choice.
    members: Vec<(ScaleMember, Scaling)>,
    /// Index of the member whose `D g` defines the stationarity measure.
    stationarity_member: usize,
    d: Vec<f64>,
    dg: Vec<f64>,
    jdg: Vec<f64>,
    data: Vec<MemberData>,
    /// `||D g|| / ||F||`.
    stationarity: f64,
    lu: NewtonLu,
    ls: LeastSquaresSolvers,
    newton_ok: bool,
    /// Whether the step of the prepared point came from least squares (E3).
    least_squares_step: bool,
    p_newton: Vec<f64>,
    jp_newton: Vec<f64>,
    pc: Vec<f64>,
    jpc: Vec<f64>,
    p: Vec<f64>,
    jp: Vec<f64>,
}

impl AffineDogleg {
    /// Allocates every buffer for the store's size and the LU matching its matrix (dense, or
    /// sparse with the symbolic analysis of its pattern done here, once; a failed analysis
    /// leaves the LU unavailable for every point, the least-squares and Cauchy steps still
    /// work), and the least-squares solvers of (E3): the dense QR for a dense store, the sparse
    /// normal equations for a rectangular sparse store, LSMR's vectors for
    /// [`LinearSolver::Lsmr`].
    pub fn new<J: JacobianStore + ?Sized>(options: AffineDoglegOptions, store: &J) -> Self {
        let (m, n) = (store.nrows(), store.ncols());
        let direct = options.linear_solver == LinearSolver::Direct;
        let lu = match store.matrix() {
            _ if m != n || !direct => NewtonLu::None,
            JacobianRef::Dense(_) => NewtonLu::Dense(DenseLu::new(n), 0),
            JacobianRef::Sparse(a) => {
                let mut lu = Box::new(SparseLu::new());
                let _ = lu.analyze(a.symbolic());
                NewtonLu::Sparse(lu)
            }
        };
        let mut ls = LeastSquaresSolvers::default();
        if m > n {
            // (E3b) the augmented step.
            let aug = Augmented::new(m, n, store.matrix(), direct);
            if !direct {
                ls.lsmr = Some(Lsmr::new(m + n, n));
            } else if aug.dense.is_some() {
                ls.dense = Some(DenseLeastSquares::new(m + n, n));
            } else if let Some((pattern, _)) = aug.sparse.as_ref() {
                ls.sparse = SparseNormalEquations::new(pattern.as_ref(), NORMAL_EQUATIONS_SHIFT).ok().map(Box::new);
                ls.sparse_failed = ls.sparse.is_none();
            }
            ls.augmented = Some(aug);
        } else {
            Self::plain_solvers(&mut ls, store.matrix(), m, n, direct);
        }
        let (members, stationarity_member) = match options.scaling {
            Scaling::Adaptive => (Scaling::adaptive_candidates().to_vec(), 3),
            s => (vec![(s.member(), s)], 0),
        };
        let k = members.len();
        Self {
            options,
            n,
            x: vec![0.0; n],
            f: vec![0.0; m],
            fnorm: 0.0,
            merit_level: None,
            g: vec![0.0; n],
            members,
            stationarity_member,
            d: vec![0.0; k * n],
            dg: vec![0.0; k * n],
            jdg: vec![0.0; k * m],
            data: vec![MemberData::default(); k],
            stationarity: 0.0,
            lu,
            ls,
            newton_ok: false,
            least_squares_step: false,
            p_newton: vec![0.0; n],
            jp_newton: vec![0.0; m],
            pc: vec![0.0; n],
            jpc: vec![0.0; m],
            p: vec![0.0; n],
            jp: vec![0.0; m],
        }
    }

    /// The options.
    pub fn options(&self) -> &AffineDoglegOptions {
        &self.options
    }

    /// The least-squares solvers of the plain Gauss-Newton step (E3) for `m <= n`.
    fn plain_solvers(ls: &mut LeastSquaresSolvers, matrix: JacobianRef<'_>, m: usize, n: usize, direct: bool) {
        match matrix {
            _ if !direct => ls.lsmr = Some(Lsmr::new(m, n)),
            JacobianRef::Dense(_) => ls.dense = Some(DenseLeastSquares::new(m, n)),
            JacobianRef::Sparse(a) if m != n => {
                ls.sparse = SparseNormalEquations::new(a.symbolic(), NORMAL_EQUATIONS_SHIFT).ok().map(Box::new);
                ls.sparse_failed = ls.sparse.is_none();
            }
            JacobianRef::Sparse(_) => {}
        }
    }

    /// Everything that depends only on the point `x` (strictly inside `bounds`) with
    /// `f = F(x)` and `J(x)` in `store`: `g = J'F`, the scale vectors and their Cauchy data
    /// (E2), the stationarity measure, and the Newton step (E3, E5, E7).
    pub fn prepare<J: JacobianStore + ?Sized>(&mut self, store: &J, bounds: &Bounds, x: &[f64], f: &[f64]) {
        let n = self.n;
        let m = self.f.len();
        let opts = self.options;
        self.x.copy_from_slice(x);
        self.f.copy_from_slice(f);
        self.fnorm = norm(&self.f);
        self.merit_level = None;
        store.apply_transpose(&self.f, &mut self.g);
        for k in 0..self.members.len() {
            let range = k * n..(k + 1) * n;
            let range_m = k * m..(k + 1) * m;
            let scaling = self.members[k].1;
            scaling.scale(&self.x, &self.g, bounds, &mut self.d[range.clone()]);
            let (d, dg) = (&self.d[range.clone()], &mut self.dg[range.clone()]);
            for i in 0..n {
                dg[i] = d[i] * self.g[i];
            }
            store.apply(&self.dg[range.clone()], &mut self.jdg[range_m.clone()]);
            let dg = &self.dg[range];
            let jdg = &self.jdg[range_m];
            let x = &self.x;
            // Largest a with x - a D g in the box.
            let mut box_step = f64::INFINITY;
            for i in 0..n {
                let v = -dg[i];
                if v > 0.0 && bounds.upper[i].is_finite() {
                    box_step = box_step.min((bounds.upper[i] - x[i]) / v);
                } else if v < 0.0 && bounds.lower[i].is_finite() {
                    box_step = box_step.min((bounds.lower[i] - x[i]) / v);
                }
            }
            let (sdg, dg_norm, jdg2) = (dot(&self.g, dg), norm(dg), dot(jdg, jdg));
            self.data[k] = if sdg.is_finite() && jdg2.is_finite() {
                MemberData { sdg, dg_norm, jdg2, box_step, sigma: 1.0, dg_norm_unscaled: dg_norm }
            } else {
                // Scale D g by a power of two (exact) so that g'v and ||Jv||^2 stay finite.
                let big = dg.iter().chain(jdg).fold(0.0f64, |a, v| a.max(v.abs()));
                let sigma = if big > 0.0 && big.is_finite() { 2f64.powi(-(big.log2().ceil() as i32)) } else { 1.0 };
                let (mut sdg, mut v2, mut jv2) = (0.0, 0.0, 0.0);
                for i in 0..n {
                    sdg += self.g[i] * (sigma * dg[i]);
                    v2 += (sigma * dg[i]) * (sigma * dg[i]);
                }
                for v in jdg {
                    jv2 += (sigma * v) * (sigma * v);
                }
                MemberData {
                    sdg,
                    dg_norm: v2.sqrt(),
                    jdg2: jv2,
                    box_step: box_step / sigma,
                    sigma,
                    dg_norm_unscaled: dg_norm,
                }
            };
        }
        let s = self.stationarity_member;
        // ||J||_F makes the measure invariant to the scale of F (J'F scales with its square).
        let jnorm = match store.matrix() {
            JacobianRef::Dense(a) => a.norm_l2(),
            JacobianRef::Sparse(a) => norm(a.val()),
        };
        let dg_norm = self.data[s].dg_norm_unscaled;
        self.stationarity = if dg_norm == 0.0 { 0.0 } else { dg_norm / (self.fnorm * jnorm) };

        // (E3) Newton step J s_N = -F (square, LU).
        if m == n {
            for i in 0..n {
                self.p_newton[i] = -self.f[i];
            }
        }
        self.newton_ok = match (&mut self.lu, store.matrix()) {
            (NewtonLu::Dense(lu, factorizations), JacobianRef::Dense(a)) => {
                *factorizations += 1;
                lu.factorize(a).is_ok() && lu.solve_in_place(&mut self.p_newton).is_ok()
            }
            (NewtonLu::Sparse(lu), JacobianRef::Sparse(a)) => {
                lu.factorize(a).is_ok() && lu.solve_in_place(&mut self.p_newton).is_ok()
            }
            _ => false,
        };
        // (E3) otherwise the Gauss-Newton step argmin ||F + J s|| (rectangular or singular J,
        // or LSMR). `jp_newton` (length m) holds -F as the right-hand side.
        self.least_squares_step = false;
        if !self.newton_ok {
            for i in 0..m {
                self.jp_newton[i] = -self.f[i];
            }
            self.newton_ok = match self.ls.augmented.as_mut() {
                Some(aug) => {
                    aug.prepare(&self.x, &self.g, &self.f, bounds);
                    self.augmented_least_squares(store)
                }
                None => self.least_squares(store),
            };
            self.least_squares_step = self.newton_ok;
        }
        if self.newton_ok {
            let s_norm = norm(&self.p_newton);
            match opts.rule {
                StepRule::Dogleg => {
                    // (E5) stepped back only when x + s_N is not strictly inside.
                    let alpha = max_step(|i| self.x[i], &self.p_newton, bounds, m > n);
                    let factor = step_back_factor(alpha, s_norm, opts.theta);
                    if factor != 1.0 {
                        self.p_newton.iter_mut().for_each(|v| *v *= factor);
                    }
                }
                StepRule::ConstrainedDogleg => {
                    // (E7) projected onto the box, then stepped back.
                    let factor = opts.theta.max(1.0 - s_norm);
                    for i in 0..n {
                        let target = (self.x[i] + self.p_newton[i]).clamp(bounds.lower[i], bounds.upper[i]);
                        self.p_newton[i] = factor * (target - self.x[i]);
                    }
                }
            }
            store.apply(&self.p_newton, &mut self.jp_newton);
            self.newton_ok = all_finite(&self.p_newton) && all_finite(&self.jp_newton);
        }
    }

    /// (E3) The Gauss-Newton step into `p_newton` with `jp_newton = -F`; whether it is usable
    /// (finite and nonzero).
    fn least_squares<J: JacobianStore + ?Sized>(&mut self, store: &J) -> bool {
        let (m, n) = (self.jp_newton.len(), self.n);
        let ls = &mut self.ls;
        let (rhs, p) = (&self.jp_newton, &mut self.p_newton);
        let ok = if let Some(lsmr) = ls.lsmr.as_mut() {
            ls.solves += 1;
            let cap = match self.options.lsmr_max_iterations {
                0 => 2 * m.min(n) + 20,
                k => k,
            };
            let info = lsmr.solve(
                |v, out| store.apply(v, out),
                |u, out| store.apply_transpose(u, out),
                rhs,
                p,
                self.options.lsmr_tolerance,
                cap,
            );
            !matches!(info.stop, LsmrStop::NonFinite | LsmrStop::ZeroSolution)
        } else {
            match store.matrix() {
                JacobianRef::Dense(a) => match ls.dense.as_mut() {
                    Some(qr) => {
                        ls.solves += 1;
                        qr.factorize(a).is_ok() && qr.solve(rhs, p).is_ok()
                    }
                    None => false,
                },
                JacobianRef::Sparse(a) => {
                    if ls.sparse.is_none() && !ls.sparse_failed {
                        // A square J found singular: the analysis once, here.
                        ls.sparse = SparseNormalEquations::new(a.symbolic(), NORMAL_EQUATIONS_SHIFT).ok().map(Box::new);
                        ls.sparse_failed = ls.sparse.is_none();
                    }
                    match ls.sparse.as_mut() {
                        Some(ne) => {
                            ls.solves += 1;
                            ne.factorize(a).is_ok() && ne.solve(a, rhs, p).is_ok()
                        }
                        None => false,
                    }
                }
            }
        };
        ok && all_finite(p) && p.iter().any(|v| *v != 0.0)
    }

    /// (E3b) The augmented Gauss-Newton step `s_N = S q` into `p_newton` (the augmentation's
    /// `S`, `C` and right-hand side prepared); whether it is usable (finite and nonzero).
    fn augmented_least_squares<J: JacobianStore + ?Sized>(&mut self, store: &J) -> bool {
        let n = self.n;
        let m = self.f.len();
        let ls = &mut self.ls;
        let Some(aug) = ls.augmented.as_mut() else { return false };
        let Augmented { s, c, rhs, q, t1, t2, dense, sparse } = aug;
        let ok = if let Some(lsmr) = ls.lsmr.as_mut() {
            ls.solves += 1;
            let cap = match self.options.lsmr_max_iterations {
                0 => 2 * n + 20,
                k => k,
            };
            // [J S; C^{1/2}] w and its transpose [S J', C^{1/2}] u.
            let info = lsmr.solve(
                |w, out| {
                    for i in 0..n {
                        t1[i] = s[i] * w[i];
                    }
                    store.apply(t1, &mut out[..m]);
                    for i in 0..n {
                        out[m + i] = c[i] * w[i];
                    }
                },
                |u, out| {
                    store.apply_transpose(&u[..m], t2);
                    for i in 0..n {
                        out[i] = s[i] * t2[i] + c[i] * u[m + i];
                    }
                },
                rhs,
                q,
                self.options.lsmr_tolerance,
                cap,
            );
            !matches!(info.stop, LsmrStop::NonFinite | LsmrStop::ZeroSolution)
        } else {
            match (store.matrix(), dense.as_mut(), sparse.as_mut()) {
                (JacobianRef::Dense(a), Some(mat), _) => match ls.dense.as_mut() {
                    Some(qr) => {
                        ls.solves += 1;
                        for j in 0..n {
                            for i in 0..m {
                                mat[(i, j)] = a[(i, j)] * s[j];
                            }
                            mat[(m + j, j)] = c[j];
                        }
                        qr.factorize(mat.as_ref()).is_ok() && qr.solve(rhs, q).is_ok()
                    }
                    None => false,
                },
                (JacobianRef::Sparse(a), _, Some((pattern, values))) => match ls.sparse.as_mut() {
                    Some(ne) => {
                        ls.solves += 1;
                        let (cp, av) = (a.symbolic().col_ptr(), a.val());
                        let mut k = 0;
                        for j in 0..n {
                            for &v in &av[cp[j]..cp[j + 1]] {
                                values[k] = v * s[j];
                                k += 1;
                            }
                            values[k] = c[j];
                            k += 1;
                        }
                        let aug = faer::sparse::SparseColMatRef::new(pattern.as_ref(), values);
                        ne.factorize(aug).is_ok() && ne.solve(aug, rhs, q).is_ok()
                    }
                    None => false,
                },
                _ => false,
            }
        };
        for i in 0..n {
            self.p_newton[i] = s[i] * q[i];
        }
        ok && all_finite(&self.p_newton) && self.p_newton.iter().any(|v| *v != 0.0)
    }

    /// After [`AffineDogleg::prepare`] with corrected residuals `r~` and Jacobian `J~` of a
    /// robust loss (whose Gauss-Newton model `||r~ + J~ p||^2 / 2` differs from the cost
    /// `phi^2 / 2` by a constant): the level `phi = sqrt(2 cost)`. The constrained dogleg rule's
    /// predicted reduction of `phi` is then `phi - sqrt(phi^2 - 2 pred_2)` with `pred_2` the
    /// model's reduction (E4); the dogleg rule's `pred_2` needs no change. The stationarity
    /// measure becomes `||D g|| / (phi ||J||_F)` with the norm `jacobian_norm` of the
    /// uncorrected `J`: normalized by `||r~|| ||J~||_F` it would depend on the correction
    /// (SciPy's weights make `||r~||` huge where the curvature weight is floored at eps, and the
    /// test would fire far from the minimizer).
    pub fn set_merit_level(&mut self, level: f64, jacobian_norm: f64) {
        self.merit_level = Some(level);
        let dg_norm = self.data[self.stationarity_member].dg_norm_unscaled;
        self.stationarity = if dg_norm == 0.0 { 0.0 } else { dg_norm / (level * jacobian_norm) };
    }

    /// `||v||_T` in the region's norm of the scaling that defines the stationarity measure (the
    /// fixed scaling, or the equal-weight combination for the adaptive one) at the prepared
    /// point.
    pub fn region_norm(&self, v: &[f64]) -> f64 {
        self.tr_norm(self.stationarity_member, v)
    }

    /// The trial step for `radius` at the prepared point (E2, E4-E8), written into
    /// [`AffineDogleg::step`].
    pub fn solve(&mut self, bounds: &Bounds, radius: f64) -> AffineStep {
        let n = self.n;
        let opts = self.options;
        // The member: fixed, or the largest truncated-Cauchy decrease (adaptive).
        let mut k = 0;
        let (mut c, mut cut, mut pred_c2) = self.cauchy(0, radius);
        for j in 1..self.members.len() {
            let (cj, cutj, predj) = self.cauchy(j, radius);
            if predj > pred_c2 {
                (k, c, cut, pred_c2) = (j, cj, cutj, predj);
            }
        }
        let member = self.members[k].0;
        {
            let m = self.jpc.len();
            let dg = &self.dg[k * n..(k + 1) * n];
            let jdg = &self.jdg[k * m..(k + 1) * m];
            for i in 0..n {
                self.pc[i] = -c * dg[i];
            }
            for i in 0..m {
                self.jpc[i] = -c * jdg[i];
            }
        }
        let mut safeguard = false;
        let kind = match opts.rule {
            StepRule::Dogleg => {
                let newton_norm = if self.newton_ok { self.tr_norm(k, &self.p_newton) } else { f64::INFINITY };
                if self.newton_ok && newton_norm <= radius {
                    self.p.copy_from_slice(&self.p_newton);
                    self.jp.copy_from_slice(&self.jp_newton);
                    StepKind::Newton
                } else if !self.newton_ok || cut {
                    self.p.copy_from_slice(&self.pc);
                    self.jp.copy_from_slice(&self.jpc);
                    StepKind::Cauchy
                } else {
                    // (E5) the dogleg point on the region's boundary.
                    let (aa, ab, bb) = self.metric3(k, &self.pc, &self.p_newton);
                    let t = boundary_root(aa, ab, bb, radius).clamp(0.0, 1.0);
                    for i in 0..n {
                        self.p[i] = self.pc[i] + t * (self.p_newton[i] - self.pc[i]);
                    }
                    for i in 0..self.jp.len() {
                        self.jp[i] = self.jpc[i] + t * (self.jp_newton[i] - self.jpc[i]);
                    }
                    StepKind::Dogleg
                }
            }
            StepRule::ConstrainedDogleg => {
                if !self.newton_ok {
                    self.p.copy_from_slice(&self.pc);
                    self.jp.copy_from_slice(&self.jpc);
                    StepKind::Cauchy
                } else {
                    let gamma = self.line_minimizer(k, bounds, radius);
                    for i in 0..n {
                        self.p[i] = self.pc[i] + gamma * (self.p_newton[i] - self.pc[i]);
                    }
                    for i in 0..self.jp.len() {
                        self.jp[i] = self.jpc[i] + gamma * (self.jp_newton[i] - self.jpc[i]);
                    }
                    if gamma == 1.0 {
                        StepKind::Newton
                    } else if gamma == 0.0 {
                        StepKind::Cauchy
                    } else {
                        StepKind::ConstrainedDogleg
                    }
                }
            }
        };
        let mut pred = self.predicted(&self.jp);
        if opts.rule == StepRule::Dogleg && kind != StepKind::Cauchy {
            // (E6) Cauchy-ratio safeguard.
            if !(pred >= opts.cauchy_fraction * pred_c2) {
                self.p.copy_from_slice(&self.pc);
                self.jp.copy_from_slice(&self.jpc);
                pred = pred_c2;
                safeguard = true;
            }
        }
        let step_norm = self.tr_norm(k, &self.p);
        AffineStep {
            step_norm,
            predicted_reduction: pred,
            kind,
            safeguard,
            member,
            newton_available: self.newton_ok,
            least_squares: self.least_squares_step,
        }
    }

    /// The step of the last [`AffineDogleg::solve`].
    pub fn step(&self) -> &[f64] {
        &self.p
    }

    /// `g = J'F` at the prepared point (zero before the first [`AffineDogleg::prepare`]).
    pub fn gradient(&self) -> &[f64] {
        &self.g
    }

    /// `||D g||_2 / (||F||_2 ||J||_F)` at the prepared point, `D` of the fixed scaling or, for
    /// the adaptive one, of the equal-weight combination (0 before the first prepare). With
    /// `g = J'F` and `|J'F| <= ||J|| ||F||` this is the scaled gradient relative to its
    /// natural size, unchanged when `F` is multiplied by a constant.
    pub fn stationarity(&self) -> f64 {
        self.stationarity
    }

    /// Whether the Newton step is available at the prepared point (E3).
    pub fn newton_available(&self) -> bool {
        self.newton_ok
    }

    /// Numeric factorizations so far: LU (dense: every attempt; sparse: those of a finite
    /// `J`), plus the least-squares solves of (E3) (QR, normal equations or LSMR runs).
    pub fn factorizations(&self) -> usize {
        let lu = match &self.lu {
            NewtonLu::Dense(_, count) => *count,
            NewtonLu::Sparse(lu) => lu.factorizations(),
            NewtonLu::None => 0,
        };
        lu + self.ls.solves
    }

    /// Symbolic analyses of the sparse LU and of the sparse normal equations (0 for a dense
    /// store).
    pub fn symbolic_analyses(&self) -> usize {
        let lu = match &self.lu {
            NewtonLu::Sparse(lu) => lu.symbolic_analyses(),
            _ => 0,
        };
        lu + self.ls.sparse.as_ref().map_or(0, |s| s.symbolic_analyses())
    }

    /// (E8) the line parameter `gamma` of the constrained dogleg with member `k`:
    /// `gamma* = -(F + J p_c)'w / ||w||^2`, `w = J (p_N - p_c)`, clipped to the region and,
    /// outside `[0, 1]`, to `theta` times the largest step in the box. Uses `self.p` as
    /// scratch.
    fn line_minimizer(&mut self, k: usize, bounds: &Bounds, radius: f64) -> f64 {
        let n = self.n;
        let theta = self.options.theta;
        let (mut rw, mut ww, mut ff, mut r0r0) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..self.jp.len() {
            let w = self.jp_newton[i] - self.jpc[i];
            let r0 = self.f[i] + self.jpc[i];
            rw += r0 * w;
            ww += w * w;
            ff += self.f[i] * self.f[i];
            r0r0 += r0 * r0;
        }
        if !(ww > 0.0 && rw.is_finite()) {
            return 0.0;
        }
        let mut gamma_star = -rw / ww;
        if self.least_squares_step && gamma_star < 1.0 {
            // ||F||^2 - ||F + J p(gamma)||^2: prefer the least-squares end when it is as good.
            let reduction = |g: f64| (ff - r0r0) - g * (2.0 * rw + g * ww);
            if reduction(1.0) >= (1.0 - NEAR_MINIMUM) * reduction(gamma_star) {
                gamma_star = 1.0;
            }
        }
        let pins = self.f.len() > n;
        let (aa, ab, bb) = self.metric3(k, &self.pc, &self.p_newton);
        // seg = p_N - p_c; the line from y = x + p_c.
        let pc = &self.pc;
        let x = &self.x;
        let y = |i: usize| x[i] + pc[i];
        if gamma_star > 0.0 {
            let mut g = gamma_star.min(boundary_root(aa, ab, bb, radius));
            if g > 1.0 {
                for i in 0..n {
                    self.p[i] = self.p_newton[i] - self.pc[i];
                }
                g = g.min(theta * max_step(y, &self.p, bounds, pins));
            }
            g
        } else {
            let mut g = gamma_star.max(-boundary_root(aa, -ab, bb, radius));
            if g < 0.0 {
                for i in 0..n {
                    self.p[i] = self.pc[i] - self.p_newton[i];
                }
                g = g.max(-theta * max_step(y, &self.p, bounds, pins));
            }
            g
        }
    }

    /// `(||a||_T^2, <a, b>_T, ||b||_T^2)` in the region's metric for member `k`, with
    /// `b = bm - a`.
    fn metric3(&self, k: usize, a: &[f64], bm: &[f64]) -> (f64, f64, f64) {
        let d = &self.d[k * self.n..(k + 1) * self.n];
        let (mut aa, mut ab, mut bb) = (0.0, 0.0, 0.0);
        for i in 0..self.n {
            let w = match self.options.region {
                Region::Elliptical => 1.0 / d[i].max(f64::MIN_POSITIVE),
                Region::Spherical => 1.0,
            };
            let b = bm[i] - a[i];
            aa += w * a[i] * a[i];
            ab += w * a[i] * b;
            bb += w * b * b;
        }
        (aa, ab, bb)
    }

    /// `||p||_T` for member `k`.
    fn tr_norm(&self, k: usize, p: &[f64]) -> f64 {
        match self.options.region {
            Region::Spherical => norm(p),
            Region::Elliptical => {
                let d = &self.d[k * self.n..(k + 1) * self.n];
                let mut s = 0.0;
                for i in 0..self.n {
                    s += p[i] * p[i] / d[i].max(f64::MIN_POSITIVE);
                }
                s.sqrt()
            }
        }
    }

    /// (E2) the coefficient `c` of the truncated generalized Cauchy step `p_c = -c D g` of
    /// member `k`, whether the region cut it, and its predicted reduction `pred_2` (E4).
    fn cauchy(&self, k: usize, radius: f64) -> (f64, bool, f64) {
        let m = self.data[k];
        if !(m.sdg > 0.0) || !(m.dg_norm > 0.0) {
            return (0.0, false, 0.0);
        }
        // The scalars are those of v = sigma D g (sigma = 1 unless they would overflow).
        let v_norm = match self.options.region {
            Region::Elliptical => (m.sigma * m.sdg).sqrt(), // ||D^{-1/2} D g|| = ||D^{1/2} g||
            Region::Spherical => m.dg_norm,
        };
        let tau_star = if m.jdg2 > 0.0 { m.sdg / m.jdg2 } else { f64::INFINITY };
        let tau_region = radius / v_norm;
        let (tau, cut) = if tau_region <= tau_star { (tau_region, true) } else { (tau_star, false) };
        // Box step-back of tau v (E2).
        let factor = step_back_factor(m.box_step / tau, tau * m.dg_norm, self.options.theta);
        let c = tau * factor;
        // pred_2(c v) = c (g'Dg - c ||JDg||^2 / 2) (E4), no cancellation as c <= tau*.
        let pred = c * (m.sdg - 0.5 * c * m.jdg2);
        (c * m.sigma, cut, pred)
    }

    /// The rule's predicted reduction of a step with `J p = jp` (E4).
    fn predicted(&self, jp: &[f64]) -> f64 {
        let mut pred2 = 0.0;
        for i in 0..jp.len() {
            pred2 -= jp[i] * (self.f[i] + 0.5 * jp[i]);
        }
        match self.options.rule {
            StepRule::Dogleg => pred2,
            StepRule::ConstrainedDogleg => {
                if let Some(phi) = self.merit_level {
                    // phi - sqrt(phi^2 - 2 pred_2) without cancellation.
                    return 2.0 * pred2 / (phi + (phi * phi - 2.0 * pred2).max(0.0).sqrt());
                }
                let mut r2 = 0.0;
                for i in 0..jp.len() {
                    let r = self.f[i] + jp[i];
                    r2 += r * r;
                }
                2.0 * pred2 / (self.fnorm + r2.sqrt())
            }
        }
    }
}

/// The constrained dogleg takes the least-squares end of its line when that predicts at least
/// `1 - NEAR_MINIMUM` of the line minimum's reduction (E8).
const NEAR_MINIMUM: f64 = 1e-6;

/// Largest `a >= 0` with `y + a p` in the closed box (`inf` when no bound is ever reached).
///
/// With `pins` (least squares with `m > n`), a component pinned at its bound by rounding
/// (within 4 ulps of it, with a step of at most 4 ulps) does not limit the step: the loop keeps
/// such a component where it is when the trial point rounds onto the bound, and without the
/// exception a point one ulp from a bound would block every step along a direction that
/// touches it (the constrained dogleg's line collapses to the Cauchy step, and the fit creeps).
/// Square systems keep the strict rule: there the stall it causes is what detects a
/// stationary point that is not a root.
fn max_step(y: impl Fn(usize) -> f64, p: &[f64], bounds: &Bounds, pins: bool) -> f64 {
    let pinned = |bound: f64, pi: f64| {
        let ulps = 4.0 * f64::EPSILON * bound.abs().max(f64::MIN_POSITIVE);
        pi.abs() <= ulps
    };
    let mut a = f64::INFINITY;
    for (i, &pi) in p.iter().enumerate() {
        if pi > 0.0 && bounds.upper[i].is_finite() {
            let gap = bounds.upper[i] - y(i);
            if !(pins && gap <= 4.0 * f64::EPSILON * bounds.upper[i].abs() && pinned(bounds.upper[i], pi)) {
                a = a.min(gap / pi);
            }
        } else if pi < 0.0 && bounds.lower[i].is_finite() {
            let gap = bounds.lower[i] - y(i);
            if !(pins && -gap <= 4.0 * f64::EPSILON * bounds.lower[i].abs() && pinned(bounds.lower[i], pi)) {
                a = a.min(gap / pi);
            }
        }
    }
    a.max(0.0)
}

/// The factor of the step-back of (E2)/(E5): `max(theta, 1 - ||p||) alpha` when `alpha <= 1`.
fn step_back_factor(alpha: f64, pnorm: f64, theta: f64) -> f64 {
    if alpha <= 1.0 {
        theta.max(1.0 - pnorm) * alpha
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::jacobian::{DenseStore, SparseStore};
    use crate::problem::{DenseJacobian, Residuals, SparseJacobian};
    use faer::sparse::{Pair, SymbolicSparseColMat};
    use faer::MatMut;

    #[test]
    fn step_back_and_max_step() {
        let b = Bounds::new(vec![0.0, 0.0], vec![1.0, f64::INFINITY]).unwrap();
        let x = [0.5, 0.5];
        assert_eq!(max_step(|i| x[i], &[1.0, 0.0], &b, false), 0.5);
        assert_eq!(max_step(|i| x[i], &[0.0, 1.0], &b, false), f64::INFINITY);
        assert_eq!(max_step(|i| x[i], &[0.0, -0.25], &b, false), 2.0);
        assert_eq!(step_back_factor(2.0, 1.0, 0.99995), 1.0);
        assert_eq!(step_back_factor(0.5, 1.0, 0.99995), 0.99995 * 0.5);
        assert_eq!(step_back_factor(0.5, 1e-6, 0.99995), (1.0 - 1e-6) * 0.5);
    }

    /// `F(x) = (x0^2 - 2, x0 x1 - 1)` in `[0, 2]^2`.
    struct Sys;

    impl Residuals for Sys {
        fn dim(&self) -> usize {
            2
        }
        fn residual_count(&self) -> usize {
            2
        }
        fn residuals(&self, x: &[f64], r: &mut [f64]) {
            r[0] = x[0] * x[0] - 2.0;
            r[1] = x[0] * x[1] - 1.0;
        }
    }

    impl DenseJacobian for Sys {
        fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
            j[(0, 0)] = 2.0 * x[0];
            j[(0, 1)] = 0.0;
            j[(1, 0)] = x[1];
            j[(1, 1)] = x[0];
        }
    }

    impl SparseJacobian for Sys {
        fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
            SymbolicSparseColMat::try_new_from_indices(2, 2, &[Pair::new(0, 0), Pair::new(1, 0), Pair::new(1, 1)])
                .unwrap()
                .0
        }
        fn jacobian_values(&self, x: &[f64], v: &mut [f64]) {
            v.copy_from_slice(&[2.0 * x[0], x[1], x[0]]);
        }
    }

    /// Every step stays strictly inside, within the region, and predicts at least the
    /// safeguard's share of the Cauchy decrease; dense and sparse stores give the same steps.
    #[test]
    fn steps_are_inside_within_the_region_and_agree_dense_sparse() {
        let b = Bounds::new(vec![0.0, 0.0], vec![2.0, 2.0]).unwrap();
        let x = [0.5, 0.5];
        let mut f = [0.0; 2];
        Sys.residuals(&x, &mut f);
        for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
            for scaling in [Scaling::ColemanLi, Scaling::default(), Scaling::Adaptive] {
                for region in [Region::Elliptical, Region::Spherical] {
                    let opts = AffineDoglegOptions { rule, region, scaling, ..AffineDoglegOptions::default() };
                    let mut dense = DenseStore::user(&Sys);
                    let mut sparse = SparseStore::user(&Sys).unwrap();
                    assert!(dense.evaluate(&x, &f).finite && sparse.evaluate(&x, &f).finite);
                    let mut sd = AffineDogleg::new(opts, &dense);
                    let mut ss = AffineDogleg::new(opts, &sparse);
                    sd.prepare(&dense, &b, &x, &f);
                    ss.prepare(&sparse, &b, &x, &f);
                    assert!(sd.newton_available() && ss.newton_available());
                    assert_eq!(sd.gradient(), ss.gradient());
                    for radius in [1e-3, 0.1, 1.0, 10.0] {
                        let a = sd.solve(&b, radius);
                        let c = ss.solve(&b, radius);
                        assert_eq!(a.kind, c.kind);
                        for (u, v) in sd.step().iter().zip(ss.step()) {
                            assert!((u - v).abs() <= 1e-14 * (1.0 + u.abs()));
                        }
                        assert!(a.step_norm <= radius * (1.0 + 1e-12), "{rule:?} {radius}: {a:?}");
                        assert!(a.predicted_reduction > 0.0, "{a:?}");
                        let xt: Vec<f64> = x.iter().zip(sd.step()).map(|(x, p)| x + p).collect();
                        assert!(b.strictly_contains(&xt), "{xt:?}");
                    }
                }
            }
        }
        assert_eq!(
            AffineDogleg::new(AffineDoglegOptions::default(), &SparseStore::user(&Sys).unwrap()).symbolic_analyses(),
            1
        );
    }
}
