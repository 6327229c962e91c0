import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { Me } from "../../api/types";
import { useSwitchLanguage } from "../../hooks";
import { locales, type Locale } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";
import { Link } from "../../router";
import { useServices } from "../../services";
import { FieldError } from "../FieldError";
import { ProblemNotice } from "../ProblemNotice";

/** Name (editable), plan and the account's language (the email has its own section). */
export function ProfileSection({ me }: { me: Me }) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const switchLanguage = useSwitchLanguage();
  const [name, setName] = useState(me.name);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setSaved(false);
    try {
      queries.setQueryData(["me"], await api.updateMe({ name: name.trim() }));
      setSaved(true);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="profile-title">
      <h2 id="profile-title">{t("account.profile")}</h2>
      <form onSubmit={(e) => void save(e)} noValidate>
        <div className="field">
          <label htmlFor="account-name">{t("field.name")}</label>
          <input id="account-name" autoComplete="name" value={name} maxLength={200} required
            onChange={(e) => { setName(e.target.value); setSaved(false); }}
            aria-invalid={problem?.errors.name ? true : undefined} aria-describedby={problem?.errors.name ? "account-name-error" : undefined} />
          <FieldError id="account-name-error" messages={problem?.errors.name} />
        </div>
        <ProblemNotice problem={problem && !problem.errors.name ? problem : null} />
        <div className="actions">
          <button type="submit" disabled={busy || name.trim() === "" || name.trim() === me.name}>{t("account.saveName")}</button>
          <span role="status" className="muted">{saved ? t("account.saved") : ""}</span>
        </div>
      </form>
      <dl className="details">
        <div><dt>{t("credits.plan")}</dt><dd>{me.plan.name} · <Link to="/pricing">{t("account.changePlan")}</Link></dd></div>
      </dl>
      <div className="field">
        <label htmlFor="account-language">{t("account.language")}</label>
        <select id="account-language" value={locale} onChange={(e) => switchLanguage(e.target.value as Locale)}>
          {locales.map((l) => <option key={l} value={l}>{t(l === "en" ? "language.en" : "language.ko")}</option>)}
        </select>
        <p className="hint">{t("account.languageHint")}</p>
      </div>
    </section>
  );
}
