//! The NIST StRD nonlinear regression datasets (specs/least-squares.md, "Test set"): 27
//! least-squares problems with certified parameters, standard deviations and residual sum of
//! squares, each from two published starting points.
//!
//! The `.dat` files (public domain, from the NIST Statistical Reference Datasets,
//! <https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml>) are copied into
//! `problems/data/nist-strd/` and embedded in the binary, so that tests run on a fresh clone.
//! [`data::parse`] reads a file; [`models::Model`] holds the 19 distinct model formulas with
//! exact derivatives; [`NistProblem`] is one dataset from one start as a
//! [`trust_region::DenseJacobian`] (residuals `r_i = f(x_i; b) - y_i`, with `log(y_i)` for
//! Nelson) and as a [`SuiteProblem`]. [`runner`] fits every dataset and measures the log
//! relative error ([`data::lre`]) of the parameters, the residual sum of squares and the
//! standard deviations against the certified values. [`peers`] runs other implementations
//! (the `levenberg-marquardt` crate, basin 3.2's Levenberg-Marquardt) on the same problems.

use std::sync::Arc;

use faer::MatMut;
use trust_region::problem::{DenseJacobian, Residuals};

use crate::{ProblemInfo, SuiteProblem};

pub mod data;
pub mod models;
pub mod peers;
pub mod runner;

pub use data::{lre, parse, Certified, Dataset, Difficulty, ParseError};
pub use models::Model;

/// The embedded files, in NIST's order of difficulty (lower, average, higher; within a level
/// in the order of the NIST web page).
const FILES: [(&str, &str); 27] = [
    ("Misra1a", include_str!("../../data/nist-strd/Misra1a.dat")),
    ("Chwirut2", include_str!("../../data/nist-strd/Chwirut2.dat")),
    ("Chwirut1", include_str!("../../data/nist-strd/Chwirut1.dat")),
    ("Lanczos3", include_str!("../../data/nist-strd/Lanczos3.dat")),
    ("Gauss1", include_str!("../../data/nist-strd/Gauss1.dat")),
    ("Gauss2", include_str!("../../data/nist-strd/Gauss2.dat")),
    ("DanWood", include_str!("../../data/nist-strd/DanWood.dat")),
    ("Misra1b", include_str!("../../data/nist-strd/Misra1b.dat")),
    ("Kirby2", include_str!("../../data/nist-strd/Kirby2.dat")),
    ("Hahn1", include_str!("../../data/nist-strd/Hahn1.dat")),
    ("Nelson", include_str!("../../data/nist-strd/Nelson.dat")),
    ("MGH17", include_str!("../../data/nist-strd/MGH17.dat")),
    ("Lanczos1", include_str!("../../data/nist-strd/Lanczos1.dat")),
    ("Lanczos2", include_str!("../../data/nist-strd/Lanczos2.dat")),
    ("Gauss3", include_str!("../../data/nist-strd/Gauss3.dat")),
    ("Misra1c", include_str!("../../data/nist-strd/Misra1c.dat")),
    ("Misra1d", include_str!("../../data/nist-strd/Misra1d.dat")),
    ("Roszman1", include_str!("../../data/nist-strd/Roszman1.dat")),
    ("ENSO", include_str!("../../data/nist-strd/ENSO.dat")),
    ("MGH09", include_str!("../../data/nist-strd/MGH09.dat")),
    ("Thurber", include_str!("../../data/nist-strd/Thurber.dat")),
    ("BoxBOD", include_str!("../../data/nist-strd/BoxBOD.dat")),
    ("Rat42", include_str!("../../data/nist-strd/Rat42.dat")),
    ("MGH10", include_str!("../../data/nist-strd/MGH10.dat")),
    ("Eckerle4", include_str!("../../data/nist-strd/Eckerle4.dat")),
    ("Rat43", include_str!("../../data/nist-strd/Rat43.dat")),
    ("Bennett5", include_str!("../../data/nist-strd/Bennett5.dat")),
];

/// The dataset names, in the order of [`datasets`].
pub fn names() -> Vec<&'static str> {
    FILES.iter().map(|f| f.0).collect()
}

/// A dataset with its model, checked for consistency.
#[derive(Clone, Debug)]
pub struct NistDataset {
    /// The parsed file.
    pub data: Dataset,
    /// Its model formula.
    pub model: Model,
    /// The transformed responses the model fits (`log(y)` for Nelson, `y` otherwise).
    pub response: Vec<f64>,
}

