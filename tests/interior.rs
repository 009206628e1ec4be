//! The scaled interior trust region on small bound-constrained systems written inline:
//! convergence of every scaling x step rule from the quarter points, interiority and
//! monotonicity of every run, dense = sparse = finite differences, symbolic reuse, setup
//! errors, non-finite values, and no allocation in the loop.

use std::ops::ControlFlow;

use faer::sparse::{SparseColMat, SymbolicSparseColMat, Triplet};
use faer::MatMut;
use trust_region::solver::interior::{
    Interior, InteriorOptions, Region, StepRule, SystemIterationInfo, SystemReport, SystemTermination,
};
use trust_region::{Bounds, DenseJacobian, RadiusOptions, Residuals, Scaling, SetupError, SparseJacobian};

use trust_region::problem::fd::DEFAULT_REL_STEP as REL;
use trust_region::{DenseStore, SparseStore};

mod counting_alloc;
use counting_alloc::allocations;

/// A 2x2 system written as closures over `x`; the Jacobian is dense and, for the sparse
/// path, stored in a full 2x2 pattern.
struct Sys2 {
    f: fn(&[f64]) -> [f64; 2],
    j: fn(&[f64]) -> [[f64; 2]; 2],
}

impl Residuals for Sys2 {
    fn dim(&self) -> usize {
        2
    }
    fn residual_count(&self) -> usize {
        2
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        r.copy_from_slice(&(self.f)(x));
    }
}

impl DenseJacobian for Sys2 {
    fn jacobian(&self, x: &[f64], mut jac: MatMut<'_, f64>) {
        let j = (self.j)(x);
        for r in 0..2 {
            for c in 0..2 {
                jac[(r, c)] = j[r][c];
            }
        }
    }
}

fn full_pattern(n: usize) -> SymbolicSparseColMat<usize> {
    let t: Vec<_> = (0..n).flat_map(|c| (0..n).map(move |r| Triplet::new(r, c, 0.0))).collect();
    SparseColMat::try_new_from_triplets(n, n, &t).unwrap().symbolic().to_owned().unwrap()
}

impl SparseJacobian for Sys2 {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        full_pattern(2)
    }
    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) {
        // Column-major order of the full pattern.
        let j = (self.j)(x);
        values.copy_from_slice(&[j[0][0], j[1][0], j[0][1], j[1][1]]);
    }
}

/// Floudas et al. 14.1.1, the gradient of Himmelblau's function, in [-5, 5]^2.
fn himmelblau() -> (Sys2, Bounds) {
    let sys = Sys2 {
        f: |x| {
            [
                4.0 * x[0].powi(3) + 4.0 * x[0] * x[1] + 2.0 * x[1] * x[1] - 42.0 * x[0] - 14.0,
                4.0 * x[1].powi(3) + 2.0 * x[0] * x[0] + 4.0 * x[0] * x[1] - 26.0 * x[1] - 22.0,
            ]
        },
        j: |x| {
            [
                [12.0 * x[0] * x[0] + 4.0 * x[1] - 42.0, 4.0 * x[0] + 4.0 * x[1]],
                [4.0 * x[0] + 4.0 * x[1], 12.0 * x[1] * x[1] + 4.0 * x[0] - 26.0],
            ]
        },
    };
    (sys, Bounds::new(vec![-5.0, -5.0], vec![5.0, 5.0]).unwrap())
}

/// Powell's badly scaled system in [0, 1] x [1, 10]; root (1.0981593e-5, 9.1061467).
fn powell() -> (Sys2, Bounds) {
    let sys = Sys2 {
        f: |x| [1e4 * x[0] * x[1] - 1.0, (-x[0]).exp() + (-x[1]).exp() - 1.0001],
        j: |x| [[1e4 * x[1], 1e4 * x[0]], [-(-x[0]).exp(), -(-x[1]).exp()]],
    };
    (sys, Bounds::new(vec![0.0, 1.0], vec![1.0, 10.0]).unwrap())
}

/// `x1 + x2 = 1`, `x1 x2 = 1e-6` in [0, 1] x [0, 2]: both roots lie within 1e-6 of a bound.
fn near_boundary() -> (Sys2, Bounds) {
    let sys = Sys2 { f: |x| [x[0] + x[1] - 1.0, x[0] * x[1] - 1e-6], j: |x| [[1.0, 1.0], [x[1], x[0]]] };
    (sys, Bounds::new(vec![0.0, 0.0], vec![1.0, 2.0]).unwrap())
}

