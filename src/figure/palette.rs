//! Every colour a figure uses, in one place: read on the window's dark and light themes and on
//! the white page of an export alike.

use crate::model::Optimizer;
use crate::model::basins::Basin;

/// An sRGB colour with straight (not premultiplied) alpha.
pub type Rgba = [u8; 4];

pub const fn rgb(r: u8, g: u8, b: u8) -> Rgba {
    [r, g, b, 255]
}

/// `c` with alpha `a` (0–255).
pub const fn with_alpha(c: Rgba, a: u8) -> Rgba {
    [c[0], c[1], c[2], a]
}

// The series colours are Okabe & Ito's (2008; Wong, Nature Methods 8, 441, 2011), chosen to
// stay apart for readers with protanopia, deuteranopia and tritanopia (`tests/colour.rs`
// checks every figure's legend under Machado et al.'s 2009 simulation).
pub const BLUE: Rgba = rgb(0x00, 0x72, 0xb2);
pub const GREEN: Rgba = rgb(0x00, 0x9e, 0x73);
pub const PURPLE: Rgba = rgb(0xcc, 0x79, 0xa7);
pub const ORANGE: Rgba = rgb(0xe6, 0x9f, 0x00);
/// Okabe–Ito's vermillion.
pub const RED: Rgba = rgb(0xd5, 0x5e, 0x00);
pub const SKY: Rgba = rgb(0x56, 0xb4, 0xe9);
/// Near-black: a reference curve (GD).
pub const INK: Rgba = rgb(0x3a, 0x3a, 0x3a);
pub const GREY: Rgba = rgb(0x5a, 0x5a, 0x5a);
/// The diverged fraction, wherever it is drawn.
pub const DIVERGED: Rgba = PURPLE;
/// The μ = 0 contour (Eq. 5).
pub const MU_ZERO: Rgba = ORANGE;
/// The continuous-time line λ = −a (App. B.4).
pub const CONTINUOUS: Rgba = rgb(0xe0, 0x20, 0x20);
/// The live view's (a, λ) on the phase diagram.
pub const LIVE_MARK: Rgba = rgb(0xff, 0x40, 0xff);
/// The histogram at the current step (not a recorded one).
pub const NOW: Rgba = rgb(0x80, 0x80, 0x80);
/// The toy network's L* = 2.25 valley and the 2-D view's flat minima.
pub const VALLEY: Rgba = GREEN;
/// The toy network's L = 2.5 saddle line.
pub const SADDLE: Rgba = ORANGE;
pub const SHARP: Rgba = rgb(0xff, 0x50, 0x50);
/// Walkers in the 2-D view.
pub const CLOUD: Rgba = rgb(0xff, 0xc8, 0x20);
/// Tracked trajectories in the 2-D view.
pub const TRACK: Rgba = SKY;
/// The followed walker's path on the 2-D map.
pub const WALKER: Rgba = rgb(0xff, 0x60, 0xd0);
/// Contour lines over the loss map.
pub const CONTOUR: Rgba = [255, 255, 255, 90];
/// Maxima and saddles marked on the 2-D map.
pub const STATIONARY: Rgba = rgb(0xf0, 0xf0, 0xf0);

