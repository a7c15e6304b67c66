"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { requireRole } from "@/lib/auth/access";
import { revokeSessionOf } from "@/lib/auth/accounts";
import { currentAccess } from "@/lib/auth/server";
import { env } from "@/lib/config/env";
import { type ActionState, formText, validatedAction } from "@/lib/http/action";

const revokeSchema = z.object({ session: z.string().regex(/^[0-9a-f]{64}$/, "not a session id") });

/** Ends one session: your own, or anyone's when you are an admin. */
export const revokeSessionAction = validatedAction(
  revokeSchema,
  (formData: FormData) => ({ session: formText(formData, "session") }),
  { what: "Ending the session", nothingDone: "No session was ended." },
  async (data): Promise<ActionState> => {
    const access = await currentAccess();
    requireRole(access, "viewer", env());
    const user = access.user as NonNullable<typeof access.user>;
    await revokeSessionOf(user, data.session);
    recordAudit({ actor: user.name, action: "auth.session-revoke", target: data.session.slice(0, 12), result: "ok" });
    revalidatePath("/account");
    revalidatePath("/users");
    return { status: "ok", message: "Session ended.", at: Date.now() };
  },
);
