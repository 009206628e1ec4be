//! Floudas et al. (1999), section 14.1: nonlinear systems of equations with bounds.
//!
//! Notation of the handbook, 1-based in the formulas (`x1` is `x[0]`). Every problem was
//! compared with the GLOBALLib transcription `ex14_1_k` (where the system is written as
//! `-t <= F_i(x) <= t`, minimize `t`); where GLOBALLib prints a rounded constant, the exact
//! expression of the handbook is used here and the difference is noted.

use trust_region::problem::Bounds;

use super::System;
use crate::mgh::{cst, BrownAlmostLinear, Mgh, Scalar};

fn cube(b: f64, n: usize) -> Bounds {
    Bounds { lower: vec![-b; n], upper: vec![b; n] }
}

/// Floudas 14.1.1: the gradient of Himmelblau's function
/// `f = (x1^2 + x2 - 11)^2 + (x1 + x2^2 - 7)^2`.
///
/// ```text
/// F1 = 4 x1^3 + 4 x1 x2 + 2 x2^2 - 42 x1 - 14
/// F2 = 4 x2^3 + 2 x1^2 + 4 x1 x2 - 26 x2 - 22
/// ```
///
/// n = 2, box `[-5, 5]^2`. Nine roots, all in the box and all listed (a cubic system has at most
/// 3 x 3 = 9 isolated roots, Bezout): the four minima (3, 2), (-2.805118, 3.131312),
/// (-3.779310, -3.283186), (3.584428, -1.848126), the maximum (-0.270845, -0.923039) and the four
/// saddle points (0.086678, 2.884254), (-3.073026, -0.081353), (3.385154, 0.073852),
/// (-0.127961, -1.953715) of `f` (published to 6 decimals; stored refined).
/// Source: Floudas et al. (1999) 14.1.1; D. M. Himmelblau, *Applied Nonlinear Programming*,
/// McGraw-Hill (1972). Same coefficients in GLOBALLib `ex14_1_1`.
#[derive(Clone, Debug, Default)]
pub struct HimmelblauGradient;

impl System for HimmelblauGradient {
    fn name(&self) -> &'static str {
        "ex14_1_1"
    }
    fn title(&self) -> &'static str {
        "gradient of Himmelblau's function"
    }
    fn source(&self) -> &'static str {
        "Floudas et al. (1999) section 14.1.1 (GLOBALLib ex14_1_1); Himmelblau (1972)"
    }
    fn n(&self) -> usize {
        2
    }
    fn bounds(&self) -> Bounds {
        cube(5.0, 2)
    }
    fn roots(&self) -> Vec<Vec<f64>> {
        HIMMELBLAU_ROOTS.iter().map(|r| r.to_vec()).collect()
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let (x1, x2) = (x[0], x[1]);
        r[0] = x1 * x1 * x1 * 4.0 + x1 * x2 * 4.0 + x2 * x2 * 2.0 - x1 * 42.0 - 14.0;
        r[1] = x2 * x2 * x2 * 4.0 + x1 * x1 * 2.0 + x1 * x2 * 4.0 - x2 * 26.0 - 22.0;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let (x1, x2) = (x[0], x[1]);
        emit(0, 0, x1 * x1 * 12.0 + x2 * 4.0 - 42.0);
        emit(0, 1, (x1 + x2) * 4.0);
        emit(1, 0, (x1 + x2) * 4.0);
        emit(1, 1, x2 * x2 * 12.0 + x1 * 4.0 - 26.0);
    }
}

/// Refined from the published six decimals (minima, maximum, saddles in the order of the doc).
const HIMMELBLAU_ROOTS: [[f64; 2]; 9] = [
    [3.0, 2.0],
    [-2.805118086952745, 3.131312518250573],
    [-3.779310253377747, -3.2831859912861696],
    [3.5844283403304917, -1.8481265269644036],
    [-0.2708445906673476, -0.9230385564799815],
    [0.08667750455539644, 2.8842547011747763],
    [-3.0730257507643897, -0.08135304428796748],
    [3.385154183607021, 0.07385187983774949],
    [-0.1279613467306801, -1.9537149802445763],
];

