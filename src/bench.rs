//! Measurements behind `saddlescope bench` and `benches/`: stepping throughput per kernel and
//! thread count, phase-diagram sweep times, the CPU time of one UI frame with a large live
//! ensemble, and peak memory. Nothing here is asserted by a test; it is printed for people.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use web_time::{Duration, Instant};

use serde::Serialize;

use crate::model::{Landscape, NoiseLaw, Optimizer};
use crate::sim::params::InitLaw;
use crate::sim::sweep::{self, SweepSpec};
use crate::sim::{Engine, Ensemble, ExperimentParams};

pub mod reference;

/// Which hand-written loop a kernel is held against.
#[derive(Clone, Debug, PartialEq)]
pub enum Reference {
    /// The same update in f64 ([`reference::run`]).
    F64,
    /// The quadratic fast path's select-and-multiply in f32 ([`reference::run_quadratic_f32`]).
    F32Quadratic,
    /// The built-in landscape a typed one mirrors, on the f64 kernels: how much the typed
    /// landscape's interpreted gradient costs against the compiled one.
    BuiltIn(Box<ExperimentParams>),
}

/// One stepping kernel to measure.
pub struct KernelCase {
    pub name: String,
    pub params: ExperimentParams,
    pub engine: Engine,
    pub reference: Reference,
}

/// The parameters a landscape is benchmarked at (the paper's figure settings for it): for SGD
/// and GD, and for Adam / AMSGrad.
fn landscape_base(landscape: Landscape, adaptive: bool, walkers: usize) -> ExperimentParams {
    let base = ExperimentParams {
        walkers,
        record_steps: vec![],
        landscape,
        ..ExperimentParams::default()
    };
    match (landscape, adaptive) {
        (Landscape::Quadratic | Landscape::Quartic, false) => base,
        (Landscape::Quadratic | Landscape::Quartic, true) => ExperimentParams {
            a: -0.1,
            lambda: 0.2,
            projection: Some(1.0),
            ..base
        },
        (Landscape::SharpMinima, _) => ExperimentParams {
            a: 0.5,
            b: 14.0,
            lambda: if adaptive { 0.01 } else { 0.05 },
            init: InitLaw::FlatMinima { radius: 0.25 },
            projection: Some(1.0),
            ..base
        },
        (Landscape::ToyNetwork, _) => ExperimentParams {
            lambda: if adaptive { 0.01 } else { 0.1 },
            init: InitLaw::Network,
            ..base
        },
        // A typed landscape is benchmarked at the settings of the built-in one it mirrors.
        (Landscape::Custom | Landscape::Custom2d, _) => base,
    }
}

