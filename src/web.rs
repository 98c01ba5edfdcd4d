//! The browser: eframe's web runner on the page's canvas, the address kept in step with the
//! state (see [`crate::preset::link`]), downloads, the file picker, and a small hook that tells
//! scripts (the browser test) what the app shows. The app itself is the native one; its
//! simulation and jobs run in slices of the frames (see [`crate::coop`]).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::app::{AppState, SaddlescopeApp};
use crate::preset::{Preset, link};
use crate::sim::worker::Waker;

mod live;
mod storage;
mod workers;

/// The id of the page's canvas (`web/index.html`).
const CANVAS_ID: &str = "saddlescope_canvas";

#[wasm_bindgen(start)]
pub fn start() {
    // The same module runs in the page's Web Workers (see `workers`), which have no window
    // and only answer tasks.
    if web_sys::window().is_none() {
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        if let Err(message) = run().await {
            show_failure(&message);
        }
    });
}

async fn run() -> Result<(), String> {
    let document = window().document().ok_or("no document")?;
    let canvas = document
        .get_element_by_id(CANVAS_ID)
        .ok_or_else(|| format!("no element #{CANVAS_ID} in the page"))?
        .dyn_into::<web_sys::HtmlCanvasElement>()
        .map_err(|_| format!("#{CANVAS_ID} is not a canvas"))?;
    draw_without_multisampling(&canvas);
    eframe::WebRunner::new()
        .start(
            canvas,
            eframe::WebOptions::default(),
            Box::new(|cc| Ok(Box::new(WebApp::new(cc)))),
        )
        .await
        .map_err(|e| format!("{e:?}"))?;
    if let Some(loading) = document.get_element_by_id("loading") {
        loading.remove();
    }
    Ok(())
}

/// Create the canvas's WebGL2 context before eframe asks for it, without the multisampled,
/// depth and stencil buffers a plain `getContext("webgl2")` gives: egui smooths its own edges
/// (feathering) and draws no depth, and with a software rasteriser a 4× multisampled frame
/// costs several times a plain one. A canvas keeps the attributes of its first context, so
/// eframe's later call gets this one.
fn draw_without_multisampling(canvas: &web_sys::HtmlCanvasElement) {
    let attrs = js_sys::Object::new();
    for (k, v) in [("antialias", false), ("depth", false), ("stencil", false)] {
        let _ = js_sys::Reflect::set(&attrs, &k.into(), &v.into());
    }
    // Where it fails eframe makes its own context, as before.
    let _ = canvas.get_context_with_context_options("webgl2", &attrs);
}

/// A start that failed says why in the page instead of leaving it blank.
fn show_failure(message: &str) {
    web_sys::console::error_1(&message.into());
    if let Some(el) = window()
        .document()
        .and_then(|d| d.get_element_by_id("loading"))
    {
        el.set_text_content(Some(&format!("saddlescope could not start: {message}")));
    }
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a page has a window")
}

/// The address's fragment without `#`.
fn hash() -> String {
    let h = window().location().hash().unwrap_or_default();
    h.strip_prefix('#').unwrap_or(&h).to_string()
}

/// The lecture a `#lecture=NAME` address names.
fn lecture_name(fragment: &str) -> Option<&str> {
    fragment.strip_prefix("lecture=").filter(|n| !n.is_empty())
}

/// Start the lecture a `#lecture=NAME` address names (a shipped lecture: a page has no files
/// to read by name); a wrong name says so in the file window's message.
fn start_linked_lecture(app: &mut SaddlescopeApp, fragment: &str) {
    let Some(name) = lecture_name(fragment) else {
        return;
    };
    match crate::lecture::LoadedLecture::resolve(name) {
        Ok(l) => app.start_lecture(l),
        Err(e) => app.set_file_message(false, e),
    }
}

/// The widgets whose places `window.saddlescopeState` gives (`widgets`): where they were last
/// drawn; a closed window's stay until it opens again.
const WIDGETS: [&str; 14] = [
    "GIF",
    "WebM",
    "⏺ Record",
    "a",
    "λ",
    "Export",
    "📁 File",
    "⬇ PNG",
    "⬇ SVG",
    "⬇ CSV",
    "⬇ PDF",
    "💾 Download preset",
    "📂 Open…",
    "↻ Retry",
];

