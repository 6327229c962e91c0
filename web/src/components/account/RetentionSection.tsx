import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import { formatBytes } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { useDebounced } from "../../logic/useDebounced";
import { useServices } from "../../services";
import { ConfirmDialog } from "../ConfirmDialog";
import { FieldError } from "../FieldError";
import { ProblemNotice } from "../ProblemNotice";

const MinDays = 7;
const MaxDays = 3650;

function parseDays(text: string): number | null {
  const days = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  return Number.isInteger(days) && Math.min(Math.max(days, MinDays), MaxDays) === days ? days : null;
}

/**
 * The retention rule: keep everything, or move unstarred images older than N days to the trash.
 * Before saving it shows what the rule would move now (count, bytes, the oldest thumbnails) and asks.
 */
export function RetentionSection() {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const rule = useQuery({ queryKey: ["retention"], queryFn: api.retention });
  const [mode, setMode] = useState<"off" | "days">("off");
  const [text, setText] = useState("90");
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  // The form starts from the saved rule once it is known.
  const current = rule.data?.days;
  useEffect(() => {
    if (current !== undefined) {
      setMode(current === null ? "off" : "days");
      if (current !== null) {
        setText(String(current));
      }
    }
  }, [current]);

  const days = mode === "days" ? parseDays(text) : null;
  const settled = useDebounced(days, 300);
  const preview = useQuery({
    queryKey: ["retentionPreview", settled],
    queryFn: () => api.retentionPreview(settled as number),
    enabled: settled !== null && settled === days,
  });
  const invalid = mode === "days" && days === null;
  const wanted = mode === "off" ? null : days;
  const unchanged = current !== undefined && wanted === current;

  const save = async () => {
    setBusy(true);
    setProblem(null);
    try {
      queries.setQueryData(["retention"], await api.setRetention(wanted));
      setSaved(true);
      setAsking(false);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
      setAsking(false);
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    // Switching off moves nothing: no question to ask.
    if (wanted === null) {
      void save();
    } else {
      setAsking(true);
    }
  };

  const found = preview.data && settled === days ? preview.data : null;
  return (
    <section className="panel" aria-labelledby="retention-title" data-testid="retention">
      <h2 id="retention-title">{t("storage.retentionTitle")}</h2>
      <p className="hint">{t("storage.retentionLead")}</p>
      <form onSubmit={submit} noValidate>
        <fieldset className="retention-choice">
          <legend className="visually-hidden">{t("storage.retentionTitle")}</legend>
          <div className="chips">
            <label className="chip">
              <input type="radio" name="retention" checked={mode === "off"} onChange={() => { setMode("off"); setSaved(false); }} />
              {t("storage.retentionOff")}
            </label>
            <label className="chip">
              <input type="radio" name="retention" checked={mode === "days"} onChange={() => { setMode("days"); setSaved(false); }} />
              {t("storage.retentionOn")}
            </label>
          </div>
        </fieldset>
        {mode === "days" && (
          <div className="field">
            <label htmlFor="retention-days">{t("storage.retentionDays")}</label>
            <input id="retention-days" inputMode="numeric" value={text} onChange={(e) => { setText(e.target.value); setSaved(false); }}
              aria-invalid={invalid || undefined} aria-describedby="retention-days-hint" />
            <p id="retention-days-hint" className="hint">{t("storage.retentionDaysHint", { min: MinDays, max: MaxDays })}</p>
            <FieldError id="retention-days-error" messages={invalid && text.trim() !== "" ? [t("storage.retentionDaysInvalid", { min: MinDays, max: MaxDays })] : undefined} />
          </div>
        )}
        {found && (
          <div className="retention-preview" data-testid="retention-preview">
            <p>{found.images === 0
              ? t("storage.retentionNone")
              : t("storage.retentionWould", { count: found.images, size: formatBytes(locale, found.bytes) })}</p>
            {found.sample.length > 0 && (
              <ul className="retention-sample">
                {found.sample.map((image) => (
                  <li key={image.id}><img src={image.thumbnailUrl} alt={image.prompt} width={64} height={64} loading="lazy" /></li>
                ))}
              </ul>
            )}
          </div>
        )}
        <ProblemNotice problem={problem} />
        <div className="actions">
          <button type="submit" disabled={busy || invalid || unchanged}>{t("storage.retentionSave")}</button>
          <span role="status" className="muted">{saved ? t("account.saved") : ""}</span>
        </div>
      </form>
      <ConfirmDialog open={asking} title={t("storage.retentionConfirm")} confirmLabel={t("storage.retentionSave")} danger busy={busy}
        onConfirm={() => void save()} onClose={() => setAsking(false)}>
        <p>{t("storage.retentionConfirmLead", { days: wanted ?? 0 })}</p>
        {found && found.images > 0 && <p>{t("storage.retentionWould", { count: found.images, size: formatBytes(locale, found.bytes) })}</p>}
      </ConfirmDialog>
    </section>
  );
}
