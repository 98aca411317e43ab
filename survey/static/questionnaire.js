/* Progressive enhancement of a question page; the page works without it.
   1. VAS: tap or click the line to answer. The number field stays as the
      keyboard and screen-reader way; both always show the same value.
   2. The language switch saves the answer on this page before switching. */
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  var input = document.getElementById("value");
  var box = document.querySelector("[data-vas]");
  if (box && input) {
    var track = box.querySelector(".vas-track");
    var marker = box.querySelector(".vas-marker");
    var min = +input.min, max = +input.max;
    var show = function () {
      var raw = input.value.trim(), v = +raw;
      var ok = raw !== "" && v >= min && v <= max && Math.round(v) === v;
      marker.hidden = !ok; /* no marker until the participant answers */
      if (ok) marker.style.left = ((v - min) / (max - min)) * 100 + "%";
    };
    track.addEventListener("click", function (e) {
      var r = track.getBoundingClientRect();
      var f = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
      input.value = Math.round(min + f * (max - min));
      show();
    });
    input.addEventListener("input", show);
    box.hidden = false;
    show();
  }
  var sw = document.getElementById("language-switch");
  if (sw && form) {
    sw.addEventListener("click", function (e) {
      e.preventDefault();
      form.elements.lang.value = sw.getAttribute("data-lang");
      var action = document.createElement("input");
      action.type = "hidden"; action.name = "action"; action.value = "switch_language";
      form.appendChild(action);
      form.submit();
    });
  }
})();
