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
