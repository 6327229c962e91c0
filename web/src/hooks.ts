import { useQuery } from "@tanstack/react-query";

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
