//! Sparse Cholesky factorization of `H + shift I` for a symmetric `H` stored as its lower
//! triangle in a fixed faer compressed-column pattern, with the symbolic analysis done once.
//!
//! The fill-reducing ordering (approximate minimum degree, Amestoy, Davis & Duff 1996) and the
//! elimination tree / supernode structure depend only on the pattern, so they are computed once
//! ([`SparseCholesky::new`]); every shift then costs one numeric factorization
//! ([`SparseCholesky::factorize`]): the values of `H` are copied into a reused buffer, the
//! stored diagonal is shifted in place, and faer's low-level `factorize_numeric_llt` writes the
//! factor into a reused value buffer with a preallocated `MemBuffer` workspace, so no
//! factorization and no solve allocates. Everything runs with `Par::Seq` (bitwise reproducible).
//!
//! Failure is typed: [`NotPositiveDefinite`] when a pivot is nonpositive or a value is not
//! finite. The pivot index faer reports is in the permuted order (and differs between the
//! simplicial and supernodal kernels): it is passed on for information only and must not be
//! read as a negative-curvature direction.
//!
//! References:
//! 1. P. R. Amestoy, T. A. Davis, I. S. Duff, An approximate minimum degree ordering algorithm,
//!    SIAM J. Matrix Anal. Appl. 17 (1996) 886-905.
//! 2. T. A. Davis, Direct Methods for Sparse Linear Systems, SIAM (2006), ch. 4.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{LltError, LltRegularization};
use faer::sparse::linalg::cholesky::{
    factorize_symbolic_cholesky, CholeskySymbolicParams, LltRef, SymbolicCholesky, SymmetricOrdering,
};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{ColMut, Conj, Par, Side};

use super::dense::NotPositiveDefinite;
use super::sparse::diagonal_positions;

/// Why a pattern cannot be analysed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// The pattern is not square.
    NotSquare,
    /// Column `column` stores no diagonal entry (the shift needs a stored position).
    MissingDiagonal {
        /// The first column without a stored diagonal entry.
        column: usize,
    },
    /// An entry above the diagonal is stored (only the lower triangle is accepted).
    UpperEntry {
        /// The column of the first such entry.
        column: usize,
    },
    /// faer's symbolic analysis failed (index overflow or out of memory).
    Analysis,
}

/// Cholesky factorization `H + shift I = P' L L' P` of a sparse symmetric `H` (lower triangle
/// stored, every diagonal entry stored), with one symbolic analysis per pattern and all
/// numeric storage allocated once.
pub struct SparseCholesky {
    symbolic: SymbolicCholesky<usize>,
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    diag: Vec<usize>,
    shifted: Vec<f64>,
    l_values: Vec<f64>,
    mem: MemBuffer,
    ok: bool,
    shift: f64,
    symbolic_analyses: usize,
    numeric_factorizations: usize,
}

impl std::fmt::Debug for SparseCholesky {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SparseCholesky")
            .field("n", &self.dim())
            .field("nnz", &self.row_idx.len())
            .field("factor_len", &self.l_values.len())
            .field("factorized", &self.ok)
            .field("symbolic_analyses", &self.symbolic_analyses)
            .field("numeric_factorizations", &self.numeric_factorizations)
            .finish()
    }
}

