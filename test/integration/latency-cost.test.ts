import { latencyCostSuite } from "./latency-cost-suite";

// Where the time goes and the cost of exactly-once on SQLite (one backend per process: the env is read once).
latencyCostSuite("sqlite");
