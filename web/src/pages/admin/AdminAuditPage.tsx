import { useInfiniteQuery } from "@tanstack/react-query";

import type { AuditEntry } from "../../api/types";
import { usePlans } from "../../hooks";
import { formatDateTime } from "../../i18n/format";
import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";
import { auditChanges } from "../../logic/auditDiff";
import { Link } from "../../router";
import { useServices } from "../../services";
import { AdminProblem } from "./AdminProblem";

const actions: Record<string, MessageKey> = {
  "user.update": "audit.userUpdate",
  "user.credits": "audit.userCredits",
  "shared_workflow.create": "audit.sharedWorkflowCreate",
  "shared_workflow.update": "audit.sharedWorkflowUpdate",
  "shared_workflow.delete": "audit.sharedWorkflowDelete",
  "shared_preset.create": "presets.auditCreate",
  "shared_preset.update": "presets.auditUpdate",
  "shared_preset.delete": "presets.auditDelete",
};
const fields = ["plan", "suspended", "periodStart", "periodEnd", "balance", "amount", "reason", "expiresAt", "entryId", "name", "description", "plans", "nodeCount", "settings", "defaultForModel", "model", "width", "height", "steps", "cfgScale", "scheduler", "negativePrompt", "tags"];

/** Every admin change, newest first: who, what, on whom, when, from where, and what changed. */
export function AdminAuditPage() {
  const { t } = useLocale();
  const { api } = useServices();
  const audit = useInfiniteQuery({
    queryKey: ["admin", "audit"],
    queryFn: ({ pageParam }) => api.admin.audit(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const entries = audit.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="admin-audit-title">
      <h1 id="admin-audit-title">{t("admin.audit")}</h1>
      <AdminProblem error={audit.error} />
      {audit.isLoading ? <p className="muted">{t("common.loading")}</p> : null}
      {audit.isSuccess && entries.length === 0 ? <p className="muted">{t("admin.noAudit")}</p> : null}
      <ol className="audit-list">
        {entries.map((entry) => <AuditItem key={entry.id} entry={entry} />)}
      </ol>
      {audit.hasNextPage ? (
        <button type="button" onClick={() => void audit.fetchNextPage()} disabled={audit.isFetchingNextPage}>{t("admin.loadMore")}</button>
      ) : null}
    </section>
  );
}

/** What the entry is about: a link where the admin area shows it, else its type and id (which may be long). */
function AuditTarget({ entry }: { entry: AuditEntry }) {
  const { t } = useLocale();
  if (entry.targetType === "user" && entry.targetId) return <Link to={`/admin/users/${entry.targetId}`}>{t("audit.targetUser")}</Link>;
  if (entry.targetType === "shared_workflow") return <Link to="/admin/workflows">{t("audit.targetSharedWorkflows")}</Link>;
  if (entry.targetType === "shared_preset") return <Link to="/admin/presets">{t("presets.auditTarget")}</Link>;
  return <span className="break-anywhere">{`${entry.targetType} ${entry.targetId ?? ""}`}</span>;
}

function AuditItem({ entry }: { entry: AuditEntry }) {
  const { t, locale } = useLocale();
  const plans = usePlans();
  const changes = auditChanges(entry.before, entry.after);
  // A preset's settings arrive flattened (`settings.steps`): "Settings · Steps".
  const label = (part: string) => (fields.includes(part) ? t(`auditField.${part}` as MessageKey) : part);
  const fieldName = (field: string) => field.split(".").map(label).join(" · ");
  // Values read as the rest of the app shows them: plan names, yes/no, local dates.
  const show = (field: string, value: string | null) => {
    if (value === null) return t("admin.none");
    if (value === "true" || value === "false") return t(value === "true" ? "common.yes" : "common.no");
    if (field === "plan") return plans.data?.find((p) => p.id === value)?.name ?? value;
    if (field === "plans") return value.split(",").map((id) => plans.data?.find((p) => p.id === id.trim())?.name ?? id).join(", ");
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return formatDateTime(locale, value);
    return value;
  };
  return (
    <li className="audit-entry panel">
      <p className="audit-head">
        <strong>{actions[entry.action] ? t(actions[entry.action]) : entry.action}</strong>
        {" · "}
        <AuditTarget entry={entry} />
      </p>
      <p className="muted break-anywhere">{t("audit.by", { admin: entry.adminEmail, when: formatDateTime(locale, entry.createdAt), from: entry.clientAddress ?? t("admin.none") })}</p>
      {changes.length > 0 ? (
        <table className="changes">
          <thead>
            <tr><th scope="col">{t("audit.field")}</th><th scope="col">{t("audit.before")}</th><th scope="col">{t("audit.after")}</th></tr>
          </thead>
          <tbody>
            {changes.map((c) => (
              <tr key={c.field}>
                <th scope="row">{fieldName(c.field)}</th>
                <td className="break-anywhere">{show(c.field, c.before)}</td>
                <td className="break-anywhere">{show(c.field, c.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </li>
  );
}
