// Remaining minutes of the caller's plan, shown in the top bar when the server bills
// (CUECARD_BILLING=on). With billing off GET /api/billing/usage is 404 and nothing shows.
"use strict";

const Plan = (() => {
  const REFRESH_MS = 60_000;
  let timer = null;

  function describe(usage) {
    const plan = usage.plan.charAt(0).toUpperCase() + usage.plan.slice(1);
    const left = usage.remaining.live_minutes;
    if (left === null) return `${plan} plan: unlimited live minutes`;
    return `${plan} plan: ${Math.floor(left)} live minute${Math.floor(left) === 1 ? "" : "s"} left this month ` +
      `(resets ${usage.resets_at})`;
  }

  async function refresh() {
    const el = document.getElementById("plan-remaining");
    if (!el) return;
    try {
      const signedIn = window.Auth && Auth.hasSession();
      const r = signedIn ? await Auth.authFetch("/api/billing/usage") : await fetch("/api/billing/usage");
      if (r.status === 404) { el.hidden = true; return; }  // billing is off: never ask again
      if (!r.ok) return;
      const usage = await r.json();
      el.textContent = describe(usage);
      el.classList.toggle("plan-out", usage.remaining.live_minutes === 0);
      el.hidden = false;
      if (!timer) timer = setInterval(refresh, REFRESH_MS);
    } catch (e) {
      console.warn("plan usage not loaded", e);
    }
  }

  document.addEventListener("DOMContentLoaded", refresh);
  return { refresh };
})();
window.Plan = Plan;
