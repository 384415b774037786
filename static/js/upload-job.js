// Follows a background upload (`/api/v1/jobs/<id>/`) on its page: the status and the
// progress bar as they change; the page itself once the job is over. Without JavaScript
// the page refreshes itself (a <noscript> refresh) or offers a link.
(function () {
  "use strict";
  var job = document.querySelector(".upload-job[data-job-url]");
  if (!job) return;
  var state = job.querySelector(".job-state");
  var bar = job.querySelector("progress");
  function poll() {
    fetch(job.dataset.jobUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        state.textContent = data.status;
        bar.value = data.progress;
        bar.textContent = data.progress + "%";
        if (data.status === "succeeded" || data.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
})();
