//! The torture suite: random problems over the entry points, with scales of `f`, `x` and `F`
//! drawn over 1e-300..1e300, NaN or inf injected at a random evaluation, random boxes
//! (degenerate ones included) and random sparse patterns (unsorted, repeated, missing the
//! diagonal, an empty column, the wrong shape). Every case checks the invariants the README's "What the library
//! promises" table lists:
//!
//! 1. no panic from library code (a panic fails the case);
//! 2. the run ends within its declared limits (iterations, evaluations);
//! 3. a convergence claim holds when re-checked from the returned point with the user's
//!    functions (the gradient, or `||F||` for a root);
//! 4. the returned point is finite, and no worse than the start (`f(x) <= f(x0)`, `f`
//!    recomputed), with the report's `f` equal to `f(x)`;
//! 5. interior iterates lie strictly inside the box, bounded ones inside it (checked from an
//!    observer);
//! 6. the report's counters equal the calls the problem saw.
//!
//! Groups: unconstrained (eight step solver and model pairings), least squares and interior
//! systems (with malformed patterns), bounded minimization (both methods), the Hessian-free
//! loop, and nalgebra callbacks of the wrong length.
//!
//! CI runs a fixed seed (`PROPTEST_RNG_SEED` in `.ci/run`) and `TORTURE_CASES` cases per entry
//! point (default 48); `TORTURE_CASES=100000 cargo test --release --test torture` is the long
//! run.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use faer::sparse::SymbolicSparseColMat;
use faer::MatMut;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use trust_region::model::{GaussNewton, Newton};
use trust_region::problem::fd::DEFAULT_REL_STEP;
use trust_region::solver::interior::{Interior, InteriorOptions, SystemTermination};
use trust_region::subproblem::{
    Cauchy, DiagonalPreconditioner, Dogleg, Gltr, IncompleteCholeskyPreconditioner, MoreSorensen, Steihaug,
};
use trust_region::{
    Bounds, DenseHessian, DenseJacobian, HessianProduct, Objective, Outcome, Report, Residuals, SetupError,
    SparseHessian, SparseJacobian, Termination, TerminationClass, TrustRegion,
};
use trust_region::{DenseStore, SparseStore};

fn cases() -> u32 {
    std::env::var("TORTURE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48)
}

fn runner() -> TestRunner {
    TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() })
}

/// Counts the cases run (printed at the end of each test, to show the count is real).
static CASES_RUN: AtomicUsize = AtomicUsize::new(0);

/// Outcomes so far: converged, stopped by a limit, failed (typed), setup error.
static OUTCOMES: [AtomicUsize; 4] = [const { AtomicUsize::new(0) }; 4];

fn tally(outcome: usize) {
    OUTCOMES[outcome].fetch_add(1, Ordering::Relaxed);
}

fn tally_class(class: TerminationClass) {
    tally(match class {
        TerminationClass::Converged => 0,
        TerminationClass::Stopped => 1,
        _ => 2,
    });
}

fn print_counts() {
    let o: Vec<usize> = OUTCOMES.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    eprintln!(
        "torture: {} cases so far: {} converged, {} stopped by a limit, {} failed (typed), {} setup errors",
        CASES_RUN.load(Ordering::Relaxed),
        o[0],
        o[1],
        o[2],
        o[3]
    );
}

/// Which output of which call gets a non-finite value.
#[derive(Clone, Copy, Debug)]
struct Fault {
    /// 0 value, 1 gradient, 2 product, 3 Hessian entry, 4 residual, 5 Jacobian entry.
    what: u8,
    /// The call (of that kind) that gets it, from 0.
    call: usize,
    value: f64,
}

fn faults() -> impl Strategy<Value = Option<Fault>> {
    prop::option::weighted(
        0.6,
        (0u8..6, 0usize..12, prop::sample::select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY]))
            .prop_map(|(what, call, value)| Fault { what, call, value }),
    )
}

fn scale() -> impl Strategy<Value = f64> {
    (-300i32..=300).prop_map(|e| 10f64.powi(e))
}

