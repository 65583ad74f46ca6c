// files.ts for the browser entry (dist/browser.js): pages have no file system. Same signatures,
// typed errors instead of a `node:` import that bundlers would try to resolve.
import { LSTMError } from '../errors.js';

export async function readFileBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  throw new LSTMError('INVALID_ARGUMENT', 'file: URLs can be read in Node, Deno or Bun only', {
    argument: 'wasm',
    expected: 'an http(s) URL, a WebAssembly.Module or bytes',
    actual: url.href,
  });
}

export async function writeFileAtomic(path: string, _bytes: Uint8Array): Promise<void> {
  throw new LSTMError('INVALID_ARGUMENT', 'saveFile needs a file system (Node, Deno or Bun)', {
    argument: 'path',
    expected: 'a runtime with a file system; in a browser, save() returns the bytes',
    actual: JSON.stringify(path),
  });
}
