//! Figures without a window: run a preset headless exactly as the app would (the live views
//! through the same worker, stepped frame by frame; the sweeps through the same jobs) and build
//! its figure. Used by `saddlescope figure`.

use crate::figure::style::ExportStyle;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use web_time::{Duration, Instant};

use crate::sim::escape_rate::{self, EscapeRateOutput};
use crate::sim::loss_sweep::{self, LossSweepOutput};
use crate::sim::optimizers::{self, OptimizerOutput};
use crate::sim::sweep::{self, SweepGrid};
use crate::sim::worker::{Command, Event, Snapshot, Worker};

use crate::figure::Figure;
use crate::preset::{Preset, ViewKind};

/// The data behind one view.
pub enum ViewData {
    Live(Arc<Snapshot>),
    Phase(Box<SweepGrid>),
    Escape(Box<EscapeRateOutput>),
    Loss(Box<LossSweepOutput>),
    Optimizers(Box<OptimizerOutput>),
}

/// Run `preset` to its end on `threads` threads.
pub fn compute(preset: &Preset, threads: usize) -> Result<ViewData, String> {
    let params = preset.params.valid().map_err(|e| e.to_string())?;
    let threads = threads.max(1);
    if !preset.view.is_live() {
        return compute_batch(preset, threads, |_| {});
    }
    // The worker the app uses, one frame's worth of steps per command, so the trace has the
    // points the live view would have.
    let w = Worker::spawn(params.clone(), threads, Arc::new(|| {}));
    let spf = preset.steps_per_frame.unwrap_or(1).max(1);
    let mut snap = wait_for(&w, |_| true)?;
    while snap.step() < params.steps {
        let target = (snap.step() + spf).min(params.steps);
        w.send(Command::Step(target - snap.step()));
        snap = wait_for(&w, |s| s.step() >= target)?;
    }
    w.send(Command::Shutdown);
    Ok(ViewData::Live(snap))
}

/// The views that compute to an end rather than play (sweeps, escape rates, the optimizer
/// comparison), as the app's jobs do; `sweep_progress` sees the phase grid every 0.5 s. Shared
/// by `saddlescope figure` and `saddlescope run`. A live view is an error here.
pub fn compute_batch(
    preset: &Preset,
    threads: usize,
    sweep_progress: impl FnMut(&SweepGrid),
) -> Result<ViewData, String> {
    let params = preset.params.valid().map_err(|e| e.to_string())?;
    let cancel = AtomicBool::new(false);
    Ok(match preset.view {
        ViewKind::Histogram | ViewKind::Landscape2d => {
            return Err(format!("{} is a live view", preset.view.label()));
        }
        ViewKind::PhaseDiagram => {
            let spec = preset.sweep.clone().unwrap_or_default();
            let every = Duration::from_millis(500);
            let g = sweep::run_sweep(&params, &spec, threads, &cancel, every, sweep_progress)
                .map_err(|e| e.to_string())?
                .ok_or("the sweep was cancelled")?;
            ViewData::Phase(Box::new(g))
        }
        ViewKind::EscapeRate => {
            let by_step = preset.rate_vs_step.clone().unwrap_or_default();
            let by_lambda = preset.rate_vs_lambda.clone().unwrap_or_default();
            let out = escape_rate::run_escape_rate(&params, &by_step, &by_lambda, threads, &cancel)
                .map_err(|e| e.to_string())?
                .ok_or("the escape-rate run was cancelled")?;
            ViewData::Escape(Box::new(out))
        }
        ViewKind::LossSweep => {
            let spec = preset.loss_sweep.clone().unwrap_or_default();
            let points = loss_sweep::run_loss_sweep(&params, &spec, threads, &cancel, |_, _| {})
                .map_err(|e| e.to_string())?
                .ok_or("the sweep was cancelled")?;
            ViewData::Loss(Box::new(LossSweepOutput {
                format: loss_sweep::LOSS_SWEEP_FORMAT.into(),
                format_version: 1,
                params: params.into_inner(),
                loss_sweep: spec,
                points,
            }))
        }
        ViewKind::Optimizers => {
            let spec = preset.optimizers.clone().unwrap_or_default();
            let curves = optimizers::run_optimizers(&params, &spec, threads, &cancel, |_| {})
                .map_err(|e| e.to_string())?
                .ok_or("the run was cancelled")?;
            ViewData::Optimizers(Box::new(OptimizerOutput {
                format: optimizers::OPTIMIZER_FORMAT.into(),
                format_version: 1,
                params: params.into_inner(),
                optimizers: spec,
                curves,
            }))
        }
    })
}