/// `f(x) = sf sum_i w_i phi((x_i - c_i) / sx) + sf k sum_i ((x_{i+1} - x_i) / sx)^2 / 2` with
/// `phi(t) = t^2 / 2 + t^4 / 12`: smooth and convex, minimum at `c` when `k = 0`. Counts its
/// calls and injects the fault.
struct Smooth {
    n: usize,
    sf: f64,
    sx: f64,
    k: f64,
    w: Vec<f64>,
    c: Vec<f64>,
    fault: Option<Fault>,
    calls: [AtomicUsize; 6],
}

impl Smooth {
    fn new(n: usize, sf: f64, sx: f64, k: f64, fault: Option<Fault>) -> Self {
        let w = (0..n).map(|i| 1.0 + (i % 3) as f64).collect();
        let c = (0..n).map(|i| sx * (1.0 + 0.25 * i as f64)).collect();
        Self { n, sf, sx, k, w, c, fault, calls: Default::default() }
    }
    /// A copy without the fault, for re-checks.
    fn clean(&self) -> Self {
        Self::new(self.n, self.sf, self.sx, self.k, None)
    }
    /// Counts a call of kind `what` and returns the injected value if this is the one.
    fn tick(&self, what: u8) -> Option<f64> {
        let c = self.calls[what as usize].fetch_add(1, Ordering::Relaxed);
        self.fault.filter(|f| f.what == what && f.call == c).map(|f| f.value)
    }
    fn count(&self, what: u8) -> usize {
        self.calls[what as usize].load(Ordering::Relaxed)
    }
    fn t(&self, x: &[f64], i: usize) -> f64 {
        (x[i] - self.c[i]) / self.sx
    }
}

impl Objective for Smooth {
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&self, x: &[f64]) -> f64 {
        let mut f = 0.0;
        for i in 0..self.n {
            let t = self.t(x, i);
            f += self.w[i] * (0.5 * t * t + t.powi(4) / 12.0);
        }
        for i in 0..self.n - 1 {
            let d = (x[i + 1] - x[i]) / self.sx;
            f += 0.5 * self.k * d * d;
        }
        self.tick(0).unwrap_or(self.sf * f)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        for i in 0..self.n {
            let t = self.t(x, i);
            g[i] = self.sf * self.w[i] * (t + t.powi(3) / 3.0) / self.sx;
        }
        for i in 0..self.n - 1 {
            let d = self.sf * self.k * (x[i + 1] - x[i]) / (self.sx * self.sx);
            g[i] -= d;
            g[i + 1] += d;
        }
        if let Some(v) = self.tick(1) {
            g[self.n / 2] = v;
        }
    }
}

impl Smooth {
    /// Diagonal `sf w_i (1 + t_i^2) / sx^2` plus the chain's `sf k / sx^2 (2, -1)` pattern.
    fn diag(&self, x: &[f64], i: usize) -> f64 {
        let t = self.t(x, i);
        let chain = (i > 0) as u8 as f64 + (i + 1 < self.n) as u8 as f64;
        self.sf * (self.w[i] * (1.0 + t * t) + self.k * chain) / (self.sx * self.sx)
    }
    fn off(&self) -> f64 {
        -self.sf * self.k / (self.sx * self.sx)
    }
}

impl HessianProduct for Smooth {
    fn hessian_product(&self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        for i in 0..self.n {
            hv[i] = self.diag(x, i) * v[i];
            if i > 0 {
                hv[i] += self.off() * v[i - 1];
            }
            if i + 1 < self.n {
                hv[i] += self.off() * v[i + 1];
            }
        }
        if let Some(val) = self.tick(2) {
            hv[0] = val;
        }
    }
}

impl DenseHessian for Smooth {
    fn hessian(&self, x: &[f64], mut h: MatMut<'_, f64>) {
        h.fill(0.0);
        for i in 0..self.n {
            h[(i, i)] = self.diag(x, i);
            if i + 1 < self.n {
                h[(i + 1, i)] = self.off();
                h[(i, i + 1)] = self.off();
            }
        }
        if let Some(v) = self.tick(3) {
            h[(0, 0)] = v;
        }
    }
}

