//! The sparse path of [`crate::uncertainty`]: standard errors and selected covariances from a
//! sparse QR of the column-equilibrated Jacobian (the formulas, the rank test and its guarantee
//! are in the [parent module's docs](super#sparse-jacobians)).

use std::collections::BTreeMap;

use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::Mat;
use rayon::prelude::*;

use super::{check_call, residual_summary, Uncertainty, UncertaintyError, UncertaintyOptions};
use crate::linalg::sparse_qr::{SparseQrError, SparseR};
use crate::problem::SparseJacobian;

/// The uncertainty of a least-squares fit with a sparse Jacobian (see the
/// [module docs](super#sparse-jacobians)).
///
/// Holds the residual standard deviation, the standard errors, and the sparse factor `R` with
/// the entries of `(R'R)^{-1}` on its pattern, from which covariances are read on request:
/// [`SparseUncertainty::covariance`] and [`SparseUncertainty::covariance_entries`] for selected
/// entries, [`SparseUncertainty::covariance_matrix`] / [`SparseUncertainty::to_dense`] for the
/// whole `n x n` matrix when `n` is small enough. Its memory is about twice the stored entries
/// of `R` ([`SparseUncertainty::factor_nnz`]) plus `O(n)`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SparseUncertainty {
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
    /// Standard errors `s sqrt([(J'J)^{-1}]_jj)`; `None` for active parameters.
    pub std_errors: Vec<Option<f64>>,
    /// `slot[j]`: the index of parameter `j` among the free ones.
    slot: Vec<Option<usize>>,
    /// Column norms `d_k` of the free columns (`J_F = A D`).
    scale: Vec<f64>,
    /// `R` of the QR of `A P` (`A` the equilibrated free columns).
    factor: SparseR,
    /// `(R'R)^{-1}` on the pattern of `R` (`None` if the fallback by solves was taken).
    selected: Option<Vec<f64>>,
    /// The diagonal of `(A'A)^{-1}` by free index.
    inverse_diagonal: Vec<f64>,
    /// Bounds on the 2-norm condition number of `A`.
    condition: (f64, f64),
}

/// What the factorization of the free columns gives.
struct Factored {
    scale: Vec<f64>,
    factor: SparseR,
    selected: Option<Vec<f64>>,
    /// By free index.
    inverse_diagonal: Vec<f64>,
    condition: (f64, f64),
}

/// The free columns `cols` of `jacobian`, duplicates summed, rows sorted, exact zeros dropped,
/// each scaled to unit norm; the column norms. `Err(k)`: column `k` (index into `cols`) is
/// zero.
#[allow(clippy::type_complexity)]
fn equilibrated_columns(
    jacobian: SparseColMatRef<'_, usize, f64>,
    cols: &[usize],
) -> Result<(Vec<usize>, Vec<usize>, Vec<f64>, Vec<f64>), Vec<usize>> {
    let sym = jacobian.symbolic();
    let vals = jacobian.val();
    let mut col_ptr = Vec::with_capacity(cols.len() + 1);
    col_ptr.push(0);
    let mut row_idx = Vec::new();
    let mut val = Vec::new();
    let mut scale = Vec::with_capacity(cols.len());
    let mut zero = Vec::new();
    let mut pairs: Vec<(usize, f64)> = Vec::new();
    for (k, &j) in cols.iter().enumerate() {
        let range = sym.col_range(j);
        pairs.clear();
        pairs.extend(sym.row_idx()[range.clone()].iter().copied().zip(vals[range].iter().copied()));
        if !pairs.windows(2).all(|w| w[0].0 < w[1].0) {
            pairs.sort_by_key(|p| p.0);
            // Sum duplicates (the usual convention for repeated entries).
            let mut w = 0;
            for r in 1..pairs.len() {
                if pairs[r].0 == pairs[w].0 {
                    pairs[w].1 += pairs[r].1;
                } else {
                    w += 1;
                    pairs[w] = pairs[r];
                }
            }
            pairs.truncate(w + 1);
        }
        pairs.retain(|p| p.1 != 0.0);
        // ||col|| = big sqrt(sum (v / big)^2): no overflow or underflow in the squares.
        let big = pairs.iter().fold(0.0f64, |a, p| a.max(p.1.abs()));
        if big == 0.0 || !big.is_finite() {
            zero.push(k);
            col_ptr.push(row_idx.len());
            scale.push(0.0);
            continue;
        }
        let root = pairs.iter().map(|p| (p.1 / big) * (p.1 / big)).sum::<f64>().sqrt();
        for &(i, v) in &pairs {
            row_idx.push(i);
            val.push((v / big) / root);
        }
        col_ptr.push(row_idx.len());
        scale.push(big * root);
    }
    if zero.is_empty() {
        Ok((col_ptr, row_idx, val, scale))
    } else {
        Err(zero)
    }
}