/// `x1 (2 + x2) = 0`, `x2 + x1^2 = 0.5` in [0, 1]^2: the root (0, 0.5) lies on the boundary.
fn on_boundary() -> (Sys2, Bounds) {
    let sys =
        Sys2 { f: |x| [x[0] * (2.0 + x[1]), x[1] + x[0] * x[0] - 0.5], j: |x| [[2.0 + x[1], x[0]], [2.0 * x[0], 1.0]] };
    (sys, Bounds::new(vec![0.0, 0.0], vec![1.0, 1.0]).unwrap())
}

/// No root in [0, 1]^2: `x1 - 3 = 0`, `x2 - 2 - x1/2 = 0`; the merit is smallest at the
/// corner (1, 1), a stationary point on the boundary.
fn no_root_boundary() -> (Sys2, Bounds) {
    let sys = Sys2 { f: |x| [x[0] - 3.0, x[1] - 2.0 - 0.5 * x[0]], j: |_| [[1.0, 0.0], [-0.5, 1.0]] };
    (sys, Bounds::new(vec![0.0, 0.0], vec![1.0, 1.0]).unwrap())
}

/// No root at all: `x1^2 + x2^2 + 1 = 0`, `x1 - x2 = 0`; the merit has an interior stationary
/// point at the origin (a minimizer with F = (1, 0) and a singular Jacobian).
fn no_root_interior() -> (Sys2, Bounds) {
    let sys =
        Sys2 { f: |x| [x[0] * x[0] + x[1] * x[1] + 1.0, x[0] - x[1]], j: |x| [[2.0 * x[0], 2.0 * x[1]], [1.0, -1.0]] };
    (sys, Bounds::new(vec![-1.0, -1.0], vec![1.0, 1.0]).unwrap())
}

fn quarter_points(b: &Bounds) -> Vec<Vec<f64>> {
    (1..=3).map(|nu| b.lower.iter().zip(&b.upper).map(|(&l, &u)| l + nu as f64 * (u - l) / 4.0).collect()).collect()
}

fn scalings() -> Vec<Scaling> {
    vec![Scaling::ColemanLi, Scaling::huu(), Scaling::kanzow_klug(), Scaling::default(), Scaling::Adaptive]
}