impl SparseHessian for Smooth {
    fn hessian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let mut col = vec![0];
        let mut rows = Vec::new();
        for j in 0..self.n {
            rows.push(j);
            if j + 1 < self.n {
                rows.push(j + 1);
            }
            col.push(rows.len());
        }
        SymbolicSparseColMat::new_checked(self.n, self.n, col, None, rows)
    }
    fn hessian_values(&self, x: &[f64], v: &mut [f64]) {
        let mut k = 0;
        for j in 0..self.n {
            v[k] = self.diag(x, j);
            k += 1;
            if j + 1 < self.n {
                v[k] = self.off();
                k += 1;
            }
        }
        if let Some(val) = self.tick(3) {
            v[0] = val;
        }
    }
}

fn norm_inf(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |a, x| a.max(x.abs()))
}

/// Invariants 2-4 and 6 of an unconstrained run.
fn check_unconstrained(p: &Smooth, x0: &[f64], r: &Report, max_iterations: usize, products: bool) {
    assert!(r.iterations <= max_iterations, "{} iterations", r.iterations);
    assert!(r.x.iter().all(|v| v.is_finite()), "non-finite x {:?}", r.x);
    // Counters equal the calls the problem saw.
    assert_eq!(r.evaluations.f, p.count(0), "value calls");
    assert_eq!(r.evaluations.g, p.count(1), "gradient calls");
    if products {
        assert_eq!(r.evaluations.hv, p.count(2), "product calls");
    } else {
        assert_eq!(r.evaluations.h, p.count(3), "Hessian calls");
    }
    let clean = p.clean();
    let f0 = clean.value(x0);
    let f = clean.value(&r.x);
    if f.is_finite() && f0.is_finite() {
        // A converged run returns the point where its test passed, which round-off-level
        // accepted steps may have left above the best point (at most the guard's 10 eps (1 +
        // |f|) per accepted step).
        let slack = if r.converged() { 10.0 * f64::EPSILON * (1.0 + f0.abs()) * r.accepted_steps as f64 } else { 0.0 };
        assert!(f <= f0 + slack, "returned f = {f:e} above f(x0) = {f0:e} ({})", r.termination);
        if r.f.is_finite() {
            assert_eq!(r.f, f, "report f is not f(x)");
        }
    }
    let mut g = vec![0.0; p.n];
    clean.gradient(&r.x, &mut g);
    match r.termination {
        Termination::GradientTolerance { gtol, .. } => {
            assert!(norm_inf(&g) <= gtol, "claimed ||g|| <= {gtol:e}, recomputed {:e}", norm_inf(&g))
        }
        Termination::RelativeGradientTolerance { grad0_inf, grtol, .. } => {
            assert!(norm_inf(&g) <= grtol * grad0_inf, "relative claim fails: {:e}", norm_inf(&g))
        }
        _ => {}
    }
}

#[test]
fn torture_unconstrained() {
    let strategy =
        (1usize..6, scale(), scale(), prop::sample::select(vec![0.0, 1.0]), faults(), 0usize..8, -3.0f64..3.0);
    runner()
        .run(&strategy, |(n, sf, sx, k, fault, solver, shift)| {
            CASES_RUN.fetch_add(1, Ordering::Relaxed);
            let p = Smooth::new(n, sf, sx, k, fault);
            let x0: Vec<f64> = (0..n).map(|i| sx * (shift + 0.1 * i as f64)).collect();
            let max_iterations = 200;
            let setup = |tr: &mut trust_region::TrustRegionOptions| {
                tr.limits.max_iterations = max_iterations;
            };
            macro_rules! run {
                ($step:expr, $model:expr, $products:expr) => {{
                    let mut tr = TrustRegion::new($step);
                    setup(&mut tr.options);
                    match tr.solve($model, &x0) {
                        Ok(r) => {
                            tally_class(r.termination.class());
                            check_unconstrained(&p, &x0, &r, max_iterations, $products)
                        }
                        Err(e) => {
                            tally(3);
                            assert!(
                                matches!(e, SetupError::NonFiniteAtStart { .. } | SetupError::NonFiniteStart { .. }),
                                "unexpected setup error {e}"
                            )
                        }
                    }
                }};
            }
            match solver {
                0 => run!(Steihaug::new(), Newton::products(&p), true),
                1 => run!(Gltr::new(), Newton::products(&p), true),
                2 => run!(Cauchy::new(), Newton::products(&p), true),
                3 => run!(Steihaug::with_preconditioner(DiagonalPreconditioner::default()), Newton::sparse(&p), false),
                4 => run!(MoreSorensen::new(), Newton::dense(&p), false),
                5 => run!(Dogleg::new(), Newton::dense(&p), false),
                6 => run!(MoreSorensen::new(), Newton::sparse(&p), false),
                _ => run!(
                    Steihaug::with_preconditioner(IncompleteCholeskyPreconditioner::default()),
                    Newton::sparse(&p),
                    false
                ),
            }
            Ok(())
        })
        .unwrap();
    print_counts();
}

