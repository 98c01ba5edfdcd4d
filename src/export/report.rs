//! The paper, reproduced: `saddlescope report --out-dir DIR` runs every built-in preset and
//! writes each figure (SVG, PDF, PNG), `DIR/report.json` (each preset's run output exactly as
//! `saddlescope run` writes it, beside the checks) and `DIR/index.html`, one self-contained page:
//! per figure the picture, its caption, the paper's claim, and a table of what the theory says,
//! what the simulation gives (with its sampling error) and whether they agree.
//!
//! The checks read the run output, so the page's numbers are the run's. Each states its rule:
//! a number with a sampling error agrees when it is within 4 standard errors of the theory (a
//! false alarm about once in 16 000 checks of a normal estimate), a qualitative claim by the
//! threshold written beside it.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::preset::Preset;
use crate::sim::sweep::{self, SweepGrid};

use super::render::{self, FileOptions, Format, ViewData};

/// How many standard errors a simulated number may be from the theory and still agree.
pub const AGREE_SE: f64 = 4.0;

/// One row of a figure's table.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub quantity: String,
    pub theory: String,
    pub simulation: String,
    pub verdict: Verdict,
    /// How the verdict was reached.
    pub rule: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Agrees,
    Differs,
    /// The paper gives no number to compare with here.
    NoTheory,
}

impl Verdict {
    fn of(ok: bool) -> Verdict {
        if ok {
            Verdict::Agrees
        } else {
            Verdict::Differs
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Agrees => "agrees",
            Verdict::Differs => "differs",
            Verdict::NoTheory => "no closed form",
        }
    }
}

/// The JSON `saddlescope run` writes for `preset` (pretty, no trailing newline); `on_grid` sees
/// a phase diagram's progress.
pub fn run_output(
    preset: &Preset,
    threads: usize,
    on_grid: impl FnMut(&SweepGrid),
) -> Result<String, String> {
    let to_json = |v: Result<String, serde_json::Error>| v.map_err(|e| e.to_string());
    if preset.view.is_live() {
        let p = preset.params.valid().map_err(|e| e.to_string())?;
        let out = crate::sim::run_headless(&p, threads, |_| {}).map_err(|e| e.to_string())?;
        return to_json(serde_json::to_string_pretty(&out));
    }
    match render::compute_batch(preset, threads, on_grid)? {
        ViewData::Phase(grid) => to_json(serde_json::to_string_pretty(
            &sweep::SweepOutput::from_grid(&grid),
        )),
        ViewData::Escape(out) => to_json(serde_json::to_string_pretty(&out)),
        ViewData::Loss(out) => to_json(serde_json::to_string_pretty(&out)),
        ViewData::Optimizers(out) => to_json(serde_json::to_string_pretty(&out)),
        ViewData::Live(_) => Err(format!("{} is a live view", preset.view.label())),
    }
}

