// Site-wide progressive enhancement; every page works without it.
// A <details data-open-wide="48em"> is a disclosure on a phone and stands open on
// a wider screen. site.css already shows its content there without this script;
// opening it for real also tells assistive technology that it is expanded.
(function () {
  "use strict";
  if (!window.matchMedia) {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll("details[data-open-wide]"), function (details) {
    var wide = window.matchMedia("(min-width: " + details.getAttribute("data-open-wide") + ")");
    var follow = function () { details.open = wide.matches; };
    follow();
    if (wide.addEventListener) {
      wide.addEventListener("change", follow);
    }
  });
})();
