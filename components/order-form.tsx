"use client";

import { useActionState, useEffect, useRef } from "react";
import { type OrderFormState, placeOrderAction } from "@/app/actions";

const initialState: OrderFormState = { status: "idle", message: "" };

export function OrderForm({ onPlaced }: { onPlaced?: (orderId: string) => void }) {
  const [state, formAction, isPending] = useActionState(placeOrderAction, initialState);
  const itemRef = useRef<HTMLInputElement>(null);
  const itemError = state.fieldErrors?.item?.[0];
  const quantityError = state.fieldErrors?.quantity?.[0];

  useEffect(() => {
    if (state.status === "ok" && state.orderId) {
      onPlaced?.(state.orderId);
      itemRef.current?.focus();
    }
  }, [state, onPlaced]);

  const inputClass =
    "mt-1 block w-full rounded-lg border bg-white px-3 py-2 text-sm shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 dark:bg-slate-950";

  return (
    <form
      action={formAction}
      aria-labelledby="order-heading"
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
      noValidate
    >
      <h2 id="order-heading" className="font-semibold">
        Place an order
      </h2>
      <div className="mt-3 grid grid-cols-[1fr_6rem] gap-3">
        <div>
          <label htmlFor="item" className="text-sm font-medium">
            Item
          </label>
          <input
            ref={itemRef}
            id="item"
            name="item"
            type="text"
            autoComplete="off"
            placeholder="book"
            maxLength={200}
            defaultValue={state.status === "error" ? state.values?.item : ""}
            key={`item-${state.orderId ?? ""}-${state.status}`}
            aria-invalid={itemError ? true : undefined}
            aria-describedby={itemError ? "item-error" : undefined}
            className={`${inputClass} ${itemError ? "border-red-500" : "border-slate-300 dark:border-slate-700"}`}
          />
          {itemError ? (
            <p id="item-error" className="mt-1 text-sm text-red-600 dark:text-red-400">
              {itemError}
            </p>
          ) : null}
        </div>
        <div>
          <label htmlFor="quantity" className="text-sm font-medium">
            Quantity
          </label>
          <input
            id="quantity"
            name="quantity"
            type="number"
            inputMode="numeric"
            min={1}
            max={1000}
            defaultValue={state.status === "error" ? state.values?.quantity : "1"}
            key={`qty-${state.orderId ?? ""}-${state.status}`}
            aria-invalid={quantityError ? true : undefined}
            aria-describedby={quantityError ? "quantity-error" : undefined}
            className={`${inputClass} ${quantityError ? "border-red-500" : "border-slate-300 dark:border-slate-700"}`}
          />
          {quantityError ? (
            <p id="quantity-error" className="mt-1 text-sm text-red-600 dark:text-red-400">
              {quantityError}
            </p>
          ) : null}
        </div>
      </div>
      <div className="mt-4 flex items-center gap-3">
        <button
          type="submit"
          disabled={isPending}
          className="rounded-lg bg-emerald-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:cursor-wait disabled:opacity-60"
        >
          {isPending ? "Placing…" : "Place order"}
        </button>
        <p
          role="status"
          aria-live="polite"
          data-testid="order-status"
          data-status={isPending ? "pending" : state.status}
          data-waiting={!isPending && state.waiting ? state.waiting : undefined}
          className={`text-sm ${
            state.status === "error" ? "text-red-600 dark:text-red-400" : "text-slate-600 dark:text-slate-300"
          }`}
        >
          {isPending ? "Saving your order…" : state.message}
        </p>
      </div>
    </form>
  );
}
