//! Every colour the figures draw reads on its background, on both window themes and on an
//! export's white page: series, reference lines and legend samples at a contrast of at least
//! 3:1 (WCAG 2 for graphics; a projector washes out anything less), labels on their patches.

use saddlescope::figure::palette::{self, Rgba, contrast, on, over};
use saddlescope::model::Optimizer;
use saddlescope::model::basins::Basin;

/// The plot backgrounds: the window's dark and light themes, and an export's page.
fn backgrounds() -> [(&'static str, Rgba); 3] {
    [
        (
            "dark theme",
            egui::Visuals::dark()
                .extreme_bg_color
                .to_srgba_unmultiplied(),
        ),
        (
            "light theme",
            egui::Visuals::light()
                .extreme_bg_color
                .to_srgba_unmultiplied(),
        ),
        ("export page", palette::PAGE),
    ]
}

/// Every colour a figure gives a series, reference line or label.
fn the_palette() -> Vec<(String, Rgba)> {
    use palette::*;
    let mut out: Vec<(String, Rgba)> = [
        ("BLUE", BLUE),
        ("GREEN", GREEN),
        ("PURPLE", PURPLE),
        ("ORANGE", ORANGE),
        ("RED", RED),
        ("GREY", GREY),
        ("DIVERGED", DIVERGED),
        ("MU_ZERO", MU_ZERO),
        ("CONTINUOUS", CONTINUOUS),
        ("LIVE_MARK", LIVE_MARK),
        ("NOW", NOW),
        ("VALLEY", VALLEY),
        ("SADDLE", SADDLE),
        ("SHARP", SHARP),
        ("STATIONARY", STATIONARY),
    ]
    .into_iter()
    .map(|(n, c)| (n.to_string(), c))
    .collect();
    out.extend((0..CYCLE.len()).map(|k| (format!("cycle({k})"), cycle(k))));
    out.extend((0..3).map(|k| (format!("threshold({k})"), threshold(k))));
    for n in 1..=8 {
        out.extend((0..n).map(|k| (format!("step({k}, {n})"), step(k, n))));
    }
    out.extend(Optimizer::ALL.map(|o| (format!("optimizer({o:?})"), optimizer(o))));
    out.extend(
        [
            Basin::SharpMinimum,
            Basin::FlatMinimum,
            Basin::Valley,
            Basin::Saddle,
            Basin::Other,
        ]
        .map(|b| (format!("basin({b:?})"), basin(b))),
    );
    // The figures also draw some of these see-through (a theory line at alpha 180).
    let faded: Vec<(String, Rgba)> = out
        .iter()
        .map(|(n, c)| (format!("{n} at alpha 180"), palette::with_alpha(*c, 180)))
        .collect();
    out.extend(faded);
    out
}

#[test]
fn every_series_colour_reads_on_both_themes_and_on_paper() {
    let mut failures = Vec::new();
    for (bg_name, bg) in backgrounds() {
        for (name, c) in the_palette() {
            let drawn = over(on(c, bg), bg);
            let k = contrast(drawn, bg);
            if k < palette::MIN_CONTRAST {
                failures.push(format!("{name} on the {bg_name}: {k:.2}"));
            }
        }
    }
    assert!(failures.is_empty(), "below 3:1: {failures:#?}");
}

#[test]
fn without_the_adjustment_some_would_not() {
    // The test above could not fail if every colour read everywhere as it is: the viridis
    // ends and the yellow walkers do not.
    let dark = backgrounds()[0].1;
    assert!(contrast(palette::step(0, 6), dark) < palette::MIN_CONTRAST);
    assert!(contrast(palette::step(5, 6), palette::PAGE) < palette::MIN_CONTRAST);
}

#[test]
fn every_label_reads_on_its_patch() {
    for (bg_name, bg) in backgrounds() {
        for (name, c) in the_palette().into_iter().filter(|(_, c)| c[3] == 255) {
            let patch = over(palette::label_patch(c, bg), bg);
            let k = contrast(c, patch);
            assert!(
                k >= palette::MIN_CONTRAST,
                "label {name} on its patch on the {bg_name}: {k:.2}"
            );
        }
    }
}
