//! Symmetric tridiagonal matrices: the `LDL'` factorization of a shifted matrix and solves with
//! it, Sturm counts, the leftmost eigenvalue by bisection and its eigenvector by inverse
//! iteration.
//!
//! # Convention
//!
//! `T` is given by its diagonal `diag[0..m]` and its off-diagonal `off`, where `off[j]` couples
//! rows `j - 1` and `j` (`off[0]` is never read, `off.len() >= m`).
//!
//! # Equations
//!
//! Elimination without pivoting gives `T + shift I = L D L'`, `L` unit lower bidiagonal with
//! `l_j = off[j] / d_{j-1}` and the pivots
//!
//! ```text
//! d_0 = diag[0] + shift,     d_j = (diag[j] + shift) - off[j]^2 / d_{j-1}.                      (1)
//! ```
//!
//! `T + shift I` is positive definite exactly when every pivot is positive. By Sylvester's law of
//! inertia the number of negative pivots of `T - sigma I` is the number of eigenvalues of `T`
//! below `sigma` (the Sturm count), which bisection turns into the leftmost eigenvalue
//! (Golub & Van Loan 2013, sec. 8.4; Parlett 1998). A solve with `L D L'` costs `O(m)`, and
//! inverse iteration with `T - sigma I` for `sigma` just below the leftmost eigenvalue gives its
//! eigenvector (Golub & Van Loan 2013, sec. 8.2.2).
//!
//! # Two evaluations
//!
//! The term `off[j]^2 / d_{j-1}` of (1) is evaluated in one of two orders ([`Coupling`]), and a
//! Sturm count replaces a pivot too close to zero in one of two ways ([`SmallPivot`]).
//! [`leftmost_eigenvalue`] and [`leftmost_eigenpair`] were written separately, with different
//! choices and different bisection brackets, and each keeps its own so that the results of
//! their callers stay the same to the last bit; settling on one is a change of results, to be
//! measured before it is made.
//!
//! References:
//! 1. G. H. Golub, C. F. Van Loan, Matrix Computations, 4th ed., Johns Hopkins (2013),
//!    sec. 8.4 (tridiagonal eigenproblem by bisection) and 8.2.2 (inverse iteration).
//! 2. B. N. Parlett, The Symmetric Eigenvalue Problem, SIAM (1998) (Sturm counts of a
//!    tridiagonal, bisection).

use super::normalize;

/// How the term `off[j]^2 / d_{j-1}` of the pivot recurrence (1) is evaluated. The two orders
/// round differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coupling {
    /// `off[j] * (off[j] / d_{j-1})`: `off[j]^2` is never formed, so it cannot overflow.
    Quotient,
    /// `(off[j] * off[j]) / d_{j-1}`.
    Square,
}

impl Coupling {
    #[inline]
    fn term(self, t: f64, d: f64) -> f64 {
        match self {
            Coupling::Quotient => t * (t / d),
            Coupling::Square => t * t / d,
        }
    }
}

/// What a Sturm count does with a pivot too close to zero (the next pivot divides by it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SmallPivot {
    /// A pivot with `|d| < pivmin` (or NaN) becomes `-pivmin`.
    Below(f64),
    /// A pivot exactly zero becomes the given value (negative: it counts as below).
    Zero(f64),
}

impl SmallPivot {
    #[inline]
    fn guard(self, d: f64) -> f64 {
        match self {
            SmallPivot::Below(pivmin) => {
                if !(d.abs() >= pivmin) {
                    -pivmin
                } else {
                    d
                }
            }
            SmallPivot::Zero(value) => {
                if d == 0.0 {
                    value
                } else {
                    d
                }
            }
        }
    }
}

/// `LDL'` of `T + shift I` by (1): the pivots into `piv[..m]`. Returns whether every pivot is
/// positive and finite (then `T + shift I` is positive definite); all `m` pivots are written
/// either way.
pub fn factor(diag: &[f64], off: &[f64], shift: f64, coupling: Coupling, piv: &mut [f64]) -> bool {
    let m = diag.len();
    debug_assert!(off.len() >= m && piv.len() >= m);
    let mut definite = true;
    let mut prev = 1.0;
    for j in 0..m {
        let d = if j == 0 { diag[0] + shift } else { diag[j] + shift - coupling.term(off[j], prev) };
        definite &= d > 0.0 && d.is_finite();
        piv[j] = d;
        prev = d;
    }
    definite
}

