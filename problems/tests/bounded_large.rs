//! The large bound-constrained CUTEst problems (problems/src/bounded/large.rs): derivatives
//! against finite differences, the sparse Hessian against Hessian-vector products, the boxes,
//! the values at the SIF starts, and two solves against the SIF's optimal values.

use trust_region::model::Newton;
use trust_region::solver::bounded::ProjectedNewton;
use trust_region::Bounds;
use trust_region_problems::bounded::{self, BoundedProblem};
use trust_region_problems::check::check_problem;
use trust_region_problems::SuiteProblem;

/// The problems of large.rs with a small admissible size for the derivative checks.
const SMALL: &[(&str, usize)] = &[
    ("EXPLIN", 120),
    ("EXPLIN2", 120),
    ("CHARDIS0", 40),
    ("BDEXP", 60),
    ("QUDLIN", 60),
    ("CVXBQP1", 100),
    ("NCVXBQP1", 100),
    ("NCVXBQP2", 100),
    ("NCVXBQP3", 100),
    ("OBSTCLAE", 100),
    ("OBSTCLAL", 100),
    ("OBSTCLBL", 100),
    ("OBSTCLBM", 100),
    ("OBSTCLBU", 100),
    ("TORSION1", 64),
    ("TORSION2", 64),
    ("TORSION3", 64),
    ("TORSION4", 64),
    ("TORSION5", 64),
    ("TORSION6", 64),
    ("TORSIONA", 64),
];

fn build(name: &str, n: Option<usize>) -> Box<dyn BoundedProblem> {
    bounded::by_name(name, n).unwrap_or_else(|| panic!("{name} at {n:?} is not built"))
}

fn project(x: &[f64], lower: &[f64], upper: &[f64]) -> Vec<f64> {
    x.iter().zip(lower.iter().zip(upper)).map(|(&v, (&l, &u))| v.max(l).min(u)).collect()
}

/// A deterministic point strictly inside the box (on it for fixed variables).
fn interior(x0: &[f64], lower: &[f64], upper: &[f64]) -> Vec<f64> {
    (0..x0.len())
        .map(|i| {
            let t = 0.2 + 0.6 * ((i as f64 * 0.618_033_988_749_895).fract());
            let (l, u) = (lower[i], upper[i]);
            match (l.is_finite(), u.is_finite()) {
                _ if l == u => l,
                (true, true) => l + t * (u - l),
                (true, false) => l + 0.2 + t,
                (false, true) => u - 0.2 - t,
                (false, false) => x0[i] + t - 0.5,
            }
        })
        .collect()
}

/// A deterministic pseudo-random vector in [-1, 1] (xorshift).
fn random_vector(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect()
}

