import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { AlertsBanner } from "@/components/alerts/alerts-banner";
import { AlarmBanner } from "@/components/broker/alarm-banner";
import { SiteNav } from "@/components/site-nav";
import "./globals.css";

export const metadata: Metadata = {
  title: "Warren — orders, queues and payments, live",
  description: "Watch orders flow through RabbitMQ into payments, live, and manage the queues that carry them.",
  icons: { icon: "/favicon.svg" },
};

export const viewport: Viewport = {
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f8fafc" },
    { media: "(prefers-color-scheme: dark)", color: "#020617" },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900"
        >
          Skip to content
        </a>
        <SiteNav />
        <AlarmBanner />
        <AlertsBanner />
        {children}
      </body>
    </html>
  );
}
