// The browser build in a real browser: headless Chromium (Debian's) driven by playwright-core.
// Loads web/dist, waits for the first frame, presses keys (1, 4, 0, Space, …), drags the λ
// slider, opens a link to the state it made, compares that link's numbers with the native
// `saddlescope run` of the same link, visits every view, and measures the kernels in the page.
// The app's state is read from `window.saddlescopeState` (src/web.rs). Screenshots and the
// page's bench rows go to web/test/out (SHOTS_DIR). Fails on any console error.
//
//   web/build.sh && (cd web/test && npm ci) && node web/test/browser.mjs
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { deflateRawSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'web/dist');
const out = process.env.SHOTS_DIR || path.join(root, 'web/test/out');
const native = process.env.SADDLESCOPE_BIN || path.join(root, 'target/release/saddlescope');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
await mkdir(out, { recursive: true });

// A static server for web/dist that sends the precompressed copies web/build.sh writes (.br,
// else .gz) where the browser accepts them, as nginx's brotli_static / gzip_static do; the
// bytes sent per file are counted.
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.gif': 'image/gif', '.mp4': 'video/mp4', '.webm': 'video/webm' };
// /media/… serves the animations written below, to play them in the browser.
const media = path.join(out, 'media');
const sent = {};
let failRenderOnce = false;
const server = createServer(async (req, res) => {
  const name = new URL(req.url, 'http://x').pathname.replace(/^\/$/, '/index.html');
  // A server that is down for the renderer's module once (the check of its Retry below).
  if (failRenderOnce && name === '/saddlescope_render_bg.wasm') {
    failRenderOnce = false;
    res.writeHead(503);
    res.end();
    return;
  }
  try {
    const file = name.startsWith('/media/') ? path.join(media, path.basename(name)) : path.join(dist, path.normalize(name));
    const accepts = String(req.headers['accept-encoding'] || '');
    let body = null;
    let encoding = null;
    for (const [enc, ext] of [['br', '.br'], ['gzip', '.gz']]) {
      if (body || !accepts.includes(enc) || name.startsWith('/media/')) continue;
      body = await readFile(file + ext).catch(() => null);
      if (body) encoding = enc;
    }
    body = body || await readFile(file);
    const headers = { 'Content-Type': types[path.extname(name)] || 'application/octet-stream' };
    if (encoding) headers['Content-Encoding'] = encoding;
    res.writeHead(200, headers);
    res.end(body);
    sent[name] = { bytes: body.length, encoding };
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--enable-unsafe-swiftshader'],
});
const errors = [];
let failures = 0;
let passes = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (ok) passes++;
  else failures++;
}

async function open(url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => window.saddlescopeState, null, { timeout: 120000 });
  console.log(`     first frame ${Date.now() - t0} ms after loading ${url.replace(base, '/')}`.slice(0, 120));
  return page;
}
const state = (page) => page.evaluate(() => JSON.parse(window.saddlescopeState || '{}'));
async function until(page, what, pred, timeout = 120000) {
  const end = Date.now() + timeout;
  for (;;) {
    const s = await state(page);
    if (pred(s)) return s;
    if (Date.now() > end) {
      check(false, `${what} (timed out; last state ${JSON.stringify(s).slice(0, 300)})`);
      return s;
    }
    await page.waitForTimeout(100);
  }
}
async function press(page, key) {
  await page.keyboard.press(key);
  await page.waitForTimeout(150);
}
const shot = (page, name) => page.screenshot({ path: path.join(out, name) });

// 1. The default page: Fig. 1-left in the histogram view.
const page = await open(base);
let s = await until(page, 'a snapshot of the live view', (s) => s.step === 0 && s.summary);
check(s.preset === 'fig1-left' && s.view === 'Histogram', `opens on fig1-left, histogram (${s.preset}, ${s.view})`);
check(s.link === '#fig1-left', `the address names the preset (${s.link})`);
// Keys go to the canvas (a click on the caption, then the pointer off anything with a tooltip).
await page.mouse.click(640, 700);
await page.mouse.move(60, 12);
await press(page, '1');
s = await until(page, '1 cycles Fig. 1 to its middle panel', (s) => s.preset === 'fig1-middle');
check(page.url().endsWith('#fig1-middle'), `the address follows (${page.url().replace(base, '/')})`);