fn options(scaling: Scaling, step_rule: StepRule) -> InteriorOptions {
    {
        let mut o = InteriorOptions::default();
        o.scaling = scaling;
        o.step_rule = step_rule;
        o.keep_history = true;
        o
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// The theorems every run must satisfy: iterates strictly inside, merit nonincreasing on
/// accepted steps, the report's point inside and its residual consistent.
fn check_run(sys: &Sys2, b: &Bounds, r: &SystemReport, label: &str) {
    let mut merit = f64::INFINITY;
    for h in &r.history {
        assert!(b.strictly_contains(&h.x), "{label}: iterate {:?} not strictly inside at {}", h.x, h.iteration);
        if h.accepted {
            assert!(h.merit <= merit, "{label}: merit increased at iteration {}", h.iteration);
            merit = h.merit;
        }
        assert!(h.step_norm <= h.radius * (1.0 + 1e-12), "{label}: step outside the region at {}", h.iteration);
    }
    assert!(b.strictly_contains(&r.x), "{label}: final point {:?} not strictly inside", r.x);
    let f = (sys.f)(&r.x);
    assert!((norm(&f) - r.residual_norm()).abs() <= 1e-12 * (1.0 + r.residual_norm()), "{label}");
}

fn run_matrix(name: &str, make: fn() -> (Sys2, Bounds), must_all: bool) -> Vec<(String, usize)> {
    let (sys, b) = make();
    let mut out = Vec::new();
    let mut failures = Vec::new();
    for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
        for scaling in scalings() {
            for (k, x0) in quarter_points(&b).iter().enumerate() {
                let label = format!("{name} {} {} x0#{}", scaling.name(), rule.name(), k + 1);
                let r = Interior::new(options(scaling, rule)).solve_dense(&sys, &b, x0).unwrap();
                check_run(&sys, &b, &r, &label);
                if r.converged() && r.residual_norm() <= 1e-8 {
                    out.push((label, r.iterations));
                } else {
                    failures.push(format!("{label}: {}", r.termination));
                }
            }
        }
    }
    if must_all {
        assert!(failures.is_empty(), "{name}: {failures:#?}");
    }
    eprintln!("{name}: {} runs converged; failures: {failures:#?}", out.len());
    out
}

#[test]
fn himmelblau_every_scaling_and_rule_from_the_quarter_points() {
    let runs = run_matrix("himmelblau", himmelblau, true);
    assert_eq!(runs.len(), 30);
    for (label, it) in &runs {
        assert!(*it <= 60, "{label}: {it} iterations");
    }
}

#[test]
fn powell_badly_scaled_every_scaling_and_rule() {
    let runs = run_matrix("powell", powell, true);
    assert_eq!(runs.len(), 30);
}

#[test]
fn root_within_1e6_of_the_boundary() {
    let runs = run_matrix("near_boundary", near_boundary, true);
    assert_eq!(runs.len(), 30);
}

#[test]
fn root_on_the_boundary_is_approached_from_inside() {
    let (sys, b) = on_boundary();
    run_matrix("on_boundary", on_boundary, true);
    let r = Interior::new(options(Scaling::ColemanLi, StepRule::Dogleg)).solve_dense(&sys, &b, &[0.5, 0.5]).unwrap();
    assert!(r.x[0] > 0.0 && r.x[0] < 1e-8, "{:?}", r.x);
    assert!((r.x[1] - 0.5).abs() < 1e-8);
}

#[test]
fn no_root_in_the_box_ends_as_a_stationary_point() {
    for (name, make) in [("boundary", no_root_boundary as fn() -> (Sys2, Bounds)), ("interior", no_root_interior)] {
        let (sys, b) = make();
        for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
            for scaling in scalings() {
                for x0 in quarter_points(&b) {
                    let label = format!("{name} {} {} {x0:?}", scaling.name(), rule.name());
                    let r = Interior::new(options(scaling, rule)).solve_dense(&sys, &b, &x0).unwrap();
                    check_run(&sys, &b, &r, &label);
                    assert!(
                        matches!(r.termination, SystemTermination::StationaryNotRoot { .. }),
                        "{label}: {} after {} iterations",
                        r.termination,
                        r.iterations
                    );
                    assert!(!r.converged());
                    assert_eq!(r.termination.name(), "stationary_not_root");
                    assert!(r.residual_norm() > 0.5, "{label}");
                }
            }
        }
    }
    // The boundary one ends at the corner (1, 1).
    let (sys, b) = no_root_boundary();
    let r = Interior::default().solve_dense(&sys, &b, &[0.25, 0.25]).unwrap();
    assert!((r.x[0] - 1.0).abs() < 1e-8 && (r.x[1] - 1.0).abs() < 1e-8, "{:?}", r.x);
}

#[test]
fn spherical_region_converges_too() {
    for make in [himmelblau as fn() -> (Sys2, Bounds), powell, near_boundary] {
        let (sys, b) = make();
        for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
            for x0 in quarter_points(&b) {
                let mut opts = InteriorOptions::default();
                opts.region = Region::Spherical;
                opts.step_rule = rule;
                opts.keep_history = true;
                let r = Interior::new(opts).solve_dense(&sys, &b, &x0).unwrap();
                check_run(&sys, &b, &r, "spherical");
                assert!(r.converged(), "{x0:?} {rule:?}: {}", r.termination);
            }
        }
    }
}

