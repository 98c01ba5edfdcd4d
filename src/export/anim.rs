//! Where a recording's frames go: numbered PNG files in a folder, an animated GIF, or an H.264
//! MP4 for slide software. GIF is encoded here (the `gif` crate, each frame quantised to its own
//! 256 colours); MP4 goes through `ffmpeg` when it is installed — yuv420p, even width and
//! height, `+faststart`, the form PowerPoint, Keynote and QuickTime play (what matplotlib's
//! animation writer does too). Every frame of an animation is laid out on the same page, so
//! the picture never jumps; the file appears only when the animation is complete (written as
//! [`crate::files`] writes anything: never over a file without consent).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::figure::Figure;
use crate::figure::svg::Rgba8Image;
use crate::files;

/// The kind of file a recording writes, from the name given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordOutput {
    /// `DIR/frame-00000.png`, `DIR/frame-00001.png`, …
    Frames(PathBuf),
    Gif(PathBuf),
    Mp4(PathBuf),
}

impl RecordOutput {
    /// A name ending in `.gif` or `.mp4` (any case) is that animation; anything else is a
    /// folder of PNG frames.
    pub fn from_path(path: &Path) -> RecordOutput {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("gif") => RecordOutput::Gif(path.to_path_buf()),
            Some("mp4") => RecordOutput::Mp4(path.to_path_buf()),
            _ => RecordOutput::Frames(path.to_path_buf()),
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            RecordOutput::Frames(p) | RecordOutput::Gif(p) | RecordOutput::Mp4(p) => p,
        }
    }

    /// What is wrong with writing here, before any frame is computed: a file there without
    /// `overwrite`, a folder where a file is named, a folder that cannot be made, no `ffmpeg`
    /// for MP4.
    pub fn check(&self, overwrite: bool) -> Result<(), String> {
        match self {
            RecordOutput::Frames(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
                if !overwrite && frame_path(dir, 0).exists() {
                    return Err(format!(
                        "{}: frames are there already; choose another folder or allow replacing them",
                        dir.display()
                    ));
                }
                Ok(())
            }
            RecordOutput::Gif(p) | RecordOutput::Mp4(p) => {
                let t = files::target(p).map_err(|e| e.to_string())?;
                if t.replaces() && !overwrite {
                    return Err(files::WriteError::Exists { path: p.clone() }.to_string());
                }
                if matches!(self, RecordOutput::Mp4(_)) {
                    ffmpeg_available()?;
                }
                Ok(())
            }
        }
    }
}

/// The file of frame `k` in `dir`: `frame-00000.png`, `frame-00001.png`, …
pub fn frame_path(dir: &Path, k: usize) -> PathBuf {
    dir.join(format!("frame-{k:05}.png"))
}

/// Whether `ffmpeg` runs; the message names the package where it does not.
pub fn ffmpeg_available() -> Result<(), String> {
    match Command::new("ffmpeg")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(s) if s.success() => Ok(()),
        _ => Err("MP4 is written by ffmpeg, which is not installed (Debian/Ubuntu: sudo apt install ffmpeg; macOS: brew install ffmpeg); a .gif needs nothing".into()),
    }
}

/// How frames are laid out and played.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameFormat {
    /// Image pixels per figure (CSS) pixel.
    pub scale: f64,
    /// The frame's size in image pixels; `None`: the first frame's figure at its own size.
    pub size: Option<(u32, u32)>,
    /// Frames per second of an animation.
    pub fps: f64,
    /// Replace what is there.
    pub overwrite: bool,
}

impl FrameFormat {
    pub fn validate(&self) -> Result<(), String> {
        if !(self.scale.is_finite() && (0.1..=16.0).contains(&self.scale)) {
            return Err(format!("scale = {}: 0.1 to 16", self.scale));
        }
        if !(self.fps.is_finite() && (0.5..=100.0).contains(&self.fps)) {
            return Err(format!("fps = {}: 0.5 to 100", self.fps));
        }
        if let Some((w, h)) = self.size
            && !((64..=7680).contains(&w) && (64..=4320).contains(&h))
        {
            return Err(format!("size = {w}x{h}: 64 to 7680 wide, 64 to 4320 high"));
        }
        Ok(())
    }