/// `F_i(x) = sF (t_i + t_i^3 / 10 + k t_{i+1})` with `t_i = (x_i - c_i) / sx` (square), a root
/// at `c`. The sparse pattern is the test's, possibly malformed.
struct System {
    n: usize,
    sf: f64,
    sx: f64,
    k: f64,
    c: Vec<f64>,
    pattern: Option<SymbolicSparseColMat<usize>>,
    fault: Option<Fault>,
    calls: [AtomicUsize; 6],
}

impl System {
    fn new(n: usize, sf: f64, sx: f64, k: f64, c: Vec<f64>, fault: Option<Fault>) -> Self {
        Self { n, sf, sx, k, c, pattern: None, fault, calls: Default::default() }
    }
    fn tick(&self, what: u8) -> Option<f64> {
        let c = self.calls[what as usize].fetch_add(1, Ordering::Relaxed);
        self.fault.filter(|f| f.what == what && f.call == c).map(|f| f.value)
    }
    fn t(&self, x: &[f64], i: usize) -> f64 {
        (x[i] - self.c[i]) / self.sx
    }
    fn entry(&self, x: &[f64], i: usize, j: usize) -> f64 {
        if j == i {
            let t = self.t(x, i);
            self.sf * (1.0 + 0.3 * t * t) / self.sx
        } else if j == i + 1 {
            self.sf * self.k / self.sx
        } else {
            0.0
        }
    }
    fn full_pattern(&self) -> SymbolicSparseColMat<usize> {
        let mut col = vec![0];
        let mut rows = Vec::new();
        for j in 0..self.n {
            if j > 0 {
                rows.push(j - 1);
            }
            rows.push(j);
            col.push(rows.len());
        }
        SymbolicSparseColMat::new_checked(self.n, self.n, col, None, rows)
    }
}

impl Residuals for System {
    fn dim(&self) -> usize {
        self.n
    }
    fn residual_count(&self) -> usize {
        self.n
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        for i in 0..self.n {
            let t = self.t(x, i);
            let next = if i + 1 < self.n { self.t(x, i + 1) } else { 0.0 };
            r[i] = self.sf * (t + t.powi(3) / 10.0 + self.k * next);
        }
        if let Some(v) = self.tick(4) {
            r[0] = v;
        }
    }
}

impl DenseJacobian for System {
    fn jacobian(&self, x: &[f64], mut j: MatMut<'_, f64>) {
        for c in 0..self.n {
            for r in 0..self.n {
                j[(r, c)] = self.entry(x, r, c);
            }
        }
        if let Some(v) = self.tick(5) {
            j[(0, 0)] = v;
        }
    }
}

impl SparseJacobian for System {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        self.pattern.clone().unwrap_or_else(|| self.full_pattern())
    }
    fn jacobian_values(&self, x: &[f64], v: &mut [f64]) {
        let pattern = self.jacobian_pattern();
        let mut k = 0;
        for c in 0..self.n {
            for &r in pattern.row_idx()[pattern.col_range(c)].iter() {
                v[k] = if r < self.n { self.entry(x, r, c) } else { 0.0 };
                k += 1;
            }
        }
        if let (Some(val), Some(first)) = (self.tick(5), v.first_mut()) {
            *first = val;
        }
    }
}

