// The folder tree (one level deep) in display order: each top-level folder followed by its sub-folders, by name.
import type { Folder } from "../api/types";

export interface FolderRow {
  folder: Folder;
  depth: 0 | 1;
}

export function folderTree(folders: Folder[]): FolderRow[] {
  const byName = (a: Folder, b: Folder) => a.name.localeCompare(b.name);
  const ids = new Set(folders.map((f) => f.id));
  // A sub-folder whose parent is missing from the list is shown at the top level rather than lost.
  const top = folders.filter((f) => f.parentId === null || !ids.has(f.parentId)).sort(byName);
  return top.flatMap((parent) => [
    { folder: parent, depth: 0 as const },
    ...folders.filter((f) => f.parentId === parent.id).sort(byName).map((folder) => ({ folder, depth: 1 as const })),
  ]);
}

/** The drag-and-drop payload type for gallery images (a JSON list of ids). */
export const imageDragType = "application/x-pingvas-images";
