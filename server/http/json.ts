/**
 * Triton's JSON dialect, read and written exactly. Triton (RapidJSON with kParseNanAndInfFlag and
 * kWriteNanAndInfFlag) reads and writes the literals NaN, Infinity and -Infinity (Inf too, when
 * reading), and holds INT64/UINT64 values exactly, where plain JSON.parse rounds integers past
 * 2^53 and JSON.stringify writes NaN and ±Infinity as null: silent wrong answers both ways.
 *
 * Reading: JSON.parse first, since nearly every body is plain JSON without huge integers; a body it
 * refuses (a NaN literal), or whose result holds an integer JSON.parse could not have held exactly,
 * is read again by the exact reader: jsonc-parser's scanner (VS Code's maintained JSON tokenizer:
 * strings with every escape, numbers, positions) under a strict JSON grammar that adds only
 * RapidJSON's non-finite literals and keeps integers past 2^53 as bigint. No text is rewritten.
 * (lossless-json keeps integers exact but refuses NaN and cannot write it; JSON5 reads NaN but
 * rounds integers, and accepts much that is not JSON.)
 *
 * Writing is core/tensors.ts' valuesToJsonText: numbers joined natively, which spells NaN, Infinity
 * and -Infinity as Triton does and writes every bigint in full.
 */
import { createScanner, type JSONScanner } from 'jsonc-parser';

/** jsonc-parser's SyntaxKind and ScanError values (declared there as const enums, which isolated modules cannot import). */
const TOKEN = {
  OpenBrace: 1,
  CloseBrace: 2,
  OpenBracket: 3,
  CloseBracket: 4,
  Comma: 5,
  Colon: 6,
  Null: 7,
  True: 8,
  False: 9,
  String: 10,
  Number: 11,
  LineComment: 12,
  BlockComment: 13,
  LineBreak: 14,
  Trivia: 15,
  Unknown: 16,
  EOF: 17,
} as const;
const SCAN_ERROR_NONE = 0;
/** Deeper nesting than any inference request needs; bounds the reader's recursion. */
const MAX_DEPTH = 64;

export type ExactJson = null | boolean | number | bigint | string | ExactJson[] | { [key: string]: ExactJson };

export class JsonSyntaxError extends Error {}

/**
 * Parses `text` as Triton's JSON: NaN, Infinity, -Infinity (and Inf) are numbers, and an integer
 * JavaScript cannot hold exactly comes back as a bigint. Throws JsonSyntaxError with the position.
 */
export function parseExactJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return new ExactReader(text).read();
  }
  return holdsRoundedInteger(value, 0) ? new ExactReader(text).read() : value;
}

/** True when some number in `value` is an integer past 2^53: JSON.parse may have rounded its literal. */
function holdsRoundedInteger(value: unknown, depth: number): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsRoundedInteger(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) if (holdsRoundedInteger((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

class ExactReader {
  private readonly scanner: JSONScanner;
  private token: number = 0;

  constructor(private readonly text: string) {
    this.scanner = createScanner(text, false);
  }

  read(): ExactJson {
    this.next();
    const value = this.value(0);
    if (this.token !== TOKEN.EOF) this.fail('unexpected text after the JSON value');
    return value;
  }

  /** Advances to the next significant token (whitespace skipped; comments are not JSON). */
  private next(): void {
    for (;;) {
      this.token = this.scanner.scan();
      if (this.token === TOKEN.Trivia || this.token === TOKEN.LineBreak) continue;
      if (this.token === TOKEN.LineComment || this.token === TOKEN.BlockComment) this.fail('comments are not JSON');
      if (this.scanner.getTokenError() !== SCAN_ERROR_NONE) this.fail(`malformed ${this.token === TOKEN.String ? 'string' : 'token'}`);
      return;
    }
  }

  private value(depth: number): ExactJson {
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    switch (this.token) {
      case TOKEN.OpenBrace:
        return this.object(depth);
      case TOKEN.OpenBracket:
        return this.array(depth);
      case TOKEN.String:
        return this.take(this.scanner.getTokenValue());
      case TOKEN.Number:
        return this.take(numberFromLiteral(this.scanner.getTokenValue()));
      case TOKEN.True:
        return this.take(true);
      case TOKEN.False:
        return this.take(false);
      case TOKEN.Null:
        return this.take(null);
      case TOKEN.Unknown:
        return this.nonFinite();
      default:
        return this.fail('expected a value');
    }
  }

  private take<T extends ExactJson>(value: T): T {
    this.next();
    return value;
  }

  /** RapidJSON's non-finite literals: NaN, Inf, Infinity, each optionally after a minus sign. */
  private nonFinite(): number {
    let word = this.scanner.getTokenValue();
    let sign = 1;
    if (word === '-') {
      const minusEnd = this.scanner.getTokenOffset() + 1;
      this.token = this.scanner.scan();
      if (this.token !== TOKEN.Unknown || this.scanner.getTokenOffset() !== minusEnd) this.fail('expected a number after the minus sign');
      word = this.scanner.getTokenValue();
      sign = -1;
    }
    if (word === 'NaN') return this.take(Number.NaN);
    if (word === 'Infinity' || word === 'Inf') return this.take(sign * Number.POSITIVE_INFINITY);
    return this.fail('expected a value');
  }

  private array(depth: number): ExactJson[] {
    const items: ExactJson[] = [];
    this.next();
    if (this.token === TOKEN.CloseBracket) return this.take(items);
    for (;;) {
      items.push(this.value(depth + 1));
      if (this.token === TOKEN.CloseBracket) return this.take(items);
      this.expect(TOKEN.Comma, "',' or ']'");
    }
  }

  private object(depth: number): { [key: string]: ExactJson } {
    const object: { [key: string]: ExactJson } = {};
    this.next();
    if (this.token === TOKEN.CloseBrace) return this.take(object);
    for (;;) {
      const key = this.memberName();
      this.next();
      this.expect(TOKEN.Colon, "':'");
      const value = this.value(depth + 1);
      // As JSON.parse does: "__proto__" is an ordinary member, never the prototype.
      Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      if (this.token === TOKEN.CloseBrace) return this.take(object);
      this.expect(TOKEN.Comma, "',' or '}'");
    }
  }

  private memberName(): string {
    if (this.token !== TOKEN.String) this.fail('expected a quoted member name');
    return this.scanner.getTokenValue();
  }

  private expect(token: number, what: string): void {
    if (this.token !== token) this.fail(`expected ${what}`);
    this.next();
  }

  private fail(problem: string): never {
    const offset = this.token === TOKEN.EOF ? this.text.length : this.scanner.getTokenOffset();
    const found = this.token === TOKEN.EOF ? 'the end of the text' : JSON.stringify(this.text.slice(offset, offset + 12));
    throw new JsonSyntaxError(`${problem} at position ${offset} (found ${found})`);
  }
}

/** A JSON number literal: a float as a number, an integer as a number when exact and as a bigint otherwise. */
function numberFromLiteral(literal: string): number | bigint {
  const value = Number(literal);
  if (/[.eE]/.test(literal) || Number.isSafeInteger(value)) return value;
  return BigInt(literal);
}
