// Recording consent before capture: the Join buttons open this step (a modal dialog) before the
// microphone or a tab is opened. It shows the server's consent text (GET /api/consent, with its
// version), a checkbox the candidate must tick, and a ready notice to paste into the meeting
// chat. The join then sends {consent: true, consent_version} with its offer; the server records
// it on the session (cuecard/api/rest_consent.py). A rejoin of the same session is not asked
// again: the consent is already on that session.
"use strict";

window.CuecardConsent = (() => {
  const $ = (id) => document.getElementById(id);
  let doc = null;    // the consent document of GET /api/consent
  let given = null;  // {consent: true, consent_version} once confirmed in this page

  async function load() {
    if (!doc) {
      const r = await fetch("/api/consent");
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      doc = await r.json();
    }
    return doc;
  }

  async function copyNotice() {
    const box = $("consent-notice"), said = $("consent-copied");
    try {
      await navigator.clipboard.writeText(box.value);
      said.textContent = "Copied. Paste it into the meeting chat.";
    } catch (_) {  // no clipboard permission: select it so Ctrl+C copies it
      box.focus(); box.select();
      said.textContent = "Selected: press Ctrl+C, then paste it into the meeting chat.";
    }
  }

  // Show the step; resolves to the consent fields for the offer, or null when cancelled.
  async function ask() {
    const d = await load();
    const dialog = $("consent-dialog"), check = $("consent-check"), go = $("consent-continue");
    $("consent-text").textContent = d.text;
    $("consent-checkbox-text").textContent = d.checkbox;
    $("consent-notice").value = d.meeting_notice;
    $("consent-version").textContent = d.version;
    $("consent-copied").textContent = "";
    check.checked = false;
    go.disabled = true;
    dialog.showModal();
    return new Promise((resolve) => {
      const onTick = () => { go.disabled = !check.checked; };
      const finish = (ok) => {
        check.removeEventListener("change", onTick);
        go.removeEventListener("click", onGo);
        $("consent-cancel").removeEventListener("click", onCancel);
        dialog.removeEventListener("cancel", onCancel);
        if (dialog.open) dialog.close();
        given = ok ? { consent: true, consent_version: d.version } : null;
        resolve(given);
      };
      const onGo = () => { if (check.checked) finish(true); };
      const onCancel = (e) => { e.preventDefault(); finish(false); };
      check.addEventListener("change", onTick);
      go.addEventListener("click", onGo);
      $("consent-cancel").addEventListener("click", onCancel);
      dialog.addEventListener("cancel", onCancel);  // Esc
    });
  }

  $("consent-copy").addEventListener("click", copyNotice);

  return {
    ask,
    current: () => given,  // what this page confirmed last (sent again on a rejoin)
    forget: () => { given = null; doc = null; },  // the server asked again (a new text version)
  };
})();
