export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toLocaleString("en-US");
}

export function rate(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (value === 0) return "0/s";
  return `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString("en-US")}/s`;
}

export function time(at: number): string {
  return new Date(at).toISOString().replace("T", " ").slice(0, 19);
}
