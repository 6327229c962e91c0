import { useLocale } from "../../i18n/LocaleContext";
import { Link, matchPath } from "../../router";
import { AdminAuditPage } from "./AdminAuditPage";
import { AdminPresetsPage } from "./AdminPresetsPage";
import { AdminStatsPage } from "./AdminStatsPage";
import { AdminUserPage } from "./AdminUserPage";
import { AdminUsersPage } from "./AdminUsersPage";
import { AdminWorkersPage } from "./AdminWorkersPage";
import { AdminWorkflowsPage } from "./AdminWorkflowsPage";

/** The admin area (loaded on demand, not part of the first load): its own menu and pages. */
export default function AdminApp({ path }: { path: string }) {
  const { t } = useLocale();
  const user = matchPath("/admin/users/:id", path);
  const section = path.split("/")[2] ?? "users";
  return (
    <div className="admin">
      <nav aria-label={t("admin.nav")} className="admin-nav">
        <ul className="nav-list">
          <li><Link to="/admin/users" aria-current={section === "users" || section === "" ? "page" : undefined}>{t("admin.users")}</Link></li>
          <li><Link to="/admin/workers">{t("admin.workers")}</Link></li>
          <li><Link to="/admin/stats">{t("admin.stats")}</Link></li>
          <li><Link to="/admin/audit">{t("admin.audit")}</Link></li>
          <li><Link to="/admin/workflows">{t("admin.workflows")}</Link></li>
          <li><Link to="/admin/presets">{t("presets.adminTitle")}</Link></li>
        </ul>
      </nav>
      <AdminSection section={section} userId={user?.id ?? null} />
    </div>
  );
}

function AdminSection({ section, userId }: { section: string; userId: string | null }) {
  if (userId !== null) {
    return <AdminUserPage id={userId} />;
  }
  switch (section) {
    case "workers":
      return <AdminWorkersPage />;
    case "stats":
      return <AdminStatsPage />;
    case "audit":
      return <AdminAuditPage />;
    case "workflows":
      return <AdminWorkflowsPage />;
    case "presets":
      return <AdminPresetsPage />;
    default:
      return <AdminUsersPage />;
  }
}
