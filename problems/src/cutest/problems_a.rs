//! CUTEst problems, batch A (written as element sums; see the module docs of [`super`]).

use super::{Cutest, MAX_ELEMENT_VARS};
use crate::mgh::Scalar;

/// ROSENBR: Rosenbrock's function, n = 2, `f = 100 (x2 - x1^2)^2 + (1 - x1)^2`;
/// x0 = (-1.2, 1); f* = 0 at (1, 1). SIF: ROSENBR.SIF (CUTEst), Rosenbrock (1960).
#[derive(Clone, Copy, Debug, Default)]
pub struct Rosenbr;

impl Cutest for Rosenbr {
    fn name(&self) -> &'static str {
        "ROSENBR"
    }
    fn n(&self) -> usize {
        2
    }
    fn x0(&self) -> Vec<f64> {
        vec![-1.2, 1.0]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst ROSENBR.SIF; H. H. Rosenbrock, Computer J. 3 (1960) 175-184"
    }
    fn elements(&self) -> usize {
        2
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        if e == 0 {
            vars[0] = 0;
            vars[1] = 1;
            2
        } else {
            vars[0] = 0;
            1
        }
    }
    fn element<D: Scalar>(&self, e: usize, xs: &[D]) -> D {
        if e == 0 {
            let t = xs[1] - xs[0] * xs[0];
            t * t * 100.0
        } else {
            let t = -xs[0] + 1.0;
            t * t
        }
    }
}

/// ARWHEAD: arrowhead function, `f = sum_{i<n} (-4 x_i + 3) + sum_{i<n} (x_i^2 + x_n^2)^2`;
/// x0 = (1, ..., 1); f* = 0 at (1, ..., 1, 0). Any n >= 2 (listed size 5000).
/// SIF: ARWHEAD.SIF; A. R. Conn, N. I. M. Gould, M. Lescrenier, Ph. L. Toint (1994), problem 55.
#[derive(Clone, Copy, Debug)]
pub struct Arwhead {
    n: usize,
}

impl Arwhead {
    /// `None` for `n < 2`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 2).then_some(Self { n })
    }
}

impl Cutest for Arwhead {
    fn name(&self) -> &'static str {
        "ARWHEAD"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![1.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst ARWHEAD.SIF; Conn, Gould, Lescrenier & Toint, Performance of a multifrontal scheme for partially separable optimization (1994), problem 55"
    }
    fn elements(&self) -> usize {
        self.n - 1
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        vars[1] = self.n - 1;
        2
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        let q = xs[0] * xs[0] + xs[1] * xs[1];
        q * q - xs[0] * 4.0 + 3.0
    }
}

/// DQDRTIC: diagonal quadratic, `f = sum_{i <= n-2} (x_i^2 + 100 x_{i+1}^2 + 100 x_{i+2}^2)`;
/// x0 = (3, ..., 3); f* = 0 at 0. Any n >= 3 (listed size 5000).
/// SIF: DQDRTIC.SIF; Ph. L. Toint, Test problems for partially separable optimization (1983), problem 22.
#[derive(Clone, Copy, Debug)]
pub struct Dqdrtic {
    n: usize,
}

impl Dqdrtic {
    /// `None` for `n < 3`.
    pub fn new(n: usize) -> Option<Self> {
        (n >= 3).then_some(Self { n })
    }
}

impl Cutest for Dqdrtic {
    fn name(&self) -> &'static str {
        "DQDRTIC"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn x0(&self) -> Vec<f64> {
        vec![3.0; self.n]
    }
    fn f_star(&self) -> Option<f64> {
        Some(0.0)
    }
    fn source(&self) -> &'static str {
        "CUTEst DQDRTIC.SIF; Ph. L. Toint, Test problems for partially separable optimization (1983), problem 22"
    }
    fn elements(&self) -> usize {
        self.n - 2
    }
    fn element_vars(&self, e: usize, vars: &mut [usize; MAX_ELEMENT_VARS]) -> usize {
        vars[0] = e;
        vars[1] = e + 1;
        vars[2] = e + 2;
        3
    }
    fn element<D: Scalar>(&self, _e: usize, xs: &[D]) -> D {
        xs[0] * xs[0] + xs[1] * xs[1] * 100.0 + xs[2] * xs[2] * 100.0
    }
}
