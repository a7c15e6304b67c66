/** Which door an order came through (kept on its row for the trace). */
export type OrderSource = "form" | "api" | "test";

/** An order as Warren stores and publishes it. */
export interface PlacedOrder {
  orderId: string;
  item: string;
  quantity: number;
  placedAt: number;
}

export interface AcceptedOrder extends PlacedOrder {
  /** "placed": the broker confirmed it; "accepted": it is safe in the outbox and waits for the broker. */
  status: "placed" | "accepted";
  waiting?: "broker";
}
