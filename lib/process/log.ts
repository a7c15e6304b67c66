/** What every part is given to report with; a levelled child logger can replace it without touching the parts. */
export type Log = (message: string) => void;

export const log: Log = (message) => {
  console.log(`${new Date().toISOString()} ${message}`);
};
