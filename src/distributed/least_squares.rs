//! Least squares over residual blocks held by the ranks:
//! $f = \tfrac12 \sum_k \lVert r_k \rVert^2$, $g = \sum_k J_k^\top r_k$,
//! $J^\top J v = \sum_k J_k^\top (J_k v)$ (module docs of [`crate::distributed`]).
//!
//! The Gauss-Newton model $B = J^\top J$ is offered to the Newton loop as Hessian-vector
//! products (with [`Steihaug`](crate::subproblem::Steihaug): CG on the normal equations,
//! matrix-free) and as the reduced dense $n \times n$ matrix (with
//! [`MoreSorensen`](crate::subproblem::MoreSorensen) or the dogleg: for a few parameters and
//! many observations). Only `n`-vectors (or the `n x n` matrix) are reduced; the `m_k`
//! residuals of a rank stay on it.
//!
//! The local residuals are evaluated once per point (the wrapper keeps `r_k` of the last point
//! it saw, so the gradient at an accepted trial point reuses the trial's residuals), and
//! [`DenseShard`] keeps `J_k` of the current point, so each product costs two products with
//! the kept matrix.

use std::cell::RefCell;

use faer::{Mat, MatMut};
use mpi::traits::Communicator;

use super::{Collective, Communication, DenseSum, Reduction};
use crate::error::SetupError;
use crate::model::{DenseCurvature, Newton, ProductCurvature};
use crate::observe::Observer;
use crate::problem::{DenseHessian, DenseJacobian, HessianProduct, Objective};
use crate::report::{IterationInfo, Report};
use crate::solver::TrustRegion;
use crate::subproblem::{StepSolver, StepSolverFor};

/// This rank's block of residuals `r_k: R^n -> R^{m_k}` with products with its Jacobian `J_k`.
///
/// Implement it directly for a matrix-free block, or wrap a [`DenseJacobian`] problem in
/// [`DenseShard`]. The products are asked for at the current point of the loop, many times
/// per point, while the residuals are also evaluated at trial points: an implementation that
/// keeps per-point intermediates (as [`DenseShard`] keeps `J_k`) should key them by `x`.
pub trait ResidualShard {
    /// Number of variables `n` (the same on every rank).
    fn dim(&self) -> usize;
    /// Number of residuals `m_k` on this rank (may differ between ranks, may be zero).
    fn residual_count(&self) -> usize;
    /// Writes `r_k(x)` into `r` (length `m_k`).
    fn residuals(&mut self, x: &[f64], r: &mut [f64]);
    /// Writes `J_k(x) v` into `jv` (length `m_k`).
    fn jacobian_product(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]);
    /// Writes `J_k(x)' u` into `out` (length `n`).
    fn jacobian_transpose_product(&mut self, x: &[f64], u: &[f64], out: &mut [f64]);
}

/// A [`DenseJacobian`] problem as a [`ResidualShard`]: `J_k` is evaluated once per point and
/// kept (`m_k x n` doubles: meant for many observations and a few parameters).
#[derive(Debug)]
pub struct DenseShard<P> {
    problem: P,
    x: Vec<f64>,
    jac: Mat<f64>,
    fresh: bool,
}

impl<P: DenseJacobian> DenseShard<P> {
    /// Wraps this rank's residual block.
    pub fn new(problem: P) -> Self {
        let (m, n) = (problem.residual_count(), problem.dim());
        Self { problem, x: vec![f64::NAN; n], jac: Mat::zeros(m, n), fresh: false }
    }

    /// The wrapped problem.
    pub fn problem(&self) -> &P {
        &self.problem
    }

    fn jacobian_at(&mut self, x: &[f64]) -> &Mat<f64> {
        if !self.fresh || self.x != x {
            self.x.copy_from_slice(x);
            self.problem.jacobian(x, self.jac.as_mut());
            self.fresh = true;
        }
        &self.jac
    }
}

impl<P: DenseJacobian> ResidualShard for DenseShard<P> {
    fn dim(&self) -> usize {
        self.problem.dim()
    }
    fn residual_count(&self) -> usize {
        self.problem.residual_count()
    }
    fn residuals(&mut self, x: &[f64], r: &mut [f64]) {
        self.problem.residuals(x, r);
    }
    fn jacobian_product(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) {
        let jac = self.jacobian_at(x);
        jv.fill(0.0);
        for (j, &vj) in v.iter().enumerate() {
            if vj != 0.0 {
                for (o, &a) in jv.iter_mut().zip(jac.col(j).iter()) {
                    *o += a * vj;
                }
            }
        }
    }
    fn jacobian_transpose_product(&mut self, x: &[f64], u: &[f64], out: &mut [f64]) {
        let jac = self.jacobian_at(x);
        for (j, o) in out.iter_mut().enumerate() {
            *o = jac.col(j).iter().zip(u).map(|(a, b)| a * b).sum();
        }
    }
}