#[test]
fn derivatives_match_finite_differences() {
    let mut failures = Vec::new();
    for &(name, n) in SMALL {
        let p = build(name, Some(n));
        assert_eq!(p.info().n, n, "{name}");
        let (lower, upper) = p.bounds();
        let x0 = p.x0();
        for x in [project(&x0, &lower, &upper), interior(&x0, &lower, &upper)] {
            let suite: &dyn SuiteProblem = p.as_ref();
            let report = check_problem(suite, &x);
            assert!(
                report.gradient.is_some() && report.hessian_product.is_some() && report.sparse_hessian.is_some(),
                "{name}: nothing checked"
            );
            if !report.passed() {
                failures.push(format!("{report}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sparse_hessian_equals_products() {
    for &(name, n) in SMALL {
        let p = build(name, Some(n));
        let (lower, upper) = p.bounds();
        let x = interior(&p.x0(), &lower, &upper);
        let sparse = p.sparse_hessian().expect("sparse Hessian");
        let products = p.products().expect("products");
        let pattern = sparse.hessian_pattern();
        assert_eq!((pattern.nrows(), pattern.ncols()), (n, n), "{name}");
        let (col_ptr, row_idx) = (pattern.col_ptr(), pattern.row_idx());
        for j in 0..n {
            let rows = &row_idx[col_ptr[j]..col_ptr[j + 1]];
            assert_eq!(rows.first(), Some(&j), "{name}: column {j} lacks its diagonal entry");
            assert!(rows.windows(2).all(|w| w[0] < w[1]), "{name}: column {j} not sorted");
        }
        let mut values = vec![0.0; row_idx.len()];
        sparse.hessian_values(&x, &mut values);
        // The pattern is fixed: the same at another point.
        let again = sparse.hessian_pattern();
        assert_eq!((again.col_ptr(), again.row_idx()), (col_ptr, row_idx), "{name}");
        for seed in 1..=3 {
            let v = random_vector(n, seed);
            let mut from_sparse = vec![0.0; n];
            for j in 0..n {
                for t in col_ptr[j]..col_ptr[j + 1] {
                    let (i, h) = (row_idx[t], values[t]);
                    from_sparse[i] += h * v[j];
                    if i != j {
                        from_sparse[j] += h * v[i];
                    }
                }
            }
            let mut hv = vec![0.0; n];
            products.hessian_product(&x, &v, &mut hv);
            let scale = hv.iter().fold(1.0f64, |m, h| m.max(h.abs()));
            let err = from_sparse.iter().zip(&hv).fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
            assert!(err <= 1e-12 * scale, "{name}: sparse Hessian vs products, error {err:e} (scale {scale:e})");
        }
    }
}

/// The listed sizes, the boxes at them and the fixed variables they contain.
#[test]
fn boxes_at_the_listed_sizes() {
    // (name, n, fixed variables, finite lower bounds, finite upper bounds)
    let grid_fixed = |p: usize| 4 * p - 4;
    let expected: &[(&str, usize, usize, usize, usize)] = &[
        ("EXPLIN", 1200, 0, 1200, 1200),
        ("EXPLIN2", 1200, 0, 1200, 1200),
        ("CHARDIS0", 2000, 0, 2000, 2000),
        ("BDEXP", 5000, 0, 5000, 0),
        ("QUDLIN", 5000, 0, 5000, 5000),
        ("CVXBQP1", 100_000, 0, 100_000, 100_000),
        ("NCVXBQP1", 10_000, 0, 10_000, 10_000),
        ("NCVXBQP2", 10_000, 0, 10_000, 10_000),
        ("NCVXBQP3", 10_000, 0, 10_000, 10_000),
        ("OBSTCLAE", 10_000, grid_fixed(100), 10_000, 10_000),
        ("OBSTCLAL", 10_000, grid_fixed(100), 10_000, 10_000),
        ("OBSTCLBL", 10_000, grid_fixed(100), 10_000, 10_000),
        ("OBSTCLBM", 10_000, grid_fixed(100), 10_000, 10_000),
        ("OBSTCLBU", 10_000, grid_fixed(100), 10_000, 10_000),
        ("TORSION1", 5476, grid_fixed(74), 5476, 5476),
        ("TORSION2", 5476, grid_fixed(74), 5476, 5476),
        ("TORSION3", 5476, grid_fixed(74), 5476, 5476),
        ("TORSION4", 5476, grid_fixed(74), 5476, 5476),
        ("TORSION5", 5476, grid_fixed(74), 5476, 5476),
        ("TORSION6", 5476, grid_fixed(74), 5476, 5476),
        ("TORSIONA", 5476, grid_fixed(74), 5476, 5476),
    ];
    assert_eq!(expected.len(), SMALL.len());
    let names = bounded::names();
    let mut last = None;
    for &(name, n, fixed, finite_lower, finite_upper) in expected {
        // Listed in the spec's order.
        let at = names.iter().position(|m| *m == name).unwrap_or_else(|| panic!("{name} not registered"));
        assert!(last.is_none_or(|l| l < at), "{name} out of order");
        last = Some(at);
        let p = build(name, None);
        let info = p.info();
        assert_eq!((info.suite, info.name.as_str(), info.n, info.m), ("bounded", name, n, None));
        assert!(info.source.contains(name) || info.source.contains("S2MPJ"), "{name}: source {}", info.source);
        let (lower, upper) = p.bounds();
        let x0 = p.x0();
        assert_eq!((lower.len(), upper.len(), x0.len()), (n, n, n), "{name}");
        assert!(lower.iter().chain(&upper).chain(&x0).all(|v| !v.is_nan()), "{name}: NaN");
        assert!(x0.iter().all(|v| v.is_finite()), "{name}: x0 not finite");
        assert!(lower.iter().zip(&upper).all(|(l, u)| l <= u), "{name}: lower > upper");
        assert!(lower.iter().all(|&l| l < f64::INFINITY) && upper.iter().all(|&u| u > f64::NEG_INFINITY), "{name}");
        let count = |f: &dyn Fn(usize) -> bool| (0..n).filter(|&i| f(i)).count();
        assert_eq!(count(&|i| lower[i] == upper[i]), fixed, "{name}: fixed variables");
        assert_eq!(count(&|i| lower[i].is_finite()), finite_lower, "{name}: finite lower bounds");
        assert_eq!(count(&|i| upper[i].is_finite()), finite_upper, "{name}: finite upper bounds");
        assert!(bounded::by_name(&name.to_ascii_lowercase(), None).is_some(), "{name}: case");
    }
}

#[test]
fn grid_boxes_fix_the_boundary_and_follow_the_sif() {
    // OBSTCLAE, P = 4: boundary fixed at 0, inside low = sin(3.2 (I-1)/3) sin(3.3 (J-1)/3).
    let p = build("OBSTCLAE", Some(16));
    let (lower, upper) = p.bounds();
    for j in 0..4 {
        for i in 0..4 {
            let k = 4 * j + i;
            if i == 0 || j == 0 || i == 3 || j == 3 {
                assert_eq!((lower[k], upper[k]), (0.0, 0.0), "boundary ({i}, {j})");
            } else {
                let low = (3.2 * i as f64 / 3.0).sin() * (3.3 * j as f64 / 3.0).sin();
                assert!((lower[k] - low).abs() < 1e-15 && upper[k] == 2000.0, "({i}, {j})");
            }
        }
    }
    // OBSTCLBM starts midway between the obstacles, OBSTCLBU at the upper one.
    let (bm, bu) = (build("OBSTCLBM", Some(25)), build("OBSTCLBU", Some(25)));
    let (l, u) = bm.bounds();
    for (k, (&m, &v)) in bm.x0().iter().zip(&bu.x0()).enumerate() {
        assert!((m - 0.5 * (l[k] + u[k])).abs() < 1e-15 && v == u[k], "{k}");
    }
    // TORSION, Q = 3 (P = 6, h = 1/5): |x(I,J)| <= h min(I-1, J-1, P-I, P-J).
    let t = build("TORSION3", Some(36));
    let (lower, upper) = t.bounds();
    let dist = [0, 1, 2, 2, 1, 0];
    for j in 0..6 {
        for i in 0..6 {
            let d = dist[i].min(dist[j]) as f64 / 5.0;
            let k = 6 * j + i;
            assert!((upper[k] - d).abs() < 1e-15 && lower[k] == -upper[k], "({i}, {j})");
        }
    }
    assert_eq!(t.x0(), upper, "TORSION3 starts at the upper bounds");
    assert!(build("TORSION4", Some(36)).x0().iter().all(|&v| v == 0.0), "TORSION4 starts at 0");
}

fn value_at_x0(name: &str, n: Option<usize>) -> f64 {
    let p = build(name, n);
    let x0 = p.x0();
    p.products().expect("objective").value(&x0)
}

#[test]
fn values_at_the_sif_starts() {
    let close = |name: &str, n: Option<usize>, expected: f64| {
        let f = value_at_x0(name, n);
        assert!(
            (f - expected).abs() <= 1e-12 * expected.abs().max(1.0),
            "{name} at {n:?}: f(x0) = {f}, expected {expected}"
        );
    };
    // EXPLIN, EXPLIN2 at x0 = 0: M terms exp(0) = 1. QUDLIN at 0: 0.
    close("EXPLIN", None, 100.0);
    close("EXPLIN2", None, 100.0);
    close("QUDLIN", None, 0.0);
    // BDEXP at x0 = 1: N - 2 terms 2 exp(-2).
    close("BDEXP", None, 4998.0 * 2.0 * (-2.0f64).exp());
    // CVXBQP1 at 0.5: alpha_i = 1.5 for every i, f = 1.125 sum p_i.
    let n = 100_000.0;
    close("CVXBQP1", None, 1.125 * n * (n + 1.0) / 2.0);
    close("NCVXBQP1", Some(100), 1.125 * (325.0 - 4725.0));
    // NCVXBQP2, N = 10000: p_i = i up to 5000, -i beyond.
    close("NCVXBQP2", None, 1.125 * (5000.0 * 5001.0 / 2.0 - (10000.0 * 10001.0 / 2.0 - 5000.0 * 5001.0 / 2.0)));
    close("NCVXBQP3", Some(100), 1.125 * (75.0 * 76.0 / 2.0 - (5050.0 - 75.0 * 76.0 / 2.0)));
    // OBSTCLAE, P = 4 (h = 1/3): four interior nodes at 1 with two fixed neighbours each:
    // 4 (-1/9 + 0.25 * 2) = 14/9.
    close("OBSTCLAE", Some(16), 14.0 / 9.0);
    // TORSION1, Q = 2: x0 = 1/3 inside: 4 (-5/27 + 0.25 * 2/9) = -14/27 (the SIF's f*).
    close("TORSION1", Some(16), -14.0 / 27.0);
    close("TORSION2", Some(16), 0.0);
    // TORSIONA, Q = 2: 8 boundary edges in two groups each, 0.5 * 8/9, minus 4 * 5/27.
    close("TORSIONA", Some(16), 4.0 / 9.0 - 20.0 / 27.0);
    // CHARDIS0, NP1 = 3: charges at (-5, 0), (2.5, 0), (0, 0).
    close("CHARDIS0", Some(6), 100.0 * (1.0 / 56.25 + 1.0 / 25.0 + 1.0 / 6.25));
}

#[test]
fn inadmissible_sizes_are_refused() {
    for (name, n) in
        [("EXPLIN", 100), ("CHARDIS0", 7), ("BDEXP", 2), ("OBSTCLAE", 10), ("TORSION1", 36 * 2), ("TORSIONA", 4)]
    {
        assert!(bounded::by_name(name, Some(n)).is_none(), "{name} at {n}");
    }
    assert!(bounded::by_name("CVXBQP1", Some(0)).is_none());
}

/// Projected Newton from the SIF start to the SIF's optimal value.
fn solve(name: &str, n: usize) -> (f64, f64) {
    let p = build(name, Some(n));
    let (lower, upper) = p.bounds();
    let bounds = Bounds::closed(lower, upper).expect("box");
    let report = ProjectedNewton::new()
        .solve(Newton::sparse(p.sparse_hessian().expect("sparse Hessian")), &bounds, &p.x0())
        .expect("setup");
    assert!(report.converged(), "{name}: {}", report.termination);
    (report.f, p.info().f_star.expect("f*"))
}

#[test]
fn projected_newton_reaches_the_sif_optima() {
    // Tolerances: the digits the SIF file states.
    for (name, n, tol) in [
        ("OBSTCLAE", 100, 1e-8),
        ("OBSTCLAL", 100, 1e-8),
        ("OBSTCLBL", 100, 1e-7),
        ("OBSTCLBM", 100, 1e-7),
        ("OBSTCLBU", 100, 1e-7),
        ("TORSION1", 100, 1e-7),
        ("TORSION2", 100, 1e-7),
        ("TORSION3", 100, 1e-8),
        ("TORSION4", 100, 1e-8),
        ("TORSION5", 100, 1e-8),
        ("TORSION6", 100, 1e-8),
        ("TORSIONA", 100, 1e-4),
        ("CVXBQP1", 100, 1e-2),
        ("NCVXBQP1", 100, 1e1),
        ("NCVXBQP2", 100, 1e1),
        ("NCVXBQP3", 100, 1e1),
    ] {
        let (f, f_star) = solve(name, n);
        eprintln!("{name}: f = {f:.12e}, SIF f* = {f_star:.12e}");
        assert!((f - f_star).abs() <= tol, "{name}: f = {f}, SIF f* = {f_star}");
    }
}
