import { useInfiniteQuery } from "@tanstack/react-query";

import { ApiError } from "../api/problem";
import { ProblemNotice } from "../components/ProblemNotice";
import { UsageChart } from "../components/UsageChart";
import { useMe } from "../hooks";
import { formatCredits, formatDateTime, formatNumber, formatSigned } from "../i18n/format";
import { useLocale } from "../i18n/LocaleContext";
import { ledgerReason } from "../logic/ledgerReason";
import { usagePerDay } from "../logic/usage";
import { Link } from "../router";
import { useServices } from "../services";

export function CreditsPage() {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const me = useMe();
  const ledger = useInfiniteQuery({
    queryKey: ["ledger"],
    queryFn: ({ pageParam }) => api.ledger(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const entries = ledger.data?.pages.flatMap((p) => p.items) ?? [];
  const credits = me.data?.credits;

  return (
    <section aria-labelledby="credits-title">
      <h1 id="credits-title">{t("credits.title")}</h1>
      {credits ? (
        <dl className="credit-summary">
          {/* The heading says "credits": the number stands alone (the end-to-end tests read it). */}
          <div><dt>{t("credits.balance")}</dt><dd>{credits.unlimited ? t("credits.unlimited") : <span data-testid="balance">{formatNumber(locale, credits.balance)}</span>}</dd></div>
          <div><dt>{t("credits.reserved")}</dt><dd>{formatCredits(locale, credits.reserved)}</dd></div>
          <div><dt>{t("credits.periodEnd")}</dt><dd>{formatDateTime(locale, credits.periodEnd)}</dd></div>
          <div><dt>{t("credits.plan")}</dt><dd>{me.data?.plan.name} <Link to="/pricing">{t("credits.comparePlans")}</Link> · <Link to="/billing">{t("billing.topUpTitle")}</Link></dd></div>
        </dl>
      ) : null}
      <h2>{t("credits.usageTitle")}</h2>
      {/* Charges of the loaded ledger pages; older days show once their pages are loaded. */}
      <UsageChart days={usagePerDay(entries, 30)} />
      <h2>{t("credits.ledgerTitle")}</h2>
      {ledger.error ? <ProblemNotice problem={ledger.error instanceof ApiError ? ledger.error.problem : null} /> : null}
      {ledger.isLoading ? <p className="muted">{t("common.loading")}</p> : null}
      <div className="table-scroll" tabIndex={0} aria-label={t("credits.ledgerTitle")}>
        <table className="ledger responsive-table">
          <thead>
            <tr>
              <th scope="col">{t("credits.when")}</th>
              <th scope="col">{t("credits.kind")}</th>
              <th scope="col" className="number">{t("credits.amount")}</th>
              <th scope="col" className="number">{t("credits.after")}</th>
              <th scope="col">{t("credits.reason")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td data-label={t("credits.when")}>{formatDateTime(locale, e.createdAt)}</td>
                <td data-label={t("credits.kind")}>{t(`ledger.${e.kind}`)}</td>
                <td data-label={t("credits.amount")} className={e.amount < 0 ? "number negative" : "number"}>{formatSigned(locale, e.amount)}</td>
                <td data-label={t("credits.after")} className="number">{formatNumber(locale, e.balanceAfter)}</td>
                <td data-label={t("credits.reason")} className="wrap">{ledgerReason(locale, e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {ledger.hasNextPage ? (
        <button type="button" onClick={() => void ledger.fetchNextPage()} disabled={ledger.isFetchingNextPage}>{t("credits.loadMore")}</button>
      ) : null}
    </section>
  );
}
