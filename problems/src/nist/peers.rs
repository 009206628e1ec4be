//! Peers on the same least-squares problem code: the `levenberg-marquardt` crate and basin
//! 3.2's Levenberg-Marquardt, so that the NIST table and `benches/least_squares.rs` can put
//! other implementations beside ours in one run, on the same residuals and Jacobians (through
//! [`Residuals`] and [`DenseJacobian`]), scored by the same code.
//!
//! Not this crate's algorithms: each adapter only forwards the evaluations and translates the
//! stopping rule. Both peers are MINPACK-style Levenberg-Marquardt methods (More, "The
//! Levenberg-Marquardt algorithm: implementation and theory", 1978: the step from a QR of the
//! scaled Jacobian, column scaling by the running maximum of the column norms, the radius
//! rule of `lmder`).
//!
//! # Tolerances: ours and theirs
//!
//! The NIST runs ([`super::runner`]) stop on a relative gradient `||g||_inf <= grtol
//! ||g0||_inf` (`grtol` 1e-15), a relative change of `f` on an accepted step
//! `0 <= f_old - f_new <= ftol |f_new|` (`ftol` 1e-15), the round-off test, and 5000
//! iterations (trial steps), 60 s per run; no absolute gradient and no step test. The peers
//! get the nearest settings their APIs offer:
//!
//! | ours | `levenberg-marquardt` 0.15 | basin 3.2 `LevenbergMarquardt` (pivoted QR) |
//! | --- | --- | --- |
//! | `grtol` (relative to `g0`) | `gtol` = `grtol`: MINPACK's cosine `max_j \|(J'r)_j\| / (\|\|J e_j\|\| \|\|r\|\|)` (scale free, but not relative to the start) | `with_gradient_orthogonality_tolerance(grtol)`: the same cosine |
//! | `gtol` (absolute, off) | none | `with_absolute_gradient_tolerance(None)` (its default `1e-8` would stop Lanczos1 at once and Hahn1 never) |
//! | `ftol` (relative f change, accepted step) | `ftol` = `ftol`: MINPACK's, actual and predicted relative reductions `<= ftol` and ratio `<= 2` | `with_relative_model_reduction_tolerance(ftol)`: the same three conditions |
//! | `xtol` (off) | `xtol` = `xtol` (0: only its machine-precision form remains, like our round-off test) | `with_relative_step_tolerance` only when `xtol > 0` |
//! | round-off test | its `NoImprovementPossible` tests at machine precision (always on) | its numerical no-progress check (default, on) |
//! | 5000 iterations | no iteration cap: `patience = ceil((max_iterations + 1) / (n + 1))`, i.e. about `max_iterations + 1` residual evaluations (one per trial step, as ours) | `Executor::max_iter(max_iterations)` |
//! | 60 s | no time limit: the adapter's Jacobian returns `None` (a user stop) once the time is up; the crate then returns the current point | `Executor::max_time` |
//!
//! Counts: residual and Jacobian evaluations as the adapters see them (the
//! `levenberg-marquardt` crate counts residuals only; basin's own `EvalCounts` agree with the
//! adapter's). Iterations: for the `levenberg-marquardt` crate, which does not report them,
//! the trial steps, i.e. residual evaluations less the one at the start (our count's meaning);
//! for basin, its completed iterations.

use std::cell::Cell;
use std::time::{Duration, Instant};

use faer::MatMut;
use nalgebra034::{DMatrix, DVector, Dyn, VecStorage, U1};
use trust_region::problem::{DenseJacobian, Residuals};

/// Stopping settings handed to a peer (the NIST settings' fields, see the module docs for the
/// translation).
#[derive(Clone, Debug)]
pub struct PeerSettings {
    /// Gradient cosine tolerance (MINPACK's `gtol`); we pass our relative gradient tolerance.
    pub gtol_cosine: f64,
    /// MINPACK's `ftol`: relative actual and predicted reductions.
    pub ftol: f64,
    /// MINPACK's `xtol`: relative step (0 = off).
    pub xtol: f64,
    /// Iteration limit (trial steps).
    pub max_iterations: usize,
    /// Time limit per run.
    pub max_time: Duration,
}

/// What a peer returns: the final point and its counts.
#[derive(Clone, Debug)]
pub struct PeerFit {
    /// The final parameters.
    pub x: Vec<f64>,
    /// The peer's termination, as a short name (`lmcrate_...` or `basin_...`).
    pub termination: String,
    /// Whether the peer counts its termination as successful convergence.
    pub converged: bool,
    /// Iterations (see the module docs for each peer's meaning).
    pub iterations: usize,
    /// Residual evaluations.
    pub f_evals: usize,
    /// Jacobian evaluations.
    pub j_evals: usize,
}

