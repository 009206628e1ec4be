//! Uncertainty of a least-squares fit at its solution: residual standard deviation,
//! covariance matrix and standard errors of the parameters.
//!
//! # The math
//!
//! Let $r(x) \in \mathbb{R}^m$ be the residuals of a model with $n$ parameters, $\hat x$ the
//! least-squares estimate and $J = \partial r / \partial x$ at $\hat x$. Under the usual
//! assumptions (independent errors of equal variance $\sigma^2$, a model linear enough near
//! $\hat x$), the linearization $r(x) \approx r(\hat x) + J (x - \hat x)$ gives
//!
//! $$ s^2 = \frac{\sum_i r_i(\hat x)^2}{m - n} = \frac{2 f(\hat x)}{m - n}, \qquad
//!    \widehat{\mathrm{Cov}}(\hat x) = s^2 (J^\top J)^{-1}, \qquad
//!    \mathrm{se}(\hat x_j) = \sqrt{\widehat{\mathrm{Cov}}_{jj}}, $$
//!
//! with $m - n$ the degrees of freedom and $s$ the residual standard deviation (Bates & Watts
//! 1988, sec. 2.3.1, eq. 2.32 and sec. 1.1.3; Seber & Wild 1989, sec. 2.1.2; these are the
//! "standard deviations" the NIST StRD nonlinear regression datasets certify).
//!
//! $J^\top J$ is never formed: that would square the condition number. With a
//! column-pivoted QR factorization $J D^{-1} P = Q R$ of the column-equilibrated Jacobian
//! ($D = \mathrm{diag}(\|J_{:,j}\|)$, so that the rank test does not depend on the units of
//! the parameters),
//!
//! $$ (J^\top J)^{-1} = D^{-1} P \, R^{-1} R^{-\top} P^\top D^{-1}. $$
//!
//! The numerical rank is the number of diagonal entries of $R$ with
//! $|R_{kk}| > \tau |R_{00}|$ (default $\tau = \max(m, n)\,\varepsilon$). A rank-deficient
//! Jacobian is an error ([`UncertaintyError::RankDeficient`] with the rank found), never a
//! silent pseudo-inverse: some combination of parameters is not determined by the data, and
//! a finite "standard error" for it would be meaningless.
//!
//! # Parameters at bounds
//!
//! A parameter fixed at an active bound is not estimated: its column of $J$ is dropped, the
//! covariance is computed for the free parameters only, the degrees of freedom are
//! $m - n_{\text{free}}$, and the parameter is reported as active (its standard error is
//! `None`, its row and column of the covariance are zero). The linearization behind the
//! formula ignores the bound, so the free parameters' errors are themselves only indicative
//! near an active bound.
//!
//! # Sparse Jacobians
//!
//! [`estimate_sparse`] (or [`SparseUncertainty::new`], [`SparseUncertainty::at`] for a
//! [`SparseJacobian`](crate::problem::SparseJacobian) problem) takes the Jacobian as a faer
//! `SparseColMatRef`. A column-pivoted QR would destroy sparsity, so the equilibrated free
//! columns are factorized as $A P = Q R$ with $A = J_F D^{-1}$ and $P$ a fill-reducing column
//! ordering (COLAMD), by faer's supernodal sparse Householder QR; $Q$ is discarded and
//! $J^\top J$ is never formed (the conditioning is that of $J$, not its square). Then
//!
//! $$ (J_F^\top J_F)^{-1} = D^{-1} P \, (R^\top R)^{-1} P^\top D^{-1}, $$
//!
//! and the entries of $Z = (R^\top R)^{-1}$ on the sparsity pattern of $R$ (its diagonal
//! included, so every standard error) come from the Golub-Plemmons recurrence, processed from
//! the last column backwards: with $S_j$ the rows $i > j$ where $r_{ji} \ne 0$,
//!
//! $$ z_{kj} = -\frac{1}{r_{jj}} \sum_{i \in S_j} z_{ki} r_{ji} \ (k \in S_j), \qquad
//!    z_{jj} = \frac{1}{r_{jj}} \Big( \frac{1}{r_{jj}} - \sum_{i \in S_j} r_{ji} z_{ij} \Big), $$
//!
//! at about the cost of the factorization itself (Golub & Plemmons 1980; Bjorck 1996, sec. 2.7
//! for the covariance from $R$ and sec. 6.7 for the sparse case). A covariance entry off the
//! pattern of $R$ costs two sparse triangular solves ([`SparseUncertainty::covariance`],
//! [`SparseUncertainty::covariance_entries`]); the full dense covariance is built only on
//! request and for $n \le$ [`SparseUncertainty::MAX_DENSE_DIM`]
//! ([`SparseUncertainty::covariance_matrix`], [`SparseUncertainty::to_dense`]). The cost and
//! memory are those of the sparse QR: modest for banded or grid-like Jacobians, prohibitive
//! for Jacobians whose `R` fills in (random sparsity at large $n$ gives a nearly dense $R$).
//!
//! **Rank.** Without column pivoting the diagonal of $R$ does not reveal the rank reliably,
//! so the sparse path applies two tests to the equilibrated $A$ (unit column norms) with the
//! same tolerance $\tau$ as the dense path, and returns
//! [`UncertaintyError::RankDeficient`] if either fails:
//!
//! 1. some $|r_{kk}| \le \tau \max_k |r_{kk}|$;
//! 2. some $z_{kk} \ge \tau^{-2}$ (or a non-finite $z_{kk}$).
//!
//! Since $\sigma_{\min}(R) \le \min_k |r_{kk}|$ and $\sigma_{\max}(R) \ge \max_k |r_{kk}|$
//! (the diagonal of a triangular matrix holds its eigenvalues), and $\sigma_{\max}(A) \ge 1$,
//! $\sigma_{\min}(A)^{-2} = \lambda_{\max}(Z) \ge \max_k z_{kk}$: **either test failing proves
//! $\kappa_2(A) \ge 1/\tau$** (a tiny $r_{kk}$ is sufficient evidence of deficiency). Conversely,
//! when both pass, $\sigma_{\max}(A) \le \|A\|_F = \sqrt{n_{\text{free}}}$ and
//! $\sigma_{\min}(A)^{-2} \le \operatorname{tr} Z < n_{\text{free}} \tau^{-2}$ give
//! **$\kappa_2(A) < n_{\text{free}} / \tau$**. Test 1 alone would not give that bound: a triangular
//! $R$ can have every $|r_{kk}|$ large and still be nearly singular (the Kahan matrix); test 2
//! catches it. Matrices with $1/\tau \le \kappa_2(A) < n_{\text{free}}/\tau$ may pass or fail.
//! These statements hold for the computed $R$, the exact factor of a matrix within a few
//! $\varepsilon \|A\|$ of $A$ (Householder QR is backward stable). The `rank` in the error is
//! only an estimate: the count of $|r_{kk}| > \tau \max_k |r_{kk}|$ (at most
//! $n_{\text{free}} - 1$ when test 2 fails). [`SparseUncertainty::condition_bounds`] returns
//! the two-sided bounds on $\kappa_2(A)$ these quantities give. The dense path's pivoted QR
//! can disagree with these tests only for Jacobians near the threshold.
//!
//! # References
//!
//! 1. D. M. Bates, D. G. Watts, *Nonlinear Regression Analysis and Its Applications*, Wiley
//!    (1988), sec. 2.3.
//! 2. G. A. F. Seber, C. J. Wild, *Nonlinear Regression*, Wiley (1989), sec. 2.1.
//! 3. G. H. Golub, C. F. Van Loan, *Matrix Computations*, 4th ed., Johns Hopkins (2013),
//!    sec. 5.4.2 (QR with column pivoting and rank).
//! 4. A. Bjorck, *Numerical Methods for Least Squares Problems*, SIAM (1996), sec. 2.7 and 6.7.
//! 5. G. H. Golub, R. J. Plemmons, Large-scale geodetic least-squares adjustment by dissection
//!    and orthogonal decomposition, *Linear Algebra Appl.* 34 (1980) 3-28.
//! 6. T. A. Davis, J. R. Gilbert, S. I. Larimore, E. G. Ng, A column approximate minimum
//!    degree ordering algorithm, *ACM Trans. Math. Software* 30 (2004) 353-376 (COLAMD).

