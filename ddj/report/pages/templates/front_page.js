// The front page's search and grade filter (ddj/report/index.py): allowed by its hash in the page's CSP.
// Without scripts every entry shows.
(function () {
  var box = document.getElementById("ddj-search"), grade = document.getElementById("ddj-grade");
  var items = document.querySelectorAll("ol.ddj-pages li"), count = document.getElementById("ddj-count");
  function apply() {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean), want = grade.value, shown = 0;
    items.forEach(function (item) {
      var text = item.textContent.toLowerCase();
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; }) &&
        (!want || item.getAttribute("data-grade") === want);
      item.hidden = !ok; if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + items.length + " pages shown";
  }
  box.addEventListener("input", apply); grade.addEventListener("change", apply);
  document.getElementById("ddj-find").hidden = false; apply();
})();
