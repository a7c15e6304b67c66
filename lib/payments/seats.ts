import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import net from "node:net";
import os from "node:os";
import { STANDING_BY } from "./standby";

/** How often a consumer without a seat looks again: for a freed seat, and whether every holder still pays. */
export const SEAT_RETRY_MS = 500;
/** How long a seat's holder has to answer a process without a seat before it counts as not paying. */
export const SEAT_ANSWER_MS = 1000;

const TAKING = "taking a seat";
/** What asking a seat's name finds when no process holds it. */
const FREE = Symbol("free");
/** How a holder that did not answer in time is described (a second miss in a row counts against it). */
const NO_ANSWER = "no answer";

/** The seats of one machine: one per core that Node sees (cgroup quotas aside). */
export function coresHere(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length || 1;
}

export interface SeatStatus {
  /** Seats on this machine for this pipeline (0: no limit). */
  of: number;
  /** The seat this process holds (0-based), null without one. -1: no limit here (seats are off or not supported). */
  seat: number | null;
  /** Whether this process may consume: it holds a seat, there is no limit, or it fills in for a holder that does not pay. */
  paying: boolean;
  /** Why it stands by, or why it pays without a seat; null while it holds one. */
  reason: string | null;
}

/** What a seat's holder answers a process without a seat: whether it can pay now, and if not why. */
export type SeatHolderHealth = { paying: true } | { paying: false; why: string };

interface Answer {
  pipeline: string;
  pid: number;
  paying: boolean;
  why?: string;
}

/**
 * Listens on an abstract name with a server that keeps no process alive, for a seat or a fill-in
 * name: the server once it listens, else the listen's error (EADDRINUSE: the name is taken).
 */
function listenOn(
  name: string,
  onConnection: (socket: net.Socket) => void,
): Promise<net.Server | NodeJS.ErrnoException> {
  return new Promise((resolve) => {
    const server = net.createServer(onConnection);
    server.unref();
    const refused = (error: NodeJS.ErrnoException) => {
      server.close();
      resolve(error);
    };
    server.once("error", refused);
    server.listen(name, () => {
      server.off("error", refused);
      resolve(server);
    });
  });
}

/**
 * At most `seats` payment consumers of one pipeline (one queue, one store) pay at once on one machine;
 * the others stand by, subscribed to nothing, and take a seat within `retryMs` of one being freed.
 *
 * Why: paying is CPU-bound, and the broker (and often the database) share the machine's cores. Past one
 * consumer per core, another process adds no CPU, only preemption: the bench drained 100,000 orders up to
 * 20 % slower with three workers than with two on a 2-core box, their CPU per order up by 40-50 % where it
 * lost most. Consumers of a Kafka group beyond its partitions stand by the same way. Workers on other
 * machines (or in containers with a network namespace of their own) never count against this machine's seats.
 *
 * A seat is a Linux abstract Unix socket name (`\0warren-seat-<pipeline>-<i>`): the kernel gives each name
 * to one listener per network namespace and frees it the moment its process exits, `kill -9` included,
 * so there is no lease to expire and nothing left behind. Where abstract names do not exist (macOS,
 * Windows), there is no limit.
 *
 * A seat held is not yet a consumer paying: its process may be cut off from the broker or its database,
 * frozen (SIGSTOP, a blocked event loop), or the name may be held by something that is not Warren at all
 * (any local user can bind an abstract name). So a process without a seat asks every holder, on each
 * look, and a holder answers whether it pays (`health`). One that answers no, or does not answer within
 * `answerMs`, or is not this pipeline's, is filled in for: the process without a seat pays anyway, and
 * stands by again once every holder pays. Standing by never leaves the machine with fewer payers than seats.
 */
