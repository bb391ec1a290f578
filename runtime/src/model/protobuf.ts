/**
 * Just enough protobuf wire-format reading to pull ModelProto.metadata_props out of model bytes,
 * because onnxruntime's JS API (1.30) does not expose custom metadata. protobufjs would do this,
 * but it is not resolvable from this package without an install (only nested copies exist under
 * onnxruntime-web and onnx-proto), so this reader stays deliberately tiny: top-level fields only,
 * skipping everything it does not need, with every length checked against the buffer.
 */

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

export interface ProtoField {
  fieldNumber: number;
  wireType: number;
  /** Varint value (wire type 0). Exact up to 2^53, which covers every length and enum we read. */
  value?: number;
  /** Payload of a length-delimited field (wire type 2), a view into the input. */
  bytes?: Uint8Array;
}

/** The bytes end before a field does, or contain a wire type protobuf 3 cannot have. */
export class ProtobufFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufFormatError';
  }
}

/** Reads a varint at `offset`; returns the value and the offset after it. */
function readVarint(buffer: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 10; i += 1) {
    if (offset + i >= buffer.length) throw new ProtobufFormatError(`varint at byte ${offset} runs past the end (${buffer.length} bytes)`);
    const byte = buffer[offset + i]!;
    value += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) return [value, offset + i + 1];
  }
  throw new ProtobufFormatError(`varint at byte ${offset} is longer than 10 bytes`);
}

function need(buffer: Uint8Array, offset: number, length: number, what: string): void {
  if (offset + length > buffer.length) {
    throw new ProtobufFormatError(`${what} at byte ${offset} needs ${length} bytes but only ${buffer.length - offset} remain`);
  }
}

/** Decodes the fields of one message, in order. Throws ProtobufFormatError on malformed or truncated input. */
export function readFields(buffer: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [key, afterKey] = readVarint(buffer, offset);
    const fieldNumber = Math.floor(key / 8);
    const wireType = key % 8;
    if (fieldNumber === 0) throw new ProtobufFormatError(`field number 0 at byte ${offset}`);
    offset = afterKey;
    switch (wireType) {
      case WireType.varint: {
        const [value, next] = readVarint(buffer, offset);
        fields.push({ fieldNumber, wireType, value });
        offset = next;
        break;
      }
      case WireType.fixed64:
        need(buffer, offset, 8, `fixed64 field ${fieldNumber}`);
        fields.push({ fieldNumber, wireType });
        offset += 8;
        break;
      case WireType.fixed32:
        need(buffer, offset, 4, `fixed32 field ${fieldNumber}`);
        fields.push({ fieldNumber, wireType });
        offset += 4;
        break;
      case WireType.lengthDelimited: {
        const [length, start] = readVarint(buffer, offset);
        need(buffer, start, length, `field ${fieldNumber}`);
        fields.push({ fieldNumber, wireType, bytes: buffer.subarray(start, start + length) });
        offset = start + length;
        break;
      }
      default:
        throw new ProtobufFormatError(`unsupported wire type ${wireType} for field ${fieldNumber} at byte ${offset}`);
    }
  }
  return fields;
}
