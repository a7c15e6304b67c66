// Known secrets put into the environment of the production build that `npm test` makes, so the
// bundle scan (e2e/bundle.spec.ts) looks for values that were really there at build time. None of
// them is a working credential: the broker URL points at a closed port.
export const BUILD_CANARY_ENV = {
  AMQP_URL: "amqp://warren:canary-amqp-pass-5e1f9a@127.0.0.1:9",
  WARREN_ADMIN_PASSWORD: "canary-admin-pass-7c2d4b",
  WARREN_SESSION_SECRET: "canary-session-secret-0a8e3f61",
  RABBITMQ_MANAGEMENT_PASSWORD: "canary-mgmt-pass-9b4c2e",
};

/** The secret part of each value: what must never reach the browser. */
export const BUILD_CANARY_SECRETS = [
  "canary-amqp-pass-5e1f9a",
  "canary-admin-pass-7c2d4b",
  "canary-session-secret-0a8e3f61",
  "canary-mgmt-pass-9b4c2e",
];

/** Written into .next after a build made with these values; `next build` clears .next, so it cannot outlive that build. */
export const BUILD_CANARY_MARKER = ".next/warren-build-canary.json";
