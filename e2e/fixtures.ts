import { type APIRequestContext, type BrowserContext, test as base, expect } from "@playwright/test";
import amqp, { type ConfirmChannel } from "amqplib";
import { SESSION_COOKIE } from "../lib/auth/session";

const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";

export interface Broker {
  queue: string;
  dlq: string;
  channel: ConfirmChannel;
  /** Publishes straight to the order queue, as a third-party producer would. */
  sendRaw(body: string, options?: amqp.Options.Publish): Promise<void>;
  depth(queue: string): Promise<number>;
}

export const test = base.extend<{ broker: Broker }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright requires a destructuring pattern here
  broker: async ({}, use) => {
    const queue = process.env.E2E_QUEUE;
    if (!queue) throw new Error("E2E_QUEUE is not set; run through playwright.config.ts");
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createConfirmChannel();
    await use({
      queue,
      dlq: `${queue}.dlq`,
      channel,
      async sendRaw(body, options = {}) {
        channel.sendToQueue(queue, Buffer.from(body), { persistent: true, ...options });
        await channel.waitForConfirms();
      },
      async depth(name) {
        const probe = await connection.createChannel();
        try {
          return (await probe.checkQueue(name)).messageCount;
        } finally {
          await probe.close().catch(() => {});
        }
      },
    });
    await connection.close();
  },
});

export { expect };

export async function paymentTotals(request: APIRequestContext): Promise<number> {
  const res = await request.get("/api/payments");
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { totals: { payments: number } }).totals.payments;
}

/** The operator password the e2e server runs with (playwright.config.ts sets it). */
export const operatorPassword = () => {
  const password = process.env.E2E_OPERATOR_PASSWORD;
  if (!password) throw new Error("E2E_OPERATOR_PASSWORD is not set; run through playwright.config.ts");
  return password;
};

/** Signs the page's browser context in as an operator through the real sign-in form. */
export async function signIn(page: import("@playwright/test").Page, next = "/") {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Password", { exact: true }).fill(operatorPassword());
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("role")).toHaveAttribute("data-role", "operator");
}

export const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

/** Signs the browser context in as the first admin (an operator and more), through POST /api/session. */
export async function signInAsOperator(context: BrowserContext, baseURL: string | undefined): Promise<void> {
  await context.addCookies([
    {
      name: SESSION_COOKIE,
      value: await operatorToken(baseURL),
      url: baseURL ?? "http://127.0.0.1:3100",
      httpOnly: true,
      sameSite: "Lax",
    },
  ]);
}

/**
 * A fresh server-side session token of the e2e server's first admin ("admin",
 * made from WARREN_ADMIN_PASSWORD): sessions live on the server, so a test can
 * no longer sign a cookie itself.
 */
export async function operatorToken(baseURL?: string, name = "admin", password = operatorPassword()): Promise<string> {
  const base = baseURL ?? `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;
  const res = await fetch(`${base}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password }),
  });
  const cookie = res.headers.get("set-cookie") ?? "";
  const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(cookie)?.[1];
  if (res.status !== 200 || !token) throw new Error(`sign-in for ${name} failed: ${res.status} ${await res.text()}`);
  return token;
}

export { SESSION_COOKIE };

const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? "http://127.0.0.1:15672";

/**
 * For a test that needs the management API (queue list, consumer details, rates): outside CI it is
 * skipped with the reason when the API does not answer (the plugin is off on a fresh install), and
 * counted as SKIPPED by `npm test`; in CI it always runs, so a missing plugin fails it.
 */
export async function needsManagement(): Promise<void> {
  if (process.env.CI) return;
  const answers = await fetch(`${MANAGEMENT_URL}/api/overview`, {
    headers: { authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}` },
    signal: AbortSignal.timeout(2000),
  }).then(
    (res) => res.ok,
    () => false,
  );
  test.skip(!answers, `no management API at ${MANAGEMENT_URL}: rabbitmq-plugins enable rabbitmq_management`);
}