/// Floudas 14.1.2: chemical equilibrium of the combustion of propane in air (Meintjes & Morgan).
///
/// With `R = 10`, `R5 = 0.193`, `R6 = 0.002597/sqrt(40)`, `R7 = 0.003448/sqrt(40)`,
/// `R8 = 1.799e-5/40`, `R9 = 2.155e-4/sqrt(40)`, `R10 = 3.846e-5/40`:
///
/// ```text
/// F1 = y1 y2 + y1 - 3 y5
/// F2 = 2 y1 y2 + y1 + y2 y3^2 + R8 y2 - R y5 + c R10 y2^2 + R7 y2 y3 + R9 y2 y4
/// F3 = 2 y2 y3^2 + 2 R5 y3^2 - 8 y5 + R6 y3 + R7 y2 y3
/// F4 = R9 y2 y4 + 2 y4^2 - 4 R y5
/// F5 = y1 y2 + y1 + R10 y2^2 + y2 y3^2 + R8 y2 + R5 y3^2 + y4^2 - 1 + R6 y3 + R7 y2 y3 + R9 y2 y4
/// ```
///
/// n = 5, box `[1e-4, 100]^5`. Two variants of the coefficient `c` of `R10 y2^2` in `F2`:
/// `c = 2` is the system of Meintjes & Morgan (`ex14_1_2_c2`); `c = 3` is the GLOBALLib form
/// (`ex14_1_2_c3`, its `2.8845e-6 = 3 R10`). All other GLOBALLib coefficients agree with the
/// formulas above (`4.4975e-7 = R8`, `0.000545176668613029 = R7`, `3.40735417883143e-5 = R9`,
/// `0.000410621754172864 = R6`, `0.386 = 2 R5`, `9.615e-7 = R10`).
/// One root in the box for each `c` (the only one found by Newton's method from 20000 random
/// starts in the box): Meintjes & Morgan report (0.003114102, 34.59792, 0.06504177, 0.8593780,
/// 0.03695185) for `c = 2`; for `c = 3` the root moves to about (0.00343023, 31.3264946,
/// 0.0683504, 0.859529, 0.0369624), so the two variants are genuinely different problems
/// (stored values refined by Newton's method).
/// Sources: Floudas et al. (1999) 14.1.2; K. Meintjes, A. P. Morgan, *Chemical equilibrium
/// systems as numerical test problems*, ACM TOMS 16 (1990) 143-151.
#[derive(Clone, Debug)]
pub struct ChemicalEquilibrium {
    c: f64,
}

impl ChemicalEquilibrium {
    const R: f64 = 10.0;
    const R5: f64 = 0.193;
    const R8: f64 = 1.799e-5 / 40.0;
    const R10: f64 = 3.846e-5 / 40.0;

    fn r6() -> f64 {
        0.002597 / 40f64.sqrt()
    }
    fn r7() -> f64 {
        0.003448 / 40f64.sqrt()
    }
    fn r9() -> f64 {
        2.155e-4 / 40f64.sqrt()
    }

    /// The Meintjes-Morgan form, `c = 2` (`ex14_1_2_c2`).
    pub fn meintjes_morgan() -> Self {
        Self { c: 2.0 }
    }

    /// The GLOBALLib form, `c = 3` (`ex14_1_2_c3`).
    pub fn globallib() -> Self {
        Self { c: 3.0 }
    }

    /// The coefficient `c` of `R10 y2^2` in `F2`.
    pub fn c(&self) -> f64 {
        self.c
    }
}

impl System for ChemicalEquilibrium {
    fn name(&self) -> &'static str {
        if self.c == 2.0 {
            "ex14_1_2_c2"
        } else {
            "ex14_1_2_c3"
        }
    }
    fn title(&self) -> &'static str {
        if self.c == 2.0 {
            "chemical equilibrium, Meintjes-Morgan form (c = 2)"
        } else {
            "chemical equilibrium, GLOBALLib form (c = 3)"
        }
    }
    fn source(&self) -> &'static str {
        "Floudas et al. (1999) section 14.1.2 (GLOBALLib ex14_1_2); Meintjes & Morgan, ACM TOMS 16 (1990) 143-151"
    }
    fn n(&self) -> usize {
        5
    }
    fn bounds(&self) -> Bounds {
        Bounds { lower: vec![1e-4; 5], upper: vec![100.0; 5] }
    }
    fn roots(&self) -> Vec<Vec<f64>> {
        if self.c == 2.0 {
            vec![CHEM_ROOT_C2.to_vec()]
        } else {
            vec![CHEM_ROOT_C3.to_vec()]
        }
    }
    fn residuals<D: Scalar>(&self, y: &[D], r: &mut [D]) {
        let (y1, y2, y3, y4, y5) = (y[0], y[1], y[2], y[3], y[4]);
        let (r6, r7, r9) = (Self::r6(), Self::r7(), Self::r9());
        let (rr, r5, r8, r10) = (Self::R, Self::R5, Self::R8, Self::R10);
        r[0] = y1 * y2 + y1 - y5 * 3.0;
        r[1] = y1 * y2 * 2.0 + y1 + y2 * y3 * y3 + y2 * r8 - y5 * rr
            + y2 * y2 * (self.c * r10)
            + y2 * y3 * r7
            + y2 * y4 * r9;
        r[2] = y2 * y3 * y3 * 2.0 + y3 * y3 * (2.0 * r5) - y5 * 8.0 + y3 * r6 + y2 * y3 * r7;
        r[3] = y2 * y4 * r9 + y4 * y4 * 2.0 - y5 * (4.0 * rr);
        r[4] = y1 * y2 + y1 + y2 * y2 * r10 + y2 * y3 * y3 + y2 * r8 + y3 * y3 * r5 + y4 * y4 - 1.0
            + y3 * r6
            + y2 * y3 * r7
            + y2 * y4 * r9;
    }
    fn jacobian<D: Scalar>(&self, y: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let (y1, y2, y3, y4) = (y[0], y[1], y[2], y[3]);
        let (r6, r7, r9) = (Self::r6(), Self::r7(), Self::r9());
        let (rr, r5, r8, r10) = (Self::R, Self::R5, Self::R8, Self::R10);
        // F1
        emit(0, 0, y2 + 1.0);
        emit(0, 1, y1);
        emit(0, 4, cst(-3.0));
        // F2
        emit(1, 0, y2 * 2.0 + 1.0);
        emit(1, 1, y1 * 2.0 + y3 * y3 + r8 + y2 * (2.0 * self.c * r10) + y3 * r7 + y4 * r9);
        emit(1, 2, y2 * y3 * 2.0 + y2 * r7);
        emit(1, 3, y2 * r9);
        emit(1, 4, cst(-rr));
        // F3
        emit(2, 1, y3 * y3 * 2.0 + y3 * r7);
        emit(2, 2, y2 * y3 * 4.0 + y3 * (4.0 * r5) + r6 + y2 * r7);
        emit(2, 4, cst(-8.0));
        // F4
        emit(3, 1, y4 * r9);
        emit(3, 3, y2 * r9 + y4 * 4.0);
        emit(3, 4, cst(-4.0 * rr));
        // F5
        emit(4, 0, y2 + 1.0);
        emit(4, 1, y1 + y2 * (2.0 * r10) + y3 * y3 + r8 + y3 * r7 + y4 * r9);
        emit(4, 2, y2 * y3 * 2.0 + y3 * (2.0 * r5) + r6 + y2 * r7);
        emit(4, 3, y4 * 2.0 + y2 * r9);
    }
}

