import type { Page } from "@playwright/test";
import { SESSION_COOKIE } from "../lib/auth/session";
import { expect, operatorPassword, test } from "./fixtures";

/** Signs in through the real form and returns the Set-Cookie header of the server's answer. */
async function signInCookieHeader(page: Page): Promise<string> {
  await page.goto("/login");
  await page.getByLabel("Password", { exact: true }).fill(operatorPassword());
  const answer = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login");
  await page.getByRole("button", { name: "Sign in" }).click();
  const response = await answer;
  const header = (await response.headersArray())
    .filter((h) => h.name.toLowerCase() === "set-cookie" && h.value.startsWith(`${SESSION_COOKIE}=`))
    .map((h) => h.value)[0];
  expect(header, "the sign-in answer sets the session cookie").toBeTruthy();
  return header ?? "";
}

const attributes = (header: string) => header.split(";").map((part) => part.trim().toLowerCase());

test.describe("the session cookie", () => {
  test("lives 8 hours (WARREN_SESSION_MAX_S), httpOnly and SameSite=Lax; not Secure over plain HTTP; an opaque token", async ({
    page,
  }) => {
    const header = await signInCookieHeader(page);
    const attrs = attributes(header);
    expect(attrs).toContain(`max-age=${8 * 60 * 60}`);
    expect(attrs).toContain("httponly");
    expect(attrs).toContain("samesite=lax");
    expect(attrs).not.toContain("secure");
    // The server keeps the session (and its timeouts); the cookie holds 256 random bits, nothing to decode.
    const token = decodeURIComponent(header.split(";")[0]?.slice(SESSION_COOKIE.length + 1) ?? "");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test("is Secure behind an HTTPS proxy (X-Forwarded-Proto: https)", async ({ browser, baseURL }) => {
    const context = await browser.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-Proto": "https" } });
    try {
      const header = await signInCookieHeader(await context.newPage());
      expect(attributes(header)).toContain("secure");
    } finally {
      await context.close();
    }
  });

  test("a well-formed token the server never issued (or has forgotten) is a viewer", async ({
    page,
    context,
    baseURL,
  }) => {
    const unknown = "A".repeat(43);
    await context.addCookies([{ name: SESSION_COOKIE, value: unknown, url: baseURL ?? "" }]);
    await page.goto("/");
    await expect(page.getByTestId("role")).toHaveAttribute("data-role", "viewer");
  });
});
