import "server-only";
import type { Access } from "../auth/access";
import { partLogger } from "../observability/logger";
import { currentWarren } from "../process/current";
import type { AuditStore } from "../store/store";
import { RefusalCoalescer } from "./coalesce";
import type { AuditEntry, AuditInput } from "./log";
import { redactEntries } from "./redact";

export type { AuditEntry, AuditInput, AuditResult } from "./log";

/**
 * One refusal coalescer per audit store, kept on the store itself (the process's,
 * held by lib/process): actions and route handlers may load this module in
 * separate module graphs, and must share one count.
 */
const REFUSALS = Symbol.for("warren.audit-refusals");

function audit(): { log: AuditStore; refusals: RefusalCoalescer } {
  const warren = currentWarren();
  if (warren.role !== "web") throw new Error("this process keeps no audit log");
  const log = warren.store.audit as AuditStore & { [REFUSALS]?: RefusalCoalescer };
  log[REFUSALS] ??= new RefusalCoalescer();
  return { log, refusals: log[REFUSALS] };
}

export interface AuditOptions {
  /** The client's address: kept in the entry's details (operators only see it) and keys refusal coalescing. */
  client?: string;
}

/**
 * Appends one entry to the audit log. Refusals are coalesced (see
 * RefusalCoalescer). Never throws: a full disk must not turn a done action
 * into a failure.
 */
export function recordAudit(input: AuditInput, options: AuditOptions = {}): void {
  const withClient = options.client ? { ...input, details: { ...input.details, client: options.client } } : input;
  const write = (repeats: number) => {
    const failed = (error: unknown) =>
      partLogger("audit").error({ err: error }, `[audit] could not record ${input.action}`);
    try {
      void audit()
        .log.append(
          repeats === 0
            ? withClient
            : {
                ...withClient,
                message: `${repeats} more like this in the last minute (coalesced): ${withClient.message ?? ""}`,
                details: { ...withClient.details, repeats },
              },
        )
        .catch(failed);
    } catch (error) {
      failed(error);
    }
  };
  if (input.result !== "denied") {
    write(0);
    return;
  }
  try {
    audit().refusals.offer({
      key: [input.actor, options.client ?? "", input.action, input.target ?? ""].join("\u0000"),
      write,
    });
  } catch (error) {
    partLogger("audit").error({ err: error }, `[audit] could not record ${input.action}`);
  }
}

/**
 * Reads are redacted unless the caller says the reader may see everything:
 * message previews and client addresses are for operators.
 */
export interface ReadOptions {
  privileged?: boolean;
}

export async function recentAudit(
  limit = 100,
  offset = 0,
  options: ReadOptions = {},
): Promise<{ entries: AuditEntry[]; total: number }> {
  const { log } = audit();
  const [entries, total] = await Promise.all([log.recent(limit, offset), log.count()]);
  return { entries: redactEntries(entries, options.privileged), total };
}

/**
 * Newest first, the entries older than `beforeId` (all when null), with no count: an export's
 * keyset page (lib/messages/records.ts), the same redaction as the page.
 */
export async function auditOlderThan(
  beforeId: number | null,
  limit: number,
  options: ReadOptions = {},
): Promise<AuditEntry[]> {
  return redactEntries(await audit().log.olderThan(beforeId, limit), options.privileged);
}

export async function recentAuditByAction(
  prefix: string,
  limit = 20,
  options: ReadOptions = {},
): Promise<AuditEntry[]> {
  return redactEntries(await audit().log.byActionPrefix(prefix, limit), options.privileged);
}

export async function auditFor(target: string, limit = 10, options: ReadOptions = {}): Promise<AuditEntry[]> {
  return redactEntries(await audit().log.forTarget(target, limit), options.privileged);
}

/** Who did it: the signed-in person's name, or "viewer" for an anonymous visitor. */
export function actorOf(access: Pick<Access, "user">): string {
  return access.user ? access.user.name : "viewer";
}
