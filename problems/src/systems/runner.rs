//! Runs the bounded systems with the scaled interior trust-region solver
//! ([`trust_region::solver::interior::Interior`]) over scalings x step rules x starting points.
//!
//! Starts per problem (spec, "Starting points"): the three quarter points `q1`, `q2`, `q3`
//! ([`super::quarter_points`]) and `random_starts` seeded uniform interior points `r0`, `r1`, ...
//! ([`super::random_interior_points`] with the per-problem seed `seed ^ fnv1a(name)`, so that a
//! problem's starts do not depend on which other problems run).
//!
//! A run **succeeds** when the final point lies in the box and `||F(x)||_2 <= 1e-8`
//! ([`SUCCESS_TOL`]), with `||F(x)||` recomputed here from the problem, independently of the
//! solver's report. Jacobian: the dense one (dense LU) when the problem offers it and
//! `n <= DENSE_RUN_MAX_N`, else the sparse one (sparse LU).
//!
//! Runs are independent and executed in parallel with rayon; the records come back in a fixed
//! order (problem, scaling, rule, start) and everything but `seconds` is the same with any
//! number of threads.
//!
//! Cost, measured once (release build, 2 cores): the default [`super::suite`] x 5 scalings x
//! 2 rules x (3 + 100) starts is 17510 runs and took 988 s wall; 1138 of the 1165 solver seconds
//! went to `bratu_2d` (n = 1024, sparse LU), where 457 runs from random starts hit the
//! 1000-iteration limit at 1 to 4 ms per iteration. A smaller `max_iterations` in
//! [`run_systems_with`] bounds this.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;
use trust_region::problem::fd::DEFAULT_REL_STEP;
use trust_region::scaling::{Scaling, EQUAL_WEIGHTS};
use trust_region::solver::interior::{Interior, InteriorOptions, StepRule};
use trust_region::{Bounds, DenseStore, Residuals, SparseStore};

use super::{quarter_points, random_interior_points, residual_norm, SystemProblem};

/// A run succeeds when `||F(x)||_2 <= SUCCESS_TOL` at a final point inside the box (spec).
pub const SUCCESS_TOL: f64 = 1e-8;

/// Largest `n` solved with the dense Jacobian (when offered); above it the sparse one is used.
pub const DENSE_RUN_MAX_N: usize = 200;

/// One run. Field names are the JSON / CSV keys.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SystemRunRecord {
    /// Problem name.
    pub problem: String,
    /// Number of unknowns.
    pub n: usize,
    /// Scaling name (`cl`, `huu`, `kk`, `combination`, `adaptive`).
    pub scaling: String,
    /// Step rule name (`dogleg`, `constrained_dogleg`).
    pub rule: String,
    /// Start: `q1`, `q2`, `q3` (quarter points) or `r0`, `r1`, ... (random interior points).
    pub start: String,
    /// `dense` or `sparse`: the Jacobian used.
    pub jacobian: String,
    /// `||F(x)|| <= 1e-8` and `x` in the box.
    pub success: bool,
    /// The solver's termination name (`root`, `stationary_not_root`, ...), or `setup_error`.
    pub termination: String,
    /// `||F(x)||_2` at the final point, recomputed from the problem.
    pub residual_norm: f64,
    /// Whether the final point lies in the box.
    pub in_box: bool,
    /// Iterations (trial steps).
    pub iterations: usize,
    /// Evaluations of `F`.
    pub f_evals: usize,
    /// Jacobian evaluations.
    pub j_evals: usize,
    /// Wall-clock seconds of the solve (the only field that depends on the machine).
    pub seconds: f64,
}

/// The five scalings of the spec: CL, HUU (p = 2), KK (gamma = Lambda = 1), the equal-weight
/// combination, and the adaptive choice.
pub fn default_scalings() -> Vec<Scaling> {
    vec![
        Scaling::ColemanLi,
        Scaling::huu(),
        Scaling::kanzow_klug(),
        Scaling::combination(EQUAL_WEIGHTS),
        Scaling::Adaptive,
    ]
}

