// MCPbox Remote Access wizard: live progress from the event stream, copy buttons, and the focus.
// Served from the page's own origin (CSP script-src 'self'); inserts text only, never HTML.
(function () {
  "use strict";

  // With a fragment in the address (#grants) browsers skip autofocus; opening the fragment focuses
  // the element it names (a question's field carries that id), but a reload restores the scroll
  // position instead. Either way the question's field ends up with the focus.
  var autofocus = document.querySelector("[autofocus]");
  if (autofocus && window.location.hash) autofocus.focus();

  var log = document.getElementById("run-log");
  var now = document.getElementById("run-now");
  if (log && log.dataset.run) {
    log.scrollTop = log.scrollHeight;
    var source = new EventSource("/events?run=" + encodeURIComponent(log.dataset.run) + "&from=" + encodeURIComponent(log.dataset.from || "0"));
    var add = function (text, className, label) {
      var item = document.createElement("li");
      item.textContent = text;
      if (className) item.className = className;
      if (label) item.dataset.wait = label;
      log.appendChild(item);
      log.scrollTop = log.scrollHeight;
      if (now) now.textContent = text;
    };
    var data = function (message) {
      try {
        return JSON.parse(message.data);
      } catch {
        return {};
      }
    };
    source.addEventListener("step", function (m) {
      var e = data(m);
      add("Step " + e.n + " of " + e.total + ": " + e.title, "log-step");
    });
    source.addEventListener("line", function (m) {
      add(data(m).text);
    });
    source.addEventListener("warn", function (m) {
      add("Warning: " + data(m).text, "log-warn");
    });
    source.addEventListener("wait", function (m) {
      var e = data(m);
      if (e.phase === "start") add(e.label + "…", "log-wait", e.label);
      else
        log.querySelectorAll("li[data-wait]").forEach(function (li) {
          if (li.dataset.wait === e.label) li.remove();
        });
    });
    ["question", "finished", "gone"].forEach(function (name) {
      source.addEventListener(name, function () {
        source.close();
        window.location.reload();
      });
    });
  }

  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var label = button.textContent;
    button.addEventListener("click", function () {
      var target = document.getElementById(button.dataset.copy);
      if (!target || !navigator.clipboard) return;
      navigator.clipboard.writeText(target.textContent).then(
        function () {
          button.textContent = "Copied";
          status.textContent = "Copied to the clipboard.";
          setTimeout(function () {
            button.textContent = label;
          }, 2000);
        },
        function () {
          status.textContent = "Copying did not work: select the text and copy it yourself.";
        },
      );
    });
  });
})();
