import { useQuery, useQueryClient } from "@tanstack/react-query";

import { ApiError } from "../api/problem";
import { ProblemNotice } from "../components/ProblemNotice";
import { ShareList } from "../components/sharing/ShareList";
import { useLocale } from "../i18n/LocaleContext";
import { useServices } from "../services";

/** Every share link of the user: status, views, expiry, copy and revoke. */
export function SharesPage() {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const shares = useQuery({ queryKey: ["shares", "all"], queryFn: () => api.shares() });
  const items = shares.data?.items;
  let list;
  if (items === undefined) {
    list = <p className="muted">{t("common.loading")}</p>;
  } else if (items.length === 0) {
    list = <p className="muted">{t("share.pageEmpty")}</p>;
  } else {
    list = <ShareList shares={items} showTarget onChanged={() => void queries.invalidateQueries({ queryKey: ["shares"] })} />;
  }
  return (
    <section aria-labelledby="shares-title" className="shares">
      <h1 id="shares-title">{t("share.nav")}</h1>
      <p className="hint">{t("share.pageLead")}</p>
      <ProblemNotice problem={shares.error instanceof ApiError ? shares.error.problem : null} />
      {list}
    </section>
  );
}
