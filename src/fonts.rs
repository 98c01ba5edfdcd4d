//! The faces the window and the figures draw with: egui's bundled Ubuntu Light, Hack and its two
//! monochrome emoji faces, the same in the window, the SVG, PNG and PDF writers. Natively they
//! are embedded whole; the page embeds them cut down to Latin, Greek, U+2000–2BFF and the emoji
//! the app shows (`assets/fonts/make-page-fonts.py`), 0.78 → 0.28 MB of its download gzipped.

#[cfg(not(target_arch = "wasm32"))]
mod faces {
    pub const UBUNTU_LIGHT: &[u8] = epaint_default_fonts::UBUNTU_LIGHT;
    pub const HACK_REGULAR: &[u8] = epaint_default_fonts::HACK_REGULAR;
    pub const NOTO_EMOJI_REGULAR: &[u8] = epaint_default_fonts::NOTO_EMOJI_REGULAR;
    pub const EMOJI_ICON: &[u8] = epaint_default_fonts::EMOJI_ICON;
}

#[cfg(target_arch = "wasm32")]
mod faces {
    pub const UBUNTU_LIGHT: &[u8] = include_bytes!("../assets/fonts/page/Ubuntu-Light.ttf");
    pub const HACK_REGULAR: &[u8] = include_bytes!("../assets/fonts/page/Hack-Regular.ttf");
    pub const NOTO_EMOJI_REGULAR: &[u8] =
        include_bytes!("../assets/fonts/page/NotoEmoji-Regular.ttf");
    pub const EMOJI_ICON: &[u8] = include_bytes!("../assets/fonts/page/emoji-icon-font.ttf");
}

pub use faces::*;

/// egui's special icons (its own, 2 KB), whole on both targets.
pub const EGUI_ICONS: &[u8] = epaint_default_fonts::EGUI_ICONS;

/// egui's default font definitions (`epaint`'s `FontDefinitions::default` with monochrome
/// emoji: the same names, sizes and fallback order) over [`faces`], with Hack as the second
/// proportional face: it has the arrows and mathematical symbols (→, ≈, √) the labels use.
pub fn definitions() -> egui::FontDefinitions {
    use egui::{FontData, FontFamily, FontTweak};
    use std::sync::Arc;
    let scaled = |bytes: &'static [u8], scale: f32| {
        Arc::new(FontData::from_static(bytes).tweak(FontTweak {
            scale,
            ..Default::default()
        }))
    };
    let mut fonts = egui::FontDefinitions::empty();
    let data = &mut fonts.font_data;
    data.insert("Hack".into(), Arc::new(FontData::from_static(HACK_REGULAR)));
    data.insert(
        "Ubuntu-Light".into(),
        Arc::new(FontData::from_static(UBUNTU_LIGHT)),
    );
    data.insert("egui-icons".into(), scaled(EGUI_ICONS, 0.90));
    data.insert("NotoEmoji-Regular".into(), scaled(NOTO_EMOJI_REGULAR, 0.81));
    data.insert("emoji-icon-font".into(), scaled(EMOJI_ICON, 0.90));
    let fallback = ["egui-icons", "NotoEmoji-Regular", "emoji-icon-font"];
    let family = |first: &[&str]| {
        first
            .iter()
            .chain(&fallback)
            .map(|s| s.to_string())
            .collect()
    };
    fonts
        .families
        .insert(FontFamily::Monospace, family(&["Hack", "Ubuntu-Light"]));
    fonts
        .families
        .insert(FontFamily::Proportional, family(&["Ubuntu-Light", "Hack"]));
    fonts
}

#[cfg(test)]
mod tests {
    /// The page's faces (assets/fonts/page) hold every character the app's own strings and the
    /// built-in presets and lectures use that the whole faces hold: a label drawn natively is
    /// drawn the same in the page.
    #[test]
    fn the_page_faces_have_every_character_the_app_writes() {
        // Read here natively from the files the page embeds.
        let page = [
            include_bytes!("../assets/fonts/page/Ubuntu-Light.ttf").as_slice(),
            include_bytes!("../assets/fonts/page/Hack-Regular.ttf"),
            include_bytes!("../assets/fonts/page/NotoEmoji-Regular.ttf"),
            include_bytes!("../assets/fonts/page/emoji-icon-font.ttf"),
        ];
        let whole = [
            super::UBUNTU_LIGHT,
            super::HACK_REGULAR,
            super::NOTO_EMOJI_REGULAR,
            super::EMOJI_ICON,
        ];
        let has = |faces: &[&[u8]], c: char| {
            use skrifa::MetadataProvider;
            faces.iter().any(|b| {
                skrifa::FontRef::new(b)
                    .expect("a font")
                    .charmap()
                    .map(c)
                    .is_some()
            })
        };
        let mut text = String::new();
        for dir in ["src", "assets/presets", "assets/lectures"] {
            collect(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(dir)
                    .as_path(),
                &mut text,
            );
        }
        let mut missing: Vec<char> = text
            .chars()
            .filter(|&c| !c.is_ascii() && has(&whole, c) && !has(&page, c))
            .collect();
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "the page's faces lack {missing:?}");
        // And the check can fail: Cyrillic (Zhe) is in the whole face, not in the page's.
        assert!(has(&whole, '\u{416}') && !has(&page, '\u{416}'));
    }

    fn collect(dir: &std::path::Path, text: &mut String) {
        for e in std::fs::read_dir(dir).expect("a folder").flatten() {
            let p = e.path();
            if p.is_dir() {
                collect(&p, text);
            } else if let Ok(s) = std::fs::read_to_string(&p) {
                text.push_str(&s);
            }
        }
    }
}
