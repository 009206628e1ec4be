//! Derivative checks and published values for the 35 More-Garbow-Hillstrom problems.
//!
//! Reference values of `||r||` at the standard starting points and at the reported solutions
//! are the MINPACK-1 test results (More, Garbow & Hillstrom, ANL-80-74, 1980: `lmder` and
//! `hybrj` drivers, as printed in netlib MINPACK's reference output and reproduced by cminpack
//! `examples/ref/lmddrv.fortran.ref`, `hyjdrv.fortran.ref` and Apache Commons Math's
//! `MinpackTest`). Wood's f(x0) = 19192 is the Hock-Schittkowski problem 38 value.

use std::time::Instant;

use faer::Mat;
use trust_region::problem::{DenseHessian, DenseJacobian, HessianProduct, Objective, Residuals, SparseJacobian};
use trust_region_problems::check::{check_problem, CheckReport};
use trust_region_problems::mgh::{
    self, Chebyquad, LinearFullRank, LinearRank1, LinearRank1ZeroColumnsRows, Mgh, MghProblem,
};
use trust_region_problems::{ProblemInfo, SuiteProblem};

const NAMES: [&str; 35] = [
    "rosenbrock",
    "freudenstein_roth",
    "powell_badly_scaled",
    "brown_badly_scaled",
    "beale",
    "jennrich_sampson",
    "helical_valley",
    "bard",
    "gaussian",
    "meyer",
    "gulf",
    "box3d",
    "powell_singular",
    "wood",
    "kowalik_osborne",
    "brown_dennis",
    "osborne1",
    "biggs_exp6",
    "osborne2",
    "watson",
    "extended_rosenbrock",
    "extended_powell_singular",
    "penalty1",
    "penalty2",
    "variably_dimensioned",
    "trigonometric",
    "brown_almost_linear",
    "discrete_boundary_value",
    "discrete_integral_equation",
    "broyden_tridiagonal",
    "broyden_banded",
    "linear_full_rank",
    "linear_rank1",
    "linear_rank1_zero",
    "chebyquad",
];

fn value(p: &dyn SuiteProblem, x: &[f64]) -> f64 {
    p.products().expect("mgh problems offer products").value(x)
}

fn residual_norm(p: &dyn SuiteProblem, x: &[f64]) -> f64 {
    let sj = p.sparse_jacobian().expect("mgh problems offer residuals");
    let mut r = vec![0.0; sj.residual_count()];
    sj.residuals(x, &mut r);
    r.iter().map(|v| v * v).sum::<f64>().sqrt()
}

