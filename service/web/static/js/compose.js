/* Progressive enhancement for the letter form. Without it, the form works the same and the
   preview page gives the same guidance. */
(function () {
  "use strict";

  // The character count: the page shows the limit (and, after a refusal, the count) without
  // the script; with it, the count follows the typing.
  var counted = document.getElementById("f-message");
  var count = document.getElementById("f-message-count");
  if (counted && count) {
    var max = parseInt(count.getAttribute("data-max"), 10);
    var lang = document.documentElement.lang || undefined;
    var number = function (n) { return n.toLocaleString(lang); };
    var update = function () {
      // Characters as the server counts them (code points, not UTF-16 units).
      var length = Array.from(counted.value).length;
      var over = length > max;
      var template = count.getAttribute(over ? "data-over" : "data-under");
      count.textContent = template
        .replace("{count}", number(length))
        .replace("{over}", number(length - max));
      count.classList.toggle("character-count--over", over);
    };
    counted.addEventListener("input", update);
    update();
  }

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
