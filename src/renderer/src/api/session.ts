/**
 * The signed-in session: the bearer token lives in sessionStorage, so it survives a reload but
 * not a closed tab (a shared wellsite laptop should not stay signed in), and never in a cookie.
 */
const TOKEN = 'oilfield.token';
const INGEST_KEY = 'oilfield.ingestKey';

type Listener = () => void;
const listeners = new Set<Listener>();

export const session = {
  token(): string | null {
    return sessionStorage.getItem(TOKEN);
  },
  signIn(token: string): void {
    sessionStorage.setItem(TOKEN, token);
    listeners.forEach((l) => l());
  },
  signOut(): void {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(INGEST_KEY);
    listeners.forEach((l) => l());
  },
  /** the API key the UI sends with ingest (the station's rule: admin token + x-api-key) */
  ingestKey(): string | null {
    return sessionStorage.getItem(INGEST_KEY);
  },
  setIngestKey(key: string | null): void {
    if (key) sessionStorage.setItem(INGEST_KEY, key);
    else sessionStorage.removeItem(INGEST_KEY);
    listeners.forEach((l) => l());
  },
  subscribe(l: Listener): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};
