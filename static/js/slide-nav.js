// Arrow-key navigation in the slide viewer: a progressive enhancement.
// The previous/next links work without JavaScript; this only lets ← and →
// follow them, and never while the reader is typing or using a modifier key.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var rel = event.key === "ArrowLeft" ? "prev" : event.key === "ArrowRight" ? "next" : null;
    if (!rel) {
      return;
    }
    var link = document.querySelector(".pager a[rel='" + rel + "']");
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });
})();