impl SparseCholesky {
    /// Symbolic analysis (AMD ordering) of the lower-triangle `pattern` and allocation of every
    /// buffer the numeric factorizations and solves need.
    pub fn new(pattern: SymbolicSparseColMatRef<'_, usize>) -> Result<Self, PatternError> {
        let n = pattern.ncols();
        if pattern.nrows() != n {
            return Err(PatternError::NotSquare);
        }
        for j in 0..n {
            if pattern.row_idx()[pattern.col_range(j)].iter().any(|&i| i < j) {
                return Err(PatternError::UpperEntry { column: j });
            }
        }
        let diag = diagonal_positions(pattern).map_err(|column| PatternError::MissingDiagonal { column })?;
        let symbolic = factorize_symbolic_cholesky(
            pattern,
            Side::Lower,
            SymmetricOrdering::Amd,
            CholeskySymbolicParams::default(),
        )
        .map_err(|_| PatternError::Analysis)?;
        let par = Par::Seq;
        let req = symbolic
            .factorize_numeric_llt_scratch::<f64>(par, Default::default())
            .or(symbolic.solve_in_place_scratch::<f64>(1, par));
        let row_idx: Vec<usize> =
            (0..n).flat_map(|j| pattern.row_idx()[pattern.col_range(j)].iter().copied()).collect();
        // Compact copy of the pattern (faer patterns may carry per-column lengths).
        let mut compact_ptr = vec![0usize; n + 1];
        for j in 0..n {
            compact_ptr[j + 1] = compact_ptr[j] + pattern.col_range(j).len();
        }
        let nnz = row_idx.len();
        Ok(Self {
            l_values: vec![0.0; symbolic.len_val()],
            symbolic,
            col_ptr: compact_ptr,
            row_idx,
            diag,
            shifted: vec![0.0; nnz],
            mem: MemBuffer::new(req),
            ok: false,
            shift: 0.0,
            symbolic_analyses: 1,
            numeric_factorizations: 0,
        })
    }

    /// Dimension `n`.
    pub fn dim(&self) -> usize {
        self.diag.len()
    }

    /// Whether `pattern` is the pattern this analysis was made for (same dimension, same
    /// column pointers and row indices). O(nnz).
    pub fn matches(&self, pattern: SymbolicSparseColMatRef<'_, usize>) -> bool {
        let n = self.dim();
        if pattern.nrows() != n || pattern.ncols() != n {
            return false;
        }
        (0..n).all(|j| {
            let r = pattern.col_range(j);
            r.len() == self.col_ptr[j + 1] - self.col_ptr[j]
                && pattern.row_idx()[r] == self.row_idx[self.col_ptr[j]..self.col_ptr[j + 1]]
        })
    }

    /// Factorizes `H + shift I`; `h` must have the analysed pattern. The values are copied into
    /// the reused buffer with the diagonal shifted in place; nothing is allocated.
    ///
    /// Fails with [`NotPositiveDefinite`] when a value is not finite, a pivot is nonpositive,
    /// or the factor is not finite (`pivot` is then in the permuted order, or 0 when unknown).
    pub fn factorize(&mut self, h: SparseColMatRef<'_, usize, f64>, shift: f64) -> Result<(), NotPositiveDefinite> {
        debug_assert!(self.matches(h.symbolic()));
        self.ok = false;
        self.shift = shift;
        self.numeric_factorizations += 1;
        let n = self.dim();
        let sym = h.symbolic();
        let vals = h.val();
        for j in 0..n {
            let r = sym.col_range(j);
            let start = self.col_ptr[j];
            self.shifted[start..start + r.len()].copy_from_slice(&vals[r]);
        }
        for &k in &self.diag {
            self.shifted[k] += shift;
        }
        if !self.shifted.iter().all(|v| v.is_finite()) {
            return Err(NotPositiveDefinite { pivot: 0 });
        }
        let a = SparseColMatRef::new(
            // The compact copy of a valid pattern (row order kept, sorted or not) is valid.
            SymbolicSparseColMatRef::new_unsorted_checked(n, n, &self.col_ptr, None, &self.row_idx),
            &self.shifted,
        );
        let res = self.symbolic.factorize_numeric_llt::<f64>(
            &mut self.l_values,
            a,
            Side::Lower,
            LltRegularization::default(),
            Par::Seq,
            MemStack::new(&mut self.mem),
            Default::default(),
        );
        match res {
            Ok(_) => {
                if self.l_values.iter().all(|v| v.is_finite()) {
                    self.ok = true;
                    Ok(())
                } else {
                    Err(NotPositiveDefinite { pivot: 0 })
                }
            }
            Err(LltError::NonPositivePivot { index }) => Err(NotPositiveDefinite { pivot: index }),
        }
    }

    /// Whether the last factorization succeeded.
    pub fn is_factorized(&self) -> bool {
        self.ok
    }

    /// The shift of the last factorization (successful or not).
    pub fn shift(&self) -> f64 {
        self.shift
    }

