import type { Pool, PoolClient } from "pg";
import type { AlertDelivery, AlertIncident, AlertStore, AlertTarget } from "../store";
import { inTransaction } from "./tx";

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

const incidentOf = (r: IncidentRow): AlertIncident => ({
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

async function enqueue(client: PoolClient, id: number, event: string, targets: AlertTarget[], at: number) {
  if (targets.length === 0) return;
  await client.query(
    `INSERT INTO alert_deliveries (incident_id, event, target, label, created_at, next_attempt_at)
     SELECT $1, $2, t.target, t.label, $3, $3 FROM unnest($4::text[], $5::text[]) AS t(target, label)
     ON CONFLICT (incident_id, event, target) DO NOTHING`,
    [id, event, at, targets.map((t) => t.id), targets.map((t) => t.label)],
  );
}

async function incident(client: PoolClient | Pool, id: number): Promise<AlertIncident | null> {
  const { rows } = await client.query<IncidentRow>(
    `SELECT ${INCIDENT_COLUMNS} FROM alert_incidents i WHERE i.id = $1`,
    [id],
  );
  return rows[0] ? incidentOf(rows[0]) : null;
}

/**
 * Alerts on PostgreSQL. Two processes firing the same key meet at the partial unique index
 * (one open incident per key): the second INSERT … ON CONFLICT inserts nothing.
 */
export class PgAlerts implements AlertStore {
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  async fire(input: { key: string; rule: string; summary: string; at: number; targets: AlertTarget[] }) {
    await this.ready();
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO alert_incidents (key, rule, summary, fired_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) WHERE resolved_at IS NULL DO NOTHING RETURNING id`,
        [input.key, input.rule, input.summary, input.at],
      );
      const id = rows[0]?.id;
      if (id === undefined) {
        await client.query("UPDATE alert_incidents SET summary = $1 WHERE key = $2 AND resolved_at IS NULL", [
          input.summary,
          input.key,
        ]);
        return null;
      }
      await enqueue(client, Number(id), "fired", input.targets, input.at);
      return incident(client, Number(id));
    });
  }

  async resolve(input: { key: string; resolution: string; at: number; targets: AlertTarget[] }) {
    await this.ready();
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ id: number }>(
        `UPDATE alert_incidents SET resolved_at = $1, resolution = $2
          WHERE key = $3 AND resolved_at IS NULL RETURNING id`,
        [input.at, input.resolution, input.key],
      );
      const id = rows[0]?.id;
      if (id === undefined) return null;
      await enqueue(client, Number(id), "resolved", input.targets, input.at);
      return incident(client, Number(id));
    });
  }

  async firing(): Promise<AlertIncident[]> {
    await this.ready();
    const { rows } = await this.pool.query<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM alert_incidents i WHERE i.resolved_at IS NULL ORDER BY i.fired_at, i.id`,
    );
    return rows.map(incidentOf);
  }

  async history(limit: number): Promise<AlertIncident[]> {
    await this.ready();
    const { rows } = await this.pool.query<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM alert_incidents i ORDER BY i.fired_at DESC, i.id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(incidentOf);
  }

  async dueDeliveries(at: number, limit: number): Promise<AlertDelivery[]> {
    await this.ready();
    const { rows } = await this.pool.query<
      IncidentRow & { d_id: number; event: string; target: string; label: string; attempts: number }
    >(
      `SELECT d.id AS d_id, d.event, d.target, d.label, d.attempts, ${INCIDENT_COLUMNS}
         FROM alert_deliveries d JOIN alert_incidents i ON i.id = d.incident_id
        WHERE d.delivered_at IS NULL AND d.next_attempt_at <= $1
          AND NOT (d.event = 'resolved' AND EXISTS (
            SELECT 1 FROM alert_deliveries f
             WHERE f.incident_id = d.incident_id AND f.target = d.target AND f.event = 'fired' AND f.delivered_at IS NULL))
        ORDER BY d.next_attempt_at, d.id LIMIT $2`,
      [at, limit],
    );
    return rows.map((r) => ({
      id: Number(r.d_id),
      event: r.event as AlertDelivery["event"],
      target: r.target,
      label: r.label,
      attempts: Number(r.attempts),
      incident: incidentOf(r),
    }));
  }

  async delivered(id: number, at: number): Promise<void> {
    await this.ready();
    await this.pool.query(
      `UPDATE alert_deliveries SET delivered_at = $1, attempts = attempts + 1, last_error = NULL
        WHERE id = $2 AND delivered_at IS NULL`,
      [at, id],
    );
  }

  async deliveryFailed(id: number, error: string, nextAttemptAt: number): Promise<void> {
    await this.ready();
    await this.pool.query(
      `UPDATE alert_deliveries SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2
        WHERE id = $3 AND delivered_at IS NULL`,
      [error.slice(0, 500), nextAttemptAt, id],
    );
  }
}
