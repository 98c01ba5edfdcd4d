//! Figures without a window: every view's figure as SVG (well-formed XML with the axis labels
//! and every series; glyphs as paths by default), PNG (decodes to the requested size) and CSV
//! (columns and rows match the plot), each caption naming its own experiment, and
//! `saddlescope figure` refusing to replace a file without --force.

mod common;

use std::path::PathBuf;
use std::process::Command;

use saddlescope::export::render;
use saddlescope::figure::{Figure, Mark, Series};
use saddlescope::preset::Preset;

fn small(name: &str) -> Preset {
    common::small(name, 60)
}

fn figure_of(name: &str) -> Figure {
    let p = small(name);
    let data = render::compute(&p, 2).unwrap();
    render::figure(&p, &data)
}

/// One preset of each view.
const VIEWS: [&str; 6] = [
    "fig1-left",
    "fig1-right",
    "fig5",
    "fig7",
    "fig3-right",
    "fig2-left",
];

#[test]
fn svg_is_xml_with_the_axes_and_every_series() {
    for name in VIEWS {
        let fig = figure_of(name);
        let svg = fig.to_svg_text();
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Each <text> whole (its sub- and superscripts are tspans), and each label as it reads
        // once its scripts are set.
        let whole: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| {
                n.descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect()
            })
            .collect();
        let texts: Vec<&str> = whole.iter().map(String::as_str).collect();
        let set = |s: &str| -> String {
            saddlescope::figure::format::script_runs(s)
                .into_iter()
                .map(|(_, t)| t)
                .collect()
        };
        for panel in &fig.panels {
            for label in [set(&panel.x.title()), set(&panel.y.title())] {
                assert!(
                    texts.iter().any(|t| *t == label),
                    "{name}: no axis label {label}"
                );
            }
            for s in &panel.series {
                let drawn = doc
                    .descendants()
                    .any(|n| n.attribute("data-series") == Some(s.name.as_str()));
                let has_points = s
                    .points
                    .iter()
                    .any(|p| panel.x.place(p[0]).is_some() && panel.y.place(p[1]).is_some());
                assert!(drawn || !has_points, "{name}: series {} not drawn", s.name);
            }
            for e in panel.legend_entries() {
                assert!(
                    texts.contains(&set(&e.label).as_str()),
                    "{name}: {} not in the legend",
                    e.label
                );
            }
            for b in &panel.bands {
                assert!(
                    b.xs.len() < 2
                        || doc
                            .descendants()
                            .any(|n| n.attribute("data-band") == Some(b.name.as_str())),
                    "{name}: band {} not drawn",
                    b.name
                );
            }
            if let Some(bar) = &panel.colorbar {
                assert!(
                    texts.contains(&set(&bar.label).as_str()),
                    "{name}: no colour-bar label"
                );
            }
        }
        // The caption is there whole, over as many lines as it takes.
        let caption = set(&fig.caption);
        let caption_words: Vec<&str> = caption.split_whitespace().collect();
        let drawn_words: Vec<&str> = texts.iter().flat_map(|t| t.split_whitespace()).collect();
        assert!(
            drawn_words
                .windows(caption_words.len())
                .any(|w| w == caption_words.as_slice()),
            "{name}: the caption is not drawn whole"
        );
    }
}

#[test]
fn the_default_svg_draws_its_glyphs_as_paths() {
    let fig = figure_of("fig1-left");
    let svg = fig.to_svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(
        doc.descendants().all(|n| n.tag_name().name() != "text"),
        "text elements left in the default SVG"
    );
    let paths = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "path")
        .count();
    // Every glyph of the title, ticks, labels, legend and caption is a path of its own.
    let glyphs: usize = fig.caption.chars().filter(|c| !c.is_whitespace()).count();
    assert!(
        paths > glyphs,
        "{paths} paths for a caption of {glyphs} glyphs"
    );
    // Same size as the text version, so the PNG (rendered from it) is the same picture.
    let (w, h) = fig.size();
    let root = doc.root_element();
    assert_eq!(
        root.attribute("width")
            .map(|v| v.parse::<f64>().unwrap().round()),
        Some(w.round())
    );
    assert_eq!(
        root.attribute("height")
            .map(|v| v.parse::<f64>().unwrap().round()),
        Some(h.round())
    );
}