fn problem(name: &str, n: Option<usize>) -> Box<dyn SuiteProblem> {
    mgh::by_name(name, n).unwrap_or_else(|| panic!("no problem {name} with n = {n:?}"))
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn registry_has_the_35_problems_in_order() {
    let suite = mgh::suite();
    assert_eq!(suite.len(), 35);
    assert_eq!(mgh::names(), NAMES.to_vec());
    for (k, p) in suite.iter().enumerate() {
        let info: ProblemInfo = p.info();
        assert_eq!(info.suite, "mgh");
        assert_eq!(info.name, NAMES[k]);
        assert!(info.source.ends_with(&format!("problem {}", k + 1)), "{}: {}", info.name, info.source);
        assert_eq!(p.x0().len(), info.n, "{}", info.name);
        let m = info.m.expect("least squares");
        assert!(m >= 1);
        let sj = p.sparse_jacobian().unwrap();
        assert_eq!((sj.dim(), sj.residual_count()), (info.n, m), "{}", info.name);
        assert!(p.products().is_some() && p.dense_hessian().is_some() && p.dense_jacobian().is_some());
        let f0 = value(p.as_ref(), &p.x0());
        assert!(f0.is_finite() && f0 > 0.0, "{}: f(x0) = {f0}", info.name);
        // by_name at the default size gives the same problem.
        let q = problem(&info.name, None);
        assert_eq!(q.info(), info);
        let q = problem(&info.name, Some(info.n));
        assert_eq!(q.info().n, info.n);
    }
}

#[test]
fn sizes_names_and_local_minima() {
    assert!(mgh::by_name("rosenbrock", Some(3)).is_none());
    assert!(mgh::by_name("extended_rosenbrock", Some(7)).is_none());
    assert!(mgh::by_name("extended_powell_singular", Some(10)).is_none());
    assert!(mgh::by_name("watson", Some(32)).is_none());
    assert!(mgh::by_name("no_such_problem", None).is_none());
    assert_eq!(mgh::is_scalable("watson"), Some(true));
    assert_eq!(mgh::is_scalable("bard"), Some(false));

    let w9 = problem("watson", Some(9)).info();
    assert_eq!((w9.n, w9.m, w9.f_star), (9, Some(31), Some(1.39976e-6 / 2.0)));
    let w12 = problem("watson", Some(12)).info();
    assert_eq!(w12.f_star, Some(4.72238e-10 / 2.0));
    assert_eq!(problem("penalty1", Some(10)).info().f_star, Some(7.08765e-5 / 2.0));
    assert_eq!(problem("penalty2", Some(10)).info().f_star, Some(2.93660e-4 / 2.0));
    assert_eq!(problem("penalty2", Some(10)).info().m, Some(20));
    assert_eq!(problem("chebyquad", Some(10)).info().f_star, Some(6.50395e-3 / 2.0));
    assert_eq!(problem("chebyquad", Some(9)).info().f_star, Some(0.0));
    assert_eq!(problem("chebyquad", Some(11)).info().f_star, None);
    let lin = problem("linear_full_rank", Some(7)).info();
    assert_eq!((lin.n, lin.m, lin.f_star), (7, Some(14), Some(3.5)));

    // Default f* values (halved published values).
    let expect = [
        ("jennrich_sampson", 124.362),
        ("bard", 8.21487e-3),
        ("gaussian", 1.12793e-8),
        ("meyer", 87.9458),
        ("kowalik_osborne", 3.07505e-4),
        ("brown_dennis", 85822.2),
        ("osborne1", 5.46489e-5),
        ("osborne2", 4.01377e-2),
        ("watson", 2.28767e-3),
        ("penalty1", 2.24997e-5),
        ("penalty2", 9.37629e-6),
        ("chebyquad", 3.51687e-3),
        ("linear_full_rank", 10.0),
        ("linear_rank1", 20.0 * 19.0 / (2.0 * 41.0)),
        ("linear_rank1_zero", (400.0 + 60.0 - 6.0) / (2.0 * 37.0)),
        ("freudenstein_roth", 0.0),
        ("biggs_exp6", 0.0),
        ("trigonometric", 0.0),
    ];
    for (name, published) in expect {
        assert_eq!(problem(name, None).info().f_star, Some(published / 2.0), "{name}");
    }

    let locals = [
        ("freudenstein_roth", 48.9842),
        ("bard", 17.4286),
        ("kowalik_osborne", 1.02734e-3),
        ("biggs_exp6", 5.65565e-3),
        ("brown_almost_linear", 1.0),
    ];
    for name in NAMES {
        let expected = locals.iter().find(|(n, _)| *n == name).map(|(_, v)| v / 2.0);
        assert_eq!(mgh::local_f_star(name), expected, "{name}");
    }
    assert_eq!(mgh::local_f_star("nope"), None);
}

/// A second, deterministic point near the start.
fn shifted(x0: &[f64]) -> Vec<f64> {
    const PATTERN: [f64; 4] = [1.0, -0.5, 0.75, -0.25];
    x0.iter().enumerate().map(|(i, &v)| v + 0.1 * PATTERN[i % 4]).collect()
}

#[test]
fn derivatives_match_finite_differences() {
    let mut failures = Vec::new();
    for p in mgh::suite() {
        let x0 = p.x0();
        for x in [x0.clone(), shifted(&x0)] {
            let report: CheckReport = check_problem(p.as_ref(), &x);
            for item in ["gradient", "hessian_product", "dense_hessian", "dense_jacobian", "sparse_jacobian", "value"] {
                assert!(report.items().iter().any(|(k, _)| *k == item), "{}: {item} not checked", report.name);
            }
            if !report.passed() {
                failures.push(format!("{report}"));
            }
            println!("{report}");
        }
    }
    assert!(failures.is_empty(), "derivative checks failed:\n{}", failures.join("\n"));
}

#[test]
fn scalable_problems_check_at_other_sizes() {
    let cases = [
        ("watson", 9),
        ("watson", 12),
        ("extended_rosenbrock", 2),
        ("extended_powell_singular", 4),
        ("penalty1", 1),
        ("penalty1", 10),
        ("penalty2", 1),
        ("penalty2", 10),
        ("variably_dimensioned", 1),
        ("trigonometric", 1),
        ("brown_almost_linear", 1),
        ("brown_almost_linear", 30),
        ("discrete_boundary_value", 1),
        ("discrete_integral_equation", 1),
        ("discrete_integral_equation", 25),
        ("broyden_tridiagonal", 1),
        ("broyden_banded", 1),
        ("broyden_banded", 20),
        ("linear_full_rank", 1),
        ("linear_rank1", 1),
        ("linear_rank1_zero", 3),
        ("chebyquad", 1),
        ("chebyquad", 10),
    ];
    for (name, n) in cases {
        let p = problem(name, Some(n));
        let x0 = p.x0();
        for x in [x0.clone(), shifted(&x0)] {
            let report = check_problem(p.as_ref(), &x);
            assert!(report.passed(), "{report}");
        }
    }
}

/// `||r(x0)||` printed by the MINPACK-1 drivers (7 significant digits in the Fortran output,
/// 15 in the Apache Commons Math translation where available).
#[test]
fn initial_residual_norms_match_minpack() {
    let cases: [(&str, Option<usize>, f64, f64); 24] = [
        ("rosenbrock", None, 24.2f64.sqrt(), 1e-14),
        ("freudenstein_roth", None, 20.0124960961895, 1e-13),
        ("powell_badly_scaled", None, 1.0654866, 1e-7),
        ("helical_valley", None, 50.0, 1e-14),
        ("bard", None, 6.45613629515967, 1e-13),
        ("jennrich_sampson", None, 64.5856498144943, 1e-13),
        ("meyer", None, 41153.4665543031, 1e-13),
        ("box3d", None, 32.1115837449572, 1e-13),
        ("powell_singular", None, 14.6628782986152, 1e-13),
        ("kowalik_osborne", None, 0.0728915102882945, 1e-13),
        ("brown_dennis", None, 2815.43839161816, 1e-13),
        ("osborne1", None, 0.937564021037838, 1e-13),
        ("osborne2", None, 1.44686540984712, 1e-13),
        ("watson", None, 5.47722557505166, 1e-13),
        ("watson", Some(12), 5.47722557505166, 1e-13),
        ("chebyquad", None, 0.196513862833975, 1e-13),
        ("chebyquad", Some(9), 0.16994993465202, 1e-13),
        ("chebyquad", Some(10), 0.183747831178711, 1e-13),
        ("brown_almost_linear", None, 16.5302162063499, 1e-13),
        ("brown_almost_linear", Some(30), 83.476044467848, 1e-13),
        ("discrete_boundary_value", None, 2.8080582e-2, 1e-7),
        ("discrete_integral_equation", None, 2.5182701e-1, 1e-7),
        ("trigonometric", None, 8.4117534e-2, 1e-7),
        ("broyden_banded", None, 18.973666, 1e-7),
    ];
    for (name, n, norm, tol) in cases {
        let p = problem(name, n);
        let got = residual_norm(p.as_ref(), &p.x0());
        assert!(rel(got, norm) <= tol, "{name} {n:?}: ||r(x0)|| = {got:.15e}, MINPACK {norm:.15e}");
        // f = ||r||^2 / 2 through the objective interface too.
        let f = value(p.as_ref(), &p.x0());
        assert!(rel(f, 0.5 * norm * norm) <= 2.0 * tol + 1e-15, "{name}: f(x0) = {f}");
    }
    // f(x0) exact values: Wood (HS 38: 19192), Broyden tridiagonal (21), Beale, Powell singular.
    for (name, f0) in
        [("wood", 19192.0), ("broyden_tridiagonal", 21.0), ("beale", 14.203125), ("powell_singular", 215.0)]
    {
        let p = problem(name, None);
        let f = value(p.as_ref(), &p.x0());
        assert!(rel(f, f0 / 2.0) < 1e-14, "{name}: f(x0) = {f}, expected {}", f0 / 2.0);
    }
    // Linear functions at the MINPACK sizes n = 5, m = 10 and 50.
    let lin = [
        (MghProblem::new(LinearFullRank::new(5, 10)).x0_norm(), 5.0),
        (MghProblem::new(LinearFullRank::new(5, 50)).x0_norm(), 8.06225774829855),
        (MghProblem::new(LinearRank1::new(5, 10)).x0_norm(), 291.521868819476),
        (MghProblem::new(LinearRank1::new(5, 50)).x0_norm(), 3101.60039334535),
        (MghProblem::new(LinearRank1ZeroColumnsRows::new(5, 10)).x0_norm(), 1.2603968e2),
        (MghProblem::new(LinearRank1ZeroColumnsRows::new(5, 50)).x0_norm(), 1.7489500e3),
    ];
    for (k, (got, norm)) in lin.into_iter().enumerate() {
        assert!(rel(got, norm) < 1e-7, "linear case {k}: {got} vs {norm}");
    }
}

trait X0Norm {
    fn x0_norm(&self) -> f64;
}

impl<P: Mgh> X0Norm for MghProblem<P> {
    fn x0_norm(&self) -> f64 {
        residual_norm(self, &self.problem.x0())
    }
}

/// `||r||` at the solutions reported by MINPACK-1 reproduces the published optimal values.
#[test]
fn published_minima_are_reproduced() {
    let minpack: Vec<(&str, Option<usize>, Vec<f64>, f64)> = vec![
        ("freudenstein_roth", None, vec![11.4124844654993, -0.896827913731509], 6.99887517584575),
        ("bard", None, vec![0.0824105765758334, 1.1330366534715, 2.34369463894115], 0.0906359603390466),
        (
            "kowalik_osborne",
            None,
            vec![0.192807810476249, 0.191262653354071, 0.123052801046931, 0.136053221150517],
            0.017535837721129,
        ),
        ("meyer", None, vec![0.00560963647102661, 6181.34634628659, 345.223634624144], 9.37794514651874),
        ("jennrich_sampson", None, vec![0.257819926636811, 0.257829976764542], 11.1517793413499),
        (
            "brown_dennis",
            None,
            vec![-11.59125141003, 13.2024883984741, -0.403574643314272, 0.236736269844604],
            292.954288244866,
        ),
        (
            "osborne1",
            None,
            vec![0.375410049244025, 1.93584654543108, -1.46468676748716, 0.0128675339110439, 0.0221227011813076],
            0.00739249260904843,
        ),
        (
            "osborne2",
            None,
            vec![
                1.30997663810096,
                0.43155248076,
                0.633661261602859,
                0.599428560991695,
                0.754179768272449,
                0.904300082378518,
                1.36579949521007,
                4.82373199748107,
                2.39868475104871,
                4.56887554791452,
                5.67534206273052,
            ],
            0.20034404483314,
        ),
        (
            "watson",
            None,
            vec![
                -0.0157249615083782,
                1.01243488232965,
                -0.232991722387673,
                1.26043101102818,
                -1.51373031394421,
                0.99299727291842,
            ],
            0.0478295939097601,
        ),
        (
            "chebyquad",
            None,
            vec![
                0.0431536648587336,
                0.193091637843267,
                0.266328593812698,
                0.499999334628884,
                0.500000665371116,
                0.733671406187302,
                0.806908362156733,
                0.956846335141266,
            ],
            0.0593032355046727,
        ),
    ];
    for (name, n, x, norm) in minpack {
        let p = problem(name, n);
        let got = residual_norm(p.as_ref(), &x);
        assert!(rel(got, norm) < 1e-9, "{name}: ||r|| = {got:.15e} at the MINPACK solution, expected {norm:.15e}");
        // ... and the published (6-digit) optimum, global or local, within its precision.
        let f = value(p.as_ref(), &x);
        let published = p.info().f_star.filter(|&s| s > 0.0).or(mgh::local_f_star(name)).unwrap();
        assert!(rel(f, published) < 1e-5, "{name}: f = {f}, published {published}");
    }
    // Zero residual at the published global minimizers.
    let zeros: Vec<(&str, Option<usize>, Vec<f64>)> = vec![
        ("rosenbrock", None, vec![1.0, 1.0]),
        ("freudenstein_roth", None, vec![5.0, 4.0]),
        ("brown_badly_scaled", None, vec![1e6, 2e-6]),
        ("beale", None, vec![3.0, 0.5]),
        ("helical_valley", None, vec![1.0, 0.0, 0.0]),
        ("gulf", None, vec![50.0, 25.0, 1.5]),
        ("box3d", None, vec![1.0, 10.0, 1.0]),
        ("box3d", None, vec![10.0, 1.0, -1.0]),
        ("powell_singular", None, vec![0.0; 4]),
        ("wood", None, vec![1.0; 4]),
        ("biggs_exp6", None, vec![1.0, 10.0, 1.0, 5.0, 4.0, 3.0]),
        ("extended_rosenbrock", None, vec![1.0; 10]),
        ("extended_powell_singular", None, vec![0.0; 12]),
        ("variably_dimensioned", None, vec![1.0; 10]),
        ("trigonometric", None, vec![0.0; 10]),
        ("brown_almost_linear", None, vec![1.0; 10]),
    ];
    for (name, n, x) in zeros {
        let p = problem(name, n);
        let f = value(p.as_ref(), &x);
        assert!(f < 1e-20, "{name}: f = {f} at the published minimizer");
    }
    // Brown almost-linear: local minimum f = 1 at (0, ..., 0, n + 1); linear full rank at -1.
    let p = problem("brown_almost_linear", None);
    let mut x = vec![0.0; 10];
    x[9] = 11.0;
    assert_eq!(value(p.as_ref(), &x), 0.5);
    let p = problem("linear_full_rank", None);
    assert!(rel(value(p.as_ref(), &[-1.0; 10]), 5.0) < 1e-14);
    // Chebyquad n = 9: zero residual at the MINPACK solution.
    let p = problem("chebyquad", Some(9));
    let x9 = [
        0.0442053461357828,
        0.199490672309881,
        0.23561910847106,
        0.416046907892598,
        0.5,
        0.583953092107402,
        0.764380891528940,
        0.800509327690119,
        0.955794653864217,
    ];
    assert!(residual_norm(p.as_ref(), &x9) < 1e-12);
    // The discrete problems: the hybrj solution for n = 10 zeroes both.
    let x_bv = [
        -4.3164983e-2,
        -8.1577157e-2,
        -1.1448571e-1,
        -1.4097358e-1,
        -1.5990870e-1,
        -1.6987720e-1,
        -1.6908998e-1,
        -1.5524954e-1,
        -1.2535589e-1,
        -7.5416534e-2,
    ];
    for name in ["discrete_boundary_value", "discrete_integral_equation"] {
        let p = problem(name, None);
        assert!(residual_norm(p.as_ref(), &x_bv) < 1e-7, "{name}");
    }
    // Linear rank-1 problems: f* on their hyperplanes (any point of it).
    let m = 20.0;
    let p = problem("linear_rank1", None);
    let mut x = vec![0.0; 10];
    x[0] = 3.0 / (2.0 * m + 1.0);
    assert!(rel(value(p.as_ref(), &x), p.info().f_star.unwrap()) < 1e-13);
    let p = problem("linear_rank1_zero", None);
    let mut x = vec![0.0; 10];
    x[1] = 1.5 / (2.0 * m - 3.0);
    assert!(rel(value(p.as_ref(), &x), p.info().f_star.unwrap()) < 1e-13);
    // Chebyquad at another (n, m): residual count and f* unknown.
    let c = MghProblem::new(Chebyquad::new(4, 6));
    assert_eq!(c.residual_count(), 6);
    assert!(check_problem(&c, &c.problem.x0()).passed());
}

#[test]
fn extended_rosenbrock_at_one_hundred_thousand() {
    let n = 100_000;
    let big = problem("extended_rosenbrock", Some(n));
    let small = problem("extended_rosenbrock", Some(10));
    assert!(big.dense_hessian().is_none() && big.dense_jacobian().is_none());
    let hp = big.products().unwrap();
    let hs = small.products().unwrap();

    // A point whose blocks repeat with period 10: each block of the big problem equals the
    // matching block of the n = 10 problem (the problem is block separable).
    let pattern: Vec<f64> = (0..10).map(|i| -1.2 + 0.37 * i as f64 - 0.05 * (i * i) as f64).collect();
    let v_pattern: Vec<f64> = (0..10).map(|i| ((i as f64) * 0.9 + 0.3).sin()).collect();
    let x: Vec<f64> = (0..n).map(|i| pattern[i % 10]).collect();
    let v: Vec<f64> = (0..n).map(|i| v_pattern[i % 10]).collect();

    let f_small = hs.value(&pattern);
    let t = Instant::now();
    let f_big = hp.value(&x);
    let t_value = t.elapsed();
    assert!(rel(f_big, f_small * (n / 10) as f64) < 1e-12, "{f_big} vs {}", f_small * (n / 10) as f64);
    assert!(rel(hp.value(&big.x0()), 6.05 * n as f64) < 1e-12);

    let mut g_small = vec![0.0; 10];
    hs.gradient(&pattern, &mut g_small);
    let mut g = vec![0.0; n];
    let t = Instant::now();
    hp.gradient(&x, &mut g);
    let t_grad = t.elapsed();
    for (i, gi) in g.iter().enumerate() {
        assert_eq!(*gi, g_small[i % 10], "gradient entry {i}");
    }

    let mut hv_small = vec![0.0; 10];
    hs.hessian_product(&pattern, &v_pattern, &mut hv_small);
    let mut hv = vec![0.0; n];
    hp.hessian_product(&x, &v, &mut hv); // warm-up
    let t = Instant::now();
    hp.hessian_product(&x, &v, &mut hv);
    let t_hv = t.elapsed();
    for (i, h) in hv.iter().enumerate() {
        assert_eq!(*h, hv_small[i % 10], "Hv entry {i}");
    }
    // Closed form of the 2 x 2 block Hessian of f = 50 (x2 - x1^2)^2 + (1 - x1)^2 / 2.
    for k in (0..10).step_by(2) {
        let (a, b) = (pattern[k], pattern[k + 1]);
        let h11 = 600.0 * a * a - 200.0 * b + 1.0;
        let h12 = -200.0 * a;
        let h22 = 100.0;
        assert!((hv_small[k] - (h11 * v_pattern[k] + h12 * v_pattern[k + 1])).abs() < 1e-10);
        assert!((hv_small[k + 1] - (h12 * v_pattern[k] + h22 * v_pattern[k + 1])).abs() < 1e-10);
    }

    // Sparse Jacobian: 3n/2 entries.
    let sj = big.sparse_jacobian().unwrap();
    let pat = sj.jacobian_pattern();
    assert_eq!(pat.row_idx().len(), 3 * n / 2);
    let mut vals = vec![0.0; pat.row_idx().len()];
    let t = Instant::now();
    sj.jacobian_values(&x, &mut vals);
    let t_jac = t.elapsed();

    println!("n = {n}: value {t_value:?}, gradient {t_grad:?}, Hv {t_hv:?}, sparse Jacobian values {t_jac:?}");
    // Generous bound (debug-ish test profile, shared machines): O(n) work is milliseconds.
    assert!(t_hv.as_secs_f64() < 0.5, "Hv took {t_hv:?}");

    // The generic checker handles the large problem (sampled columns, no dense matrices).
    let report = check_problem(big.as_ref(), &big.x0());
    assert!(report.passed(), "{report}");
    assert!(report.dense_hessian.is_none() && report.dense_jacobian.is_none());
    assert!(report.sparse_jacobian.is_some() && report.hessian_product.is_some());
}

/// A problem whose derivatives are deliberately wrong in one interface.
struct Broken {
    inner: Box<dyn SuiteProblem>,
    fault: Fault,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    GradientFactor,
    GradientSign,
    HessianProduct,
    DenseHessian,
    DenseJacobianEntry,
    SparseJacobianSign,
}

impl Objective for Broken {
    fn dim(&self) -> usize {
        self.inner.info().n
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.inner.products().unwrap().value(x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.inner.products().unwrap().gradient(x, g);
        match self.fault {
            Fault::GradientFactor => g.iter_mut().for_each(|v| *v *= 1.01),
            Fault::GradientSign => g[0] = -g[0],
            _ => {}
        }
    }
}

impl HessianProduct for Broken {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        self.inner.products().unwrap().hessian_product(x, v, hv);
        if self.fault == Fault::HessianProduct {
            // Drop the second-order residual term: the Gauss-Newton product J'J v.
            let dj = self.inner.dense_jacobian().unwrap();
            let (m, n) = (dj.residual_count(), dj.dim());
            let mut j = Mat::<f64>::zeros(m, n);
            dj.jacobian(x, j.as_mut());
            let jv: Vec<f64> = (0..m).map(|i| (0..n).map(|k| j[(i, k)] * v[k]).sum()).collect();
            for (k, h) in hv.iter_mut().enumerate() {
                *h = (0..m).map(|i| j[(i, k)] * jv[i]).sum();
            }
        }
    }
}

impl DenseHessian for Broken {
    fn hessian(&self, x: &[f64], mut hess: faer::MatMut<'_, f64>) {
        self.inner.dense_hessian().unwrap().hessian(x, hess.as_mut());
        if self.fault == Fault::DenseHessian {
            hess[(0, 0)] *= 2.0;
        }
    }
}

impl Residuals for Broken {
    fn dim(&self) -> usize {
        self.inner.info().n
    }
    fn residual_count(&self) -> usize {
        self.inner.info().m.unwrap()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.inner.sparse_jacobian().unwrap().residuals(x, r)
    }
}

impl DenseJacobian for Broken {
    fn jacobian(&self, x: &[f64], mut jac: faer::MatMut<'_, f64>) {
        self.inner.dense_jacobian().unwrap().jacobian(x, jac.as_mut());
        if self.fault == Fault::DenseJacobianEntry {
            jac[(0, 0)] += 0.5;
        }
    }
}

impl SparseJacobian for Broken {
    fn jacobian_pattern(&self) -> faer::sparse::SymbolicSparseColMat<usize> {
        self.inner.sparse_jacobian().unwrap().jacobian_pattern()
    }
    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) {
        self.inner.sparse_jacobian().unwrap().jacobian_values(x, values);
        if self.fault == Fault::SparseJacobianSign {
            values[0] = -values[0];
        }
    }
}

