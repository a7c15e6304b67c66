/** Number and id formats shared by every page (times are in components/ui/time.tsx). */
export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toLocaleString("en-US");
}

export function rate(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (value === 0) return "0/s";
  return `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString("en-US")}/s`;
}

/**
 * An order id short enough for a status line or a feed row. Warren's ids are
 * UUIDv7, whose leading characters are the creation time (shared by every
 * order of the same minute), so the short form is the random tail.
 */
export function shortOrderId(id: string): string {
  return id.length > 13 ? `…${id.slice(-8)}` : id;
}
