//! Rectangular residuals (`m > n` and `m < n`) with bounds through the scaled interior trust
//! region, and square systems singular at the start: every iterate strictly inside the box
//! (proptest), bounded linear least squares against an independent active-set enumeration,
//! an MGH least-squares problem (Bard) with a bound cutting off its minimizer, an
//! underdetermined system reaching a zero residual (dense, sparse, LSMR, finite differences),
//! LSMR against the QR path, and a POWERSUMNE-like system singular at its symmetric start.

use std::ops::ControlFlow;

use faer::sparse::{Pair, SymbolicSparseColMat};
use faer::{Mat, MatMut};
use proptest::prelude::*;
use trust_region::model::Loss;
use trust_region::problem::fd::DEFAULT_REL_STEP;
use trust_region::solver::interior::{
    Interior, InteriorOptions, LinearSolver, StepRule, SystemIterationInfo, SystemTermination,
};
use trust_region::{Bounds, DenseJacobian, DenseStore, Residuals, Scaling, SparseJacobian, SparseStore};

/// `F_i = x0 exp(x1 t_i) + x2 - y_i`, `t_i = i / 2`, six points: `m = 6 > n = 3`.
struct ExpFit;

const T: [f64; 6] = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5];
const Y: [f64; 6] = [2.1, 2.6, 3.5, 4.4, 6.1, 8.3];

impl Residuals for ExpFit {
    fn dim(&self) -> usize {
        3
    }
    fn residual_count(&self) -> usize {
        6
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for i in 0..6 {
            r[i] = x[0] * (x[1] * T[i]).exp() + x[2] - Y[i];
        }
    }
}

impl DenseJacobian for ExpFit {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for i in 0..6 {
            let e = (x[1] * T[i]).exp();
            j[(i, 0)] = e;
            j[(i, 1)] = x[0] * T[i] * e;
            j[(i, 2)] = 1.0;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every iterate of a rectangular bounded run lies strictly inside the box, accepted steps
    /// never increase the merit (the robust cost with a loss), and the run ends converged or
    /// with a typed failure (never a panic), for random boxes, starts, step rules, scalings,
    /// linear solvers and losses.
    #[test]
    fn rectangular_iterates_stay_strictly_inside(
        lo in prop::collection::vec(-3.0f64..-0.01, 3),
        hi in prop::collection::vec(0.01f64..3.0, 3),
        t in prop::collection::vec(0.01f64..0.99, 3),
        rule in 0usize..2,
        scaling in 0usize..3,
        lsmr in any::<bool>(),
        loss in 0usize..5,
    ) {
        let b = Bounds::new(lo.clone(), hi.clone()).unwrap();
        let x0: Vec<f64> = (0..3).map(|i| lo[i] + t[i] * (hi[i] - lo[i])).collect();
        let mut o = InteriorOptions::default();
        o.step_rule = [StepRule::Dogleg, StepRule::ConstrainedDogleg][rule];
        o.scaling = [Scaling::ColemanLi, Scaling::default(), Scaling::Adaptive][scaling];
        o.linear_solver = if lsmr { LinearSolver::Lsmr } else { LinearSolver::Direct };
        o.loss = [
            Loss::Linear,
            Loss::SoftL1 { scale: 0.2 },
            Loss::Huber { scale: 0.2 },
            Loss::Cauchy { scale: 0.2 },
            Loss::Arctan { scale: 0.5 },
        ][loss];
        let mut xs: Vec<Vec<f64>> = Vec::new();
        let mut merits: Vec<(bool, f64)> = Vec::new();
        let mut observer = |info: &SystemIterationInfo, x: &[f64]| {
            xs.push(x.to_vec());
            merits.push((info.accepted, info.merit));
            ControlFlow::Continue(())
        };
        let r = Interior::new(o).with_observer(&mut observer).solve_dense(&ExpFit, &b, &x0).unwrap();
        prop_assert!(!xs.is_empty());
        for x in &xs {
            prop_assert!(b.strictly_contains(x), "{x:?} not strictly inside {b:?}");
        }
        prop_assert!(b.strictly_contains(&r.x));
        let mut last = f64::INFINITY;
        for &(accepted, merit) in &merits {
            if accepted {
                prop_assert!(merit <= last, "merit increased: {merit} > {last}");
                last = merit;
            }
        }
        let name = r.termination.name();
        prop_assert!(
            ["stationary", "root", "no_progress", "radius_too_small", "max_iterations"].contains(&name),
            "{}", r.termination
        );
    }
}

/// Linear residuals `F = A x - b` (dense and sparse Jacobian, every entry stored).
struct Linear {
    a: Mat<f64>,
    b: Vec<f64>,
}

impl Residuals for Linear {
    fn dim(&self) -> usize {
        self.a.ncols()
    }
    fn residual_count(&self) -> usize {
        self.a.nrows()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for i in 0..self.a.nrows() {
            r[i] = (0..self.a.ncols()).map(|j| self.a[(i, j)] * x[j]).sum::<f64>() - self.b[i];
        }
    }
}

impl DenseJacobian for Linear {
    fn jacobian(&self, _: &[f64], mut j: MatMut<'_, f64>) {
        j.copy_from(self.a.as_ref());
    }
}

impl SparseJacobian for Linear {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let (m, n) = (self.a.nrows(), self.a.ncols());
        let idx: Vec<_> = (0..n).flat_map(|j| (0..m).map(move |i| Pair::new(i, j))).collect();
        SymbolicSparseColMat::try_new_from_indices(m, n, &idx).unwrap().0
    }
    fn jacobian_values(&self, _: &[f64], v: &mut [f64]) {
        let (m, n) = (self.a.nrows(), self.a.ncols());
        for j in 0..n {
            for i in 0..m {
                v[j * m + i] = self.a[(i, j)];
            }
        }
    }
}