/// Walker-steps a preset's run takes (for the speed `saddlescope run` reports).
pub fn walker_steps(preset: &Preset) -> f64 {
    let p = &preset.params;
    match preset.view {
        ViewKind::Histogram | ViewKind::Landscape2d => p.walkers as f64 * p.steps as f64,
        ViewKind::PhaseDiagram => {
            let s = preset.sweep.clone().unwrap_or_default();
            (s.cells() * s.walkers) as f64 * s.steps as f64
        }
        ViewKind::LossSweep => {
            let s = preset.loss_sweep.clone().unwrap_or_default();
            (s.points * s.walkers) as f64 * s.steps as f64
        }
        ViewKind::Optimizers => {
            let s = preset.optimizers.clone().unwrap_or_default();
            let enabled = s.entries.iter().filter(|e| e.enabled).count();
            (enabled * s.walkers) as f64 * s.steps as f64
        }
        ViewKind::EscapeRate => {
            let (a, b) = (
                preset.rate_vs_step.clone().unwrap_or_default(),
                preset.rate_vs_lambda.clone().unwrap_or_default(),
            );
            (a.lambdas.len() * a.walkers) as f64 * a.steps as f64
                + (b.a_values.len() * b.lambda_points * b.walkers) as f64 * b.steps as f64
        }
    }
}

/// The next snapshot satisfying `pred`; an error if the worker reports one or stops.
fn wait_for(w: &Worker, pred: impl Fn(&Snapshot) -> bool) -> Result<Arc<Snapshot>, String> {
    let mut last = Instant::now();
    loop {
        match w.recv_timeout(Duration::from_millis(200)) {
            Some(Event::Snapshot(s)) if pred(&s) => return Ok(s),
            Some(Event::Snapshot(_)) => last = Instant::now(),
            Some(Event::Error { message, .. }) => return Err(message),
            Some(Event::Crashed { message }) => {
                return Err(format!("the simulation crashed: {message}"));
            }
            None if !w.is_alive() => return Err("the simulation stopped".into()),
            None if last.elapsed() > Duration::from_secs(600) => {
                return Err("no progress from the simulation in 10 minutes".into());
            }
            _ => {}
        }
    }
}

/// The figure of `preset` from its data: the same builder, options and title the app's view
/// uses for that preset.
pub fn figure(preset: &Preset, data: &ViewData) -> Figure {
    use crate::figure::views;
    let title = preset.title.as_str();
    match data {
        ViewData::Live(s) if preset.view == ViewKind::Landscape2d => views::landscape_figure(
            title,
            s,
            &views::landscape::loss_levels(&s.params),
            &preset.landscape_options.unwrap_or_default(),
            None,
        ),
        ViewData::Live(s) => {
            views::histogram_figure(title, s, &preset.histogram_options.unwrap_or_default())
        }
        ViewData::Phase(g) => views::phase_figure(
            title,
            g,
            &preset.overlays.unwrap_or_default(),
            Some([preset.params.a, preset.params.lambda]),
        ),
        ViewData::Escape(o) => {
            views::escape_figure(title, o, &preset.escape_options.unwrap_or_default())
        }
        ViewData::Loss(o) => views::loss_figure(title, o),
        ViewData::Optimizers(o) => {
            views::optimizers_figure(title, o, &preset.optimizer_options.unwrap_or_default())
        }
    }
}

/// The file formats a figure is written in.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
pub enum Format {
    Png,
    Svg,
    /// Vector, every glyph a path, no font to embed.
    Pdf,
    Csv,
}

impl Format {
    /// From a path's extension.
    pub fn of(path: &std::path::Path) -> Result<Format, String> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("png") => Ok(Format::Png),
            Some("svg") => Ok(Format::Svg),
            Some("pdf") => Ok(Format::Pdf),
            Some("csv") => Ok(Format::Csv),
            _ => Err(format!(
                "{}: the file name must end in .png, .svg, .pdf or .csv",
                path.display()
            )),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
            Format::Pdf => "pdf",
            Format::Csv => "csv",
        }
    }
}

