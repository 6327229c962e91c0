import { useState } from "react";

import { useLocale } from "../../i18n/LocaleContext";

/** A link shown read-only with a Copy button that says when it copied. */
export function CopyField({ id, url, label }: { id: string; url: string; label: string }) {
  const { t } = useLocale();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // No clipboard permission (an insecure page): select the text so the user can copy it.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
    }
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="input-with-button share-copy">
        <input id={id} type="text" readOnly value={url} onFocus={(e) => e.target.select()} data-testid="share-url" />
        <button type="button" onClick={() => void copy()} aria-label={t("share.copyNamed", { url })}>{t("share.copy")}</button>
      </div>
      <p className="hint" aria-live="polite">{copied ? t("share.copied") : ""}</p>
    </div>
  );
}
