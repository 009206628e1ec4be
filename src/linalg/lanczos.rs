//! Lanczos with full reorthogonalization: an estimate of the leftmost eigenpair of a symmetric
//! matrix known only through products `v -> Av`.
//!
//! # Method
//!
//! From a unit start vector `v_0`, the Lanczos process builds an orthonormal basis
//! `V_k = [v_0, ..., v_{k-1}]` of the Krylov space `span{v_0, A v_0, ..., A^{k-1} v_0}` and the
//! symmetric tridiagonal `T_k = V_k'AV_k` (diagonal `alpha_j = v_j'Av_j`, off-diagonal
//! `beta_j = ||w_j||` coupling `j` and `j + 1`) by
//!
//! ```text
//! w_j = A v_j - sum_{i <= j} (v_i'A v_j) v_i,     v_{j+1} = w_j / beta_j.
//! ```
//!
//! The sum is the full reorthogonalization against every stored vector, by classical
//! Gram-Schmidt applied twice ("twice is enough", Giraud, Langou & Rozloznik 2005), which in
//! exact arithmetic leaves the three-term recurrence and in floating point keeps the basis
//! orthogonal, so that no spurious copies of converged Ritz values appear (Golub & Van Loan
//! 2013, sec. 10.1; Parlett 1998, ch. 13). The process stops after `k` steps or when
//! `beta_j <= 1e-12 (|alpha_j| + beta_j)` (an invariant subspace). The leftmost eigenpair
//! `(theta, y)` of `T_k` ([`super::tridiagonal::leftmost_eigenpair`]) gives the Ritz vector
//! `z = V_k y` (normalized), whose Rayleigh quotient `rq = z'Az` bounds the leftmost
//! eigenvalue of `A` from above.
//!
//! The start is a fixed pseudo-random vector (SplitMix64, Steele, Lea & Flood 2014), so that
//! it is not orthogonal to the leftmost eigenvector for any structural reason (a start taken
//! from the problem's data can be), and the estimate is reproducible.
//!
//! References:
//! 1. G. H. Golub, C. F. Van Loan, Matrix Computations, 4th ed., Johns Hopkins (2013),
//!    sec. 10.1 (Lanczos).
//! 2. B. N. Parlett, The Symmetric Eigenvalue Problem, SIAM (1998), ch. 13.
//! 3. L. Giraud, J. Langou, M. Rozloznik, The loss of orthogonality in the Gram-Schmidt
//!    orthogonalization process, Comput. Math. Appl. 50 (2005) 1069-1075.
//! 4. G. L. Steele, D. Lea, C. H. Flood, Fast splittable pseudorandom number generators,
//!    OOPSLA 2014.

use super::tridiagonal::leftmost_eigenpair;
use super::{dot, norm, normalize};

/// What [`Lanczos::leftmost`] found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LeftmostRitz {
    /// No usable vector: `n = 0`, a non-finite product, or a Ritz vector that is zero or not
    /// finite.
    Failed,
    /// A unit vector without a Rayleigh quotient: the start vector itself when no Lanczos step
    /// is allowed (`steps = 0`), or a Ritz vector whose Rayleigh quotient is not finite.
    Vector,
    /// A unit Ritz vector and its Rayleigh quotient `rq >= lambda_1(A)`.
    Pair(f64),
}

/// Workspace of [`Lanczos::leftmost`]: the basis (`steps` vectors of length `n`), `T` and
/// scratch, allocated once in [`Lanczos::new`].
#[derive(Clone, Debug)]
pub struct Lanczos {
    /// The basis, column after column.
    basis: Vec<f64>,
    /// `T`: `diag[j]`, and `off[j]` coupling `j - 1` and `j` (`off[0]` unused).
    diag: Vec<f64>,
    off: Vec<f64>,
    /// The eigenvector of `T` and the pivots of its inverse iteration.
    y: Vec<f64>,
    d: Vec<f64>,
    /// Scratch of length `n` (the products).
    work: Vec<f64>,
}

impl Lanczos {
    /// Buffers for at most `min(steps, n)` Lanczos steps on vectors of length `n`.
    pub fn new(n: usize, steps: usize) -> Self {
        let k = steps.min(n);
        Self {
            basis: vec![0.0; n * k],
            diag: vec![0.0; k],
            off: vec![0.0; k + 1],
            y: vec![0.0; k],
            d: vec![0.0; k],
            work: vec![0.0; n],
        }
    }

    /// The dimension `n` of the vectors.
    pub fn dim(&self) -> usize {
        self.work.len()
    }

