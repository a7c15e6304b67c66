"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { requireRole } from "@/lib/auth/access";
import { accountStore } from "@/lib/auth/accounts";
import { hashPassword } from "@/lib/auth/password";
import { currentAccess } from "@/lib/auth/server";
import { newUserSchema } from "@/lib/auth/user-schema";
import { env } from "@/lib/config/env";
import { WarrenError } from "@/lib/errors";
import { type ActionState, formText, validatedAction } from "@/lib/http/action";

/** Admin only, checked on the server for every call; every change is audited with the admin's name. */
async function admin(action: string, target: string): Promise<string> {
  const access = await currentAccess();
  try {
    requireRole(access, "admin", env());
  } catch (error) {
    recordAudit({
      actor: access.user?.name ?? "viewer",
      action,
      target,
      result: "denied",
      message: (error as Error).message,
    });
    throw error;
  }
  return (access.user as NonNullable<typeof access.user>).name;
}

export const addUserAction = validatedAction(
  newUserSchema,
  (formData: FormData) => ({
    name: formText(formData, "name"),
    role: formText(formData, "role"),
    password: formText(formData, "password"),
  }),
  { what: "Adding the user", nothingDone: "No user was added." },
  async (data): Promise<ActionState> => {
    const actor = await admin("users.add", data.name);
    const store = await accountStore();
    const conflict = () => new WarrenError("conflict", `There is already a user named ${data.name}.`);
    if (await store.userByName(data.name)) throw conflict();
    if (!(await store.addUser(data.name, data.role, await hashPassword(data.password), "cli"))) throw conflict();
    recordAudit({ actor, action: "users.add", target: data.name, details: { role: data.role }, result: "ok" });
    revalidatePath("/users");
    return { status: "ok", message: `Added ${data.name} (${data.role}).`, at: Date.now() };
  },
);

const userChangeSchema = z.object({
  name: z.string().min(1).max(100),
  change: z.enum(["viewer", "operator", "admin", "disable", "enable", "end-sessions"]),
});

export const changeUserAction = validatedAction(
  userChangeSchema,
  (formData: FormData) => ({ name: formText(formData, "name"), change: formText(formData, "change") }),
  { what: "Changing the user", nothingDone: "Nothing was changed." },
  async (data): Promise<ActionState> => {
    const actor = await admin(`users.${data.change}`, data.name);
    const store = await accountStore();
    const user = await store.userByName(data.name);
    if (!user) throw new WarrenError("not_found", `There is no user named ${data.name}.`);
    if (data.change === "disable") await store.setDisabled(user.id, true);
    else if (data.change === "enable") await store.setDisabled(user.id, false);
    else if (data.change === "end-sessions") await store.revokeUserSessions(user.id);
    else await store.setRole(user.id, data.change);
    recordAudit({ actor, action: `users.${data.change}`, target: user.name, result: "ok" });
    revalidatePath("/users");
    return { status: "ok", message: `${user.name}: ${data.change} done.`, at: Date.now() };
  },
);