    /// Solves `(H + shift I) x = rhs` in place with the last successful factorization
    /// (no allocation). Does nothing useful unless [`SparseCholesky::is_factorized`].
    pub fn solve_in_place(&mut self, rhs: &mut [f64]) {
        debug_assert!(self.ok);
        let llt = LltRef::<'_, usize, f64>::new(&self.symbolic, &self.l_values);
        let col = ColMut::from_slice_mut(rhs);
        llt.solve_in_place_with_conj(Conj::No, col.as_mat_mut(), Par::Seq, MemStack::new(&mut self.mem));
    }

    /// Symbolic analyses performed by this object (1: only in [`SparseCholesky::new`]).
    pub fn symbolic_analyses(&self) -> usize {
        self.symbolic_analyses
    }

    /// Numeric factorizations attempted so far (successful or not).
    pub fn numeric_factorizations(&self) -> usize {
        self.numeric_factorizations
    }

    /// Whether the analysis chose the supernodal kernel (else simplicial).
    pub fn is_supernodal(&self) -> bool {
        matches!(self.symbolic.raw(), faer::sparse::linalg::cholesky::SymbolicCholeskyRaw::Supernodal(_))
    }

    /// Number of stored values of the factor `L`.
    pub fn factor_len(&self) -> usize {
        self.l_values.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::sparse::{SparseColMat, Triplet};

    /// Lower triangle of tridiag(off, d, off) of size n.
    fn tridiag(n: usize, d: f64, off: f64) -> SparseColMat<usize, f64> {
        let mut t = Vec::new();
        for j in 0..n {
            t.push(Triplet::new(j, j, d));
            if j + 1 < n {
                t.push(Triplet::new(j + 1, j, off));
            }
        }
        SparseColMat::try_new_from_triplets(n, n, &t).unwrap()
    }

    #[test]
    fn solves_shifted_system_and_counts() {
        let n = 50;
        let h = tridiag(n, 2.0, -1.0);
        let mut c = SparseCholesky::new(h.symbolic()).unwrap();
        assert_eq!(c.symbolic_analyses(), 1);
        for &shift in &[0.0, 0.5, 3.0] {
            c.factorize(h.as_ref(), shift).unwrap();
            let x: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
            let mut b = vec![0.0; n];
            crate::linalg::sparse::symmetric_lower_matvec(h.as_ref(), &x, &mut b);
            for (bi, xi) in b.iter_mut().zip(&x) {
                *bi += shift * xi;
            }
            c.solve_in_place(&mut b);
            for (bi, xi) in b.iter().zip(&x) {
                assert!((bi - xi).abs() < 1e-10, "{bi} {xi}");
            }
        }
        assert_eq!(c.numeric_factorizations(), 3);
        assert_eq!(c.symbolic_analyses(), 1);
    }

    #[test]
    fn typed_failure() {
        // Eigenvalues of tridiag(-1, 2, -1) lie in (0, 4): shift -5 makes it negative definite.
        let h = tridiag(10, 2.0, -1.0);
        let mut c = SparseCholesky::new(h.symbolic()).unwrap();
        assert!(c.factorize(h.as_ref(), -5.0).is_err());
        assert!(!c.is_factorized());
        assert!(c.factorize(h.as_ref(), f64::NAN).is_err());
        assert!(c.factorize(h.as_ref(), 0.0).is_ok());
    }

    #[test]
    fn rejects_bad_patterns() {
        let t = [Triplet::new(1usize, 0usize, 1.0), Triplet::new(1, 1, 1.0)];
        let h = SparseColMat::try_new_from_triplets(2, 2, &t).unwrap();
        assert_eq!(SparseCholesky::new(h.symbolic()).unwrap_err(), PatternError::MissingDiagonal { column: 0 });
        let t = [Triplet::new(0usize, 0usize, 1.0), Triplet::new(0, 1, 1.0), Triplet::new(1, 1, 1.0)];
        let h = SparseColMat::try_new_from_triplets(2, 2, &t).unwrap();
        assert_eq!(SparseCholesky::new(h.symbolic()).unwrap_err(), PatternError::UpperEntry { column: 1 });
    }
}
