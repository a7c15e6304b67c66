import { type DueDeliveryRow, deliveryOf, type IncidentRow, incidentOf, incidentSql } from "../alerts-rows";
import type { Db } from "../db";
import type { AlertStore, AlertTarget } from "../store";

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
  const byId = db.prepare<[number], IncidentRow>(incidentSql.byId("?"));
  const firing = db.prepare<[], IncidentRow>(incidentSql.firing);
  const history = db.prepare<[number], IncidentRow>(incidentSql.history("?"));
  const due = db.prepare<[number, number], DueDeliveryRow>(incidentSql.due("?", "?"));
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
    dueDeliveries: async (at, limit) => due.all(at, limit).map(deliveryOf),
    delivered: async (id, at) => {
      delivered.run(at, id);
    },
    deliveryFailed: async (id, error, nextAttemptAt) => {
      failed.run(error.slice(0, 500), nextAttemptAt, id);
    },
  };
}