/// Factorizes the equilibrated columns `cols` of `jacobian` (`m > cols.len()`, every value
/// finite) and applies the two rank tests of the module docs.
fn factor_columns(
    jacobian: SparseColMatRef<'_, usize, f64>,
    cols: &[usize],
    tolerance: f64,
) -> Result<Factored, UncertaintyError> {
    let (m, nf) = (jacobian.nrows(), cols.len());
    let (col_ptr, row_idx, val, scale) = match equilibrated_columns(jacobian, cols) {
        Ok(parts) => parts,
        Err(zero) => {
            // A zero column adds nothing to the rank: report the rank estimate of the others.
            let rest: Vec<usize> =
                cols.iter().enumerate().filter(|(k, _)| !zero.contains(k)).map(|(_, &j)| j).collect();
            let rank = match factor_columns(jacobian, &rest, tolerance) {
                Ok(_) => rest.len(),
                Err(UncertaintyError::RankDeficient { rank, .. }) => rank,
                Err(e) => return Err(e),
            };
            return Err(UncertaintyError::RankDeficient { rank, free: nf, tolerance });
        }
    };
    let a = SparseColMatRef::new(SymbolicSparseColMatRef::new_checked(m, nf, &col_ptr, None, &row_idx), &val);
    let factor = match SparseR::factorize(a) {
        Ok(f) => f,
        // Unreachable after the checks of the caller (m > nf), but typed rather than a panic.
        Err(SparseQrError::Wide) => return Err(UncertaintyError::NoDegreesOfFreedom { residuals: m, free: nf }),
        Err(SparseQrError::Analysis) => return Err(UncertaintyError::Factorization),
    };
    // Test 1: a diagonal entry of R small relative to the largest.
    let diag = factor.abs_diagonal();
    let dmax = diag.iter().fold(0.0f64, |a, &v| a.max(v));
    let dmin = diag.iter().fold(f64::INFINITY, |a, &v| a.min(v));
    let rank = diag.iter().filter(|&&v| v > tolerance * dmax).count();
    if rank < nf {
        return Err(UncertaintyError::RankDeficient { rank, free: nf, tolerance });
    }
    let selected = factor.selected_inverse();
    let by_position = match &selected {
        Some(z) => (0..nf).map(|k| factor.lookup(z, k, k).unwrap_or(f64::NAN)).collect(),
        None => factor.inverse_diagonal_by_solves(),
    };
    // Test 2: a large diagonal entry of (A'A)^{-1} = (R'R)^{-1} (P applied).
    let zmax = by_position.iter().fold(0.0f64, |a, &v| if v.is_nan() { f64::NAN } else { a.max(v) });
    if !(zmax.is_finite() && zmax * tolerance * tolerance < 1.0) {
        return Err(UncertaintyError::RankDeficient { rank: nf.saturating_sub(1), free: nf, tolerance });
    }
    let trace: f64 = by_position.iter().sum();
    let inverse_diagonal: Vec<f64> = (0..nf).map(|k| by_position[factor.position()[k]]).collect();
    // sigma_max(A) in [max(1, max |r_kk|), sqrt(nf)], 1 / sigma_min(A)^2 in
    // [max(1 / min |r_kk|^2, max z_kk), trace Z].
    // (No free parameter: both bounds 1.)
    let lower = (dmax.max(1.0) * (1.0 / dmin).max(zmax.sqrt())).max(1.0);
    let upper = (nf as f64 * trace).sqrt();
    Ok(Factored { scale, factor, selected, inverse_diagonal, condition: (lower, upper.max(lower)) })
}

