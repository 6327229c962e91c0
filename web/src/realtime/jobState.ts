// Job states from the hub and from REST answers, merged by one rule: events are whole states,
// and a final state is final (an older event arriving after it is ignored).
import type { Generation, JobStatus } from "../api/types";

export const finalStatuses: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

export function isFinal(status: JobStatus): boolean {
  return finalStatuses.includes(status);
}

export function mergeJob(current: Generation | undefined, incoming: Generation): Generation {
  if (current === undefined) {
    return incoming;
  }
  if (isFinal(current.status)) {
    return isFinal(incoming.status) ? { ...incoming, preview: null } : current;
  }
  // The preview comes only on some running events: keep the last one so the picture does not blink.
  const preview = incoming.status === "running" ? (incoming.preview ?? current.preview ?? null) : null;
  return { ...incoming, preview };
}

/** The user's jobs still waiting or running, oldest first (the order they were submitted). */
export function activeJobs(jobs: Iterable<Generation>): Generation[] {
  return [...jobs].filter((job) => !isFinal(job.status)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
