//! The loops allocate nothing per iteration: a counting global allocator sees no allocation
//! between the first and the last observer call, for every step solver and model of the Newton
//! loop (the gradient-only ones included: finite differences, SR1, BFGS, L-SR1, L-BFGS), for the
//! interior loop and for the Hessian-free loop.

use std::ops::ControlFlow;

use faer::sparse::{Pair, SymbolicSparseColMat};
use faer::MatMut;
use trust_region::model::{Loss, Oracle};
use trust_region::problem::fd::DEFAULT_REL_STEP;
use trust_region::solver::hessian_free::{BatchLoss, HessianFree, HessianFreeOptions, HistoryEntry};
use trust_region::solver::interior::{
    Interior, InteriorOptions, LinearSolver, StepRule, SystemIterationInfo, SystemReport,
};
use trust_region::subproblem::{
    Cauchy, DiagonalPreconditioner, Dogleg, Gltr, LevenbergMarquardt, LimitedMemoryExact, MoreSorensen, Steihaug,
    StepSolverFor,
};
use trust_region::{
    Bounds, DenseHessian, DenseJacobian, HessianProduct, IterationInfo, Objective, Residuals, Scaling, SparseJacobian,
    TrustRegion,
};
use trust_region::{DenseStore, SetupError, SparseStore};

mod counting_alloc;
use counting_alloc::allocations;

/// Chained Rosenbrock in residual form: `r_{2i} = 10 (x_{i+1} - x_i^2)`, `r_{2i+1} = 1 - x_i`.
struct Chained {
    n: usize,
}

impl Residuals for Chained {
    fn dim(&self) -> usize {
        self.n
    }
    fn residual_count(&self) -> usize {
        2 * (self.n - 1)
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for i in 0..self.n - 1 {
            r[2 * i] = 10.0 * (x[i + 1] - x[i] * x[i]);
            r[2 * i + 1] = 1.0 - x[i];
        }
    }
}

impl DenseJacobian for Chained {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        for i in 0..self.n - 1 {
            j[(2 * i, i)] = -20.0 * x[i];
            j[(2 * i, i + 1)] = 10.0;
            j[(2 * i + 1, i)] = -1.0;
        }
    }
}

impl Objective for Chained {
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&self, x: &[f64]) -> f64 {
        (0..self.n - 1).map(|i| 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2)).sum()
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        g.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..self.n - 1 {
            let t = x[i + 1] - x[i] * x[i];
            g[i] += -400.0 * x[i] * t - 2.0 * (1.0 - x[i]);
            g[i + 1] += 200.0 * t;
        }
    }
}

impl HessianProduct for Chained {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        hv.iter_mut().for_each(|h| *h = 0.0);
        for i in 0..self.n - 1 {
            let a = 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
            let b = -400.0 * x[i];
            hv[i] += a * v[i] + b * v[i + 1];
            hv[i + 1] += b * v[i] + 200.0 * v[i + 1];
        }
    }
}

impl DenseHessian for Chained {
    fn hessian(&self, x: &[f64], mut h: MatMut<'_, f64>) {
        h.fill(0.0);
        for i in 0..self.n - 1 {
            h[(i, i)] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
            h[(i, i + 1)] += -400.0 * x[i];
            h[(i + 1, i)] += -400.0 * x[i];
            h[(i + 1, i + 1)] += 200.0;
        }
    }
}

/// Runs the loop and returns (iterations observed, allocations between first and last call).
fn count<S: StepSolverFor<O>, O: Oracle>(step: S, oracle: O, n: usize) -> (usize, usize) {
    let x0: Vec<f64> = (0..n).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
    let mut tr = TrustRegion::new(step);
    tr.options.limits.max_iterations = 200;
    let mut counts = [0usize; 256];
    let mut calls = 0usize;
    let mut observer = |info: &IterationInfo, _: &[f64]| {
        if calls < counts.len() {
            counts[calls] = allocations();
        }
        calls += 1;
        let _ = info;
        ControlFlow::Continue(())
    };
    let report = tr.with_observer(&mut observer).solve(oracle, &x0).expect("valid setup");
    assert!(report.iterations >= 5, "{} iterations: {}", report.iterations, report.termination);

    let last = calls.min(counts.len()) - 1;
    (calls, counts[last] - counts[0])
}

