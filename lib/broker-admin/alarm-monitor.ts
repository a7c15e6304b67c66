import { EventEmitter } from "node:events";
import type { ChannelModel } from "amqplib";
import type { BrokerLink } from "../amqp/link";
import { isManagementUnavailable, type ManagementClient } from "../queues/management";
import { type Alarm, alarmsOf, type ManagementNode, mergeAlarms, toNodeView } from "./overview";

/** What every page's banner needs: the active alarms and whether Warren's own publisher is blocked. */
export interface AlarmState {
  at: number;
  /** "unknown" when the management API cannot be asked (limited mode). */
  source: "management" | "unknown";
  alarms: Alarm[];
  /** The broker's reason when it blocked Warren's publishing connection (connection.blocked), else null. */
  publisherBlocked: string | null;
}

const POLL_MS = 3000;
const ALARM_COLUMNS = "name,running,mem_used,mem_limit,mem_alarm,disk_free,disk_free_limit,disk_free_alarm";

/**
 * ONE alarm watcher per process, whatever the number of open pages: it asks
 * the management API which alarms are in effect every few seconds and also
 * listens for connection.blocked on Warren's own publishing connection, which
 * the broker sends even where the management plugin is off.
 */
export class AlarmMonitor extends EventEmitter {
  private state: AlarmState = { at: 0, source: "unknown", alarms: [], publisherBlocked: null };
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private key = "";
  polls = 0;

  constructor(
    private readonly management: ManagementClient,
    private readonly publishLink?: BrokerLink,
    private readonly pollMs = POLL_MS,
  ) {
    super();
    this.setMaxListeners(0);
  }

  start(): this {
    if (this.timer) return this;
    if (this.publishLink) {
      const watch = (model: ChannelModel) => {
        model.on("blocked", (reason: string) => this.update({ publisherBlocked: reason || "resource alarm" }));
        model.on("unblocked", () => this.update({ publisherBlocked: null }));
      };
      this.publishLink.on("up", (model: ChannelModel) => {
        this.update({ publisherBlocked: null });
        watch(model);
      });
      const model = this.publishLink.current();
      if (model) watch(model);
    }
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
    return this;
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  latest(): AlarmState {
    return this.state;
  }

  /** Asks now (a page render wants a fresh answer); shared with a poll already under way. */
  async refresh(): Promise<AlarmState> {
    await this.poll();
    return this.state;
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      this.polls++;
      const [live, nodes] = await Promise.all([
        this.management.alarmCheck(),
        this.management.read<ManagementNode[]>(`/api/nodes?columns=${ALARM_COLUMNS}`),
      ]);
      this.update({ source: "management", alarms: mergeAlarms(live, alarmsOf((nodes ?? []).map(toNodeView))) });
    } catch (error) {
      if (!isManagementUnavailable(error)) throw error;
      this.update({ source: "unknown", alarms: [] });
    } finally {
      this.busy = false;
    }
  }

  /** Emits only on a change (during an alarm its figures change too), not on every poll. */
  private update(change: Partial<AlarmState>) {
    this.state = { ...this.state, ...change, at: Date.now() };
    const key = JSON.stringify([this.state.source, this.state.alarms, this.state.publisherBlocked]);
    if (key === this.key) return;
    this.key = key;
    this.emit("alarms", this.state);
  }
}
