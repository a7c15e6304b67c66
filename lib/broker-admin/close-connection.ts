import "server-only";
import { z } from "zod";
import { WarrenError } from "../errors";
import { isManagementUnavailable } from "../queues/management";
import { type ActionContext, audited } from "../queues/operations";
import { brokerManagement } from ".";

export const closeConnectionSchema = z.object({
  name: z.string().min(1, "connection name is required").max(512, "connection name is too long"),
  reason: z
    .string({ message: "give a reason: the client sees it in the close frame" })
    .trim()
    .min(3, "give a reason (at least 3 characters): the client sees it in the close frame")
    .max(200, "the reason is limited to 200 characters")
    // It travels to the broker in an HTTP header (X-Reason), which carries printable ASCII only.
    .refine(
      (reason) => /^[\x20-\x7e]+$/.test(reason),
      "the reason must be plain ASCII text (no accents, emoji or line breaks)",
    ),
});

/**
 * Closes a client's connection through the management API with the operator's
 * reason (the client receives it as the close reason); audited, refusals too.
 */
export function closeConnection(context: ActionContext, name: string, reason: string): Promise<void> {
  return audited(context, "connection.close", name, { reason }, async () => {
    try {
      const found = await brokerManagement().remove(`/api/connections/${encodeURIComponent(name)}`, reason);
      if (!found) throw new WarrenError("not_found", `There is no open connection named "${name}".`);
    } catch (error) {
      if (isManagementUnavailable(error)) {
        throw new WarrenError("broker_unavailable", `Cannot close connections: ${error.message}.`);
      }
      throw error;
    }
    return { value: undefined, message: `closed: ${reason}` };
  });
}
