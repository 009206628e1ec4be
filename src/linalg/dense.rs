//! Dense kernels on faer matrices: symmetric products and a Cholesky factorization of
//! `H + lambda I` into a preallocated buffer, with typed failure.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{cholesky_in_place, cholesky_in_place_scratch, LltRegularization};
use faer::linalg::matmul::matmul;
use faer::linalg::triangular_solve::{solve_lower_triangular_in_place, solve_upper_triangular_in_place};
use faer::{Accum, ColMut, ColRef, Mat, MatRef, Par};

/// `out <- A v` for a dense `A` (sequential).
pub fn matvec(a: MatRef<'_, f64>, v: &[f64], out: &mut [f64]) {
    let v = ColRef::from_slice(v);
    let out = ColMut::from_slice_mut(out);
    matmul(out.as_mat_mut(), Accum::Replace, a, v.as_mat(), 1.0, Par::Seq);
}

/// `out <- A' v` for a dense `A` (sequential).
pub fn matvec_transpose(a: MatRef<'_, f64>, v: &[f64], out: &mut [f64]) {
    let v = ColRef::from_slice(v);
    let out = ColMut::from_slice_mut(out);
    matmul(out.as_mat_mut(), Accum::Replace, a.transpose(), v.as_mat(), 1.0, Par::Seq);
}

/// The factorization `H + lambda I = L L'` failed: the shifted matrix is not (numerically)
/// positive definite. `pivot` is the column where a nonpositive pivot appeared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotPositiveDefinite {
    /// Column of the first nonpositive pivot.
    pub pivot: usize,
}

/// Cholesky factorization of `H + shift I` with all storage allocated once.
pub struct DenseCholesky {
    factor: Mat<f64>,
    mem: MemBuffer,
    ok: bool,
}

impl std::fmt::Debug for DenseCholesky {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DenseCholesky").field("n", &self.dim()).field("factorized", &self.ok).finish()
    }
}

impl DenseCholesky {
    /// Workspace for `n x n` matrices.
    pub fn new(n: usize) -> Self {
        let req = cholesky_in_place_scratch::<f64>(n, Par::Seq, Default::default());
        Self { factor: Mat::zeros(n, n), mem: MemBuffer::new(req), ok: false }
    }

    /// Dimension.
    pub fn dim(&self) -> usize {
        self.factor.nrows()
    }

    /// Factorizes `H + shift I` (only the lower triangle of `h` is read).
    pub fn factorize(&mut self, h: MatRef<'_, f64>, shift: f64) -> Result<(), NotPositiveDefinite> {
        let n = self.dim();
        debug_assert_eq!(h.nrows(), n);
        for j in 0..n {
            for i in j..n {
                self.factor[(i, j)] = h[(i, j)];
            }
            self.factor[(j, j)] += shift;
        }
        self.ok = false;
        if !(0..n).all(|j| self.factor[(j, j)].is_finite()) {
            return Err(NotPositiveDefinite { pivot: 0 });
        }
        let res = cholesky_in_place(
            self.factor.as_mut(),
            LltRegularization::default(),
            Par::Seq,
            MemStack::new(&mut self.mem),
            Default::default(),
        );
        match res {
            Ok(_) => {
                // Guard against pivots that are positive but not finite.
                if (0..n).all(|j| self.factor[(j, j)].is_finite() && self.factor[(j, j)] > 0.0) {
                    self.ok = true;
                    Ok(())
                } else {
                    Err(NotPositiveDefinite { pivot: 0 })
                }
            }
            Err(faer::linalg::cholesky::llt::factor::LltError::NonPositivePivot { index }) => {
                Err(NotPositiveDefinite { pivot: index })
            }
        }
    }

    /// Whether the last factorization succeeded.
    pub fn is_factorized(&self) -> bool {
        self.ok
    }

    /// Solves `(H + shift I) x = rhs` in place.
    pub fn solve_in_place(&self, rhs: &mut [f64]) {
        self.solve_lower_in_place(rhs);
        self.solve_upper_in_place(rhs);
    }

    /// Solves `L x = rhs` in place (forward substitution).
    pub fn solve_lower_in_place(&self, rhs: &mut [f64]) {
        let col = ColMut::from_slice_mut(rhs);
        solve_lower_triangular_in_place(self.lower(), col.as_mat_mut(), Par::Seq);
    }

    /// Solves `L' x = rhs` in place (back substitution).
    pub fn solve_upper_in_place(&self, rhs: &mut [f64]) {
        let col = ColMut::from_slice_mut(rhs);
        solve_upper_triangular_in_place(self.lower().transpose(), col.as_mat_mut(), Par::Seq);
    }

    /// The lower-triangular factor `L` (entries above the diagonal are unspecified).
    pub fn lower(&self) -> MatRef<'_, f64> {
        self.factor.as_ref()
    }
}

/// Gershgorin-type bounds on the spectrum of a symmetric matrix:
/// every eigenvalue lies in `[min_i (h_ii - r_i), max_i (h_ii + r_i)]`, `r_i = sum_{j != i} |h_ij|`.
pub fn gershgorin(h: MatRef<'_, f64>) -> (f64, f64) {
    let n = h.nrows();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for i in 0..n {
        let mut r = 0.0;
        for j in 0..n {
            if j != i {
                r += h[(i, j)].abs();
            }
        }
        lo = lo.min(h[(i, i)] - r);
        hi = hi.max(h[(i, i)] + r);
    }
    (lo, hi)
}

/// Frobenius norm of a dense matrix.
pub fn frobenius(h: MatRef<'_, f64>) -> f64 {
    let mut acc = 0.0;
    for j in 0..h.ncols() {
        for i in 0..h.nrows() {
            acc += h[(i, j)] * h[(i, j)];
        }
    }
    acc.sqrt()
}