/// Per-point state of the local block.
#[derive(Debug)]
struct Local<P> {
    shard: P,
    /// The point of `r`.
    x: Vec<f64>,
    r: Vec<f64>,
    /// `m_k` workspace for `J_k v`.
    jv: Vec<f64>,
    /// `[J_k' r_k or J_k' J_k v; f_k]`, length `n + 1`.
    send: Vec<f64>,
    recv: Vec<f64>,
    /// Unit vector for the columns of `J_k'J_k`, and the reduced matrix's buffers.
    unit: Vec<f64>,
    dense: DenseSum,
    valid: bool,
}

impl<P: ResidualShard> Local<P> {
    /// Makes `r` the residuals at `x`; returns this rank's `||r_k||^2 / 2`.
    fn at(&mut self, x: &[f64]) -> f64 {
        if !self.valid || self.x != x {
            self.x.copy_from_slice(x);
            self.shard.residuals(x, &mut self.r);
            self.valid = true;
        }
        0.5 * self.r.iter().map(|v| v * v).sum::<f64>()
    }
}

/// Least squares whose residuals are split into blocks over the ranks of a communicator
/// (module docs). The wrapper is an [`Objective`] with [`HessianProduct`] and
/// [`DenseHessian`] for the Gauss-Newton model `B = J'J`; every method is collective.
///
/// ```no_run
/// use faer::MatMut;
/// use mpi::traits::Communicator;
/// use trust_region::distributed::{DenseShard, ShardedLeastSquares};
/// use trust_region::subproblem::Steihaug;
/// use trust_region::{DenseJacobian, Residuals, TrustRegion};
///
/// /// y_i = a exp(b t_i) on this rank's observations.
/// struct Block { t: Vec<f64>, y: Vec<f64> }
/// impl Residuals for Block {
///     fn dim(&self) -> usize { 2 }
///     fn residual_count(&self) -> usize { self.t.len() }
///     fn residuals(&self, x: &[f64], r: &mut [f64]) {
///         for i in 0..self.t.len() { r[i] = x[0] * (x[1] * self.t[i]).exp() - self.y[i]; }
///     }
/// }
/// impl DenseJacobian for Block {
///     fn jacobian(&self, x: &[f64], mut jac: MatMut<'_, f64>) {
///         for i in 0..self.t.len() {
///             let e = (x[1] * self.t[i]).exp();
///             jac[(i, 0)] = e;
///             jac[(i, 1)] = x[0] * self.t[i] * e;
///         }
///     }
/// }
///
/// let universe = mpi::initialize().unwrap();
/// let world = universe.world();
/// let k = world.rank() as f64;
/// let t: Vec<f64> = (0..1000).map(|i| (k * 1000.0 + i as f64) * 1e-3).collect();
/// let y = t.iter().map(|t| 2.0 * (-0.5 * t).exp()).collect();
/// let problem = ShardedLeastSquares::new(&world, DenseShard::new(Block { t, y }))?;
/// let report = problem.minimize(&mut TrustRegion::new(Steihaug::new()), &[1.0, 0.0])?;
/// # Ok::<(), trust_region::SetupError>(())
/// ```
pub struct ShardedLeastSquares<'c, C: Communicator, P> {
    local: RefCell<Local<P>>,
    collective: Collective<'c, C>,
    n: usize,
    m_total: u64,
}

impl<C: Communicator, P> std::fmt::Debug for ShardedLeastSquares<'_, C, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardedLeastSquares")
            .field("n", &self.n)
            .field("residuals", &self.m_total)
            .field("rank", &self.collective.rank())
            .field("ranks", &self.collective.size())
            .field("reduction", &self.collective.reduction)
            .field("communication", &self.collective.stats.get())
            .finish_non_exhaustive()
    }
}

