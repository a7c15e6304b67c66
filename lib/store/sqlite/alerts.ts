import type { Db } from "../db";
import type { AlertDelivery, AlertIncident, AlertStore, AlertTarget } from "../store";

interface IncidentRow {
  id: number;
  key: string;
  rule: string;
  summary: string;
  fired_at: number;
  resolved_at: number | null;
  resolution: string | null;
  delivered: number;
  pending: number;
}

const INCIDENT_COLUMNS = `i.id, i.key, i.rule, i.summary, i.fired_at, i.resolved_at, i.resolution,
  (SELECT COUNT(*) FROM alert_deliveries d WHERE d.incident_id = i.id AND d.delivered_at IS NOT NULL) AS delivered,
  (SELECT COUNT(*) FROM alert_deliveries d WHERE d.incident_id = i.id AND d.delivered_at IS NULL) AS pending`;

export const incidentOf = (r: IncidentRow): AlertIncident => ({
  id: Number(r.id),
  key: r.key,
  rule: r.rule,
  summary: r.summary,
  firedAt: Number(r.fired_at),
  resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
  resolution: r.resolution,
  delivered: Number(r.delivered),
  pending: Number(r.pending),
});

/** Alerts on SQLite: each fire/resolve is one IMMEDIATE transaction (incident + its deliveries). */
export function sqliteAlerts(db: Db): AlertStore {
  const open = db.prepare<[string], { id: number }>(
    "SELECT id FROM alert_incidents WHERE key = ? AND resolved_at IS NULL",
  );
  const insert = db.prepare<[string, string, string, number]>(
    "INSERT INTO alert_incidents (key, rule, summary, fired_at) VALUES (?, ?, ?, ?)",
  );
  const touch = db.prepare<[string, number]>("UPDATE alert_incidents SET summary = ? WHERE id = ?");
  const close = db.prepare<[number, string, number]>(
    "UPDATE alert_incidents SET resolved_at = ?, resolution = ? WHERE id = ?",
  );
  const enqueue = db.prepare<[number, string, string, string, number, number]>(
    `INSERT OR IGNORE INTO alert_deliveries (incident_id, event, target, label, created_at, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const byId = db.prepare<[number], IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM alert_incidents i WHERE i.id = ?`);
  const firing = db.prepare<[], IncidentRow>(
    `SELECT ${INCIDENT_COLUMNS} FROM alert_incidents i WHERE i.resolved_at IS NULL ORDER BY i.fired_at, i.id`,
  );
  const history = db.prepare<[number], IncidentRow>(
    `SELECT ${INCIDENT_COLUMNS} FROM alert_incidents i ORDER BY i.fired_at DESC, i.id DESC LIMIT ?`,
  );
  const due = db.prepare<
    [number, number],
    IncidentRow & { d_id: number; event: string; target: string; label: string; attempts: number }
  >(
    `SELECT d.id AS d_id, d.event, d.target, d.label, d.attempts, ${INCIDENT_COLUMNS}
       FROM alert_deliveries d JOIN alert_incidents i ON i.id = d.incident_id
      WHERE d.delivered_at IS NULL AND d.next_attempt_at <= ?
        AND NOT (d.event = 'resolved' AND EXISTS (
          SELECT 1 FROM alert_deliveries f
           WHERE f.incident_id = d.incident_id AND f.target = d.target AND f.event = 'fired' AND f.delivered_at IS NULL))
      ORDER BY d.next_attempt_at, d.id LIMIT ?`,
  );
  const delivered = db.prepare<[number, number]>(
    "UPDATE alert_deliveries SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND delivered_at IS NULL",
  );
  const failed = db.prepare<[string, number, number]>(
    "UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND delivered_at IS NULL",
  );
  const enqueueAll = (id: number, event: string, targets: AlertTarget[], at: number) => {
    for (const t of targets) enqueue.run(id, event, t.id, t.label, at, at);
  };
  const fire = db.transaction(
    (input: { key: string; rule: string; summary: string; at: number; targets: AlertTarget[] }) => {
      const existing = open.get(input.key);
      if (existing) {
        touch.run(input.summary, existing.id);
        return null;
      }
      const id = Number(insert.run(input.key, input.rule, input.summary, input.at).lastInsertRowid);
      enqueueAll(id, "fired", input.targets, input.at);
      const row = byId.get(id);
      return row ? incidentOf(row) : null;
    },
  );
  const resolve = db.transaction((input: { key: string; resolution: string; at: number; targets: AlertTarget[] }) => {
    const existing = open.get(input.key);
    if (!existing) return null;
    close.run(input.at, input.resolution, existing.id);
    enqueueAll(existing.id, "resolved", input.targets, input.at);
    const row = byId.get(existing.id);
    return row ? incidentOf(row) : null;
  });
  return {
    fire: async (input) => fire.immediate(input),
    resolve: async (input) => resolve.immediate(input),
    firing: async () => firing.all().map(incidentOf),
    history: async (limit) => history.all(limit).map(incidentOf),
    dueDeliveries: async (at, limit): Promise<AlertDelivery[]> =>
      due.all(at, limit).map((r) => ({
        id: Number(r.d_id),
        event: r.event as AlertDelivery["event"],
        target: r.target,
        label: r.label,
        attempts: Number(r.attempts),
        incident: incidentOf(r),
      })),
    delivered: async (id, at) => {
      delivered.run(at, id);
    },
    deliveryFailed: async (id, error, nextAttemptAt) => {
      failed.run(error.slice(0, 500), nextAttemptAt, id);
    },
  };
}
