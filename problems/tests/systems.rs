//! The bound-constrained systems test set: registry, Jacobian checks (finite differences and
//! dual numbers, dense and sparse) at the three quarter points, listed roots (in the box, roots
//! to double precision, consistent with the published digits), roots of the scalable systems
//! inside their boxes, and evaluation at n = 10^6 (Bratu, 1000 x 1000 grid).

use std::time::Instant;

use faer::linalg::solvers::Solve;
use faer::sparse::SparseColMat;
use faer::Mat;
use rayon::prelude::*;
use trust_region::problem::Bounds;
use trust_region_problems::systems::check::{check_system, stores_diagonal};
use trust_region_problems::systems::{self, SystemProblem};

fn problem(name: &str, n: Option<usize>) -> Box<dyn SystemProblem> {
    systems::by_name(name, n).unwrap_or_else(|| panic!("no system {name} with n = {n:?}"))
}

/// The suite plus the large instances of the brief.
fn checked_problems() -> Vec<Box<dyn SystemProblem>> {
    let mut ps = systems::suite();
    ps.push(problem("bratu_2d", Some(100 * 100)));
    ps.push(problem("broyden_tridiagonal_box", Some(10_000)));
    ps.push(problem("broyden_banded_box", Some(10_000)));
    ps
}

fn in_box(b: &Bounds, x: &[f64]) -> bool {
    x.len() == b.dim() && x.iter().zip(b.lower.iter().zip(&b.upper)).all(|(&v, (&l, &u))| l <= v && v <= u)
}

/// Newton's method with faer's sparse LU on the problem's sparse Jacobian; `None` if a
/// factorization fails or an iterate is not finite. Stops when `||F|| <= tol`.
fn newton(p: &dyn SystemProblem, x0: &[f64], max_iter: usize, tol: f64) -> Option<(Vec<f64>, f64, usize)> {
    let sj = p.sparse_jacobian()?;
    let pat = sj.jacobian_pattern();
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut r = vec![0.0; n];
    let mut vals = vec![0.0; pat.row_idx().len()];
    for it in 0..=max_iter {
        p.residuals().residuals(&x, &mut r);
        let norm = r.iter().map(|v| v * v).sum::<f64>().sqrt();
        if !norm.is_finite() {
            return None;
        }
        if norm <= tol || it == max_iter {
            return Some((x, norm, it));
        }
        sj.jacobian_values(&x, &mut vals);
        let lu = SparseColMat::new(pat.clone(), vals.clone()).sp_lu().ok()?;
        let mut rhs = Mat::from_fn(n, 1, |i, _| -r[i]);
        lu.solve_in_place(rhs.as_mut());
        for (i, xi) in x.iter_mut().enumerate() {
            *xi += rhs[(i, 0)];
        }
    }
    None
}

fn min_max(x: &[f64]) -> (f64, f64) {
    x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)))
}

#[test]
fn registry_names_sizes_and_interfaces() {
    let suite = systems::suite();
    let names = systems::names();
    assert_eq!(suite.len(), 17);
    assert_eq!(names.len(), 17);
    let expected_n = [2, 5, 5, 2, 2, 5, 8, 9, 2, 1, 2, 2, 1000, 1000, 1024, 100, 100];
    for ((p, name), n) in suite.iter().zip(&names).zip(expected_n) {
        let info = p.info();
        assert_eq!(&info.name, name);
        assert_eq!(info.n, n, "{name}");
        assert!(!info.source.is_empty() && !info.title.is_empty(), "{name}");
        let b = p.bounds();
        assert_eq!(b.dim(), n, "{name}");
        assert!(b.lower.iter().zip(&b.upper).all(|(l, u)| l < u), "{name}: empty box");
        assert_eq!(p.residuals().dim(), n);
        assert_eq!(p.residuals().residual_count(), n);
        assert!(p.dense_jacobian().is_some(), "{name}: dense Jacobian at the default size");
        let sj = p.sparse_jacobian().expect("sparse Jacobian");
        let pat = sj.jacobian_pattern();
        assert_eq!((pat.nrows(), pat.ncols()), (n, n), "{name}");
        // by_name rebuilds the same problem, with or without the explicit default size.
        assert_eq!(problem(name, None).info(), info);
        assert_eq!(problem(name, Some(n)).info(), info);
    }
    assert!(systems::by_name("no_such_system", None).is_none());
    assert!(systems::by_name("ex14_1_1", Some(3)).is_none());
    assert!(systems::by_name("bratu_2d", Some(1000)).is_none(), "not a perfect square");
    assert_eq!(problem("bratu_2d", Some(49)).info().n, 49);
    assert!(systems::by_name("chandrasekhar_h", Some(2001)).is_none());
    assert!(systems::by_name("broyden_banded_box", Some(0)).is_none());
    // Large instances: sparse only.
    let big = problem("bratu_2d", Some(100 * 100));
    assert!(big.dense_jacobian().is_none() && big.sparse_jacobian().is_some());
    // Infinite upper bounds where the spec says u >= 0, H >= 0.
    for name in ["bratu_2d", "chandrasekhar_h", "chandrasekhar_h_099"] {
        let b = problem(name, None).bounds();
        assert!(b.lower.iter().all(|&l| l == 0.0) && b.upper.iter().all(|&u| u == f64::INFINITY), "{name}");
    }
}

