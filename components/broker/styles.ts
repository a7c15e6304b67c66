/** Shared classes of the broker views, so every table scrolls inside its card, never the page. */
export const card = "rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900";
export const tableWrap = `overflow-x-auto ${card}`;
export const table = "w-full text-sm tabular";
export const thead =
  "border-b border-slate-200 text-left text-xs uppercase text-slate-600 dark:border-slate-800 dark:text-slate-400";
export const row = "border-b border-slate-100 last:border-0 dark:border-slate-800";
export const cell = "px-3 py-1.5 whitespace-nowrap";
export const num = `${cell} text-right`;
export const link =
  "rounded text-emerald-700 underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-emerald-500 dark:text-emerald-300";
