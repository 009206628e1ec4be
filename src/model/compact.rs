//! The compact form `B = gamma I + Psi M Psi'` of a limited-memory quasi-Newton model, as
//! step solvers see it (a leaf of the model layer: the models produce it, the exact
//! limited-memory step reads it). See [`LimitedMemory`](crate::model::LimitedMemory) for the
//! equations (Byrd, Nocedal & Schnabel, Math. Program. 63 (1994) 129-156).

use faer::MatRef;

/// The compact form `B = gamma I + Psi M Psi'` of a limited-memory model (see
/// [`LimitedMemory`](crate::model::LimitedMemory)).
#[derive(Clone, Copy, Debug)]
pub struct CompactForm<'a> {
    /// `gamma` of `B_0 = gamma I`.
    pub gamma: f64,
    /// `Psi`, `n x k`.
    pub psi: MatRef<'a, f64>,
    /// The symmetric middle matrix `M`, `k x k`.
    pub middle: MatRef<'a, f64>,
    /// The largest `k` the model can reach (`2 m` for L-BFGS, `m` for L-SR1), so that step
    /// solvers can size their workspace once.
    pub max_rank: usize,
}