/// The uncertainty of a least-squares fit from a sparse Jacobian `jacobian` (`m x n`, faer
/// compressed columns) and the residuals `residuals` (length `m`) at the solution: the sparse
/// counterpart of [`super::estimate`], with the same arguments, errors and semantics of
/// `active` (see the [module docs](super#sparse-jacobians) for the method, its cost and what
/// the rank test guarantees).
///
/// `J'J` is never formed. Repeated entries of a column (an unsorted pattern) are summed. Errors:
/// sizes ([`UncertaintyError::DimensionMismatch`]), `m <= n_free`
/// ([`UncertaintyError::NoDegreesOfFreedom`]), NaN or infinite values
/// ([`UncertaintyError::NonFinite`], the smallest row of the first such free column), a
/// rank-deficient Jacobian of the free parameters ([`UncertaintyError::RankDeficient`]), a bad
/// tolerance ([`UncertaintyError::InvalidOption`]), a failed symbolic analysis
/// ([`UncertaintyError::Factorization`]).
///
/// ```
/// use faer::sparse::{SparseColMat, Triplet};
/// use trust_region::uncertainty::{estimate_sparse, UncertaintyOptions};
///
/// // Straight line y = a + b t fitted to 5 points: J = [1, t_i].
/// let t = [0.0, 1.0, 2.0, 3.0, 4.0];
/// let r = [0.1, -0.2, 0.05, 0.1, -0.05];
/// let triplets: Vec<_> = (0..5)
///     .flat_map(|i| [Triplet::new(i, 0, 1.0), Triplet::new(i, 1, t[i])])
///     .collect();
/// let jac = SparseColMat::<usize, f64>::try_new_from_triplets(5, 2, &triplets).unwrap();
/// let u = estimate_sparse(jac.as_ref(), &r, None, &UncertaintyOptions::default()).unwrap();
/// // se(b) = s / sqrt(sum (t_i - tbar)^2) = s / sqrt(10).
/// let se_b = u.std_errors[1].unwrap();
/// assert!((se_b - u.residual_std / 10f64.sqrt()).abs() < 1e-14);
/// // cov(a, b) = -tbar s^2 / Sxx.
/// let cov = u.covariance(0, 1).unwrap().unwrap();
/// assert!((cov + 2.0 * u.residual_std.powi(2) / 10.0).abs() < 1e-14);
/// ```
pub fn estimate_sparse(
    jacobian: SparseColMatRef<'_, usize, f64>,
    residuals: &[f64],
    active: Option<&[bool]>,
    options: &UncertaintyOptions,
) -> Result<SparseUncertainty, UncertaintyError> {
    let (m, n) = (jacobian.nrows(), jacobian.ncols());
    let (active, tolerance) = check_call(m, n, residuals, active, options)?;
    let free: Vec<usize> = (0..n).filter(|&j| !active[j]).collect();
    let nf = free.len();
    let sym = jacobian.symbolic();
    for &j in &free {
        let range = sym.col_range(j);
        let bad = sym.row_idx()[range.clone()]
            .iter()
            .zip(&jacobian.val()[range])
            .filter(|(_, v)| !v.is_finite())
            .map(|(&i, _)| i)
            .min();
        if let Some(row) = bad {
            return Err(UncertaintyError::NonFinite { what: "jacobian", row, col: j });
        }
    }
    if m <= nf {
        return Err(UncertaintyError::NoDegreesOfFreedom { residuals: m, free: nf });
    }
    let dof = m - nf;
    let (rss, residual_std) = residual_summary(residuals, dof);
    let Factored { scale, factor, selected, inverse_diagonal, condition } = factor_columns(jacobian, &free, tolerance)?;
    let mut slot = vec![None; n];
    for (k, &j) in free.iter().enumerate() {
        slot[j] = Some(k);
    }
    // se_j = s sqrt(z_kk) / d_k: no square of s or of d_k that could overflow.
    let std_errors =
        slot.iter().map(|k| k.map(|k| residual_std * inverse_diagonal[k].max(0.0).sqrt() / scale[k])).collect();
    Ok(SparseUncertainty {
        residual_count: m,
        dof,
        rss,
        residual_std,
        active,
        std_errors,
        slot,
        scale,
        factor,
        selected,
        inverse_diagonal,
        condition,
    })
}

