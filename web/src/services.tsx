// The app's long-lived objects, made once: tokens, the API client, the live jobs, the query cache.
import { QueryClient } from "@tanstack/react-query";
import { createContext, useContext, useSyncExternalStore, type ReactNode } from "react";

import { ApiClient, xhrUploader, type Fetch, type Uploader } from "./api/client";
import { createApi, type Api } from "./api/endpoints";
import { ApiError } from "./api/problem";
import { TokenStore } from "./api/tokens";
import { LiveJobs } from "./realtime/liveJobs";

export interface Services {
  client: ApiClient;
  api: Api;
  live: LiveJobs;
  queries: QueryClient;
}

export function createServices(fetcher: Fetch = (input, init) => fetch(input, init), uploader: Uploader = xhrUploader): Services {
  const tokens = new TokenStore(localStorage);
  const client = new ApiClient(tokens, fetcher, "/api/v1", uploader);
  const queries = new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Problems the user must act on are not retried; the network and 503s are, a little.
        retry: (count, error) => count < 2 && error instanceof ApiError && (error.problem.status === 0 || error.problem.status >= 500),
      },
    },
  });
  return { client, api: createApi(client), live: new LiveJobs(), queries };
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (services === null) {
    throw new Error("useServices outside ServicesProvider");
  }
  return services;
}

export function useSignedIn(): boolean {
  const { client } = useServices();
  return useSyncExternalStore(client.tokens.subscribe, () => client.tokens.current !== null);
}

export function useLive() {
  const { live } = useServices();
  return useSyncExternalStore(live.subscribe, live.getSnapshot);
}
