// Peer benchmark: the LSTM workloads of bench/workloads.mjs (W1 stream, W2 infer, W3 train, W3a
// train with Adam, W4 train-seq) on wasm-lstm (SIMD build) and on peer libraries, with identical
// weights and inputs, every peer's outputs checked against ours.
//
//   npm install --prefix bench/peers        once: the peers live in bench/peers/node_modules only
//   node bench/peers/peers.mjs              full run, table on stdout   (npm run bench:peers)
//          ... --quick                      fewer repeats
//          ... --json                       one JSON document on stdout (peers' chatter goes to stderr)
//          ... --only W1,W2                 a subset of the workloads
//          ... --peers tfjs-wasm,ort-web    a subset of the peers (ours always runs)
//
// Output check (before timing, from the initial weights): the forward output must match ours to
// 1e-4 max abs diff; for training also the loss Σ output·dOut and dL/dW_hh, to 1e-4 relative to
// their largest magnitude (they are sums over B·T terms). A failed check marks the time with '!'
// and makes the exit code 1. A peer that fails to load or run is reported in the table, not thrown.
import { parseArgs } from 'node:util';
import os from 'node:os';
import { WORKLOADS, dataFor, time, maxAbsDiff } from './common.mjs';
import { ours } from './adapters/ours.mjs';
import { tfjsCpu, tfjsWasm } from './adapters/tfjs.mjs';
import { ortNode1, ortNode2, ortWeb } from './adapters/onnxruntime.mjs';
import { brainJs } from './adapters/brain.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    peers: { type: 'string' },
  },
});

// In --json mode stdout carries the JSON document alone: libraries that print on load (tfjs greets
// Node users on console) are sent to stderr.
if (args.json) console.log = console.info = console.warn = console.error;
const log = args.json ? () => {} : (...a) => process.stdout.write(`${a.join(' ')}\n`);

const TOL = 1e-4;
const ALL_PEERS = [tfjsCpu, tfjsWasm, ortNode1, ortNode2, ortWeb, brainJs];
const wantedPeers = args.peers ? new Set(args.peers.split(',')) : null;
const peers = ALL_PEERS.filter((p) => !wantedPeers || wantedPeers.has(p.id));
const only = args.only ? new Set(args.only.split(',')) : null;
// The peers run LSTM workloads only: bench/workloads.mjs also has GRU / simple-RNN variants
// (w.cell), which the adapters here do not build (tfjs's GRU cannot even express PyTorch's
// reset-after GRU). They are listed as not run rather than silently timed as LSTMs.
const isLstm = (w) => (w.cell ?? 'lstm') === 'lstm';
const selected = WORKLOADS.filter((w) => !only || only.has(w.id));
const workloads = selected.filter(isLstm);
const notRun = selected.filter((w) => !isLstm(w)).map((w) => `${w.id} ${w.name}`);

/** First line of an error, with the usual "not installed" case made actionable. */
function reason(e) {
  if (e?.code === 'ERR_MODULE_NOT_FOUND')
    return `not installed (npm install --prefix bench/peers): ${e.message.split('\n')[0]}`;
  return String(e?.message ?? e).split('\n')[0];
}

// ---- load ------------------------------------------------------------------------------------

const info = {}; // id → { label, version } or { label, error }
try {
  info.ours = { label: ours.label, ...(await ours.load()) };
} catch (e) {
  console.error(`bench/peers: cannot load wasm-lstm: ${reason(e)}`);
  process.exit(1);
}
for (const p of peers) {
  try {
    info[p.id] = { label: p.label, ...(await p.load()) };
  } catch (e) {
    info[p.id] = { label: p.label, error: `failed to load: ${reason(e)}` };
  }
}

log(`wasm-lstm vs peers: node ${process.version}, ${os.cpus().length} cores${args.quick ? ', --quick' : ''}`);
for (const [_id, v] of Object.entries(info)) log(`  ${v.label.padEnd(16)} ${v.error ?? v.version}`);
log('');

// ---- run -------------------------------------------------------------------------------------

/** Compare a peer's check results with ours. */
function compare(ref, got, kind) {
  const out = maxAbsDiff(got.out, ref.out);
  const checks = { out: { diff: out.diff, scale: out.scale, ok: out.diff <= TOL } };
  if (kind === 'train') {
    if (got.loss !== undefined) {
      const d = Math.abs(got.loss - ref.loss);
      checks.loss = { diff: d, scale: Math.abs(ref.loss), ok: d <= TOL * Math.max(1, Math.abs(ref.loss)) };
    }
    if (got.dWhh !== undefined) {
      const g = maxAbsDiff(got.dWhh, ref.dWhh);
      checks.dWhh = { diff: g.diff, scale: g.scale, ok: g.diff <= TOL * Math.max(1, g.scale) };
    }
  }
  checks.ok = Object.values(checks).every((c) => c.ok);
  return checks;
}