use faer::{Mat, MatRef};
use thiserror::Error;

use crate::linalg::pivoted_qr::{PivotedQr, QrInputError};
use crate::problem::DenseJacobian;

mod sparse;
pub use sparse::{estimate_sparse, SparseUncertainty};

/// Why the uncertainty of a fit could not be computed.
#[derive(Clone, Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum UncertaintyError {
    /// A vector or matrix has the wrong size.
    #[error("dimension mismatch: {what} has length {found}, expected {expected}")]
    DimensionMismatch {
        /// Which argument.
        what: &'static str,
        /// The size the Jacobian implies.
        expected: usize,
        /// The size that was passed.
        found: usize,
    },
    /// No degrees of freedom: `m <= n_free` (the residual variance cannot be estimated).
    #[error(
        "no degrees of freedom: {residuals} residuals for {free} free parameters (need more residuals than parameters)"
    )]
    NoDegreesOfFreedom {
        /// Number of residuals `m`.
        residuals: usize,
        /// Number of parameters not at an active bound.
        free: usize,
    },
    /// The Jacobian or the residuals contain NaN or an infinity.
    #[error("non-finite {what} at row {row}, column {col}")]
    NonFinite {
        /// `"jacobian"` or `"residuals"`.
        what: &'static str,
        /// Row (residual index).
        row: usize,
        /// Column (parameter index; 0 for the residuals).
        col: usize,
    },
    /// The Jacobian of the free parameters does not have full column rank.
    #[error("rank-deficient Jacobian: numerical rank {rank} < {free} free parameters (rank tolerance {tolerance:e})")]
    RankDeficient {
        /// Numerical rank: found by the pivoted QR on the dense path ([`estimate`]); on the
        /// sparse path ([`estimate_sparse`]) an estimate, the number of diagonal entries of `R`
        /// above the tolerance (at most `free - 1`; see the [module docs](self#sparse-jacobians)).
        rank: usize,
        /// Number of free parameters (the rank needed).
        free: usize,
        /// The relative tolerance used.
        tolerance: f64,
    },
    /// A parameter index passed to a covariance query is out of range.
    #[error("parameter index {index} out of range for {dim} parameters")]
    IndexOutOfRange {
        /// The index passed.
        index: usize,
        /// Number of parameters `n`.
        dim: usize,
    },
    /// A dense `n x n` covariance matrix was requested for more parameters than
    /// [`SparseUncertainty::MAX_DENSE_DIM`] (query entries with
    /// [`SparseUncertainty::covariance_entries`] instead).
    #[error("a dense covariance of {dim} x {dim} entries was requested; the limit is {max} parameters")]
    TooLarge {
        /// Number of parameters `n`.
        dim: usize,
        /// The limit.
        max: usize,
    },
    /// faer's fill-reducing ordering or symbolic analysis of the sparse QR failed (out of
    /// memory or index overflow).
    #[error("the sparse QR factorization could not be set up (out of memory or index overflow)")]
    Factorization,
    /// An option is out of its admissible range.
    #[error("invalid option {name} = {value}: {reason}")]
    InvalidOption {
        /// Field name.
        name: &'static str,
        /// The offending value.
        value: f64,
        /// The admissible range.
        reason: &'static str,
    },
}