#[test]
fn observer_sees_every_iterate_strictly_inside_and_can_stop() {
    let (sys, b) = powell();
    let mut seen = 0;
    let mut last_merit = f64::INFINITY;
    let mut observer = |info: &SystemIterationInfo, x: &[f64]| {
        assert!(b.strictly_contains(x));
        assert!(info.x.is_empty());
        if info.accepted {
            assert!(info.merit <= last_merit);
            last_merit = info.merit;
        }
        seen += 1;
        ControlFlow::Continue(())
    };
    let r = Interior::default().with_observer(&mut observer).solve_dense(&sys, &b, &[0.25, 3.25]).unwrap();
    assert!(r.converged());
    assert_eq!(seen, r.iterations);
    let mut stop = |info: &SystemIterationInfo, _: &[f64]| {
        if info.iteration == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let r = Interior::default().with_observer(&mut stop).solve_dense(&sys, &b, &[0.25, 3.25]).unwrap();
    assert_eq!(r.termination, SystemTermination::UserStopped { iteration: 2 });
}

#[test]
fn dense_sparse_and_finite_differences_give_the_same_iterates() {
    for make in [himmelblau as fn() -> (Sys2, Bounds), powell, near_boundary] {
        let (sys, b) = make();
        for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
            for scaling in [Scaling::ColemanLi, Scaling::default(), Scaling::Adaptive] {
                for x0 in quarter_points(&b) {
                    let opts = options(scaling, rule);
                    let d = Interior::new(opts.clone()).solve_dense(&sys, &b, &x0).unwrap();
                    let s = Interior::new(opts.clone()).solve(SparseStore::user(&sys).unwrap(), &b, &x0).unwrap();
                    let fdd = Interior::new(opts.clone())
                        .solve(DenseStore::finite_differences(&sys, &b, REL), &b, &x0)
                        .unwrap();
                    let fd_store = SparseStore::finite_differences(&sys, &b, full_pattern(2), REL).unwrap();
                    let fds = Interior::new(opts.clone()).solve(fd_store, &b, &x0).unwrap();
                    let label = format!("{} {} {x0:?}", scaling.name(), rule.name());
                    assert!(d.converged() && s.converged() && fdd.converged() && fds.converged(), "{label}");
                    // Exact Jacobians: the same iterates up to the rounding of two LU codes.
                    assert_eq!(d.iterations, s.iterations, "{label}");
                    for (hd, hs) in d.history.iter().zip(&s.history) {
                        assert_eq!(hd.accepted, hs.accepted, "{label}");
                        for k in 0..2 {
                            assert!((hd.x[k] - hs.x[k]).abs() <= 1e-9 * (1.0 + hd.x[k].abs()), "{label}");
                        }
                    }
                    assert_eq!(d.symbolic_analyses, 0);
                    assert_eq!(s.symbolic_analyses, 1, "{label}");
                    assert_eq!(fds.symbolic_analyses, 1, "{label}");
                    assert_eq!(s.factorizations, s.evaluations.jacobian, "{label}");
                    // Dense and grouped sparse differences are bitwise the same Jacobian
                    // (a full pattern has one column per group).
                    assert_eq!(fdd.iterations, fds.iterations, "{label}");
                    // Finite differences: the same root, close iterations.
                    for k in 0..2 {
                        assert!((fdd.x[k] - d.x[k]).abs() <= 1e-6 * (1.0 + d.x[k].abs()), "{label}");
                    }
                    assert!(
                        fdd.iterations.abs_diff(d.iterations) <= 3,
                        "{label}: {} vs {}",
                        fdd.iterations,
                        d.iterations
                    );
                    // One F per trial, two per dense difference Jacobian (n = 2), one at the start.
                    assert_eq!(fdd.evaluations.residuals, 1 + fdd.iterations + 2 * fdd.evaluations.jacobian, "{label}");
                }
            }
        }
    }
}

/// A tridiagonal system (Broyden tridiagonal, MGH 30) with a sparse Jacobian, in a box
/// holding its root: `F_i = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1`, root in [-1, 0]^n.
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

impl SparseJacobian for BroydenTri {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let mut t = Vec::new();
        for j in 0..self.n {
            for i in j.saturating_sub(1)..(j + 2).min(self.n) {
                t.push(Triplet::new(i, j, 0.0));
            }
        }
        SparseColMat::try_new_from_triplets(self.n, self.n, &t).unwrap().symbolic().to_owned().unwrap()
    }
    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) {
        let mut k = 0;
        for j in 0..self.n {
            for i in j.saturating_sub(1)..(j + 2).min(self.n) {
                values[k] = if i == j {
                    3.0 - 4.0 * x[j]
                } else if i + 1 == j {
                    -2.0
                } else {
                    -1.0
                };
                k += 1;
            }
        }
    }
}

