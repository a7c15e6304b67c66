import Database from "better-sqlite3";

/** One attempt to place an order through one of Warren's doors. */
export interface DoorAnswer {
  accepted: boolean;
  orderId?: string;
  /** "placed", "accepted" (waiting for broker), or why it was not accepted. */
  status: string;
}

export type Door = () => Promise<DoorAnswer>;

const ITEMS = ["book", "coffee", "tea", "pen", "notebook", "laptop"];

/** POST /api/orders on a running Warren web process. */
export function httpDoor(baseUrl: string): Door {
  let n = 0;
  return async () => {
    const item = ITEMS[n++ % ITEMS.length] ?? "book";
    try {
      const res = await fetch(`${baseUrl}/api/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ item, quantity: 1 + (n % 3) }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await res.json().catch(() => ({}))) as { orderId?: string; status?: string };
      if (res.status === 202 && typeof body.orderId === "string") {
        return { accepted: true, orderId: body.orderId, status: body.status ?? "placed" };
      }
      return { accepted: false, status: `http ${res.status}` };
    } catch (error) {
      return { accepted: false, status: `network: ${(error as Error).name}` };
    }
  };
}

/**
 * Clients that keep placing orders until stopped. Only orders the door
 * answered as accepted count: those are Warren's promise.
 */
export class OrderLoad {
  readonly accepted = new Set<string>();
  readonly statuses = new Map<string, number>();
  sent = 0;
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly door: Door,
    private readonly clients = 4,
    private readonly pauseMs = 10,
  ) {}

  start(): this {
    this.running = true;
    for (let i = 0; i < this.clients; i++) this.loops.push(this.loop());
    return this;
  }

  private async loop() {
    while (this.running) {
      this.sent++;
      const answer = await this.door();
      this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
      if (answer.accepted && answer.orderId) this.accepted.add(answer.orderId);
      if (this.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

export interface Accounting {
  accepted: number;
  paid: number;
  lost: number;
  duplicated: number;
  /** Redeliveries and re-publishes the ledger recognised and did not pay again. */
  absorbed: number;
  lostIds: string[];
}

/**
 * Reads the real ledger and compares it with what clients were told. Payments are counted as
 * deliveries the consumer recorded as paid, per order id: the payments table's order id is
 * UNIQUE, so counting its rows could never show a double payment.
 */
export function account(dbPath: string, accepted: Set<string>): Accounting {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const paidRows = db.prepare<[], { order_id: string; n: number }>(
      "SELECT order_id, COUNT(*) AS n FROM deliveries WHERE outcome = 'paid' GROUP BY order_id",
    );
    const perOrder = new Map<string, number>();
    for (const row of paidRows.all()) perOrder.set(row.order_id, row.n);
    const absorbed = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM duplicates").get()?.n ?? 0;
    let paid = 0;
    let duplicated = 0;
    const lostIds: string[] = [];
    for (const id of accepted) {
      const n = perOrder.get(id) ?? 0;
      if (n === 0) lostIds.push(id);
      else paid++;
      if (n > 1) duplicated += n - 1;
    }
    return { accepted: accepted.size, paid, lost: lostIds.length, duplicated, absorbed, lostIds };
  } finally {
    db.close();
  }
}

/** Waits until every accepted order has a payment (or the time is up); returns the final accounting. */
export async function settle(dbPath: string, accepted: Set<string>, timeoutMs = 30_000): Promise<Accounting> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = account(dbPath, accepted);
    if (result.lost === 0 || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Time of the first payment recorded at or after `since` (ms since epoch), or null. */
export function firstPaymentAfter(dbPath: string, since: number): number | null {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const row = db
      .prepare<[number], { at: number | null }>("SELECT MIN(paid_at) AS at FROM payments WHERE paid_at >= ?")
      .get(since);
    return row?.at ?? null;
  } finally {
    db.close();
  }
}

/** The broker state seen in the SSE stream's "queues" events, with when it changed. */
export class SseWatcher {
  readonly transitions: Array<{ at: number; broker: string }> = [];
  private readonly controller = new AbortController();
  private done: Promise<void> | null = null;
  events = 0;
  /** How the stream ended: "clean" (the server closed it), "error", or null while open. */
  ended: "clean" | "error" | null = null;
  sawShutdownEvent = false;

  constructor(private readonly url: string) {}

  start(): this {
    this.done = (async () => {
      const res = await fetch(this.url, { signal: this.controller.signal, headers: { accept: "text/event-stream" } });
      if (!res.body) throw new Error("SSE response has no body");
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          this.ended = "clean";
          return;
        }
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          this.onEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
        }
      }
    })().catch((error: Error) => {
      if (error.name !== "AbortError")
        this.transitions.push({ at: Date.now(), broker: `stream error: ${error.message}` });
    });
    return this;
  }

  private onEvent(raw: string) {
    const event = /^event: (.*)$/m.exec(raw)?.[1];
    const data = /^data: (.*)$/m.exec(raw)?.[1];
    if (event === "shutdown") this.sawShutdownEvent = true;
    if (event !== "queues" || !data) return;
    this.events++;
    const broker = (JSON.parse(data) as { broker: string }).broker;
    if (this.transitions.at(-1)?.broker !== broker) this.transitions.push({ at: Date.now(), broker });
  }

  /** True once the stream has shown the broker up, then down, then up again. */
  sawDownThenUp(): boolean {
    const states = this.transitions.map((t) => t.broker);
    const down = states.indexOf("down");
    return down > 0 && states.slice(down).includes("up");
  }

  /** Resolves once the server has ended the stream (or `timeoutMs` passed): what a check of `ended` waits for. */
  async finished(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.done, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  async stop() {
    this.controller.abort();
    await this.done;
  }
}