#[test]
fn each_caption_names_its_own_experiment() {
    let expect: [(&str, &[&str]); 6] = [
        ("fig1-left", &["λ = 0.8000", "N = 300", "(t = 60)", "μ = "]),
        (
            "fig1-right",
            &[
                "Phase diagram",
                "8 × 8 cells",
                "N = 100 walkers per cell",
                "T = 100 steps",
                "θ = 0.1",
                "μ = 0 (Eq. 5)",
                "of 64 cells",
            ],
        ),
        (
            "fig5",
            &[
                "Escape rate",
                "Fig. 5: a =",
                "Fig. 6: a ∈",
                "γ read at t = 30",
                "Prop. 3",
            ],
        ),
        (
            "fig7",
            &["Sharp", "b = ", "λ = 0.0500", "N = 300", "(t = 60)"],
        ),
        (
            "fig3-right",
            &["Loss versus λ", "5 points", "N = 100 runs of 200 steps"],
        ),
        (
            "fig2-left",
            &["λ = ", "100 runs × 200 steps", "same noise stream"],
        ),
    ];
    for (name, words) in expect {
        let fig = figure_of(name);
        for w in words {
            assert!(
                fig.caption.contains(w),
                "{name}: {w:?} not in {:?}",
                fig.caption
            );
        }
        // The live histogram's verdict belongs to the live 1-D views only.
        if !matches!(name, "fig1-left") {
            assert!(
                !fig.caption.contains("is trapped at w = 0"),
                "{name}: {}",
                fig.caption
            );
        }
    }
}

#[test]
fn png_decodes_to_the_requested_size() {
    let fig = figure_of("fig1-left");
    let (w, h) = fig.size();
    for scale in [1.0, 2.0] {
        let png = fig.to_png(scale).unwrap();
        let img = tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!(
            (img.width(), img.height()),
            ((w * scale).round() as u32, (h * scale).round() as u32)
        );
        // Not blank: the plot drew dark pixels (axes, text, bars) on the white page.
        let dark = img.pixels().iter().filter(|p| p.red() < 100).count();
        assert!(dark > 1000, "{dark} dark pixels");
    }
    assert!(fig.to_png(0.0).is_err());
    assert!(fig.to_png(f64::NAN).is_err());
}

#[test]
fn csv_columns_and_rows_match_the_plot() {
    for name in VIEWS {
        let fig = figure_of(name);
        let tables = fig.to_csv();
        assert_eq!(tables.len(), fig.panels.len());
        for (panel, table) in fig.panels.iter().zip(&tables) {
            let mut lines = table.lines();
            let header = lines.next().unwrap();
            let rows: Vec<&str> = lines.collect();
            if let Some(h) = panel.heatmaps.first() {
                assert!(
                    header.starts_with(&format!(
                        "series,{},{},",
                        panel.x.header(),
                        panel.y.header()
                    )),
                    "{name}: {header}"
                );
                let map_rows = rows
                    .iter()
                    .filter(|r| {
                        r.starts_with(&format!("{},", saddlescope::figure::csv::field(&h.name)))
                    })
                    .count();
                assert_eq!(map_rows, h.cols * h.rows, "{name}");
            } else {
                let cols: Vec<&str> = header.split(',').collect();
                assert_eq!(cols[0], "series");
                assert!(cols[1].starts_with(&panel.x.label), "{name}: {header}");
                assert!(cols[2].contains(&panel.y.label), "{name}: {header}");
            }
            // Every point of every series that has a place on the axes is one row, named by its
            // series (a diverged walker or μ = −∞ has none).
            let finite = |s: &Series| {
                s.points
                    .iter()
                    .filter(|p| p[0].is_finite() && p[1].is_finite())
                    .count()
            };
            for s in &panel.series {
                let n = rows
                    .iter()
                    .filter(|r| r.split(',').next() == Some(s.name.as_str()) || s.name.is_empty())
                    .count();
                if !s.name.is_empty() && !s.name.contains(',') {
                    assert_eq!(n, finite(s), "{name}: rows of {}", s.name);
                }
            }
            if panel.heatmaps.is_empty() {
                let points: usize = panel.series.iter().map(finite).sum();
                let band_rows: usize = panel
                    .bands
                    .iter()
                    .map(|b| {
                        (0..b.xs.len())
                            .map(|k| {
                                [b.lo[k], b.hi[k]]
                                    .iter()
                                    .filter(|y| y.is_finite() && b.xs[k].is_finite())
                                    .count()
                            })
                            .sum::<usize>()
                    })
                    .sum();
                assert_eq!(rows.len(), points + band_rows, "{name}");
            }
        }
        // The histogram's bars are bars.
        if name == "fig1-left" {
            assert!(matches!(fig.panels[0].series[0].mark, Mark::Bars { .. }));
        }
    }
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("saddlescope-figure-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[test]
fn the_figure_command_writes_each_format_and_never_replaces_without_force() {
    let bin = env!("CARGO_BIN_EXE_saddlescope");
    let run = |out: &PathBuf, force: bool| {
        let mut c = Command::new(bin);
        c.args([
            "figure",
            "fig1-left",
            "--set",
            "walkers=200",
            "--set",
            "steps=30",
        ])
        .args(["--set", "record_steps=0,30", "--out"])
        .arg(out);
        if force {
            c.arg("--force");
        }
        c.output().unwrap()
    };
    for ext in ["png", "svg", "csv"] {
        let out = tmp(&format!("f.{ext}"));
        let _ = std::fs::remove_file(&out);
        let r = run(&out, false);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        assert!(std::fs::metadata(&out).unwrap().len() > 100);
    }
    // The histogram figure has two panels: two CSV tables.
    assert!(tmp("f-2.csv").exists());
    // An existing file is left untouched without --force, and replaced with it.
    let out = tmp("keep.svg");
    std::fs::write(&out, "precious").unwrap();
    let r = run(&out, false);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    let r = run(&out, true);
    assert!(r.status.success());
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("<svg"));
    // A wrong extension is refused before any work.
    let r = Command::new(bin)
        .args(["figure", "fig1-left", "--out"])
        .arg(tmp("f.jpg"))
        .output()
        .unwrap();
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains(".png, .svg, .pdf or .csv"));
}

