// The slide viewer's progressive enhancements; everything works without them.
// 1. ← and → follow the pager's previous/next links, but never while the reader
//    is typing, choosing in a form field or using a modifier key.
// 2. On a desktop the table of contents (a <details>) is opened beside the slide;
//    it scrolls on its own there, so bring the current slide into view in it
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

  var contents = document.querySelector(".slide-contents");
  var details = contents && contents.querySelector("details.contents");
  if (details && window.matchMedia) {
    // site.css already shows the contents beside the slide without this; opening the
    // <details> for real also tells assistive technology that it is expanded.
    var wide = window.matchMedia("(min-width: 60em)");
    var follow = function () { details.open = wide.matches; };
    follow();
    if (wide.addEventListener) { wide.addEventListener("change", follow); }
  }
  var current = contents && contents.querySelector(".toc [aria-current='page']");
  if (current && contents.scrollHeight > contents.clientHeight) {
    var box = contents.getBoundingClientRect();
    var item = current.getBoundingClientRect();
    if (item.top < box.top || item.bottom > box.bottom) {
      contents.scrollTop += item.top - box.top - contents.clientHeight / 3;
    }
  }
})();