    /// The image scale `--size` implies where no scale is given: the type as large as on a
    /// 720-pixel-high page (1920 × 1080 → 1.5), never smaller than 1.
    pub fn scale_for(size: Option<(u32, u32)>) -> f64 {
        size.map_or(1.0, |(_, h)| (h as f64 / 720.0).max(1.0))
    }
}

/// Parse `WxH` (e.g. `1920x1080`) in pixels.
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("size {s:?}: expected WIDTHxHEIGHT in pixels, e.g. 1920x1080");
    let (w, h) = s.trim().split_once(['x', 'X', '×']).ok_or_else(bad)?;
    Ok((
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    ))
}

/// A recording's frames on their way to their file.
pub struct FrameSink {
    out: RecordOutput,
    format: FrameFormat,
    /// The page every frame of an animation is laid out on (CSS pixels), and its image size;
    /// fixed by the first frame.
    page: Option<((f64, f64), (u32, u32))>,
    encoder: Encoder,
    frames: usize,
}

enum Encoder {
    Frames,
    Gif(Option<gif::Encoder<Vec<u8>>>),
    Mp4(Option<Mp4>),
}

struct Mp4 {
    child: Child,
    tmp: PathBuf,
}

impl FrameSink {
    /// Checks `out` (see [`RecordOutput::check`]) and the format.
    pub fn new(out: RecordOutput, format: FrameFormat) -> Result<FrameSink, String> {
        format.validate()?;
        out.check(format.overwrite)?;
        let encoder = match out {
            RecordOutput::Frames(_) => Encoder::Frames,
            RecordOutput::Gif(_) => Encoder::Gif(None),
            RecordOutput::Mp4(_) => Encoder::Mp4(None),
        };
        Ok(FrameSink {
            out,
            format,
            page: None,
            encoder,
            frames: 0,
        })
    }

    /// A GIF kept in memory, for a page to download (no file is looked at or written).
    pub fn gif_in_memory(name: &str, format: FrameFormat) -> Result<FrameSink, String> {
        format.validate()?;
        Ok(FrameSink {
            out: RecordOutput::Gif(PathBuf::from(name)),
            format,
            page: None,
            encoder: Encoder::Gif(None),
            frames: 0,
        })
    }

    pub fn output(&self) -> &RecordOutput {
        &self.out
    }

    /// Frames taken so far.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Add the next frame: `fig` drawn on the recording's page. Returns the PNG file written
    /// for a frame folder.
    pub fn push(&mut self, fig: &Figure) -> Result<Option<PathBuf>, String> {
        let k = self.frames;
        let written = match &mut self.encoder {
            Encoder::Frames => {
                let dir = self.out.path();
                let png = match self.format.size {
                    // Each frame at the figure's own size, as before `--size` existed.
                    None => fig.to_png(self.format.scale)?,
                    Some(px) => {
                        let page = page_for(px, self.format.scale);
                        crate::figure::svg::svg_to_png(
                            &fig.to_svg_text_sized(Some(page)),
                            self.format.scale,
                        )?
                    }
                };
                let path = frame_path(dir, k);
                files::write_bytes(&path, &png, self.format.overwrite)
                    .map_err(|e| e.to_string())?;
                Some(path)
            }
            Encoder::Gif(enc) => {
                let (page, px) = *self.page.get_or_insert_with(|| {
                    first_page(fig, self.format.size, self.format.scale, false)
                });
                let img = frame_image(fig, page, px, self.format.scale)?;
                if enc.is_none() {
                    let mut e = gif::Encoder::new(Vec::new(), px.0 as u16, px.1 as u16, &[])
                        .map_err(|e| format!("GIF: {e}"))?;
                    e.set_repeat(gif::Repeat::Infinite)
                        .map_err(|e| format!("GIF: {e}"))?;
                    *enc = Some(e);
                }
                let mut rgba = img.rgba;
                let mut frame =
                    gif::Frame::from_rgba_speed(px.0 as u16, px.1 as u16, &mut rgba, 10);
                frame.delay = (100.0 / self.format.fps).round().max(1.0) as u16;
                enc.as_mut()
                    .expect("made above")
                    .write_frame(&frame)
                    .map_err(|e| format!("GIF: {e}"))?;
                None
            }
            Encoder::Mp4(mp4) => {
                let (page, px) = *self.page.get_or_insert_with(|| {
                    first_page(fig, self.format.size, self.format.scale, true)
                });
                let img = frame_image(fig, page, px, self.format.scale)?;
                if mp4.is_none() {
                    *mp4 = Some(Mp4::start(px, self.format.fps)?);
                }
                mp4.as_mut().expect("started above").push(&img)?;
                None
            }
        };
        self.frames += 1;
        Ok(written)
    }