#[test]
fn an_escaping_run_counts_its_walkers_off_the_axis_and_legends_avoid_the_data() {
    // λ = 3.9: the walkers leave [−1, 1] within a few steps; at t = 300 they are at ~10¹⁹⁰.
    let mut p = Preset::builtin("fig1-left").unwrap();
    for (k, v) in [
        ("lambda", "3.9"),
        ("walkers", "2000"),
        ("steps", "300"),
        ("record_steps", "0,5,300"),
    ] {
        p.set(k, v).unwrap();
    }
    let data = render::compute(&p, 2).unwrap();
    let fig = render::figure(&p, &data);
    let render::ViewData::Live(snap) = &data else {
        panic!("a live view")
    };
    let h = &snap.current.histogram;
    assert!(
        h.above + h.below > 1900,
        "{} above, {} below",
        h.above,
        h.below
    );
    let labels: Vec<&str> = fig.panels[0]
        .labels
        .iter()
        .map(|l| l.text.as_str())
        .collect();
    let count = |n: u64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push('\u{2009}');
            }
            out.push(c);
        }
        out
    };
    assert!(
        labels.contains(&format!("{} walkers at w > 1.00 »", count(h.above)).as_str()),
        "{labels:?}"
    );
    assert!(
        labels.contains(&format!("« {} walkers at w < −1.00", count(h.below)).as_str()),
        "{labels:?}"
    );
    // The legend sits in a top corner, clear of the counts at the axis' ends.
    assert!(matches!(
        fig.panels[0].legend,
        saddlescope::figure::Corner::RightTop | saddlescope::figure::Corner::LeftTop
    ));
}

#[test]
fn marks_on_the_map_edge_and_labels_on_the_2d_map_stay_whole_and_readable() {
    use saddlescope::figure::{palette, views};
    // The live view's cross at a = −1 sits on the phase diagram's left edge: the axis widens
    // so the whole cross (and the edge) shows; away from the edges nothing changes.
    let p = small("fig1-right");
    let render::ViewData::Phase(g) = render::compute(&p, 2).unwrap() else {
        panic!("a phase diagram")
    };
    let overlays = views::PhaseOverlays::default();
    let at_edge = views::phase_figure("t", &g, &overlays, Some([g.spec.a_min, 0.8]));
    let x = &at_edge.panels[0].x;
    assert!(x.min < g.spec.a_min && x.max == g.spec.a_max, "{x:?}");
    let inside = views::phase_figure("t", &g, &overlays, Some([0.0, 0.8]));
    let x = &inside.panels[0].x;
    assert!(x.min == g.spec.a_min && x.max == g.spec.a_max, "{x:?}");

    // Fig. 7: every stationary point's label lies inside the map with a line of text to spare
    // (the sharp minima at w2 = ±0.87 put theirs on the inner side), and each reads on its
    // patch, the white "maximum" on a white page too.
    let fig = figure_of("fig7");
    let map = &fig.panels[0];
    let line = 0.07 * (map.y.max - map.y.min);
    assert!(map.labels.len() >= 5);
    for l in &map.labels {
        let (y, up) = (l.at[1], l.anchor[1] == -1);
        let (lo, hi) = if up { (y, y + line) } else { (y - line, y) };
        assert!(
            lo >= map.y.min && hi <= map.y.max,
            "{} at {:?}",
            l.text,
            l.at
        );
    }
    // Every label reads on its patch (WCAG contrast ≥ 3) on the export's white page and on the
    // window's dark one.
    let dark = palette::rgb(10, 10, 10);
    for l in &map.labels {
        for page in [palette::PAGE, dark] {
            let patch = palette::label_patch(l.color, page);
            assert!(
                palette::contrast(l.color, patch) >= 3.0,
                "{} on {patch:?}",
                l.text
            );
        }
    }
}

