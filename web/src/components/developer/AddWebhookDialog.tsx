import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { CreatedWebhookEndpoint, WebhookEventType } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { defaultWebhookEvents, webhookUrlValid } from "../../logic/developer";
import { Link } from "../../router";
import { useServices } from "../../services";
import { FieldError } from "../FieldError";
import { useModalDialog } from "../useModalDialog";
import { DeveloperProblem } from "./DeveloperProblem";
import { EventChecklist } from "./EventChecklist";
import { SecretReveal } from "./SecretReveal";

/** Registers an endpoint (URL, events); the answer's signing secret is shown once, here. */
export function AddWebhookDialog({ open, onCreated, onClose }: { open: boolean; onCreated: () => void; onClose: () => void }) {
  const { t } = useLocale();
  const dialog = useModalDialog(open);
  return (
    <dialog ref={dialog} className="confirm-dialog developer-dialog" aria-labelledby="add-webhook-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      {open ? (
        <>
          <h2 id="add-webhook-title">{t("developer.addEndpoint")}</h2>
          <AddWebhookBody onCreated={onCreated} onClose={onClose} />
        </>
      ) : null}
    </dialog>
  );
}

function AddWebhookBody({ onCreated, onClose }: { onCreated: () => void; onClose: () => void }) {
  const { t } = useLocale();
  const { api } = useServices();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<WebhookEventType[]>([...defaultWebhookEvents]);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [created, setCreated] = useState<CreatedWebhookEndpoint | null>(null);

  if (created !== null) {
    return (
      <>
        <p>{t("developer.endpointCreated", { url: created.url })}</p>
        <SecretReveal id="new-webhook-secret" label={t("developer.signingSecret")} secret={created.secret} />
        <div className="actions dialog-actions">
          <Link to={`/developer/webhooks/${encodeURIComponent(created.id)}`} onClick={onClose}>{t("developer.openEndpoint")}</Link>
          <button type="button" className="primary" onClick={onClose}>{t("developer.done")}</button>
        </div>
      </>
    );
  }

  const urlError = tried && !webhookUrlValid(url) ? t("developer.urlInvalid") : null;
  const eventsError = tried && events.length === 0 ? t("developer.eventsRequired") : null;
  const server = problem?.code === "validation_failed" ? problem.errors : {};
  const submit = async () => {
    setTried(true);
    if (!webhookUrlValid(url) || events.length === 0) return;
    setBusy(true);
    setProblem(null);
    try {
      setCreated(await api.developer.createWebhook({ url: url.trim(), events }));
      onCreated();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <div className="field">
        <label htmlFor="webhook-url">{t("developer.endpointUrl")}</label>
        <input id="webhook-url" type="url" inputMode="url" autoComplete="off" spellCheck={false} value={url}
          aria-invalid={urlError !== null || problem?.code === "webhook_url_forbidden" ? true : undefined} aria-describedby="webhook-url-hint"
          onChange={(e) => setUrl(e.target.value)} />
        <p id="webhook-url-hint" className="hint">{t("developer.endpointUrlHint")}</p>
        {urlError !== null ? <p className="field-error">{urlError}</p> : <FieldError id="webhook-url-error" messages={server.url} />}
      </div>
      <EventChecklist name="webhook-event" chosen={events} onChange={setEvents} error={eventsError} serverErrors={server.events} />
      <DeveloperProblem problem={problem} plan="Starter" />
      <div className="actions dialog-actions">
        <button type="button" onClick={onClose}>{t("common.cancel")}</button>
        <button type="submit" className="primary" disabled={busy}>{t("developer.addEndpoint")}</button>
      </div>
    </form>
  );
}
