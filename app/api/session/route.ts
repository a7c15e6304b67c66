import { z } from "zod";
import { signOut } from "@/lib/auth/accounts";
import { sessionTokenFromCookieHeader } from "@/lib/auth/cookies";
import { attemptSignIn, sessionCookie } from "@/lib/auth/sign-in-flow";
import { isHttps } from "@/lib/http/client-address";
import { parseOr400 } from "@/lib/http/issues";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

const bodySchema = z.object({
  name: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(1000),
});

function cookieHeader(cookie: ReturnType<typeof sessionCookie>): string {
  return [
    `${cookie.name}=${cookie.value}`,
    `Path=${cookie.path}`,
    `Max-Age=${cookie.maxAge}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(cookie.secure ? ["Secure"] : []),
  ].join("; ");
}

/** POST {"name","password"}: signs in (scripts, curl); the session cookie comes back as with the form. */
export const POST = route(async ({ request, client, json }) => {
  const body = parseOr400(bodySchema, await json({ limit: 4096 }));
  const signedIn = await attemptSignIn({ ...body, client, userAgent: request.headers.get("user-agent") });
  return Response.json(
    { user: signedIn.user },
    { headers: { "Set-Cookie": cookieHeader(sessionCookie(signedIn.token, isHttps(request.headers))) } },
  );
});

/** DELETE: ends this session on the server (the cookie alone is worth nothing afterwards). */
export const DELETE = route(async ({ request }) => {
  await signOut(sessionTokenFromCookieHeader(request.headers.get("cookie")));
  return new Response(null, {
    status: 204,
    headers: { "Set-Cookie": "warren_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" },
  });
});
