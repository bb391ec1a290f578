/**
 * A reader for protobuf's text format (the language of Triton's config.pbtxt), giving a generic
 * tree of fields. No maintained JavaScript library parses the text format (protobufjs and
 * @bufbuild/protobuf read binary and JSON only), so this is ours: the grammar of the published
 * text-format spec — fields `name: value` or `name { ... }` (also `name: { }`, `< >`), lists
 * `[a, b]`, quoted strings with escapes and implicit concatenation, numbers, identifiers (enum
 * values, true/false), `#` comments and optional `,`/`;` separators. Typing against a schema is
 * the caller's (config.ts), which knows which fields it reads.
 */

export type TextScalar =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'identifier'; value: string };

export interface TextField {
  line: number;
  value: TextScalar | TextMessage;
}

export class TextMessage {
  readonly kind = 'message';
  readonly fields = new Map<string, TextField[]>();

  add(name: string, field: TextField): void {
    const list = this.fields.get(name);
    if (list) list.push(field);
    else this.fields.set(name, [field]);
  }

  get(name: string): TextField[] {
    return this.fields.get(name) ?? [];
  }
}

/** A syntax error, with the 1-based line it was found on. */
export class TextFormatSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'TextFormatSyntaxError';
  }
}

type Token =
  | { type: 'identifier'; text: string; line: number }
  | { type: 'string'; text: string; line: number }
  | { type: 'number'; text: string; line: number }
  | { type: 'symbol'; text: string; line: number }
  | { type: 'end'; text: ''; line: number };

/** Nesting deeper than this is refused, so a hostile file cannot exhaust the stack. */
const MAX_DEPTH = 64;

export function parseTextFormat(text: string): TextMessage {
  return new TextParser(tokenize(text)).parseMessage(undefined, 0);
}

/** A recursive-descent parser over the tokens, one method per rule of the grammar. */
class TextParser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position];
  }

  private next(): Token {
    return this.tokens[this.position++];
  }

  private atSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.type === 'symbol' && token.text === symbol;
  }

  /** Fields up to `close` (or the end of the file, for the outermost message). */
  parseMessage(close: string | undefined, depth: number): TextMessage {
    if (depth > MAX_DEPTH) throw new TextFormatSyntaxError(`messages nest deeper than ${MAX_DEPTH} levels`, this.peek().line);
    const message = new TextMessage();
    for (;;) {
      const token = this.peek();
      if (close === undefined ? token.type === 'end' : this.atSymbol(close)) {
        this.next();
        return message;
      }
      if (token.type === 'end') throw new TextFormatSyntaxError(`missing '${close}' before the end of the file`, token.line);
      if (token.type !== 'identifier') throw new TextFormatSyntaxError(`expected a field name but found ${describe(token)}`, token.line);
      this.next();
      this.parseFieldValue(token.text, token.line, message, depth);
      if (this.atSymbol(',') || this.atSymbol(';')) this.next();
    }
  }

  /** `: value`, `: [list]`, `{ message }` or `: { message }` after a field name. */
  private parseFieldValue(name: string, line: number, message: TextMessage, depth: number): void {
    const hasColon = this.atSymbol(':');
    if (hasColon) this.next();
    if (this.atSymbol('[')) {
      this.next();
      this.parseList(name, message, depth);
      return;
    }
    if (!hasColon && !this.atSymbol('{') && !this.atSymbol('<')) {
      const token = this.peek();
      throw new TextFormatSyntaxError(`expected ':' or '{' after '${name}' but found ${describe(token)}`, token.line);
    }
    message.add(name, { line, value: this.parseValue(depth) });
  }

  /** The items of `[a, b, ...]` after its '[', each added as a repeated field. */
  private parseList(name: string, message: TextMessage, depth: number): void {
    if (this.atSymbol(']')) {
      this.next();
      return;
    }
    for (;;) {
      message.add(name, { line: this.peek().line, value: this.parseValue(depth) });
      const after = this.next();
      if (after.type === 'symbol' && after.text === ']') return;
      if (after.type !== 'symbol' || after.text !== ',')
        throw new TextFormatSyntaxError(`expected ',' or ']' in the list '${name}' but found ${describe(after)}`, after.line);
    }
  }

  private parseValue(depth: number): TextScalar | TextMessage {
    const token = this.next();
    if (token.type === 'symbol' && (token.text === '{' || token.text === '<'))
      return this.parseMessage(token.text === '{' ? '}' : '>', depth + 1);
    if (token.type === 'string') {
      let value = token.text;
      // Adjacent string literals are one value, as in C.
      while (this.peek().type === 'string') value += this.next().text;
      return { kind: 'string', value };
    }
    if (token.type === 'number') return { kind: 'number', value: Number(token.text), text: token.text };
    if (token.type === 'symbol' && token.text === '-') return this.parseNegative();
    if (token.type === 'identifier') return { kind: 'identifier', value: token.text };
    throw new TextFormatSyntaxError(`expected a value but found ${describe(token)}`, token.line);
  }

  /** A number (or -inf) after a '-'. */
  private parseNegative(): TextScalar {
    const operand = this.next();
    if (operand.type === 'number') return { kind: 'number', value: -Number(operand.text), text: `-${operand.text}` };
    if (operand.type === 'identifier' && /^(inf|infinity)$/i.test(operand.text))
      return { kind: 'number', value: Number.NEGATIVE_INFINITY, text: `-${operand.text}` };
    throw new TextFormatSyntaxError(`expected a number after '-' but found ${describe(operand)}`, operand.line);
  }
}

