//! Fig. 7, Fig. 3 left/middle: the averaged loss over the (w1, w2) plane as a shaded map with
//! contour lines, the walkers as a cloud or a density map, a few trajectories fading with age,
//! the stationary points labelled; beside it the share of walkers per basin against t.

use serde::{Deserialize, Serialize};

use crate::model::basins::Basin;
use crate::model::contour::LossLevels;
use crate::model::theory::{self, PointKind};
use crate::model::{Landscape, LandscapeParams};
use crate::sim::ExperimentParams;
use crate::sim::worker::Snapshot;

use super::super::palette::{self, with_alpha};
use super::super::{
    Arrangement, Axis, ColorMap, Corner, Dash, Figure, Heatmap, Label, Panel, Series, Shape,
    StepScale, fmt_num,
};
use super::{experiment_label, extras, joined};

/// What the view draws.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LandscapeOptions {
    /// Colour by the walkers' density instead of the loss.
    pub density: bool,
    pub contours: bool,
    pub cloud: bool,
    pub trajectories: bool,
    /// Show the density recorded at this step (one of the record steps) instead of now.
    pub recorded_step: Option<u64>,
    /// The shares panel's step axis.
    pub step_scale: StepScale,
    /// Follow one walker: its story beside the map and its path on it.
    pub story: bool,
}

impl Default for LandscapeOptions {
    fn default() -> Self {
        LandscapeOptions {
            density: false,
            contours: true,
            cloud: true,
            trajectories: true,
            recorded_step: None,
            step_scale: StepScale::Auto,
            story: false,
        }
    }
}

/// The loss levels of the landscape `p` runs on, over its view box.
pub fn loss_levels(p: &ExperimentParams) -> LossLevels {
    let h = &p.histogram;
    if p.landscape.is_custom()
        && let Ok(c) = crate::model::custom::Custom::new(&p.loss)
    {
        // L = E_x ℓ under the law that runs.
        let law = crate::sim::theory::x_law(p);
        return LossLevels::of(
            |w1, w2| law.expect(|x| c.loss_at([w1, w2], x, p.a, p.b)),
            (h.lo, h.hi),
            (h.lo2, h.hi2),
        );
    }
    let lp = LandscapeParams {
        landscape: p.landscape,
        a: p.a,
        b: p.b,
    };
    let h = &p.histogram;
    LossLevels::new(&lp, (h.lo, h.hi), (h.lo2, h.hi2))
}

/// The stationary points to mark, with labels.
fn marks(p: &ExperimentParams) -> Vec<([f64; 2], String, PointKind)> {
    match p.landscape {
        Landscape::SharpMinima => theory::sharp_minima_points(p.a)
            .into_iter()
            .map(|s| {
                let label = match s.kind {
                    PointKind::FlatMinimum | PointKind::SharpMinimum => format!(
                        "{}, tr H = {}",
                        if s.kind == PointKind::SharpMinimum {
                            "sharp"
                        } else {
                            "flat"
                        },
                        fmt_num(s.trace(), 2)
                    ),
                    _ => "maximum".to_string(),
                };
                (s.w, label, s.kind)
            })
            .collect(),
        Landscape::ToyNetwork => vec![(
            [0.0, 0.0],
            "saddle (0, 0), L = 2.5".to_string(),
            PointKind::Saddle,
        )],
        _ => Vec::new(),
    }
}