/// The app in a page, shared with the getter of `window.saddlescopeState`, which builds the
/// state's JSON when a script reads it (between frames, when nothing else holds the page)
/// rather than every frame.
struct WebApp(Rc<RefCell<Page>>);

impl WebApp {
    fn new(cc: &eframe::CreationContext<'_>) -> WebApp {
        let page = Rc::new(RefCell::new(Page::new(cc)));
        let (weak, ctx) = (Rc::downgrade(&page), cc.egui_ctx.clone());
        let get = Closure::<dyn Fn() -> JsValue>::new(move || {
            weak.upgrade()
                .and_then(|p| p.try_borrow().ok().map(|p| p.summary(&ctx).to_string()))
                .map_or(JsValue::NULL, |s| s.into())
        });
        let desc = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&desc, &"get".into(), get.as_ref());
        let _ = js_sys::Reflect::set(&desc, &"configurable".into(), &true.into());
        js_sys::Object::define_property(&window(), &"saddlescopeState".into(), &desc);
        // The getter lives as long as the page.
        get.forget();
        WebApp(page)
    }
}

impl eframe::App for WebApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.0.borrow_mut().frame(ui, frame);
    }

    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        crate::app::window_clear_color(visuals)
    }
}

/// The native app plus the address, the page's storage and what the test hook reads.
struct Page {
    app: SaddlescopeApp,
    /// The fragment last read from or written to the address.
    hash: String,
    /// The state the fragment was last made from.
    linked: Option<AppState>,
    frames: u64,
    /// What the app's `ui` took on the UI thread in the last frames (ms), newest last.
    ui_ms: std::collections::VecDeque<f64>,
    /// eframe's time for the last whole frames on this thread (ms): the app, tessellation and
    /// the WebGL calls, not the browser's rasterising; newest last.
    cpu_ms: std::collections::VecDeque<f64>,
    /// The browser's `localStorage`: the state and export style of the last visit.
    storage: storage::LocalStorage,
    /// The export style as last kept, so it is written only when it changes.
    kept_style: crate::figure::style::ExportStyle,
}

impl Page {
    fn new(cc: &eframe::CreationContext<'_>) -> Page {
        let storage = storage::LocalStorage::open();
        // The faces before the first frame: eframe starts with none (src/fonts.rs).
        crate::app::install_fonts(&cc.egui_ctx);
        let ctx = cc.egui_ctx.clone();
        let waker: Waker = Arc::new(move || ctx.request_repaint());
        let later = cc.egui_ctx.clone();
        workers::install(Arc::new(move || {
            later.request_repaint_after(web_time::Duration::from_millis(200))
        }));
        // A link's preset first, then the state of the last visit, then Fig. 1-left.
        let fragment = hash();
        let mut message = None;
        let state = if fragment.is_empty() || lecture_name(&fragment).is_some() {
            crate::app::remembered_state(Some(&storage)).unwrap_or_else(|e| {
                message = Some(e);
                None
            })
        } else {
            match link::decode(&fragment) {
                Ok(p) => Some(AppState::from_preset(&p)),
                Err(e) => {
                    message = Some(e.to_string());
                    None
                }
            }
        };
        let state = state.unwrap_or_else(|| {
            AppState::from_preset(&Preset::builtin("fig1-left").expect("built in"))
        });
        let mut app = SaddlescopeApp::new(state, 1, waker);
        app.set_platform(Box::new(Browser));
        // A job's events (a task answered, a row of cells) ask for a frame within 30 ms, not
        // at once: hundreds come in a second, and under software WebGL on two cores a redraw
        // for each took the CPU the workers and the compositor need (Fig. 4: frame interval
        // p95 50 → 33 ms, 5.0 → 4.6 s, measured by web/test/browser.mjs). The live view keeps
        // its immediate waker.
        let soon = cc.egui_ctx.clone();
        app.set_job_waker(Arc::new(move || {
            soon.request_repaint_after(web_time::Duration::from_millis(30))
        }));
        if let Some(st) = crate::app::remembered_export_style(Some(&storage)) {
            app.export_style = st;
        }
        if let Some(m) = message {
            app.set_file_message(false, m);
        }
        start_linked_lecture(&mut app, &fragment);
        Page {
            hash: fragment,
            linked: None,
            frames: 0,
            ui_ms: Default::default(),
            cpu_ms: Default::default(),
            kept_style: app.export_style,
            storage,
            app,
        }
    }

