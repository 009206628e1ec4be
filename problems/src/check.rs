//! Derivative checks against finite differences, for any [`SuiteProblem`].
//!
//! [`check_problem`] compares every derivative interface a problem offers, through the
//! [`SuiteProblem`] accessors only, at a given point `x`:
//!
//! | item | compared with | tolerance |
//! |---|---|---|
//! | gradient | central differences of the value | [`FD_TOLERANCE`] |
//! | Hessian-vector products (3 directions) | central differences of the gradient | [`FD_TOLERANCE`] |
//! | dense Hessian | Hessian-vector products `H e_k` (else differences of the gradient) | [`EXACT_TOLERANCE`] ([`FD_TOLERANCE`]) |
//! | sparse Hessian (lower triangle) | dense Hessian (else products, else differences) | as above |
//! | dense Jacobian | central differences of the residuals | [`FD_TOLERANCE`] |
//! | sparse Jacobian | dense Jacobian (else differences of the residuals) | [`EXACT_TOLERANCE`] ([`FD_TOLERANCE`]) |
//! | value | `||r||^2 / 2` from the residuals, when both are offered | [`EXACT_TOLERANCE`] |
//!
//! # Error measure
//!
//! For a computed quantity `a` (vector or matrix, all checked entries together) and its
//! reference `b`, the reported error is
//!
//! ```text
//! error = max_k max(0, |a_k - b_k| - noise_k) / max(1, max_k |b_k|),
//! ```
//!
//! a relative error against the scale of the whole quantity (absolute below scale 1).
//! `noise_k` is zero for comparisons between two exact interfaces. Finite differences are
//! central differences with step `h = cbrt(eps) max(1, |x_i|)` (along a direction scaled the
//! same way for Hessian-vector products), Richardson-extrapolated from steps `h` and `h/2`
//! (`(4 D(h/2) - D(h)) / 3`, truncation error `O(h^4)`, which matters for badly scaled
//! variables such as Osborne 1's rates); `noise_k` is their round-off bound
//! `3 * 64 eps F / h` with `F` the largest magnitude among the differenced function values
//! (for a vector function over all its components, since cancellation inside a component is
//! invisible from outside). [`ItemCheck::raw_error`] reports the measure without `noise_k`.
//!
//! The tolerances separate correct derivatives (errors of round-off size, typically below
//! `1e-8`) from wrong ones (a wrong sign, factor or missing term gives errors of order 1).
//!
//! # Cost
//!
//! Finite differences cost four evaluations (steps `+-h`, `+-h/2`) per differenced column; for `n` above
//! [`CheckOptions::max_columns`] an evenly spaced sample of columns (always the first and the
//! last) is checked, so the check stays usable at large `n`.
//!
//! Nothing here panics on a bad problem: dimension mismatches, malformed sparse patterns,
//! non-finite values and panics inside the problem's code are recorded in
//! [`CheckReport::errors`] and make [`CheckReport::passed`] false.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use faer::Mat;
use trust_region::problem::{DenseHessian, DenseJacobian, HessianProduct, SparseHessian, SparseJacobian};

use crate::SuiteProblem;

/// Tolerance of comparisons against finite differences.
pub const FD_TOLERANCE: f64 = 1e-5;
/// Tolerance of comparisons between two exact interfaces (round-off only).
pub const EXACT_TOLERANCE: f64 = 1e-10;
/// Multiple of `eps F / h` treated as finite-difference round-off.
const NOISE_FACTOR: f64 = 64.0;

/// Options of [`check_problem_with`].
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Largest number of columns differenced (gradient, Jacobian, Hessian columns); above it
    /// an evenly spaced sample is used. Default 200.
    pub max_columns: usize,
    /// Number of directions for the Hessian-vector product check. Default 3.
    pub directions: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self { max_columns: 200, directions: 3 }
    }
}

