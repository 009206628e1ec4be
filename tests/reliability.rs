//! Regression tests for defects found by trying to break the entry points (issue "Reliability"):
//! each case here ended in a panic or an accepted bad input before its fix.

use faer::sparse::SymbolicSparseColMat;
use faer::MatMut;
use trust_region::model::{GaussNewton, Newton};
use trust_region::problem::fd::DEFAULT_REL_STEP;
use trust_region::solver::interior::{Interior, InteriorOptions, SystemTermination};
use trust_region::subproblem::{Cauchy, DiagonalPreconditioner, Dogleg, Gltr, MoreSorensen, Steihaug};
use trust_region::{
    Bounds, DenseHessian, DenseJacobian, HessianProduct, Objective, Residuals, SetupError, SparseHessian,
    SparseJacobian, Termination, TrustRegion,
};
use trust_region::{DenseStore, SparseStore};

/// `x0^2 - 2 = 0`, `x0 x1 - 1 = 0`, with a sparse Jacobian whose pattern is given by the test.
struct Sys {
    pattern: SymbolicSparseColMat<usize>,
}

impl Residuals for Sys {
    fn dim(&self) -> usize {
        2
    }
    fn residual_count(&self) -> usize {
        2
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        r[0] = x[0] * x[0] - 2.0;
        r[1] = x[0] * x[1] - 1.0;
    }
}

impl SparseJacobian for Sys {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        self.pattern.clone()
    }
    fn jacobian_values(&self, x: &[f64], v: &mut [f64]) {
        // In the order of the pattern of the first test: column 0 rows [1, 0], column 1 row 1.
        v.copy_from_slice(&[x[1], 2.0 * x[0], x[0]]);
    }
}

/// D1: an unsorted (or repeated) row list in a column, accepted by faer's checked constructor,
/// used to panic inside the sparse LU's ordering; now it is a typed error on every sparse path.
#[test]
fn unsorted_or_repeated_jacobian_pattern_is_a_typed_error() {
    let b = Bounds::new(vec![0.0; 2], vec![2.0; 2]).unwrap();
    let unsorted = SymbolicSparseColMat::new_unsorted_checked(2, 2, vec![0, 2, 3], None, vec![1, 0, 1]);
    let repeated = SymbolicSparseColMat::new_unsorted_checked(2, 2, vec![0, 2, 3], None, vec![0, 0, 1]);
    for pattern in [unsorted, repeated] {
        let sys = Sys { pattern: pattern.clone() };
        let sparse =
            SparseStore::user(&sys).and_then(|s| Interior::new(InteriorOptions::default()).solve(s, &b, &[0.5, 0.5]));
        assert!(matches!(sparse, Err(SetupError::InvalidPattern(_))), "{sparse:?}");
        let fd = SparseStore::finite_differences(&sys, &b, pattern, DEFAULT_REL_STEP)
            .and_then(|s| Interior::new(InteriorOptions::default()).solve(s, &b, &[0.5, 0.5]));
        assert!(matches!(fd, Err(SetupError::InvalidPattern(_))), "{fd:?}");
    }
    // The same system with a sorted pattern solves.
    let sorted = SymbolicSparseColMat::new_checked(2, 2, vec![0, 2, 3], None, vec![0, 1, 1]);
    struct Sorted(Sys);
    impl Residuals for Sorted {
        fn dim(&self) -> usize {
            2
        }
        fn residual_count(&self) -> usize {
            2
        }
        fn residuals(&self, x: &[f64], r: &mut [f64]) {
            self.0.residuals(x, r)
        }
    }
    impl SparseJacobian for Sorted {
        fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
            self.0.pattern.clone()
        }
        fn jacobian_values(&self, x: &[f64], v: &mut [f64]) {
            v.copy_from_slice(&[2.0 * x[0], x[1], x[0]]);
        }
    }
    let sorted = Sorted(Sys { pattern: sorted });
    let r = Interior::default().solve(SparseStore::user(&sorted).unwrap(), &b, &[0.5, 0.5]).unwrap();
    assert!(r.converged(), "{}", r.termination);
}

