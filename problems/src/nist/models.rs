//! The 27 StRD nonlinear models (19 distinct formulas) with exact gradients in the
//! parameters.
//!
//! Each formula is transcribed from the `Model:` section of its `.dat` file; `b` are the
//! parameters `b1..bn` (0-based here: `b[0]` is `b1`), `x` the predictor(s) of one observation.
//! The derivatives are worked out by hand; the comments give them.

use std::f64::consts::PI;

/// A model formula `y = f(x; b)` of the StRD nonlinear set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// Misra1a, BoxBOD: `b1 (1 - exp(-b2 x))`.
    ExpRise,
    /// Chwirut1, Chwirut2: `exp(-b1 x) / (b2 + b3 x)`.
    Chwirut,
    /// DanWood: `b1 x^b2`.
    Power,
    /// ENSO: `b1 + b2 cos(2 pi x / 12) + b3 sin(2 pi x / 12) + b5 cos(2 pi x / b4)
    /// + b6 sin(2 pi x / b4) + b8 cos(2 pi x / b7) + b9 sin(2 pi x / b7)`.
    Enso,
    /// Eckerle4: `(b1 / b2) exp(-((x - b3) / b2)^2 / 2)`.
    Eckerle,
    /// Gauss1-3: `b1 exp(-b2 x) + b3 exp(-(x - b4)^2 / b5^2) + b6 exp(-(x - b7)^2 / b8^2)`.
    Gauss,
    /// Hahn1, Thurber: `(b1 + b2 x + b3 x^2 + b4 x^3) / (1 + b5 x + b6 x^2 + b7 x^3)`.
    CubicRational,
    /// Kirby2: `(b1 + b2 x + b3 x^2) / (1 + b4 x + b5 x^2)`.
    QuadraticRational,
    /// Lanczos1-3: `b1 exp(-b2 x) + b3 exp(-b4 x) + b5 exp(-b6 x)`.
    Lanczos,
    /// MGH09: `b1 (x^2 + x b2) / (x^2 + x b3 + b4)`.
    Mgh09,
    /// MGH10: `b1 exp(b2 / (x + b3))`.
    Mgh10,
    /// MGH17: `b1 + b2 exp(-x b4) + b3 exp(-x b5)`.
    Mgh17,
    /// Misra1b: `b1 (1 - (1 + b2 x / 2)^-2)`.
    Misra1b,
    /// Misra1c: `b1 (1 - (1 + 2 b2 x)^-1/2)`.
    Misra1c,
    /// Misra1d: `b1 b2 x / (1 + b2 x)`.
    Misra1d,
    /// Nelson: `log(y) = b1 - b2 x1 exp(-b3 x2)` (the response is `log(y)`).
    Nelson,
    /// Rat42: `b1 / (1 + exp(b2 - b3 x))`.
    Rat42,
    /// Rat43: `b1 / (1 + exp(b2 - b3 x))^(1/b4)`.
    Rat43,
    /// Roszman1: `b1 - b2 x - arctan(b3 / (x - b4)) / pi`.
    Roszman,
    /// Bennett5: `b1 (b2 + x)^(-1/b3)`.
    Bennett,
}

impl Model {
    /// The model of the dataset `name` (case-insensitive), if it is one of the 27.
    pub fn of(name: &str) -> Option<Model> {
        let m = match name.to_ascii_lowercase().as_str() {
            "misra1a" | "boxbod" => Model::ExpRise,
            "chwirut1" | "chwirut2" => Model::Chwirut,
            "danwood" => Model::Power,
            "enso" => Model::Enso,
            "eckerle4" => Model::Eckerle,
            "gauss1" | "gauss2" | "gauss3" => Model::Gauss,
            "hahn1" | "thurber" => Model::CubicRational,
            "kirby2" => Model::QuadraticRational,
            "lanczos1" | "lanczos2" | "lanczos3" => Model::Lanczos,
            "mgh09" => Model::Mgh09,
            "mgh10" => Model::Mgh10,
            "mgh17" => Model::Mgh17,
            "misra1b" => Model::Misra1b,
            "misra1c" => Model::Misra1c,
            "misra1d" => Model::Misra1d,
            "nelson" => Model::Nelson,
            "rat42" => Model::Rat42,
            "rat43" => Model::Rat43,
            "roszman1" => Model::Roszman,
            "bennett5" => Model::Bennett,
            _ => return None,
        };
        Some(m)
    }