/// Result of one comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemCheck {
    /// The error measure of the module documentation (infinite if non-finite values appeared).
    pub error: f64,
    /// The same measure without the round-off allowance (informational: for finite
    /// differences it includes their truncation and round-off error).
    pub raw_error: f64,
    /// The tolerance it must not exceed.
    pub tolerance: f64,
    /// What the quantity was compared with.
    pub against: &'static str,
}

impl ItemCheck {
    /// Whether `error <= tolerance`.
    pub fn passed(&self) -> bool {
        self.error <= self.tolerance
    }
}

/// Everything [`check_problem`] found. Items are `None` when the problem does not offer the
/// interface (or nothing to compare it with).
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// Problem name from [`crate::ProblemInfo`].
    pub name: String,
    /// Number of variables.
    pub n: usize,
    /// Gradient vs differences of the value.
    pub gradient: Option<ItemCheck>,
    /// Hessian-vector products vs differences of the gradient (worst direction).
    pub hessian_product: Option<ItemCheck>,
    /// Dense Hessian vs products (or differences of the gradient); includes symmetry.
    pub dense_hessian: Option<ItemCheck>,
    /// Sparse Hessian (lower triangle) vs the dense Hessian, products or differences.
    pub sparse_hessian: Option<ItemCheck>,
    /// Dense Jacobian vs differences of the residuals.
    pub dense_jacobian: Option<ItemCheck>,
    /// Sparse Jacobian vs the dense Jacobian (or differences of the residuals).
    pub sparse_jacobian: Option<ItemCheck>,
    /// Objective value vs `||r||^2 / 2` from the residuals.
    pub value: Option<ItemCheck>,
    /// Problems that fail the check on their own (dimension mismatch, malformed pattern,
    /// non-finite values, a panic inside the problem).
    pub errors: Vec<String>,
}

impl CheckReport {
    /// The checked items with their names.
    pub fn items(&self) -> Vec<(&'static str, &ItemCheck)> {
        let all = [
            ("gradient", &self.gradient),
            ("hessian_product", &self.hessian_product),
            ("dense_hessian", &self.dense_hessian),
            ("sparse_hessian", &self.sparse_hessian),
            ("dense_jacobian", &self.dense_jacobian),
            ("sparse_jacobian", &self.sparse_jacobian),
            ("value", &self.value),
        ];
        all.into_iter().filter_map(|(k, v)| v.as_ref().map(|v| (k, v))).collect()
    }

    /// Whether every item is within its tolerance and no error was recorded.
    pub fn passed(&self) -> bool {
        self.errors.is_empty() && self.items().iter().all(|(_, c)| c.passed())
    }

    /// Descriptions of everything that failed (empty if [`CheckReport::passed`]).
    pub fn failures(&self) -> Vec<String> {
        let mut out = self.errors.clone();
        for (k, c) in self.items() {
            if !c.passed() {
                out.push(format!("{k}: error {:.3e} > {:.1e} (against {})", c.error, c.tolerance, c.against));
            }
        }
        out
    }

    /// Largest error relative to its tolerance (`error / tolerance`), 0 if nothing was checked.
    pub fn worst_ratio(&self) -> f64 {
        self.items().iter().map(|(_, c)| c.error / c.tolerance).fold(0.0, f64::max)
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (n = {}): {}", self.name, self.n, if self.passed() { "ok" } else { "FAILED" })?;
        for (k, c) in self.items() {
            write!(
                f,
                "\n  {k:<16} {:>10.3e}  (raw {:>9.2e}, tol {:.0e}, vs {})",
                c.error, c.raw_error, c.tolerance, c.against
            )?;
        }
        for e in &self.errors {
            write!(f, "\n  error: {e}")?;
        }
        Ok(())
    }
}

/// Checks every derivative `p` offers at `x` with the default [`CheckOptions`].
pub fn check_problem(p: &dyn SuiteProblem, x: &[f64]) -> CheckReport {
    check_problem_with(p, x, &CheckOptions::default())
}

