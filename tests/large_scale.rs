//! Extended Rosenbrock (MGH 21) at n = 100,000 with Steihaug-Toint CG: the radius must be free
//! to grow (a relative boundary test), so the run converges in at most 40 iterations.

use trust_region::subproblem::Steihaug;
use trust_region::TrustRegion;
use trust_region_problems::mgh;

#[test]
fn extended_rosenbrock_1e5_steihaug() {
    let p = mgh::by_name("extended_rosenbrock", Some(100_000)).expect("scalable problem");
    let x0 = p.x0();
    let report = TrustRegion::new(Steihaug::new()).minimize(p.products().expect("Hessian products"), &x0).unwrap();
    assert!(report.converged(), "{}", report.termination);
    assert!(report.grad_inf <= 1e-6);
    assert!(report.iterations <= 40, "{} iterations", report.iterations);
    assert!(report.x.iter().all(|&xi| (xi - 1.0).abs() < 1e-3));
}
