import { useQuery } from "@tanstack/react-query";

import type { Locale } from "./i18n/i18n";
import { useLocale } from "./i18n/LocaleContext";
import { useServices, useSignedIn } from "./services";

export function useMe() {
  const { api } = useServices();
  const signedIn = useSignedIn();
  return useQuery({ queryKey: ["me"], queryFn: api.me, enabled: signedIn });
}

export function usePlans() {
  const { api } = useServices();
  return useQuery({ queryKey: ["plans"], queryFn: api.plans, staleTime: 10 * 60_000 });
}

export function useModels() {
  const { api } = useServices();
  const signedIn = useSignedIn();
  return useQuery({ queryKey: ["models"], queryFn: api.models, enabled: signedIn });
}

/** Switches the language at once and, when signed in, remembers it on the account (PATCH /me). */
export function useSwitchLanguage(): (next: Locale) => void {
  const { api, queries } = useServices();
  const signedIn = useSignedIn();
  const { setLocale } = useLocale();
  return (next: Locale) => {
    setLocale(next);
    if (signedIn) {
      api.updateMe({ language: next }).then((me) => queries.setQueryData(["me"], me)).catch(() => undefined);
    }
  };
}
