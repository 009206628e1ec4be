//! An objective summed over ranks: $f = \sum_k f_k$, $g = \sum_k g_k$, $Hv = \sum_k H_k v$
//! (module docs of [`crate::distributed`]).

use std::cell::RefCell;

use faer::MatMut;
use mpi::traits::Communicator;

use super::{Collective, Communication, DenseSum, Reduction};
use crate::error::SetupError;
use crate::model::{Newton, ProductCurvature};
use crate::observe::Observer;
use crate::problem::{DenseHessian, HessianProduct, Objective};
use crate::report::{IterationInfo, Report};
use crate::solver::TrustRegion;
use crate::subproblem::{StepSolver, StepSolverFor};

/// An objective whose value, gradient and Hessian-vector products are sums of the parts held by
/// the ranks of a communicator. `local` is this rank's part: an [`Objective`] over its shard
/// (with [`HessianProduct`] or [`DenseHessian`] for the models that need them).
///
/// Each method of the problem traits is a collective operation: every rank must call it, in
/// the same order, which the replicated loop does. Use the wrapper with the loop on every rank
/// ([`ShardedObjective::minimize`]).
///
/// ```no_run
/// use trust_region::distributed::ShardedObjective;
/// use trust_region::subproblem::Steihaug;
/// use trust_region::{HessianProduct, Objective, TrustRegion};
///
/// /// sum_i (x - a_i)^2 / 2 over this rank's a_i.
/// struct Local(Vec<f64>);
/// impl Objective for Local {
///     fn dim(&self) -> usize { 1 }
///     fn value(&self, x: &[f64]) -> f64 { self.0.iter().map(|a| 0.5 * (x[0] - a).powi(2)).sum() }
///     fn gradient(&self, x: &[f64], g: &mut [f64]) { g[0] = self.0.iter().map(|a| x[0] - a).sum(); }
/// }
/// impl HessianProduct for Local {
///     fn hessian_product(&self, _x: &[f64], v: &[f64], hv: &mut [f64]) { hv[0] = self.0.len() as f64 * v[0]; }
/// }
///
/// let universe = mpi::initialize().unwrap();
/// let world = universe.world();
/// use mpi::traits::Communicator;
/// let local = Local(vec![world.rank() as f64; 1000]);
/// let problem = ShardedObjective::new(&world, local)?;
/// let report = problem.minimize(&mut TrustRegion::new(Steihaug::new()), &[10.0])?;
/// println!("rank {}: x = {:?}", world.rank(), report.x); // the same on every rank
/// # Ok::<(), trust_region::SetupError>(())
/// ```
pub struct ShardedObjective<'c, C: Communicator, P> {
    local: P,
    collective: Collective<'c, C>,
    /// `[g_k; f_k]` workspace (length `n + 1`) and the reduced sums.
    send: RefCell<Vec<f64>>,
    recv: RefCell<Vec<f64>>,
    dense: RefCell<DenseSum>,
}

impl<C: Communicator, P> std::fmt::Debug for ShardedObjective<'_, C, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardedObjective")
            .field("rank", &self.collective.rank())
            .field("ranks", &self.collective.size())
            .field("reduction", &self.collective.reduction)
            .field("communication", &self.collective.stats.get())
            .finish_non_exhaustive()
    }
}

impl<'c, C: Communicator, P: Objective> ShardedObjective<'c, C, P> {
    /// Wraps this rank's part. Collective: every rank must call it; every rank returns
    /// [`SetupError::RankMismatch`] when the ranks disagree on the number of variables.
    pub fn new(comm: &'c C, local: P) -> Result<Self, SetupError> {
        let collective = Collective::new(comm);
        let n = local.dim();
        collective.agree("number of variables", n as u64, |v| format!("n = {v}"))?;
        Ok(Self {
            local,
            collective,
            send: RefCell::new(vec![0.0; n + 1]),
            recv: RefCell::new(vec![0.0; n + 1]),
            dense: RefCell::new(DenseSum::default()),
        })
    }

    /// Chooses how the parts are summed (default [`Reduction::Ordered`]). Every rank must choose
    /// the same.
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.collective.reduction = reduction;
        self
    }

    /// This rank's part.
    pub fn local(&self) -> &P {
        &self.local
    }

    /// The collective operations made so far on this rank.
    pub fn communication(&self) -> Communication {
        self.collective.stats.get()
    }

    /// Runs `solver` on every rank with Hessian-vector products
    /// ([`TrustRegion::minimize`]) after the collective setup checks: the same number of
    /// variables, options and start point on every rank, and no wall-clock limit. Every rank
    /// returns the same report.
    pub fn minimize<'p, S, O>(&'p self, solver: &mut TrustRegion<S, O>, x0: &[f64]) -> Result<Report, SetupError>
    where
        P: HessianProduct,
        S: StepSolver + StepSolverFor<Newton<'p, Self, ProductCurvature>>,
        O: Observer<IterationInfo>,
    {
        self.collective.check_run(self.local.dim(), &solver.options, &solver.options.limits, x0)?;
        solver.minimize(self, x0)
    }

    /// Runs `solver` on every rank with the reduced dense Hessian ([`Newton::dense`]; `n^2`
    /// doubles per reduction, for a few variables), after the same checks as
    /// [`ShardedObjective::minimize`].
    pub fn minimize_dense<'p, S, O>(&'p self, solver: &mut TrustRegion<S, O>, x0: &[f64]) -> Result<Report, SetupError>
    where
        P: DenseHessian,
        S: StepSolver + StepSolverFor<Newton<'p, Self, crate::model::DenseCurvature>>,
        O: Observer<IterationInfo>,
    {
        self.collective.check_run(self.local.dim(), &solver.options, &solver.options.limits, x0)?;
        solver.solve(Newton::dense(self), x0)
    }
}

impl<C: Communicator, P: Objective> Objective for ShardedObjective<'_, C, P> {
    fn dim(&self) -> usize {
        self.local.dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.collective.sum(self.local.value(x))
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.local.gradient(x, g);
        let mut send = self.send.borrow_mut();
        let n = g.len();
        send[..n].copy_from_slice(g);
        self.collective.sum_into(&send[..n], g);
    }
    fn value_and_gradient(&self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut send = self.send.borrow_mut();
        let mut recv = self.recv.borrow_mut();
        let n = g.len();
        send[n] = self.local.value_and_gradient(x, &mut send[..n]);
        self.collective.sum_into(&send, &mut recv);
        g.copy_from_slice(&recv[..n]);
        recv[n]
    }
}

impl<C: Communicator, P: HessianProduct> HessianProduct for ShardedObjective<'_, C, P> {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let mut send = self.send.borrow_mut();
        let n = hv.len();
        self.local.hessian_product(x, v, &mut send[..n]);
        self.collective.sum_into(&send[..n], hv);
    }
}

impl<C: Communicator, P: DenseHessian> DenseHessian for ShardedObjective<'_, C, P> {
    fn hessian(&self, x: &[f64], mut hess: MatMut<'_, f64>) {
        let n = self.local.dim();
        let mut dense = self.dense.borrow_mut();
        let (local, sum) = dense.buffers(n);
        self.local.hessian(x, MatMut::from_column_major_slice_mut(local, n, n));
        self.collective.sum_into(local, sum);
        for j in 0..n {
            for i in 0..n {
                hess[(i, j)] = sum[i + j * n];
            }
        }
    }
}
