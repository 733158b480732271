// The page that shows a new API token once: select it on focus, copy it with the button.
(function () {
  var field = document.getElementById("new-token");
  var button = document.getElementById("copy-token");
  if (!field || !button) { return; }
  field.addEventListener("focus", function () { field.select(); });
  button.addEventListener("click", function () {
    function copied() { button.textContent = button.dataset.copied; }
    function byHand() {
      field.focus();
      field.select();
      if (!document.execCommand || !document.execCommand("copy")) { button.textContent = button.dataset.failed; } else { copied(); }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(copied, byHand);
    } else {
      byHand();
    }
  });
})();
