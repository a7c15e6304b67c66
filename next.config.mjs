/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and socket-holding packages stay as plain Node requires.
  serverExternalPackages: ["better-sqlite3", "amqplib"],
  experimental: {
    // Hosts (besides the request's own) allowed to call server actions, e.g. behind a reverse proxy.
    serverActions: {
      // proxy.ts answers bigger posts with a 413 before Next reads them (keep the two equal).
      bodySizeLimit: "1mb",
      allowedOrigins: (process.env.WARREN_ALLOWED_ORIGINS ?? "")
        .split(",")
        .map((host) => host.trim())
        .filter(Boolean),
    },
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
      {
        // Pages get a per-request CSP with a script nonce from proxy.ts; API responses get this one:
        // nothing in them may run, load or be framed.
        source: "/api/:path*",
        headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }],
      },
    ];
  },
};

export default nextConfig;