struct Bowl;
impl Objective for Bowl {
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        (x[0] - 1.0).powi(2) + (x[1] - 1.0).powi(2)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        g[0] = 2.0 * (x[0] - 1.0);
        g[1] = 2.0 * (x[1] - 1.0);
    }
}
impl HessianProduct for Bowl {
    fn hessian_product(&self, _: &[f64], v: &[f64], hv: &mut [f64]) {
        hv[0] = 2.0 * v[0];
        hv[1] = 2.0 * v[1];
    }
}

/// D8: a Jacobi floor of 0, below 0 or NaN divided 0/0 on a zero diagonal entry; it is now an
/// invalid option, for Steihaug and GLTR alike.
#[test]
fn jacobi_floor_must_be_in_the_open_unit_interval() {
    for floor in [0.0, -1.0, f64::NAN, 1.0, f64::INFINITY] {
        let mut jacobi = DiagonalPreconditioner::default();
        jacobi.floor = floor;
        let steihaug = TrustRegion::new(Steihaug::with_preconditioner(jacobi.clone())).minimize(&Bowl, &[0.0, 0.0]);
        assert!(matches!(steihaug, Err(SetupError::InvalidOption { name: "floor", .. })), "{floor}: {steihaug:?}");
        let gltr = TrustRegion::new(Gltr::with_preconditioner(jacobi)).minimize(&Bowl, &[0.0, 0.0]);
        assert!(matches!(gltr, Err(SetupError::InvalidOption { name: "floor", .. })), "{floor}: {gltr:?}");
    }
    let ok =
        TrustRegion::new(Steihaug::with_preconditioner(DiagonalPreconditioner::default())).minimize(&Bowl, &[0.0, 0.0]);
    assert!(ok.unwrap().converged());
}

/// D9: a box with no double strictly inside (`u = nextafter(l)`) used to be accepted, and the
/// interior solver then kept an iterate on the bound; it is now an invalid box.
#[test]
fn a_box_without_an_interior_double_is_invalid() {
    let l = 1.0f64;
    let b = Bounds::new(vec![l], vec![l.next_up()]);
    assert!(matches!(b, Err(SetupError::InvalidBounds { index: 0, .. })), "{b:?}");
    // Two doubles apart leaves one inside: accepted.
    assert!(Bounds::new(vec![l], vec![l.next_up().next_up()]).is_ok());
    // The interior solver checks boxes built without `Bounds::new` the same way.
    let raw = Bounds { lower: vec![0.0, l], upper: vec![2.0, l.next_up()] };
    let sys = Sys { pattern: SymbolicSparseColMat::new_checked(2, 2, vec![0, 2, 3], None, vec![0, 1, 1]) };
    let r = Interior::default().solve(DenseStore::finite_differences(&sys, &raw, DEFAULT_REL_STEP), &raw, &[0.5, l]);
    assert!(matches!(r, Err(SetupError::InvalidBounds { index: 1, .. })), "{r:?}");
}

/// D11: infinite gradient, function and step tolerances ended every run at once as
/// "converged"; they are now invalid options (the interior solver already rejected atol = inf).
#[test]
fn infinite_tolerances_are_invalid() {
    for name in ["gtol", "grtol", "ftol", "xtol"] {
        let mut tr = TrustRegion::new(Steihaug::new());
        let t = &mut tr.options.tolerances;
        match name {
            "gtol" => t.gtol = f64::INFINITY,
            "grtol" => t.grtol = f64::INFINITY,
            "ftol" => t.ftol = f64::INFINITY,
            _ => t.xtol = f64::INFINITY,
        }
        let r = tr.minimize(&Bowl, &[0.0, 0.0]);
        assert!(matches!(r, Err(SetupError::InvalidOption { name: n, .. }) if n == name), "{name}: {r:?}");
    }
}

/// `F(x) = c (x - 1)`, `n = m = 2`, with its dense Jacobian.
struct Lin(f64);
impl Residuals for Lin {
    fn dim(&self) -> usize {
        2
    }
    fn residual_count(&self) -> usize {
        2
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        r[0] = self.0 * (x[0] - 1.0);
        r[1] = self.0 * (x[1] - 1.0);
    }
}
impl DenseJacobian for Lin {
    fn jacobian(&self, _: &[f64], mut j: MatMut<'_, f64>) {
        j.fill(0.0);
        j[(0, 0)] = self.0;
        j[(1, 1)] = self.0;
    }
}
impl SparseJacobian for Lin {
    // 3 x 2: one row too many.
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        SymbolicSparseColMat::new_checked(3, 2, vec![0, 1, 2], None, vec![0, 1])
    }
    fn jacobian_values(&self, _: &[f64], v: &mut [f64]) {
        v.fill(self.0);
    }
}

