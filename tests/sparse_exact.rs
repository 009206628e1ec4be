//! The sparse path of the More-Sorensen step (`MoreSorensen` on a model that offers only
//! `Model::sparse_hessian`), against the dense path and the exact solution:
//!
//! - with tight tolerances the sparse and the dense paths return the same step (1e-8 relative)
//!   on random banded models, positive definite and indefinite;
//! - with the default tolerances the predicted reduction is at least `0.98` of the optimum
//!   (computed from an eigendecomposition and the secular equation in the eigenbasis), on
//!   banded positive definite, indefinite, hard-case (block diagonal, `g = 0` on the leftmost
//!   block) and zero-gradient models; the step is feasible and its reported predicted reduction
//!   is the model's;
//! - one symbolic analysis per solve, numeric factorizations per subproblem measured and bounded
//!   (the target: at most 3 on average), no allocation after the first `prepare`;
//! - the trust-region loop with `MoreSorensen` on `Newton::sparse` models (a chained
//!   Rosenbrock function and a 2-D Ginzburg-Landau-type energy, both nonconvex) converges with
//!   `Report::symbolic_analyses == 1`, allocating nothing between observer calls.

use faer::sparse::{SparseColMat, SparseColMatRef, SymbolicSparseColMat, Triplet};
use faer::{Mat, Side};
use trust_region::linalg::sparse::symmetric_lower_matvec;
use trust_region::linalg::sparse_cholesky::SparseCholesky;
use trust_region::linalg::{dot, norm};
use trust_region::model::{DenseModel, Model, Oracle};
use trust_region::subproblem::{MoreSorensen, Needs, StepInfo, StepSolver, StepStatus};
use trust_region::{HessianProduct, IterationInfo, Objective, SparseHessian, TrustRegion};
use trust_region_problems::subproblems::{solve_in_eigenbasis, SplitMix64};

// ---------------------------------------------------------------------------------------------
// Allocation counting (per thread).

mod counting_alloc;
use counting_alloc::allocations;

// The Ginzburg-Landau energy, shared with `benches/sparse_exact.rs`.
#[path = "../benches/common/ginzburg_landau.rs"]
mod ginzburg_landau;
use ginzburg_landau::GinzburgLandau;

// ---------------------------------------------------------------------------------------------
// A model that offers its Hessian only as a sparse lower triangle.

struct SparseModel {
    g: Vec<f64>,
    h: SparseColMat<usize, f64>,
}

impl Model for SparseModel {
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
        symmetric_lower_matvec(self.h.as_ref(), v, out);
    }
    fn sparse_hessian(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
        Some(self.h.as_ref())
    }
}

impl SparseModel {
    /// The same model with a dense `B` (both triangles).
    fn dense(&self) -> DenseModel {
        let n = self.g.len();
        let mut b = Mat::zeros(n, n);
        let sym = self.h.symbolic();
        for j in 0..n {
            let r = sym.col_range(j);
            for (&i, &v) in sym.row_idx()[r.clone()].iter().zip(&self.h.val()[r]) {
                b[(i, j)] = v;
                b[(j, i)] = v;
            }
        }
        DenseModel::new(self.g.clone(), b)
    }

    /// `m(s) - f`, evaluated directly.
    fn change(&self, s: &[f64]) -> f64 {
        let mut bs = vec![0.0; s.len()];
        symmetric_lower_matvec(self.h.as_ref(), s, &mut bs);
        dot(&self.g, s) + 0.5 * dot(s, &bs)
    }

    /// The optimal model change over `||s|| <= radius`, from an eigendecomposition.
    fn optimum(&self, radius: f64) -> f64 {
        let d = self.dense();
        let evd = d.hess.self_adjoint_eigen(Side::Lower).expect("eigendecomposition");
        let n = self.g.len();
        let eigs: Vec<f64> = (0..n).map(|i| evd.S().column_vector()[i]).collect();
        let u = evd.U();
        let gamma: Vec<f64> = (0..n).map(|i| (0..n).map(|k| u[(k, i)] * self.g[k]).sum()).collect();
        solve_in_eigenbasis(&eigs, &gamma, radius).change
    }

    fn lambda_min(&self) -> f64 {
        self.dense().hess.self_adjoint_eigenvalues(Side::Lower).expect("eigenvalues")[0]
    }
}

/// Lower triangle of a symmetric banded matrix with half-bandwidth `bw` and standard normal
/// entries, plus `shift` on the diagonal.
fn banded(n: usize, bw: usize, shift: f64, rng: &mut SplitMix64) -> Vec<Triplet<usize, usize, f64>> {
    let mut t = Vec::new();
    for j in 0..n {
        t.push(Triplet::new(j, j, rng.normal() + shift));
        for i in j + 1..(j + bw + 1).min(n) {
            t.push(Triplet::new(i, j, rng.normal()));
        }
    }
    t
}

