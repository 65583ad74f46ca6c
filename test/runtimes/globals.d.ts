// What the test pages leave on window for the Playwright drivers (browser.html, the bundler
// fixtures, the demo and the example pages).
interface Window {
  // biome-ignore lint/suspicious/noExplicitAny: a page's JSON report, checked field by field by its driver
  __result?: any;
  /** The demo's state object (examples/browser/main.js). */
  __demo?: import('../../examples/browser/demo-state.js').DemoState;
  // biome-ignore lint/suspicious/noExplicitAny: the benchmark page's report (examples/browser/bench.js)
  __bench?: any;
}
