// fast-check settings shared by the property tests: one seed per run, printed so that a failure
// replays (FC_SEED=<seed>), and the number of cases scaled by FC_RUNS_SCALE (1 in CI: ≥ 10,000
// cases over the property files).
import fc from 'fast-check';

export const FC_SEED =
  process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);
const SCALE = Number(process.env.FC_RUNS_SCALE ?? 1);

function settings(file: string, offset: number, numRuns: number) {
  const runs = Math.max(1, Math.round(numRuns * SCALE));
  console.log(
    `fast-check: ${runs} cases, seed ${FC_SEED} + ${offset} (replay: FC_SEED=${FC_SEED} npx vitest run ${file})`,
  );
  return { seed: FC_SEED + offset, numRuns: runs, endOnFailure: true };
}

/** Runs `property` `numRuns` times (scaled) from the printed seed (+ `offset`, one per property). */
export function check<T>(file: string, offset: number, numRuns: number, property: fc.IProperty<T>): void {
  fc.assert(property, settings(file, offset, numRuns));
}

/** The same for an async property. */
export function checkAsync<T>(
  file: string,
  offset: number,
  numRuns: number,
  property: fc.IAsyncProperty<T>,
): Promise<void> {
  return fc.assert(property, settings(file, offset, numRuns));
}

/** Counts of how generated calls ended, printed and checked: a property whose cases all fail (or
 *  all succeed) would test only half of what it claims. */
export class Outcomes {
  ok = 0;
  threw = 0;

  report(name: string, minShare = 0.05): void {
    const total = this.ok + this.threw;
    console.log(`${name}: ${this.ok} succeeded (checked against the reference), ${this.threw} threw LSTMError`);
    if (total >= 100) {
      if (this.ok < total * minShare || this.threw < total * minShare)
        throw new Error(`${name}: too one-sided to test both outcomes (${this.ok} ok, ${this.threw} threw)`);
    }
  }
}
