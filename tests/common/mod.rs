//! Helpers shared by the integration tests.

use saddlescope::preset::Preset;

/// A built-in preset made small enough for a test (every view's spec shrunk), with `steps`
/// live steps recorded at 0, 10 and the end; large enough for every series to have points.
#[allow(dead_code)]
pub fn small(name: &str, steps: u64) -> Preset {
    let mut p = Preset::builtin(name).unwrap();
    let records = format!("0,10,{steps}");
    let steps = steps.to_string();
    for (k, v) in [
        ("walkers", "300"),
        ("steps", steps.as_str()),
        ("record_steps", records.as_str()),
        ("sweep.a_cells", "8"),
        ("sweep.lambda_cells", "8"),
        ("sweep.walkers", "100"),
        ("sweep.steps", "100"),
        ("rate.walkers", "200"),
        ("rate.steps", "30"),
        ("rate.lambda_points", "6"),
        ("loss.points", "5"),
        ("loss.walkers", "100"),
        ("loss.steps", "200"),
        ("opt.walkers", "100"),
        ("opt.steps", "200"),
    ] {
        p.set(k, v).unwrap();
    }
    p.validate().unwrap();
    p
}

/// A primary click at `pos` in a harness (pressed and released over two frames, the pointer
/// there first), as a user clicks.
#[allow(dead_code)]
pub fn click_at<S>(h: &mut egui_kittest::Harness<'_, S>, pos: egui::Pos2) {
    h.hover_at(pos);
    h.run();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Default::default(),
        });
        h.step();
    }
}
