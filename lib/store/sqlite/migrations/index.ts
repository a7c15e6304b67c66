import { initialSchema } from "./0001-initial";
import { accountsSchema } from "./0002-accounts";
import { idempotencySchema } from "./0003-idempotency";
import { leadershipSchema } from "./0004-leadership";
import { traceparentSchema } from "./0005-traceparent";
import { latencySchema } from "./0006-latency";
import { historySchema } from "./0007-history";
import { alertsSchema } from "./0008-alerts";
import { pipelineStateSchema } from "./0009-pipeline-state";
import { rateLimitsSchema } from "./0010-rate-limits";
import { leanLedgerSchema } from "./0011-lean-ledger";

/** One numbered step of the schema; a database records the last one applied in `PRAGMA user_version`. */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/**
 * Every migration, in order. Append only: a released step is never edited
 * (databases out there have it applied); a change of schema is a new step.
 */
export const MIGRATIONS: Migration[] = [
  { version: 1, name: "initial", statements: initialSchema },
  { version: 2, name: "accounts", statements: accountsSchema },
  { version: 3, name: "idempotency", statements: idempotencySchema },
  { version: 4, name: "leadership", statements: leadershipSchema },
  { version: 5, name: "traceparent", statements: traceparentSchema },
  { version: 6, name: "latency and absorbed duplicates", statements: latencySchema },
  { version: 7, name: "history", statements: historySchema },
  { version: 8, name: "alerts", statements: alertsSchema },
  { version: 9, name: "pipeline state", statements: pipelineStateSchema },
  { version: 10, name: "rate limits", statements: rateLimitsSchema },
  { version: 11, name: "lean ledger", statements: leanLedgerSchema },
];