fn num(v: f64) -> String {
    crate::figure::fmt_num(v, 4)
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// A simulated proportion `p` of `n` against the theory's `q`: agrees within 4 binomial
/// standard errors (of the theory's value: the error of the estimate if the theory holds; at
/// least one walker's worth when the theory says 0 or 1).
fn proportion(quantity: &str, q: f64, p: f64, n: f64) -> Check {
    let se = (q * (1.0 - q) / n).sqrt().max(1.0 / n);
    Check {
        quantity: quantity.into(),
        theory: num(q),
        simulation: format!("{} ± {}", num(p), num((p * (1.0 - p) / n).sqrt())),
        verdict: Verdict::of((p - q).abs() <= AGREE_SE * se),
        rule: format!(
            "|difference| ≤ {AGREE_SE} × {} (binomial SE, N = {n})",
            num(se)
        ),
    }
}

/// The checks of one preset's run output.
pub fn checks(preset: &Preset, run: &Value) -> Vec<Check> {
    match run["format"].as_str() {
        Some("saddlescope-run") => live_checks(preset, run),
        Some("saddlescope-sweep") => sweep_checks(run),
        Some("saddlescope-escape-rate") => escape_checks(run),
        Some("saddlescope-loss-sweep") => loss_checks(run),
        Some("saddlescope-optimizers") => optimizer_checks(run),
        _ => Vec::new(),
    }
}

fn live_checks(preset: &Preset, run: &Value) -> Vec<Check> {
    let mut out = Vec::new();
    let Some(last) = run["records"].as_array().and_then(|r| r.last()) else {
        return out;
    };
    let n = f(&last["walkers"]).unwrap_or(0.0);
    let t = f(&last["step"]).unwrap_or(0.0);
    let thresholds: Vec<f64> = run["params"]["thresholds"]
        .as_array()
        .map_or(Vec::new(), |a| a.iter().filter_map(f).collect());
    if let Some(basins) = last["basins"].as_array() {
        // The 2-D landscapes: the share of walkers in the basin the paper says they end in.
        let share = |name: &str| {
            basins
                .iter()
                .find(|b| b["basin"] == name)
                .and_then(|b| f(&b["fraction"]))
                .unwrap_or(0.0)
        };
        let expected = match preset.name.as_str() {
            "fig7" => Some(("sharp_minimum", "the sharp minima (Prop. 4)")),
            "fig3-left" => Some(("valley", "the minimum valley w2·w1² = ½")),
            "fig3-middle" => Some(("saddle", "the saddle line w1 = 0")),
            _ => None,
        };
        if let Some((basin, what)) = expected {
            let p = share(basin);
            let mut c = proportion(&format!("share of walkers in {what} at t = {t}"), 1.0, p, n);
            // "All" or "nearly all": 95 % at least.
            c.theory = "all (≥ 0.95)".into();
            c.verdict = Verdict::of(p >= 0.95);
            c.rule = "≥ 0.95 of the walkers".into();
            out.push(c);
        }
        return out;
    }
    // The exact binomial law, per threshold at the recorded step where it says most (its
    // value nearest ½; at the end every walker is in).
    for (k, th) in thresholds.iter().enumerate() {
        let best = run["records"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let q = f(&r["theory"]["fraction_below_exact"][k])?;
                Some((r, q, f(&r["fraction_below"][k])?))
            })
            .min_by(|a, b| (a.1 - 0.5).abs().total_cmp(&(b.1 - 0.5).abs()));
        if let Some((r, q, p)) = best {
            let step = f(&r["step"]).unwrap_or(f64::NAN);
            let n = f(&r["walkers"]).unwrap_or(n);
            out.push(proportion(
                &format!(
                    "fraction with |w| < {} at t = {step} (binomial law)",
                    num(*th)
                ),
                q,
                p,
                n,
            ));
        }
    }
    let theory = &last["theory"];
    if let (Some(q), Some(p), Some(s2), Some(m)) = (
        f(&theory["mean_log_ratio"]),
        f(&last["mean_log_ratio"]),
        f(&run["theory"]["s2"]),
        f(&last["log_count"]),
    ) {
        // ln|w_t/w_0| is a sum of t independent ln|1 − λx|: variance t·s².
        let se = (t * s2 / m.max(1.0)).sqrt();
        out.push(Check {
            quantity: format!("E ln|w_t/w₀| at t = {t} (tμ)"),
            theory: num(q),
            simulation: format!("{} ± {}", num(p), num(se)),
            verdict: Verdict::of((p - q).abs() <= AGREE_SE * se),
            rule: format!("|difference| ≤ {AGREE_SE} × √(t s²/N)"),
        });
    }
    if out.is_empty() {
        // No closed form at these parameters (the quartic, added noise, Adam/AMSGrad): the
        // theory's verdict at w = 0 against where the walkers are.
        let verdict = run["theory"]["verdict"].as_str().unwrap_or("—").to_string();
        let k = thresholds.len().saturating_sub(1);
        if let Some(p) = f(&last["fraction_below"][k]) {
            let th = thresholds.get(k).copied().unwrap_or(f64::NAN);
            out.push(Check {
                quantity: format!("fraction with |w| < {} at t = {t}", num(th)),
                theory: verdict,
                simulation: format!("{} ± {}", num(p), num((p * (1.0 - p) / n).sqrt())),
                verdict: Verdict::NoTheory,
                rule: "the paper gives the behaviour, not this number".into(),
            });
        }
        if let Some(d) = f(&last["diverged"]) {
            out.push(Check {
                quantity: format!("diverged at t = {t}"),
                theory: "—".into(),
                simulation: format!("{} of {}", d, n),
                verdict: Verdict::NoTheory,
                rule: "counted, never hidden".into(),
            });
        }
    }
    out
}