/// D10: messages that name what is wrong: a wrong-length nalgebra gradient is a dimension
/// mismatch (not "not finite"), a 3 x 2 Jacobian pattern for m = 2 names its rows, a finite
/// `F` whose norm overflows says so, and plural nouns read right.
#[test]
fn setup_errors_name_what_is_wrong() {
    let r = TrustRegion::new(Steihaug::new()).solve(GaussNewton::sparse(&Lin(1.0)), &[0.0, 0.0]);
    assert!(
        matches!(r, Err(SetupError::DimensionMismatch { what: "Jacobian pattern rows", expected: 2, found: 3 })),
        "{r:?}"
    );
    let bounds = Bounds::new(vec![-f64::MAX; 2], vec![f64::MAX; 2]).unwrap();
    let r = Interior::default().solve_dense(&Lin(1e200), &bounds, &[-1e108, 1e108]);
    match r {
        Err(e @ SetupError::NonFiniteAtStart { .. }) => assert!(e.to_string().contains("norm"), "{e}"),
        other => panic!("{other:?}"),
    }
    let e = SetupError::NonFiniteAtStart { what: "residuals" };
    assert_eq!(e.to_string(), "non-finite residuals at the start point");
}

/// `(x_0 - 1)^2 + (x_1 - 1)^2` whose Hessian products are NaN.
struct NanProducts;
impl Objective for NanProducts {
    fn dim(&self) -> usize {
        Bowl.dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        Bowl.value(x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        Bowl.gradient(x, g)
    }
}
impl HessianProduct for NanProducts {
    fn hessian_product(&self, _: &[f64], _: &[f64], hv: &mut [f64]) {
        hv.fill(f64::NAN);
    }
}

/// `f(x) = -x` (unbounded below), zero Hessian.
struct Downhill;
impl Objective for Downhill {
    fn dim(&self) -> usize {
        1
    }
    fn value(&self, x: &[f64]) -> f64 {
        -x[0]
    }
    fn gradient(&self, _: &[f64], g: &mut [f64]) {
        g[0] = -1.0;
    }
}
impl HessianProduct for Downhill {
    fn hessian_product(&self, _: &[f64], _: &[f64], hv: &mut [f64]) {
        hv[0] = 0.0;
    }
}
impl DenseHessian for Downhill {
    fn hessian(&self, _: &[f64], mut h: MatMut<'_, f64>) {
        h[(0, 0)] = 0.0;
    }
}

/// D3: a zero step (GLTR on NaN products) or a step too small to change `x` (the dogleg once
/// `||x|| ~ 1e154`) was "accepted" until the iteration limit; such trials are now failed
/// steps, and the run ends with a typed failure.
#[test]
fn zero_and_null_steps_are_never_accepted() {
    let r = TrustRegion::new(Gltr::new()).minimize(&NanProducts, &[0.0, 0.0]).unwrap();
    assert!(matches!(r.termination, Termination::StepFailed { .. }), "{}", r.termination);
    assert_eq!(r.accepted_steps, 0);
    assert_eq!(r.x, vec![0.0, 0.0]);
    // No evaluation of f at a failed step: only the start.
    assert_eq!(r.evaluations.f, 1);

    let mut dogleg = TrustRegion::new(Dogleg::new());
    dogleg.options.keep_history = true;
    let r = dogleg.solve(Newton::dense(&Downhill), &[0.0]).unwrap();
    let mut gltr = TrustRegion::new(Gltr::new());
    gltr.options.keep_history = true;
    let r2 = gltr.minimize(&Downhill, &[0.0]).unwrap();
    for r in [r, r2] {
        assert!(!r.converged(), "{}", r.termination);
        // Every accepted step changed f.
        let mut f = 0.0;
        for h in &r.history {
            if h.accepted {
                assert!(h.f < f, "accepted step {} left f = {f}", h.iteration);
                f = h.f;
            }
        }
    }
}

/// Rosenbrock with the sign of `df/dx_0` flipped (a wrong gradient) and its sparse Hessian.
struct Flipped;
impl Objective for Flipped {
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        g[0] = 400.0 * x[0] * (x[1] - x[0] * x[0]) + 2.0 * (1.0 - x[0]);
        g[1] = -200.0 * (x[1] - x[0] * x[0]);
    }
}
impl SparseHessian for Flipped {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        SymbolicSparseColMat::new_checked(2, 2, vec![0, 2, 3], None, vec![0, 1, 1])
    }
    fn hessian_values(&self, x: &[f64], v: &mut [f64]) {
        v.copy_from_slice(&[1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0, -400.0 * x[0], 200.0]);
    }
}

