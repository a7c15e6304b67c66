import { AuditTable } from "@/components/audit/audit-table";
import { Card } from "@/components/ui/card";
import type { AuditEntry } from "@/lib/audit/log";

export function DeadLetterAudit({ rows }: { rows: AuditEntry[] }) {
  return (
    <Card aria-labelledby="audit-heading">
      <h2 id="audit-heading" className="mb-2 font-semibold">
        Recent dead-letter actions
      </h2>
      <AuditTable entries={rows} testId="audit-list" empty="No redrive or discard yet." />
    </Card>
  );
}
