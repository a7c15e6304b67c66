import { Button } from "@/components/ui/button";

/** Select all, and act on the selection or on the whole queue. */
export function BulkToolbar({
  shown,
  selected,
  depth,
  disabled,
  onSelectAll,
  onRedriveSelected,
  onDryRunSelected,
  onDiscardSelected,
  onRedriveAll,
  onDiscardAll,
}: {
  shown: number;
  selected: number;
  depth: number | undefined;
  disabled: boolean;
  onSelectAll: (all: boolean) => void;
  onRedriveSelected: () => void;
  /** What a redrive of the selection would do, before doing it. */
  onDryRunSelected: () => void;
  onDiscardSelected: () => void;
  onRedriveAll: () => void;
  onDiscardAll: () => void;
}) {
  return (
    <div role="toolbar" className="flex flex-wrap items-center gap-2" aria-label="Bulk actions">
      <label className="mr-2 flex items-center gap-2 text-sm">
        <input type="checkbox" checked={selected === shown} onChange={(e) => onSelectAll(e.target.checked)} />
        Select all shown
      </label>
      <Button variant="primary" disabled={disabled || selected === 0} onClick={onRedriveSelected}>
        Redrive selected ({selected})
      </Button>
      <Button disabled={disabled || selected === 0} onClick={onDryRunSelected}>
        Dry-run selected ({selected})
      </Button>
      <Button variant="danger" disabled={disabled || selected === 0} onClick={onDiscardSelected}>
        Discard selected ({selected})
      </Button>
      <span aria-hidden className="mx-1 text-slate-400 dark:text-slate-500">
        |
      </span>
      <Button disabled={disabled} onClick={onRedriveAll}>
        Redrive all ({depth})
      </Button>
      <Button disabled={disabled} onClick={onDiscardAll}>
        Discard all ({depth})
      </Button>
    </div>
  );
}
