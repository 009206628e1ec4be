//! Small bounded systems outside the handbook: Powell badly scaled in a box, Effati-Grosan 2.

use trust_region::problem::Bounds;

use super::System;
use crate::mgh::{Mgh, PowellBadlyScaled, Scalar};

/// Powell's badly scaled function as a bounded system.
///
/// ```text
/// F1 = 1e4 x1 x2 - 1
/// F2 = exp(-x1) + exp(-x2) - 1.0001
/// ```
///
/// n = 2, box `[0, 1] x [1, 10]`, which holds the root (1.0981593e-5, 9.1061467) (MGH; stored
/// refined) and not its mirror image (9.1061467, 1.0981593e-5). The residuals are those of MGH
/// problem 3 (code shared with [`crate::mgh::PowellBadlyScaled`]).
/// Sources: M. J. D. Powell, *A hybrid method for nonlinear equations* (1970); More, Garbow &
/// Hillstrom (1981) problem 3; the box is that of the spec (`scaled-interior.md`).
#[derive(Clone, Debug, Default)]
pub struct PowellBadlyScaledBox {
    inner: PowellBadlyScaled,
}

impl System for PowellBadlyScaledBox {
    fn name(&self) -> &'static str {
        "powell_badly_scaled_box"
    }
    fn title(&self) -> &'static str {
        "Powell badly scaled in [0, 1] x [1, 10]"
    }
    fn source(&self) -> &'static str {
        "More, Garbow & Hillstrom (1981) problem 3 (Powell 1970), box [0,1] x [1,10]"
    }
    fn n(&self) -> usize {
        2
    }
    fn bounds(&self) -> Bounds {
        Bounds { lower: vec![0.0, 1.0], upper: vec![1.0, 10.0] }
    }
    fn roots(&self) -> Vec<Vec<f64>> {
        vec![POWELL_ROOT.to_vec()]
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        Mgh::residuals(&self.inner, x, r);
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        Mgh::jacobian(&self.inner, x, emit);
    }
}

/// Refined from (1.0981593e-5, 9.1061467).
const POWELL_ROOT: [f64; 2] = [1.098159329699693e-5, 9.106146739867558];

/// Effati-Grosan system 2.
///
/// ```text
/// F1 = exp(x1) + x1 x2 - 1
/// F2 = sin(x1 x2) + x1 + x2 - 1
/// ```
///
/// n = 2, box `[-1, 2]^2`. The root (0, 1) is exact (`F1 = 1 + 0 - 1`, `F2 = 0 + 0 + 1 - 1`) and
/// is the only one found in the box by Newton's method from a grid of starts. The formula is the
/// one of the spec; the original papers could not be consulted here.
/// Sources (as cited in the literature on bounded systems; not consulted here): S. Effati,
/// A. R. Nazemi, *A new method for solving a system of the nonlinear equations*, Appl. Math.
/// Comput. 168 (2005); C. Grosan, A. Abraham, *A new approach for solving nonlinear equations
/// systems*, IEEE Trans. Syst. Man Cybern. A 38 (2008); used as a bounded test problem by
/// Ayanzadeh, Yazdanian & Shahamatnia (arXiv:1904.09209).
#[derive(Clone, Debug, Default)]
pub struct EffatiGrosan2;

impl System for EffatiGrosan2 {
    fn name(&self) -> &'static str {
        "effati_grosan_2"
    }
    fn title(&self) -> &'static str {
        "Effati-Grosan system 2"
    }
    fn source(&self) -> &'static str {
        "Effati & Nazemi, Appl. Math. Comput. 168 (2005); Grosan & Abraham, IEEE Trans. SMC-A 38 (2008)"
    }
    fn n(&self) -> usize {
        2
    }
    fn bounds(&self) -> Bounds {
        Bounds { lower: vec![-1.0; 2], upper: vec![2.0; 2] }
    }
    fn roots(&self) -> Vec<Vec<f64>> {
        vec![vec![0.0, 1.0]]
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let p = x[0] * x[1];
        r[0] = x[0].exp() + p - 1.0;
        r[1] = p.sin() + x[0] + x[1] - 1.0;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let c = (x[0] * x[1]).cos();
        emit(0, 0, x[0].exp() + x[1]);
        emit(0, 1, x[0]);
        emit(1, 0, c * x[1] + 1.0);
        emit(1, 1, c * x[0] + 1.0);
    }
}
