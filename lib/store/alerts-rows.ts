import type { AlertDelivery, AlertIncident } from "./store";

/**
 * How both alert adapters read incidents and their deliveries: one row shape, one mapping and one
 * query text, whichever database answered (the numbers come back as strings from PostgreSQL's
 * BIGINT and COUNT, hence the Number()s).
 */
export interface IncidentRow {
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

/** A due delivery joined with its incident. */
export interface DueDeliveryRow extends IncidentRow {
  d_id: number;
  event: string;
  target: string;
  label: string;
  attempts: number;
}

/** The SELECT list of an incident `i` with its delivered and pending delivery counts. */
const incidentColumns = `i.id, i.key, i.rule, i.summary, i.fired_at, i.resolved_at, i.resolution,
  (SELECT COUNT(*) FROM alert_deliveries d WHERE d.incident_id = i.id AND d.delivered_at IS NOT NULL) AS delivered,
  (SELECT COUNT(*) FROM alert_deliveries d WHERE d.incident_id = i.id AND d.delivered_at IS NULL) AS pending`;

/** The incident reads of both adapters; each argument is the adapter's placeholder (`?` or `$n`). */
export const incidentSql = {
  byId: (id: string) => `SELECT ${incidentColumns} FROM alert_incidents i WHERE i.id = ${id}`,
  firing: `SELECT ${incidentColumns} FROM alert_incidents i WHERE i.resolved_at IS NULL ORDER BY i.fired_at, i.id`,
  history: (limit: string) =>
    `SELECT ${incidentColumns} FROM alert_incidents i ORDER BY i.fired_at DESC, i.id DESC LIMIT ${limit}`,
  /** Deliveries due at `at`, oldest first; a "resolved" waits while the same target's "fired" is undelivered. */
  due: (at: string, limit: string) =>
    `SELECT d.id AS d_id, d.event, d.target, d.label, d.attempts, ${incidentColumns}
       FROM alert_deliveries d JOIN alert_incidents i ON i.id = d.incident_id
      WHERE d.delivered_at IS NULL AND d.next_attempt_at <= ${at}
        AND NOT (d.event = 'resolved' AND EXISTS (
          SELECT 1 FROM alert_deliveries f
           WHERE f.incident_id = d.incident_id AND f.target = d.target AND f.event = 'fired' AND f.delivered_at IS NULL))
      ORDER BY d.next_attempt_at, d.id LIMIT ${limit}`,
};

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

export const deliveryOf = (r: DueDeliveryRow): AlertDelivery => ({
  id: Number(r.d_id),
  event: r.event as AlertDelivery["event"],
  target: r.target,
  label: r.label,
  attempts: Number(r.attempts),
  incident: incidentOf(r),
});