    /// Number of parameters.
    pub fn n(self) -> usize {
        match self {
            Model::ExpRise | Model::Power | Model::Misra1b | Model::Misra1c | Model::Misra1d => 2,
            Model::Chwirut | Model::Eckerle | Model::Mgh10 | Model::Nelson | Model::Rat42 | Model::Bennett => 3,
            Model::Mgh09 | Model::Rat43 | Model::Roszman => 4,
            Model::QuadraticRational | Model::Mgh17 => 5,
            Model::Gauss => 8,
            Model::Lanczos => 6,
            Model::CubicRational => 7,
            Model::Enso => 9,
        }
    }

    /// Number of predictors per observation (2 for Nelson, 1 otherwise).
    pub fn predictors(self) -> usize {
        if self == Model::Nelson {
            2
        } else {
            1
        }
    }

    /// The transformed response the model fits: `log(y)` for Nelson, `y` otherwise.
    pub fn response(self, y: f64) -> f64 {
        if self == Model::Nelson {
            y.ln()
        } else {
            y
        }
    }

    /// `f(x; b)`.
    pub fn value(self, b: &[f64], x: &[f64]) -> f64 {
        let t = x[0];
        match self {
            Model::ExpRise => b[0] * (1.0 - (-b[1] * t).exp()),
            Model::Chwirut => (-b[0] * t).exp() / (b[1] + b[2] * t),
            Model::Power => b[0] * t.powf(b[1]),
            Model::Enso => {
                let w = 2.0 * PI * t;
                b[0] + b[1] * (w / 12.0).cos()
                    + b[2] * (w / 12.0).sin()
                    + b[4] * (w / b[3]).cos()
                    + b[5] * (w / b[3]).sin()
                    + b[7] * (w / b[6]).cos()
                    + b[8] * (w / b[6]).sin()
            }
            Model::Eckerle => {
                let u = (t - b[2]) / b[1];
                b[0] / b[1] * (-0.5 * u * u).exp()
            }
            Model::Gauss => {
                let d1 = t - b[3];
                let d2 = t - b[6];
                b[0] * (-b[1] * t).exp()
                    + b[2] * (-(d1 * d1) / (b[4] * b[4])).exp()
                    + b[5] * (-(d2 * d2) / (b[7] * b[7])).exp()
            }
            Model::CubicRational => {
                let num = b[0] + t * (b[1] + t * (b[2] + t * b[3]));
                let den = 1.0 + t * (b[4] + t * (b[5] + t * b[6]));
                num / den
            }
            Model::QuadraticRational => {
                let num = b[0] + t * (b[1] + t * b[2]);
                let den = 1.0 + t * (b[3] + t * b[4]);
                num / den
            }
            Model::Lanczos => b[0] * (-b[1] * t).exp() + b[2] * (-b[3] * t).exp() + b[4] * (-b[5] * t).exp(),
            Model::Mgh09 => b[0] * (t * t + t * b[1]) / (t * t + t * b[2] + b[3]),
            Model::Mgh10 => b[0] * (b[1] / (t + b[2])).exp(),
            Model::Mgh17 => b[0] + b[1] * (-t * b[3]).exp() + b[2] * (-t * b[4]).exp(),
            Model::Misra1b => {
                let q = 1.0 + b[1] * t / 2.0;
                b[0] * (1.0 - 1.0 / (q * q))
            }
            Model::Misra1c => b[0] * (1.0 - 1.0 / (1.0 + 2.0 * b[1] * t).sqrt()),
            Model::Misra1d => b[0] * b[1] * t / (1.0 + b[1] * t),
            Model::Nelson => b[0] - b[1] * x[0] * (-b[2] * x[1]).exp(),
            Model::Rat42 => b[0] / (1.0 + (b[1] - b[2] * t).exp()),
            Model::Rat43 => b[0] / (1.0 + (b[1] - b[2] * t).exp()).powf(1.0 / b[3]),
            Model::Roszman => b[0] - b[1] * t - (b[2] / (t - b[3])).atan() / PI,
            Model::Bennett => b[0] * (b[1] + t).powf(-1.0 / b[2]),
        }
    }