/// `levels` must be [`loss_levels`] of the snapshot's parameters (the window keeps them
/// between frames).
pub fn landscape_figure(
    title: &str,
    snap: &Snapshot,
    levels: &LossLevels,
    opts: &LandscapeOptions,
    walker: Option<&(usize, Vec<[f64; 2]>)>,
) -> Figure {
    let p = &snap.params;
    let h = &p.histogram;
    let mut map = Panel::new(
        "landscape",
        0.62,
        Axis::new("w1", "", h.lo, h.hi),
        Axis::new("w2", "", h.lo2, h.hi2),
    );
    map.grid = false;
    map.equal_aspect = true;
    map.legend = Corner::LeftTop;
    let g = &levels.grid;
    map.heatmaps.push(Heatmap {
        name: "loss L".into(),
        legend: String::new(),
        cols: g.cols,
        rows: g.rows,
        x0: g.x0 - g.dx / 2.0,
        y0: g.y0 - g.dy / 2.0,
        dx: g.dx,
        dy: g.dy,
        values: g.values.clone(),
        map: ColorMap::Loss {
            lo: levels.lo,
            hi: levels.hi,
        },
    });
    // A recorded step shows its density; "now" shows the live one when asked for.
    let recorded = opts
        .recorded_step
        .and_then(|t| snap.recorded.iter().find(|r| r.summary.step == t))
        .and_then(|r| r.density.as_ref());
    let density = recorded.or(if opts.density {
        snap.current.density.as_ref()
    } else {
        None
    });
    if let Some(d) = density {
        let max = d.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
        map.heatmaps.push(Heatmap {
            name: "walker density (of the densest tile)".into(),
            legend: String::new(),
            cols: d.cols,
            rows: d.rows,
            x0: d.x0,
            y0: d.y0,
            dx: (d.x1 - d.x0) / d.cols as f64,
            dy: (d.y1 - d.y0) / d.rows as f64,
            values: d.counts.iter().map(|c| *c as f64 / max).collect(),
            map: ColorMap::Density,
        });
    }
    if opts.contours {
        map.series.push(Series::line(
            "contours of L",
            palette::CONTOUR,
            1.0,
            Dash::Solid,
            levels.polyline(),
        ));
    }
    if p.landscape == Landscape::ToyNetwork {
        // The minimum valley w2 = 1/(2 w1²) on both sides, and the saddle line {w1 = 0, w2 ≥ 0}.
        let branch = |sign: f64| -> Vec<[f64; 2]> {
            (0..200)
                .map(|i| {
                    let w1 = sign * (0.3 + (h.hi.abs().max(0.31) - 0.3) * i as f64 / 199.0);
                    [w1, 0.5 / (w1 * w1)]
                })
                .filter(|q| q[1] <= h.hi2)
                .collect()
        };
        map.series.push(Series::line(
            "minimum valley w2·w1² = ½ (L = 2.25)",
            palette::VALLEY,
            2.0,
            Dash::Solid,
            joined([branch(1.0), branch(-1.0)]),
        ));
        map.series.push(Series::line(
            "saddle line w1 = 0, w2 ≥ 0 (L = 2.5)",
            palette::SHARP,
            2.0,
            Dash::Dashed,
            vec![[0.0, 0.0], [0.0, h.hi2]],
        ));
    }
    if opts.cloud && recorded.is_none() {
        map.series.push(
            Series::points(
                &format!("walkers at t = {}", snap.step()),
                palette::CLOUD,
                1.5,
                Shape::Circle,
                snap.cloud.to_vec(),
            )
            .legend("walkers"),
        );
    }
    if opts.trajectories && recorded.is_none() {
        for (k, tr) in snap.tracks.iter().enumerate() {
            // Four age bands, older ones fainter; the newest first, so that the legend shows
            // its full colour.
            let n = tr.len();
            for band in (0..4).rev() {
                let (a, b) = (band * n / 4, ((band + 1) * n / 4 + 1).min(n));
                if b <= a + 1 {
                    continue;
                }
                map.series.push(
                    Series::line(
                        &format!("trajectory {k}, age band {band}"),
                        with_alpha(palette::TRACK, 60 + 60 * band as u8),
                        1.5,
                        Dash::Solid,
                        tr[a..b].to_vec(),
                    )
                    .legend("trajectories"),
                );
            }
            if let Some(last) = tr.last() {
                map.series.push(
                    Series::points(
                        &format!("trajectory {k}, now"),
                        palette::TRACK,
                        3.0,
                        Shape::Circle,
                        vec![*last],
                    )
                    .legend("trajectories"),
                );
            }
        }
    }
    if let Some((i, path)) = walker.filter(|_| recorded.is_none()) {
        // The followed walker's whole path, and where it is now.
        let name = format!("walker {i}");
        map.series.push(
            Series::line(
                &format!("{name}'s path"),
                palette::WALKER,
                1.8,
                Dash::Solid,
                path.clone(),
            )
            .legend(&name),
        );
        if let Some(last) = path.last() {
            map.series.push(
                Series::points(
                    &format!("{name} now"),
                    palette::WALKER,
                    5.0,
                    Shape::Circle,
                    vec![*last],
                )
                .legend(&name),
            );
        }
    }
    if p.landscape.is_custom() {
        map.series
            .extend(super::histogram::stationary_marks(&snap.stationary, |r| {
                r.point.w
            }));
    }
    for (k, (w, label, kind)) in marks(p).into_iter().enumerate() {
        let (shape, col) = match kind {
            PointKind::SharpMinimum => (Shape::Diamond, palette::SHARP),
            PointKind::FlatMinimum => (Shape::Circle, palette::VALLEY),
            _ => (Shape::Cross, palette::STATIONARY),
        };
        map.series.push(
            Series::points(
                &format!("stationary point {k}: {label}"),
                col,
                6.0,
                shape,
                vec![w],
            )
            .hollow()
            .legend("stationary points"),
        );
        // Labels sit outside the point, away from the centre of the plane, unless that side
        // lacks room for a line of text (about 7 % of the box): then on the inner side.
        let (gap, line) = (0.05 * (h.hi2 - h.lo2), 0.07 * (h.hi2 - h.lo2));
        let up = if w[1] > 0.0 {
            w[1] + gap + line <= h.hi2
        } else {
            w[1] - gap - line < h.lo2
        };
        let (dy, anchor) = if up { (gap, -1) } else { (-gap, 1) };
        map.labels.push(Label {
            text: label,
            at: [w[0], w[1] + dy],
            color: col,
            size: 11.0,
            anchor: [0, anchor],
        });
    }

    let basins = Basin::of(p.landscape);
    let sum = &snap.current.summary;
    let mut shares = Panel::new(
        "basins",
        0.38,
        Axis::new("step t", "", 0.0, sum.step.max(10) as f64),
        Axis::new("share of walkers", "", 0.0, 1.0),
    );
    for (k, b) in basins.iter().enumerate() {
        shares.series.push(Series::line(
            b.label(),
            palette::basin(*b),
            2.0,
            Dash::Solid,
            snap.trace
                .iter()
                .filter_map(|t| t.basins.get(k).map(|f| [t.step as f64, *f]))
                .collect(),
        ));
    }
    let n = sum.walkers.max(1) as f64;
    let series: Vec<&Series> = shares.series.iter().collect();
    shares.x = opts
        .step_scale
        .axis(&series, sum.step.max(10) as f64, snap.finished);
    if snap.trace.iter().any(|t| t.diverged > 0) {
        shares.series.push(Series::line(
            "diverged",
            palette::DIVERGED,
            1.5,
            Dash::Solid,
            snap.trace
                .iter()
                .map(|t| [t.step as f64, t.diverged as f64 / n])
                .collect(),
        ));
    }
    let mut note: Vec<String> = sum
        .basins
        .iter()
        .map(|s| format!("{} {:.3}", s.basin.label(), s.fraction))
        .collect();
    note.push(format!("diverged {:.3}", sum.diverged as f64 / n));
    if let Some(l) = sum.mean_loss {
        note.push(format!("mean loss L = {}", fmt_num(l, 4)));
    }
    if recorded.is_some() {
        note.push(format!(
            "density at t = {}",
            opts.recorded_step.unwrap_or_default()
        ));
    }
    let extra = extras(p);
    // A large ensemble's cloud is a sample of it: say how much of it.
    let thinned = if opts.cloud && recorded.is_none() && snap.cloud.len() < p.walkers {
        format!(
            "; the map's points are {} of the {} walkers, evenly strided",
            snap.cloud.len(),
            p.walkers
        )
    } else {
        String::new()
    };
    // A typed landscape has no named basins (the shares would all be "elsewhere"): its map
    // alone, its points marked by verdict.
    let (panels, note) = if p.landscape.is_custom() {
        (
            vec![map],
            format!("t = {}: diverged {:.3}", sum.step, sum.diverged as f64 / n),
        )
    } else {
        (
            vec![map, shares],
            format!("Share of walkers at t = {}: {}", sum.step, note.join(", ")),
        )
    };
    Figure {
        title: title.to_owned(),
        note,
        arrangement: Arrangement::Row,
        panels,
        caption: format!(
            "{}; a = {}{}, λ = {}{}{}, N = {}, initial law: {} (t = {})",
            experiment_label(p),
            fmt_num(p.a, 3),
            if p.landscape == Landscape::SharpMinima {
                format!(", b = {}", fmt_num(p.b, 3))
            } else {
                String::new()
            },
            fmt_num(p.lambda, 4),
            if extra.is_empty() { "" } else { ", " },
            extra,
            p.walkers,
            p.init.label(),
            snap.step()
        ) + &thinned,
    }
    .with_legends_placed()
}
