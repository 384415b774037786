// Citing from the reader, for editors only (the page loads this file for them alone).
// Progressive enhancement: without it, each passage's "cite" link opens the same form, and
// the form's "Find" button searches claims.
//
// On a reader page: select words within one passage (a table row's cell included) and a
// "Cite" link appears by the selection; it opens the passage's cite form with the
// selection's offsets in the passage's text (`?start=&end=`). The passage element's text is
// its shown text, so offsets counted in its textContent are offsets in the text the server
// checks quotes against.
// On the cite form: the claim search fills the claim list as one types.
(function () {
  "use strict";

  var button = null;

  function passageOf(node) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    if (!element || element.closest(".passage-tools")) return null;
    return element.closest(".passage");
  }

  // Characters of the passage's text before (container, offset).
  function offsetIn(passage, container, offset) {
    var range = document.createRange();
    range.setStart(passage, 0);
    range.setEnd(container, offset);
    return range.toString().length;
  }

  function hide() {
    if (button) {
      button.remove();
      button = null;
    }
  }

  function citeLinkOf(passage) {
    var links = document.querySelectorAll("a.cite-link");
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("data-passage") === passage.id) return links[i];
    }
    return null;
  }

  function onSelect() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount !== 1 || selection.isCollapsed) {
      hide();
      return;
    }
    var range = selection.getRangeAt(0);
    var passage = passageOf(range.startContainer);
    if (!passage || passage !== passageOf(range.endContainer)) {
      hide();
      return;
    }
    var link = citeLinkOf(passage);
    if (!link) return;
    var start = offsetIn(passage, range.startContainer, range.startOffset);
    var end = offsetIn(passage, range.endContainer, range.endOffset);
    if (end <= start) {
      hide();
      return;
    }
    hide();
    button = document.createElement("a");
    button.className = "cite-selection";
    button.href = link.pathname + "?start=" + start + "&end=" + end;
    button.textContent = "Cite";
    button.setAttribute("aria-label", "Cite the selected words of passage " + passage.id);
    // Inside the page's main landmark, just below the selection's end.
    (passage.closest("main") || document.body).appendChild(button);
    var parent = button.offsetParent;
    if (!parent || parent === document.body) parent = document.documentElement;
    var origin = parent.getBoundingClientRect();
    var box = range.getBoundingClientRect();
    button.style.top = box.bottom - origin.top + 4 + "px";
    button.style.left = Math.max(0, box.right - origin.left - 40) + "px";
  }

  function readerPage() {
    if (!document.querySelector("a.cite-link")) return;
    document.addEventListener("mouseup", function (event) {
      if (button && event.target === button) return;
      // After the browser has updated the selection.
      window.setTimeout(onSelect, 0);
    });
    document.addEventListener("keyup", function (event) {
      if (event.key === "Escape") hide();
      else if (event.shiftKey || event.key === "Shift") onSelect();
    });
  }

  function citeForm() {
    var form = document.querySelector("form.cite-form");
    if (!form) return;
    var search = form.querySelector("#cite-q");
    var select = form.querySelector("#cite-claim");
    var status = form.querySelector("#cite-claim-status");
    var quote = form.querySelector("#cite-exact");
    var start = form.querySelector("input[name=start]");
    var url = form.getAttribute("data-claims-url");
    var pending = null;
    var asked = 0;

    // A quote typed anew is found in the passage, not at the selection's offsets.
    var selected = quote.value;
    quote.addEventListener("input", function () {
      start.value = quote.value === selected ? start.defaultValue : "";
    });

    function fill(data) {
      var chosen = select.value;
      while (select.options.length > 1) select.remove(1);
      data.results.forEach(function (claim) {
        var option = document.createElement("option");
        option.value = claim.value;
        option.textContent = claim.text;
        if (claim.value === chosen) option.selected = true;
        select.appendChild(option);
      });
      select.options[0].textContent = data.results.length ? "Choose a claim" : "No claim found";
      if (data.results.length === 1) select.selectedIndex = 1;
      var n = data.results.length;
      status.textContent =
        n + (n === 1 ? " match" : " matches") +
        (data.truncated ? ", and more: add words to narrow the search." : ".");
    }

    search.addEventListener("input", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        var ask = ++asked;
        fetch(url + "?q=" + encodeURIComponent(search.value), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) {
            return response.ok ? response.json() : null;
          })
          .then(function (data) {
            if (data && ask === asked) fill(data);
          });
      }, 150);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    readerPage();
    citeForm();
  });
})();
