// The benchmark page: runs wasm-lstm/bench (the package's benchmark, the same runner and table as
// `npx wasm-lstm bench`) in a module Web Worker (./bench-worker.js) and fills the table row by
// row. Leaves the report on window.__bench for test/runtimes/browser-bench.mjs.
import { reportNotes, reportTable, reportTitle } from 'wasm-lstm/bench';

/** @type {(id: string) => any} */
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
$('quick').checked = params.has('quick');

function draw(report) {
  const [header, ...rows] = reportTable(report);
  $('title').textContent = reportTitle(report);
  $('table').tHead.innerHTML = `<tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr>`;
  $('table').tBodies[0].innerHTML = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
}

let worker = null;
function run() {
  worker?.terminate();
  window.__bench = undefined;
  const quick = $('quick').checked;
  const started = performance.now();
  $('status').textContent = 'measuring the peak of each build…';
  $('run').disabled = true;
  worker = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    if (data.type === 'row') {
      draw(data.partial);
      $('status').textContent = `${data.partial.results.length}/${data.total} workloads…`;
    } else if (data.type === 'done') {
      draw(data.report);
      $('notes').textContent = reportNotes(data.report).join(' ');
      $('status').textContent = `done in ${((performance.now() - started) / 1000).toFixed(1)} s`;
      $('run').disabled = false;
      window.__bench = data.report;
    } else if (data.type === 'error') {
      $('status').textContent = `error: ${data.message}`;
      $('run').disabled = false;
      window.__bench = { error: data.message };
    }
  };
  worker.postMessage({ quick, runtime: navigator.userAgent.match(/(Chrome|Firefox|Safari)\/[\d.]+/)?.[0] });
}

$('run').addEventListener('click', run);
if (params.has('run')) run();
