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

/** What a move or an export can take: the ticked matches, the last search, the queue's DLQ reason groups. */
export interface SelectionSource {
  selected: Set<string>;
  searched: string | null;
  groups: string[];
}

/** The props of a panel that acts on a selection (move, export). */
export interface SelectionPanelProps extends SelectionSource {
  ctx: ToolsContext;
}
