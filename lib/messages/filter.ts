/**
 * The message filter language of search, move and export (pure: no I/O).
 *
 *   book                          the body contains "book" (plain text, case-sensitive)
 *   item = "book"                 a JSON field of the body (dotted paths: customer.address.city, lines.0.sku)
 *   quantity > 3                  =, !=, >, >=, <, <=, contains
 *   headers.x-warren-reason contains "schema"
 *   properties.messageId = "abc"  (messageId, correlationId, contentType, type, appId, priority, timestamp, redelivered, routingKey, exchange)
 *   item = "book" and quantity > 3   conditions joined by "and" must all hold
 *
 * A value is a JSON literal ("text", 3, true, null) or a bare word taken as text.
 */

export type Operator = "=" | "!=" | ">" | ">=" | "<" | "<=" | "contains";
export type Scope = "body" | "headers" | "properties";

export type Condition =
  | { kind: "text"; text: string }
  | { kind: "field"; scope: Scope; path: string[]; op: Operator; value: unknown };

export interface Filter {
  source: string;
  conditions: Condition[];
}

/** What a condition is tested against: one message as read from the queue. */
export interface Inspectable {
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON (parsed once per message, lazily). */
  json(): unknown;
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
}

export class FilterError extends Error {}

export const MAX_FILTER_LENGTH = 500;
const CONDITION = /^([A-Za-z0-9_$@][\w$@.\-:]*)\s*(!=|>=|<=|=|>|<|\bcontains\b)\s*(.+)$/s;

/** Splits on " and " outside double quotes. */
function splitAnd(source: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '"' && source[i - 1] !== "\\") quoted = !quoted;
    if (!quoted && /^\sand\s/i.test(source.slice(i, i + 5))) {
      parts.push(current);
      current = "";
      i += 4;
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

function parseValue(raw: string): unknown {
  const text = raw.trim();
  if (text.startsWith('"')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new FilterError(`the value ${text} is not a valid quoted string`);
    }
  }
  if (/^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/.test(text)) return JSON.parse(text) as unknown;
  return text;
}

function parseCondition(part: string): Condition {
  const match = CONDITION.exec(part);
  if (!match) return { kind: "text", text: part };
  const [, rawPath = "", rawOp = "", rawValue = ""] = match;
  const op = rawOp.toLowerCase() as Operator;
  let scope: Scope = "body";
  let path = rawPath.split(".");
  if ((path[0] === "headers" || path[0] === "header") && path.length > 1) {
    scope = "headers";
    // Header names often contain dots: everything after "headers." is one name.
    path = [rawPath.slice(path[0].length + 1)];
  } else if ((path[0] === "properties" || path[0] === "property") && path.length === 2) {
    scope = "properties";
    path = path.slice(1);
  }
  if (path.some((p) => p === "")) throw new FilterError(`"${rawPath}" is not a field path`);
  const value = parseValue(rawValue);
  if ([">", ">=", "<", "<="].includes(op) && typeof value !== "number" && typeof value !== "string") {
    throw new FilterError(`"${op}" compares with a number or text, not ${JSON.stringify(value)}`);
  }
  return { kind: "field", scope, path, op, value };
}

/** Parses a filter; an empty one matches every message. Throws FilterError with a reason a person can act on. */
export function parseFilter(source: string): Filter {
  const trimmed = source.trim();
  if (trimmed.length > MAX_FILTER_LENGTH) throw new FilterError(`a filter is at most ${MAX_FILTER_LENGTH} characters`);
  if (trimmed === "") return { source: "", conditions: [] };
  return { source: trimmed, conditions: splitAnd(trimmed).filter(Boolean).map(parseCondition) };
}

function lookup(root: unknown, path: string[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** AMQP gives header text as Buffers at times, and numbers as {value} wrappers. */
function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (value && typeof value === "object" && "value" in value && Object.keys(value).length <= 2) {
    return plain((value as { value: unknown }).value);
  }
  if (typeof value === "bigint") return Number(value);
  return value;
}

function equal(actual: unknown, expected: unknown): boolean {
  if (actual === undefined) return false;
  if (typeof expected === "string" && typeof actual !== "string" && actual !== null && typeof actual !== "object") {
    return String(actual) === expected;
  }
  if (typeof expected === "number" && typeof actual === "string" && actual.trim() !== "") {
    return Number(actual) === expected;
  }
  if (typeof actual === "object" && actual !== null) return JSON.stringify(actual) === JSON.stringify(expected);
  return actual === expected;
}

function compare(actual: unknown, op: Operator, expected: unknown): boolean {
  if (typeof expected === "number") {
    const n = typeof actual === "number" ? actual : typeof actual === "string" && actual.trim() ? Number(actual) : NaN;
    if (Number.isNaN(n)) return false;
    return op === ">" ? n > expected : op === ">=" ? n >= expected : op === "<" ? n < expected : n <= expected;
  }
  if (typeof actual !== "string" || typeof expected !== "string") return false;
  return op === ">"
    ? actual > expected
    : op === ">="
      ? actual >= expected
      : op === "<"
        ? actual < expected
        : actual <= expected;
}

function contains(actual: unknown, expected: unknown): boolean {
  if (actual === undefined || actual === null) return false;
  if (Array.isArray(actual)) return actual.some((item) => equal(plain(item), expected));
  const text = typeof actual === "object" ? JSON.stringify(actual) : String(actual);
  return text.includes(String(expected));
}

function test(condition: Condition, message: Inspectable): boolean {
  if (condition.kind === "text") return message.body.includes(condition.text);
  const root =
    condition.scope === "body" ? message.json() : condition.scope === "headers" ? message.headers : message.properties;
  const actual = plain(
    condition.scope === "headers"
      ? (root as Record<string, unknown>)[condition.path[0] ?? ""]
      : lookup(root, condition.path),
  );
  switch (condition.op) {
    case "=":
      return equal(actual, condition.value);
    case "!=":
      return actual !== undefined && !equal(actual, condition.value);
    case "contains":
      return contains(actual, condition.value);
    default:
      return compare(actual, condition.op, condition.value);
  }
}

export function matches(filter: Filter, message: Inspectable): boolean {
  return filter.conditions.every((condition) => test(condition, message));
}
