"use client";

import { type ReactNode, useEffect, useId, useRef } from "react";
import { Button } from "./button";

/**
 * An inline confirm step for destructive actions: focus lands on the confirm
 * button, Escape cancels, and a screen reader hears it as an alert dialog.
 */
export function ConfirmPanel({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  testId,
}: {
  title: ReactNode;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  testId?: string;
}) {
  const id = useId();
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmRef.current?.focus(), []);
  return (
    <section
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      data-testid={testId}
      onKeyDown={(e) => e.key === "Escape" && onCancel()}
      className="rounded-xl border border-red-300 bg-red-50 p-4 dark:border-red-800 dark:bg-red-950"
    >
      <h2 id={`${id}-title`} className="font-semibold text-red-900 dark:text-red-100">
        {title}
      </h2>
      <div id={`${id}-body`} className="mt-1 text-sm text-red-900 dark:text-red-200">
        {children}
      </div>
      <div className="mt-3 flex flex-wrap gap-2">
        <Button variant="danger" buttonRef={confirmRef} onClick={onConfirm}>
          {confirmLabel}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </section>
  );
}
