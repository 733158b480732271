// The 3D view of a STEP model on the document page (pdm/vault): <model-viewer> (vendored, loaded as a module by
// the page) shows the GLB the preview job made. This file only reports when the browser cannot show it
// (no WebGL, a file it cannot read): the text comes from the element's data-error-text.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("model-viewer[data-error-text]").forEach(function (viewer) {
    var box = document.getElementById("preview-3d-error");
    viewer.addEventListener("load", function () { viewer.dataset.state = "loaded"; });
    if (viewer.loaded) { viewer.dataset.state = "loaded"; }  // loaded before this ran
    viewer.addEventListener("error", function () {
      viewer.dataset.state = "error";
      if (box) { box.textContent = viewer.dataset.errorText; box.classList.remove("d-none"); }
    });
  });
});