impl SuiteProblem for Broken {
    fn info(&self) -> ProblemInfo {
        self.inner.info()
    }
    fn x0(&self) -> Vec<f64> {
        self.inner.x0()
    }
    fn products(&self) -> Option<&dyn HessianProduct> {
        Some(self)
    }
    fn dense_hessian(&self) -> Option<&dyn DenseHessian> {
        Some(self)
    }
    fn dense_jacobian(&self) -> Option<&dyn DenseJacobian> {
        Some(self)
    }
    fn sparse_jacobian(&self) -> Option<&dyn SparseJacobian> {
        Some(self)
    }
}

#[test]
fn checker_catches_wrong_derivatives() {
    let cases = [
        (Fault::GradientFactor, "gradient"),
        (Fault::GradientSign, "gradient"),
        (Fault::HessianProduct, "hessian_product"),
        (Fault::DenseHessian, "dense_hessian"),
        (Fault::DenseJacobianEntry, "dense_jacobian"),
        (Fault::SparseJacobianSign, "sparse_jacobian"),
    ];
    for name in ["rosenbrock", "bard", "watson", "chebyquad"] {
        for (fault, item) in cases {
            let broken = Broken { inner: problem(name, None), fault };
            let x = shifted(&broken.x0());
            let report = check_problem(&broken, &x);
            assert!(!report.passed(), "{name} {fault:?} not detected:\n{report}");
            let failed: Vec<&str> = report.items().into_iter().filter(|(_, c)| !c.passed()).map(|(k, _)| k).collect();
            assert!(failed.contains(&item), "{name} {fault:?}: failed items {failed:?}\n{report}");
            // The wrong item fails by far, not by round-off.
            let bad = report.items().into_iter().find(|(k, _)| *k == item).unwrap().1.clone();
            assert!(bad.error > 10.0 * bad.tolerance, "{name} {fault:?}: {bad:?}");
        }
    }
}