/// Refined from Meintjes & Morgan's (0.003114102, 34.59792, 0.06504177, 0.8593780, 0.03695185).
const CHEM_ROOT_C2: [f64; 5] =
    [0.0031141022659849633, 34.59792453029009, 0.065041778697438, 0.8593780505779406, 0.03695185914804602];
/// Newton's method from the `c = 2` root.
const CHEM_ROOT_C3: [f64; 5] =
    [0.0034302303882734783, 31.326494615912623, 0.06835040383310123, 0.8595289961602242, 0.036962441392620816];

/// Floudas 14.1.3: Bullard & Biegler's system.
///
/// ```text
/// F1 = 1e4 x1 x2 - 1
/// F2 = exp(-x1) + exp(-x2) - 1.001
/// ```
///
/// n = 2, box `5.49e-6 <= x1 <= 4.553`, `2.1961e-3 <= x2 <= 18.21`. One root in the box,
/// (1.45067e-5, 6.89335) (GLOBALLib solution 1.45067e-5, 6.8933528699; stored refined): with
/// `x1 = 1e-4 / x2`, `F2` becomes a function of `x2` that is positive at the lower bound and
/// negative at the upper one and changes monotonicity once (the mirror root with `x1` and `x2`
/// exchanged has `x2 < 2.1961e-3`). Differs from MGH's Powell badly scaled function only in
/// the constant 1.001 (MGH: 1.0001).
/// Sources: Floudas et al. (1999) 14.1.3 (GLOBALLib ex14_1_3); L. G. Bullard, L. T. Biegler,
/// *Iterative linear programming strategies for constrained simulation*, Comput. Chem. Eng. 15
/// (1991) 239-254.
#[derive(Clone, Debug, Default)]
pub struct BullardBiegler;

impl System for BullardBiegler {
    fn name(&self) -> &'static str {
        "ex14_1_3"
    }
    fn title(&self) -> &'static str {
        "Bullard-Biegler system"
    }
    fn source(&self) -> &'static str {
        "Floudas et al. (1999) section 14.1.3 (GLOBALLib ex14_1_3); Bullard & Biegler, Comput. Chem. Eng. 15 (1991)"
    }
    fn n(&self) -> usize {
        2
    }
    fn bounds(&self) -> Bounds {
        Bounds { lower: vec![5.49e-6, 2.1961e-3], upper: vec![4.553, 18.21] }
    }
    fn roots(&self) -> Vec<Vec<f64>> {
        vec![BULLARD_ROOT.to_vec()]
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        r[0] = x[0] * x[1] * 1.0e4 - 1.0;
        r[1] = (-x[0]).exp() + (-x[1]).exp() - 1.001;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        emit(0, 0, x[1] * 1.0e4);
        emit(0, 1, x[0] * 1.0e4);
        emit(1, 0, -(-x[0]).exp());
        emit(1, 1, -(-x[1]).exp());
    }
}

/// Refined from (1.45067e-5, 6.8933528699).
const BULLARD_ROOT: [f64; 2] = [1.450672871204472e-5, 6.893352869897643];

/// Floudas 14.1.4: Ferraris & Tronconi's system.
///
/// ```text
/// F1 = 0.5 sin(x1 x2) - 0.25 x2 / pi - 0.5 x1
/// F2 = (1 - 0.25/pi) (exp(2 x1) - e) + e x2 / pi - 2 e x1
/// ```
///
/// n = 2, box `[0.25, 1] x [1.5, 2 pi]`. Two roots listed: (0.5, pi) exactly, and
/// (0.29944869, 2.83692777) (stored refined). GLOBALLib writes the constants rounded
/// (`0.0795774703703634 = 0.25/pi`, `0.920422529629637 = 1 - 0.25/pi`, `5.4365636 = 2e` to
/// 8 digits, `0.865255957591193 = e/pi`, `2.5019678106022 = (1 - 0.25/pi) e`) and bounds
/// `x2 <= 6.28` instead of `2 pi`: the exact expressions are used here.
/// Sources: Floudas et al. (1999) 14.1.4 (GLOBALLib ex14_1_4); G. B. Ferraris, E. Tronconi,
/// *BUNLSI - a FORTRAN program for solution of systems of nonlinear algebraic equations*,
/// Comput. Chem. Eng. 10 (1986) 129-141.
#[derive(Clone, Debug, Default)]
pub struct FerrarisTronconi;