/// Options of [`estimate`] and [`estimate_sparse`].
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct UncertaintyOptions {
    /// Relative rank tolerance $\tau$: the column-equilibrated Jacobian is rank deficient when
    /// some $|R_{kk}| \le \tau |R_{00}|$ in its column-pivoted QR (the sparse path's two tests
    /// are in the [module docs](self#sparse-jacobians)). `None` (the default) uses
    /// $\max(m, n)\,\varepsilon$ (the usual numerical-rank threshold, Golub & Van Loan sec.
    /// 5.4.2). Must be finite and in `[0, 1)` when given.
    pub rank_tolerance: Option<f64>,
}

/// The uncertainty of a least-squares fit (see the [module docs](self) for the formulas).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Uncertainty {
    /// Number of residuals `m`.
    pub residual_count: usize,
    /// Degrees of freedom `m - n_free`.
    pub dof: usize,
    /// Residual sum of squares `sum r_i^2` (twice the least-squares `f`).
    pub rss: f64,
    /// Residual standard deviation `s = sqrt(rss / dof)`.
    pub residual_std: f64,
    /// `active[j]`: parameter `j` was fixed at a bound and not estimated.
    pub active: Vec<bool>,
    /// Covariance `s^2 (J'J)^{-1}` (`n x n`; rows and columns of active parameters are zero).
    pub covariance: Mat<f64>,
    /// Standard errors `sqrt(diag(covariance))`; `None` for active parameters.
    pub std_errors: Vec<Option<f64>>,
}

impl Uncertainty {
    /// [`estimate`] with every parameter free and the default options.
    pub fn new(jacobian: MatRef<'_, f64>, residuals: &[f64]) -> Result<Self, UncertaintyError> {
        estimate(jacobian, residuals, None, &UncertaintyOptions::default())
    }

