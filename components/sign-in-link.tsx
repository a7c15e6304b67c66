"use client";

import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

/** A link to /login that brings the operator back to this page afterwards. */
export function SignInLink({
  className,
  title,
  children,
}: {
  className?: string;
  title?: string;
  children: ReactNode;
}) {
  const pathname = usePathname();
  const next = pathname && pathname !== "/login" ? `?next=${encodeURIComponent(pathname)}` : "";
  return (
    <a href={`/login${next}`} className={className} title={title}>
      {children}
    </a>
  );
}
