// The printable page's Print button, and the worklist's "select every claim on this page" box and the count of selected claims. The
// page works without it: "Select this page" is a link that shows the page with every box ticked.
(function () {
  function boxes() { return document.querySelectorAll("#claims input.pick"); }
  function count() {
    var picked = 0;
    boxes().forEach(function (box) { if (box.checked) { picked += 1; } });
    var shown = document.getElementById("selected-count");
    if (shown) { shown.textContent = String(picked); }
    var all = document.getElementById("select-page");
    if (all) {
      all.checked = picked > 0 && picked === boxes().length;
      all.indeterminate = picked > 0 && picked < boxes().length;
    }
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.id === "select-page") {
      boxes().forEach(function (box) { box.checked = target.checked; });
    }
    if (target && (target.id === "select-page" || target.classList.contains("pick"))) { count(); }
  });
  document.addEventListener("htmx:afterSettle", count);
  document.addEventListener("DOMContentLoaded", function () {
    count();
  });
})();
