//! Large bounded systems for scale: Broyden tridiagonal and banded in a box, 2-D Bratu with
//! `u >= 0` (sparse, any `n = N^2`, tested at `n = 10^6`), Chandrasekhar's H-equation with
//! `H >= 0` (dense Jacobian, moderate `n`).

use trust_region::problem::Bounds;

use super::System;
use crate::mgh::{cst, BroydenBanded, BroydenTridiagonal, Mgh, Scalar};

/// Broyden's tridiagonal system in the box `[-1, 0]^n`.
///
/// ```text
/// F_i = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1,   x_0 = x_{n+1} = 0
/// ```
///
/// any n >= 1 (default 1000 in [`super::suite`]); box `[-1, 0]^n`. The residuals and Jacobian
/// are MGH problem 30 (code shared with [`crate::mgh::BroydenTridiagonal`]); Jacobian
/// tridiagonal, 3n - 2 entries. Root in the box: the root reached by Newton's method from the
/// MGH start (-1, ..., -1), which Newton's method also reaches from the three quarter points
/// -0.75, -0.5, -0.25. Its components lie in [-0.7072, -0.4164] for n >= 10 (interior value
/// `-1/sqrt(2)`, the negative root of `1 - 2t^2` for constant `x`; -0.2808 for n = 1), strictly
/// inside the box, which the tests check for n = 1, 2, 10, 1000 and 10^4. No closed form; none
/// stored.
/// Source: C. G. Broyden, *A class of methods for solving nonlinear simultaneous equations*,
/// Math. Comp. 19 (1965) 577-593; More, Garbow & Hillstrom (1981) problem 30.
#[derive(Clone, Debug)]
pub struct BroydenTridiagonalBox {
    inner: BroydenTridiagonal,
}

impl BroydenTridiagonalBox {
    /// The system with `n` unknowns, or `None` if `n = 0`.
    pub fn try_new(n: usize) -> Option<Self> {
        BroydenTridiagonal::try_new(n).map(|inner| Self { inner })
    }
}

impl System for BroydenTridiagonalBox {
    fn name(&self) -> &'static str {
        "broyden_tridiagonal_box"
    }
    fn title(&self) -> &'static str {
        "Broyden tridiagonal in [-1, 0]^n"
    }
    fn source(&self) -> &'static str {
        "Broyden, Math. Comp. 19 (1965); More, Garbow & Hillstrom (1981) problem 30; box [-1, 0]^n"
    }
    fn n(&self) -> usize {
        Mgh::n(&self.inner)
    }
    fn bounds(&self) -> Bounds {
        Bounds { lower: vec![-1.0; self.n()], upper: vec![0.0; self.n()] }
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        Mgh::residuals(&self.inner, x, r);
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        Mgh::jacobian(&self.inner, x, emit);
    }
}

/// Broyden's banded system in the box `[-1, 0]^n`.
///
/// ```text
/// F_i = x_i (2 + 5 x_i^2) + 1 - sum_{j in J_i} x_j (1 + x_j),
/// J_i = { j != i : max(1, i - 5) <= j <= min(n, i + 1) }
/// ```
///
/// any n >= 1 (default 1000 in [`super::suite`]); box `[-1, 0]^n`. Residuals and Jacobian are
/// MGH problem 31 (code shared with [`crate::mgh::BroydenBanded`]); Jacobian banded with lower
/// bandwidth 5 and upper bandwidth 1, at most 7n entries. Root in the box: the root reached by
/// Newton's method from the MGH start (-1, ..., -1), with components in [-0.6246, -0.4283] for
/// n >= 10 (-0.3717 for n = 1), strictly inside the box (checked by the tests for n = 1, 2, 10,
/// 1000 and 10^4). No closed form; none stored.
/// Source: C. G. Broyden, *The convergence of an algorithm for solving sparse nonlinear
/// systems*, Math. Comp. 25 (1971) 285-294; More, Garbow & Hillstrom (1981) problem 31.
#[derive(Clone, Debug)]
pub struct BroydenBandedBox {
    inner: BroydenBanded,
}

impl BroydenBandedBox {
    /// The system with `n` unknowns, or `None` if `n = 0`.
    pub fn try_new(n: usize) -> Option<Self> {
        BroydenBanded::try_new(n).map(|inner| Self { inner })
    }
}

impl System for BroydenBandedBox {
    fn name(&self) -> &'static str {
        "broyden_banded_box"
    }
    fn title(&self) -> &'static str {
        "Broyden banded in [-1, 0]^n"
    }
    fn source(&self) -> &'static str {
        "Broyden, Math. Comp. 25 (1971); More, Garbow & Hillstrom (1981) problem 31; box [-1, 0]^n"
    }
    fn n(&self) -> usize {
        Mgh::n(&self.inner)
    }
    fn bounds(&self) -> Bounds {
        Bounds { lower: vec![-1.0; self.n()], upper: vec![0.0; self.n()] }
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        Mgh::residuals(&self.inner, x, r);
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        Mgh::jacobian(&self.inner, x, emit);
    }
}

