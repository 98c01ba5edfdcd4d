//! The control panel: every parameter of the experiment, each with a tooltip in the paper's
//! terms. Controls edit a draft of the parameters; the app validates the draft and sends it to
//! the worker, so nothing here can hand the engine an invalid value.

use egui::{Color32, ComboBox, RichText, Ui};

use super::fields::{NumberField, show_number};

use crate::model::{Discrete, Landscape, NoiseLaw, Optimizer};
use crate::preset::ViewKind;
use crate::sim::params::{ExperimentParams, InitLaw, MAX_LAMBDA, MAX_STEPS, MAX_WALKERS};

/// Control-panel state that is not an experiment parameter.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ControlState {
    /// Logarithmic λ slider.
    pub lambda_log: bool,
    /// Steps advanced per frame while playing.
    pub steps_per_frame: u64,
    /// Text of the record-steps and thresholds fields (applied when they parse).
    pub record_steps_text: String,
    pub thresholds_text: String,
    /// Text of the discrete law's values field.
    pub noise_values_text: String,
    /// Text of a typed landscape's ℓ(w; x) field.
    pub loss_text: String,
    /// In presenter mode, keep the control and theory panels open.
    pub presenter_controls: bool,
}

impl Default for ControlState {
    fn default() -> Self {
        ControlState {
            lambda_log: false,
            steps_per_frame: 1,
            record_steps_text: String::new(),
            thresholds_text: String::new(),
            noise_values_text: Discrete::default().to_text(),
            loss_text: String::new(),
            presenter_controls: false,
        }
    }
}

impl ControlState {
    /// Refill the text fields from `p` (after loading a preset).
    pub fn sync_text(&mut self, p: &ExperimentParams) {
        self.record_steps_text = p
            .record_steps
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        self.thresholds_text = p
            .thresholds
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        if let NoiseLaw::Discrete { values } = p.noise {
            self.noise_values_text = values.to_text();
        }
        self.loss_text = p.loss.clone();
    }
}

/// A text field applied through `ExperimentParams::set`: returns the error to show, if any.
fn list_field(
    ui: &mut Ui,
    label: &str,
    tip: &str,
    text: &mut String,
    key: &str,
    p: &mut ExperimentParams,
) -> Option<String> {
    let error = ui
        .horizontal(|ui| {
            let l = ui.label(label).on_hover_text(tip);
            // The text as it stands decides the colour: red while it cannot be used.
            let check = |text: &str| {
                let mut trial = p.clone();
                trial
                    .set(key, text)
                    .and_then(|()| trial.validate())
                    .map(|()| trial)
            };
            let bad = check(text).is_err();
            let mut edit = egui::TextEdit::singleline(text).desired_width(150.0);
            if bad {
                edit = edit.text_color(Color32::from_rgb(0xd0, 0x30, 0x30));
            }
            let r = ui.add(edit).labelled_by(l.id).on_hover_text(tip);
            match check(text) {
                Ok(trial) => {
                    if r.changed() {
                        *p = trial;
                    }
                    None
                }
                Err(e) => Some(e.to_string()),
            }
        })
        .inner;
    // Under its own field, not gathered under the last one.
    if let Some(e) = &error {
        ui.label(
            RichText::new(format!("⚠ {label}: {e}")).color(Color32::from_rgb(0xd0, 0x30, 0x30)),
        );
    }
    error
}