/// A problem that panics or lies about its dimensions must not crash the checker.
struct Liar;

impl SuiteProblem for Liar {
    fn info(&self) -> ProblemInfo {
        ProblemInfo { suite: "test", name: "liar".into(), n: 3, m: None, f_star: None, source: "test" }
    }
    fn x0(&self) -> Vec<f64> {
        vec![0.0; 3]
    }
    fn products(&self) -> Option<&dyn HessianProduct> {
        Some(self)
    }
}

impl Objective for Liar {
    fn dim(&self) -> usize {
        3
    }
    fn value(&self, x: &[f64]) -> f64 {
        x.iter().map(|v| v * v).sum()
    }
    fn gradient(&self, _x: &[f64], _g: &mut [f64]) {
        panic!("gradient not implemented");
    }
}

impl HessianProduct for Liar {
    fn hessian_product(&self, _x: &[f64], v: &[f64], hv: &mut [f64]) {
        for (h, vi) in hv.iter_mut().zip(v) {
            *h = f64::NAN * vi;
        }
    }
}

#[test]
fn checker_survives_bad_problems() {
    let report = check_problem(&Liar, &[1.0, 2.0]);
    assert!(!report.passed());
    assert!(report.errors.iter().any(|e| e.contains("length")), "{report}");
    let report = check_problem(&Liar, &[1.0, 2.0, 3.0]);
    assert!(!report.passed(), "{report}");
    assert!(report.errors.iter().any(|e| e.contains("panicked")), "{report}");
}

