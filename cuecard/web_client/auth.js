// Cuecard sign-in state, shared by the live page and the account page.
//
// Tokens (cuecard/api/auth.py): a short-lived access token (15 min by default, `expires_in`
// seconds) and a 30-day refresh token that rotates on use (`POST /api/auth/refresh` revokes the
// old one). Both live in localStorage, so every tab and both pages share one sign-in.
//
// Decisions:
// - The access token is refreshed BEFORE it expires (a quarter of its lifetime early, at most a
//   minute), on a timer, again when the tab becomes visible (background timers are throttled),
//   and before anything that must be sent signed in (joining, feedback). A 401 still triggers
//   one refresh and a retry.
// - Its expiry is computed from `expires_in` and this browser's clock when the token arrives
//   (`cuecard.access_expires`), so a server clock that differs from the browser's does not
//   matter; tokens without that entry fall back to the JWT's `exp`.
// - Rotation and several tabs: a refresh runs under a Web Lock shared by all tabs of the
//   origin, and first re-reads localStorage: when another tab refreshed meanwhile, its tokens
//   are used instead of spending a refresh token that was already rotated away.
// - Only an answer of the server that the refresh token is no good (401/400) signs out; a
//   network error or a 5xx keeps the tokens and tries again shortly. Signing out is never
//   silent: listeners get `{signedIn:false, reason}` and the pages say so.
"use strict";