/// Solves the small dense system `M z = r` by Gaussian elimination with partial pivoting.
fn solve_small(mut m: Vec<Vec<f64>>, mut r: Vec<f64>) -> Option<Vec<f64>> {
    let k = r.len();
    for c in 0..k {
        let p = (c..k).max_by(|&i, &j| m[i][c].abs().total_cmp(&m[j][c].abs()))?;
        if m[p][c].abs() < 1e-14 {
            return None;
        }
        m.swap(c, p);
        r.swap(c, p);
        for i in c + 1..k {
            let f = m[i][c] / m[c][c];
            for j in c..k {
                m[i][j] -= f * m[c][j];
            }
            r[i] -= f * r[c];
        }
    }
    let mut z = vec![0.0; k];
    for c in (0..k).rev() {
        z[c] = (r[c] - (c + 1..k).map(|j| m[c][j] * z[j]).sum::<f64>()) / m[c][c];
    }
    Some(z)
}

/// The bounded linear least-squares solution by enumerating the `3^n` active sets (free, at
/// the lower bound, at the upper bound) and keeping the feasible KKT point: free components
/// from the normal equations of the reduced problem, `g_i >= 0` at a lower and `g_i <= 0` at an
/// upper bound. Independent of the interior solver. Returns the solution and its active set
/// (`-1` lower, `0` free, `1` upper).
fn active_set_solution(p: &Linear, b: &Bounds) -> (Vec<f64>, Vec<i8>) {
    let (m, n) = (p.a.nrows(), p.a.ncols());
    for code in 0..3usize.pow(n as u32) {
        let set: Vec<i8> = (0..n).map(|i| ((code / 3usize.pow(i as u32)) % 3) as i8 - 1).collect();
        let mut x = vec![0.0; n];
        let free: Vec<usize> = (0..n).filter(|&i| set[i] == 0).collect();
        for i in 0..n {
            x[i] = match set[i] {
                -1 => b.lower[i],
                1 => b.upper[i],
                _ => 0.0,
            };
        }
        if !x.iter().all(|v| v.is_finite()) {
            continue;
        }
        // Reduced normal equations A_F' A_F z = A_F' (b - A_A x_A).
        let mut rhs_full = p.b.clone();
        for i in 0..m {
            for j in 0..n {
                if set[j] != 0 {
                    rhs_full[i] -= p.a[(i, j)] * x[j];
                }
            }
        }
        let mm: Vec<Vec<f64>> = free
            .iter()
            .map(|&j| free.iter().map(|&k| (0..m).map(|i| p.a[(i, j)] * p.a[(i, k)]).sum()).collect())
            .collect();
        let rr: Vec<f64> = free.iter().map(|&j| (0..m).map(|i| p.a[(i, j)] * rhs_full[i]).sum()).collect();
        let Some(z) = solve_small(mm, rr) else { continue };
        for (k, &j) in free.iter().enumerate() {
            x[j] = z[k];
        }
        if !(0..n).all(|i| b.lower[i] <= x[i] && x[i] <= b.upper[i]) {
            continue;
        }
        let mut r = vec![0.0; m];
        p.residuals(&x, &mut r);
        let g: Vec<f64> = (0..n).map(|j| (0..m).map(|i| p.a[(i, j)] * r[i]).sum()).collect();
        if (0..n).all(|i| match set[i] {
            -1 => g[i] >= -1e-12,
            1 => g[i] <= 1e-12,
            _ => true,
        }) {
            return (x, set);
        }
    }
    panic!("no KKT point found");
}

