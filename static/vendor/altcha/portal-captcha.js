/*
 * The portal's glue for its anti-robot check (accounts/captcha.py). This file is
 * ours (AGPL-3.0-or-later), not part of the vendored ALTCHA widget next to it.
 *
 * The pages configure everything through attributes, so that they need no
 * inline script (Content-Security-Policy):
 *
 * <altcha-widget data-strings data-pbkdf2-worker>: registers our translated
 *   texts for the widget's language and the proof-of-work worker, served as a
 *   static file (the "external" build of the widget has no worker of its own,
 *   hence no blob: worker and no injected <style>). Announces the progress of
 *   the check to screen readers while the visitor is on it. When the form is
 *   sent before the check is done, waits for it, then sends the form (buttons
 *   with formnovalidate, such as "Previous", go at once). Once the check is
 *   done, clicking its box again leaves it ticked.
 *
 * <input data-recaptcha-v3 data-sitekey data-action>: asks Google reCAPTCHA v3
 *   for a token when the form is sent, then sends it.
 */

const PBKDF2_ALGORITHMS = ["PBKDF2/SHA-256", "PBKDF2/SHA-384", "PBKDF2/SHA-512"];

function setUpAltcha(widget) {
  const registry = globalThis.$altcha;
  if (!registry) {
    return;
  }
  const language = widget.getAttribute("language") || "en";
  const strings = JSON.parse(widget.dataset.strings || "{}");
  registry.i18n.set(language, { ...registry.i18n.get("en"), ...strings });

  const workerUrl = widget.dataset.pbkdf2Worker;
  for (const algorithm of PBKDF2_ALGORITHMS) {
    registry.algorithms.set(algorithm, () => new Worker(workerUrl));
  }

  const statusLabel = () => widget.querySelector(".altcha-checkbox-wrap label");
  widget.addEventListener("focusin", () => statusLabel()?.setAttribute("aria-live", "polite"));
  widget.addEventListener("focusout", () => statusLabel()?.removeAttribute("aria-live"));

  // Once verified, the box stays ticked: the widget would take a second click
  // (a visitor ticking a box that another field's focus already solved) for
  // "start again", untick itself and forget the solution.
  widget.addEventListener(
    "click",
    (event) => {
      const box = event.target;
      if (
        box instanceof HTMLInputElement &&
        box.type === "checkbox" &&
        typeof widget.getState === "function" &&
        widget.getState() === "verified"
      ) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true,
  );

  const form = widget.closest("form");
  form?.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    if (submitter?.formNoValidate || typeof widget.getState !== "function") {
      return;
    }
    const state = widget.getState();
    if (state === "verified" || state === "error") {
      return;
    }
    event.preventDefault();
    const sendWhenDone = (change) => {
      if (change.detail.state === "verified" || change.detail.state === "error") {
        widget.removeEventListener("statechange", sendWhenDone);
      }
      if (change.detail.state === "verified") {
        form.requestSubmit(submitter);
      }
    };
    widget.addEventListener("statechange", sendWhenDone);
    if (state !== "verifying") {
      widget.verify();
    }
  });
}

function setUpRecaptchaV3(input) {
  const form = input.form;
  form?.addEventListener("submit", (event) => {
    const grecaptcha = globalThis.grecaptcha;
    if (input.value || !grecaptcha || event.submitter?.formNoValidate) {
      return;
    }
    event.preventDefault();
    const submitter = event.submitter;
    grecaptcha.ready(() => {
      grecaptcha
        .execute(input.dataset.sitekey, { action: input.dataset.action })
        .then((token) => {
          input.value = token;
          form.requestSubmit(submitter);
        });
    });
  });
}

document.querySelectorAll("altcha-widget[data-strings]").forEach(setUpAltcha);
document.querySelectorAll("input[data-recaptcha-v3]").forEach(setUpRecaptchaV3);