impl System for FerrarisTronconi {
    fn name(&self) -> &'static str {
        "ex14_1_4"
    }
    fn title(&self) -> &'static str {
        "Ferraris-Tronconi system"
    }
    fn source(&self) -> &'static str {
        "Floudas et al. (1999) section 14.1.4 (GLOBALLib ex14_1_4); Ferraris & Tronconi, Comput. Chem. Eng. 10 (1986)"
    }
    fn n(&self) -> usize {
        2
    }
    fn bounds(&self) -> Bounds {
        Bounds { lower: vec![0.25, 1.5], upper: vec![1.0, 2.0 * std::f64::consts::PI] }
    }
    fn roots(&self) -> Vec<Vec<f64>> {
        FERRARIS_ROOTS.iter().map(|r| r.to_vec()).collect()
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        use std::f64::consts::{E, PI};
        let (x1, x2) = (x[0], x[1]);
        r[0] = (x1 * x2).sin() * 0.5 - x2 * (0.25 / PI) - x1 * 0.5;
        r[1] = ((x1 * 2.0).exp() - E) * (1.0 - 0.25 / PI) + x2 * (E / PI) - x1 * (2.0 * E);
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        use std::f64::consts::{E, PI};
        let (x1, x2) = (x[0], x[1]);
        let c = (x1 * x2).cos() * 0.5;
        emit(0, 0, c * x2 - 0.5);
        emit(0, 1, c * x1 - 0.25 / PI);
        emit(1, 0, (x1 * 2.0).exp() * (2.0 * (1.0 - 0.25 / PI)) - 2.0 * E);
        emit(1, 1, cst(E / PI));
    }
}

/// The exact root and the second root refined from (0.29944869, 2.83692777).
const FERRARIS_ROOTS: [[f64; 2]; 2] = [[0.5, std::f64::consts::PI], [0.2994486924909263, 2.83692777045894]];

/// Floudas 14.1.5: Brown's almost linear system with n = 5.
///
/// ```text
/// F_i = x_i + sum_j x_j - 6   (i = 1..4),   F_5 = prod_j x_j - 1
/// ```
///
/// n = 5, box `[-2, 2]^5`. The residuals are those of MGH problem 27 at n = 5 (the code is
/// shared with [`crate::mgh::BrownAlmostLinear`]). Roots: `x1 = ... = x4 = a`,
/// `x5 = 6 - 5a` with `a^4 (6 - 5a) = 1`, i.e. `(a - 1)(5a^4 - a^3 - a^2 - a - 1) = 0`; the real
/// roots `a = 1`, `a = 0.916...` and `a = -0.579...` give (1, 1, 1, 1, 1),
/// (0.916, ..., 1.418) in the box, and (-0.579, ..., 8.90) outside it. Both roots in the box
/// are listed.
/// Sources: Floudas et al. (1999) 14.1.5 (GLOBALLib ex14_1_5); K. M. Brown, SIAM J. Numer.
/// Anal. 6 (1969) 560-569; More, Garbow & Hillstrom (1981) problem 27.
#[derive(Clone, Debug)]
pub struct BrownAlmostLinear5 {
    inner: BrownAlmostLinear,
}

impl Default for BrownAlmostLinear5 {
    fn default() -> Self {
        Self { inner: BrownAlmostLinear::new(5) }
    }
}

impl System for BrownAlmostLinear5 {
    fn name(&self) -> &'static str {
        "ex14_1_5"
    }
    fn title(&self) -> &'static str {
        "Brown's almost linear system (n = 5)"
    }
    fn source(&self) -> &'static str {
        "Floudas et al. (1999) section 14.1.5 (GLOBALLib ex14_1_5); Brown, SIAM J. Numer. Anal. 6 (1969); MGH 27"
    }
    fn n(&self) -> usize {
        5
    }
    fn bounds(&self) -> Bounds {
        cube(2.0, 5)
    }
    fn roots(&self) -> Vec<Vec<f64>> {
        // a = the root of 5a^4 - a^3 - a^2 - a - 1 near 0.916 (refined).
        let a = BROWN_A;
        vec![vec![1.0; 5], vec![a, a, a, a, 6.0 - 5.0 * a]]
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        Mgh::residuals(&self.inner, x, r);
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        Mgh::jacobian(&self.inner, x, emit);
    }
}

/// The root of `5a^4 - a^3 - a^2 - a - 1` in (0.9, 1), refined by Newton's method.
const BROWN_A: f64 = 0.9163545825338489;

