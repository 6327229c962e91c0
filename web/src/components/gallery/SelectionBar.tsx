import { useLocale } from "../../i18n/LocaleContext";
import { TagEditor } from "./TagEditor";

/**
 * What can be done with the selected images: move to a folder, star, add a tag, move to the trash;
 * in the trash view restore or delete forever. Sticks to the top of the grid while scrolling.
 */
export function SelectionBar({ count, total, trash, allStarred, busy, tagSuggestions, onMove, onStar, onAddTags, onTrash, onRestore, onDeleteForever, onSelectAll, onClear }: {
  count: number;
  total: number;
  trash: boolean;
  allStarred: boolean;
  busy: boolean;
  tagSuggestions: string[];
  onMove: () => void;
  onStar: () => void;
  onAddTags: (tags: string[]) => void;
  onTrash: () => void;
  onRestore: () => void;
  onDeleteForever: () => void;
  onSelectAll: () => void;
  onClear: () => void;
}) {
  const { t } = useLocale();
  return (
    <div className="selection-bar" role="region" aria-label={t("gallery.selectionLabel")} data-testid="selection-bar">
      <p className="selection-count" aria-live="polite">{t("gallery.selected", { count })}</p>
      <div className="actions">
        {trash ? (
          <>
            <button type="button" disabled={busy} onClick={onRestore}>{t("gallery.restore")}</button>
            <button type="button" className="danger" disabled={busy} onClick={onDeleteForever}>{t("gallery.deleteForever")}</button>
          </>
        ) : (
          <>
            <button type="button" disabled={busy} onClick={onMove}>{t("gallery.moveTo")}</button>
            <button type="button" disabled={busy} onClick={onStar}>{allStarred ? t("gallery.unstar") : t("gallery.star")}</button>
            <button type="button" className="danger" disabled={busy} onClick={onTrash}>{t("gallery.toTrash")}</button>
          </>
        )}
        {count < total ? <button type="button" className="link-button" onClick={onSelectAll}>{t("gallery.selectAll")}</button> : null}
        <button type="button" className="link-button" onClick={onClear}>{t("gallery.clearSelection")}</button>
      </div>
      {!trash ? (
        <TagEditor id="selection-tags" label={t("gallery.addTagSelected")} tags={[]} busy={busy} suggestions={tagSuggestions} onChange={onAddTags} />
      ) : null}
    </div>
  );
}