/// A typed landscape's field, its "start from" menu, and the gradient and Hessian derived from
/// it; returns the error to show, if any.
fn typed_loss_ui(ui: &mut Ui, p: &mut ExperimentParams, cs: &mut ControlState) -> Option<String> {
    let dim = p.landscape.dim();
    let tip = if dim == 1 {
        "ℓ(w; x): the weight w, the sample x, the sliders a and b; numbers, + − * / ^, ( ), pi, e, sqrt exp ln log sin cos tan tanh abs sign min max. Example: x*w^2/2 + w^4/4."
    } else {
        "ℓ(w1, w2; x): the weights w1 and w2, the sample x, the sliders a and b; numbers, + − * / ^, ( ), pi, e, sqrt exp ln log sin cos tan tanh abs sign min max. Example: (w2*w1^2 - x)^2."
    };
    let label = if dim == 1 {
        "ℓ(w; x) ="
    } else {
        "ℓ(w1, w2; x) ="
    };
    let l = ui.label(label).on_hover_text(tip);
    let check = |text: &str| {
        let mut trial = p.clone();
        trial
            .set("loss", text)
            .and_then(|()| {
                if trial.landscape.dim() == dim {
                    trial.validate()
                } else {
                    Err(crate::sim::params::out_of_range(
                        "loss",
                        text,
                        if dim == 1 {
                            "a 2-D expression (w1, w2) in a 1-D view: write it in w, or open the 2-D view"
                        } else {
                            "a 1-D expression (w) in the 2-D view: write it in w1 and w2"
                        },
                    ))
                }
            })
            .map(|()| trial)
    };
    let result = check(&cs.loss_text);
    let mut edit = egui::TextEdit::singleline(&mut cs.loss_text)
        .desired_width(ui.available_width())
        .font(egui::TextStyle::Monospace);
    if result.is_err() {
        edit = edit.text_color(Color32::from_rgb(0xd0, 0x30, 0x30));
    }
    let r = ui.add(edit).labelled_by(l.id).on_hover_text(tip);
    let error = match check(&cs.loss_text) {
        Ok(trial) => {
            if r.changed() {
                *p = trial;
            }
            None
        }
        Err(e) => Some(e.to_string()),
    };
    if let Some(e) = &error {
        ui.label(RichText::new(format!("⚠ ℓ: {e}")).color(Color32::from_rgb(0xd0, 0x30, 0x30)));
    }
    ui.horizontal(|ui| {
        ui.menu_button("start from ▾", |ui| {
            for l in Landscape::ALL.into_iter().filter(|l| l.dim() == dim) {
                if ui
                    .button(l.label())
                    .on_hover_text(
                        "Its ℓ as one types it, with its law of x: the same run as the built-in.",
                    )
                    .clicked()
                {
                    let (text, law) = l.typed().expect("a built-in landscape");
                    let mut trial = p.clone();
                    let ok = trial.set("loss", text).is_ok()
                        && law.is_none_or(|v| trial.set("noise_values", v).is_ok())
                        && trial.validate().is_ok();
                    if ok {
                        if law.is_none() && matches!(trial.noise, NoiseLaw::Discrete { .. }) {
                            trial.noise = NoiseLaw::TwoPoint;
                        }
                        *p = trial;
                        cs.sync_text(p);
                    }
                    ui.close();
                }
            }
        })
        .response
        .on_hover_text("Fill in the expression of a built-in landscape.");
    });
    if let Ok(c) = crate::model::custom::Custom::new(&p.loss) {
        let names: &[&str] = if dim == 1 { &["w"] } else { &["w1", "w2"] };
        let mono = |s: String| RichText::new(s).monospace().small();
        for (g, n) in c.grad.iter().zip(names) {
            ui.label(mono(format!("∂ℓ/∂{n} = {}", c.show(g))));
        }
        for (i, row) in c.hess.iter().enumerate() {
            for (j, h) in row.iter().enumerate().skip(i) {
                let d = if i == j {
                    format!("∂²ℓ/∂{}²", names[i])
                } else {
                    format!("∂²ℓ/∂{}∂{}", names[i], names[j])
                };
                ui.label(mono(format!("{d} = {}", c.show(h))));
            }
        }
    }
    error
}

