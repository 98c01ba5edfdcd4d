//! Colour that survives readers with a colour-vision deficiency: in every built-in figure, any
//! two legend entries of a panel that look alike in everything but colour (the same kind of
//! swatch, the same dash or marker shape) must stay apart in colour for a reader with
//! protanopia, deuteranopia or tritanopia.
//!
//! The simulation is Machado, Oliveira & Fernandes (2009), "A physiologically-based model for
//! simulation of color vision deficiency", IEEE TVCG 15(6), at severity 1.0 (full dichromacy):
//! a 3 × 3 matrix on linear sRGB. The difference is CIE76 ΔE*ab in CIELAB (D65) of the colours
//! as drawn on the white page (semi-transparent ones composited over it). The threshold, ΔE ≥ 10,
//! is about four times the just-noticeable difference (ΔE ≈ 2.3, Sharma 2003) — two patches
//! told apart at a glance, not only side by side.

mod common;

use saddlescope::export::render;
use saddlescope::figure::{Figure, LegendEntry, Swatch, palette};
use saddlescope::preset::Preset;

/// Machado et al. (2009), Table 1, severity 1.0.
const PROTANOPIA: [[f64; 3]; 3] = [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
];
const DEUTERANOPIA: [[f64; 3]; 3] = [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.011820, 0.042940, 0.968881],
];
const TRITANOPIA: [[f64; 3]; 3] = [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.303900],
];
const IDENTITY: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// The smallest ΔE*ab two same-swatch entries of a panel may have under any simulation.
const MIN_DELTA_E: f64 = 10.0;

fn to_linear(v: u8) -> f64 {
    let c = v as f64 / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// An sRGB colour, composited over white, seen through `m`, in CIELAB (D65).
fn lab(c: [u8; 4], m: &[[f64; 3]; 3]) -> [f64; 3] {
    let a = c[3] as f64 / 255.0;
    let rgb = [0, 1, 2].map(|k| a * to_linear(c[k]) + (1.0 - a));
    let s = [0, 1, 2].map(|r| {
        (0..3)
            .map(|k| m[r][k] * rgb[k])
            .sum::<f64>()
            .clamp(0.0, 1.0)
    });
    let xyz = [
        0.4124 * s[0] + 0.3576 * s[1] + 0.1805 * s[2],
        0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2],
        0.0193 * s[0] + 0.1192 * s[1] + 0.9505 * s[2],
    ];
    let white = [0.95047, 1.0, 1.08883];
    let f = |t: f64| {
        if t > 216.0 / 24389.0 {
            t.cbrt()
        } else {
            (24389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    let [fx, fy, fz] = [0, 1, 2].map(|k| f(xyz[k] / white[k]));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

fn delta_e(a: [u8; 4], b: [u8; 4], m: &[[f64; 3]; 3]) -> f64 {
    let (p, q) = (lab(a, m), lab(b, m));
    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
}

/// Whether two entries differ in anything but colour (dash, marker shape, kind of swatch).
fn same_look(a: &LegendEntry, b: &LegendEntry) -> bool {
    match (a.swatch, b.swatch) {
        (Swatch::Line { dash: da, .. }, Swatch::Line { dash: db, .. }) => da == db,
        (
            Swatch::Point {
                shape: sa,
                filled: fa,
            },
            Swatch::Point {
                shape: sb,
                filled: fb,
            },
        ) => sa == sb && fa == fb,
        (Swatch::Area, Swatch::Area) => true,
        _ => false,
    }
}

fn figure_of(name: &str) -> Figure {
    let p = common::small(name, 60);
    let data = render::compute(&p, 2).unwrap();
    render::figure(&p, &data)
}

#[test]
fn every_figures_series_stay_apart_for_colour_blind_readers() {
    let mut worst = (f64::INFINITY, String::new());
    let mut failures = Vec::new();
    for p in Preset::builtin_all() {
        let fig = figure_of(&p.name);
        for panel in &fig.panels {
            // The colours as the exported figure draws them on the page.
            let on_page = panel.heatmaps.is_empty();
            let entries: Vec<LegendEntry> = panel
                .legend_entries()
                .into_iter()
                .map(|e| LegendEntry {
                    color: if on_page {
                        palette::on(e.color, palette::PAGE)
                    } else {
                        e.color
                    },
                    ..e
                })
                .collect();
            for (i, a) in entries.iter().enumerate() {
                for b in &entries[i + 1..] {
                    if !same_look(a, b) || a.color == b.color {
                        continue;
                    }
                    for (vision, m) in [
                        ("normal vision", &IDENTITY),
                        ("protanopia", &PROTANOPIA),
                        ("deuteranopia", &DEUTERANOPIA),
                        ("tritanopia", &TRITANOPIA),
                    ] {
                        let d = delta_e(a.color, b.color, m);
                        let what = format!(
                            "{} / {}: '{}' and '{}' under {vision}: ΔE = {d:.1}",
                            p.name, panel.id, a.label, b.label
                        );
                        if d < worst.0 {
                            worst = (d, what.clone());
                        }
                        if d < MIN_DELTA_E {
                            failures.push(what);
                        }
                    }
                }
            }
        }
    }
    eprintln!("closest pair: {}", worst.1);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_simulation_is_machados_and_delta_e_is_cie76() {
    // Rows of each matrix sum to 1: white stays white, greys stay grey.
    for m in [PROTANOPIA, DEUTERANOPIA, TRITANOPIA] {
        for row in m {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-3);
        }
    }
    // White is L* = 100, a* = b* = 0; black on white is ΔE = 100.
    let w = lab([255, 255, 255, 255], &IDENTITY);
    assert!((w[0] - 100.0).abs() < 0.05 && w[1].abs() < 0.05 && w[2].abs() < 0.05);
    assert!((delta_e([0, 0, 0, 255], [255, 255, 255, 255], &IDENTITY) - 100.0).abs() < 0.01);
    // The textbook confusion: pure red and green are far apart (ΔE > 80) for most readers
    // but close for a deuteranope (under a third of that).
    let (r, g) = ([255, 0, 0, 255], [0, 160, 0, 255]);
    assert!(delta_e(r, g, &IDENTITY) > 80.0);
    assert!(delta_e(r, g, &DEUTERANOPIA) < delta_e(r, g, &IDENTITY) / 3.0);
}
