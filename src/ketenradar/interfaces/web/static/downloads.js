// "Download all rows" of a result computed from a POSTed document (the what-if, the shock):
// the macro post_downloads of _downloads.html draws the buttons in a box
// (<p class="downloads" data-post data-base="/api/v1/io/shock">); the page's own script puts
// the JSON document of its last successful run in the box's data-body. Each button POSTs that
// document to <base>.<format> (csv, xlsx, parquet, csv.provenance.json) with the page's CSRF
// token, as the page's own run did, and saves the reply under the name the server gives it.
(function () {
  "use strict";
  if (window.ketenradarPostDownloads) {
    return; // loaded once per page
  }
  window.ketenradarPostDownloads = true;

  const filename = (response, fallback) => {
    const header = response.headers.get("Content-Disposition") || "";
    const m = /filename="([^"]+)"/.exec(header);
    return m ? m[1] : fallback;
  };

  const save = (blob, name) => {
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-format]");
    const box = button && button.closest(".downloads[data-post]");
    if (!box) {
      return;
    }
    event.preventDefault();
    const status = box.querySelector(".download-status");
    status.textContent = "";
    if (!box.dataset.body) {
      return; // nothing run yet
    }
    const format = button.dataset.format;
    box.setAttribute("aria-busy", "true");
    ketenradar
      .post(`${box.dataset.base}.${format}`, box.dataset.body, { "Content-Type": "application/json" })
      .then((r) => {
        if (!r.ok) {
          return ketenradar.reply(r).then((res) => {
            throw new Error(ketenradar.refusal(res));
          });
        }
        return r.blob().then((blob) => save(blob, filename(r, `download.${format}`)));
      })
      .then(() => {
        box.dataset.saved = String(Number(box.dataset.saved || 0) + 1);
      })
      .catch((err) => {
        status.textContent = String(err.message || err);
      })
      .finally(() => box.removeAttribute("aria-busy"));
  });
})();
