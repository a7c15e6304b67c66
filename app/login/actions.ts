"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { ENV_ADMIN, signOut } from "@/lib/auth/accounts";
import { currentAccess } from "@/lib/auth/server";
import { SESSION_COOKIE } from "@/lib/auth/session";
import { attemptSignIn, sessionCookie } from "@/lib/auth/sign-in-flow";
import { isWarrenError } from "@/lib/errors";
import { type ActionState, formText, validatedAction } from "@/lib/http/action";
import { clientAddress, isHttps } from "@/lib/http/client-address";
import { safeNext } from "@/lib/http/safe-next";

export type SignInState = ActionState;

const signInSchema = z.object({
  name: z
    .string()
    .trim()
    .max(100, "That name is too long")
    .transform((name) => name || ENV_ADMIN),
  password: z.string().min(1, "Enter your password").max(1000, "That password is too long"),
  next: z.string().optional(),
});

export const signInAction = validatedAction(
  signInSchema,
  (formData: FormData) => ({
    name: formText(formData, "name"),
    password: formText(formData, "password"),
    next: formText(formData, "next") || undefined,
  }),
  { what: "Sign-in", nothingDone: "Please fix the highlighted field." },
  async (data): Promise<SignInState> => {
    const h = await headers();
    try {
      const signedIn = await attemptSignIn({
        name: data.name,
        password: data.password,
        client: clientAddress(h),
        userAgent: h.get("user-agent"),
      });
      (await cookies()).set(sessionCookie(signedIn.token, isHttps(h)));
    } catch (error) {
      if (isWarrenError(error) && error.code === "unauthorized") {
        return {
          status: "error",
          code: 401,
          message: error.message,
          fieldErrors: { password: ["Wrong name or password"] },
          at: Date.now(),
        };
      }
      throw error;
    }
    redirect(safeNext(data.next));
  },
);

export async function signOutAction(): Promise<void> {
  const jar = await cookies();
  const access = await currentAccess();
  await signOut(jar.get(SESSION_COOKIE)?.value);
  if (access.user) {
    recordAudit(
      { actor: access.user.name, action: "auth.sign-out", result: "ok", message: "signed out" },
      { client: clientAddress(await headers()) },
    );
  }
  jar.delete(SESSION_COOKIE);
  redirect("/login?signedOut=1");
}
