import { useState } from "react";

import { useLocale } from "../../i18n/LocaleContext";

/**
 * A secret shown once (a new API key or webhook signing secret): read-only, Copy, and a plain
 * warning that it cannot be shown again. The page forgets it when this closes.
 */
export function SecretReveal({ id, label, secret }: { id: string; label: string; secret: string }) {
  const { t } = useLocale();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      // No clipboard permission: select the text so the user can copy it by hand.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
    }
  };
  return (
    <div className="notice ok secret-reveal" role="status" data-testid="secret-reveal">
      <p><strong>{t("developer.secretOnce")}</strong></p>
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <div className="input-with-button">
          <input id={id} type="text" readOnly value={secret} spellCheck={false} autoComplete="off" onFocus={(e) => e.target.select()} data-testid="secret-value" />
          <button type="button" onClick={() => void copy()} aria-label={t("developer.copyNamed", { what: label })}>{t("developer.copy")}</button>
        </div>
        <p className="hint" aria-live="polite" data-testid="secret-copied">{copied ? t("developer.copied") : ""}</p>
      </div>
    </div>
  );
}
