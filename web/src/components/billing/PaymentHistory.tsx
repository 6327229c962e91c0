import type { Payment } from "../../api/types";
import { formatDateTime } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { paymentAmountText } from "../../logic/billing";

const kindKeys = { subscription: "billing.kindSubscription", renewal: "billing.kindRenewal", topup: "billing.kindTopUp", refund: "billing.kindRefund" } as const;
const statusKeys = { paid: "billing.paymentPaid", failed: "billing.paymentFailed", refunded: "billing.paymentRefunded" } as const;

/** Dates, kinds, amounts in their own currency and status, newest first as the server sends them. */
export function PaymentHistory({ payments }: { payments: Payment[] }) {
  const { t, locale } = useLocale();
  return (
    <section aria-labelledby="payments-title">
      <h2 id="payments-title">{t("billing.paymentsTitle")}</h2>
      {payments.length === 0 ? <p className="muted">{t("billing.noPayments")}</p> : (
        <div className="table-scroll" tabIndex={0} aria-label={t("billing.paymentsTitle")}>
          <table className="responsive-table payments">
            <thead>
              <tr>
                <th scope="col">{t("credits.when")}</th>
                <th scope="col">{t("credits.kind")}</th>
                <th scope="col" className="number">{t("billing.amount")}</th>
                <th scope="col">{t("billing.status")}</th>
              </tr>
            </thead>
            <tbody>
              {payments.map((p, i) => (
                <tr key={`${p.at}-${i}`} data-testid="payment-row" data-kind={p.kind} data-status={p.status}>
                  <td data-label={t("credits.when")}>{formatDateTime(locale, p.at)}</td>
                  <td data-label={t("credits.kind")}>{t(kindKeys[p.kind] ?? "billing.kindOther")}</td>
                  <td data-label={t("billing.amount")} className={p.kind === "refund" ? "number negative" : "number"}>{paymentAmountText(locale, p)}</td>
                  <td data-label={t("billing.status")} className={p.status === "failed" ? "negative" : undefined}>{t(statusKeys[p.status] ?? "billing.paymentOther")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
