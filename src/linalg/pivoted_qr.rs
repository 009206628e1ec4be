//! Householder QR with column pivoting (Businger & Golub 1965) for small dense matrices,
//! and the inverse Gram matrix `(A'A)^{-1} = R^{-1} R^{-T}` (permuted back) built from it.
//!
//! $A P = Q R$ with $|R_{00}| \ge |R_{11}| \ge \dots$: at step $k$ the remaining column of
//! largest norm (below row $k$) is moved to position $k$ and reduced by a Householder
//! reflector. The numerical rank is the number of diagonal entries with
//! $|R_{kk}| > \tau |R_{00}|$ (Golub & Van Loan, *Matrix Computations*, 4th ed., sec. 5.4.2).
//! Column norms are recomputed at each step rather than downdated: the cost stays
//! $O(m n^2)$, like the factorization itself, and there is no cancellation to guard against.
//!
//! Only `R` and the permutation are kept (`Q` is not needed for `(A'A)^{-1}`, since
//! $A'A = P R' R P'$).

use faer::{Mat, MatRef};

/// The `R` factor and column permutation of a column-pivoted QR of an `m x n` matrix, `m >= n`.
#[derive(Clone, Debug)]
pub struct PivotedQr {
    /// `n x n` upper triangular factor (the strict lower part is zero).
    r: Mat<f64>,
    /// `perm[k]` is the column of `A` moved to position `k`.
    perm: Vec<usize>,
}

/// Why [`PivotedQr::factorize`] refused a matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QrInputError {
    /// Fewer rows than columns.
    Wide,
    /// An entry is NaN or infinite (row, column).
    NonFinite(usize, usize),
}

/// `||x||_2` without overflow or underflow in the squares (scaled by the largest entry).
fn scaled_norm(x: impl Iterator<Item = f64> + Clone) -> f64 {
    let big = x.clone().fold(0.0f64, |m, v| m.max(v.abs()));
    if big == 0.0 || !big.is_finite() {
        return big;
    }
    let ss: f64 = x.map(|v| (v / big) * (v / big)).sum();
    big * ss.sqrt()
}

impl PivotedQr {
    /// Factorizes `a` (`m x n`, `m >= n`, every entry finite).
    pub fn factorize(a: MatRef<'_, f64>) -> Result<Self, QrInputError> {
        let (m, n) = (a.nrows(), a.ncols());
        if m < n {
            return Err(QrInputError::Wide);
        }
        for j in 0..n {
            for i in 0..m {
                if !a[(i, j)].is_finite() {
                    return Err(QrInputError::NonFinite(i, j));
                }
            }
        }
        let mut w = a.to_owned();
        let mut perm: Vec<usize> = (0..n).collect();
        let mut v = vec![0.0; m];
        for k in 0..n {
            // Pivot: the remaining column with the largest norm in rows k..m.
            let mut best = k;
            let mut best_norm = -1.0;
            for j in k..n {
                let nj = scaled_norm((k..m).map(|i| w[(i, j)]));
                if nj > best_norm {
                    best_norm = nj;
                    best = j;
                }
            }
            if best != k {
                for i in 0..m {
                    let t = w[(i, k)];
                    w[(i, k)] = w[(i, best)];
                    w[(i, best)] = t;
                }
                perm.swap(k, best);
            }
            let norm = best_norm;
            if norm == 0.0 {
                // The remaining block is zero: R is zero from here on.
                for j in k..n {
                    for i in k..m {
                        w[(i, j)] = 0.0;
                    }
                }
                break;
            }
            // Householder vector v = x - alpha e1 with alpha = -sign(x0) ||x||, so that no
            // cancellation occurs in v[0] = x0 - alpha.
            let x0 = w[(k, k)];
            let alpha = if x0 >= 0.0 { -norm } else { norm };
            for i in k..m {
                v[i] = w[(i, k)];
            }
            v[k] = x0 - alpha;
            // v'v = 2 (||x||^2 - alpha x0) = 2 norm (norm + |x0|); H = I - 2 v v' / (v'v).
            let vtv_half = norm * (norm + x0.abs());
            w[(k, k)] = alpha;
            for i in k + 1..m {
                w[(i, k)] = 0.0;
            }
            for j in k + 1..n {
                let mut s = 0.0;
                for i in k..m {
                    s += v[i] * w[(i, j)];
                }
                let c = s / vtv_half;
                for i in k..m {
                    w[(i, j)] -= c * v[i];
                }
            }
        }
        let mut r = Mat::zeros(n, n);
        for j in 0..n {
            for i in 0..=j {
                r[(i, j)] = w[(i, j)];
            }
        }
        Ok(Self { r, perm })
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.perm.len()
    }