/// Floudas 14.1.6: inverse kinematics of a robot arm (Tsai & Morgan's 6R manipulator reduced to
/// eight unknowns, cosines and sines of joint angles).
///
/// ```text
/// F1 = 4.731e-3 x1 x3 - 0.3578 x2 x3 - 0.1238 x1 + x7 - 1.637e-3 x2 - 0.9338 x4 - 0.3571
/// F2 = 0.2238 x1 x3 + 0.7623 x2 x3 + 0.2638 x1 - x7 - 0.07745 x2 - 0.6734 x4 - 0.6022
/// F3 = x6 x8 + 0.3578 x1 + 4.731e-3 x2
/// F4 = -0.7623 x1 + 0.2238 x2 + 0.3461
/// F5 = x1^2 + x2^2 - 1,  F6 = x3^2 + x4^2 - 1,  F7 = x5^2 + x6^2 - 1,  F8 = x7^2 + x8^2 - 1
/// ```
///
/// n = 8, box `[-1, 1]^8`. Same coefficients in GLOBALLib `ex14_1_6`. Sixteen roots in the box,
/// all listed (Newton's method from 20000 random starts in the box finds exactly these), and
/// the structure shows there are no others: `F4` (linear) and `F5` give two points (x1, x2),
/// (0.67155426, 0.74095538) and (0.16443167, -0.98638848); for each, `F1 + F2` is linear in
/// (x3, x4), which with `F6` gives two points (x3, x4); `F1` then fixes `x7`, `F8` gives
/// `x8 = +-sqrt(1 - x7^2)`, `F3` gives `x6 = -(0.3578 x1 + 4.731e-3 x2) / x8`, and `F7`
/// `x5 = +-sqrt(1 - x6^2)`: 2 x 2 x 2 x 2 = 16 roots, every one inside the box.
/// `F3`, ..., `F7` do not depend on `x3`, ..., `x7` respectively: those five diagonal entries of
/// the sparse Jacobian are explicit zeros.
/// Sources: Floudas et al. (1999) 14.1.6 (GLOBALLib ex14_1_6); L.-W. Tsai, A. P. Morgan,
/// *Solving the kinematics of the most general six- and five-degree-of-freedom manipulators by
/// continuation methods*, J. Mech. Transm. Autom. Des. 107 (1985) 189-200.
#[derive(Clone, Debug, Default)]
pub struct RobotKinematics;