fn sweep_checks(run: &Value) -> Vec<Check> {
    let linearised =
        run["params"]["landscape"] != "quadratic" || run["params"]["optimizer"] != "sgd";
    let Some(cells) = run["cells"].as_array() else {
        return Vec::new();
    };
    let (mut same, mut total) = (0usize, 0usize);
    for c in cells {
        if let (Some(e), Some(mu)) = (f(&c["escape"]), f(&c["mu"])) {
            total += 1;
            if (e > 0.5) == (mu > 0.0) {
                same += 1;
            }
        }
    }
    let share = same as f64 / total.max(1) as f64;
    if linearised {
        // The quartic (or another optimizer): μ = 0 is the boundary of the loss linearised at
        // w = 0, which the paper draws for comparison, not a theory of this map.
        return vec![Check {
            quantity: "cells where escape > ½ exactly where the quadratic's μ > 0".into(),
            theory: "no boundary for this loss; the quadratic's μ = 0 for comparison".into(),
            simulation: format!("{same} of {total} ({:.1} %)", 100.0 * share),
            verdict: Verdict::NoTheory,
            rule: "the paper compares the two by eye".into(),
        }];
    }
    vec![Check {
        quantity: "cells where escape > ½ exactly where μ > 0 (Prop. 2 / Eq. 5)".into(),
        theory: "all".into(),
        simulation: format!("{same} of {total} ({:.1} %)", 100.0 * share),
        verdict: Verdict::of(share >= 0.95),
        rule: "≥ 95 % of the cells (cells on the line μ = 0 are a coin toss)".into(),
    }]
}

fn escape_checks(run: &Value) -> Vec<Check> {
    let mut out = Vec::new();
    for e in run["rate_vs_lambda"].as_array().into_iter().flatten() {
        let a = f(&e["a"]).unwrap_or(f64::NAN);
        let get = |k: &str| -> Vec<f64> {
            e[k].as_array().map_or(Vec::new(), |v| {
                v.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
            })
        };
        let (g, se, mu) = (get("gamma"), get("gamma_se"), get("mu"));
        // E ln|w_t/w_0|/t is an unbiased estimate of μ for SGD on the quadratic: every λ of
        // the sweep is a check.
        let (mut ok, mut n, mut worst) = (0, 0, 0.0f64);
        for ((g, se), mu) in g.iter().zip(&se).zip(&mu) {
            if !(g.is_finite() && se.is_finite() && mu.is_finite()) || *se <= 0.0 {
                continue;
            }
            n += 1;
            let z = (g - mu).abs() / se;
            worst = worst.max(z);
            if z <= AGREE_SE {
                ok += 1;
            }
        }
        out.push(Check {
            quantity: format!("γ(λ) = E ln|w_t/w₀|/t against μ(λ), a = {}", num(a)),
            theory: format!("μ at {n} values of λ"),
            simulation: format!("{ok} of {n} within {AGREE_SE} SE (largest {:.1} SE)", worst),
            verdict: Verdict::of(ok == n && n > 0),
            rule: format!("every λ within {AGREE_SE} standard errors"),
        });
        if let (Some(ls), Some(gs)) = (f(&e["lambda_star"]), f(&e["gamma_star"])) {
            out.push(Check {
                quantity: format!("Prop. 3: λ*, γ* at a = {}", num(a)),
                theory: format!("λ* = {}, γ* = {}", num(ls), num(gs)),
                simulation: "see the row above (γ follows μ at every λ)".into(),
                verdict: Verdict::NoTheory,
                rule: "μ's first maximum, from the formula".into(),
            });
        }
    }
    out
}