/// Bounded linear least squares with a known solution: the interior solver (dense QR, sparse
/// normal equations, LSMR; both rules) finds the point and the active set of the independent
/// enumeration, on three boxes that cut off the unconstrained minimizer differently.
#[test]

fn bounded_linear_least_squares_finds_the_active_set() {
    let a = Mat::<f64>::from_fn(8, 3, |i, j| ((i * 3 + j) as f64 * 0.7).sin() + if i == j { 1.5 } else { 0.0 });
    let b: Vec<f64> = (0..8).map(|i| (i as f64 * 1.3).cos() * 3.0 + 1.0).collect();
    let p = Linear { a, b };
    let boxes = [
        Bounds::new(vec![-1.0, -1.0, -1.0], vec![1.0, 1.0, 1.0]).unwrap(),
        Bounds::new(vec![0.0, f64::NEG_INFINITY, 0.5], vec![f64::INFINITY, 0.0, 4.0]).unwrap(),
        Bounds::new(vec![-0.2, -0.2, -0.2], vec![0.2, 0.2, 0.2]).unwrap(),
    ];
    let mut any_active = 0;
    for bx in &boxes {
        let (xstar, set) = active_set_solution(&p, bx);
        any_active += set.iter().filter(|s| **s != 0).count();
        let x0: Vec<f64> = (0..3)
            .map(|i| match (bx.lower[i].is_finite(), bx.upper[i].is_finite()) {
                (true, true) => 0.5 * (bx.lower[i] + bx.upper[i]) + 0.1 * (bx.upper[i] - bx.lower[i]),
                (true, false) => bx.lower[i] + 1.0,
                (false, true) => bx.upper[i] - 1.0,
                _ => 0.0,
            })
            .collect();
        for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
            for path in 0..3 {
                let mut o = InteriorOptions::default();
                o.step_rule = rule;
                o.limits.max_iterations = 500;
                if path == 2 {
                    o.linear_solver = LinearSolver::Lsmr;
                }
                let mut solver = Interior::new(o);
                let r = if path == 1 {
                    solver.solve(SparseStore::user(&p).unwrap(), bx, &x0).unwrap()
                } else {
                    solver.solve_dense(&p, bx, &x0).unwrap()
                };
                let label = format!("{bx:?} {} path {path}: {}", rule.name(), r.termination);
                assert!(matches!(r.termination, SystemTermination::Stationary { .. }), "{label}");
                for i in 0..3 {
                    assert!(
                        (r.x[i] - xstar[i]).abs() <= 1e-6 * (1.0 + xstar[i].abs()),
                        "{label}: {:?} vs {xstar:?}",
                        r.x
                    );
                    let at_lower = r.x[i] - bx.lower[i] <= 1e-6;
                    let at_upper = bx.upper[i] - r.x[i] <= 1e-6;
                    assert_eq!((at_lower, at_upper), (set[i] == -1, set[i] == 1), "{label}: component {i}");
                }
            }
        }
    }
    assert!(any_active >= 3, "the boxes must cut off the unconstrained minimizer");
}

/// A problem with component `idx` fixed at `value` (the reduced problem of an active bound).
struct Fixed<'a> {
    p: &'a dyn DenseJacobian,
    idx: usize,
    value: f64,
}

impl Fixed<'_> {
    fn full(&self, x: &[f64]) -> Vec<f64> {
        let mut y = x.to_vec();
        y.insert(self.idx, self.value);
        y
    }
}

impl Residuals for Fixed<'_> {
    fn dim(&self) -> usize {
        self.p.dim() - 1
    }
    fn residual_count(&self) -> usize {
        self.p.residual_count()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.p.residuals(&self.full(x), r);
    }
}

