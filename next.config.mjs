/**
 * The benchmark's own routes (the `route.bench.ts` files under `app/api/bench/`) exist only in a bench build:
 * `WARREN_BENCH_BUILD=1 next build` compiles them into `.next-bench`, and `next start` with the
 * same variable serves that build. A normal build never contains them (decided at build time,
 * not by a flag a running server reads).
 */
const benchBuild = process.env.WARREN_BENCH_BUILD === "1";

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // "bench.ts" first: a route.bench.ts must not be read as a page named "route.bench".
  pageExtensions: benchBuild ? ["bench.ts", "tsx", "ts", "jsx", "js"] : ["tsx", "ts", "jsx", "js"],
  distDir: benchBuild ? ".next-bench" : ".next",
  // Native and socket-holding packages stay as plain Node requires; prom-client keeps one copy
  // (its default metrics watch the process, not a module graph). The OpenTelemetry SDK too: it is
  // loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is set (lib/tracing/setup.ts), and the API is the
  // one copy Next's own spans use.
  serverExternalPackages: [
    "better-sqlite3",
    "amqplib",
    "prom-client",
    "@opentelemetry/api",
    "@opentelemetry/sdk-trace-node",
    "@opentelemetry/exporter-trace-otlp-http",
    "@opentelemetry/resources",
  ],
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
