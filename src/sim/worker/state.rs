//! The experiment the worker owns, and what it does between commands: take them (the last
//! parameters win), step while playing, compute each snapshot's statistics, and send it. The
//! same state runs on the worker thread natively and in the page's frames.

use super::*;

pub(super) struct State {
    pub(super) rx: Receiver<Command>,
    /// See [`Worker::new_params`]; decremented as each `SetParams` is taken.
    pub(super) new_params: Arc<AtomicUsize>,
    pub(super) tx: Sender<Event>,
    pub(super) waker: Waker,
    pub(super) threads: usize,
    /// Threads for a snapshot's statistics: every core. A burst of a few milliseconds per
    /// snapshot, short beside the UI's frame; the stepping keeps to `threads`.
    pub(super) stat_threads: usize,
    pub(super) generation: u64,
    pub(super) params: Arc<ValidParams>,
    pub(super) ensemble: Option<Ensemble>,
    pub(super) playing: bool,
    pub(super) steps_per_frame: u64,
    pub(super) recorded: Vec<Arc<Record>>,
    pub(super) trace: Vec<TracePoint>,
    pub(super) pending: Option<Event>,
    pub(super) rate: f64,
    /// (time, step) of the ticks of the last [`RATE_WINDOW`], for the rate.
    pub(super) window: std::collections::VecDeque<(Instant, u64)>,
    /// The record computed by the last `observe`.
    pub(super) current: Option<Arc<Record>>,
    pub(super) curves: Option<Arc<FractionCurves>>,
    pub(super) stationary: Arc<Vec<PointRow>>,
    /// The step a rebinned run is being replayed to.
    pub(super) catch_up: Option<u64>,
}

impl State {
    pub(super) fn new(
        rx: Receiver<Command>,
        tx: Sender<Event>,
        waker: Waker,
        threads: usize,
        new_params: Arc<AtomicUsize>,
    ) -> State {
        State {
            rx,
            new_params,
            tx,
            waker,
            threads,
            stat_threads: coop::available_threads().max(threads),
            generation: 0,
            params: Arc::new(
                ExperimentParams::default()
                    .valid()
                    .expect("the default parameters are valid"),
            ),
            ensemble: None,
            playing: false,
            steps_per_frame: 1,
            recorded: Vec::new(),
            trace: Vec::new(),
            pending: None,
            rate: 0.0,
            window: std::collections::VecDeque::new(),
            current: None,
            curves: None,
            stationary: Arc::new(Vec::new()),
            catch_up: None,
        }
    }