    /// The upper triangular factor `R` (`n x n`), in pivoted column order.
    pub fn r(&self) -> MatRef<'_, f64> {
        self.r.as_ref()
    }

    /// The column permutation: `perm()[k]` is the column of `A` in position `k`.
    pub fn perm(&self) -> &[usize] {
        &self.perm
    }

    /// Numerical rank: the number of `k` with `|R_kk| > tol |R_00|` (the diagonal of `R` is
    /// nonincreasing in magnitude, so these are the leading ones). Zero for a zero matrix.
    pub fn rank(&self, tol: f64) -> usize {
        let n = self.ncols();
        if n == 0 {
            return 0;
        }
        let r00 = self.r[(0, 0)].abs();
        if !(r00 > 0.0) {
            return 0;
        }
        (0..n).take_while(|&k| self.r[(k, k)].abs() > tol * r00).count()
    }

    /// `(A'A)^{-1} = P R^{-1} R^{-T} P'` in the original column order, or `None` if `R` has a
    /// zero diagonal entry or the result is not finite. Call it only after [`rank`](Self::rank)
    /// says the matrix has full column rank to the tolerance the caller wants.
    pub fn inverse_gram(&self) -> Option<Mat<f64>> {
        let n = self.ncols();
        // Rinv: upper triangular inverse of R by back substitution, column by column:
        // R Rinv e_j = e_j.
        let mut rinv = Mat::<f64>::zeros(n, n);
        for j in 0..n {
            for i in (0..=j).rev() {
                let mut s = if i == j { 1.0 } else { 0.0 };
                for l in i + 1..=j {
                    s -= self.r[(i, l)] * rinv[(l, j)];
                }
                let d = self.r[(i, i)];
                if d == 0.0 {
                    return None;
                }
                rinv[(i, j)] = s / d;
            }
        }
        // C = Rinv Rinv' (symmetric): C_ab = sum_{l >= max(a, b)} Rinv_al Rinv_bl.
        let mut out = Mat::<f64>::zeros(n, n);
        for a in 0..n {
            for b in a..n {
                let mut s = 0.0;
                for l in b..n {
                    s += rinv[(a, l)] * rinv[(b, l)];
                }
                if !s.is_finite() {
                    return None;
                }
                let (pa, pb) = (self.perm[a], self.perm[b]);
                out[(pa, pb)] = s;
                out[(pb, pa)] = s;
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64) / ((1u64 << 53) as f64) - 0.5
    }

    #[test]
    fn r_reproduces_the_gram_matrix_and_pivots_are_decreasing() {
        let mut seed = 7;
        let (m, n) = (9, 5);
        let a = Mat::<f64>::from_fn(m, n, |_, j| lcg(&mut seed) * (1.0 + j as f64 * 10.0));
        let qr = PivotedQr::factorize(a.as_ref()).unwrap();
        let r = qr.r();
        for k in 1..n {
            assert!(r[(k, k)].abs() <= r[(k - 1, k - 1)].abs() * (1.0 + 1e-14));
        }
        // (AP)'(AP) = R'R.
        for a_ in 0..n {
            for b in 0..n {
                let (pa, pb) = (qr.perm()[a_], qr.perm()[b]);
                let ata: f64 = (0..m).map(|i| a[(i, pa)] * a[(i, pb)]).sum();
                let rtr: f64 = (0..n).map(|l| r[(l, a_)] * r[(l, b)]).sum();
                assert!((ata - rtr).abs() <= 1e-12 * (1.0 + ata.abs()), "{ata} vs {rtr}");
            }
        }
        assert_eq!(qr.rank(1e-12), n);
    }

    #[test]
    fn zero_and_dependent_columns_lower_the_rank() {
        let a = Mat::<f64>::from_fn(6, 3, |i, j| match j {
            0 => i as f64 + 1.0,
            1 => 2.0 * (i as f64 + 1.0),
            _ => (i * i) as f64,
        });
        let qr = PivotedQr::factorize(a.as_ref()).unwrap();
        assert_eq!(qr.rank(1e-12), 2);
        let z = Mat::<f64>::zeros(4, 2);
        assert_eq!(PivotedQr::factorize(z.as_ref()).unwrap().rank(1e-12), 0);
        assert_eq!(PivotedQr::factorize(Mat::<f64>::zeros(2, 3).as_ref()).unwrap_err(), QrInputError::Wide);
        let mut b = Mat::<f64>::zeros(3, 2);
        b[(2, 1)] = f64::NAN;
        assert_eq!(PivotedQr::factorize(b.as_ref()).unwrap_err(), QrInputError::NonFinite(2, 1));
    }
}
