//! Bound-constrained minimization with the projected Newton trust region
//! (`trust_region::solver::bounded`): feasibility of every iterate, the Cauchy decrease, the
//! active set of problems with a known solution, fixed variables, the projected start, setup
//! errors, convergence on a convex quadratic, a bounded Rosenbrock function and an obstacle
//! problem, and non-finite values from the user.

use std::cell::Cell;
use std::ops::ControlFlow;

mod counting_alloc;
use counting_alloc::allocations;

use faer::sparse::SymbolicSparseColMat;
use trust_region::model::Newton;
use trust_region::solver::bounded::{BoundedIteration, BoundedOptions, BoundedReason, ProjectedNewton};
use trust_region::subproblem::projected::BoundedPreconditioner;
use trust_region::{Bounds, DenseHessian, HessianProduct, Objective, SetupError, SparseHessian, Termination};

/// `pg(x) = ||x - P(x - g)||_inf`, computed here independently of the library.
fn pg(x: &[f64], g: &[f64], b: &Bounds) -> f64 {
    (0..x.len()).map(|i| (x[i] - (x[i] - g[i]).max(b.lower[i]).min(b.upper[i])).abs()).fold(0.0, f64::max)
}

/// An observer that records every point it sees and whether it lay in the closed box.
fn in_box_observer<'a>(
    b: &'a Bounds,
    outside: &'a Cell<usize>,
    seen: &'a Cell<usize>,
) -> impl FnMut(&BoundedIteration, &[f64]) -> ControlFlow<()> + 'a {
    move |_, x| {
        seen.set(seen.get() + 1);
        if !b.contains(x) {
            outside.set(outside.get() + 1);
        }
        ControlFlow::Continue(())
    }
}

// ---------------------------------------------------------------------------------------------
// Problems

/// Extended Rosenbrock in `n` (even) variables, `sum 100 (x_{2i+1} - x_{2i}^2)^2 + (1 - x_{2i})^2`,
/// with `x_{2i} <= 0.5`: the solution has `x_{2i} = 0.5` (upper bound active, multiplier 1) and
/// `x_{2i+1} = 0.25` (free). Panics if asked for anything outside its box.
struct BoundedRosenbrock {
    n: usize,
    bounds: Bounds,
    calls: Cell<usize>,
}

impl BoundedRosenbrock {
    fn new(n: usize) -> Self {
        let lower = (0..n).map(|i| if i % 2 == 0 { -2.0 } else { f64::NEG_INFINITY }).collect();
        let upper = (0..n).map(|i| if i % 2 == 0 { 0.5 } else { f64::INFINITY }).collect();
        Self { n, bounds: Bounds::closed(lower, upper).unwrap(), calls: Cell::new(0) }
    }
    fn guard(&self, x: &[f64]) {
        self.calls.set(self.calls.get() + 1);
        assert!(self.bounds.contains(x), "evaluated outside the box at {x:?}");
    }
}

impl Objective for BoundedRosenbrock {
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.guard(x);
        x.chunks(2).map(|p| 100.0 * (p[1] - p[0] * p[0]).powi(2) + (1.0 - p[0]).powi(2)).sum()
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.guard(x);
        for (p, gp) in x.chunks(2).zip(g.chunks_mut(2)) {
            gp[0] = -400.0 * p[0] * (p[1] - p[0] * p[0]) - 2.0 * (1.0 - p[0]);
            gp[1] = 200.0 * (p[1] - p[0] * p[0]);
        }
    }
}

impl HessianProduct for BoundedRosenbrock {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        self.guard(x);
        for ((p, vp), hp) in x.chunks(2).zip(v.chunks(2)).zip(hv.chunks_mut(2)) {
            let h00 = 1200.0 * p[0] * p[0] - 400.0 * p[1] + 2.0;
            let h01 = -400.0 * p[0];
            hp[0] = h00 * vp[0] + h01 * vp[1];
            hp[1] = h01 * vp[0] + 200.0 * vp[1];
        }
    }
}

impl DenseHessian for BoundedRosenbrock {
    fn hessian(&self, x: &[f64], mut hess: faer::MatMut<'_, f64>) {
        self.guard(x);
        for j in 0..self.n {
            for i in 0..self.n {
                hess[(i, j)] = 0.0;
            }
        }
        for k in (0..self.n).step_by(2) {
            let (a, b) = (x[k], x[k + 1]);
            hess[(k, k)] = 1200.0 * a * a - 400.0 * b + 2.0;
            hess[(k, k + 1)] = -400.0 * a;
            hess[(k + 1, k)] = -400.0 * a;
            hess[(k + 1, k + 1)] = 200.0;
        }
    }
}

impl SparseHessian for BoundedRosenbrock {
    // Lower triangle of the 2 x 2 blocks: column 2k holds rows 2k and 2k + 1, column 2k + 1
    // its diagonal.
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let mut col_ptr = vec![0];
        let mut row_idx = Vec::new();
        for j in 0..self.n {
            row_idx.push(j);
            if j % 2 == 0 {
                row_idx.push(j + 1);
            }
            col_ptr.push(row_idx.len());
        }
        SymbolicSparseColMat::new_checked(self.n, self.n, col_ptr, None, row_idx)
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        self.guard(x);
        for k in 0..self.n / 2 {
            let (a, b) = (x[2 * k], x[2 * k + 1]);
            values[3 * k] = 1200.0 * a * a - 400.0 * b + 2.0;
            values[3 * k + 1] = -400.0 * a;
            values[3 * k + 2] = 200.0;
        }
    }
}

/// A quadratic `f = x'Ax/2 - b'x` with a sparse symmetric `A` given by its lower triangle
/// column by column (diagonal first, then the rows below in increasing order).
struct SparseQuadratic {
    n: usize,
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    values: Vec<f64>,
    b: Vec<f64>,
    products: Cell<usize>,
}

impl SparseQuadratic {
    /// From the strictly lower entries `(i > j, j, a_ij)` (sorted by column, then row) and the
    /// diagonal.
    fn new(diag: Vec<f64>, lower: Vec<(usize, usize, f64)>, b: Vec<f64>) -> Self {
        let n = diag.len();
        let (mut col_ptr, mut row_idx, mut values) = (vec![0], Vec::new(), Vec::new());
        for j in 0..n {
            row_idx.push(j);
            values.push(diag[j]);
            for &(i, c, a) in lower.iter().filter(|e| e.1 == j) {
                assert!(i > c);
                row_idx.push(i);
                values.push(a);
            }
            col_ptr.push(row_idx.len());
        }
        Self { n, col_ptr, row_idx, values, b, products: Cell::new(0) }
    }