#[test]
fn sparse_path_analyzes_once_and_fd_is_thread_count_independent() {
    let n = 200;
    let p = BroydenTri { n };
    let b = Bounds::new(vec![-1.0; n], vec![0.0; n]).unwrap();
    let x0 = vec![-0.5; n];
    for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
        let mut opts = InteriorOptions::default();
        opts.step_rule = rule;
        opts.keep_history = true;
        let r = Interior::new(opts.clone()).solve(SparseStore::user(&p).unwrap(), &b, &x0).unwrap();
        assert!(r.converged(), "{}", r.termination);
        assert!(b.strictly_contains(&r.x));
        assert_eq!(r.symbolic_analyses, 1);
        assert_eq!(r.factorizations, r.evaluations.jacobian);
        assert!(r.iterations <= 20, "{}", r.iterations);
        let pattern = p.jacobian_pattern();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let fd = || SparseStore::finite_differences(&p, &b, pattern.clone(), REL).unwrap();
        let r1 = one.install(|| Interior::new(opts.clone()).solve(fd(), &b, &x0).unwrap());
        let r2 = two.install(|| Interior::new(opts.clone()).solve(fd(), &b, &x0).unwrap());
        assert!(r1.converged());
        assert_eq!(r1.x, r2.x);
        assert_eq!(r1.iterations, r2.iterations);
        assert_eq!(r1.symbolic_analyses, 1);
        // Three column groups: three evaluations of F per Jacobian.
        assert_eq!(r1.evaluations.residuals, 1 + r1.iterations + 3 * r1.evaluations.jacobian);
        for k in 0..n {
            assert!((r1.x[k] - r.x[k]).abs() < 1e-7);
        }
    }
}

#[test]
fn setup_errors() {
    let (sys, b) = himmelblau();
    let mut s = Interior::default();
    assert_eq!(
        s.solve_dense(&sys, &b, &[0.0]).unwrap_err(),
        SetupError::DimensionMismatch { what: "x0", expected: 2, found: 1 }
    );
    let b3 = Bounds::new(vec![0.0; 3], vec![1.0; 3]).unwrap();
    assert!(matches!(s.solve_dense(&sys, &b3, &[0.5, 0.5]), Err(SetupError::DimensionMismatch { .. })));
    // lower >= upper: rejected by Bounds::new and by the solver for a hand-built box.
    assert!(matches!(Bounds::new(vec![0.0, 1.0], vec![1.0, 1.0]), Err(SetupError::InvalidBounds { index: 1, .. })));
    let bad = Bounds { lower: vec![0.0, 2.0], upper: vec![1.0, 1.0] };
    assert!(matches!(s.solve_dense(&sys, &bad, &[0.5, 1.5]), Err(SetupError::InvalidBounds { index: 1, .. })));
    let nan = Bounds { lower: vec![0.0, f64::NAN], upper: vec![1.0, 1.0] };
    assert!(matches!(s.solve_dense(&sys, &nan, &[0.5, 0.5]), Err(SetupError::InvalidBounds { .. })));
    // Outside the box, and not finite.
    assert_eq!(
        s.solve_dense(&sys, &b, &[0.0, 6.0]).unwrap_err(),
        SetupError::StartOutsideBounds { index: 1, value: 6.0, lower: -5.0, upper: 5.0 }
    );
    assert!(matches!(s.solve_dense(&sys, &b, &[f64::NAN, 0.0]), Err(SetupError::NonFiniteStart { index: 0, .. })));
    // Invalid options, caught before any evaluation.
    for opts in [
        {
            let mut o = InteriorOptions::default();
            o.theta = 1.0;
            o
        },
        {
            let mut o = InteriorOptions::default();
            o.radius = RadiusOptions::interior();
            o.radius.initial = Some(0.0);
            o
        },
        {
            let mut o = InteriorOptions::default();
            o.atol = -1.0;
            o
        },
        {
            let mut o = InteriorOptions::default();
            o.scaling = Scaling::combination([0.5, 0.5, 0.5]);
            o
        },
        {
            let mut o = InteriorOptions::default();
            o.scaling = Scaling::Huu { p: 0.5 };
            o
        },
        {
            let mut o = InteriorOptions::default();
            o.scaling = Scaling::KanzowKlug { gamma: 1.0, lambda: -1.0 };
            o
        },
        {
            let mut o = InteriorOptions::default();
            o.max_non_finite = 0;
            o
        },
    ] {
        let e = Interior::new(opts).solve_dense(&sys, &b, &[0.0, 0.0]).unwrap_err();
        assert!(matches!(e, SetupError::InvalidOption { .. }), "{e}");
    }
    // A non-square system with no residuals, and one with x0 of the wrong length.
    struct Rect(usize);
    impl Residuals for Rect {
        fn dim(&self) -> usize {
            2
        }
        fn residual_count(&self) -> usize {
            self.0
        }
        fn residuals(&self, _: &[f64], r: &mut [f64]) {
            r.fill(1.0);
        }
    }
    let fd = |p| DenseStore::finite_differences(p, &b, REL);
    assert!(matches!(s.solve(fd(&Rect(0)), &b, &[0.0, 0.0]), Err(SetupError::EmptyProblem)));
    assert!(matches!(
        s.solve(fd(&Rect(3)), &b, &[0.0, 0.0, 0.0]),
        Err(SetupError::DimensionMismatch { what: "x0", .. })
    ));
    // A pattern of the wrong size.
    assert!(matches!(
        SparseStore::finite_differences(&sys, &b, full_pattern(3), REL),
        Err(SetupError::DimensionMismatch { .. })
    ));
    // Non-finite residuals at the start.
    let nan_sys = Sys2 { f: |_| [f64::NAN, 0.0], j: |_| [[1.0, 0.0], [0.0, 1.0]] };
    assert_eq!(
        s.solve_dense(&nan_sys, &b, &[0.0, 0.0]).unwrap_err(),
        SetupError::NonFiniteAtStart { what: "residuals" }
    );
}

