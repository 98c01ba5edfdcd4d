//! A lecture's handout: one vector PDF page per scene — the scene's title, its figure (the one
//! the window draws at the scene's step) and its notes — every glyph a path, no font embedded.
//! Each page is composed as one SVG, converted by svg2pdf into a form XObject, and the pages
//! are put together with pdf-writer (the version svg2pdf itself uses).

use std::collections::HashMap;

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref};

use crate::figure::Figure;
use crate::figure::svg::{glyphs_as_paths, svg_text, wrap};
use crate::lecture::{LoadedLecture, SceneAction};
use crate::preset::Preset;

use super::render;

/// An A4 landscape page in CSS pixels (96 to the inch) and in points.
const PAGE_PX: (f64, f64) = (1122.5, 793.7);
const PAGE_PT: (f32, f32) = (842.0, 595.0);
const MARGIN: f64 = 40.0;

/// The preset a scene's page shows: the live view at the step the scene reaches (step 0
/// without an action, the last step for `play`, N for `play_to`/`step_to`).
pub fn scene_preset(preset: &Preset, action: Option<SceneAction>) -> Preset {
    let mut p = preset.clone();
    if p.view.is_live() {
        p.params.steps = match action {
            None => 0,
            Some(SceneAction::Play) => p.params.steps,
            Some(SceneAction::PlayTo(n) | SceneAction::StepTo(n)) => n.min(p.params.steps),
        };
        // The histograms recorded by then.
        let steps = p.params.steps;
        p.params.record_steps.retain(|t| *t <= steps);
    }
    p
}

/// One page: the title, the figure scaled into the space left, the notes under it.
pub fn page_svg(k: usize, n: usize, title: &str, fig: &Figure, notes: &str) -> String {
    let (w, h) = PAGE_PX;
    let note_lines = wrap(notes, w - 2.0 * MARGIN, 14.0);
    let notes_h = 20.0 * note_lines.len() as f64;
    let top = MARGIN + 34.0;
    let room = (w - 2.0 * MARGIN, h - top - notes_h - MARGIN - 16.0);
    let inner = fig.to_svg_text();
    let (fw, fh) = fig.size();
    let scale = (room.0 / fw).min(room.1 / fh);
    let x = MARGIN + (room.0 - fw * scale) / 2.0;
    // The figure's own document, less its outer <svg> element, placed and scaled.
    let body = inner
        .split_once('>')
        .map(|(_, rest)| rest.trim_end().trim_end_matches("</svg>"))
        .unwrap_or("");
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Ubuntu">
<rect width="{w}" height="{h}" fill="white"/>
<text x="{MARGIN}" y="{:.1}" font-size="22" fill="black">{}</text>
<text x="{:.1}" y="{:.1}" font-size="12" fill="#777777" text-anchor="end">{} / {}</text>
<g transform="translate({x:.2} {top:.2}) scale({scale:.5})" font-family="Ubuntu" font-size="13">{body}</g>
"##,
        MARGIN + 16.0,
        svg_text(title),
        w - MARGIN,
        MARGIN + 16.0,
        k + 1,
        n,
    );
    let notes_top = top + fh * scale + 28.0;
    for (i, line) in note_lines.iter().enumerate() {
        s.push_str(&format!(
            r##"<text x="{MARGIN}" y="{:.1}" font-size="14" fill="#222222">{}</text>
"##,
            notes_top + 20.0 * i as f64,
            svg_text(line)
        ));
    }
    s.push_str("</svg>\n");
    s
}

/// The handout of `lecture`: each scene computed headless on `threads` threads (`progress`
/// hears each scene as it starts) and drawn on its page.
pub fn handout_pdf(
    lecture: &LoadedLecture,
    threads: usize,
    mut progress: impl FnMut(usize, &str),
) -> Result<Vec<u8>, String> {
    let scenes = &lecture.lecture.scenes;
    let mut pages = Vec::new();
    for (k, (scene, preset)) in scenes.iter().zip(&lecture.presets).enumerate() {
        progress(k, &scene.title);
        let p = scene_preset(preset, scene.action);
        let data = render::compute(&p, threads)
            .map_err(|e| format!("scene {} ({}): {e}", k + 1, scene.title))?;
        let fig = render::figure(&p, &data);
        let svg = glyphs_as_paths(&page_svg(k, scenes.len(), &scene.title, &fig, &scene.notes))?;
        pages.push(svg);
    }
    pdf_of_pages(&pages)
}

/// SVG pages (text already paths) as one PDF, each on an A4 landscape page.
pub fn pdf_of_pages(pages: &[String]) -> Result<Vec<u8>, String> {
    let mut alloc = Ref::new(1);
    let catalog = alloc.bump();
    let tree_id = alloc.bump();
    let mut pdf = Pdf::new();
    let mut page_ids = Vec::new();
    let mut chunks = Vec::new();
    for svg in pages {
        let tree = svg2pdf::usvg::Tree::from_str(svg, &svg2pdf::usvg::Options::default())
            .map_err(|e| format!("PDF: a page did not parse: {e}"))?;
        let (chunk, form) = svg2pdf::to_chunk(&tree, svg2pdf::ConversionOptions::default())
            .map_err(|e| format!("PDF: {e:?}"))?;
        let mut map = HashMap::new();
        let chunk = chunk.renumber(|old| *map.entry(old).or_insert_with(|| alloc.bump()));
        let form = map[&form];
        let page = alloc.bump();
        let content = alloc.bump();
        page_ids.push(page);
        chunks.push((chunk, form, page, content));
    }
    pdf.catalog(catalog).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);
    let name = Name(b"S1");
    for (chunk, form, page, content) in &chunks {
        let mut p = pdf.page(*page);
        p.media_box(Rect::new(0.0, 0.0, PAGE_PT.0, PAGE_PT.1));
        p.parent(tree_id);
        p.contents(*content);
        p.resources().x_objects().pair(name, *form);
        p.finish();
        let mut c = Content::new();
        // The form is one point square: scaled to the page.
        c.save_state();
        c.transform([PAGE_PT.0, 0.0, 0.0, PAGE_PT.1, 0.0, 0.0]);
        c.x_object(name);
        c.restore_state();
        pdf.stream(*content, &c.finish());
        pdf.extend(chunk);
    }
    Ok(pdf.finish())
}
