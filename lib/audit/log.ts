export type AuditResult = "ok" | "error" | "denied" | "partial";

export interface AuditInput {
  /** Who: "operator#ab12cd" (a session fingerprint), "viewer", or "system". */
  actor: string;
  /** What: a short verb, e.g. "queue.purge", "consumers.pause", "auth.sign-in". */
  action: string;
  /** On what, e.g. the queue name. */
  target?: string | null;
  /** Parameters worth keeping (never secrets or message bodies in full). */
  details?: Record<string, unknown> | null;
  result: AuditResult;
  /** The outcome in words, e.g. "purged 12 messages" or the refusal reason. */
  message?: string | null;
  at?: number;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
  result: AuditResult;
  message: string | null;
}

/** The audit trail (lib/store: AuditStore); on SQLite, this class. */
export { AuditLog } from "../store/sqlite/audit";
