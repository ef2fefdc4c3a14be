// A live hint of how strong a new password looks, for forms that carry a [data-strength-for]
// element. The server still applies every rule; without this script the written rules remain.
"use strict";

(function () {
  function level(value, minimum) {
    if (value.length < minimum) {
      return "short";
    }
    var words = value.trim().split(/\s+/).length;
    var distinct = new Set(Array.from(value)).size;
    if (value.length >= minimum + 5 && (words >= 3 || distinct >= 12)) {
      return "strong";
    }
    return "fair";
  }

  document.querySelectorAll("[data-strength-for]").forEach(function (hint) {
    var input = document.getElementById(hint.dataset.strengthFor);
    if (!input) {
      return;
    }
    var minimum = parseInt(hint.dataset.min, 10) || 12;
    input.addEventListener("input", function () {
      if (!input.value) {
        hint.hidden = true;
        return;
      }
      var current = level(input.value, minimum);
      hint.dataset.level = current;
      hint.textContent = hint.dataset[current];
      hint.hidden = false;
    });
  });
})();
