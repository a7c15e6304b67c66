"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { actorOf, recordAudit } from "@/lib/audit";
import { currentAccess } from "@/lib/auth/server";
import {
  passwordMatches,
  SESSION_COOKIE,
  SESSION_MAX_AGE_SECONDS,
  sessionSecret,
  signSession,
} from "@/lib/auth/session";
import { env } from "@/lib/config/env";

export interface SignInState {
  status: "idle" | "error";
  message: string;
  fieldErrors?: { password?: string[] };
}

const signInSchema = z.object({
  password: z.string().min(1, "Enter the operator password").max(1000, "That password is too long"),
  next: z.string().optional(),
});

/** Only same-site paths: never redirect to another origin after sign-in. */
function safeNext(next: string | undefined): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}

async function secureCookies(): Promise<boolean> {
  const h = await headers();
  return h.get("x-forwarded-proto") === "https";
}

export async function signInAction(_previous: SignInState, formData: FormData): Promise<SignInState> {
  const parsed = signInSchema.safeParse({
    password: formData.get("password") ?? "",
    next: formData.get("next") ?? undefined,
  });
  if (!parsed.success) {
    return {
      status: "error",
      message: "Please fix the highlighted field.",
      fieldErrors: { password: parsed.error.issues.map((i) => i.message) },
    };
  }
  const config = env();
  const expected = config.WARREN_ADMIN_PASSWORD;
  if (!expected) {
    return {
      status: "error",
      message: "Sign-in is disabled: set WARREN_ADMIN_PASSWORD (8+ characters) and restart Warren.",
    };
  }
  if (!passwordMatches(parsed.data.password, expected)) {
    recordAudit({ actor: "viewer", action: "auth.sign-in", result: "denied", message: "wrong password" });
    // A little friction for guessing.
    await new Promise((resolve) => setTimeout(resolve, 400));
    return { status: "error", message: "Wrong password.", fieldErrors: { password: ["Wrong password"] } };
  }
  const token = signSession(
    { sub: "operator", exp: Math.floor(Date.now() / 1000) + SESSION_MAX_AGE_SECONDS },
    sessionSecret(expected, config.WARREN_SESSION_SECRET),
  );
  const jar = await cookies();
  jar.set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: await secureCookies(),
    path: "/",
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
  recordAudit({ actor: actorOf("operator", token), action: "auth.sign-in", result: "ok", message: "signed in" });
  redirect(safeNext(parsed.data.next));
}

export async function signOutAction(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  const access = await currentAccess();
  if (access.role === "operator") {
    recordAudit({ actor: actorOf("operator", token), action: "auth.sign-out", result: "ok", message: "signed out" });
  }
  jar.delete(SESSION_COOKIE);
  redirect("/login?signedOut=1");
}
