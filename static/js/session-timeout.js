// The warning before an idle session ends (accounts/sessions.py).
//
// The time left comes from the server (GET on data-status-url, which does not
// count as activity), so that every open tab agrees: a tab asks again before
// warning, and while it warns, in case another tab was used meanwhile.
// "Stay logged in" POSTs to the same URL, which counts as activity. When the
// time is up the page goes to the login page, which says why.
(function () {
  "use strict";
  const dialog = document.querySelector("[data-session-timeout]");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const statusUrl = dialog.dataset.statusUrl;
  const loginUrl = dialog.dataset.loginUrl;
  const remainingText = dialog.querySelector("[data-session-remaining]");
  const stayButton = dialog.querySelector("[data-session-stay]");
  const csrfInput = dialog.querySelector("input[name=csrfmiddlewaretoken]");
  const here = window.location.pathname + window.location.search;
  const lang = document.documentElement.lang || "fr";
  let warning = 120;
  let deadline = null; // Date.now() in ms when the session ends
  let timer = null;
  let ticker = null;
  let asking = false;
  let asked = 0;

  function goToLogin(url) {
    const target = url || loginUrl + "?next=" + encodeURIComponent(here);
    window.location.assign(target);
  }

  function describe(seconds) {
    const minutes = Math.floor(seconds / 60);
    const rest = seconds % 60;
    try {
      const parts = [];
      if (minutes) parts.push(new Intl.NumberFormat(lang, { style: "unit", unit: "minute", unitDisplay: "long" }).format(minutes));
      if (rest || !minutes) parts.push(new Intl.NumberFormat(lang, { style: "unit", unit: "second", unitDisplay: "long" }).format(rest));
      return parts.join(" ");
    } catch (error) {
      return minutes + ":" + String(rest).padStart(2, "0");
    }
  }

  function schedule(state) {
    if (state.expired) {
      goToLogin(state.login_url);
      return;
    }
    warning = state.warning || warning;
    deadline = Date.now() + state.remaining * 1000;
    clearTimeout(timer);
    const untilWarning = state.remaining - warning;
    if (untilWarning > 0) {
      if (dialog.open) dialog.close();
      stopTicker();
      timer = setTimeout(check, untilWarning * 1000);
    } else {
      warn();
      timer = setTimeout(check, Math.min(15, Math.max(1, state.remaining)) * 1000);
    }
  }

  function request(method) {
    const options = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method === "POST" && csrfInput) options.headers["X-CSRFToken"] = csrfInput.value;
    return fetch(statusUrl + "?next=" + encodeURIComponent(here), options).then((response) => response.json());
  }

  // Only one status request is in flight at a time. When the session has
  // just ended, the first answer carries the reason to the login page; a
  // second one sent with the old cookie would delete the new session that
  // holds it. "Stay logged in" is always sent, and an older answer that
  // comes back after it is ignored.
  function ask(method) {
    if (asking && method === "GET") return;
    const number = ++asked;
    asking = true;
    clearTimeout(timer);
    request(method).then(
      (state) => {
        if (number !== asked) return;
        asking = false;
        schedule(state);
      },
      () => {
        if (number !== asked) return;
        asking = false;
        timer = setTimeout(check, 15000);
      }
    );
  }

  function check() {
    ask("GET");
  }

  function tick() {
    const seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    remainingText.textContent = describe(seconds);
    if (seconds === 0) {
      stopTicker();
      check();
    }
  }

  function stopTicker() {
    clearInterval(ticker);
    ticker = null;
  }

  function warn() {
    tick();
    if (!dialog.open) {
      dialog.showModal();
      stayButton.focus();
    }
    if (!ticker) ticker = setInterval(tick, 1000);
  }

  function stay() {
    ask("POST");
  }

  stayButton.addEventListener("click", stay);
  // Escape is an answer too: the person is there, so the session goes on.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    stay();
  });
  check();
})();