/// Random malformed or valid patterns for an `n x n` Jacobian: 0 valid, 1 unsorted column,
/// 2 repeated row, 3 missing diagonal, 4 empty last column, 5 wrong shape. (Out-of-range rows
/// cannot be built with faer's safe constructors, so they cannot reach the library.)
fn pattern(kind: u8, n: usize) -> Option<SymbolicSparseColMat<usize>> {
    let mut col = vec![0];
    let mut rows = Vec::new();
    for j in 0..n {
        let mut c: Vec<usize> = if j > 0 { vec![j - 1, j] } else { vec![j] };
        match kind {
            1 if c.len() == 2 => c.reverse(),
            2 => c.push(j),
            3 if c.len() == 2 => {
                c.pop();
            }
            _ => {}
        }
        rows.extend(c);
        col.push(rows.len());
    }
    match kind {
        0 => None,
        4 => {
            // An empty last column (a structurally singular Jacobian).
            let cut = col[n - 1];
            let mut col = col;
            col[n] = cut;
            rows.truncate(cut);
            Some(SymbolicSparseColMat::new_unsorted_checked(n, n, col, None, rows))
        }
        5 => Some(SymbolicSparseColMat::new_unsorted_checked(n + 1, n, col, None, rows)),
        _ => Some(SymbolicSparseColMat::new_unsorted_checked(n, n, col, None, rows)),
    }
}