    /// A link opened in this page (typed, pasted, followed) loads its preset; otherwise the
    /// address follows the state. Whether the state changed since the last call.
    fn sync_address(&mut self) -> bool {
        let now = hash();
        if now != self.hash {
            self.hash = now.clone();
            if lecture_name(&now).is_some() {
                start_linked_lecture(&mut self.app, &now);
                return false;
            }
            match link::decode(&now) {
                Ok(p) => self.app.load_preset(&p),
                Err(e) => self.app.set_file_message(false, e.to_string()),
            }
            return false;
        }
        // A lecture's address names the lecture (a student's reload opens it again); the
        // scenes do not rewrite it.
        if self.app.lecture().is_some() {
            return false;
        }
        if self.linked.as_ref() == Some(&self.app.state) {
            return false;
        }
        let fragment = self.app.link_fragment();
        self.linked = Some(self.app.state.clone());
        if fragment != self.hash {
            let url = format!("#{fragment}");
            if let Ok(history) = window().history() {
                let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
            }
            self.hash = fragment;
        }
        true
    }

    /// What `window.saddlescopeState` holds: the app's test summary, the page's own counts,
    /// and where the widgets a script may use are.
    fn summary(&self, ctx: &egui::Context) -> serde_json::Value {
        let mut v = self.app.test_summary();
        v["frames"] = self.frames.into();
        // The UI thread's own time per frame (the rest of a frame interval is the browser's
        // drawing): the last 120 frames.
        v["ui_ms"] = serde_json::json!(self.ui_ms);
        v["frame_cpu_ms"] = serde_json::json!(self.cpu_ms);
        v["workers"] = crate::sim::remote::pool().map_or(0, |p| p.workers()).into();
        let (tasks, ms) = workers::answered();
        v["worker_tasks"] = tasks.into();
        v["worker_ms"] = ms.into();
        // Live workers started since the page opened (0: none yet, or the frames compute).
        v["live_workers"] = live::started().into();
        v["link"] = format!("#{}", self.hash).into();
        // The widgets a script may drag or click, in CSS pixels: [left, top, right, bottom].
        let zoom = ctx.zoom_factor();
        for label in WIDGETS {
            if let Some(r) = crate::app::fields::widget_rect(ctx, label) {
                v["widgets"][label] = serde_json::json!([
                    r.min.x * zoom,
                    r.min.y * zoom,
                    r.max.x * zoom,
                    r.max.y * zoom
                ]);
            }
        }
        v
    }
}

impl Page {
    fn frame(&mut self, ui: &mut egui::Ui, frame: &eframe::Frame) {
        let t0 = web_time::Instant::now();
        match take_picked() {
            Some((name, Ok(text))) => self.app.open_preset_text(&name, &text),
            Some((name, Err(e))) => self.app.set_file_message(false, format!("{name}: {e}")),
            None => {}
        }
        self.app.ui_root(ui);
        // Kept at once: a tab closed a second after a change still comes back with it.
        if self.sync_address() {
            crate::app::remember_state(&mut self.storage, &self.app.state);
        }
        if self.app.export_style != self.kept_style {
            crate::app::remember_export_style(&mut self.storage, &self.app.export_style);
            self.kept_style = self.app.export_style;
        }
        self.frames += 1;
        if self.ui_ms.len() == 120 {
            self.ui_ms.pop_front();
        }
        self.ui_ms.push_back(t0.elapsed().as_secs_f64() * 1e3);
        // eframe's own count of the last frame's time on this thread, for the speed rows.
        if let Some(s) = frame.info().cpu_usage {
            if self.cpu_ms.len() == 120 {
                self.cpu_ms.pop_front();
            }
            self.cpu_ms.push_back(f64::from(s) * 1e3);
        }
    }
}

/// `saddlescopeBench()` in the page: the quadratic's and the quartic's kernels on one thread
/// (10⁵ walkers, medians of 5 runs of ~0.2 s), each beside its hand-written reference loop,
/// as the JSON rows `saddlescope bench` prints.
#[wasm_bindgen(js_name = saddlescopeBench)]
pub fn bench() -> String {
    // The same call as `saddlescope bench --browser-kernels`.
    serde_json::to_string(&crate::bench::browser_kernel_rows(100_000, 5, 0.2)).unwrap_or_default()
}

