import { defineConfig } from "@playwright/test";

// One id per `playwright test` run: workers inherit it, so all share one queue and DB.
process.env.E2E_RUN_ID ??= `${Date.now()}`;
const runId = process.env.E2E_RUN_ID;
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// A queue of its own per run, so concurrent runs never share (and steal) deliveries. Deleting it at
// teardown would race the server's consumer, which re-declares a deleted queue; global setup instead
// sets a policy that lets idle e2e queues expire.
export const e2eQueue = process.env.E2E_QUEUE ?? `e2e.${runId}.order_queue`;
process.env.E2E_QUEUE = e2eQueue;
// The e2e server has operator sign-in enabled; specs read the same value.
/** The e2e server's trace viewer link (WARREN_TRACE_URL); specs read the same value. */
export const e2eTraceUrl = "http://trace-viewer.test/trace/{traceId}";
export const e2eOperatorPassword = process.env.E2E_OPERATOR_PASSWORD ?? "e2e-operator-password";
process.env.E2E_OPERATOR_PASSWORD = e2eOperatorPassword;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  // A flaky test is a failing test: no retries anywhere, and a stray test.only fails CI.
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 30_000,
  expect: { timeout: 7_000 },
  reporter: [["list"]],
  globalSetup: "./e2e/global-setup.ts",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's Chromium: Playwright cannot download its own browser here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    // The production build (npm test runs `next build` first).
    command: `npx next start -p ${port} -H 127.0.0.1`,
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    env: {
      ORDER_QUEUE: e2eQueue,
      WARREN_DB_PATH: `data/e2e-${runId}.db`,
      WARREN_ADMIN_PASSWORD: e2eOperatorPassword,
      NEXT_TELEMETRY_DISABLED: "1",
      // Tracing on (lib/tracing), so the trace page has trace ids to link: spans go to a port where nothing
      // listens unless E2E_OTLP_ENDPOINT names a collector (the exporter drops what it cannot send).
      OTEL_EXPORTER_OTLP_ENDPOINT: process.env.E2E_OTLP_ENDPOINT ?? "http://127.0.0.1:9",
      WARREN_TRACE_URL: e2eTraceUrl,
    },
  },
});
