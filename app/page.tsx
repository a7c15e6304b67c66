import { Dashboard } from "@/components/dashboard/dashboard";
import { dashboardSnapshot } from "@/lib/dashboard/snapshot";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  // The first paint already has data; SSE keeps it live from there.
  return <Dashboard initial={await dashboardSnapshot()} />;
}
