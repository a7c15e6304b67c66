"use client";

import { useEffect, useRef, useState } from "react";

/**
 * Text for a polite live region that changes at most once per `everyMs`: at
 * 1,000 payments a second a screen reader must hear a summary now and then,
 * not one announcement per payment. `compose` gets what happened since the
 * last announcement (the change in `total`) and says it in one sentence.
 */
export function usePoliteAnnouncement<T>(
  total: number,
  latest: T,
  compose: (added: number, latest: T) => string,
  everyMs = 10_000,
): string {
  const [text, setText] = useState("");
  const announced = useRef(total);
  const lastAt = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const current = useRef({ total, latest, compose });
  current.current = { total, latest, compose };

  useEffect(() => {
    if (total <= announced.current || timer.current) return;
    const fire = () => {
      timer.current = null;
      lastAt.current = Date.now();
      const now = current.current;
      const added = now.total - announced.current;
      announced.current = now.total;
      if (added > 0) setText(now.compose(added, now.latest));
    };
    timer.current = setTimeout(fire, Math.max(0, lastAt.current + everyMs - Date.now()));
  }, [total, everyMs]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return text;
}
