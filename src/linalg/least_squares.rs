//! Linear least squares `min ||A x - b||_2` for the Gauss-Newton step of rectangular or
//! singular Jacobians: dense by a column-pivoted Householder QR with a rank decision, sparse by
//! the shifted normal equations with the sparse Cholesky of this module's parent.
//!
//! The problem: `A` is `m x n` (any shape, any rank), `b` of length `m`.
//!
//! Dense ([`DenseLeastSquares`]): `A P = Q R` with column pivoting (Businger & Golub \[1\];
//! faer's `col_pivoting::qr_in_place`), so that `|r_11| >= |r_22| >= ...`. The numerical rank
//! is `r = #{k : |r_kk| > tau |r_11|}` with `tau = max(m, n) eps` ([2, sec. 5.4.1]: the diagonal
//! of a pivoted `R` reveals the rank in practice, and a rounding-level trailing block is
//! treated as zero). The returned solution is the **basic** solution [2, sec. 5.5.5]:
//! `x = P [R_11^{-1} c_1; 0]`, `c = Q'b`, with `R_11` the leading `r x r` block; it minimizes
//! `||A x - b||` (exactly for rank `r`; the discarded block contributes at rounding level),
//! and has at most `r` nonzero components. It is not the minimum-norm solution when `r < n`
//! (for `m < n` in particular): that would need a complete orthogonal decomposition; the trust
//! region bounds the step anyway. The workspace is allocated once; `factorize` and `solve`
//! allocate nothing.
//!
//! Sparse ([`SparseNormalEquations`]): `(A'A + mu I) x = A'b` with the lower triangle of
//! `A'A` assembled into a fixed pattern (computed once from the pattern of `A`, every diagonal
//! entry stored) and factorized by [`SparseCholesky`] (one symbolic analysis per pattern).
//! The shift `mu = shift_rel max_j (A'A)_jj` (default `shift_rel = 1e-12`) makes the matrix
//! positive definite at a rounding-level cost for well-conditioned `A`, and regularizes a
//! rank-deficient one (a Levenberg-Marquardt step with a tiny damping, which tends to the
//! minimum-norm solution as `mu -> 0`); on a failed factorization the shift grows by 100 up to
//! five times. Forming `A'A` squares the condition number: singular values below about
//! `sqrt(mu)` are damped. faer's sparse QR (`sp_qr`) would avoid the squaring but allocates
//! per factorization and has no reusable symbolic analysis in its high-level API.
//!
//! References:
//! 1. P. Businger, G. H. Golub, Linear least squares solutions by Householder
//!    transformations, Numer. Math. 7 (1965) 269-276.
//! 2. G. H. Golub, C. F. Van Loan, Matrix Computations, 4th ed., Johns Hopkins (2013), ch. 5.
//! 3. A. Bjorck, Numerical Methods for Least Squares Problems, SIAM (1996), ch. 2.

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::householder::{
    apply_block_householder_sequence_transpose_on_the_left_in_place_scratch,
    apply_block_householder_sequence_transpose_on_the_left_in_place_with_conj,
};
use faer::linalg::qr::col_pivoting::factor::{qr_in_place, qr_in_place_scratch};
use faer::linalg::qr::no_pivoting::factor::recommended_block_size;
use faer::sparse::{SparseColMatRef, SymbolicSparseColMat, SymbolicSparseColMatRef};
use faer::{ColMut, Conj, Mat, MatRef, Par};

use super::sparse_cholesky::{PatternError, SparseCholesky};

/// Why a least-squares solve failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeastSquaresFailure {
    /// The matrix contains NaN or an infinity, or the solution is not finite.
    NonFinite,
    /// The matrix is zero (rank 0).
    Zero,
    /// No factorization is available.
    NotFactorized,
    /// Sizes do not match.
    Dimension,
    /// The shifted normal equations could not be factorized.
    NotPositiveDefinite,
}