impl SparseUncertainty {
    /// The largest `n` for which [`SparseUncertainty::covariance_matrix`] and
    /// [`SparseUncertainty::to_dense`] build the dense `n x n` covariance (10,000: 800 MB).
    pub const MAX_DENSE_DIM: usize = 10_000;

    /// [`estimate_sparse`] with every parameter free and the default options.
    pub fn new(jacobian: SparseColMatRef<'_, usize, f64>, residuals: &[f64]) -> Result<Self, UncertaintyError> {
        estimate_sparse(jacobian, residuals, None, &UncertaintyOptions::default())
    }

    /// Evaluates the residuals and the sparse Jacobian of `problem` at `x` (its
    /// [`SparseJacobian::jacobian_pattern`] and values) and calls [`estimate_sparse`].
    pub fn at<P: SparseJacobian + ?Sized>(
        problem: &P,
        x: &[f64],
        active: Option<&[bool]>,
        options: &UncertaintyOptions,
    ) -> Result<Self, UncertaintyError> {
        let (n, m) = (problem.dim(), problem.residual_count());
        if x.len() != n {
            return Err(UncertaintyError::DimensionMismatch { what: "x", expected: n, found: x.len() });
        }
        let pattern = problem.jacobian_pattern();
        if pattern.nrows() != m {
            return Err(UncertaintyError::DimensionMismatch {
                what: "jacobian pattern rows",
                expected: m,
                found: pattern.nrows(),
            });
        }
        if pattern.ncols() != n {
            return Err(UncertaintyError::DimensionMismatch {
                what: "jacobian pattern columns",
                expected: n,
                found: pattern.ncols(),
            });
        }
        let mut r = vec![0.0; m];
        problem.residuals(x, &mut r);
        let mut values = vec![0.0; pattern.row_idx().len()];
        problem.jacobian_values(x, &mut values);
        estimate_sparse(SparseColMatRef::new(pattern.as_ref(), &values), &r, active, options)
    }

    /// Number of parameters `n` (free and active).
    pub fn dim(&self) -> usize {
        self.active.len()
    }

    /// Stored entries of the factor `R` (explicit zeros of its supernodal pattern included):
    /// the memory of the factor, and about the cost of a covariance entry off its pattern.
    pub fn factor_nnz(&self) -> usize {
        self.factor.nnz()
    }

    /// Lower and upper bounds on the 2-norm condition number of the column-equilibrated
    /// Jacobian of the free parameters (unit column norms), from the diagonal of `R` and the
    /// diagonal of `(R'R)^{-1}`; see the [module docs](super#sparse-jacobians).
    pub fn condition_bounds(&self) -> (f64, f64) {
        self.condition
    }

    fn check_index(&self, index: usize) -> Result<(), UncertaintyError> {
        if index < self.dim() {
            Ok(())
        } else {
            Err(UncertaintyError::IndexOutOfRange { index, dim: self.dim() })
        }
    }

    /// `(A'A)^{-1}` entry of free indices `a`, `b` if it lies on the pattern of `R`.
    fn on_pattern(&self, a: usize, b: usize) -> Option<f64> {
        if a == b {
            return Some(self.inverse_diagonal[a]);
        }
        let pos = self.factor.position();
        self.selected.as_deref().and_then(|z| self.factor.lookup(z, pos[a], pos[b]))
    }

    /// `s^2 z / (d_a d_b)`, one factor at a time (neither a tiny nor a huge norm overflows).
    fn scaled(&self, z: f64, a: usize, b: usize) -> f64 {
        (z / self.scale[a] / self.scale[b]) * (self.residual_std * self.residual_std)
    }

    /// The covariance of parameters `i` and `j`: `None` if either is active. On the pattern of
    /// `R` (in particular `i = j`, and pairs of parameters that share a residual) the entry is
    /// read from storage; otherwise it costs two sparse triangular solves with `R` (about
    /// [`SparseUncertainty::factor_nnz`] multiply-adds each). Error: an index `>= n`.
    pub fn covariance(&self, i: usize, j: usize) -> Result<Option<f64>, UncertaintyError> {
        Ok(self.covariance_entries(&[(i, j)])?.pop().flatten())
    }

