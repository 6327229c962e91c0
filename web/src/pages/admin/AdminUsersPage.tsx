import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";

import { usePlans } from "../../hooks";
import { formatCredits, formatDateTime } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { useDebounced } from "../../logic/useDebounced";
import { Link } from "../../router";
import { useServices } from "../../services";
import { AdminProblem } from "./AdminProblem";

/** Users, newest first: search by email or name, filter by plan, "load more" for the next page. */
export function AdminUsersPage() {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const plans = usePlans();
  const [q, setQ] = useState("");
  const [plan, setPlan] = useState("");
  const search = useDebounced(q.trim(), 300);
  const users = useInfiniteQuery({
    queryKey: ["admin", "users", search, plan],
    queryFn: ({ pageParam }) => api.admin.users({ q: search, plan }, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = users.data?.pages.flatMap((p) => p.items) ?? [];
  const planName = (id: string) => plans.data?.find((p) => p.id === id)?.name ?? id;

  return (
    <section aria-labelledby="admin-users-title">
      <h1 id="admin-users-title">{t("admin.users")}</h1>
      <div className="filters">
        <div className="field">
          <label htmlFor="user-search">{t("admin.search")}</label>
          <input id="user-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="user-plan">{t("admin.planFilter")}</label>
          <select id="user-plan" value={plan} onChange={(e) => setPlan(e.target.value)}>
            <option value="">{t("admin.allPlans")}</option>
            {plans.data?.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </div>
      </div>
      <AdminProblem error={users.error} />
      {users.isLoading ? <p className="muted">{t("common.loading")}</p> : null}
      {users.isSuccess && rows.length === 0 ? <p className="muted">{t("admin.noUsers")}</p> : null}
      {rows.length > 0 ? (
        <table className="responsive-table">
          <thead>
            <tr>
              <th scope="col">{t("field.email")}</th>
              <th scope="col">{t("field.name")}</th>
              <th scope="col">{t("credits.plan")}</th>
              <th scope="col" className="number">{t("admin.balance")}</th>
              <th scope="col">{t("admin.status")}</th>
              <th scope="col">{t("admin.totp")}</th>
              <th scope="col">{t("admin.created")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => (
              <tr key={u.id} data-testid="admin-user-row" data-email={u.email}>
                <td data-label={t("field.email")}><Link to={`/admin/users/${u.id}`}>{u.email}</Link></td>
                <td data-label={t("field.name")}>{u.name}</td>
                <td data-label={t("credits.plan")}>{planName(u.plan)}</td>
                <td data-label={t("admin.balance")} className="number">
                  {u.unlimited ? t("credits.unlimited") : formatCredits(locale, u.balance)}
                  {u.reserved > 0 ? <span className="muted"> ({t("admin.reservedShort", { count: u.reserved })})</span> : null}
                </td>
                <td data-label={t("admin.status")}>
                  {u.suspended ? <span className="badge badge-danger">{t("admin.suspended")}</span> : <span className="badge">{t("admin.active")}</span>}
                </td>
                <td data-label={t("admin.totp")}>{u.totpEnabled ? t("admin.totpOn") : t("admin.totpOff")}</td>
                <td data-label={t("admin.created")}>{formatDateTime(locale, u.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {users.hasNextPage ? (
        <button type="button" onClick={() => void users.fetchNextPage()} disabled={users.isFetchingNextPage}>{t("admin.loadMore")}</button>
      ) : null}
    </section>
  );
}