// 2. 4: the Fig. 4 phase diagram fills progressively while frames go on.
await press(page, '4');
s = await until(page, '4 opens Fig. 4', (s) => s.preset === 'fig4' && s.view === 'Phase diagram');
const progress = [];
s = await until(page, 'the Fig. 4 sweep finishes', (s) => {
  progress.push([s.frames, s.sweep_done]);
  return s.sweep_done !== null && s.sweep_done === s.sweep_cells;
}, 300000);
const partial = progress.filter(([, d]) => d > 0 && d < s.sweep_cells);
const partialFrames = new Set(partial.map(([f]) => f)).size;
check(partialFrames >= 3, `frames kept coming while the sweep filled (${partialFrames} frames saw a partial grid of ${s.sweep_cells} cells)`);
await page.waitForTimeout(300);
await shot(page, 'web-fig4.png');

// 3. 0: the Fig. 1-right phase diagram.
await press(page, '0');
s = await until(page, '0 opens Fig. 1-right, complete', (s) => s.preset === 'fig1-right' && s.sweep_done === s.sweep_cells, 300000);
await page.waitForTimeout(300);
await shot(page, 'web-fig1-right.png');

// 4. Back to Fig. 1-left; Space plays.
await press(page, '1');
s = await until(page, '1 goes back to fig1-left', (s) => s.preset === 'fig1-left');
await press(page, ' ');
s = await until(page, 'Space plays the ensemble', (s) => s.playing && s.step >= 60, 60000);
await press(page, ' ');
s = await until(page, 'Space pauses', (s) => !s.playing);
await shot(page, 'web-histogram.png');

// 5. Drag the λ slider: the parameters, the theory and the address follow.
const [x0, y0, x1, y1] = s.widgets['λ'];
const before = s.lambda;
await page.mouse.move(x0 + 0.2 * (x1 - x0), (y0 + y1) / 2);
await page.mouse.down();
await page.mouse.move(x0 + 0.3 * (x1 - x0), (y0 + y1) / 2, { steps: 4 });
await page.mouse.move(x0 + 0.35 * (x1 - x0), (y0 + y1) / 2, { steps: 4 });
await page.mouse.up();
await page.mouse.move(60, 12); // off the slider: no tooltip over the next screenshots
s = await until(page, 'dragging the λ slider changes λ', (s) => s.lambda !== before);
check(Math.abs(s.lambda - 1.4) < 0.15, `λ follows the slider to ~35 % of 0…4 (λ = ${s.lambda})`);
s = await until(page, 'the address holds the modified state', (s) => s.link.startsWith('#1.'));
check(page.url().includes(s.link), 'the page address is the link');
const link = s.link;
const dragged = s.lambda;

// The page keeps the last state: the bare address (no link) brings it back.
await page.goto(base);
s = await until(page, 'the bare address restores the last state from local storage', (s) => s.summary && s.lambda === dragged);
check(s.link === link, `the restored state has the same link (${s.link === link})`);
await page.mouse.click(640, 700);
await page.mouse.move(60, 12);

// Files: the export window's downloads, the preset window's download, picker and a drop.
const centre = ([l, t, r, b]) => [(l + r) / 2, (t + b) / 2];
// A widget of a window that just opened is clicked where it has settled ([`clickOn`]): a
// fresh CI run under load missed 💾 Download preset while the File window was still sizing.
async function click(label) {
  await clickOn(page, label);
}
async function download(label, file) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), click(label)]);
  const to = path.join(out, file);
  await dl.saveAs(to);
  return [dl.suggestedFilename(), await readFile(to)];
}
// The figure renderer is the page's second module: not fetched until the export window opens,
// then loaded once.
check(!sent['/saddlescope_render_bg.wasm'] && (await state(page)).renderer === 'idle',
  'the page opened without the figure renderer (not fetched, not loaded)');
