import "server-only";
import { createHash } from "node:crypto";
import { currentWarren } from "../process/current";
import type { AuditEntry, AuditInput, AuditLog } from "./log";

export type { AuditEntry, AuditInput, AuditResult } from "./log";

function auditLog(): AuditLog {
  const { audit } = currentWarren();
  if (!audit) throw new Error("this process keeps no audit log");
  return audit;
}

/** Appends one entry to the audit log. Never throws: a full disk must not turn a done action into a failure. */
export function recordAudit(input: AuditInput): number | null {
  try {
    return auditLog().record(input);
  } catch (error) {
    console.error(`[audit] could not record ${input.action}: ${(error as Error).message}`);
    return null;
  }
}

export function recentAudit(limit = 100, offset = 0): { entries: AuditEntry[]; total: number } {
  const log = auditLog();
  return { entries: log.recent(limit, offset), total: log.count() };
}

export function recentAuditByAction(prefix: string, limit = 20): AuditEntry[] {
  return auditLog().byActionPrefix(prefix, limit);
}

export function auditFor(target: string, limit = 10): AuditEntry[] {
  return auditLog().forTarget(target, limit);
}

/** Who did it: operators share one password, so a session fingerprint tells sessions apart. */
export function actorOf(role: "operator" | "viewer", sessionToken: string | undefined): string {
  if (role !== "operator" || !sessionToken) return "viewer";
  return `operator#${createHash("sha256").update(sessionToken).digest("hex").slice(0, 6)}`;
}