/// The 10x and 100x starts reproduce the MINPACK-1 initial norms.
#[test]
fn scaled_starts_match_minpack() {
    let cases: [(&str, Option<usize>, f64, f64, f64); 9] = [
        ("rosenbrock", None, 10.0, 1795769.0f64.sqrt(), 1e-13),
        ("rosenbrock", None, 100.0, 11.0 * 169000121.0f64.sqrt(), 1e-13),
        ("helical_valley", None, 10.0, 102.95630140987, 1e-12),
        ("helical_valley", None, 100.0, 991.261822123701, 1e-13),
        ("watson", None, 10.0, 6433.12578950026, 1e-13),
        ("watson", Some(9), 100.0, 1269109.29043834, 1e-13),
        ("brown_almost_linear", None, 10.0, 9765624.00089211, 1e-13),
        ("freudenstein_roth", None, 100.0, 11426454.595762, 1e-12),
        ("trigonometric", None, 10.0, 2.0305195e1, 1e-7),
    ];
    for (name, n, factor, norm, tol) in cases {
        let p = problem(name, n);
        let x = mgh::scaled_start(&p.x0(), factor);
        let got = residual_norm(p.as_ref(), &x);
        assert!(rel(got, norm) <= tol, "{name} x{factor}: {got:.15e} vs {norm:.15e}");
    }
    assert_eq!(mgh::scaled_start(&[1.0, 0.0], 1.0), vec![1.0, 0.0]);
}
