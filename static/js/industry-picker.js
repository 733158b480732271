// The industry picker (tenants.forms.IndustrySelect): a search box over the grouped <select> of GB/T 4754
// classes. Without JavaScript the box stays hidden and the select alone works. With it, the box shows,
// htmx puts the matching classes (/industries/search/) under it, and a click on one (or Enter for the
// first) chooses it in the select.
(function () {
  if (window.dbIndustryPicker) { return; }
  window.dbIndustryPicker = true;

  function reveal() {
    document.querySelectorAll("[data-industry-search]").forEach(function (box) { box.hidden = false; });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }

  function choose(pick) {
    var picker = pick.closest("[data-industry-picker]");
    var select = picker && picker.querySelector("select");
    if (!select) { return; }
    select.value = pick.dataset.industryPick;
    select.dispatchEvent(new Event("change", {bubbles: true}));
    var results = picker.querySelector("[data-industry-results]");
    if (results) { results.innerHTML = ""; }
    var box = picker.querySelector("[data-industry-search]");
    if (box) { box.value = ""; }
    select.focus();
  }

  document.addEventListener("click", function (event) {
    var pick = event.target instanceof Element ? event.target.closest("[data-industry-pick]") : null;
    if (pick) { choose(pick); }
  });
  // Enter in the search box chooses the first match instead of submitting the form around it.
  document.addEventListener("keydown", function (event) {
    var box = event.target instanceof Element ? event.target.closest("[data-industry-search]") : null;
    if (!box || event.key !== "Enter") { return; }
    event.preventDefault();
    var first = box.closest("[data-industry-picker]").querySelector("[data-industry-pick]");
    if (first) { choose(first); }
  });
})();
