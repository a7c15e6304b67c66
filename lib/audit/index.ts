import "server-only";
import type { Access } from "../auth/access";
import { partLogger } from "../observability/logger";
import { currentWarren } from "../process/current";
import { RefusalCoalescer } from "./coalesce";
import type { AuditEntry, AuditInput, AuditLog } from "./log";
import { redactEntries } from "./redact";

export type { AuditEntry, AuditInput, AuditResult } from "./log";

/**
 * One refusal coalescer per audit log, kept on the log itself (the process's,
 * held by lib/process): actions and route handlers may load this module in
 * separate module graphs, and must share one count.
 */
const REFUSALS = Symbol.for("warren.audit-refusals");

function audit(): { log: AuditLog; refusals: RefusalCoalescer } {
  const log = currentWarren().audit as (AuditLog & { [REFUSALS]?: RefusalCoalescer }) | null;
  if (!log) throw new Error("this process keeps no audit log");
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
    try {
      audit().log.record(
        repeats === 0
          ? withClient
          : {
              ...withClient,
              message: `${repeats} more like this in the last minute (coalesced): ${withClient.message ?? ""}`,
              details: { ...withClient.details, repeats },
            },
      );
    } catch (error) {
      partLogger("audit").error({ err: error }, `[audit] could not record ${input.action}`);
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

export function recentAudit(
  limit = 100,
  offset = 0,
  options: ReadOptions = {},
): { entries: AuditEntry[]; total: number } {
  const { log } = audit();
  return { entries: redactEntries(log.recent(limit, offset), options.privileged), total: log.count() };
}

export function recentAuditByAction(prefix: string, limit = 20, options: ReadOptions = {}): AuditEntry[] {
  return redactEntries(audit().log.byActionPrefix(prefix, limit), options.privileged);
}

export function auditFor(target: string, limit = 10, options: ReadOptions = {}): AuditEntry[] {
  return redactEntries(audit().log.forTarget(target, limit), options.privileged);
}

/** Who did it: the signed-in person's name, or "viewer" for an anonymous visitor. */
export function actorOf(access: Pick<Access, "user">): string {
  return access.user ? access.user.name : "viewer";
}
