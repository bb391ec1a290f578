/**
 * FP16 tensors travel as their 16-bit patterns (a Uint16Array, as onnxruntime takes them, in the
 * binary and gRPC forms as they are); only JSON writes them as numbers. These two convert one
 * element between the pattern and the number, through @petamoriken/float16 (IEEE 754 half
 * precision, round half to even, overflow to ±Infinity): Node 20 has no Math.f16round.
 */
import { getFloat16, setFloat16 } from '@petamoriken/float16';

const scratch = new DataView(new ArrayBuffer(2));

/** The FP16 bit pattern nearest to `value`. */
export function toHalfBits(value: number): number {
  setFloat16(scratch, 0, value);
  return scratch.getUint16(0);
}

/** The number an FP16 bit pattern stands for. */
export function fromHalfBits(bits: number): number {
  scratch.setUint16(0, bits);
  return getFloat16(scratch, 0);
}
