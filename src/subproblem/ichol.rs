//! Incomplete Cholesky preconditioner for the CG-based step solvers (Steihaug-Toint, GLTR).
//!
//! At every accepted point the model's preconditioning matrix `A`
//! ([`Model::preconditioning_matrix`]: the sparse
//! Hessian `B` itself, or a sparse approximation of a Hessian that is not sparse, see
//! [`crate::problem::SparseHessianApproximation`]; lower triangle, fixed pattern) is
//! factorized incompletely, `S A S + alpha I ≈ L L'`, with the limited-memory rule and the
//! shift strategy of Lin & More (1999) (see [`crate::linalg::incomplete_cholesky`]), and CG
//! runs with `M = S^{-1} L L' S^{-1}`: `z = M^{-1} r` is two sparse triangular solves and the
//! trust region is measured in the `M`-norm, `||s||_M^2 = s'Ms = ||L' S^{-1} s||^2`
//! (Steihaug 1983, sec. 3; Conn, Gould & Toint 2000, sec. 5.1.4 and 7.5; Lin & More 1999,
//! sec. 7, who use exactly this pairing in their trust-region Newton code TRON).
//! Since `M ≈ B + alpha S^{-2}` near a minimizer (when `A = B`), the `M`-norm region is close to the
//! ellipsoid of the model's own curvature, and the shift keeps `M` positive definite when
//! `B` is indefinite.
//!
//! # Fallbacks
//!
//! - The model has no sparse preconditioning matrix (dense only, products only, or a
//!   Gauss-Newton model):
//!   the preconditioner is Jacobi, `M = diag(max(|B_ii|, floor max_j |B_jj|))`
//!   ([`DiagonalPreconditioner`]), and the identity when the model cannot give its diagonal.
//!   An incomplete factorization of a dense matrix would be a dense factorization at sparse
//!   prices; use the exact step there instead.
//! - The factorization fails at a point (a non-finite Hessian value, overflowing column norms,
//!   or a breakdown at every shift tried): the same Jacobi fallback for that point, and the
//!   typed reason is kept ([`IncompleteCholeskyPreconditioner::last_failure`]). The next
//!   point tries the factorization again.
//!
//! Nothing panics on user values: non-finite entries are detected before factorizing.
//!
//! # Allocation
//!
//! [`Preconditioner::initialize`] allocates the length-`n` buffers of the fallback. The
//! sparse matrix's pattern is first seen in [`Preconditioner::prepare`], so the first
//! `prepare` on a sparse model analyses the pattern and allocates the factor's storage
//! (`nnz(tril(A)) + n p` entries at most, `p` = [`IncompleteCholeskyOptions::fill`]) and the
//! work arrays; later `prepare` calls with the same pattern (the models guarantee it) and every
//! `apply` / `norm_sq` allocate nothing.
//!
//! # Choices
//!
//! - Ordering: approximate minimum degree by default
//!   ([`IncompleteCholeskyOptions::ordering`]). The left-looking factorization costs about
//!   `sum_k m_k^2` for columns of `m_k` entries, so in the natural order a dense first column
//!   (an arrowhead) makes it quadratic in `n`; minimum degree numbers dense variables last. The
//!   natural order can be faster where the Hessian is fairly dense, but a quadratic blow-up in
//!   `n` is the worse risk, and it remains an option
//!   ([`Ordering::Natural`](crate::linalg::incomplete_cholesky::Ordering::Natural)). How an
//!   ordering affects the quality of an incomplete factor is problem dependent (Duff &
//!   Meurant 1989; Benzi 2002, sec. 6).
//! - Shift: Lin & More's doubling, plus a safety factor 2 on the shift after a breakdown
//!   ([`IncompleteCholeskyOptions::breakdown_margin`]). Without it, the smallest working shift
//!   leaves `M` nearly singular on indefinite Hessians and the `M`-norm region needle-shaped;
//!   the margin costs iterations on some problems that converge either way.
//! - Memory `p`: 5 ([`IncompleteCholeskyOptions::fill`], Lin & More 1999's recommendation).
//! - Cost guard ([`IncompleteCholeskyOptions::max_work_ratio`], default 200): a pattern whose
//!   estimated factorization work `sum_j (n_j + p)^2` exceeds 200 times its entries is declined
//!   and the point uses the Jacobi fallback, so that a nearly dense Hessian does not pay for a
//!   dense factorization at every point.
//!
//! The measurements behind these defaults (the CUTEst suite against Jacobi, the ordering, the
//! margin, the sweep over `p`, the cost guard, the CG-iteration totals) are kept in
//! `benches/README.md` with the commit each was measured at; `cargo bench --bench
//! preconditioners` re-measures Jacobi against incomplete Cholesky on every CUTEst problem
//! with a sparse Hessian.
//!
//! References:
//! 1. C.-J. Lin, J. J. More, Incomplete Cholesky factorizations with limited memory,
//!    SIAM J. Sci. Comput. 21 (1999) 24-45.
//! 2. C.-J. Lin, J. J. More, Newton's method for large bound-constrained optimization
//!    problems, SIAM J. Optim. 9 (1999) 1100-1127 (TRON).
//! 3. T. Steihaug, The conjugate gradient method and trust regions in large scale
//!    optimization, SIAM J. Numer. Anal. 20 (1983) 626-637.
//! 4. A. R. Conn, N. I. M. Gould, Ph. L. Toint, Trust-Region Methods, SIAM (2000).
//! 5. I. S. Duff, G. A. Meurant, The effect of ordering on preconditioned conjugate
//!    gradients, BIT 29 (1989) 635-657.
//! 6. M. Benzi, Preconditioning techniques for large linear systems: a survey,
//!    J. Comput. Phys. 182 (2002) 418-477.