    /// Close the recording: an animation's file is written now (nothing is written for none
    /// taken). Returns where the frames went.
    pub fn finish(self) -> Result<PathBuf, String> {
        let path = self.out.path().to_path_buf();
        let overwrite = self.format.overwrite;
        match self.finish_bytes()? {
            None => Ok(path),
            Some(bytes) => {
                files::write_bytes(&path, &bytes, overwrite).map_err(|e| e.to_string())?;
                Ok(path)
            }
        }
    }

    /// Close the recording: an animation's bytes (`None` for a frame folder, already written).
    pub fn finish_bytes(self) -> Result<Option<Vec<u8>>, String> {
        let path = self.out.path().to_path_buf();
        Ok(Some(match self.encoder {
            Encoder::Frames => return Ok(None),
            Encoder::Gif(None) | Encoder::Mp4(None) => {
                return Err(format!("{}: no frame was recorded", path.display()));
            }
            Encoder::Gif(Some(e)) => e.into_inner().map_err(|e| format!("GIF: {e}"))?,
            Encoder::Mp4(Some(m)) => m.finish()?,
        }))
    }
}

/// The frames of a GIF, one at a time, each composed onto the full logical screen as RGBA (what
/// the page hands to a canvas to re-encode a recording as WebM, frame by frame: a whole
/// recording decoded at once would take hundreds of megabytes).
pub struct GifFrames {
    decoder: gif::Decoder<std::io::Cursor<Vec<u8>>>,
    screen: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl GifFrames {
    pub fn new(bytes: Vec<u8>) -> Result<GifFrames, String> {
        let mut opts = gif::DecodeOptions::new();
        opts.set_color_output(gif::ColorOutput::RGBA);
        let decoder = opts
            .read_info(std::io::Cursor::new(bytes))
            .map_err(|e| format!("GIF: {e}"))?;
        let (width, height) = (decoder.width() as u32, decoder.height() as u32);
        Ok(GifFrames {
            decoder,
            screen: vec![0; width as usize * height as usize * 4],
            width,
            height,
        })
    }

    /// The next frame's full RGBA screen, `None` after the last.
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, String> {
        let Some(f) = self
            .decoder
            .read_next_frame()
            .map_err(|e| format!("GIF: {e}"))?
        else {
            return Ok(None);
        };
        let (w, left, top) = (self.width as usize, f.left as usize, f.top as usize);
        for (row, line) in f.buffer.chunks_exact(f.width as usize * 4).enumerate() {
            let y = top + row;
            if y >= self.height as usize {
                break;
            }
            for (col, px) in line.chunks_exact(4).enumerate() {
                let x = left + col;
                if x < w && px[3] != 0 {
                    let at = (y * w + x) * 4;
                    self.screen[at..at + 4].copy_from_slice(px);
                }
            }
        }
        Ok(Some(&self.screen))
    }
}

/// The page (CSS pixels) an image of `px` pixels at `scale` lays a figure out on.
fn page_for(px: (u32, u32), scale: f64) -> (f64, f64) {
    (px.0 as f64 / scale, px.1 as f64 / scale)
}

/// The page and image size of a recording whose first frame is `fig`: the size asked for, or
/// the figure's own; `even` rounds the image up to even width and height (H.264's yuv420p).
fn first_page(
    fig: &Figure,
    size: Option<(u32, u32)>,
    scale: f64,
    even: bool,
) -> ((f64, f64), (u32, u32)) {
    let mut px = size.unwrap_or_else(|| {
        let (w, h) = fig.size();
        ((w * scale).round() as u32, (h * scale).round() as u32)
    });
    if even {
        px = (px.0 + px.0 % 2, px.1 + px.1 % 2);
    }
    (page_for(px, scale), px)
}

/// `fig` on `page`, as an image of exactly `px` pixels (a rounding pixel is trimmed or padded
/// white).
fn frame_image(
    fig: &Figure,
    page: (f64, f64),
    px: (u32, u32),
    scale: f64,
) -> Result<Rgba8Image, String> {
    let img = fig.to_rgba(scale, Some(page))?;
    if (img.width, img.height) == px {
        return Ok(img);
    }
    let mut rgba = vec![255u8; px.0 as usize * px.1 as usize * 4];
    for y in 0..px.1.min(img.height) as usize {
        let n = px.0.min(img.width) as usize * 4;
        let from = y * img.width as usize * 4;
        let to = y * px.0 as usize * 4;
        rgba[to..to + n].copy_from_slice(&img.rgba[from..from + n]);
    }
    Ok(Rgba8Image {
        width: px.0,
        height: px.1,
        rgba,
    })
}

impl Mp4 {
    fn start(px: (u32, u32), fps: f64) -> Result<Mp4, String> {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let tmp = std::env::temp_dir().join(format!(
            "saddlescope-{}-{}.mp4",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let child = Command::new("ffmpeg")
            .args([
                "-y",
                "-loglevel",
                "error",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "rgba",
            ])
            .args(["-s", &format!("{}x{}", px.0, px.1)])
            .args(["-framerate", &format!("{fps}")])
            .args(["-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p"])
            .args(["-crf", "18", "-movflags", "+faststart"])
            .arg(&tmp)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start ffmpeg: {e}"))?;
        Ok(Mp4 { child, tmp })
    }

    fn push(&mut self, img: &Rgba8Image) -> Result<(), String> {
        let stdin = self.child.stdin.as_mut().ok_or("ffmpeg: no input")?;
        stdin
            .write_all(&img.rgba)
            .map_err(|e| format!("ffmpeg stopped taking frames: {e}"))
    }

    fn finish(mut self) -> Result<Vec<u8>, String> {
        // Closing its input ends the stream: ffmpeg finishes the file.
        self.child.stdin = None;
        let out = self
            .child
            .wait_with_output()
            .map_err(|e| format!("ffmpeg: {e}"))?;
        let result = if out.status.success() {
            std::fs::read(&self.tmp).map_err(|e| format!("{}: {e}", self.tmp.display()))
        } else {
            Err(format!(
                "ffmpeg failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        };
        let _ = std::fs::remove_file(&self.tmp);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_picks_the_kind_of_output() {
        assert_eq!(
            RecordOutput::from_path(Path::new("a/anim.GIF")),
            RecordOutput::Gif("a/anim.GIF".into())
        );
        assert_eq!(
            RecordOutput::from_path(Path::new("talk.mp4")),
            RecordOutput::Mp4("talk.mp4".into())
        );
        assert_eq!(
            RecordOutput::from_path(Path::new("frames")),
            RecordOutput::Frames("frames".into())
        );
    }

    #[test]
    fn sizes_parse_and_bad_ones_are_named() {
        assert_eq!(parse_size("1920x1080"), Ok((1920, 1080)));
        assert_eq!(parse_size(" 800 × 600 "), Ok((800, 600)));
        assert!(parse_size("1920").unwrap_err().contains("WIDTHxHEIGHT"));
        assert!(parse_size("axb").is_err());
        let f = |size| FrameFormat {
            scale: 1.0,
            size,
            fps: 25.0,
            overwrite: false,
        };
        assert!(f(Some((10, 10))).validate().is_err());
        assert!(f(Some((1920, 1080))).validate().is_ok());
        assert_eq!(FrameFormat::scale_for(Some((1920, 1080))), 1.5);
        assert_eq!(FrameFormat::scale_for(Some((640, 360))), 1.0);
    }
}