/// Both step rules: STRSCNE dogleg and CoDoSol constrained dogleg.
pub fn default_rules() -> Vec<StepRule> {
    vec![StepRule::Dogleg, StepRule::ConstrainedDogleg]
}

/// FNV-1a hash of a name (per-problem seed).
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// The named starting points of a problem: `q1..q3`, then `r0..r{random_starts - 1}`.
pub fn starts(p: &dyn SystemProblem, random_starts: usize, seed: u64) -> Vec<(String, Vec<f64>)> {
    let b = p.bounds();
    let mut out: Vec<(String, Vec<f64>)> =
        quarter_points(&b).into_iter().enumerate().map(|(k, x)| (format!("q{}", k + 1), x)).collect();
    let name = p.info().name;
    for (k, x) in random_interior_points(&b, random_starts, seed ^ fnv1a(&name)).into_iter().enumerate() {
        out.push((format!("r{k}"), x));
    }
    out
}

fn in_box(b: &Bounds, x: &[f64]) -> bool {
    x.len() == b.dim() && x.iter().zip(b.lower.iter().zip(&b.upper)).all(|(&v, (&l, &u))| l <= v && v <= u)
}

/// Runs every problem x scaling x rule x start with the default [`InteriorOptions`] (scaling
/// and rule replaced); see the module documentation.
pub fn run_systems(
    problems: &[Box<dyn SystemProblem>],
    scalings: &[Scaling],
    rules: &[StepRule],
    random_starts: usize,
    seed: u64,
) -> Vec<SystemRunRecord> {
    run_systems_with(problems, scalings, rules, random_starts, seed, &InteriorOptions::default())
}

/// [`run_systems`] with other base options (limits, tolerances); `scaling` and `step_rule` of
/// `base` are replaced by each combination.
pub fn run_systems_with(
    problems: &[Box<dyn SystemProblem>],
    scalings: &[Scaling],
    rules: &[StepRule],
    random_starts: usize,
    seed: u64,
    base: &InteriorOptions,
) -> Vec<SystemRunRecord> {
    struct Job<'a> {
        p: &'a dyn SystemProblem,
        scaling: Scaling,
        rule: StepRule,
        start: String,
        x0: Vec<f64>,
    }
    let mut jobs = Vec::new();
    for p in problems {
        let st = starts(p.as_ref(), random_starts, seed);
        for &scaling in scalings {
            for &rule in rules {
                for (name, x0) in &st {
                    jobs.push(Job { p: p.as_ref(), scaling, rule, start: name.clone(), x0: x0.clone() });
                }
            }
        }
    }
    jobs.par_iter()
        .map(|j| {
            let mut options = base.clone();
            options.scaling = j.scaling;
            options.step_rule = j.rule;
            run_one(j.p, options, &j.start, &j.x0)
        })
        .collect()
}

/// The residuals of a system as a `Sync` [`Residuals`] (for the finite-difference solve).
struct ResidualsOf<'a>(&'a dyn SystemProblem);

impl Residuals for ResidualsOf<'_> {
    fn dim(&self) -> usize {
        self.0.residuals().dim()
    }
    fn residual_count(&self) -> usize {
        self.0.residuals().residual_count()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.0.residuals().residuals(x, r)
    }
}