const tRender = Date.now();
await click('Export');
s = await until(page, 'the export window loads the figure renderer', (s) => s.renderer === 'ready' || s.renderer === 'failed', 60000);
check(s.renderer === 'ready', `the export window loaded the figure renderer in ${((Date.now() - tRender) / 1000).toFixed(2)} s (${s.renderer})`);
let [name, bytes] = await download('⬇ SVG', 'download.svg');
let text = bytes.toString();
// Glyphs are paths in an SVG (the same look in every viewer): its size says a figure is drawn.
check(name === 'fig1-left.svg' && text.startsWith('<svg') && bytes.length > 20000, `⬇ SVG downloads the figure shown (${name}, ${bytes.length} bytes)`);
[name, bytes] = await download('⬇ PDF', 'download.pdf');
check(name === 'fig1-left.pdf' && bytes.subarray(0, 5).toString() === '%PDF-' && !bytes.includes('/Font'), `⬇ PDF downloads a one-page PDF with no font (${name}, ${bytes.length} bytes)`);
[name, bytes] = await download('⬇ PNG', 'download.png');
check(name === 'fig1-left.png' && bytes.subarray(1, 4).toString() === 'PNG', `⬇ PNG downloads a PNG (${name}, ${bytes.length} bytes)`);
[name, bytes] = await download('⬇ CSV', 'download.csv');
text = bytes.toString();
check(name === 'fig1-left.csv' && text.startsWith('series,w,density\n') && text.split('\n').length > 10, `⬇ CSV downloads the histogram's data (${name})`);
await click('Export');
s = await until(page, 'the Export button closes its window', (s) => !s.export_window);
await click('📁 File');
[name, bytes] = await download('💾 Download preset', 'download-preset.json');
const saved = JSON.parse(bytes.toString());
check(saved.params.lambda === dragged && saved.params.seed === 1 && saved.view === 'histogram', `💾 Download preset saves the state (${name}: λ = ${saved.params.lambda})`);
// The picker opens a preset file: Fig. 9 with another seed.
const preset = async (name) => JSON.parse(await readFile(path.join(root, `assets/presets/${name}.json`), 'utf8'));
const fig9 = await preset('fig9');
fig9.params.seed = 4242;
const fig9File = path.join(out, 'fig9-seed4242.json');
await writeFile(fig9File, JSON.stringify(fig9));
const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: 30000 }), click('📂 Open…')]);
await chooser.setFiles(fig9File);
s = await until(page, 'the picked preset opens', (s) => s.preset === 'fig9' && s.seed === 4242);
check(s.file_message && s.file_message.includes('opened'), `the preset window says so (${s.file_message})`);
// A file dropped on the page opens too: Fig. 7 with another seed.
const fig7 = await preset('fig7');
fig7.params.seed = 77;
await page.evaluate((text) => {
  const dt = new DataTransfer();
  dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
  const canvas = document.querySelector('canvas');
  for (const type of ['dragenter', 'dragover', 'drop']) {
    canvas.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }
}, JSON.stringify(fig7));
s = await until(page, 'the dropped preset opens', (s) => s.preset === 'fig7' && s.seed === 77);
// A broken file changes nothing and says why.
await page.evaluate(() => {
  const dt = new DataTransfer();
  dt.items.add(new File(['{"format": "saddlescope-preset", "params": {"lambda": "x"'], 'broken.json'));
  const canvas = document.querySelector('canvas');
  for (const type of ['dragenter', 'dragover', 'drop']) {
    canvas.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }
});
s = await until(page, 'a broken file is refused with a reason', (s) => s.file_message && s.file_message.includes('broken.json'));
check(s.preset === 'fig7' && s.seed === 77, `the state is kept (${s.file_message})`);
await click('📁 File');
s = await until(page, 'the File button closes its window', (s) => !s.file_window);

// 6. The link in a fresh page: the same state; its numbers are `saddlescope run`'s.
const page2 = await open(base + link);
let s2 = await until(page2, 'the link opens the same experiment', (s) => s.summary && s.step === 0);
check(s2.lambda === dragged && s2.preset === 'fig1-left' && s2.seed === 1, `same λ, preset, seed (${s2.lambda}, ${s2.preset}, ${s2.seed})`);
await page2.mouse.click(640, 700);
await page2.mouse.move(60, 12);
for (let k = 1; k <= 10; k++) {
  await press(page2, 'ArrowRight');
  // A key pressed while the page was busy can be lost (it was once, of 10): press again
  // only if the step did not move at all.
  for (let tries = 0; (await state(page2)).step === k - 1 && tries < 20; tries++) {
    await page2.waitForTimeout(250);
    if (tries === 11) await press(page2, 'ArrowRight');
  }
  s2 = await until(page2, `→ steps once (to step ${k})`, (s) => s.step === k, 20000);
}
const run = JSON.parse(execFileSync(native, ['run', link, '--out', '-'], { maxBuffer: 1 << 28 }).toString());
const rec = run.records.find((r) => r.step === 10);
check(run.params.lambda === dragged, `saddlescope run reads the link (λ = ${run.params.lambda})`);
for (const key of ['fraction_below', 'diverged', 'at_zero', 'mean_log_ratio', 'mean_abs_w', 'mean_w']) {
  const a = JSON.stringify(s2.summary[key]);
  const b = JSON.stringify(rec[key]);
  check(a === b, `step 10: ${key} in the page ${a} = saddlescope run ${b}`);
}
await page2.close();

