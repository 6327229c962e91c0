import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";

import { ApiError } from "../api/problem";
import { ProblemNotice } from "../components/ProblemNotice";
import { useLocale } from "../i18n/LocaleContext";
import { Link } from "../router";
import { useServices } from "../services";

/** Thumbnails, newest first, loaded page by page as the end of the grid scrolls into view; filtered by model on the server. */
export function GalleryPage() {
  const { t } = useLocale();
  const { api } = useServices();
  const [model, setModel] = useState("");
  const sentinel = useRef<HTMLDivElement>(null);
  const models = useQuery({ queryKey: ["images", "models"], queryFn: api.imageModels });
  const pages = useInfiniteQuery({
    queryKey: ["images", "list", model],
    queryFn: ({ pageParam }) => api.images(pageParam, model),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;

  useEffect(() => {
    const target = sentinel.current;
    if (target === null || !hasNextPage) {
      return;
    }
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) {
        void fetchNextPage();
      }
    }, { rootMargin: "400px" });
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const images = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const choices = models.data?.items ?? [];

  return (
    <section aria-labelledby="gallery-title">
      <div className="page-title-row">
        <h1 id="gallery-title">{t("gallery.title")}</h1>
        {choices.length > 0 || model !== "" ? (
          <div className="field inline">
            <label htmlFor="model-filter">{t("gallery.filter")}</label>
            <select id="model-filter" value={model} onChange={(e) => setModel(e.target.value)}>
              <option value="">{t("gallery.allModels")}</option>
              {choices.map((m) => <option key={m.model} value={m.model}>{t("gallery.modelCount", { model: m.model, count: m.images })}</option>)}
            </select>
          </div>
        ) : null}
      </div>
      {pages.error ? <ProblemNotice problem={pages.error instanceof ApiError ? pages.error.problem : null} /> : null}
      {pages.isLoading ? <p className="muted">{t("common.loading")}</p> : null}
      {pages.isSuccess && images.length === 0 ? (
        <p className="muted">{model === "" ? <>{t("gallery.empty")} <Link to="/generate">{t("nav.generate")}</Link></> : t("gallery.noneForModel")}</p>
      ) : null}
      <ul className="gallery-grid">
        {images.map((image) => (
          <li key={image.id}>
            <Link to={`/gallery/${image.id}`} className="gallery-item" data-testid="gallery-item">
              <img src={image.thumbnailUrl} alt={image.prompt || t("gallery.imageAlt")} loading="lazy" decoding="async" width={256} height={Math.round((256 * image.height) / image.width)} />
            </Link>
          </li>
        ))}
      </ul>
      <div ref={sentinel} className="sentinel" aria-hidden="true" />
      {isFetchingNextPage ? <p className="muted">{t("common.loading")}</p> : null}
      {hasNextPage && !isFetchingNextPage ? (
        <button type="button" onClick={() => void fetchNextPage()}>{t("gallery.loadMore")}</button>
      ) : null}
    </section>
  );
}