fn from_triplets(n: usize, t: &[Triplet<usize, usize, f64>]) -> SparseColMat<usize, f64> {
    SparseColMat::try_new_from_triplets(n, n, t).expect("valid triplets")
}

/// Kinds of random sparse subproblems.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    PositiveDefinite,
    Indefinite,
    HardCase,
    ZeroGradient,
}

const KINDS: [Kind; 4] = [Kind::PositiveDefinite, Kind::Indefinite, Kind::HardCase, Kind::ZeroGradient];

/// A random banded subproblem of the given kind, with its radius.
fn generate(kind: Kind, seed: u64) -> (SparseModel, f64) {
    let mut rng = SplitMix64::new(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (kind as u64));
    let n = 5 + rng.below(56);
    let bw = 1 + rng.below(3);
    let base = from_triplets(n, &banded(n, bw, 0.0, &mut rng));
    let mut m = SparseModel { g: (0..n).map(|_| rng.normal()).collect(), h: base };
    let eigs = m.dense().hess.self_adjoint_eigenvalues(Side::Lower).expect("eigenvalues");
    let (lo, hi) = (eigs[0], eigs[n - 1]);
    let shift = match kind {
        Kind::PositiveDefinite => -lo + rng.log_uniform(1e-2, 1.0),
        Kind::Indefinite | Kind::ZeroGradient => -(lo + rng.uniform_in(0.05, 0.6) * (hi - lo)),
        Kind::HardCase => 0.0,
    };
    let shift_diagonal = |h: &mut SparseColMat<usize, f64>, shift: f64| {
        let n = h.ncols();
        let pos: Vec<usize> = (0..n)
            .map(|j| {
                let r = h.symbolic().col_range(j);
                r.start + h.symbolic().row_idx()[r].iter().position(|&i| i == j).unwrap()
            })
            .collect();
        for k in pos {
            h.val_mut()[k] += shift;
        }
    };
    shift_diagonal(&mut m.h, shift);
    let gnorm = norm(&m.g);
    let radius = match kind {
        Kind::PositiveDefinite | Kind::Indefinite | Kind::ZeroGradient => {
            let scale = (hi - lo).max(1e-3);
            gnorm.max(1.0) / scale * 10f64.powf(rng.uniform_in(-1.5, 1.0))
        }
        Kind::HardCase => 0.0,
    };
    if kind == Kind::ZeroGradient {
        m.g.iter_mut().for_each(|v| *v = 0.0);
        return (m, radius.max(0.1));
    }
    if kind != Kind::HardCase {
        return (m, radius);
    }
    // Hard case: B = diag(B1, B2) with B1 = the banded matrix above shifted to a random
    // spectrum, B2 tridiagonal with lambda_1(B2) = e1 < min(lambda_1(B1), 0) and g = (g1, 0).
    let n2 = 2 + rng.below(20);
    let b2 = from_triplets(n2, &banded(n2, 1, 0.0, &mut rng));
    let b2m = SparseModel { g: vec![0.0; n2], h: b2 };
    let l2 = b2m.lambda_min();
    let b1_shift = -lo + rng.uniform_in(-3.0, 3.0);
    let l1 = lo + b1_shift;
    let e1 = l1.min(0.0) - rng.log_uniform(1e-2, 3.0);
    let mut t = Vec::new();
    let sym = m.h.symbolic();
    for j in 0..n {
        let r = sym.col_range(j);
        for (&i, &v) in sym.row_idx()[r.clone()].iter().zip(&m.h.val()[r]) {
            t.push(Triplet::new(i, j, v + if i == j { b1_shift - shift } else { 0.0 }));
        }
    }
    let sym2 = b2m.h.symbolic();
    for j in 0..n2 {
        let r = sym2.col_range(j);
        for (&i, &v) in sym2.row_idx()[r.clone()].iter().zip(&b2m.h.val()[r]) {
            t.push(Triplet::new(n + i, n + j, v + if i == j { e1 - l2 } else { 0.0 }));
        }
    }
    let mut g = m.g.clone();
    g.resize(n + n2, 0.0);
    let hm = SparseModel { g, h: from_triplets(n + n2, &t) };
    // ||(B1 - e1 I)^{-1} g1|| by a sparse solve.
    let b1 = SparseModel { g: m.g.clone(), h: from_triplets(n, &t[..sym.row_idx().len()]) };
    let mut chol = SparseCholesky::new(b1.h.symbolic()).unwrap();
    chol.factorize(b1.h.as_ref(), -e1).expect("B1 - e1 I is positive definite");
    let mut s = b1.g.clone();
    chol.solve_in_place(&mut s);
    let radius = norm(&s) * rng.uniform_in(1.1, 4.0);
    (hm, radius)
}