/// How a figure is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FileOptions {
    /// PNG pixels per SVG pixel.
    pub scale: f64,
    /// Replace existing files.
    pub overwrite: bool,
    /// SVG text as `<text>` (selectable, drawn in the viewer's fonts) instead of glyph paths.
    pub selectable_text: bool,
    /// The format, when the path's extension does not say it (`-`, a device).
    pub format: Option<Format>,
    /// Page size, type size and furniture (the window's figure by default).
    pub style: ExportStyle,
}

impl Default for FileOptions {
    fn default() -> Self {
        FileOptions {
            scale: 2.0,
            overwrite: false,
            selectable_text: false,
            format: None,
            style: ExportStyle::default(),
        }
    }
}

/// Write `fig` to `path` in the format `opts.format` or the path's extension names, as
/// [`crate::files`] writes (a regular file atomically and never over an existing one unless
/// `opts.overwrite`; a device or pipe in place; `-` to standard output). A CSV of a figure with
/// several panels is one file per panel, `NAME.csv` for the first, `NAME-2.csv`, … for the
/// others; to standard output or a device the tables follow each other, a blank line apart.
/// Returns the paths written.
pub fn write_figure(
    fig: &Figure,
    path: &std::path::Path,
    opts: &FileOptions,
) -> Result<Vec<std::path::PathBuf>, String> {
    use crate::files;
    let overwrite = opts.overwrite;
    let format = match opts.format {
        Some(f) => f,
        None if path.as_os_str() == "-" => {
            return Err(
                "writing to standard output (-) needs the format named (--format png, svg, pdf or csv)"
                    .into(),
            );
        }
        None => Format::of(path)?,
    };
    let main = files::target(path).map_err(|e| e.to_string())?;
    let files = if format == Format::Csv && main.is_stream() {
        vec![(path.to_path_buf(), fig.to_csv().join("\n").into_bytes())]
    } else {
        figure_files(
            fig,
            path,
            &FileOptions {
                format: Some(format),
                ..*opts
            },
        )?
    };
    // Look at every target before writing anything, so that a refusal never leaves half a set.
    let mut targets = Vec::new();
    for (p, bytes) in files {
        let t = files::target(&p).map_err(|e| e.to_string())?;
        if t.replaces() && !overwrite {
            return Err(files::WriteError::Exists { path: p }.to_string());
        }
        targets.push((p, t, bytes));
    }
    let mut written = Vec::new();
    for (p, t, bytes) in targets {
        files::write_to(&t, &p, &bytes, overwrite).map_err(|e| e.to_string())?;
        written.push(p);
    }
    Ok(written)
}

/// The files of `fig` in `opts.format` (PNG if none) named after `path`: their names and
/// bytes. One for PNG and SVG; for CSV one table per panel, `NAME.csv` for the first,
/// `NAME-2.csv`, … for the others. What [`write_figure`] writes and a browser downloads.
pub fn figure_files(
    fig: &Figure,
    path: &std::path::Path,
    opts: &FileOptions,
) -> Result<Vec<(std::path::PathBuf, Vec<u8>)>, String> {
    opts.style.validate()?;
    let style = &opts.style;
    Ok(match opts.format.unwrap_or(Format::Png) {
        Format::Png => vec![(
            path.to_path_buf(),
            crate::figure::svg::svg_to_png(&fig.to_svg_text_styled(style), opts.scale)?,
        )],
        Format::Svg => {
            let text = fig.to_svg_text_styled(style);
            let svg = if opts.selectable_text {
                text
            } else {
                crate::figure::svg::glyphs_as_paths(&text)?
            };
            vec![(path.to_path_buf(), svg.into_bytes())]
        }
        Format::Pdf => vec![(
            path.to_path_buf(),
            crate::figure::svg::svg_to_pdf(&crate::figure::svg::glyphs_as_paths(
                &fig.to_svg_text_styled(style),
            )?)?,
        )],
        Format::Csv => fig
            .styled(style)
            .to_csv()
            .into_iter()
            .enumerate()
            .map(|(k, table)| {
                let p = if k == 0 {
                    path.to_path_buf()
                } else {
                    let stem = path
                        .file_stem()
                        .map_or("figure".into(), |s| s.to_string_lossy());
                    path.with_file_name(format!("{stem}-{}.csv", k + 1))
                };
                (p, table.into_bytes())
            })
            .collect(),
    })
}
