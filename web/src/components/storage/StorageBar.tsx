import { useQuery } from "@tanstack/react-query";

import type { StorageUsage } from "../../api/types";
import { formatBytes, formatNumber } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";

/** From this share of the quota the bar turns to the warning colour. */
const NearShare = 0.9;

/** The storage query, shared by every bar on screen (refetched when an upload or delete invalidates ["storage"]). */
export function useStorage() {
  const { api } = useServices();
  return useQuery({ queryKey: ["storage"], queryFn: api.storage });
}

/** How full the quota is: "ok", "near" (90 % and up, waiting jobs counted) or "over" (stored bytes past the quota). */
export function storageLevel(usage: StorageUsage): "ok" | "near" | "over" {
  if (usage.quotaBytes === null) {
    return "ok";
  }
  if (usage.overQuota) {
    return "over";
  }
  return usage.usedBytes + usage.reservedBytes >= usage.quotaBytes * NearShare ? "near" : "ok";
}

/** Used / quota with the breakdown (gallery, trash, uploads, LoRAs, waiting jobs); warns near and over the quota. */
export function StorageBar() {
  const { t, locale } = useLocale();
  const storage = useStorage();
  if (!storage.data) {
    return storage.isError ? null : <p className="muted">{t("common.loading")}</p>;
  }
  const usage = storage.data;
  const level = storageLevel(usage);
  const bytes = (value: number) => formatBytes(locale, value);
  const percent = usage.quotaBytes === null || usage.quotaBytes === 0 ? 0 : Math.min(100, (usage.usedBytes / usage.quotaBytes) * 100);
  const label = usage.quotaBytes === null
    ? t("storage.usedUnlimited", { used: bytes(usage.usedBytes) })
    : t("storage.used", { used: bytes(usage.usedBytes), quota: bytes(usage.quotaBytes) });
  const rows: { key: string; label: string; count: number; size: number }[] = [
    { key: "images", label: t("storage.images"), count: usage.images.count, size: usage.images.bytes },
    { key: "trash", label: t("storage.trash"), count: usage.trash.count, size: usage.trash.bytes },
    { key: "uploads", label: t("storage.uploads"), count: usage.uploads.count, size: usage.uploads.bytes },
    { key: "loras", label: t("storage.loras"), count: usage.loras.count, size: usage.loras.bytes },
  ];
  return (
    <div className={`storage storage-${level}`} data-testid="storage-bar" data-level={level}>
      <p className="storage-label" data-testid="storage-used">{label}</p>
      {usage.quotaBytes !== null && (
        <div className="storage-track" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(percent)} aria-valuetext={label}>
          <div className="storage-fill" style={{ width: `${percent}%` }} />
        </div>
      )}
      <ul className="storage-breakdown">
        {rows.map((row) => (
          <li key={row.key} data-testid={`storage-${row.key}`}>
            <span>{row.label}</span>
            <span className="storage-figure">{t("storage.items", { count: row.count, size: bytes(row.size) })}</span>
          </li>
        ))}
        {usage.reservedBytes > 0 && (
          <li data-testid="storage-reserved">
            <span>{t("storage.reserved")}</span>
            <span className="storage-figure">{bytes(usage.reservedBytes)}</span>
          </li>
        )}
      </ul>
      {level === "over" && <p className="notice error" role="alert" data-testid="storage-over">{t("storage.over")}</p>}
      {level === "near" && <p className="notice info" data-testid="storage-near">{t("storage.near", { percent: formatNumber(locale, percent) })}</p>}
    </div>
  );
}