/** make → check → time → dispose for one implementation on one workload. */
async function measure(impl, w, data, ref) {
  const r = await impl.make(w, data);
  if (r.skip) return { skip: r.skip };
  try {
    const got = await r.check();
    const check = ref && got ? compare(ref, got, w.kind) : null;
    const repeats = args.quick ? (impl.slow ? 2 : 3) : impl.slow ? 5 : 11;
    const warmup = args.quick ? 1 : impl.slow ? 2 : 5;
    const t = await time(r.run, { repeats, warmup, units: r.units });
    const scale = w.unit === 'µs/step' ? 1000 : 1;
    return { median: t.median * scale, min: t.min * scale, repeats: t.samples, check, got };
  } finally {
    try {
      r.dispose();
    } catch {
      /* keep the error that got us here, if any */
    }
  }
}

const results = [];
let failedChecks = 0;
for (const w of workloads) {
  const data = dataFor(w);
  const row = { id: w.id, name: w.name, unit: w.unit, impls: {} };
  let ref;
  try {
    const o = await measure(ours, w, data, null);
    ref = o.got;
    delete o.got;
    row.impls.ours = o;
  } catch (e) {
    row.impls.ours = { error: reason(e) };
  }
  for (const p of peers) {
    if (info[p.id].error) {
      row.impls[p.id] = { error: info[p.id].error };
      continue;
    }
    try {
      const m = await measure(p, w, data, ref);
      delete m.got;
      if (m.median !== undefined && row.impls.ours.median) m.ratio = m.median / row.impls.ours.median;
      if (m.check && !m.check.ok) failedChecks++;
      row.impls[p.id] = m;
    } catch (e) {
      row.impls[p.id] = { error: reason(e) };
    }
  }
  results.push(row);
}
if (failedChecks) process.exitCode = 1;

// ---- report ----------------------------------------------------------------------------------

if (args.json) {
  process.stdout.write(
    `${JSON.stringify(
      {
        node: process.version,
        cores: os.cpus().length,
        quick: args.quick,
        tolerance: TOL,
        implementations: info,
        notes: Object.fromEntries(peers.filter((p) => p.note).map((p) => [p.id, p.note])),
        workloads,
        notRun,
        results,
      },
      null,
      2,
    )}\n`,
  );
} else {
  const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const short = (s) => (s.length > 28 ? `${s.slice(0, 27)}…` : s);
  const ids = ['ours', ...peers.map((p) => p.id)];
  const cell = (m, id) =>
    info[id].error
      ? 'not loaded (see below)'
      : m.error
        ? short(m.error)
        : m.skip
          ? m.skip
          : `${fmt(m.median)} (${fmt(m.min)})${m.check && !m.check.ok ? ' !' : ''}`;
  const label = (id) => info[id].label;
  const header = [
    'workload',
    'unit',
    ...ids.map((id) => `${label(id)} median (min)`),
    ...peers.map((p) => `${label(p.id)}/ours`),
  ];
  const lines = [header];
  for (const row of results) {
    lines.push([
      `${row.id} ${row.name}`,
      row.unit,
      ...ids.map((id) => cell(row.impls[id], id)),
      ...peers.map((p) => (row.impls[p.id].ratio ? `${row.impls[p.id].ratio.toFixed(2)}×` : '–')),
    ]);
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => String(l[c]).length)));
  for (const l of lines) log(l.map((v, c) => String(v).padEnd(widths[c])).join('  '));
  log(
    `(peer/ours > 1: the peer is slower. Times: median (min) over ${args.quick ? '3 (slow peers 2)' : '11 (slow peers 5)'} repeats after warm-up.)`,
  );

  log('');
  const e = (v) => v.toExponential(1);
  for (const row of results) {
    for (const p of peers) {
      const m = row.impls[p.id];
      if (!m.check) continue;
      const c = m.check;
      const parts = [`out max abs diff ${e(c.out.diff)}`];
      if (c.loss) parts.push(`loss diff ${e(c.loss.diff)} (|loss| ${fmt(c.loss.scale)})`);
      if (c.dWhh) parts.push(`dW_hh max abs diff ${e(c.dWhh.diff)} (max |dW_hh| ${fmt(c.dWhh.scale)})`);
      log(`output check ${row.id.padEnd(4)} ${label(p.id).padEnd(16)} ${parts.join(', ')}  ${c.ok ? 'ok' : 'FAILED'}`);
    }
  }
  // Notes, and the full text of the reasons the table cut short (a load failure once, not per workload).
  const notes = [];
  const byNote = new Map(); // one line per note, naming every peer it applies to
  for (const p of peers) if (p.note) byNote.set(p.note, [...(byNote.get(p.note) ?? []), label(p.id)]);
  for (const [note, labels] of byNote) notes.push(`${labels.join(', ')}: ${note}`);
  for (const id of ids) if (info[id].error) notes.push(`${label(id)}: ${info[id].error}`);
  for (const row of results) {
    for (const id of ids) {
      const m = row.impls[id];
      if (m.error && !info[id].error && m.error.length > 28) notes.push(`${row.id} ${label(id)}: ${m.error}`);
    }
  }
  if (notRun.length) notes.push(`not run (bench/peers covers LSTM workloads only): ${notRun.join(', ')}`);
  if (notes.length) log(`\n${notes.join('\n')}`);
  if (failedChecks) log(`\n${failedChecks} output check(s) FAILED (marked '!'): those times are not comparable.`);
}
