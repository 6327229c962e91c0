import { useLocale } from "../../i18n/LocaleContext";
import { signatureSnippet } from "../../logic/developer";

/** How a receiver checks a delivery (Standard Webhooks), with a link to the API reference. */
export function SignatureSnippet() {
  const { t } = useLocale();
  return (
    <details className="panel signature-snippet">
      <summary>{t("developer.verifyTitle")}</summary>
      <p className="hint">{t("developer.verifyLead")}</p>
      <pre><code>{signatureSnippet}</code></pre>
      <p><a href="/docs">{t("developer.verifyDocs")}</a></p>
    </details>
  );
}
