//! The renderer as the page's second WebAssembly module (`web/build.sh` builds it with
//! `--features module` as `saddlescope_render.js`): the crate's functions exported to
//! JavaScript, where the app's own module calls them (`figure::output` in the app). A failure
//! is thrown as its message.

use wasm_bindgen::prelude::wasm_bindgen;

/// [`crate::svg_to_png`].
#[wasm_bindgen]
pub fn png(svg: &str, scale: f64) -> Result<Vec<u8>, String> {
    crate::svg_to_png(svg, scale)
}

/// [`crate::svg_to_pdf`].
#[wasm_bindgen]
pub fn pdf(svg: &str) -> Result<Vec<u8>, String> {
    crate::svg_to_pdf(svg)
}

/// [`crate::glyphs_as_paths`].
#[wasm_bindgen]
pub fn paths(svg: &str) -> Result<String, String> {
    crate::glyphs_as_paths(svg)
}

/// [`crate::svg_to_rgba`] as one array: the width and the height as little-endian `u32`s,
/// then the rows.
#[wasm_bindgen]
pub fn rgba(svg: &str, scale: f64) -> Result<Vec<u8>, String> {
    let img = crate::svg_to_rgba(svg, scale)?;
    let mut out = Vec::with_capacity(8 + img.rgba.len());
    out.extend_from_slice(&img.width.to_le_bytes());
    out.extend_from_slice(&img.height.to_le_bytes());
    out.extend_from_slice(&img.rgba);
    Ok(out)
}

/// [`crate::svg_size`] as `[width, height]`.
#[wasm_bindgen]
pub fn size(svg: &str) -> Result<Vec<f64>, String> {
    crate::svg_size(svg).map(|(w, h)| vec![w, h])
}