    fn apply(&self, v: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        for j in 0..self.n {
            for k in self.col_ptr[j]..self.col_ptr[j + 1] {
                let (i, a) = (self.row_idx[k], self.values[k]);
                out[i] += a * v[j];
                if i != j {
                    out[j] += a * v[i];
                }
            }
        }
    }

    /// The 5-point Laplacian of a `(k + 2) x (k + 2)` grid, boundary nodes included (they are
    /// fixed by the bounds), plus `shift` on the diagonal, and `b = force h^2`.
    fn membrane(k: usize, shift: f64, force: f64) -> Self {
        let m = k + 2;
        let h = 1.0 / (m - 1) as f64;
        let id = |x: usize, y: usize| y * m + x;
        let mut diag = vec![shift; m * m];
        let mut lower = Vec::new();
        for y in 0..m {
            for x in 0..m {
                let j = id(x, y);
                if x + 1 < m {
                    lower.push((id(x + 1, y), j, -1.0));
                    diag[j] += 1.0;
                    diag[id(x + 1, y)] += 1.0;
                }
                if y + 1 < m {
                    lower.push((id(x, y + 1), j, -1.0));
                    diag[j] += 1.0;
                    diag[id(x, y + 1)] += 1.0;
                }
            }
        }
        lower.sort_by_key(|e| (e.1, e.0));
        Self::new(diag, lower, vec![force * h * h; m * m])
    }
}

impl Objective for SparseQuadratic {
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&self, x: &[f64]) -> f64 {
        let mut ax = vec![0.0; self.n];
        self.apply(x, &mut ax);
        (0..self.n).map(|i| x[i] * (0.5 * ax[i] - self.b[i])).sum()
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.apply(x, g);
        for (gi, bi) in g.iter_mut().zip(&self.b) {
            *gi -= bi;
        }
    }
}

impl HessianProduct for SparseQuadratic {
    fn hessian_product(&self, _: &[f64], v: &[f64], hv: &mut [f64]) {
        self.products.set(self.products.get() + 1);
        self.apply(v, hv);
    }
}

impl SparseHessian for SparseQuadratic {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        SymbolicSparseColMat::new_checked(self.n, self.n, self.col_ptr.clone(), None, self.row_idx.clone())
    }
    fn hessian_values(&self, _: &[f64], values: &mut [f64]) {
        values.copy_from_slice(&self.values);
    }
}

/// The obstacle problem on the unit square: a membrane pushed down by a uniform force onto
/// the obstacle `psi(x, y) = -0.1 - ((x - 1/2)^2 + (y - 1/2)^2)`, held at 0 on the boundary
/// (fixed variables), and below the ceiling `0.3`.
fn obstacle(k: usize) -> (SparseQuadratic, Bounds) {
    let q = SparseQuadratic::membrane(k, 0.0, -40.0);
    let m = k + 2;
    let h = 1.0 / (m - 1) as f64;
    let (mut lower, mut upper) = (vec![0.0; m * m], vec![0.0; m * m]);
    for y in 0..m {
        for x in 0..m {
            if x == 0 || y == 0 || x + 1 == m || y + 1 == m {
                continue;
            }
            let (px, py) = (x as f64 * h - 0.5, y as f64 * h - 0.5);
            lower[y * m + x] = -0.1 - (px * px + py * py);
            upper[y * m + x] = 0.3;
        }
    }
    (q, Bounds::closed(lower, upper).unwrap())
}

