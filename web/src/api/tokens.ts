// The signed-in session: the access token and the single-use refresh token, kept together.

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const key = "pingvas.session";

export class TokenStore {
  private readonly storage: TokenStorage;
  private readonly listeners = new Set<() => void>();
  private pair: TokenPair | null;

  constructor(storage: TokenStorage) {
    this.storage = storage;
    this.pair = TokenStore.read(storage);
  }

  private static read(storage: TokenStorage): TokenPair | null {
    try {
      const value = JSON.parse(storage.getItem(key) ?? "null") as Partial<TokenPair> | null;
      return value?.accessToken && value.refreshToken ? { accessToken: value.accessToken, refreshToken: value.refreshToken } : null;
    } catch {
      return null;
    }
  }

  get current(): TokenPair | null {
    return this.pair;
  }

  /** Stores a new pair at once: a refresh token is single use, so the old one is worthless now. */
  set(pair: TokenPair | null): void {
    this.pair = pair;
    if (pair === null) {
      this.storage.removeItem(key);
    } else {
      this.storage.setItem(key, JSON.stringify(pair));
    }
    this.listeners.forEach((listener) => listener());
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

/** Seconds until the JWT expires (negative when it has); null when it cannot be read. */
export function secondsLeft(accessToken: string, now: number = Date.now()): number | null {
  try {
    const payload = accessToken.split(".")[1];
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: number };
    return typeof json.exp === "number" ? json.exp - now / 1000 : null;
  } catch {
    return null;
  }
}
