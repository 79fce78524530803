/**
 * The strict JSON parser and the member-name fold the gateway decides on: valid JSON parses to
 * what JSON.parse makes of it (so re-serializing changes no meaning), every I-JSON refusal has
 * its reason, and the fold catches the spellings other parsers would take for a member.
 */
import { describe, expect, it } from "vitest";
import { MESSAGE_MEMBERS, PARAMS_MEMBERS, foldMemberName } from "../src/jsonrpc/member-names";
import { parseMcpBody } from "../src/jsonrpc/message";
import { decodeRoutingHeader } from "../src/jsonrpc/routing-headers";
import { MAX_JSON_DEPTH, parseStrictJson } from "../src/jsonrpc/strict-json";

const parse = (text: string) => parseStrictJson(text);
const valueOf = (text: string) => {
  const result = parse(text);
  if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
  return result.value;
};

describe("valid JSON", () => {
  it.each([
    "null",
    "true",
    " false ",
    "0",
    "-0.5e-3",
    "1E+2",
    '""',
    '"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"',
    '"caf\u00e9 \ud83d\ude00"',
    "[]",
    "{}",
    ' { "a" : [ 1 , { "b" : null } ] , "c" : "d" } ',
    '{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"echo","arguments":{"n":[1,2.5,-3e10]}}}',
    '{"2":"two","1":"one","b":1,"a":2}',
    "9007199254740991",
    "1152921504606846976",
  ])("parses %s exactly as JSON.parse does", (text) => {
    const value = valueOf(text);
    expect(value).toEqual(JSON.parse(text));
    expect(JSON.stringify(value)).toBe(JSON.stringify(JSON.parse(text)));
  });

  it("keeps the digits of integers a double cannot hold, and only those", () => {
    expect(JSON.stringify(valueOf('{"a":123456789012345678901234567890,"b":-98765432109876543210,"c":9007199254740993}'))).toBe(
      '{"a":123456789012345678901234567890,"b":-98765432109876543210,"c":9007199254740993}',
    );
    expect(JSON.stringify(valueOf('{"a":1.0,"b":1e2,"c":9007199254740992}'))).toBe('{"a":1,"b":100,"c":9007199254740992}');
  });

  it('makes "__proto__" an own member, as JSON.parse does, without touching any prototype', () => {
    const value = valueOf('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["__proto__", "a"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(value)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
    expect(parse(`${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`).ok).toBe(true);
    expect(parse(`${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`)).toMatchObject({ ok: false, reason: "too_deep" });
    expect(parseStrictJson('{"a":{"b":1}}', 1)).toMatchObject({ ok: false, reason: "too_deep" });
  });
});

describe("refusals", () => {
  it.each([
    ["", "syntax"],
    ["nul", "syntax"],
    ["True", "syntax"],
    ["01", "syntax"],
    ["1.", "syntax"],
    [".5", "syntax"],
    ["+1", "syntax"],
    ["-", "syntax"],
    ["1e", "syntax"],
    ["0x10", "syntax"],
    ["Infinity", "syntax"],
    ["'a'", "syntax"],
    ['"\\x41"', "syntax"],
    ['"\\u12"', "syntax"],
    ['"a', "syntax"],
    ['"a\\', "syntax"],
    ['"a\\u00', "syntax"],
    ['{"a":1', "syntax"],
    ['{"a"', "syntax"],
    ["[1", "syntax"],
    ["[", "syntax"],
    ['"tab\there"', "syntax"],
    ["[1,]", "syntax"],
    ["[1 2]", "syntax"],
    ['{"a" 1}', "syntax"],
    ["{a:1}", "syntax"],
    ["\u00a0{}", "syntax"],
    ["\ufeff{}", "syntax"],
    ["{} {}", "syntax"],
    ['{"a":1,"a":2}', "duplicate_member"],
    ['{"a":1,"\\u0061":2}', "duplicate_member"],
    ['[{"x":{"y":1,"y":1}}]', "duplicate_member"],
    ["1e400", "number_range"],
    ["-1e309", "number_range"],
    ['"\\ud800"', "unpaired_surrogate"],
    ['"\\udc00\\ud800"', "unpaired_surrogate"],
  ])("refuses %j (%s)", (text, reason) => {
    expect(parse(text)).toMatchObject({ ok: false, reason });
  });

  it("names the repeated member", () => {
    expect(parse('{"method":"a","method":"b"}')).toEqual({ ok: false, reason: "duplicate_member", detail: "method" });
  });
});

describe("member-name fold", () => {
  it.each([
    ["Method", "method"],
    ["METHOD", "method"],
    ["param\u017f", "params"],
    ["progressTo\u212Aen", "progresstoken"],
    ["\uff4dethod", "method"],
    ["meth\u200bod", "method"],
    ["meth\u00adod", "method"],
    ["stra\u00dfe", "strasse"],
    ["\u0131d", "id"],
  ])("folds %j to %j", (name, folded) => {
    expect(foldMemberName(name)).toBe(folded);
  });

  it("finds a variant of a member, and leaves exact members and other names alone", () => {
    expect(MESSAGE_MEMBERS.findVariant({ jsonrpc: "2.0", id: 1, method: "ping", Method: "x" })).toEqual({
      variant: "Method",
      member: "method",
    });
    expect(MESSAGE_MEMBERS.findVariant({ jsonrpc: "2.0", id: 1, method: "ping", params: {}, names: 1, extra: 2 })).toBeUndefined();
    expect(PARAMS_MEMBERS.findVariant({ name: "a", Uri: "b" })).toEqual({ variant: "Uri", member: "uri" });
  });
});

describe("routing header values", () => {
  it.each([
    ["tools/call", "tools/call"],
    ["=?base64?w6ljaG8=?=", "\u00e9cho"],
    ["=?base64??=", ""],
    ["=?base64?w6ljaG8?=", null],
    ["=?base64?/w==?=", null],
    ["=?base64?***?=", null],
    ["=?base64?", "=?base64?"],
  ])("reads %j as %j", (header, text) => {
    expect(decodeRoutingHeader(header)).toBe(text);
  });
});

describe("a text that is already its own re-serialization", () => {
  const canonicalOf = (text: string) => {
    const result = parse(text);
    if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
    return result.canonical;
  };

  it.each([
    '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}',
    '{"a":[1,-2,0,2.5,-0.001,1e+21,1.5e-7,9007199254740992,123456789012345678901234567890],"b":{},"c":[],"d":null,"e":true}',
    '["caf\u00e9 \ud83d\ude00 \u2028",{"x1":"/"}]',
  ])("is relayed as it came: %s", (text) => {
    expect(canonicalOf(text)).toBe(true);
    expect(JSON.stringify(valueOf(text))).toBe(text);
  });

  it.each([
    [" {}", "whitespace before the value"],
    ["{} ", "whitespace after it"],
    ['{"a": 1}', "whitespace inside"],
    ['["\\u0041"]', "a \\u escape JSON.stringify does not write"],
    ['["\\/"]', "an escaped solidus"],
    ['["a\\nb"]', "an escape JSON.stringify writes alike (kept out all the same)"],
    ["[1.0]", "a number with a zero fraction"],
    ["[1E2]", "an exponent"],
    ["[1e2]", "an exponent JavaScript prints as an integer"],
    ["[-0]", "minus zero"],
    ["[0.10]", "a trailing zero"],
    ["[1000000000000000000000]", "an integer JavaScript prints with an exponent"],
    ['{"b":1,"2":2}', "an array-index name, which JSON.stringify writes first"],
    ['{"1":1}', "an array-index name in order (kept out all the same)"],
    ['{"__proto__":1}', '"__proto__"'],
  ])("is re-serialized: %s (%s)", (text) => {
    expect(canonicalOf(text)).toBe(false);
  });

  it("relays a canonical body's own bytes, and anything else re-serialized", () => {
    const compact = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"écho","arguments":{}}}');
    const spaced = Buffer.from('{"jsonrpc": "2.0", "id": 1, "method": "ping"}');
    const bodyOf = (bytes: Uint8Array) => {
      const parsed = parseMcpBody(bytes);
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.body;
    };
    expect(bodyOf(compact).bytes).toBe(compact);
    const respaced = bodyOf(spaced);
    expect(Buffer.from(respaced.bytes).toString()).toBe('{"jsonrpc":"2.0","id":1,"method":"ping"}');
    expect(Buffer.from(respaced.bytes).toString()).toBe(JSON.stringify(respaced.value));
  });

  // A seeded generator of values full of what JSON.stringify spells one way only, written out in
  // many ways: wherever the parser calls a text canonical, JSON.stringify must give it back.
  it("never calls a text canonical that JSON.stringify would write otherwise (4 000 generated texts)", () => {
    let seed = 0x2f6e2b1;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const NUMBERS = [
      "0",
      "-0",
      "7",
      "-12",
      "1.5",
      "1.50",
      "1.0",
      "1e2",
      "1E+2",
      "-2.5e-3",
      "0.1",
      "9007199254740993",
      "1e21",
      "100000000000000000000",
      "1000000000000000000000",
      "123456789012345678901234567890",
    ];
    const CHARS = ["a", "Z", "/", " ", "é", "\ud83d\ude00", "\u2028", "\u007f", '"', "\\", "\n", "\u0001", "0", ":"];
    const ESCAPES: Record<string, string[]> = {
      '"': ['\\"', "\\u0022"],
      "\\": ["\\\\", "\\u005c"],
      "\n": ["\\n", "\\u000a", "\\u000A"],
      "\u0001": ["\\u0001"],
      "/": ["/", "\\/"],
      a: ["a", "\\u0061"],
    };
    const space = () => (random() < 0.08 ? pick([" ", "\n", "\t", "\r\n"]) : "");
    const stringText = () => {
      let out = '"';
      const length = Math.floor(random() * 5);
      for (let i = 0; i < length; i++) {
        const char = pick(CHARS);
        out += ESCAPES[char] ? pick(ESCAPES[char] as string[]) : char;
      }
      return `${out}"`;
    };
    const valueText = (depth: number): string => {
      const kind = depth > 3 ? Math.floor(random() * 3) : Math.floor(random() * 5);
      if (kind === 0) return pick(NUMBERS);
      if (kind === 1) return stringText();
      if (kind === 2) return pick(["true", "false", "null"]);
      const count = Math.floor(random() * 4);
      if (kind === 3) return `[${Array.from({ length: count }, () => space() + valueText(depth + 1) + space()).join(",")}]`;
      const names = new Set<string>();
      while (names.size < count) names.add(pick(["a", "b", "id", "1", "2", "x0", "__proto__", "10"]));
      return `{${[...names].map((name) => `${space()}"${name}"${space()}:${space()}${valueText(depth + 1)}${space()}`).join(",")}}`;
    };
    let canonical = 0;
    for (let i = 0; i < 4000; i++) {
      const text = space() + valueText(0) + space();
      const result = parse(text);
      if (!result.ok) continue;
      if (result.canonical) {
        canonical++;
        expect(JSON.stringify(result.value), text).toBe(text);
      }
    }
    // The generator must reach the shortcut often enough for the check above to mean something.
    expect(canonical).toBeGreaterThan(400);
  });
});
