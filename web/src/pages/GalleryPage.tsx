import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import type { GalleryImage, ImageQuery } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { FolderSidebar, type DropTarget } from "../components/gallery/FolderSidebar";
import { ImageGrid } from "../components/gallery/ImageGrid";
import { KeyboardHelp } from "../components/gallery/KeyboardHelp";
import { MoveDialog } from "../components/gallery/MoveDialog";
import { SearchBar } from "../components/gallery/SearchBar";
import { SelectionBar } from "../components/gallery/SelectionBar";
import { TagManager } from "../components/gallery/TagManager";
import { ProblemNotice } from "../components/ProblemNotice";
import { useLocale } from "../i18n/LocaleContext";
import { formatQuery, isFiltered, parseQuery } from "../logic/galleryQuery";
import { keepShown, noSelection, targets, type Selection } from "../logic/selection";
import { addTags } from "../logic/tags";
import { Link, navigate, useSearch } from "../router";
import { useServices } from "../services";
import { StorageBar } from "../components/storage/StorageBar";

/**
 * The gallery: folders and views on the side, search and filters (kept in the URL), the grid loaded
 * page by page, and what can be done with a selection (by buttons, drag and drop, or keys).
 */
export function GalleryPage() {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const search = useSearch();
  const query = useMemo(() => parseQuery(search), [search]);
  const sentinel = useRef<HTMLDivElement>(null);
  // After a key moved or trashed the focused image, focus goes to the image now in its place.
  const refocus = useRef<number | null>(null);
  const [selection, setSelection] = useState<Selection>(noSelection);
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const [moving, setMoving] = useState<string[] | null>(null);
  const [deleting, setDeleting] = useState<string[] | "all" | null>(null);
  const [help, setHelp] = useState(false);
  const [managingTags, setManagingTags] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const folders = useQuery({ queryKey: ["folders"], queryFn: api.folders });
  const tags = useQuery({ queryKey: ["tags"], queryFn: api.tags });
  const models = useQuery({ queryKey: ["images", "models"], queryFn: api.imageModels });
  const pages = useInfiniteQuery({
    queryKey: ["images", "search", query],
    queryFn: ({ pageParam, signal }) => api.searchImages(query, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  const images = useMemo(() => pages.data?.pages.flatMap((p) => p.items) ?? [], [pages.data]);
  const folderList = folders.data?.items ?? [];

  // A new view starts with nothing selected; images that left the view leave the selection.
  const view = formatQuery(query);
  useEffect(() => {
    setSelection(noSelection);
    setStatus("");
    setProblem(null);
  }, [view]);
  useEffect(() => setSelection((s) => keepShown(s, images.map((i) => i.id))), [images]);
  useEffect(() => {
    const index = refocus.current;
    if (index !== null && (focusedId === null || !images.some((i) => i.id === focusedId))) {
      refocus.current = null;
      document.querySelectorAll<HTMLElement>("main a.gallery-item")[Math.min(index, images.length - 1)]?.focus();
    }
  }, [images, focusedId]);

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

  const setQuery = (change: Partial<ImageQuery>, replace = false) => {
    navigate(`/gallery${formatQuery({ ...query, ...change })}`, replace);
  };

  const byId = (id: string) => images.find((i) => i.id === id);
  const folderName = (id: string | null) => (id === null ? t("gallery.root") : folderList.find((f) => f.id === id)?.name ?? "");

  /** Runs an action, then refreshes what it changed and says what happened. */
  const act = async (work: () => Promise<string>) => {
    setBusy(true);
    setProblem(null);
    setStatus("");
    try {
      const said = await work();
      setStatus(said);
      await Promise.all([
        queries.invalidateQueries({ queryKey: ["images"] }),
        queries.invalidateQueries({ queryKey: ["image"] }),
        queries.invalidateQueries({ queryKey: ["folders"] }),
        queries.invalidateQueries({ queryKey: ["tags"] }),
        queries.invalidateQueries({ queryKey: ["storage"] }),
      ]);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const move = (ids: string[], folderId: string | null) => act(async () => {
    setMoving(null);
    const { moved } = await api.moveImages(ids, folderId);
    setSelection(noSelection);
    return t("gallery.moved", { count: moved, folder: folderName(folderId) });
  });
  const trash = (ids: string[]) => act(async () => {
    const { trashed } = await api.trashImages(ids);
    setSelection(noSelection);
    return t("gallery.trashed", { count: trashed });
  });
  const star = (ids: string[]) => act(async () => {
    const chosen = ids.map(byId).filter((i): i is GalleryImage => i !== undefined);
    const starred = !chosen.every((i) => i.starred);
    await Promise.all(chosen.map((i) => api.updateImage(i.id, { starred })));
    return t(starred ? "gallery.starredDone" : "gallery.unstarredDone", { count: chosen.length });
  });
  const tagAll = (ids: string[], added: string[]) => act(async () => {
    const chosen = ids.map(byId).filter((i): i is GalleryImage => i !== undefined);
    await Promise.all(chosen.map((i) => api.updateImage(i.id, { tags: addTags(i.tags, added) })));
    return t("gallery.tagged", { count: chosen.length, tag: added.join(", ") });
  });
  const restore = (ids: string[]) => act(async () => {
    for (const id of ids) {
      await api.restoreImage(id);
    }
    setSelection(noSelection);
    return t("gallery.restored", { count: ids.length });
  });
  const purge = (which: string[] | "all") => act(async () => {
    setDeleting(null);
    if (which === "all") {
      const { purged } = await api.emptyTrash();
      return t("gallery.purged", { count: purged });
    }
    for (const id of which) {
      await api.deleteImageForever(id);
    }
    setSelection(noSelection);
    return t("gallery.purged", { count: which.length });
  });

  const drop = (target: DropTarget, ids: string[]) => {
    if (target === "trash") {
      void trash(ids);
    } else {
      void move(ids, target.folderId);
    }
  };

  const gridAction = (action: "move" | "trash" | "star" | "help", id: string) => {
    const ids = targets(selection, id);
    if (action === "move" || action === "trash") {
      refocus.current = images.findIndex((i) => i.id === id);
    }
    if (action === "help") {
      setHelp((h) => !h);
    } else if (query.trash) {
      // In the trash, Delete means "delete forever" (behind the dialog); move and star do not apply.
      if (action === "trash") setDeleting(ids);
    } else if (action === "move") {
      setMoving(ids);
    } else if (action === "trash") {
      void trash(ids);
    } else {
      void star(ids);
    }
  };

  const selected = selection.ids.map(byId).filter((i): i is GalleryImage => i !== undefined);
  const movingFolders = new Set((moving ?? []).map((id) => byId(id)?.folderId ?? "root"));
  const currentFolder = movingFolders.size === 1 ? [...movingFolders][0] : "";
  const title = query.trash ? t("gallery.viewTrash") : query.folder === "root" ? t("gallery.root") : folderList.find((f) => f.id === query.folder)?.name ?? t("gallery.title");

  return (
    <div className="gallery-layout">
      <FolderSidebar folders={folderList} query={query} onView={(change) => setQuery({ ...change, q: "", tag: "", model: "", from: "", to: "" })} onDrop={drop} />
      <section aria-labelledby="gallery-title" className="gallery-main">
        <div className="page-title-row">
          <h1 id="gallery-title">{title}</h1>
          <span className="title-actions">
            {query.trash ? null : <button type="button" className="button small" data-testid="manage-tags" onClick={() => setManagingTags(true)}>{t("gallery.tagManage")}</button>}
            <KeyboardHelp open={help} onToggle={setHelp} />
          </span>
        </div>
        <StorageBar />
        {query.trash ? (
          <div className="trash-note">
            <p className="muted">{t("gallery.trashNote")}</p>
            {images.length > 0 ? <button type="button" className="danger" disabled={busy} onClick={() => setDeleting("all")}>{t("gallery.emptyTrash")}</button> : null}
          </div>
        ) : (
          <SearchBar query={query} models={models.data?.items ?? []} tags={tags.data?.items ?? []} onChange={setQuery} />
        )}
        <p className="gallery-status" role="status" data-testid="gallery-status">{status}</p>
        <ProblemNotice problem={problem} />
        {selection.ids.length > 0 ? (
          <SelectionBar count={selection.ids.length} total={images.length} trash={query.trash} busy={busy}
            allStarred={selected.length > 0 && selected.every((i) => i.starred)} tagSuggestions={(tags.data?.items ?? []).map((x) => x.tag)}
            onMove={() => setMoving(selection.ids)} onStar={() => void star(selection.ids)} onAddTags={(added) => void tagAll(selection.ids, added)}
            onTrash={() => void trash(selection.ids)} onRestore={() => void restore(selection.ids)} onDeleteForever={() => setDeleting(selection.ids)}
            onSelectAll={() => setSelection({ ids: images.map((i) => i.id), anchor: selection.anchor })} onClear={() => setSelection(noSelection)} />
        ) : null}
        {pages.error ? <ProblemNotice problem={pages.error instanceof ApiError ? pages.error.problem : null} /> : null}
        {pages.isLoading ? <p className="muted">{t("common.loading")}</p> : null}
        {pages.isSuccess && images.length === 0 ? (
          <p className="muted" data-testid="gallery-empty">
            {query.trash ? t("gallery.trashEmpty")
              : isFiltered(query) ? t("gallery.noMatch")
              : query.folder !== "" ? t("gallery.folderEmpty")
              : <>{t("gallery.empty")} <Link to="/generate">{t("nav.generate")}</Link></>}
          </p>
        ) : null}
        <ImageGrid images={images} selection={selection} focusedId={focusedId} trash={query.trash}
          onSelection={setSelection} onFocus={setFocusedId} onAction={gridAction} />
        <div ref={sentinel} className="sentinel" aria-hidden="true" />
        {isFetchingNextPage ? <p className="muted">{t("common.loading")}</p> : null}
        {hasNextPage && !isFetchingNextPage ? (
          <button type="button" onClick={() => void fetchNextPage()}>{t("gallery.loadMore")}</button>
        ) : null}
      </section>
      {/* A filter on a renamed or deleted tag follows it (or goes). */}
      <TagManager open={managingTags} onClose={() => setManagingTags(false)}
        onChanged={(from, to) => { if (query.tag === from) setQuery({ tag: to ?? "" }, true); }} />
      <MoveDialog open={moving !== null} count={moving?.length ?? 0} folders={folderList} current={currentFolder}
        onMove={(folderId) => void move(moving ?? [], folderId)} onClose={() => setMoving(null)} />
      <ConfirmDialog open={deleting !== null} danger busy={busy}
        title={deleting === "all" ? t("gallery.emptyTrashTitle") : t("gallery.deleteForeverTitle", { count: deleting?.length ?? 0 })}
        confirmLabel={t("gallery.deleteForeverYes")} onConfirm={() => deleting !== null && void purge(deleting)} onClose={() => setDeleting(null)}>
        <p>{t("gallery.deleteForeverBody")}</p>
      </ConfirmDialog>
    </div>
  );
}
