import type { HTMLAttributes } from "react";

/** The panel every page is built from: one border, one background, one shadow, light and dark. */
export const cardClass =
  "min-w-0 rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900";

export function Card({ className = "", padded = true, ...props }: HTMLAttributes<HTMLElement> & { padded?: boolean }) {
  return <section className={`${cardClass} ${padded ? "p-4" : ""} ${className}`} {...props} />;
}

/**
 * A wide table inside a card: it scrolls sideways inside the card, never the page
 * (a phone at 360–430 px must not get a horizontal page scroll). Focusable and
 * labelled so a keyboard user can scroll it too.
 */
export function TableScroll({
  label,
  className = "",
  children,
  ...props
}: HTMLAttributes<HTMLElement> & { label: string }) {
  return (
    // relative: an absolutely placed descendant (a screen-reader-only note in a far column) is placed
    // inside this scroll box, not against the page, where it would widen the page on a phone.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (axe scrollable-region-focusable)
    <section aria-label={label} tabIndex={0} className={`relative max-w-full overflow-x-auto ${className}`} {...props}>
      {children}
    </section>
  );
}
