// Behaviour that templates would otherwise write inline: the Content-Security-Policy
// (config/settings.py) runs scripts from this site's files only.
"use strict";

// <select data-submit-on-change>: choosing an option submits its form (language switch).
document.addEventListener("change", (event) => {
  const element = event.target;
  if (element instanceof HTMLSelectElement && element.hasAttribute("data-submit-on-change") && element.form) {
    element.form.submit();
  }
});

// A read-only text field (a link to copy) is selected whole when clicked.
document.addEventListener("click", (event) => {
  const element = event.target;
  if (element instanceof HTMLInputElement && element.readOnly && element.type === "text") {
    element.select();
  }
});

// htmx polling (hx-trigger="every ...") is not the user's activity: it must not keep an
// idle session alive (crm.middleware.SessionIdleMiddleware).
document.addEventListener("htmx:configRequest", (event) => {
  const trigger = event.detail.elt.getAttribute("hx-trigger") || "";
  if (/(^|,)\s*every\s/.test(trigger)) {
    event.detail.headers["X-Background-Request"] = "poll";
  }
});

// The header's menu on a phone: folded behind its button (aria-expanded tells whether
// it is open). Without JavaScript the button stays hidden and the menu is shown whole.
(() => {
  const header = document.querySelector(".site-header");
  const toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) {
    return;
  }
  header.classList.add("menu-collapsible");
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    header.classList.toggle("menu-open", open);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      toggle.setAttribute("aria-expanded", "false");
      header.classList.remove("menu-open");
      toggle.focus();
    }
  });
})();

// <table class="table-cards">: on a phone each row is a card (app.css); each cell is
// labelled with its column's header, copied here so the templates say it once.
document.querySelectorAll("table.table-cards").forEach((table) => {
  const headers = [...table.querySelectorAll("thead th")].map((th) =>
    th.querySelector(".visually-hidden") && th.textContent.trim() === th.querySelector(".visually-hidden").textContent.trim()
      ? ""
      : th.textContent.trim(),
  );
  table.querySelectorAll("tbody tr").forEach((row) => {
    [...row.children].forEach((cell, index) => {
      if (index > 0 && headers[index] && !cell.hasAttribute("data-label")) {
        cell.setAttribute("data-label", headers[index]);
      }
    });
  });
});
