import type { Pool, PoolClient } from "pg";
import { PG_MIGRATIONS, type PgMigration } from "./migrations";

/** One key for every Warren process on this database: whoever holds it migrates, the others wait. */
const MIGRATION_LOCK = 0x5741_5252; // "WARR"

async function versionOf(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_version");
  return rows[0]?.version ?? 0;
}

/**
 * Brings the schema to the latest version. Each step runs in its own transaction under
 * `pg_advisory_xact_lock`, so processes starting together apply each step once (the
 * second waits for the lock, then finds the step done), and a crash leaves the database
 * at a whole step (PostgreSQL's DDL is transactional). A database newer than this code
 * is refused: old code could write what the new schema no longer means.
 */
export async function migratePg(pool: Pool, migrations: PgMigration[] = PG_MIGRATIONS): Promise<number> {
  const latest = migrations.at(-1)?.version ?? 0;
  const client = await pool.connect();
  // A connection lost mid-migration fails the step (rolled back by the server), never the process.
  let lost = false;
  const onError = () => {
    lost = true;
  };
  client.on("error", onError);
  try {
    let version = 0;
    for (const step of [{ version: 0, name: "version table", statements: [] }, ...migrations]) {
      await client.query("BEGIN");
      try {
        await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
        await client.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        await client.query(
          "INSERT INTO schema_version (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version)",
        );
        version = await versionOf(client);
        if (version > latest) {
          throw new Error(
            `The database has schema version ${version}; this Warren knows up to ${latest}. Run a newer Warren.`,
          );
        }
        if (version < step.version) {
          for (const sql of step.statements) await client.query(sql);
          await client.query("UPDATE schema_version SET version = $1", [step.version]);
          version = step.version;
        }
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    }
    return version;
  } finally {
    client.off("error", onError);
    client.release(lost);
  }
}

export async function pgSchemaVersion(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ version: number }>("SELECT version FROM schema_version");
  return rows[0]?.version ?? 0;
}