/// The problem as the `levenberg-marquardt` crate sees it: nalgebra 0.34 vectors (the crate's
/// nalgebra, a renamed dependency beside the workspace's 0.35), evaluations forwarded to the
/// problem's code. The Jacobian is written straight into nalgebra's column-major storage
/// through a faer view (no copy).
struct LmCrateAdapter<'a, P> {
    problem: &'a P,
    x: DVector<f64>,
    f_evals: Cell<usize>,
    j_evals: Cell<usize>,
    deadline: Instant,
    timed_out: Cell<bool>,
}

impl<P: Residuals + DenseJacobian> levenberg_marquardt::LeastSquaresProblem<f64, Dyn, Dyn> for LmCrateAdapter<'_, P> {
    type ResidualStorage = VecStorage<f64, Dyn, U1>;
    type JacobianStorage = VecStorage<f64, Dyn, Dyn>;
    type ParameterStorage = VecStorage<f64, Dyn, U1>;

    fn set_params(&mut self, x: &DVector<f64>) {
        self.x.copy_from(x);
    }

    fn params(&self) -> DVector<f64> {
        self.x.clone()
    }

    fn residuals(&self) -> Option<DVector<f64>> {
        let mut r = DVector::zeros(self.problem.residual_count());
        self.problem.residuals(self.x.as_slice(), r.as_mut_slice());
        self.f_evals.set(self.f_evals.get() + 1);
        Some(r)
    }

    fn jacobian(&self) -> Option<DMatrix<f64>> {
        // Called only at accepted points (and the start), so stopping here leaves the crate's
        // parameters at the current iterate.
        if Instant::now() >= self.deadline {
            self.timed_out.set(true);
            return None;
        }
        let (m, n) = (self.problem.residual_count(), self.problem.dim());
        let mut jac = DMatrix::zeros(m, n);
        self.problem.jacobian(self.x.as_slice(), MatMut::from_column_major_slice_mut(jac.as_mut_slice(), m, n));
        self.j_evals.set(self.j_evals.get() + 1);
        Some(jac)
    }
}

/// A short name for a `levenberg-marquardt` termination (`lmcrate_` and the variant in snake
/// case; `max_time` for the adapter's time limit).
fn lm_crate_termination(reason: &levenberg_marquardt::TerminationReason, timed_out: bool) -> String {
    use levenberg_marquardt::TerminationReason as T;
    if timed_out {
        return "max_time".to_string();
    }
    let name = match reason {
        T::User(_) => "user".to_string(),
        T::Numerical(what) => format!("numerical_{}", what.replace([' ', '|'], "")),
        T::ResidualsZero => "residuals_zero".to_string(),
        T::Orthogonal => "orthogonal".to_string(),
        T::Converged { ftol, xtol } => match (ftol, xtol) {
            (true, true) => "converged_ftol_xtol".to_string(),
            (true, false) => "converged_ftol".to_string(),
            _ => "converged_xtol".to_string(),
        },
        T::NoImprovementPossible(which) => format!("no_improvement_{which}"),
        T::LostPatience => "lost_patience".to_string(),
        T::NoParameters => "no_parameters".to_string(),
        T::NoResiduals => "no_residuals".to_string(),
        T::WrongDimensions(what) => format!("wrong_dimensions_{what}"),
    };
    format!("lmcrate_{name}")
}

/// Fits `problem` from `x0` with the `levenberg-marquardt` crate (0.15, MINPACK's `lmder`
/// ported to nalgebra), with the tolerances of `settings` as the module docs map them.
///
/// Negative or NaN tolerances (which the crate would reject with a panic) are treated as 0, infinite ones as `f64::MAX`.
pub fn fit_lm_crate<P: Residuals + DenseJacobian>(problem: &P, x0: &[f64], settings: &PeerSettings) -> PeerFit {
    let n = problem.dim();
    let adapter = LmCrateAdapter {
        problem,
        x: DVector::from_column_slice(x0),
        f_evals: Cell::new(0),
        j_evals: Cell::new(0),
        deadline: Instant::now() + settings.max_time,
        timed_out: Cell::new(false),
    };
    let nonneg = |v: f64| if v > 0.0 { v.min(f64::MAX) } else { 0.0 };
    // max_fev = patience (n + 1) >= max_iterations + 1 (the start and one evaluation per trial).
    let patience = (settings.max_iterations + 1).div_ceil(n + 1).max(1);
    let (adapter, report) = levenberg_marquardt::LevenbergMarquardt::new()
        .with_gtol(nonneg(settings.gtol_cosine))
        .with_ftol(nonneg(settings.ftol))
        .with_xtol(nonneg(settings.xtol))
        .with_patience(patience)
        .minimize(adapter);
    let f_evals = adapter.f_evals.get();
    PeerFit {
        x: adapter.x.as_slice().to_vec(),
        termination: lm_crate_termination(&report.termination, adapter.timed_out.get()),
        converged: report.termination.was_successful(),
        iterations: f_evals.saturating_sub(1),
        f_evals,
        j_evals: adapter.j_evals.get(),
    }
}

