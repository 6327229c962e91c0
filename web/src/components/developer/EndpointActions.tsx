import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { WebhookEndpoint } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { navigate } from "../../router";
import { useServices } from "../../services";
import { ConfirmDialog } from "../ConfirmDialog";
import { FieldError } from "../FieldError";
import { DeveloperProblem } from "./DeveloperProblem";
import { SecretReveal } from "./SecretReveal";

/** Send a test event, rotate the signing secret (the old one still signs for the overlap), delete. */
export function EndpointActions({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const [overlap, setOverlap] = useState("24");
  const [asking, setAsking] = useState<"rotate" | "delete" | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [tested, setTested] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const hours = /^\d+$/.test(overlap.trim()) ? Number(overlap) : NaN;
  const overlapValid = Number.isInteger(hours) && Math.min(Math.max(hours, 0), 72) === hours;

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
      setAsking(null);
    }
  };
  const test = () => run(async () => {
    setTested(false);
    await api.developer.testWebhook(endpoint.id);
    setTested(true);
    void queries.invalidateQueries({ queryKey: ["webhooks", endpoint.id, "deliveries"] });
  });
  const rotate = () => run(async () => setSecret((await api.developer.rotateWebhookSecret(endpoint.id, hours)).secret));
  const remove = () => run(async () => {
    await api.developer.deleteWebhook(endpoint.id);
    void queries.invalidateQueries({ queryKey: ["webhooks"] });
    navigate("/developer/webhooks");
  });

  const server = problem?.code === "validation_failed" ? problem.errors : {};
  return (
    <section className="panel" aria-labelledby="endpoint-actions-title">
      <h2 id="endpoint-actions-title">{t("developer.actions")}</h2>
      <div className="actions">
        <button type="button" disabled={busy || !endpoint.enabled} onClick={() => void test()}>{t("developer.sendTest")}</button>
        {tested ? <span className="hint" role="status" data-testid="test-sent">{t("developer.testSent")}</span> : null}
      </div>
      <form noValidate className="rotate-form" onSubmit={(e) => { e.preventDefault(); if (overlapValid) setAsking("rotate"); }}>
        <div className="field">
          <label htmlFor="overlap-hours">{t("developer.overlapHours")}</label>
          <input id="overlap-hours" type="number" inputMode="numeric" min={0} max={72} value={overlap}
            aria-invalid={overlapValid ? undefined : true} aria-describedby="overlap-hint" onChange={(e) => setOverlap(e.target.value)} />
          <p id="overlap-hint" className="hint">{t("developer.overlapHint")}</p>
          {overlapValid ? <FieldError id="overlap-error" messages={server.overlapHours} /> : <p className="field-error">{t("developer.overlapInvalid")}</p>}
        </div>
        <div className="actions">
          <button type="submit" disabled={busy || !overlapValid}>{t("developer.rotateSecret")}</button>
        </div>
      </form>
      {secret !== null ? <SecretReveal id="rotated-secret" label={t("developer.signingSecret")} secret={secret} /> : null}
      <DeveloperProblem problem={problem} plan="Starter" />
      <div className="actions">
        <button type="button" className="danger" disabled={busy} onClick={() => setAsking("delete")}>{t("developer.deleteEndpoint")}</button>
      </div>
      <ConfirmDialog open={asking === "rotate"} title={t("developer.rotateTitle")} confirmLabel={t("developer.rotateSecret")} busy={busy}
        onConfirm={() => void rotate()} onClose={() => setAsking(null)}>
        <p>{hours === 0 ? t("developer.rotateLeadNow") : t("developer.rotateLead", { hours })}</p>
      </ConfirmDialog>
      <ConfirmDialog open={asking === "delete"} title={t("developer.deleteTitle")} confirmLabel={t("developer.deleteEndpoint")} danger busy={busy}
        onConfirm={() => void remove()} onClose={() => setAsking(null)}>
        <p>{t("developer.deleteLead", { url: endpoint.url })}</p>
      </ConfirmDialog>
    </section>
  );
}
