import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { AdminUser, CreditAdjustment } from "../../api/types";
import { FieldError } from "../../components/FieldError";
import { formatCredits, formatSigned } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";
import { AdminProblem } from "./AdminProblem";

/**
 * A credit adjustment {amount (±), reason}. One Idempotency-Key per submission, kept when the
 * submit fails so a retry cannot apply it twice, and dropped once it succeeded or the form changed.
 */
export function CreditAdjustForm({ user }: { user: AdminUser }) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<CreditAdjustment | null>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef<string | null>(null);

  const edit = (change: () => void) => {
    key.current = null;
    setResult(null);
    change();
  };

  const fieldErrors = problem !== null && Object.keys(problem.errors).length > 0;
  const value = Number(amount);
  const valid = amount.trim() !== "" && Number.isInteger(value) && value !== 0 && reason.trim() !== "";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid) {
      return;
    }
    key.current ??= crypto.randomUUID();
    setBusy(true);
    setProblem(null);
    setError(null);
    try {
      const done = await api.admin.adjustCredits(user.id, { amount: value, reason: reason.trim() }, key.current);
      key.current = null;
      setResult(done);
      setAmount("");
      setReason("");
      queries.setQueryData(["admin", "user", user.id], done.user);
      void queries.invalidateQueries({ queryKey: ["admin", "users"] });
    } catch (caught) {
      setError(caught);
      setProblem(caught instanceof ApiError ? caught.problem : null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="adjust-title">
      <h2 id="adjust-title">{t("admin.adjustTitle")}</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="adjust-amount">{t("admin.adjustAmount")}</label>
          <input id="adjust-amount" type="number" inputMode="numeric" step={1} value={amount} required
            onChange={(e) => edit(() => setAmount(e.target.value))}
            aria-invalid={problem?.errors.amount ? true : undefined} aria-describedby={problem?.errors.amount ? "adjust-amount-error" : "adjust-amount-hint"} />
          <p id="adjust-amount-hint" className="hint">{t("admin.adjustAmountHint")}</p>
          <FieldError id="adjust-amount-error" messages={problem?.errors.amount} />
        </div>
        <div className="field">
          <label htmlFor="adjust-reason">{t("admin.adjustReason")}</label>
          <textarea id="adjust-reason" rows={2} maxLength={500} value={reason} required
            onChange={(e) => edit(() => setReason(e.target.value))}
            aria-invalid={problem?.errors.reason ? true : undefined} aria-describedby={problem?.errors.reason ? "adjust-reason-error" : "adjust-reason-hint"} />
          <p id="adjust-reason-hint" className="hint">{t("admin.adjustReasonHint")}</p>
          <FieldError id="adjust-reason-error" messages={problem?.errors.reason} />
        </div>
        <AdminProblem error={fieldErrors ? null : error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || !valid}>{t("admin.adjustSubmit")}</button>
        </div>
        <p role="status" className="adjust-result">
          {result ? t(result.replayed ? "admin.adjustReplayed" : "admin.adjustDone", { amount: formatSigned(locale, result.amount), balance: formatCredits(locale, result.balanceAfter) }) : ""}
        </p>
      </form>
    </section>
  );
}
