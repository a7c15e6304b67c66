import assert from "node:assert/strict";
import { hostname } from "node:os";
import { describe, it } from "node:test";
import { Leases } from "../../lib/orders/leases";
import type { OrderStore } from "../../lib/store/store";

/** An outbox with one lease held by a process of this host that no longer runs. */
function storeWith(leaseLiveness: OrderStore["leaseLiveness"]) {
  const dead = `${hostname()}/2147483646/deadbeef`;
  const released: string[] = [];
  const beats: Array<[string, number]> = [];
  const store = {
    leaseLiveness,
    heartbeat: async (owner: string, aliveMs: number) => {
      beats.push([owner, aliveMs]);
    },
    leaseOwners: async () => [dead],
    releaseLeases: async (owner: string) => {
      released.push(owner);
    },
  } as unknown as OrderStore;
  return { store, dead, released, beats };
}

describe("outbox lease liveness", () => {
  it("on one host, frees the rows of a relay whose process is gone", async () => {
    const { store, dead, released } = storeWith("host-process");
    await new Leases(store, 30_000).releaseDead(Date.now());
    assert.deepEqual(released, [dead]);
  });

  it("on a store shared by several machines, leaves every lease to run out (host + pid prove nothing there)", async () => {
    const { store, released } = storeWith("expiry");
    await new Leases(store, 30_000).releaseDead(Date.now());
    assert.deepEqual(released, []);
  });

  it("beats only where liveness is by expiry: a heartbeat vouches for the owner for heartbeatMs (a duration: the store's clock decides from when)", async () => {
    const shared = storeWith("expiry");
    const leases = new Leases(shared.store, 30_000, 5000);
    await leases.beat();
    assert.deepEqual(shared.beats, [[leases.owner, 5000]]);
    const local = storeWith("host-process");
    await new Leases(local.store, 30_000, 5000).beat();
    assert.deepEqual(local.beats, []);
  });
});
