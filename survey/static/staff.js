/* Warns two minutes before the staff session times out and lets the person stay. */
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!box || !meta) return;
  var warnTimer, endTimer;
  function schedule(secondsLeft) {
    clearTimeout(warnTimer); clearTimeout(endTimer);
    box.hidden = true;
    warnTimer = setTimeout(function () { box.hidden = false; box.querySelector("button").focus(); },
                           Math.max(0, secondsLeft - 120) * 1000);
    endTimer = setTimeout(function () { window.location.reload(); }, (secondsLeft + 2) * 1000);
  }
  function ask(method, url) {
    var r = new XMLHttpRequest();
    r.open(method, url);
    r.setRequestHeader("X-CSRFToken", meta.content);
    r.onload = function () { if (r.status === 200) schedule(JSON.parse(r.responseText).seconds_left); };
    r.send();
  }
  document.getElementById("idle-extend").addEventListener("click", function () {
    ask("POST", "/staff/session/extend");
  });
  ask("GET", "/staff/session");
})();

/* A field that comes filled in (the received date of the batch) is selected when it gets
   the focus, so typing replaces it and Tab keeps it. */
(function () {
  "use strict";
  var fields = document.querySelectorAll("input[data-select-on-focus]");
  Array.prototype.forEach.call(fields, function (field) {
    field.addEventListener("focus", function () { field.select(); });
    if (document.activeElement === field) field.select();
  });
})();
