// Types for build-canary.mjs (plain JavaScript so scripts/test.mjs runs with bare node).

export const BUILD_CANARY_ENV: Record<string, string>;
export const BUILD_CANARY_SECRETS: string[];
export const BUILD_CANARY_MARKER: string;
