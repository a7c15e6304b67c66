import type Database from "better-sqlite3";
import { MIGRATIONS, type Migration } from "./migrations";

export function schemaVersion(db: Database.Database): number {
  return Number(db.pragma("user_version", { simple: true }));
}

/**
 * Brings the schema to the latest version: each missing step runs in its own
 * IMMEDIATE transaction, which also sets `user_version`, so a crash leaves the
 * database at a whole step, and a web process and a worker starting together
 * on one file apply each step once (the second waits for the write lock, then
 * finds the step done). A database newer than this code is refused: running
 * old code on it could write what the new schema no longer means.
 */
export function migrate(db: Database.Database, migrations: Migration[] = MIGRATIONS): number {
  const latest = migrations.at(-1)?.version ?? 0;
  const found = schemaVersion(db);
  if (found > latest) {
    throw new Error(
      `The database ${db.name} has schema version ${found}; this Warren knows up to ${latest}. Run a newer Warren.`,
    );
  }
  for (const migration of migrations) {
    db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return;
      for (const sql of migration.statements) db.exec(sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
