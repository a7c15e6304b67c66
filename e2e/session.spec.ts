import type { Page } from "@playwright/test";
import { SESSION_COOKIE, SESSION_MAX_AGE_SECONDS, sessionSecret, signSession } from "../lib/auth/session";
import { expect, operatorPassword, test } from "./fixtures";

/** Signs in through the real form and returns the Set-Cookie header of the server's answer. */
async function signInCookieHeader(page: Page): Promise<string> {
  await page.goto("/login");
  await page.getByLabel("Operator password").fill(operatorPassword());
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
  test("lives 8 hours, signed with that expiry, httpOnly and SameSite=Lax; not Secure over plain HTTP", async ({
    page,
  }) => {
    const before = Math.floor(Date.now() / 1000);
    const header = await signInCookieHeader(page);
    const attrs = attributes(header);
    expect(SESSION_MAX_AGE_SECONDS).toBe(8 * 60 * 60);
    expect(attrs).toContain(`max-age=${SESSION_MAX_AGE_SECONDS}`);
    expect(attrs).toContain("httponly");
    expect(attrs).toContain("samesite=lax");
    expect(attrs).not.toContain("secure");
    // The token carries the same lifetime: the server refuses it after 8 hours whatever the browser keeps.
    const token = decodeURIComponent(header.split(";")[0]?.slice(SESSION_COOKIE.length + 1) ?? "");
    const payload = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as { exp: number };
    expect(payload.exp).toBeGreaterThanOrEqual(before + SESSION_MAX_AGE_SECONDS);
    expect(payload.exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + SESSION_MAX_AGE_SECONDS);
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

  test("an expired session is a viewer, even correctly signed", async ({ page, context, baseURL }) => {
    const expired = signSession(
      { sub: "operator", exp: Math.floor(Date.now() / 1000) - 1 },
      sessionSecret(operatorPassword()),
    );
    await context.addCookies([{ name: SESSION_COOKIE, value: expired, url: baseURL ?? "" }]);
    await page.goto("/");
    await expect(page.getByTestId("role")).toHaveAttribute("data-role", "viewer");
  });
});
