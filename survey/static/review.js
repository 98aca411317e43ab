/* Review page: keep the "who filled it in" choice while an answer is changed. */
(function () {
  "use strict";
  var who = document.querySelectorAll("[name=who_answered]"), kept = window.sessionStorage;
  if (!who.length || !kept) return;
  who.forEach(function (r) {
    if (r.value === kept.getItem("who")) r.checked = true;
    r.onchange = function () { kept.setItem("who", r.value); };
  });
  who[0].form.addEventListener("submit", function () { kept.removeItem("who"); });
})();
