//! Files out: a view's figure written as PNG, SVG or CSV, the headless computation that
//! produces it (`saddlescope figure`), and frame sequences of a live view (`record`). The figure itself is built in [`crate::figure`], the
//! same value the window draws; presets (input) live in [`crate::preset`].

pub mod anim;
#[cfg(not(target_arch = "wasm32"))]
pub mod handout;
pub mod record;
pub mod render;
#[cfg(not(target_arch = "wasm32"))]
pub mod report;
