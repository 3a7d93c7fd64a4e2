// Posts the bank's form at once; without JavaScript its button does it.
document.querySelectorAll("form[data-auto-submit]").forEach((form) => form.submit());