/// D4: with a wrong gradient, steps that raise `f` by round-off were accepted hundreds of
/// times and the run returned a point above `f(x0)`; the report now returns the best point.
#[test]
fn the_returned_point_is_the_best_one_seen() {
    let x0 = [-1.2, 1.0];
    let f0 = Flipped.value(&x0);
    let mut tr = TrustRegion::new(Steihaug::with_preconditioner(DiagonalPreconditioner::default()));
    tr.options.keep_history = true;
    let r = tr.solve(Newton::sparse(&Flipped), &x0).unwrap();
    assert!(!r.converged(), "{}", r.termination);
    // The run did accept steps that raised f (this is the case under test) ...
    let mut uphill = false;
    let mut f_prev = f0;
    for h in r.history.iter().filter(|h| h.accepted) {
        uphill |= h.f > f_prev;
        f_prev = h.f;
    }
    assert!(uphill);
    // ... and still returns the best point, with its own value and gradient.
    let best = r.history.iter().filter(|h| h.accepted).map(|h| h.f).fold(f0, f64::min);
    assert_eq!(r.f, best);
    assert_eq!(r.f, Flipped.value(&r.x));
    let mut g = [0.0; 2];
    Flipped.gradient(&r.x, &mut g);
    assert_eq!(r.gradient, g.to_vec());
}

/// `1e14 + sum_i (i + 1) (x_i - 1)^2 / 2`, n = 4: a large constant offset in `f`.
struct Offset;
impl Objective for Offset {
    fn dim(&self) -> usize {
        4
    }
    fn value(&self, x: &[f64]) -> f64 {
        1e14 + x.iter().enumerate().map(|(i, v)| 0.5 * (i + 1) as f64 * (v - 1.0).powi(2)).sum::<f64>()
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        for i in 0..4 {
            g[i] = (i + 1) as f64 * (x[i] - 1.0);
        }
    }
}
impl HessianProduct for Offset {
    fn hessian_product(&self, _: &[f64], v: &[f64], hv: &mut [f64]) {
        for i in 0..4 {
            hv[i] = (i + 1) as f64 * v[i];
        }
    }
}

/// D5: `RoundOffLimit` (a convergence class) fired at `||g||_inf = 0.11` because `f` could not
/// show the last decrease; while the gradient still falls the run now goes on.
#[test]
fn round_off_limit_is_not_claimed_while_the_gradient_falls() {
    let r = TrustRegion::new(Steihaug::new()).minimize(&Offset, &[0.0; 4]).unwrap();
    assert!(r.converged(), "{}", r.termination);
    let mut g = [0.0; 4];
    Offset.gradient(&r.x, &mut g);
    let g_inf = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    assert!(g_inf <= 1e-6, "{} with ||g||_inf = {g_inf}", r.termination);
}

/// D6: the interior solver's stationarity measure `||D g|| / ||F||` scaled with `F`, so a
/// tiny `F` looked stationary at the start; the measure is now divided by `||J||_F`.
#[test]
fn stationarity_is_invariant_to_the_scale_of_f() {
    let b = Bounds::new(vec![-10.0; 2], vec![10.0; 2]).unwrap();
    let mut o = InteriorOptions::default();
    o.atol = 0.0;
    o.rtol = 1e-10;
    for c in [1.0, 1e-12, 1e-100, 1e100] {
        let r = Interior::new(o.clone()).solve_dense(&Lin(c), &b, &[0.0, 0.0]).unwrap();
        assert!(matches!(r.termination, SystemTermination::Root { .. }), "c = {c:e}: {}", r.termination);
        assert_eq!(r.x, vec![1.0, 1.0], "c = {c:e}");
    }
}

