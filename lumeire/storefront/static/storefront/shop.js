// Small improvements for the shop's pages; every page works the same without them.
(function () {
  "use strict";

  // A page may name this file twice (its own block and the base page): run once.
  if (window.lumeireShop) {
    return;
  }
  window.lumeireShop = true;

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

  // The phone menu drawer closes with Escape (focus back on its button) or a click outside.
  document.querySelectorAll("details[data-menu-drawer]").forEach(function (drawer) {
    var summary = drawer.querySelector("summary");
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && drawer.open) {
        drawer.open = false;
        summary.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (drawer.open && !drawer.contains(event.target)) {
        drawer.open = false;
      }
    });
  });

  // The cookie bar sits over the page's bottom: keep exactly its height free beneath the content.
  var banner = document.querySelector("[data-consent-banner]");
  if (banner) {
    var keepRoom = function () {
      document.body.style.setProperty("--consent-room", banner.offsetHeight + "px");
    };
    keepRoom();
    window.addEventListener("resize", keepRoom);
  }

  var now = document.querySelector("[data-price-now]");
  var was = document.querySelector("[data-price-was]");
  var wasAmount = document.querySelector("[data-price-was-amount]");

  function showPrice(price, before) {
    if (now) {
      now.textContent = price;
    }
    if (was && wasAmount) {
      wasAmount.textContent = before;
      was.hidden = !before;
    }
  }

  // A variant list (products whose variants are not told apart by options): the price follows.
  document.querySelectorAll("input[name=sku][data-price]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      showPrice(radio.dataset.price, radio.dataset.was);
    });
  });

  // Swatches: the price, the stock and the button follow the options ticked; a combination
  // that is sold out or not sold is struck through and cannot be added.
  var buy = document.querySelector("[data-buy]");
  var groups = buy ? Array.prototype.slice.call(buy.querySelectorAll("[data-swatch-group]")) : [];
  if (groups.length) {
    var variants = JSON.parse(buy.dataset.variants || "[]");
    var stock = buy.querySelector("[data-stock]");
    var addButton = buy.querySelector("[data-add-button]");

    var picked = function () {
      var options = {};
      groups.forEach(function (group) {
        var ticked = group.querySelector("input:checked");
        options[group.dataset.swatchGroup] = ticked ? ticked.value : null;
      });
      return options;
    };
    var variantFor = function (options) {
      return variants.find(function (variant) {
        return groups.every(function (group) {
          var name = group.dataset.swatchGroup;
          return variant.options[name] === options[name];
        });
      });
    };
    var refresh = function () {
      var options = picked();
      groups.forEach(function (group) {
        var name = group.dataset.swatchGroup;
        var ticked = group.querySelector("input:checked");
        group.querySelector("[data-swatch-chosen]").textContent = ticked ? ticked.dataset.label : "";
        group.querySelectorAll("input").forEach(function (input) {
          var trial = Object.assign({}, options);
          trial[name] = input.value;
          var found = variantFor(trial);
          input.closest(".swatch").classList.toggle("swatch--unavailable", !found || found.stock <= 0);
        });
      });
      var variant = variantFor(options);
      if (variant) {
        showPrice(variant.price, variant.was);
      }
      if (stock) {
        stock.textContent = variant ? variant.stockText : buy.dataset.textUnavailable;
        stock.className = "stock stock--" + (variant ? variant.stockLevel : "out");
      }
      if (addButton) {
        var buyable = Boolean(variant && variant.stock > 0);
        addButton.disabled = !buyable;
        addButton.textContent = buyable
          ? buy.dataset.textAdd
          : variant
            ? buy.dataset.textSoldOut
            : buy.dataset.textUnavailable;
      }
    };
    buy.addEventListener("change", function (event) {
      if (event.target.name && event.target.name.indexOf("opt_") === 0) {
        refresh();
      }
    });
    refresh();
  }

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

  // The header's cart count, after an addition made here.
  function showCartCount(count, label) {
    document.querySelectorAll("[data-cart-count]").forEach(function (badge) {
      badge.textContent = String(count);
      badge.removeAttribute("data-bumped");
      void badge.offsetWidth; // restart the animation
      badge.setAttribute("data-bumped", "");
    });
    document.querySelectorAll("[data-cart-link]").forEach(function (link) {
      link.setAttribute("aria-label", label);
    });
  }

  // The cart drawer: a modal dialog (the page behind is inert, Escape closes it), focus goes
  // back to the button that opened it.
  var drawer = null;
  var opener = null;
  function cartDrawer() {
    if (drawer) {
      return drawer;
    }
    drawer = document.createElement("dialog");
    drawer.className = "cart-drawer";
    drawer.setAttribute("aria-labelledby", "cart-drawer-title");
    document.body.appendChild(drawer);
    drawer.addEventListener("click", function (event) {
      // A click on the backdrop lands on the dialog itself; its content fills the box.
      if (event.target === drawer || event.target.closest("[data-drawer-close]")) {
        drawer.close();
      }
    });
    drawer.addEventListener("close", function () {
      if (opener && document.contains(opener)) {
        opener.focus();
      }
    });
    return drawer;
  }
  function openCartDrawer(html, from) {
    var dialog = cartDrawer();
    dialog.innerHTML = '<div class="cart-drawer__body">' + html + "</div>";
    opener = from;
    if (!dialog.open) {
      dialog.showModal();
    }
    var close = dialog.querySelector(".cart-drawer__close");
    if (close) {
      close.focus();
    }
  }

  // Add to cart without leaving the page; the form posts the ordinary way when this cannot.
  document.querySelectorAll("form[data-add-to-cart]").forEach(function (form) {
    var error = form.querySelector("[data-buy-error]");
    var quantity = form.querySelector("input[name=quantity]");
    function describe(on) {
      [quantity, form.querySelector("[data-add-button]")].forEach(function (field) {
        if (!field) {
          return;
        }
        if (on) {
          field.setAttribute("aria-describedby", error.id);
        } else {
          field.removeAttribute("aria-describedby");
        }
      });
      if (quantity) {
        if (on) {
          quantity.setAttribute("aria-invalid", "true");
        } else {
          quantity.removeAttribute("aria-invalid");
        }
      }
    }
    function showError(message) {
      error.textContent = message;
      error.hidden = false;
      describe(true);
      error.focus();
    }
    function clearError() {
      error.textContent = "";
      error.hidden = true;
      describe(false);
    }
    if (!error || !window.fetch || typeof HTMLDialogElement !== "function") {
      return;
    }
    var sending = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (sending) {
        return;
      }
      // Busy, not disabled: a disabled button would lose the focus the drawer gives back.
      sending = true;
      var button = event.submitter || form.querySelector("[data-add-button]");
      var token = form.querySelector("input[name=csrfmiddlewaretoken]");
      button.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (answer) {
          sending = false;
          button.removeAttribute("aria-busy");
          if (answer.ok) {
            clearError();
            showCartCount(answer.body.count, answer.body.countLabel);
            openCartDrawer(answer.body.drawer, button);
          } else {
            showError(answer.body.error);
          }
        })
        .catch(function () {
          // Not an answer this script reads (a lost connection, an expired page): post the form.
          sending = false;
          button.removeAttribute("aria-busy");
          form.submit();
        });
    });
  });
})();