/// A strictly convex separable quadratic `sum d_i (x_i - c_i)^2 / 2` plus a weak chain
/// coupling, in `[0, 1]^n`, with some targets `c_i` far outside the box.
fn convex_quadratic(n: usize) -> (SparseQuadratic, Bounds) {
    let diag: Vec<f64> = (0..n).map(|i| 1.0 + (i % 7) as f64).collect();
    let lower: Vec<(usize, usize, f64)> = (0..n - 1).map(|j| (j + 1, j, -0.25)).collect();
    let c: Vec<f64> = (0..n).map(|i| [-3.0, 0.4, 5.0, 0.6, 0.2][i % 5]).collect();
    let mut q = SparseQuadratic::new(diag, lower, vec![0.0; n]);
    // b = A c, so that the unconstrained minimizer is c.
    let mut b = vec![0.0; n];
    q.apply(&c, &mut b);
    q.b = b;
    (q, Bounds::closed(vec![0.0; n], vec![1.0; n]).unwrap())
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn bounded_rosenbrock_finds_its_active_set_and_never_leaves_the_box() {
    for n in [2, 10, 100] {
        let p = BoundedRosenbrock::new(n);
        // The start is outside the box in every even component (1.2 > 0.5): projected.
        let x0: Vec<f64> = (0..n).map(|i| if i % 2 == 0 { 1.2 } else { -1.0 }).collect();
        let (outside, seen) = (Cell::new(0), Cell::new(0));
        let mut options = BoundedOptions::default();
        options.keep_history = true;
        let report = ProjectedNewton::new()
            .with_options(options)
            .with_observer(in_box_observer(&p.bounds, &outside, &seen))
            .minimize(&p, &p.bounds, &x0)
            .unwrap();
        assert!(report.converged(), "n = {n}: {report}");
        assert!(report.start_moved);
        assert_eq!(outside.get(), 0);
        assert_eq!(seen.get(), report.iterations);
        assert!(report.stationarity <= 1e-6 && pg(&report.x, &report.gradient, &p.bounds) <= 1e-6);
        for i in 0..n {
            let want = if i % 2 == 0 { 0.5 } else { 0.25 };
            assert!((report.x[i] - want).abs() < 1e-6, "n = {n}, x[{i}] = {}", report.x[i]);
        }
        // The active set: exactly the even components, at their upper bound.
        assert_eq!(report.termination.active_bounds, n / 2);
        for i in (0..n).step_by(2) {
            assert_eq!(report.x[i], 0.5);
        }
        // Cauchy decrease on every iteration: -q(s_c) >= mu0 (-g's_c) with -g's_c > 0.
        for r in &report.history {
            assert!(r.cauchy_slope > 0.0, "{r:?}");
            assert!(r.cauchy_reduction >= 1e-2 * r.cauchy_slope * (1.0 - 1e-12), "{r:?}");
            assert!(r.step_norm <= r.radius * (1.0 + 1e-12), "{r:?}");
        }
        eprintln!(
            "rosenbrock n = {n}: {} iterations, {} CG, f {} g {} hv {}",
            report.iterations,
            report.inner_iterations,
            report.evaluations.f,
            report.evaluations.g,
            report.evaluations.hv
        );
    }
}

#[test]
fn dense_hessian_with_jacobi_reaches_the_same_solution() {
    let p = BoundedRosenbrock::new(10);
    let x0 = vec![-1.2; 10];
    let mut options = BoundedOptions::default();
    options.preconditioner = BoundedPreconditioner::Jacobi;
    let report = ProjectedNewton::new().with_options(options).solve(Newton::dense(&p), &p.bounds, &x0).unwrap();
    assert!(report.converged(), "{report}");
    assert!(report.evaluations.h > 0 && report.evaluations.hv == 0);
    for i in 0..10 {
        assert!((report.x[i] - if i % 2 == 0 { 0.5 } else { 0.25 }).abs() < 1e-6);
    }
}

#[test]
fn separable_targets_give_the_known_active_set() {
    // Without coupling the solution is mid(0, c, 1): the components with c = -3 sit at 0,
    // those with c = 5 at 1, the rest are free; nondegenerate (the multipliers are nonzero).
    let n = 50;
    let diag: Vec<f64> = (0..n).map(|i| 1.0 + (i % 7) as f64).collect();
    let c: Vec<f64> = (0..n).map(|i| [-3.0, 0.4, 5.0, 0.6, 0.2][i % 5]).collect();
    let rhs = (0..n).map(|i| diag[i] * c[i]).collect();
    let q = SparseQuadratic::new(diag, Vec::new(), rhs);
    let b = Bounds::closed(vec![0.0; n], vec![1.0; n]).unwrap();
    let x0 = vec![0.5; n];
    let mut options = BoundedOptions::default();
    options.keep_history = true;
    let report = ProjectedNewton::new().with_options(options).solve(Newton::sparse(&q), &b, &x0).unwrap();
    assert!(report.converged(), "{report}");
    for i in 0..n {
        let want = c[i].clamp(0.0, 1.0);
        assert!((report.x[i] - want).abs() < 1e-8, "x[{i}] = {}", report.x[i]);
        if want == 0.0 || want == 1.0 {
            assert_eq!(report.x[i], want, "active component {i} must sit exactly on its bound");
        }
    }
    assert_eq!(report.termination.active_bounds, 2 * n / 5);
    // Identified in finitely many (here: few) iterations, and kept once found.
    let found = report.history.iter().position(|r| r.active_bounds == 2 * n / 5).unwrap();
    assert!(report.history[found..].iter().all(|r| r.active_bounds == 2 * n / 5));
    assert!(report.iterations <= 5, "{report}");
}

#[test]
fn convex_quadratic_solved_by_every_preconditioner() {
    let n = 200;
    let (q, b) = convex_quadratic(n);
    let x0 = vec![0.5; n];
    let mut solutions = Vec::new();
    for pre in [
        BoundedPreconditioner::Identity,
        BoundedPreconditioner::Jacobi,
        BoundedPreconditioner::IncompleteCholesky(Default::default()),
    ] {
        let mut options = BoundedOptions::default();
        options.preconditioner = pre;
        let mut solver = ProjectedNewton::new().with_options(options);
        let report = solver.solve(Newton::sparse(&q), &b, &x0).unwrap();
        assert!(report.converged(), "{pre:?}: {report}");
        assert!(pg(&report.x, &report.gradient, &b) <= 1e-6, "{pre:?}: {report}");
        if matches!(pre, BoundedPreconditioner::IncompleteCholesky(_)) {
            assert!(report.factorizations > 0 && report.symbolic_analyses == 1, "{report}");
        } else {
            assert_eq!(report.factorizations, 0);
        }
        solutions.push(report.x);
    }
    // The matrix-free variant (products only) as well.
    let report = ProjectedNewton::new().minimize(&q, &b, &x0).unwrap();
    assert!(report.converged() && report.stationarity <= 1e-6, "{report}");
    solutions.push(report.x);
    for s in &solutions[1..] {
        for i in 0..n {
            assert!((s[i] - solutions[0][i]).abs() < 1e-6);
        }
    }
}

#[test]
fn obstacle_problem_fixed_boundary_and_contact_set() {
    let k = 30;
    let (q, b) = obstacle(k);
    let n = b.dim();
    let fixed: Vec<usize> = (0..n).filter(|&i| b.lower[i] == b.upper[i]).collect();
    assert_eq!(fixed.len(), 4 * (k + 1));
    // Start at 0.1 everywhere: outside the box on the boundary nodes (projected to 0).
    let x0 = vec![0.1; n];
    let moved = Cell::new(0usize);
    let outside = Cell::new(0usize);
    let observer = |_: &BoundedIteration, x: &[f64]| {
        if fixed.iter().any(|&i| x[i] != 0.0) {
            moved.set(moved.get() + 1);
        }
        if !b.contains(x) {
            outside.set(outside.get() + 1);
        }
        ControlFlow::Continue(())
    };
    let mut options = BoundedOptions::default();
    options.keep_history = true;
    let report = ProjectedNewton::new()
        .with_options(options)
        .with_observer(observer)
        .solve(Newton::sparse(&q), &b, &x0)
        .unwrap();
    assert!(report.converged(), "{report}");
    assert!(report.start_moved);
    assert_eq!((moved.get(), outside.get()), (0, 0));
    assert!(pg(&report.x, &report.gradient, &b) <= 1e-6);
    let contact = (0..n).filter(|&i| b.lower[i] < b.upper[i] && report.x[i] == b.lower[i]).count();
    assert!(contact > 10 && contact < n - fixed.len(), "contact set {contact}");
    assert_eq!(report.termination.active_bounds, contact + fixed.len());
    for r in &report.history {
        assert!(r.cauchy_reduction >= 1e-2 * r.cauchy_slope * (1.0 - 1e-12), "{r:?}");
    }
    // The factorization-free variant finds the same membrane.
    let free = ProjectedNewton::new().minimize(&q, &b, &x0).unwrap();
    assert!(free.converged(), "{free}");
    let diff = free.x.iter().zip(&report.x).map(|(a, c)| (a - c).abs()).fold(0.0, f64::max);
    assert!(diff < 1e-5, "{diff}");
    eprintln!(
        "obstacle n = {n}: ichol {} it, {} CG, {} factorizations; products {} it, {} CG, {} hv; contact {contact}",
        report.iterations,
        report.inner_iterations,
        report.factorizations,
        free.iterations,
        free.inner_iterations,
        free.evaluations.hv
    );
}

#[test]
fn fixed_variables_never_move() {
    // Rosenbrock with x_1 fixed at 2 (its value in the start, and again outside it).
    let p = BoundedRosenbrock::new(4);
    let mut b = p.bounds.clone();
    b.lower[1] = 2.0;
    b.upper[1] = 2.0;
    let p = BoundedRosenbrock { bounds: b.clone(), ..BoundedRosenbrock::new(4) };
    for x1 in [2.0, -7.0] {
        let x0 = [0.0, x1, 0.0, 0.0];
        let seen_moved = Cell::new(false);
        let report = ProjectedNewton::new()
            .with_observer(|_: &BoundedIteration, x: &[f64]| {
                seen_moved.set(seen_moved.get() || x[1] != 2.0);
                ControlFlow::Continue(())
            })
            .minimize(&p, &b, &x0)
            .unwrap();
        assert!(report.converged(), "{report}");
        assert!(!seen_moved.get());
        assert_eq!(report.x[1], 2.0);
        assert_eq!(report.start_moved, x1 != 2.0);
        // x_0 = min(0.5, sqrt(2)) = 0.5 at its bound; the fixed one counts as active too.
        assert_eq!(report.x[0], 0.5);
        assert!(report.termination.active_bounds >= 3);
    }
}

#[test]
fn setup_errors_are_typed() {
    let p = BoundedRosenbrock::new(2);
    let mut s = ProjectedNewton::new();
    let bad = Bounds { lower: vec![0.0, 1.0], upper: vec![1.0, 0.5] };
    assert!(matches!(s.minimize(&p, &bad, &[0.5, 0.5]), Err(SetupError::InvalidBounds { index: 1, .. })));
    assert!(matches!(
        Bounds::closed(vec![f64::NAN, 0.0], vec![1.0, 1.0]),
        Err(SetupError::InvalidBounds { index: 0, .. })
    ));
    let nan = Bounds { lower: vec![0.0, 0.0], upper: vec![1.0, f64::NAN] };
    assert!(matches!(s.minimize(&p, &nan, &[0.5, 0.5]), Err(SetupError::InvalidBounds { index: 1, .. })));
    let inf = Bounds { lower: vec![f64::INFINITY, 0.0], upper: vec![f64::INFINITY, 1.0] };
    assert!(matches!(s.minimize(&p, &inf, &[0.5, 0.5]), Err(SetupError::InvalidBounds { index: 0, .. })));
    let short = Bounds { lower: vec![0.0], upper: vec![1.0, 1.0] };
    assert!(matches!(s.minimize(&p, &short, &[0.5, 0.5]), Err(SetupError::DimensionMismatch { .. })));
    let three = Bounds::closed(vec![0.0; 3], vec![1.0; 3]).unwrap();
    assert!(matches!(s.minimize(&p, &three, &[0.5, 0.5]), Err(SetupError::DimensionMismatch { .. })));
    // The box and x0 agree, the problem does not.
    assert!(matches!(s.minimize(&p, &three, &[0.5; 3]), Err(SetupError::DimensionMismatch { .. })));
    assert!(matches!(s.minimize(&p, &p.bounds, &[f64::NAN, 0.0]), Err(SetupError::NonFiniteStart { index: 0, .. })));
    assert!(matches!(
        s.minimize(&p, &p.bounds, &[0.0, f64::INFINITY]),
        Err(SetupError::NonFiniteStart { index: 1, .. })
    ));
    let empty = Bounds::closed(vec![], vec![]).unwrap();
    assert!(matches!(s.minimize(&p, &empty, &[]), Err(SetupError::EmptyProblem)));
    for options in [
        {
            let mut o = BoundedOptions::default();
            o.gtol = f64::NAN;
            o
        },
        {
            let mut o = BoundedOptions::default();
            o.mu0 = 0.0;
            o
        },
        {
            let mut o = BoundedOptions::default();
            o.search_factor = 1.0;
            o
        },
        {
            let mut o = BoundedOptions::default();
            o.forcing = -1.0;
            o
        },
        {
            let mut o = BoundedOptions::default();
            o.max_non_finite = 0;
            o
        },
        {
            let mut o = BoundedOptions::default();
            o.max_cg_iterations = Some(0);
            o
        },
        {
            let mut o = BoundedOptions::default();
            o.radius.grow = 0.5;
            o
        },
    ] {
        let r = ProjectedNewton::new().with_options(options).minimize(&p, &p.bounds, &[0.0, 0.0]);
        assert!(matches!(r, Err(SetupError::InvalidOption { .. })), "{r:?}");
    }
    // No evaluation happened for any of these.
    assert_eq!(p.calls.get(), 0);
    // The interior solvers' box still refuses a fixed variable; the closed one allows it.
    assert!(Bounds::new(vec![1.0], vec![1.0]).is_err());
    assert!(Bounds::closed(vec![1.0], vec![1.0]).is_ok());
}

/// `(x0 - 2)^2 + (x1 - 2)^2` on `[0, 3]^2`, not defined (NaN) where `x0 > 2.2`.
struct HoleyBowl {
    nan_trials: Cell<usize>,
    always_nan_after: Option<Cell<usize>>,
}

impl Objective for HoleyBowl {
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        if let Some(c) = &self.always_nan_after {
            c.set(c.get() + 1);
            if c.get() > 1 {
                return f64::NAN;
            }
        }
        if x[0] > 2.2 {
            self.nan_trials.set(self.nan_trials.get() + 1);
            return f64::NAN;
        }
        (x[0] - 2.0).powi(2) + (x[1] - 2.0).powi(2)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        g[0] = 2.0 * (x[0] - 2.0);
        g[1] = 2.0 * (x[1] - 2.0);
    }
}

