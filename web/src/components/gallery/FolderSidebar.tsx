import { useQueryClient } from "@tanstack/react-query";
import { useState, type DragEvent, type FormEvent, type ReactNode } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { Folder, ImageQuery } from "../../api/types";
import { formatNumber } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { folderTree, imageDragType } from "../../logic/folders";
import { useServices } from "../../services";
import { ConfirmDialog } from "../ConfirmDialog";
import { FieldError } from "../FieldError";
import { ProblemNotice } from "../ProblemNotice";
import { ShareDialog } from "../sharing/ShareDialog";

/** Where dropped images go: a folder (null: the root) or the trash. */
export type DropTarget = { folderId: string | null } | "trash";

/**
 * The gallery's views: all images, the root, the folder tree with counts, starred, trash. Folders and
 * the root take images dropped on them (HTML5 drag and drop); the current folder can be renamed or
 * deleted (its images go back to the root), and folders are created here.
 */
export function FolderSidebar({ folders, query, onView, onDrop }: {
  folders: Folder[];
  query: ImageQuery;
  onView: (change: Partial<ImageQuery>) => void;
  onDrop: (target: DropTarget, ids: string[]) => void;
}) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const [over, setOver] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [parentId, setParentId] = useState("");
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState("");
  const [deleting, setDeleting] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const current = folders.find((f) => f.id === query.folder) ?? null;
  const views = { all: !query.trash && !query.starred && query.folder === "", root: !query.trash && !query.starred && query.folder === "root", starred: !query.trash && query.starred, trash: query.trash };

  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      await work();
      await queries.invalidateQueries({ queryKey: ["folders"] });
      return true;
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    let created: Folder | null = null;
    if (await run(async () => { created = await api.createFolder({ name: name.trim(), parentId: parentId === "" ? null : parentId }); })) {
      setName("");
      setCreating(false);
      if (created !== null) {
        onView({ folder: (created as Folder).id, starred: false, trash: false });
      }
    }
  };

  const rename = async (event: FormEvent) => {
    event.preventDefault();
    if (current && await run(() => api.renameFolder(current.id, newName.trim()))) {
      setRenaming(false);
    }
  };

  const remove = async () => {
    if (current && await run(() => api.deleteFolder(current.id))) {
      setDeleting(false);
      // Its images went back to the root: the grid and the counts change.
      await queries.invalidateQueries({ queryKey: ["images"] });
      onView({ folder: "" });
    }
  };

  // Drop targets accept only gallery images dragged from the grid.
  const dropProps = (key: string, target: DropTarget) => ({
    onDragOver: (e: DragEvent) => {
      if (e.dataTransfer.types.includes(imageDragType)) {
        e.preventDefault();
        e.dataTransfer.dropEffect = "move";
        setOver(key);
      }
    },
    onDragLeave: () => setOver((o) => (o === key ? null : o)),
    onDrop: (e: DragEvent) => {
      setOver(null);
      const data = e.dataTransfer.getData(imageDragType);
      if (data !== "") {
        e.preventDefault();
        onDrop(target, JSON.parse(data) as string[]);
      }
    },
    "data-drop-over": over === key ? "true" : undefined,
  });

  const item = (key: string, active: boolean, label: ReactNode, change: Partial<ImageQuery>, count: number | null, target: DropTarget | null, depth = 0) => (
    <li key={key} className={depth > 0 ? "nested" : undefined}>
      <button type="button" className="folder-link" aria-current={active ? "true" : undefined} data-testid="folder-link" data-folder={key}
        onClick={() => onView({ folder: "", starred: false, trash: false, ...change })} {...(target ? dropProps(key, target) : {})}>
        <span className="folder-name">{label}</span>
        {count !== null ? <span className="folder-count">{formatNumber(locale, count)}</span> : null}
      </button>
    </li>
  );

  const problemErrors = problem?.errors ?? {};
  return (
    <nav className="folder-sidebar" aria-label={t("gallery.folders")}>
      <ul className="folder-list">
        {item("all", views.all, t("gallery.viewAll"), {}, null, null)}
        {item("root", views.root, t("gallery.root"), { folder: "root" }, null, { folderId: null })}
        {folderTree(folders).map(({ folder, depth }) =>
          item(folder.id, !query.trash && query.folder === folder.id, folder.name, { folder: folder.id }, folder.images, { folderId: folder.id }, depth))}
        {item("starred", views.starred, t("gallery.viewStarred"), { starred: true }, null, null)}
        {item("trash", views.trash, t("gallery.viewTrash"), { trash: true }, null, "trash")}
      </ul>
      {current && !query.trash ? (
        <div className="folder-actions">
          {renaming ? (
            <form onSubmit={(e) => void rename(e)} className="folder-form">
              <label htmlFor="folder-rename">{t("gallery.folderRenameLabel")}</label>
              <input id="folder-rename" value={newName} maxLength={80} autoFocus onChange={(e) => setNewName(e.target.value)} aria-describedby={problemErrors.name ? "folder-rename-error" : undefined} />
              <FieldError id="folder-rename-error" messages={problemErrors.name} />
              <div className="actions">
                <button type="submit" className="primary" disabled={busy || newName.trim() === ""}>{t("gallery.folderSave")}</button>
                <button type="button" onClick={() => { setRenaming(false); setProblem(null); }}>{t("common.cancel")}</button>
              </div>
            </form>
          ) : (
            <div className="actions">
              <button type="button" className="button small" onClick={() => { setNewName(current.name); setRenaming(true); setCreating(false); }}>{t("gallery.folderRename")}</button>
              <button type="button" className="button small" onClick={() => setSharing(true)}>{t("share.button")}</button>
              <button type="button" className="button small danger" onClick={() => setDeleting(true)}>{t("gallery.folderDelete")}</button>
              <ShareDialog target={{ folderId: current.id }} open={sharing} onClose={() => setSharing(false)} />
            </div>
          )}
        </div>
      ) : null}
      {creating ? (
        <form onSubmit={(e) => void create(e)} className="folder-form" data-testid="folder-create-form">
          <label htmlFor="folder-name">{t("gallery.folderName")}</label>
          <input id="folder-name" value={name} maxLength={80} autoFocus onChange={(e) => setName(e.target.value)} aria-describedby={problemErrors.name ? "folder-name-error" : undefined} />
          <FieldError id="folder-name-error" messages={problemErrors.name} />
          <label htmlFor="folder-parent">{t("gallery.folderParent")}</label>
          <select id="folder-parent" value={parentId} onChange={(e) => setParentId(e.target.value)}>
            <option value="">{t("gallery.folderTopLevel")}</option>
            {folders.filter((f) => f.parentId === null).map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
          </select>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || name.trim() === ""}>{t("gallery.folderCreate")}</button>
            <button type="button" onClick={() => { setCreating(false); setProblem(null); }}>{t("common.cancel")}</button>
          </div>
        </form>
      ) : (
        <button type="button" className="button small new-folder" onClick={() => { setCreating(true); setRenaming(false); setProblem(null); }}>{t("gallery.folderNew")}</button>
      )}
      <ProblemNotice problem={problem} />
      <ConfirmDialog open={deleting} title={t("gallery.folderDeleteTitle", { name: current?.name ?? "" })} confirmLabel={t("gallery.folderDeleteYes")} danger busy={busy}
        onConfirm={() => void remove()} onClose={() => setDeleting(false)}>
        <p>{t("gallery.folderDeleteBody")}</p>
      </ConfirmDialog>
    </nav>
  );
}
