//! A figure's SVG turned into the files people take away: the SVG with every glyph a path (the
//! same picture in every viewer), PNG and RGBA frames rasterised with the bundled fonts (no
//! display), and PDF. The SVG itself is laid out in [`super::svg`]; the rest is the renderer,
//! `crates/render`: linked natively, and in the page a second module loaded on first need
//! ([`page`]), so that the first download does not carry it.

use super::Figure;

#[cfg(not(target_arch = "wasm32"))]
pub use saddlescope_render::{
    Rgba8Image, glyphs_as_paths, svg_size, svg_to_pdf, svg_to_png, svg_to_rgba,
};

#[cfg(target_arch = "wasm32")]
pub use page::{glyphs_as_paths, svg_size, svg_to_pdf, svg_to_png, svg_to_rgba};
#[cfg(target_arch = "wasm32")]
pub use saddlescope_render::Rgba8Image;

impl Figure {
    /// The figure as an SVG document with every glyph drawn as a path in the bundled font: the
    /// same picture in every viewer.
    pub fn to_svg(&self) -> Result<String, String> {
        glyphs_as_paths(&self.to_svg_text())
    }

    /// The figure as a one-page PDF, vector, every glyph a path (the SVG of [`Figure::to_svg`]
    /// converted by typst's svg2pdf): no font to embed, the same in every reader. The page is
    /// the SVG's size at 96 CSS pixels to the inch (1 px = 0.75 pt).
    pub fn to_pdf(&self) -> Result<Vec<u8>, String> {
        svg_to_pdf(&self.to_svg()?)
    }

    /// The figure as PNG bytes, rasterised at `scale` × the SVG size.
    pub fn to_png(&self, scale: f64) -> Result<Vec<u8>, String> {
        svg_to_png(&self.to_svg_text(), scale)
    }

    /// The figure laid out on a page of `size` CSS pixels (`None`: the default) and rasterised
    /// at `scale`, as straight (not premultiplied) RGBA rows: an animation's frame.
    pub fn to_rgba(&self, scale: f64, size: Option<(f64, f64)>) -> Result<Rgba8Image, String> {
        svg_to_rgba(&self.to_svg_text_sized(size), scale)
    }
}

/// Whether the renderer can run now, or why not.
#[derive(Clone, Debug, PartialEq)]
pub enum Renderer {
    Ready,
    /// The page is loading it (its first use).
    Loading,
    Failed(String),
}

/// The renderer's state; in the page, its first call starts loading the module and `on_ready`
/// runs once it has arrived (or failed).
#[cfg(not(target_arch = "wasm32"))]
pub fn renderer(_on_ready: impl FnOnce() + 'static) -> Renderer {
    Renderer::Ready
}

/// The renderer's state as a word, without loading it: `ready` natively; in the page `idle`
/// (never asked for), `loading`, `ready` or `failed`.
#[cfg(not(target_arch = "wasm32"))]
pub fn renderer_status() -> &'static str {
    "ready"
}

/// Forget a failed load of the page's renderer, so that the next [`renderer`] call fetches it
/// again (a dropped network, a server that was down); natively nothing is loaded.
#[cfg(not(target_arch = "wasm32"))]
pub fn retry_renderer() {}

#[cfg(target_arch = "wasm32")]
pub use page::{renderer, renderer_status, retry_renderer};

/// The renderer in the page: `saddlescope_render.js` and its wasm, imported by the page's
/// `window.saddlescopeRenderLoad()` (web/index.html) the first time [`renderer`] is asked,
/// and called synchronously once there. Until then every function says it is loading.
#[cfg(target_arch = "wasm32")]
mod page {
    use std::cell::RefCell;

    use js_sys::{Function, Reflect, Uint8Array};
    use wasm_bindgen::{JsCast, JsValue};

    use super::{Renderer, Rgba8Image};

    enum State {
        Idle,
        Loading(Vec<Box<dyn FnOnce()>>),
        Ready(JsValue),
        Failed(String),
    }

    thread_local! {
        static STATE: RefCell<State> = const { RefCell::new(State::Idle) };
    }

    pub fn renderer(on_ready: impl FnOnce() + 'static) -> Renderer {
        let start = STATE.with_borrow_mut(|s| match s {
            State::Idle => {
                *s = State::Loading(vec![Box::new(on_ready)]);
                true
            }
            State::Loading(wakers) => {
                if wakers.is_empty() {
                    wakers.push(Box::new(on_ready));
                }
                false
            }
            _ => false,
        });
        if start {
            load();
        }
        STATE.with_borrow(|s| match s {
            State::Idle | State::Loading(_) => Renderer::Loading,
            State::Ready(_) => Renderer::Ready,
            State::Failed(e) => Renderer::Failed(e.clone()),
        })
    }