impl DenseJacobian for Fixed<'_> {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        let (m, n) = (self.p.residual_count(), self.p.dim());
        let mut full = Mat::<f64>::zeros(m, n);
        self.p.jacobian(&self.full(x), full.as_mut());
        for (c, col) in (0..n).filter(|&c| c != self.idx).enumerate() {
            for i in 0..m {
                j[(i, c)] = full[(i, col)];
            }
        }
    }
}

/// MGH 8 (Bard, m = 15, n = 3), minimizer about (0.0824, 1.133, 2.344): the bound
/// `x3 <= 2` cuts it off. The constrained solution has `x3` at its bound (checked: the gradient
/// component there is negative, so the merit would decrease past the bound) and the free
/// components equal the unconstrained solution of the problem with `x3 = 2` fixed, solved
/// independently as a 2-variable problem.
#[test]

fn bard_with_a_bound_cutting_off_the_minimizer() {
    let bard = trust_region_problems::mgh::by_name("bard", None).expect("bard");
    let p = bard.dense_jacobian().expect("dense Jacobian");
    let bx = Bounds::new(vec![f64::NEG_INFINITY; 3], vec![f64::INFINITY, f64::INFINITY, 2.0]).unwrap();
    let x0 = bard.x0();
    // Unbounded: the known minimizer (sum r^2 = 8.21487e-3, MGH).
    let free = Interior::default().solve_dense(p, &Bounds::unbounded(3), &x0).unwrap();
    assert!(free.converged(), "{}", free.termination);
    assert!((2.0 * free.f - 8.21487e-3).abs() < 1e-7, "{}", 2.0 * free.f);
    assert!(free.x[2] > 2.3);
    for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
        let mut o = InteriorOptions::default();
        o.step_rule = rule;
        let r = Interior::new(o).solve_dense(p, &bx, &x0).unwrap();
        assert!(matches!(r.termination, SystemTermination::Stationary { .. }), "{}", r.termination);
        assert!(2.0 - r.x[2] <= 1e-7 && r.x[2] < 2.0, "{:?}", r.x);
        assert!(r.gradient[2] < 0.0, "{:?}", r.gradient);
        let fixed = Fixed { p, idx: 2, value: 2.0 };
        let reduced = Interior::default().solve_dense(&fixed, &Bounds::unbounded(2), &x0[..2]).unwrap();
        assert!(reduced.converged(), "{}", reduced.termination);
        for i in 0..2 {
            assert!((r.x[i] - reduced.x[i]).abs() <= 1e-5 * (1.0 + reduced.x[i].abs()), "{:?} vs {:?}", r.x, reduced.x);
        }
    }
}

/// `m = 2 < n = 3`: `x0^2 + x1^2 + x2^2 = 1`, `x0 + x1 = x2` in `[0, 1]^3` (a curve of roots):
/// a zero residual with the dense QR, the sparse normal equations, LSMR and dense finite
/// differences, from three starts.
struct Under;

impl Residuals for Under {
    fn dim(&self) -> usize {
        3
    }
    fn residual_count(&self) -> usize {
        2
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        r[0] = x[0] * x[0] + x[1] * x[1] + x[2] * x[2] - 1.0;
        r[1] = x[0] + x[1] - x[2];
    }
}

impl DenseJacobian for Under {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for c in 0..3 {
            j[(0, c)] = 2.0 * x[c];
        }
        j[(1, 0)] = 1.0;
        j[(1, 1)] = 1.0;
        j[(1, 2)] = -1.0;
    }
}

impl SparseJacobian for Under {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let idx: Vec<_> = (0..3).flat_map(|j| (0..2).map(move |i| Pair::new(i, j))).collect();
        SymbolicSparseColMat::try_new_from_indices(2, 3, &idx).unwrap().0
    }
    fn jacobian_values(&self, x: &[f64], v: &mut [f64]) {
        v.copy_from_slice(&[2.0 * x[0], 1.0, 2.0 * x[1], 1.0, 2.0 * x[2], -1.0]);
    }
}

