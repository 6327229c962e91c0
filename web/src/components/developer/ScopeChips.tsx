import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";

/** Names shown as small chips (a key's scopes, an endpoint's events). */
export function NameChips({ names, prefix, label }: { names: readonly string[]; prefix: "developer.scope" | "developer.event"; label: string }) {
  const { t } = useLocale();
  return (
    <ul className="name-chips" aria-label={label}>
      {names.map((name) => <li key={name} className="badge" data-name={name}><code>{name}</code><span className="visually-hidden">{" "}{t(`${prefix}.${name}` as MessageKey)}</span></li>)}
    </ul>
  );
}
