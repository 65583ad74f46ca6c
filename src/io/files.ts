// File access for Node, Deno and Bun, in one module so that the browser entry can swap it for
// files.browser.ts (scripts/build-js.mjs): browser bundles then contain no `node:` import at all.
// The specifier is a variable so that bundlers of the Node entry leave it alone.
type Fs = typeof import('node:fs/promises');
const fsModule = (): Promise<Fs> => {
  const name = 'node:fs/promises';
  return import(/* @vite-ignore */ /* webpackIgnore: true */ name) as Promise<Fs>;
};

/** The bytes of a local file (a file: URL). */
export async function readFileBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const fs = await fsModule();
  return new Uint8Array(await fs.readFile(url));
}

/** Writes `bytes` to `path` atomically: a temporary file beside it, then a rename. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await fsModule();
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, bytes);
  await fs.rename(tmp, path);
}
