//! saddlescope's figure renderer: a figure's SVG, laid out by the app, turned into the files
//! people take away — the SVG with every glyph a path (the same picture in every viewer), PNG
//! and RGBA frames rasterised by resvg, and PDF through typst's svg2pdf — with the bundled
//! fonts only (no system fonts, no display).
//!
//! The native app links it. The page loads it as a second WebAssembly module the first time an
//! export or a recording needs it (`--features module` exports the functions of [`page`]), so
//! that the first download does not carry it.

pub mod fonts {
    //! The faces the renderer knows: egui's Ubuntu Light and Hack (whole), the italic the
    //! writers set variables in, and the symbols face characters are borrowed from.

    pub use epaint_default_fonts::{HACK_REGULAR, UBUNTU_LIGHT};

    /// Ubuntu Light Italic (its Latin and Greek), for variables set in italics beside the
    /// upright Ubuntu Light egui bundles: from Fontsource's `@fontsource/ubuntu` 5.3.0, named
    /// family "Ubuntu" so that `font-style="italic"` finds it. Made by
    /// `assets/fonts/make-fonts.py`; Ubuntu Font Licence 1.0.
    pub const UBUNTU_LIGHT_ITALIC: &[u8] =
        include_bytes!("../../../assets/fonts/Ubuntu-LightItalic.ttf");

    /// The characters a line may hold beside its letters (≥, ½, ∈, →), with no letter: the face
    /// the renderer borrows a missing character from, loaded first so that it never borrows a
    /// whole line from a face that happens to have all of it (see `assets/fonts/make-fonts.py`).
    /// From Ubuntu Light and Hack (MIT, Bitstream Vera).
    pub const UBUNTU_SYMBOLS: &[u8] = include_bytes!("../../../assets/fonts/UbuntuSymbols.ttf");
}

#[cfg(feature = "module")]
pub mod page;

/// An image as 8-bit RGBA rows, top to bottom.
#[derive(Clone, Debug, PartialEq)]
pub struct Rgba8Image {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// An SVG document rasterised at `scale`, as straight (not premultiplied) RGBA rows.
pub fn svg_to_rgba(svg: &str, scale: f64) -> Result<Rgba8Image, String> {
    let pixmap = rasterise(svg, scale)?;
    let (width, height) = (pixmap.width(), pixmap.height());
    let mut rgba = Vec::with_capacity(pixmap.data().len());
    for p in pixmap.pixels() {
        let c = p.demultiply();
        rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    Ok(Rgba8Image {
        width,
        height,
        rgba,
    })
}

/// An SVG document's size in CSS pixels (its width and height, units converted).
pub fn svg_size(svg: &str) -> Result<(f64, f64), String> {
    let s = parse(svg)?.size();
    Ok((s.width() as f64, s.height() as f64))
}

/// An SVG document whose text is already paths (see [`glyphs_as_paths`]) as a one-page PDF,
/// the page the SVG's size at 96 CSS pixels to the inch (1 px = 0.75 pt).
pub fn svg_to_pdf(svg: &str) -> Result<Vec<u8>, String> {
    let tree = svg2pdf::usvg::Tree::from_str(svg, &svg2pdf::usvg::Options::default())
        .map_err(|e| format!("PDF: the SVG did not parse: {e}"))?;
    svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions { dpi: 96.0 },
    )
    .map_err(|e| format!("PDF: {e:?}"))
}

/// `svg` with every glyph drawn as a path in the bundled fonts: the same picture in every
/// viewer, and what [`svg_to_pdf`] takes.
pub fn glyphs_as_paths(svg: &str) -> Result<String, String> {
    let tree = parse(svg)?;
    let opt = resvg::usvg::WriteOptions {
        coordinates_precision: 3,
        transforms_precision: 5,
        ..Default::default()
    };
    Ok(tree.to_string(&opt))
}

/// Parse an SVG document with the bundled fonts only (no system fonts).
fn parse(svg: &str) -> Result<resvg::usvg::Tree, String> {
    use resvg::usvg;
    let mut opt = usvg::Options::default();
    {
        let db = opt.fontdb_mut();
        // The symbols first: a face missing a character borrows it from the first face that
        // has it, and one with no letters lends that character only.
        db.load_font_data(fonts::UBUNTU_SYMBOLS.to_vec());
        db.load_font_data(fonts::UBUNTU_LIGHT.to_vec());
        db.load_font_data(fonts::UBUNTU_LIGHT_ITALIC.to_vec());
        db.load_font_data(fonts::HACK_REGULAR.to_vec());
        db.set_sans_serif_family("Ubuntu");
    }
    opt.font_family = "Ubuntu".into();
    usvg::Tree::from_str(svg, &opt).map_err(|e| format!("SVG: {e}"))
}

/// An SVG document rasterised at `scale` × its size, as PNG bytes.
pub fn svg_to_png(svg: &str, scale: f64) -> Result<Vec<u8>, String> {
    rasterise(svg, scale)?
        .encode_png()
        .map_err(|e| format!("PNG: {e}"))
}

fn rasterise(svg: &str, scale: f64) -> Result<resvg::tiny_skia::Pixmap, String> {
    use resvg::tiny_skia;
    if !(scale.is_finite() && (0.1..=16.0).contains(&scale)) {
        return Err(format!("PNG scale {scale} is out of range (0.1 to 16)"));
    }
    let tree = parse(svg)?;
    let size = tree.size();
    let (w, h) = (
        (size.width() as f64 * scale).round() as u32,
        (size.height() as f64 * scale).round() as u32,
    );
    let mut pixmap =
        tiny_skia::Pixmap::new(w.max(1), h.max(1)).ok_or("PNG: image too large or empty")?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale as f32, scale as f32),
        &mut pixmap.as_mut(),
    );
    Ok(pixmap)
}
