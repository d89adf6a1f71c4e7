// The Celery monitor page: polls <base>/api/state and renders it; revokes through <base>/api/revoke.
(function () {
  'use strict';
  var base = document.body.getAttribute('data-base');

  function esc(value) {
    return String(value === undefined || value === null ? '' : value).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function time(ms) {
    return new Date(ms).toLocaleTimeString();
  }
  function rows(id, items, render, empty) {
    var body = document.querySelector('#' + id + ' tbody');
    var cols = document.querySelectorAll('#' + id + ' thead th').length;
    body.innerHTML = items.length ? items.map(render).join('') : '<tr><td colspan="' + cols + '" class="muted">' + empty + '</td></tr>';
  }

  function render(state) {
    document.getElementById('broker').textContent = state.broker;
    document.getElementById('updated').textContent = 'updated ' + time(state.at) + ' · ' + state.events + ' events';
    document.getElementById('rate-window').textContent = '(last ' + state.rateWindowSeconds + ' s)';
    var online = state.workers.filter(function (w) { return w.status === 'online'; }).length;
    document.getElementById('workers-count').textContent = online + ' online / ' + state.workers.length;
    rows('workers', state.workers, function (w) {
      return '<tr data-worker="' + esc(w.hostname) + '"><td>' + esc(w.hostname) + '</td><td class="status-' + esc(w.status) + '">' + esc(w.status) +
        '</td><td>' + esc(w.software) + '</td><td class="num">' + esc(w.active) + '</td><td class="num">' + esc(w.processed) +
        '</td><td>' + esc(w.queues.join(', ')) + '</td></tr>';
    }, 'no workers seen yet');
    // The unacked column only where the broker reports it (Redis, memory); RabbitMQ's passive declare does not.
    var unacked = state.queues.some(function (q) { return q.unacked !== undefined; });
    document.querySelector('#queues th.unacked').hidden = !unacked;
    document.getElementById('queues-note').hidden = !state.queues.some(function (q) { return q.consumersCountedBy === 'workers'; });
    rows('queues', state.queues, function (q) {
      return '<tr data-queue="' + esc(q.name) + '"><td>' + esc(q.name) + '</td><td class="num">' + q.messages + '</td>' +
        (unacked ? '<td class="num">' + esc(q.unacked) + '</td>' : '') + '<td class="num">' + q.consumers + '</td></tr>';
    }, 'no queues consumed');
    rows('rates', state.rates, function (r) {
      return '<tr data-task="' + esc(r.task) + '"><td>' + esc(r.task) + '</td><td class="num">' + r.received + '</td><td class="num">' + r.succeeded +
        '</td><td class="num">' + r.failed + '</td><td class="num">' + r.retried + '</td><td class="num">' + r.perMinute + '</td></tr>';
    }, 'no tasks in the window');
    document.getElementById('failures').innerHTML = state.failures.length
      ? state.failures.map(function (f) {
          return '<div class="failure" data-failure="' + esc(f.id) + '"><b>' + esc(f.task) + '</b> <code>' + esc(f.id) + '</code> on ' + esc(f.hostname) +
            ' at ' + time(f.at) + '<div class="exception">' + esc(f.exception) + '</div><pre>' + esc(f.traceback) + '</pre></div>';
        }).join('')
      : '<p class="muted">no failures</p>';
    rows('recent', state.recent, function (t) {
      var revocable = t.state === 'RECEIVED' || t.state === 'STARTED' || t.state === 'RETRIED';
      return '<tr data-task-id="' + esc(t.id) + '"><td>' + esc(t.task) + '</td><td><code>' + esc(t.id) + '</code></td><td class="state-' + esc(t.state) + '">' + esc(t.state) +
        '</td><td>' + esc(t.hostname) + '</td><td class="num">' + (t.runtime === undefined ? '' : t.runtime.toFixed(3) + ' s') + '</td><td>' +
        (revocable ? '<button data-revoke="' + esc(t.id) + '">revoke</button>' : '') + '</td></tr>';
    }, 'no tasks yet');
  }

  function refresh() {
    fetch(base + '/api/state').then(function (r) { return r.json(); }).then(render).catch(function (e) {
      document.getElementById('updated').textContent = 'cannot reach the monitor: ' + e.message;
    });
  }

  function revoke(id, terminate) {
    var out = document.getElementById('revoke-result');
    return fetch(base + '/api/revoke', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: id, terminate: terminate }) })
      .then(function (r) { return r.json().then(function (body) { out.textContent = r.ok ? 'revoked ' + body.revoked : 'failed: ' + body.message; }); })
      .then(refresh);
  }

  document.getElementById('revoke-form').addEventListener('submit', function (e) {
    e.preventDefault();
    revoke(document.getElementById('revoke-id').value.trim(), document.getElementById('revoke-terminate').checked);
  });
  document.getElementById('recent').addEventListener('click', function (e) {
    var id = e.target && e.target.getAttribute && e.target.getAttribute('data-revoke');
    if (id) revoke(id, false);
  });
  refresh();
  setInterval(refresh, 2000);
})();
