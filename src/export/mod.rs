//! Files: preset files (one per paper figure, shared by the app and the command line) and the
//! writers for results. Pure functions of parameters and results; the only I/O is reading and
//! writing the files named by the caller.

pub mod figure;
pub mod preset;
pub mod render;
pub mod views;

pub use preset::{PhaseOverlays, Preset, PresetError, ViewKind};