impl HessianProduct for HoleyBowl {
    fn hessian_product(&self, _: &[f64], v: &[f64], hv: &mut [f64]) {
        hv[0] = 2.0 * v[0];
        hv[1] = 2.0 * v[1];
    }
}

#[test]
fn nan_from_the_user_mid_run_is_a_rejected_trial() {
    let b = Bounds::closed(vec![0.0, 0.0], vec![3.0, 3.0]).unwrap();
    let p = HoleyBowl { nan_trials: Cell::new(0), always_nan_after: None };
    let mut options = BoundedOptions::default();
    options.radius.initial = Some(10.0);
    options.keep_history = true;
    let report = ProjectedNewton::new().with_options(options.clone()).minimize(&p, &b, &[0.0, 0.0]).unwrap();
    assert!(p.nan_trials.get() > 0, "the test must provoke a NaN");
    assert!(report.converged(), "{report}");
    assert!((report.x[0] - 2.0).abs() < 1e-8 && (report.x[1] - 2.0).abs() < 1e-8);
    let rejected = report.history.iter().filter(|r| r.actual_reduction.is_nan()).count();
    assert_eq!(rejected, p.nan_trials.get());
    assert!(report.history.iter().filter(|r| r.actual_reduction.is_nan()).all(|r| !r.accepted));

    // Never finite again after the start: the run gives up with the typed reason and the start.
    let p = HoleyBowl { nan_trials: Cell::new(0), always_nan_after: Some(Cell::new(0)) };
    options.max_non_finite = 5;
    let report = ProjectedNewton::new().with_options(options).minimize(&p, &b, &[0.5, 0.5]).unwrap();
    assert!(matches!(report.termination.reason, BoundedReason::Other(Termination::NonFinite { consecutive: 5 })));
    assert!(!report.converged());
    assert_eq!(report.x, vec![0.5, 0.5]);
    assert_eq!(report.f, 1.5f64.powi(2) * 2.0);
    assert_eq!(report.iterations, 5);
}