/// One solve of `p` from `x0` with `options` (dense Jacobian for `n <= DENSE_RUN_MAX_N` when
/// offered, else sparse, else finite differences).
pub fn run_one(p: &dyn SystemProblem, options: InteriorOptions, start: &str, x0: &[f64]) -> SystemRunRecord {
    let info = p.info();
    let bounds = p.bounds();
    let (scaling, rule) = (options.scaling.name().to_string(), options.step_rule.name().to_string());
    let mut solver = Interior::new(options);
    let (jacobian, result) = match (p.dense_jacobian(), p.sparse_jacobian()) {
        (Some(dj), _) if info.n <= DENSE_RUN_MAX_N => ("dense", solver.solve_dense(dj, &bounds, x0)),
        (_, Some(sj)) => ("sparse", SparseStore::user(sj).and_then(|store| solver.solve(store, &bounds, x0))),
        (Some(dj), None) => ("dense", solver.solve_dense(dj, &bounds, x0)),
        (None, None) => {
            let residuals = ResidualsOf(p);
            ("fd", solver.solve(DenseStore::finite_differences(&residuals, &bounds, DEFAULT_REL_STEP), &bounds, x0))
        }
    };
    let mut rec = SystemRunRecord {
        problem: info.name,
        n: info.n,
        scaling,
        rule,
        start: start.to_string(),
        jacobian: jacobian.to_string(),
        success: false,
        termination: "setup_error".into(),
        residual_norm: f64::NAN,
        in_box: false,
        iterations: 0,
        f_evals: 0,
        j_evals: 0,
        seconds: 0.0,
    };
    if let Ok(report) = result {
        let norm = residual_norm(p, &report.x);
        let inside = in_box(&bounds, &report.x);
        rec.success = inside && norm <= SUCCESS_TOL;
        rec.termination = report.termination.name().to_string();
        rec.residual_norm = norm;
        rec.in_box = inside;
        rec.iterations = report.iterations;
        rec.f_evals = report.evaluations.residuals;
        rec.j_evals = report.evaluations.jacobian;
        rec.seconds = report.elapsed.as_secs_f64();
    }
    rec
}

/// Median of a list (mean of the two middle values for an even count); `NaN` if empty.
pub fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        0.5 * (v[m - 1] + v[m])
    }
}

/// Summary per scaling x rule, in order of first appearance.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SystemSummary {
    /// Scaling name.
    pub scaling: String,
    /// Step rule name.
    pub rule: String,
    /// Runs.
    pub runs: usize,
    /// Successful runs.
    pub successes: usize,
    /// Successful runs from the quarter points.
    pub quarter_successes: usize,
    /// Runs from the quarter points.
    pub quarter_runs: usize,
    /// Median iterations over the successful runs.
    pub median_iterations: f64,
    /// Median F-evaluations over the successful runs.
    pub median_f_evals: f64,
    /// Median J-evaluations over the successful runs.
    pub median_j_evals: f64,
    /// Median seconds over the successful runs.
    pub median_seconds: f64,
    /// Total seconds over all runs.
    pub total_seconds: f64,
}

/// One [`SystemSummary`] per scaling x rule present in `records`.
pub fn summarize(records: &[SystemRunRecord]) -> Vec<SystemSummary> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for r in records {
        let k = (r.scaling.clone(), r.rule.clone());
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.into_iter()
        .map(|(scaling, rule)| {
            let rs: Vec<&SystemRunRecord> = records.iter().filter(|r| r.scaling == scaling && r.rule == rule).collect();
            let ok: Vec<&&SystemRunRecord> = rs.iter().filter(|r| r.success).collect();
            let quarter: Vec<&&SystemRunRecord> = rs.iter().filter(|r| r.start.starts_with('q')).collect();
            SystemSummary {
                runs: rs.len(),
                successes: ok.len(),
                quarter_runs: quarter.len(),
                quarter_successes: quarter.iter().filter(|r| r.success).count(),
                median_iterations: median(ok.iter().map(|r| r.iterations as f64).collect()),
                median_f_evals: median(ok.iter().map(|r| r.f_evals as f64).collect()),
                median_j_evals: median(ok.iter().map(|r| r.j_evals as f64).collect()),
                median_seconds: median(ok.iter().map(|r| r.seconds).collect()),
                total_seconds: rs.iter().map(|r| r.seconds).sum(),
                scaling,
                rule,
            }
        })
        .collect()
}

