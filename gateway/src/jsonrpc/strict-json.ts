/**
 * A strict, single-pass JSON parser for request bodies: the RFC 8259 grammar plus the I-JSON
 * rules of RFC 7493, so that every JSON parser downstream reads the text the same way. Duplicate
 * member names, unpaired surrogates, numbers beyond the double range, a byte order mark and
 * nesting deeper than a fixed limit are refused, each with its own reason. Linear in the input:
 * one pass, no backtracking, a duplicate check per member in O(1).
 */

/** A parsed JSON value. Integers beyond ±2^53 keep their digits as `JSON.rawJSON` values. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject | RawJson;
export interface JsonObject {
  [member: string]: JsonValue;
}
/** What `JSON.rawJSON` returns: serialized by `JSON.stringify` as its literal text. */
export interface RawJson {
  readonly rawJSON: string;
}

export type StrictJsonFailure = "syntax" | "duplicate_member" | "too_deep" | "number_range" | "unpaired_surrogate";

export type StrictJsonResult =
  | {
      readonly ok: true;
      readonly value: JsonValue;
      /**
       * True when `JSON.stringify(value)` gives back the text exactly: no whitespace, no escape,
       * every number in the form JavaScript prints it, no member name that JavaScript would move
       * ahead of the others (an array index) and no "__proto__". Such a text can be relayed as it
       * came: it is the re-serialization, byte for byte.
       */
      readonly canonical: boolean;
    }
  | { readonly ok: false; readonly reason: StrictJsonFailure; readonly detail: string };

/** How deep arrays and objects may nest by default (the MCP envelope uses three levels). */
export const MAX_JSON_DEPTH = 64;

// Node 22 has JSON.rawJSON (TC39 "JSON.parse source text access") and String#isWellFormed
// (ES2024); the project's TypeScript lib (ES2023) does not declare them yet.
const json = JSON as unknown as { rawJSON(text: string): RawJson; isRawJSON(value: unknown): value is RawJson };
const rawJson = json.rawJSON;
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

/** True for an integer kept as its literal digits (see JsonValue). */
export function isRawJson(value: unknown): value is RawJson {
  return json.isRawJSON(value);
}

class Refusal {
  constructor(
    readonly reason: StrictJsonFailure,
    readonly detail: string,
  ) {}
}

// An escape or a raw control character (RFC 8259 §7: U+0000 to U+001F must be escaped).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_CARE = /[\\\u0000-\u001f]/;

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/**
 * Parses `text` as one JSON value (RFC 8259 §2–§7) under the I-JSON restrictions (RFC 7493 §2.1
 * no unpaired surrogates, §2.2 numbers within IEEE 754 double range, §2.3 unique member names).
 * Pure; never throws on bad input.
 */
export function parseStrictJson(text: string, maxDepth: number = MAX_JSON_DEPTH): StrictJsonResult {
  const parser = new Parser(text, maxDepth);
  try {
    const value = parser.document();
    return { ok: true, value, canonical: parser.canonical };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.reason, detail: error.detail };
    throw error;
  }
}

class Parser {
  private pos = 0;
  /** Cleared by anything `JSON.stringify` would write otherwise (see StrictJsonResult). */
  canonical = true;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  document(): JsonValue {
    this.space();
    const value = this.value(0);
    this.space();
    if (this.pos !== this.text.length) this.syntax("text after the JSON value");
    return value;
  }

  private syntax(what: string): never {
    throw new Refusal("syntax", `${what} at character ${this.pos}`);
  }