/// Dense least squares by column-pivoted QR, basic solution (module docs).
pub struct DenseLeastSquares {
    qr: Mat<f64>,
    coeff: Mat<f64>,
    perm: Vec<usize>,
    perm_inv: Vec<usize>,
    rhs: Vec<f64>,
    mem: MemBuffer,
    rank: usize,
    ok: bool,
}

impl std::fmt::Debug for DenseLeastSquares {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DenseLeastSquares")
            .field("m", &self.qr.nrows())
            .field("n", &self.qr.ncols())
            .field("rank", &self.rank)
            .finish()
    }
}

impl DenseLeastSquares {
    /// Workspace for `m x n` matrices.
    pub fn new(m: usize, n: usize) -> Self {
        let size = m.min(n);
        let block = recommended_block_size::<f64>(m, n).max(1);
        let req = StackReq::any_of(&[
            qr_in_place_scratch::<usize, f64>(m, n, block, Par::Seq, Default::default()),
            apply_block_householder_sequence_transpose_on_the_left_in_place_scratch::<f64>(m, block, 1),
        ]);
        Self {
            qr: Mat::zeros(m, n),
            coeff: Mat::zeros(block, size),
            perm: vec![0; n],
            perm_inv: vec![0; n],
            rhs: vec![0.0; m],
            mem: MemBuffer::new(req),
            rank: 0,
            ok: false,
        }
    }

    /// The numerical rank of the last factorization (module docs).
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Factorizes `A P = Q R` and decides the rank.
    pub fn factorize(&mut self, a: MatRef<'_, f64>) -> Result<(), LeastSquaresFailure> {
        let (m, n) = (self.qr.nrows(), self.qr.ncols());
        self.ok = false;
        self.rank = 0;
        if a.nrows() != m || a.ncols() != n {
            return Err(LeastSquaresFailure::Dimension);
        }
        for j in 0..n {
            for i in 0..m {
                let v = a[(i, j)];
                if !v.is_finite() {
                    return Err(LeastSquaresFailure::NonFinite);
                }
                self.qr[(i, j)] = v;
            }
        }
        let size = m.min(n);
        if size == 0 {
            return Err(LeastSquaresFailure::Zero);
        }
        qr_in_place(
            self.qr.as_mut(),
            self.coeff.as_mut(),
            &mut self.perm,
            &mut self.perm_inv,
            Par::Seq,
            MemStack::new(&mut self.mem),
            Default::default(),
        );
        let r11 = self.qr[(0, 0)].abs();
        if !r11.is_finite() {
            return Err(LeastSquaresFailure::NonFinite);
        }
        if r11 == 0.0 {
            return Err(LeastSquaresFailure::Zero);
        }
        let tau = m.max(n) as f64 * f64::EPSILON * r11;
        self.rank = (0..size).take_while(|&k| self.qr[(k, k)].abs() > tau).count();
        self.ok = true;
        Ok(())
    }

    /// The basic solution `x` (length `n`) of `min ||A x - b||` (module docs).
    pub fn solve(&mut self, b: &[f64], x: &mut [f64]) -> Result<(), LeastSquaresFailure> {
        let (m, n) = (self.qr.nrows(), self.qr.ncols());
        if !self.ok {
            return Err(LeastSquaresFailure::NotFactorized);
        }
        if b.len() != m || x.len() != n {
            return Err(LeastSquaresFailure::Dimension);
        }
        self.rhs.copy_from_slice(b);
        let size = m.min(n);
        // c = Q'b.
        apply_block_householder_sequence_transpose_on_the_left_in_place_with_conj(
            self.qr.as_ref().subcols(0, size),
            self.coeff.as_ref(),
            Conj::No,
            ColMut::from_slice_mut(&mut self.rhs).as_mat_mut(),
            Par::Seq,
            MemStack::new(&mut self.mem),
        );
        // z = R_11^{-1} c_1 by back substitution (r x r upper triangle).
        let r = self.rank;
        for k in (0..r).rev() {
            let mut s = self.rhs[k];
            for j in k + 1..r {
                s -= self.qr[(k, j)] * self.rhs[j];
            }
            self.rhs[k] = s / self.qr[(k, k)];
        }
        // x = P [z; 0]: column k of A P is column perm[k] of A.
        x.fill(0.0);
        for k in 0..r {
            x[self.perm[k]] = self.rhs[k];
        }
        if x.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(LeastSquaresFailure::NonFinite)
        }
    }
}