#[test]
fn torture_interior_and_least_squares() {
    let bounds = prop::collection::vec((-5.0f64..5.0, 0.0f64..6.0, 0u8..6), 1..5);
    let strategy = (bounds, scale(), scale(), prop::sample::select(vec![0.0, 0.5]), faults(), 0usize..5, 0u8..5);
    runner()
        .run(&strategy, |(intervals, sf, sx, k, fault, solver, kind)| {
            CASES_RUN.fetch_add(1, Ordering::Relaxed);
            let n = intervals.len();
            // Bounds in units of sx; some degenerate (width 0 or one double), some infinite.
            let mut lower = Vec::new();
            let mut upper = Vec::new();
            for &(a, w, flag) in &intervals {
                let l = sx * a;
                let u = match flag {
                    0 => l,
                    1 => l.next_up(),
                    _ => sx * (a + w + 0.5),
                };
                lower.push(if flag == 2 { f64::NEG_INFINITY } else { l });
                upper.push(if flag == 3 { f64::INFINITY } else { u });
            }
            let c: Vec<f64> = (0..n).map(|i| sx * (0.5 + 0.2 * i as f64)).collect();
            let mut sys = System::new(n, sf, sx, k, c, fault);
            if solver == 2 || solver == 4 {
                sys.pattern = pattern(kind, n);
            }
            let x0: Vec<f64> = (0..n)
                .map(|i| {
                    let (l, u) = (lower[i], upper[i]);
                    match (l.is_finite(), u.is_finite()) {
                        (true, true) => l + 0.5 * (u - l),
                        (true, false) => l + sx,
                        (false, true) => u - sx,
                        _ => 0.0,
                    }
                })
                .collect();
            if solver >= 3 {
                // Least squares (unbounded), dense or sparse Jacobian.
                let mut tr = TrustRegion::new(Steihaug::new());
                tr.options.limits.max_iterations = 200;
                let result = if solver == 3 {
                    tr.solve(GaussNewton::dense(&sys), &x0)
                } else {
                    tr.solve(GaussNewton::sparse(&sys), &x0)
                };
                match result {
                    Ok(r) => {
                        tally_class(r.termination.class());
                        assert!(r.iterations <= 200);
                        assert!(r.x.iter().all(|v| v.is_finite()));
                        assert_eq!(r.evaluations.residuals, sys.calls[4].load(Ordering::Relaxed), "residual calls");
                    }
                    Err(e) => {
                        tally(3);
                        assert!(
                            matches!(
                                e,
                                SetupError::NonFiniteAtStart { .. }
                                    | SetupError::NonFiniteStart { .. }
                                    | SetupError::InvalidPattern(_)
                                    | SetupError::DimensionMismatch { .. }
                            ),
                            "{e}"
                        )
                    }
                }
                return Ok(());
            }
            let b = Bounds { lower: lower.clone(), upper: upper.clone() };
            let inside = Cell::new(true);
            let observer = |_: &_, x: &[f64]| {
                if !x.iter().zip(&lower).zip(&upper).all(|((v, l), u)| l < v && v < u) {
                    inside.set(false);
                }
                std::ops::ControlFlow::Continue(())
            };
            let mut opts = InteriorOptions::default();
            opts.limits.max_iterations = 200;
            let mut solver_ = Interior::new(opts).with_observer(observer);
            let result = match solver {
                0 => solver_.solve_dense(&sys, &b, &x0),
                1 => solver_.solve(DenseStore::finite_differences(&sys, &b, DEFAULT_REL_STEP), &b, &x0),
                _ => SparseStore::user(&sys).and_then(|store| solver_.solve(store, &b, &x0)),
            };
            match result {
                Ok(r) => {
                    tally(match r.termination {
                        SystemTermination::Root { .. } => 0,
                        _ if r.termination.class() == TerminationClass::Stopped => 1,
                        _ => 2,
                    });
                    assert!(inside.get(), "an iterate left the open box");
                    assert!(r.iterations <= 200);
                    assert!(r.x.iter().all(|v| v.is_finite()));
                    assert!(r.x.iter().zip(&lower).zip(&upper).all(|((v, l), u)| l < v && v < u));
                    if solver != 1 {
                        assert_eq!(r.evaluations.residuals, sys.calls[4].load(Ordering::Relaxed), "residual calls");
                    }
                    if let SystemTermination::Root { .. } = r.termination {
                        let clean = System::new(n, sf, sx, k, sys.c.clone(), None);
                        let mut f = vec![0.0; n];
                        clean.residuals(&r.x, &mut f);
                        let fnorm = f.iter().map(|v| v * v).sum::<f64>().sqrt();
                        clean.residuals(&x0, &mut f);
                        let f0norm = f.iter().map(|v| v * v).sum::<f64>().sqrt();
                        let o = InteriorOptions::default();
                        let target = o.atol + o.rtol * f0norm;
                        // Recomputed with a plain sum of squares: allow its rounding.
                        assert!(fnorm <= target * (1.0 + 1e-12), "claimed root, ||F|| = {fnorm:e} > {target:e}");
                    }
                }
                Err(e) => {
                    tally(3);
                    assert!(
                        matches!(
                            e,
                            SetupError::NonFiniteAtStart { .. }
                                | SetupError::NonFiniteStart { .. }
                                | SetupError::InvalidPattern(_)
                                | SetupError::InvalidBounds { .. }
                                | SetupError::DimensionMismatch { .. }
                                | SetupError::StartOutsideBounds { .. }
                        ),
                        "{e}"
                    )
                }
            }
            Ok(())
        })
        .unwrap();
    print_counts();
}

/// `pg(x) = ||x - P(x - g)||_inf`, written out from the definition.
fn projected_gradient(x: &[f64], g: &[f64], lower: &[f64], upper: &[f64]) -> f64 {
    let mut m = 0.0f64;
    for i in 0..x.len() {
        let p = (x[i] - g[i]).max(lower[i]).min(upper[i]);
        m = m.max((x[i] - p).abs());
    }
    m
}