#[test]
fn no_allocation_inside_the_loop() {
    let n = 40;
    let p = Chained { n };
    let cases: Vec<(&str, (usize, usize))> = vec![
        ("steihaug/products", count(Steihaug::new(), trust_region::Newton::products(&p), n)),
        (
            "steihaug-jacobi/dense",
            count(Steihaug::with_preconditioner(DiagonalPreconditioner::default()), trust_region::Newton::dense(&p), n),
        ),
        ("cauchy/products", count(Cauchy::new(), trust_region::Newton::products(&p), n)),
        ("dogleg/dense", count(Dogleg::new(), trust_region::Newton::dense(&p), n)),
        ("exact/dense", count(MoreSorensen::new(), trust_region::Newton::dense(&p), n)),
        ("dogleg/gauss-newton", count(Dogleg::new(), trust_region::GaussNewton::dense(&p), n)),
        ("steihaug/gauss-newton", count(Steihaug::new(), trust_region::GaussNewton::dense(&p), n)),
        ("lm/gauss-newton", count(LevenbergMarquardt::new(), trust_region::GaussNewton::dense(&p), n)),
        (
            "lm/gauss-newton-huber",
            count(
                LevenbergMarquardt::new(),
                trust_region::GaussNewton::dense(&p).with_loss(Loss::Huber { scale: 1.0 }),
                n,
            ),
        ),
        (
            "exact/gauss-newton-cauchy",
            count(MoreSorensen::new(), trust_region::GaussNewton::dense(&p).with_loss(Loss::Cauchy { scale: 1.0 }), n),
        ),
        ("gltr/products", count(Gltr::new(), trust_region::Newton::products(&p), n)),
        (
            "gltr-jacobi/dense",
            count(Gltr::with_preconditioner(DiagonalPreconditioner::default()), trust_region::Newton::dense(&p), n),
        ),
        ("steihaug/fd", count(Steihaug::new(), trust_region::Newton::finite_differences(&p), n)),
        (
            "gltr/fd-central",
            count(
                Gltr::new(),
                trust_region::Newton::finite_differences_with(&p, trust_region::model::DifferenceScheme::Central),
                n,
            ),
        ),
        ("exact/sr1", count(MoreSorensen::new(), trust_region::Newton::sr1(&p), n)),
        ("dogleg/bfgs", count(Dogleg::new(), trust_region::Newton::bfgs(&p), n)),
        ("lm-exact/lsr1", count(LimitedMemoryExact::new(), trust_region::Newton::lsr1(&p), n)),
        ("lm-exact/lbfgs", count(LimitedMemoryExact::new(), trust_region::Newton::lbfgs(&p), n)),
        ("steihaug/lbfgs", count(Steihaug::new(), trust_region::Newton::lbfgs(&p), n)),
        (
            "steihaug-jacobi/lsr1",
            count(Steihaug::with_preconditioner(DiagonalPreconditioner::default()), trust_region::Newton::lsr1(&p), n),
        ),
    ];
    for (name, (calls, allocs)) in &cases {
        assert!(*calls >= 5, "{name}: only {calls} iterations");
        assert_eq!(*allocs, 0, "{name}: {allocs} allocations over {calls} iterations");
    }
}

/// The lower triangle of the chained Rosenbrock Hessian (tridiagonal), for the sparse model.
impl trust_region::SparseHessian for Chained {
    fn hessian_pattern(&self) -> faer::sparse::SymbolicSparseColMat<usize> {
        let n = self.n;
        let mut idx = Vec::new();
        for j in 0..n {
            idx.push(faer::sparse::Pair::new(j, j));
            if j + 1 < n {
                idx.push(faer::sparse::Pair::new(j + 1, j));
            }
        }
        faer::sparse::SymbolicSparseColMat::try_new_from_indices(n, n, &idx).expect("valid pattern").0
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        let n = self.n;
        let mut q = 0;
        for j in 0..n {
            let mut d = if j > 0 { 200.0 } else { 0.0 };
            if j + 1 < n {
                d += 1200.0 * x[j] * x[j] - 400.0 * x[j + 1] + 2.0;
            }
            values[q] = d;
            q += 1;
            if j + 1 < n {
                values[q] = -400.0 * x[j];
                q += 1;
            }
        }
    }
}

