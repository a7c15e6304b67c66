import type { Prediction } from "@/lib/deadletters/dry-run";

const LOOK: Record<Prediction["kind"], { label: string; tone: string }> = {
  pay: { label: "would be paid", tone: "text-emerald-700 dark:text-emerald-300" },
  duplicate: {
    label: "would be ignored as a duplicate (already paid with this body)",
    tone: "text-slate-600 dark:text-slate-300",
  },
  conflict: { label: "would be dead-lettered again as a conflict", tone: "text-red-700 dark:text-red-300" },
  invalid: { label: "would fail validation again", tone: "text-red-700 dark:text-red-300" },
  unroutable: { label: "cannot be redriven", tone: "text-red-700 dark:text-red-300" },
};

/** One message's dry-run outcome, shown under it before the operator redrives. */
export function PredictionLine({ prediction }: { prediction: Prediction }) {
  const look = LOOK[prediction.kind];
  const detail =
    prediction.kind === "invalid"
      ? prediction.fields.length > 0
        ? ` (field ${prediction.fields.join(", ")}: ${prediction.reason})`
        : ` (${prediction.reason})`
      : prediction.kind === "conflict" || prediction.kind === "unroutable"
        ? ` (${prediction.reason})`
        : "";
  return (
    <p className={`mt-0.5 text-sm ${look.tone}`} data-testid="prediction" data-prediction={prediction.kind}>
      Dry run: {look.label}
      {detail}
    </p>
  );
}
