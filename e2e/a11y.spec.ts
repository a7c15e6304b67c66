import type { Page } from "@playwright/test";
import { axeEverywhere, pageWidths } from "./axe";
import { expect, signIn, test, unique } from "./fixtures";

/**
 * Every page, in its interesting state, through axe-core (WCAG 2 A/AA and best
 * practices) in light and dark and at desktop and phone width, and without a
 * horizontal page scroll from 360 to 430 px. A new page joins by one entry in
 * ROUTES.
 */

interface State {
  queue: string;
  dlq: string;
  /** An order placed by the form and paid, so the feed and the trace have something to show. */
  orderId: string;
}

interface Route {
  name: string;
  path: (state: State) => string;
  /** Signed in as an operator (the queue page's actions); otherwise a signed-out viewer. */
  operator?: boolean;
  /** Waits until the page shows what makes it interesting. */
  ready?: (page: Page, state: State) => Promise<void>;
}

const h1 = async (page: Page) => {
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
};

export const ROUTES: Route[] = [
  {
    name: "dashboard",
    path: () => "/",
    ready: async (page, state) => {
      await expect(page.getByTestId("connection-badge")).toHaveAttribute("data-state", "live");
      await expect(page.locator(`[data-testid="payment-row"][data-order-id="${state.orderId}"]`)).toBeVisible();
    },
  },
  {
    name: "queues",
    path: () => "/queues",
    ready: async (page) => {
      await expect(page.getByTestId("queue-table")).toBeVisible();
    },
  },
  {
    name: "queue page, operator",
    path: (s) => `/queues/${encodeURIComponent(s.queue)}`,
    operator: true,
    ready: async (page) => {
      await expect(page.getByRole("button", { name: /purge/i }).first()).toBeEnabled();
    },
  },
  {
    name: "queue page, viewer",
    path: (s) => `/queues/${encodeURIComponent(s.queue)}`,
    ready: async (page) => {
      await expect(page.getByTestId("queue-stats")).toBeVisible();
      // The stored history's charts (uPlot, loaded on demand) and the range picker are checked too.
      await expect(page.getByTestId("depth-chart").locator("canvas")).toBeVisible();
    },
  },
  {
    name: "dead letters, operator",
    path: (s) => `/dead-letters?queue=${encodeURIComponent(s.dlq)}`,
    operator: true,
    ready: async (page) => {
      await expect(page.getByTestId("dead-letter").first()).toBeVisible();
    },
  },
  {
    name: "trace",
    path: (s) => `/trace?order=${encodeURIComponent(s.orderId)}`,
    ready: async (page, state) => {
      await expect(page.getByText(state.orderId).first()).toBeVisible();
      // The order's distributed trace, linked to the viewer (tracing is on in the e2e server).
      await expect(page.getByTestId("trace-viewer-link")).toBeVisible();
    },
  },
  { name: "audit", path: () => "/audit" },
  { name: "login", path: () => "/login" },
  { name: "account", path: () => "/account", operator: true, ready: h1 },
  { name: "users", path: () => "/users", operator: true, ready: h1 },
  { name: "broker overview", path: () => "/broker", ready: h1 },
  { name: "connections", path: () => "/connections", ready: h1 },
  { name: "exchanges", path: () => "/exchanges", ready: h1 },
  { name: "exchange page", path: () => "/exchanges/amq.direct", ready: h1 },
  { name: "queue topology", path: (s) => `/queues/${encodeURIComponent(s.queue)}/topology`, ready: h1 },
  { name: "alerts", path: () => "/alerts", ready: h1 },
];

/** Phone widths that must never scroll the page sideways. */
const PHONES = [360, 390, 430];

let state: State;

test.beforeAll(async ({ request }) => {
  const queue = process.env.E2E_QUEUE;
  if (!queue) throw new Error("E2E_QUEUE is not set; run through playwright.config.ts");
  const res = await request.post("/api/orders", { data: { item: unique("a11y-book"), quantity: 2 } });
  expect(res.status()).toBe(202);
  const { orderId } = (await res.json()) as { orderId: string };
  await expect
    .poll(async () => {
      const feed = (await (await request.get("/api/payments")).json()) as { payments: Array<{ orderId: string }> };
      return feed.payments.some((p) => p.orderId === orderId);
    })
    .toBe(true);
  state = { queue, dlq: `${queue}.dlq`, orderId };
});

test("a dead letter waits in the workbench", async ({ broker }) => {
  await broker.sendRaw("{not json", { messageId: unique("a11y-poison") });
  await expect.poll(() => broker.depth(broker.dlq)).toBeGreaterThan(0);
});

async function open(page: Page, route: Route) {
  await page.goto(route.path(state));
  await route.ready?.(page, state);
}

for (const route of ROUTES) {
  test(`${route.name}: no serious or critical axe violation, light and dark, desktop and 390 px`, async ({ page }) => {
    test.setTimeout(90_000);
    if (route.operator) await signIn(page);
    const found = await axeEverywhere(page, () => open(page, route));
    expect(found, found.join("\n")).toEqual([]);
  });

  test(`${route.name}: no horizontal page scroll at ${PHONES.join(", ")} px`, async ({ page }) => {
    if (route.operator) await signIn(page);
    for (const width of PHONES) {
      await page.setViewportSize({ width, height: 844 });
      await open(page, route);
      const { scrollWidth, clientWidth } = await pageWidths(page);
      expect(scrollWidth, `${route.name} at ${width} px is ${scrollWidth} px wide`).toBeLessThanOrEqual(clientWidth);
    }
  });
}
