// What the pages ask of the browser besides HTMX, by data- attributes: the pages carry no script
// of their own, so the Content-Security-Policy can allow scripts from /static only.
"use strict";

// <form data-confirm="Question?">: submitted only when the person says OK.
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// <button type="button" data-print>: the browser's Print (Ctrl+P does the same).
document.addEventListener("click", function (event) {
  if (event.target.closest("button[data-print]")) {
    window.print();
  }
});

// <a href="/" data-back>: back to the page before, when there is one (else the link's page).
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
