"use client";

import { type FormEvent, startTransition, useActionState, useEffect, useRef, useState } from "react";
import { type OrderFormState, placeOrderAction } from "@/app/actions";
import { shortOrderId } from "@/components/format";
import { buttonClass } from "@/components/ui/button";
import { cardClass } from "@/components/ui/card";
import { TextField } from "@/components/ui/text-field";
import type { Payment } from "@/lib/payments/decide";

const initialState: OrderFormState = { status: "idle", message: "" };

/** A fresh Idempotency-Key; getRandomValues, unlike randomUUID, also works on plain-http pages. */
function newSubmissionKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function OrderForm({
  onPlaced,
  payments = [],
}: {
  onPlaced?: (orderId: string) => void;
  /** Recent payments, so the status line can say when the last order got paid. */
  payments?: Payment[];
}) {
  const [state, formAction, isPending] = useActionState(placeOrderAction, initialState);
  const itemRef = useRef<HTMLInputElement>(null);
  // One key per submission: kept while a submission is unanswered (a double click or a resubmit
  // after a timeout is the same order), renewed with every answer.
  const [submissionKey, setSubmissionKey] = useState(newSubmissionKey);
  const [keyAnswered, setKeyAnswered] = useState(state);
  if (keyAnswered !== state) {
    setKeyAnswered(state);
    setSubmissionKey(newSubmissionKey());
  }
  const itemError = state.fieldErrors?.item?.[0];
  const quantityError = state.fieldErrors?.quantity?.[0];
  // The feed keeps the last 100 payments: under load this order's row leaves it within
  // moments, so the status line remembers the payment once it has seen it.
  const [seenPaid, setSeenPaid] = useState<Payment | undefined>(undefined);
  const inFeed = state.status === "ok" ? payments.find((p) => p.orderId === state.orderId) : undefined;
  if (inFeed && seenPaid?.orderId !== inFeed.orderId) setSeenPaid(inFeed);
  const paid = inFeed ?? (state.status === "ok" && seenPaid?.orderId === state.orderId ? seenPaid : undefined);
  const message = paid
    ? `Order ${shortOrderId(paid.orderId)} paid: ${paid.quantity} × ${paid.item}${paid.latencyMs === null ? "" : ` in ${paid.latencyMs} ms`}.`
    : state.message;

  // With JavaScript the two fields go as a plain object (a small text body, not multipart:
  // about a fifth less server CPU per order); without it, the form posts itself to the same action.
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const fields = {
      item: String(data.get("item") ?? ""),
      quantity: String(data.get("quantity") ?? ""),
      idempotencyKey: submissionKey,
    };
    startTransition(() => formAction(fields));
  };

  useEffect(() => {
    if (state.status === "ok" && state.orderId) {
      onPlaced?.(state.orderId);
      itemRef.current?.focus();
    }
  }, [state, onPlaced]);

  return (
    <form
      action={formAction}
      onSubmit={submit}
      aria-labelledby="order-heading"
      className={`${cardClass} p-4`}
      noValidate
    >
      {/* The server's and the browser's first keys differ; either serves (the no-JS post sends the server's). */}
      <input type="hidden" name="idempotencyKey" value={submissionKey} suppressHydrationWarning />
      <h2 id="order-heading" className="font-semibold">
        Place an order
      </h2>
      <div className="mt-3 grid grid-cols-[minmax(0,1fr)_6rem] gap-3">
        <TextField
          inputRef={itemRef}
          id="item"
          label="Item"
          type="text"
          autoComplete="off"
          placeholder="book"
          maxLength={200}
          defaultValue={state.status === "error" ? state.values?.item : ""}
          key={`item-${state.orderId ?? ""}-${state.status}`}
          error={itemError}
        />
        <TextField
          id="quantity"
          label="Quantity"
          type="number"
          inputMode="numeric"
          min={1}
          max={1000}
          defaultValue={state.status === "error" ? state.values?.quantity : "1"}
          key={`qty-${state.orderId ?? ""}-${state.status}`}
          error={quantityError}
        />
      </div>
      <div className="mt-4 flex items-center gap-3">
        <button
          type="submit"
          disabled={isPending}
          className={buttonClass("primary", "shrink-0 whitespace-nowrap px-4 py-2 font-semibold disabled:cursor-wait")}
        >
          {isPending ? "Placing…" : "Place order"}
        </button>
        <p
          role="status"
          aria-live="polite"
          data-testid="order-status"
          data-status={isPending ? "pending" : paid ? "paid" : state.status}
          data-order-id={state.orderId}
          data-waiting={!isPending && !paid && state.waiting ? state.waiting : undefined}
          className={`min-w-0 break-words text-sm ${
            state.status === "error" ? "text-red-700 dark:text-red-300" : "text-slate-600 dark:text-slate-300"
          }`}
        >
          {isPending ? "Saving your order…" : message}
        </p>
      </div>
    </form>
  );
}