/// Hessian products that turn NaN after the start: the step is non-finite, `f` is not
/// evaluated at it, and the run ends with the typed reason.
struct NanCurvature(Cell<usize>);

impl Objective for NanCurvature {
    fn dim(&self) -> usize {
        3
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.0.set(self.0.get() + 1);
        x.iter().map(|v| v * v).sum()
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        for (gi, xi) in g.iter_mut().zip(x) {
            *gi = 2.0 * xi;
        }
    }
}

impl HessianProduct for NanCurvature {
    fn hessian_product(&self, _: &[f64], _: &[f64], hv: &mut [f64]) {
        hv.iter_mut().for_each(|h| *h = f64::NAN);
    }
}

#[test]
fn non_finite_products_never_reach_f() {
    let p = NanCurvature(Cell::new(0));
    let b = Bounds::closed(vec![-1.0; 3], vec![1.0; 3]).unwrap();
    let mut options = BoundedOptions::default();
    options.max_non_finite = 4;
    let report = ProjectedNewton::new().with_options(options).minimize(&p, &b, &[0.5, -0.5, 0.25]).unwrap();
    assert!(matches!(report.termination.reason, BoundedReason::Other(Termination::NonFinite { .. })), "{report}");
    assert_eq!(p.0.get(), 1, "f evaluated only at the start");
    assert_eq!(report.x, vec![0.5, -0.5, 0.25]);
}

