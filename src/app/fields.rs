//! Number fields that say why they did not take what was typed.
//!
//! egui's `DragValue` clamps typed text into its range and silently ignores text that does not
//! parse, so a lecturer who types 10¹² walkers sees 10⁷ with no word why. Here the typed text
//! goes through [`check`]: a value outside the range is clamped and text that is not a finite
//! number is refused (the value stays), and either way the field is framed in the warning
//! colour and the reason is shown in the status area while the field holds that value.

use std::cell::RefCell;
use std::ops::RangeInclusive;

use egui::emath::Numeric;
use egui::{DragValue, Response, Ui};

pub use crate::figure::format::show_number;

/// egui's own reading of typed numbers: whitespace ignored, '−' read as '-'.
fn parse(text: &str) -> Option<f64> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '−' { '-' } else { c })
        .collect();
    t.parse().ok()
}

/// What typed `text` does to a field with bounds `lo..=hi`: the value to take (`None`: keep the
/// old one) and the reason when that is not the typed value. `why_above` adds a sentence when the
/// value is above the maximum (a walker count's memory, say).
pub fn check(
    text: &str,
    lo: f64,
    hi: f64,
    why_above: Option<&dyn Fn(f64) -> String>,
) -> (Option<f64>, Option<String>) {
    let shown = text.trim();
    let Some(v) = parse(text) else {
        let note = if shown.is_empty() {
            "empty: kept the value".to_string()
        } else {
            format!("“{shown}” is not a number: kept the value")
        };
        return (None, Some(note));
    };
    if !v.is_finite() {
        return (
            None,
            Some(format!("{shown} is not allowed here: kept the value")),
        );
    }
    if v < lo {
        let note = format!(
            "{} is below the minimum {}: set to {}",
            show_number(v),
            show_number(lo),
            show_number(lo)
        );
        return (Some(lo), Some(note));
    }
    if v > hi {
        let mut note = format!(
            "{} is above the maximum {}: set to {}",
            show_number(v),
            show_number(hi),
            show_number(hi)
        );
        if let Some(why) = why_above {
            note = format!("{} ({note})", why(v));
        }
        return (Some(hi), Some(note));
    }
    (Some(v), None)
}

/// A labelled number field with bounds; see the module docs.
pub struct NumberField<'a, N: Numeric> {
    label: &'a str,
    tip: &'a str,
    range: RangeInclusive<N>,
    speed: f64,
    max_decimals: Option<usize>,
    suffix: &'a str,
    why_above: Option<&'a dyn Fn(f64) -> String>,
    enabled: bool,
}

impl<'a, N: Numeric> NumberField<'a, N> {
    pub fn new(label: &'a str, tip: &'a str, range: RangeInclusive<N>) -> Self {
        NumberField {
            label,
            tip,
            range,
            speed: 1.0,
            max_decimals: None,
            suffix: "",
            why_above: None,
            enabled: true,
        }
    }

    pub fn speed(mut self, speed: f64) -> Self {
        self.speed = speed;
        self
    }

    pub fn max_decimals(mut self, d: usize) -> Self {
        self.max_decimals = Some(d);
        self
    }

    pub fn suffix(mut self, s: &'a str) -> Self {
        self.suffix = s;
        self
    }

    /// A sentence added to the note when a typed value is above the maximum.
    pub fn why_above(mut self, why: &'a dyn Fn(f64) -> String) -> Self {
        self.why_above = Some(why);
        self
    }

    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// The field's label (its subscripts set as subscripts) with the tooltip.
    fn label_ui(&self, ui: &mut Ui) -> Response {
        let text = super::plot::scripted(ui, self.label, None, None, egui::Color32::TRANSPARENT);
        ui.label(text).on_hover_text(self.tip)
    }

    /// Draw label and field in a row, and the note (if any) after them.
    pub fn show(self, ui: &mut Ui, value: &mut N) -> Response {
        let response = ui
            .horizontal(|ui| {
                let l = self.label_ui(ui);
                self.field_ui(ui, value, l.id)
            })
            .inner;
        self.note_ui(ui, &response, value.to_f64());
        response
    }

    /// The checked drag value alone, named by the widget `label`; the verdict on typed text is
    /// kept for [`NumberField::note_ui`].
    fn field_ui(&self, ui: &mut Ui, value: &mut N, label: egui::Id) -> Response {
        let (lo, hi) = (self.range.start().to_f64(), self.range.end().to_f64());
        // The parser runs on every keystroke; the last verdict of this frame wins.
        let verdict: RefCell<Option<Option<String>>> = RefCell::new(None);
        let why_above = self.why_above;
        let mut dv = DragValue::new(value)
            .range(self.range.clone())
            .speed(self.speed)
            .suffix(self.suffix)
            .custom_parser(|text| {
                let (v, note) = check(text, lo, hi, why_above);
                *verdict.borrow_mut() = Some(note);
                v
            });
        if let Some(d) = self.max_decimals {
            dv = dv.max_decimals(d);
        }
        let response = ui
            .add_enabled(self.enabled, dv)
            .labelled_by(label)
            .on_hover_text(self.tip);
        let key = response.id.with("note");
        let now = value.to_f64();
        match verdict.into_inner() {
            // The note is tied to the value the field then holds.
            Some(Some(note)) => ui.data_mut(|d| {
                d.insert_temp(key, (note, now));
            }),
            // Typed text it took as it is, or a drag: the old note no longer applies.
            Some(None) => ui.data_mut(|d| {
                d.remove::<(String, f64)>(key);
            }),
            None if response.dragged() => ui.data_mut(|d| {
                d.remove::<(String, f64)>(key);
            }),
            None => {}
        }
        response
    }

