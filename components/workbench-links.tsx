import Link from "next/link";

const links = [
  { href: "/", label: "Dashboard" },
  { href: "/dead-letters", label: "Dead letters" },
  { href: "/trace", label: "Trace" },
] as const;

/** A small link row for the workbench and trace pages (the site-wide nav lives in the layout). */
export function WorkbenchLinks({ current }: { current?: string }) {
  return (
    <nav aria-label="Warren pages" className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
      {links.map((link) => (
        <Link
          key={link.href}
          href={link.href}
          aria-current={current === link.href ? "page" : undefined}
          className="rounded text-slate-600 underline-offset-4 hover:underline aria-[current=page]:font-semibold aria-[current=page]:text-slate-900 dark:text-slate-300 dark:aria-[current=page]:text-white"
        >
          {link.label}
        </Link>
      ))}
    </nav>
  );
}