/// The browser as the app's platform: downloads, the file picker, dropped files, WebM.
struct Browser;

impl crate::app::platform::Platform for Browser {
    fn download(&self, name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
        download(name, bytes, mime)
    }

    fn pick_preset_file(&self, waker: Waker) -> Result<(), String> {
        pick_preset_file(waker)
    }

    fn read_dropped(&self, file: egui::DroppedFileHandle, waker: Waker) -> bool {
        read_dropped(file, waker);
        true
    }

    fn records_webm(&self) -> bool {
        records_webm()
    }

    fn webm_from_gif(
        &self,
        name: &str,
        gif: Vec<u8>,
        fps: f64,
        waker: Waker,
    ) -> Result<(), String> {
        webm_from_gif(name.to_owned(), gif, fps, waker)
    }

    fn take_webm_outcome(&self) -> Option<Result<String, String>> {
        take_webm_outcome()
    }
}

/// Offer `bytes` as a download called `name`.
fn download(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let err = |e: JsValue| format!("{name}: the download failed ({e:?})");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(err)?;
    download_blob(name, &blob)
}

thread_local! {
    /// A file chosen in the picker, read and waiting for the next frame: (name, its text or
    /// why it could not be read).
    static PICKED: RefCell<Option<Picked>> = const { RefCell::new(None) };
}

type Picked = (String, Result<String, String>);

fn take_picked() -> Option<Picked> {
    PICKED.with(|p| p.borrow_mut().take())
}

/// Why a file of `bytes` is not read as a preset.
fn too_large(bytes: usize) -> String {
    format!(
        "{bytes} bytes is too large for a preset (at most {} bytes)",
        crate::preset::MAX_PRESET_BYTES
    )
}

/// Read a file dropped on the page; it opens as a preset at the next frame.
fn read_dropped(file: egui::DroppedFileHandle, waker: Waker) {
    wasm_bindgen_futures::spawn_local(async move {
        let name = file.path().display().to_string();
        let text = match file.bytes_async().await {
            Ok(b) if b.len() as u64 > crate::preset::MAX_PRESET_BYTES => Err(too_large(b.len())),
            Ok(b) => String::from_utf8(b).map_err(|_| "not a text file".to_string()),
            Err(e) => Err(e),
        };
        PICKED.with(|p| *p.borrow_mut() = Some((name, text)));
        waker();
    });
}

/// Open the browser's file picker for a preset; the file chosen opens at the next frame.
fn pick_preset_file(waker: Waker) -> Result<(), String> {
    let err = |e: JsValue| format!("the file picker failed ({e:?})");
    let input = window()
        .document()
        .ok_or("no document")?
        .create_element("input")
        .map_err(err)?
        .dyn_into::<web_sys::HtmlInputElement>()
        .map_err(|_| "not an input".to_string())?;
    input.set_type("file");
    input.set_accept(".json,application/json");
    let picked = input.clone();
    let on_change = Closure::once(move || {
        let Some(file) = picked.files().and_then(|f| f.get(0)) else {
            return;
        };
        let name = file.name();
        wasm_bindgen_futures::spawn_local(async move {
            let text = if file.size() > crate::preset::MAX_PRESET_BYTES as f64 {
                Err(too_large(file.size() as usize))
            } else {
                wasm_bindgen_futures::JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|t| t.as_string())
                    .ok_or_else(|| "cannot read the file".to_string())
            };
            PICKED.with(|p| *p.borrow_mut() = Some((name, text)));
            waker();
        });
    });
    input.set_onchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();
    input.click();
    Ok(())
}

thread_local! {
    /// How the last WebM re-encoding ended, waiting for the next frame: the file downloaded,
    /// or why not.
    static WEBM_DONE: RefCell<Option<Result<String, String>>> = const { RefCell::new(None) };
}

/// How a WebM re-encoding started by [`webm_from_gif`] ended, once.
fn take_webm_outcome() -> Option<Result<String, String>> {
    WEBM_DONE.with(|d| d.borrow_mut().take())
}

/// Whether this browser records WebM (MediaRecorder with a WebM type).
fn records_webm() -> bool {
    js_sys::Reflect::has(&window(), &JsValue::from_str("MediaRecorder")).unwrap_or(false)
        && web_sys::MediaRecorder::is_type_supported("video/webm")
}

