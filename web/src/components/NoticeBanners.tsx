import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";

import type { Notice } from "../api/types";
import { useMe } from "../hooks";
import { useLocale } from "../i18n/LocaleContext";
import { noticeText, shownNotices } from "../logic/notices";
import { Link } from "../router";
import { useServices, useSignedIn } from "../services";

/** Undismissed notices (GET /notices) as banners under the header; refreshed by the hub's `notice` and when credits move. */
export function NoticeBanners() {
  const { t, locale } = useLocale();
  const { api, live, queries } = useServices();
  const signedIn = useSignedIn();
  const client = useQueryClient();
  const notices = useQuery({ queryKey: ["notices"], queryFn: api.notices, enabled: signedIn, retry: false });
  const me = useMe();
  const balance = me.data?.credits.balance;

  useEffect(() => live.onNotice(() => void queries.invalidateQueries({ queryKey: ["notices"] })), [live, queries]);
  // A changed balance may have crossed a threshold (the first one loaded is not a change).
  const lastBalance = useRef(balance);
  useEffect(() => {
    if (balance !== undefined && lastBalance.current !== undefined && balance !== lastBalance.current) {
      void queries.invalidateQueries({ queryKey: ["notices"] });
    }
    lastBalance.current = balance;
  }, [balance, queries]);

  const dismiss = async (notice: Notice) => {
    // Gone at once; the list is asked again if the server did not take it.
    client.setQueryData<Notice[]>(["notices"], (list) => list?.filter((n) => n.id !== notice.id));
    await api.dismissNotice(notice.id).catch(() => void queries.invalidateQueries({ queryKey: ["notices"] }));
  };

  const shown = shownNotices(notices.data ?? []);
  if (!signedIn || shown.length === 0) {
    return null;
  }
  return (
    <ul className="notice-list" aria-label={t("notice.label")}>
      {shown.map((notice) => (
        <li key={notice.id} className={`app-banner notice-${notice.kind}`} data-testid="notice" data-kind={notice.kind}>
          <p>
            {noticeText(locale, notice)}{" "}
            <Link to="/billing">{t("notice.topUp")}</Link>
          </p>
          <button type="button" className="small" onClick={() => void dismiss(notice)} aria-label={t("notice.dismiss")}>×</button>
        </li>
      ))}
    </ul>
  );
}
