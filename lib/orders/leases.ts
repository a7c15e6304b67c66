import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { OrderStore } from "../store/store";

/**
 * Owners alive in this process (a restarted process can get its predecessor's pid, e.g. in a
 * container). Module state is enough: outboxes are built only by lib/process, in one module graph.
 */
const liveOwners = new Set<string>();

/**
 * Process liveness for outbox leases. A relay leases the rows it publishes
 * to its owner id (host/pid/random); a lease runs out after `leaseMs`, and a
 * process of this host that died (crash, kill -9, restart) frees its rows at
 * once rather than when its leases run out. Liveness by host and pid works on
 * one host only: on a store shared by several machines (PostgreSQL,
 * `leaseLiveness: "expiry"`) nothing is freed by it, and a dead relay's rows
 * come back when their lease runs out.
 */
export class Leases {
  readonly owner = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly store: OrderStore,
    private readonly leaseMs: number,
    /** How long a heartbeat vouches for this owner ("expiry" stores): a few sweep periods. */
    private readonly heartbeatMs = 5000,
  ) {}

  /** This owner is alive for another `heartbeatMs` by the store's clock (on stores shared by several machines). */
  async beat(): Promise<void> {
    if (this.store.leaseLiveness === "expiry") await this.store.heartbeat(this.owner, this.heartbeatMs);
  }

  /** A lease for a claim made at `at`. */
  leaseAt(at: number) {
    return { owner: this.owner, until: at + this.leaseMs };
  }

  /** This owner is alive from now on; rows of owners of this host that are not are freed. */
  async start(at: number): Promise<void> {
    liveOwners.add(this.owner);
    await this.beat();
    await this.releaseDead(at);
  }

  /** Leases held by a process of this host that no longer runs are void. */
  async releaseDead(at: number): Promise<void> {
    if (this.store.leaseLiveness !== "host-process") return;
    const host = hostname();
    for (const owner of await this.store.leaseOwners(at)) {
      const [ownerHost, pid] = owner.split("/");
      if (ownerHost !== host || owner === this.owner) continue;
      if (!ownerAlive(owner, Number(pid))) await this.store.releaseLeases(owner);
    }
  }

  /** This owner stops: its rows are due for any relay at once. */
  async stop(): Promise<void> {
    await this.store.releaseLeases(this.owner);
    liveOwners.delete(this.owner);
  }
}

function ownerAlive(owner: string, pid: number): boolean {
  if (pid === process.pid) return liveOwners.has(owner);
  return processAlive(pid);
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