/// Relative luminance (WCAG 2) of an sRGB colour, 0 (black) to 1 (white).
pub fn luminance(c: Rgba) -> f64 {
    let lin = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

/// WCAG 2 contrast ratio of two colours, 1 to 21.
pub fn contrast(a: Rgba, b: Rgba) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The page of an export.
pub const PAGE: Rgba = rgb(0xff, 0xff, 0xff);

/// The least contrast a series or label colour has on the page it is drawn on (WCAG 2's for
/// large text and graphics): on a projector, a colour below it vanishes.
pub const MIN_CONTRAST: f64 = 3.0;

/// `c` drawn over an opaque `page` (its alpha blended away).
pub fn over(c: Rgba, page: Rgba) -> Rgba {
    let a = c[3] as f64 / 255.0;
    let mix = |i: usize| (c[i] as f64 * a + page[i] as f64 * (1.0 - a)).round() as u8;
    rgb(mix(0), mix(1), mix(2))
}

/// `c` as drawn on `page`: itself where it reads (contrast ≥ [`MIN_CONTRAST`] once blended),
/// else mixed toward white on a dark page or black on a light one until it does — the hue
/// kept, so the t = 0 histogram's dark purple turns lilac on the dark window and the t = 100
/// yellow turns ochre on white. Window and exports use it for every series, reference line and
/// legend sample on the page (not over a heat map, whose colours are the background there).
pub fn on(c: Rgba, page: Rgba) -> Rgba {
    let page = with_alpha(page, 255);
    if contrast(over(c, page), page) >= MIN_CONTRAST {
        return c;
    }
    let toward: f64 = if luminance(page) < 0.18 { 255.0 } else { 0.0 };
    // Blended in the same proportion the alpha leaves the colour.
    let mut out = c;
    for step in 1..=20 {
        let f = step as f64 / 20.0;
        let mix = |v: u8| (v as f64 + (toward - v as f64) * f).round() as u8;
        out = [mix(c[0]), mix(c[1]), mix(c[2]), c[3].max(200)];
        if contrast(over(out, page), page) >= MIN_CONTRAST {
            break;
        }
    }
    out
}

/// The patch behind a text label of colour `text` on a page of colour `page`: the page's own
/// colour (slightly see-through) where the text reads on it (contrast ≥ 3), otherwise white or
/// near-black, whichever contrasts more — so the 2-D view's white "maximum" gets a dark patch on
/// a white export and the red off-axis counts keep the dark window's own background. Window and
/// exports use the same rule.
pub fn label_patch(text: Rgba, page: Rgba) -> Rgba {
    const DARK: Rgba = [0x20, 0x20, 0x20, 0xd8];
    const LIGHT: Rgba = [0xff, 0xff, 0xff, 0xd0];
    if contrast(text, page) >= 3.0 {
        with_alpha(page, 0xd0)
    } else if contrast(text, DARK) >= contrast(text, LIGHT) {
        DARK
    } else {
        LIGHT
    }
}

/// Distinct colours for series that are not otherwise named (several λ or several a).
pub const CYCLE: [Rgba; 6] = [BLUE, ORANGE, GREEN, PURPLE, INK, SKY];

pub fn cycle(k: usize) -> Rgba {
    CYCLE[k % CYCLE.len()]
}

/// Colours of the thresholds θ in the fraction plot.
pub fn threshold(k: usize) -> Rgba {
    [BLUE, ORANGE, GREEN][k % 3]
}

/// Viridis-like colours of the recorded steps, dark to light.
pub fn step(k: usize, n: usize) -> Rgba {
    const STOPS: [[u8; 3]; 6] = [
        [68, 1, 84],
        [65, 68, 135],
        [42, 120, 142],
        [34, 168, 132],
        [122, 209, 81],
        [253, 231, 37],
    ];
    let x = if n <= 1 {
        0.0
    } else {
        k as f64 / (n - 1) as f64
    } * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let lerp = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    rgb(lerp(a[0], b[0]), lerp(a[1], b[1]), lerp(a[2], b[2]))
}

/// Fig. 2's colours.
pub fn optimizer(o: Optimizer) -> Rgba {
    match o {
        Optimizer::Gd => INK,
        Optimizer::Sgd => GREEN,
        Optimizer::Adam => BLUE,
        Optimizer::Amsgrad => RED,
    }
}

/// The basins of the 2-D landscapes.
pub fn basin(b: Basin) -> Rgba {
    match b {
        Basin::SharpMinimum => SHARP,
        Basin::FlatMinimum | Basin::Valley => VALLEY,
        Basin::Saddle => SADDLE,
        Basin::Other => GREY,
    }
}

/// How a heat map's values become colours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ColorMap {
    /// The phase diagram: dark navy (absorbed, 0) → blue → white (escaped, 1); grey for a
    /// cell not computed yet.
    Escape,
    /// The 2-D loss: dark at `lo`, light grey at `hi` (square-root scale).
    Loss { lo: f64, hi: f64 },
    /// Walker density, 0 … 1 of the densest tile: transparent at 0, magenta to yellow.
    Density,
}