#[test]
fn torture_bounded_minimization() {
    use trust_region::solver::bounded::{BoundedReason, ProjectedNewton};
    use trust_region::solver::scaled_interior::ScaledInterior;
    let intervals = prop::collection::vec((-4.0f64..4.0, 0.0f64..5.0, 0u8..6), 1..6);
    let strategy =
        (intervals, scale(), scale(), prop::sample::select(vec![0.0, 1.0]), faults(), 0usize..4, -6.0f64..6.0);
    runner()
        .run(&strategy, |(intervals, sf, sx, k, fault, solver, shift)| {
            CASES_RUN.fetch_add(1, Ordering::Relaxed);
            let n = intervals.len();
            let p = Smooth::new(n, sf, sx, k, fault);
            let (mut lower, mut upper) = (Vec::new(), Vec::new());
            for &(a, w, flag) in &intervals {
                let l = sx * a;
                // Fixed (flag 0), one-sided (2, 3), or an interval.
                lower.push(if flag == 2 { f64::NEG_INFINITY } else { l });
                upper.push(match flag {
                    0 => l,
                    3 => f64::INFINITY,
                    _ => sx * (a + w + 0.25),
                });
            }
            // Starts anywhere, inside the box or not.
            let x0: Vec<f64> = (0..n).map(|i| sx * (shift + 0.3 * i as f64)).collect();
            let b = Bounds::closed(lower.clone(), upper.clone()).expect("a valid closed box");
            let inside = Cell::new(true);
            let strictly = solver >= 2;
            let observer = |_: &_, x: &[f64]| {
                let ok = x.iter().zip(&lower).zip(&upper).all(|((v, l), u)| {
                    if strictly && l < u {
                        l < v && v < u
                    } else {
                        l <= v && v <= u
                    }
                });
                if !ok {
                    inside.set(false);
                }
                std::ops::ControlFlow::Continue(())
            };
            let result = match solver {
                0 => ProjectedNewton::new().with_observer(observer).minimize(&p, &b, &x0),
                1 => ProjectedNewton::new().with_observer(observer).solve(Newton::sparse(&p), &b, &x0),
                2 => ScaledInterior::new(Steihaug::new()).with_observer(observer).minimize(&p, &b, &x0),
                _ => ScaledInterior::new(Gltr::new()).with_observer(observer).minimize(&p, &b, &x0),
            };
            match result {
                Ok(r) => {
                    tally_class(r.termination.class());
                    assert!(inside.get(), "an iterate left the box");
                    assert!(b.contains(&r.x), "returned point outside the box");
                    assert!(r.x.iter().all(|v| v.is_finite()));
                    assert_eq!(r.evaluations.f, p.count(0), "value calls");
                    assert_eq!(r.evaluations.g, p.count(1), "gradient calls");
                    if let BoundedReason::ProjectedGradientTolerance { gtol } = r.termination.reason {
                        let mut g = vec![0.0; n];
                        p.clean().gradient(&r.x, &mut g);
                        let pg = projected_gradient(&r.x, &g, &lower, &upper);
                        assert!(pg <= gtol, "claimed pg <= {gtol:e}, recomputed {pg:e} ({})", r.termination);
                    }
                }
                Err(e) => {
                    tally(3);
                    assert!(
                        matches!(e, SetupError::NonFiniteAtStart { .. } | SetupError::NonFiniteStart { .. }),
                        "unexpected setup error {e}"
                    )
                }
            }
            Ok(())
        })
        .unwrap();
    print_counts();
}

#[cfg(feature = "nalgebra")]
/// A nalgebra objective whose callbacks return a vector of the wrong length at one call.
struct WrongLength {
    n: usize,
    /// (0 gradient, 1 Hessian) and the call that is wrong.
    what: u8,
    call: usize,
    extra: usize,
    calls: [AtomicUsize; 2],
}

#[cfg(feature = "nalgebra")]
impl WrongLength {
    fn wrong(&self, what: u8) -> bool {
        let c = self.calls[what as usize].fetch_add(1, Ordering::Relaxed);
        self.what == what && c == self.call
    }
}

#[cfg(feature = "nalgebra")]
impl trust_region::interop::nalgebra::NalgebraObjective for WrongLength {
    fn dim(&self) -> usize {
        self.n
    }
    fn value(&self, x: &nalgebra::DVector<f64>) -> f64 {
        x.iter().map(|v| (v - 1.0).powi(2) + 0.1 * (v - 1.0).powi(4)).sum()
    }
    fn gradient(&self, x: &nalgebra::DVector<f64>) -> nalgebra::DVector<f64> {
        let len = if self.wrong(0) { self.n + self.extra } else { self.n };
        nalgebra::DVector::from_fn(len, |i, _| {
            let v = x.get(i).copied().unwrap_or(1.0) - 1.0;
            2.0 * v + 0.4 * v.powi(3)
        })
    }
}

