// Mutation testing of the decision modules (`npm run mutate`; not part of `npm test`: it runs the
// unit tests once per mutant). The command runner fits node's own test runner: Stryker sets
// __STRYKER_ACTIVE_MUTANT__ for each run and the instrumented sources switch on it.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  mutate: [
    "lib/payments/decide.ts",
    "lib/orders/schema.ts",
    "lib/orders/message.ts",
    "lib/deadletters/decode.ts",
    "lib/auth/access.ts",
  ],
  testRunner: "command",
  commandRunner: {
    command: "node --conditions=react-server --import tsx --test-reporter=dot test/unit/mutation-entry.ts",
  },
  coverageAnalysis: "off",
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  ignorePatterns: ["data", ".next", "bench-results", "test-results", "playwright-report", "reports"],
};