use super::steihaug::{DiagonalPreconditioner, Preconditioner};
use crate::error::SetupError;
use crate::linalg::incomplete_cholesky::{
    FactorInfo, IncompleteCholesky, IncompleteCholeskyError, IncompleteCholeskyOptions, InvalidOption,
};
use crate::model::Model;

/// The linear-algebra layer's option error as the crate's setup error.
fn setup_error(e: InvalidOption) -> SetupError {
    SetupError::InvalidOption { name: e.name, value: e.value, reason: e.reason }
}

/// Which preconditioner is in force at the current point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActivePreconditioner {
    /// The incomplete Cholesky factor of the sparse Hessian.
    IncompleteCholesky,
    /// Jacobi (or the identity when the model has no diagonal): the model has no sparse
    /// Hessian, the factorization failed at this point, or nothing was prepared yet.
    Fallback,
}

/// Incomplete Cholesky preconditioner `M = S^{-1} L L' S^{-1}` with a Jacobi fallback; see
/// the [module documentation](self).
#[derive(Clone, Debug)]
pub struct IncompleteCholeskyPreconditioner {
    factor: IncompleteCholesky,
    fallback: DiagonalPreconditioner,
    active: ActivePreconditioner,
    last_info: Option<FactorInfo>,
    last_failure: Option<IncompleteCholeskyError>,
    failures: usize,
}

impl Default for IncompleteCholeskyPreconditioner {
    fn default() -> Self {
        Self::from_valid(
            IncompleteCholesky::new(IncompleteCholeskyOptions::default()).expect("default options are valid"),
        )
    }
}

impl IncompleteCholeskyPreconditioner {
    /// A preconditioner with the given factorization options (validated here; an
    /// out-of-range option is a [`SetupError::InvalidOption`]).
    pub fn new(options: IncompleteCholeskyOptions) -> Result<Self, SetupError> {
        let factor = IncompleteCholesky::new(options).map_err(setup_error)?;
        Ok(Self::from_valid(factor))
    }

    fn from_valid(factor: IncompleteCholesky) -> Self {
        Self {
            factor,
            fallback: DiagonalPreconditioner::default(),
            active: ActivePreconditioner::Fallback,
            last_info: None,
            last_failure: None,
            failures: 0,
        }
    }

    /// The factorization options.
    pub fn options(&self) -> &IncompleteCholeskyOptions {
        self.factor.options()
    }

    /// Which preconditioner the last [`Preconditioner::prepare`] put in force.
    pub fn active(&self) -> ActivePreconditioner {
        self.active
    }

    /// Shift and size of the last successful factorization.
    pub fn last_info(&self) -> Option<FactorInfo> {
        self.last_info
    }

    /// Why the factorization failed at the last point where it failed (cleared by
    /// [`Preconditioner::initialize`]).
    pub fn last_failure(&self) -> Option<IncompleteCholeskyError> {
        self.last_failure
    }

    /// Points since [`Preconditioner::initialize`] where the factorization failed and Jacobi
    /// was used instead.
    pub fn failures(&self) -> usize {
        self.failures
    }

    /// The underlying factorization (counters, shift, scaling).
    pub fn factorization(&self) -> &IncompleteCholesky {
        &self.factor
    }
}

impl Preconditioner for IncompleteCholeskyPreconditioner {
    fn initialize(&mut self, n: usize) {
        self.fallback.initialize(n);
        self.active = ActivePreconditioner::Fallback;
        self.last_info = None;
        self.last_failure = None;
        self.failures = 0;
        self.factor.forget_shift();
    }

