import type { Pool, PoolClient } from "pg";
import { type DueDeliveryRow, deliveryOf, type IncidentRow, incidentOf, incidentSql } from "../alerts-rows";
import type { AlertDelivery, AlertIncident, AlertStore, AlertTarget } from "../store";
import { inTransaction } from "./tx";

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
  const { rows } = await client.query<IncidentRow>(incidentSql.byId("$1"), [id]);
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
    const { rows } = await this.pool.query<IncidentRow>(incidentSql.firing);
    return rows.map(incidentOf);
  }

  async history(limit: number): Promise<AlertIncident[]> {
    await this.ready();
    const { rows } = await this.pool.query<IncidentRow>(incidentSql.history("$1"), [limit]);
    return rows.map(incidentOf);
  }

  async dueDeliveries(at: number, limit: number): Promise<AlertDelivery[]> {
    await this.ready();
    const { rows } = await this.pool.query<DueDeliveryRow>(incidentSql.due("$1", "$2"), [at, limit]);
    return rows.map(deliveryOf);
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