/// `sum_i 1e300 (x_i - 1)^2 / 2`, n = 10: finite values, gradients and Hessians whose inner
/// products overflow.
struct Huge;
impl Objective for Huge {
    fn dim(&self) -> usize {
        10
    }
    fn value(&self, x: &[f64]) -> f64 {
        x.iter().map(|v| 0.5e300 * (v - 1.0).powi(2)).sum()
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        for i in 0..10 {
            g[i] = 1e300 * (x[i] - 1.0);
        }
    }
}
impl HessianProduct for Huge {
    fn hessian_product(&self, _: &[f64], v: &[f64], hv: &mut [f64]) {
        for i in 0..10 {
            hv[i] = 1e300 * v[i];
        }
    }
}
impl DenseHessian for Huge {
    fn hessian(&self, _: &[f64], mut h: MatMut<'_, f64>) {
        h.fill(0.0);
        for i in 0..10 {
            h[(i, i)] = 1e300;
        }
    }
}

/// D7: the library's own overflow (`g'g` at `||g|| ~ 1e301`) was reported as 30 non-finite
/// trial points, blaming the user's function, which was never evaluated at a bad point; it is
/// now the step solver's typed failure, and the user's function is not called at a NaN step.
#[test]
fn the_librarys_overflow_is_not_blamed_on_the_user() {
    let reports = [
        TrustRegion::new(Steihaug::new()).minimize(&Huge, &[0.0; 10]).unwrap(),
        TrustRegion::new(Cauchy::new()).minimize(&Huge, &[0.0; 10]).unwrap(),
        TrustRegion::new(Gltr::new()).minimize(&Huge, &[0.0; 10]).unwrap(),
        TrustRegion::new(MoreSorensen::new()).solve(Newton::dense(&Huge), &[0.0; 10]).unwrap(),
        TrustRegion::new(Dogleg::new()).solve(Newton::dense(&Huge), &[0.0; 10]).unwrap(),
    ];
    for r in reports {
        assert!(!matches!(r.termination, Termination::NonFinite { .. }), "{}", r.termination);
        assert!(r.converged() || matches!(r.termination, Termination::StepFailed { .. }), "{}", r.termination);
        assert!(r.x.iter().all(|v| v.is_finite()));
    }
    // The interior solver: F = 1e100 (x - 1) made the Cauchy prediction NaN and discarded the
    // exact Newton step; the Cauchy scalars are now computed on a scaled direction.
    let b = Bounds::new(vec![-10.0; 2], vec![10.0; 2]).unwrap();
    let r = Interior::default().solve_dense(&Lin(1e100), &b, &[0.0, 0.0]).unwrap();
    assert!(matches!(r.termination, SystemTermination::Root { .. }), "{}", r.termination);
}

/// `sum_i (i + 1) x_i^2 / 2` over n = 2000 variables, each Hessian product taking 1 ms: CG
/// needs about n products for one step.
struct SlowProducts;
impl Objective for SlowProducts {
    fn dim(&self) -> usize {
        2000
    }
    fn value(&self, x: &[f64]) -> f64 {
        x.iter().enumerate().map(|(i, v)| 0.5 * (i + 1) as f64 * v * v).sum()
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        for (i, (gi, xi)) in g.iter_mut().zip(x).enumerate() {
            *gi = (i + 1) as f64 * xi;
        }
    }
}
impl HessianProduct for SlowProducts {
    fn hessian_product(&self, _: &[f64], v: &[f64], hv: &mut [f64]) {
        std::thread::sleep(std::time::Duration::from_millis(1));
        for (i, (h, vi)) in hv.iter_mut().zip(v).enumerate() {
            *h = (i + 1) as f64 * vi;
        }
    }
}