export class ConsumerSeats extends EventEmitter {
  private server: net.Server | null = null;
  /** The fill-in names held: one per seat whose holder does not pay, while this process pays for it. */
  private readonly fills = new Map<number, net.Server>();
  /** Answers missed in a row, per seat. */
  private readonly misses = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private closed = false;
  private current: SeatStatus;
  private readonly pipeline: string;
  /** Settles once the first look for a seat has an answer. */
  readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    private readonly options: {
      /** Names the pipeline: processes with the same key share the seats. */
      key: string;
      /** Seats on this machine; 0 for no limit. */
      seats: number;
      /** Where the number came from, for the reason shown while standing by. */
      seatsFrom?: string;
      /** Whether this process pays now, for others asking while it holds a seat (unset: it does). */
      health?: () => SeatHolderHealth;
      retryMs?: number;
      answerMs?: number;
      log?: (message: string) => void;
      /** For tests: the platform whose rules apply (abstract names are Linux's). */
      platform?: NodeJS.Platform;
    },
  ) {
    super();
    this.pipeline = createHash("sha256").update(options.key).digest("hex").slice(0, 16);
    this.current = { of: options.seats, seat: null, paying: false, reason: TAKING };
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  status(): SeatStatus {
    return { ...this.current };
  }

  /** May consume: holds a seat, there is no limit, or fills in for a holder that does not pay. */
  get held(): boolean {
    return this.current.paying;
  }

  start(): this {
    if (this.started) return this;
    this.started = true;
    const { seats, platform = process.platform } = this.options;
    if (seats <= 0 || platform !== "linux") {
      this.set({ of: 0, seat: -1, paying: true, reason: null });
      this.markReady();
      return this;
    }
    void this.look();
    return this;
  }

  private nameOf(seat: number): string {
    return `\0warren-seat-${this.pipeline}-${seat}`;
  }

  /** One look: take a free seat, else ask every holder whether it pays; then look again in `retryMs`. */
  private async look(): Promise<void> {
    if (this.closed) return;
    const { seats, log } = this.options;
    const notPaying = new Map<number, string>();
    for (let seat = 0; seat < seats; seat++) {
      // Asked first, listened for only when nobody holds it: a failed listen on every look cost a
      // process standing by more CPU than the answer does.
      let why = await this.ask(seat);
      if (this.closed) return;
      if (why === FREE) {
        const outcome = await this.tryOne(seat);
        if (this.closed) return;
        if (outcome === "held") {
          this.releaseFills();
          this.set({ of: seats, seat, paying: true, reason: null });
          this.markReady();
          return;
        }
        if (outcome instanceof Error) {
          // Not a taken name: abstract sockets refused here (a sandbox without them). No limit then.
          log?.(`[payments] consumer seats are off on this machine (${outcome.message}): every consumer pays`);
          this.releaseFills();
          this.set({ of: 0, seat: -1, paying: true, reason: null });
          this.markReady();
          return;
        }
        // Taken: by a process starting now, which answers at once, or by a name bound that never listens
        // (bind without listen refuses connections and still holds the name), which never will.
        why = await this.ask(seat);
        if (this.closed) return;
        if (why === FREE) why = "held by something that is not this pipeline's Warren (bound, not listening)";
      }
      // A holder that missed one answer is given a second look before it counts: the asker's own event
      // loop (busy paying, or collecting garbage) may be what was late.
      if (why?.startsWith(NO_ANSWER)) {
        const missed = this.misses.get(seat) ?? 0;
        this.misses.set(seat, missed + 1);
        if (missed === 0) why = null;
      } else {
        this.misses.delete(seat);
      }
      if (why !== null) notPaying.set(seat, why);
    }
    // One process fills in per seat whose holder does not pay (a name of its own for each), so that
    // a holder away does not set every standby paying at once.
    const filling: string[] = [];
    for (const [seat, why] of notPaying) {
      if (await this.holdFill(seat)) filling.push(`seat ${seat + 1} of ${seats}: ${why}`);
      if (this.closed) return;
    }
    for (const seat of [...this.fills.keys()]) if (!notPaying.has(seat)) this.releaseFill(seat);
    if (filling.length > 0) {
      this.set({
        of: seats,
        seat: null,
        paying: true,
        reason: `paying without a seat: its holder does not pay (${filling.join("; ")})`,
      });
    } else {
      this.set({
        of: seats,
        seat: null,
        paying: false,
        reason: `${STANDING_BY}: every consumer seat of this machine for this pipeline is taken (${seats}: ${this.options.seatsFrom ?? "WARREN_CONSUMERS_PER_HOST"})`,
      });
    }
    this.markReady();
    this.timer = setTimeout(() => void this.look(), this.options.retryMs ?? SEAT_RETRY_MS);
    this.timer.unref();
  }

  /** Holds the name that lets one process fill in for `seat` (true if this process holds it). */
  private async holdFill(seat: number): Promise<boolean> {
    if (this.fills.has(seat)) return true;
    const server = await listenOn(`\0warren-fill-${this.pipeline}-${seat}`, (socket) => socket.destroy());
    if (server instanceof Error) return false;
    if (this.closed) {
      server.close();
      return false;
    }
    // A fill-in name that fails once held is closed (and stays in `fills` until released).
    server.once("error", () => server.close());
    this.fills.set(seat, server);
    return true;
  }

  private releaseFill(seat: number) {
    this.fills.get(seat)?.close();
    this.fills.delete(seat);
  }

  private releaseFills() {
    for (const seat of [...this.fills.keys()]) this.releaseFill(seat);
  }

  private async tryOne(seat: number): Promise<"held" | "taken" | Error> {
    const server = await listenOn(this.nameOf(seat), (socket) => this.answer(socket));
    if (server instanceof Error) return server.code === "EADDRINUSE" ? "taken" : server;
    if (this.closed) {
      server.close();
      return "taken";
    }
    // A seat held is watched for good: should its socket fail (the name is then free to another
    // process), this process gives the seat up and looks again, rather than pay beside its successor.
    server.on("error", (error: Error) => {
      if (this.server !== server) return;
      this.options.log?.(`[payments] consumer seat ${seat + 1} lost (${error.message}); looking again`);
      server.close();
      this.server = null;
      void this.look();
    });
    this.server = server;
    return "held";
  }

  /** A holder's answer to a process without a seat: its pipeline, its pid, and whether it pays. */
  private answer(socket: net.Socket) {
    socket.on("error", () => {});
    const health = this.options.health?.() ?? { paying: true };
    const answer: Answer = { pipeline: this.pipeline, pid: process.pid, ...health };
    socket.end(`${JSON.stringify(answer)}\n`);
  }

  /** Asks a seat's holder whether it pays: null if it does, FREE if nobody holds it, else why it counts as not paying. */
  private ask(seat: number): Promise<string | null | typeof FREE> {
    return new Promise((resolve) => {
      const answerMs = this.options.answerMs ?? SEAT_ANSWER_MS;
      let text = "";
      let done = false;
      const finish = (why: string | null | typeof FREE) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(why);
      };
      const judge = (line: string) => {
        let answer: Answer | null = null;
        try {
          answer = JSON.parse(line) as Answer;
        } catch {
          answer = null;
        }
        if (!answer || answer.pipeline !== this.pipeline)
          finish("held by something that is not this pipeline's Warren");
        else if (answer.paying) finish(null);
        else finish(`pid ${answer.pid}: ${answer.why ?? "not paying"}`);
      };
      const socket = net.connect(this.nameOf(seat));
      const timer = setTimeout(() => finish(`${NO_ANSWER} in ${answerMs} ms (frozen?)`), answerMs);
      timer.unref();
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        text += chunk;
        const end = text.indexOf("\n");
        if (end >= 0) judge(text.slice(0, end));
        else if (text.length > 4096) judge("");
      });
      socket.on("end", () => judge(text));
      // Nothing listening on the name (ECONNREFUSED), or connecting refused here (a sandbox): whether the
      // name is free is for the listen to say.
      socket.on("error", () => finish(FREE));
    });
  }

  private set(next: SeatStatus) {
    const before = this.current;
    this.current = next;
    if (before.seat === next.seat && before.reason === next.reason && before.paying === next.paying) return;
    // Said when what it does changes (a seat taken, standing by, filling in), not each time a holder's reason reads differently.
    if (next.seat !== null && next.seat >= 0) {
      this.options.log?.(`[payments] holds consumer seat ${next.seat + 1} of ${next.of} on this machine`);
    } else if (
      next.seat === null &&
      (before.paying !== next.paying || before.seat !== null || before.reason === TAKING)
    ) {
      this.options.log?.(`[payments] ${next.reason}`);
    }
    this.emit("change", this.status());
  }

  /** Frees the seat at once (a process standing by takes it within its retry). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.server?.close();
    this.server = null;
    this.releaseFills();
    this.markReady();
  }
}