/// Checks every derivative `p` offers at `x`; see the module documentation.
pub fn check_problem_with(p: &dyn SuiteProblem, x: &[f64], opts: &CheckOptions) -> CheckReport {
    let mut report = CheckReport::default();
    let info = match guard(|| p.info()) {
        Ok(i) => i,
        Err(e) => {
            report.errors.push(format!("info(): {e}"));
            return report;
        }
    };
    report.name = info.name.clone();
    report.n = info.n;
    let n = info.n;
    if x.len() != n {
        report.errors.push(format!("point has length {} but the problem has n = {n}", x.len()));
        return report;
    }
    if x.iter().any(|v| !v.is_finite()) {
        report.errors.push("point has non-finite entries".into());
        return report;
    }
    let cols = sample_columns(n, opts.max_columns.max(2));
    let obj = Obj { hp: p.products(), dh: p.dense_hessian(), sh: p.sparse_hessian() };
    let res = Res { dj: p.dense_jacobian(), sj: p.sparse_jacobian() };
    let m = info.m.unwrap_or(0);

    // Dimensions reported by the interfaces must agree with the info.
    if let Some(d) = obj.dim() {
        if d != n {
            report.errors.push(format!("objective dim() = {d}, info n = {n}"));
            return report;
        }
    }
    let m = match res.dims() {
        Some((d, mm)) => {
            if d != n {
                report.errors.push(format!("residuals dim() = {d}, info n = {n}"));
                return report;
            }
            if info.m.is_some() && mm != m {
                report.errors.push(format!("residual_count() = {mm}, info m = {m}"));
                return report;
            }
            mm
        }
        None => m,
    };

    let run = |name: &str, report: &mut CheckReport, f: &mut dyn FnMut(&mut Vec<String>) -> Option<ItemCheck>| {
        let mut notes = Vec::new();
        let out = match catch_unwind(AssertUnwindSafe(|| f(&mut notes))) {
            Ok(c) => c,
            Err(e) => {
                notes.push(format!("{name}: panicked: {}", panic_message(&e)));
                Some(ItemCheck { error: f64::INFINITY, raw_error: f64::INFINITY, tolerance: 0.0, against: "panic" })
            }
        };
        report.errors.extend(notes);
        out.map(|mut c| {
            if !c.error.is_finite() {
                c.error = f64::INFINITY;
                c.raw_error = f64::INFINITY;
            }
            c
        })
    };

    if obj.available() {
        report.gradient = run("gradient", &mut report, &mut |notes| Some(check_gradient(&obj, x, &cols, notes)));
    }
    if let Some(hp) = obj.hp {
        report.hessian_product =
            run("hessian_product", &mut report, &mut |notes| Some(check_products(&obj, hp, x, opts, notes)));
    }
    let mut dense_h: Option<Mat<f64>> = None;
    if let Some(dh) = obj.dh {
        report.dense_hessian = run("dense_hessian", &mut report, &mut |notes| {
            let (c, h) = check_dense_hessian(&obj, dh, x, &cols, notes);
            dense_h = h;
            Some(c)
        });
    }
    if let Some(sh) = obj.sh {
        report.sparse_hessian = run("sparse_hessian", &mut report, &mut |notes| {
            check_sparse_hessian(&obj, sh, dense_h.as_ref(), x, &cols, notes)
        });
    }
    let mut dense_j: Option<Mat<f64>> = None;
    if let Some(dj) = res.dj {
        report.dense_jacobian = run("dense_jacobian", &mut report, &mut |notes| {
            let (c, j) = check_dense_jacobian(&res, dj, m, x, &cols, notes);
            dense_j = j;
            Some(c)
        });
    }
    if let Some(sj) = res.sj {
        report.sparse_jacobian = run("sparse_jacobian", &mut report, &mut |notes| {
            check_sparse_jacobian(&res, sj, dense_j.as_ref(), m, x, &cols, notes)
        });
    }
    if obj.available() && res.available() {
        report.value = run("value", &mut report, &mut |notes| {
            let f = obj.value(x);
            let mut r = vec![0.0; m];
            res.residuals(x, &mut r);
            let fr = 0.5 * r.iter().map(|v| v * v).sum::<f64>();
            non_finite(notes, "value", &[f, fr]);
            Some(item(&[f], &[fr], None, EXACT_TOLERANCE, "||r||^2/2"))
        });
    }
    report
}

