// The "Print" button of the recovery codes page.
document.querySelectorAll("[data-print-codes]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