/// Re-encode a recorded GIF as WebM in the browser and download it as `name`: its frames go, one
/// every 1/`fps` s, onto a canvas that a MediaRecorder records (browsers encode WebM; there is no
/// encoder to ship for it). Takes the GIF's length in real time; the outcome arrives through
/// [`take_webm_outcome`], and `waker` asks for the frame that reads it.
fn webm_from_gif(name: String, gif: Vec<u8>, fps: f64, waker: Waker) -> Result<(), String> {
    if !records_webm() {
        return Err("this browser cannot record WebM (no MediaRecorder for video/webm): record a GIF instead".into());
    }
    let mut frames = crate::export::anim::GifFrames::new(gif)?;
    let err = |e: JsValue| format!("WebM: {e:?}");
    let canvas = window()
        .document()
        .ok_or("no document")?
        .create_element("canvas")
        .map_err(err)?
        .dyn_into::<web_sys::HtmlCanvasElement>()
        .map_err(|_| "not a canvas".to_string())?;
    canvas.set_width(frames.width);
    canvas.set_height(frames.height);
    let ctx = canvas
        .get_context("2d")
        .map_err(err)?
        .ok_or("no 2-D canvas")?
        .dyn_into::<web_sys::CanvasRenderingContext2d>()
        .map_err(|_| "not a 2-D context".to_string())?;
    let stream = canvas
        .capture_stream_with_frame_request_rate(fps)
        .map_err(err)?;
    let opts = web_sys::MediaRecorderOptions::new();
    opts.set_mime_type("video/webm");
    let recorder =
        web_sys::MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &opts)
            .map_err(err)?;
    let chunks = js_sys::Array::new();
    let on_data = {
        let chunks = chunks.clone();
        Closure::<dyn FnMut(web_sys::BlobEvent)>::new(move |e: web_sys::BlobEvent| {
            if let Some(b) = e.data() {
                chunks.push(&b);
            }
        })
    };
    recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
    let on_stop = {
        let (chunks, name, waker) = (chunks.clone(), name.clone(), waker.clone());
        Closure::once(move || {
            let outcome = (|| {
                let opts = web_sys::BlobPropertyBag::new();
                opts.set_type("video/webm");
                let blob = web_sys::Blob::new_with_blob_sequence_and_options(&chunks, &opts)
                    .map_err(|e| format!("WebM: {e:?}"))?;
                download_blob(&name, &blob)?;
                Ok(name.clone())
            })();
            WEBM_DONE.with(|d| *d.borrow_mut() = Some(outcome));
            waker();
        })
    };
    recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
    recorder.start().map_err(err)?;
    let interval = (1000.0 / fps).round() as i32;
    let (w, h) = (frames.width, frames.height);
    wasm_bindgen_futures::spawn_local(async move {
        let _keep = (on_data, on_stop);
        let failed = loop {
            match frames.next_frame() {
                Ok(Some(rgba)) => {
                    let drawn = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
                        wasm_bindgen::Clamped(rgba),
                        w,
                        h,
                    )
                    .and_then(|img| ctx.put_image_data(&img, 0.0, 0.0));
                    if let Err(e) = drawn {
                        break Some(format!("WebM: {e:?}"));
                    }
                    sleep_ms(interval).await;
                }
                Ok(None) => break None,
                Err(e) => break Some(e),
            }
        };
        if let Some(e) = failed {
            WEBM_DONE.with(|d| *d.borrow_mut() = Some(Err(e)));
        }
        // stop() hands over the last data and runs on_stop (which downloads).
        let _ = recorder.stop();
        // The closures live until the recorder is done with them.
        sleep_ms(2000).await;
    });
    Ok(())
}

/// A promise of `ms` milliseconds.
async fn sleep_ms(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// Offer a blob as a download called `name`.
fn download_blob(name: &str, blob: &web_sys::Blob) -> Result<(), String> {
    let err = |e: JsValue| format!("{name}: the download failed ({e:?})");
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(err)?;
    let a = window()
        .document()
        .ok_or("no document")?
        .create_element("a")
        .map_err(err)?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "not an anchor".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url).map_err(err)?;
    Ok(())
}