#[test]
fn a_presets_step_axis_choice_reaches_the_exported_figure() {
    use saddlescope::figure::{Scale, StepScale};
    // Each view with a step axis, its panel, and where the preset keeps the choice.
    let step_scale_of = |name: &str, panel: &str, scale: StepScale| {
        let mut p = small(name);
        match name {
            "fig1-left" => p.histogram_options.get_or_insert_default().step_scale = scale,
            "fig7" => p.landscape_options.get_or_insert_default().step_scale = scale,
            _ => p.escape_options.get_or_insert_default().step_scale = scale,
        }
        // Through the preset file, as a user's saved choice would come back.
        let p = Preset::from_json(&p.to_json(), std::path::Path::new("test.json")).unwrap();
        let data = render::compute(&p, 2).unwrap();
        let fig = render::figure(&p, &data);
        let axis = &fig.panels.iter().find(|q| q.id == panel).unwrap().x;
        (axis.scale, axis.min)
    };
    for (name, panel) in [
        ("fig1-left", "fraction"),
        ("fig7", "basins"),
        ("fig5", "rate_vs_step"),
    ] {
        assert_eq!(
            step_scale_of(name, panel, StepScale::Log),
            (Scale::Log10, 1.0),
            "{name}"
        );
        assert_eq!(
            step_scale_of(name, panel, StepScale::Linear),
            (Scale::Linear, 0.0),
            "{name}"
        );
    }
}

#[test]
fn a_pdf_is_the_svgs_page_at_three_quarters_of_a_point_per_pixel_with_no_font_to_embed() {
    use saddlescope::export::render::{FileOptions, Format, figure_files};
    for name in ["fig6", "fig7"] {
        let fig = figure_of(name);
        let files = figure_files(
            &fig,
            std::path::Path::new("f.pdf"),
            &FileOptions {
                format: Some(Format::of(std::path::Path::new("f.pdf")).unwrap()),
                ..FileOptions::default()
            },
        )
        .unwrap();
        let pdf = &files[0].1;
        assert!(pdf.starts_with(b"%PDF-"), "{name}: not a PDF");
        assert!(
            pdf.trim_ascii_end().ends_with(b"%%EOF"),
            "{name}: truncated"
        );
        let text = String::from_utf8_lossy(pdf);
        // One page, the figure's size: 1 CSS pixel = 0.75 pt.
        let (w, h) = fig.size();
        let media = format!("/MediaBox [0 0 {} {}]", w * 0.75, h * 0.75);
        assert_eq!(text.matches("/MediaBox").count(), 1, "{name}: one page");
        assert!(text.contains(&media), "{name}: no {media}");
        // Every glyph a path: no font to embed, none to go missing.
        assert!(!text.contains("/Font"), "{name}: a font in the PDF");
    }
}