    fn prepare(&mut self, model: &dyn Model) {
        if let Some(h) = model.preconditioning_matrix() {
            if h.ncols() == model.dim() {
                match self.factor.factorize(h) {
                    Ok(info) => {
                        self.last_info = Some(info);
                        self.active = ActivePreconditioner::IncompleteCholesky;
                        return;
                    }
                    Err(e) => {
                        self.last_failure = Some(e);
                        self.failures += 1;
                    }
                }
            }
        }
        self.active = ActivePreconditioner::Fallback;
        self.fallback.prepare(model);
    }

    fn apply(&self, r: &[f64], z: &mut [f64]) {
        match self.active {
            ActivePreconditioner::IncompleteCholesky => {
                z.copy_from_slice(r);
                self.factor.solve_in_place(z);
            }
            ActivePreconditioner::Fallback => self.fallback.apply(r, z),
        }
    }

    fn norm_sq(&self, s: &[f64]) -> f64 {
        match self.active {
            ActivePreconditioner::IncompleteCholesky => self.factor.m_norm_sq(s),
            ActivePreconditioner::Fallback => self.fallback.norm_sq(s),
        }
    }
    fn is_identity(&self) -> bool {
        self.active == ActivePreconditioner::Fallback && self.fallback.is_identity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::dot;
    use crate::linalg::sparse::symmetric_lower_matvec;
    use crate::model::DenseModel;
    use crate::subproblem::{Steihaug, StepSolver, StepStatus};
    use faer::sparse::{SparseColMat, SparseColMatRef, Triplet};
    use faer::Mat;

    /// A model with an explicit sparse Hessian (lower triangle).
    struct SparseModel {
        g: Vec<f64>,
        h: SparseColMat<usize, f64>,
        diag: Vec<f64>,
    }

    impl Model for SparseModel {
        fn dim(&self) -> usize {
            self.g.len()
        }
        fn value(&self) -> f64 {
            0.0
        }
        fn gradient(&self) -> &[f64] {
            &self.g
        }
        fn apply(&mut self, v: &[f64], out: &mut [f64]) {
            symmetric_lower_matvec(self.h.as_ref(), v, out);
        }
        fn sparse_hessian(&self) -> Option<SparseColMatRef<'_, usize, f64>> {
            Some(self.h.as_ref())
        }
        fn diagonal(&self, out: &mut [f64]) -> bool {
            out.copy_from_slice(&self.diag);
            true
        }
    }

    /// 2-D Laplacian on a k x k grid with badly scaled rows/columns: D (L + shift I) D.
    fn model(k: usize, shift: f64) -> SparseModel {
        let n = k * k;
        let d: Vec<f64> = (0..n).map(|i| 10f64.powi((i % 5) as i32 - 2)).collect();
        let mut t = Vec::new();
        let mut diag = vec![0.0; n];
        for y in 0..k {
            for x in 0..k {
                let j = y * k + x;
                diag[j] = (4.0 + shift) * d[j] * d[j];
                t.push(Triplet::new(j, j, diag[j]));
                if x + 1 < k {
                    t.push(Triplet::new(j + 1, j, -d[j] * d[j + 1]));
                }
                if y + 1 < k {
                    t.push(Triplet::new(j + k, j, -d[j] * d[j + k]));
                }
            }
        }
        let h = SparseColMat::try_new_from_triplets(n, n, &t).unwrap();
        let g = (0..n).map(|i| ((i * 7 % 13) as f64) - 6.0).collect();
        SparseModel { g, h, diag }
    }

    #[test]
    fn apply_then_norm_is_consistent() {
        let m = model(6, 0.1);
        let mut p = IncompleteCholeskyPreconditioner::default();
        p.initialize(m.dim());
        p.prepare(&m);
        assert_eq!(p.active(), ActivePreconditioner::IncompleteCholesky);
        let r = m.g.clone();
        let mut z = vec![0.0; r.len()];
        p.apply(&r, &mut z);
        let rz = dot(&r, &z);
        assert!(rz > 0.0);
        assert!((p.norm_sq(&z) - rz).abs() <= 1e-11 * rz, "{} vs {rz}", p.norm_sq(&z));
    }

    #[test]
    fn fewer_cg_iterations_than_jacobi_and_identity() {
        use crate::subproblem::steihaug::Forcing;
        let run = |solver: &mut dyn StepSolver| {
            let mut m = model(12, 0.01);
            solver.initialize(m.dim());
            solver.prepare(&mut m);
            let mut s = vec![0.0; m.dim()];
            solver.solve(&mut m, 1e12, &mut s)
        };
        let mut id = Steihaug::new();
        id.forcing = Forcing::Fixed(1e-8);
        let mut jac = Steihaug::with_preconditioner(DiagonalPreconditioner::default());
        jac.forcing = Forcing::Fixed(1e-8);
        let mut ic = Steihaug::with_preconditioner(IncompleteCholeskyPreconditioner::default());
        ic.forcing = Forcing::Fixed(1e-8);
        let (a, b, c) = (run(&mut id), run(&mut jac), run(&mut ic));
        // Measured: identity 144 (the cap n, not converged), Jacobi 46, incomplete Cholesky 10.
        assert!(c.inner_iterations < b.inner_iterations, "ichol {} jacobi {}", c.inner_iterations, b.inner_iterations);
        assert!(b.inner_iterations <= a.inner_iterations);
        assert_eq!((b.status, c.status), (StepStatus::Interior, StepStatus::Interior));
        // Same (Newton) step: the predicted reductions agree.
        assert!((b.predicted_reduction - c.predicted_reduction).abs() <= 1e-9 * b.predicted_reduction);
    }