impl System for RobotKinematics {
    fn name(&self) -> &'static str {
        "ex14_1_6"
    }
    fn title(&self) -> &'static str {
        "robot kinematics (Tsai-Morgan)"
    }
    fn source(&self) -> &'static str {
        "Floudas et al. (1999) section 14.1.6 (GLOBALLib ex14_1_6); Tsai & Morgan, J. Mech. Transm. Autom. Des. 107 (1985)"
    }
    fn n(&self) -> usize {
        8
    }
    fn bounds(&self) -> Bounds {
        cube(1.0, 8)
    }
    fn roots(&self) -> Vec<Vec<f64>> {
        ROBOT_ROOTS.iter().map(|r| r.to_vec()).collect()
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let (x1, x2, x3, x4, x5, x6, x7, x8) = (x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
        r[0] = x1 * x3 * 4.731e-3 - x2 * x3 * 0.3578 - x1 * 0.1238 + x7 - x2 * 1.637e-3 - x4 * 0.9338 - 0.3571;
        r[1] = x1 * x3 * 0.2238 + x2 * x3 * 0.7623 + x1 * 0.2638 - x7 - x2 * 0.07745 - x4 * 0.6734 - 0.6022;
        r[2] = x6 * x8 + x1 * 0.3578 + x2 * 4.731e-3;
        r[3] = -x1 * 0.7623 + x2 * 0.2238 + 0.3461;
        r[4] = x1 * x1 + x2 * x2 - 1.0;
        r[5] = x3 * x3 + x4 * x4 - 1.0;
        r[6] = x5 * x5 + x6 * x6 - 1.0;
        r[7] = x7 * x7 + x8 * x8 - 1.0;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let (x1, x2, x3, x4, x5, x6, x7, x8) = (x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
        emit(0, 0, x3 * 4.731e-3 - 0.1238);
        emit(0, 1, -x3 * 0.3578 - 1.637e-3);
        emit(0, 2, x1 * 4.731e-3 - x2 * 0.3578);
        emit(0, 3, cst(-0.9338));
        emit(0, 6, cst(1.0));
        emit(1, 0, x3 * 0.2238 + 0.2638);
        emit(1, 1, x3 * 0.7623 - 0.07745);
        emit(1, 2, x1 * 0.2238 + x2 * 0.7623);
        emit(1, 3, cst(-0.6734));
        emit(1, 6, cst(-1.0));
        emit(2, 0, cst(0.3578));
        emit(2, 1, cst(4.731e-3));
        emit(2, 5, x8);
        emit(2, 7, x6);
        emit(3, 0, cst(-0.7623));
        emit(3, 1, cst(0.2238));
        emit(4, 0, x1 * 2.0);
        emit(4, 1, x2 * 2.0);
        emit(5, 2, x3 * 2.0);
        emit(5, 3, x4 * 2.0);
        emit(6, 4, x5 * 2.0);
        emit(6, 5, x6 * 2.0);
        emit(7, 6, x7 * 2.0);
        emit(7, 7, x8 * 2.0);
    }
}

/// The sixteen roots, sorted lexicographically (Newton's method from random starts, refined).
const ROBOT_ROOTS: [[f64; 8]; 16] = [
    [
        0.1644316658543271,
        -0.9863884768509671,
        -0.9470636915416459,
        -0.32104573531431635,
        -0.9982331646550725,
        -0.05941842292352604,
        0.4110331567471624,
        0.9116203947117806,
    ],
    [
        0.16443166585432714,
        -0.9863884768509671,
        -0.9470636915416459,
        -0.32104573531431635,
        0.9982331646550725,
        -0.059418422923526046,
        0.4110331567471624,
        0.9116203947117806,
    ],
    [
        0.16443166585432717,
        -0.9863884768509671,
        -0.9470636915416459,
        -0.32104573531431635,
        -0.9982331646550724,
        0.05941842292352606,
        0.4110331567471624,
        -0.9116203947117806,
    ],
    [
        0.16443166585432717,
        -0.9863884768509671,
        -0.9470636915416459,
        -0.32104573531431635,
        0.9982331646550724,
        0.05941842292352606,
        0.4110331567471624,
        -0.9116203947117806,
    ],
    [
        0.16443166585432717,
        -0.9863884768509671,
        0.7184526010276028,
        -0.6955759197073115,
        -0.9979643839704327,
        0.06377372755700265,
        -0.527809105283546,
        -0.8493630250839641,
    ],
    [
        0.1644316658543272,
        -0.9863884768509671,
        0.7184526010276028,
        -0.6955759197073115,
        0.9979643839704327,
        0.06377372755700265,
        -0.5278091052835459,
        -0.8493630250839641,
    ],
    [
        0.16443166585432722,
        -0.9863884768509671,
        0.7184526010276027,
        -0.6955759197073116,
        -0.9979643839704327,
        -0.06377372755700265,
        -0.5278091052835459,
        0.8493630250839642,
    ],
    [
        0.16443166585432722,
        -0.9863884768509671,
        0.7184526010276028,
        -0.6955759197073115,
        0.9979643839704327,
        -0.06377372755700267,
        -0.5278091052835459,
        0.8493630250839641,
    ],
    [
        0.6715542618188867,
        0.7409553788406493,
        -0.651590610997593,
        -0.7585708112363562,
        0.9625450188622104,
        0.2711219036956384,
        -0.4375775637466318,
        -0.8991806691124773,
    ],
    [
        0.6715542618188867,
        0.7409553788406493,
        0.9518927488409801,
        -0.30643138661691116,
        -0.9638107654871332,
        -0.2665873371544612,
        0.4046413889219542,
        0.9144754487526233,
    ],
    [
        0.6715542618188868,
        0.7409553788406493,
        -0.6515906109975929,
        -0.7585708112363562,
        -0.9625450188622104,
        -0.27112190369563843,
        -0.4375775637466318,
        0.8991806691124773,
    ],
    [
        0.6715542618188868,
        0.7409553788406493,
        -0.6515906109975929,
        -0.7585708112363562,
        -0.9625450188622104,
        0.27112190369563843,
        -0.4375775637466318,
        -0.8991806691124773,
    ],
    [
        0.6715542618188868,
        0.7409553788406493,
        -0.6515906109975929,
        -0.7585708112363562,
        0.9625450188622104,
        -0.27112190369563843,
        -0.4375775637466318,
        0.8991806691124773,
    ],
    [
        0.6715542618188868,
        0.7409553788406493,
        0.9518927488409801,
        -0.30643138661691116,
        -0.9638107654871332,
        0.2665873371544612,
        0.4046413889219542,
        -0.9144754487526233,
    ],
    [
        0.6715542618188868,
        0.7409553788406493,
        0.9518927488409801,
        -0.30643138661691116,
        0.9638107654871332,
        -0.2665873371544612,
        0.4046413889219542,
        0.9144754487526233,
    ],
    [
        0.6715542618188868,
        0.7409553788406493,
        0.9518927488409801,
        -0.30643138661691116,
        0.9638107654871332,
        0.2665873371544612,
        0.4046413889219543,
        -0.9144754487526233,
    ],
];

/// Floudas 14.1.7: circuit design (Price's transistor modelling problem, Ebers-Moll model).
///
/// For `k = 1..4`, with the table
///
/// ```text
/// g1 = [0.4850, 0.7520, 0.8690, 0.9820]      g2 = [0.3690, 1.2540, 0.7030, 1.4550]
/// g3 = [5.2095, 10.0677, 22.9274, 20.2153]   g4 = [23.3037, 101.7790, 111.4610, 191.2670]
/// g5 = [28.5132, 111.8467, 134.3884, 211.4823]
///
/// F_k   = (1 - x1 x2) x3 (exp(x5 (g1k - 1e-3 g3k x7 - 1e-3 g5k x8)) - 1) - g5k + g4k x2
/// F_4+k = (1 - x1 x2) x4 (exp(x6 (g1k - g2k - 1e-3 g3k x7 + 1e-3 g4k x9)) - 1) - g5k x1 + g4k
/// F_9   = x1 x3 - x2 x4
/// ```
///
/// n = 9, box `[0, 10]^9`. Badly conditioned (exponentials of size `e^8`). One root listed, the
/// one near (0.9, 0.45, 1, 2, 8, 8, 5, 1, 2) (spec; Ratschek & Rokne enclose it by interval
/// methods): refined by Newton's method to (0.89999995, 0.44998747, 1.00000648, 2.00006854,
/// 7.99997144, 7.99969268, 5.00003128, 0.99998772, 2.00005248). The same table and formulas
/// appear in public transcriptions of Price's problem (the sum of squares of these residuals).
/// The diagonal entries (4, 4), (5, 5), (8, 8) and (9, 9) of the sparse Jacobian are explicit
/// zeros.
/// Sources: Floudas et al. (1999) 14.1.7 (GLOBALLib ex14_1_7); H. Ratschek, J. Rokne,
/// *Experiments using interval analysis for solving a circuit design problem*, J. Global Optim. 3
/// (1993) 501-518; W. L. Price, J. Optim. Theory Appl. 40 (1983) 333-348.
#[derive(Clone, Debug, Default)]
pub struct CircuitDesign;

const G1: [f64; 4] = [0.4850, 0.7520, 0.8690, 0.9820];
const G2: [f64; 4] = [0.3690, 1.2540, 0.7030, 1.4550];
const G3: [f64; 4] = [5.2095, 10.0677, 22.9274, 20.2153];
const G4: [f64; 4] = [23.3037, 101.7790, 111.4610, 191.2670];
const G5: [f64; 4] = [28.5132, 111.8467, 134.3884, 211.4823];

impl System for CircuitDesign {
    fn name(&self) -> &'static str {
        "ex14_1_7"
    }
    fn title(&self) -> &'static str {
        "circuit design (Price's transistor model)"
    }
    fn source(&self) -> &'static str {
        "Floudas et al. (1999) section 14.1.7 (GLOBALLib ex14_1_7); Ratschek & Rokne, J. Global Optim. 3 (1993)"
    }
    fn n(&self) -> usize {
        9
    }
    fn bounds(&self) -> Bounds {
        Bounds { lower: vec![0.0; 9], upper: vec![10.0; 9] }
    }
    fn roots(&self) -> Vec<Vec<f64>> {
        vec![CIRCUIT_ROOT.to_vec()]
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let p = -(x[0] * x[1]) + 1.0;
        for k in 0..4 {
            let a = -(x[6] * (1e-3 * G3[k])) - x[7] * (1e-3 * G5[k]) + G1[k];
            let b = -(x[6] * (1e-3 * G3[k])) + x[8] * (1e-3 * G4[k]) + (G1[k] - G2[k]);
            r[k] = p * x[2] * ((x[4] * a).exp() - 1.0) - G5[k] + x[1] * G4[k];
            r[4 + k] = p * x[3] * ((x[5] * b).exp() - 1.0) - x[0] * G5[k] + G4[k];
        }
        r[8] = x[0] * x[2] - x[1] * x[3];
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let p = -(x[0] * x[1]) + 1.0;
        for k in 0..4 {
            let a = -(x[6] * (1e-3 * G3[k])) - x[7] * (1e-3 * G5[k]) + G1[k];
            let e = (x[4] * a).exp();
            let em1 = e - 1.0;
            let px3e = p * x[2] * e;
            emit(k, 0, -(x[1] * x[2] * em1));
            emit(k, 1, -(x[0] * x[2] * em1) + G4[k]);
            emit(k, 2, p * em1);
            emit(k, 4, px3e * a);
            emit(k, 6, px3e * x[4] * (-1e-3 * G3[k]));
            emit(k, 7, px3e * x[4] * (-1e-3 * G5[k]));
        }
        for k in 0..4 {
            let b = -(x[6] * (1e-3 * G3[k])) + x[8] * (1e-3 * G4[k]) + (G1[k] - G2[k]);
            let g = (x[5] * b).exp();
            let gm1 = g - 1.0;
            let px4g = p * x[3] * g;
            emit(4 + k, 0, -(x[1] * x[3] * gm1) - G5[k]);
            emit(4 + k, 1, -(x[0] * x[3] * gm1));
            emit(4 + k, 3, p * gm1);
            emit(4 + k, 5, px4g * b);
            emit(4 + k, 6, px4g * x[5] * (-1e-3 * G3[k]));
            emit(4 + k, 8, px4g * x[5] * (1e-3 * G4[k]));
        }
        emit(8, 0, x[2]);
        emit(8, 1, -x[3]);
        emit(8, 2, x[0]);
        emit(8, 3, -x[1]);
    }
}