/// The 2-D Bratu (solid fuel ignition) problem `-Laplace(u) = lambda exp(u)` on the unit square,
/// `u = 0` on the boundary, discretized on an `N x N` interior grid, with `u >= 0`.
///
/// Unknowns `u_k`, `k = r N + c` (`r, c = 0..N-1`) at the point `((c + 1) h, (r + 1) h)`,
/// `h = 1 / (N + 1)`; five-point Laplacian multiplied by `h^2`:
///
/// ```text
/// F_k = 4 u_k - u_{k-1} - u_{k+1} - u_{k-N} - u_{k+N} - h^2 lambda exp(u_k)
/// ```
///
/// with neighbours outside the grid equal to 0 (zero Dirichlet boundary). n = N^2 (default
/// N = 32 in [`super::suite`], any N >= 1; the tests evaluate N = 1000, n = 10^6); lambda = 6
/// ([`Bratu2d::DEFAULT_LAMBDA`]), below the critical value of the continuous problem
/// (about 6.808), so that there are two solutions, both positive (lower and upper branch); box
/// `u >= 0` (upper bounds infinite). The Jacobian is symmetric with the five-point pattern,
/// at most 5n entries, emitted column by column in increasing row order (the
/// compressed-column pattern costs one pass). No closed-form root: the tests compute the lower
/// branch by Newton's method from `u = 0` (maximum 0.795 at N = 32, 0.797 at N = 100) and the
/// upper branch from the quarter point `u = 2` (maximum 2.23), and check both are positive.
/// For N = 1 there is no root: `F = 4u - 1.5 exp(u) < 0` (`h^2 lambda = 1.5 > 4/e`).
/// Sources: G. Bratu, Bull. Soc. Math. France 42 (1914) 113-142; J. J. More, *A collection of
/// nonlinear model problems*, Lectures in Applied Mathematics 26, AMS (1990) 723-762;
/// B. M. Averick, R. G. Carter, J. J. More, G.-L. Xue, *The MINPACK-2 test problem
/// collection*, Argonne MCS-P153-0692 (1992), "solid fuel ignition".
#[derive(Clone, Debug)]
pub struct Bratu2d {
    grid: usize,
    lambda: f64,
}

impl Bratu2d {
    /// Default `lambda` = 6.
    pub const DEFAULT_LAMBDA: f64 = 6.0;

    /// The problem on a `grid x grid` interior grid, or `None` if `grid = 0` or `lambda` is not
    /// finite and positive.
    pub fn try_new(grid: usize, lambda: f64) -> Option<Self> {
        (grid >= 1 && lambda.is_finite() && lambda > 0.0).then_some(Self { grid, lambda })
    }

    /// The problem with `n = N^2` unknowns, or `None` if `n` is not a positive perfect square.
    pub fn try_with_unknowns(n: usize, lambda: f64) -> Option<Self> {
        let mut g = (n as f64).sqrt().round() as usize;
        while g * g > n {
            g -= 1;
        }
        while (g + 1) * (g + 1) <= n {
            g += 1;
        }
        if g * g == n {
            Self::try_new(g, lambda)
        } else {
            None
        }
    }

    /// Grid size `N`.
    pub fn grid(&self) -> usize {
        self.grid
    }

    /// `lambda`.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// `h^2 lambda`, `h = 1 / (N + 1)`.
    fn h2_lambda(&self) -> f64 {
        let h = 1.0 / (self.grid as f64 + 1.0);
        h * h * self.lambda
    }
}

impl System for Bratu2d {
    fn name(&self) -> &'static str {
        "bratu_2d"
    }
    fn title(&self) -> &'static str {
        "2-D Bratu, five-point Laplacian, u >= 0"
    }
    fn source(&self) -> &'static str {
        "Bratu (1914); More, A collection of nonlinear model problems (1990); MINPACK-2 solid fuel ignition"
    }
    fn n(&self) -> usize {
        self.grid * self.grid
    }
    fn bounds(&self) -> Bounds {
        let n = self.n();
        Bounds { lower: vec![0.0; n], upper: vec![f64::INFINITY; n] }
    }
    fn residuals<D: Scalar>(&self, u: &[D], f: &mut [D]) {
        let g = self.grid;
        let c = self.h2_lambda();
        for r in 0..g {
            for col in 0..g {
                let k = r * g + col;
                let mut v = u[k] * 4.0 - u[k].exp() * c;
                if col > 0 {
                    v -= u[k - 1];
                }
                if col + 1 < g {
                    v -= u[k + 1];
                }
                if r > 0 {
                    v -= u[k - g];
                }
                if r + 1 < g {
                    v -= u[k + g];
                }
                f[k] = v;
            }
        }
    }
    fn jacobian<D: Scalar>(&self, u: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        // Column k holds dF_i/du_k for the rows i = k - N, k - 1, k, k + 1, k + N (in this
        // order, increasing): -1 off the diagonal, 4 - h^2 lambda exp(u_k) on it.
        let g = self.grid;
        let c = self.h2_lambda();
        for r in 0..g {
            for col in 0..g {
                let k = r * g + col;
                if r > 0 {
                    emit(k - g, k, cst(-1.0));
                }
                if col > 0 {
                    emit(k - 1, k, cst(-1.0));
                }
                emit(k, k, -(u[k].exp() * c) + 4.0);
                if col + 1 < g {
                    emit(k + 1, k, cst(-1.0));
                }
                if r + 1 < g {
                    emit(k + g, k, cst(-1.0));
                }
            }
        }
    }
}