    pub(super) fn run(&mut self) {
        let mut next_tick = Instant::now();
        loop {
            if !self.take_commands() {
                return;
            }
            self.catch_up();
            self.tick_if_due(&mut next_tick);
            self.flush();
            // Sleep until the next tick, a command, or a retry of an unsent snapshot.
            let wait = if self.catch_up.is_some() {
                Some(Duration::ZERO)
            } else if self.playing {
                Some(next_tick.saturating_duration_since(Instant::now()))
            } else if self.pending.is_some() {
                Some(Duration::from_millis(10))
            } else {
                None
            };
            let cmd = match wait {
                Some(d) => match self.rx.recv_timeout(d) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                },
                None => match self.rx.recv() {
                    Ok(c) => Some(c),
                    Err(_) => return,
                },
            };
            match cmd {
                Some(Command::Shutdown) => return,
                Some(Command::SetParams { generation, params }) => {
                    self.took_params();
                    self.set_params(generation, *params)
                }
                Some(c) => self.handle(c),
                None => {}
            }
        }
    }

    /// Everything queued, coalesced: only the last SetParams builds an ensemble. `false` on a
    /// shutdown (or when the UI is gone).
    pub(super) fn take_commands(&mut self) -> bool {
        let mut latest_params = None;
        loop {
            match self.rx.try_recv() {
                Ok(Command::SetParams { generation, params }) => {
                    self.took_params();
                    latest_params = Some((generation, params))
                }
                Ok(Command::Shutdown) | Err(TryRecvError::Disconnected) => return false,
                Ok(cmd) => {
                    if let Some((g, p)) = latest_params.take() {
                        self.set_params(g, *p);
                    }
                    self.handle(cmd);
                }
                Err(TryRecvError::Empty) => break,
            }
        }
        if let Some((g, p)) = latest_params {
            self.set_params(g, *p);
        }
        true
    }

    /// A tick of simulation when one is due.
    pub(super) fn tick_if_due(&mut self, next_tick: &mut Instant) {
        if self.playing && Instant::now() >= *next_tick {
            *next_tick = Instant::now() + TICK;
            self.tick();
        }
    }

    pub(super) fn took_params(&self) {
        let _ = self
            .new_params
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }

    pub(super) fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::SetParams { generation, params } => self.set_params(generation, *params),
            Command::Play => {
                if self.at_end() {
                    self.restart();
                }
                self.playing = true;
                self.snapshot();
            }
            Command::Pause => {
                self.playing = false;
                self.rate = 0.0;
                self.window.clear();
                self.snapshot();
            }
            Command::Step(n) => {
                self.playing = false;
                self.rate = 0.0;
                self.window.clear();
                self.advance(n);
                self.snapshot();
            }
            Command::Reset => {
                self.restart();
                self.snapshot();
            }
            Command::SetStepsPerFrame(n) => self.steps_per_frame = n.max(1),
            Command::Shutdown => {}
            Command::InjectFault => panic!("fault injected into the simulation thread"),
        }
    }

    pub(super) fn at_end(&self) -> bool {
        self.ensemble
            .as_ref()
            .is_some_and(|e| e.step() >= self.params.steps)
    }

    pub(super) fn set_params(&mut self, generation: u64, params: ValidParams) {
        // The theory curves (about 10 ms of exact binomial laws at the default thresholds) are
        // computed beside the new ensemble, not after it: the first snapshot has both.
        let curves = || {
            (
                fraction_curves(&params, THEORY_POINTS).map(Arc::new),
                Arc::new(typed_points(&params).unwrap_or_default()),
            )
        };
        let ensemble = || Ensemble::with_threads(&params, Engine::Auto, self.stat_threads);
        let (e, curves) = if self.stat_threads == 1 {
            (ensemble(), curves())
        } else {
            let (e, curves) = std::thread::scope(|s| {
                let curves = s.spawn(curves);
                (ensemble(), curves.join())
            });
            match curves {
                Ok(c) => (e, c),
                Err(payload) => std::panic::resume_unwind(payload),
            }
        };
        // A new binning of the same experiment (histogram ranges, bins): the seeded run is
        // replayed to the step it had reached, so its histograms come back at that step.
        let reached = self
            .ensemble
            .as_ref()
            .map_or(0, |e| e.step())
            .max(self.catch_up.unwrap_or(0));
        let rebinned = {
            let mut old = (**self.params).clone();
            old.histogram = params.histogram;
            old == *params
        };
        self.generation = generation;
        (self.curves, self.stationary) = curves;
        self.params = Arc::new(params);
        self.install(e);
        self.catch_up = (rebinned && reached > 0).then_some(reached.min(self.params.steps));
        if self.catch_up.is_none() {
            self.snapshot();
            // Out now, before a due tick would step the new ensemble and compute its
            // statistics again: the change shows a frame sooner.
            self.flush();
        }
    }

    /// Step toward the step a rebinned run is replayed to (see `set_params`); a snapshot once
    /// it is there. Gives way to waiting commands like any other stepping.
    pub(super) fn catch_up(&mut self) {
        let Some(target) = self.catch_up else {
            return;
        };
        let step = self.ensemble.as_ref().map_or(target, |e| e.step());
        if step < target {
            self.advance(target - step);
        }
        if self.ensemble.as_ref().is_none_or(|e| e.step() >= target) {
            self.catch_up = None;
            self.snapshot();
            self.flush();
        }
    }

    pub(super) fn restart(&mut self) {
        let e = Ensemble::with_threads(&self.params, Engine::Auto, self.stat_threads);
        self.install(e);
    }

    pub(super) fn install(&mut self, mut e: Ensemble) {
        if !e.w2().is_empty() {
            e.set_tracking(TRACKED, TRACK_LEN);
        }
        self.recorded.clear();
        self.trace.clear();
        self.current = None;
        self.rate = 0.0;
        self.window.clear();
        self.ensemble = Some(e);
        self.observe();
    }

    /// Advance up to `n` steps, stopping at record steps (to record them) and at the end;
    /// return early when a command is waiting, so that no command (Shutdown included) waits
    /// for more than one chunk of work.
    pub(super) fn advance(&mut self, n: u64) {
        let Some(e) = self.ensemble.as_mut() else {
            return;
        };
        let target = (e.step() + n).min(self.params.steps);
        let chunk = (CHUNK_WALKER_STEPS / e.len().max(1) as u64).max(1);
        while self.ensemble.as_ref().is_some_and(|e| e.step() < target) {
            let e = self.ensemble.as_mut().expect("checked above");
            let next_record = self
                .params
                .record_steps
                .iter()
                .copied()
                .find(|&s| s > e.step())
                .unwrap_or(u64::MAX);
            let stop = target.min(next_record).min(e.step() + chunk);
            e.advance(stop - e.step(), self.threads);
            if stop == next_record || stop == target {
                self.observe();
            }
            // In a frame: the frame's slice is used up (the rest of the tick is dropped).
            if !self.rx.is_empty() || coop::out_of_time() {
                break;
            }
        }
    }

    /// Record the current step if it is a record step, and add a trace point.
    pub(super) fn observe(&mut self) {
        let Some(e) = self.ensemble.as_ref() else {
            return;
        };
        let t = e.step();
        // New parameters waiting (a λ drag) make these statistics moot: give up, and let their
        // ensemble show — except at a record step, kept for good.
        let is_record = self.params.record_steps.contains(&t);
        let new_params = &self.new_params;
        let stop = || !is_record && new_params.load(Ordering::SeqCst) > 0;
        let Some(rec) = stats::record_unless(e, Some(LIVE_QUANTILE_CAP), self.stat_threads, &stop)
        else {
            return;
        };
        let rec = Arc::new(rec);
        if is_record && self.recorded.last().is_none_or(|r| r.summary.step < t) {
            self.recorded.push(rec.clone());
        }
        let s = &rec.summary;
        self.current = Some(rec.clone());
        if self.trace.last().is_none_or(|p| p.step < t) {
            self.trace.push(TracePoint {
                step: t,
                fraction_below: s.fraction_below.clone(),
                diverged: s.diverged,
                mean_log_ratio: s.mean_log_ratio,
                mean_abs_w: s.mean_abs_w,
                mean_loss: s.mean_loss,
                basins: s.basins.iter().map(|b| b.fraction).collect(),
            });
            if self.trace.len() > MAX_TRACE {
                let last = self.trace.pop();
                let mut k = 0;
                self.trace.retain(|_| {
                    k += 1;
                    k % 2 == 1
                });
                self.trace.extend(last);
            }
        }
    }

    pub(super) fn tick(&mut self) {
        self.advance(self.steps_per_frame);
        // Walker-steps actually simulated per second of wall time, over the last second of
        // ticks (not the speed of one burst: at 2000 walkers a step takes microseconds, but
        // only one step a frame is played).
        let now = Instant::now();
        let step = self.ensemble.as_ref().map_or(0, |e| e.step());
        self.window.push_back((now, step));
        while self
            .window
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > RATE_WINDOW)
        {
            self.window.pop_front();
        }
        if let (Some((t0, s0)), Some((t1, s1))) = (self.window.front(), self.window.back()) {
            let secs = t1.duration_since(*t0).as_secs_f64();
            if secs > 0.0 {
                self.rate = (s1 - s0) as f64 * self.params.walkers as f64 / secs;
            }
        }
        if self.at_end() {
            self.playing = false;
        }
        let stale = self.current.as_ref().map(|r| r.summary.step)
            != self.ensemble.as_ref().map(|e| e.step());
        if stale && self.new_params.load(Ordering::SeqCst) > 0 {
            // The statistics gave way to new parameters: their ensemble is what shows next.
            return;
        }
        self.snapshot();
    }

    pub(super) fn snapshot(&mut self) {
        let Some(e) = self.ensemble.as_ref() else {
            return;
        };
        let current = match &self.current {
            Some(r) if r.summary.step == e.step() => r.clone(),
            _ => Arc::new(stats::record_parallel(
                e,
                Some(LIVE_QUANTILE_CAP),
                self.stat_threads,
            )),
        };
        let picks = picks(e);
        let snap = Snapshot {
            generation: self.generation,
            params: self.params.clone(),
            playing: self.playing,
            finished: e.step() >= self.params.steps,
            current,
            recorded: self.recorded.clone(),
            trace: Arc::new(self.trace.clone()),
            walker_steps_per_second: self.rate,
            curves: self.curves.clone(),
            stationary: self.stationary.clone(),
            cloud: Arc::new(if e.w2().is_empty() {
                Vec::new()
            } else {
                picks.iter().map(|(_, w)| *w).collect()
            }),
            picks: Arc::new(picks),
            tracks: Arc::new(
                e.tracks()
                    .iter()
                    .map(|t| t.iter().copied().collect())
                    .collect(),
            ),
        };
        // An unsent snapshot is superseded; an unsent error gets one more chance to go out
        // first (the UI drains every frame, so the channel is rarely full).
        if matches!(self.pending, Some(Event::Error { .. })) {
            self.flush();
        }
        self.pending = Some(Event::Snapshot(Arc::new(snap)));
    }

    pub(super) fn flush(&mut self) {
        if let Some(ev) = self.pending.take() {
            match self.tx.try_send(ev) {
                Ok(()) => (self.waker)(),
                Err(TrySendError::Full(ev)) => self.pending = Some(ev),
                Err(TrySendError::Disconnected(_)) => {}
            }
        }
    }
}

/// Up to [`CLOUD_POINTS`] finite walkers with their numbers, evenly strided.
pub(super) fn picks(e: &Ensemble) -> Vec<(usize, [f64; 2])> {
    let stride = e.len().div_ceil(CLOUD_POINTS).max(1);
    (0..e.len())
        .step_by(stride)
        .map(|i| (i, [e.w1()[i], e.w2().get(i).copied().unwrap_or(0.0)]))
        .filter(|(_, p)| p[0].is_finite() && p[1].is_finite())
        .collect()
}
