import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";

export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/** The serious and critical axe-core violations on the page as it is now, one readable line each. */
export async function seriousViolations(page: Page, label: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => {
      const where = v.nodes
        .slice(0, 3)
        .map((n) => {
          const why = n.failureSummary?.split("\n").at(-1)?.trim();
          return `${n.target.join(" ")}${why ? ` (${why})` : ""}`;
        })
        .join("; ");
      return `${label}: ${v.id} [${v.impact}] ×${v.nodes.length}: ${where}`;
    });
}

export const SCHEMES = ["light", "dark"] as const;
export const SIZES = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "390 px", width: 390, height: 844 },
] as const;

/** Runs axe in light and dark, at desktop width and at 390 px; `reopen` puts the page back in its state. */
export async function axeEverywhere(page: Page, reopen: () => Promise<void>): Promise<string[]> {
  const found: string[] = [];
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
      await reopen();
      found.push(...(await seriousViolations(page, `${size.name} ${scheme}`)));
    }
  }
  return found;
}

/** The document's width against the viewport's: more means the page scrolls sideways. */
export function pageWidths(page: Page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
}