    /// Evaluates the residuals and the Jacobian of `problem` at `x` and calls [`estimate`].
    pub fn at<P: DenseJacobian + ?Sized>(
        problem: &P,
        x: &[f64],
        active: Option<&[bool]>,
        options: &UncertaintyOptions,
    ) -> Result<Self, UncertaintyError> {
        let (n, m) = (problem.dim(), problem.residual_count());
        if x.len() != n {
            return Err(UncertaintyError::DimensionMismatch { what: "x", expected: n, found: x.len() });
        }
        let mut r = vec![0.0; m];
        problem.residuals(x, &mut r);
        let mut jac = Mat::<f64>::zeros(m, n);
        problem.jacobian(x, jac.as_mut());
        estimate(jac.as_ref(), &r, active, options)
    }

    /// Number of parameters `n` (free and active).
    pub fn dim(&self) -> usize {
        self.active.len()
    }

    /// The correlation matrix `C_ij / sqrt(C_ii C_jj)` of the free parameters (rows and
    /// columns of active parameters are zero; `NaN` where a standard error is zero, as for a
    /// zero-residual fit).
    pub fn correlation(&self) -> Mat<f64> {
        let n = self.dim();
        Mat::from_fn(n, n, |i, j| match (self.std_errors[i], self.std_errors[j]) {
            (Some(a), Some(b)) => self.covariance[(i, j)] / (a * b),
            _ => 0.0,
        })
    }
}

/// The uncertainty of a least-squares fit from the Jacobian `jacobian` (`m x n`) and the
/// residuals `residuals` (length `m`) at the solution.
///
/// `active`, if given (length `n`), marks parameters fixed at an active bound: they are
/// excluded (see the [module docs](self)). Errors: sizes ([`UncertaintyError::DimensionMismatch`]),
/// `m <= n_free` ([`UncertaintyError::NoDegreesOfFreedom`]), NaN or infinite entries
/// ([`UncertaintyError::NonFinite`]), a rank-deficient Jacobian of the free parameters
/// ([`UncertaintyError::RankDeficient`]), a bad tolerance ([`UncertaintyError::InvalidOption`]).
pub fn estimate(
    jacobian: MatRef<'_, f64>,
    residuals: &[f64],
    active: Option<&[bool]>,
    options: &UncertaintyOptions,
) -> Result<Uncertainty, UncertaintyError> {
    let (m, n) = (jacobian.nrows(), jacobian.ncols());
    let (active, tolerance) = check_call(m, n, residuals, active, options)?;
    let free: Vec<usize> = (0..n).filter(|&j| !active[j]).collect();
    let nf = free.len();
    for &j in &free {
        if let Some(row) = (0..m).position(|i| !jacobian[(i, j)].is_finite()) {
            return Err(UncertaintyError::NonFinite { what: "jacobian", row, col: j });
        }
    }
    if m <= nf {
        return Err(UncertaintyError::NoDegreesOfFreedom { residuals: m, free: nf });
    }
    let dof = m - nf;
    let (rss, residual_std) = residual_summary(residuals, dof);

    // Free columns, equilibrated to unit norm: J_F = A D with A's columns of norm 1.
    let mut d = vec![1.0; nf];
    let mut a = Mat::<f64>::zeros(m, nf);
    for (k, &j) in free.iter().enumerate() {
        let col_max = (0..m).fold(0.0f64, |acc, i| acc.max(jacobian[(i, j)].abs()));
        let norm = if col_max == 0.0 {
            0.0
        } else {
            let ss: f64 = (0..m).map(|i| (jacobian[(i, j)] / col_max).powi(2)).sum();
            col_max * ss.sqrt()
        };
        if norm == 0.0 {
            // A zero column: the parameter does not affect the residuals at all.
            return Err(UncertaintyError::RankDeficient {
                rank: rank_without_column(jacobian, &free, k, tolerance),
                free: nf,
                tolerance,
            });
        }
        d[k] = norm;
        for i in 0..m {
            a[(i, k)] = jacobian[(i, j)] / norm;
        }
    }
    let qr = match PivotedQr::factorize(a.as_ref()) {
        Ok(qr) => qr,
        // Unreachable after the checks above (m > nf, every entry finite and the scaling by a
        // positive finite norm keeps it so), but typed rather than a panic.
        Err(QrInputError::Wide) => return Err(UncertaintyError::NoDegreesOfFreedom { residuals: m, free: nf }),
        Err(QrInputError::NonFinite(row, k)) => {
            return Err(UncertaintyError::NonFinite { what: "jacobian", row, col: free[k] })
        }
    };
    let rank = qr.rank(tolerance);
    if rank < nf {
        return Err(UncertaintyError::RankDeficient { rank, free: nf, tolerance });
    }
    let Some(inv) = qr.inverse_gram() else {
        return Err(UncertaintyError::RankDeficient { rank: rank.saturating_sub(1), free: nf, tolerance });
    };
    let s2 = residual_std * residual_std;
    let mut covariance = Mat::<f64>::zeros(n, n);
    for (a_, &ja) in free.iter().enumerate() {
        for (b, &jb) in free.iter().enumerate() {
            // (J_F'J_F)^{-1} = D^{-1} (A'A)^{-1} D^{-1}; divide one factor at a time so that
            // neither a tiny nor a huge column norm overflows the product.
            covariance[(ja, jb)] = (inv[(a_, b)] / d[a_] / d[b]) * s2;
        }
    }
    let std_errors = (0..n).map(|j| if active[j] { None } else { Some(covariance[(j, j)].max(0.0).sqrt()) }).collect();
    Ok(Uncertainty { residual_count: m, dof, rss, residual_std, active, covariance, std_errors })
}

