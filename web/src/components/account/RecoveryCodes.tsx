import { useEffect, useState } from "react";

import { useLocale } from "../../i18n/LocaleContext";
import { recoveryFile } from "../../logic/totp";

/** The 10 recovery codes, shown this once: copy, download, then "I saved them". */
export function RecoveryCodes({ codes, email, onDone }: { codes: string[]; email: string; onDone: () => void }) {
  const { t } = useLocale();
  const [copied, setCopied] = useState(false);
  const text = recoveryFile(t("totp.fileTitle"), email, codes);
  const [href] = useState(() => URL.createObjectURL(new Blob([text], { type: "text/plain" })));
  useEffect(() => () => URL.revokeObjectURL(href), [href]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(codes.join("\n"));
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <div className="recovery">
      <p className="notice ok" role="status">{t("totp.enabledNow")}</p>
      <h3>{t("totp.recoveryTitle")}</h3>
      <p>{t("totp.recoveryHint")}</p>
      <ol className="recovery-codes">
        {codes.map((c) => <li key={c}><code data-testid="recovery-code">{c}</code></li>)}
      </ol>
      <div className="actions">
        <button type="button" onClick={() => void copy()}>{t("totp.copy")}</button>
        <a className="button" href={href} download="pingvas-recovery-codes.txt">{t("totp.download")}</a>
        <button type="button" className="primary" onClick={onDone}>{t("totp.saved")}</button>
        <span role="status" className="muted">{copied ? t("totp.copied") : ""}</span>
      </div>
    </div>
  );
}
