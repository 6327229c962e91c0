import type { Share } from "../../api/types";
import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";

const known = ["active", "expired", "exhausted", "revoked"];

/** A link's status in words: active, expired, view limit reached, revoked. */
export function ShareStatusBadge({ share }: { share: Share }) {
  const { t } = useLocale();
  const status = known.includes(share.status) ? share.status : "active";
  return <span className={status === "active" ? "badge state-idle" : "badge"} data-status={status}>{t(`share.status.${status}` as MessageKey)}</span>;
}
