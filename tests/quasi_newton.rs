//! Gradient-only models: finite-difference products, dense SR1 / BFGS, L-SR1 / L-BFGS in compact
//! form and the exact limited-memory step.
//!
//! - the compact L-SR1 / L-BFGS matrices equal the recursive updates from `gamma I` over the
//!   stored pairs (property test, 1e-10 relative);
//! - the exact limited-memory step satisfies the trust-region optimality conditions
//!   `(B + sigma I) s = -g`, `sigma >= 0`, `sigma (||s|| - radius) = 0`, `B + sigma I` psd
//!   against a dense eigendecomposition, and predicts as much reduction as the dense
//!   More-Sorensen step, hard case included;
//! - finite-difference products agree with exact ones;
//! - the models solve Rosenbrock and MGH problems to `||g||_inf <= 1e-6` through the public API,
//!   the problem offering only `f` and `g`;
//! - a gradient that turns non-finite mid-run is handled without a panic.

use faer::Mat;
use proptest::prelude::*;
use trust_region::model::{
    CompactForm, DifferenceScheme, LimitedMemory, LimitedMemoryOptions, Model, Newton, Oracle, SecantUpdate,
};
use trust_region::subproblem::{Dogleg, Gltr, LimitedMemoryExact, MoreSorensen, Steihaug, StepSolver, StepSolverFor};
use trust_region::{DenseModel, HessianProduct, Needs, Objective, Report, TrustRegion};
use trust_region_problems::mgh;

// ---------------------------------------------------------------------------------------------
// Fixtures

/// Only `f` and `g` of a problem: the solvers cannot reach its Hessian.
struct GradientOnly<'a>(&'a dyn HessianProduct);

impl Objective for GradientOnly<'_> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn value(&self, x: &[f64]) -> f64 {
        self.0.value(x)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        self.0.gradient(x, g)
    }
}

/// A compact model with a given gradient, for calling the step solver directly.
struct CompactModel {
    lm: LimitedMemory,
    g: Vec<f64>,
}

impl Model for CompactModel {
    fn dim(&self) -> usize {
        self.g.len()
    }
    fn value(&self) -> f64 {
        0.0
    }
    fn gradient(&self) -> &[f64] {
        &self.g
    }
    fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        self.lm.apply(v, out)
    }
    fn compact(&self) -> Option<CompactForm<'_>> {
        Some(self.lm.compact_form())
    }
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
    fn vec(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.next()).collect()
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

fn matvec(b: &Mat<f64>, v: &[f64]) -> Vec<f64> {
    (0..b.nrows()).map(|i| (0..b.ncols()).map(|j| b[(i, j)] * v[j]).sum()).collect()
}

/// The dense `B` of a limited-memory model, column by column from products.
fn dense_of(lm: &mut LimitedMemory, n: usize) -> Mat<f64> {
    let mut b = Mat::zeros(n, n);
    let (mut e, mut col) = (vec![0.0; n], vec![0.0; n]);
    for j in 0..n {
        e.fill(0.0);
        e[j] = 1.0;
        lm.apply(&e, &mut col);
        for i in 0..n {
            b[(i, j)] = col[i];
        }
    }
    b
}

/// The recursive updates from `gamma I` over `pairs` (SR1 or BFGS), with the smallest relative
/// denominator met on the way (`|r's| / (||r|| ||s||)` or `y's / (||y|| ||s||)`).
fn recursive(kind: SecantUpdate, gamma: f64, pairs: &[(Vec<f64>, Vec<f64>)], n: usize) -> (Mat<f64>, f64) {
    let mut b = Mat::<f64>::from_fn(n, n, |i, j| if i == j { gamma } else { 0.0 });
    let mut worst = f64::INFINITY;
    for (s, y) in pairs {
        let bs = matvec(&b, s);
        match kind {
            SecantUpdate::Sr1 => {
                let r: Vec<f64> = y.iter().zip(&bs).map(|(a, b)| a - b).collect();
                let rs = dot(&r, s);
                worst = worst.min(rs.abs() / (norm(&r) * norm(s)));
                for j in 0..n {
                    for i in 0..n {
                        b[(i, j)] += r[i] * r[j] / rs;
                    }
                }
            }
            _ => {
                let (sbs, ys) = (dot(s, &bs), dot(y, s));
                worst = worst.min(ys / (norm(y) * norm(s)));
                for j in 0..n {
                    for i in 0..n {
                        b[(i, j)] += y[i] * y[j] / ys - bs[i] * bs[j] / sbs;
                    }
                }
            }
        }
    }
    (b, worst)
}

