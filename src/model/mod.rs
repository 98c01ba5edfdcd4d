//! The paper's mathematics: landscapes, noise laws, optimizers and the theory curves
//! (SPEC.md §1–4). Pure functions and small `Copy` types: no egui, no threads, no I/O.

pub mod basins;
pub mod contour;
pub mod custom;
pub mod expr;
pub mod follow;
pub mod landscape;
pub mod noise;
pub mod optimizer;
pub mod quadrature;
pub mod stationary;
pub mod theory;

pub use landscape::{Landscape, LandscapeParams};
pub use noise::{Discrete, NoiseLaw};
pub use optimizer::{AdamConfig, Optimizer};