/// The checks shared by the dense and sparse paths, before any work: the sizes of the
/// residuals and of `active`, the tolerance, finite residuals. Returns the active flags and the
/// rank tolerance.
fn check_call(
    m: usize,
    n: usize,
    residuals: &[f64],
    active: Option<&[bool]>,
    options: &UncertaintyOptions,
) -> Result<(Vec<bool>, f64), UncertaintyError> {
    if residuals.len() != m {
        return Err(UncertaintyError::DimensionMismatch { what: "residuals", expected: m, found: residuals.len() });
    }
    let active: Vec<bool> = match active {
        Some(a) if a.len() != n => {
            return Err(UncertaintyError::DimensionMismatch { what: "active", expected: n, found: a.len() })
        }
        Some(a) => a.to_vec(),
        None => vec![false; n],
    };
    if let Some(t) = options.rank_tolerance {
        if !(t.is_finite() && (0.0..1.0).contains(&t)) {
            return Err(UncertaintyError::InvalidOption {
                name: "rank_tolerance",
                value: t,
                reason: "must be finite and in [0, 1)",
            });
        }
    }
    if let Some(row) = residuals.iter().position(|v| !v.is_finite()) {
        return Err(UncertaintyError::NonFinite { what: "residuals", row, col: 0 });
    }
    Ok((active, options.rank_tolerance.unwrap_or(m.max(n) as f64 * f64::EPSILON)))
}

/// `(rss, s)`: `rss = sum r_i^2` and `s = sqrt(rss / dof)`, scaled by the largest residual so
/// that huge residuals do not overflow in the squares.
fn residual_summary(residuals: &[f64], dof: usize) -> (f64, f64) {
    let big = residuals.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    if big == 0.0 {
        return (0.0, 0.0);
    }
    let ss: f64 = residuals.iter().map(|v| (v / big) * (v / big)).sum();
    (big * big * ss, big * (ss / dof as f64).sqrt())
}