#[test]
fn limits_and_observer_end_the_run() {
    let p = BoundedRosenbrock::new(10);
    let x0 = vec![-1.2; 10];
    let mut options = BoundedOptions::default();
    options.limits.max_iterations = 3;
    let report = ProjectedNewton::new().with_options(options).minimize(&p, &p.bounds, &x0).unwrap();
    assert!(matches!(report.termination.reason, BoundedReason::Other(Termination::MaxIterations { limit: 3 })));
    assert_eq!(report.iterations, 3);
    let report = ProjectedNewton::new()
        .with_observer(
            |r: &BoundedIteration, _: &[f64]| {
                if r.iteration == 2 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .minimize(&p, &p.bounds, &x0)
        .unwrap();
    assert!(matches!(report.termination.reason, BoundedReason::Other(Termination::UserStopped { iteration: 2 })));
    // A start that is already optimal: converged with no iteration.
    let report =
        ProjectedNewton::new().minimize(&p, &p.bounds, &[0.5, 0.25, 0.5, 0.25, 0.5, 0.25, 0.5, 0.25, 0.5, 0.25]);
    let report = report.unwrap();
    assert!(report.converged() && report.iterations == 0);
    assert_eq!(report.termination.active_bounds, 5);
    assert!(format!("{report}").contains("5 active bounds"));
}

/// The obstacle problem at `n = 102^2` (10,404 variables, 404 fixed; `BOUNDED_K=k` for
/// `(k + 2)^2`) with each preconditioner and with the scaled interior method: iterations, CG
/// iterations and time (`cargo test -p trust-region --test bounded large -- --ignored
/// --nocapture`).
#[test]
#[ignore]
fn large_obstacle_problem() {
    let k = std::env::var("BOUNDED_K").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let (q, b) = obstacle(k);
    let n = b.dim();
    let x0 = vec![0.0; n];
    for (name, pre) in [
        ("incomplete Cholesky", BoundedPreconditioner::IncompleteCholesky(Default::default())),
        ("Jacobi", BoundedPreconditioner::Jacobi),
        ("none", BoundedPreconditioner::Identity),
    ] {
        let mut options = BoundedOptions::default();
        options.preconditioner = pre;
        let report = ProjectedNewton::new().with_options(options).solve(Newton::sparse(&q), &b, &x0).unwrap();
        assert!(report.converged() && pg(&report.x, &report.gradient, &b) <= 1e-6, "{name}: {report}");
        eprintln!(
            "obstacle n = {n}, sparse Hessian, {name}: {} iterations, {} CG, {} factorizations, pg {:.1e}, {} active, {:.3} s",
            report.iterations,
            report.inner_iterations,
            report.factorizations,
            report.stationarity,
            report.termination.active_bounds,
            report.elapsed.as_secs_f64()
        );
    }
    let report = ProjectedNewton::new().minimize(&q, &b, &x0).unwrap();
    assert!(report.converged() && pg(&report.x, &report.gradient, &b) <= 1e-6, "{report}");
    eprintln!(
        "obstacle n = {n}, Hessian-vector products: {} iterations, {} CG, {} hv, pg {:.1e}, {:.3} s",
        report.iterations,
        report.inner_iterations,
        report.evaluations.hv,
        report.stationarity,
        report.elapsed.as_secs_f64()
    );
    use trust_region::solver::scaled_interior::{ScaledInterior, ScaledInteriorOptions};
    for scaling in [
        trust_region::Scaling::ColemanLi,
        trust_region::Scaling::huu(),
        trust_region::Scaling::kanzow_klug(),
        trust_region::Scaling::default(),
        trust_region::Scaling::Adaptive,
    ] {
        let mut options = ScaledInteriorOptions::default();
        options.scaling = scaling;
        let report = ScaledInterior::new(trust_region::subproblem::Steihaug::new())
            .with_options(options)
            .minimize(&q, &b, &x0)
            .unwrap();
        eprintln!(
            "obstacle n = {n}, scaled interior {}: {}; {} iterations, {} CG, {} hv, {:.3} s",
            scaling.name(),
            report.termination,
            report.iterations,
            report.inner_iterations,
            report.evaluations.hv,
            report.elapsed.as_secs_f64()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Method 2: the scaled interior trust region

mod interior {
    use super::*;
    use trust_region::solver::scaled_interior::{ScaledInterior, ScaledInteriorOptions};
    use trust_region::subproblem::Steihaug;
    use trust_region::Scaling;

    fn members() -> [Scaling; 5] {
        [Scaling::ColemanLi, Scaling::huu(), Scaling::kanzow_klug(), Scaling::default(), Scaling::Adaptive]
    }

    /// Runs the method with `scaling`, checking at every iteration that the point is strictly
    /// inside (fixed variables at their value) and that the chosen candidate predicts at least
    /// the decrease of the scaled Cauchy step.
    fn run<P: HessianProduct>(p: &P, b: &Bounds, x0: &[f64], scaling: Scaling) -> trust_region::BoundedReport {
        let bad = Cell::new(0usize);
        let mut options = ScaledInteriorOptions::default();
        options.scaling = scaling;
        options.keep_history = true;
        options.limits.max_iterations = 500;
        let report = ScaledInterior::new(Steihaug::new())
            .with_options(options)
            .with_observer(|_: &BoundedIteration, x: &[f64]| {
                let strictly = (0..x.len()).all(|i| {
                    if b.lower[i] == b.upper[i] {
                        x[i] == b.lower[i]
                    } else {
                        b.lower[i] < x[i] && x[i] < b.upper[i]
                    }
                });
                if !strictly {
                    bad.set(bad.get() + 1);
                }
                ControlFlow::Continue(())
            })
            .minimize(p, b, x0)
            .unwrap();
        assert_eq!(bad.get(), 0, "{scaling:?}: an iterate was not strictly inside");
        for r in &report.history {
            assert!(r.predicted_reduction >= r.cauchy_reduction * (1.0 - 1e-12) - 1e-300, "{scaling:?}: {r:?}");
            assert!(r.cauchy_reduction >= 0.0);
        }
        report
    }

    #[test]
    fn every_scaling_solves_the_convex_quadratic_like_the_projected_method() {
        let n = 100;
        let (q, b) = convex_quadratic(n);
        let x0 = vec![0.5; n];
        let reference = ProjectedNewton::new().minimize(&q, &b, &x0).unwrap();
        for scaling in members() {
            let report = run(&q, &b, &x0, scaling);
            assert!(report.converged(), "{scaling:?}: {report}");
            assert!(pg(&report.x, &report.gradient, &b) <= 1e-6);
            let diff = report.x.iter().zip(&reference.x).map(|(a, c)| (a - c).abs()).fold(0.0, f64::max);
            assert!(diff < 1e-5, "{scaling:?}: {diff}");
            eprintln!(
                "convex quadratic, {}: {} iterations, {} CG",
                scaling.name(),
                report.iterations,
                report.inner_iterations
            );
        }
    }

    #[test]
    fn bounded_rosenbrock_and_obstacle() {
        let p = BoundedRosenbrock::new(10);
        let x0: Vec<f64> = (0..10).map(|i| if i % 2 == 0 { 1.2 } else { -1.0 }).collect();
        let (q, b) = obstacle(20);
        let y0 = vec![0.05; b.dim()];
        for scaling in members() {
            let report = run(&p, &p.bounds, &x0, scaling);
            assert!(report.start_moved);
            eprintln!("rosenbrock 10, {}: {} ({} iterations)", scaling.name(), report.termination, report.iterations);
            let report_o = run(&q, &b, &y0, scaling);
            eprintln!(
                "obstacle 484, {}: {} ({} iterations)",
                scaling.name(),
                report_o.termination,
                report_o.iterations
            );
            assert!(report.converged() && report.stationarity <= 1e-6, "{scaling:?}: {report}");
            assert!(report_o.converged() && report_o.stationarity <= 1e-6, "{scaling:?}: {report_o}");
            for i in 0..10 {
                assert!((report.x[i] - if i % 2 == 0 { 0.5 } else { 0.25 }).abs() < 1e-5, "{scaling:?}");
            }
            // The boundary of the membrane stays fixed; the contact set is that of Method 1.
            let reference = ProjectedNewton::new().solve(Newton::sparse(&q), &b, &y0).unwrap();
            let diff = report_o.x.iter().zip(&reference.x).map(|(a, c)| (a - c).abs()).fold(0.0, f64::max);
            assert!(diff < 1e-5, "{scaling:?}: {diff}");
            assert_eq!(report_o.termination.active_bounds, reference.termination.active_bounds, "{scaling:?}");
        }
    }

    /// Any matrix-free step solver runs in the scaled variables: GLTR, preconditioned
    /// Steihaug (Jacobi on the diagonal of the scaled Hessian) and the Cauchy point.
    #[test]
    fn other_step_solvers_in_the_scaled_variables() {
        use trust_region::subproblem::{Cauchy, DiagonalPreconditioner, Gltr};
        let p = BoundedRosenbrock::new(10);
        let x0 = vec![-1.2; 10];
        let check = |report: trust_region::BoundedReport, name: &str| {
            assert!(report.converged() && report.stationarity <= 1e-6, "{name}: {report}");
            for i in 0..10 {
                assert!((report.x[i] - if i % 2 == 0 { 0.5 } else { 0.25 }).abs() < 1e-5, "{name}");
            }
            eprintln!("rosenbrock 10, {name}: {} iterations", report.iterations);
        };
        check(ScaledInterior::new(Gltr::new()).minimize(&p, &p.bounds, &x0).unwrap(), "gltr");
        let jacobi = Steihaug::with_preconditioner(DiagonalPreconditioner::default());
        check(ScaledInterior::new(jacobi).solve(Newton::dense(&p), &p.bounds, &x0).unwrap(), "steihaug-jacobi");
        let mut options = ScaledInteriorOptions::default();
        options.limits.max_iterations = 20_000;
        let q = convex_quadratic(20);
        let report = ScaledInterior::new(Cauchy::new()).with_options(options).minimize(&q.0, &q.1, &[0.5; 20]).unwrap();
        assert!(report.converged() && report.stationarity <= 1e-6, "cauchy: {report}");
    }

    /// The matrix step solvers run in the scaled variables on `D^1/2 B D^1/2 + C` formed by the
    /// loop: More-Sorensen and the dogleg on a dense Hessian, More-Sorensen and Steihaug with
    /// incomplete Cholesky on a sparse one, for every member of the scaling family; the same
    /// solutions and active sets as the matrix-free run and the projected method.
    #[test]
    fn matrix_step_solvers_in_the_scaled_variables() {
        use trust_region::subproblem::{Dogleg, IncompleteCholeskyPreconditioner, MoreSorensen};
        let p = BoundedRosenbrock::new(10);
        let x0 = vec![-1.2; 10];
        let (q, b) = obstacle(20);
        let y0 = vec![0.05; b.dim()];
        let reference = ProjectedNewton::new().solve(Newton::sparse(&q), &b, &y0).unwrap();
        for scaling in members() {
            let mut o = ScaledInteriorOptions::default();
            o.scaling = scaling;
            o.keep_history = true;
            let check_rosenbrock = |report: trust_region::BoundedReport, name: &str| {
                assert!(report.converged() && report.stationarity <= 1e-6, "{name} {scaling:?}: {report}");
                for i in 0..10 {
                    assert!((report.x[i] - if i % 2 == 0 { 0.5 } else { 0.25 }).abs() < 1e-5, "{name} {scaling:?}");
                }
                eprintln!("rosenbrock 10, {name}, {}: {} iterations", scaling.name(), report.iterations);
                report
            };
            let exact = || ScaledInterior::new(MoreSorensen::new()).with_options(o.clone());
            check_rosenbrock(exact().solve(Newton::dense(&p), &p.bounds, &x0).unwrap(), "exact");
            check_rosenbrock(
                ScaledInterior::new(Dogleg::new())
                    .with_options(o.clone())
                    .solve(Newton::dense(&p), &p.bounds, &x0)
                    .unwrap(),
                "dogleg",
            );
            for (name, report) in [
                ("exact sparse", exact().solve(Newton::sparse(&q), &b, &y0).unwrap()),
                (
                    "steihaug-ichol",
                    ScaledInterior::new(Steihaug::with_preconditioner(IncompleteCholeskyPreconditioner::default()))
                        .with_options(o.clone())
                        .solve(Newton::sparse(&q), &b, &y0)
                        .unwrap(),
                ),
            ] {
                assert!(report.converged() && report.stationarity <= 1e-6, "{name} {scaling:?}: {report}");
                let diff = report.x.iter().zip(&reference.x).map(|(a, c)| (a - c).abs()).fold(0.0, f64::max);
                assert!(diff < 1e-5, "{name} {scaling:?}: {diff}");
                assert_eq!(report.termination.active_bounds, reference.termination.active_bounds, "{name} {scaling:?}");
                // The sparse scaled matrix was factorized: one symbolic analysis of its pattern.
                if name == "exact sparse" {
                    assert_eq!(report.symbolic_analyses, 1, "{scaling:?}");
                }
                eprintln!("obstacle 484, {name}, {}: {} iterations", scaling.name(), report.iterations);
            }
        }
        // With products only, a matrix solver is refused before the first evaluation when the
        // pairing is chosen at run time (at compile time it does not build).
        let r = ScaledInterior::new(trust_region::subproblem::RuntimeChecked(MoreSorensen::new()))
            .minimize(&p, &p.bounds, &x0);
        assert!(matches!(r, Err(SetupError::Unsupported { .. })), "{r:?}");
    }

    #[test]
    fn nan_values_and_setup_errors() {
        let b = Bounds::closed(vec![0.0, 0.0], vec![3.0, 3.0]).unwrap();
        let p = HoleyBowl { nan_trials: Cell::new(0), always_nan_after: None };
        let mut options = ScaledInteriorOptions::default();
        options.radius.initial = Some(10.0);
        let report = ScaledInterior::new(Steihaug::new()).with_options(options).minimize(&p, &b, &[0.0, 0.0]).unwrap();
        assert!(report.converged(), "{report}");
        assert!(report.start_moved);
        let bad = Bounds { lower: vec![0.0, 2.0], upper: vec![1.0, 1.0] };
        let r = ScaledInterior::new(Steihaug::new()).minimize(&p, &bad, &[0.5, 0.5]);
        assert!(matches!(r, Err(SetupError::InvalidBounds { index: 1, .. })));
        let mut options = ScaledInteriorOptions::default();
        options.theta = Some(1.0);
        let r = ScaledInterior::new(Steihaug::new()).with_options(options).minimize(&p, &b, &[0.5, 0.5]);
        assert!(matches!(r, Err(SetupError::InvalidOption { .. })));
    }
}

/// No allocation between the first and the last iteration of either method, on a sparse
/// Hessian with incomplete Cholesky (the reduced matrix reuses one pattern) and on products.
#[test]
fn no_allocation_per_iteration() {
    let p = BoundedRosenbrock::new(200);
    let x0: Vec<f64> = (0..200).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
    let counted = |name: &str, calls: usize, first: usize, last: usize| {
        assert!(calls >= 3, "{name}: {calls} iterations");
        assert_eq!(last - first, 0, "{name}: {} allocations over {calls} iterations", last - first);
    };
    let (calls, first, last) = (Cell::new(0usize), Cell::new(0usize), Cell::new(0usize));
    let observer = |_: &BoundedIteration, _: &[f64]| {
        let a = allocations();
        if calls.get() == 0 {
            first.set(a);
        }
        last.set(a);
        calls.set(calls.get() + 1);
        ControlFlow::Continue(())
    };
    let report = ProjectedNewton::new().with_observer(&observer).solve(Newton::sparse(&p), &p.bounds, &x0).unwrap();
    assert!(report.converged() && report.factorizations > 0, "{report}");
    counted("projected, ichol", calls.get(), first.get(), last.get());
    calls.set(0);
    let report = ProjectedNewton::new().with_observer(&observer).minimize(&p, &p.bounds, &x0).unwrap();
    assert!(report.converged(), "{report}");
    counted("projected, products", calls.get(), first.get(), last.get());
    calls.set(0);
    let report = trust_region::solver::scaled_interior::ScaledInterior::new(trust_region::subproblem::Steihaug::new())
        .with_observer(&observer)
        .minimize(&p, &p.bounds, &x0)
        .unwrap();
    assert!(report.converged(), "{report}");
    counted("scaled interior", calls.get(), first.get(), last.get());
    calls.set(0);
    let report =
        trust_region::solver::scaled_interior::ScaledInterior::new(trust_region::subproblem::MoreSorensen::new())
            .with_observer(&observer)
            .solve(Newton::sparse(&p), &p.bounds, &x0)
            .unwrap();
    assert!(report.converged(), "{report}");
    counted("scaled interior, exact sparse", calls.get(), first.get(), last.get());
}

/// A nonconvex bounded quadratic (the membrane Laplacian shifted by `-5`, indefinite, in
/// `[-1, 1]` with a fixed boundary): negative curvature in the subspace CG, a shifted
/// incomplete factor, and a KKT point with many variables at their bounds.
#[test]
fn nonconvex_bounded_quadratic() {
    let k = 20;
    let q = SparseQuadratic::membrane(k, -5.0, 1.0);
    let m = k + 2;
    let (mut lower, mut upper) = (vec![0.0; m * m], vec![0.0; m * m]);
    for y in 1..m - 1 {
        for x in 1..m - 1 {
            lower[y * m + x] = -1.0;
            upper[y * m + x] = 1.0;
        }
    }
    let b = Bounds::closed(lower, upper).unwrap();
    let x0: Vec<f64> = (0..m * m).map(|i| 0.1 * ((i as f64) * 0.7).sin()).collect();
    let mut options = BoundedOptions::default();
    options.keep_history = true;
    for report in [
        ProjectedNewton::new().with_options(options.clone()).solve(Newton::sparse(&q), &b, &x0).unwrap(),
        ProjectedNewton::new().with_options(options).minimize(&q, &b, &x0).unwrap(),
    ] {
        assert!(report.converged(), "{report}");
        assert!(pg(&report.x, &report.gradient, &b) <= 1e-6);
        assert!(report.f < q.value(&x0));
        assert!(report.history.iter().any(|r| r.step_status == trust_region::StepStatus::NegativeCurvature));
        let at_bound = (0..m * m).filter(|&i| b.lower[i] < b.upper[i] && report.x[i].abs() == 1.0).count();
        assert!(at_bound > 0);
        eprintln!(
            "nonconvex n = {}: {} iterations, f = {:.6}, {} at +-1",
            m * m,
            report.iterations,
            report.f,
            at_bound
        );
    }
}

/// `f = -x_0 - x_1` on `[0, inf) x [0, 1]`: unbounded below along `x_0`. Both methods end with
/// a typed reason (no panic), and a box of fixed variables only is solved at once.
struct Ramp;

impl Objective for Ramp {
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        -x[0] - x[1]
    }
    fn gradient(&self, _: &[f64], g: &mut [f64]) {
        g[0] = -1.0;
        g[1] = -1.0;
    }
}

impl HessianProduct for Ramp {
    fn hessian_product(&self, _: &[f64], _: &[f64], hv: &mut [f64]) {
        hv.iter_mut().for_each(|h| *h = 0.0);
    }
}

#[test]
fn unbounded_below_and_all_fixed() {
    use trust_region::solver::scaled_interior::ScaledInterior;
    use trust_region::subproblem::Steihaug;
    let b = Bounds::closed(vec![0.0, 0.0], vec![f64::INFINITY, 1.0]).unwrap();
    let r = ProjectedNewton::new().minimize(&Ramp, &b, &[0.5, 0.5]).unwrap();
    assert!(!r.converged(), "{r}");
    assert_eq!(r.x[1], 1.0);
    assert!(r.x[0] > 1e100 && r.f.is_finite(), "{r}");
    let r = ScaledInterior::new(Steihaug::new()).minimize(&Ramp, &b, &[0.5, 0.5]).unwrap();
    assert!(!r.converged(), "{r}");
    assert!(r.x[1] < 1.0 && r.f.is_finite(), "{r}");
    let fixed = Bounds::closed(vec![1.0, 2.0], vec![1.0, 2.0]).unwrap();
    let r = ProjectedNewton::new().minimize(&Ramp, &fixed, &[0.0, 0.0]).unwrap();
    assert!(r.converged() && r.iterations == 0 && r.x == vec![1.0, 2.0] && r.termination.active_bounds == 2);
    let r = ScaledInterior::new(Steihaug::new()).minimize(&Ramp, &fixed, &[0.0, 0.0]).unwrap();
    assert!(r.converged() && r.iterations == 0 && r.x == vec![1.0, 2.0] && r.termination.active_bounds == 2);
}

/// Bounded nonlinear least squares through the Gauss-Newton model: `r_i = t_i^2 x_0 + x_1 -
/// y_i` (linear in `x`) with `x_0 <= 0.5`, the unconstrained fit being `x = (1, 0)`.
struct Fit;

impl trust_region::Residuals for Fit {
    fn dim(&self) -> usize {
        2
    }
    fn residual_count(&self) -> usize {
        4
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for (i, ri) in r.iter_mut().enumerate() {
            let t = i as f64;
            *ri = t * t * x[0] + x[1] - t * t;
        }
    }
}

impl trust_region::DenseJacobian for Fit {
    fn jacobian(&self, _: &[f64], mut j: faer::MatMut<'_, f64>) {
        for i in 0..4 {
            let t = i as f64;
            j[(i, 0)] = t * t;
            j[(i, 1)] = 1.0;
        }
    }
}

#[test]
fn bounded_least_squares_with_gauss_newton() {
    let b = Bounds::closed(vec![f64::NEG_INFINITY, f64::NEG_INFINITY], vec![0.5, f64::INFINITY]).unwrap();
    let report = ProjectedNewton::new().solve(trust_region::GaussNewton::dense(&Fit), &b, &[0.0, 0.0]).unwrap();
    assert!(report.converged(), "{report}");
    // With x_0 = 0.5 fixed by its bound, x_1 = mean(t^2 / 2) = (0 + 1 + 4 + 9) / 8 = 1.75.
    assert_eq!(report.x[0], 0.5);
    assert!((report.x[1] - 1.75).abs() < 1e-8, "{:?}", report.x);
    assert_eq!(report.termination.active_bounds, 1);
}