impl NistDataset {
    /// Parses `text` and attaches the model of its name; errors if the name is not one of the
    /// 27 or the parameter or predictor counts do not match the model.
    pub fn from_text(text: &str) -> Result<Self, ParseError> {
        let data = parse(text)?;
        let model = Model::of(&data.name)
            .ok_or_else(|| ParseError { line: 0, message: format!("no model for dataset `{}`", data.name) })?;
        if data.n() != model.n() {
            return Err(ParseError {
                line: 0,
                message: format!("{} has {} parameters, its model {}", data.name, data.n(), model.n()),
            });
        }
        if data.x.iter().any(|row| row.len() != model.predictors()) {
            return Err(ParseError {
                line: 0,
                message: format!("{} data rows need {} predictors", data.name, model.predictors()),
            });
        }
        let response = data.y.iter().map(|&y| model.response(y)).collect();
        Ok(Self { data, model, response })
    }

    /// The residuals `f(x_i; b) - response_i` into `r`.
    pub fn residuals(&self, b: &[f64], r: &mut [f64]) {
        for (i, ri) in r.iter_mut().enumerate() {
            *ri = self.model.value(b, &self.data.x[i]) - self.response[i];
        }
    }

    /// Residual sum of squares at `b`.
    pub fn rss(&self, b: &[f64]) -> f64 {
        let mut r = vec![0.0; self.data.m()];
        self.residuals(b, &mut r);
        r.iter().map(|v| v * v).sum()
    }
}

/// Every dataset, parsed from the embedded files.
pub fn datasets() -> Result<Vec<Arc<NistDataset>>, ParseError> {
    FILES
        .iter()
        .map(|(name, text)| {
            NistDataset::from_text(text).map(Arc::new).map_err(|mut e| {
                e.message = format!("{name}.dat: {}", e.message);
                e
            })
        })
        .collect()
}

/// One dataset by name (case-insensitive).
pub fn dataset(name: &str) -> Option<Result<Arc<NistDataset>, ParseError>> {
    FILES.iter().find(|f| f.0.eq_ignore_ascii_case(name)).map(|(_, text)| NistDataset::from_text(text).map(Arc::new))
}

/// One dataset from one of its two starts, as a least-squares problem.
#[derive(Clone, Debug)]
pub struct NistProblem {
    /// The dataset.
    pub dataset: Arc<NistDataset>,
    /// Start 1 or 2.
    pub start: usize,
}

impl NistProblem {
    /// The dataset from start `start` (1 or 2; anything else is `None`).
    pub fn new(dataset: Arc<NistDataset>, start: usize) -> Option<Self> {
        (start == 1 || start == 2).then_some(Self { dataset, start })
    }

    /// The starting point.
    pub fn start_point(&self) -> Vec<f64> {
        self.dataset.data.starts[self.start - 1].clone()
    }
}

impl Residuals for NistProblem {
    fn dim(&self) -> usize {
        self.dataset.data.n()
    }
    fn residual_count(&self) -> usize {
        self.dataset.data.m()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        self.dataset.residuals(x, r);
    }
}

impl DenseJacobian for NistProblem {
    fn jacobian(&self, x: &[f64], mut jac: MatMut<'_, f64>) {
        let d = &self.dataset;
        let mut g = vec![0.0; d.data.n()];
        for i in 0..d.data.m() {
            d.model.gradient(x, &d.data.x[i], &mut g);
            for (j, gj) in g.iter().enumerate() {
                jac[(i, j)] = *gj;
            }
        }
    }
}

impl SuiteProblem for NistProblem {
    fn info(&self) -> ProblemInfo {
        let d = &self.dataset.data;
        ProblemInfo {
            suite: "nist",
            name: d.name.clone(),
            n: d.n(),
            m: Some(d.m()),
            f_star: Some(d.rss.value / 2.0),
            source: "NIST StRD nonlinear regression (https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml)",
        }
    }
    fn x0(&self) -> Vec<f64> {
        self.start_point()
    }
    fn dense_jacobian(&self) -> Option<&dyn DenseJacobian> {
        Some(self)
    }
}

/// Every dataset from both starts (54 problems), dataset by dataset.
pub fn suite() -> Result<Vec<NistProblem>, ParseError> {
    Ok(datasets()?.into_iter().flat_map(|d| [1, 2].map(|s| NistProblem { dataset: d.clone(), start: s })).collect())
}
