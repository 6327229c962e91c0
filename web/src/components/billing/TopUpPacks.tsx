import type { Billing } from "../../api/types";
import { formatCredits } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { useCheckout } from "../../logic/useBilling";
import { ProblemNotice } from "../ProblemNotice";

/** Credit packs on sale (they never expire): each button is a checkout. */
export function TopUpPacks({ billing }: { billing: Billing }) {
  const { t, locale } = useLocale();
  const checkout = useCheckout();
  if (billing.provider === null || billing.products.topUps.length === 0) {
    return null;
  }
  return (
    <section className="panel" aria-labelledby="topup-title">
      <h2 id="topup-title">{t("billing.topUpTitle")}</h2>
      <p className="hint">{t("billing.topUpHint")}</p>
      <div className="actions">
        {billing.products.topUps.map((credits) => (
          <button key={credits} type="button" data-testid="topup-button" data-credits={credits} disabled={checkout.busy !== null}
            onClick={() => void checkout.start({ kind: "topUp", credits })}>
            {checkout.busy === `topup_${credits}` ? t("billing.redirecting") : t("billing.buyCredits", { credits: formatCredits(locale, credits) })}
          </button>
        ))}
      </div>
      <ProblemNotice problem={checkout.problem} />
    </section>
  );
}
