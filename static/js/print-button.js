// "Print dit rapport": the button only works with script, so it is hidden in the HTML and shown here.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
