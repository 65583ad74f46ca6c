// The browser demo's dev server: bundles main.js (page, uPlot) and worker.js (training, wasm-lstm)
// with esbuild into memory, and serves them on 127.0.0.1 with the page, plus the package's
// build/*.wasm at /build/ (where the bundled worker's `new URL('../build/…', import.meta.url)`
// looks for them). Every response carries COOP/COEP, so the page is cross-origin isolated: that
// is what gives it SharedArrayBuffer, and the demo its threads toggle (init({ threads })).
//   npm run demo:web [-- --port 8080]        (PORT=… works too; 0 picks a free port)
import { createServer } from 'node:http';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import sirv from 'sirv';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
/** Cross-origin isolation: the page and its workers get SharedArrayBuffer (threads). */
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Bundles the demo; resolves a Map '/dist/name' → { type, body }. */
export async function bundleDemo() {
  const result = await build({
    entryPoints: [join(HERE, 'main.js'), join(HERE, 'worker.js')],
    absWorkingDir: HERE,
    outdir: join(HERE, 'dist'),
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    logLevel: 'error',
    // dist/index.js loads the Node-only helpers (Sequential#saveFile) through import('node:…')
    external: ['node:*'],
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
    if (path.startsWith('/build/')) {
      req.url = req.url.slice('/build'.length);
      return wasm(req, res, notFound);
    }
    if (path.endsWith('.mjs')) return notFound(); // this server script itself
    page(req, res, notFound);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const url = `http://${host}:${server.address().port}/`;
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