/// The incomplete Cholesky preconditioner allocates its factor on the first `prepare` (when the
/// sparse pattern becomes known) and nothing afterwards.
#[test]
fn no_allocation_with_incomplete_cholesky() {
    let n = 40;
    let p = Chained { n };
    let step = Steihaug::with_preconditioner(trust_region::subproblem::IncompleteCholeskyPreconditioner::default());
    let (calls, allocs) = count(step, trust_region::Newton::sparse(&p), n);
    assert!(calls >= 5, "only {calls} iterations");
    assert_eq!(allocs, 0, "steihaug-ichol/sparse: {allocs} allocations over {calls} iterations");
}

/// Broyden tridiagonal (MGH 30) in `[-1, 0]^n`, which holds its root:
/// `F_i = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1`, dense and sparse Jacobians.
struct BroydenTri {
    n: usize,
}

impl Residuals for BroydenTri {
    fn dim(&self) -> usize {
        self.n
    }
    fn residual_count(&self) -> usize {
        self.n
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for i in 0..self.n {
            let left = if i > 0 { x[i - 1] } else { 0.0 };
            let right = if i + 1 < self.n { x[i + 1] } else { 0.0 };
            r[i] = (3.0 - 2.0 * x[i]) * x[i] - left - 2.0 * right + 1.0;
        }
    }
}

impl BroydenTri {
    /// `J_ij` for `|i - j| <= 1`.
    fn entry(&self, x: &[f64], i: usize, j: usize) -> f64 {
        if i == j {
            3.0 - 4.0 * x[j]
        } else if i + 1 == j {
            -2.0
        } else {
            -1.0
        }
    }
}

impl DenseJacobian for BroydenTri {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        for c in 0..self.n {
            for r in c.saturating_sub(1)..(c + 2).min(self.n) {
                j[(r, c)] = self.entry(x, r, c);
            }
        }
    }
}

impl SparseJacobian for BroydenTri {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let mut idx = Vec::new();
        for c in 0..self.n {
            for r in c.saturating_sub(1)..(c + 2).min(self.n) {
                idx.push(Pair::new(r, c));
            }
        }
        SymbolicSparseColMat::try_new_from_indices(self.n, self.n, &idx).expect("valid pattern").0
    }
    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) {
        let mut k = 0;
        for c in 0..self.n {
            for r in c.saturating_sub(1)..(c + 2).min(self.n) {
                values[k] = self.entry(x, r, c);
                k += 1;
            }
        }
    }
}

/// The three Jacobian paths of the interior loop covered here.
#[derive(Clone, Copy, Debug)]
enum JacobianPath {
    Dense,
    Sparse,
    DenseFd,
    SparseFd,
}

/// The interior solver with an observer that reads the allocation counter.
type Counting<'a> = Interior<&'a mut dyn FnMut(&SystemIterationInfo, &[f64]) -> ControlFlow<()>>;

