// GET /billing as a query, the checkout start (remember, ask, leave for the provider) and the
// "requested…" state of a change the provider confirms later by webhook.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, useSyncExternalStore } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import type { Billing, Me } from "../api/types";
import { useServices, useSignedIn } from "../services";
import { baselineOf, billingFingerprint, rememberCheckout, type CheckoutIntent } from "./billing";
import { external } from "./urlToken";

export function useBilling(refetchInterval: number | false = false) {
  const { api } = useServices();
  const signedIn = useSignedIn();
  return useQuery({ queryKey: ["billing"], queryFn: api.billing, enabled: signedIn, refetchInterval });
}

/** Starts a checkout: remembers what was bought and the account before it, then goes to the provider. */
export function useCheckout() {
  const { api } = useServices();
  const queries = useQueryClient();
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const start = async (intent: CheckoutIntent) => {
    const id = intent.kind === "plan" ? `${intent.plan}_${intent.interval}` : `topup_${intent.credits}`;
    setBusy(id);
    setProblem(null);
    try {
      // The account as it is now (not as cached), to notice the purchase on the return page.
      const [billing, me] = await Promise.all([
        queries.fetchQuery<Billing>({ queryKey: ["billing"], queryFn: api.billing, staleTime: 0 }),
        queries.fetchQuery<Me>({ queryKey: ["me"], queryFn: api.me, staleTime: 0 }),
      ]);
      rememberCheckout(localStorage, intent, baselineOf(billing, me.credits.unlimited ? null : me.credits.balance));
      const { url } = await api.checkout(intent.kind === "plan" ? { plan: intent.plan, interval: intent.interval } : { topUp: intent.credits });
      external.go(url);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
      setBusy(null);
    }
  };
  return { start, busy, problem };
}

export type RequestedKind = "plan" | "cancel" | "resume";

export interface RequestedChange {
  kind: RequestedKind;
  /** billingFingerprint before the request: a different one means the webhook landed. */
  before: string;
  at: number;
}

// One requested change at a time, shared by the pricing cards and the billing page.
let requested: RequestedChange | null = null;
const listeners = new Set<() => void>();

export function setRequested(change: RequestedChange | null): void {
  requested = change;
  listeners.forEach((listener) => listener());
}

export function useRequested(): RequestedChange | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => requested,
  );
}

/** Sends a subscription change (202: the provider was asked) and marks it requested until GET /billing moves. */
export function useSubscriptionChange() {
  const { queries } = useServices();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const send = async (kind: RequestedKind, call: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setProblem(null);
    try {
      const before = billingFingerprint(queries.getQueryData<Billing>(["billing"]));
      await call();
      setRequested({ kind, before, at: Date.now() });
      void queries.invalidateQueries({ queryKey: ["billing"] });
      return true;
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { send, busy, problem, clearProblem: () => setProblem(null) };
}
