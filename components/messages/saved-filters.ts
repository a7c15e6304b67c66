"use client";

import { useCallback, useEffect, useState } from "react";

/** Saved search filters, per user, in this browser only (localStorage keyed by the user's name). */
const MAX_SAVED = 30;

function keyOf(user: string): string {
  return `warren.saved-filters.${user}`;
}

function load(user: string): string[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(keyOf(user)) ?? "[]") as unknown;
    return Array.isArray(parsed) ? parsed.filter((f): f is string => typeof f === "string").slice(0, MAX_SAVED) : [];
  } catch {
    return [];
  }
}

export function useSavedFilters(user: string) {
  const [saved, setSaved] = useState<string[]>([]);
  useEffect(() => setSaved(load(user)), [user]);
  const write = useCallback(
    (next: string[]) => {
      setSaved(next);
      try {
        localStorage.setItem(keyOf(user), JSON.stringify(next));
      } catch {
        // storage full or off: the list still works for this visit
      }
    },
    [user],
  );
  return {
    saved,
    save: (filter: string) => {
      const f = filter.trim();
      if (f) write([f, ...load(user).filter((s) => s !== f)].slice(0, MAX_SAVED));
    },
    remove: (filter: string) => write(load(user).filter((s) => s !== filter)),
  };
}
