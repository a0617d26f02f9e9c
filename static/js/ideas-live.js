/* The idea wall, live enough: re-reads the changing part of the page every few seconds.
 *
 * Progressive enhancement: without this script every action is a form and the page
 * reloads. With it, #muur-live is refreshed with a conditional GET (If-None-Match);
 * an unchanged wall costs a 304 with no body. The refresh waits while the visitor is
 * busy inside the region (focus in it, a <details> open, a field typed in), so nobody
 * loses what they are writing; polling pauses while the tab is hidden. When the trainer
 * moves the session to another phase the page offers (or, if nothing is typed, does) a reload.
 */
(function () {
  "use strict";
  var region = document.getElementById("muur-live");
  if (!region || !window.fetch) { return; }
  var url = region.getAttribute("data-live-url");
  var etag = region.getAttribute("data-etag");
  var phase = region.getAttribute("data-phase");
  var status = document.querySelector("[data-live-status]");
  var INTERVAL = 4000;
  var timer = null;
  var stopped = false;

  function busy() {
    if (region.contains(document.activeElement) && document.activeElement !== region) { return true; }
    if (region.querySelector("details[open]")) { return true; }
    var fields = region.querySelectorAll("textarea, input[type=text], input[type=number]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) { return true; }
    }
    return false;
  }

  function typingOutside() {
    var fields = document.querySelectorAll("main textarea");
    for (var i = 0; i < fields.length; i++) {
      if (!region.contains(fields[i]) && fields[i].value.trim() !== "" && fields[i].value !== fields[i].defaultValue) { return true; }
    }
    return false;
  }

  function offerReload() {
    if (document.querySelector(".live-notice")) { return; }
    var box = document.createElement("div");
    box.className = "notice live-notice";
    box.setAttribute("role", "status");
    var text = document.createElement("span");
    text.textContent = region.getAttribute("data-changed-text");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--compact";
    button.textContent = region.getAttribute("data-reload-text");
    button.addEventListener("click", function () { window.location.reload(); });
    box.appendChild(text);
    box.appendChild(button);
    region.parentNode.insertBefore(box, region);
  }

  function schedule() {
    if (stopped) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, INTERVAL);
  }

  function poll() {
    if (document.hidden) { schedule(); return; }
    if (busy()) { schedule(); return; }
    var headers = { "X-Requested-With": "fetch" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-cache" })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { if (response.status === 404 || response.status === 403) { stopped = true; } return null; }
        var tag = response.headers.get("ETag");
        return response.text().then(function (html) { return { html: html, tag: tag }; });
      })
      .then(function (result) {
        if (!result) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = result.html;
        var inner = holder.querySelector(".wall-live__inner");
        if (!inner) { return; }
        var newPhase = inner.getAttribute("data-phase");
        if (newPhase !== phase) {
          stopped = true;
          if (typingOutside()) { offerReload(); } else { window.location.reload(); }
          return;
        }
        if (busy()) { return; } // started typing while we fetched: try again next time
        var before = region.querySelectorAll(".idea").length;
        region.replaceChildren(inner);
        etag = result.tag || etag;
        var after = region.querySelectorAll(".idea").length;
        if (status && after !== before) {
          status.textContent = (region.querySelector(".wall-stats dd") || {}).textContent || "";
        }
      })
      .catch(function () { /* offline for a moment: try again later */ })
      .then(schedule);
  }

  document.addEventListener("visibilitychange", function () { if (!document.hidden) { schedule(); } });
  schedule();
})();
