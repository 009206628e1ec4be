//! A sparse rectangular least-squares problem of any size: edge-preserving denoising of a
//! synthetic `p x p` image (`benches/least_squares.rs`, the scale case of the data-fitting
//! bench).
//!
//! Unknowns `u` (the image, `n = p^2`, row-major `k = i p + j`). Residuals, `m = p^2 + 2 p (p -
//! 1)` (about `3 p^2`; `p = 577` gives `m = 997,633`):
//!
//! - data: `u_k - f_k` for every pixel (`f` the noisy image);
//! - regularizer: `phi(d)` for every forward difference `d = u_{i,j+1} - u_{i,j}` (horizontal,
//!   then) `d = u_{i+1,j} - u_{i,j}` (vertical), with
//!   `phi(d) = lambda d w(d)`, `w(d) = sqrt(2 / (1 + s))`, `s = sqrt(1 + (d / c)^2)`.
//!
//! Then `phi(d)^2 = 2 lambda^2 c^2 (s - 1)` (from `s^2 - 1 = (d/c)^2 = (s - 1)(s + 1)`): the
//! Charbonnier edge-preserving penalty `c^2 (sqrt(1 + (d/c)^2) - 1)` (Charbonnier, Blanc-Feraud,
//! Aubert & Barlaud, "Deterministic edge-preserving regularization in computed imaging", IEEE
//! Trans. Image Processing 6 (1997) 298-311), quadratic (`lambda^2 d^2`) for `|d| << c` and
//! linear (`2 lambda^2 c |d|`) for `|d| >> c`, like total variation. Written as a residual in
//! this form, `phi` is analytic in `d` (no square root of `s - 1`), so the problem is a smooth
//! nonlinear least-squares problem with an exact sparse Jacobian. Its derivative: with
//! `dw/dd = -(w / 2) (d / c^2) / (s (1 + s))` and `t = (d/c)^2 = (s - 1)(s + 1)`,
//! `phi'(d) = lambda (w + d dw/dd) = lambda w (1 - (s - 1) / (2 s)) = lambda w (s + 1) / (2 s)`,
//! positive for every `d`.
//!
//! The image: a disk of value 1 and a square of value 0.5 on a background of 0 with a gentle
//! ramp, plus Gaussian noise of standard deviation 0.1 from a seeded [`SplitMix64`] (Box-Muller),
//! so every instance is reproducible.

use faer::sparse::SymbolicSparseColMat;
use trust_region::problem::{Residuals, SparseJacobian};

use crate::subproblems::SplitMix64;

/// The denoising problem on a `p x p` grid (see the module docs).
#[derive(Clone, Debug)]
pub struct Denoising {
    /// Grid side: `n = p^2` unknowns.
    pub p: usize,
    /// Weight of the regularizer.
    pub lambda: f64,
    /// Charbonnier scale `c`: differences well below it are smoothed quadratically, well above
    /// it (edges) penalized linearly.
    pub c: f64,
    /// The noisy image `f`, row-major.
    pub data: Vec<f64>,
}

impl Denoising {
    /// The synthetic image of side `p` (at least 2) with noise from `seed`, `lambda = 1`,
    /// `c = 0.1`. `None` if `p < 2`.
    pub fn synthetic(p: usize, seed: u64) -> Option<Self> {
        if p < 2 {
            return None;
        }
        let mut rng = SplitMix64::new(seed ^ 0x4445_4e4f_4953_4521); // "DENOISE!"
        let mut data = Self::clean(p);
        for v in data.iter_mut() {
            // Box-Muller: u1 in (0, 1] so that ln(u1) is finite.
            let u1 = 1.0 - rng.uniform();
            let u2 = rng.uniform();
            *v += 0.1 * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        }
        Some(Self { p, lambda: 1.0, c: 0.1, data })
    }