/// `x <- (L D L')^{-1} x` with the pivots of [`factor`] (`m = x.len()`).
pub fn solve_factored(off: &[f64], piv: &[f64], x: &mut [f64]) {
    let m = x.len();
    for j in 1..m {
        x[j] -= off[j] / piv[j - 1] * x[j - 1];
    }
    for j in 0..m {
        x[j] /= piv[j];
    }
    for j in (0..m.saturating_sub(1)).rev() {
        x[j] -= off[j + 1] / piv[j] * x[j + 1];
    }
}

/// Number of eigenvalues of `T` below `sigma`: the negative pivots of `T - sigma I` by (1),
/// with a pivot close to zero replaced as `small` says.
pub fn count_below(diag: &[f64], off: &[f64], sigma: f64, coupling: Coupling, small: SmallPivot) -> usize {
    let mut count = 0;
    let mut d = 1.0;
    for j in 0..diag.len() {
        d = diag[j] - sigma - if j > 0 { coupling.term(off[j], d) } else { 0.0 };
        d = small.guard(d);
        if d < 0.0 {
            count += 1;
        }
    }
    count
}

/// Bisection for the leftmost eigenvalue in `[lo, hi]` (`below(lo)` false, `below(hi)` true):
/// halves the bracket until its midpoint is no longer strictly inside or its width is at most
/// `width(lo, hi)` (at most 200 halvings). Returns the final `lo`.
fn bisect(mut lo: f64, mut hi: f64, width: impl Fn(f64, f64) -> f64, below: impl Fn(f64) -> bool) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if !(mid > lo && mid < hi) || hi - lo <= width(lo, hi) {
            break;
        }
        if below(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    lo
}

/// A lower bound `theta` on the leftmost eigenvalue of `T` within a few ulps, so that
/// `T - (theta - eps) I` is positive definite: bisection on Sturm counts
/// ([`Coupling::Quotient`], [`SmallPivot::Below`] with `pivmin = MIN_POSITIVE max(1, max_j |off[j]|)^2`)
/// between the Gershgorin lower bound `min_j (diag[j] - |off[j]| - |off[j+1]|)` and
/// `min_j diag[j]` (a Rayleigh quotient), down to a relative width `4 eps`.
pub fn leftmost_eigenvalue(diag: &[f64], off: &[f64]) -> f64 {
    let m = diag.len();
    let mut lo = f64::INFINITY;
    let mut hi = f64::INFINITY;
    let mut offmax = 0.0f64;
    for j in 0..m {
        let left = if j > 0 { off[j].abs() } else { 0.0 };
        let right = if j + 1 < m { off[j + 1].abs() } else { 0.0 };
        lo = lo.min(diag[j] - left - right);
        hi = hi.min(diag[j]);
        offmax = offmax.max(left);
    }
    let small = SmallPivot::Below(f64::MIN_POSITIVE * offmax.max(1.0) * offmax.max(1.0));
    bisect(
        lo,
        hi,
        |lo, hi| 4.0 * f64::EPSILON * lo.abs().max(hi.abs()),
        |mid| count_below(diag, off, mid, Coupling::Quotient, small) >= 1,
    )
}