fn solve(solver: &mut MoreSorensen, m: &mut dyn Model, radius: f64) -> (Vec<f64>, StepInfo) {
    let mut s = vec![0.0; m.dim()];
    let info = solver.solve(m, radius, &mut s);
    (s, info)
}

fn tight() -> MoreSorensen {
    let mut ms = MoreSorensen::new();
    ms.kappa_easy = 1e-12;
    ms.kappa_hard = 1e-12;
    ms.max_iterations = 200;
    ms
}

// ---------------------------------------------------------------------------------------------
// Tests.

#[test]
fn sparse_and_dense_paths_give_the_same_step() {
    let mut worst = 0.0f64;
    for seed in 0..120 {
        for kind in [Kind::PositiveDefinite, Kind::Indefinite] {
            let (mut sm, radius) = generate(kind, seed);
            let mut dm = sm.dense();
            let (mut a, mut b) = (tight(), tight());
            a.initialize(sm.dim());
            b.initialize(sm.dim());
            a.prepare(&mut sm);
            b.prepare(&mut dm);
            for r in [radius, radius / 4.0] {
                let (ss, si) = solve(&mut a, &mut sm, r);
                let (sd, di) = solve(&mut b, &mut dm, r);
                assert_ne!(si.status, StepStatus::IterationCap, "{kind:?} seed {seed}: {si:?}");
                assert_ne!(di.status, StepStatus::IterationCap, "{kind:?} seed {seed}: {di:?}");
                let diff: Vec<f64> = ss.iter().zip(&sd).map(|(x, y)| x - y).collect();
                let rel = norm(&diff) / norm(&sd).max(1e-300);
                worst = worst.max(rel);
                assert!(rel <= 1e-8, "{kind:?} seed {seed} radius {r}: relative difference {rel:e}");
                let pr = (si.predicted_reduction - di.predicted_reduction).abs();
                assert!(pr <= 1e-8 * di.predicted_reduction.abs().max(1e-300), "{kind:?} seed {seed}: {si:?} {di:?}");
            }
        }
    }
    println!("sparse vs dense, tight tolerances: worst relative step difference {worst:.2e}");
}

#[test]
fn sparse_hard_case_matches_the_optimum_with_tight_tolerances() {
    for seed in 0..60 {
        let (mut sm, radius) = generate(Kind::HardCase, seed);
        let mut a = tight();
        a.initialize(sm.dim());
        a.prepare(&mut sm);
        let (s, info) = solve(&mut a, &mut sm, radius);
        let opt = sm.optimum(radius);
        let change = sm.change(&s);
        assert!(norm(&s) <= radius * (1.0 + 1e-12));
        assert!((change - opt).abs() <= 1e-8 * opt.abs(), "seed {seed}: change {change:e} optimum {opt:e} ({info:?})");
    }
}

