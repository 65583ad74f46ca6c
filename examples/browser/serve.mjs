// The browser examples' dev server: bundles main.js (page, uPlot) and worker.js (training) of the
// demo (index.html), bench.js + bench-worker.js (the benchmark, bench.html) and stream.js +
// stream-worker.js (streaming inference, stream.html) with esbuild into memory, and serves them
// on 127.0.0.1 with the pages and /models/forecaster.safetensors (examples/pytorch's model). The package's browser entry brings its kernels as
// chunks; the package's build/*.wasm are served at /build/ too, for init({ wasm: '/build/…' }).
// Every response carries COOP/COEP, so the pages are cross-origin isolated: that is what gives them
// SharedArrayBuffer, and the demo its threads toggle (init({ threads })).
//   npm run demo:web [-- --port 8080]        (PORT=… works too; 0 picks a free port)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import sirv from 'sirv';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
/** Cross-origin isolation: the pages and their workers get SharedArrayBuffer (threads). */
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Bundles the demo; resolves a Map '/dist/name' → { type, body }. */
export async function bundleDemo() {
  const result = await build({
    entryPoints: ['main.js', 'worker.js', 'bench.js', 'bench-worker.js', 'stream.js', 'stream-worker.js'].map((f) =>
      join(HERE, f),
    ),
    absWorkingDir: HERE,
    outdir: join(HERE, 'dist'),
    write: false,
    bundle: true,
    splitting: true, // the inlined kernel builds stay separate chunks: a page fetches only the one it runs
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    logLevel: 'error',
  });
  return new Map(
    result.outputFiles.map((f) => [
      `/dist/${basename(f.path)}`,
      { type: TYPES[f.path.slice(f.path.lastIndexOf('.'))], body: f.contents },
    ]),
  );
}

/** Starts the server; resolves { url, close }. `isolated: false` leaves out COOP/COEP (no threads). */
export async function startDemo({ port = 0, host = '127.0.0.1', isolated = true } = {}) {
  const bundle = await bundleDemo();
  const headers = isolated ? ISOLATION : {};
  const opts = {
    dev: true,
    etag: false,
    setHeaders: (res) => {
      res.setHeader('Cache-Control', 'no-store');
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    },
  };
  const page = sirv(HERE, opts),
    wasm = sirv(join(ROOT, 'build'), opts);
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const file = bundle.get(path);
    if (file) {
      res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store', ...headers });
      return res.end(file.body);
    }
    const notFound = () => {
      res.statusCode = 404;
      res.end('not found');
    };
    if (path === '/models/forecaster.safetensors') {
      // stream.html's model: the PyTorch-trained forecaster of examples/pytorch
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store', ...headers });
      return res.end(readFileSync(join(ROOT, 'examples/pytorch/model.safetensors')));
    }
    if (path.startsWith('/build/')) {
      req.url = req.url.slice('/build'.length);
      return wasm(req, res, notFound);
    }
    if (path.endsWith('.mjs')) return notFound(); // this server script itself
    page(req, res, notFound);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const url = `http://${host}:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/`;
  return {
    url,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--port');
  const wanted = Number(i > 0 ? process.argv[i + 1] : (process.env.PORT ?? 8080));
  let demo;
  try {
    demo = await startDemo({ port: wanted });
  } catch (e) {
    if (e.code !== 'EADDRINUSE') throw e;
    demo = await startDemo({ port: 0 });
    console.log(`port ${wanted} is busy; using another`);
  }
  console.log(`wasm-lstm browser demo: ${demo.url}   (Ctrl-C to stop)`);
}