impl ColorMap {
    pub fn color(self, v: f64) -> Rgba {
        match self {
            ColorMap::Escape => escape(v),
            ColorMap::Loss { lo, hi } => {
                if !v.is_finite() {
                    return rgb(200, 200, 200);
                }
                let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0).sqrt();
                let g = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
                rgb(g(18.0, 150.0), g(28.0, 150.0), g(48.0, 160.0))
            }
            ColorMap::Density => {
                if v.is_nan() || v <= 0.0 {
                    return [0, 0, 0, 0];
                }
                let t = v.clamp(0.0, 1.0).powf(0.4);
                let g = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
                [g(120.0, 255.0), g(20.0, 240.0), g(90.0, 60.0), 230]
            }
        }
    }
}

/// The phase diagram's colour map.
fn escape(v: f64) -> Rgba {
    const STOPS: [(f64, [u8; 3]); 4] = [
        (0.0, [8, 29, 88]),
        (0.35, [37, 52, 148]),
        (0.7, [65, 182, 196]),
        (1.0, [255, 255, 255]),
    ];
    if v.is_nan() {
        return rgb(110, 110, 110);
    }
    let v = v.clamp(0.0, 1.0);
    let k = STOPS
        .iter()
        .position(|(x, _)| *x >= v)
        .unwrap_or(STOPS.len() - 1)
        .max(1);
    let ((x0, c0), (x1, c1)) = (STOPS[k - 1], STOPS[k]);
    let f = if x1 > x0 { (v - x0) / (x1 - x0) } else { 0.0 };
    let mix = |i: usize| (c0[i] as f64 + (c1[i] as f64 - c0[i] as f64) * f).round() as u8;
    rgb(mix(0), mix(1), mix(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_escape_map_runs_dark_to_white_and_greys_missing_cells() {
        let dark = ColorMap::Escape.color(0.0);
        assert!(dark[0] < 20 && dark[2] < 100);
        assert_eq!(ColorMap::Escape.color(1.0), rgb(255, 255, 255));
        assert_eq!(ColorMap::Escape.color(f64::NAN), rgb(110, 110, 110));
    }

    #[test]
    fn steps_run_from_purple_to_yellow() {
        assert_eq!(step(0, 5), rgb(68, 1, 84));
        assert_eq!(step(4, 5), rgb(253, 231, 37));
        assert_eq!(step(0, 1), rgb(68, 1, 84));
    }

    #[test]
    fn a_colour_that_reads_is_kept_and_one_that_does_not_is_moved_until_it_does() {
        let black = rgb(0x0a, 0x0a, 0x0a);
        assert_eq!(on(BLUE, PAGE), BLUE);
        let purple = step(0, 6);
        assert!(contrast(purple, black) < MIN_CONTRAST);
        let lilac = on(purple, black);
        assert!(contrast(over(lilac, black), black) >= MIN_CONTRAST);
        // The hue stays: still more blue and red than green.
        assert!(lilac[2] > lilac[1] && lilac[0] > lilac[1], "{lilac:?}");
        let yellow = step(5, 6);
        assert!(contrast(on(yellow, PAGE), PAGE) >= MIN_CONTRAST);
        // A see-through colour counts as it is blended.
        let faint = with_alpha(BLUE, 40);
        assert!(contrast(over(on(faint, PAGE), PAGE), PAGE) >= MIN_CONTRAST);
    }

    #[test]
    fn empty_density_is_transparent() {
        assert_eq!(ColorMap::Density.color(0.0)[3], 0);
        assert_eq!(ColorMap::Density.color(1.0)[3], 230);
    }
}
