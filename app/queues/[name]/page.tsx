import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { MessageTools } from "@/components/messages/message-tools";
import { QueueDetailView } from "@/components/queues/queue-detail";
import { currentAccess } from "@/lib/auth/server";
import { MAX_READ, readFacts } from "@/lib/messages";
import { queueNameSchema } from "@/lib/queues/operations";
import { queueDetail } from "@/lib/queues/service";
import { detailFor } from "@/lib/security/redact";

export const dynamic = "force-dynamic";

/**
 * The queue name from the URL segment. Next hands it over still encoded in some requests and
 * already decoded in others (seen: "x%2050%25" from Chromium, "x%y" from curl), so decode
 * once, and keep it as it is when it does not decode (a "%" that is part of the name).
 */
function queueNameParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  const name = queueNameParam((await params).name);
  return { title: `${name} — Queues — Warren` };
}

export default async function QueuePage({ params }: { params: Promise<{ name: string }> }) {
  const name = queueNameParam((await params).name);
  const parsed = queueNameSchema.safeParse(name);
  if (!parsed.success) notFound();
  const [detail, access, facts] = await Promise.all([
    queueDetail(parsed.data),
    currentAccess(),
    readFacts(parsed.data).catch(() => null),
  ]);
  // While the broker is away nobody can say whether the queue exists: the view says "unreachable" instead.
  if (!detail.exists && !detail.unreachable) {
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
        initial={detailFor(detail, access)}
        access={{
          canAct: access.canAct,
          reason: access.reason,
          role: access.role,
          signInEnabled: access.signInEnabled,
        }}
      />
      <MessageTools
        queue={parsed.data}
        facts={facts}
        access={{
          canAct: access.canAct,
          reason: access.reason,
          role: access.role,
          signInEnabled: access.signInEnabled,
        }}
        user={access.user?.name ?? "viewer"}
        maxRead={MAX_READ}
      />
    </main>
  );
}
