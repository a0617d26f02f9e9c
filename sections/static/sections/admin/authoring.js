// The Markdown editor in the admin: say clearly what happened to a dropped image.
// django-markdownx uploads a dropped or pasted image and inserts its Markdown; on a
// refused upload it only types "Invalid response" into the text. This script shows
// our server's reason next to the editor instead, and after a good upload selects the
// description to fill in, so the trainer can type it straight away.
(function () {
  "use strict";
  var PLACEHOLDER = "beschrijf hier wat er op de afbeelding staat";
  var MARKDOWNX_ERROR = "Invalid response";

  function statusFor(container) {
    var status = container.querySelector(".authoring-upload-status");
    if (!status) {
      status = document.createElement("div");
      status.className = "authoring-upload-status";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      container.appendChild(status);
    }
    return status;
  }

  function say(container, text, isError) {
    var status = statusFor(container);
    status.textContent = text;
    status.classList.toggle("authoring-upload-status--error", Boolean(isError));
  }

  function errorsFrom(detail) {
    var response = detail && detail[0];
    if (typeof response === "string") {
      try { response = JSON.parse(response); } catch (e) { response = null; }
    }
    if (response && response.errors && response.errors.length) {
      return response.errors.join(" ");
    }
    return "Het uploaden is niet gelukt. Probeer het opnieuw of kies een ander bestand.";
  }

  function wire(container) {
    var editor = container.querySelector("textarea");
    if (!editor) {
      return;
    }
    function removeMarker() {
      var at = editor.value.lastIndexOf(MARKDOWNX_ERROR);
      if (at !== -1) {
        editor.value = editor.value.slice(0, at) + editor.value.slice(at + MARKDOWNX_ERROR.length);
        editor.setSelectionRange(at, at);
        editor.dispatchEvent(new Event("input"));
      }
    }
    function onError(event) {
      // markdownx types its marker right after this event: take it out once it is there.
      window.setTimeout(removeMarker, 0);
      say(container, "Afbeelding niet toegevoegd: " + errorsFrom(event.detail), true);
    }
    container.addEventListener("markdownx.fileUploadError", onError);
    container.addEventListener("fileUploadError", onError);
    container.addEventListener("markdownx.fileUploadEnd", function () {
      var at = editor.value.lastIndexOf(PLACEHOLDER);
      if (at !== -1) {
        editor.focus();
        editor.setSelectionRange(at, at + PLACEHOLDER.length);
      }
      say(container, "Afbeelding toegevoegd. Typ nu wat erop staat (de geselecteerde tekst tussen [ ]).", false);
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".markdownx"), wire);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
