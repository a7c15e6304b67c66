/** Unit prices in cents. Anything else gets a stable price derived from its name. */
const catalogue: Record<string, number> = {
  book: 1250,
  coffee: 320,
  tea: 280,
  laptop: 129_900,
  pen: 150,
  notebook: 450,
};

export function unitPriceCents(item: string): number {
  const known = catalogue[item.toLowerCase()];
  if (known !== undefined) return known;
  let hash = 0;
  for (const char of item.toLowerCase()) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return 100 + (hash % 4900); // 1.00 to 49.99
}

export function amountCents(item: string, quantity: number): number {
  return unitPriceCents(item) * quantity;
}