/// The numerical rank of the free columns of `jacobian` with the zero column `zero` (an index
/// into `free`) dropped (for the error report: a zero column adds nothing to the rank).
fn rank_without_column(jacobian: MatRef<'_, f64>, free: &[usize], zero: usize, tolerance: f64) -> usize {
    let cols: Vec<usize> = free.iter().enumerate().filter(|&(k, _)| k != zero).map(|(_, &j)| j).collect();
    let m = jacobian.nrows();
    let mut a = Mat::<f64>::zeros(m, cols.len());
    for (k, &j) in cols.iter().enumerate() {
        let norm = (0..m).map(|i| jacobian[(i, j)].powi(2)).sum::<f64>().sqrt();
        let norm = if norm > 0.0 && norm.is_finite() { norm } else { 1.0 };
        for i in 0..m {
            a[(i, k)] = jacobian[(i, j)] / norm;
        }
    }
    PivotedQr::factorize(a.as_ref()).map(|qr| qr.rank(tolerance)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64) / ((1u64 << 53) as f64) - 0.5
    }

    /// Straight line y = a + b t: J = [1, t], the textbook standard errors
    /// se(b) = s / sqrt(Sxx), se(a) = s sqrt(1/m + tbar^2 / Sxx), cov(a, b) = -tbar s^2 / Sxx
    /// (e.g. Seber & Wild sec. 1.1 for the linear model).
    #[test]
    fn straight_line_matches_the_closed_form() {
        let t = [0.5, 1.0, 2.0, 3.5, 4.0, 6.0, 7.5];
        let y = [1.1, 2.3, 2.9, 5.2, 5.8, 8.1, 10.4];
        let m = t.len();
        let tbar = t.iter().sum::<f64>() / m as f64;
        let ybar = y.iter().sum::<f64>() / m as f64;
        let sxx: f64 = t.iter().map(|ti| (ti - tbar).powi(2)).sum();
        let sxy: f64 = t.iter().zip(&y).map(|(ti, yi)| (ti - tbar) * (yi - ybar)).sum();
        let b = sxy / sxx;
        let a = ybar - b * tbar;
        let r: Vec<f64> = t.iter().zip(&y).map(|(ti, yi)| a + b * ti - yi).collect();
        let jac = Mat::<f64>::from_fn(m, 2, |i, j| if j == 0 { 1.0 } else { t[i] });
        let u = Uncertainty::new(jac.as_ref(), &r).unwrap();
        let s2 = r.iter().map(|v| v * v).sum::<f64>() / (m as f64 - 2.0);
        let se_b = (s2 / sxx).sqrt();
        let se_a = (s2 * (1.0 / m as f64 + tbar * tbar / sxx)).sqrt();
        assert_eq!(u.dof, m - 2);
        assert!((u.residual_std - s2.sqrt()).abs() <= 1e-14 * s2.sqrt());
        assert!((u.std_errors[0].unwrap() - se_a).abs() <= 1e-12 * se_a, "{:?} vs {se_a}", u.std_errors);
        assert!((u.std_errors[1].unwrap() - se_b).abs() <= 1e-12 * se_b, "{:?} vs {se_b}", u.std_errors);
        let cov_ab = -tbar * s2 / sxx;
        assert!((u.covariance[(0, 1)] - cov_ab).abs() <= 1e-12 * cov_ab.abs());
        assert_eq!(u.covariance[(0, 1)], u.covariance[(1, 0)]);
        let corr = u.correlation();
        assert!((corr[(0, 0)] - 1.0).abs() < 1e-14 && corr[(0, 1)] < 0.0);
    }

    /// (J'J)^{-1} by Gauss-Jordan elimination on the normal equations (another route; fine
    /// for the well-conditioned random matrices used here).
    fn inverse_by_normal_equations(j: MatRef<'_, f64>) -> Mat<f64> {
        let n = j.ncols();
        let mut g = Mat::<f64>::from_fn(n, 2 * n, |a, b| {
            if b < n {
                (0..j.nrows()).map(|i| j[(i, a)] * j[(i, b)]).sum()
            } else if b - n == a {
                1.0
            } else {
                0.0
            }
        });
        for k in 0..n {
            let p = (k..n).max_by(|&x, &y| g[(x, k)].abs().total_cmp(&g[(y, k)].abs())).unwrap();
            for c in 0..2 * n {
                let t = g[(k, c)];
                g[(k, c)] = g[(p, c)];
                g[(p, c)] = t;
            }
            let piv = g[(k, k)];
            for c in 0..2 * n {
                g[(k, c)] /= piv;
            }
            for r in 0..n {
                if r != k {
                    let f = g[(r, k)];
                    for c in 0..2 * n {
                        g[(r, c)] -= f * g[(k, c)];
                    }
                }
            }
        }
        Mat::from_fn(n, n, |a, b| g[(a, n + b)])
    }

    #[test]
    fn random_well_conditioned_jacobians_match_the_normal_equations() {
        let mut seed = 42;
        for (m, n) in [(3, 1), (5, 2), (12, 4), (30, 7), (40, 12)] {
            // Column scales spread over 6 orders of magnitude: the equilibration must undo them.
            let jac = Mat::<f64>::from_fn(m, n, |_, j| lcg(&mut seed) * 10f64.powi(j as i32 % 7 - 3));
            let r: Vec<f64> = (0..m).map(|_| lcg(&mut seed)).collect();
            let u = Uncertainty::new(jac.as_ref(), &r).unwrap();
            let inv = inverse_by_normal_equations(jac.as_ref());
            let s2 = r.iter().map(|v| v * v).sum::<f64>() / (m - n) as f64;
            for a in 0..n {
                for b in 0..n {
                    let want = s2 * inv[(a, b)];
                    let scale = s2 * (inv[(a, a)] * inv[(b, b)]).sqrt();
                    assert!(
                        (u.covariance[(a, b)] - want).abs() <= 1e-10 * scale,
                        "m={m} n={n} ({a},{b}): {} vs {want}",
                        u.covariance[(a, b)]
                    );
                }
                assert!(
                    (u.std_errors[a].unwrap() - (s2 * inv[(a, a)]).sqrt()).abs() <= 1e-10 * u.std_errors[a].unwrap()
                );
            }
        }
    }

    #[test]
    fn rank_deficiency_is_a_typed_error_with_the_rank() {
        // Third column = first + 2 * second: rank 2 of 3.
        let m = 8;
        let jac = Mat::<f64>::from_fn(m, 3, |i, j| {
            let (c0, c1) = (1.0 + i as f64, ((i * i) as f64).sin());
            match j {
                0 => c0,
                1 => c1,
                _ => c0 + 2.0 * c1,
            }
        });
        let r = vec![0.1; m];
        match Uncertainty::new(jac.as_ref(), &r) {
            Err(UncertaintyError::RankDeficient { rank, free, .. }) => assert_eq!((rank, free), (2, 3)),
            other => panic!("expected RankDeficient, got {other:?}"),
        }
        // A zero column.
        let jac = Mat::<f64>::from_fn(m, 3, |i, j| if j == 1 { 0.0 } else { (i + j) as f64 + (i * j) as f64 * 0.3 });
        match Uncertainty::new(jac.as_ref(), &r) {
            Err(UncertaintyError::RankDeficient { rank, free, .. }) => assert_eq!((rank, free), (2, 3)),
            other => panic!("expected RankDeficient, got {other:?}"),
        }
        // The same dependent Jacobian with the dependent parameter at a bound: fine.
        let jac = Mat::<f64>::from_fn(m, 3, |i, j| {
            let (c0, c1) = (1.0 + i as f64, ((i * i) as f64).sin());
            [c0, c1, c0 + 2.0 * c1][j]
        });
        let u = estimate(jac.as_ref(), &r, Some(&[false, false, true]), &UncertaintyOptions::default()).unwrap();
        assert_eq!(u.std_errors[2], None);
        assert_eq!(u.dof, m - 2);
    }

    #[test]
    fn active_parameters_are_excluded() {
        let mut seed = 3;
        let (m, n) = (10, 4);
        let jac = Mat::<f64>::from_fn(m, n, |_, _| lcg(&mut seed));
        let r: Vec<f64> = (0..m).map(|_| lcg(&mut seed)).collect();
        let active = [false, true, false, true];
        let u = estimate(jac.as_ref(), &r, Some(&active), &UncertaintyOptions::default()).unwrap();
        let reduced = Mat::<f64>::from_fn(m, 2, |i, k| jac[(i, [0, 2][k])]);
        let v = Uncertainty::new(reduced.as_ref(), &r).unwrap();
        assert_eq!(u.dof, m - 2);
        assert_eq!(u.active, active.to_vec());
        assert_eq!(u.std_errors[1], None);
        assert_eq!(u.std_errors[3], None);
        assert!((u.std_errors[0].unwrap() - v.std_errors[0].unwrap()).abs() <= 1e-14 * v.std_errors[0].unwrap());
        assert!((u.std_errors[2].unwrap() - v.std_errors[1].unwrap()).abs() <= 1e-14 * v.std_errors[1].unwrap());
        assert!((u.covariance[(0, 2)] - v.covariance[(0, 1)]).abs() <= 1e-14 * v.std_errors[0].unwrap().powi(2));
        for k in 0..n {
            assert_eq!(u.covariance[(1, k)], 0.0);
            assert_eq!(u.covariance[(k, 3)], 0.0);
        }
        // Everything active: no parameter estimated, dof = m.
        let all = estimate(jac.as_ref(), &r, Some(&[true; 4]), &UncertaintyOptions::default()).unwrap();
        assert_eq!(all.dof, m);
        assert!(all.std_errors.iter().all(Option::is_none));
    }

    #[test]
    fn wrong_calls_are_typed_errors() {
        let jac = Mat::<f64>::from_fn(3, 3, |i, j| if i == j { 1.0 } else { 0.0 });
        assert_eq!(
            Uncertainty::new(jac.as_ref(), &[0.0; 3]).unwrap_err(),
            UncertaintyError::NoDegreesOfFreedom { residuals: 3, free: 3 }
        );
        let wide = Mat::<f64>::zeros(2, 3);
        assert!(matches!(Uncertainty::new(wide.as_ref(), &[0.0; 2]), Err(UncertaintyError::NoDegreesOfFreedom { .. })));
        let mut j = Mat::<f64>::from_fn(4, 2, |i, k| (i + 2 * k) as f64 + 1.0);
        assert!(matches!(
            Uncertainty::new(j.as_ref(), &[0.0; 3]),
            Err(UncertaintyError::DimensionMismatch { what: "residuals", expected: 4, found: 3 })
        ));
        assert!(matches!(
            estimate(j.as_ref(), &[0.0; 4], Some(&[false]), &UncertaintyOptions::default()),
            Err(UncertaintyError::DimensionMismatch { what: "active", .. })
        ));
        assert_eq!(
            Uncertainty::new(j.as_ref(), &[0.0, f64::NAN, 0.0, 0.0]).unwrap_err(),
            UncertaintyError::NonFinite { what: "residuals", row: 1, col: 0 }
        );
        j[(2, 1)] = f64::INFINITY;
        assert_eq!(
            Uncertainty::new(j.as_ref(), &[0.0; 4]).unwrap_err(),
            UncertaintyError::NonFinite { what: "jacobian", row: 2, col: 1 }
        );
        // A non-finite entry in an active column is not looked at.
        assert!(estimate(j.as_ref(), &[0.0; 4], Some(&[false, true]), &UncertaintyOptions::default()).is_ok());
        let o = UncertaintyOptions { rank_tolerance: Some(f64::NAN) };
        assert!(matches!(estimate(j.as_ref(), &[0.0; 4], None, &o), Err(UncertaintyError::InvalidOption { .. })));
        // Zero residuals: a perfect fit has zero standard errors, not NaN.
        let j = Mat::<f64>::from_fn(4, 2, |i, k| ((i + 1) * (k + 1)) as f64 + k as f64 * 0.5 * i as f64);
        let u = Uncertainty::new(j.as_ref(), &[0.0; 4]).unwrap();
        assert_eq!(u.residual_std, 0.0);
        assert_eq!(u.std_errors, vec![Some(0.0), Some(0.0)]);
    }

    /// Extreme but finite inputs never panic: every call returns `Ok` with finite numbers or a
    /// typed error.
    #[test]
    fn extreme_inputs_do_not_panic() {
        let mut seed = 11;
        let values = [0.0, 1e-300, -1e-300, 1e300, -1e300, f64::MAX, f64::MIN_POSITIVE, 1.0, -2.5];
        for trial in 0..300 {
            let m = 1 + trial % 6;
            let n = 1 + (trial / 6) % 4;
            let pick = |s: &mut u64| values[((lcg(s) + 0.5) * values.len() as f64) as usize % values.len()];
            let jac = Mat::<f64>::from_fn(m, n, |_, _| pick(&mut seed));
            let r: Vec<f64> = (0..m).map(|_| pick(&mut seed)).collect();
            if let Ok(u) = Uncertainty::new(jac.as_ref(), &r) {
                assert!(u.rss >= 0.0 && u.residual_std >= 0.0);
                assert!(u.std_errors.iter().all(|s| s.is_some_and(|s| s >= 0.0 && !s.is_nan())));
            }
        }
    }

    #[test]
    fn at_a_problem_point() {
        /// r_i = a exp(b t_i) - y_i.
        struct Exp;
        const T: [f64; 5] = [0.0, 0.5, 1.0, 1.5, 2.0];
        const Y: [f64; 5] = [1.0, 1.7, 2.6, 4.6, 7.3];
        impl crate::problem::Residuals for Exp {
            fn dim(&self) -> usize {
                2
            }
            fn residual_count(&self) -> usize {
                5
            }
            fn residuals(&self, x: &[f64], r: &mut [f64]) {
                for i in 0..5 {
                    r[i] = x[0] * (x[1] * T[i]).exp() - Y[i];
                }
            }
        }
        impl DenseJacobian for Exp {
            fn jacobian(&self, x: &[f64], mut jac: faer::MatMut<'_, f64>) {
                for i in 0..5 {
                    let e = (x[1] * T[i]).exp();
                    jac[(i, 0)] = e;
                    jac[(i, 1)] = x[0] * T[i] * e;
                }
            }
        }
        let x = [1.0, 1.0];
        let u = Uncertainty::at(&Exp, &x, None, &UncertaintyOptions::default()).unwrap();
        let jac = Mat::<f64>::from_fn(5, 2, |i, j| if j == 0 { T[i].exp() } else { T[i] * T[i].exp() });
        let r: Vec<f64> = (0..5).map(|i| T[i].exp() - Y[i]).collect();
        let v = Uncertainty::new(jac.as_ref(), &r).unwrap();
        assert_eq!(u.std_errors, v.std_errors);
        assert!(matches!(
            Uncertainty::at(&Exp, &[1.0], None, &UncertaintyOptions::default()),
            Err(UncertaintyError::DimensionMismatch { what: "x", .. })
        ));
    }
}