/// Runs `solve` on the interior solver with `options` and returns (iterations observed,
/// allocations between the first and the last observer call, the report).
fn count_allocations(
    options: InteriorOptions,
    solve: impl FnOnce(&mut Counting<'_>) -> Result<SystemReport, SetupError>,
) -> (usize, usize, SystemReport) {
    let mut first = None;
    let mut last = 0;
    let mut calls = 0;
    let mut observer = |_: &SystemIterationInfo, _: &[f64]| {
        let a = allocations();
        first.get_or_insert(a);
        last = a;
        calls += 1;
        ControlFlow::Continue(())
    };
    let mut solver: Counting<'_> = Interior::new(options).with_observer(&mut observer);
    let report = solve(&mut solver).expect("valid setup");
    (calls, last - first.unwrap_or(0), report)
}

/// Runs the interior loop and returns (iterations observed, allocations between the first and
/// the last observer call).
fn count_interior(
    p: &BroydenTri,
    b: &Bounds,
    x0: &[f64],
    options: InteriorOptions,
    path: JacobianPath,
) -> (usize, usize) {
    let (calls, allocs, report) = count_allocations(options, |solver| match path {
        JacobianPath::Dense => solver.solve_dense(p, b, x0),
        JacobianPath::Sparse => solver.solve(SparseStore::user(p).unwrap(), b, x0),
        JacobianPath::DenseFd => solver.solve(DenseStore::finite_differences(p, b, DEFAULT_REL_STEP), b, x0),
        JacobianPath::SparseFd => {
            solver.solve(SparseStore::finite_differences(p, b, p.jacobian_pattern(), DEFAULT_REL_STEP).unwrap(), b, x0)
        }
    });
    assert!(report.converged(), "{path:?}: {}", report.termination);
    (calls, allocs)
}

/// The interior loop (dense and sparse user Jacobians, dense and sparse finite differences,
/// both step rules, a fixed and the adaptive scaling). The counter is per thread: the sparse
/// finite differences evaluate their column groups on rayon's worker threads, whose
/// allocations (rayon's bookkeeping, the user's residuals) it does not see; what it checks
/// there is that the calling thread, which runs the loop, allocates nothing.
#[test]
fn no_allocation_inside_the_interior_loop() {
    let n = 40;
    let p = BroydenTri { n };
    let b = Bounds::new(vec![-1.0; n], vec![0.0; n]).expect("valid box");
    let x0: Vec<f64> = (0..n).map(|i| -0.05 - 0.45 * (i % 3) as f64).collect();
    for step_rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
        for scaling in [Scaling::ColemanLi, Scaling::Adaptive] {
            for path in [JacobianPath::Dense, JacobianPath::Sparse, JacobianPath::DenseFd, JacobianPath::SparseFd] {
                let mut options = InteriorOptions::default();
                options.step_rule = step_rule;
                options.scaling = scaling;
                let (calls, allocs) = count_interior(&p, &b, &x0, options, path);
                let label = format!("interior {path:?} {} {}", step_rule.name(), scaling.name());
                assert!(calls >= 5, "{label}: only {calls} iterations");
                assert_eq!(allocs, 0, "{label}: {allocs} allocations over {calls} iterations");
            }
        }
    }
}

/// Broyden tridiagonal with one more residual `x_0 + x_{n-1} + 1` (`m = n + 1`): the
/// rectangular dense path of the interior loop (Gauss-Newton step by column-pivoted QR, or LSMR).
struct RectTri {
    inner: BroydenTri,
}

impl Residuals for RectTri {
    fn dim(&self) -> usize {
        self.inner.n
    }
    fn residual_count(&self) -> usize {
        self.inner.n + 1
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let n = self.inner.n;
        self.inner.residuals(x, &mut r[..n]);
        r[n] = x[0] + x[n - 1] + 1.0;
    }
}

impl DenseJacobian for RectTri {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        let n = self.inner.n;
        self.inner.jacobian(x, j.as_mut().subrows_mut(0, n));
        for c in 0..n {
            j[(n, c)] = if c == 0 || c == n - 1 { 1.0 } else { 0.0 };
        }
    }
}

/// The rectangular dense path (QR and LSMR, both step rules, plain and with a robust loss)
/// allocates nothing per iteration.
#[test]
fn no_allocation_inside_the_rectangular_interior_loop() {
    let n = 40;
    let p = RectTri { inner: BroydenTri { n } };
    let b = Bounds::new(vec![-1.0; n], vec![0.0; n]).expect("valid box");
    let x0: Vec<f64> = (0..n).map(|i| -0.05 - 0.45 * (i % 3) as f64).collect();
    let cases = [StepRule::Dogleg, StepRule::ConstrainedDogleg]
        .into_iter()
        .flat_map(|r| [LinearSolver::Direct, LinearSolver::Lsmr].map(|l| (r, l)))
        .flat_map(|(r, l)| [Loss::Linear, Loss::Cauchy { scale: 0.5 }].map(|loss| (r, l, loss)));
    for (step_rule, linear_solver, loss) in cases {
        let mut options = InteriorOptions::default();
        options.step_rule = step_rule;
        options.linear_solver = linear_solver;
        options.loss = loss;
        let (calls, allocs, report) = count_allocations(options, |solver| solver.solve_dense(&p, &b, &x0));
        let label = format!("rectangular {} {linear_solver:?} {}", step_rule.name(), loss.name());
        assert!(report.converged(), "{label}: {}", report.termination);
        assert!(calls >= 3, "{label}: only {calls} iterations");
        assert_eq!(allocs, 0, "{label}: {allocs} allocations over {calls} iterations");
    }
}