#[test]
fn a_start_on_a_bound_is_moved_inside() {
    let (sys, b) = himmelblau();
    let r = Interior::new(options(Scaling::default(), StepRule::Dogleg)).solve_dense(&sys, &b, &[-5.0, 5.0]).unwrap();
    assert!(r.start_moved);
    assert!(r.converged());
    check_run(&sys, &b, &r, "moved");
    let r = Interior::default().solve_dense(&sys, &b, &[0.0, 0.0]).unwrap();
    assert!(!r.start_moved);
}

#[test]
fn non_finite_residuals_are_rejected_and_the_run_recovers() {
    // Himmelblau with F undefined for x1 + x2 > 5.2 (the root (3, 2) is not): a long step
    // lands there, is NaN, and must be rejected without breaking the run.
    let sys = Sys2 {
        f: |x| {
            if x[0] + x[1] > 5.2 {
                return [f64::NAN, f64::NAN];
            }
            [
                4.0 * x[0].powi(3) + 4.0 * x[0] * x[1] + 2.0 * x[1] * x[1] - 42.0 * x[0] - 14.0,
                4.0 * x[1].powi(3) + 2.0 * x[0] * x[0] + 4.0 * x[0] * x[1] - 26.0 * x[1] - 22.0,
            ]
        },
        j: (himmelblau().0).j,
    };
    let b = Bounds::new(vec![-5.0, -5.0], vec![5.0, 5.0]).unwrap();
    let mut rejected_nan = 0;
    for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
        let mut opts = InteriorOptions::default();
        opts.step_rule = rule;
        opts.radius = RadiusOptions::interior();
        opts.radius.initial = Some(100.0);
        opts.keep_history = true;
        let r = Interior::new(opts).solve_dense(&sys, &b, &[2.5, 2.5]).unwrap();
        assert!(r.converged(), "{}", r.termination);
        rejected_nan += r.history.iter().filter(|h| h.actual_reduction.is_nan()).count();
        check_run(&sys, &b, &r, "nan");
    }
    assert!(rejected_nan > 0, "the test must provoke a NaN trial");

    // F is NaN everywhere but at the start: the run ends typed, after the cap.
    let always = Sys2 {
        f: |x| if x[0] == 0.5 && x[1] == 0.5 { [1.0, 1.0] } else { [f64::NAN, 1.0] },
        j: |_| [[1.0, 0.0], [0.0, 1.0]],
    };
    let b = Bounds::new(vec![0.0, 0.0], vec![1.0, 1.0]).unwrap();
    let r = Interior::default().solve_dense(&always, &b, &[0.5, 0.5]).unwrap();
    // Each NaN trial shrinks the radius by 4 at least: from 1 it collapses first.
    assert!(matches!(r.termination, SystemTermination::RadiusTooSmall { .. }), "{}", r.termination);
    assert_eq!(r.x, vec![0.5, 0.5]);
    let mut opts = InteriorOptions::default();
    opts.max_non_finite = 5;
    let r = Interior::new(opts).solve_dense(&always, &b, &[0.5, 0.5]).unwrap();
    assert_eq!(r.termination, SystemTermination::NonFinite { consecutive: 5 });
    assert_eq!((r.iterations, r.evaluations.residuals), (5, 6));

    // A NaN Jacobian at the start is a setup error; later it rejects the step.
    let nan_j = Sys2 { f: (himmelblau().0).f, j: |_| [[f64::NAN, 0.0], [0.0, 1.0]] };
    let b = Bounds::new(vec![-5.0, -5.0], vec![5.0, 5.0]).unwrap();
    assert_eq!(
        Interior::default().solve_dense(&nan_j, &b, &[0.0, 0.0]).unwrap_err(),
        SetupError::NonFiniteAtStart { what: "Jacobian" }
    );
}