/// Every kernel the engine has — each landscape × optimizer × noise law (GD draws nothing), and
/// SGD with added noise — on `walkers` walkers, each beside its reference loop; plus the
/// quadratic fast path's case on the f64 kernels. (The scalar reference engine, the tests'
/// yardstick, is not a kernel the app runs: `saddlescope bench` leaves it out.)
pub fn kernel_cases(walkers: usize) -> Vec<KernelCase> {
    let case = |name: String, params, engine, reference| KernelCase {
        name,
        params,
        engine,
        reference,
    };
    let quadratic = landscape_base(Landscape::Quadratic, false, walkers);
    let mut cases = vec![
        case(
            "quadratic sgd two-point (f32 fast path)".into(),
            quadratic.clone(),
            Engine::Auto,
            Reference::F32Quadratic,
        ),
        case(
            "quadratic sgd two-point (f64 kernels)".into(),
            quadratic,
            Engine::Lanes,
            Reference::F64,
        ),
    ];
    for landscape in Landscape::ALL {
        let name = match landscape {
            Landscape::Quadratic => "quadratic",
            Landscape::Quartic => "quartic",
            Landscape::SharpMinima => "2-D sharp minima (clipped)",
            Landscape::ToyNetwork => "toy network",
            Landscape::Custom | Landscape::Custom2d => "typed",
        };
        for optimizer in Optimizer::ALL {
            let base = ExperimentParams {
                optimizer,
                ..landscape_base(landscape, optimizer.is_adaptive(), walkers)
            };
            // Gaussian and uniform laws with the two-point law's mean and variance.
            let (lo, hi) = landscape.two_point_values(base.a);
            let sd = 0.5 * (hi - lo).abs();
            let laws: &[(&str, NoiseLaw)] = if optimizer.is_stochastic() {
                &[
                    ("two-point", NoiseLaw::TwoPoint),
                    ("gaussian", NoiseLaw::Gaussian { std: sd }),
                    (
                        "uniform",
                        NoiseLaw::Uniform {
                            half_width: sd * 3f64.sqrt(),
                        },
                    ),
                ]
            } else {
                &[("", NoiseLaw::TwoPoint)]
            };
            for &(law, noise) in laws {
                if landscape == Landscape::Quadratic
                    && optimizer == Optimizer::Sgd
                    && law == "two-point"
                {
                    continue; // the fast path's rows above
                }
                let opt = optimizer.label().to_lowercase();
                let name = format!("{name} {opt} {law}").trim_end().to_owned();
                cases.push(case(
                    name,
                    ExperimentParams {
                        noise,
                        ..base.clone()
                    },
                    Engine::Auto,
                    Reference::F64,
                ));
            }
        }
        // The typed form of this landscape, its law and settings the built-in's, against it.
        if let Some((loss, law)) = landscape.typed() {
            let built_in = landscape_base(landscape, false, walkers);
            let mut typed = built_in.clone();
            typed.set("loss", loss).expect("a typed built-in");
            if let Some(law) = law {
                typed.set("noise_values", law).expect("its law");
            }
            cases.push(case(
                format!("custom {name} sgd two-point"),
                typed,
                Engine::Auto,
                Reference::BuiltIn(Box::new(built_in)),
            ));
        }
        cases.push(case(
            format!("{name} sgd two-point + added gaussian"),
            ExperimentParams {
                optimizer: Optimizer::Sgd,
                sigma_add: 0.1,
                ..landscape_base(landscape, false, walkers)
            },
            Engine::Auto,
            Reference::F64,
        ));
    }
    cases
}

/// The kernels a browser's page measures (`saddlescopeBench()` in the page, `web/test`): the
/// quadratic's fast path and the quartic's SGD, each beside its reference loop, one thread.
pub fn browser_kernel_rows(walkers: usize, repeats: usize, seconds: f64) -> Vec<KernelRow> {
    kernel_cases(walkers)
        .iter()
        .filter(|c| {
            c.name == "quadratic sgd two-point (f32 fast path)" || c.name == "quartic sgd two-point"
        })
        .map(|c| measure_kernel(c, 1, repeats, seconds))
        .collect()
}

