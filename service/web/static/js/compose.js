/* Progressive enhancement for the letter form. Without it, the form works the same and the
   preview page gives the same guidance. */
(function () {
  "use strict";

  var form = document.getElementById("letter-form");
  var out = document.getElementById("similarity");
  var textarea = document.getElementById("f-message");
  if (!form || !out || !textarea || !window.fetch || !window.JSON) {
    return;
  }
  var representative = form.getAttribute("data-representative");
  var timer = null;
  var lastChecked = null;
  var lastShown = null;

  function show(text) {
    // Only speak when the guidance changes, not on every keystroke.
    if (text !== lastShown) {
      out.textContent = text;
      lastShown = text;
    }
  }

  function describe(count) {
    if (count === 0) {
      return out.getAttribute("data-zero");
    }
    if (count === 1) {
      return out.getAttribute("data-one");
    }
    return out.getAttribute("data-many").replace("{n}", String(count));
  }

  function check() {
    var message = textarea.value;
    if (message === lastChecked) {
      return;
    }
    lastChecked = message;
    if (message.trim().split(/\s+/).length < 8) {
      show("");
      return;
    }
    fetch("/api/letters/similarity", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ representative_id: representative, message: message })
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && typeof data.similar_letters === "number" && message === textarea.value) {
          show(describe(data.similar_letters));
        }
      })
      .catch(function () { /* the preview step checks again */ });
  }

  textarea.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 800);
  });
})();
