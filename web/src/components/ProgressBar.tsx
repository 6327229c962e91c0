import { formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/LocaleContext";

/** A fixed-height bar and a step count in tabular digits: nothing moves while it fills. */
export function ProgressBar({ step, totalSteps, percent }: { step: number; totalSteps: number; percent: number }) {
  const { t, locale } = useLocale();
  const label = t("job.steps", { step: formatNumber(locale, step), total: formatNumber(locale, totalSteps) });
  return (
    <div className="progress">
      <div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={label}>
        <div className="progress-fill" style={{ width: `${Math.min(100, Math.max(0, percent))}%` }} />
      </div>
      <span className="progress-label">{label} · {formatNumber(locale, percent)}%</span>
    </div>
  );
}
