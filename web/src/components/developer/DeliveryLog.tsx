import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { WebhookDelivery } from "../../api/types";
import { formatDateTime, formatNumber } from "../../i18n/format";
import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";
import { ProblemNotice } from "../ProblemNotice";

/** An endpoint's deliveries, newest first: status, last code, attempts, time; each opens to its attempts, with Redeliver. */
export function DeliveryLog({ endpointId }: { endpointId: string }) {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const log = useInfiniteQuery({
    queryKey: ["webhooks", endpointId, "deliveries"],
    queryFn: ({ pageParam }) => api.developer.deliveries(endpointId, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    // While something is still on its way, look again now and then: the sender retries in the background.
    refetchInterval: (query) => (query.state.data?.pages.some((p) => p.items.some((d) => d.status === "pending")) ? 3000 : false),
  });
  const refresh = () => void queries.invalidateQueries({ queryKey: ["webhooks", endpointId, "deliveries"] });
  const items = log.data?.pages.flatMap((p) => p.items);
  return (
    <section className="panel delivery-log" aria-labelledby="deliveries-title">
      <div className="panel-head">
        <h2 id="deliveries-title">{t("developer.deliveries")}</h2>
        <button type="button" onClick={refresh}>{t("developer.refresh")}</button>
      </div>
      <ProblemNotice problem={log.error instanceof ApiError ? log.error.problem : null} />
      {items === undefined ? (
        log.error ? null : <p className="muted">{t("common.loading")}</p>
      ) : items.length === 0 ? (
        <p className="muted" data-testid="deliveries-empty">{t("developer.deliveriesEmpty")}</p>
      ) : (
        <ul className="dev-list">
          {items.map((delivery) => <DeliveryRow key={delivery.id} delivery={delivery} onRedelivered={refresh} />)}
        </ul>
      )}
      {log.hasNextPage ? (
        <div className="actions">
          <button type="button" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>{t("developer.more")}</button>
        </div>
      ) : null}
    </section>
  );
}

function DeliveryRow({ delivery, onRedelivered }: { delivery: WebhookDelivery; onRedelivered: () => void }) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const status = ["pending", "delivered", "failed"].includes(delivery.status) ? delivery.status : "pending";

  const redeliver = async () => {
    setBusy(true);
    setProblem(null);
    setSent(false);
    try {
      await api.developer.redeliver(delivery.id);
      setSent(true);
      onRedelivered();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const badge = status === "delivered" ? "badge state-idle" : status === "failed" ? "badge badge-danger" : "badge state-busy";
  return (
    <li className="dev-row" data-testid="delivery-row" data-status={status} data-id={delivery.id}>
      <details>
        <summary className="delivery-summary">
          <span className={badge}>{t(`developer.delivery.${status}` as MessageKey)}</span>
          <code>{delivery.eventType}</code>
          <span data-testid="delivery-code">{delivery.lastStatusCode === null ? t("developer.noCode") : t("developer.httpCode", { code: delivery.lastStatusCode })}</span>
          <span>{t("developer.attempts", { count: delivery.attempts })}</span>
          <span className="muted">{formatDateTime(locale, delivery.createdAt)}</span>
        </summary>
        <dl className="dev-meta">
          {delivery.generationId !== null ? <div><dt>{t("developer.generation")}</dt><dd><code>{delivery.generationId}</code></dd></div> : null}
          {delivery.deliveredAt !== null ? <div><dt>{t("developer.deliveredAt")}</dt><dd>{formatDateTime(locale, delivery.deliveredAt)}</dd></div> : null}
          {delivery.nextAttemptAt !== null && status === "pending" ? <div><dt>{t("developer.nextAttempt")}</dt><dd>{formatDateTime(locale, delivery.nextAttemptAt)}</dd></div> : null}
          {delivery.lastError !== null ? <div><dt>{t("developer.lastError")}</dt><dd>{delivery.lastError}</dd></div> : null}
        </dl>
        {delivery.attemptsLog.length > 0 ? (
          <ol className="attempt-list" aria-label={t("developer.attemptsTitle")}>
            {delivery.attemptsLog.map((attempt, i) => (
              <li key={`${attempt.at}-${i}`} data-testid="attempt">
                <span>{formatDateTime(locale, attempt.at)}</span>
                <span>{attempt.statusCode === null ? t("developer.noCode") : t("developer.httpCode", { code: attempt.statusCode })}</span>
                {attempt.durationMs !== null ? <span className="muted">{t("developer.duration", { ms: formatNumber(locale, attempt.durationMs) })}</span> : null}
                {attempt.error !== null ? <span className="field-error">{attempt.error}</span> : null}
              </li>
            ))}
          </ol>
        ) : null}
      </details>
      <ProblemNotice problem={problem} />
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void redeliver()} aria-label={t("developer.redeliverNamed", { event: delivery.eventType, date: formatDateTime(locale, delivery.createdAt) })}>{t("developer.redeliver")}</button>
        {sent ? <span className="hint" role="status">{t("developer.redeliverQueued")}</span> : null}
      </div>
    </li>
  );
}
