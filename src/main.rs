//! The command line: open the app, or run, list and benchmark experiments headless.

use saddlescope::figure::style::{ExportStyle, StyleName, parse_size_pt};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use saddlescope::export::render;
use saddlescope::export::report;
use saddlescope::preset::Preset;
use saddlescope::preset::ViewKind;
use saddlescope::sim::{self, sweep};

#[derive(Parser)]
#[command(
    name = "saddlescope",
    version,
    about = "Watch SGD with a constant large learning rate converge to a local maximum"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// Preset (name or file) the app opens on; default: the app's last state, or fig1-left.
    #[arg(long, global = false)]
    preset: Option<String>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run an experiment headless and write its records as JSON.
    Run {
        /// A built-in preset name (see `saddlescope presets`) or a preset file.
        preset: String,
        /// Override a parameter, e.g. --set lambda=0.5 (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Write the JSON here instead of standard output (written atomically; an existing file
        /// is kept unless --force).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace the --out file if it exists.
        #[arg(long)]
        force: bool,
        /// Stepping threads (default: every core).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Render a preset's figure without a window: PNG (rasterised at --scale), SVG, PDF or CSV,
    /// chosen by the --out extension. `--all --out-dir DIR` writes DIR/NAME.png for every
    /// built-in preset (replacing those files: that is what it is for).
    Figure {
        /// A built-in preset name or a preset file (omit with --all).
        #[arg(required_unless_present = "all")]
        preset: Option<String>,
        /// Output file: .png, .svg, .pdf or .csv (a CSV per panel: NAME.csv, NAME-2.csv, …).
        #[arg(long, required_unless_present = "all")]
        out: Option<PathBuf>,
        /// Every built-in preset, as DIR/NAME.png.
        #[arg(long, conflicts_with_all = ["preset", "out"], requires = "out_dir")]
        all: bool,
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// PNG pixels per SVG pixel.
        #[arg(long, default_value_t = 2.0)]
        scale: f64,
        /// Override a parameter, as for `run` (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Replace --out if it exists.
        #[arg(long)]
        force: bool,
        /// SVG text as selectable <text> in the Ubuntu font (default: glyphs drawn as paths,
        /// the same in every viewer).
        #[arg(long)]
        svg_text: bool,
        /// The format, where --out does not end in .png, .svg, .pdf or .csv (`-` for standard
        /// output, a device).
        #[arg(long, value_enum)]
        format: Option<render::Format>,
        /// A named style: page size, type size and furniture together (screen: the window's
        /// figure; column: 3.25 in, 8 pt; page: 6.75 in, 9 pt; slide: 16:9, 20 pt; poster).
        #[arg(long, value_enum, default_value = "screen")]
        style: StyleName,
        /// The page, WIDTHxHEIGHT with a unit: in, cm, mm, pt or px (e.g. 3.25x2.4in).
        #[arg(long)]
        size: Option<String>,
        /// The axis labels' type size in pt (ticks and captions in proportion).
        #[arg(long)]
        font_size: Option<f64>,
        /// Furniture to keep, whatever the style: title, caption, status, markers, and
        /// italic (variables in italics) (comma-separated).
        #[arg(long, value_delimiter = ',')]
        show: Vec<Furniture>,
        /// Furniture to leave out, whatever the style.
        #[arg(long, value_delimiter = ',')]
        hide: Vec<Furniture>,
        /// PNG resolution in dots per inch of the page (instead of --scale): 300 for print.
        #[arg(long, conflicts_with = "scale")]
        dpi: Option<f64>,
        /// Threads (default: every core).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Record a live view (histogram or 2-D landscape) at a fixed simulation cadence, one frame
    /// every K steps: as an animation for slides (`--out anim.gif`, or `--out anim.mp4`: H.264,
    /// yuv420p, through ffmpeg) or as numbered PNG frames (`--out-dir DIR`:
    /// DIR/frame-00000.png, …). Each frame is the view's figure, as the window draws it
    Record {
        /// A built-in preset name or a preset file.
        preset: String,
        /// Frames at most (fewer if the run ends first).
        #[arg(long, default_value_t = 100)]
        frames: usize,
        /// Simulation steps between two frames.
        #[arg(long, default_value_t = 1)]
        every: u64,
        /// An animation: NAME.gif or NAME.mp4.
        #[arg(long, conflicts_with = "out_dir", required_unless_present = "out_dir")]
        out: Option<PathBuf>,
        /// A folder of numbered PNG frames.
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// Frames per second of an animation.
        #[arg(long, default_value_t = 25.0)]
        fps: f64,
        /// The frame's size in pixels, WIDTHxHEIGHT (e.g. 1920x1080 for a 16:9 slide): the
        /// figure is laid out for that frame, not stretched. Default: the figure's own size.
        #[arg(long)]
        size: Option<String>,
        /// Image pixels per figure pixel; default 1, or with --size as large as the type on a
        /// 720-pixel-high page (1.5 at 1920x1080).
        #[arg(long)]
        scale: Option<f64>,
        /// Override a parameter, as for `run` (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Replace the file, or the frames already in the folder.
        #[arg(long)]
        force: bool,
        /// Stepping threads (default: every core).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Give a lecture: open the window on a lecture's first scene (a shipped lecture, e.g.
    /// `paper`, or a lecture file). PageDown / PageUp (a presentation clicker) or the arrow keys
    /// move between scenes, B blanks the screen, N opens the presenter's notes, Esc leaves.
    Lecture {
        /// A shipped lecture name or a lecture file.
        lecture: String,
        /// Write the handout instead of opening the window: one vector PDF page per scene
        /// (its title, its figure at the scene's step, its notes).
        #[arg(long)]
        handout: Option<PathBuf>,
        /// Replace the handout if it exists.
        #[arg(long)]
        force: bool,
        /// Threads for the handout's computations (default: every core).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// The paper, reproduced: run every built-in preset and write each figure (SVG, PDF, PNG),
    /// DIR/report.json (each run's output, as `run` writes it, with the checks) and
    /// DIR/index.html (one self-contained page: per figure the picture, the paper's claim, the
    /// theory's value beside the simulation's with its sampling error, and the verdict).
    Report {
        #[arg(long)]
        out_dir: PathBuf,
        /// Replace a report already in DIR.
        #[arg(long)]
        force: bool,
        /// Threads (default: every core).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// List the built-in presets.
    Presets,
    /// Measure the engine and the UI, printing a JSON table: walker-steps/s per kernel and
    /// thread count, sweep wall times, the CPU time of a UI frame with a large live ensemble,
    /// peak memory.
    Bench {
        /// Walkers per kernel measurement and in the live view.
        #[arg(long, default_value_t = 1_000_000)]
        walkers: usize,
        /// Repetitions of each measurement; the median is reported.
        #[arg(long, default_value_t = 5)]
        repeats: usize,
        /// Target seconds of one kernel run (its step count is calibrated to this).
        #[arg(long, default_value_t = 0.2)]
        seconds: f64,
        /// UI frames to time (at 60 frames/s); 0 skips the UI measurement.
        #[arg(long, default_value_t = 300)]
        frames: usize,
        /// Skip the phase-diagram sweeps.
        #[arg(long)]
        no_sweeps: bool,
        /// Skip the kernel table (every kernel beside its reference loop).
        #[arg(long)]
        no_kernels: bool,
        /// Only the kernels the browser's page measures (`saddlescopeBench()`: the quadratic's
        /// fast path and the quartic's SGD on one thread, 10⁵ walkers), for comparing native
        /// with the page.
        #[arg(long)]
        browser_kernels: bool,
    },
}

#[allow(clippy::too_many_arguments)]
fn figure(
    preset: Option<String>,
    out: Option<PathBuf>,
    all: bool,
    out_dir: Option<PathBuf>,
    scale: f64,
    sets: &[String],
    force: bool,
    svg_text: bool,
    format: Option<render::Format>,
    style: ExportStyle,
    threads: Option<usize>,
) -> Result<()> {
    let threads = threads.unwrap_or_else(cores).max(1);
    let jobs: Vec<(Preset, PathBuf, bool)> = if all {
        let dir = out_dir.context("--all needs --out-dir")?;
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Preset::builtin_all()
            .into_iter()
            .map(|p| {
                let path = dir.join(format!("{}.png", p.name));
                (p, path, true)
            })
            .collect()
    } else {
        let name = preset.context("name a preset or use --all")?;
        let path = out.context("--out FILE.{png,svg,csv} is required")?;
        if format.is_none() && path.as_os_str() != "-" {
            render::Format::of(&path).map_err(anyhow::Error::msg)?;
        }
        vec![(Preset::resolve(&name)?, path, force)]
    };
    for (mut preset, path, overwrite) in jobs {
        apply_sets(&mut preset, sets)?;
        let start = std::time::Instant::now();
        let data = render::compute(&preset, threads).map_err(anyhow::Error::msg)?;
        let fig = render::figure(&preset, &data);
        let opts = render::FileOptions {
            scale,
            overwrite,
            selectable_text: svg_text,
            format,
            style,
        };
        let written = render::write_figure(&fig, &path, &opts).map_err(anyhow::Error::msg)?;
        for p in written {
            eprintln!(
                "saddlescope: {} → {} ({:.2} s)",
                preset.name,
                p.display(),
                start.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

/// Furniture a figure may keep or leave out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Furniture {
    Title,
    Caption,
    Status,
    Markers,
    Italic,
}

/// The export style the options ask for: the named style, its size and type size replaced
/// where given, its furniture shown or hidden.
fn export_style(
    name: StyleName,
    size: Option<&str>,
    font: Option<f64>,
    show: &[Furniture],
    hide: &[Furniture],
) -> Result<ExportStyle> {
    let mut st = ExportStyle::named(name);
    if size.is_some() && name == StyleName::Screen {
        // A figure sized for a document leaves its title, caption and status lines to the
        // document (as the journal styles do); --show brings them back.
        st = ExportStyle {
            name,
            ..ExportStyle::named(StyleName::Column)
        };
        st.font_pt = None;
    }
    if let Some(s) = size {
        st.size_pt = Some(parse_size_pt(s).map_err(anyhow::Error::msg)?);
        st.auto_height = false;
    }
    if font.is_some() {
        st.font_pt = font;
    }
    for (list, on) in [(show, true), (hide, false)] {
        for f in list {
            *match f {
                Furniture::Title => &mut st.title,
                Furniture::Caption => &mut st.caption,
                Furniture::Status => &mut st.status,
                Furniture::Markers => &mut st.markers,
                Furniture::Italic => &mut st.italic,
            } = on;
        }
    }
    st.validate().map_err(anyhow::Error::msg)?;
    Ok(st)
}

fn report_cmd(dir: &std::path::Path, force: bool, threads: Option<usize>) -> Result<()> {
    let threads = threads.unwrap_or_else(cores).max(1);
    let start = std::time::Instant::now();
    let tty = std::io::stderr().is_terminal();
    let index = report::write_report(dir, threads, force, |k, n, name| {
        // A progress bar on a terminal; a line per preset otherwise (CI logs).
        let done = 30 * k / n.max(1);
        let bar = format!(
            "[{}{}] {k}/{n} {name}",
            "#".repeat(done),
            " ".repeat(30 - done)
        );
        if tty {
            eprint!("\r\x1b[2K{bar}");
        } else if !name.is_empty() {
            eprintln!("{bar}");
        }
    })
    .map_err(anyhow::Error::msg)?;
    if tty {
        eprintln!();
    }
    eprintln!(
        "saddlescope: the paper reproduced in {} ({:.1} s)",
        index.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn apply_sets(preset: &mut Preset, sets: &[String]) -> Result<()> {
    for s in sets {
        let Some((k, v)) = s.split_once('=') else {
            bail!("--set expects KEY=VALUE, got '{s}'");
        };
        preset.set(k.trim(), v)?;
    }
    preset.validate()?;
    Ok(())
}

fn run(
    preset: &str,
    sets: &[String],
    out: Option<PathBuf>,
    force: bool,
    threads: Option<usize>,
) -> Result<()> {
    let mut preset = Preset::resolve(preset)?;
    apply_sets(&mut preset, sets)?;
    // Refuse a file that is there before the work, not after it.
    if let Some(path) = &out
        && saddlescope::files::target(path)?.replaces()
        && !force
    {
        return Err(saddlescope::files::WriteError::Exists { path: path.clone() }.into());
    }
    let threads = threads.unwrap_or_else(cores).max(1);
    let start = std::time::Instant::now();
    let spec = preset.sweep.clone().unwrap_or_default();
    let coarse = sweep::coarse_level_len(spec.a_cells, spec.lambda_cells);
    let mut first_image = None;
    let mut total = 0.0;
    let json = report::run_output(&preset, threads, |g| {
        if g.done >= coarse && first_image.is_none() {
            first_image = Some(g.seconds);
        }
        total = g.seconds;
        if std::io::stderr().is_terminal() {
            eprint!("\rsaddlescope: {}/{} cells", g.done, g.spec.cells());
        }
    })
    .map_err(anyhow::Error::msg)?;
    if preset.view == ViewKind::PhaseDiagram {
        if std::io::stderr().is_terminal() {
            eprintln!();
        }
        eprintln!(
            "saddlescope: {} × {} cells × {} walkers × {} steps; first coarse image of the plane ({coarse} cells) after {:.3} s",
            spec.a_cells,
            spec.lambda_cells,
            spec.walkers,
            spec.steps,
            first_image.unwrap_or(total)
        );
    }
    let work = render::walker_steps(&preset);
    let json = json + "\n";
    match out {
        Some(path) => saddlescope::files::write_bytes(&path, json.as_bytes(), force)?,
        None => std::io::stdout().lock().write_all(json.as_bytes())?,
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "saddlescope: {} ({}) in {:.3} s: {:.3e} walker-steps, {:.3e} walker-steps/s, statistics included",
        preset.name,
        preset.view.label(),
        secs,
        work,
        work / secs.max(1e-9)
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
/// How `record`'s frames look and play, as given on the command line.
struct RecordLook {
    fps: f64,
    size: Option<String>,
    scale: Option<f64>,
}

#[allow(clippy::too_many_arguments)]
fn record(
    preset: &str,
    frames: usize,
    every: u64,
    out: saddlescope::export::anim::RecordOutput,
    look: RecordLook,
    sets: &[String],
    force: bool,
    threads: Option<usize>,
) -> Result<()> {
    use saddlescope::export::anim::{FrameFormat, parse_size};
    use saddlescope::export::record::{RecordSpec, record_headless};
    let mut preset = Preset::resolve(preset)?;
    apply_sets(&mut preset, sets)?;
    let size = look
        .size
        .as_deref()
        .map(parse_size)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let spec = RecordSpec {
        frames,
        every,
        format: FrameFormat {
            scale: look.scale.unwrap_or_else(|| FrameFormat::scale_for(size)),
            size,
            fps: look.fps,
            overwrite: force,
        },
    };
    let start = std::time::Instant::now();
    let n = record_headless(&preset, &spec, out.clone(), threads.unwrap_or_else(cores))
        .map_err(anyhow::Error::msg)?;
    eprintln!(
        "saddlescope: {} → {} frames in {} ({:.2} s)",
        preset.name,
        n,
        out.path().display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Write a lecture's handout PDF, refusing an existing file without `force` before any work.
fn handout(
    lecture: &str,
    out: &std::path::Path,
    force: bool,
    threads: Option<usize>,
) -> Result<()> {
    let l = saddlescope::lecture::LoadedLecture::resolve(lecture).map_err(anyhow::Error::msg)?;
    let target = saddlescope::files::target(out)?;
    if target.replaces() && !force {
        return Err(saddlescope::files::WriteError::Exists {
            path: out.to_path_buf(),
        }
        .into());
    }
    let start = std::time::Instant::now();
    let n = l.len();
    let pdf =
        saddlescope::export::handout::handout_pdf(&l, threads.unwrap_or_else(cores), |k, t| {
            eprintln!("saddlescope: scene {}/{n}: {t}", k + 1);
        })
        .map_err(anyhow::Error::msg)?;
    saddlescope::files::write_bytes(out, &pdf, force)?;
    eprintln!(
        "saddlescope: {lecture} → {} ({n} pages, {:.1} s)",
        out.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn presets() {
    for p in Preset::builtin_all() {
        println!("{:<12} {}", p.name, p.title);
    }
}

fn bench(
    walkers: usize,
    repeats: usize,
    seconds: f64,
    frames: usize,
    no_sweeps: bool,
    no_kernels: bool,
) -> Result<()> {
    use saddlescope::bench;
    if !(1..=sim::params::MAX_WALKERS).contains(&walkers) {
        anyhow::bail!(
            "--walkers {walkers} is out of range (1 to {})",
            sim::params::MAX_WALKERS
        );
    }
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 60.0) {
        anyhow::bail!("--seconds {seconds} is out of range (above 0, at most 60)");
    }
    let say = |what: &str| eprintln!("saddlescope bench: {what}");
    // The live view first, so that its peak memory is not the kernels'.
    let (ui, live_peak) = if frames > 0 {
        say(&format!("UI frames with {walkers} live walkers"));
        let r = bench::measure_ui_frames(walkers, frames);
        (Some(r), bench::peak_resident_mib())
    } else {
        (None, None)
    };
    // Every kernel on all cores (the figure the ratios are about); the fast path on one too.
    let mut kernels = Vec::new();
    for case in bench::kernel_cases(walkers) {
        if no_kernels {
            break;
        }
        let mut counts = vec![cores()];
        if case.engine == sim::Engine::Auto
            && matches!(case.reference, bench::Reference::F32Quadratic)
        {
            counts.insert(0, 1);
        }
        for threads in counts {
            say(&format!("{} on {threads} thread(s)", case.name));
            kernels.push(bench::measure_kernel(&case, threads, repeats, seconds));
        }
    }
    say("the live view's worker");
    let live_threads = saddlescope::app::live_threads();
    let live = [
        (
            "live view, quadratic (fast path), Fig. 1-left",
            sim::ExperimentParams {
                walkers,
                ..sim::ExperimentParams::default()
            },
        ),
        (
            "live view, 2-D sharp minima, Fig. 7",
            bench::kernel_cases(walkers)
                .into_iter()
                .find(|c| c.name == "2-D sharp minima (clipped) sgd two-point")
                .map(|c| c.params)
                .expect("a bench case"),
        ),
    ]
    .map(|(what, p)| bench::measure_live(what, p, live_threads, 3.0, repeats));
    say("the normal generator");
    let generator = bench::measure_normals(cores(), repeats);
    let mut sweeps = Vec::new();
    let mut close = None;
    if !no_sweeps {
        say("closing the app in the middle of a sweep");
        close = Some(bench::measure_close());
        say("phase-diagram sweeps");
        sweeps.extend(bench::measure_sweeps(cores(), repeats));
        say("exact binomial map");
        sweeps.push(bench::measure_exact_map(repeats));
    }
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map(|m| m.trim().to_owned())
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "machine": { "cores": cores(), "cpu": cpu },
            "kernels": kernels,
            "normal_generator": generator,
            "live_view": live,
            "sweeps": sweeps,
            "ui_frame": ui,
            "live_view_peak_resident_mib": live_peak,
            "close_mid_sweep": close,
        }))?
    );
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => saddlescope::app::run_native(cli.preset.as_deref(), None)
            .map_err(|e| anyhow::anyhow!("{e}")),
        Some(Cmd::Lecture {
            lecture,
            handout: None,
            ..
        }) => saddlescope::lecture::LoadedLecture::resolve(&lecture)
            .map_err(anyhow::Error::msg)
            .and_then(|l| {
                saddlescope::app::run_native(None, Some(l)).map_err(|e| anyhow::anyhow!("{e}"))
            }),
        Some(Cmd::Lecture {
            lecture,
            handout: Some(out),
            force,
            threads,
        }) => handout(&lecture, &out, force, threads),
        Some(Cmd::Report {
            out_dir,
            force,
            threads,
        }) => report_cmd(&out_dir, force, threads),
        Some(Cmd::Run {
            preset,
            set,
            out,
            force,
            threads,
        }) => run(&preset, &set, out, force, threads),
        Some(Cmd::Figure {
            preset,
            out,
            all,
            out_dir,
            scale,
            set,
            force,
            svg_text,
            format,
            style,
            size,
            font_size,
            show,
            hide,
            dpi,
            threads,
        }) => export_style(style, size.as_deref(), font_size, &show, &hide).and_then(|style| {
            // PNG pixels per CSS pixel: 96 of them to the inch.
            let scale = dpi.map_or(scale, |d| d / 96.0);
            figure(
                preset, out, all, out_dir, scale, &set, force, svg_text, format, style, threads,
            )
        }),
        Some(Cmd::Record {
            preset,
            frames,
            every,
            out,
            out_dir,
            fps,
            size,
            scale,
            set,
            force,
            threads,
        }) => record(
            &preset,
            frames,
            every,
            match (out, out_dir) {
                (Some(file), _) => {
                    match saddlescope::export::anim::RecordOutput::from_path(&file) {
                        saddlescope::export::anim::RecordOutput::Frames(_) => {
                            eprintln!(
                                "saddlescope: error: {}: --out takes NAME.gif or NAME.mp4; PNG frames go to --out-dir DIR",
                                file.display()
                            );
                            return ExitCode::FAILURE;
                        }
                        animation => animation,
                    }
                }
                (None, Some(dir)) => saddlescope::export::anim::RecordOutput::Frames(dir),
                (None, None) => unreachable!("clap requires --out or --out-dir"),
            },
            RecordLook { fps, size, scale },
            &set,
            force,
            threads,
        ),
        Some(Cmd::Presets) => {
            presets();
            Ok(())
        }
        Some(Cmd::Bench {
            walkers,
            repeats,
            seconds,
            frames,
            no_sweeps,
            no_kernels,
            browser_kernels: false,
        }) => bench(walkers, repeats, seconds, frames, no_sweeps, no_kernels),
        Some(Cmd::Bench {
            browser_kernels: true,
            ..
        }) => {
            let rows = saddlescope::bench::browser_kernel_rows(100_000, 5, 0.2);
            println!(
                "{}",
                serde_json::to_string_pretty(&rows).expect("rows serialise")
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("saddlescope: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
