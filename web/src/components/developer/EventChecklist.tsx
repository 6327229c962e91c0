import type { WebhookEventType } from "../../api/types";
import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";
import { toggle, webhookEvents } from "../../logic/developer";
import { FieldError } from "../FieldError";

/** The event types as checkboxes, each with a line on when it is sent. */
export function EventChecklist({ name, chosen, onChange, error, serverErrors }: {
  name: string;
  chosen: readonly WebhookEventType[];
  onChange: (events: WebhookEventType[]) => void;
  error: string | null;
  serverErrors: string[] | undefined;
}) {
  const { t } = useLocale();
  return (
    <fieldset className="field check-list">
      <legend>{t("developer.events")}</legend>
      {webhookEvents.map((event) => (
        <label key={event} className="check-option">
          <input type="checkbox" name={name} value={event} checked={chosen.includes(event)}
            onChange={(e) => onChange(toggle(webhookEvents, chosen, event, e.target.checked))} />
          <span><code>{event}</code> <span className="hint">{t(`developer.event.${event}` as MessageKey)}</span></span>
        </label>
      ))}
      {error !== null ? <p className="field-error">{error}</p> : <FieldError id={`${name}-error`} messages={serverErrors} />}
    </fieldset>
  );
}
