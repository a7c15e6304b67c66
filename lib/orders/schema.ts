import { z } from "zod";
import { fieldErrorsOf as formatFieldErrors } from "../http/issues";

export const ITEM_MAX_LENGTH = 100;
export const QUANTITY_MAX = 1000;
export const ORDER_ID_MAX_LENGTH = 100;

// Control characters in an item name are always a mistake (or an attack on a log).
const noControlChars = (value: string) => {
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
};

const item = z
  .string({ message: "Item must be text" })
  .trim()
  .min(1, "Item is required")
  .max(ITEM_MAX_LENGTH, `Item must be at most ${ITEM_MAX_LENGTH} characters`)
  .refine(noControlChars, "Item must not contain control characters");

const quantity = z
  .number({ message: "Quantity must be a number" })
  .int("Quantity must be a whole number")
  .min(1, "Quantity must be at least 1")
  .max(QUANTITY_MAX, `Quantity must be at most ${QUANTITY_MAX}`);

/** The body of `POST /api/orders`: the tutorial's `{"item": "book"}` works as is. */
export const orderInputSchema = z.object(
  {
    item,
    quantity: quantity.default(1),
  },
  { message: 'Expected a JSON object like {"item": "book", "quantity": 1}' },
);

/** The order form: every field arrives as a string. */
export const orderFormSchema = z.object({
  item,
  quantity: z
    .string()
    .trim()
    .transform((value, ctx) => {
      if (value === "") return 1;
      if (!/^\d+$/.test(value)) {
        ctx.addIssue({ code: "custom", message: "Quantity must be a whole number" });
        return z.NEVER;
      }
      return Number(value);
    })
    .pipe(quantity),
});

export type OrderInput = z.infer<typeof orderInputSchema>;

/**
 * A message on the order queue: Warren's own shape, or the seed tutorial's
 * `{"orderId": 1711111111111, "item": "book"}` with a numeric id.
 */
export const orderMessageSchema = z.object({
  orderId: z.union([
    z
      .string()
      .trim()
      .min(1, "orderId must not be empty")
      .max(ORDER_ID_MAX_LENGTH, `orderId must be at most ${ORDER_ID_MAX_LENGTH} characters`)
      .refine(noControlChars, "orderId must not contain control characters"),
    z
      .number()
      .int("a numeric orderId must be an integer")
      .nonnegative("a numeric orderId must not be negative")
      .max(Number.MAX_SAFE_INTEGER, "a numeric orderId must be a safe integer")
      .transform((value) => String(value)),
  ]),
  item,
  quantity: quantity.default(1),
  placedAt: z.number().int().positive().optional(),
});

export type OrderMessage = z.infer<typeof orderMessageSchema>;

/** Text zod's `item` / string `orderId` would keep as is: already trimmed, 1..max long, no control character. */
function plainText(value: unknown, max: number): value is string {
  if (typeof value !== "string" || value.length === 0 || value.length > max) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  // Whitespace at either end: zod trims it, which the slow path does.
  return value.trim().length === value.length;
}

/**
 * `orderMessageSchema.parse(json)` for the bodies the order queue carries almost always, without
 * zod's per-call work (a fifth of a worker's decode in the backlog drain): it answers only where
 * the schema surely accepts the body and returns what zod would; for anything else (an error to
 * explain, a string to trim, an edge of a range) it returns null and the caller asks zod.
 * test/unit/order-message-fast.test.ts holds it to zod's answers.
 */
export function plainOrderMessage(json: unknown): OrderMessage | null {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
  const { orderId, item, quantity, placedAt } = json as Record<string, unknown>;
  let id: string;
  if (typeof orderId === "number") {
    if (!Number.isSafeInteger(orderId) || orderId < 0) return null;
    id = String(orderId);
  } else if (plainText(orderId, ORDER_ID_MAX_LENGTH)) id = orderId;
  else return null;
  if (!plainText(item, ITEM_MAX_LENGTH)) return null;
  if (
    quantity !== undefined &&
    !(Number.isSafeInteger(quantity) && (quantity as number) >= 1 && (quantity as number) <= QUANTITY_MAX)
  )
    return null;
  if (placedAt !== undefined && !(Number.isSafeInteger(placedAt) && (placedAt as number) > 0)) return null;
  const message: OrderMessage = { orderId: id, item, quantity: (quantity as number | undefined) ?? 1 };
  // zod keeps a key given as undefined (only a caller's object, never JSON, can have one).
  if ("placedAt" in json) message.placedAt = placedAt as number | undefined;
  return message;
}

/** `{ field: [messages] }` for order bodies; an issue about the whole body is keyed "_". */
export const fieldErrorsOf = (error: z.ZodError) => formatFieldErrors(error, "_");

/** One line a person can read, e.g. for a dead-letter reason. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}
