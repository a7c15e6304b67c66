"use client";

import { useEffect, useRef, useState } from "react";

/**
 * ONE EventSource per tab for /api/events, shared by every component that
 * needs live data. Browsers allow six HTTP/1.1 connections per origin and the
 * server caps streams per client, so a second EventSource per widget would eat
 * both. The source opens with the first subscriber and closes with the last.
 */
export type StreamState = "connecting" | "open" | "reconnecting";

type Listener = (data: unknown) => void;

const URL = "/api/events";
let source: EventSource | null = null;
let state: StreamState = "connecting";
const listeners = new Map<string, Set<Listener>>();
const stateListeners = new Set<(state: StreamState) => void>();
/** Event types the shared source already forwards (addEventListener once per type). */
const wired = new Set<string>();

function setState(next: StreamState) {
  if (state === next) return;
  state = next;
  for (const listener of stateListeners) listener(next);
}

function wire(type: string) {
  if (!source || wired.has(type)) return;
  wired.add(type);
  source.addEventListener(type, (event) => {
    const data = JSON.parse((event as MessageEvent<string>).data) as unknown;
    if (type === "snapshot") setState("open");
    for (const listener of listeners.get(type) ?? []) listener(data);
  });
}

function open() {
  if (source) return;
  source = new EventSource(URL);
  state = "connecting";
  source.onopen = () => setState("open");
  // EventSource retries on its own; until it is open again the page is not live.
  source.onerror = () => setState("reconnecting");
  for (const type of listeners.keys()) wire(type);
}

function closeIfUnused() {
  const used = stateListeners.size > 0 || [...listeners.values()].some((set) => set.size > 0);
  if (used || !source) return;
  source.close();
  source = null;
  wired.clear();
  state = "connecting";
}

/** Subscribes to one event type on the shared stream; returns the unsubscribe. */
export function subscribe(type: string, listener: Listener): () => void {
  let set = listeners.get(type);
  if (!set) {
    set = new Set();
    listeners.set(type, set);
  }
  set.add(listener);
  open();
  wire(type);
  return () => {
    set.delete(listener);
    closeIfUnused();
  };
}

/** Calls `onEvent` for every event of `type` on the tab's shared stream (the latest callback, no resubscribe). */
export function useStreamEvent<T>(type: string, onEvent: (data: T) => void, enabled = true): void {
  const callback = useRef(onEvent);
  callback.current = onEvent;
  useEffect(() => {
    if (!enabled) return;
    return subscribe(type, (data) => callback.current(data as T));
  }, [type, enabled]);
}

/** Whether the tab's shared stream is connecting, open, or reconnecting. */
export function useStreamState(): StreamState {
  const [current, setCurrent] = useState<StreamState>(state);
  useEffect(() => {
    stateListeners.add(setCurrent);
    open();
    setCurrent(state);
    return () => {
      stateListeners.delete(setCurrent);
      closeIfUnused();
    };
  }, []);
  return current;
}