    /// The note of the field drawn as `response`, if what was typed could not be used as it was:
    /// the field is framed in the warning colour and the note goes to the status area (never
    /// a line under the field, which would move the fields below it). A note whose value the
    /// field no longer holds (a preset loaded, an undo, another edit) is dropped.
    fn note_ui(&self, ui: &mut Ui, response: &Response, value: f64) {
        let key = response.id.with("note");
        let Some((note, at)) = ui.data(|d| d.get_temp::<(String, f64)>(key)) else {
            return;
        };
        if at != value && !(at.is_nan() && value.is_nan()) {
            ui.data_mut(|d| d.remove::<(String, f64)>(key));
            return;
        }
        ui.painter().rect_stroke(
            response.rect.expand(1.0),
            2.0,
            egui::Stroke::new(1.5, ui.visuals().warn_fg_color),
            egui::StrokeKind::Outside,
        );
        response.clone().on_hover_text(format!("⚠ {note}"));
        push_note(ui.ctx(), self.label, note);
    }

    /// A slider over `slider_range` for dragging, and beside it this field for typing (over the
    /// field's own range, which may be wider): both named by the label, and the note under
    /// them. The slider is found as `Role::Slider`, the field as `Role::SpinButton`.
    pub fn show_with_slider(
        self,
        ui: &mut Ui,
        value: &mut N,
        slider_range: RangeInclusive<N>,
        logarithmic: bool,
    ) -> Response {
        let response = ui
            .horizontal(|ui| {
                let l = self.label_ui(ui);
                let s = ui
                    .add_enabled(
                        self.enabled,
                        egui::Slider::new(value, slider_range)
                            .show_value(false)
                            // A typed value beyond the slider's span stays as typed.
                            .clamping(egui::SliderClamping::Never)
                            .logarithmic(logarithmic),
                    )
                    .labelled_by(l.id)
                    .on_hover_text(self.tip);
                // Where the slider is, for scripts that drag it.
                remember_rect(ui.ctx(), self.label, s.rect);
                let f = self.field_ui(ui, value, l.id);
                (s.union(f.clone()), f)
            })
            .inner;
        self.note_ui(ui, &response.1, value.to_f64());
        response.0
    }
}

fn notes_id() -> egui::Id {
    egui::Id::unique("saddlescope-field-notes")
}

/// Add a field's note to this frame's list (the status area shows it).
fn push_note(ctx: &egui::Context, label: &str, note: String) {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Vec<(String, String)>>(notes_id())
            .push((label.to_owned(), note))
    });
}

/// The field notes drawn this frame, as (field, note), emptying the list for the next frame.
pub fn take_notes(ctx: &egui::Context) -> Vec<(String, String)> {
    ctx.data_mut(|d| d.remove_temp::<Vec<(String, String)>>(notes_id()))
        .unwrap_or_default()
}

fn rect_id(label: &str) -> egui::Id {
    egui::Id::unique(("widget-rect", label))
}

/// Note where the widget labelled `label` was drawn this frame, for scripts that click or drag
/// it (the browser test, through `window.saddlescopeState`).
pub fn remember_rect(ctx: &egui::Context, label: &str, rect: egui::Rect) {
    ctx.data_mut(|d| d.insert_temp(rect_id(label), rect));
}

/// Where the widget labelled `label` was last drawn (in points), if it was.
pub fn widget_rect(ctx: &egui::Context, label: &str) -> Option<egui::Rect> {
    ctx.data(|d| d.get_temp(rect_id(label)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_taken_clamped_or_refused_with_a_reason() {
        assert_eq!(check("12", 1.0, 100.0, None), (Some(12.0), None));
        assert_eq!(check(" −3 ", -5.0, 5.0, None), (Some(-3.0), None));
        let (v, note) = check(
            "1e12",
            1.0,
            1e7,
            Some(&|v| format!("{v:e} walkers need a lot")),
        );
        assert_eq!(v, Some(1e7));
        let note = note.unwrap();
        assert!(
            note.contains("1e12 walkers need a lot")
                && note.contains("maximum 10\u{2009}000\u{2009}000"),
            "{note}"
        );
        let (v, note) = check("-4", 1.0, 10.0, None);
        assert_eq!(v, Some(1.0));
        assert!(note.unwrap().contains("below the minimum 1"));
        for bad in ["abc", "NaN", "inf", "-inf", ""] {
            let (v, note) = check(bad, 0.0, 1.0, None);
            assert_eq!(v, None, "{bad}");
            assert!(!note.unwrap().is_empty());
        }
    }

    #[test]
    fn numbers_read_well_in_messages() {
        assert_eq!(show_number(10_000_000.0), "10\u{2009}000\u{2009}000");
        assert_eq!(show_number(-1234.0), "−1\u{2009}234");
        assert_eq!(show_number(400.0), "400");
        assert_eq!(show_number(0.5), "0.5000");
    }
}