/// Chandrasekhar's H-equation
/// `H(mu) = 1 + (c/2) mu H(mu) int_0^1 H(nu) / (mu + nu) dnu` discretized by the midpoint rule,
/// with `H >= 0`.
///
/// Nodes `mu_i = (i - 1/2) / n`, `i = 1..n`; with `A_i(x) = (c / (2n)) sum_j mu_i x_j / (mu_i + mu_j)`,
///
/// ```text
/// F_i = x_i (1 - A_i(x)) - 1,
/// J_ij = delta_ij (1 - A_i(x)) - x_i (c / (2n)) mu_i / (mu_i + mu_j)   (a dense matrix).
/// ```
///
/// This is the polynomial form of Kelley's `x_i - 1 / (1 - A_i(x)) = 0` (same roots; the rational
/// form has poles inside the box `H >= 0`). 1 <= n <= 2000 (default 100), `0 < c < 1`:
/// `chandrasekhar_h` has c = 0.9, `chandrasekhar_h_099` c = 0.99; box `x >= 0`. The Jacobian is
/// dense: both the dense Jacobian and a sparse one with the full pattern (n^2 entries) are
/// offered, hence the cap on n; evaluation costs O(n^2).
/// Roots: two positive discrete solutions, told apart by an exact identity of the discrete
/// system (symmetrizing `sum_i x_i A_i`): their mean `(1/n) sum_i x_i` equals
/// `2 (1 - sqrt(1 - c)) / c` (the physical solution, reached by the fixed-point iteration from
/// `x = 1`) or `2 (1 + sqrt(1 - c)) / c`. None stored; the tests compute the physical one.
/// Sources: S. Chandrasekhar, *Radiative Transfer*, Dover (1960); C. T. Kelley, *Iterative
/// Methods for Linear and Nonlinear Equations*, SIAM (1995), section 5.6; J. J. More, *A
/// collection of nonlinear model problems* (1990).
#[derive(Clone, Debug)]
pub struct ChandrasekharH {
    n: usize,
    c: f64,
}

impl ChandrasekharH {
    /// Largest `n` offered (the Jacobian has `n^2` entries).
    pub const MAX_N: usize = 2000;

    /// The discretization with `n` nodes and parameter `c`, or `None` unless
    /// `1 <= n <= MAX_N` and `0 < c < 1`.
    pub fn try_new(n: usize, c: f64) -> Option<Self> {
        ((1..=Self::MAX_N).contains(&n) && c > 0.0 && c < 1.0).then_some(Self { n, c })
    }

    /// The parameter `c`.
    pub fn c(&self) -> f64 {
        self.c
    }

    /// The node `mu_i` (0-based `i`).
    fn mu(&self, i: usize) -> f64 {
        (i as f64 + 0.5) / self.n as f64
    }

    /// The weight `(c / (2n)) mu_i / (mu_i + mu_j)`.
    fn weight(&self, i: usize, j: usize) -> f64 {
        let (mi, mj) = (self.mu(i), self.mu(j));
        self.c / (2.0 * self.n as f64) * mi / (mi + mj)
    }

    fn a_i<D: Scalar>(&self, x: &[D], i: usize) -> D {
        let mut a: D = cst(0.0);
        for (j, &xj) in x.iter().enumerate() {
            a += xj * self.weight(i, j);
        }
        a
    }
}

impl System for ChandrasekharH {
    fn name(&self) -> &'static str {
        if self.c == 0.9 {
            "chandrasekhar_h"
        } else if self.c == 0.99 {
            "chandrasekhar_h_099"
        } else {
            "chandrasekhar_h_c"
        }
    }
    fn title(&self) -> &'static str {
        "Chandrasekhar H-equation, midpoint rule, H >= 0"
    }
    fn source(&self) -> &'static str {
        "Chandrasekhar, Radiative Transfer (1960); Kelley, Iterative Methods for Linear and Nonlinear Equations (1995) 5.6"
    }
    fn n(&self) -> usize {
        self.n
    }
    fn bounds(&self) -> Bounds {
        Bounds { lower: vec![0.0; self.n], upper: vec![f64::INFINITY; self.n] }
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        for i in 0..self.n {
            r[i] = x[i] * (-self.a_i(x, i) + 1.0) - 1.0;
        }
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        for i in 0..self.n {
            let one_minus_a = -self.a_i(x, i) + 1.0;
            for j in 0..self.n {
                let mut v = -(x[i] * self.weight(i, j));
                if i == j {
                    v += one_minus_a;
                }
                emit(i, j, v);
            }
        }
    }
}
