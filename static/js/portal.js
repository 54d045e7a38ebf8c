// The portal's own behaviour, driven by data- attributes in the templates. The pages carry no
// inline script (the Content-Security-Policy allows scripts from our own files only).
(function () {
  "use strict";

  // form[data-once]: one click sends once (the hidden submission key makes a second request the
  // same application anyway). Coming back to the page from the browser's history enables the
  // buttons again.
  function sendOnce(form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    });
  }

  // form[data-focus-first]: the first field to fill takes the focus (the counter's operator
  // types straight away).
  function focusFirst(form) {
    var first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus();
    }
  }

  // button[data-print]: prints the page.
  function printButton(button) {
    button.addEventListener("click", function () {
      window.print();
    });
  }

  function start() {
    document.querySelectorAll("form[data-once]").forEach(sendOnce);
    document.querySelectorAll("form[data-focus-first]").forEach(focusFirst);
    document.querySelectorAll("button[data-print]").forEach(printButton);
  }

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-once] button[type=submit]").forEach(function (button) {
        button.disabled = false;
      });
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