#[test]
fn underdetermined_system_reaches_a_zero_residual() {
    let b = Bounds::new(vec![0.0; 3], vec![1.0; 3]).unwrap();
    for x0 in [[0.25, 0.25, 0.25], [0.5, 0.1, 0.9], [0.9, 0.8, 0.1]] {
        for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
            let mut o = InteriorOptions::default();
            o.step_rule = rule;
            let mut lsmr = o.clone();
            lsmr.linear_solver = LinearSolver::Lsmr;
            let runs = [
                ("dense", Interior::new(o.clone()).solve_dense(&Under, &b, &x0).unwrap()),
                ("sparse", Interior::new(o.clone()).solve(SparseStore::user(&Under).unwrap(), &b, &x0).unwrap()),
                ("lsmr", Interior::new(lsmr).solve_dense(&Under, &b, &x0).unwrap()),
                (
                    "fd",
                    Interior::new(o.clone())
                        .solve(DenseStore::finite_differences(&Under, &b, DEFAULT_REL_STEP), &b, &x0)
                        .unwrap(),
                ),
            ];
            for (name, r) in runs {
                let label = format!("{name} {} {x0:?}", rule.name());
                assert!(matches!(r.termination, SystemTermination::Root { .. }), "{label}: {}", r.termination);
                assert!(r.residual_norm() <= 1e-8 && b.strictly_contains(&r.x), "{label}");
            }
        }
    }
}

/// LSMR and the dense QR give the same rectangular solution (ExpFit, unbounded and bounded).
#[test]

fn lsmr_and_qr_agree_on_a_rectangular_fit() {
    for bx in [Bounds::unbounded(3), Bounds::new(vec![0.0, 0.0, 0.0], vec![10.0, 0.5, 10.0]).unwrap()] {
        let x0 = [1.0, 0.3, 1.0];
        let qr = Interior::default().solve_dense(&ExpFit, &bx, &x0).unwrap();
        let mut o = InteriorOptions::default();
        o.linear_solver = LinearSolver::Lsmr;
        let lsmr = Interior::new(o).solve_dense(&ExpFit, &bx, &x0).unwrap();
        assert!(qr.converged() && lsmr.converged(), "{} / {}", qr.termination, lsmr.termination);
        for i in 0..3 {
            assert!((qr.x[i] - lsmr.x[i]).abs() <= 1e-6 * (1.0 + qr.x[i].abs()), "{:?} vs {:?}", qr.x, lsmr.x);
        }
    }
}

/// POWERSUMNE-like (CUTEst POWERSUM as equations), `n = 3`: `F_k = sum_i x_i^k - b_k`,
/// `k = 1..3`, with the root (1, 2, 3) (and its permutations) in `[0, 4]^3`. At a symmetric
/// start every row of `J` is constant (`J_ki = k x^{k-1}`): rank 1. Before, the square solver
/// dropped the Newton step at a singular `J` and the Cauchy step along `-D g` keeps the
/// symmetry (all components of `g` and `d` equal), so the run stayed on the diagonal and
/// stalled; the least-squares step of the column-pivoted QR breaks the symmetry. The same
/// holds for the sparse path (shifted normal equations). The constrained dogleg's line from
/// the Cauchy point to that step is flat up to rounding there (both minimize the model over
/// the rank-one range), and it takes the least-squares end (E8 of the step solver).
struct PowerSum {
    b: [f64; 3],
}

impl Residuals for PowerSum {
    fn dim(&self) -> usize {
        3
    }
    fn residual_count(&self) -> usize {
        3
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for k in 0..3 {
            r[k] = x.iter().map(|v| v.powi(k as i32 + 1)).sum::<f64>() - self.b[k];
        }
    }
}

impl DenseJacobian for PowerSum {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for k in 0..3 {
            for i in 0..3 {
                j[(k, i)] = (k as f64 + 1.0) * x[i].powi(k as i32);
            }
        }
    }
}

impl SparseJacobian for PowerSum {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let idx: Vec<_> = (0..3).flat_map(|j| (0..3).map(move |i| Pair::new(i, j))).collect();
        SymbolicSparseColMat::try_new_from_indices(3, 3, &idx).unwrap().0
    }
    fn jacobian_values(&self, x: &[f64], v: &mut [f64]) {
        for i in 0..3 {
            for k in 0..3 {
                v[i * 3 + k] = (k as f64 + 1.0) * x[i].powi(k as i32);
            }
        }
    }
}