/// The histograms' ranges and bins (kept in presets). Changing them re-bins the same seeded run:
/// the worker replays it to the step it had reached.
fn histogram_fields(ui: &mut Ui, p: &mut ExperimentParams, two_d: bool) {
    let h = &mut p.histogram;
    let (w1, w2) = if two_d { ("w1", "w2") } else { ("w", "") };
    NumberField::new(
        "bins",
        "Bins of the w histogram (and of the log10|w| one) between its ends: 1 to 2000.",
        1..=2000,
    )
    .speed(1.0)
    .show(ui, &mut h.bins);
    // Each end stays on its side of the other: a range never turns inside out.
    let (lo, hi) = (h.lo, h.hi);
    NumberField::new(
        &format!("{w1} from"),
        "Left end of the histogram (and of the 2-D map's first axis). Walkers beyond the ends are counted at the ends of the plot.",
        -1e12..=hi - 1e-9 * hi.abs().max(1.0),
    )
    .speed(0.01)
    .max_decimals(4)
    .show(ui, &mut h.lo);
    NumberField::new(
        &format!("{w1} to"),
        "Right end of the histogram (and of the 2-D map's first axis).",
        lo + 1e-9 * lo.abs().max(1.0)..=1e12,
    )
    .speed(0.01)
    .max_decimals(4)
    .show(ui, &mut h.hi);
    if two_d {
        let (lo2, hi2) = (h.lo2, h.hi2);
        NumberField::new(
            &format!("{w2} from"),
            "Bottom end of the 2-D map.",
            -1e12..=hi2 - 1e-9 * hi2.abs().max(1.0),
        )
        .speed(0.01)
        .max_decimals(4)
        .show(ui, &mut h.lo2);
        NumberField::new(
            &format!("{w2} to"),
            "Top end of the 2-D map.",
            lo2 + 1e-9 * lo2.abs().max(1.0)..=1e12,
        )
        .speed(0.01)
        .max_decimals(4)
        .show(ui, &mut h.hi2);
        NumberField::new(
            "map cells",
            "Cells per side of the walkers' density map: 1 to 400.",
            1..=400,
        )
        .show(ui, &mut h.bins2d);
    } else {
        let (lo, hi) = (h.log10_lo, h.log10_hi);
        NumberField::new(
            "log10|w| from",
            "Left end of the log10|w| histogram, in decades (the collapse reaches 10^−300).",
            -400.0..=hi - 1e-6,
        )
        .speed(1.0)
        .max_decimals(2)
        .show(ui, &mut h.log10_lo);
        NumberField::new(
            "log10|w| to",
            "Right end of the log10|w| histogram, in decades.",
            lo + 1e-6..=400.0,
        )
        .speed(1.0)
        .max_decimals(2)
        .show(ui, &mut h.log10_hi);
    }
}

/// The walkers field's upper end: the engine's own limit, the one `--set` and presets have.
pub const WALKER_FIELD_MAX: usize = MAX_WALKERS;

/// Bytes in binary units, for memory estimates.
pub fn human_bytes(b: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = b;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    format!("{v:.0} {}", units[i])
}