    /// `g <- df/db (x; b)`.
    pub fn gradient(self, b: &[f64], x: &[f64], g: &mut [f64]) {
        let t = x[0];
        match self {
            Model::ExpRise => {
                // f = b1 (1 - e), e = exp(-b2 x): df/db1 = 1 - e, df/db2 = b1 x e.
                let e = (-b[1] * t).exp();
                g[0] = 1.0 - e;
                g[1] = b[0] * t * e;
            }
            Model::Chwirut => {
                // f = e / d, e = exp(-b1 x), d = b2 + b3 x: df/db1 = -x e / d,
                // df/db2 = -e / d^2, df/db3 = -x e / d^2.
                let e = (-b[0] * t).exp();
                let d = b[1] + b[2] * t;
                g[0] = -t * e / d;
                g[1] = -e / (d * d);
                g[2] = -t * e / (d * d);
            }
            Model::Power => {
                // df/db1 = x^b2, df/db2 = b1 x^b2 ln x.
                let p = t.powf(b[1]);
                g[0] = p;
                g[1] = b[0] * p * t.ln();
            }
            Model::Enso => {
                // d/db4 [b5 cos(w/b4) + b6 sin(w/b4)] = (b5 sin(w/b4) - b6 cos(w/b4)) w / b4^2,
                // the same for b7 with b8, b9.
                let w = 2.0 * PI * t;
                g[0] = 1.0;
                g[1] = (w / 12.0).cos();
                g[2] = (w / 12.0).sin();
                let (s4, c4) = (w / b[3]).sin_cos();
                let (s7, c7) = (w / b[6]).sin_cos();
                g[3] = (b[4] * s4 - b[5] * c4) * w / (b[3] * b[3]);
                g[4] = c4;
                g[5] = s4;
                g[6] = (b[7] * s7 - b[8] * c7) * w / (b[6] * b[6]);
                g[7] = c7;
                g[8] = s7;
            }
            Model::Eckerle => {
                // f = (b1/b2) E, u = (x - b3)/b2, E = exp(-u^2/2): df/db1 = E / b2,
                // df/db2 = b1 E (u^2 - 1) / b2^2, df/db3 = b1 E u / b2^2.
                let u = (t - b[2]) / b[1];
                let e = (-0.5 * u * u).exp();
                g[0] = e / b[1];
                g[1] = b[0] * e * (u * u - 1.0) / (b[1] * b[1]);
                g[2] = b[0] * e * u / (b[1] * b[1]);
            }
            Model::Gauss => {
                // G = exp(-(x - b4)^2 / b5^2): df/db4 = 2 b3 G (x - b4) / b5^2,
                // df/db5 = 2 b3 G (x - b4)^2 / b5^3; the same for b6, b7, b8.
                let e = (-b[1] * t).exp();
                g[0] = e;
                g[1] = -b[0] * t * e;
                for k in [2, 5] {
                    let d = t - b[k + 1];
                    let wsq = b[k + 2] * b[k + 2];
                    let gg = (-(d * d) / wsq).exp();
                    g[k] = gg;
                    g[k + 1] = 2.0 * b[k] * gg * d / wsq;
                    g[k + 2] = 2.0 * b[k] * gg * d * d / (wsq * b[k + 2]);
                }
            }
            Model::CubicRational => {
                // f = N / D: df/db(1..4) = x^k / D, df/db(5..7) = -N x^k / D^2.
                let num = b[0] + t * (b[1] + t * (b[2] + t * b[3]));
                let den = 1.0 + t * (b[4] + t * (b[5] + t * b[6]));
                let (t2, t3) = (t * t, t * t * t);
                g[0] = 1.0 / den;
                g[1] = t / den;
                g[2] = t2 / den;
                g[3] = t3 / den;
                let q = num / (den * den);
                g[4] = -q * t;
                g[5] = -q * t2;
                g[6] = -q * t3;
            }
            Model::QuadraticRational => {
                let num = b[0] + t * (b[1] + t * b[2]);
                let den = 1.0 + t * (b[3] + t * b[4]);
                g[0] = 1.0 / den;
                g[1] = t / den;
                g[2] = t * t / den;
                let q = num / (den * den);
                g[3] = -q * t;
                g[4] = -q * t * t;
            }
            Model::Lanczos => {
                for k in 0..3 {
                    let e = (-b[2 * k + 1] * t).exp();
                    g[2 * k] = e;
                    g[2 * k + 1] = -b[2 * k] * t * e;
                }
            }
            Model::Mgh09 => {
                // f = b1 N / D, N = x^2 + x b2, D = x^2 + x b3 + b4: df/db1 = N / D,
                // df/db2 = b1 x / D, df/db3 = -b1 N x / D^2, df/db4 = -b1 N / D^2.
                let num = t * t + t * b[1];
                let den = t * t + t * b[2] + b[3];
                g[0] = num / den;
                g[1] = b[0] * t / den;
                g[2] = -b[0] * num * t / (den * den);
                g[3] = -b[0] * num / (den * den);
            }
            Model::Mgh10 => {
                // f = b1 E, E = exp(b2 / (x + b3)): df/db2 = b1 E / (x + b3),
                // df/db3 = -b1 E b2 / (x + b3)^2.
                let d = t + b[2];
                let e = (b[1] / d).exp();
                g[0] = e;
                g[1] = b[0] * e / d;
                g[2] = -b[0] * e * b[1] / (d * d);
            }
            Model::Mgh17 => {
                let e4 = (-t * b[3]).exp();
                let e5 = (-t * b[4]).exp();
                g[0] = 1.0;
                g[1] = e4;
                g[2] = e5;
                g[3] = -b[1] * t * e4;
                g[4] = -b[2] * t * e5;
            }
            Model::Misra1b => {
                // q = 1 + b2 x / 2: df/db1 = 1 - q^-2, df/db2 = b1 x q^-3.
                let q = 1.0 + b[1] * t / 2.0;
                g[0] = 1.0 - 1.0 / (q * q);
                g[1] = b[0] * t / (q * q * q);
            }
            Model::Misra1c => {
                // q = 1 + 2 b2 x: df/db1 = 1 - q^-1/2, df/db2 = b1 x q^-3/2.
                let q = 1.0 + 2.0 * b[1] * t;
                let s = q.sqrt();
                g[0] = 1.0 - 1.0 / s;
                g[1] = b[0] * t / (q * s);
            }
            Model::Misra1d => {
                // q = 1 + b2 x: df/db1 = b2 x / q, df/db2 = b1 x / q^2.
                let q = 1.0 + b[1] * t;
                g[0] = b[1] * t / q;
                g[1] = b[0] * t / (q * q);
            }
            Model::Nelson => {
                // f = b1 - b2 x1 e, e = exp(-b3 x2): df/db2 = -x1 e, df/db3 = b2 x1 x2 e.
                let e = (-b[2] * x[1]).exp();
                g[0] = 1.0;
                g[1] = -x[0] * e;
                g[2] = b[1] * x[0] * x[1] * e;
            }
            Model::Rat42 => {
                // f = b1 / D, D = 1 + E, E = exp(b2 - b3 x): df/db1 = 1 / D,
                // df/db2 = -b1 E / D^2, df/db3 = b1 x E / D^2.
                let e = (b[1] - b[2] * t).exp();
                let d = 1.0 + e;
                g[0] = 1.0 / d;
                g[1] = -b[0] * e / (d * d);
                g[2] = b[0] * t * e / (d * d);
            }
            Model::Rat43 => {
                // f = b1 P, P = D^(-1/b4), D = 1 + E, E = exp(b2 - b3 x):
                // df/db2 = -b1 P E / (b4 D), df/db3 = b1 P E x / (b4 D),
                // df/db4 = b1 P ln(D) / b4^2.
                let e = (b[1] - b[2] * t).exp();
                let d = 1.0 + e;
                let p = d.powf(-1.0 / b[3]);
                g[0] = p;
                g[1] = -b[0] * p * e / (b[3] * d);
                g[2] = b[0] * p * e * t / (b[3] * d);
                g[3] = b[0] * p * d.ln() / (b[3] * b[3]);
            }
            Model::Roszman => {
                // f = b1 - b2 x - atan(b3 / (x - b4)) / pi, with d = x - b4:
                // df/db3 = -d / (pi (d^2 + b3^2)), df/db4 = -b3 / (pi (d^2 + b3^2)).
                let d = t - b[3];
                let q = PI * (d * d + b[2] * b[2]);
                g[0] = 1.0;
                g[1] = -t;
                g[2] = -d / q;
                g[3] = -b[2] / q;
            }
            Model::Bennett => {
                // f = b1 P, P = (b2 + x)^(-1/b3): df/db2 = -b1 P / (b3 (b2 + x)),
                // df/db3 = b1 P ln(b2 + x) / b3^2.
                let s = b[1] + t;
                let p = s.powf(-1.0 / b[2]);
                g[0] = p;
                g[1] = -b[0] * p / (b[2] * s);
                g[2] = b[0] * p * s.ln() / (b[2] * b[2]);
            }
        }
    }
}
