//! MINPACK's scale-free gradient test (`Tolerances::gtol_cosine`,
//! `Termination::GradientCosineTolerance`) and MINPACK's initial radius
//! (`RadiusOptions::initial_factor`): the test fires when on and only then, the cosine the
//! models compute is the formula's (dense and sparse Jacobians alike), models without
//! residuals refuse it, and the initial radius is `factor ||D x0||`.

mod common;

use faer::sparse::{Pair, SymbolicSparseColMat};
use faer::MatMut;
use trust_region::model::Oracle;
use trust_region::subproblem::{LevenbergMarquardt, MoreSorensen, Needs, Steihaug};
use trust_region::{
    DenseJacobian, GaussNewton, RadiusOptions, Residuals, SetupError, SparseJacobian, Termination, TrustRegion,
    TrustRegionOptions,
};

const T: [f64; 6] = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
const Y: [f64; 6] = [1.1, 1.9, 4.2, 7.8, 16.5, 31.0];

/// `r_i = a exp(b t_i) - y_i`: a fit with nonzero residuals at the solution.
struct ExpFit;

impl Residuals for ExpFit {
    fn dim(&self) -> usize {
        2
    }
    fn residual_count(&self) -> usize {
        6
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for i in 0..6 {
            r[i] = x[0] * (x[1] * T[i]).exp() - Y[i];
        }
    }
}

impl DenseJacobian for ExpFit {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for i in 0..6 {
            let e = (x[1] * T[i]).exp();
            j[(i, 0)] = e;
            j[(i, 1)] = x[0] * T[i] * e;
        }
    }
}

impl SparseJacobian for ExpFit {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let idx: Vec<Pair<usize, usize>> = (0..2).flat_map(|c| (0..6).map(move |i| Pair::new(i, c))).collect();
        SymbolicSparseColMat::try_new_from_indices(6, 2, &idx).unwrap().0
    }
    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) {
        for i in 0..6 {
            let e = (x[1] * T[i]).exp();
            values[i] = e;
            values[6 + i] = x[0] * T[i] * e;
        }
    }
}

/// `max_j |(J'r)_j| / (||J e_j|| ||r||)` written out.
fn cosine(x: &[f64]) -> f64 {
    let mut r = [0.0; 6];
    ExpFit.residuals(x, &mut r);
    let mut j = faer::Mat::<f64>::zeros(6, 2);
    ExpFit.jacobian(x, j.as_mut());
    let r_norm = r.iter().map(|v| v * v).sum::<f64>().sqrt();
    (0..2)
        .map(|c| {
            let g: f64 = (0..6).map(|i| j[(i, c)] * r[i]).sum();
            let col = (0..6).map(|i| j[(i, c)] * j[(i, c)]).sum::<f64>().sqrt();
            g.abs() / (col * r_norm)
        })
        .fold(0.0, f64::max)
}

const X0: [f64; 2] = [1.0, 0.5];

fn options(gtol_cosine: f64) -> TrustRegionOptions {
    let mut o = TrustRegionOptions::default();
    o.tolerances.gtol = 0.0;
    o.tolerances.gtol_cosine = gtol_cosine;
    o.keep_history = true;
    o
}

#[test]
fn the_cosine_test_fires_when_on_and_only_then() {
    let on = TrustRegion::new(LevenbergMarquardt::new())
        .with_options(options(1e-8))
        .solve(GaussNewton::dense(&ExpFit), &X0)
        .unwrap();
    match on.termination {
        Termination::GradientCosineTolerance { cosine: c, gtol_cosine } => {
            assert_eq!(gtol_cosine, 1e-8);
            assert!(c <= 1e-8, "{c:e}");
            // The reported cosine is the formula's at the final point.
            let expected = cosine(&on.x);
            assert!((c - expected).abs() <= 1e-6 * expected.max(1e-12), "{c:e} vs {expected:e}");
        }
        ref t => panic!("{t}"),
    }
    assert!(on.converged() && on.iterations > 0);
    assert_eq!(on.termination.name(), "gradient_cosine_tolerance");
    // The test is checked after every accepted step: the point before the last one was not
    // good enough yet.
    assert!(cosine(&X0) > 1e-8);

    // Off (the default): the same run goes on past that point and ends otherwise.
    let off = TrustRegion::new(LevenbergMarquardt::new())
        .with_options(options(0.0))
        .solve(GaussNewton::dense(&ExpFit), &X0)
        .unwrap();
    assert!(!matches!(off.termination, Termination::GradientCosineTolerance { .. }), "{}", off.termination);
    assert!(off.iterations > on.iterations, "{} vs {}", off.iterations, on.iterations);
    // Up to the point where the test fired, the two runs are the same.
    for (a, b) in on.history.iter().zip(&off.history) {
        assert_eq!(a.f.to_bits(), b.f.to_bits());
    }

    // Any Gauss-Newton step solver: the exact step too.
    let exact = TrustRegion::new(MoreSorensen::new())
        .with_options(options(1e-8))
        .solve(GaussNewton::dense(&ExpFit), &X0)
        .unwrap();
    assert!(matches!(exact.termination, Termination::GradientCosineTolerance { .. }), "{}", exact.termination);
}