    /// Estimates the leftmost eigenpair of the symmetric `A` given by `apply(v, out)`
    /// (`out <- A v`), with at most `min(steps, n)` products plus one for the Rayleigh
    /// quotient. The unit vector goes into `ritz` (length `n`) unless the result is
    /// [`LeftmostRitz::Failed`].
    pub fn leftmost(&mut self, mut apply: impl FnMut(&[f64], &mut [f64]), ritz: &mut [f64]) -> LeftmostRitz {
        let n = self.work.len();
        if n == 0 {
            return LeftmostRitz::Failed;
        }
        let k = self.basis.len() / n;
        if k == 0 {
            pseudo_random(ritz);
            normalize(ritz);
            return LeftmostRitz::Vector;
        }
        pseudo_random(&mut self.basis[..n]);
        normalize(&mut self.basis[..n]);
        let mut m = 0;
        for j in 0..k {
            m = j + 1;
            let (done, rest) = self.basis.split_at_mut((j + 1) * n);
            let vj = &done[j * n..];
            apply(vj, &mut self.work);
            let a = dot(vj, &self.work);
            self.diag[j] = a;
            // Full reorthogonalization against every basis vector (classical Gram-Schmidt,
            // twice).
            for _ in 0..2 {
                for i in 0..=j {
                    let vi = &done[i * n..(i + 1) * n];
                    let c = dot(vi, &self.work);
                    for (w, &v) in self.work.iter_mut().zip(vi) {
                        *w -= c * v;
                    }
                }
            }
            let b = norm(&self.work);
            self.off[j + 1] = b;
            if !(a.is_finite() && b.is_finite()) {
                return LeftmostRitz::Failed;
            }
            if j + 1 == k || b <= 1e-12 * (a.abs() + b).max(f64::MIN_POSITIVE) {
                // Cap reached, or an invariant subspace (breakdown).
                break;
            }
            let next = &mut rest[..n];
            let inv = 1.0 / b;
            for (v, &w) in next.iter_mut().zip(&self.work) {
                *v = w * inv;
            }
        }
        leftmost_eigenpair(&self.diag[..m], &self.off[..m], &mut self.y[..m], &mut self.d[..m]);
        ritz.iter_mut().for_each(|v| *v = 0.0);
        for (i, &yi) in self.y[..m].iter().enumerate() {
            for (z, &v) in ritz.iter_mut().zip(&self.basis[i * n..(i + 1) * n]) {
                *z += yi * v;
            }
        }
        let nz = normalize(ritz);
        if !(nz > 0.0 && nz.is_finite()) {
            return LeftmostRitz::Failed;
        }
        apply(ritz, &mut self.work);
        let rq = dot(ritz, &self.work);
        if rq.is_finite() {
            LeftmostRitz::Pair(rq)
        } else {
            LeftmostRitz::Vector
        }
    }
}

/// A fixed pseudo-random vector with entries in `[-1/2, 1/2)` (SplitMix64, Steele, Lea & Flood
/// 2014).
fn pseudo_random(x: &mut [f64]) {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for v in x.iter_mut() {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        *v = (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64) - 0.5;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `A = diag(d)` as a product.
    fn diagonal(d: &[f64]) -> impl FnMut(&[f64], &mut [f64]) + '_ {
        move |v, out| {
            for ((o, &vi), &di) in out.iter_mut().zip(v).zip(d) {
                *o = di * vi;
            }
        }
    }

    #[test]
    fn finds_the_leftmost_eigenpair_of_a_diagonal_matrix() {
        let n = 40;
        let d: Vec<f64> = (0..n).map(|i| if i == 17 { -3.0 } else { 1.0 + i as f64 / 10.0 }).collect();
        let mut lanczos = Lanczos::new(n, 30);
        let mut z = vec![0.0; n];
        let mut products = 0;
        let mut apply = diagonal(&d);
        let found = lanczos.leftmost(
            |v, out| {
                products += 1;
                apply(v, out)
            },
            &mut z,
        );
        let LeftmostRitz::Pair(rq) = found else { panic!("{found:?}") };
        assert!((-3.0 - 1e-12..=-3.0 + 1e-8).contains(&rq), "{rq}");
        assert!((norm(&z) - 1.0).abs() <= 1e-14);
        assert!(z[17].abs() >= 1.0 - 1e-6, "{}", z[17]);
        assert!(products <= 31);
    }

    #[test]
    fn an_invariant_start_space_stops_early_and_no_steps_give_the_start_vector() {
        // A = 2 I: the Krylov space of any start is one-dimensional.
        let d = vec![2.0; 8];
        let mut lanczos = Lanczos::new(8, 5);
        let mut z = vec![0.0; 8];
        let mut products = 0;
        let mut apply = diagonal(&d);
        let found = lanczos.leftmost(
            |v, out| {
                products += 1;
                apply(v, out)
            },
            &mut z,
        );
        assert!(matches!(found, LeftmostRitz::Pair(rq) if (rq - 2.0).abs() <= 1e-14), "{found:?}");
        assert_eq!(products, 2);
        let mut none = Lanczos::new(8, 0);
        assert_eq!(none.leftmost(diagonal(&d), &mut z), LeftmostRitz::Vector);
        assert!((norm(&z) - 1.0).abs() <= 1e-14);
        assert_eq!(Lanczos::new(0, 3).leftmost(|_, _| {}, &mut []), LeftmostRitz::Failed);
    }

    #[test]
    fn a_non_finite_product_fails() {
        let mut lanczos = Lanczos::new(5, 3);
        let mut z = vec![0.0; 5];
        let found = lanczos.leftmost(|_, out| out.iter_mut().for_each(|o| *o = f64::NAN), &mut z);
        assert_eq!(found, LeftmostRitz::Failed);
    }
}