/// The leftmost eigenvalue `theta` of `T` (`m = diag.len() >= 1`) and a unit eigenvector in `y`.
///
/// Bisection on Sturm counts ([`Coupling::Square`], [`SmallPivot::Zero`] with
/// `-eps scale`) in the Gershgorin interval widened by `eps scale` on each side (`scale` the
/// larger magnitude of its ends), down to an absolute width `4 eps scale`; then three steps of
/// inverse iteration from the vector of ones with `T - (theta - 1e-10 scale) I` (pivots in `d`,
/// scratch of length `m`). Golub & Van Loan (2013), sec. 8.4.1 and 8.2.2.
pub fn leftmost_eigenpair(diag: &[f64], off: &[f64], y: &mut [f64], d: &mut [f64]) -> f64 {
    let m = diag.len();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in 0..m {
        let r = if i > 0 { off[i].abs() } else { 0.0 } + if i + 1 < m { off[i + 1].abs() } else { 0.0 };
        lo = lo.min(diag[i] - r);
        hi = hi.max(diag[i] + r);
    }
    let scale = lo.abs().max(hi.abs()).max(f64::MIN_POSITIVE);
    let small = SmallPivot::Zero(-f64::EPSILON * scale);
    // Invariant: no eigenvalue below lo, at least one below hi.
    hi += f64::EPSILON * scale;
    lo -= f64::EPSILON * scale;
    let theta = bisect(
        lo,
        hi,
        |_, _| 4.0 * f64::EPSILON * scale,
        |mid| count_below(diag, off, mid, Coupling::Square, small) != 0,
    );
    // T - sigma I is positive definite for sigma below theta.
    let sigma = theta - 1e-10 * scale;
    factor(diag, off, -sigma, Coupling::Square, d);
    y.iter_mut().for_each(|v| *v = 1.0);
    for _ in 0..3 {
        solve_factored(off, &d[..m], &mut y[..m]);
        normalize(y);
    }
    theta
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::norm;

    /// `tridiag(-1, 2, -1)` of order `m`: eigenvalues `2 - 2 cos(j pi / (m + 1))`.
    fn laplacian(m: usize) -> (Vec<f64>, Vec<f64>) {
        let mut off = vec![-1.0; m];
        off[0] = 0.0;
        (vec![2.0; m], off)
    }

    #[test]
    fn sturm_bisection_finds_the_leftmost_eigenvalue() {
        let (diag, off) = laplacian(10);
        let theta = leftmost_eigenvalue(&diag, &off);
        let exact = 2.0 - 2.0 * (std::f64::consts::PI / 11.0).cos();
        assert!((theta - exact).abs() <= 1e-14, "{theta} vs {exact}");
        assert!(factor(&diag, &off, -theta + 1e-13, Coupling::Quotient, &mut [0.0; 10]));
        assert!(!factor(&diag, &off, -theta - 1e-10, Coupling::Quotient, &mut [0.0; 10]));
    }

    #[test]
    fn sturm_counts_match_the_spectrum() {
        let (diag, off) = laplacian(7);
        let eig = |j: usize| 2.0 - 2.0 * (j as f64 * std::f64::consts::PI / 8.0).cos();
        for coupling in [Coupling::Quotient, Coupling::Square] {
            for small in [SmallPivot::Below(1e-300), SmallPivot::Zero(-1e-300)] {
                assert_eq!(count_below(&diag, &off, eig(1) - 1e-9, coupling, small), 0);
                for j in 1..=7 {
                    assert_eq!(count_below(&diag, &off, eig(j) + 1e-9, coupling, small), j);
                }
            }
        }
    }

    #[test]
    fn leftmost_eigenpair_satisfies_the_eigen_equation() {
        // An indefinite T with distinct off-diagonal entries.
        let diag = [1.0, -2.0, 0.5, 3.0, -1.0, 2.0];
        let off = [0.0, 0.7, -1.3, 0.4, 2.1, -0.6];
        let (mut y, mut d) = ([0.0; 6], [0.0; 6]);
        let theta = leftmost_eigenpair(&diag, &off, &mut y, &mut d);
        assert!((norm(&y) - 1.0).abs() <= 1e-14);
        // ||T y - theta y|| is small.
        for j in 0..6 {
            let mut t = diag[j] * y[j] - theta * y[j];
            if j > 0 {
                t += off[j] * y[j - 1];
            }
            if j + 1 < 6 {
                t += off[j + 1] * y[j + 1];
            }
            assert!(t.abs() <= 1e-8, "row {j}: {t}");
        }
        // The same eigenvalue as the other bisection, to a few ulps of the spectrum's scale.
        let other = leftmost_eigenvalue(&diag, &off);
        assert!((theta - other).abs() <= 1e-13 * theta.abs(), "{theta} vs {other}");
    }

    #[test]
    fn solve_inverts_the_factorization() {
        let diag = [4.0, 5.0, 6.0, 7.0];
        let off = [0.0, 1.0, -2.0, 0.5];
        let mut piv = [0.0; 4];
        assert!(factor(&diag, &off, 0.25, Coupling::Quotient, &mut piv));
        let b = [1.0, -1.0, 2.0, 0.5];
        let mut x = b;
        solve_factored(&off, &piv, &mut x);
        for j in 0..4 {
            let mut t = (diag[j] + 0.25) * x[j];
            if j > 0 {
                t += off[j] * x[j - 1];
            }
            if j + 1 < 4 {
                t += off[j + 1] * x[j + 1];
            }
            assert!((t - b[j]).abs() <= 1e-14, "row {j}");
        }
    }
}
