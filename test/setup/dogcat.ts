// vitest globalSetup: trains the Dog-scares-Cat model once per run, the way a user does, with the
// built CLI (`wasm-lstm train dogcat --epochs 60 --json --save FILE`; its defaults are the model
// and seeds the tests used to train themselves: Embedding 8, LSTM 16, Adam 0.05, batch 8, seed 1).
// The CLI test checks that run's output and file, the model and tasks tests load the model.
// The file lives in a temporary folder removed after the run; nothing is committed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

export interface DogcatRun {
  /** The folder the CLI saved into (it should hold the model and nothing else). */
  dir: string;
  /** The saved model. */
  file: string;
  epochs: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    dogcat: DogcatRun;
  }
}

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-lstm-dogcat-')),
    file = join(dir, 'dogcat.safetensors'),
    epochs = 60;
  // A failed run is reported by the tests that read it (status and stderr), not here.
  const r = spawnSync(
    process.execPath,
    [CLI, 'train', 'dogcat', '--epochs', String(epochs), '--json', '--save', file],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  project.provide('dogcat', { dir, file, epochs, status: r.status, stdout: r.stdout, stderr: r.stderr });
  return () => rmSync(dir, { recursive: true, force: true });
}
