// What the browser's software rasteriser (SwiftShader, on a machine without a GPU) spends on
// the page's frames: its threads' CPU time from /proc (Linux), per frame drawn. Not part of the
// test run; the README's figures on the panels' fill come from it.
//
//   node web/test/raster-cost.mjs quads N     a bare page drawing N full-screen quads a frame
//                                             with egui's kind of shader (textured, blended)
//   node web/test/raster-cost.mjs page [#…]   web/dist (or $DIST; build it first), the pointer moving
//                                             over the view for 3 s, so that egui redraws
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = process.env.DIST || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const [mode = 'page', arg = ''] = process.argv.slice(2);

// CPU ticks (1/100 s) of every SwiftShader thread ("Thread<NN>") on the machine.
async function rasterTicks() {
  let ticks = 0;
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    let tasks = [];
    try { tasks = await readdir(`/proc/${pid}/task`); } catch { continue; }
    for (const t of tasks) {
      try {
        const stat = await readFile(`/proc/${pid}/task/${t}/stat`, 'utf8');
        if (!stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).startsWith('Thread<')) continue;
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(f[11]) + Number(f[12]);
      } catch { /* the thread ended */ }
    }
  }
  return ticks;
}

const server = createServer(async (req, res) => {
  const name = req.url.split('?')[0];
  try {
    const body = await readFile(path.join(dist, path.normalize(name === '/' ? 'index.html' : name)));
    const type = name.endsWith('.wasm') ? 'application/wasm' : name.endsWith('.js') ? 'text/javascript' : 'text/html';
    res.writeHead(200, { 'content-type': type });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
}).listen(0, '127.0.0.1');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
if (mode === 'quads') {
  await page.setContent(`<canvas id=c width=1280 height=720 style="position:absolute;inset:0"></canvas><script>
    const gl = c.getContext('webgl2', { antialias: false, depth: false, stencil: false });
    const sh = (type, src) => { const s = gl.createShader(type); gl.shaderSource(s, '#version 300 es\\n' + src); gl.compileShader(s); return s; };
    const pr = gl.createProgram();
    gl.attachShader(pr, sh(gl.VERTEX_SHADER, 'in vec2 p; out vec2 tc; void main() { tc = p * 0.5 + 0.5; gl_Position = vec4(p, 0, 1); }'));
    gl.attachShader(pr, sh(gl.FRAGMENT_SHADER, 'precision highp float; uniform sampler2D s; in vec2 tc; out vec4 o; void main() { o = vec4(0.3, 0.3, 0.3, 0.9) * texture(s, tc); }'));
    gl.linkProgram(pr); gl.useProgram(pr);
    gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    gl.enableVertexAttribArray(0); gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
    gl.bindTexture(gl.TEXTURE_2D, gl.createTexture());
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, 2, 2, 0, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(16).fill(255));
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.enable(gl.BLEND); gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    window.drawn = 0;
    const frame = () => { window.drawn++; gl.clear(gl.COLOR_BUFFER_BIT);
      for (let i = 0; i < ${Number(arg) || 1}; i++) gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  </script>`);
  await page.waitForTimeout(1500);
} else {
  await page.goto(`http://127.0.0.1:${server.address().port}/${arg}`);
  await page.waitForFunction(() => JSON.parse(window.saddlescopeState || '{}').frames > 2, null, { timeout: 60000 });
  await page.waitForTimeout(1500);
}
// The page counts the app's passes (egui may lay a frame out twice); the bare page its frames.
const drawn = () => page.evaluate(() => (window.saddlescopeState ? JSON.parse(window.saddlescopeState).frames : window.drawn));
const [t0, f0, c0] = [Date.now(), await drawn(), await rasterTicks()];
for (let i = 0; i < 100; i++) {
  if (mode !== 'quads') await page.mouse.move(300 + (i % 20) * 20, 300 + (i % 7) * 10);
  await page.waitForTimeout(30);
}
const [secs, frames, ticks] = [(Date.now() - t0) / 1000, (await drawn()) - f0, (await rasterTicks()) - c0];
console.log(`${mode} ${arg}: ${(frames / secs).toFixed(0)} frames/s drawn; the rasteriser's threads ` +
  `${(ticks / secs).toFixed(0)} % of a core, ${(ticks * 10 / Math.max(1, frames)).toFixed(1)} ms of CPU a frame`);
await browser.close();
server.close();
