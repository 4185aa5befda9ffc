// Couchwork dashboard: renders the status the page came with, then polls the status API every 2 s; views (#/token/ID,
// #/errors/SET/GROUP, #/flows) load their own data. Actions ask for confirmation, then POST with the dashboard's header.
// Text only ever goes in as textContent.
(function () {
  'use strict';
  var POLL_MS = 2000;
  var STATES = ['todo', 'locked', 'done', 'error', 'invalid'];
  var SVG = 'http://www.w3.org/2000/svg';
  var LOG_SHOWN_BYTES = 65536;
  var TIME_FIELDS = ['lock', 'done', 'created', 'lease_until', 'not_before', 'started_at', 'claim_lock'];
  var pollTimer = null;

  // ---------------------------------------------------------------------------------------------------------------
  // helpers

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '?';
    seconds = Math.round(seconds);
    if (seconds < 60) return seconds + 's';
    if (seconds < 3600) return Math.floor(seconds / 60) + 'm' + String(seconds % 60).padStart(2, '0') + 's';
    if (seconds < 86400) return Math.floor(seconds / 3600) + 'h' + String(Math.floor(seconds % 3600 / 60)).padStart(2, '0') + 'm';
    return Math.floor(seconds / 86400) + 'd' + Math.floor(seconds % 86400 / 3600) + 'h';
  }

  function time(epochSeconds) {
    if (!epochSeconds) return '-';
    return new Date(epochSeconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }

  function fill(target, rows, emptyText, columns) {
    var body = typeof target === 'string' ? document.querySelector('#' + target + ' tbody') : target;
    if (rows.length === 0 && emptyText) {
      var empty = el('tr', null, {'class': 'empty'});
      empty.appendChild(el('td', emptyText, {colspan: columns || 1}));
      rows = [empty];
    }
    body.replaceChildren.apply(body, rows);
  }

  function cell(row, text, attrs) {
    var td = el('td', text, attrs);
    row.appendChild(td);
    return td;
  }

  /** A link to a token's view: every token id on the dashboard is one. */
  function tokenLink(id) {
    return el('a', id, {href: '#/token/' + encodeURIComponent(id), 'class': 'token', 'data-token-link': id});
  }

  function attachmentUrl(token, name) {
    return 'api/tokens/' + encodeURIComponent(token) + '/attachments/' + encodeURIComponent(name);
  }

  function getJson(path) {
    return fetch(path, {cache: 'no-store'}).then(function (response) {
      if (!response.ok) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          throw new Error(body.message || path + ' answered ' + response.status);
        });
      }
      return response.json();
    });
  }

  function notice(text, ok) {
    var node = document.getElementById('notice');
    node.textContent = text;
    node.setAttribute('data-outcome', ok ? 'ok' : 'error');
    node.hidden = false;
  }

  function problem(error) {
    var node = document.getElementById('problem');
    node.textContent = error ? '(' + error.message + ')' : '';
    node.hidden = !error;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // actions: a confirmation, then a POST only this page can make (the server checks the header), then a refresh

  function confirmThen(text, button, run) {
    var dialog = document.getElementById('confirm');
    document.getElementById('confirm-text').textContent = text;
    document.getElementById('confirm-ok').textContent = button;
    dialog.returnValue = '';
    dialog.onclose = function () {
      if (dialog.returnValue === 'ok') run();
    };
    dialog.showModal();
  }

  function act(path, body, text, button) {
    confirmThen(text, button, function () {
      fetch(path, {method: 'POST', cache: 'no-store', body: JSON.stringify(body),
        headers: {'Content-Type': 'application/json', 'X-Requested-By': 'couchwork-dashboard'}})
        .then(function (response) {
          return response.json().catch(function () { return {ok: false, message: 'answered ' + response.status}; });
        })
        .then(function (reply) { notice(reply.message, reply.ok); })
        .catch(function (error) { notice('Failed: ' + error.message, false); })
        .finally(refreshNow);
    });
  }

  function actionButton(label, attrs, onClick) {
    var button = el('button', label, Object.assign({type: 'button'}, attrs || {}));
    button.addEventListener('click', onClick);
    return button;
  }

  function resetErrors(set, ids, what) {
    act('api/actions/reset-error-tokens', ids ? {set: set, ids: ids} : {set: set},
        'Reset ' + what + ' of set \u2018' + set + '\u2019 back to todo? Workers run them again, with a fresh set of '
        + 'attempts; their logs are kept.', 'Reset to todo');
  }

  // ---------------------------------------------------------------------------------------------------------------
  // overview

  function renderClaiming(status) {
    var box = document.getElementById('claiming');
    var state = document.getElementById('claiming-state');
    var toggle = document.getElementById('claiming-toggle');
    var claiming = status.claiming || {paused: false};
    box.setAttribute('data-paused', claiming.paused ? 'true' : 'false');
    if (claiming.paused) {
      state.textContent = 'Claiming paused' + (claiming.paused_by ? ' by ' + claiming.paused_by : '')
          + (claiming.paused_at ? ' since ' + time(claiming.paused_at) : '')
          + ': workers finish the tokens they hold and claim no new ones.';
      toggle.textContent = 'Resume claiming';
    } else {
      state.textContent = 'Claiming: on';
      toggle.textContent = 'Pause claiming';
    }
    toggle.hidden = false;
    toggle.onclick = function () {
      if (claiming.paused) {
        act('api/actions/resume-claiming', {}, 'Resume claiming on ' + status.database + '? Every worker starts '
            + 'claiming tokens again.', 'Resume claiming');
      } else {
        act('api/actions/pause-claiming', {}, 'Pause claiming on ' + status.database + '? Every worker on the pool '
            + 'finishes the tokens it holds and claims no new ones until claiming is resumed.', 'Pause claiming');
      }
    };
  }

  /** One line: executions that ran twice (replicas, a lease that ran out), as the tokens' runs record them. */
  function renderDuplicates(status) {
    var total = status.sets.reduce(function (sum, set) { return sum + (set.duplicate_executions || 0); }, 0);
    var line = document.getElementById('duplicates');
    line.hidden = total === 0;
    line.setAttribute('data-value', total);
    line.textContent = 'Duplicate executions recorded in the tokens\' runs: ' + total;
  }

  function renderSets(status) {
    fill('sets', status.sets.map(function (set) {
      var row = el('tr', null, {'data-set': set.type});
      cell(row, set.type);
      STATES.forEach(function (state) {
        var n = set.counts[state] || 0;
        cell(row, n, {'class': 'number', 'data-state': state, 'data-value': n});
      });
      cell(row, set.throughput.per_minute.toFixed(1), {'class': 'number', 'data-field': 'per-minute'});
      cell(row, duration(set.drain_seconds), {'data-field': 'drain'});
      var lock = cell(row, set.oldest_lock ? duration(set.oldest_lock.age_seconds) + ' (' : '-',
          {'data-field': 'oldest-lock'});
      if (set.oldest_lock) {
        lock.appendChild(tokenLink(set.oldest_lock.token));
        lock.appendChild(document.createTextNode(')'));
      }
      var actions = cell(row, null, {'data-field': 'actions'});
      var errors = set.counts.error || 0;
      if (errors > 0) {
        actions.appendChild(actionButton('Reset ' + errors + ' error token' + (errors === 1 ? '' : 's'),
            {'data-action': 'reset-errors'}, function () {
              resetErrors(set.type, null, 'the ' + errors + ' error token' + (errors === 1 ? '' : 's'));
            }));
      }
      return row;
    }), 'No tokens', 10);
  }

  /** Round numbers for the axis: 0, step, 2 step, ... up to at least max, at most 6 ticks. */
  function ticks(max) {
    var raw = Math.max(1, max) / 5;
    var magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (f) { return f * magnitude; }).filter(function (s) { return s >= raw; })[0];
    step = Math.max(1, step);
    var top = Math.ceil(Math.max(1, max) / step) * step;
    var values = [];
    for (var v = 0; v <= top; v += step) values.push(v);
    return values;
  }

  function renderThroughput(status) {
    var chart = document.getElementById('throughput');
    var minutes = {};
    status.sets.forEach(function (set) {
      set.throughput.series.forEach(function (m) { minutes[m.minute] = (minutes[m.minute] || 0) + m.done; });
    });
    var keys = Object.keys(minutes).map(Number).sort(function (a, b) { return a - b; });
    var max = Math.max.apply(null, [0].concat(keys.map(function (k) { return minutes[k]; })));
    var left = 44, right = 630, top = 16, bottom = 170;
    var scale = ticks(max);
    var yMax = scale[scale.length - 1];
    function y(value) { return bottom - value / yMax * (bottom - top); }
    var children = [];
    children.push(svg('text', {x: 4, y: 10, 'class': 'axis-title'}, 'tokens/min'));
    scale.forEach(function (value) {
      children.push(svg('line', {x1: left, x2: right, y1: y(value), y2: y(value), 'class': value === 0 ? 'axis' : 'grid'}));
      children.push(svg('text', {x: left - 6, y: y(value) + 3, 'text-anchor': 'end', 'class': 'tick',
        'data-tick': value}, value));
    });
    var width = (right - left) / Math.max(1, keys.length);
    keys.forEach(function (minute, i) {
      var done = minutes[minute];
      var x = left + i * width;
      var bar = svg('rect', {x: x + 3, y: y(done), width: Math.max(1, width - 6), height: bottom - y(done),
        'data-minute': minute, 'data-done': done});
      bar.appendChild(svg('title', {}, time(minute) + ': ' + done + ' done'));
      children.push(bar);
      if (done > 0) {
        children.push(svg('text', {x: x + width / 2, y: y(done) - 3, 'text-anchor': 'middle', 'class': 'value'}, done));
      }
      var last = i === keys.length - 1;
      if (i % 3 === 0 || last) {
        children.push(svg('text', {x: x + width / 2, y: bottom + 14, 'text-anchor': 'middle', 'class': 'tick'},
            last ? 'now' : time(minute).slice(11, 16)));
      }
    });
    children.push(svg('text', {x: (left + right) / 2, y: bottom + 28, 'text-anchor': 'middle', 'class': 'axis-title'},
        'minute (UTC)'));
    chart.replaceChildren.apply(chart, children);
  }

  function renderWorkers(status) {
    fill('workers', status.workers.map(function (w) {
      var row = el('tr', null, {'data-worker': w.worker_id, 'data-presence': w.presence});
      cell(row, w.hostname);
      cell(row, w.worker_id);
      cell(row, w.in_flight, {'class': 'number', 'data-field': 'in-flight'});
      cell(row, duration(Math.max(0, status.generated - w.last_seen)) + ' ago');
      cell(row, {live: 'live', late: 'late: missed its refreshes', none: 'none (PiCaS pilot?)'}[w.presence]
          || w.presence, {'data-field': 'presence'});
      cell(row, w.claiming_paused === true ? 'paused' : w.claiming_paused === false ? 'on' : '?',
          {'data-field': 'claiming'});
      return row;
    }), 'No workers running', 6);
  }

  function groupHref(set, group) {
    return '#/errors/' + encodeURIComponent(set) + '/' + encodeURIComponent(group);
  }

  function renderErrors(status) {
    fill('error-groups', status.error_summary.map(function (e) {
      var row = el('tr', null, {'data-set': e.type, 'data-group': e.message});
      var count = cell(row, null, {'class': 'number', 'data-field': 'count'});
      count.appendChild(el('a', e.count, {href: groupHref(e.type, e.message), 'data-group-link': e.message}));
      cell(row, e.type);
      cell(row, e.message, {'data-field': 'message'});
      cell(row, e.example !== e.message ? e.example : '', {'class': 'example'});
      return row;
    }), 'No tokens in error', 4);
    fill('recent-errors', status.recent_errors.map(function (e) {
      var row = el('tr', null, {'data-token': e.token});
      cell(row, time(e.time));
      cell(row).appendChild(tokenLink(e.token));
      cell(row, e.state);
      cell(row, e.message);
      var logs = cell(row);
      e.attachments.forEach(function (name) {
        logs.appendChild(el('a', name, {href: attachmentUrl(e.token, name), target: '_blank', rel: 'noopener'}));
        logs.appendChild(document.createTextNode(' '));
      });
      return row;
    }), 'No recent errors', 5);
  }

  function renderFlows(status) {
    fill('flows', (status.flows || []).filter(function (f) { return f.total > 0; }).map(function (f) {
      var row = el('tr', null, {'data-flow': f.flow});
      cell(row, f.declared ? f.flow : f.flow + ' (no states file)');
      cell(row, f.types.join(', '));
      cell(row, f.total, {'class': 'number', 'data-field': 'total'});
      var states = cell(row);
      Object.keys(f.counts).forEach(function (state) {
        states.appendChild(el('span', state + ' ' + f.counts[state],
            {'class': 'flow-state', 'data-state': state, 'data-value': f.counts[state]}));
        states.appendChild(document.createTextNode(' '));
      });
      return row;
    }), 'No workflow documents', 4);
  }

  function renderDeadLetters(status) {
    document.getElementById('dead-letter-count').textContent = status.dead_letters.count;
    var latest = status.dead_letters.latest;
    document.getElementById('dead-letter-latest').textContent = latest
        ? 'Latest, ' + time(latest.time) + ': ' + latest.doc_id + ' in state ' + latest.state + ' (route '
          + latest.route + '): ' + latest.cause
        : '';
  }

  function renderRoutes(routes) {
    fill('routes', routes.map(function (route) {
      var row = el('tr', null, {'data-route': route.id, 'data-state': route.state});
      cell(row, route.id);
      cell(row, route.state, {'class': 'route-state', 'data-field': 'state'});
      cell(row, route.detail);
      return row;
    }), 'No routes', 3);
  }

  function render(status) {
    document.getElementById('database').textContent = status.database;
    renderClaiming(status);
    renderSets(status);
    renderDuplicates(status);
    renderThroughput(status);
    renderWorkers(status);
    renderErrors(status);
    renderFlows(status);
    renderDeadLetters(status);
    document.getElementById('updated').textContent = time(status.generated);
    document.body.setAttribute('data-generated', status.generated);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // token view

  function fieldValue(name, value) {
    if (typeof value === 'number' && TIME_FIELDS.indexOf(name) >= 0 && value > 1000000000) {
      return value + '  (' + time(value) + ')';
    }
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  }

  function renderToken(id, token) {
    var state = tokenState(token);
    var badge = document.getElementById('token-state');
    badge.textContent = state;
    badge.setAttribute('data-state', state);
    document.getElementById('token-set').textContent = 'set ' + token.type;
    var special = ['runs', 'error', '_attachments', 'stdout_tail'];
    var names = ['_id', '_rev'].concat(Object.keys(token).filter(function (name) {
      return special.indexOf(name) < 0 && name !== '_id' && name !== '_rev';
    }));
    fill(document.querySelector('#token-fields tbody'), names.map(function (name) {
      var row = el('tr', null, {'data-field': name});
      cell(row, name, {'class': 'name'});
      cell(row).appendChild(el('pre', fieldValue(name, token[name]), {'class': 'value'}));
      return row;
    }));
    var runs = Array.isArray(token.runs) ? token.runs : [];
    fill(document.querySelector('#token-runs tbody'), runs.map(function (run, i) {
      var row = el('tr', null, {'data-run': i + 1, 'data-outcome': run.outcome});
      cell(row, i + 1, {'class': 'number'});
      cell(row, run.worker_id);
      cell(row, run.hostname);
      cell(row, time(run.started));
      cell(row, time(run.ended));
      cell(row, run.started && run.ended ? duration(run.ended - run.started) : '?', {'class': 'number'});
      cell(row, run.outcome, {'data-field': 'outcome'});
      cell(row, run.exit_code === undefined ? '' : run.exit_code, {'class': 'number'});
      return row;
    }), 'No runs recorded (not run by Couchwork yet)', 8);
    var errors = Array.isArray(token.error) ? token.error : [];
    fill(document.querySelector('#token-errors tbody'), errors.map(function (e) {
      var row = el('tr');
      cell(row, time(e && e.time));
      cell(row, e && e.message !== undefined ? e.message : JSON.stringify(e));
      cell(row, e && e.exception ? e.exception : '');
      return row;
    }), 'No errors', 3);
    renderLogs(id, token);
    var actions = document.getElementById('token-actions');
    actions.replaceChildren();
    if (state === 'error') {
      actions.appendChild(actionButton('Reset this token', {'data-action': 'reset-token'}, function () {
        resetErrors(token.type, [id], 'token ' + id);
      }));
    }
  }

  function tokenState(token) {
    if (typeof token.lock !== 'number' || typeof token.done !== 'number') return 'invalid';
    if (token.lock === 0 && token.done === 0) return 'todo';
    if (token.lock > 0 && token.done === 0) return 'locked';
    if (token.lock > 0 && token.done > 0) return parseInt(token.exit_code, 10) === 0 ? 'done' : 'error';
    return 'invalid';
  }

  function renderLogs(id, token) {
    var logs = document.getElementById('token-logs');
    var parts = [];
    var attachments = token._attachments || {};
    Object.keys(attachments).forEach(function (name) {
      var box = el('div', null, {'class': 'log', 'data-log': name});
      var head = el('h4', name + ' ');
      head.appendChild(el('small', attachments[name].length + ' bytes '));
      head.appendChild(el('a', 'download', {href: attachmentUrl(id, name), download: id + '-' + name}));
      box.appendChild(head);
      var text = el('pre', 'Loading…', {'class': 'log-text'});
      box.appendChild(text);
      parts.push(box);
      if (!/^text\/|^application\/json/.test(attachments[name].content_type || '')) {
        text.textContent = '(binary: ' + (attachments[name].content_type || 'unknown type') + ')';
        return;
      }
      fetch(attachmentUrl(id, name), {cache: 'no-store'})
        .then(function (response) { return response.text(); })
        .then(function (content) {
          text.textContent = content.length > LOG_SHOWN_BYTES
              ? '\u2026 (the last ' + LOG_SHOWN_BYTES + ' characters; download for all)\n'
                + content.slice(content.length - LOG_SHOWN_BYTES)
              : content;
        })
        .catch(function (error) { text.textContent = 'Cannot load: ' + error.message; });
    });
    if (token.stdout_tail !== undefined) {
      var tail = el('div', null, {'class': 'log', 'data-log': 'stdout_tail'});
      tail.appendChild(el('h4', 'stdout_tail (field)'));
      tail.appendChild(el('pre', typeof token.stdout_tail === 'string' ? token.stdout_tail
          : JSON.stringify(token.stdout_tail, null, 2), {'class': 'log-text'}));
      parts.push(tail);
    }
    if (parts.length === 0) parts.push(el('p', 'No logs: no attachments and no stdout_tail.'));
    logs.replaceChildren.apply(logs, parts);
  }

  function showToken(id) {
    document.getElementById('token-id').textContent = id;
    document.getElementById('token-loading').hidden = false;
    getJson('api/tokens/' + encodeURIComponent(id))
      .then(function (token) {
        document.getElementById('token-loading').hidden = true;
        renderToken(id, token);
        document.body.setAttribute('data-token-loaded', id);
      })
      .catch(function (error) {
        document.getElementById('token-loading').textContent = error.message;
      });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // error group view

  function showErrorGroup(set, group) {
    document.getElementById('group-set').textContent = 'set ' + set;
    document.getElementById('group-message').textContent = group;
    var actions = document.getElementById('group-actions');
    getJson('api/error-tokens?set=' + encodeURIComponent(set) + '&group=' + encodeURIComponent(group))
      .then(function (tokens) {
        fill('group-tokens', tokens.map(function (t) {
          var row = el('tr', null, {'data-token': t.token});
          cell(row).appendChild(tokenLink(t.token));
          cell(row, t.message);
          return row;
        }), 'No tokens in this group any more', 2);
        actions.replaceChildren();
        if (tokens.length > 0) {
          var ids = tokens.map(function (t) { return t.token; });
          actions.appendChild(actionButton('Reset these ' + ids.length + ' tokens', {'data-action': 'reset-group'},
              function () { resetErrors(set, ids, 'the ' + ids.length + ' tokens of this error group'); }));
        }
        document.body.setAttribute('data-group-loaded', group);
      })
      .catch(problem);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // flows view

  function renderFlowTables(flows) {
    var tables = flows.map(function (f) {
      var table = el('table', null, {'class': 'flow', 'data-flow': f.flow});
      table.appendChild(el('caption', f.flow + (f.declared ? '' : ' (no states file)') + ' \u2014 '
          + f.types.join(', ') + ': ' + f.total + ' document' + (f.total === 1 ? '' : 's')));
      var head = el('tr');
      var counts = el('tr');
      Object.keys(f.counts).forEach(function (state) {
        var label = state + (state === f.initial ? ' \u25B8' : '') + ((f.terminal || []).indexOf(state) >= 0 ? ' \u25A0' : '');
        head.appendChild(el('th', label, {'class': 'number', title: state === f.initial ? 'initial state'
            : (f.terminal || []).indexOf(state) >= 0 ? 'terminal state' : ''}));
        var td = el('td', null, {'class': 'number', 'data-state': state, 'data-value': f.counts[state]});
        if (f.counts[state] > 0) {
          var link = el('a', f.counts[state], {href: '#/flows'});
          link.addEventListener('click', function (event) {
            event.preventDefault();
            showFlowDocuments(f.flow, state);
          });
          td.appendChild(link);
        } else {
          td.textContent = '0';
        }
        counts.appendChild(td);
      });
      table.appendChild(el('thead')).appendChild(head);
      table.appendChild(el('tbody')).appendChild(counts);
      return table;
    });
    if (tables.length === 0) tables.push(el('p', 'No flows declared and no workflow documents.'));
    var box = document.getElementById('flow-tables');
    box.replaceChildren.apply(box, tables);
  }

  function showFlowDocuments(flow, state) {
    var box = document.getElementById('flow-documents');
    document.getElementById('flow-documents-title').textContent = 'Documents of ' + flow + ' in state ' + state;
    getJson('api/flow-documents?flow=' + encodeURIComponent(flow) + '&state=' + encodeURIComponent(state))
      .then(function (ids) {
        var list = box.querySelector('ul');
        list.replaceChildren.apply(list, ids.map(function (id) { return el('li', id, {'data-document': id}); }));
        box.hidden = false;
      })
      .catch(problem);
  }

  function renderLetters(dead) {
    document.getElementById('letters-count').textContent = dead.count;
    var all = document.getElementById('requeue-all');
    all.hidden = dead.count === 0;
    all.textContent = 'Requeue all ' + dead.count;
    all.onclick = function () {
      act('api/actions/requeue-dead-letters', {all: true}, 'Put the documents of all ' + dead.count + ' dead letters '
          + 'back in the state they failed in? Their flows handle them again.', 'Requeue all');
    };
    fill('dead-letters', dead.letters.map(function (letter) {
      var row = el('tr', null, {'data-letter': letter.id, 'data-document': letter.doc_id});
      cell(row, time(letter.time));
      cell(row, letter.doc_id);
      cell(row, letter.doc_type);
      cell(row, letter.state);
      cell(row, letter.route);
      cell(row, letter.cause + (letter.exception ? ' (' + letter.exception + ')' : ''), {'data-field': 'cause'});
      cell(row, letter.attempts, {'class': 'number'});
      cell(row).appendChild(actionButton('Requeue', {'data-action': 'requeue'}, function () {
        act('api/actions/requeue-dead-letters', {ids: [letter.id]}, 'Put ' + letter.doc_id + ' back in state '
            + letter.state + '? Its flow handles it again.', 'Requeue');
      }));
      return row;
    }), 'No dead letters', 8);
  }

  function loadFlows() {
    return getJson('api/flows').then(function (data) {
      renderFlowTables(data.flows);
      renderLetters(data.dead_letters);
      document.body.setAttribute('data-flows-loaded', 'true');
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // views and polling

  function route() {
    var parts = (location.hash || '#/').replace(/^#\/?/, '').split('/').map(decodeURIComponent);
    if (parts[0] === 'token' && parts[1]) return {view: 'token', id: parts.slice(1).join('/')};
    if (parts[0] === 'errors' && parts.length >= 3) return {view: 'errors', set: parts[1], group: parts.slice(2).join('/')};
    if (parts[0] === 'flows') return {view: 'flows'};
    return {view: 'overview'};
  }

  function show() {
    var current = route();
    document.body.setAttribute('data-view', current.view);
    document.querySelectorAll('main > [data-view]').forEach(function (view) {
      view.hidden = view.getAttribute('data-view') !== current.view;
    });
    document.querySelectorAll('nav a').forEach(function (link) {
      link.classList.toggle('current', link.getAttribute('data-nav') === current.view);
    });
    document.body.removeAttribute('data-token-loaded');
    document.body.removeAttribute('data-group-loaded');
    if (current.view === 'token') showToken(current.id);
    if (current.view === 'errors') showErrorGroup(current.set, current.group);
    if (current.view === 'flows') {
      document.getElementById('flow-documents').hidden = true;
      loadFlows().catch(problem);
    }
    window.scrollTo(0, 0);
  }

  /** The views that follow the pool re-read their data; a token or error group view is re-read on opening only. */
  function refresh() {
    var current = route();
    var reads = [getJson('api/status').then(render)];
    if (current.view === 'overview') reads.push(getJson('api/routes').then(renderRoutes));
    if (current.view === 'flows') reads.push(loadFlows());
    return Promise.all(reads).then(function () { problem(null); }, problem);
  }

  function poll() {
    refresh().finally(function () { pollTimer = setTimeout(poll, POLL_MS); });
  }

  /** After an action: the views show its effect at once (and the current token or group view is read again). */
  function refreshNow() {
    clearTimeout(pollTimer);
    var current = route();
    if (current.view === 'token') showToken(current.id);
    if (current.view === 'errors') showErrorGroup(current.set, current.group);
    poll();
  }

  window.addEventListener('hashchange', show);
  var initial = JSON.parse(document.getElementById('initial-status').textContent);
  if (initial) render(initial);
  show();
  if (initial) {
    getJson('api/routes').then(renderRoutes).catch(problem);
    pollTimer = setTimeout(poll, POLL_MS);
  } else {
    poll();
  }
}());