// A preset's name as a link: #fig9 opens the Fig. 9 phase diagram.
const page3 = await open(base + '#fig9');
const s3 = await until(page3, '#fig9 opens Fig. 9', (s) => s.preset === 'fig9' && s.view === 'Phase diagram');
check(s3.link === '#fig9', `the address stays #fig9 (${s3.link})`);
await page3.close();

// 7. Every other view, with a screenshot: Fig. 5 (escape rate), 7 (2-D landscape), 2
// (optimizers), 3-right (loss vs λ: the third press of 3), and presenter mode.
for (const [keys, preset, view, file, done] of [
  ['5', 'fig5', 'Escape rate', 'web-escape-rate.png', (s) => !s.busy && s.figure_series > 0],
  ['7', 'fig7', '2-D landscape', 'web-landscape.png', (s) => s.summary],
  ['2', 'fig2-left', 'Optimizers', 'web-optimizers.png', (s) => !s.busy && s.figure_series > 0],
  ['333', 'fig3-right', 'Loss vs λ', 'web-loss.png', (s) => !s.busy && s.figure_series > 0],
]) {
  const key = keys[0];
  for (const k of keys) await press(page, k);
  s = await until(page, `${key} opens ${preset}, ${view}`, (s) => s.preset === preset && s.view === view);
  s = await until(page, `${preset} shows its figure`, done, 300000);
  if (key === '7') {
    await press(page, ' ');
    await until(page, 'Fig. 7 plays', (s) => s.step >= 100, 60000);
    await press(page, ' ');
  }
  await page.waitForTimeout(1500);
  await shot(page, file);
}
await press(page, '1');
await press(page, 'p');
s = await until(page, 'P turns presenter mode on', (s) => s.presenter);
await page.waitForTimeout(500);
await shot(page, 'web-presenter.png');
await press(page, 'p');

// L copies the link to the clipboard: the page's address, which opens this state.
await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
await press(page, '4');
await press(page, 'l');
s = await until(page, 'L copies the link', (s) => s.file_message && s.file_message.startsWith('copied'));
const copied = await page.evaluate(() => navigator.clipboard.readText());
check(copied === base + '#fig4', `the clipboard holds the page's link (${copied.replace(base, '/')})`);
await click('📁 File');

// A large window: the 2-D landscape at 1920 × 1080.
await page.setViewportSize({ width: 1920, height: 1080 });
await press(page, '7');
s = await until(page, 'Fig. 7 at 1920 × 1080', (s) => s.preset === 'fig7' && s.summary);
await press(page, ' ');
await until(page, 'Fig. 7 plays at 1920 × 1080', (s) => s.step >= 200, 60000);
await press(page, ' ');
await page.waitForTimeout(800);
await shot(page, 'web-1080p-landscape.png');

