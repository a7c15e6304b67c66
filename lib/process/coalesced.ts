/**
 * One run of `work` at a time; calls that arrive during a run share it and make exactly one more run
 * after it (what they asked for may have changed meanwhile). After the last run, `after` runs (e.g. to
 * schedule the next poll). Nothing runs while `active()` is false.
 */
export class Coalesced {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly options: { active: () => boolean; after: () => void },
  ) {}

  run(): Promise<void> {
    if (!this.options.active()) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.work();
      } while (this.again && this.options.active());
    })().finally(() => {
      this.running = null;
      this.options.after();
    });
    return this.running;
  }

  /** Forgets the extra run asked for during this one (after a failure, a retry timer takes over). */
  skipRerun(): void {
    this.again = false;
  }
}
