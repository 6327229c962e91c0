import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { AdminUser } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { usePlans } from "../../hooks";
import { formatCredits, formatDateTime } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { Link } from "../../router";
import { useServices } from "../../services";
import { AdminProblem } from "./AdminProblem";
import { CreditAdjustForm } from "./CreditAdjustForm";

/** One user: the numbers, change plan, suspend or unsuspend, adjust credits. */
export function AdminUserPage({ id }: { id: string }) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const user = useQuery({ queryKey: ["admin", "user", id], queryFn: () => api.admin.user(id) });
  const plans = usePlans();

  if (user.error) {
    return <section><AdminProblem error={user.error} /><Link to="/admin/users">{t("admin.backToUsers")}</Link></section>;
  }
  if (!user.data) {
    return <p className="muted">{t("common.loading")}</p>;
  }
  const u = user.data;
  const planName = plans.data?.find((p) => p.id === u.plan)?.name ?? u.plan;
  return (
    <section aria-labelledby="admin-user-title">
      <p><Link to="/admin/users">{t("admin.backToUsers")}</Link></p>
      <h1 id="admin-user-title" className="break-anywhere">{u.email}</h1>
      <dl className="credit-summary">
        <div><dt>{t("admin.balance")}</dt><dd data-testid="admin-balance">{u.unlimited ? t("credits.unlimited") : formatCredits(locale, u.balance)}</dd></div>
        <div><dt>{t("credits.reserved")}</dt><dd>{formatCredits(locale, u.reserved)}</dd></div>
        <div><dt>{t("credits.plan")}</dt><dd>{planName}</dd></div>
        <div><dt>{t("admin.status")}</dt><dd>{u.suspended ? t("admin.suspended") : t("admin.active")}</dd></div>
      </dl>
      <dl className="details">
        <div><dt>{t("field.name")}</dt><dd>{u.name}</dd></div>
        <div><dt>{t("admin.role")}</dt><dd>{u.role === "admin" ? t("admin.roleAdmin") : t("admin.roleUser")}</dd></div>
        <div><dt>{t("admin.totp")}</dt><dd>{u.totpEnabled ? t("admin.totpOn") : t("admin.totpOff")}</dd></div>
        <div><dt>{t("credits.periodEnd")}</dt><dd>{formatDateTime(locale, u.periodEnd)}</dd></div>
        <div><dt>{t("admin.created")}</dt><dd>{formatDateTime(locale, u.createdAt)}</dd></div>
      </dl>
      <div className="panels">
        <PlanChange user={u} />
        <SuspendToggle user={u} />
        <CreditAdjustForm user={u} />
      </div>
    </section>
  );
}

/** PATCH the user and put the answer in the cache (the detail and the list). */
function useUpdateUser(user: AdminUser) {
  const { api } = useServices();
  const queries = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const update = async (body: { plan?: string; suspended?: boolean }): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      queries.setQueryData(["admin", "user", user.id], await api.admin.updateUser(user.id, body));
      void queries.invalidateQueries({ queryKey: ["admin", "users"] });
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, update };
}

function PlanChange({ user }: { user: AdminUser }) {
  const { t } = useLocale();
  const plans = usePlans();
  const [plan, setPlan] = useState(user.plan);
  const [asking, setAsking] = useState(false);
  const { busy, error, update } = useUpdateUser(user);
  const chosen = plans.data?.find((p) => p.id === plan);

  return (
    <section className="panel" aria-labelledby="plan-change-title">
      <h2 id="plan-change-title">{t("admin.planTitle")}</h2>
      <div className="field">
        <label htmlFor="admin-plan">{t("credits.plan")}</label>
        <select id="admin-plan" value={plan} onChange={(e) => setPlan(e.target.value)}>
          {plans.data?.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select>
      </div>
      <AdminProblem error={error} />
      <button type="button" onClick={() => setAsking(true)} disabled={busy || plan === user.plan}>{t("admin.changePlan")}</button>
      <ConfirmDialog open={asking} title={t("admin.changePlanConfirm", { plan: chosen?.name ?? plan })} confirmLabel={t("admin.changePlan")} busy={busy}
        onConfirm={() => void update({ plan }).then(() => setAsking(false))} onClose={() => setAsking(false)}>
        <ul className="explain">
          <li>{t("admin.planEffectNow")}</li>
          <li>{t("admin.planEffectWriteOff")}</li>
          <li>{chosen?.unlimitedCredits || chosen?.monthlyCredits === null ? t("admin.planEffectUnlimited") : t("admin.planEffectGrant", { count: chosen?.monthlyCredits ?? 0 })}</li>
          <li>{t("admin.planEffectKept")}</li>
        </ul>
      </ConfirmDialog>
    </section>
  );
}

function SuspendToggle({ user }: { user: AdminUser }) {
  const { t } = useLocale();
  const [asking, setAsking] = useState(false);
  const { busy, error, update } = useUpdateUser(user);
  const next = !user.suspended;
  const label = next ? t("admin.suspend") : t("admin.unsuspend");
  return (
    <section className="panel" aria-labelledby="suspend-title">
      <h2 id="suspend-title">{t("admin.accessTitle")}</h2>
      <p className="hint">{user.suspended ? t("admin.isSuspended") : t("admin.isActive")}</p>
      <AdminProblem error={error} />
      <button type="button" className={next ? "danger" : undefined} onClick={() => setAsking(true)} disabled={busy}>{label}</button>
      <ConfirmDialog open={asking} title={next ? t("admin.suspendConfirm", { email: user.email }) : t("admin.unsuspendConfirm", { email: user.email })}
        confirmLabel={label} danger={next} busy={busy}
        onConfirm={() => void update({ suspended: next }).then(() => setAsking(false))} onClose={() => setAsking(false)}>
        <p>{next ? t("admin.suspendExplain") : t("admin.unsuspendExplain")}</p>
      </ConfirmDialog>
    </section>
  );
}
