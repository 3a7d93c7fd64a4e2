// Goes to the bank at once: posts its form, or follows its link (a link, not
// a redirection, since the policy's form-action would block a redirection to
// another origin after the citizen's "Pay" form). Without JavaScript, the
// button does it.
document.querySelectorAll("form[data-auto-submit]").forEach((form) => form.submit());
document.querySelectorAll("a[data-auto-follow]").forEach((link) => window.location.replace(link.href));
