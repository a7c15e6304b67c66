import "server-only";
import type { Access } from "../auth/access";
import { getRuntime } from "../runtime";
import { RefusalCoalescer } from "./coalesce";
import { type AuditEntry, type AuditInput, AuditLog } from "./log";
import { redactEntries } from "./redact";

export type { AuditEntry, AuditInput, AuditResult } from "./log";

const store = globalThis as typeof globalThis & { __warrenAudit?: { log: AuditLog; refusals: RefusalCoalescer } };

function audit() {
  store.__warrenAudit ??= { log: new AuditLog(getRuntime().ledger.db), refusals: new RefusalCoalescer() };
  return store.__warrenAudit;
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
      console.error(`[audit] could not record ${input.action}: ${(error as Error).message}`);
    }
  };
  if (input.result !== "denied") {
    write(0);
    return;
  }
  audit().refusals.offer({
    key: [input.actor, options.client ?? "", input.action, input.target ?? ""].join("\u0000"),
    write,
  });
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