/// Sparse least squares by the shifted normal equations (module docs).
pub struct SparseNormalEquations {
    n: usize,
    /// Row-wise view of the pattern of `A`: for row `k`, the columns `row_col[row_ptr[k]..]`
    /// (increasing) and the positions of the values in `A`'s column-major value array.
    row_ptr: Vec<usize>,
    row_col: Vec<usize>,
    row_pos: Vec<usize>,
    /// Lower triangle of `A'A` (every diagonal entry stored).
    ata: SymbolicSparseColMat<usize>,
    ata_values: Vec<f64>,
    work: Vec<f64>,
    rhs: Vec<f64>,
    chol: SparseCholesky,
    shift_rel: f64,
    ok: bool,
}

impl std::fmt::Debug for SparseNormalEquations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SparseNormalEquations").field("n", &self.n).field("nnz", &self.ata_values.len()).finish()
    }
}

impl SparseNormalEquations {
    /// Analyses the pattern of `A` (`m x n`, sorted row indices in each column): the pattern of
    /// the lower triangle of `A'A` and the symbolic Cholesky; `shift_rel` as in the module docs.
    pub fn new(pattern: SymbolicSparseColMatRef<'_, usize>, shift_rel: f64) -> Result<Self, PatternError> {
        let (m, n) = (pattern.nrows(), pattern.ncols());
        // Row-wise view (counting sort by row; columns come out increasing).
        let mut row_ptr = vec![0usize; m + 1];
        for &i in pattern.row_idx() {
            row_ptr[i + 1] += 1;
        }
        for i in 0..m {
            row_ptr[i + 1] += row_ptr[i];
        }
        let nnz = pattern.row_idx().len();
        let (mut row_col, mut row_pos) = (vec![0usize; nnz], vec![0usize; nnz]);
        let mut next = row_ptr.clone();
        for j in 0..n {
            for p in pattern.col_range(j) {
                let i = pattern.row_idx()[p];
                row_col[next[i]] = j;
                row_pos[next[i]] = p;
                next[i] += 1;
            }
        }
        // Pattern of lower(A'A): column j holds the rows i >= j sharing a row k with j.
        let mut col_ptr = vec![0usize; n + 1];
        let mut rows = Vec::new();
        let mut mark = vec![usize::MAX; n];
        let mut col_rows = Vec::new();
        for j in 0..n {
            col_rows.clear();
            mark[j] = j;
            col_rows.push(j);
            for p in pattern.col_range(j) {
                let k = pattern.row_idx()[p];
                for &i in &row_col[row_ptr[k]..row_ptr[k + 1]] {
                    if i > j && mark[i] != j {
                        mark[i] = j;
                        col_rows.push(i);
                    }
                }
            }
            col_rows.sort_unstable();
            rows.extend_from_slice(&col_rows);
            col_ptr[j + 1] = rows.len();
        }
        let ata = SymbolicSparseColMat::new_checked(n, n, col_ptr, None, rows);
        let chol = SparseCholesky::new(ata.as_ref())?;
        let len = ata.row_idx().len();
        Ok(Self {
            n,
            row_ptr,
            row_col,
            row_pos,
            ata,
            ata_values: vec![0.0; len],
            work: vec![0.0; n],
            rhs: vec![0.0; n],
            chol,
            shift_rel,
            ok: false,
        })
    }

    /// Numeric factorizations of the Cholesky so far.
    pub fn factorizations(&self) -> usize {
        self.chol.numeric_factorizations()
    }

    /// Symbolic analyses of the Cholesky so far (one).
    pub fn symbolic_analyses(&self) -> usize {
        self.chol.symbolic_analyses()
    }

