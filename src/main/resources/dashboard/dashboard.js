// Couchwork dashboard: polls the status API every 2 s and renders it; text only ever goes in as textContent.
(function () {
  'use strict';
  var POLL_MS = 2000;
  var STATES = ['todo', 'locked', 'done', 'error', 'invalid'];

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '?';
    if (seconds < 60) return seconds + 's';
    if (seconds < 3600) return Math.floor(seconds / 60) + 'm' + String(seconds % 60).padStart(2, '0') + 's';
    if (seconds < 86400) return Math.floor(seconds / 3600) + 'h' + String(Math.floor(seconds % 3600 / 60)).padStart(2, '0') + 'm';
    return Math.floor(seconds / 86400) + 'd' + Math.floor(seconds % 86400 / 3600) + 'h';
  }

  function time(epochSeconds) {
    return new Date(epochSeconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }

  function fill(tableId, rows) {
    var body = document.querySelector('#' + tableId + ' tbody');
    body.replaceChildren.apply(body, rows);
  }

  function renderSets(status) {
    fill('sets', status.sets.map(function (set) {
      var row = el('tr', null, {'data-set': set.type});
      row.appendChild(el('td', set.type));
      STATES.forEach(function (state) {
        var n = set.counts[state] || 0;
        row.appendChild(el('td', n, {'class': 'number', 'data-state': state, 'data-value': n}));
      });
      row.appendChild(el('td', set.throughput.per_minute.toFixed(1), {'class': 'number', 'data-field': 'per-minute'}));
      row.appendChild(el('td', duration(set.drain_seconds), {'data-field': 'drain'}));
      row.appendChild(el('td', set.oldest_lock ? duration(set.oldest_lock.age_seconds) + ' (' + set.oldest_lock.token + ')' : '-',
          {'data-field': 'oldest-lock'}));
      return row;
    }));
  }

  function renderThroughput(status) {
    var svg = document.getElementById('throughput');
    var minutes = {};
    status.sets.forEach(function (set) {
      set.throughput.series.forEach(function (m) { minutes[m.minute] = (minutes[m.minute] || 0) + m.done; });
    });
    var keys = Object.keys(minutes).map(Number).sort(function (a, b) { return a - b; });
    var max = Math.max.apply(null, [1].concat(keys.map(function (k) { return minutes[k]; })));
    var ns = 'http://www.w3.org/2000/svg';
    var width = 600 / Math.max(1, keys.length);
    var children = [];
    keys.forEach(function (minute, i) {
      var h = Math.round(minutes[minute] / max * 130);
      var bar = document.createElementNS(ns, 'rect');
      bar.setAttribute('x', i * width + 2);
      bar.setAttribute('y', 145 - h);
      bar.setAttribute('width', Math.max(1, width - 4));
      bar.setAttribute('height', h);
      bar.setAttribute('data-minute', minute);
      bar.setAttribute('data-done', minutes[minute]);
      var title = document.createElementNS(ns, 'title');
      title.textContent = time(minute) + ': ' + minutes[minute] + ' done';
      bar.appendChild(title);
      children.push(bar);
    });
    [[4, 12, 'start', 'max ' + max + '/min'], [4, 157, 'start', keys.length ? time(keys[0]).slice(11, 16) : ''],
      [596, 157, 'end', 'now']].forEach(function (spec) {
      var label = document.createElementNS(ns, 'text');
      label.setAttribute('x', spec[0]);
      label.setAttribute('y', spec[1]);
      label.setAttribute('text-anchor', spec[2]);
      label.textContent = spec[3];
      children.push(label);
    });
    svg.replaceChildren.apply(svg, children);
  }

  function renderWorkers(status) {
    fill('workers', status.workers.map(function (w) {
      var row = el('tr', null, {'data-worker': w.worker_id});
      row.appendChild(el('td', w.hostname));
      row.appendChild(el('td', w.worker_id));
      row.appendChild(el('td', w.in_flight, {'class': 'number', 'data-field': 'in-flight'}));
      row.appendChild(el('td', duration(Math.max(0, status.generated - w.last_seen)) + ' ago'));
      return row;
    }));
  }

  function renderErrors(status) {
    fill('error-summary', status.error_summary.map(function (e) {
      var row = el('tr');
      row.appendChild(el('td', e.count, {'class': 'number'}));
      row.appendChild(el('td', e.type));
      row.appendChild(el('td', e.message));
      return row;
    }));
    fill('recent-errors', status.recent_errors.map(function (e) {
      var row = el('tr', null, {'data-token': e.token});
      row.appendChild(el('td', time(e.time)));
      row.appendChild(el('td', e.token));
      row.appendChild(el('td', e.state));
      row.appendChild(el('td', e.message));
      var logs = el('td');
      e.attachments.forEach(function (name) {
        logs.appendChild(el('a', name, {
          href: 'api/tokens/' + encodeURIComponent(e.token) + '/attachments/' + encodeURIComponent(name),
          target: '_blank', rel: 'noopener'}));
        logs.appendChild(document.createTextNode(' '));
      });
      row.appendChild(logs);
      return row;
    }));
  }

  function renderFlows(status) {
    fill('flows', (status.flows || []).filter(function (f) { return f.total > 0; }).map(function (f) {
      var row = el('tr', null, {'data-flow': f.flow});
      row.appendChild(el('td', f.declared ? f.flow : f.flow + ' (no states file)'));
      row.appendChild(el('td', f.types.join(', ')));
      row.appendChild(el('td', f.total, {'class': 'number', 'data-field': 'total'}));
      var states = el('td');
      Object.keys(f.counts).forEach(function (state) {
        states.appendChild(el('span', state + ' ' + f.counts[state],
            {'class': 'flow-state', 'data-state': state, 'data-value': f.counts[state]}));
        states.appendChild(document.createTextNode(' '));
      });
      row.appendChild(states);
      return row;
    }));
  }

  function renderDeadLetters(status) {
    document.getElementById('dead-letter-count').textContent = status.dead_letters.count;
    var latest = status.dead_letters.latest;
    document.getElementById('dead-letter-latest').textContent = latest
        ? 'Latest, ' + time(latest.time) + ': ' + latest.doc_id + ' in state ' + latest.state + ' (route '
          + latest.route + '): ' + latest.cause
        : '';
  }

  function render(status) {
    document.getElementById('database').textContent = status.database;
    renderSets(status);
    renderThroughput(status);
    renderWorkers(status);
    renderErrors(status);
    renderFlows(status);
    renderDeadLetters(status);
    document.getElementById('updated').textContent = time(status.generated);
    document.getElementById('problem').hidden = true;
    document.body.setAttribute('data-generated', status.generated);
  }

  function poll() {
    fetch('api/status', {cache: 'no-store'})
      .then(function (response) {
        if (!response.ok) throw new Error('status API answered ' + response.status);
        return response.json();
      })
      .then(render)
      .catch(function (error) {
        var problem = document.getElementById('problem');
        problem.textContent = '(' + error.message + ')';
        problem.hidden = false;
      })
      .finally(function () { setTimeout(poll, POLL_MS); });
  }

  poll();
}());