/// Least squares `(1/|S|) sum_{i in S} (tanh(w . a_i) - y_i)^2` over 64 fixed points in 6
/// dimensions; the batch of iteration `k` is 16 indices written into a preallocated buffer.
struct NeuronLoss {
    a: Vec<[f64; 6]>,
    y: Vec<f64>,
    batch: Vec<usize>,
}

impl NeuronLoss {
    fn new() -> Self {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut uniform = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let teacher = [0.3, -0.2, 0.5, 0.1, -0.4, 0.25];
        let a: Vec<[f64; 6]> = (0..64).map(|_| std::array::from_fn(|_| 2.0 * uniform() - 1.0)).collect();
        let y = a.iter().map(|ai| dot6(ai, &teacher).tanh()).collect();
        Self { a, y, batch: vec![0; 16] }
    }
}

fn dot6(a: &[f64; 6], w: &[f64]) -> f64 {
    a.iter().zip(w).map(|(x, y)| x * y).sum()
}

impl BatchLoss for NeuronLoss {
    fn dim(&self) -> usize {
        6
    }
    fn sample_batch(&mut self, iteration: u64) {
        for (j, b) in self.batch.iter_mut().enumerate() {
            *b = (iteration as usize * 7 + j * 13) % self.a.len();
        }
    }
    fn loss(&mut self, w: &[f64]) -> f64 {
        let m = self.batch.len() as f64;
        self.batch.iter().map(|&i| (dot6(&self.a[i], w).tanh() - self.y[i]).powi(2)).sum::<f64>() / m
    }
    fn gradient(&mut self, w: &[f64], g: &mut [f64]) -> f64 {
        g.fill(0.0);
        let m = self.batch.len() as f64;
        for &i in &self.batch {
            let t = dot6(&self.a[i], w).tanh();
            let c = 2.0 * (t - self.y[i]) * (1.0 - t * t) / m;
            for (gj, aj) in g.iter_mut().zip(&self.a[i]) {
                *gj += c * aj;
            }
        }
        self.loss(w)
    }
    fn hessian_product(&mut self, w: &[f64], v: &[f64], hv: &mut [f64]) {
        hv.fill(0.0);
        let m = self.batch.len() as f64;
        for &i in &self.batch {
            let t = dot6(&self.a[i], w).tanh();
            let d = 1.0 - t * t;
            let r = t - self.y[i];
            // d2/dz2 (tanh z - y)^2 = 2 d^2 - 4 r t d.
            let c = (2.0 * d * d - 4.0 * r * t * d) * dot6(&self.a[i], v) / m;
            for (h, aj) in hv.iter_mut().zip(&self.a[i]) {
                *h += c * aj;
            }
        }
    }
}

/// The Hessian-free loop, with and without the history (whose capacity is reserved up front).
#[test]
fn no_allocation_inside_the_hessian_free_loop() {
    for keep_history in [false, true] {
        let mut loss = NeuronLoss::new();
        let mut first = None;
        let mut last = 0;
        let mut calls = 0;
        let observer = |_: &HistoryEntry, _: &[f64]| {
            let a = allocations();
            first.get_or_insert(a);
            last = a;
            calls += 1;
            ControlFlow::Continue(())
        };
        let mut options = HessianFreeOptions::default();
        options.limits.max_iterations = 40;
        options.keep_history = keep_history;
        let report = HessianFree::new()
            .with_options(options)
            .with_observer(observer)
            .train(&mut loss, &[0.0; 6])
            .expect("valid setup");
        assert!(report.accepted_steps >= 5, "{}", report.termination);
        assert!(calls >= 5, "only {calls} iterations");
        assert_eq!(
            last - first.unwrap_or(0),
            0,
            "hessian-free (history {keep_history}): allocations over {calls} iterations"
        );
    }
}
