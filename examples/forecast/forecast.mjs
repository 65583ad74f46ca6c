// Time-series forecasting from a CSV file: the monthly totals of international airline passengers,
// January 1949 to December 1960 (thousands; Box & Jenkins' "series G", the classic AirPassengers
// data, in the public domain), in airline-passengers.csv.
//
// The model sees the last WINDOW month-on-month changes of log(passengers) and predicts the next
// one: log differences are nearly stationary (the series grows and its seasonal swing grows with
// it), so one model fits 1949 and 1960 alike. Trained on 1949–1958, it forecasts each month of
// 1959–1960 one step ahead (from the true values up to the month before), and is compared with
// the two naive forecasts: "same as last month" and "same as last month, times last year's change
// into this month" (the seasonal naive forecast on the log scale).
//
//   node examples/forecast/forecast.mjs [--csv FILE] [--column NAME] [--epochs N] [--json]
//   EXAMPLES_QUICK=1 node examples/forecast/forecast.mjs    (the short settings CI uses)
// Your own series: a CSV with a header row; --column names the numeric column (default: the last).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Adam, Dense, LSTM, Sequential, init } from 'wasm-lstm';

const { values: args } = parseArgs({
  options: {
    csv: { type: 'string', default: new URL('./airline-passengers.csv', import.meta.url).pathname },
    column: { type: 'string' },
    epochs: { type: 'string' },
    test: { type: 'string', default: '24' }, // months held out at the end
    json: { type: 'boolean', default: false },
  },
});
const quick = process.env.EXAMPLES_QUICK === '1';
const EPOCHS = Number(args.epochs ?? (quick ? 150 : 400)); // quick: ~0.7 s, full: ~2 s
const WINDOW = 24; // two years of changes: the model can see the same month one and two years back
const HOLDOUT = Number(args.test);

// --- the data -------------------------------------------------------------------------------
const [header, ...lines] = readFileSync(args.csv, 'utf8').trim().split(/\r?\n/);
const columns = header.split(',').map((c) => c.trim());
const col = args.column === undefined ? columns.length - 1 : columns.indexOf(args.column);
if (col < 0) throw new Error(`no column ${JSON.stringify(args.column)} in ${columns.join(', ')}`);
const labels = lines.map((l) => l.split(',')[0]);
const series = lines.map((l) => Number(l.split(',')[col]));
if (!series.every((v) => v > 0)) throw new Error('the series must be positive (it is modelled on a log scale)');

const logs = series.map(Math.log);
const diffs = logs.slice(1).map((v, i) => v - logs[i]); // diffs[i] = log x[i+1] − log x[i]
// Standardise the changes with the training part's mean and spread only.
const firstTest = series.length - HOLDOUT; // index of the first month forecast
const trainDiffs = diffs.slice(0, firstTest - 1);
const mean = trainDiffs.reduce((a, b) => a + b, 0) / trainDiffs.length;
const std = Math.sqrt(trainDiffs.reduce((a, b) => a + (b - mean) ** 2, 0) / trainDiffs.length);
const z = diffs.map((d) => (d - mean) / std);

// Sample k predicts the change into month t = k + WINDOW + 1 from the WINDOW changes before it.
function samples(fromMonth, toMonth) {
  const xs = [],
    ys = [],
    months = [];
  for (let t = Math.max(fromMonth, WINDOW + 1); t < toMonth; t++) {
    xs.push(...z.slice(t - 1 - WINDOW, t - 1));
    ys.push(z[t - 1]);
    months.push(t);
  }
  return {
    x: { data: Float32Array.from(xs), shape: [months.length, WINDOW, 1] },
    y: { data: Float32Array.from(ys), shape: [months.length, 1] },
    months,
  };
}
const train = samples(0, firstTest);
const test = samples(firstTest, series.length);

// --- the model ------------------------------------------------------------------------------
await init();
const model = new Sequential([
  new LSTM({ inputSize: 1, hiddenSize: 32, seed: 7 }),
  new Dense({ inputSize: 32, outputSize: 1, seed: 8 }),
]);
model.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 3e-3, clipNorm: 1 }) });
const t0 = performance.now();
const history = await model.fit(train.x, train.y, { epochs: EPOCHS, batchSize: 16, shuffle: true, seed: 1 });
const seconds = (performance.now() - t0) / 1000;

// --- one-step-ahead forecasts of the held-out months ----------------------------------------
const zHat = model.predict(test.x).data;
const rows = test.months.map((t, k) => {
  const change = zHat[k] * std + mean;
  return {
    month: labels[t],
    actual: series[t],
    lstm: series[t - 1] * Math.exp(change),
    naive: series[t - 1],
    seasonalNaive: series[t - 1] * (series[t - 12] / series[t - 13]),
  };
});
const rmse = (key) => Math.sqrt(rows.reduce((a, r) => a + (r[key] - r.actual) ** 2, 0) / rows.length);
const mape = (key) => (100 * rows.reduce((a, r) => a + Math.abs(r[key] - r.actual) / r.actual, 0)) / rows.length;
const result = {
  series: `${labels[0]}…${labels[labels.length - 1]} (${series.length} months)`,
  trainMonths: train.months.length,
  testMonths: rows.length,
  epochs: EPOCHS,
  seconds: +seconds.toFixed(2),
  finalTrainLoss: history.history.loss.at(-1),
  rmse: { lstm: rmse('lstm'), naive: rmse('naive'), seasonalNaive: rmse('seasonalNaive') },
  mapePercent: { lstm: mape('lstm'), naive: mape('naive'), seasonalNaive: mape('seasonalNaive') },
  rows,
};
model.dispose();

if (args.json) {
  console.log(JSON.stringify(result));
} else {
  console.log(`${result.series}: trained on ${result.trainMonths} windows in ${result.seconds} s (${EPOCHS} epochs)`);
  console.log('month     actual    LSTM   naive  seasonal naive');
  for (const r of rows)
    console.log(
      `${r.month}  ${String(r.actual).padStart(6)}  ${r.lstm.toFixed(0).padStart(6)}  ${String(r.naive).padStart(6)}  ${r.seasonalNaive.toFixed(0).padStart(6)}`,
    );
  const f = (o) =>
    `LSTM ${o.lstm.toFixed(1)}, naive ${o.naive.toFixed(1)}, seasonal naive ${o.seasonalNaive.toFixed(1)}`;
  console.log(`RMSE (thousands of passengers): ${f(result.rmse)}`);
  console.log(`MAPE (%):                       ${f(result.mapePercent)}`);
}
