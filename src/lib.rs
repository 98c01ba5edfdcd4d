//! saddlescope: watch SGD with a constant large learning rate converge to a local maximum.
//!
//! The crate is layered one way: [`app`] → [`sim`] → [`model`], and [`export`] → [`sim`] /
//! [`model`]. `model` is the paper's mathematics, `sim` the ensembles and the worker thread,
//! `export` the files (presets, run output), `app` the eframe window.

pub mod app;
pub mod bench;
pub mod export;
pub mod model;
pub mod sim;
