import assert from "node:assert/strict";
import { hostname } from "node:os";
import { describe, it } from "node:test";
import { Leases } from "../../lib/orders/leases";
import type { OrderStore } from "../../lib/store/store";

/** An outbox with one lease held by a process of this host that no longer runs. */
function storeWith(leaseLiveness: OrderStore["leaseLiveness"]) {
  const dead = `${hostname()}/2147483646/deadbeef`;
  const released: string[] = [];
  const store = {
    leaseLiveness,
    leaseOwners: async () => [dead],
    releaseLeases: async (owner: string) => {
      released.push(owner);
    },
  } as unknown as OrderStore;
  return { store, dead, released };
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
});