/// Refined by Newton's method from near (0.9, 0.45, 1, 2, 8, 8, 5, 1, 2).
const CIRCUIT_ROOT: [f64; 9] = [
    0.8999999526168565,
    0.44998747198152783,
    1.000006482465262,
    2.000068541624267,
    7.999971440508142,
    7.999692684216896,
    5.000031275930083,
    0.9999877234567903,
    2.0000524834863627,
];

/// Floudas 14.1.8: steady states of two continuous stirred-tank reactors in series.
///
/// With `a(t) = exp(10 t / (1 + 0.01 t))`:
///
/// ```text
/// F1 = (0.143/3 - 0.065 x1) a(x1) - x1
/// F2 = (0.143 - 0.13 x1 - 0.195 x2) a(x2) + x1 - 3 x2
/// ```
///
/// n = 2, box `[-1, 1]^2` (the handbook's box as transcribed by GLOBALLib; some sources use
/// `[0, 1]^2`). GLOBALLib writes `0.143/3` as `0.0476666666666666` and `0.065` as
/// `0.0649999999999999`; the exact values are used here (`0.143/3` is not `1/21`). Root
/// (0.72498689, 0.24524082) (stored refined); it is the only root found in the box by Newton's
/// method from 20000 random starts.
///
/// A barrier for descent methods: `F1` depends on `x1` only, is positive on `[-1, 0.72499)`
/// with a local minimum 0.011552 at `x1 = 0.108` (a stationary point of the merit that is not
/// a root) and a local maximum 2.8864 at `x1 = 0.629`, and changes sign only at the root. Any
/// path from a point with `x1 < 0.629` to the root crosses `x1 = 0.629`, where `||F|| >= 2.8864`;
/// so a method whose merit never increases cannot reach the root from a start with
/// `||F(x0)|| < 2.8864`, such as the quarter points `q1 = (-0.5, -0.5)` (`||F|| = 1.12`) and
/// `q2 = (0, 0)` (`||F|| = 0.151`) (checked by the tests). With the box `[0, 1]^2` of other
/// sources the same holds for its `q1 = (0.25, 0.25)` (`||F|| = 0.280`).
/// Sources: Floudas et al. (1999) 14.1.8 (GLOBALLib ex14_1_8); M. Kubicek, H. Hofmann,
/// V. Hlavacek, J. Sinkule, *Multiplicity and stability in a sequence of two nonadiabatic
/// nonisothermal CSTR*, Chem. Eng. Sci. 35 (1980) 987-996.
#[derive(Clone, Debug, Default)]
pub struct TwoCstr;