/// `max_time` was checked between iterations only, so one long CG solve overshot it; Steihaug
/// and GLTR now check it inside their inner iterations.
#[test]
fn the_time_limit_is_checked_inside_cg() {
    let limit = std::time::Duration::from_millis(100);
    let x0 = vec![1.0; 2000];
    for gltr in [false, true] {
        let r = if gltr {
            let mut tr = TrustRegion::new(Gltr::new());
            tr.options.limits.max_time = Some(limit);
            tr.options.radius.initial = Some(1e6);
            tr.minimize(&SlowProducts, &x0).unwrap()
        } else {
            let mut tr = TrustRegion::new(Steihaug::new());
            tr.options.limits.max_time = Some(limit);
            tr.options.radius.initial = Some(1e6);
            tr.minimize(&SlowProducts, &x0).unwrap()
        };
        assert!(matches!(r.termination, Termination::MaxTime { .. }), "{}", r.termination);
        // Without the check the first step alone takes about 2000 products (2 s).
        assert!(r.inner_iterations < 1000, "gltr {gltr}: {} inner iterations", r.inner_iterations);
    }
}

/// The nalgebra adapter's cases (feature `nalgebra`).
#[cfg(feature = "nalgebra")]
mod nalgebra_cases {
    use nalgebra::{DMatrix, DVector};
    use trust_region::interop::nalgebra::{NalgebraHessian, NalgebraObjective, NalgebraSolve};
    use trust_region::subproblem::{MoreSorensen, Steihaug};
    use trust_region::{SetupError, TrustRegion};

    /// `(x_0^2 + x_1^2)` with a Hessian of the wrong shape (3 x 3 for n = 2).
    struct WrongHessian;
    impl NalgebraObjective for WrongHessian {
        fn dim(&self) -> usize {
            2
        }
        fn value(&self, x: &DVector<f64>) -> f64 {
            x.norm_squared()
        }
        fn gradient(&self, x: &DVector<f64>) -> DVector<f64> {
            x * 2.0
        }
    }
    impl NalgebraHessian for WrongHessian {
        fn hessian(&self, _: &DVector<f64>) -> DMatrix<f64> {
            DMatrix::identity(3, 3)
        }
    }

    /// D2: the nalgebra adapter's default Hessian product multiplied a wrong-shape Hessian and
    /// panicked inside nalgebra; the product is now NaN (a failed step), and a dense Hessian of
    /// the wrong shape at the start is a dimension mismatch naming it.
    #[test]
    fn nalgebra_wrong_shape_hessian_does_not_panic() {
        let x0 = DVector::from_vec(vec![1.0, 1.0]);
        let (_, r) = TrustRegion::new(Steihaug::new()).minimize_nalgebra(&WrongHessian, &x0).unwrap();
        // Steihaug treats a NaN curvature like a negative one and goes to the boundary, which on
        // this quadratic still converges: the claim must hold at the returned point.
        assert!(r.x.iter().all(|v| v.is_finite()));
        if r.converged() {
            assert!(r.x.iter().all(|v| (2.0 * v).abs() <= 1e-6), "{:?}", r.x);
        }
        let dense = TrustRegion::new(MoreSorensen::new()).minimize_dense_nalgebra(&WrongHessian, &x0);
        assert!(
            matches!(dense, Err(SetupError::DimensionMismatch { what: "Hessian", expected: 4, found: 9 })),
            "{dense:?}"
        );
    }

    /// A gradient of length 3 for n = 2.
    struct WrongGradient;
    impl NalgebraObjective for WrongGradient {
        fn dim(&self) -> usize {
            2
        }
        fn value(&self, x: &DVector<f64>) -> f64 {
            x.norm_squared()
        }
        fn gradient(&self, x: &DVector<f64>) -> DVector<f64> {
            DVector::from_element(x.len() + 1, 1.0)
        }
    }
    impl NalgebraHessian for WrongGradient {
        fn hessian(&self, _: &DVector<f64>) -> DMatrix<f64> {
            DMatrix::identity(2, 2) * 2.0
        }
    }

    /// D10: a wrong-length nalgebra gradient at the start is a dimension mismatch naming the
    /// gradient (it used to say "not finite").
    #[test]
    fn wrong_length_gradient_is_named() {
        let x0 = DVector::from_vec(vec![1.0, 1.0]);
        let r = TrustRegion::new(Steihaug::new()).minimize_nalgebra(&WrongGradient, &x0);
        assert!(matches!(r, Err(SetupError::DimensionMismatch { what: "gradient", expected: 2, found: 3 })), "{r:?}");
    }
}
