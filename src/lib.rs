//! saddlescope: watch SGD with a constant large learning rate converge to a local maximum.
//!
//! The crate is layered one way: [`app`] → [`export`] → [`figure`] → [`sim`] → [`model`], with
//! [`preset`] (the input files) read by the app and the command line. `model` is the paper's
//! mathematics, `sim` the ensembles, experiments and background threads, `figure` one plot
//! description per view with its SVG/PNG/CSV writers, `export` the files written from it,
//! `app` the eframe window, which draws the same figures.

pub mod app;
pub mod bench;
pub mod coop;
pub mod export;
pub mod figure;
pub mod files;
pub mod fonts;
pub mod lecture;
pub mod model;
pub mod preset;
pub mod sim;
#[cfg(target_arch = "wasm32")]
pub mod web;