#[test]
fn a_journal_column_is_a_sized_page_with_its_type_and_no_furniture() {
    use saddlescope::figure::style::{ExportStyle, StyleName};
    use saddlescope::figure::svg::svg_size;
    let bin = env!("CARGO_BIN_EXE_saddlescope");
    // The command the journal asks for: a 3.25 × 2.4 in page (234 × 172.8 pt), 8 pt type.
    let out = tmp("column.pdf");
    let _ = std::fs::remove_file(&out);
    let r = Command::new(bin)
        .args(["figure", "fig6", "--size", "3.25x2.4in", "--font-size", "8"])
        .args(["--set", "walkers=200", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let pdf = String::from_utf8_lossy(&std::fs::read(&out).unwrap()).into_owned();
    assert!(
        pdf.contains("/MediaBox [0 0 234 172.8]"),
        "not a 234 × 172.8 pt page"
    );
    assert!(!pdf.contains("/Font"), "a font in the PDF");
    // A size in an unknown unit, or type no one can read, is refused and writes nothing.
    for (flag, value, says) in [
        ("--size", "3x2ft", "unknown unit 'ft'"),
        ("--size", "0x2in", "positive"),
        ("--font-size", "200", "font size 200 pt"),
    ] {
        let bad = tmp("bad.pdf");
        let r = Command::new(bin)
            .args(["figure", "fig6", flag, value, "--out"])
            .arg(&bad)
            .output()
            .unwrap();
        assert!(!r.status.success());
        assert!(
            String::from_utf8_lossy(&r.stderr).contains(says),
            "{flag} {value}"
        );
        assert!(!bad.exists());
    }

    // The column style: the page's width, a height for the figure, 8 pt type (the layout's
    // page is the width over 8/9.75), and none of the window's furniture.
    let fig = figure_of("fig1-right");
    let live = |svg: &str| svg.contains("live view (a, λ)");
    let screen = fig.to_svg_text_styled(&ExportStyle::default());
    assert!(screen.contains(&fig.title) && live(&screen));
    let col = ExportStyle::named(StyleName::Column);
    let svg = fig.to_svg_text_styled(&col);
    let (w, h) = svg_size(&svg).unwrap();
    assert!(
        (w - 312.0).abs() < 1e-3 && (h - 234.0).abs() < 1e-3,
        "{w} × {h} px"
    );
    let view_w: f64 = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (view_w - 312.0 * 9.75 / 8.0).abs() < 1e-6,
        "layout width {view_w}"
    );
    assert!(!svg.contains(&fig.title) && !live(&svg));
    let caption_start: String = fig.caption.chars().take(20).collect();
    assert!(screen.contains(&caption_start) && !svg.contains(&caption_start));
    // The live view's cross is drawn on screen but is never a legend entry or a CSV row.
    assert!(fig.panels[0].series.iter().any(|s| s.marker));
    assert!(fig.panels.iter().all(|p| {
        p.legend_entries()
            .iter()
            .all(|e| !e.label.contains("live view"))
    }));
    assert!(fig.to_csv().iter().all(|t| !t.contains("live view")));
    // --show brings furniture back.
    let shown = ExportStyle {
        title: true,
        markers: true,
        ..col
    };
    let svg = fig.to_svg_text_styled(&shown);
    // The title's text, whatever tspans set its variables in italics.
    let mut words = String::new();
    let mut in_tag = false;
    for c in svg.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => words.push(c),
            _ => {}
        }
    }
    assert!(words.contains(&fig.title) && live(&svg));
}