/// The problem as basin 3.2 sees it: `Vec<f64>` parameters and residuals, its row-major
/// `DenseMatrix` Jacobian (filled from the problem's column-major one: basin's dependency-free
/// backend, the one `basin-lbfgs` uses too).
struct BasinAdapter<'a, P> {
    problem: &'a P,
}

impl<P: Residuals + DenseJacobian> basin::Residual for BasinAdapter<'_, P> {
    type Param = Vec<f64>;
    type Output = Vec<f64>;
    type Error = std::convert::Infallible;

    fn residual(&self, x: &Vec<f64>) -> Result<Vec<f64>, Self::Error> {
        let mut r = vec![0.0; self.problem.residual_count()];
        self.problem.residuals(x, &mut r);
        Ok(r)
    }

    fn residual_into(&self, x: &Vec<f64>, out: &mut Vec<f64>) -> Result<(), Self::Error> {
        out.resize(self.problem.residual_count(), 0.0);
        self.problem.residuals(x, out);
        Ok(())
    }
}

impl<P: Residuals + DenseJacobian> basin::Jacobian for BasinAdapter<'_, P> {
    type Jacobian = basin::DenseMatrix<f64>;

    fn jacobian(&self, x: &Vec<f64>) -> Result<basin::DenseMatrix<f64>, Self::Error> {
        let (m, n) = (self.problem.residual_count(), self.problem.dim());
        let mut jac = faer::Mat::<f64>::zeros(m, n);
        self.problem.jacobian(x, jac.as_mut());
        Ok(basin::DenseMatrix::from_fn(m, n, |i, j| jac[(i, j)]))
    }
}

/// A short name for a basin termination: `basin_` and its termination code in snake case.
fn basin_termination(code: basin::TerminationCode) -> String {
    let debug = format!("{code:?}");
    let mut s = String::from("basin");
    for c in debug.chars() {
        if c.is_ascii_uppercase() {
            s.push('_');
        }
        s.push(c.to_ascii_lowercase());
    }
    s
}

/// Fits `problem` from `x0` with basin 3.2's `LevenbergMarquardt` in its pivoted-QR form
/// (`LevenbergMarquardt::new().with_pivoted_qr()`: `[J; sqrt(mu D)]` factored without forming
/// `J'J`, MINPACK's trust-region damping by default), on basin's `Vec<f64>` backend, with the
/// tolerances of `settings` as the module docs map them.
pub fn fit_basin_ls<P: Residuals + DenseJacobian>(problem: &P, x0: &[f64], settings: &PeerSettings) -> PeerFit {
    let nonneg = |v: f64| if v > 0.0 { v.min(f64::MAX) } else { 0.0 };
    let mut solver = basin::LevenbergMarquardt::<Vec<f64>, basin::DenseMatrix<f64>>::new()
        .with_absolute_gradient_tolerance(None)
        .with_gradient_orthogonality_tolerance(nonneg(settings.gtol_cosine))
        .with_relative_model_reduction_tolerance(nonneg(settings.ftol));
    if settings.xtol > 0.0 {
        solver = solver.with_relative_step_tolerance(settings.xtol);
    }
    let run =
        basin::Executor::new(BasinAdapter { problem }, solver.with_pivoted_qr(), basin::PointState::new(x0.to_vec()))
            .max_iter(settings.max_iterations as u64)
            .max_time(settings.max_time)
            .run();
    let Ok(result) = run;
    PeerFit {
        x: result.param().clone(),
        termination: basin_termination(result.report.code()),
        converged: result.report.termination.is_converged(),
        iterations: result.iter() as usize,
        f_evals: result.counts.residual_evals as usize,
        j_evals: result.counts.jacobian_evals as usize,
    }
}
