import { Coalesced } from "../process/coalesced";
import type { PipelineState, PipelineStore } from "../store/store";
import type { PaymentConsumer } from "./consumer";
import type { ConsumerSeats } from "./seats";
import { isStandbyReason } from "./standby";

/** How often every process re-reads the stored state, whatever the broker delivered. */
export const PIPELINE_STATE_POLL_MS = 5000;
/** The reason a consumer shows until its process has read the stored state once. */
export const WAITING_FOR_STATE = "waiting for the stored pipeline state";

/**
 * Keeps this process's payment consumer in the state stored for its pipeline (pause/resume/
 * prefetch, table `pipeline_state`). The stored row is the truth; a command on the control
 * fanout is only a wake-up to read it now, and the row is re-read every `intervalMs` anyway,
 * so a process that missed the broadcast (reconnecting, started a moment later, on another
 * machine) still follows. The consumer starts paused (PaymentConsumerOptions.startPaused)
 * and takes its first delivery only after the first read.
 *
 * With `seats`, a consumer that finds every seat of this machine taken (lib/payments/seats.ts)
 * stands by as well, paused with that reason, and consumes as soon as it takes a freed seat; an
 * operator's pause comes first.
 */
export class PipelineStateWatcher {
  private timer: NodeJS.Timeout | null = null;
  private readonly reader = new Coalesced(() => this.readAndApply(), {
    active: () => !this.stopped,
    after: () => this.schedule(),
  });
  private stopped = false;
  /** The state last applied (null: none stored, so the process's own PREFETCH and not paused). */
  applied: PipelineState | null = null;
  /** Whether the stored state has been read at least once. */
  loaded = false;
  /** Why this watcher last held the consumer (an operator's pause, or standing by), null while it let it consume. */
  private hold: string | null = null;

  constructor(
    private readonly options: {
      store: PipelineStore;
      queue: string;
      consumer: PaymentConsumer;
      intervalMs?: number;
      log?: (message: string) => void;
      seats?: ConsumerSeats;
    },
  ) {}

  start(): this {
    this.options.seats?.on("change", () => void this.refresh());
    void this.refresh();
    return this;
  }

  /** Reads the stored state now and applies it; calls during a read make one more read after it. */
  refresh(): Promise<void> {
    return this.reader.run();
  }

  private schedule() {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    // Until the first read succeeds the consumer is held: try again within a second.
    const wait = this.loaded ? (this.options.intervalMs ?? PIPELINE_STATE_POLL_MS) : 1000;
    this.timer = setTimeout(() => void this.refresh(), wait);
    this.timer.unref();
  }

  private async readAndApply(): Promise<void> {
    const { store, queue, consumer, log, seats } = this.options;
    let state: PipelineState | null;
    try {
      state = await store.read(queue);
    } catch (error) {
      log?.(`[pipeline] could not read the stored state of ${queue}: ${(error as Error).message} (trying again)`);
      return;
    }
    await seats?.ready;
    if (this.stopped) return;
    const first = !this.loaded;
    this.loaded = true;
    this.applied = state;
    try {
      if (state?.prefetch != null && state.prefetch !== consumer.stats.prefetch) {
        log?.(`[pipeline] prefetch ${state.prefetch} (stored)`);
        await consumer.setPrefetch(state.prefetch);
      }
      const paused = state?.paused ?? false;
      const standby = seats && !seats.held ? seats.status().reason : null;
      const operator = state?.updatedBy ? `paused by an operator (${state.updatedBy})` : "paused by an operator";
      const reason = paused ? operator : standby;
      const before = this.hold;
      const wasOperator = before !== null && !isStandbyReason(before);
      if (reason !== null) {
        // Paused again only when the reason to hold it changed: the consumer's own status moves on while
        // paused (reconnecting, back), and that is no reason to cancel or log anything again.
        if (first || reason !== before || !consumer.stats.paused) {
          if (paused && (first || !wasOperator)) log?.(`[pipeline] ${queue} is paused (stored)`);
          await consumer.pause(reason);
        }
      } else if (consumer.stats.paused) {
        if (!first && wasOperator) log?.(`[pipeline] ${queue} resumed (stored)`);
        await consumer.resume();
      }
      this.hold = reason;
    } catch (error) {
      log?.(`[pipeline] could not apply the stored state of ${queue}: ${(error as Error).message}`);
    }
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