    /// The covariances of the pairs `pairs` (`None` where a parameter is active), in order.
    /// Entries off the pattern of `R` are grouped by column, each needed column of
    /// `(R'R)^{-1}` is computed once by two triangular solves, and the columns are computed in
    /// parallel (rayon; the numbers do not depend on the thread count). Error: an index `>= n`.
    pub fn covariance_entries(&self, pairs: &[(usize, usize)]) -> Result<Vec<Option<f64>>, UncertaintyError> {
        for &(i, j) in pairs {
            self.check_index(i)?;
            self.check_index(j)?;
        }
        let mut out = vec![None; pairs.len()];
        // Off-pattern entries by the free index of their column.
        let mut pending: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
        for (t, &(i, j)) in pairs.iter().enumerate() {
            let (Some(a), Some(b)) = (self.slot[i], self.slot[j]) else { continue };
            match self.on_pattern(a, b) {
                Some(z) => out[t] = Some(self.scaled(z, a, b)),
                None => pending.entry(b).or_default().push((t, a)),
            }
        }
        let groups: Vec<(usize, Vec<(usize, usize)>)> = pending.into_iter().collect();
        let pos = self.factor.position();
        let computed: Vec<Vec<(usize, f64)>> = groups
            .par_iter()
            .map(|(b, wanted)| {
                let column = self.factor.inverse_column(pos[*b]);
                wanted.iter().map(|&(t, a)| (t, self.scaled(column[pos[a]], a, *b))).collect()
            })
            .collect();
        for (t, v) in computed.into_iter().flatten() {
            out[t] = Some(v);
        }
        Ok(out)
    }

    /// The correlation `C_ij / (se_i se_j)` of parameters `i` and `j` (`None` if either is
    /// active; `NaN` where a standard error is zero, as for a zero-residual fit).
    pub fn correlation(&self, i: usize, j: usize) -> Result<Option<f64>, UncertaintyError> {
        let c = self.covariance(i, j)?;
        Ok(match (c, self.std_errors[i], self.std_errors[j]) {
            (Some(c), Some(a), Some(b)) => Some(c / (a * b)),
            _ => None,
        })
    }

    /// The dense `n x n` covariance `s^2 (J'J)^{-1}` (rows and columns of active parameters
    /// zero, exactly symmetric, its diagonal the squares of [`SparseUncertainty::std_errors`] up
    /// to rounding):
    /// one column of `(R'R)^{-1}` per free parameter by two triangular solves, in parallel.
    /// Error [`UncertaintyError::TooLarge`] when `n >`
    /// [`SparseUncertainty::MAX_DENSE_DIM`].
    pub fn covariance_matrix(&self) -> Result<Mat<f64>, UncertaintyError> {
        let n = self.dim();
        if n > Self::MAX_DENSE_DIM {
            return Err(UncertaintyError::TooLarge { dim: n, max: Self::MAX_DENSE_DIM });
        }
        let nf = self.scale.len();
        let pos = self.factor.position();
        let columns: Vec<Vec<f64>> = (0..nf)
            .into_par_iter()
            .map(|b| {
                let column = self.factor.inverse_column(pos[b]);
                (0..nf).map(|a| column[pos[a]]).collect()
            })
            .collect();
        let free: Vec<usize> = (0..n).filter(|&j| self.slot[j].is_some()).collect();
        let mut cov = Mat::<f64>::zeros(n, n);
        for (b, &jb) in free.iter().enumerate() {
            for (a, &ja) in free.iter().enumerate() {
                let z = if a == b { self.inverse_diagonal[a] } else { 0.5 * (columns[b][a] + columns[a][b]) };
                cov[(ja, jb)] = self.scaled(z, a, b);
            }
        }
        Ok(cov)
    }

    /// The dense result ([`Uncertainty`], with the covariance matrix of
    /// [`SparseUncertainty::covariance_matrix`]), for small `n`.
    pub fn to_dense(&self) -> Result<Uncertainty, UncertaintyError> {
        Ok(Uncertainty {
            residual_count: self.residual_count,
            dof: self.dof,
            rss: self.rss,
            residual_std: self.residual_std,
            active: self.active.clone(),
            covariance: self.covariance_matrix()?,
            std_errors: self.std_errors.clone(),
        })
    }
}
