import assert from "node:assert/strict";
import { test } from "node:test";
import { medianRound } from "../../scripts/bench/scale";

test("the scale bench reports the round with the median ratio, not the best or the last", () => {
  const rounds = [{ ratio: 0.61 }, { ratio: 0.44 }, { ratio: 0.52 }];
  assert.equal(medianRound(rounds)?.ratio, 0.52);
  // An even count takes the lower middle: a noisy good round does not lift the figure.
  assert.equal(medianRound([{ ratio: 0.7 }, { ratio: 0.4 }, { ratio: 0.5 }, { ratio: 0.6 }])?.ratio, 0.5);
  assert.equal(medianRound([{ ratio: 0.3 }])?.ratio, 0.3);
  assert.equal(medianRound([]), undefined);
});
