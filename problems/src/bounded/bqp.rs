//! CVXBQP1 (CVXBQP1.SIF) and NCVXBQP1, NCVXBQP2, NCVXBQP3 (S2MPJ translations of
//! NCVXBQP*.SIF): bound-constrained quadratics whose groups square the sum of three variables.

use super::{BoundedElements, S2MPJ};
use crate::cutest::{Cutest, MAX_ELEMENT_VARS};
use crate::mgh::Scalar;

/// CVXBQP1 and NCVXBQP1-3 (N. Gould, July 1995): with `j(i) = mod(2i - 1, N) + 1` and
/// `k(i) = mod(3i - 1, N) + 1`, one group per `i` of type SQR (`0.5 P alpha^2`) on the linear
/// form `alpha_i = x_i + x_{j(i)} + x_{k(i)}` (coefficients of a repeated variable add up, as
/// the SIF decoder and S2MPJ do: `alpha_N = 3 x_N`):
///
/// `f = sum_{i=1}^{N} 0.5 p_i (x_i + x_{j(i)} + x_{k(i)})^2`,
///
/// `p_i = i` for `i <= N+` and `p_i = -i` beyond, `N+ = N` (CVXBQP1, convex), `N / 4`
/// (NCVXBQP1), `N / 2` (NCVXBQP2), `3 (N / 4)` (NCVXBQP3), integer divisions. Bounds
/// `0.1 <= x_i <= 10`; x0 = (0.5, ..., 0.5). f* (SIF, at N = 100 only): 227.25 (CVXBQP1),
/// -1.99558e6, -1.33305e6, -6.60133e5 (NCVXBQP1-3). Listed sizes N = 100000 (CVXBQP1) and
/// 10000 (NCVXBQP*); any `N >= 1`.
#[derive(Clone, Copy, Debug)]
pub struct Bqp {
    /// 0 for CVXBQP1, 1-3 for NCVXBQP1-3.
    variant: u8,
    n: usize,
    nplus: usize,
}

impl Bqp {
    /// CVXBQP1 at `N = n`; `None` for `n = 0`.
    pub fn cvxbqp1(n: usize) -> Option<Self> {
        (n >= 1).then_some(Self { variant: 0, n, nplus: n })
    }

    /// NCVXBQP`variant` (1, 2 or 3) at `N = n`; `None` for `n = 0` or another variant.
    pub fn ncvxbqp(variant: u8, n: usize) -> Option<Self> {
        let nplus = match variant {
            1 => n / 4,
            2 => n / 2,
            3 => (n / 4) * 3,
            _ => return None,
        };
        (n >= 1).then_some(Self { variant, n, nplus })
    }

    /// The three (not necessarily distinct) variables of group `e` (0-based).
    #[inline]
    fn triple(&self, e: usize) -> [usize; 3] {
        [e, (2 * e + 1) % self.n, (3 * e + 2) % self.n]
    }
}

impl Cutest for Bqp {
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.5; self.n]
    }
    fn elements(&self) -> usize {
        self.n
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        let mut k = 0;
        for v in self.triple(e) {
            if !vars[..k].contains(&v) {
                vars[k] = v;
                k += 1;
            }
        }
        k
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        // The distinct variables in first-occurrence order, as `element_vars` lists them;
        // a repeated variable enters alpha once per occurrence.
        let t = self.triple(e);
        let pos1 = usize::from(t[1] != t[0]);
        let pos2 = if t[2] == t[0] {
            0
        } else if t[2] == t[1] {
            pos1
        } else {
            pos1 + 1
        };
        let alpha = xs[0] + xs[pos1] + xs[pos2];
        let i = (e + 1) as f64;
        let p = if e < self.nplus { i } else { -i };
        alpha * alpha * (0.5 * p)
    }
}

impl BoundedElements for Bqp {
    fn name(&self) -> &'static str {
        ["CVXBQP1", "NCVXBQP1", "NCVXBQP2", "NCVXBQP3"][self.variant as usize]
    }
    fn source(&self) -> &'static str {
        match self.variant {
            0 => "CUTEst CVXBQP1.SIF (N. Gould 1995; ralna/SIF)",
            _ => S2MPJ,
        }
    }
    fn f_star(&self) -> Option<f64> {
        (self.n == 100).then_some([227.25, -1.99558e6, -1.33305e6, -6.60133e5][self.variant as usize])
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.1; self.n], vec![10.0; self.n])
    }
}