/// Objective through whichever interface offers it (no trait upcasting needed).
struct Obj<'a> {
    hp: Option<&'a dyn HessianProduct>,
    dh: Option<&'a dyn DenseHessian>,
    sh: Option<&'a dyn SparseHessian>,
}

impl Obj<'_> {
    fn available(&self) -> bool {
        self.hp.is_some() || self.dh.is_some() || self.sh.is_some()
    }
    fn dim(&self) -> Option<usize> {
        if let Some(p) = self.hp {
            Some(p.dim())
        } else if let Some(p) = self.dh {
            Some(p.dim())
        } else {
            self.sh.map(|p| p.dim())
        }
    }
    fn value(&self, x: &[f64]) -> f64 {
        if let Some(p) = self.hp {
            p.value(x)
        } else if let Some(p) = self.dh {
            p.value(x)
        } else if let Some(p) = self.sh {
            p.value(x)
        } else {
            f64::NAN
        }
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        if let Some(p) = self.hp {
            p.gradient(x, g)
        } else if let Some(p) = self.dh {
            p.gradient(x, g)
        } else if let Some(p) = self.sh {
            p.gradient(x, g)
        } else {
            g.fill(f64::NAN)
        }
    }
}

/// Residuals through whichever interface offers them.
struct Res<'a> {
    dj: Option<&'a dyn DenseJacobian>,
    sj: Option<&'a dyn SparseJacobian>,
}

impl Res<'_> {
    fn available(&self) -> bool {
        self.dj.is_some() || self.sj.is_some()
    }
    fn dims(&self) -> Option<(usize, usize)> {
        if let Some(p) = self.dj {
            Some((p.dim(), p.residual_count()))
        } else {
            self.sj.map(|p| (p.dim(), p.residual_count()))
        }
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        if let Some(p) = self.dj {
            p.residuals(x, r)
        } else if let Some(p) = self.sj {
            p.residuals(x, r)
        } else {
            r.fill(f64::NAN)
        }
    }
}

/// Evenly spaced column sample of `0..n` with at most `max` entries (all of them if `n <= max`).
fn sample_columns(n: usize, max: usize) -> Vec<usize> {
    if n <= max {
        return (0..n).collect();
    }
    let mut cols: Vec<usize> = (0..max).map(|k| k * (n - 1) / (max - 1)).collect();
    cols.dedup();
    cols
}

/// Finite-difference step for variable `i`.
fn step(xi: f64) -> f64 {
    f64::EPSILON.cbrt() * xi.abs().max(1.0)
}

/// The error measure of the module documentation, with and without the per-entry round-off
/// allowance `noise`: `(error, raw)`.
fn compare2(a: &[f64], b: &[f64], noise: Option<&[f64]>) -> (f64, f64) {
    let scale = b.iter().fold(1.0f64, |s, v| s.max(v.abs()));
    let (mut worst, mut raw) = (0.0f64, 0.0f64);
    for (k, (&ak, &bk)) in a.iter().zip(b).enumerate() {
        let d = (ak - bk).abs();
        if !d.is_finite() {
            return (f64::INFINITY, f64::INFINITY);
        }
        let allowance = noise.map_or(0.0, |nz| nz[k]);
        worst = worst.max((d - allowance).max(0.0));
        raw = raw.max(d);
    }
    (worst / scale, raw / scale)
}

/// An [`ItemCheck`] from a comparison.
fn item(a: &[f64], b: &[f64], noise: Option<&[f64]>, tolerance: f64, against: &'static str) -> ItemCheck {
    let (error, raw_error) = compare2(a, b, noise);
    ItemCheck { error, raw_error, tolerance, against }
}