fn frobenius(a: &Mat<f64>) -> f64 {
    let mut s = 0.0;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            s += a[(i, j)] * a[(i, j)];
        }
    }
    s.sqrt()
}

/// A limited-memory model fed with pairs `y = A s + noise` for a random symmetric `A` with the
/// given eigenvalue shift (negative: indefinite).
fn fed_model(kind: SecantUpdate, n: usize, memory: usize, pairs: usize, shift: f64, seed: u64) -> LimitedMemory {
    let mut rng = Lcg(seed);
    let mut a = Mat::<f64>::zeros(n, n);
    for j in 0..n {
        for i in 0..=j {
            let v = rng.next();
            a[(i, j)] = v;
            a[(j, i)] = v;
        }
        a[(j, j)] += shift;
    }
    let mut lm = LimitedMemory::new(kind, LimitedMemoryOptions::with_memory(memory));
    lm.reset(n).unwrap();
    for _ in 0..pairs {
        let s = rng.vec(n);
        let mut y = matvec(&a, &s);
        for v in y.iter_mut() {
            *v += 0.1 * rng.next();
        }
        lm.update(&s, &y);
    }
    lm
}

// ---------------------------------------------------------------------------------------------
// 1. Compact = recursive

/// Returns whether the comparison was made (the recursion was well conditioned).
fn compact_matches_recursive(kind: SecantUpdate, n: usize, memory: usize, pairs: usize, shift: f64, seed: u64) -> bool {
    let mut lm = fed_model(kind, n, memory, pairs, shift, seed);
    let stored: Vec<(Vec<f64>, Vec<f64>)> =
        (0..lm.stored_pairs()).map(|i| lm.pair(i).map(|(s, y)| (s.to_vec(), y.to_vec())).unwrap()).collect();
    assert!(stored.len() <= memory);
    let (bd, worst) = recursive(kind, lm.gamma(), &stored, n);
    // The recursion itself loses digits with tiny denominators: compare only where it is sound.
    if worst < 1e-4 {
        return false;
    }
    let bc = dense_of(&mut lm, n);
    let diff = frobenius(&(&bc - &bd)) / frobenius(&bd);
    assert!(diff <= 1e-10, "{kind:?} n={n} m={memory} pairs={} stored={}: relative {diff:e}", pairs, stored.len());
    true
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn compact_lbfgs_equals_recursive_bfgs(n in 2usize..12, memory in 1usize..6, pairs in 1usize..12, seed in any::<u64>()) {
        prop_assert!(compact_matches_recursive(SecantUpdate::Bfgs, n, memory, pairs, 1.0 + n as f64, seed));
    }

    #[test]
    fn compact_lsr1_equals_recursive_sr1(n in 2usize..12, memory in 1usize..6, pairs in 1usize..12, shift in -2.0f64..2.0, seed in any::<u64>()) {
        let _ = compact_matches_recursive(SecantUpdate::Sr1, n, memory, pairs, shift, seed);
    }
}

#[test]
fn compact_matches_recursive_with_full_memory() {
    // More pairs than memory: the oldest are dropped, the rest still match.
    let mut compared = [0, 0];
    for seed in 0..40 {
        compared[0] += usize::from(compact_matches_recursive(SecantUpdate::Bfgs, 9, 4, 10, 10.0, seed));
        compared[1] += usize::from(compact_matches_recursive(SecantUpdate::Sr1, 9, 4, 10, -1.0, seed));
    }
    // Most random pair sets give a well-conditioned recursion: the test is not vacuous.
    assert!(compared[0] == 40 && compared[1] >= 30, "{compared:?}");
}

