/**
 * Refusals are cheap to cause: anyone can send a thousand refused purges. The
 * first refusal of a kind (who, from where, what, on what) is written at once;
 * repeats within the window are only counted, and written as one summary row
 * when the window closes. The number of kinds tracked is bounded too: past it,
 * all further refusals share one "many refusals" kind.
 */
export interface CoalescedInput {
  key: string;
  write: (repeats: number) => void;
}

export class RefusalCoalescer {
  private readonly open = new Map<string, { repeats: number; last: CoalescedInput }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKinds = 1000,
  ) {}

  /** Writes now (first of its kind in the window) or counts for the summary. */
  offer(input: CoalescedInput): "written" | "counted" {
    let key = input.key;
    if (!this.open.has(key) && this.open.size >= this.maxKinds) key = "*overflow*";
    const seen = this.open.get(key);
    if (seen) {
      seen.repeats += 1;
      seen.last = input;
      return "counted";
    }
    this.open.set(key, { repeats: 0, last: input });
    input.write(0);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    this.timer.unref?.();
    return "written";
  }

  /** Writes one summary row per kind that repeated, and opens a new window. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const kinds = [...this.open.values()];
    this.open.clear();
    for (const kind of kinds) if (kind.repeats > 0) kind.last.write(kind.repeats);
  }
}