    #[test]
    fn indefinite_hessian_is_shifted() {
        // Laplacian - 6 I (scaled) is indefinite: the factor exists with a positive shift.
        let m = model(5, -6.0);
        let mut p = IncompleteCholeskyPreconditioner::default();
        p.initialize(m.dim());
        p.prepare(&m);
        assert_eq!(p.active(), ActivePreconditioner::IncompleteCholesky);
        assert!(p.last_info().unwrap().shift > 0.0);
        let s: Vec<f64> = (0..25).map(|i| (i as f64).sin()).collect();
        assert!(p.norm_sq(&s) > 0.0);
    }

    #[test]
    fn non_finite_hessian_falls_back_to_jacobi() {
        let mut m = model(4, 0.0);
        m.h.val_mut()[3] = f64::NAN;
        let mut p = IncompleteCholeskyPreconditioner::default();
        p.initialize(m.dim());
        p.prepare(&m);
        assert_eq!(p.active(), ActivePreconditioner::Fallback);
        assert!(matches!(p.last_failure(), Some(IncompleteCholeskyError::NonFinite { .. })));
        assert_eq!(p.failures(), 1);
        // Jacobi: z_i = r_i / |B_ii|.
        let r = vec![1.0; 16];
        let mut z = vec![0.0; 16];
        p.apply(&r, &mut z);
        for (zi, di) in z.iter().zip(&m.diag) {
            assert!((zi * di - 1.0).abs() < 1e-14);
        }
        // A non-finite diagonal as well: no panic, a finite positive norm.
        m.diag[0] = f64::NAN;
        p.prepare(&m);
        p.apply(&r, &mut z);
        assert!(p.norm_sq(&r).is_finite());
        // The next point with finite values factorizes again.
        let m2 = model(4, 0.0);
        p.prepare(&m2);
        assert_eq!(p.active(), ActivePreconditioner::IncompleteCholesky);
    }

    #[test]
    fn dense_model_uses_jacobi() {
        let mut h = Mat::zeros(3, 3);
        for i in 0..3 {
            h[(i, i)] = (i + 1) as f64 * 10.0;
        }
        let m = DenseModel::new(vec![1.0, 1.0, 1.0], h);
        let mut p = IncompleteCholeskyPreconditioner::default();
        p.initialize(3);
        p.prepare(&m);
        assert_eq!(p.active(), ActivePreconditioner::Fallback);
        assert!(p.last_failure().is_none());
        let mut z = vec![0.0; 3];
        p.apply(&[10.0, 20.0, 30.0], &mut z);
        assert_eq!(z, vec![1.0, 1.0, 1.0]);
    }

    #[test]
    fn invalid_options_are_rejected() {
        let o = IncompleteCholeskyOptions { alpha_min: -1.0, ..Default::default() };
        assert!(matches!(IncompleteCholeskyPreconditioner::new(o), Err(SetupError::InvalidOption { .. })));
    }

    #[test]
    fn a_new_solve_forgets_the_last_shift() {
        // An indefinite matrix (Laplacian - 5 I): the first prepare searches cold (several
        // attempts, the margin shift last); after initialize (a new solve) the search starts
        // cold again and repeats the first one exactly; a second prepare within the solve
        // starts warm, from half the last shift, and succeeds at once.
        let m = model(6, -5.0);
        let options = IncompleteCholeskyOptions { warm_shift: true, ..Default::default() };
        let mut pre = IncompleteCholeskyPreconditioner::new(options).unwrap();
        pre.initialize(m.dim());
        pre.prepare(&m);
        let first = pre.last_info().expect("factorized with a shift");
        assert!(first.shift > 0.0 && first.attempts >= 2, "{first:?}");
        pre.initialize(m.dim());
        pre.prepare(&m);
        assert_eq!(pre.last_info().unwrap(), first);
        pre.prepare(&m);
        let warm = pre.last_info().unwrap();
        assert_eq!(warm.attempts, 1, "{warm:?}");
        assert_eq!(warm.shift, 0.5 * first.shift);
    }
}
