// Data page: start an upload or a fetch (download, add, rebuild the facts), then poll the
// job, draw its progress and offer to cancel it while it is queued or running. When a job
// finishes the page reloads as /data?job=<id> (to list the new data) and shows its result.
(function () {
  const box = document.getElementById('job');
  const step = document.getElementById('job-step');
  const state = document.getElementById('job-state');
  const bar = document.getElementById('job-progress');
  const error = document.getElementById('job-error');
  const cancel = document.getElementById('job-cancel');
  const result = document.getElementById('job-result');
  let current = null;
  let watching = false; // started or seen running on this page: reload when it is done

  function showResult(job) {
    const r = job.result || {};
    const parts = [];
    if (r.datasets && r.datasets.length) parts.push(result.dataset.labelDatasets + ': ' + r.datasets.join(', '));
    if (r.fact_tables && r.fact_tables.length) parts.push(result.dataset.labelFacts + ': ' + r.fact_tables.join(', '));
    else if ('facts_rebuilt' in r && !r.facts_rebuilt) parts.push(result.dataset.labelFactsNone + ' (' + r.facts + ')');
    result.textContent = parts.join('. ');
  }

  function label(job) {
    const s = job.cancel_requested && job.state === 'running' ? 'cancelling' : job.state;
    return box.dataset['label' + s.charAt(0).toUpperCase() + s.slice(1)] || s;
  }

  function show(job) {
    current = job.id;
    box.hidden = false;
    step.textContent = job.step || job.kind;
    state.textContent = label(job);
    box.dataset.state = job.state;
    const active = job.state === 'queued' || job.state === 'running';
    cancel.hidden = !(active && job.cancellable && !job.cancel_requested);
    if (job.total) { bar.max = job.total; bar.value = job.done; } else { bar.removeAttribute('value'); }
    error.textContent = job.error || '';
    if (job.state === 'done') {
      bar.max = 1; bar.value = 1;
      showResult(job);
      if (watching) { watching = false; setTimeout(() => location.replace(location.pathname + '?job=' + job.id), 600); }
    }
    if (job.state === 'cancelled') { bar.max = 1; bar.value = 0; }
  }

  async function poll(id) {
    const { ok, data: job } = await ketenradar.getReply('/api/v1/jobs/' + id);
    if (!ok) { error.textContent = job.detail; return; }
    if (job.state === 'queued' || job.state === 'running') watching = true;
    show(job);
    if (job.state === 'queued' || job.state === 'running') setTimeout(() => poll(id), 400);
  }

  async function start(form, body, headers) {
    error.textContent = '';
    const { ok, data } = await ketenradar.postReply(form.dataset.endpoint, body, headers);
    if (!ok) { box.hidden = false; box.dataset.state = 'refused'; error.textContent = data.detail; return; }
    watching = true;
    show(data);
    poll(data.id);
  }

  cancel.addEventListener('click', async () => {
    if (!current) return;
    cancel.hidden = true;
    const { ok, data } = await ketenradar.postReply('/api/v1/jobs/' + current + '/cancel');
    if (!ok) { error.textContent = data.detail; return; }
    show(data);
  });

  const shown = new URLSearchParams(location.search).get('job');
  if (shown && /^[0-9a-f]{12}$/.test(shown)) poll(shown); // the job that just finished

  const upload = document.getElementById('upload-form');
  if (upload) upload.addEventListener('submit', (e) => { e.preventDefault(); start(upload, new FormData(upload)); });
  const fetchForm = document.getElementById('fetch-form');
  if (fetchForm) fetchForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(fetchForm);
    start(fetchForm, JSON.stringify({ release: f.get('release'), hs: f.get('hs') }), { 'Content-Type': 'application/json' });
  });
})();