/// Richardson-extrapolated central difference of a vector function along a line:
/// with `D(s) = (F(s) - F(-s)) / (2s)`, returns `(4 D(t/2) - D(t)) / 3` (truncation error
/// `O(t^4)`) and its round-off allowance `3 * NOISE_FACTOR * eps * max|F| / t` (the
/// combination weighs the round-off of `D(t/2)`, twice that of `D(t)`, by 4/3 and that of
/// `D(t)` by 1/3). `eval(s, out)` writes `F(s)`, of length `len`.
fn extrapolated_difference(len: usize, t: f64, eval: &mut dyn FnMut(f64, &mut [f64])) -> (Vec<f64>, f64) {
    let mut fp = vec![0.0; len];
    let mut fm = vec![0.0; len];
    let mut big = 0.0f64;
    let mut d = [vec![0.0; len], vec![0.0; len]];
    for (k, s) in [t, 0.5 * t].into_iter().enumerate() {
        eval(s, &mut fp);
        eval(-s, &mut fm);
        big = big.max(max_abs(&fp)).max(max_abs(&fm));
        for ((dk, p), m) in d[k].iter_mut().zip(&fp).zip(&fm) {
            *dk = (p - m) / (2.0 * s);
        }
    }
    let est = d[0].iter().zip(&d[1]).map(|(d1, d2)| (4.0 * d2 - d1) / 3.0).collect();
    (est, 3.0 * NOISE_FACTOR * f64::EPSILON * big / t)
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |s, x| s.max(x.abs()))
}

fn non_finite(notes: &mut Vec<String>, what: &str, v: &[f64]) {
    if v.iter().any(|x| !x.is_finite()) {
        notes.push(format!("{what}: non-finite values"));
    }
}

fn check_gradient(obj: &Obj<'_>, x: &[f64], cols: &[usize], notes: &mut Vec<String>) -> ItemCheck {
    let n = x.len();
    let mut g = vec![0.0; n];
    obj.gradient(x, &mut g);
    non_finite(notes, "gradient", &g);
    let f0 = obj.value(x).abs();
    let mut xp = x.to_vec();
    let (mut a, mut b, mut noise) = (Vec::new(), Vec::new(), Vec::new());
    for &i in cols {
        let (fd, nz) = extrapolated_difference(1, step(x[i]), &mut |s, out| {
            xp[i] = x[i] + s;
            out[0] = obj.value(&xp);
            xp[i] = x[i];
        });
        a.push(g[i]);
        b.push(fd[0]);
        noise.push(nz.max(3.0 * NOISE_FACTOR * f64::EPSILON * f0 / step(x[i])));
    }
    item(&a, &b, Some(&noise), FD_TOLERANCE, "differences of the value")
}

/// Deterministic direction `k` with entries in [-1, 1].
fn direction(n: usize, k: usize) -> Vec<f64> {
    (0..n).map(|i| ((i as f64 + 1.0) * (0.7548776662 + 0.31 * k as f64) + 0.5698402910 * k as f64).sin()).collect()
}

/// Extrapolated central difference of the gradient along `w`, `~ H w`, with its round-off
/// allowance (per entry).
fn gradient_difference(obj: &Obj<'_>, x: &[f64], w: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = x.len();
    let mut g0 = vec![0.0; n];
    obj.gradient(x, &mut g0);
    let mut xs = vec![0.0; n];
    let (fd, nz) = extrapolated_difference(n, f64::EPSILON.cbrt(), &mut |s, out| {
        for ((xi, a), b) in xs.iter_mut().zip(x).zip(w) {
            *xi = a + s * b;
        }
        obj.gradient(&xs, out);
    });
    let nz = nz.max(3.0 * NOISE_FACTOR * f64::EPSILON * max_abs(&g0) / f64::EPSILON.cbrt());
    (fd, vec![nz; n])
}

