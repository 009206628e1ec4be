//! Regression tests for defects found by trying to break the entry points (issue "Reliability"):
//! each case here ended in a panic or an accepted bad input before its fix.

use faer::sparse::SymbolicSparseColMat;
use trust_region::solver::interior::{Interior, InteriorOptions};
use trust_region::subproblem::{DiagonalPreconditioner, Gltr, Steihaug};
use trust_region::{Bounds, HessianProduct, Objective, Residuals, SetupError, SparseJacobian, TrustRegion};

/// `x0^2 - 2 = 0`, `x0 x1 - 1 = 0`, with a sparse Jacobian whose pattern is given by the test.
struct Sys {
    pattern: SymbolicSparseColMat<usize>,
}

impl Residuals for Sys {
    fn dim(&self) -> usize {
        2
    }
    fn residual_count(&self) -> usize {
        2
    }
    fn residuals(&self, x: &[f64], r: &mut [f64]) {
        r[0] = x[0] * x[0] - 2.0;
        r[1] = x[0] * x[1] - 1.0;
    }
}

impl SparseJacobian for Sys {
    fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
        self.pattern.clone()
    }
    fn jacobian_values(&self, x: &[f64], v: &mut [f64]) {
        // In the order of the pattern of the first test: column 0 rows [1, 0], column 1 row 1.
        v.copy_from_slice(&[x[1], 2.0 * x[0], x[0]]);
    }
}

/// D1: an unsorted (or repeated) row list in a column, accepted by faer's checked constructor,
/// used to panic inside the sparse LU's ordering; now it is a typed error on every sparse path.
#[test]
fn unsorted_or_repeated_jacobian_pattern_is_a_typed_error() {
    let b = Bounds::new(vec![0.0; 2], vec![2.0; 2]).unwrap();
    let unsorted = SymbolicSparseColMat::new_unsorted_checked(2, 2, vec![0, 2, 3], None, vec![1, 0, 1]);
    let repeated = SymbolicSparseColMat::new_unsorted_checked(2, 2, vec![0, 2, 3], None, vec![0, 0, 1]);
    for pattern in [unsorted, repeated] {
        let sys = Sys { pattern: pattern.clone() };
        let sparse = Interior::new(InteriorOptions::default()).solve_sparse(&sys, &b, &[0.5, 0.5]);
        assert!(matches!(sparse, Err(SetupError::InvalidPattern(_))), "{sparse:?}");
        let fd = Interior::new(InteriorOptions::default()).solve_fd(&sys, &b, &[0.5, 0.5], Some(pattern));
        assert!(matches!(fd, Err(SetupError::InvalidPattern(_))), "{fd:?}");
    }
    // The same system with a sorted pattern solves.
    let sorted = SymbolicSparseColMat::new_checked(2, 2, vec![0, 2, 3], None, vec![0, 1, 1]);
    struct Sorted(Sys);
    impl Residuals for Sorted {
        fn dim(&self) -> usize {
            2
        }
        fn residual_count(&self) -> usize {
            2
        }
        fn residuals(&self, x: &[f64], r: &mut [f64]) {
            self.0.residuals(x, r)
        }
    }
    impl SparseJacobian for Sorted {
        fn jacobian_pattern(&self) -> SymbolicSparseColMat<usize> {
            self.0.pattern.clone()
        }
        fn jacobian_values(&self, x: &[f64], v: &mut [f64]) {
            v.copy_from_slice(&[2.0 * x[0], x[1], x[0]]);
        }
    }
    let r = Interior::default().solve_sparse(&Sorted(Sys { pattern: sorted }), &b, &[0.5, 0.5]).unwrap();
    assert!(r.converged(), "{}", r.termination);
}

struct Bowl;
impl Objective for Bowl {
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: &[f64]) -> f64 {
        (x[0] - 1.0).powi(2) + (x[1] - 1.0).powi(2)
    }
    fn gradient(&self, x: &[f64], g: &mut [f64]) {
        g[0] = 2.0 * (x[0] - 1.0);
        g[1] = 2.0 * (x[1] - 1.0);
    }
}
impl HessianProduct for Bowl {
    fn hessian_product(&self, _: &[f64], v: &[f64], hv: &mut [f64]) {
        hv[0] = 2.0 * v[0];
        hv[1] = 2.0 * v[1];
    }
}

/// D8: a Jacobi floor of 0, below 0 or NaN divided 0/0 on a zero diagonal entry; it is now an
/// invalid option, for Steihaug and GLTR alike.
#[test]
fn jacobi_floor_must_be_in_the_open_unit_interval() {
    for floor in [0.0, -1.0, f64::NAN, 1.0, f64::INFINITY] {
        let mut jacobi = DiagonalPreconditioner::default();
        jacobi.floor = floor;
        let steihaug = TrustRegion::new(Steihaug::with_preconditioner(jacobi.clone())).minimize(&Bowl, &[0.0, 0.0]);
        assert!(matches!(steihaug, Err(SetupError::InvalidOption { name: "floor", .. })), "{floor}: {steihaug:?}");
        let gltr = TrustRegion::new(Gltr::with_preconditioner(jacobi)).minimize(&Bowl, &[0.0, 0.0]);
        assert!(matches!(gltr, Err(SetupError::InvalidOption { name: "floor", .. })), "{floor}: {gltr:?}");
    }
    let ok =
        TrustRegion::new(Steihaug::with_preconditioner(DiagonalPreconditioner::default())).minimize(&Bowl, &[0.0, 0.0]);
    assert!(ok.unwrap().converged());
}

/// D9: a box with no double strictly inside (`u = nextafter(l)`) used to be accepted, and the
/// interior solver then kept an iterate on the bound; it is now an invalid box.
#[test]
fn a_box_without_an_interior_double_is_invalid() {
    let l = 1.0f64;
    let b = Bounds::new(vec![l], vec![l.next_up()]);
    assert!(matches!(b, Err(SetupError::InvalidBounds { index: 0, .. })), "{b:?}");
    // Two doubles apart leaves one inside: accepted.
    assert!(Bounds::new(vec![l], vec![l.next_up().next_up()]).is_ok());
    // The interior solver checks boxes built without `Bounds::new` the same way.
    let raw = Bounds { lower: vec![0.0, l], upper: vec![2.0, l.next_up()] };
    let sys = Sys { pattern: SymbolicSparseColMat::new_checked(2, 2, vec![0, 2, 3], None, vec![0, 1, 1]) };
    let r = Interior::default().solve_fd(&sys, &raw, &[0.5, l], None);
    assert!(matches!(r, Err(SetupError::InvalidBounds { index: 1, .. })), "{r:?}");
}

/// D11: infinite gradient, function and step tolerances ended every run at once as
/// "converged"; they are now invalid options (the interior solver already rejected atol = inf).
#[test]
fn infinite_tolerances_are_invalid() {
    for name in ["gtol", "grtol", "ftol", "xtol"] {
        let mut tr = TrustRegion::new(Steihaug::new());
        let t = &mut tr.options.tolerances;
        match name {
            "gtol" => t.gtol = f64::INFINITY,
            "grtol" => t.grtol = f64::INFINITY,
            "ftol" => t.ftol = f64::INFINITY,
            _ => t.xtol = f64::INFINITY,
        }
        let r = tr.minimize(&Bowl, &[0.0, 0.0]);
        assert!(matches!(r, Err(SetupError::InvalidOption { name: n, .. }) if n == name), "{name}: {r:?}");
    }
}