#[test]
fn jacobians_match_differences_and_dual_numbers_at_the_quarter_points() {
    let problems = checked_problems();
    let failures: Vec<String> = problems
        .par_iter()
        .flat_map_iter(|p| {
            let b = p.bounds();
            let mut out = Vec::new();
            for (nu, x) in systems::quarter_points(&b).iter().enumerate() {
                let c = check_system(p.as_ref(), x);
                let info = p.info();
                assert!(c.dual.is_some(), "{}: no dual check", info.name);
                if info.n <= 2000 {
                    assert!(c.derivatives.dense_jacobian.is_some(), "{}: dense Jacobian not checked", info.name);
                }
                assert!(c.derivatives.sparse_jacobian.is_some(), "{}: sparse Jacobian not checked", info.name);
                if !c.passed() {
                    out.push(format!(
                        "{} (n = {}) at q{}: {:?}\n{}",
                        info.name,
                        info.n,
                        nu + 1,
                        c.failures(),
                        c.derivatives
                    ));
                }
            }
            out
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn jacobians_match_at_random_interior_points_of_the_small_systems() {
    let mut failures = Vec::new();
    for p in systems::suite().iter().filter(|p| p.info().n <= 10) {
        for (k, x) in systems::random_interior_points(&p.bounds(), 10, 2024).iter().enumerate() {
            let c = check_system(p.as_ref(), x);
            if !c.passed() {
                failures.push(format!("{} at random point {k}: {:?}", p.info().name, c.failures()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sparse_patterns_store_the_diagonal_and_have_the_expected_size() {
    let expected_nnz = |name: &str, n: usize| -> Option<usize> {
        match name {
            // Emitted entries plus the diagonal entries stored as explicit zeros.
            "ex14_1_1" | "ex14_1_4" | "ex14_1_3" | "powell_badly_scaled_box" | "effati_grosan_2" => Some(4),
            "ex14_1_2_c2" | "ex14_1_2_c3" => Some(18 + 1),
            "ex14_1_5" => Some(25),
            "ex14_1_6" => Some(24 + 5),
            "ex14_1_7" => Some(52 + 4),
            "ex14_1_8" => Some(3),
            "ex14_1_9" => Some(1),
            "broyden_tridiagonal_box" => Some(3 * n - 2),
            "broyden_banded_box" => Some((0..n).map(|i| (i + 1).min(n - 1) - i.saturating_sub(5) + 1).sum()),
            "bratu_2d" => {
                let g = (n as f64).sqrt().round() as usize;
                Some(5 * n - 4 * g)
            }
            "chandrasekhar_h" | "chandrasekhar_h_099" => Some(n * n),
            _ => None,
        }
    };
    for p in checked_problems() {
        let info = p.info();
        let pat = p.sparse_jacobian().unwrap().jacobian_pattern();
        assert!(stores_diagonal(&pat), "{}: diagonal missing", info.name);
        let nnz = pat.row_idx().len();
        assert_eq!(Some(nnz), expected_nnz(&info.name, info.n), "{} (n = {})", info.name, info.n);
        // Rows strictly increasing inside every column (a valid sorted CSC pattern).
        for j in 0..info.n {
            let rows = &pat.row_idx()[pat.col_range(j)];
            assert!(rows.windows(2).all(|w| w[0] < w[1]), "{}: column {j} not sorted", info.name);
        }
    }
    // The explicit zeros are zeros: robot kinematics F3..F7 do not depend on x3..x7.
    let p = problem("ex14_1_6", None);
    let sj = p.sparse_jacobian().unwrap();
    let pat = sj.jacobian_pattern();
    let mut vals = vec![f64::NAN; pat.row_idx().len()];
    sj.jacobian_values(&systems::quarter_points(&p.bounds())[0], &mut vals);
    for j in 2..=6usize {
        let range = pat.col_range(j);
        let k = pat.row_idx()[range.clone()].iter().position(|&i| i == j).unwrap();
        assert_eq!(vals[range.start + k], 0.0);
    }
    assert!(vals.iter().all(|v| v.is_finite()));
}

#[test]
fn listed_roots_lie_in_the_box_and_are_roots() {
    let expected_count = |name: &str| match name {
        "ex14_1_1" => 9,
        "ex14_1_6" => 16,
        "ex14_1_9" => 3,
        "ex14_1_4" | "ex14_1_5" => 2,
        "broyden_tridiagonal_box" | "broyden_banded_box" | "bratu_2d" | "chandrasekhar_h" | "chandrasekhar_h_099" => 0,
        _ => 1,
    };
    for p in systems::suite() {
        let info = p.info();
        let b = p.bounds();
        assert_eq!(info.roots.len(), expected_count(&info.name), "{}", info.name);
        for (k, root) in info.roots.iter().enumerate() {
            assert!(in_box(&b, root), "{}: root {k} {root:?} outside the box", info.name);
            assert!(b.strictly_contains(root), "{}: root {k} on the boundary", info.name);
            let norm = systems::residual_norm(p.as_ref(), root);
            assert!(norm <= 1e-12, "{}: ||F(root {k})|| = {norm:e}", info.name);
            // Distinct roots.
            for other in &info.roots[..k] {
                let d = root.iter().zip(other).map(|(a, c)| (a - c).abs()).fold(0.0, f64::max);
                assert!(d > 1e-6, "{}: root {k} listed twice", info.name);
            }
        }
    }
}

/// Published digits (handbook, papers, GLOBALLib solutions) with the absolute tolerance they
/// carry per component: the stored double-precision roots agree with them, `||F||` at the
/// published point is small for its number of digits, and a few Newton steps from it land on
/// the stored root.
#[test]
fn published_digits_refine_to_the_listed_roots() {
    let table: Vec<(&str, Vec<f64>, f64, f64)> = vec![
        // (name, published point, abs. tolerance per component, bound on ||F|| at it)
        ("ex14_1_1", vec![-2.805118, 3.131312], 1e-6, 1e-4),
        ("ex14_1_1", vec![-3.779310, -3.283186], 1e-6, 1e-4),
        ("ex14_1_1", vec![3.584428, -1.848126], 1e-6, 1e-4),
        ("ex14_1_1", vec![-0.270845, -0.923039], 1e-6, 1e-4),
        ("ex14_1_1", vec![0.086678, 2.884254], 1e-6, 1e-4),
        ("ex14_1_1", vec![-3.073026, -0.081353], 1e-6, 1e-4),
        ("ex14_1_1", vec![3.385154, 0.073852], 1e-6, 1e-4),
        ("ex14_1_1", vec![-0.127961, -1.953715], 1e-6, 1e-4),
        ("ex14_1_2_c2", vec![0.003114102, 34.59792, 0.06504177, 0.8593780, 0.03695185], 1e-5, 1e-6),
        ("ex14_1_3", vec![1.45067e-5, 6.8933528699], 1e-10, 1e-5),
        ("ex14_1_4", vec![0.29944869, 2.83692777], 1e-8, 1e-7),
        ("ex14_1_7", vec![0.9, 0.45, 1.0, 2.0, 8.0, 8.0, 5.0, 1.0, 2.0], 5e-4, 1e0),
        ("ex14_1_8", vec![0.72498689, 0.24524082], 1e-8, 1e-6),
        ("powell_badly_scaled_box", vec![1.0981593e-5, 9.1061467], 1e-7, 1e-6),
    ];
    for (name, published, tol, fbound) in table {
        let p = problem(name, None);
        let roots = p.info().roots;
        let nearest = roots
            .iter()
            .min_by(|a, b| {
                let da = a.iter().zip(&published).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
                let db = b.iter().zip(&published).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
                da.total_cmp(&db)
            })
            .expect("a listed root");
        for (i, (s, q)) in nearest.iter().zip(&published).enumerate() {
            assert!((s - q).abs() <= tol, "{name}: component {i}: stored {s} vs published {q}");
        }
        let f_pub = systems::residual_norm(p.as_ref(), &published);
        assert!(f_pub <= fbound, "{name}: ||F(published)|| = {f_pub:e}");
        let (x, norm, _) = newton(p.as_ref(), &published, 8, 1e-13).expect("Newton from the published point");
        assert!(norm <= 1e-12, "{name}: ||F|| = {norm:e} after Newton");
        for (a, c) in x.iter().zip(nearest) {
            assert!((a - c).abs() <= 1e-9 * c.abs().max(1e-3), "{name}: Newton lands on {x:?}, stored {nearest:?}");
        }
    }
    // Meintjes-Morgan's root is not a root of the GLOBALLib variant (c = 3): different problems.
    let p = problem("ex14_1_2_c3", None);
    let mm = [0.003114102, 34.59792, 0.06504177, 0.8593780, 0.03695185];
    assert!(systems::residual_norm(p.as_ref(), &mm) > 1e-4);
    // Ferraris-Tronconi's first root is exactly (1/2, pi), Effati-Grosan 2's exactly (0, 1).
    assert_eq!(problem("ex14_1_4", None).info().roots[0], vec![0.5, std::f64::consts::PI]);
    assert_eq!(problem("effati_grosan_2", None).info().roots[0], vec![0.0, 1.0]);
}

#[test]
fn broyden_boxes_contain_a_root() {
    for n in [1usize, 2, 10, 1000, 10_000] {
        for (name, lo, hi) in [("broyden_tridiagonal_box", -0.7072, -0.28), ("broyden_banded_box", -0.6246, -0.37)] {
            let p = problem(name, Some(n));
            let b = p.bounds();
            let mut starts = vec![vec![-1.0; n]];
            let q = systems::quarter_points(&b);
            starts.extend_from_slice(&q[..2]);
            if name == "broyden_tridiagonal_box" {
                starts.push(q[2].clone());
            }
            let mut first: Option<Vec<f64>> = None;
            for x0 in starts {
                let (x, norm, _) = newton(p.as_ref(), &x0, 40, 1e-12).unwrap_or_else(|| panic!("{name} n = {n}"));
                assert!(norm <= 1e-12, "{name} n = {n} from {}: ||F|| = {norm:e}", x0[0]);
                assert!(b.strictly_contains(&x), "{name} n = {n}: root leaves the box");
                let (mn, mx) = min_max(&x);
                assert!(lo <= mn && mx <= hi, "{name} n = {n}: root components in [{mn}, {mx}]");
                // Every start reaches the same root.
                match &first {
                    None => first = Some(x),
                    Some(f) => assert!(f.iter().zip(&x).all(|(a, c)| (a - c).abs() <= 1e-10), "{name} n = {n}"),
                }
            }
        }
    }
}

#[test]
fn bratu_has_two_positive_roots() {
    for g in [2usize, 32, 100] {
        let p = problem("bratu_2d", Some(g * g));
        let b = p.bounds();
        let (lower, norm, _) = newton(p.as_ref(), &vec![0.0; g * g], 30, 1e-12).expect("lower branch");
        assert!(norm <= 1e-12, "N = {g}: ||F|| = {norm:e}");
        let (upper, norm2, _) = newton(p.as_ref(), &systems::quarter_points(&b)[1], 40, 1e-12).expect("upper branch");
        assert!(norm2 <= 1e-12, "N = {g}: ||F|| = {norm2:e}");
        for u in [&lower, &upper] {
            assert!(b.strictly_contains(u), "N = {g}: a root leaves u > 0");
        }
        let (_, max_lo) = min_max(&lower);
        let (_, max_up) = min_max(&upper);
        if g >= 32 {
            assert!((0.79..0.80).contains(&max_lo), "N = {g}: lower branch max {max_lo}");
            assert!((2.2..2.26).contains(&max_up), "N = {g}: upper branch max {max_up}");
        }
        assert!(max_up > max_lo + 0.5, "N = {g}: branches not distinct");
    }
    // N = 1: 4u - 1.5 exp(u) < 0 for every u (h^2 lambda = 1.5 > 4/e): no root.
    let p = problem("bratu_2d", Some(1));
    for k in 0..100 {
        let u = k as f64 * 0.05;
        let mut r = [0.0];
        p.residuals().residuals(&[u], &mut r);
        assert!(r[0] < 0.0);
    }
}

#[test]
fn chandrasekhar_physical_root_satisfies_the_mean_identity() {
    for (name, c) in [("chandrasekhar_h", 0.9f64), ("chandrasekhar_h_099", 0.99)] {
        for n in [1usize, 10, 100] {
            let p = problem(name, Some(n));
            let (x, norm, _) = newton(p.as_ref(), &vec![1.0; n], 30, 1e-13).expect("Newton");
            assert!(norm <= 1e-12, "{name} n = {n}: ||F|| = {norm:e}");
            assert!(p.bounds().strictly_contains(&x));
            let mean = x.iter().sum::<f64>() / n as f64;
            let physical = 2.0 * (1.0 - (1.0 - c).sqrt()) / c;
            assert!((mean - physical).abs() <= 1e-12, "{name} n = {n}: mean {mean} vs {physical}");
            // H is increasing in mu, H(0+) -> 1.
            assert!(x.windows(2).all(|w| w[0] < w[1]) && x[0] >= 1.0, "{name} n = {n}");
        }
    }
}

#[test]
fn quarter_points_and_random_points() {
    let b = Bounds {
        lower: vec![0.0, -4.0, 1.0, f64::NEG_INFINITY, f64::NEG_INFINITY],
        upper: vec![4.0, 0.0, f64::INFINITY, -2.0, f64::INFINITY],
    };
    let q = systems::quarter_points(&b);
    assert_eq!(q[0], vec![1.0, -3.0, 2.0, -8.0, -1.0]);
    assert_eq!(q[1], vec![2.0, -2.0, 3.0, -6.0, 0.0]);
    assert_eq!(q[2], vec![3.0, -1.0, 4.0, -4.0, 1.0]);
    for p in checked_problems() {
        let bounds = p.bounds();
        for x in systems::quarter_points(&bounds) {
            assert!(bounds.strictly_contains(&x), "{}", p.info().name);
        }
    }
    let r1 = systems::random_interior_points(&b, 100, 7);
    let r2 = systems::random_interior_points(&b, 100, 7);
    let r3 = systems::random_interior_points(&b, 10, 7);
    let r4 = systems::random_interior_points(&b, 100, 8);
    assert_eq!(r1.len(), 100);
    assert_eq!(r1, r2, "same seed, same points");
    assert_eq!(&r1[..10], &r3[..], "prefix does not depend on count");
    assert_ne!(r1, r4);
    let (fl, fu) = systems::finite_box(&b);
    for x in &r1 {
        assert!(b.strictly_contains(x));
        assert!(x.iter().zip(fl.iter().zip(&fu)).all(|(&v, (&l, &u))| l < v && v < u));
    }
    // Roughly uniform: the mean of the first coordinate over [0, 4] is near 2.
    let mean = r1.iter().map(|x| x[0]).sum::<f64>() / 100.0;
    assert!((mean - 2.0).abs() < 0.4, "mean {mean}");
    // Tight boxes: Bullard-Biegler's x1 in [5.49e-6, 4.553].
    let p = problem("ex14_1_3", None);
    for x in systems::random_interior_points(&p.bounds(), 1000, 1) {
        assert!(p.bounds().strictly_contains(&x));
    }
}

/// n = 10^6: build the 1000 x 1000 Bratu problem, evaluate F and the sparse Jacobian once.
/// Work and storage are O(n): the pattern has 5n - 4N entries; the evaluation time is compared
/// with the 250 x 250 grid (16 times fewer unknowns) with a generous factor.
#[test]
fn bratu_with_a_million_unknowns_evaluates_in_linear_time() {
    let time_eval = |g: usize| -> (f64, Box<dyn SystemProblem>) {
        let p = problem("bratu_2d", Some(g * g));
        let n = g * g;
        let x = systems::quarter_points(&p.bounds())[0].clone();
        let sj = p.sparse_jacobian().unwrap();
        let nnz = sj.jacobian_pattern().row_idx().len();
        assert_eq!(nnz, 5 * n - 4 * g);
        let mut r = vec![0.0; n];
        let mut vals = vec![0.0; nnz];
        let t = Instant::now();
        p.residuals().residuals(&x, &mut r);
        sj.jacobian_values(&x, &mut vals);
        let secs = t.elapsed().as_secs_f64();
        assert!(r.iter().chain(&vals).all(|v| v.is_finite()));
        // At u = 1 everywhere: an interior row is 4 - 4 - h^2 lambda e = -h^2 lambda e.
        let h = 1.0 / (g as f64 + 1.0);
        let k = (g / 2) * g + g / 2;
        assert!((r[k] + h * h * 6.0 * std::f64::consts::E).abs() <= 1e-15);
        (secs, p)
    };
    let t_small = (0..3).map(|_| time_eval(250).0).fold(f64::INFINITY, f64::min);
    let t0 = Instant::now();
    let (t_big, p) = time_eval(1000);
    println!(
        "bratu n = 62500: F + J in {t_small:.4} s; n = 10^6: F + J in {t_big:.4} s (build + eval {:.2} s)",
        t0.elapsed().as_secs_f64()
    );
    assert_eq!(p.info().n, 1_000_000);
    assert!(p.dense_jacobian().is_none());
    assert!(t_big <= 64.0 * t_small + 0.5, "F + J at n = 10^6 took {t_big} s vs {t_small} s at n = 62500");
}

/// A system with a deliberately wrong Jacobian entry (and one with a missing entry) must fail
/// the checks: the checker is not vacuous.
#[test]
fn the_checker_rejects_wrong_jacobians() {
    use trust_region_problems::mgh::Scalar;
    use trust_region_problems::systems::{System, SystemAdapter};

    struct Wrong {
        drop_entry: bool,
    }
    impl System for Wrong {
        fn name(&self) -> &'static str {
            "wrong"
        }
        fn title(&self) -> &'static str {
            "wrong Jacobian"
        }
        fn source(&self) -> &'static str {
            "test"
        }
        fn n(&self) -> usize {
            2
        }
        fn bounds(&self) -> Bounds {
            Bounds { lower: vec![-1.0; 2], upper: vec![2.0; 2] }
        }
        fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
            r[0] = x[0].exp() + x[0] * x[1] - 1.0;
            r[1] = (x[0] * x[1]).sin() + x[0] + x[1] - 1.0;
        }
        fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
            let c = (x[0] * x[1]).cos();
            emit(0, 0, x[0].exp() + x[1]);
            if !self.drop_entry {
                emit(0, 1, x[0]);
            }
            emit(1, 0, c * x[1] + 1.0);
            emit(1, 1, c * x[0] * 1.01 + 1.0); // 1 % off
        }
    }
    for drop_entry in [false, true] {
        let p = SystemAdapter::new(Wrong { drop_entry });
        let x = systems::quarter_points(&p.bounds())[0].clone();
        let c = check_system(&p, &x);
        assert!(!c.passed(), "drop_entry = {drop_entry}: wrong Jacobian passed");
        assert!(!c.dual.as_ref().unwrap().passed());
        assert!(!c.derivatives.dense_jacobian.as_ref().unwrap().passed());
    }
    // The correct system passes at the same point.
    let p = problem("effati_grosan_2", None);
    assert!(check_system(p.as_ref(), &systems::quarter_points(&p.bounds())[0]).passed());
}

/// ex14_1_8: `F1` depends on `x1` only and has a positive local maximum between the quarter
/// points q1, q2 and the root, higher than `||F||` at q1 and q2 (documented barrier).
#[test]
fn two_cstr_barrier_between_the_first_quarter_points_and_the_root() {
    let p = problem("ex14_1_8", None);
    let f1 = |x1: f64| {
        let mut r = [0.0; 2];
        p.residuals().residuals(&[x1, 0.0], &mut r);
        r[0]
    };
    // F1 > 0 on [-1, root) and its maximum there is about 2.8864 near 0.629.
    let root = p.info().roots[0][0];
    let mut peak = (0.0f64, 0.0f64);
    for k in 0..=20_000 {
        let x1 = -1.0 + (root + 1.0) * k as f64 / 20_000.0;
        let v = f1(x1);
        if k < 20_000 {
            assert!(v > 0.0, "F1({x1}) = {v}");
        }
        if v > peak.1 {
            peak = (x1, v);
        }
    }
    assert!((peak.0 - 0.629).abs() < 2e-3 && (peak.1 - 2.8864).abs() < 1e-3, "{peak:?}");
    let q = systems::quarter_points(&p.bounds());
    for x in &q[..2] {
        let norm = systems::residual_norm(p.as_ref(), x);
        assert!(x[0] < peak.0 && norm < peak.1, "{x:?}: ||F|| = {norm}");
    }
    assert!((systems::residual_norm(p.as_ref(), &q[0]) - 1.12).abs() < 5e-3);
    assert!((systems::residual_norm(p.as_ref(), &q[1]) - 0.151).abs() < 5e-4);
}

/// The runner on a small subset: record count and order, success of easy problems from the
/// quarter points, identical records (but the timings) with 1 and 2 threads, tables and CSV.
#[test]
fn runner_runs_scalings_rules_and_starts_deterministically() {
    use trust_region::scaling::Scaling;
    use trust_region::solver::interior::StepRule;
    use trust_region_problems::systems::runner::{
        csv, default_rules, default_scalings, quarter_point_coverage, quarter_point_table, run_systems, summarize,
        summary_table, SystemRunRecord,
    };

    assert_eq!(default_scalings().len(), 5);
    assert_eq!(default_rules().len(), 2);
    let problems: Vec<Box<dyn SystemProblem>> =
        ["ex14_1_1", "ex14_1_9", "effati_grosan_2"].iter().map(|n| problem(n, None)).collect();
    let scalings = [Scaling::ColemanLi, Scaling::Adaptive];
    let rules = [StepRule::Dogleg, StepRule::ConstrainedDogleg];
    let run = |threads: usize| -> Vec<SystemRunRecord> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| run_systems(&problems, &scalings, &rules, 3, 11))
    };
    let strip = |mut v: Vec<SystemRunRecord>| {
        v.iter_mut().for_each(|r| r.seconds = 0.0);
        v
    };
    let a = run(1);
    let b = run(2);
    assert_eq!(a.len(), 3 * 2 * 2 * 6);
    assert_eq!(strip(a.clone()), strip(b));
    assert_eq!(a[0].problem, "ex14_1_1");
    assert_eq!((a[0].scaling.as_str(), a[0].rule.as_str(), a[0].start.as_str()), ("cl", "dogleg", "q1"));
    assert_eq!(a[5].start, "r2");
    for r in &a {
        assert_eq!(r.jacobian, "dense");
        assert_eq!(r.success, r.in_box && r.residual_norm <= 1e-8, "{r:?}");
        if r.start.starts_with('q') {
            assert!(r.success, "{r:?}");
        }
    }
    assert!(quarter_point_coverage(&a).iter().all(|(_, q)| q.iter().all(|&ok| ok)));
    let summary = summarize(&a);
    assert_eq!(summary.len(), 4);
    assert!(summary.iter().all(|s| s.runs == 18 && s.quarter_runs == 9 && s.quarter_successes == 9));
    let table = summary_table(&a);
    assert_eq!(table.lines().count(), 5, "{table}");
    let qt = quarter_point_table(&a);
    assert!(qt.contains("ex14_1_9") && qt.contains("123"), "{qt}");
    assert_eq!(csv(&a).lines().count(), a.len() + 1);
    // Random starts of a problem do not depend on the other problems in the run.
    let alone = run_systems(&problems[1..2], &scalings[..1], &rules[..1], 3, 11);
    let together: Vec<&SystemRunRecord> =
        a.iter().filter(|r| r.problem == "ex14_1_9" && r.scaling == "cl" && r.rule == "dogleg").collect();
    assert_eq!(alone.len(), together.len());
    for (x, y) in alone.iter().zip(together) {
        assert_eq!(
            (x.start.as_str(), x.iterations, x.residual_norm),
            (y.start.as_str(), y.iterations, y.residual_norm)
        );
    }
}