    /// Forms `A'A` for the values of `a` (the pattern given to [`SparseNormalEquations::new`])
    /// and factorizes `A'A + mu I` (module docs).
    pub fn factorize(&mut self, a: SparseColMatRef<'_, usize, f64>) -> Result<(), LeastSquaresFailure> {
        self.ok = false;
        if a.ncols() != self.n || a.nrows() + 1 != self.row_ptr.len() {
            return Err(LeastSquaresFailure::Dimension);
        }
        let val = a.val();
        if !val.iter().all(|v| v.is_finite()) {
            return Err(LeastSquaresFailure::NonFinite);
        }
        let col_ptr = self.ata.col_ptr();
        let row_idx = self.ata.row_idx();
        let mut max_diag = 0.0f64;
        for j in 0..self.n {
            for p in a.symbolic().col_range(j) {
                let k = a.symbolic().row_idx()[p];
                let akj = val[p];
                for t in self.row_ptr[k]..self.row_ptr[k + 1] {
                    let i = self.row_col[t];
                    if i >= j {
                        self.work[i] += akj * val[self.row_pos[t]];
                    }
                }
            }
            for q in col_ptr[j]..col_ptr[j + 1] {
                let i = row_idx[q];
                self.ata_values[q] = self.work[i];
                self.work[i] = 0.0;
            }
            max_diag = max_diag.max(self.ata_values[col_ptr[j]]);
        }
        if !(max_diag > 0.0) {
            return Err(if max_diag == 0.0 { LeastSquaresFailure::Zero } else { LeastSquaresFailure::NonFinite });
        }
        let h = SparseColMatRef::new(self.ata.as_ref(), &self.ata_values);
        let mut shift = self.shift_rel * max_diag;
        for _ in 0..6 {
            if self.chol.factorize(h, shift).is_ok() {
                self.ok = true;
                return Ok(());
            }
            shift *= 100.0;
        }
        Err(LeastSquaresFailure::NotPositiveDefinite)
    }

