// Page behaviour that the Content-Security-Policy forbids inline (script-src 'self', htmx allowEval off):
// the chat and search forms' status and error lines, and confirmation before destructive forms.
(function () {
  "use strict";

  function setText(id, value) {
    var element = document.getElementById(id);
    if (element) element.textContent = value;
  }

  function removeSuggestions() {
    var suggestions = document.getElementById("suggestions");
    if (suggestions) suggestions.remove();
  }

  function failureText(detail, fallback) {
    var xhr = detail && detail.xhr;
    if (xhr && xhr.status === 429) {
      var wait = parseInt(xhr.getResponseHeader("Retry-After") || "", 10);
      return "You are going faster than the assistant allows." +
        (wait > 0 ? " Please try again in " + wait + " second" + (wait === 1 ? "" : "s") + "." : "");
    }
    if (xhr && xhr.status === 400) {
      return "That could not be read: it contains characters that are not allowed.";
    }
    return fallback;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target.id === "chat-form") setText("chat-error", "");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    var detail = event.detail || {};
    if (form.id === "chat-form") {
      if (detail.successful) {
        form.reset();
        removeSuggestions();
        setText("chat-status", "The assistant replied. The results follow your message.");
      } else {
        setText("chat-error", failureText(detail, "Sorry, that message could not be sent. Please try again in a moment."));
      }
    } else if (form.hasAttribute && form.hasAttribute("data-suggestion")) {
      if (detail.successful) removeSuggestions();
      else setText("chat-error", failureText(detail, "Sorry, that message could not be sent. Please try again in a moment."));
    } else if (form.id === "search-form") {
      setText("search-error", detail.successful ? "" : failureText(detail, "Sorry, the search could not be run. Please try again."));
    }
  });

  // <form data-confirm="Question?">: ask before submitting (capture phase, before htmx sees the submit).
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Search filters drawer: on small screens the filters (before the results) start folded behind a
  // "Filters" summary; the reader's choice survives HTMX swaps. Wide screens always show them.
  var small = window.matchMedia ? window.matchMedia("(max-width: 768px)") : null;
  var drawerOpen = null; // null until the reader opens or closes it

  function drawerSetup() {
    var drawer = document.getElementById("filters-drawer");
    if (!drawer) return;
    drawer.open = small && small.matches ? drawerOpen === true : true;
  }

  document.addEventListener("click", function (event) {
    var summary = event.target.closest && event.target.closest("#filters-toggle");
    if (summary) drawerOpen = !summary.parentElement.open;
  });

  // Keyboard focus stays on the control that was used (a facet value, a sort link) after the swap
  // replaces it; when it is gone (a removed filter chip, a page link), focus goes to the results summary.
  var focusId = null;
  var focusPending = false;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail && event.detail.elt;
    if (element && element.closest && element.closest("#search-results")) {
      focusPending = true;
      focusId = element.id || null;
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    drawerSetup();
    if (!focusPending) return;
    focusPending = false;
    var target = (focusId && document.getElementById(focusId)) || document.getElementById("results-summary");
    focusId = null;
    if (target) target.focus();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawerSetup);
  else drawerSetup();
})();
