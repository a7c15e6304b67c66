import { latencyCostSuite } from "./latency-cost-suite";

// The same on PostgreSQL (a database made for the run and dropped after).
latencyCostSuite("postgres");