/// The summary table per scaling x rule: successes over all starts and over the quarter
/// points, medians over the successful runs.
pub fn summary_table(records: &[SystemRunRecord]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<12} {:<19} {:>13} {:>9} {:>9} {:>8} {:>8} {:>11} {:>9}",
        "scaling", "rule", "successes", "quarter", "med.iter", "med.F", "med.J", "med.time", "total s"
    );
    for t in summarize(records) {
        let _ = writeln!(
            s,
            "{:<12} {:<19} {:>6}/{:<6} {:>4}/{:<4} {:>9.1} {:>8.1} {:>8.1} {:>11.3e} {:>9.2}",
            t.scaling,
            t.rule,
            t.successes,
            t.runs,
            t.quarter_successes,
            t.quarter_runs,
            t.median_iterations,
            t.median_f_evals,
            t.median_j_evals,
            t.median_seconds,
            t.total_seconds
        );
    }
    s
}

/// Per problem and quarter point, whether some scaling x rule succeeded from it (the issue's
/// "solved from each of the three quarter points by at least one scaling").
pub fn quarter_point_coverage(records: &[SystemRunRecord]) -> Vec<(String, [bool; 3])> {
    let mut order: Vec<String> = Vec::new();
    let mut map: BTreeMap<String, [bool; 3]> = BTreeMap::new();
    for r in records {
        let k = match r.start.as_str() {
            "q1" => 0,
            "q2" => 1,
            "q3" => 2,
            _ => continue,
        };
        if !map.contains_key(&r.problem) {
            order.push(r.problem.clone());
        }
        let e = map.entry(r.problem.clone()).or_insert([false; 3]);
        e[k] |= r.success;
    }
    order.into_iter().map(|p| (p.clone(), map[&p])).collect()
}

/// Per-problem table of quarter-point successes: one column per scaling x rule with the
/// successful quarter points (`123` all three, `1-3` all but q2, `---` none), a column
/// `random` with the successes from the random starts over all combinations, and a column
/// `any` with the quarter points solved by at least one combination.
pub fn quarter_point_table(records: &[SystemRunRecord]) -> String {
    let combos: Vec<(String, String)> = summarize(records).into_iter().map(|t| (t.scaling, t.rule)).collect();
    let coverage = quarter_point_coverage(records);
    let mut s = String::new();
    let _ = write!(s, "{:<24} {:>7}", "problem", "n");
    for (sc, ru) in &combos {
        let abbrev = if ru == "dogleg" { "dl" } else { "cd" };
        let _ = write!(s, " {:>8}", format!("{sc}/{abbrev}"));
    }
    let _ = writeln!(s, " {:>11} {:>5}", "random", "any");
    for (problem, any) in &coverage {
        let n = records.iter().find(|r| &r.problem == problem).map_or(0, |r| r.n);
        let _ = write!(s, "{problem:<24} {n:>7}");
        for (sc, ru) in &combos {
            let mut cell = String::new();
            for (k, q) in ["q1", "q2", "q3"].iter().enumerate() {
                let ok = records
                    .iter()
                    .any(|r| &r.problem == problem && &r.scaling == sc && &r.rule == ru && r.start == *q && r.success);
                cell.push(if ok { char::from(b'1' + k as u8) } else { '-' });
            }
            let _ = write!(s, " {cell:>8}");
        }
        let random: Vec<&SystemRunRecord> =
            records.iter().filter(|r| &r.problem == problem && r.start.starts_with('r')).collect();
        let random_ok = random.iter().filter(|r| r.success).count();
        let any_cell: String =
            any.iter().enumerate().map(|(k, &ok)| if ok { char::from(b'1' + k as u8) } else { '-' }).collect();
        let _ = writeln!(s, " {:>11} {:>5}", format!("{random_ok}/{}", random.len()), any_cell);
    }
    s
}

/// The records as CSV (header = the [`SystemRunRecord`] field names).
pub fn csv(records: &[SystemRunRecord]) -> String {
    let mut s = String::from(
        "problem,n,scaling,rule,start,jacobian,success,termination,residual_norm,in_box,iterations,f_evals,j_evals,seconds\n",
    );
    for r in records {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{:e},{},{},{},{},{:e}",
            r.problem,
            r.n,
            r.scaling,
            r.rule,
            r.start,
            r.jacobian,
            r.success,
            r.termination,
            r.residual_norm,
            r.in_box,
            r.iterations,
            r.f_evals,
            r.j_evals,
            r.seconds
        );
    }
    s
}