#[test]
fn singular_symmetric_start_converges_with_the_least_squares_step() {
    let p = PowerSum { b: [6.0, 14.0, 36.0] };
    let b = Bounds::new(vec![0.0; 3], vec![4.0; 3]).unwrap();
    for x0 in [[2.0, 2.0, 2.0], [1.0, 1.0, 1.0], [3.0, 3.0, 3.0]] {
        for rule in [StepRule::Dogleg, StepRule::ConstrainedDogleg] {
            for sparse in [false, true] {
                let mut o = InteriorOptions::default();
                o.step_rule = rule;
                o.keep_history = true;
                let r = if sparse {
                    Interior::new(o).solve(SparseStore::user(&p).unwrap(), &b, &x0).unwrap()
                } else {
                    Interior::new(o).solve_dense(&p, &b, &x0).unwrap()
                };
                let label = format!("{} sparse={sparse} {x0:?}: {}", rule.name(), r.termination);
                assert!(matches!(r.termination, SystemTermination::Root { .. }), "{label}");
                // The first step came from least squares (J singular at the start).
                assert!(r.history[0].least_squares && r.history[0].newton_available, "{label}");
                let mut sorted = r.x.clone();
                sorted.sort_by(f64::total_cmp);
                for (v, want) in sorted.iter().zip([1.0, 2.0, 3.0]) {
                    assert!((v - want).abs() < 1e-6, "{label}: {:?}", r.x);
                }
            }
        }
    }
}

/// The initial-radius measurement of the module docs of `trust_region::solver::interior`
/// (run with `cargo test --release --test least_squares_box -- --ignored --nocapture`): the
/// MGH least-squares problems with `m > n` (dense Jacobian), unbounded from the standard start,
/// and with one bound cutting off the minimizer found unbounded (the component that moved most,
/// bounded at the midpoint between the start and the minimizer, on the minimizer's side), with
/// the fixed radius 1 and SciPy trf's start-norm radius: converged runs and evaluations of `F`.
#[test]
#[ignore]
fn measure_initial_radius_on_mgh_least_squares() {
    use trust_region::solver::interior::InitialRadius;
    let rules = [InitialRadius::Fixed, InitialRadius::StartNorm];
    let mut totals = [(0usize, 0usize, 0usize); 2];
    let mut both = [0usize; 2];
    println!("{:<22} {:>3} {:>3} {:>8} | fixed: ok  fev | start-norm: ok  fev", "problem", "m", "n", "box");
    for problem in trust_region_problems::mgh::suite() {
        let info = problem.info();
        let Some(m) = info.m else { continue };
        let Some(p) = problem.dense_jacobian() else { continue };
        if m <= info.n {
            continue;
        }
        let x0 = problem.x0();
        let n = info.n;
        let unbounded = Bounds::unbounded(n);
        let free = Interior::default().solve_dense(p, &unbounded, &x0).unwrap();
        let mut boxes = vec![("none", unbounded.clone())];
        if free.converged() {
            let i0 = (0..n)
                .max_by(|&i, &j| {
                    let d = |k: usize| (free.x[k] - x0[k]).abs() / (1.0 + x0[k].abs());
                    d(i).total_cmp(&d(j))
                })
                .unwrap();
            let mid = 0.5 * (x0[i0] + free.x[i0]);
            let (mut lo, mut hi) = (vec![f64::NEG_INFINITY; n], vec![f64::INFINITY; n]);
            if free.x[i0] > x0[i0] {
                hi[i0] = mid;
            } else {
                lo[i0] = mid;
            }
            if let Ok(bx) = Bounds::new(lo, hi) {
                boxes.push(("cut", bx));
            }
        }
        for (label, bx) in &boxes {
            let mut row = format!("{:<22} {:>3} {:>3} {:>8} |", info.name, m, n, label);
            let mut oks = [false; 2];
            let mut fevs = [0usize; 2];
            for (k, rule) in rules.iter().enumerate() {
                let mut o = InteriorOptions::default();
                o.initial_radius = *rule;
                o.limits.max_iterations = 2000;
                let r = Interior::new(o).solve_dense(p, bx, &x0).unwrap();
                oks[k] = r.converged();
                fevs[k] = r.evaluations.residuals;
                row += &format!(" {:>5} {:>5} |", if oks[k] { "yes" } else { r.termination.name() }, fevs[k]);
                totals[k].0 += 1;
                totals[k].1 += oks[k] as usize;
                totals[k].2 += fevs[k];
            }
            if oks[0] && oks[1] {
                both[0] += fevs[0];
                both[1] += fevs[1];
            }
            println!("{row}");
        }
    }
    for (k, name) in ["fixed", "start-norm"].iter().enumerate() {
        println!(
            "{name}: {} of {} converged, {} F evaluations in all, {} on the runs both converged",
            totals[k].1, totals[k].0, totals[k].2, both[k]
        );
    }
}