fn loss_checks(run: &Value) -> Vec<Check> {
    let Some(points) = run["points"].as_array() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // The jump is 0.25 (2.25 → 2.5): a tenth of it is the tolerance.
    let near = |lambda: f64| {
        points.iter().min_by(|p, q| {
            let d = |x: &Value| (f(&x["lambda"]).unwrap_or(f64::INFINITY) - lambda).abs();
            d(p).total_cmp(&d(q))
        })
    };
    for (lambda, expected, what) in [
        (0.001, 2.25, "the minimum valley L* = 2.25"),
        (0.1, 2.5, "the saddle line L = 2.5"),
    ] {
        if let Some(p) = near(lambda)
            && let (Some(l), Some(m)) = (f(&p["lambda"]), f(&p["mean_loss"]))
        {
            out.push(Check {
                quantity: format!("mean stationary loss at λ = {} ({what})", num(l)),
                theory: num(expected),
                simulation: format!(
                    "{} (10–90 %: {} to {})",
                    num(m),
                    num(f(&p["loss_q10"]).unwrap_or(f64::NAN)),
                    num(f(&p["loss_q90"]).unwrap_or(f64::NAN))
                ),
                verdict: Verdict::of((m - expected).abs() <= 0.025),
                rule: "within 0.025, a tenth of the jump".into(),
            });
        }
    }
    out
}

fn optimizer_checks(run: &Value) -> Vec<Check> {
    let mut out = Vec::new();
    // Fig. 2-left (β1 = 0): Adam falls onto the maximum too; with momentum it stays away.
    let momentum = f(&run["params"]["adam"]["beta1"]).unwrap_or(0.0) > 0.0;
    for c in run["curves"].as_array().into_iter().flatten() {
        let name = c["optimizer"].as_str().unwrap_or("?");
        let last = |k: &str| c[k].as_array().and_then(|v| v.last()).and_then(f);
        let (Some(m), Some(se)) = (last("mean_abs"), last("sem_abs")) else {
            continue;
        };
        let to_zero = matches!(name, "sgd" | "amsgrad") || (name == "adam" && !momentum);
        let (claim, ok, rule) = match name {
            _ if to_zero => ("→ 0, the maximum", m < 0.05, "mean |w| < 0.05"),
            "gd" => ("→ the boundary |w| = 1", m > 0.95, "mean |w| > 0.95"),
            _ => (
                "stays away from 0 (with momentum)",
                m > 0.05,
                "mean |w| > 0.05",
            ),
        };
        let opt = crate::model::Optimizer::ALL
            .into_iter()
            .find(|o| format!("{o:?}").eq_ignore_ascii_case(name))
            .map_or(name.to_string(), |o| o.label().to_string());
        out.push(Check {
            quantity: format!("{opt}: mean |w| at the last step"),
            theory: claim.into(),
            simulation: format!("{} ± {}", num(m), num(se)),
            verdict: Verdict::of(ok),
            rule: rule.into(),
        });
    }
    out
}

/// One figure of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub name: String,
    pub title: String,
    /// The paper's claim, in one sentence (the preset's description).
    pub claim: String,
    pub link: String,
    pub seed: u64,
    pub seconds: f64,
    pub checks: Vec<Check>,
    /// The run output, exactly as `saddlescope run` writes it.
    pub run: Value,
}

