"use client";

import { useEffect, useRef, useState } from "react";

/**
 * The value, changing at most once per `everyMs` (the latest one wins): for a
 * live region, so a flapping broker is one announcement every few seconds,
 * not one per flap. The first change after a quiet period shows at once.
 */
export function useThrottledValue<T>(value: T, everyMs: number): T {
  const [shown, setShown] = useState(value);
  const lastAt = useRef(0);
  const latest = useRef(value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  latest.current = value;

  useEffect(() => {
    if (Object.is(value, shown) || timer.current) return;
    timer.current = setTimeout(
      () => {
        timer.current = null;
        lastAt.current = Date.now();
        setShown(latest.current);
      },
      Math.max(0, lastAt.current + everyMs - Date.now()),
    );
  }, [value, shown, everyMs]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return shown;
}