fn check_products(
    obj: &Obj<'_>,
    hp: &dyn HessianProduct,
    x: &[f64],
    opts: &CheckOptions,
    notes: &mut Vec<String>,
) -> ItemCheck {
    let n = x.len();
    let mut worst: Option<ItemCheck> = None;
    let mut hv = vec![0.0; n];
    for k in 0..opts.directions.max(1) {
        // Direction scaled like the variables, so that one step suits every component.
        let w: Vec<f64> = direction(n, k).iter().zip(x).map(|(v, xi)| v * xi.abs().max(1.0)).collect();
        hp.hessian_product(x, &w, &mut hv);
        non_finite(notes, "hessian_product", &hv);
        let (fd, noise) = gradient_difference(obj, x, &w);
        let c = item(&hv, &fd, Some(&noise), FD_TOLERANCE, "differences of the gradient");
        let worse = match &worst {
            None => true,
            Some(w) => (c.error, c.raw_error) > (w.error, w.raw_error),
        };
        if worse {
            worst = Some(c);
        }
    }
    worst.unwrap_or(ItemCheck { error: 0.0, raw_error: 0.0, tolerance: FD_TOLERANCE, against: "-" })
}

/// Column `k` of the Hessian by differences of the gradient, with its round-off allowance.
fn hessian_column_fd(obj: &Obj<'_>, x: &[f64], k: usize) -> (Vec<f64>, Vec<f64>) {
    let mut w = vec![0.0; x.len()];
    w[k] = x[k].abs().max(1.0);
    let (mut fd, mut noise) = gradient_difference(obj, x, &w);
    for (v, nz) in fd.iter_mut().zip(noise.iter_mut()) {
        *v /= w[k];
        *nz /= w[k];
    }
    (fd, noise)
}

fn check_dense_hessian(
    obj: &Obj<'_>,
    dh: &dyn DenseHessian,
    x: &[f64],
    cols: &[usize],
    notes: &mut Vec<String>,
) -> (ItemCheck, Option<Mat<f64>>) {
    let n = x.len();
    let mut h = Mat::<f64>::zeros(n, n);
    dh.hessian(x, h.as_mut());
    // Symmetry is part of the contract ("both triangles").
    let mut asym = 0.0f64;
    let mut scale = 1.0f64;
    for j in 0..n {
        for i in 0..n {
            asym = asym.max((h[(i, j)] - h[(j, i)]).abs());
            scale = scale.max(h[(i, j)].abs());
            if !h[(i, j)].is_finite() {
                notes.push("dense_hessian: non-finite values".into());
                return (
                    ItemCheck {
                        error: f64::INFINITY,
                        raw_error: f64::INFINITY,
                        tolerance: EXACT_TOLERANCE,
                        against: "-",
                    },
                    None,
                );
            }
        }
    }
    let asym = asym / scale;
    let (mut a, mut b, mut noise) = (Vec::new(), Vec::new(), Vec::new());
    let (tol, against) = if let Some(hp) = obj.hp {
        let mut e = vec![0.0; n];
        let mut col = vec![0.0; n];
        for &k in cols {
            e[k] = 1.0;
            hp.hessian_product(x, &e, &mut col);
            e[k] = 0.0;
            for (i, &c) in col.iter().enumerate() {
                a.push(h[(i, k)]);
                b.push(c);
                noise.push(0.0);
            }
        }
        (EXACT_TOLERANCE, "Hessian-vector products")
    } else {
        for &k in cols {
            let (fd, nz) = hessian_column_fd(obj, x, k);
            for i in 0..n {
                a.push(h[(i, k)]);
            }
            b.extend(fd);
            noise.extend(nz);
        }
        (FD_TOLERANCE, "differences of the gradient")
    };
    let mut c = item(&a, &b, Some(&noise), tol, against);
    c.error = c.error.max(asym);
    c.raw_error = c.raw_error.max(asym);
    (c, Some(h))
}

