//! Derivative checks against finite differences (being written).