#[cfg(feature = "nalgebra")]
impl trust_region::interop::nalgebra::NalgebraHessian for WrongLength {
    fn hessian(&self, x: &nalgebra::DVector<f64>) -> nalgebra::DMatrix<f64> {
        let m = if self.wrong(1) { self.n + self.extra } else { self.n };
        nalgebra::DMatrix::from_fn(m, m, |i, j| {
            if i == j {
                2.0 + 1.2 * (x.get(i).copied().unwrap_or(1.0) - 1.0).powi(2)
            } else {
                0.0
            }
        })
    }
}

#[cfg(feature = "nalgebra")]
#[test]
fn torture_nalgebra_wrong_lengths() {
    use trust_region::interop::nalgebra::NalgebraSolve;
    let strategy = (1usize..6, 0u8..2, 0usize..6, 1usize..3, 0usize..3, -5.0f64..5.0);
    runner()
        .run(&strategy, |(n, what, call, extra, solver, start)| {
            CASES_RUN.fetch_add(1, Ordering::Relaxed);
            let p = WrongLength { n, what, call, extra, calls: Default::default() };
            let x0 = nalgebra::DVector::from_element(n, start);
            let result = match solver {
                0 => TrustRegion::new(Steihaug::new()).minimize_nalgebra(&p, &x0),
                1 => TrustRegion::new(MoreSorensen::new()).minimize_dense_nalgebra(&p, &x0),
                _ => TrustRegion::new(Dogleg::new()).minimize_dense_nalgebra(&p, &x0),
            };
            match result {
                Ok((x, r)) => {
                    tally_class(r.termination.class());
                    assert!(x.iter().all(|v| v.is_finite()));
                    if r.converged() {
                        assert!(x.iter().all(|v| (v - 1.0).abs() <= 1e-5), "{x:?} ({})", r.termination);
                    }
                }
                Err(e) => {
                    tally(3);
                    // A wrong length at the start is named as such.
                    assert!(matches!(e, SetupError::DimensionMismatch { .. }), "{e}");
                }
            }
            Ok(())
        })
        .unwrap();
    print_counts();
}

/// The smooth problem as a full-batch training loss (every batch is the whole sum).
struct FullBatch<'a>(&'a Smooth);

impl trust_region::solver::hessian_free::BatchLoss for FullBatch<'_> {
    fn dim(&self) -> usize {
        self.0.n
    }
    fn sample_batch(&mut self, _iteration: u64) {}
    fn loss(&mut self, w: &[f64]) -> f64 {
        self.0.value(w)
    }
    fn gradient(&mut self, w: &[f64], g: &mut [f64]) -> f64 {
        self.0.gradient(w, g);
        self.0.value(w)
    }
    fn hessian_product(&mut self, w: &[f64], v: &[f64], hv: &mut [f64]) {
        self.0.hessian_product(w, v, hv)
    }
}

#[test]
fn torture_hessian_free() {
    use trust_region::solver::hessian_free::HessianFree;
    let strategy = (1usize..6, scale(), scale(), prop::sample::select(vec![0.0, 1.0]), faults(), -3.0f64..3.0);
    runner()
        .run(&strategy, |(n, sf, sx, k, fault, shift)| {
            CASES_RUN.fetch_add(1, Ordering::Relaxed);
            let p = Smooth::new(n, sf, sx, k, fault);
            let w0: Vec<f64> = (0..n).map(|i| sx * (shift + 0.1 * i as f64)).collect();
            let mut hf = HessianFree::new();
            hf.options.limits.max_iterations = 100;
            match hf.train(&mut FullBatch(&p), &w0) {
                Ok(r) => {
                    tally_class(r.termination.class());
                    assert!(r.iterations <= 100, "{} iterations", r.iterations);
                    assert!(r.x.iter().all(|v| v.is_finite()), "non-finite weights {:?}", r.x);
                }
                Err(e) => {
                    tally(3);
                    assert!(
                        matches!(e, SetupError::NonFiniteAtStart { .. } | SetupError::NonFiniteStart { .. }),
                        "unexpected setup error {e}"
                    )
                }
            }
            Ok(())
        })
        .unwrap();
    print_counts();
}
