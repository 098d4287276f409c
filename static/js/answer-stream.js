/*
 * Streams a chat answer's summary as it is written (Server-Sent Events), then swaps in the
 * finished answer. A pending answer (.answer-pending[data-stream-url]) normally polls its
 * fragment with htmx; while its stream is open the poll is held back, and when the stream fails
 * or times out the poll resumes. Without EventSource (or JavaScript) nothing here runs and the
 * polling / page refresh fallbacks stay in charge.
 */
(function () {
  "use strict";
  if (!window.EventSource) {
    return;
  }
  var failed = {}; // element id -> true once its stream failed: poll from then on

  function writingView(el) {
    el.classList.add("answer-streaming");
    el.setAttribute("data-answer-status", "streaming");
    el.setAttribute("data-chunks", "0");
    el.textContent = "";
    var label = document.createElement("p");
    label.className = "turn-label";
    label.textContent = "Summary";
    var text = document.createElement("p");
    text.className = "answer-text";
    el.appendChild(label);
    el.appendChild(text);
    var region = el.closest(".answer-region");
    if (region) {
      region.setAttribute("aria-busy", "true");
    }
    return text;
  }

  function finish(el, html) {
    var region = el.closest(".answer-region");
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var fresh = template.content.firstElementChild;
    if (!fresh) {
      return false;
    }
    el.replaceWith(fresh);
    if (window.htmx) {
      window.htmx.process(fresh);
    }
    if (region) {
      region.removeAttribute("aria-busy");
    }
    return true;
  }

  function poll(el) {
    var url = el.getAttribute("hx-get");
    if (window.htmx && url && el.isConnected) {
      window.htmx.ajax("GET", url, { target: el, swap: "outerHTML" });
    }
  }

  function start(el) {
    var url = el.getAttribute("data-stream-url");
    if (!url || !el.id || failed[el.id] || el.getAttribute("data-streaming") === "1") {
      return;
    }
    el.setAttribute("data-streaming", "1");
    var source = new EventSource(url);
    var text = null;
    var chunks = 0;
    var done = false;

    function fallBack() {
      if (done) {
        return;
      }
      done = true;
      source.close();
      failed[el.id] = true;
      el.removeAttribute("data-streaming");
      poll(el);
    }

    source.addEventListener("delta", function (event) {
      var data = JSON.parse(event.data);
      if (!text) {
        text = writingView(el);
      }
      text.appendChild(document.createTextNode(data.text || ""));
      chunks += 1;
      el.setAttribute("data-chunks", String(chunks));
    });
    source.addEventListener("final", function (event) {
      var html = JSON.parse(event.data).html || "";
      if (!finish(el, html)) {
        fallBack(); // nothing to show: let the poll fetch the answer
        return;
      }
      done = true;
      source.close();
    });
    source.addEventListener("timeout", fallBack);
    source.addEventListener("error", fallBack);
  }

  function scan(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    if (root.matches && root.matches(".answer-pending[data-stream-url]")) {
      start(root);
    }
    root.querySelectorAll(".answer-pending[data-stream-url]").forEach(start);
  }

  // While an answer streams, its htmx poll is not sent.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.getAttribute && elt.getAttribute("data-streaming") === "1") {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:load", function (event) {
    scan(event.detail && event.detail.elt);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      scan(document.body);
    });
  } else {
    scan(document.body);
  }
})();
