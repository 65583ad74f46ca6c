import { tfjsCpu } from './adapters/tfjs.mjs';
import { dataFor, WORKLOADS } from './common.mjs';
await tfjsCpu.load();
const w = { ...WORKLOADS[2], T: 5 };
const r = await tfjsCpu.make(w, dataFor(w));
try { const c = await r.check(); console.log(c.out.length, c.loss); r.run(); } catch (e) { console.log(e); }
