import Form from "next/form";

/** A vhost picker that navigates (a GET form), so it works before hydration and keeps the choice in the URL. */
export function VhostSelect({
  action,
  vhosts,
  current,
  allowAll = true,
}: {
  action: string;
  vhosts: string[];
  current: string | null;
  allowAll?: boolean;
}) {
  const value = current ?? "*";
  const options = vhosts.includes(value) || value === "*" ? vhosts : [value, ...vhosts];
  return (
    <Form action={action} className="flex items-end gap-2">
      <div>
        <label htmlFor="vhost" className="text-sm font-medium">
          Vhost
        </label>
        <select
          id="vhost"
          name="vhost"
          defaultValue={value}
          className="mt-1 block max-w-[14rem] rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"
        >
          {options.map((vhost) => (
            <option key={vhost} value={vhost}>
              {vhost}
            </option>
          ))}
          {allowAll ? <option value="*">all vhosts</option> : null}
        </select>
      </div>
      <button
        type="submit"
        className="rounded-lg bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 dark:bg-slate-100 dark:text-slate-900"
      >
        Show
      </button>
    </Form>
  );
}
