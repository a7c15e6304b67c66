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

/** `{ field: [messages] }` for order bodies; an issue about the whole body is keyed "_". */
export const fieldErrorsOf = (error: z.ZodError) => formatFieldErrors(error, "_");

/** One line a person can read, e.g. for a dead-letter reason. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}
