import { getMetricsFromIterator, type PromMetrics } from "prom2javascript";

export type Metrics = PromMetrics;

/**
 * Parses a Prometheus text exposition with prom2javascript, which throws on a
 * line it cannot read and keeps labelled histograms apart (the older
 * parse-prometheus-text-format merged them into one and skipped bad lines).
 * Every sample line must also come out as a sample: nothing dropped quietly.
 */
export async function parseMetrics(text: string): Promise<Metrics> {
  // prom-client writes NaN as "Nan" (e.g. the event loop's mean lag over a window with no
  // sample). Prometheus reads floats as Go's ParseFloat does, case-insensitively, so that is
  // valid; prom2javascript's value pattern knows no NaN at all. Such samples are parsed as 0
  // and given back as NaN.
  const notANumber = new Set<string>();
  const readable = text.replace(/^(\w+)(\{.*\})?(\s+)nan(\s|$)/gim, (_line, name: string, labels = "", gap, end) => {
    notANumber.add(name);
    return `${name}${labels}${gap}0${end}`;
  });
  const metrics = await getMetricsFromIterator(readable.split("\n")[Symbol.iterator]());
  for (const name of notANumber) {
    for (const sample of metrics[name]?.data ?? [])
      if ("value" in sample && sample.value === 0) sample.value = Number.NaN;
  }
  const lines = text.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
  let samples = 0;
  for (const [name, metric] of Object.entries(metrics)) {
    for (const sample of metric.data) {
      const values =
        "buckets" in sample
          ? [...Object.values(sample.buckets), sample.count, sample.sum]
          : "quantiles" in sample
            ? [...Object.values(sample.quantiles), sample.count, sample.sum]
            : [sample.value];
      for (const value of values) {
        if (value !== undefined && Number.isNaN(value) && !notANumber.has(name)) {
          throw new Error(`${name}: a sample is not a number`);
        }
      }
      samples += values.filter((value) => value !== undefined).length;
    }
  }
  if (samples !== lines.length) {
    throw new Error(`the exposition has ${lines.length} sample lines but ${samples} parsed`);
  }
  return metrics;
}

/** One sample's value (a histogram's: its count): the one whose labels include `labels`. */
export function metricValue(metrics: Metrics, name: string, labels: Record<string, string> = {}): number | null {
  const sample = metrics[name]?.data.find((s) =>
    Object.entries(labels).every(([key, value]) => s.labels?.[key] === value),
  );
  if (!sample) return null;
  if ("value" in sample) return sample.value;
  return sample.count ?? null;
}

/** GET `<baseUrl>/api/metrics` (or another path), parsed. */
export async function scrapeMetrics(baseUrl: string, path = "/api/metrics", token?: string): Promise<Metrics> {
  const res = await fetch(`${baseUrl}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return parseMetrics(await res.text());
}
