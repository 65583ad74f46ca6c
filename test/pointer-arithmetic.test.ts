// Issue 10 #1, the class guard: wasm pointers are byte offsets up to 4 GiB, so host code must turn
// them into indices with `>>> 2` (unsigned). A signed `>> 2` or `| 0` makes every offset past
// 2 GiB negative. The only signed shifts allowed in src/ are on values that are never pointers,
// listed here with the reason.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ALLOWED: { file: string; code: RegExp; why: string }[] = [
  { file: 'src/io/safetensors.ts', code: /\(h >> 10\) & 0x1f/, why: 'an IEEE half float: a 16-bit pattern' },
  { file: 'src/onnx/tensor.ts', code: /\(bits >> 10\) & 0x1f/, why: 'an IEEE half float: a 16-bit pattern' },
  { file: 'src/onnx/protobuf.ts', code: /\(byte & 0x7f\) >> 4/, why: 'a varint byte' },
  { file: 'src/bench/run.ts', code: /s\.length >> 1/, why: 'the middle of an array (a median)' },
  { file: 'src/peak.ts', code: /rates\.length >> 1/, why: 'the middle of an array (a median)' },
  {
    file: 'src/io/torch.ts',
    code: /\(k >> 1\) \* 2 \* PANEL/,
    why: 'a column index k < 2^24 (int8 panels pair columns)',
  },
];
const allowed = (file: string, line: string) => ALLOWED.some((a) => a.file === file && a.code.test(line));

const SIGNED_SHIFT = /[^>]>>(?![>=])/;
const OR_ZERO = /(?<!\|)\|\s*0(?![.xX\d])/;

/** A signed shift or `| 0` in code. Comments are left out, and so are type arguments (`Name<…>`,
 *  innermost first), whose closing `>>` is not a shift; formatted code puts spaces around operators. */
function suspicious(line: string): boolean {
  let code = line.replace(/\/\/.*$/, '').replaceAll('=>', '⇒');
  for (let before = ''; before !== code; ) {
    before = code;
    code = code.replace(/(\w)<[^<>]*>/g, '$1');
  }
  return SIGNED_SHIFT.test(code) || OR_ZERO.test(code);
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('pointer arithmetic in src/', () => {
  it('has no signed right shift and no `| 0` outside the allowed list', () => {
    const found: string[] = [];
    for (const file of files('src')) {
      const name = relative('.', file).replaceAll('\\', '/');
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (suspicious(line) && !allowed(name, line)) found.push(`${name}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('catches the mistake it guards against', () => {
    expect(suspicious('this.f32[ptr >> 2] = v;')).toBe(true);
    expect(suspicious('const at = (p: number) => p >> 2;')).toBe(true);
    expect(suspicious('this.f32[ptr >>> 2] = v;')).toBe(false);
    expect(suspicious('x >>= 1')).toBe(false);
    expect(suspicious('const m: Readonly<Record<string, new () => X>> = {};')).toBe(false);
    expect(suspicious('let m: Readonly<Record<string, (c: Record<string, unknown>) => L>> = {};')).toBe(false);
    expect(suspicious('const i = a < b ? ptr >> 2 : 0;')).toBe(true);
    expect(suspicious('// a comment about ptr >> 2')).toBe(false);
    expect(suspicious('const i = (ptr / 4) | 0;')).toBe(true);
    expect(suspicious('const i = n || 0;')).toBe(false);
  });
});
