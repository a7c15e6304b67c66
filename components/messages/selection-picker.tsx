"use client";

import { useState } from "react";
import type { SelectionChoice, SelectionSource } from "./types";

/** Radio buttons for what a move or export takes: the ticked matches, the last search's result, all, or a DLQ group. */
export function SelectionPicker({
  name,
  value,
  onChange,
  selectedCount,
  searched,
  groups,
  group,
  onGroup,
}: {
  name: string;
  value: SelectionChoice;
  onChange: (next: SelectionChoice) => void;
  selectedCount: number;
  searched: string | null;
  groups: string[];
  group: string;
  onGroup: (next: string) => void;
}) {
  const option = (choice: SelectionChoice, label: string, disabled = false) => (
    <label className={`flex items-center gap-2 ${disabled ? "opacity-60" : ""}`}>
      <input
        type="radio"
        name={name}
        value={choice}
        checked={value === choice}
        disabled={disabled}
        onChange={() => onChange(choice)}
      />
      {label}
    </label>
  );
  return (
    <fieldset className="flex flex-col gap-1 text-sm">
      <legend className="font-medium">Which messages</legend>
      {option("selected", `The ${selectedCount} selected`, selectedCount === 0)}
      {option(
        "search",
        searched === null ? "The last search's matches (search first)" : `Every match of “${searched || "(all)"}”`,
        searched === null,
      )}
      {option("all", "All messages (up to the limit)")}
      {groups.length > 0 ? (
        <div className="flex flex-wrap items-center gap-2">
          {option("group", "A dead-letter reason group:")}
          <select
            aria-label="Reason group"
            className="min-w-0 max-w-full rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950"
            value={group}
            onChange={(e) => {
              onGroup(e.target.value);
              onChange("group");
            }}
          >
            {groups.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </div>
      ) : null}
    </fieldset>
  );
}

export function selectionBody(
  choice: SelectionChoice,
  selected: Set<string>,
  searched: string | null,
  group: string,
): Record<string, unknown> {
  if (choice === "selected") return { ids: [...selected] };
  if (choice === "search") return { filter: searched ?? "" };
  if (choice === "group") return { group };
  return { all: true };
}

/**
 * A panel's choice of messages: the picker to render, what was picked, and the `selection` body the
 * API takes for it (the move and the export panels each hold one).
 */
export function useSelection(name: string, { selected, searched, groups }: SelectionSource) {
  const [choice, setChoice] = useState<SelectionChoice>("all");
  const [group, setGroup] = useState(groups[0] ?? "");
  return {
    choice,
    group,
    body: selectionBody(choice, selected, searched, group),
    picker: (
      <SelectionPicker
        name={name}
        value={choice}
        onChange={setChoice}
        selectedCount={selected.size}
        searched={searched}
        groups={groups}
        group={group}
        onGroup={setGroup}
      />
    ),
  };
}
