// The big overview's searchable incident table (ddj/report/pages/sections/large.py, incident_finder): allowed by its
// hash in the page's CSP; it builds no HTML, it only hides rows. Without scripts every row shows.
(function () {
  document.querySelectorAll("section.ddj-finder").forEach(function (finder) {
    var box = finder.querySelector("input.ddj-finder-search"), count = finder.querySelector(".ddj-finder-count");
    var rows = Array.prototype.slice.call(finder.querySelectorAll("tbody tr"));
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    function apply() {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
      rows.forEach(function (row, i) {
        var ok = words.every(function (w) { return texts[i].indexOf(w) >= 0; });
        row.hidden = !ok; if (ok) { shown += 1; }
      });
      count.textContent = shown.toLocaleString("en") + " of " + rows.length.toLocaleString("en") + " incidents shown";
    }
    box.addEventListener("input", apply);
    finder.querySelector(".ddj-finder-form").hidden = false; apply();
  });
})();