impl<'c, C: Communicator, P: ResidualShard> ShardedLeastSquares<'c, C, P> {
    /// Wraps this rank's block. Collective: every rank returns
    /// [`SetupError::RankMismatch`] when the ranks disagree on the number of variables.
    pub fn new(comm: &'c C, shard: P) -> Result<Self, SetupError> {
        let collective = Collective::new(comm);
        let n = shard.dim();
        collective.agree("number of variables", n as u64, |v| format!("n = {v}"))?;
        let m = shard.residual_count();
        let m_total = collective.sum(m as f64) as u64;
        collective.stats.set(Communication::default());
        let local = Local {
            shard,
            x: vec![f64::NAN; n],
            r: vec![0.0; m],
            jv: vec![0.0; m],
            send: vec![0.0; n + 1],
            recv: vec![0.0; n + 1],
            unit: vec![0.0; n],
            dense: DenseSum::default(),
            valid: false,
        };
        Ok(Self { local: RefCell::new(local), collective, n, m_total })
    }

    /// Chooses how the parts are summed (default [`Reduction::Ordered`]). Every rank must choose
    /// the same.
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.collective.reduction = reduction;
        self
    }

    /// The total number of residuals over all ranks.
    pub fn residual_count(&self) -> u64 {
        self.m_total
    }

    /// The collective operations made so far on this rank.
    pub fn communication(&self) -> Communication {
        self.collective.stats.get()
    }

    /// Gauss-Newton with the products `J'J v` (CG on the normal equations with
    /// [`Steihaug`](crate::subproblem::Steihaug)), on every rank, after the collective setup
    /// checks of [`ShardedObjective::minimize`](super::ShardedObjective::minimize).
    pub fn minimize<'p, S, O>(&'p self, solver: &mut TrustRegion<S, O>, x0: &[f64]) -> Result<Report, SetupError>
    where
        S: StepSolver + StepSolverFor<Newton<'p, Self, ProductCurvature>>,
        O: Observer<IterationInfo>,
    {
        self.collective.check_run(self.n, &solver.options, &solver.options.limits, x0)?;
        solver.minimize(self, x0)
    }

    /// Gauss-Newton with the reduced `n x n` matrix `J'J` (one reduction of `n^2` doubles per
    /// accepted point; [`MoreSorensen`](crate::subproblem::MoreSorensen), the dogleg), on every
    /// rank, after the same checks.
    pub fn minimize_dense<'p, S, O>(&'p self, solver: &mut TrustRegion<S, O>, x0: &[f64]) -> Result<Report, SetupError>
    where
        S: StepSolver + StepSolverFor<Newton<'p, Self, DenseCurvature>>,
        O: Observer<IterationInfo>,
    {
        self.collective.check_run(self.n, &solver.options, &solver.options.limits, x0)?;
        solver.solve(Newton::dense(self), x0)
    }
}

impl<C: Communicator, P: ResidualShard> Objective for ShardedLeastSquares<'_, C, P> {
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&self, x: &[f64]) -> f64 {
        let f = self.local.borrow_mut().at(x);
        self.collective.sum(f)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.value_and_gradient(x, g);
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut guard = self.local.borrow_mut();
        let local = &mut *guard;
        let n = self.n;
        local.send[n] = local.at(x);
        local.shard.jacobian_transpose_product(x, &local.r, &mut local.send[..n]);
        self.collective.sum_into(&local.send, &mut local.recv);
        g.copy_from_slice(&local.recv[..n]);
        local.recv[n]
    }
}

impl<C: Communicator, P: ResidualShard> HessianProduct for ShardedLeastSquares<'_, C, P> {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let mut guard = self.local.borrow_mut();
        let local = &mut *guard;
        let n = self.n;
        local.shard.jacobian_product(x, v, &mut local.jv);
        local.shard.jacobian_transpose_product(x, &local.jv, &mut local.send[..n]);
        self.collective.sum_into(&local.send[..n], hv);
    }
}

impl<C: Communicator, P: ResidualShard> DenseHessian for ShardedLeastSquares<'_, C, P> {
    fn hessian(&self, x: &[f64], mut hess: MatMut<'_, f64>) {
        let mut guard = self.local.borrow_mut();
        let local = &mut *guard;
        let n = self.n;
        // J_k'J_k column by column: J_k' (J_k e_j).
        let Local { shard, jv, unit, dense, .. } = local;
        let (flat, sum) = dense.buffers(n);
        for j in 0..n {
            unit[j] = 1.0;
            shard.jacobian_product(x, unit, jv);
            shard.jacobian_transpose_product(x, jv, &mut flat[j * n..(j + 1) * n]);
            unit[j] = 0.0;
        }
        self.collective.sum_into(flat, sum);
        for j in 0..n {
            for i in 0..n {
                // Symmetrize: with a matrix-free shard the two triangles may differ in rounding.
                hess[(i, j)] = 0.5 * (sum[i + j * n] + sum[j + i * n]);
            }
        }
    }
}