// V records the live view as a GIF the page downloads (60 frames by default there).
const recPage = await open(base + "#fig1-left");
await until(recPage, 'fig1-left for the recording', (s) => s.summary && s.preset === 'fig1-left');
await recPage.mouse.click(640, 700);
await recPage.mouse.move(60, 12);
const t0 = Date.now();
const [gifDl] = await Promise.all([recPage.waitForEvent('download', { timeout: 240000 }), press(recPage, 'v')]);
const gifPath = path.join(out, 'recording.gif');
await gifDl.saveAs(gifPath);
const gif = await readFile(gifPath);
// A GIF's logical screen is its bytes 6–9 (little-endian width, height); frames start with 0x2C.
const gw = gif.readUInt16LE(6);
const gh = gif.readUInt16LE(8);
check(gifDl.suggestedFilename() === 'recording.gif' && gif.subarray(0, 6).toString() === 'GIF89a' && gw === 760 && gh === 963,
  `V downloads a GIF of the view (${gifDl.suggestedFilename()}, ${gw} × ${gh}, ${gif.length} bytes, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
s = await until(recPage, 'the recording reports its frames', (s) => s.file_message && s.file_message.includes('recording.gif'));

// The export window records a WebM instead: the same frames, encoded by the browser.
async function clickOn(p, label) {
  let s = await until(p, `${label} is on screen`, (s) => s.widgets && s.widgets[label]);
  // A window that just opened sizes itself over its first frames: click where the widget has
  // stayed for two looks, not where it was first drawn.
  for (let i = 0; i < 20; i++) {
    await p.waitForTimeout(250);
    const again = await until(p, `${label} is on screen`, (t) => t.widgets && t.widgets[label]);
    const same = JSON.stringify(again.widgets[label]) === JSON.stringify(s.widgets[label]);
    s = again;
    if (same) break;
  }
  const [x, y] = centre(s.widgets[label]);
  // Apart from the last click by more than egui's double-click interval (0.3 s): a second
  // click sooner is a double click, which a button does not take as a click.
  await p.waitForTimeout(400);
  await p.mouse.click(x, y);
  await p.mouse.move(60, 12);
  await p.waitForTimeout(200);
}
await clickOn(recPage, 'Export');
await clickOn(recPage, 'WebM');
await until(recPage, 'WebM is chosen', (s) => s.record_dir === 'recording.webm');
const t1 = Date.now();
const [webmDl] = await Promise.all([recPage.waitForEvent('download', { timeout: 240000 }), clickOn(recPage, '⏺ Record')]);
await mkdir(media, { recursive: true });
await webmDl.saveAs(path.join(media, 'page.webm'));
const webm = await readFile(path.join(media, 'page.webm'));
// A WebM file is EBML (magic 1A 45 DF A3) with the doc type "webm".
check(webmDl.suggestedFilename() === 'recording.webm' && webm.readUInt32BE(0) === 0x1a45dfa3 && webm.subarray(0, 64).includes('webm'),
  `the export window's WebM downloads a WebM (${webmDl.suggestedFilename()}, ${webm.length} bytes, ${((Date.now() - t1) / 1000).toFixed(1)} s)`);
s = await until(recPage, 'the WebM is reported downloaded', (s) => s.record_message && s.record_message.includes('downloaded recording.webm'));
await recPage.close();

// Animations for slides play in Chromium: a GIF (24 frames) and an MP4 (30 frames) written by
// `saddlescope record`, and the page's WebM.
execFileSync(native, ['record', 'fig1-left', '--out', path.join(media, 'a.gif'), '--frames', '24', '--force']);
execFileSync(native, ['record', 'fig7', '--out', path.join(media, 'a.mp4'), '--frames', '30', '--force']);
await writeFile(path.join(media, 'play.html'), '<!doctype html><title>play</title>');
const player = await browser.newPage();
await player.goto(base + 'media/play.html');
const played = await player.evaluate(async () => {
  const img = new Image();
  img.src = '/media/a.gif';
  await img.decode();
  const play = async (src) => {
    const v = document.createElement('video');
    v.muted = true;
    v.src = src;
    await new Promise((ok, bad) => {
      v.onloadeddata = ok;
      v.onerror = () => bad(new Error(`${src}: ${v.error && v.error.message}`));
    });
    await v.play();
    await new Promise((r) => setTimeout(r, 400));
    return [v.videoWidth, v.videoHeight, v.currentTime];
  };
  return { gif: [img.naturalWidth, img.naturalHeight], mp4: await play('/media/a.mp4'), webm: await play('/media/page.webm') };
});
check(played.gif[0] === 760 && played.gif[1] === 963, `Chromium shows the GIF (${played.gif.join(' × ')})`);
check(played.mp4[0] === 1240 && played.mp4[1] === 586 && played.mp4[2] > 0, `Chromium plays the MP4 (${played.mp4[0]} × ${played.mp4[1]}, at ${played.mp4[2].toFixed(2)} s after 0.4 s)`);
check(played.webm[0] === 760 && played.webm[1] === 963 && played.webm[2] > 0, `Chromium plays the page's WebM (${played.webm[0]} × ${played.webm[1]}, at ${played.webm[2].toFixed(2)} s after 0.4 s)`);
await player.close();

// A lecture link: #lecture=paper opens the shipped lecture; PageDown (a clicker) moves on, B
// blanks, and the address keeps naming the lecture.
const lecture = await open(base + '#lecture=paper');
s = await until(lecture, '#lecture=paper opens the lecture on its first scene', (s) => s.lecture && s.lecture.scene === 1 && s.preset === 'fig1-left');
check(s.presenter && s.lecture.scenes >= 10, `the lecture shows the figure only, ${s.lecture.scenes} scenes`);
await lecture.mouse.click(640, 700);
await lecture.mouse.move(60, 12);
await press(lecture, 'PageDown');
s = await until(lecture, 'PageDown moves to scene 2, which plays', (s) => s.lecture && s.lecture.scene === 2 && s.step > 0);
await press(lecture, 'b');
s = await until(lecture, 'B blanks the screen', (s) => s.lecture && s.lecture.blank);
await press(lecture, 'b');
check(lecture.url().endsWith('#lecture=paper'), `the address still names the lecture (${lecture.url().replace(base, '/')})`);
await lecture.waitForTimeout(500);
await shot(lecture, 'web-lecture.png');
await lecture.close();

// A typed landscape from a link (the example preset, 2000 walkers): the page runs the loss
// it carries and plays it without an error.
{
  const preset = JSON.parse(await readFile(path.join(root, 'assets/examples/periodic-maximum.json'), 'utf8'));
  preset.params.walkers = 2000;
  const packed = deflateRawSync(Buffer.from(JSON.stringify(preset)), { level: 9 });
  const typed = await open(base + '#1.' + packed.toString('base64url'));
  s = await until(typed, 'a link carries a typed landscape', (s) => s.preset === 'periodic-maximum');
  check(s.preset === 'periodic-maximum', 'a link carries a typed landscape (ℓ = x sin²(w)/2)');
  await typed.mouse.click(640, 700);
  await typed.mouse.move(60, 12);
  await press(typed, 'Space');
  s = await until(typed, 'the typed landscape plays', (s) => s.step > 0);
  check(s.step > 0, `the typed landscape plays in the page (step ${s.step})`);
  await typed.close();
}

// The figure renderer fails to load (the server answers 503 once): the export window says so
// and offers ↻ Retry, which fetches it again.
{
  failRenderOnce = true;
  const before = errors.length;
  const p = await open(base + '#fig1-left');
  await clickOn(p, 'Export');
  let r = await until(p, 'the renderer fails to load', (s) => s.renderer === 'failed' || s.renderer === 'ready', 60000);
  check(r.renderer === 'failed', `a renderer that does not arrive is said in the export window (${r.renderer})`);
  await clickOn(p, '↻ Retry');
  r = await until(p, 'the renderer loads on ↻ Retry', (s) => s.renderer === 'ready', 60000);
  check(r.renderer === 'ready', `↻ Retry loads the figure renderer after a failed load (${r.renderer})`);
  await p.close();
  // The browser logs the 503 itself; anything else this page logged is still an error.
  const logged = errors.splice(before);
  errors.push(...logged.filter((e) => !/status of 503/.test(e)));
}

// 8. The kernels in the page, beside their reference loops (one thread).
const rows = JSON.parse(await page.evaluate(() => window.saddlescopeBench()));
for (const r of rows) {
  console.log(`     bench: ${r.kernel}: ${r.walker_steps_per_second_median.toExponential(2)} walker-steps/s, ${r.ratio_to_reference.toFixed(2)} of its reference loop`);
}
check(rows.length === 2 && rows.every((r) => r.walker_steps_per_second_median > 0), 'the page measured both kernels');
await writeFile(path.join(out, 'bench.json'), JSON.stringify(rows, null, 2));

// 9. The download: the server sent the wasm's brotli copy (the browser asks for br), and the
// page ran from it.
const wasmSent = sent['/saddlescope_bg.wasm'] || {};
const wasmRaw = (await readFile(path.join(dist, 'saddlescope_bg.wasm'))).length;
const wasmGz = (await readFile(path.join(dist, 'saddlescope_bg.wasm.gz'))).length;
console.log(`     download: saddlescope_bg.wasm ${(wasmRaw / 1e6).toFixed(2)} MB (gzipped ${(wasmGz / 1e6).toFixed(2)} MB), sent ${((wasmSent.bytes || 0) / 1e6).toFixed(2)} MB as ${wasmSent.encoding}`);
check(wasmSent.encoding === 'br' && wasmSent.bytes < wasmRaw, 'the wasm was sent as its brotli copy, and the page ran it');
const renderSent = sent['/saddlescope_render_bg.wasm'] || {};
const renderRaw = (await readFile(path.join(dist, 'saddlescope_render_bg.wasm'))).length;
const renderGz = (await readFile(path.join(dist, 'saddlescope_render_bg.wasm.gz'))).length;
console.log(`     download: saddlescope_render_bg.wasm (on first export) ${(renderRaw / 1e6).toFixed(2)} MB (gzipped ${(renderGz / 1e6).toFixed(2)} MB), sent ${((renderSent.bytes || 0) / 1e6).toFixed(2)} MB as ${renderSent.encoding}`);

// 9b. The state of the last visit comes back (localStorage, as JSON): a second tab of the same
// browser, opened without a link, opens where the first left.
{
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const first = await ctx.newPage();
  await first.goto(base + '#fig6');
  await first.waitForFunction(() => window.saddlescopeState, null, { timeout: 120000 });
  await until(first, 'a link to fig6 opens it', (s) => s.preset === 'fig6');
  await first.close();
  const second = await ctx.newPage();
  await second.goto(base);
  await second.waitForFunction(() => window.saddlescopeState, null, { timeout: 120000 });
  const back = await until(second, 'the last visit comes back', (s) => s.preset === 'fig6', 20000);
  check(back.preset === 'fig6' && back.link === '#fig6', `a second visit without a link opens where the first left (${back.preset}, ${back.link})`);
  await ctx.close();
}
// A damaged store (cut short) opens the default and says why in the File window.
{
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await ctx.addInitScript(() => localStorage.setItem('saddlescope-state-v2', '{"params": {"lambda": 1.'));
  const p = await ctx.newPage();
  await p.goto(base);
  await p.waitForFunction(() => window.saddlescopeState, null, { timeout: 120000 });
  const s = await until(p, 'a damaged store is reported', (s) => s.file_message);
  check(s.preset === 'fig1-left' && s.file_window && s.file_message.includes('unusable'),
    `a damaged kept state opens Fig. 1-left and says so (${s.preset}: ${s.file_message})`);
  await ctx.close();
}

// 10. The page at the machine's speed: the jobs run on Web Workers, the UI thread only draws.
// Printed rows (not timed assertions): each computing view opened fresh from its link, the
// time until its job is done, the interval between the browser's animation frames meanwhile
// (the page's frame rate), the UI thread's own time per frame, and its long animation frames
// (over 50 ms of script and rendering in one frame); the same for an idle view whose redraws
// come from a moving pointer, and for 10⁵ walkers playing live. Checked: the work ran on the
// workers, Fig. 4's grid is the native one to the bit, the live ensemble runs in a Web Worker
// of its own, which a computing view starts only once its job is done (it waits for an idle
// pool: a worker starting beside a job costs a two-core machine frames).
const pct = (v, q) => v.length ? v[Math.min(v.length - 1, Math.floor(v.length * q))] : NaN;
async function watch(p) {
  p.__from = (await state(p)).frames;
  await p.evaluate(() => {
    window.__iv = [];
    window.__long = 0;
    let last = performance.now();
    const f = (t) => { window.__iv.push(t - last); last = t; requestAnimationFrame(f); };
    requestAnimationFrame(f);
    new PerformanceObserver((l) => { window.__long += l.getEntries().length; }).observe({ type: 'long-animation-frame' });
  });
}
async function frames(p) {
  const [iv, long] = await p.evaluate(() => [window.__iv.slice(1), window.__long]);
  const st = await state(p);
  iv.sort((a, b) => a - b);
  // The app's own time in the frames drawn since `watch` (the page keeps the last 120).
  const since = -Math.max(1, st.frames - p.__from);
  const ui = (st.ui_ms || []).slice(since).sort((a, b) => a - b);
  // eframe's whole frame on the UI thread: the app, tessellation and the WebGL calls (the
  // rest of an interval is the browser's compositing and rasterising).
  const cpu = (st.frame_cpu_ms || []).slice(since).sort((a, b) => a - b);
  return `frame interval median ${pct(iv, 0.5).toFixed(1)} ms, p95 ${pct(iv, 0.95).toFixed(1)} ms (${iv.length} frames); UI thread p95 ${pct(ui, 0.95).toFixed(1)} ms a frame in the app, ${pct(cpu, 0.95).toFixed(1)} ms with tessellation and painting; ${long} long frames`;
}
const t0Native = Date.now();
const nativeFig4 = JSON.parse(execFileSync(native, ['run', 'fig4', '--out', '-'], { maxBuffer: 1 << 28 }).toString());
const nativeMs = Date.now() - t0Native;
for (const [preset, what] of [['fig4', 'Fig. 4 phase diagram'], ['fig1-right', 'Fig. 1-right phase diagram'],
  ['fig5', 'escape rate (Fig. 5)'], ['fig3-right', 'loss sweep (Fig. 3-right)'], ['fig2-left', 'optimizers (Fig. 2-left)']]) {
  const p = await open(base + '#' + preset);
  await watch(p);
  const t = Date.now();
  const st = await until(p, `${preset} computes to the end`, (s) => s.preset === preset && s.frames > 2 && !s.busy && (s.sweep_cells === null || s.sweep_done === s.sweep_cells), 300000);
  const ms = Date.now() - t;
  console.log(`     speed: ${what}: done in ${(ms / 1000).toFixed(2)} s on ${st.workers} workers (${st.worker_tasks} tasks, ${(st.worker_ms / 1000).toFixed(1)} s of work); live workers started meanwhile: ${st.live_workers}; ${await frames(p)}`);
  check(st.workers > 0 && st.worker_tasks > 0 && !st.job_error, `${preset}: the work ran on the page's workers (${st.worker_tasks} tasks${st.job_error ? '; ' + st.job_error : ''})`);
  const after = await until(p, `${preset}: the live worker starts once the pool is idle`, (s) => s.live_workers === 1 && s.step !== null && s.step !== undefined, 20000);
  check(after.live_workers === 1 && after.step === 0, `${preset}: the live worker started after the job, on the live ensemble at step 0 (${after.live_workers} started, step ${after.step})`);
  if (preset === 'fig4') {
    console.log(`     speed: Fig. 4 in the page ${(ms / 1000).toFixed(2)} s, native \`saddlescope run fig4\` ${(nativeMs / 1000).toFixed(2)} s: ${(ms / nativeMs).toFixed(1)}×`);
    const sum = nativeFig4.cells.reduce((acc, c) => acc + c.escape, 0);
    check(st.sweep_escape_sum === sum, `Fig. 4's grid in the page is the native run's (escape summed in cell order: ${st.sweep_escape_sum} = ${sum})`);
  }
  await p.close();
}
{
  // Redraws with nothing computing: the pointer moving over the idle histogram.
  const p = await open(base + '#fig1-left');
  await p.waitForTimeout(1000);
  await watch(p);
  for (let i = 0; i < 60; i++) {
    await p.mouse.move(300 + (i % 20) * 20, 300 + (i % 7) * 10);
    await p.waitForTimeout(30);
  }
  console.log(`     speed: idle view, pointer moving: ${await frames(p)}`);
  await p.close();
  // 10⁵ walkers playing live.
  const preset = JSON.parse(await readFile(path.join(root, 'assets/presets/fig1-left.json'), 'utf8'));
  preset.params.walkers = 100000;
  const live = await open(base + '#1.' + deflateRawSync(Buffer.from(JSON.stringify(preset)), { level: 9 }).toString('base64url'));
  await until(live, '10⁵ walkers: the first snapshot', (s) => s.summary && s.walkers === 100000);
  await live.mouse.click(640, 700);
  await live.mouse.move(60, 12);
  await press(live, ' ');
  await until(live, '10⁵ walkers play', (s) => s.playing && s.step > 0);
  await watch(live);
  const step0 = (await state(live)).step;
  await live.waitForTimeout(4000);
  const st = await state(live);
  console.log(`     speed: 10⁵ walkers playing live: ${((st.step - step0) / 4).toFixed(0)} steps/s; ${await frames(live)}`);
  check(st.live_workers === 1, `the live ensemble plays in a Web Worker of its own (${st.live_workers} started)`);
  await live.close();
}

check(errors.length === 0, `no error in the console${errors.length ? ': ' + errors.join(' | ').slice(0, 500) : ''}`);
await browser.close();
server.close();
console.log(`browser: ${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
