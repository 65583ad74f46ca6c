// Helpers shared by the runtime tests (Node only): paths, binaries from node_modules, free ports,
// a static file server on 127.0.0.1 (sirv), child processes with time limits, Chromium.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The binary an npm package ships (deno, bun, workerd). The meta package's postinstall moves or
 *  links the platform package's binary into place and npm may or may not run it, so take the first
 *  candidate that is a real executable (not the small placeholder script bun ships). */
export function npmBinary(name) {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const candidates = {
    deno: [`node_modules/@deno/linux-${arch}-glibc/deno`, 'node_modules/deno/deno', 'node_modules/.bin/deno'],
    bun: [
      `node_modules/@oven/bun-linux-${arch === 'arm64' ? 'aarch64' : 'x64'}/bin/bun`,
      'node_modules/bun/bin/bun.exe',
      'node_modules/.bin/bun',
    ],
    workerd: [
      `node_modules/@cloudflare/workerd-linux-${arch === 'arm64' ? 'arm64' : '64'}/bin/workerd`,
      'node_modules/workerd/bin/workerd',
      'node_modules/.bin/workerd',
    ],
  }[name] ?? [`node_modules/.bin/${name}`];
  for (const c of candidates) {
    const p = join(ROOT, c);
    try {
      if (statSync(p).size > 1_000_000) return p;
    } catch {
      /* not there */
    }
  }
  throw new Error(`${name}: no binary under node_modules (is the devDependency installed?)`);
}

/**
 * Runs a command; resolves { code, stdout, stderr, ms }; kills it after `timeoutMs`.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, timeoutMs?: number, env?: NodeJS.ProcessEnv, echo?: boolean }} [options]
 */
export function run(cmd, args, { cwd = ROOT, timeoutMs = 120_000, env, echo = false } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (echo) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (echo) process.stderr.write(d);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** The last line of stdout that parses as JSON. */
export function lastJson(text) {
  const lines = text.trim().split('\n').reverse();
  for (const l of lines) {
    try {
      return JSON.parse(l);
    } catch {
      /* not JSON */
    }
  }
  return null;
}

/** A free TCP port on 127.0.0.1 (asks the OS for one, then releases it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

/**
 * A static file server on 127.0.0.1 for `root` (sirv, no caching). `mounts` maps a URL prefix
 * ('/build') to another folder; `routes` are handlers `(req, res) => boolean` tried first (true:
 * handled). Resolves { url, close }.
 */
export async function serveStatic(root, { port = 0, mounts = {}, routes = [], headers = {} } = {}) {
  const { default: sirv } = await import('sirv');
  const opts = {
    dev: true,
    dotfiles: false,
    etag: false,
    setHeaders: (res) => {
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.setHeader('Cache-Control', 'no-store');
    },
  };
  const main = sirv(root, opts);
  const mounted = Object.entries(mounts).map(
    ([prefix, dir]) => /** @type {const} */ ([prefix.replace(/\/$/, ''), sirv(dir, opts)]),
  );
  const server = createServer((req, res) => {
    const notFound = () => {
      res.statusCode = 404;
      res.end('not found');
    };
    for (const route of routes) if (route(req, res)) return;
    for (const [prefix, handler] of mounted) {
      if (req.url.startsWith(`${prefix}/`)) {
        req.url = req.url.slice(prefix.length);
        return handler(req, res, notFound);
      }
    }
    main(req, res, notFound);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(undefined));
  });
  const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  return {
    url,
    server,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** Debian's Chromium through playwright-core, in a fresh user-data-dir removed by close(). */
export async function launchChromium({ viewport = { width: 1280, height: 800 } } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'wasm-lstm-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  return {
    context,
    version: context.browser()?.version() ?? '',
    close: async () => {
      await context.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b),
    n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** "12.3 ms (min 11.0, max 14.2, 5 runs)" */
export function summarize(ms) {
  return `${median(ms).toFixed(1)} ms (min ${Math.min(...ms).toFixed(1)}, max ${Math.max(...ms).toFixed(1)}, ${ms.length} runs)`;
}
