/* Suggestions as a shopper types in the search box: an accessible combobox.
 *
 * Progressive enhancement: without this script the box is a plain search form. The list asks
 * /api/v1/catalog/suggestions (names and addresses only) a moment after typing stops; arrow keys
 * move through it, Enter opens the chosen entry, Escape closes it. No inline script or style. */
(function () {
  "use strict";

  var input = document.querySelector("input[data-suggest-url]");
  if (!input || !window.fetch) {
    return;
  }
  var form = input.form;
  var endpoint = input.getAttribute("data-suggest-url");
  var labels = {
    products: input.getAttribute("data-suggest-products") || "Products",
    categories: input.getAttribute("data-suggest-categories") || "Categories",
    mean: input.getAttribute("data-suggest-mean") || "Did you mean",
    count: input.getAttribute("data-suggest-count") || "suggestions found",
  };
  var listId = input.id + "-suggestions";
  var list = document.createElement("ul");
  list.id = listId;
  list.className = "search-suggest";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.getAttribute("data-suggest-label") || labels.products);
  list.hidden = true;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  form.appendChild(list);
  form.appendChild(status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", listId);
  input.setAttribute("aria-expanded", "false");

  var options = [];
  var active = -1;
  var timer = null;
  var asked = 0;
  var lastQuery = "";

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(index) {
    options.forEach(function (option, at) {
      option.setAttribute("aria-selected", at === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function addGroup(title) {
    var heading = document.createElement("li");
    heading.setAttribute("role", "presentation");
    heading.className = "search-suggest__group";
    heading.textContent = title;
    list.appendChild(heading);
  }

  // An option holds its text only (a link inside an option would be a control inside a
  // control); choosing it, by click or Enter, opens its address.
  function addOption(text, url, kind) {
    var option = document.createElement("li");
    option.id = listId + "-" + options.length;
    option.setAttribute("role", "option");
    option.setAttribute("aria-selected", "false");
    option.className = "search-suggest__option search-suggest__option--" + kind;
    option.setAttribute("data-href", url);
    option.textContent = text;
    option.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the focus in the box until the choice is made
    });
    option.addEventListener("click", function () {
      window.location.assign(url);
    });
    list.appendChild(option);
    options.push(option);
  }

  function show(answer) {
    list.textContent = "";
    options = [];
    active = -1;
    if (answer.did_you_mean) {
      var searchUrl = form.getAttribute("action") + "?q=" + encodeURIComponent(answer.did_you_mean);
      addOption(labels.mean + " " + answer.did_you_mean + "?", searchUrl, "correction");
    }
    if (answer.categories && answer.categories.length) {
      addGroup(labels.categories);
      answer.categories.forEach(function (item) {
        addOption(item.name, item.url, "category");
      });
    }
    if (answer.products && answer.products.length) {
      addGroup(labels.products);
      answer.products.forEach(function (item) {
        addOption(item.name, item.url, "product");
      });
    }
    if (!options.length) {
      status.textContent = "";
      close();
      return;
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    status.textContent = options.length + " " + labels.count;
  }

  function ask() {
    var query = input.value.trim();
    if (query === lastQuery && !list.hidden) {
      return;
    }
    lastQuery = query;
    if (query.length < 2) {
      close();
      return;
    }
    var number = ++asked;
    fetch(endpoint + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json", "Accept-Language": document.documentElement.lang },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && number === asked && document.activeElement === input) {
          show(answer);
        }
      })
      .catch(function () {
        close(); // the plain search still works
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden) {
        if (options.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        } else {
          return;
        }
      }
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = active + step;
      if (next >= options.length) {
        next = -1;
      } else if (next < -1) {
        next = options.length - 1;
      }
      choose(next);
    } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
      event.preventDefault();
      window.location.assign(options[active].getAttribute("data-href"));
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", function () {
    window.setTimeout(close, 150);
  });
})();
