// Every bundler, with the real tool, on the installed package: `npm pack`, then for each fixture
// (test/runtimes/bundlers/<name>/: the files a user writes, plus the shared page/main.js) a project
// folder with the tarball installed offline, the bundler run as its config says, the result served
// on 127.0.0.1 and opened in Debian's Chromium, where the page runs the golden check on every build,
// and, the page being served cross-origin isolated (COOP/COEP), the threads check (threads-check.mjs:
// 2 threads whose workers start from the bundled code, results equal to one thread).
//   vite-dev   `vite` (dev server, dependency optimizer on), no vite.config
//   vite-build `vite build`, served from dist/
//   webpack    webpack 5, webpack.config.mjs with nothing about wasm-lstm
//   rollup     Rollup 4 + @rollup/plugin-node-resolve (defaults)
//   esbuild    esbuild --bundle --format=esm
// The bundlers are this repository's devDependencies: the project folders live under
// test/runtimes/bundlers/.work/ so that node resolution finds them, and are removed afterwards.
//   node test/runtimes/bundlers.mjs [--only vite-dev,webpack] [--keep]
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installInto, packTarball } from './pack.mjs';
import { describeThreads } from './threads-check.mjs';
import { ROOT, launchChromium, serveStatic } from './util.mjs';

const HERE = join(ROOT, 'test/runtimes/bundlers');
const WORK = join(HERE, '.work');

/** Copies the fixture and the shared page into a fresh project folder with the package installed. */
async function project(name, fixture, tarball) {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(HERE, fixture), dir, { recursive: true });
  cpSync(join(HERE, 'page/main.js'), join(dir, 'main.js'));
  cpSync(join(ROOT, 'test/runtimes/golden-check.mjs'), join(dir, 'golden-check.mjs'));
  cpSync(join(ROOT, 'test/runtimes/threads-check.mjs'), join(dir, 'threads-check.mjs'));
  await installInto(dir, tarball);
  return dir;
}

/** For the bundles: the page and the fixture beside the output. */
function finishDist(dir, out = join(dir, 'dist')) {
  cpSync(join(dir, 'index.html'), join(out, 'index.html'));
  cpSync(join(ROOT, 'test/fixtures/golden.json'), join(out, 'golden.json'));
  return out;
}

/** Cross-origin isolation, so the pages can run threads. */
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

async function staticSite(dir) {
  const server = await serveStatic(dir, { headers: ISOLATION });
  return { url: `${server.url}/`, close: server.close };
}

/** Vite's logger, keeping its warnings and errors (a fixture passes only without any). */
async function viteLogger() {
  const { createLogger } = await import('vite');
  const customLogger = createLogger('warn');
  const warnings = [];
  customLogger.warn = (m) => warnings.push(m);
  customLogger.warnOnce = (m) => warnings.push(m);
  customLogger.error = (m) => warnings.push(m);
  return { customLogger, warnings };
}

const FIXTURES = {
  'vite-dev': async (tarball) => {
    const dir = await project('vite-dev', 'vite', tarball);
    cpSync(join(ROOT, 'test/fixtures/golden.json'), join(dir, 'public/golden.json'));
    const { createServer } = await import('vite');
    const { customLogger, warnings } = await viteLogger();
    const server = await createServer({
      root: dir,
      customLogger,
      server: { host: '127.0.0.1', port: 0, headers: ISOLATION },
    });
    await server.listen();
    const { port } = /** @type {import('node:net').AddressInfo} */ (server.httpServer.address());
    return { url: `http://127.0.0.1:${port}/`, close: () => server.close(), warnings };
  },
  'vite-build': async (tarball) => {
    const dir = await project('vite-build', 'vite', tarball);
    cpSync(join(ROOT, 'test/fixtures/golden.json'), join(dir, 'public/golden.json'));
    const { build } = await import('vite');
    const { customLogger, warnings } = await viteLogger();
    await build({ root: dir, customLogger, logLevel: 'warn' });
    return { ...(await staticSite(join(dir, 'dist'))), warnings };
  },
  webpack: async (tarball) => {
    const dir = await project('webpack', 'webpack', tarball);
    const { default: webpack } = await import('webpack');
    const { default: config } = await import(pathToFileURL(join(dir, 'webpack.config.mjs')).href);
    const stats = await new Promise((resolve, reject) =>
      webpack({ ...config, context: dir }, (err, s) => (err ? reject(err) : resolve(s))),
    );
    const info = stats.toJson({ all: false, errors: true, warnings: true });
    if (stats.hasErrors()) throw new Error(`webpack: ${info.errors.map((e) => e.message).join('\n')}`);
    return { ...(await staticSite(finishDist(dir))), warnings: info.warnings.map((w) => w.message) };
  },
  rollup: async (tarball) => {
    const dir = await project('rollup', 'rollup', tarball);
    const { rollup } = await import('rollup');
    const { default: config } = await import(pathToFileURL(join(dir, 'rollup.config.mjs')).href);
    const warnings = [];
    const bundle = await rollup({ ...config, input: join(dir, config.input), onwarn: (w) => warnings.push(w.message) });
    await bundle.write({ ...config.output, dir: join(dir, config.output.dir) });
    await bundle.close();
    return { ...(await staticSite(finishDist(dir))), warnings };
  },
  esbuild: async (tarball) => {
    const dir = await project('esbuild', 'esbuild', tarball);
    const { build } = await import('esbuild');
    const { default: config } = await import(pathToFileURL(join(dir, 'esbuild.config.mjs')).href);
    const r = await build({ ...config, absWorkingDir: dir, logLevel: 'silent' });
    return { ...(await staticSite(finishDist(dir))), warnings: r.warnings.map((w) => w.text) };
  },
};