impl TwoCstr {
    /// `exp(10 t / (1 + 0.01 t))` and its derivative.
    fn arrhenius<D: Scalar>(t: D) -> (D, D) {
        let d = t * 0.01 + 1.0;
        let a = (t * 10.0 / d).exp();
        (a, a * 10.0 / (d * d))
    }
}

impl System for TwoCstr {
    fn name(&self) -> &'static str {
        "ex14_1_8"
    }
    fn title(&self) -> &'static str {
        "two CSTRs in series"
    }
    fn source(&self) -> &'static str {
        "Floudas et al. (1999) section 14.1.8 (GLOBALLib ex14_1_8); Kubicek et al., Chem. Eng. Sci. 35 (1980)"
    }
    fn n(&self) -> usize {
        2
    }
    fn bounds(&self) -> Bounds {
        cube(1.0, 2)
    }
    fn roots(&self) -> Vec<Vec<f64>> {
        vec![CSTR_ROOT.to_vec()]
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let (a1, _) = Self::arrhenius(x[0]);
        let (a2, _) = Self::arrhenius(x[1]);
        r[0] = (-(x[0] * 0.065) + 0.143 / 3.0) * a1 - x[0];
        r[1] = (-(x[0] * 0.13) - x[1] * 0.195 + 0.143) * a2 + x[0] - x[1] * 3.0;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let (a1, da1) = Self::arrhenius(x[0]);
        let (a2, da2) = Self::arrhenius(x[1]);
        let c1 = -(x[0] * 0.065) + 0.143 / 3.0;
        let c2 = -(x[0] * 0.13) - x[1] * 0.195 + 0.143;
        emit(0, 0, -(a1 * 0.065) + c1 * da1 - 1.0);
        emit(1, 0, -(a2 * 0.13) + 1.0);
        emit(1, 1, -(a2 * 0.195) + c2 * da2 - 3.0);
    }
}

/// Refined from (0.72498689, 0.24524082).
const CSTR_ROOT: [f64; 2] = [0.7249868948022162, 0.24524082059833735];

/// Floudas 14.1.9: temperature of an adiabatic reactor.
///
/// ```text
/// F = 4510067.11409396 x exp(-7548.11926028431 / x) + 0.00335570469798658 x
///     - 2020510067.11409 exp(-7548.11926028431 / x) - 1
/// ```
///
/// n = 1, box `[100, 1000]`; constants as printed in GLOBALLib `ex14_1_9`
/// (`0.00335570469798658 = 1/298`). Three roots, all listed: 300.43281535, 347.31783822,
/// 445.49552103 (Newton's method from a grid of starts; stored to double precision).
/// Source: Floudas et al. (1999) 14.1.9 (GLOBALLib ex14_1_9).
#[derive(Clone, Debug, Default)]
pub struct ReactorTemperature;

impl ReactorTemperature {
    const A: f64 = 4510067.11409396;
    const B: f64 = 7548.11926028431;
    const C: f64 = 0.00335570469798658;
    const K: f64 = 2020510067.11409;
}

impl System for ReactorTemperature {
    fn name(&self) -> &'static str {
        "ex14_1_9"
    }
    fn title(&self) -> &'static str {
        "reactor temperature"
    }
    fn source(&self) -> &'static str {
        "Floudas et al. (1999) section 14.1.9 (GLOBALLib ex14_1_9)"
    }
    fn n(&self) -> usize {
        1
    }
    fn bounds(&self) -> Bounds {
        Bounds { lower: vec![100.0], upper: vec![1000.0] }
    }
    fn roots(&self) -> Vec<Vec<f64>> {
        REACTOR_ROOTS.iter().map(|&r| vec![r]).collect()
    }
    fn residuals<D: Scalar>(&self, x: &[D], r: &mut [D]) {
        let e = (x[0].recip() * (-Self::B)).exp();
        r[0] = e * (x[0] * Self::A - Self::K) + x[0] * Self::C - 1.0;
    }
    fn jacobian<D: Scalar>(&self, x: &[D], emit: &mut dyn FnMut(usize, usize, D)) {
        let inv = x[0].recip();
        let e = (inv * (-Self::B)).exp();
        // d/dx [e (A x - K)] = e B / x^2 (A x - K) + e A.
        emit(0, 0, e * inv * inv * Self::B * (x[0] * Self::A - Self::K) + e * Self::A + Self::C);
    }
}

/// The three roots in increasing order (Newton's method from a grid of starts).
const REACTOR_ROOTS: [f64; 3] = [300.4328153469133, 347.3178382226283, 445.4955210307984];
