// The benchmark's table as text: one row per workload; per implementation the median (min) per
// unit, GFLOP/s with the % of its build's peak, and each implementation's time over the base
// build's. `npx wasm-lstm bench`, `npm run bench` and the browser page print the same table.
import type { BenchmarkReport } from './run.js';

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The table as rows of cells, header first. */
export function reportTable(report: BenchmarkReport): string[][] {
  const { impls, base } = report;
  const others = impls.filter((i) => i !== base);
  const header = [
    'workload',
    'unit',
    ...impls.map((i) => `${i} median (min)`),
    ...impls.map((i) => `${i} GFLOP/s (% peak)`),
    ...others.map((i) => `${i}/${base}`),
  ];
  const rows = report.results.map((row) => [
    `${row.id} ${row.name}`,
    row.unit,
    ...impls.map((i) => (row.impls[i] ? `${fmt(row.impls[i].median)} (${fmt(row.impls[i].min)})` : '—')),
    ...impls.map((i) =>
      row.impls[i] ? `${fmt(row.impls[i].gflops)} (${row.impls[i].percentOfPeak.toFixed(0)}%)` : '—',
    ),
    ...others.map((i) => {
      const r = row.impls[i];
      return r?.speedupVsBase != null ? `${r.speedupVsBase.toFixed(2)}×` : '—';
    }),
  ]);
  return [header, ...rows];
}

/** The first line: where it ran, which builds, and how to get the missing ones. */
export function reportTitle(report: BenchmarkReport): string {
  const missing = report.unavailable.includes('relaxed-simd')
    ? report.runtime.startsWith('node')
      ? ' (relaxed SIMD: run node with --experimental-wasm-relaxed-simd)'
      : ' (this engine has no relaxed SIMD)'
    : '';
  return `wasm-lstm benchmark: ${report.runtime}, builds ${report.builds.join(', ')}${missing}${report.quick ? ', --quick' : ''}`;
}

/** What the table's numbers mean, as printed under it. */
export function reportNotes(report: BenchmarkReport): string[] {
  const { base } = report;
  return [
    `measured peak (4×8 f32x4 tile in L1, GFLOP/s): ${Object.entries(report.peakGflops)
      .map(([b, p]) => `${b} ${p.median.toFixed(1)}`)
      .join(', ')}; each build's % is of its own peak, any other implementation's of ${base}'s`,
    `(x/${base} > 1 means slower than the ${base} build; GFLOP/s counts matmul FLOPs: forward 2·G·H·(I+H)·B·T with G = 4 (LSTM), 3 (GRU), 1 (RNN); training 3×.)`,
    ...(report.results.some((r) => r.id.endsWith('q'))
      ? ['(int8 rows (…q) count the same multiply-adds as their f32 rows: effective GFLOP/s, % of the f32 peak.)']
      : []),
  ];
}

/** Title, aligned table and notes, ready to print. */
export function formatReport(report: BenchmarkReport): string {
  const lines = reportTable(report);
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  return [
    reportTitle(report),
    ...lines.map((l) => l.map((v, c) => v.padEnd(widths[c]!)).join('  ')),
    '',
    ...reportNotes(report),
  ].join('\n');
}