/// Default tolerances on every kind, three radii per point (as after two rejected trials):
/// the guarantee of 0.98 of the optimal reduction, feasibility, truthful predicted reductions,
/// one symbolic analysis, and the average number of numeric factorizations.
#[test]
fn sparse_default_tolerances_meet_the_guarantee_and_count_factorizations() {
    let mut total_fact = 0usize;
    let mut total_solves = 0usize;
    let mut first_fact = 0usize;
    let mut points = 0usize;
    let mut lanczos = 0usize;
    let mut dense_fact = 0usize;
    let mut per_kind = Vec::new();
    for kind in KINDS {
        let (mut kf, mut ks) = (0usize, 0usize);
        for seed in 0..100 {
            let (mut sm, radius) = generate(kind, seed);
            let mut ms = MoreSorensen::new();
            ms.initialize(sm.dim());
            ms.prepare(&mut sm);
            // The dense path on the same model, for comparison of the counts.
            let mut dm = sm.dense();
            let mut md = MoreSorensen::new();
            md.initialize(sm.dim());
            md.prepare(&mut dm);
            for r in [radius, radius / 4.0, radius / 16.0] {
                dense_fact += solve(&mut md, &mut dm, r).1.factorizations;
            }
            points += 1;
            for (k, r) in [radius, radius / 4.0, radius / 16.0].into_iter().enumerate() {
                let (s, info) = solve(&mut ms, &mut sm, r);
                let opt = sm.optimum(r);
                let change = sm.change(&s);
                let snorm = norm(&s);
                assert!(snorm <= r * (1.0 + 1e-12), "{kind:?} seed {seed}: ||s|| = {snorm} > {r}");
                assert!((info.step_norm - snorm).abs() <= 1e-12 * snorm.max(1e-300));
                assert!(
                    (info.predicted_reduction + change).abs() <= 1e-9 * change.abs().max(1e-300) + 1e-14,
                    "{kind:?} seed {seed}: predicted {} vs model {}",
                    info.predicted_reduction,
                    -change
                );
                assert!(
                    -change >= 0.98 * -opt - 1e-12 * opt.abs(),
                    "{kind:?} seed {seed} radius {r}: reduction {} < 0.98 x optimum {} ({info:?})",
                    -change,
                    -opt
                );
                assert_ne!(info.status, StepStatus::IterationCap);
                if info.hits_boundary {
                    assert!(snorm >= 0.99 * r * (1.0 - 1e-12));
                } else {
                    assert!(snorm < r);
                }
                total_fact += info.factorizations;
                total_solves += 1;
                kf += info.factorizations;
                ks += 1;
                if k == 0 {
                    first_fact += info.factorizations;
                }
            }
            assert_eq!(ms.symbolic_analyses(), 1);
            lanczos += ms.lanczos_products();
        }
        per_kind.push((kind, kf as f64 / ks as f64));
    }
    let avg = total_fact as f64 / total_solves as f64;
    let avg_first = first_fact as f64 / points as f64;
    println!(
        "numeric factorizations per subproblem: {avg:.2} over {total_solves} trials ({avg_first:.2} on the first trial \
         at a point); Lanczos products per point {:.1}; by kind {per_kind:?}; dense path on the same trials {:.2}",
        lanczos as f64 / points as f64,
        dense_fact as f64 / total_solves as f64
    );
    // The target (sparse CUTEst problems, where trials are sequences of radii at a
    // point): at most 3 numeric factorizations per subproblem on average.
    assert!(avg <= 3.0, "average numeric factorizations per subproblem {avg:.2} > 3");
}

#[test]
fn one_symbolic_analysis_and_no_allocation_after_the_first_prepare() {
    let (mut sm, radius) = generate(Kind::Indefinite, 7);
    let n = sm.dim();
    let mut ms = MoreSorensen::new();
    ms.initialize(n);
    ms.prepare(&mut sm);
    let mut s = vec![0.0; n];
    let mut rng = SplitMix64::new(3);
    let before = allocations();
    for trial in 0..20 {
        // A new point with the same pattern: new values and gradient.
        if trial % 4 == 0 {
            for v in sm.h.val_mut() {
                *v += 0.1 * rng.normal();
            }
            for v in sm.g.iter_mut() {
                *v = rng.normal();
            }
            ms.prepare(&mut sm);
        }
        let info = ms.solve(&mut sm, radius / (1 + trial % 4) as f64, &mut s);
        assert!(info.factorizations >= 1 || trial % 4 != 0);
    }
    // Hard case and zero gradient exercise the Lanczos and inverse-iteration paths.
    let after = allocations();
    assert_eq!(after - before, 0, "allocations during prepare/solve");
    assert_eq!(ms.symbolic_analyses(), 1);
    assert!(ms.sparse_factorizations() >= 5);

    let (mut hm, radius) = generate(Kind::HardCase, 11);
    let mut ms = MoreSorensen::new();
    ms.initialize(hm.dim());
    ms.prepare(&mut hm);
    let mut s = vec![0.0; hm.dim()];
    let before = allocations();
    for k in 0..3 {
        ms.prepare(&mut hm);
        let info = ms.solve(&mut hm, radius / (1 << k) as f64, &mut s);
        assert!(info.factorizations <= 20);
    }
    assert_eq!(allocations() - before, 0, "allocations in the hard case");
    assert_eq!(ms.symbolic_analyses(), 1);
}

#[test]
fn needs_a_matrix_dense_or_sparse() {
    assert_eq!(MoreSorensen::new().needs(), Needs::Matrix);
    let p = Chained { n: 10 };
    let x0 = vec![0.5; 10];
    assert!(trust_region::Newton::products(&p).start(&x0, Needs::Matrix).is_err());
    assert!(trust_region::Newton::sparse(&p).start(&x0, Needs::Matrix).is_ok());
    assert!(trust_region::Newton::sparse(&p).start(&x0, Needs::DenseMatrix).is_err());
    let mut ns = trust_region::Newton::sparse(&p);
    ns.start(&x0, Needs::Matrix).unwrap();
    assert!(ns.sparse_hessian().is_some() && ns.dense_hessian().is_none());
    let dm = DenseModel::new(vec![1.0], Mat::from_fn(1, 1, |_, _| 1.0));
    assert!(dm.sparse_hessian().is_none());
}

