// One-click copy for code snippets and citations: <button data-copy-target="ID"> copies the text of
// element ID. Uses the async Clipboard API, and a hidden textarea with execCommand("copy") where it
// is missing or refused (plain http, older browsers). Loaded as a file: the CSP allows no inline script.
(function () {
  "use strict";

  function announce(message) {
    var status = document.getElementById("copy-status");
    if (status) status.textContent = message;
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "copy-buffer";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (error) {
      ok = false;
    }
    document.body.removeChild(area);
    return ok;
  }

  function done(button, ok) {
    var label = button.firstChild;
    var original = button.getAttribute("data-label") || (label ? label.textContent : "Copy");
    button.setAttribute("data-label", original);
    if (label) label.textContent = ok ? "Copied" : "Press Ctrl+C";
    button.setAttribute("data-copied", ok ? "true" : "false");
    announce(ok ? "Copied to the clipboard." : "Copying failed: select the text and press Ctrl+C.");
    window.setTimeout(function () {
      if (label) label.textContent = original;
      button.removeAttribute("data-copied");
    }, 2000);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source) return;
    var text = source.innerText.replace(/\s+$/, "");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { done(button, true); },
        function () { done(button, fallbackCopy(text)); }
      );
    } else {
      done(button, fallbackCopy(text));
    }
  });
})();
