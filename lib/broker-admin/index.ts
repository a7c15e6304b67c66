import "server-only";
import { currentWarren } from "../process/current";
import type { AlarmMonitor } from "./alarm-monitor";

/** The process's one alarm watcher (built with the live parts of a web process). */
export function getAlarmMonitor(): AlarmMonitor {
  const live = currentWarren().live;
  if (!live) throw new Error("this process watches no alarms");
  return live.alarms;
}

export function brokerManagement() {
  return currentWarren().management;
}