/// Draw the controls; edits go into `p` and `cs`. Returns messages for invalid text fields.
pub fn controls_ui(
    ui: &mut Ui,
    p: &mut ExperimentParams,
    cs: &mut ControlState,
    view: ViewKind,
) -> Vec<String> {
    let two_d = matches!(view, ViewKind::Landscape2d | ViewKind::LossSweep);
    let landscapes: &[Landscape] = if view == ViewKind::Landscape2d {
        &[
            Landscape::SharpMinima,
            Landscape::ToyNetwork,
            Landscape::Custom2d,
        ]
    } else if two_d {
        &[Landscape::SharpMinima, Landscape::ToyNetwork]
    } else {
        &[Landscape::Quadratic, Landscape::Quartic, Landscape::Custom]
    };
    let mut errors = Vec::new();
    ui.heading("Experiment");
    ComboBox::from_label("Landscape")
        .selected_text(p.landscape.label())
        .show_ui(ui, |ui| {
            for &l in landscapes {
                if ui.selectable_label(p.landscape == l, l.label()).clicked() {
                    p.choose_landscape(l);
                    cs.sync_text(p);
                }
            }
        })
        .response
        .on_hover_text("The per-sample loss ℓ(w; x). Quadratic: Eq. 2, L = a w²/4 (w = 0 is a maximum for a < 0). Quartic: Sec. 6.1, minima at ±√(−a/2). Typed: any ℓ you write, with the paper's theory of its stationary points.");
    if p.landscape.is_custom() {
        errors.extend(typed_loss_ui(ui, p, cs));
    }
    ComboBox::from_label("Optimizer")
        .selected_text(p.optimizer.label())
        .show_ui(ui, |ui| {
            for o in Optimizer::ALL {
                ui.selectable_value(&mut p.optimizer, o, o.label());
            }
        })
        .response
        .on_hover_text("GD: the expected gradient ∇L, no noise. SGD: Definition 1, one fresh sample per step. Adam / AMSGrad: Eq. 9–12 as the paper writes them (no bias correction, ε = 0).");
    let spread = p.noise.spread().unwrap_or(match p.noise {
        _ if p.landscape == Landscape::Quadratic || p.landscape == Landscape::Quartic => {
            ((2.0 - p.a) / 2.0).abs().max(0.1)
        }
        _ => 1.0,
    });
    ComboBox::from_label("Noise law")
        .selected_text(p.noise.label())
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut p.noise, NoiseLaw::TwoPoint, "Two-point (paper)");
            ui.selectable_value(&mut p.noise, NoiseLaw::Gaussian { std: spread }, "Gaussian");
            ui.selectable_value(&mut p.noise, NoiseLaw::Uniform { half_width: spread * 3f64.sqrt() }, "Uniform");
            let values = Discrete::parse(&cs.noise_values_text).unwrap_or_default();
            ui.selectable_value(&mut p.noise, NoiseLaw::Discrete { values }, "Discrete");
        })
        .response
        .on_hover_text("p(x). Two-point, Gaussian, uniform: mean a/2; two-point is x ∈ {1, a − 1} with probability ½ each (the paper's). Discrete: the values you type, with their probabilities. Prop. 2: only μ = E ln|1 − λx| decides convergence, so the shape should not matter.");
    if let NoiseLaw::Discrete { .. } = p.noise
        && let Some(e) = list_field(
            ui,
            "values of x",
            "The values x takes: 1, -1 for equal probabilities, or 2:0.25, -1:0.75 for value:probability (the probabilities sum to 1; up to 8 values).",
            &mut cs.noise_values_text,
            "noise_values",
            p,
        )
    {
        errors.push(e);
    }
    match &mut p.noise {
        NoiseLaw::TwoPoint | NoiseLaw::Discrete { .. } => {}
        NoiseLaw::Gaussian { std } => {
            NumberField::new(
                "σ of x",
                "Standard deviation of the Gaussian x (mean a/2).",
                1e-6..=1e6,
            )
            .speed(0.01)
            .max_decimals(4)
            .show_with_slider(ui, std, 0.01..=5.0, true);
        }
        NoiseLaw::Uniform { half_width } => {
            NumberField::new(
                "half-width of x",
                "x uniform on [a/2 − h, a/2 + h].",
                1e-6..=1e6,
            )
            .speed(0.01)
            .max_decimals(4)
            .show_with_slider(ui, half_width, 0.01..=8.0, true);
        }
    }

    ui.separator();
    ui.heading("Parameters");
    NumberField::new(
        "a",
        "The paper's a: E[x] = a/2, so L = a w²/4. a < 0 makes w = 0 a local maximum. The slider spans −3…3; type any value in −1000…1000.",
        -1e3..=1e3,
    )
    .speed(0.01)
    .max_decimals(4)
    .show_with_slider(ui, &mut p.a, -3.0..=3.0, false);
    let range = if cs.lambda_log { 1e-3..=4.0 } else { 0.0..=4.0 };
    NumberField::new(
        "λ",
        "Learning rate λ, held constant. For a = −1 SGD is trapped at the maximum for 0.5 < λ < 1.2808 (Eq. 5). The slider spans 0…4; type any value up to 100.",
        0.0..=MAX_LAMBDA,
    )
    .speed(0.001)
    .max_decimals(5)
    .show_with_slider(ui, &mut p.lambda, range, cs.lambda_log);
    ui.checkbox(&mut cs.lambda_log, "log λ slider")
        .on_hover_text("Logarithmic slider for λ (10⁻³ to 4).");
    // In the optimizers view every optimizer runs, so the Adam constants always apply.
    let adaptive = p.optimizer.is_adaptive() || view == ViewKind::Optimizers;
    NumberField::new(
        "β1",
        "Adam/AMSGrad momentum β1 (Eq. 9). Fig. 2 uses 0 and 0.9. Applies to Adam and AMSGrad only.",
        0.0..=0.999_999,
    )
    .speed(0.001)
    .max_decimals(6)
    .enabled(adaptive)
    .show_with_slider(ui, &mut p.adam.beta1, 0.0..=0.999, false);
    NumberField::new(
        "β2",
        "Adam/AMSGrad second-moment decay β2 (Eq. 10). Fig. 2 uses 0.999. Applies to Adam and AMSGrad only.",
        0.0..=0.999_999,
    )
    .speed(0.0001)
    .max_decimals(6)
    .enabled(adaptive)
    .show_with_slider(ui, &mut p.adam.beta2, 0.0..=0.9999, false);
    ui.add_enabled_ui(adaptive, |ui| {
        NumberField::new(
            "ε",
            "Added to √v̂ in the denominator. The paper uses none (0); a walker exactly at w = 0 then stays there.",
            0.0..=1.0,
        )
        .speed(1e-6)
        .show(ui, &mut p.adam.eps);
        ui.checkbox(&mut p.adam.bias_correction, "bias correction")
            .on_hover_text("Divide m by 1 − β1ᵗ and v̂ by 1 − β2ᵗ. The paper does not (off), so its first step is λ(1 − β1)/√(1 − β2).");
    });
    NumberField::new(
        "σ_add",
        "Injected Gaussian gradient noise: g = ∇ℓ + σ_add ξ (App. B, Fig. 8). 0 = off; GD stays noiseless.",
        0.0..=1e6,
    )
    .speed(0.001)
    .max_decimals(4)
    .show_with_slider(ui, &mut p.sigma_add, 0.0..=1.0, false);
    let mut proj = p.projection.is_some();
    ui.horizontal(|ui| {
        ui.checkbox(&mut proj, "project onto [−r, r]")
            .on_hover_text("Clip every coordinate into [−r, r] after each step (Prop. 5 takes w ∈ [−1, 1]; Fig. 2 needs it).");
    });
    let mut r = p.projection.unwrap_or(1.0);
    NumberField::new(
        "r",
        "Half-width of the box walkers are clipped into.",
        1e-3..=1e3,
    )
    .speed(0.01)
    .enabled(proj)
    .show(ui, &mut r);
    p.projection = proj.then_some(r);

    ui.separator();
    ui.heading("Ensemble");
    let bytes_per_walker = p.bytes_per_walker() as f64;
    let tip = format!(
        "Number of independent runs N (at most {}). This many need about {}.",
        show_number(WALKER_FIELD_MAX as f64),
        human_bytes(p.walkers as f64 * bytes_per_walker)
    );
    let why = move |n: f64| {
        format!(
            "{} would need about {}",
            crate::figure::format::count(n, "walker"),
            human_bytes(n * bytes_per_walker)
        )
    };
    NumberField::new("walkers N", &tip, 1..=WALKER_FIELD_MAX)
        .speed(50.0)
        .why_above(&why)
        .show(ui, &mut p.walkers);
    NumberField::new(
        "seed",
        "Seed of the random streams: one seed gives the same figure on every machine.",
        0..=u64::MAX,
    )
    .show(ui, &mut p.seed);
    NumberField::new(
        "steps",
        "Steps the experiment runs in total.",
        1..=MAX_STEPS,
    )
    .speed(10.0)
    .show(ui, &mut p.steps);
    NumberField::new(
        "steps per frame",
        "Steps advanced per frame (60 frames/s) while playing.",
        1..=100_000,
    )
    .show(ui, &mut cs.steps_per_frame);
    ComboBox::from_label("Initial law")
        .selected_text(p.init.label())
        .show_ui(ui, |ui| {
            let uni = if let InitLaw::Uniform { .. } = p.init {
                p.init
            } else {
                InitLaw::Uniform { half_width: 1.0 }
            };
            let pt = if let InitLaw::Point { .. } = p.init {
                p.init
            } else {
                InitLaw::Point { w1: 0.5, w2: 0.0 }
            };
            ui.selectable_value(&mut p.init, uni, "Uniform  w0 ~ U[−r, r]");
            ui.selectable_value(&mut p.init, pt, "Point  w0 fixed");
        })
        .response
        .on_hover_text("Where the walkers start. The paper's default: w0 ~ U[−1, 1].");
    match &mut p.init {
        InitLaw::Uniform { half_width } => {
            NumberField::new(
                "r of U[−r, r]",
                "Half-width of the initial law.",
                1e-9..=1e6,
            )
            .speed(0.01)
            .max_decimals(4)
            .show_with_slider(ui, half_width, 0.01..=5.0, false);
        }
        InitLaw::Point { w1, .. } => {
            NumberField::new("w0", "Every walker's starting w.", -1e6..=1e6)
                .speed(0.01)
                .max_decimals(4)
                .show_with_slider(ui, w1, -2.0..=2.0, false);
        }
        _ => {}
    }
    ui.separator();
    ui.heading("Recording");
    if cs.record_steps_text.is_empty() && cs.thresholds_text.is_empty() {
        cs.sync_text(p);
    }
    errors.extend(list_field(
        ui,
        "record at",
        "Steps at which the histogram is kept and overlaid, comma-separated, increasing, ≤ steps.",
        &mut cs.record_steps_text,
        "record_steps",
        p,
    ));
    histogram_fields(ui, p, two_d);
    errors.extend(list_field(
        ui,
        "thresholds θ",
        "Thresholds for the fraction of walkers with |w| < θ; the first (0.1: the two central bins of a 20-bin histogram on [−1, 1]) is the paper's.",
        &mut cs.thresholds_text,
        "thresholds",
        p,
    ));
    errors
}