#[test]
fn a_narrow_page_stacks_its_panels_and_keeps_legends_off_the_data() {
    use saddlescope::figure::Arrangement;
    use saddlescope::figure::style::{ExportStyle, StyleName};
    // Fig. 6's two panels side by side need ~600 px of layout; a column has 380: stacked,
    // each half the height.
    let fig = figure_of("fig6");
    assert_eq!(fig.arrangement, Arrangement::Row);
    let narrow = fig.clone().arranged_for(380.0);
    assert_eq!(narrow.arrangement, Arrangement::Column);
    assert!(narrow.panels.iter().all(|p| (p.share - 0.5).abs() < 1e-12));
    assert_eq!(
        fig.clone().arranged_for(1240.0).arrangement,
        Arrangement::Row
    );
    // Every legend of every preset's column figure is beside its plot, above it or in the
    // band under the plots — never a box over the data, which `legend_svg` draws with a white
    // fill (the band and the strips have no box).
    let col = ExportStyle::named(StyleName::Column);
    for name in ["fig1-left", "fig6", "fig3-left", "fig2-left"] {
        let svg = figure_of(name).to_svg_text_styled(&col);
        let boxes = svg.matches(r#"<g class="legend"><rect"#).count();
        let legends = svg.matches(r#"<g class="legend">"#).count();
        assert!(legends > 0, "{name}: no legend");
        // Boxes beside a plot are allowed: their left edge is right of every plot frame.
        let frames: Vec<f64> = svg
            .match_indices(r#"fill="none" stroke="black" stroke-width="1""#)
            .filter_map(|(i, _)| {
                let tag = &svg[svg[..i].rfind('<').unwrap()..i];
                let x: f64 = tag.split("x=\"").nth(1)?.split('"').next()?.parse().ok()?;
                let w: f64 = tag
                    .split("width=\"")
                    .nth(1)?
                    .split('"')
                    .next()?
                    .parse()
                    .ok()?;
                Some(x + w)
            })
            .collect();
        let pat = r#"<g class="legend"><rect x=""#;
        for (i, _) in svg.match_indices(pat).take(boxes) {
            let x: f64 = svg[i + pat.len()..]
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                frames.iter().any(|right| x >= *right - 1e-6),
                "{name}: a legend box at x = {x} inside a plot (frames end at {frames:?})"
            );
        }
    }
}

#[test]
fn a_fine_map_is_one_image_and_fig7s_svg_stays_under_a_megabyte() {
    // Fig. 7's loss map has 10⁴ cells and 2000 walkers: as a rectangle and a circle each, the
    // SVG was 2.9 MB; as one image and one path it is well under 1 MB, and draws the same.
    let fig = figure_of("fig7");
    let svg = fig.to_svg().unwrap();
    assert!(svg.len() < 1_000_000, "{} bytes", svg.len());
    assert!(svg.contains("data:image/png;base64,"));
    // The map is drawn: the middle of the map is the loss colour map's grey, not the page.
    let img = fig.to_rgba(1.0, None).unwrap();
    let (x, y) = (220usize, 300usize);
    let px = &img.rgba[(y * img.width as usize + x) * 4..][..3];
    assert!(
        px.iter().all(|&c| c < 200),
        "pixel {px:?} at the map's middle is the page"
    );
    // A cloud larger than the map draws (3000 points) is a sample, and the caption says so.
    let mut p = small("fig7");
    p.set("walkers", "4000").unwrap();
    let data = render::compute(&p, 2).unwrap();
    let big = render::figure(&p, &data);
    assert!(
        big.caption
            .contains("the map's points are 2000 of the 4000 walkers"),
        "{}",
        big.caption
    );
    assert!(!fig.caption.contains("the map's points are"));
}

#[test]
fn the_journal_styles_set_variables_in_the_bundled_italic() {
    use saddlescope::figure::style::{ExportStyle, StyleName};
    use saddlescope::figure::svg::glyphs_as_paths;
    let fig = figure_of("fig6");
    let col = ExportStyle::named(StyleName::Column);
    let svg = fig.to_svg_text_styled(&col);
    assert!(
        svg.contains(r#"<tspan font-style="italic">λ</tspan>"#)
            && svg.contains(r#"<tspan font-style="italic">t</tspan>"#),
        "λ and t in italics in the column style"
    );
    // Words stay upright; the screen style and a style told so set nothing in italics.
    assert!(!svg.contains(r#"italic">SGD"#));
    let upright = ExportStyle {
        italic: false,
        ..col
    };
    assert!(!fig.to_svg_text_styled(&upright).contains("font-style"));
    assert!(
        !fig.to_svg_text_styled(&ExportStyle::default())
            .contains("font-style")
    );
    // The italic is a face of its own, not the upright one under another name: the same letter
    // is drawn with other outlines.
    let drawn = |style: &str, after: &str| {
        let doc = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="90" height="40" font-family="Ubuntu" font-size="20"><text x="5" y="25"><tspan {style}>λ</tspan>{after}</text></svg>"#
        );
        let paths = glyphs_as_paths(&doc).unwrap();
        roxmltree::Document::parse(&paths)
            .unwrap()
            .descendants()
            .filter_map(|n| n.attribute("d").map(str::to_owned))
            .collect::<Vec<String>>()
    };
    let italic = r#"font-style="italic""#;
    assert_ne!(drawn(italic, ""), drawn("", ""));
    // Also beside a symbol only the upright face had (≥, ∞): a face that lacks a character of
    // the line makes the renderer draw the whole line in another face.
    for after in [" ≥ 0", " → ∞"] {
        assert_ne!(drawn(italic, after), drawn("", after), "λ{after}");
    }
    // An upright line with a character Ubuntu lacks (∈) keeps its Ubuntu letters: only the ∈ is
    // borrowed, not the whole line from Hack, which has every character of it.
    let first = |after: &str| drawn(r#"font-weight="normal""#, after)[0].clone();
    assert_eq!(first(" ∈ [0, 2]"), first(" = [0, 2]"));
}
