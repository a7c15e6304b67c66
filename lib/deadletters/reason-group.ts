/**
 * Blanks what varies between messages of the same kind (ids, numbers, quoted values), so the
 * workbench groups "schema: quantity: …" messages together. No imports: the consumer stores the
 * group of each message it dead-letters (who sends bad messages) without loading the workbench.
 */
export function reasonGroup(reason: string): string {
  return reason
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "…")
    .replace(/"[^"]*"/g, "…")
    .replace(/\border \S+/g, "order …")
    .replace(/\d+/g, "#")
    .replace(/(not JSON):.*/, "$1")
    .slice(0, 120);
}
