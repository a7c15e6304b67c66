import { EventEmitter } from "node:events";
import type { AlertIncident, AlertStore } from "../store/store";

/** What every page's banner shows: the alerts firing now (from the store, whoever evaluated them). */
export interface AlertsState {
  at: number;
  firing: AlertIncident[];
}

/**
 * ONE reader of the firing alerts per web process, whatever the number of tabs: the leader of
 * the group writes them, every process reads them here every few seconds and emits "alerts"
 * on a change, for the banner on every page (it rides the tab's one live stream).
 */
export class AlertBoard extends EventEmitter {
  private state: AlertsState = { at: 0, firing: [] };
  private key = "";
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<AlertsState> | null = null;

  constructor(
    private readonly alerts: Pick<AlertStore, "firing">,
    private readonly intervalMs: number,
    private readonly onError?: (error: unknown) => void,
  ) {
    super();
    this.setMaxListeners(0);
  }

  start(): this {
    if (this.timer) return this;
    this.timer = setInterval(() => void this.refresh().catch((e) => this.onError?.(e)), this.intervalMs);
    this.timer.unref();
    void this.refresh().catch((e) => this.onError?.(e));
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  latest(): AlertsState {
    return this.state;
  }

  /** Reads now (shared with a read under way); emits when what fires changed. */
  refresh(): Promise<AlertsState> {
    this.reading ??= this.alerts
      .firing()
      .then((firing) => {
        this.state = { at: Date.now(), firing };
        const key = JSON.stringify(firing.map((i) => [i.id, i.summary]));
        if (key !== this.key) {
          this.key = key;
          this.emit("alerts", this.state);
        }
        return this.state;
      })
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }
}