/// Reads a compressed-column pattern into `(col_start, col_end)` ranges, checking it.
fn column_ranges(
    col_ptr: &[usize],
    col_nnz: Option<&[usize]>,
    row_idx_len: usize,
    ncols: usize,
    values_len: usize,
) -> Result<Vec<(usize, usize)>, String> {
    if col_ptr.len() != ncols + 1 {
        return Err(format!("col_ptr has length {} for {ncols} columns", col_ptr.len()));
    }
    let mut out = Vec::with_capacity(ncols);
    for j in 0..ncols {
        let start = col_ptr[j];
        let end = match col_nnz {
            Some(nz) => start + nz.get(j).copied().unwrap_or(0),
            None => col_ptr[j + 1],
        };
        if start > end || end > row_idx_len || end > values_len {
            return Err(format!("column {j} range {start}..{end} exceeds the stored entries"));
        }
        out.push((start, end));
    }
    Ok(out)
}

fn check_sparse_hessian(
    obj: &Obj<'_>,
    sh: &dyn SparseHessian,
    dense: Option<&Mat<f64>>,
    x: &[f64],
    cols: &[usize],
    notes: &mut Vec<String>,
) -> Option<ItemCheck> {
    let n = x.len();
    let pat = sh.hessian_pattern();
    if pat.nrows() != n || pat.ncols() != n {
        notes.push(format!("sparse_hessian: pattern is {} x {}, expected {n} x {n}", pat.nrows(), pat.ncols()));
        return None;
    }
    let nnz = pat.row_idx().len();
    let mut vals = vec![0.0; nnz];
    sh.hessian_values(x, &mut vals);
    let ranges = match column_ranges(pat.col_ptr(), pat.col_nnz(), nnz, n, vals.len()) {
        Ok(r) => r,
        Err(e) => {
            notes.push(format!("sparse_hessian: {e}"));
            return None;
        }
    };
    let rows = pat.row_idx();
    // Column k of the symmetric matrix stored by its lower triangle.
    let column = |k: usize| -> Result<Vec<f64>, String> {
        let mut c = vec![0.0; n];
        for (j, &(s, e)) in ranges.iter().enumerate() {
            for p in s..e {
                let i = rows[p];
                if i >= n || i < j {
                    return Err(format!("entry ({i}, {j}) is not in the lower triangle"));
                }
                if j == k {
                    c[i] += vals[p];
                } else if i == k {
                    c[j] += vals[p];
                }
            }
        }
        Ok(c)
    };
    let (mut a, mut b, mut noise) = (Vec::new(), Vec::new(), Vec::new());
    let mut col = vec![0.0; n];
    let mut e = vec![0.0; n];
    let (tol, against) = if dense.is_some() {
        (EXACT_TOLERANCE, "the dense Hessian")
    } else if obj.hp.is_some() {
        (EXACT_TOLERANCE, "Hessian-vector products")
    } else {
        (FD_TOLERANCE, "differences of the gradient")
    };
    for &k in cols {
        let sc = match column(k) {
            Ok(c) => c,
            Err(msg) => {
                notes.push(format!("sparse_hessian: {msg}"));
                return None;
            }
        };
        a.extend_from_slice(&sc);
        if let Some(h) = dense {
            for i in 0..n {
                b.push(h[(i, k)]);
            }
            noise.extend(std::iter::repeat_n(0.0, n));
        } else if let Some(hp) = obj.hp {
            e[k] = 1.0;
            hp.hessian_product(x, &e, &mut col);
            e[k] = 0.0;
            b.extend_from_slice(&col);
            noise.extend(std::iter::repeat_n(0.0, n));
        } else {
            let (fd, nz) = hessian_column_fd(obj, x, k);
            b.extend(fd);
            noise.extend(nz);
        }
    }
    non_finite(notes, "sparse_hessian", &vals);
    Some(item(&a, &b, Some(&noise), tol, against))
}

