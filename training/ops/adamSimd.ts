/**
 * Adam's element loop as a tiny WebAssembly module with 128-bit SIMD (four float32 lanes), run
 * directly on the memory of tfjs's wasm backend. In JavaScript the loop is bound by one scalar
 * square root and one division per element (about half a millisecond per step for the MLP's
 * 101,770 weights); four lanes at a time it takes about a quarter of that. The module is a dozen
 * instructions, assembled here from named opcodes rather than shipped as a binary.
 *
 * adam(value, m, v, gradient, newValue, newM, newV, count, beta1, 1-beta1, beta2, 1-beta2, stepSize, epsilon)
 * takes byte addresses in the shared memory and a count that is a multiple of four; it computes
 *   newM = beta1·m + (1−beta1)·g,  newV = beta2·v + (1−beta2)·g²,  newValue = value − stepSize·newM / (√newV + epsilon).
 */

// Opcodes (WebAssembly core 2.0 and its fixed-width SIMD instructions, which follow the 0xfd prefix).
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const op = {
  localGet: (index: number) => [0x20, index],
  localSet: (index: number) => [0x21, index],
  i32Const: (value: number) => [0x41, ...signedLeb128(value)],
  i32Add: [0x6a],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  brIf: (depth: number) => [0x0d, depth],
  br: (depth: number) => [0x0c, depth],
  end: [0x0b],
  // memarg: alignment hint 2^0 (any address), offset 0
  v128Load: [0xfd, 0x00, 0x00, 0x00],
  v128Store: [0xfd, 0x0b, 0x00, 0x00],
  f32x4Splat: [0xfd, 0x13],
  f32x4Sqrt: [0xfd, 0xe3, 0x01],
  f32x4Add: [0xfd, 0xe4, 0x01],
  f32x4Sub: [0xfd, 0xe5, 0x01],
  f32x4Mul: [0xfd, 0xe6, 0x01],
  f32x4Div: [0xfd, 0xe7, 0x01],
};

// Parameters, then locals, by index.
const [VALUE, M, V, GRADIENT, NEW_VALUE, NEW_M, NEW_V, COUNT, BETA1, KEEP1, BETA2, KEEP2, STEP_SIZE, EPSILON] = Array.from(
  { length: 14 },
  (_, i) => i,
);
const [OFFSET, END, B1, K1, B2, K2, STEP, EPS, G, FIRST, SECOND] = Array.from({ length: 11 }, (_, i) => 14 + i);

function adamBody(): number[] {
  const at = (base: number) => [...op.localGet(base), ...op.localGet(OFFSET), ...op.i32Add];
  const splat = (from: number, to: number) => [...op.localGet(from), ...op.f32x4Splat, ...op.localSet(to)];
  return [
    ...op.localGet(COUNT),
    ...op.i32Const(2),
    ...op.i32Shl,
    ...op.localSet(END), // end = count · 4 bytes
    ...splat(BETA1, B1),
    ...splat(KEEP1, K1),
    ...splat(BETA2, B2),
    ...splat(KEEP2, K2),
    ...splat(STEP_SIZE, STEP),
    ...splat(EPSILON, EPS),
    ...op.block,
    ...op.loop,
    ...op.localGet(OFFSET),
    ...op.localGet(END),
    ...op.i32GeU,
    ...op.brIf(1),
    ...at(GRADIENT),
    ...op.v128Load,
    ...op.localSet(G),
    // first = beta1·m + keep1·g
    ...at(M),
    ...op.v128Load,
    ...op.localGet(B1),
    ...op.f32x4Mul,
    ...op.localGet(G),
    ...op.localGet(K1),
    ...op.f32x4Mul,
    ...op.f32x4Add,
    ...op.localSet(FIRST),
    // second = beta2·v + keep2·g·g
    ...at(V),
    ...op.v128Load,
    ...op.localGet(B2),
    ...op.f32x4Mul,
    ...op.localGet(G),
    ...op.localGet(G),
    ...op.f32x4Mul,
    ...op.localGet(K2),
    ...op.f32x4Mul,
    ...op.f32x4Add,
    ...op.localSet(SECOND),
    ...at(NEW_M),
    ...op.localGet(FIRST),
    ...op.v128Store,
    ...at(NEW_V),
    ...op.localGet(SECOND),
    ...op.v128Store,
    // newValue = value − step·first / (√second + eps)
    ...at(NEW_VALUE),
    ...at(VALUE),
    ...op.v128Load,
    ...op.localGet(STEP),
    ...op.localGet(FIRST),
    ...op.f32x4Mul,
    ...op.localGet(SECOND),
    ...op.f32x4Sqrt,
    ...op.localGet(EPS),
    ...op.f32x4Add,
    ...op.f32x4Div,
    ...op.f32x4Sub,
    ...op.v128Store,
    ...op.localGet(OFFSET),
    ...op.i32Const(16),
    ...op.i32Add,
    ...op.localSet(OFFSET),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.end,
  ];
}

/** The module: one function `adam`, importing its memory as env.memory. */
function adamModule(): Uint8Array<ArrayBuffer> {
  const name = (text: string) => [text.length, ...Buffer.from(text)];
  const section = (id: number, content: number[]) => [id, ...unsignedLeb128(content.length), ...content];
  const type = [0x01, 0x60, 14, ...Array(8).fill(I32), ...Array(6).fill(F32), 0x00];
  const imports = [0x01, ...name('env'), ...name('memory'), 0x02, 0x00, 0x00]; // memory, no maximum, minimum 0 pages
  const body = [0x02, 0x02, I32, 0x09, V128, ...adamBody()]; // locals: 2 i32, 9 v128
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, type),
    ...section(2, imports),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, ...name('adam'), 0x00, 0x00]),
    ...section(10, [0x01, ...unsignedLeb128(body.length), ...body]),
  ]);
}

function unsignedLeb128(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function signedLeb128(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...bytes, byte];
    bytes.push(byte | 0x80);
  }
}

export type SimdAdam = (
  value: number,
  m: number,
  v: number,
  gradient: number,
  newValue: number,
  newM: number,
  newV: number,
  count: number,
  beta1: number,
  keep1: number,
  beta2: number,
  keep2: number,
  stepSize: number,
  epsilon: number,
) => void;

const instances = new WeakMap<WebAssembly.Memory, SimdAdam | null>();

/** The SIMD loop bound to `memory`, or null where this WebAssembly has no SIMD. */
export function simdAdamFor(memory: WebAssembly.Memory): SimdAdam | null {
  if (!instances.has(memory)) {
    let adam: SimdAdam | null = null;
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(adamModule()), { env: { memory } });
      adam = instance.exports.adam as SimdAdam;
    } catch {
      adam = null; // no SIMD (or a memory we cannot import): the JavaScript loop does the work
    }
    instances.set(memory, adam);
  }
  return instances.get(memory)!;
}