    pub fn retry_renderer() {
        STATE.with_borrow_mut(|s| {
            if matches!(s, State::Failed(_)) {
                *s = State::Idle;
            }
        });
    }

    pub fn renderer_status() -> &'static str {
        STATE.with_borrow(|s| match s {
            State::Idle => "idle",
            State::Loading(_) => "loading",
            State::Ready(_) => "ready",
            State::Failed(_) => "failed",
        })
    }

    fn load() {
        let promise = web_sys::window()
            .and_then(|w| Reflect::get(&w, &"saddlescopeRenderLoad".into()).ok())
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| {
                "this page has no figure renderer (window.saddlescopeRenderLoad)".to_string()
            })
            .and_then(|f| f.call0(&JsValue::NULL).map_err(message))
            .and_then(|p| {
                p.dyn_into::<js_sys::Promise>()
                    .map_err(|_| "saddlescopeRenderLoad returned no promise".to_string())
            });
        match promise {
            Ok(p) => wasm_bindgen_futures::spawn_local(async move {
                let r = wasm_bindgen_futures::JsFuture::from(p).await;
                finish(r.map_err(|e| format!("the figure renderer did not load: {}", message(e))));
            }),
            Err(e) => finish(Err(e)),
        }
    }

    fn finish(r: Result<JsValue, String>) {
        let wakers = STATE.with_borrow_mut(|s| {
            let old = std::mem::replace(
                s,
                match r {
                    Ok(module) => State::Ready(module),
                    Err(e) => State::Failed(e),
                },
            );
            match old {
                State::Loading(w) => w,
                _ => Vec::new(),
            }
        });
        for w in wakers {
            w();
        }
    }

    fn message(e: JsValue) -> String {
        e.as_string()
            .or_else(|| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| format!("{e:?}"))
    }

    /// Call the module's function `name` with `args`.
    fn call(name: &str, args: &[JsValue]) -> Result<JsValue, String> {
        let f = STATE.with_borrow(|s| match s {
            State::Ready(m) => Reflect::get(m, &name.into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| format!("the figure renderer has no function {name}")),
            State::Failed(e) => Err(e.clone()),
            _ => Err("the figure renderer is still loading; try again in a moment".into()),
        })?;
        let args: js_sys::Array = args.iter().collect();
        f.apply(&JsValue::NULL, &args).map_err(message)
    }

    fn bytes(v: JsValue) -> Result<Vec<u8>, String> {
        v.dyn_into::<Uint8Array>()
            .map(|a| a.to_vec())
            .map_err(|_| "the figure renderer returned no bytes".into())
    }

    pub fn svg_to_png(svg: &str, scale: f64) -> Result<Vec<u8>, String> {
        bytes(call("png", &[svg.into(), scale.into()])?)
    }

    pub fn svg_to_pdf(svg: &str) -> Result<Vec<u8>, String> {
        bytes(call("pdf", &[svg.into()])?)
    }

    pub fn glyphs_as_paths(svg: &str) -> Result<String, String> {
        call("paths", &[svg.into()])?
            .as_string()
            .ok_or_else(|| "the figure renderer returned no text".into())
    }

    pub fn svg_to_rgba(svg: &str, scale: f64) -> Result<Rgba8Image, String> {
        let mut b = bytes(call("rgba", &[svg.into(), scale.into()])?)?;
        if b.len() < 8 {
            return Err("the figure renderer returned no image".into());
        }
        let width = u32::from_le_bytes(b[0..4].try_into().expect("4 bytes"));
        let height = u32::from_le_bytes(b[4..8].try_into().expect("4 bytes"));
        b.drain(..8);
        if b.len() != width as usize * height as usize * 4 {
            return Err("the figure renderer returned an image of the wrong size".into());
        }
        Ok(Rgba8Image {
            width,
            height,
            rgba: b,
        })
    }

    pub fn svg_size(svg: &str) -> Result<(f64, f64), String> {
        let v = call("size", &[svg.into()])?;
        let a: Vec<f64> = js_sys::Float64Array::new(&v).to_vec();
        match a[..] {
            [w, h] => Ok((w, h)),
            _ => Err("the figure renderer returned no size".into()),
        }
    }
}