/// Column `j` of the Jacobian by extrapolated central differences of the residuals, with
/// its round-off allowance (per entry).
fn jacobian_column_fd(res: &Res<'_>, m: usize, x: &[f64], j: usize) -> (Vec<f64>, Vec<f64>) {
    let mut r0 = vec![0.0; m];
    res.residuals(x, &mut r0);
    let mut xp = x.to_vec();
    let h = step(x[j]);
    let (fd, nz) = extrapolated_difference(m, h, &mut |s, out| {
        xp[j] = x[j] + s;
        res.residuals(&xp, out);
        xp[j] = x[j];
    });
    let nz = nz.max(3.0 * NOISE_FACTOR * f64::EPSILON * max_abs(&r0) / h);
    (fd, vec![nz; m])
}

fn check_dense_jacobian(
    res: &Res<'_>,
    dj: &dyn DenseJacobian,
    m: usize,
    x: &[f64],
    cols: &[usize],
    notes: &mut Vec<String>,
) -> (ItemCheck, Option<Mat<f64>>) {
    let n = x.len();
    let mut jac = Mat::<f64>::zeros(m, n);
    dj.jacobian(x, jac.as_mut());
    let (mut a, mut b, mut noise) = (Vec::new(), Vec::new(), Vec::new());
    for &j in cols {
        let (fd, nz) = jacobian_column_fd(res, m, x, j);
        for i in 0..m {
            a.push(jac[(i, j)]);
        }
        b.extend(fd);
        noise.extend(nz);
    }
    non_finite(notes, "dense_jacobian", &a);
    let c = item(&a, &b, Some(&noise), FD_TOLERANCE, "differences of the residuals");
    (c, Some(jac))
}

fn check_sparse_jacobian(
    res: &Res<'_>,
    sj: &dyn SparseJacobian,
    dense: Option<&Mat<f64>>,
    m: usize,
    x: &[f64],
    cols: &[usize],
    notes: &mut Vec<String>,
) -> Option<ItemCheck> {
    let n = x.len();
    let pat = sj.jacobian_pattern();
    if pat.nrows() != m || pat.ncols() != n {
        notes.push(format!("sparse_jacobian: pattern is {} x {}, expected {m} x {n}", pat.nrows(), pat.ncols()));
        return None;
    }
    let nnz = pat.row_idx().len();
    let mut vals = vec![0.0; nnz];
    sj.jacobian_values(x, &mut vals);
    let ranges = match column_ranges(pat.col_ptr(), pat.col_nnz(), nnz, n, vals.len()) {
        Ok(r) => r,
        Err(e) => {
            notes.push(format!("sparse_jacobian: {e}"));
            return None;
        }
    };
    let rows = pat.row_idx();
    if let Some(&bad) = rows.iter().find(|&&i| i >= m) {
        notes.push(format!("sparse_jacobian: row index {bad} >= m = {m}"));
        return None;
    }
    non_finite(notes, "sparse_jacobian", &vals);
    let (mut a, mut b, mut noise) = (Vec::new(), Vec::new(), Vec::new());
    // With a dense Jacobian every column is compared (exact, cheap); else the sample.
    let all: Vec<usize>;
    let check_cols: &[usize] = if dense.is_some() {
        all = (0..n).collect();
        &all
    } else {
        cols
    };
    for &j in check_cols {
        let mut c = vec![0.0; m];
        let (s, e) = ranges[j];
        for p in s..e {
            c[rows[p]] += vals[p];
        }
        a.extend_from_slice(&c);
        if let Some(d) = dense {
            for i in 0..m {
                b.push(d[(i, j)]);
            }
            noise.extend(std::iter::repeat_n(0.0, m));
        } else {
            let (fd, nz) = jacobian_column_fd(res, m, x, j);
            b.extend(fd);
            noise.extend(nz);
        }
    }
    let (tol, against) = if dense.is_some() {
        (EXACT_TOLERANCE, "the dense Jacobian")
    } else {
        (FD_TOLERANCE, "differences of the residuals")
    };
    Some(item(&a, &b, Some(&noise), tol, against))
}

fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|e| format!("panicked: {}", panic_message(&e)))
}

fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = e.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown payload".into()
    }
}