// ---------------------------------------------------------------------------------------------
// Sparse test problems for the whole loop.

/// Chained Rosenbrock, `f = sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2`: nonconvex away from
/// the solution `x = 1`, tridiagonal Hessian.
struct Chained {
    n: usize,
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

impl SparseHessian for Chained {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let n = self.n;
        let mut col_ptr = vec![0usize];
        let mut rows = Vec::new();
        for j in 0..n {
            rows.push(j);
            if j + 1 < n {
                rows.push(j + 1);
            }
            col_ptr.push(rows.len());
        }
        SymbolicSparseColMat::new_checked(n, n, col_ptr, None, rows)
    }
    fn hessian_values(&self, x: &[f64], values: &mut [f64]) {
        // Column j: (j, j), then (j + 1, j).
        let n = self.n;
        let mut k = 0;
        for j in 0..n {
            let mut d = 0.0;
            if j + 1 < n {
                d += 1200.0 * x[j] * x[j] - 400.0 * x[j + 1] + 2.0;
            }
            if j > 0 {
                d += 200.0;
            }
            values[k] = d;
            k += 1;
            if j + 1 < n {
                values[k] = -400.0 * x[j];
                k += 1;
            }
        }
    }
}

/// Runs the loop with an observer counting allocations between its first and last call.
fn run_sparse<P: SparseHessian>(p: &P, x0: &[f64], max_iterations: usize) -> (trust_region::Report, usize, usize) {
    let mut tr = TrustRegion::new(MoreSorensen::new());
    tr.options.limits.max_iterations = max_iterations;
    let mut first: Option<usize> = None;
    let mut last = 0usize;
    let mut calls = 0usize;
    let mut observer = |_: &IterationInfo, _: &[f64]| {
        let a = allocations();
        if first.is_none() {
            first = Some(a);
        }
        last = a;
        calls += 1;
        std::ops::ControlFlow::Continue(())
    };
    let report = tr.with_observer(&mut observer).solve(&mut trust_region::Newton::sparse(p), x0).expect("setup");
    (report, last - first.unwrap_or(last), calls)
}

#[test]
fn trust_region_loop_on_chained_rosenbrock_with_the_sparse_exact_step() {
    let n = 200;
    let p = Chained { n };
    let x0: Vec<f64> = (0..n).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
    let (report, allocs, calls) = run_sparse(&p, &x0, 500);
    println!("{report}");
    assert!(report.converged(), "{report}");
    // From this start the run ends at the local minimizer near x_1 = -1 (f ~ 3.99) or at x = 1.
    assert!(report.f < p.value(&x0), "{report}");
    assert_eq!(report.symbolic_analyses, 1);
    assert!(report.factorizations >= report.iterations);
    assert_eq!(allocs, 0, "allocations between the first and the last of {calls} observer calls");
    println!(
        "chained Rosenbrock n = {n}: {} iterations, {} numeric factorizations ({:.2} per iteration)",
        report.iterations,
        report.factorizations,
        report.factorizations as f64 / report.iterations as f64
    );
}

fn ginzburg_landau_run(m: usize) -> trust_region::Report {
    let p = GinzburgLandau { m, c: 400.0 };
    let n = m * m;
    let mut rng = SplitMix64::new(5);
    let x0: Vec<f64> = (0..n).map(|_| 0.1 * rng.normal()).collect();
    let (report, allocs, _) = run_sparse(&p, &x0, 1000);
    println!("{report}");
    println!(
        "Ginzburg-Landau m = {m} (n = {n}): {} iterations, {} numeric factorizations ({:.2} per iteration), \
         {} symbolic",
        report.iterations,
        report.factorizations,
        report.factorizations as f64 / report.iterations as f64,
        report.symbolic_analyses
    );
    assert!(report.converged(), "{report}");
    assert_eq!(report.symbolic_analyses, 1);
    assert_eq!(allocs, 0);
    report
}

#[test]
fn trust_region_loop_on_a_2d_nonconvex_energy() {
    let report = ginzburg_landau_run(30);
    // Started near the saddle u = 0, the run must leave it (negative curvature) and lower f.
    assert!(report.f < GinzburgLandau { m: 30, c: 400.0 }.value(&vec![0.0; 900]));
}
