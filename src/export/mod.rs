//! Files out: a view's figure written as PNG, SVG or CSV, and the headless computation that
//! produces it (`saddlescope figure`). The figure itself is built in [`crate::figure`], the
//! same value the window draws; presets (input) live in [`crate::preset`].

pub mod render;
