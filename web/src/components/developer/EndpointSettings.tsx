import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { WebhookEndpoint, WebhookEventType } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";
import { DeveloperProblem } from "./DeveloperProblem";
import { EndpointState } from "./EndpointState";
import { EventChecklist } from "./EventChecklist";

/** The endpoint's events (saved together) and its on/off switch (re-enabling clears the failure streak on the server). */
export function EndpointSettings({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const [events, setEvents] = useState<WebhookEventType[]>(endpoint.events);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const update = async (body: { events?: WebhookEventType[]; enabled?: boolean }) => {
    setBusy(true);
    setProblem(null);
    setSaved(false);
    try {
      const next = await api.developer.updateWebhook(endpoint.id, body);
      queries.setQueryData(["webhooks", endpoint.id], next);
      void queries.invalidateQueries({ queryKey: ["webhooks"], exact: true });
      setSaved(true);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const server = problem?.code === "validation_failed" ? problem.errors : {};
  const unchanged = events.length === endpoint.events.length && events.every((e) => endpoint.events.includes(e));
  return (
    <section className="panel" aria-labelledby="endpoint-settings-title">
      <div className="panel-head">
        <h2 id="endpoint-settings-title">{t("developer.settings")}</h2>
        <EndpointState endpoint={endpoint} />
      </div>
      {!endpoint.enabled && endpoint.disabledReason === "failing" ? <p className="notice">{t("developer.disabledFailingLead")}</p> : null}
      <form noValidate onSubmit={(e) => { e.preventDefault(); if (events.length > 0) void update({ events }); }}>
        <EventChecklist name="edit-event" chosen={events} onChange={setEvents}
          error={events.length === 0 ? t("developer.eventsRequired") : null} serverErrors={server.events} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || unchanged || events.length === 0}>{t("developer.saveEvents")}</button>
          <button type="button" disabled={busy} onClick={() => void update({ enabled: !endpoint.enabled })}>
            {endpoint.enabled ? t("developer.disable") : t("developer.enable")}
          </button>
          {saved ? <span className="hint" role="status">{t("account.saved")}</span> : null}
        </div>
      </form>
      <DeveloperProblem problem={problem} plan="Starter" />
    </section>
  );
}