    /// The image without noise.
    pub fn clean(p: usize) -> Vec<f64> {
        let h = 1.0 / (p.max(2) - 1) as f64;
        let mut img = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..p {
                let (y, x) = (i as f64 * h, j as f64 * h);
                let mut v = 0.2 * x;
                if (x - 0.35).powi(2) + (y - 0.4).powi(2) <= 0.2f64.powi(2) {
                    v = 1.0;
                } else if (0.55..=0.85).contains(&x) && (0.5..=0.8).contains(&y) {
                    v = 0.5;
                }
                img[i * p + j] = v;
            }
        }
        img
    }

    /// Unknowns `n = p^2`.
    pub fn n(&self) -> usize {
        self.p * self.p
    }

    /// Residuals `m = p^2 + 2 p (p - 1)`.
    pub fn m(&self) -> usize {
        self.n() + 2 * self.p * (self.p - 1)
    }

    /// `phi(d)` and `phi'(d)` (module docs).
    pub fn phi(&self, d: f64) -> (f64, f64) {
        let t = d / self.c;
        let s = (1.0 + t * t).sqrt();
        let w = (2.0 / (1.0 + s)).sqrt();
        (self.lambda * d * w, self.lambda * w * (s + 1.0) / (2.0 * s))
    }

    /// Row of the horizontal difference `u_{i,j+1} - u_{i,j}` (`j < p - 1`).
    fn row_h(&self, i: usize, j: usize) -> usize {
        self.n() + i * (self.p - 1) + j
    }

    /// Row of the vertical difference `u_{i+1,j} - u_{i,j}` (`i < p - 1`).
    fn row_v(&self, i: usize, j: usize) -> usize {
        self.n() + self.p * (self.p - 1) + i * self.p + j
    }
}

impl Residuals for Denoising {
    fn dim(&self) -> usize {
        self.n()
    }
    fn residual_count(&self) -> usize {
        self.m()
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        let p = self.p;
        for k in 0..self.n() {
            r[k] = x[k] - self.data[k];
        }
        for i in 0..p {
            for j in 0..p - 1 {
                r[self.row_h(i, j)] = self.phi(x[i * p + j + 1] - x[i * p + j]).0;
            }
        }
        for i in 0..p - 1 {
            for j in 0..p {
                r[self.row_v(i, j)] = self.phi(x[(i + 1) * p + j] - x[i * p + j]).0;
            }
        }
    }
}

impl SparseJacobian for Denoising {
    /// Column `k = (i, j)`: its data row, then the horizontal differences `(i, j - 1)` (`+`) and
    /// `(i, j)` (`-`), then the vertical ones `(i - 1, j)` (`+`) and `(i, j)` (`-`), the
    /// existing ones only: rows in increasing order.
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        let (p, n, m) = (self.p, self.n(), self.m());
        let mut col_ptr = Vec::with_capacity(n + 1);
        let mut rows = Vec::with_capacity(n + 4 * p * (p - 1));
        col_ptr.push(0);
        for i in 0..p {
            for j in 0..p {
                rows.push(i * p + j);
                if j > 0 {
                    rows.push(self.row_h(i, j - 1));
                }
                if j + 1 < p {
                    rows.push(self.row_h(i, j));
                }
                if i > 0 {
                    rows.push(self.row_v(i - 1, j));
                }
                if i + 1 < p {
                    rows.push(self.row_v(i, j));
                }
                col_ptr.push(rows.len());
            }
        }
        SymbolicSparseColMat::new_checked(m, n, col_ptr, None, rows)
    }

    fn jacobian_values(&self, x: &[f64], values: &mut [f64]) {
        let p = self.p;
        let mut v = 0;
        for i in 0..p {
            for j in 0..p {
                let k = i * p + j;
                values[v] = 1.0;
                v += 1;
                if j > 0 {
                    values[v] = self.phi(x[k] - x[k - 1]).1;
                    v += 1;
                }
                if j + 1 < p {
                    values[v] = -self.phi(x[k + 1] - x[k]).1;
                    v += 1;
                }
                if i > 0 {
                    values[v] = self.phi(x[k] - x[k - p]).1;
                    v += 1;
                }
                if i + 1 < p {
                    values[v] = -self.phi(x[k + p] - x[k]).1;
                    v += 1;
                }
            }
        }
    }
}
