// Data page: start an upload or a fetch, then poll the job and draw its progress.
(function () {
  const token = document.querySelector('meta[name=csrf-token]').content;
  const box = document.getElementById('job');
  const step = document.getElementById('job-step');
  const state = document.getElementById('job-state');
  const bar = document.getElementById('job-progress');
  const error = document.getElementById('job-error');

  function show(job) {
    box.hidden = false;
    step.textContent = job.step || job.kind;
    state.textContent = job.state;
    box.dataset.state = job.state;
    if (job.total) { bar.max = job.total; bar.value = job.done; } else { bar.removeAttribute('value'); }
    error.textContent = job.error || '';
    if (job.state === 'done') { bar.max = 1; bar.value = 1; setTimeout(() => location.reload(), 600); }
  }

  async function poll(id) {
    const r = await fetch('/api/v1/jobs/' + id, { credentials: 'same-origin' });
    const job = await r.json();
    show(job);
    if (job.state === 'queued' || job.state === 'running') setTimeout(() => poll(id), 400);
  }

  async function start(form, body, headers) {
    error.textContent = '';
    const r = await fetch(form.dataset.endpoint, {
      method: 'POST', body, credentials: 'same-origin',
      headers: Object.assign({ 'X-CSRF-Token': token }, headers || {}),
    });
    const data = await r.json();
    if (!r.ok) { box.hidden = false; box.dataset.state = 'refused'; error.textContent = data.detail; return; }
    show(data);
    poll(data.id);
  }

  const upload = document.getElementById('upload-form');
  if (upload) upload.addEventListener('submit', (e) => { e.preventDefault(); start(upload, new FormData(upload)); });
  const fetchForm = document.getElementById('fetch-form');
  if (fetchForm) fetchForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(fetchForm);
    start(fetchForm, JSON.stringify({ release: f.get('release'), hs: f.get('hs') }), { 'Content-Type': 'application/json' });
  });
})();
