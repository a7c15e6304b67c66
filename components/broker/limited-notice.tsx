export function LimitedNotice({ reason, what }: { reason: string | null; what: string }) {
  return (
    <div
      role="status"
      data-testid="limited-mode"
      className="mt-4 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
    >
      <strong>Limited mode</strong>: {what} need the management API (enable <code>rabbitmq_management</code>).{" "}
      {reason ? <span className="break-words">({reason})</span> : null}
    </div>
  );
}
