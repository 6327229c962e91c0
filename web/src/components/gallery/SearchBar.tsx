import { useEffect, useState } from "react";

import type { ImageModelCount, ImageQuery, ImageSort, TagCount } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { isFiltered } from "../../logic/galleryQuery";
import { useDebounced } from "../../logic/useDebounced";

/**
 * One search box (prompt, negative prompt, tags, folder name; asked 300 ms after typing stops) and the
 * filters: model, tag, date range, starred, and the sort. The page keeps them in the URL.
 */
export function SearchBar({ query, models, tags, onChange }: {
  query: ImageQuery;
  models: ImageModelCount[];
  tags: TagCount[];
  /** `replace`: typing replaces the history entry instead of adding one per pause. */
  onChange: (change: Partial<ImageQuery>, replace?: boolean) => void;
}) {
  const { t } = useLocale();
  const [text, setText] = useState(query.q);
  // Open on wide screens; on a phone folded (unless a filter is set) so the grid starts near the top.
  const [open, setOpen] = useState(() => isFiltered(query) || typeof window.matchMedia !== "function" || window.matchMedia("(min-width: 640px)").matches);
  const active = [query.model, query.tag, query.from, query.to].filter((v) => v !== "").length + (query.starred ? 1 : 0);
  const settled = useDebounced(text, 300);

  // Back/forward (or a cleared filter) changes the query under the box.
  useEffect(() => setText(query.q), [query.q]);
  useEffect(() => {
    if (settled !== query.q && settled === text) {
      onChange({ q: settled }, true);
    }
    // Only a settled change of the text asks; query.q catching up must not send it back.
  }, [settled]);

  return (
    <div className="search-bar" role="search">
      <div className="field search-field">
        <label htmlFor="gallery-search" className="visually-hidden">{t("gallery.searchLabel")}</label>
        <input id="gallery-search" type="search" value={text} placeholder={t("gallery.searchPlaceholder")} autoComplete="off"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); onChange({ q: text }); } }} />
      </div>
      <details className="filter-panel" open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>{active > 0 ? t("gallery.filtersActive", { count: active }) : t("gallery.filters")}</summary>
        <div className="filters">
          <div className="field inline">
            <label htmlFor="model-filter">{t("gallery.filter")}</label>
            <select id="model-filter" value={query.model} onChange={(e) => onChange({ model: e.target.value })}>
              <option value="">{t("gallery.allModels")}</option>
              {models.map((m) => <option key={m.model} value={m.model}>{t("gallery.modelCount", { model: m.model, count: m.images })}</option>)}
              {query.model !== "" && !models.some((m) => m.model === query.model) ? <option value={query.model}>{query.model}</option> : null}
            </select>
          </div>
          <div className="field inline">
            <label htmlFor="tag-filter">{t("gallery.tagFilter")}</label>
            <select id="tag-filter" value={query.tag} onChange={(e) => onChange({ tag: e.target.value })}>
              <option value="">{t("gallery.allTags")}</option>
              {tags.map((tag) => <option key={tag.tag} value={tag.tag}>{t("gallery.tagCount", { tag: tag.tag, count: tag.images })}</option>)}
              {query.tag !== "" && !tags.some((x) => x.tag === query.tag) ? <option value={query.tag}>{query.tag}</option> : null}
            </select>
          </div>
          <div className="field inline">
            <label htmlFor="date-from">{t("gallery.dateFrom")}</label>
            <input id="date-from" type="date" value={query.from} max={query.to || undefined} onChange={(e) => onChange({ from: e.target.value })} />
          </div>
          <div className="field inline">
            <label htmlFor="date-to">{t("gallery.dateTo")}</label>
            <input id="date-to" type="date" value={query.to} min={query.from || undefined} onChange={(e) => onChange({ to: e.target.value })} />
          </div>
          <label className="checkbox">
            <input type="checkbox" checked={query.starred} onChange={(e) => onChange({ starred: e.target.checked })} />
            {t("gallery.starredOnly")}
          </label>
          <div className="field inline">
            <label htmlFor="sort">{t("gallery.sort")}</label>
            <select id="sort" value={query.sort} onChange={(e) => onChange({ sort: e.target.value as ImageSort })}>
              <option value="newest">{t("gallery.sortNewest")}</option>
              <option value="oldest">{t("gallery.sortOldest")}</option>
              <option value="most_used">{t("gallery.sortMostUsed")}</option>
            </select>
          </div>
          {isFiltered(query) ? (
            <button type="button" className="link-button" onClick={() => { setText(""); onChange({ q: "", tag: "", model: "", starred: false, from: "", to: "" }); }}>
              {t("gallery.clearFilters")}
            </button>
          ) : null}
        </div>
      </details>
    </div>
  );
}
