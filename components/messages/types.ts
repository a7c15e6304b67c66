import type { FoundMessage } from "@/lib/messages/read";

export type Found = FoundMessage;

/** What every panel of the message tools needs to know. */
export interface ToolsContext {
  queue: string;
  /** The user the saved filters belong to ("viewer" when signed out). */
  user: string;
  canAct: boolean;
  maxRead: number;
  /** The operator ticked "read anyway" for a queue with consumers. */
  confirmConsumers: boolean;
  api: (op: "search" | "move" | "export") => string;
}

/** Which messages an operation takes, as the API takes it. */
export type SelectionChoice = "selected" | "search" | "all" | "group";