async function openInChromium(url) {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 }).catch(() => {});
    const result = await page.evaluate(() => window.__result ?? null);
    return { result, errors };
  } finally {
    await browser.close();
  }
}

const argv = process.argv.slice(2);
const i = argv.indexOf('--only');
const names = i >= 0 ? argv[i + 1].split(',') : Object.keys(FIXTURES);
const unknown = names.filter((n) => !(n in FIXTURES));
if (unknown.length) {
  console.error(`unknown fixture(s) ${unknown.join(', ')}; known: ${Object.keys(FIXTURES).join(', ')}`);
  process.exit(2);
}

let ok = true;
const { tarball } = await packTarball();
try {
  for (const name of names) {
    const t0 = performance.now();
    let site;
    try {
      site = await FIXTURES[name](tarball);
      const { result, errors } = await openInChromium(site.url);
      const warnings = site.warnings ?? [];
      const builds = Object.keys(result?.builds ?? {});
      const pass =
        result?.ok === true &&
        result.requestsForInit.length <= 1 &&
        warnings.length === 0 &&
        result.defaultBuild === 'relaxed-simd' &&
        ['relaxed-simd', 'simd', 'scalar'].every((b) => builds.includes(b)) &&
        result.threads?.ok === true &&
        result.threads.threads === 2 &&
        errors.length === 0;
      const worst = Math.max(...Object.values(result?.builds ?? {}).map((b) => b.maxDiff));
      console.log(
        `  ${pass ? 'ok  ' : 'FAIL'} ${name.padEnd(10)} init() chose ${result?.defaultBuild ?? '—'}; ${builds.join(', ') || 'no builds'} ` +
          `match golden.json (max |diff| ${Number.isFinite(worst) ? worst.toExponential(2) : '—'}); ` +
          `${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      if (!pass) {
        ok = false;
        if (result?.error) console.log(`       ${result.error.split('\n').slice(0, 3).join(' | ')}`);
        if (errors.length) console.log(`       page errors: ${errors.join(' | ')}`);
        if (warnings.length) console.log(`       bundler warnings: ${warnings.join(' | ')}`);
        if (result && result.requestsForInit.length > 1)
          console.log(`       init() fetched more than one file: ${result.requestsForInit.join(' ')}`);
      } else {
        console.log(`       init() fetched ${result.requestsForInit.join(' ') || 'nothing more (inlined)'}`);
      }
      for (const line of result?.threads ? describeThreads(result.threads) : ['threads: no report'])
        console.log(`       ${line}`);
    } catch (e) {
      ok = false;
      console.log(
        `  FAIL ${name}: ${String(e?.stack ?? e)
          .split('\n')
          .slice(0, 4)
          .join(' | ')}`,
      );
    } finally {
      await site?.close();
    }
  }
} finally {
  rmSync(join(tarball, '..'), { recursive: true, force: true });
  if (!argv.includes('--keep') && existsSync(WORK)) rmSync(WORK, { recursive: true, force: true });
}
console.log(ok ? 'bundlers: ok' : 'bundlers: FAILED');
process.exitCode = ok ? 0 : 1;
