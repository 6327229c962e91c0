// Credits used per day from ledger entries: what charges took (minus refunds), per UTC day.
import type { LedgerEntry } from "../api/types";

export interface DayUsage {
  day: string;
  credits: number;
}

/** The last `days` days (oldest first, today included), zero on days without charges. */
export function usagePerDay(entries: LedgerEntry[], days: number, today: Date = new Date()): DayUsage[] {
  const used = new Map<string, number>();
  for (const entry of entries) {
    if (entry.kind === "charge" || entry.kind === "refund") {
      const day = entry.createdAt.slice(0, 10);
      used.set(day, (used.get(day) ?? 0) - entry.amount);
    }
  }
  const result: DayUsage[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const date = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
    const day = date.toISOString().slice(0, 10);
    result.push({ day, credits: Math.max(0, used.get(day) ?? 0) });
  }
  return result;
}
