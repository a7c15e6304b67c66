import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

/** The dead letters that failed for one reason, with group-wide actions. */
export function ReasonGroup({
  group,
  count,
  disabled,
  onRedrive,
  onDiscard,
  children,
}: {
  group: string;
  count: number;
  disabled: boolean;
  onRedrive: () => void;
  onDiscard: () => void;
  children: ReactNode;
}) {
  return (
    <Card padded={false} data-testid="reason-group" aria-label={`Reason: ${group}`}>
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-3 dark:border-slate-800">
        <h2 className="min-w-0 break-all font-semibold">
          <span className="font-mono text-sm">{group}</span>{" "}
          <span className="text-sm font-normal text-slate-600 dark:text-slate-400" data-testid="group-count">
            {count} message{count === 1 ? "" : "s"}
          </span>
        </h2>
        <div className="flex flex-wrap gap-2">
          <Button disabled={disabled} onClick={onRedrive}>
            Redrive group
          </Button>
          <Button disabled={disabled} onClick={onDiscard}>
            Discard group
          </Button>
        </div>
      </div>
      <ul className="divide-y divide-slate-200 dark:divide-slate-800">{children}</ul>
    </Card>
  );
}