#[test]
fn skipped_pairs_leave_the_limited_memory_model_unchanged() {
    let n = 6;
    let mut lm = fed_model(SecantUpdate::Bfgs, n, 3, 3, 5.0, 7);
    let before = dense_of(&mut lm, n);
    // Negative curvature: L-BFGS skips.
    let s = vec![1.0; n];
    let y: Vec<f64> = s.iter().map(|v| -v).collect();
    assert!(!lm.update(&s, &y));
    assert_eq!(frobenius(&(&dense_of(&mut lm, n) - &before)), 0.0);

    let mut lm = fed_model(SecantUpdate::Sr1, n, 3, 2, -1.0, 8);
    let before = dense_of(&mut lm, n);
    // y = B s: r = 0, L-SR1 skips.
    let s = vec![0.5; n];
    let y = matvec(&before, &s);
    assert!(!lm.update(&s, &y));
    assert_eq!(frobenius(&(&dense_of(&mut lm, n) - &before)), 0.0);
}

// ---------------------------------------------------------------------------------------------
// 2. The exact limited-memory step

/// Checks the optimality conditions of the step for `radius`; returns (sigma, status).
fn check_step(lm: LimitedMemory, g: Vec<f64>, radius: f64) -> trust_region::StepInfo {
    let n = g.len();
    let mut model = CompactModel { lm, g };
    let b = dense_of(&mut model.lm, n);
    let eig = b.self_adjoint_eigen(faer::Side::Lower).unwrap();
    let lmin = (0..n).map(|i| eig.S().column_vector()[i]).fold(f64::INFINITY, f64::min);
    let bnorm = frobenius(&b);
    let gnorm = norm(&model.g);

    let mut solver = LimitedMemoryExact::new();
    solver.initialize(n);
    solver.prepare(&mut model);
    let mut s = vec![0.0; n];
    let info = solver.solve(&mut model, radius, &mut s);
    let sn = norm(&s);
    assert!(sn <= radius * (1.0 + 1e-12), "||s|| = {sn} > radius {radius}");
    assert!((info.step_norm - sn).abs() <= 1e-12 * radius);
    let bs = matvec(&b, &s);
    // sigma from the boundary, by least squares on (B + sigma I) s = -g.
    let sigma = if sn < radius * (1.0 - 1e-10) { 0.0 } else { -(dot(&s, &bs) + dot(&s, &model.g)) / (sn * sn) };
    let scale = gnorm + (bnorm + sigma.abs()) * sn;
    let res: Vec<f64> = (0..n).map(|i| bs[i] + sigma * s[i] + model.g[i]).collect();
    assert!(norm(&res) <= 1e-8 * scale, "residual {:e} (scale {scale:e}, sigma {sigma})", norm(&res));
    assert!(sigma >= -1e-10 * (1.0 + bnorm), "sigma = {sigma}");
    assert!(lmin + sigma >= -1e-8 * (1.0 + bnorm), "B + sigma I not psd: lambda_min {lmin} sigma {sigma}");
    assert!(sigma * (radius - sn) <= 1e-8 * (1.0 + bnorm) * radius);
    // Predicted reduction as claimed, and as much as the dense More-Sorensen step.
    let pred = -(dot(&model.g, &s) + 0.5 * dot(&s, &bs));
    assert!(
        (pred - info.predicted_reduction).abs() <= 1e-9 * (1.0 + pred.abs()),
        "{pred} vs {}",
        info.predicted_reduction
    );
    let mut dense = DenseModel::new(model.g.clone(), b);
    let mut ms = MoreSorensen::new();
    ms.initialize(n);
    ms.prepare(&mut dense);
    let mut s2 = vec![0.0; n];
    let info2 = ms.solve(&mut dense, radius, &mut s2);
    assert!(
        info.predicted_reduction >= info2.predicted_reduction * (1.0 - 1e-8),
        "exact {} < More-Sorensen {}",
        info.predicted_reduction,
        info2.predicted_reduction
    );
    info
}

