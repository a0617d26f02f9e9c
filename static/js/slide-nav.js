// The slide viewer's progressive enhancements; everything works without them.
// 1. ← and → follow the pager's previous/next links, but never while the reader
//    is typing, choosing in a form field or using a modifier key.
// 2. On a desktop the table of contents stands open beside the slide (site.js)
//    and scrolls on its own there: bring the current slide into view in it,
//    without moving the page itself.
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

  // Measuring forces a layout: done just before the first frame, when the browser lays the page out
  // anyway, not while this deferred script runs (that held DOMContentLoaded and the load event back
  // by the whole layout of the page, ~30 ms on a cold slide).
  var contents = document.querySelector(".slide-contents");
  var current = contents && contents.querySelector(".toc [aria-current='page']");
  if (current && window.requestAnimationFrame) {
    window.requestAnimationFrame(function () {
      if (contents.scrollHeight <= contents.clientHeight) {
        return;
      }
      var box = contents.getBoundingClientRect();
      var item = current.getBoundingClientRect();
      if (item.top < box.top || item.bottom > box.bottom) {
        contents.scrollTop += item.top - box.top - contents.clientHeight / 3;
      }
    });
  }
})();
