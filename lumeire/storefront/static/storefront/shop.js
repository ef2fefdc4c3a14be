// Small improvements for the shop's pages; every page works the same without them.
(function () {
  "use strict";

  // Sorting applies as soon as a choice is made; the Sort button is then not needed.
  document.querySelectorAll("[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) {
        select.form.requestSubmit();
      }
    });
  });
  document.querySelectorAll("[data-hidden-with-script]").forEach(function (element) {
    element.hidden = true;
  });

  // On a phone the filters start folded unless some are in use.
  var narrow = window.matchMedia("(max-width: 48rem)").matches;
  document.querySelectorAll("details[data-filters]").forEach(function (details) {
    if (narrow && !details.hasAttribute("data-narrowed")) {
      details.open = false;
    }
  });

  // The price shown follows the variant ticked.
  var now = document.querySelector("[data-price-now]");
  var was = document.querySelector("[data-price-was]");
  var wasAmount = document.querySelector("[data-price-was-amount]");
  document.querySelectorAll("input[name=sku][data-price]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (now) {
        now.textContent = radio.dataset.price;
      }
      if (was && wasAmount) {
        wasAmount.textContent = radio.dataset.was;
        was.hidden = !radio.dataset.was;
      }
    });
  });

  // Thumbnails bring their photo into view without scrolling the whole page.
  document.querySelectorAll("[data-gallery-thumb]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (target) {
        event.preventDefault();
        target.scrollIntoView({ block: "nearest", inline: "start", behavior: "smooth" });
      }
    });
  });
})();
