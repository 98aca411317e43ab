/* Progressive enhancement of the questionnaire; every page works without it.
   1. VAS: the line is the answer. It is a slider: a tap or click sets the mark,
      arrow keys move it by 1, PageUp/PageDown by 10, Home/End to the ends. The
      number field (the answer without JavaScript) is hidden and kept in step,
      and a hidden field records how the answer was given (tap or keyboard).
   2. The language switch saves the answer on this page before switching. */
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  var input = document.getElementById("value");
  var box = document.querySelector("[data-vas]");
  if (box && input) {
    var track = box.querySelector(".vas-track");
    var marker = box.querySelector(".vas-marker");
    var method = box.querySelector("input[name=input_method]");
    var min = +input.min, max = +input.max, mid = (min + max) / 2;
    var current = function () {
      var raw = input.value.trim(), v = +raw;
      return raw !== "" && v >= min && v <= max && Math.round(v) === v ? v : null;
    };
    var words = function (v) {
      var text = v === mid ? track.dataset.middle : track.dataset.near.replace(
        "{anchor}", v < mid ? track.dataset.low : track.dataset.high);
      return text.replace("{value}", v);
    };
    var show = function () {
      var v = current();
      marker.hidden = v === null; /* no mark until the participant answers */
      if (v === null) return;
      marker.style.left = ((v - min) / (max - min)) * 100 + "%";
      track.setAttribute("aria-valuenow", v);
      track.setAttribute("aria-valuetext", words(v));
    };
    var set = function (v, how) {
      input.value = Math.min(max, Math.max(min, Math.round(v)));
      method.value = how;
      show();
    };
    track.addEventListener("click", function (e) {
      var r = track.getBoundingClientRect();
      set(min + ((e.clientX - r.left) / r.width) * (max - min), "tap");
      track.focus();
    });
    var steps = {ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1,
                 PageUp: 10, PageDown: -10};
    track.addEventListener("keydown", function (e) {
      var v = current(), start = v === null ? mid : v; /* first key: from the middle */
      if (e.key in steps) set(start + steps[e.key], "keyboard");
      else if (e.key === "Home") set(min, "keyboard");
      else if (e.key === "End") set(max, "keyboard");
      else return;
      e.preventDefault();
    });
    input.closest(".vas-number-box").hidden = true;
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