#[derive(Clone, Debug, Serialize)]
pub struct KernelRow {
    pub kernel: String,
    pub threads: usize,
    pub walkers: usize,
    pub steps: u64,
    pub walker_steps_per_second_median: f64,
    pub nanoseconds_per_walker_step_per_thread: f64,
    /// The hand-written loop of the same update, same walkers, steps and threads.
    pub reference_walker_steps_per_second_median: f64,
    /// Engine over reference: 1 is the floor's speed.
    pub ratio_to_reference: f64,
    pub runs: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

/// Throughput of `case` and of its reference loop on `threads` threads: medians of `repeats`
/// runs each (engine and reference alternating, so that a change of load hits both), of enough
/// steps to take about `seconds` (calibrated by a short run of the engine).
pub fn measure_kernel(
    case: &KernelCase,
    threads: usize,
    repeats: usize,
    seconds: f64,
) -> KernelRow {
    let walkers = case.params.walkers;
    let valid = case.params.valid().expect("valid case");
    let mut probe = Ensemble::with_engine(&valid, case.engine);
    let start = Instant::now();
    probe.advance(3, threads);
    let rate = 3.0 * walkers as f64 / start.elapsed().as_secs_f64().max(1e-9);
    let steps = ((seconds * rate / walkers as f64) as u64).clamp(3, 2000);
    let (mut rates, mut refs) = (Vec::new(), Vec::new());
    // The reference loop starts where the engine's walkers start (made before any timing).
    let from = matches!(case.reference, Reference::F64).then(|| reference::Start::of(&case.params));
    for _ in 0..repeats.max(1) {
        let mut e = Ensemble::with_engine(&valid, case.engine);
        let start = Instant::now();
        e.advance(steps, threads);
        rates.push(walkers as f64 * steps as f64 / start.elapsed().as_secs_f64());
        let mut built_in = match &case.reference {
            Reference::BuiltIn(p) => Some(Ensemble::with_engine(
                &p.valid().expect("valid case"),
                Engine::Lanes,
            )),
            _ => None,
        };
        let start = Instant::now();
        let sum = match (&case.reference, built_in.as_mut()) {
            (Reference::F32Quadratic, _) => {
                reference::run_quadratic_f32(&case.params, steps, threads)
            }
            (Reference::BuiltIn(_), Some(e)) => {
                e.advance(steps, threads);
                e.w1()[0]
            }
            (Reference::F64, _) => match &from {
                Some(from) => reference::run(&case.params, from, steps, threads),
                None => f64::NAN,
            },
            (Reference::BuiltIn(_), None) => f64::NAN,
        };
        std::hint::black_box(sum);
        refs.push(walkers as f64 * steps as f64 / start.elapsed().as_secs_f64());
    }
    let (m, r) = (median(rates), median(refs));
    KernelRow {
        kernel: case.name.clone(),
        threads,
        walkers,
        steps,
        walker_steps_per_second_median: m,
        nanoseconds_per_walker_step_per_thread: threads as f64 * 1e9 / m,
        reference_walker_steps_per_second_median: r,
        ratio_to_reference: m / r,
        runs: repeats.max(1),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct GeneratorRow {
    pub what: String,
    pub threads: usize,
    pub draws_per_second_median: f64,
    pub runs: usize,
}

/// Standard normal draws per second from the engine's vectorised generator, `threads` threads
/// each filling its own groups.
pub fn measure_normals(threads: usize, repeats: usize) -> GeneratorRow {
    use crate::sim::lanes::{LANES, Rng8};
    const ROUNDS: usize = 200_000;
    let mut rates = Vec::new();
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        std::thread::scope(|s| {
            for t in 0..threads.max(1) {
                s.spawn(move || {
                    let mut rng = Rng8::new(5, t);
                    let mut z = [0.0; LANES];
                    let mut acc = 0.0;
                    for _ in 0..ROUNDS {
                        rng.normals_fast(&mut z);
                        acc += z[t % LANES];
                    }
                    std::hint::black_box(acc);
                });
            }
        });
        rates.push((threads.max(1) * ROUNDS * LANES) as f64 / start.elapsed().as_secs_f64());
    }
    GeneratorRow {
        what: "standard normal draws (Box–Muller, vectorised)".into(),
        threads,
        draws_per_second_median: median(rates),
        runs: repeats.max(1),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SweepRow {
    pub what: String,
    pub threads: usize,
    pub walker_steps: f64,
    pub wall_seconds_median: f64,
    pub first_coarse_image_seconds_median: Option<f64>,
    pub runs: usize,
}

/// A phase-diagram sweep of `base` over `spec`: wall time and time to the first coarse image of
/// the whole plane.
pub fn measure_sweep(
    what: &str,
    base: &ExperimentParams,
    spec: &SweepSpec,
    threads: usize,
    repeats: usize,
) -> SweepRow {
    let coarse = sweep::coarse_level_len(spec.a_cells, spec.lambda_cells);
    let (mut walls, mut firsts) = (Vec::new(), Vec::new());
    for _ in 0..repeats.max(1) {
        let cancel = AtomicBool::new(false);
        let mut first = None;
        let start = Instant::now();
        let grid = sweep::run_sweep(
            &base.valid().expect("a valid base"),
            spec,
            threads,
            &cancel,
            Duration::MAX,
            |g| {
                if first.is_none() && g.done >= coarse {
                    first = Some(start.elapsed().as_secs_f64());
                }
            },
        )
        .expect("a valid sweep")
        .expect("not cancelled");
        walls.push(start.elapsed().as_secs_f64());
        firsts.push(first.unwrap_or(grid.seconds));
    }
    SweepRow {
        what: format!(
            "{what}, {} × {} cells × {} walkers × {} steps",
            spec.a_cells, spec.lambda_cells, spec.walkers, spec.steps
        ),
        threads,
        walker_steps: (spec.cells() * spec.walkers) as f64 * spec.steps as f64,
        wall_seconds_median: median(walls),
        first_coarse_image_seconds_median: Some(median(firsts)),
        runs: repeats.max(1),
    }
}

/// Every built-in phase diagram (Fig. 1-right, Fig. 4, Fig. 9) and the Fig. 1-right plane under
/// Gaussian noise, uniform noise and Adam, at their presets' grids.
pub fn measure_sweeps(threads: usize, repeats: usize) -> Vec<SweepRow> {
    use crate::preset::Preset;
    let mut rows = Vec::new();
    for name in ["fig1-right", "fig4", "fig9"] {
        let p = Preset::builtin(name).expect("built in");
        let spec = p.sweep.clone().unwrap_or_default();
        rows.push(measure_sweep(name, &p.params, &spec, threads, repeats));
    }
    let p = Preset::builtin("fig1-right").expect("built in");
    let spec = p.sweep.clone().unwrap_or_default();
    for (what, params) in [
        (
            "fig1-right, Gaussian noise (std 1.5)",
            ExperimentParams {
                noise: NoiseLaw::Gaussian { std: 1.5 },
                ..p.params.clone()
            },
        ),
        (
            "fig1-right, uniform noise (half-width 1.5)",
            ExperimentParams {
                noise: NoiseLaw::Uniform { half_width: 1.5 },
                ..p.params.clone()
            },
        ),
        (
            "fig1-right, Adam (β1 = 0, β2 = 0.999)",
            ExperimentParams {
                optimizer: Optimizer::Adam,
                ..p.params.clone()
            },
        ),
    ] {
        rows.push(measure_sweep(what, &params, &spec, threads, repeats));
    }
    rows
}

/// The exact binomial escape map at 200 × 200 cells and T = 1000.
pub fn measure_exact_map(repeats: usize) -> SweepRow {
    let base = ExperimentParams::default();
    let spec = SweepSpec {
        a_cells: 200,
        lambda_cells: 200,
        ..SweepSpec::default()
    };
    let mut walls = Vec::new();
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        let map = sweep::exact_escape_map(&base, &spec, &AtomicBool::new(false))
            .expect("the quadratic theory applies");
        std::hint::black_box(map);
        walls.push(start.elapsed().as_secs_f64());
    }
    SweepRow {
        what: "exact binomial escape map, 200 × 200 cells, T = 1000".into(),
        threads: 2,
        walker_steps: 0.0,
        wall_seconds_median: median(walls),
        first_coarse_image_seconds_median: None,
        runs: repeats.max(1),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct FrameReport {
    pub walkers: usize,
    pub frames: usize,
    /// CPU time of one UI frame: layout (the app's whole UI) plus tessellation.
    pub frame_cpu_ms_median: f64,
    pub frame_cpu_ms_p95: f64,
    pub frame_cpu_ms_max: f64,
    /// Snapshots of the running ensemble that reached the UI per second of the measurement.
    pub snapshots_per_second: f64,
    /// Steps the ensemble advanced during the measurement.
    pub ensemble_steps: u64,
    pub live_threads: usize,
}

/// Run the app's whole UI headless at 60 frames/s for `frames` frames on the Fig. 1-left
/// histogram view while `walkers` walkers play, and time each frame's layout + tessellation.
pub fn measure_ui_frames(walkers: usize, frames: usize) -> FrameReport {
    use crate::app::{AppState, SaddlescopeApp, commands::UiCommand, live_threads};
    use crate::preset::Preset;

    let preset = Preset::builtin("fig1-left").expect("built in");
    let mut state = AppState::from_preset(&preset);
    state.params.walkers = walkers;
    state.params.steps = 1_000_000;
    let threads = live_threads();
    let mut app = SaddlescopeApp::new(state, threads, Arc::new(|| {}));
    let headless = Headless::new();
    headless.wait_for_snapshot(&mut app);
    app.run_command(UiCommand::PlayPause);
    let step_before = app.snapshot().map_or(0, |s| s.step());
    let mut times = Vec::with_capacity(frames);
    let mut snapshots = 0usize;
    let mut last_step = step_before;
    let start = Instant::now();
    let period = Duration::from_secs_f64(1.0 / 60.0);
    for k in 0..frames {
        let due = start + period * k as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        times.push(headless.frame(&mut app));
        let step = app.snapshot().map_or(0, |s| s.step());
        if step != last_step {
            snapshots += 1;
            last_step = step;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    app.run_command(UiCommand::PlayPause);
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let pick = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    FrameReport {
        walkers,
        frames,
        frame_cpu_ms_median: pick(0.5),
        frame_cpu_ms_p95: pick(0.95),
        frame_cpu_ms_max: pick(1.0),
        snapshots_per_second: snapshots as f64 / secs,
        ensemble_steps: last_step - step_before,
        live_threads: threads,
    }
}

/// The app's window without a window: frames laid out and tessellated through egui's Context.
struct Headless {
    ctx: egui::Context,
    t0: Instant,
}

impl Headless {
    fn new() -> Headless {
        Headless {
            ctx: egui::Context::default(),
            t0: Instant::now(),
        }
    }

    /// One frame; returns its CPU time in milliseconds.
    fn frame(&self, app: &mut crate::app::SaddlescopeApp) -> f64 {
        let start = Instant::now();
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1400.0, 900.0),
            )),
            time: Some(self.t0.elapsed().as_secs_f64()),
            ..Default::default()
        };
        let out = self.ctx.run_ui(input, |ui| app.ui_root(ui));
        let prims = self.ctx.tessellate(out.shapes, out.pixels_per_point);
        std::hint::black_box(prims);
        start.elapsed().as_secs_f64() * 1e3
    }

    /// Frames until the first snapshot (at most 30 s), then ten more.
    fn wait_for_snapshot(&self, app: &mut crate::app::SaddlescopeApp) {
        let t0 = Instant::now();
        while app.snapshot().is_none() && t0.elapsed() < Duration::from_secs(30) {
            self.frame(app);
            std::thread::sleep(Duration::from_millis(5));
        }
        for _ in 0..10 {
            self.frame(app);
        }
    }
}

/// How long closing the window takes in the middle of background work.
#[derive(Clone, Debug, Serialize)]
pub struct CloseReport {
    /// Threads of the process just before closing.
    pub threads_running: usize,
    /// Time to drop the app: every computation cancelled and every thread joined.
    pub close_ms: f64,
}

/// An app state whose background work takes hours: 10⁶ live walkers for 10⁸ steps, escape-rate
/// runs of 10⁶ walkers (4·10¹² walker-steps), a 400 × 400 phase sweep of 10⁶ walkers × 10⁶
/// steps per cell.
pub fn hours_of_work() -> crate::app::AppState {
    let mut state = crate::app::AppState::default();
    state.params.walkers = 1_000_000;
    state.params.steps = 100_000_000;
    state.sweep.a_cells = 400;
    state.sweep.lambda_cells = 400;
    state.sweep.walkers = 1_000_000;
    state.sweep.steps = 1_000_000;
    state.rate_vs_lambda.walkers = 1_000_000;
    state.rate_vs_lambda.steps = 10_000;
    state.rate_vs_lambda.lambda_points = 400;
    state.rate_vs_step.walkers = 1_000_000;
    state.rate_vs_step.steps = 10_000;
    state
}

/// Play [`hours_of_work`], start its escape-rate runs and its phase sweep, then close the app
/// and time it.
pub fn measure_close() -> CloseReport {
    use crate::app::{SaddlescopeApp, commands::UiCommand, live_threads};
    use crate::preset::ViewKind;
    let mut app = SaddlescopeApp::new(hours_of_work(), live_threads(), Arc::new(|| {}));
    let headless = Headless::new();
    headless.wait_for_snapshot(&mut app);
    app.run_command(UiCommand::PlayPause);
    for view in [ViewKind::EscapeRate, ViewKind::PhaseDiagram] {
        app.state.view = view;
        for _ in 0..30 {
            headless.frame(&mut app);
            std::thread::sleep(Duration::from_millis(16));
        }
    }
    let threads_running = std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count());
    let start = Instant::now();
    drop(app);
    CloseReport {
        threads_running,
        close_ms: start.elapsed().as_secs_f64() * 1e3,
    }
}

/// Peak resident memory of this process so far, in MiB (Linux: VmHWM), if known.
pub fn peak_resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[derive(Clone, Debug, Serialize)]
pub struct LiveReport {
    pub what: String,
    pub walkers: usize,
    pub threads: usize,
    /// Snapshots (every statistic the live view shows) delivered per second while playing.
    pub snapshots_per_second: f64,
    /// Wall time of one snapshot's statistics, median.
    pub statistics_ms_median: f64,
    /// From sending a change of λ to the first snapshot of the new ensemble, median.
    pub change_to_first_snapshot_ms_median: f64,
    pub runs: usize,
}

/// The live view's worker at `walkers` walkers of `params`, without a window: snapshots per
/// second while playing (over `seconds`), the statistics' time, and the latency of a change of
/// λ (`repeats` changes).
pub fn measure_live(
    what: &str,
    params: ExperimentParams,
    threads: usize,
    seconds: f64,
    repeats: usize,
) -> LiveReport {
    use crate::sim::stats;
    use crate::sim::worker::{Command, Event, LIVE_QUANTILE_CAP, Worker};
    let walkers = params.walkers;
    let params = ExperimentParams {
        steps: 100_000_000,
        ..params
    };
    let valid = params.valid().expect("valid live case");
    // The statistics alone, on an ensemble a few steps in.
    let mut e = Ensemble::new(&valid);
    e.advance(5, threads);
    // The worker's statistics run on every core (a burst per snapshot).
    let stat_threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let stat_ms = median(
        (0..repeats.max(1))
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(stats::record_parallel(
                    &e,
                    Some(LIVE_QUANTILE_CAP),
                    stat_threads,
                ));
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    );
    drop(e);
    let w = Worker::spawn(valid, threads, Arc::new(|| {}));
    let wait_for = |pred: &dyn Fn(&crate::sim::worker::Snapshot) -> bool| loop {
        match w.recv_timeout(Duration::from_secs(60)) {
            Some(Event::Snapshot(s)) if pred(&s) => return,
            Some(_) => {}
            None => return,
        }
    };
    wait_for(&|_| true);
    w.send(Command::Play);
    let start = Instant::now();
    let (mut snapshots, mut last) = (0usize, None);
    while start.elapsed().as_secs_f64() < seconds {
        if let Some(Event::Snapshot(s)) = w.recv_timeout(Duration::from_millis(100))
            && last != Some(s.step())
        {
            snapshots += 1;
            last = Some(s.step());
        }
    }
    let rate = snapshots as f64 / start.elapsed().as_secs_f64();
    let mut latencies = Vec::new();
    for k in 0..repeats.max(1) {
        let generation = 1 + k as u64;
        let changed = ExperimentParams {
            lambda: params.lambda * (1.0 + 0.01 * generation as f64),
            ..params.clone()
        };
        let start = Instant::now();
        w.send(Command::SetParams {
            generation,
            params: Box::new(changed.valid().expect("valid")),
        });
        wait_for(&|s| s.generation == generation);
        latencies.push(start.elapsed().as_secs_f64() * 1e3);
    }
    LiveReport {
        what: what.to_owned(),
        walkers,
        threads,
        snapshots_per_second: rate,
        statistics_ms_median: stat_ms,
        change_to_first_snapshot_ms_median: median(latencies),
        runs: repeats.max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many screens of pixels a frame's meshes cover (the sum of their triangles' areas
    /// within their clip rectangles, over the screen's area): what a software rasteriser
    /// shades per frame. A triangle reaching out of its clip rectangle counts by the share of
    /// its bounding box inside it; egui's triangles are small or axis-aligned, so this is close
    /// to exact.
    fn screens_shaded(prims: &[egui::ClippedPrimitive], screen: egui::Rect) -> f64 {
        let mut area = 0.0;
        for p in prims {
            let egui::epaint::Primitive::Mesh(m) = &p.primitive else {
                continue;
            };
            for t in m.indices.chunks_exact(3) {
                let [a, b, c] = [t[0], t[1], t[2]].map(|i| m.vertices[i as usize].pos);
                let bounds = egui::Rect::from_points(&[a, b, c]);
                let inside = bounds.intersect(p.clip_rect);
                if bounds.area() > 0.0 && inside.is_positive() {
                    let whole = ((b - a).x * (c - a).y - (b - a).y * (c - a).x).abs() * 0.5;
                    area += f64::from(whole * inside.area() / bounds.area());
                }
            }
        }
        area / f64::from(screen.area())
    }

    /// The window is cleared to the panels' colour and the panels paint no fill of their own:
    /// a frame of the default view at 1280 × 720 shades 0.57 screens (the plots' backgrounds,
    /// the bars, text), where filled panels made it 1.56 (the central panel 0.49 of them, each
    /// side panel 0.2, the top bar 0.09).
    #[test]
    fn a_frame_does_not_paint_the_window_twice() {
        use crate::app::{AppState, SaddlescopeApp, live_threads};
        use crate::preset::Preset;
        let state = AppState::from_preset(&Preset::builtin("fig1-left").expect("built in"));
        let mut app = SaddlescopeApp::new(state, live_threads(), Arc::new(|| {}));
        let ctx = egui::Context::default();
        let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 720.0));
        let t0 = Instant::now();
        let mut frame = || {
            let input = egui::RawInput {
                screen_rect: Some(screen),
                time: Some(t0.elapsed().as_secs_f64()),
                ..Default::default()
            };
            let out = ctx.run_ui(input, |ui| app.ui_root(ui));
            (
                ctx.tessellate(out.shapes, out.pixels_per_point),
                app.snapshot().is_some(),
            )
        };
        let mut prims = Vec::new();
        for _ in 0..3000 {
            let (p, ready) = frame();
            prims = p;
            if ready {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        // Settled: the histogram and the panels drawn at their sizes.
        for _ in 0..5 {
            prims = frame().0;
        }
        let shaded = screens_shaded(&prims, screen);
        assert!(
            shaded > 0.3,
            "the frame draws its plots ({shaded:.2} screens)"
        );
        assert!(
            shaded < 0.7,
            "a frame shades {shaded:.2} screens: a panel is filled again"
        );
    }
}
