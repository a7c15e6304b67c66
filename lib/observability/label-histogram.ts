import type { Registry } from "prom-client";

interface Series {
  /** Observations per bucket (not cumulative): index i counts values in (bound[i-1], bound[i]], the last one above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A histogram with one label, for a hot path: prom-client's Histogram.observe() turns the labels
 * into a key on every call (about 250 ns; the hop histogram is observed five times per paid order,
 * a worker's hottest metric in the backlog drain). Here a label value's series is looked up in a
 * Map and one bucket counter grows. prom-client still registers it and prints it: get() returns
 * what its Histogram's get() returns for the same observations (the buckets cumulative, `le`
 * first, then `_sum` and `_count`), so a scrape reads the same text, and
 * test/unit/label-histogram.test.ts holds it to that.
 */
export class LabelHistogram<Label extends string> {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly label: Label,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  observe(value: string, observed: number): void {
    if (!Number.isFinite(observed)) throw new TypeError(`Value is not a valid number: ${observed}`);
    let series = this.series.get(value);
    if (!series) {
      series = { counts: new Array(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(value, series);
    }
    let i = 0;
    while (i < this.buckets.length && observed > (this.buckets[i] as number)) i++;
    (series.counts[i] as number)++;
    series.sum += observed;
    series.count++;
  }

  async get() {
    const values: Array<{
      value: number;
      metricName: string;
      exemplar?: null;
      labels: Record<string, string | number>;
    }> = [];
    for (const [value, series] of this.series) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += series.counts[i] as number;
        values.push({
          value: cumulative,
          metricName: `${this.name}_bucket`,
          exemplar: null,
          labels: { le: bound, [this.label]: value },
        });
      });
      values.push({
        value: series.count,
        metricName: `${this.name}_bucket`,
        exemplar: null,
        labels: { le: "+Inf", [this.label]: value },
      });
      values.push({
        value: series.sum,
        metricName: `${this.name}_sum`,
        exemplar: undefined,
        labels: { [this.label]: value },
      });
      values.push({
        value: series.count,
        metricName: `${this.name}_count`,
        exemplar: undefined,
        labels: { [this.label]: value },
      });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.series.clear();
  }
}