function describe(token: Token): string {
  if (token.type === 'end') return 'the end of the file';
  if (token.type === 'string') return `the string ${JSON.stringify(token.text.slice(0, 30))}`;
  return `'${token.text}'`;
}

const SYMBOLS = new Set([':', '{', '}', '<', '>', '[', ']', ',', ';', '-']);
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '?': '?',
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '\n') {
      line++;
      i++;
    } else if (char === ' ' || char === '\t' || char === '\r' || char === '\f' || char === '\v') {
      i++;
    } else if (char === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (char === '"' || char === "'") {
      const { value, end } = readString(text, i, line);
      tokens.push({ type: 'string', text: value, line });
      i = end;
    } else if (/[0-9.]/.test(char) && (char !== '.' || /[0-9]/.test(text[i + 1] ?? ''))) {
      const match = /^(0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[fFuU]?/.exec(text.slice(i, i + 400))!;
      tokens.push({ type: 'number', text: match[1], line });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(text.slice(i, i + 1000))!;
      tokens.push({ type: 'identifier', text: match[0], line });
      i += match[0].length;
    } else if (char === '+') {
      i++; // a leading plus changes nothing
    } else if (SYMBOLS.has(char)) {
      tokens.push({ type: 'symbol', text: char, line });
      i++;
    } else {
      throw new TextFormatSyntaxError(`unexpected character ${JSON.stringify(char)}`, line);
    }
  }
  tokens.push({ type: 'end', text: '', line });
  return tokens;
}

/** The quoted string starting at `start` (its quote), with escapes resolved; `end` is just past its closing quote. */
function readString(text: string, start: number, line: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length && text[i] !== quote) {
    if (text[i] === '\n') throw new TextFormatSyntaxError('a string runs past the end of its line', line);
    if (text[i] !== '\\') {
      value += text[i++];
      continue;
    }
    const escaped = text[i + 1];
    if (escaped === undefined) break;
    if (ESCAPES[escaped] !== undefined) {
      value += ESCAPES[escaped];
      i += 2;
    } else if (/[0-7]/.test(escaped)) {
      const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))![0];
      value += String.fromCharCode(parseInt(octal, 8));
      i += 1 + octal.length;
    } else if (escaped === 'x' && /^[0-9a-fA-F]{1,2}/.test(text.slice(i + 2, i + 4))) {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 2, i + 4))![0];
      value += String.fromCharCode(parseInt(hex, 16));
      i += 2 + hex.length;
    } else {
      throw new TextFormatSyntaxError(`unknown escape '\\${escaped}' in a string`, line);
    }
  }
  if (i >= text.length) throw new TextFormatSyntaxError('a string is not closed', line);
  return { value, end: i + 1 };
}
