import { useEffect, useState } from "react";

import { useLocale } from "../i18n/LocaleContext";
import { useLive } from "../services";

/** Fixed at the bottom, so it never pushes the page: the browser is offline, or the live updates reconnect. */
export function ConnectionBanner() {
  const { t } = useLocale();
  const { status } = useLive();
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);

  const message = !online ? t("connection.offline") : status === "reconnecting" ? t("connection.reconnecting") : null;
  return (
    <div className="connection-banner" role="status" aria-live="polite" hidden={message === null}>
      {message}
    </div>
  );
}
