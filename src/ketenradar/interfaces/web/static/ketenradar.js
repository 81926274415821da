// What the pages' scripts share (base.html loads it before them, on every page):
// window.ketenradar with the page's language for numbers, the CSRF token, and requests to the
// app's JSON API as the pages make them (same-origin cookies; POSTs carry the CSRF token from
// the page's meta tag in the X-CSRF-Token header).
// A "reply" is {ok, status, data}: the answer's status and its JSON body, refused or not.
(function () {
  "use strict";

  // the CSRF token of the page (<meta name="csrf-token">, base.html)
  const csrfToken = () => document.querySelector("meta[name=csrf-token]").content;

  // a Response as a reply; rejects when the body is not JSON
  const reply = (r) => r.json().then((data) => ({ ok: r.ok, status: r.status, data: data }));

  // GET url's JSON; an answer that is not OK rejects with Error("<url>: HTTP <status>")
  const getJSON = (url) =>
    fetch(url, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) {
        throw new Error(`${url}: HTTP ${r.status}`);
      }
      return r.json();
    });

  // POST body (a string, FormData or nothing) with the CSRF token and any other headers;
  // resolves to the Response
  const post = (url, body, headers) =>
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: Object.assign({ "X-CSRF-Token": csrfToken() }, headers),
      body: body,
    });
  const postReply = (url, body, headers) => post(url, body, headers).then(reply);

  window.ketenradar = {
    // Intl.NumberFormat's locale: 1.234,5 on Dutch pages, 1,234.5 on English ones
    locale: () => (document.documentElement.lang === "nl" ? "nl-NL" : "en-GB"),
    // plotly's layout.separators (decimal, then thousands) for the same numbers
    plotlySeparators: () => (document.documentElement.lang === "nl" ? ",." : ".,"),
    getJSON: getJSON,
    // GET url as a reply (a refusal is a reply too): for polling a job
    getReply: (url) => fetch(url, { credentials: "same-origin" }).then(reply),
    post: post,
    // post, resolving to the reply
    postReply: postReply,
    // POST value as a JSON document; resolves to the reply
    postJSON: (url, value) =>
      postReply(url, JSON.stringify(value), { "Content-Type": "application/json" }),
    reply: reply,
    // the message a page shows for a refused reply: "<status>: <detail>" (else the whole body)
    refusal: (res) => `${res.status}: ${res.data.detail || JSON.stringify(res.data)}`,
    // A chart drawn from its element's data-api JSON: draw(data), unless the page has no such
    // element (el is null) or plotly did not load; a failure shows as text in the element.
    drawFromApi: (el, draw) => {
      if (!el || typeof Plotly === "undefined") {
        return;
      }
      getJSON(el.dataset.api)
        .then(draw)
        .catch((err) => {
          el.textContent = String(err);
        });
    },
    // A form with two ways to fill it (radio buttons name=mode; panes marked data-mode): only
    // the chosen mode's pane is shown and its fields sent (the others are disabled).
    formModes: (form, fallback) => {
      const panes = form.querySelectorAll("[data-mode]");
      const show = () => {
        const chosen = form.querySelector("input[name=mode]:checked");
        const mode = chosen ? chosen.value : fallback;
        panes.forEach((pane) => {
          const on = pane.dataset.mode === mode;
          pane.hidden = !on;
          pane.querySelectorAll("input, textarea, select").forEach((f) => {
            f.disabled = !on;
          });
        });
      };
      form.querySelectorAll("input[name=mode]").forEach((r) => r.addEventListener("change", show));
      show();
    },
    // A GET form whose next page is a computed result: while it loads, the status element
    // (aria-live) says data-computing and the button is disabled (after the form data is
    // taken, so that its name=value is still sent); back on the page (pageshow) all is reset.
    computingState: (form, status, button) => {
      form.addEventListener("submit", () => {
        status.textContent = status.dataset.computing;
        form.setAttribute("aria-busy", "true");
        setTimeout(() => {
          button.disabled = true;
        }, 0);
      });
      window.addEventListener("pageshow", () => {
        button.disabled = false;
        form.removeAttribute("aria-busy");
        status.textContent = "";
      });
    },
  };
})();