    /// Solves `(A'A + mu I) x = A'b` for the factorized `a` (which must be the matrix given to
    /// the last [`SparseNormalEquations::factorize`]).
    pub fn solve(
        &mut self,
        a: SparseColMatRef<'_, usize, f64>,
        b: &[f64],
        x: &mut [f64],
    ) -> Result<(), LeastSquaresFailure> {
        if !self.ok {
            return Err(LeastSquaresFailure::NotFactorized);
        }
        if b.len() != a.nrows() || x.len() != self.n {
            return Err(LeastSquaresFailure::Dimension);
        }
        super::sparse::matvec_transpose(a, b, &mut self.rhs);
        self.chol.solve_in_place(&mut self.rhs);
        x.copy_from_slice(&self.rhs);
        if x.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(LeastSquaresFailure::NonFinite)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::lsmr::Lsmr;
    use crate::linalg::norm;
    use faer::sparse::{SparseColMat, Triplet};

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        }
    }

    fn residual(a: MatRef<'_, f64>, x: &[f64], b: &[f64]) -> Vec<f64> {
        (0..a.nrows()).map(|i| b[i] - (0..a.ncols()).map(|j| a[(i, j)] * x[j]).sum::<f64>()).collect()
    }

    fn normal_residual(a: MatRef<'_, f64>, r: &[f64]) -> f64 {
        let atr: Vec<f64> = (0..a.ncols()).map(|j| (0..a.nrows()).map(|i| a[(i, j)] * r[i]).sum()).collect();
        norm(&atr)
    }

    /// The dense QR solution satisfies the normal equations (full rank, m >= n), solves a
    /// consistent underdetermined system, and LSMR (on the same random matrices, through
    /// products only) reaches the same solution for m >= n (unique) and the same residual for
    /// m < n; a sparse copy through the normal equations agrees for m >= n.
    #[test]
    fn dense_qr_lsmr_and_normal_equations_agree_on_random_problems() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for &(m, n) in &[(10, 4), (30, 12), (6, 6), (4, 9), (50, 3), (7, 20)] {
            for _ in 0..5 {
                let a = Mat::<f64>::from_fn(m, n, |_, _| rng.next());
                let b: Vec<f64> = (0..m).map(|_| rng.next()).collect();
                let mut qr = DenseLeastSquares::new(m, n);
                qr.factorize(a.as_ref()).unwrap();
                assert_eq!(qr.rank(), m.min(n));
                let mut x = vec![0.0; n];
                qr.solve(&b, &mut x).unwrap();
                let r = residual(a.as_ref(), &x, &b);
                assert!(normal_residual(a.as_ref(), &r) <= 1e-12 * (1.0 + norm(&b)), "{m}x{n}");
                if m <= n {
                    assert!(norm(&r) <= 1e-12, "{m}x{n}: {}", norm(&r));
                }
                let mut y = vec![0.0; n];
                let mut lsmr = Lsmr::new(m, n);
                let av = |v: &[f64], o: &mut [f64]| super::super::dense::matvec(a.as_ref(), v, o);
                let atu = |u: &[f64], o: &mut [f64]| super::super::dense::matvec_transpose(a.as_ref(), u, o);
                lsmr.solve(av, atu, &b, &mut y, 1e-14, 10 * (m + n));
                let ry = residual(a.as_ref(), &y, &b);
                assert!((norm(&ry) - norm(&r)).abs() <= 1e-9 * (1.0 + norm(&r)), "{m}x{n}");
                if m >= n {
                    for j in 0..n {
                        assert!((x[j] - y[j]).abs() <= 1e-8 * (1.0 + x[j].abs()), "{m}x{n}: {x:?} vs {y:?}");
                    }
                    // Sparse copy (every entry stored) through the normal equations.
                    let t: Vec<_> = (0..n)
                        .flat_map(|j| (0..m).map(move |i| (i, j)))
                        .map(|(i, j)| Triplet::new(i, j, a[(i, j)]))
                        .collect();
                    let s = SparseColMat::try_new_from_triplets(m, n, &t).unwrap();
                    let mut ne = SparseNormalEquations::new(s.symbolic(), 1e-14).unwrap();
                    ne.factorize(s.as_ref()).unwrap();
                    let mut z = vec![0.0; n];
                    ne.solve(s.as_ref(), &b, &mut z).unwrap();
                    for j in 0..n {
                        assert!((x[j] - z[j]).abs() <= 1e-8 * (1.0 + x[j].abs()), "{m}x{n}: {x:?} vs {z:?}");
                    }
                }
            }
        }
    }

    /// A rank-deficient matrix (two equal columns, singular value 0): the QR reports rank
    /// n - 1 and the basic solution still minimizes the residual.
    #[test]
    fn rank_deficient_basic_solution() {
        let a =
            Mat::<f64>::from_fn(
                5,
                3,
                |i, j| if j == 2 { (i as f64).sin() } else { (i as f64 + 1.0).ln() + 0.0 * j as f64 },
            );
        let b = [1.0, -2.0, 0.5, 3.0, 0.25];
        let mut qr = DenseLeastSquares::new(5, 3);
        qr.factorize(a.as_ref()).unwrap();
        assert_eq!(qr.rank(), 2);
        let mut x = [0.0; 3];
        qr.solve(&b, &mut x).unwrap();
        assert!(x.iter().filter(|v| **v == 0.0).count() >= 1, "{x:?}");
        let r = residual(a.as_ref(), &x, &b);
        assert!(normal_residual(a.as_ref(), &r) <= 1e-12, "{x:?}");
        assert!(qr.factorize(Mat::<f64>::zeros(5, 3).as_ref()).is_err());
        let mut nan = Mat::<f64>::zeros(5, 3);
        nan[(1, 1)] = f64::NAN;
        assert_eq!(qr.factorize(nan.as_ref()), Err(LeastSquaresFailure::NonFinite));
    }
}
