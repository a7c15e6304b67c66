import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { QueueDetailView } from "@/components/queue-detail";
import { currentAccess } from "@/lib/auth/server";
import { queueNameSchema } from "@/lib/queues/operations";
import { queueDetail } from "@/lib/queues/service";

export const dynamic = "force-dynamic";

function decode(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  const name = decode((await params).name) ?? "queue";
  return { title: `${name} — Queues — Warren` };
}

export default async function QueuePage({ params }: { params: Promise<{ name: string }> }) {
  const name = decode((await params).name);
  const parsed = queueNameSchema.safeParse(name);
  if (!parsed.success) notFound();
  const [detail, access] = await Promise.all([queueDetail(parsed.data), currentAccess()]);
  if (!detail.exists) {
    return (
      <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
        <h1 className="font-mono text-xl font-bold">{parsed.data}</h1>
        <p className="mt-4 text-sm" role="status">
          There is no queue by this name on the broker{detail.mode === "limited" ? " (checked over AMQP)" : ""}.{" "}
          <Link href="/queues" className="underline">
            Back to all queues
          </Link>
        </p>
      </main>
    );
  }
  return (
    <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <p className="text-sm">
        <Link href="/queues" className="text-emerald-700 underline-offset-2 hover:underline dark:text-emerald-300">
          ← All queues
        </Link>
      </p>
      <QueueDetailView
        initial={detail}
        access={{
          canAct: access.canAct,
          reason: access.reason,
          role: access.role,
          signInEnabled: access.signInEnabled,
        }}
      />
    </main>
  );
}
