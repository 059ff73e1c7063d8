// Postroom UI: small enhancements; every page works without this file.
// An upload (a form marked data-progress) is sent in the background with a progress bar, and
// the page's main content is replaced by the answer when it arrives.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("form[data-progress]") || !window.XMLHttpRequest || !window.FormData) return;
  var bar = form.querySelector("progress");
  var status = form.querySelector("[role=status]");
  var shown = form.querySelector(".progress");
  event.preventDefault();
  var xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.upload.addEventListener("progress", function (e) {
    if (!e.lengthComputable) return;
    bar.max = e.total;
    bar.value = e.loaded;
    status.textContent = Math.round((100 * e.loaded) / e.total) + "% sent";
  });
  xhr.upload.addEventListener("load", function () {
    status.textContent = "Sent: recording the files…";
  });
  xhr.addEventListener("load", function () {
    var answer = new DOMParser().parseFromString(xhr.responseText, "text/html").querySelector("main");
    var main = document.querySelector("main");
    if (answer && main) {
      main.replaceChildren.apply(main, Array.prototype.slice.call(answer.childNodes));
      main.focus();
    }
  });
  xhr.addEventListener("error", function () {
    status.textContent = "The upload did not reach Postroom: check the connection and upload again.";
  });
  shown.hidden = false;
  status.textContent = "Starting…";
  xhr.send(new FormData(form));
});
