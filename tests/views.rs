//! One figure per view: for each view, the figure the window draws is the very value that
//! `saddlescope figure` builds for the same preset (series, colours, styles, axes, overlays,
//! caption — compared whole), the on-screen legend lists exactly the figure's legend, and a
//! landscape chosen in the app is the experiment `--set landscape=…` builds.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use saddlescope::app::{AppState, SaddlescopeApp};
use saddlescope::export::render::{self, ViewData};
use saddlescope::preset::{Preset, ViewKind};

fn small(name: &str) -> Preset {
    common::small(name, 40)
}

fn harness(state: AppState) -> Harness<'static, SaddlescopeApp> {
    let app = SaddlescopeApp::new(state, 1, Arc::new(|| {}));
    Harness::builder()
        .with_size([1400.0, 900.0])
        .build_ui_state(|ui, app: &mut SaddlescopeApp| app.ui_root(ui), app)
}

fn run_until(h: &mut Harness<'static, SaddlescopeApp>, done: impl Fn(&SaddlescopeApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(h.state()) {
        assert!(Instant::now() < deadline, "no result in 60 s");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    // Let the layout settle on the final data.
    for _ in 0..4 {
        h.step();
    }
}

/// Whether the view shown has its whole result.
fn complete(app: &SaddlescopeApp, steps: u64) -> bool {
    match app.state.view {
        ViewKind::Histogram | ViewKind::Landscape2d => {
            app.snapshot().is_some_and(|s| s.step() == steps)
        }
        ViewKind::PhaseDiagram => app.sweep_grid().is_some_and(|g| g.is_complete()),
        ViewKind::EscapeRate => app.escape_result().is_some(),
        ViewKind::LossSweep => app
            .loss_points()
            .is_some_and(|p| p.iter().all(|q| !q.diverged.is_nan())),
        ViewKind::Optimizers => app.optimizer_curves().is_some(),
    }
}

/// The two figures are the same value (NaN, the pen-lift of a line, compares equal to itself:
/// the debug texts are compared); on a difference, show where.
fn same_figure(a: &saddlescope::figure::Figure, b: &saddlescope::figure::Figure, name: &str) {
    let (a, b) = (format!("{a:?}"), format!("{b:?}"));
    if a != b {
        let at = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
        let around = |s: &str| {
            s.chars()
                .skip(at.saturating_sub(120))
                .take(240)
                .collect::<String>()
        };
        panic!(
            "{name}: the window and the export differ at character {at}:\nwindow: …{}…\nexport: …{}…",
            around(&a),
            around(&b)
        );
    }
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
fn the_window_draws_the_figure_the_export_writes_and_its_legend() {
    for name in VIEWS {
        let preset = small(name);
        let mut h = harness(AppState::from_preset(&preset));
        if preset.view.is_live() {
            h.state()
                .send(saddlescope::sim::worker::Command::Step(preset.params.steps));
        }
        run_until(&mut h, |a| complete(a, preset.params.steps));
        let window = h.state().current_figure().expect("the view has its data");
        // The exporter's figure of the same preset: the batch views recompute it headless (same
        // seed, same engine: the same numbers); the live views draw the window's snapshot.
        let data = match preset.view {
            ViewKind::Histogram | ViewKind::Landscape2d => {
                ViewData::Live(h.state().snapshot().unwrap().clone())
            }
            _ => render::compute(&preset, 2).unwrap(),
        };
        let export = render::figure(&preset, &data);
        same_figure(&window, &export, name);
        // The SVG holds every series and the caption.
        let svg = export.to_svg_text();
        for panel in &export.panels {
            for s in panel.series.iter().filter(|s| {
                s.points
                    .iter()
                    .any(|p| panel.x.place(p[0]).is_some() && panel.y.place(p[1]).is_some())
            }) {
                assert!(
                    svg.contains(&format!(
                        "data-series=\"{}\"",
                        s.name
                            .replace('&', "&amp;")
                            .replace('<', "&lt;")
                            .replace('>', "&gt;")
                            .replace('"', "&quot;")
                    )),
                    "{name}: {} missing",
                    s.name
                );
            }
        }
        // On screen: each drawn panel's legend lists exactly its figure's legend, in order.
        let drawn: Vec<(String, egui::Rect)> = h
            .state()
            .drawn_panels()
            .iter()
            .map(|(id, r, _)| (id.clone(), *r))
            .collect();
        assert_eq!(
            drawn.iter().map(|d| d.0.as_str()).collect::<Vec<_>>(),
            window
                .panels
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>(),
            "{name}: panels drawn"
        );
        for (panel, (_, rect)) in window.panels.iter().zip(&drawn) {
            // A map short of width has its legend in a strip above the whole row.
            let strip = h
                .state()
                .drawn_row_legend()
                .filter(|(id, _)| *id == panel.id)
                .map(|(_, r)| *r);
            let in_row_strip = |r: egui::Rect| strip.is_some_and(|s| s.contains_rect(r));
            let mut on_screen: Vec<(f32, String)> = h
                .query_all_by_role(Role::CheckBox)
                .filter(|n| rect.contains_rect(n.rect()) || in_row_strip(n.rect()))
                .map(|n| {
                    (
                        n.rect().top(),
                        n.accesskit_node().label().unwrap_or_default(),
                    )
                })
                .collect();
            on_screen.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut labels: Vec<String> = on_screen.into_iter().map(|(_, l)| l).collect();
            let mut expected: Vec<String> = panel
                .legend_entries()
                .into_iter()
                .map(|e| e.label)
                .collect();
            // A legend in a bottom corner lists its first entry lowest.
            if matches!(
                panel.legend,
                saddlescope::figure::Corner::LeftBottom | saddlescope::figure::Corner::RightBottom
            ) {
                expected.reverse();
            }
            labels.dedup();
            assert_eq!(labels, expected, "{name}: legend of panel {}", panel.id);
        }
    }
}

#[test]
fn choosing_a_landscape_in_the_app_builds_what_the_command_line_builds() {
    for (start, choice, key) in [
        ("fig7", "Toy network", "toy_network"),
        ("fig3-left", "Sharp minima", "sharp_minima"),
        ("fig1-left", "Quartic", "quartic"),
    ] {
        let preset = Preset::builtin(start).unwrap();
        let mut cli = preset.clone();
        cli.set("landscape", key).unwrap();
        let mut h = harness(AppState::from_preset(&preset));
        h.run();
        h.get_by_label_contains("Landscape").click();
        h.run();
        h.get_by_label_contains(choice).click();
        h.run();
        assert_eq!(h.state().state.params, cli.params, "{start} → {key}");
    }
}
