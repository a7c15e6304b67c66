import "server-only";
import { getRuntime } from "../runtime";
import { AlarmMonitor } from "./alarm-monitor";

const store = globalThis as typeof globalThis & { __warrenAlarms?: AlarmMonitor };

/** The process's one alarm watcher, started on first use (route handlers and pages share it). */
export function getAlarmMonitor(): AlarmMonitor {
  if (!store.__warrenAlarms) {
    const runtime = getRuntime();
    store.__warrenAlarms = new AlarmMonitor(runtime.management, runtime.publishLink).start();
  }
  return store.__warrenAlarms;
}

export function brokerManagement() {
  return getRuntime().management;
}