#[test]
fn exact_step_satisfies_the_optimality_conditions() {
    let mut rng = Lcg(99);
    for seed in 0..40u64 {
        for (kind, shift) in [(SecantUpdate::Bfgs, 8.0), (SecantUpdate::Sr1, -1.0), (SecantUpdate::Sr1, 3.0)] {
            for (n, memory) in [(12, 3), (5, 4), (3, 5), (30, 6)] {
                let lm = fed_model(kind, n, memory, 2 * memory, shift, seed);
                let g = rng.vec(n);
                for radius in [1e-3, 0.1, 1.0, 10.0, 1e3] {
                    check_step(lm.clone(), g.clone(), radius);
                }
            }
        }
    }
}

#[test]
fn exact_step_without_pairs_is_the_scaled_gradient() {
    let mut lm = LimitedMemory::new(SecantUpdate::Sr1, LimitedMemoryOptions::default());
    lm.reset(4).unwrap();
    let info = check_step(lm.clone(), vec![3.0, 0.0, -4.0, 0.0], 100.0);
    assert_eq!(info.status, trust_region::StepStatus::Interior);
    let info = check_step(lm, vec![3.0, 0.0, -4.0, 0.0], 1.0);
    assert!(info.hits_boundary);
}

#[test]
fn exact_step_hard_case() {
    // An indefinite L-SR1 model, g orthogonal to the leftmost eigenvector, a large radius.
    let mut hard_cases = 0;
    for seed in 0..20u64 {
        let n = 10;
        let mut lm = fed_model(SecantUpdate::Sr1, n, 4, 4, -3.0, seed);
        let b = dense_of(&mut lm, n);
        let eig = b.self_adjoint_eigen(faer::Side::Lower).unwrap();
        let (imin, lmin) =
            (0..n)
                .map(|i| (i, eig.S().column_vector()[i]))
                .fold((0, f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
        if lmin >= -1e-3 {
            continue;
        }
        let z: Vec<f64> = (0..n).map(|i| eig.U()[(i, imin)]).collect();
        let mut g = Lcg(seed + 1000).vec(n);
        let c = dot(&g, &z);
        for i in 0..n {
            g[i] -= c * z[i];
        }
        let info = check_step(lm.clone(), g.clone(), 1e4);
        if info.status == trust_region::StepStatus::HardCase {
            hard_cases += 1;
        }
        // And the easy cases nearby (small radius).
        check_step(lm, g, 1e-2);
    }
    assert!(hard_cases >= 5, "only {hard_cases} hard cases");
}

// ---------------------------------------------------------------------------------------------
// 3. Finite-difference products

#[test]
fn finite_difference_products_match_exact_products() {
    for name in ["rosenbrock", "wood", "extended_rosenbrock", "broyden_tridiagonal", "trigonometric"] {
        let p = mgh::by_name(name, None).unwrap();
        let exact = p.products().unwrap();
        let x0 = p.x0();
        let n = x0.len();
        let only = GradientOnly(exact);
        for (scheme, tol) in [(DifferenceScheme::Forward, 1e-5), (DifferenceScheme::Central, 1e-8)] {
            let mut m = Newton::finite_differences_with(&only, scheme);
            m.start(&x0, Needs::Products).unwrap();
            let mut rng = Lcg(5);
            for _ in 0..5 {
                let v = rng.vec(n);
                let (mut fd, mut hv) = (vec![0.0; n], vec![0.0; n]);
                m.apply(&v, &mut fd);
                exact.hessian_product(&x0, &v, &mut hv);
                let err = norm(&fd.iter().zip(&hv).map(|(a, b)| a - b).collect::<Vec<_>>()) / norm(&hv).max(1.0);
                assert!(err < tol, "{name} {scheme:?}: relative error {err:e}");
            }
            let e = m.evaluations();
            let per = if scheme == DifferenceScheme::Central { 2 } else { 1 };
            assert_eq!(e.g_fd, 5 * per);
            assert_eq!(e.g, 1 + 5 * per);
            assert_eq!(e.hv, 0);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Solving through the public API

fn solve_with<S: StepSolverFor<M>, M: Oracle>(step: S, model: M, x0: &[f64]) -> Report {
    let mut tr = TrustRegion::new(step);
    tr.options.limits.max_iterations = 5000;
    tr.solve(model, x0).unwrap()
}

fn assert_solved(what: &str, name: &str, r: &Report) {
    assert!(
        r.converged() && r.grad_inf <= 1e-6,
        "{what} on {name}: {} after {} iterations, ||g|| = {:e}",
        r.termination,
        r.iterations,
        r.grad_inf
    );
}

const PROBLEMS: [&str; 8] = [
    "rosenbrock",
    "beale",
    "helical_valley",
    "wood",
    "extended_rosenbrock",
    "broyden_tridiagonal",
    "discrete_boundary_value",
    "variably_dimensioned",
];

#[test]
fn gradient_only_solvers_solve_rosenbrock_and_mgh_problems() {
    for name in PROBLEMS {
        let p = mgh::by_name(name, None).unwrap();
        let only = GradientOnly(p.products().unwrap());
        let x0 = p.x0();
        assert_solved("fd-steihaug", name, &solve_with(Steihaug::new(), Newton::finite_differences(&only), &x0));
        assert_solved("fd-gltr", name, &solve_with(Gltr::new(), Newton::finite_differences(&only), &x0));
        assert_solved(
            "fd-central-steihaug",
            name,
            &solve_with(Steihaug::new(), Newton::finite_differences_with(&only, DifferenceScheme::Central), &x0),
        );
        assert_solved("sr1/exact", name, &solve_with(MoreSorensen::new(), Newton::sr1(&only), &x0));
        assert_solved("sr1/steihaug", name, &solve_with(Steihaug::new(), Newton::sr1(&only), &x0));
        assert_solved("bfgs/exact", name, &solve_with(MoreSorensen::new(), Newton::bfgs(&only), &x0));
        assert_solved("bfgs/dogleg", name, &solve_with(Dogleg::new(), Newton::bfgs(&only), &x0));
        assert_solved("lsr1/exact", name, &solve_with(LimitedMemoryExact::new(), Newton::lsr1(&only), &x0));
        assert_solved("lbfgs/exact", name, &solve_with(LimitedMemoryExact::new(), Newton::lbfgs(&only), &x0));
        assert_solved("lbfgs/steihaug", name, &solve_with(Steihaug::new(), Newton::lbfgs(&only), &x0));
    }
}

#[test]
fn quasi_newton_counts_only_gradients() {
    let p = mgh::by_name("rosenbrock", None).unwrap();
    let only = GradientOnly(p.products().unwrap());
    let r = solve_with(MoreSorensen::new(), Newton::sr1(&only), &p.x0());
    let e = r.evaluations;
    assert_eq!((e.hv, e.h, e.g_fd), (0, 0, 0));
    // SR1 evaluates the gradient at every trial point (accepted or rejected) and at x0.
    assert_eq!(e.g, r.iterations + 1);
    let r = solve_with(Steihaug::new(), Newton::finite_differences(&only), &p.x0());
    assert_eq!(r.evaluations.g, r.evaluations.g_fd + r.accepted_steps + 1);
    assert_eq!(r.evaluations.g_fd, r.inner_iterations);
}

#[test]
fn limited_memory_options_are_validated() {
    let p = mgh::by_name("rosenbrock", None).unwrap();
    let only = GradientOnly(p.products().unwrap());
    let model =
        Newton::with_curvature(&only, LimitedMemory::new(SecantUpdate::Bfgs, LimitedMemoryOptions::with_memory(0)));
    let err = TrustRegion::new(LimitedMemoryExact::new()).solve(model, &p.x0()).unwrap_err();
    assert!(matches!(err, trust_region::SetupError::InvalidOption { name: "memory", .. }), "{err}");
    for memory in [1, 2, 20] {
        let model = Newton::with_curvature(
            &only,
            LimitedMemory::new(SecantUpdate::Sr1, LimitedMemoryOptions::with_memory(memory)),
        );
        assert_solved("lsr1", "rosenbrock", &solve_with(LimitedMemoryExact::new(), model, &p.x0()));
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Non-finite gradients mid-run

/// Rosenbrock whose gradient is NaN for `x_0 > 0.5` away from the solution's neighbourhood and
/// infinite for `x_1 < -0.5` (the value stays finite): trial points there must be rejected.
struct Holes;

impl Objective for Holes {
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        g[0] = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
        g[1] = 200.0 * (x[1] - x[0] * x[0]);
        if x[0] > 1.5 {
            g[0] = f64::NAN;
        }
        if x[1] < -0.5 {
            g[1] = f64::INFINITY;
        }
    }
}

#[test]
fn non_finite_gradients_are_handled() {
    let x0 = [-1.2, 1.0];
    let mut reports = vec![
        solve_with(Steihaug::new(), Newton::finite_differences(&Holes), &x0),
        solve_with(Gltr::new(), Newton::finite_differences(&Holes), &x0),
        solve_with(MoreSorensen::new(), Newton::sr1(&Holes), &x0),
        solve_with(Dogleg::new(), Newton::bfgs(&Holes), &x0),
        solve_with(LimitedMemoryExact::new(), Newton::lsr1(&Holes), &x0),
        solve_with(LimitedMemoryExact::new(), Newton::lbfgs(&Holes), &x0),
    ];
    // From far away the first steps land in the holes.
    let far = [-3.0, 4.0];
    reports.push(solve_with(Steihaug::new(), Newton::finite_differences(&Holes), &far));
    reports.push(solve_with(LimitedMemoryExact::new(), Newton::lsr1(&Holes), &far));
    for r in &reports {
        assert!(r.f.is_finite() && r.x.iter().all(|v| v.is_finite()), "{}", r.termination);
        assert!(r.converged(), "{}", r.termination);
    }
}

/// Gradient-only models in the bounded methods (issue item 4): a Rosenbrock chain in a box
/// that cuts off its minimizer, with `f` and `g` only, through the projected Newton trust
/// region (an L-BFGS-B-like path) and the scaled interior one; both reach `pg <= 1e-6`, every
/// iterate in the box, and agree on the solution.
#[test]
fn gradient_only_models_in_the_bounded_methods() {
    use trust_region::solver::bounded::ProjectedNewton;
    use trust_region::solver::scaled_interior::ScaledInterior;
    use trust_region::Bounds;

    struct Chain(usize);
    impl Objective for Chain {
        fn dim(&self) -> usize {
            self.0
        }
        fn value(&self, x: &[f64]) -> f64 {
            (0..self.0 - 1).map(|i| 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2)).sum()
        }
        fn gradient(&self, x: &[f64], g: &mut [f64]) {
            g.fill(0.0);
            for i in 0..self.0 - 1 {
                let t = x[i + 1] - x[i] * x[i];
                g[i] += -400.0 * x[i] * t - 2.0 * (1.0 - x[i]);
                g[i + 1] += 200.0 * t;
            }
        }
    }
    let n = 20;
    let p = Chain(n);
    // Upper bound 0.7 on the even variables: the unconstrained minimizer (all ones) is cut off.
    let lower = vec![-2.0; n];
    let upper: Vec<f64> = (0..n).map(|i| if i % 2 == 0 { 0.7 } else { 2.0 }).collect();
    let bounds = Bounds::closed(lower.clone(), upper.clone()).unwrap();
    let x0 = vec![-1.2; n];
    let pg = |x: &[f64]| {
        let mut g = vec![0.0; n];
        p.gradient(x, &mut g);
        (0..n).map(|i| (x[i] - (x[i] - g[i]).clamp(lower[i], upper[i])).abs()).fold(0.0f64, f64::max)
    };
    let a = ProjectedNewton::new().solve(Newton::lbfgs(&p), &bounds, &x0).unwrap();
    let b = ProjectedNewton::new().solve(Newton::lsr1(&p), &bounds, &x0).unwrap();
    let c = ScaledInterior::new(Steihaug::new()).solve(Newton::lbfgs(&p), &bounds, &x0).unwrap();
    for r in [&a, &b, &c] {
        assert!(r.converged(), "{}", r.termination);
        assert!(bounds.contains(&r.x));
        assert!(pg(&r.x) <= 1e-6, "pg = {:e}", pg(&r.x));
        assert_eq!(r.evaluations.hv, 0, "no Hessian products");
        assert!(r.termination.active_bounds >= 1);
    }
    for (u, v) in a.x.iter().zip(&c.x) {
        assert!((u - v).abs() <= 1e-4, "{u} vs {v}");
    }
}
