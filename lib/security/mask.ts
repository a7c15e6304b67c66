/**
 * WARREN_MASK_FIELDS masking: values of the named fields (at any depth, names
 * compared case-insensitively) become "***" in what viewers see. A body that
 * is not JSON cannot be masked field by field, so a viewer gets none of it.
 */
export const MASK = "***";

export function maskFieldsOf(source = process.env.WARREN_MASK_FIELDS): Set<string> {
  return new Set(
    (source ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

function maskValue(value: unknown, fields: Set<string>, depth: number): unknown {
  if (depth > 64 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => maskValue(item, fields, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = fields.has(key.toLowerCase()) ? MASK : maskValue(inner, fields, depth + 1);
  }
  return out;
}

/** The body with the named fields masked; null when it is not JSON (so cannot be shown safely). */
export function maskJsonText(text: string, fields: Set<string>): string | null {
  if (fields.size === 0) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  return JSON.stringify(maskValue(parsed, fields, 0));
}