(() => {
  const KEYS = {
    access: "cuecard.access", refresh: "cuecard.refresh", email: "cuecard.email",
    accessExpires: "cuecard.access_expires",
  };
  const RETRY_MS = 15_000;
  const listeners = new Set();
  let timer = null;
  let inflight = null;
  let lastSignedIn = null;

  const now = () => Date.now();
  const get = (k) => localStorage.getItem(KEYS[k]);

  function claims(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
    } catch (_) { return {}; }
  }

  // When the access token expires (ms since the epoch, this browser's clock), and its lifetime.
  function accessTimes() {
    const token = get("access");
    if (!token) return null;
    const c = claims(token);
    const lifetimeMs = c.exp && c.iat ? (c.exp - c.iat) * 1000 : 900_000;
    const stored = Number(get("accessExpires"));
    const expires = stored > 0 ? stored : (c.exp ? c.exp * 1000 : 0);
    return { expires, lifetimeMs };
  }

  function marginMs(lifetimeMs) {
    return Math.max(500, Math.min(60_000, lifetimeMs / 4));
  }

  function refreshExpired() {
    const token = get("refresh");
    if (!token) return true;
    const c = claims(token);
    return !!c.exp && c.exp * 1000 <= now();
  }

  function hasSession() { return !!get("refresh") && !refreshExpired(); }

  function emit(detail) {
    lastSignedIn = detail.signedIn;
    for (const fn of listeners) { try { fn(detail); } catch (e) { console.warn(e); } }
  }

  function set(tokens, reason = "signed_in") {
    localStorage.setItem(KEYS.access, tokens.access_token);
    localStorage.setItem(KEYS.refresh, tokens.refresh_token);
    if (tokens.user?.email) localStorage.setItem(KEYS.email, tokens.user.email);
    localStorage.setItem(KEYS.accessExpires, String(now() + (tokens.expires_in || 900) * 1000));
    schedule();
    emit({ signedIn: true, email: get("email"), reason });
  }

  function clear(reason = "logged_out") {
    Object.values(KEYS).forEach((k) => localStorage.removeItem(k));
    clearTimeout(timer); timer = null;
    emit({ signedIn: false, reason });
  }

  function schedule(delayMs) {
    clearTimeout(timer); timer = null;
    if (!hasSession()) return;
    let delay = delayMs;
    if (delay === undefined) {
      const t = accessTimes();
      delay = t ? t.expires - marginMs(t.lifetimeMs) - now() : 0;
    }
    timer = setTimeout(() => { fresh().catch(() => {}); }, Math.max(0, delay));
  }

  function accessIsFresh() {
    const t = accessTimes();
    return !!t && t.expires - marginMs(t.lifetimeMs) > now();
  }

  async function withLock(fn) {
    if (navigator.locks?.request) return navigator.locks.request("cuecard-token-refresh", fn);
    return fn();
  }

  // Exchange the refresh token; resolves to the new access token, or null when signed out.
  // Throws on a network or server error (tokens kept).
  async function doRefresh() {
    return withLock(async () => {
      if (accessIsFresh()) { schedule(); return get("access"); }  // another tab just did it
      const refresh = get("refresh");
      if (!refresh || refreshExpired()) { if (refresh) clear("expired"); return null; }
      let r;
      try {
        r = await fetch("/api/auth/refresh", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ refresh_token: refresh }),
        });
      } catch (err) {
        schedule(RETRY_MS);
        throw err;
      }
      if (r.ok) { set(await r.json(), "refreshed"); return get("access"); }
      if (get("refresh") !== refresh && accessIsFresh()) return get("access");  // rotated elsewhere
      if (r.status === 401 || r.status === 400) { clear("expired"); return null; }
      schedule(RETRY_MS);
      throw new Error(`refresh failed: HTTP ${r.status}`);
    });
  }

  // A usable access token (refreshed first when it is about to expire), or null when not
  // signed in. Throws only when the server cannot be reached and the token is unusable.
  async function fresh() {
    if (!get("refresh")) return get("access") && accessIsFresh() ? get("access") : null;
    if (accessIsFresh()) { if (!timer) schedule(); return get("access"); }
    if (!inflight) inflight = doRefresh().finally(() => { inflight = null; });
    try {
      return await inflight;
    } catch (err) {
      const t = accessTimes();
      if (t && t.expires > now()) return get("access");  // still valid for a moment
      throw err;
    }
  }

  // fetch() with the account's token when signed in; one refresh and retry on a 401.
  async function authFetch(url, options = {}, { required = false } = {}) {
    const token = await fresh();
    if (!token && required) {
      const err = new Error("You are not signed in.");
      err.status = 401;
      throw err;
    }
    const send = (t) => fetch(url, { ...options, headers: { ...(options.headers || {}), ...(t ? { Authorization: `Bearer ${t}` } : {}) } });
    let r = await send(token);
    if (r.status === 401 && token && get("refresh")) {
      // The token may have been revoked or expired under us: refresh once and retry.
      localStorage.setItem(KEYS.accessExpires, "1");
      const again = await fresh().catch(() => null);
      if (again) r = await send(again);
    }
    return r;
  }

  async function logout() {
    const refresh = get("refresh");
    try {
      const token = await fresh();
      if (token) {
        await fetch("/api/auth/logout", {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
          body: JSON.stringify({ refresh_token: refresh }),
        });
      }
    } catch (_) { /* already gone or offline: forget the tokens anyway */ }
    clear("logged_out");
  }

  function onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

  // Another tab signed in, refreshed or signed out: follow it.
  window.addEventListener("storage", (e) => {
    if (e.key !== null && !Object.values(KEYS).includes(e.key)) return;
    const signedIn = hasSession();
    if (signedIn) schedule();
    else { clearTimeout(timer); timer = null; }
    if (signedIn !== lastSignedIn) {
      emit({ signedIn, email: get("email"), reason: signedIn ? "signed_in" : "logged_out" });
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && hasSession() && !accessIsFresh()) fresh().catch(() => {});
  });

  // Anonymous live sessions started on this browser, to be claimed after signing in, with the
  // capability secret the server returned once when it made each (the id alone opens nothing).
  const ANON_KEY = "cuecard.anon_sessions";
  const anonSessions = {
    list() {
      try {
        const items = JSON.parse(localStorage.getItem(ANON_KEY) || "[]");
        return Array.isArray(items) ? items.filter((x) => x && typeof x.id === "string") : [];
      } catch (_) { return []; }
    },
    add(id, secret) {
      if (!id) return;
      const known = anonSessions.list().find((x) => x.id === id);
      const items = anonSessions.list().filter((x) => x.id !== id);
      items.push({ id, started_at: known?.started_at ?? Math.round(now() / 1000), secret: secret || known?.secret });
      localStorage.setItem(ANON_KEY, JSON.stringify(items.slice(-100)));
    },
    has(id) { return anonSessions.list().some((x) => x.id === id); },
    // {"X-Session-Secret": …} for an anonymous session of this browser, else {}
    headers(id) {
      const secret = anonSessions.list().find((x) => x.id === id)?.secret;
      return secret ? { "X-Session-Secret": secret } : {};
    },
    secrets(ids) {
      const wanted = new Set(ids);
      return Object.fromEntries(anonSessions.list().filter((x) => wanted.has(x.id) && x.secret).map((x) => [x.id, x.secret]));
    },
    remove(ids) {
      const gone = new Set(ids);
      const items = anonSessions.list().filter((x) => !gone.has(x.id));
      if (items.length) localStorage.setItem(ANON_KEY, JSON.stringify(items));
      else localStorage.removeItem(ANON_KEY);
    },
  };

  window.CuecardAuth = {
    hasSession, fresh, authFetch, set, clear, logout, onChange, anonSessions,
    email: () => get("email") || "",
    // Test and diagnostics: when the current access token expires (ms, browser clock).
    accessExpiresAt: () => accessTimes()?.expires ?? null,
    start() { if (hasSession()) schedule(); lastSignedIn = hasSession(); },
  };
})();