#[test]
fn dense_and_sparse_models_compute_the_formulas_cosine() {
    for x in [X0, [2.0, -0.3], [0.9, 0.68]] {
        let mut dense = GaussNewton::dense(&ExpFit);
        dense.start(&x, Needs::Products).unwrap();
        let mut sparse = GaussNewton::sparse(&ExpFit);
        sparse.start(&x, Needs::Products).unwrap();
        let (a, b, c) = (dense.gradient_cosine().unwrap(), sparse.gradient_cosine().unwrap(), cosine(&x));
        assert!((a - c).abs() <= 1e-13 * c && (b - c).abs() <= 1e-13 * c, "{a:e} {b:e} {c:e}");
        assert!(c > 0.0 && c <= 1.0);
    }
}

#[test]
fn zero_residuals_give_a_zero_cosine() {
    // Rosenbrock's residuals vanish at (1, 1): the cosine is 0 there (MINPACK's convention),
    // not 0 / 0. (In a run, `g = 0` there passes `gtol` first, even `gtol = 0`.)
    let mut model = GaussNewton::dense(&common::RosenbrockResiduals);
    model.start(&[1.0, 1.0], Needs::Products).unwrap();
    assert_eq!(model.gradient_cosine(), Some(0.0));
    model.start(&[-1.2, 1.0], Needs::Products).unwrap();
    assert!(model.gradient_cosine().unwrap() > 0.1);
}

#[test]
fn models_without_residuals_and_bad_values_are_refused() {
    let err = TrustRegion::new(Steihaug::new()).with_options(options(1e-8)).minimize(&common::Rosenbrock, &[-1.2, 1.0]);
    assert!(matches!(err, Err(SetupError::InvalidOption { name: "gtol_cosine", .. })), "{err:?}");
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        let err = TrustRegion::new(LevenbergMarquardt::new())
            .with_options(options(bad))
            .solve(GaussNewton::dense(&ExpFit), &X0);
        assert!(matches!(err, Err(SetupError::InvalidOption { name: "gtol_cosine", .. })), "{err:?}");
    }
}

#[test]
fn initial_factor_scales_the_first_radius_by_the_scaled_start() {
    // ||D x0|| with D the column norms of J at x0 (MINPACK's mode 1 at the first point).
    let mut j = faer::Mat::<f64>::zeros(6, 2);
    ExpFit.jacobian(&X0, j.as_mut());
    let d: Vec<f64> = (0..2).map(|c| (0..6).map(|i| j[(i, c)] * j[(i, c)]).sum::<f64>().sqrt()).collect();
    let dx0 = ((d[0] * X0[0]).powi(2) + (d[1] * X0[1]).powi(2)).sqrt();
    for factor in [0.5, 100.0] {
        let mut o = options(0.0);
        o.radius = RadiusOptions::levenberg_marquardt();
        o.radius.initial_factor = Some(factor);
        let r = TrustRegion::new(LevenbergMarquardt::new())
            .with_options(o)
            .solve(GaussNewton::dense(&ExpFit), &X0)
            .unwrap();
        let first = r.history[0].radius;
        assert!((first - factor * dx0).abs() <= 1e-12 * factor * dx0, "{first} vs {}", factor * dx0);
    }
    // Off: the absolute initial radius, 1.
    let mut o = options(0.0);
    o.radius = RadiusOptions::levenberg_marquardt();
    let r =
        TrustRegion::new(LevenbergMarquardt::new()).with_options(o).solve(GaussNewton::dense(&ExpFit), &X0).unwrap();
    assert_eq!(r.history[0].radius, 1.0);
    // A Euclidean step solver measures ||x0||.
    let mut o = options(0.0);
    o.radius.initial_factor = Some(2.0);
    let r = TrustRegion::new(MoreSorensen::new()).with_options(o).solve(GaussNewton::dense(&ExpFit), &X0).unwrap();
    assert!((r.history[0].radius - 2.0 * 1.25f64.sqrt()).abs() <= 1e-15);
    let mut o = options(0.0);
    o.radius.initial_factor = Some(0.0);
    let err = TrustRegion::new(LevenbergMarquardt::new()).with_options(o).solve(GaussNewton::dense(&ExpFit), &X0);
    assert!(matches!(err, Err(SetupError::InvalidOption { name: "initial_factor", .. })), "{err:?}");
}