/// Run every built-in preset into `dir`: figures, `report.json`, `index.html`. Refuses a
/// folder that already holds a report unless `force`; `progress(k, n, name)` before each.
pub fn write_report(
    dir: &Path,
    threads: usize,
    force: bool,
    mut progress: impl FnMut(usize, usize, &str),
) -> Result<PathBuf, String> {
    let index = dir.join("index.html");
    if index.exists() && !force {
        return Err(format!(
            "{} already exists (--force to replace the report)",
            index.display()
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let presets = Preset::builtin_all();
    let started = std::time::Instant::now();
    let mut entries = Vec::new();
    let mut sections = String::new();
    for (k, p) in presets.iter().enumerate() {
        progress(k, presets.len(), &p.name);
        let t0 = std::time::Instant::now();
        let json = run_output(p, threads, |_| {})?;
        let run: Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
        let data = render::compute(p, threads)?;
        let fig = render::figure(p, &data);
        let mut png = Vec::new();
        for format in [Format::Svg, Format::Pdf, Format::Png] {
            let path = dir.join(format!("{}.{}", p.name, format.extension()));
            let opts = FileOptions {
                overwrite: true,
                format: Some(format),
                ..FileOptions::default()
            };
            for (path, bytes) in render::figure_files(&fig, &path, &opts)? {
                let t = crate::files::target(&path).map_err(|e| e.to_string())?;
                crate::files::write_to(&t, &path, &bytes, true).map_err(|e| e.to_string())?;
                if format == Format::Png {
                    png = bytes;
                }
            }
        }
        let entry = Entry {
            name: p.name.clone(),
            title: p.title.clone(),
            claim: p.description.clone(),
            link: crate::preset::link::encode(p, true),
            seed: p.params.seed,
            seconds: t0.elapsed().as_secs_f64(),
            checks: checks(p, &run),
            run,
        };
        sections.push_str(&section_html(&entry, &fig.caption, &png));
        entries.push(entry);
    }
    progress(presets.len(), presets.len(), "");
    let total = started.elapsed().as_secs_f64();
    let machine = format!(
        "{} {}, {} threads",
        std::env::consts::OS,
        std::env::consts::ARCH,
        threads
    );
    let report = serde_json::json!({
        "format": "saddlescope-report",
        "format_version": 1,
        "version": env!("CARGO_PKG_VERSION"),
        "machine": machine,
        "seconds": total,
        "presets": entries.iter().map(|e| (e.name.clone(), serde_json::to_value(e).unwrap_or(Value::Null))).collect::<serde_json::Map<_, _>>(),
    });
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())? + "\n";
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        let t = crate::files::target(&path).map_err(|e| e.to_string())?;
        crate::files::write_to(&t, &path, bytes, true).map_err(|e| e.to_string())
    };
    write("report.json", json.as_bytes())?;
    let agree = entries
        .iter()
        .flat_map(|e| &e.checks)
        .filter(|c| c.verdict == Verdict::Agrees)
        .count();
    let differ = entries
        .iter()
        .flat_map(|e| &e.checks)
        .filter(|c| c.verdict == Verdict::Differs)
        .count();
    let html = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>saddlescope: the paper, reproduced</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }}
img {{ max-width: 100%; border: 1px solid #ddd; }}
table {{ border-collapse: collapse; margin: 0.6em 0 1.4em; width: 100%; font-size: 0.92em; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }}
.agrees {{ color: #006d4f; font-weight: 600; }} .differs {{ color: #b34700; font-weight: 600; }}
.no_theory {{ color: #666; }} .meta {{ color: #555; font-size: 0.9em; }} code {{ font-size: 0.9em; }}
</style></head><body>
<h1>SGD with a constant large learning rate can converge to local maxima — reproduced</h1>
<p>Ziyin, Li, Simon, Ueda (ICLR 2022), every figure run by saddlescope {version}: the figure, the
paper's claim, and the theory's value beside the simulation's with its sampling error. A number
with a sampling error agrees within {se} standard errors. {agree} checks agree, {differ} differ.</p>
<p class="meta">{machine}; {total:.1} s in all. Each figure's preset link and seed reproduce it:
<code>saddlescope run NAME</code> writes the numbers below (they are in <code>report.json</code>),
<code>saddlescope figure NAME --out NAME.pdf</code> the figure.</p>
{sections}</body></html>
"#,
        version = env!("CARGO_PKG_VERSION"),
        se = AGREE_SE,
    );
    write("index.html", html.as_bytes())?;
    Ok(index)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn section_html(e: &Entry, caption: &str, png: &[u8]) -> String {
    let rows: String = e
        .checks
        .iter()
        .map(|c| {
            let v = serde_json::to_value(c.verdict)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{v}\">{}</td><td>{}</td></tr>\n",
                esc(&c.quantity),
                esc(&c.theory),
                esc(&c.simulation),
                c.verdict.label(),
                esc(&c.rule)
            )
        })
        .collect();
    format!(
        r#"<section id="{name}"><h2>{title}</h2>
<p><strong>The paper:</strong> {claim}</p>
<img alt="{title}" src="data:image/png;base64,{img}">
<p class="meta">{caption}</p>
<table><tr><th>quantity</th><th>theory</th><th>simulation</th><th>verdict</th><th>rule</th></tr>
{rows}</table>
<p class="meta">Preset <code>{name}</code>, seed {seed}, link <code>#{link}</code>; {secs:.2} s. Files: <a href="{name}.svg">SVG</a>, <a href="{name}.pdf">PDF</a>, <a href="{name}.png">PNG</a>.</p>
</section>
"#,
        name = esc(&e.name),
        title = esc(&e.title),
        claim = esc(&e.claim),
        img = crate::figure::svg::base64(png),
        caption = esc(caption),
        seed = e.seed,
        link = esc(&e.link),
        secs = e.seconds,
    )
}
