import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { GalleryImage } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { folderTree } from "../../logic/folders";
import { useServices } from "../../services";
import { ProblemNotice } from "../ProblemNotice";
import { TagEditor } from "./TagEditor";

/** The image page's organising controls: star, folder and tags, each saved at once. */
export function ImageOrganizer({ image }: { image: GalleryImage }) {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const folders = useQuery({ queryKey: ["folders"], queryFn: api.folders });
  const tags = useQuery({ queryKey: ["tags"], queryFn: api.tags });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const save = async (work: () => Promise<GalleryImage | null>) => {
    setBusy(true);
    setProblem(null);
    try {
      const updated = await work();
      if (updated !== null) {
        queries.setQueryData(["image", image.id], updated);
      }
      await Promise.all([
        queries.invalidateQueries({ queryKey: ["images"] }),
        queries.invalidateQueries({ queryKey: ["folders"] }),
        queries.invalidateQueries({ queryKey: ["tags"] }),
      ]);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const move = (folderId: string | null) => save(async () => {
    await api.moveImages([image.id], folderId);
    return { ...image, folderId };
  });

  return (
    <div className="image-organizer" data-testid="image-organizer">
      <button type="button" className={image.starred ? "star-toggle on" : "star-toggle"} aria-pressed={image.starred} disabled={busy}
        onClick={() => void save(() => api.updateImage(image.id, { starred: !image.starred }))}>
        <span aria-hidden="true">{image.starred ? "★" : "☆"}</span> {image.starred ? t("gallery.starredState") : t("gallery.star")}
      </button>
      <div className="field inline">
        <label htmlFor="image-folder">{t("gallery.folderLabel")}</label>
        <select id="image-folder" value={image.folderId ?? ""} disabled={busy} onChange={(e) => void move(e.target.value === "" ? null : e.target.value)}>
          <option value="">{t("gallery.root")}</option>
          {folderTree(folders.data?.items ?? []).map(({ folder, depth }) => (
            <option key={folder.id} value={folder.id}>{depth > 0 ? `\u00a0\u00a0${folder.name}` : folder.name}</option>
          ))}
        </select>
      </div>
      <TagEditor id="image-tags" label={t("gallery.tagsLabel")} tags={image.tags ?? []} busy={busy} suggestions={(tags.data?.items ?? []).map((x) => x.tag)}
        onChange={(next) => void save(() => api.updateImage(image.id, { tags: next }))} />
      <ProblemNotice problem={problem} />
    </div>
  );
}
