// The last step of web/build.sh: drops the wasm's "name" custom section (function names for
// stack traces, ~1.6 MB that no user needs), then writes a gzip (level 9) and a brotli
// (quality 11) copy beside each file of web/dist, for a server that sends precompressed files
// (nginx's gzip_static / brotli_static, Caddy's file_server precompressed, web/test's server).
//
//   node web/pack.mjs web/dist
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import path from 'node:path';

const dir = process.argv[2];

// A wasm module: the 8-byte header, then sections (id byte, LEB128 size, body); a custom
// section (id 0) starts with its LEB128-length name.
function leb(b, i) {
  let r = 0, s = 0, x;
  do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
  return [r, i];
}
function withoutNames(b) {
  const keep = [b.subarray(0, 8)];
  let i = 8;
  while (i < b.length) {
    const start = i;
    const id = b[i++];
    const [size, body] = leb(b, i);
    i = body + size;
    if (id === 0) {
      const [n, at] = leb(b, body);
      if (b.subarray(at, at + n).toString() === 'name') continue;
    }
    keep.push(b.subarray(start, i));
  }
  return Buffer.concat(keep);
}

for (const name of readdirSync(dir)) {
  const file = path.join(dir, name);
  if (/\.(gz|br)$/.test(name)) continue;
  let body = readFileSync(file);
  if (name.endsWith('.wasm')) {
    body = withoutNames(body);
    writeFileSync(file, body);
  }
  writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
  writeFileSync(`${file}.br`, brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  }));
  const mb = (n) => (n / 1e6).toFixed(2);
  const gz = readFileSync(`${file}.gz`).length, br = readFileSync(`${file}.br`).length;
  console.log(`web/pack.mjs: ${name} ${mb(body.length)} MB, ${mb(gz)} MB gzipped, ${mb(br)} MB brotli`);
}
