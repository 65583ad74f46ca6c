// webpack 5 as a user configures it for any app: nothing here is about wasm-lstm (no loader, no
// asset rule, no experiments). `npx webpack` in this folder.
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  entry: './main.js',
  output: { path: fileURLToPath(new URL('./dist', import.meta.url)), filename: 'main.js', clean: true },
};
