import { z } from "zod";

/** A new account, from the admin page or `npm run user -- add`. */
export const roleSchema = z.enum(["viewer", "operator", "admin"], {
  message: "role must be viewer, operator or admin",
});

export const userNameSchema = z
  .string()
  .trim()
  .min(1, "name is required")
  .max(64, "names are at most 64 characters")
  .regex(/^[A-Za-z0-9._@-]+$/, "names use letters, digits, '.', '_', '@' or '-'");

export const passwordSchema = z
  .string()
  .min(8, "passwords have at least 8 characters")
  .max(1000, "that password is too long");

export const newUserSchema = z.object({ name: userNameSchema, role: roleSchema, password: passwordSchema });
