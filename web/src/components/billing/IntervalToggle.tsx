import type { BillingInterval } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";

/** Monthly or annual prices (and checkouts). */
export function IntervalToggle({ value, onChange }: { value: BillingInterval; onChange: (next: BillingInterval) => void }) {
  const { t } = useLocale();
  return (
    <fieldset className="interval-toggle">
      <legend className="visually-hidden">{t("billing.interval")}</legend>
      <div className="chips">
        {(["monthly", "annual"] as const).map((interval) => (
          <label key={interval} className="chip">
            <input type="radio" name="billing-interval" value={interval} checked={value === interval} onChange={() => onChange(interval)} />
            {t(interval === "monthly" ? "billing.monthly" : "billing.annual")}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