#[test]
fn a_singular_jacobian_gets_the_least_squares_step() {
    // At x1 = x2 the Jacobian [[1, 1], [x2, x1]] is singular: the LU fails and the step of
    // the column-pivoted QR (least squares) replaces it.
    let (sys, b) = near_boundary();
    let r = Interior::new(options(Scaling::ColemanLi, StepRule::Dogleg)).solve_dense(&sys, &b, &[0.5, 0.5]).unwrap();
    let first = &r.history[0];
    assert!(first.newton_available && first.least_squares);
    assert!(r.converged(), "{}", r.termination);
    check_run(&sys, &b, &r, "singular");
}

#[test]
fn limits_end_the_run_typed() {
    let (sys, b) = powell();
    let r = Interior::new({
        let mut o = InteriorOptions::default();
        o.limits.max_iterations = 3;
        o
    })
    .solve_dense(&sys, &b, &[0.25, 3.25])
    .unwrap();
    assert_eq!(r.termination, SystemTermination::MaxIterations { limit: 3 });
    assert_eq!(r.iterations, 3);
    let r = Interior::new({
        let mut o = InteriorOptions::default();
        o.limits.max_evaluations = 4;
        o
    })
    .solve_dense(&sys, &b, &[0.25, 3.25])
    .unwrap();
    assert_eq!(r.termination, SystemTermination::MaxEvaluations { limit: 4 });
    assert_eq!(r.evaluations.residuals, 4);
    // A start at the root ends at once, without a Jacobian.
    let root = [1.0981593296997149e-5, 9.106146739867318];
    let r = Interior::new({
        let mut o = InteriorOptions::default();
        o.atol = 1e-6;
        o
    })
    .solve_dense(&sys, &b, &root)
    .unwrap();
    assert!(r.converged());
    assert_eq!((r.iterations, r.evaluations.jacobian), (0, 0));
}

#[test]
fn adaptive_records_its_choice() {
    let (sys, b) = powell();
    let r = Interior::new(options(Scaling::Adaptive, StepRule::ConstrainedDogleg))
        .solve_dense(&sys, &b, &[0.5, 5.5])
        .unwrap();
    assert!(r.converged());
    let names: std::collections::BTreeSet<_> = r.history.iter().map(|h| h.scale.name()).collect();
    assert!(!names.is_empty());
    let r = Interior::new(options(Scaling::ColemanLi, StepRule::Dogleg)).solve_dense(&sys, &b, &[0.5, 5.5]).unwrap();
    assert!(r.history.iter().all(|h| h.scale.name() == "cl"));
}

#[test]
fn the_loop_does_not_allocate() {
    let (sys, b) = powell();
    for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
        for scaling in [Scaling::default(), Scaling::Adaptive] {
            let mut first = None;
            let mut last = 0;
            let mut observer = |_: &SystemIterationInfo, _: &[f64]| {
                let a = allocations();
                first.get_or_insert(a);
                last = a;
                ControlFlow::Continue(())
            };
            let mut opts = InteriorOptions::default();
            opts.scaling = scaling;
            opts.step_rule = rule;
            let r = Interior::new(opts).with_observer(&mut observer).solve_dense(&sys, &b, &[0.25, 3.25]).unwrap();
            assert!(r.converged());
            assert!(r.iterations > 3);
            assert_eq!(last, first.unwrap(), "{rule:?} {scaling:?}: allocations inside the loop");
        }
    }
}

#[test]
fn report_displays() {
    let (sys, b) = himmelblau();
    let r = Interior::default().solve_dense(&sys, &b, &[2.5, 2.5]).unwrap();
    let s = format!("{r}");
    assert!(s.starts_with("root"), "{s}");
    assert!(s.contains("factorizations"));
}
