//! One training run of the FDNet experiments (trust region or Adam) with its metrics, and the
//! reference's published numbers.
//!
//! A run trains `FdNet::for_case(case, filters)` from `FdNet::init(seed)` on mini-batches drawn
//! from `seed`, then rolls the learned operator out on the test set ([`super::metrics`]). The
//! data set is shared by all seeds of a case (generated once from a data seed); the run seed
//! drives the initialization and the batches. Training curves are the full training loss
//! ([`LossStats`]) against cost (gradients + Hessian-vector products for the trust region,
//! gradients for Adam).

use std::fmt;
use std::ops::ControlFlow;
use std::time::Duration;

use trust_region::solver::hessian_free::{training_cost, HessianFree, HessianFreeOptions, HistoryEntry};

use super::adam::{adam, AdamOptions};
use super::data::{Case, HeatData};
use super::loss::{dataset_loss_of, FdNetLoss, LossStats};
use super::metrics::{final_profile, rollout, Rollout};
use super::net::FdNet;

/// The training method of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// The sub-sampled Hessian-free trust region (reference settings).
    TrustRegion,
    /// Adam with the given learning rate.
    Adam {
        /// Learning rate.
        learning_rate: f64,
    },
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::TrustRegion => write!(f, "TR"),
            Method::Adam { learning_rate } => write!(f, "Adam {learning_rate:.0e}"),
        }
    }
}

/// Settings shared by the runs.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSettings {
    /// Filters `F`. Default 16.
    pub filters: usize,
    /// Mini-batch size. Default 64.
    pub batch_size: usize,
    /// Trust-region iterations; `None` means the reference's (100, or 300 for `dt = 200`).
    pub tr_iterations: Option<usize>,
    /// Adam iterations. Default 12,000.
    pub adam_iterations: usize,
    /// Points on an Adam training curve (the trust region records every iteration).
    /// Default 200.
    pub adam_curve_points: usize,
}

impl Default for RunSettings {
    fn default() -> Self {
        Self { filters: 16, batch_size: 64, tr_iterations: None, adam_iterations: 12_000, adam_curve_points: 200 }
    }
}

/// The outcome of one run.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// The case.
    pub case: Case,
    /// The method.
    pub method: Method,
    /// The run seed.
    pub seed: u64,
    /// Test rollout errors.
    pub rollout: Rollout,
    /// Final full training loss (direct residuals over every training pair).
    pub train_loss: f64,
    /// Cost: gradients + Hessian-vector products (trust region) or gradients (Adam).
    pub cost: usize,
    /// Training time.
    pub elapsed: Duration,
    /// `(cost, full training loss)` along the run, starting at cost 0.
    pub curve: Vec<(usize, f64)>,
    /// Predicted `u` of the first test trajectory at `t = 1000`.
    pub profile: Vec<f64>,
    /// Stored `u` of the first test trajectory at `t = 1000`.
    pub exact_profile: Vec<f64>,
    /// Whether training itself failed (Adam: non-finite loss; trust region: non-finite
    /// termination).
    pub training_failed: bool,
    /// Final weights.
    pub w: Vec<f64>,
}

impl RunResult {
    /// Whether the run diverged: training failed or the rollout blew up.
    pub fn diverged(&self) -> bool {
        self.training_failed || self.rollout.diverged
    }
}

/// Trains `method` on `data` from `seed` and measures it. `stats` must come from the same data.
pub fn run(data: &HeatData, stats: &LossStats, method: Method, seed: u64, settings: &RunSettings) -> RunResult {
    let case = data.case;
    let net = FdNet::for_case(case, settings.filters);
    let w0 = net.init(seed);
    let mut loss = FdNetLoss::new(net, data, settings.batch_size, seed);
    let mut curve = vec![(0, stats.loss(&net.operator(&w0)))];
    let (w, cost, elapsed, training_failed) = match method {
        Method::TrustRegion => {
            let mut options = HessianFreeOptions::default();
            options.limits.max_iterations = settings.tr_iterations.unwrap_or(case.tr_iterations());
            let observer = |e: &HistoryEntry, w: &[f64]| {
                curve.push((e.cost, stats.loss(&net.operator(w))));
                ControlFlow::Continue(())
            };
            let report = HessianFree::new()
                .with_options(options)
                .with_observer(observer)
                .train(&mut loss, &w0)
                .expect("valid options and a finite start point");
            let failed = report.termination.class() != trust_region::TerminationClass::Stopped;
            (report.x, training_cost(&report.evaluations), report.elapsed, failed)
        }
        Method::Adam { learning_rate } => {
            let opts = AdamOptions { learning_rate, iterations: settings.adam_iterations, ..AdamOptions::default() };
            let every = (settings.adam_iterations / settings.adam_curve_points.max(1)).max(1);
            let report = adam(&mut loss, &w0, &opts, |t, _, w| {
                if t % every == 0 || t == opts.iterations {
                    let l = stats.loss(&net.operator(w));
                    curve.push((t, l));
                    if !l.is_finite() {
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            });
            (report.w, report.iterations, report.elapsed, report.diverged)
        }
    };
    let op = net.operator(&w);
    let (profile, exact_profile) = final_profile(&op, data, 0);
    RunResult {
        case,
        method,
        seed,
        rollout: rollout(&op, data),
        train_loss: dataset_loss_of(&op, data),
        cost,
        elapsed,
        curve,
        profile,
        exact_profile,
        training_failed,
        w,
    }
}

/// What the reference reports for one case (spec `fdnet.md`, "Metrics"; 10 seeds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reference {
    /// Median final (`t = 1000`) test MSE of the trust region.
    pub tr_final_mse: f64,
    /// Forward Euler's final test MSE with the true `dx`, where reported.
    pub euler_final_mse: Option<f64>,
    /// Trust-region training loss, where reported.
    pub tr_train_loss: Option<f64>,
    /// Adam runs (of 10) that diverged, as printed (`"5-9/10"` is the range over the stable,
    /// noisy and forcing cases).
    pub adam_divergences: &'static str,
    /// The acceptance bound on the median final MSE of the trust region.
    pub target_final_mse: f64,
}

/// The reference's numbers for `case`.
pub fn reference(case: Case) -> Reference {
    match case {
        Case::Stable => Reference {
            tr_final_mse: 1.3e-8,
            euler_final_mse: Some(5.6e-8),
            tr_train_loss: Some(1e-13),
            adam_divergences: "5-9/10",
            target_final_mse: 3e-8,
        },
        Case::Unstable => Reference {
            tr_final_mse: 8.0e-11,
            euler_final_mse: Some(70.0),
            tr_train_loss: None,
            adam_divergences: "-",
            target_final_mse: 2e-10,
        },
        Case::Noisy => Reference {
            tr_final_mse: 2.9e-7,
            euler_final_mse: None,
            tr_train_loss: None,
            adam_divergences: "5-9/10",
            target_final_mse: 1e-6,
        },
        Case::Forcing => Reference {
            tr_final_mse: 7.9e-9,
            euler_final_mse: Some(3.9e-6),
            tr_train_loss: None,
            adam_divergences: "5-9/10",
            target_final_mse: 3e-8,
        },
    }
}

/// Median of the finite-or-infinite values (NaN sorts last); `NaN` for an empty slice.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}