  private space(): void {
    const { text } = this;
    let c = text.charCodeAt(this.pos);
    // RFC 8259 §2: space, tab, line feed, carriage return; nothing else (no BOM, no NBSP).
    if (!(c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) return;
    this.canonical = false;
    do c = text.charCodeAt(++this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09);
  }

  private value(depth: number): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x22) return this.string();
    if (c === 0x7b) return this.object(depth + 1);
    if (c === 0x5b) return this.array(depth + 1);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (this.text.startsWith("true", this.pos)) return this.literal(4, true);
    if (this.text.startsWith("false", this.pos)) return this.literal(5, false);
    if (this.text.startsWith("null", this.pos)) return this.literal(4, null);
    return this.syntax(Number.isNaN(c) ? "the end of the text where a value was expected" : "an unexpected character");
  }

  private literal<T>(length: number, value: T): T {
    this.pos += length;
    return value;
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) throw new Refusal("too_deep", `nests arrays and objects deeper than ${this.maxDepth} levels`);
    this.pos++;
    this.space();
  }

  private object(depth: number): JsonObject {
    this.enter(depth);
    const object: JsonObject = {};
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return object;
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22) this.syntax("a member name was expected");
      const name = this.string();
      if (Object.hasOwn(object, name)) throw new Refusal("duplicate_member", name);
      // JSON.stringify writes array-index names first, in numeric order: a name that starts with a
      // digit may be one.
      const first = name.charCodeAt(0);
      if (first >= 0x30 && first <= 0x39) this.canonical = false;
      this.space();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.syntax('":" was expected');
      this.pos++;
      this.space();
      // Most members are strings: read them without the general dispatch.
      const member = this.text.charCodeAt(this.pos) === 0x22 ? this.string() : this.value(depth);
      // "__proto__" must become an own member, as JSON.parse makes it, not the object's prototype.
      if (name === "__proto__") {
        Object.defineProperty(object, name, { value: member, enumerable: true, writable: true, configurable: true });
        this.canonical = false;
      } else object[name] = member;
      this.space();
      const next = this.text.charCodeAt(this.pos++);
      if (next === 0x7d) return object;
      if (next !== 0x2c) {
        this.pos--;
        this.syntax('"," or "}" was expected');
      }
      this.space();
    }
  }

  private array(depth: number): JsonValue[] {
    this.enter(depth);
    const array: JsonValue[] = [];
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return array;
    }
    for (;;) {
      array.push(this.value(depth));
      this.space();
      const next = this.text.charCodeAt(this.pos++);
      if (next === 0x5d) return array;
      if (next !== 0x2c) {
        this.pos--;
        this.syntax('"," or "]" was expected');
      }
      this.space();
    }
  }

  private string(): string {
    const { text } = this;
    const start = ++this.pos;
    // Fast path, in native code: up to the next quote there is no escape and no control character.
    // The text came from a fatal UTF-8 decode, so it is well formed. Each character is looked at
    // a bounded number of times, so the whole parse stays linear.
    const quote = text.indexOf('"', start);
    if (quote === -1) this.syntax("an unterminated string");
    const plain = text.slice(start, quote);
    if (!NEEDS_CARE.test(plain)) {
      this.pos = quote + 1;
      return plain;
    }
    // An escape or a control character: JSON.stringify may spell the string otherwise.
    this.canonical = false;
    let out = "";
    let unicodeEscapes = false;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        break;
      }
      if (!(c >= 0x20)) this.syntax(Number.isNaN(c) ? "an unterminated string" : "a control character in a string");
      if (c !== 0x5c) {
        const run = this.pos;
        while (this.pos < text.length) {
          const d = text.charCodeAt(this.pos);
          if (d === 0x22 || d === 0x5c || d < 0x20) break;
          this.pos++;
        }
        out += text.slice(run, this.pos);
        continue;
      }
      const escape = text[this.pos + 1] ?? "";
      if (escape === "u") {
        const hex = text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.syntax("a malformed \\u escape");
        out += String.fromCharCode(Number.parseInt(hex, 16));
        unicodeEscapes = true;
        this.pos += 6;
      } else {
        const decoded = ESCAPES[escape];
        if (decoded === undefined) this.syntax("an unknown escape in a string");
        out += decoded;
        this.pos += 2;
      }
    }
    if (unicodeEscapes && !isWellFormed(out)) throw new Refusal("unpaired_surrogate", "a \\u escape names half of a surrogate pair");
    return out;
  }

  private number(): number | RawJson {
    const { text } = this;
    const start = this.pos;
    if (text.charCodeAt(this.pos) === 0x2d) this.pos++;
    const first = text.charCodeAt(this.pos);
    if (first === 0x30) this.pos++;
    else if (first >= 0x31 && first <= 0x39) this.digits();
    else this.syntax("a malformed number");
    let integer = true;
    if (text.charCodeAt(this.pos) === 0x2e) {
      integer = false;
      this.pos++;
      if (this.digits() === 0) this.syntax("a malformed number");
    }
    const e = text.charCodeAt(this.pos);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      this.pos++;
      const sign = text.charCodeAt(this.pos);
      if (sign === 0x2b || sign === 0x2d) this.pos++;
      if (this.digits() === 0) this.syntax("a malformed number");
    }
    const literal = text.slice(start, this.pos);
    const value = Number(literal);
    if (!Number.isFinite(value)) throw new Refusal("number_range", "a number beyond the range of a double");
    if (integer && !Number.isSafeInteger(value)) {
      // An integer a double cannot hold keeps its digits, so no hop sees another number.
      if (BigInt(value).toString() !== literal) return rawJson(literal);
      if (String(value) !== literal) this.canonical = false;
    } else if (integer ? value === 0 && literal !== "0" : String(value) !== literal) this.canonical = false;
    return value;
  }

  private digits(): number {
    const from = this.pos;
    let c = this.text.charCodeAt(this.pos);
    while (c >= 0x30 && c <= 0x39) c = this.text.charCodeAt(++this.pos);
    return this.pos - from;
  }
}
