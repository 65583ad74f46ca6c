// The floor of the cold-start probe (browser.html?entry=floor): the probe's API doing no work, so
// "import → first forward" measures what a fresh browser spends importing any module at all.
export const init = async () => ({ build: 'none', features: {} });
export class LSTM {
  forward() {
    return { output: new Float32Array(1) };
  }
  dispose() {}
}
