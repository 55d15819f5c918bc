import { adminMessages } from './admin-messages.js';
import { weComMarkdownScript } from './wecom-markdown-script.js';

/**
 * The admin page's code: plain ES2017 in the browser, no framework and no build step. The DOM
 * is built with textContent; the one innerHTML is the markdown preview, whose renderer escapes
 * everything it does not itself produce. The token lives in sessionStorage (this tab only) and
 * goes out as `Authorization: Bearer` on every `/api` call.
 */
export const adminScript = String.raw`'use strict';
(function () {
${weComMarkdownScript}
var samples = [];
var messages = ${JSON.stringify(adminMessages)};
var langKey = 'hookmux.admin.lang';
var lang = pickLanguage();

function pickLanguage() {
  var saved = null;
  try { saved = localStorage.getItem(langKey); } catch (e) { saved = null; }
  if (saved === 'zh' || saved === 'en') return saved;
  var wanted = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en']);
  for (var i = 0; i < wanted.length; i++) {
    var code = String(wanted[i]).toLowerCase();
    if (code.slice(0, 2) === 'zh') return 'zh';
    if (code.slice(0, 2) === 'en') return 'en';
  }
  return 'en';
}

function t(key, values) {
  var text = (messages[lang] && messages[lang][key]) || messages.en[key] || key;
  return text.replace(/\{(\w+)\}/g, function (all, name) {
    return values && values[name] !== undefined ? String(values[name]) : all;
  });
}

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  Array.prototype.forEach.call(document.querySelectorAll('[data-i18n]'), function (node) {
    node.textContent = t(node.getAttribute('data-i18n'));
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-i18n-placeholder]'), function (node) {
    node.setAttribute('placeholder', t(node.getAttribute('data-i18n-placeholder')));
  });
  document.title = t('page.title');
  $('lang').value = lang;
}

function setLanguage(next) {
  lang = next === 'zh' ? 'zh' : 'en';
  try { localStorage.setItem(langKey, lang); } catch (e) { /* private mode: this page only */ }
  applyLanguage();
  if (sessionStorage.getItem(tokenKey)) refresh();
}
var tokenKey = 'hookmux.admin.token';
var tabs = ['events', 'deliveries', 'dead', 'sinks', 'playground'];
var state = { tab: 'events', next: undefined, sinks: [] };

function $(id) { return document.getElementById(id); }

function h(tag, attrs, children) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (key) {
    var value = attrs[key];
    if (value === undefined || value === false) return;
    if (key === 'text') node.textContent = value;
    else if (key === 'width') node.style.width = value; // CSSOM: the CSP refuses style attributes
    else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  });
  (children || []).forEach(function (child) {
    if (child === undefined || child === null || child === false) return;
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  });
  return node;
}

function fill(container, nodes) {
  container.textContent = '';
  nodes.forEach(function (n) { if (n) container.appendChild(n); });
}

function time(ms) {
  if (!ms) return '';
  var d = new Date(ms);
  var pad = function (n) { return n < 10 ? '0' + n : String(n); };
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
    pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}

function duration(ms) {
  if (ms === undefined || ms === null) return '';
  if (ms < 1000) return Math.max(0, Math.round(ms)) + ' ' + t('unit.ms');
  var s = Math.round(ms / 1000);
  if (s < 90) return s + ' ' + t('unit.s');
  var m = Math.round(s / 60);
  if (m < 90) return m + ' ' + t('unit.min');
  return Math.round(m / 60) + ' ' + t('unit.h');
}

function windowName(ms) {
  if (ms % 3600000 === 0) return (ms / 3600000 === 1 ? '' : ms / 3600000 + ' ') + t('unit.h');
  if (ms % 60000 === 0) return (ms / 60000 === 1 ? '' : ms / 60000 + ' ') + t('unit.min');
  if (ms % 1000 === 0) return (ms / 1000 === 1 ? '' : ms / 1000 + ' ') + t('unit.s');
  return ms + ' ' + t('unit.ms');
}

function showStatus(text, kind) {
  var node = $('status');
  node.textContent = text || '';
  node.className = 'notice' + (kind ? ' ' + kind : '');
  node.hidden = !text;
}

function ApiError(status, body) {
  this.status = status;
  var error = body && body.error ? body.error : {};
  this.code = error.code || 'HTTP_' + status;
  this.message = (error.message || t('request.failed')) + (error.hint ? ' (' + error.hint + ')' : '');
}

function api(method, path, body) {
  var token = sessionStorage.getItem(tokenKey) || '';
  var init = { method: method, headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(path, init).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (json) {
      if (response.status === 401) {
        signOut(t('login.rejected'));
        throw new ApiError(401, json);
      }
      if (!response.ok) throw new ApiError(response.status, json);
      return json;
    });
  });
}

function fail(error) {
  if (error && error.status === 401) return;
  showStatus(error && error.message ? error.message : String(error), 'error');
}

function badge(status) {
  return h('span', { class: 'badge status-' + status, 'data-status': status, text: t('status.' + status) });
}

function table(headers, rows, empty) {
  if (rows.length === 0) return h('p', { class: 'empty', text: empty });
  return h('table', {}, [
    h('thead', {}, [h('tr', {}, headers.map(function (t) { return h('th', { text: t }); }))]),
    h('tbody', {}, rows),
  ]);
}

function errorText(d) {
  if (!d.lastError) return '';
  return (d.lastError.code ? d.lastError.code + ': ' : '') + d.lastError.detail;
}

function link(url, text) {
  return /^https?:\/\//i.test(url || '') ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: text }) : text;
}

// --- views ---------------------------------------------------------------------------------

function loadEvents() {
  return api('GET', '/api/events?limit=100').then(function (data) {
    fill($('events'), [table([t('col.received'), t('col.event'), t('col.repo'), t('col.who'), t('col.summary'), t('col.queuedFor')],
      data.events.map(function (e) {
        return h('tr', { 'data-event': e.id }, [
          h('td', { class: 'nowrap', text: time(e.receivedAt) }),
          h('td', {}, [h('code', { text: e.name }), e.ping ? h('span', { class: 'badge', text: 'ping' }) : undefined]),
          h('td', { text: e.repo || '' }),
          h('td', { text: e.actor || '' }),
          h('td', {}, [link(e.url, e.summary)]),
          h('td', {}, [queuedFor(e)]),
        ]);
      }), t('events.empty'))]);
  });
}

function queuedFor(e) {
  if (e.duplicate) return t('events.duplicate');
  if (e.sinks.length) return e.sinks.join(', ');
  if (!e.noRoute || !e.noRoute.length) return t('events.noRoute');
  // Why nothing matched: which filter of each route refused it.
  return h('details', { class: 'no-route' }, [h('summary', { text: t('events.noRoute') }),
    h('ul', {}, e.noRoute.map(function (line) { return h('li', { class: 'mono', text: line }); }))]);
}

function deliveryRow(d, withReplay) {
  var cells = [
    h('td', { class: 'nowrap' }, [h('a', { href: '#deliveries', class: 'mono', text: '#' + d.id, onclick: function (ev) { ev.preventDefault(); showDelivery(d.id); } })]),
    h('td', { class: 'nowrap', text: time(d.updatedAt) }),
    h('td', {}, [h('code', { text: d.eventName })]),
    h('td', { text: d.sink }),
    h('td', {}, [badge(d.status)]),
    h('td', { class: 'num', text: String(d.attempts) }),
    h('td', { class: 'answer', text: d.status === 'sent' ? (d.sentAt ? t('answer.okAt', { time: time(d.sentAt) }) : t('answer.ok')) : errorText(d) }),
    h('td', { text: d.summary }),
  ];
  if (withReplay) {
    cells.push(h('td', {}, [h('button', { type: 'button', class: 'replay', 'data-id': d.id, text: t('replay'), onclick: function (ev) { replay(d.id, ev.target); } })]));
  }
  return h('tr', { 'data-delivery': d.id, 'data-status': d.status }, cells);
}

function deliveryHeaders() {
  return [t('col.id'), t('col.updated'), t('col.event'), t('col.sink'), t('col.status'), t('col.tries'), t('col.answer'), t('col.summary')];
}

function loadDeliveries(append) {
  var params = ['limit=50'];
  var status = $('filter-status').value;
  var sink = $('filter-sink').value;
  if (status) params.push('status=' + encodeURIComponent(status));
  if (sink) params.push('sink=' + encodeURIComponent(sink));
  if (append && state.next) params.push('before=' + encodeURIComponent(state.next));
  return api('GET', '/api/deliveries?' + params.join('&')).then(function (data) {
    state.next = data.next;
    $('more').hidden = !data.next;
    var rows = data.deliveries.map(function (d) { return deliveryRow(d, false); });
    var body = append ? $('deliveries').querySelector('tbody') : undefined;
    if (body) rows.forEach(function (r) { body.appendChild(r); });
    else fill($('deliveries'), [table(deliveryHeaders(), rows, t('deliveries.empty'))]);
  });
}

function showDelivery(id) {
  return api('GET', '/api/deliveries/' + encodeURIComponent(id)).then(function (data) {
    var d = data.delivery;
    var m = d.message;
    var answer = d.answer ? (d.answer.ok ? t('answer.ok') : (d.answer.code ? d.answer.code + ': ' : '') + d.answer.detail) : t('answer.notYet');
    fill($('delivery-detail'), [h('div', { class: 'card detail' }, [
      h('div', { class: 'row' }, [h('h3', { text: t('detail.title', { id: d.id }) }), badge(d.status), h('span', { class: 'spacer' }),
        h('button', { type: 'button', class: 'quiet', text: t('detail.close'), onclick: function () { fill($('delivery-detail'), []); } })]),
      h('dl', {}, [
        h('dt', { text: t('detail.event') }), h('dd', {}, [h('code', { text: d.eventName }), ' ', h('span', { class: 'mono muted', text: d.eventId })]),
        h('dt', { text: t('detail.routeSink') }), h('dd', { text: d.route + ' → ' + d.sink }),
        h('dt', { text: t('detail.created') }), h('dd', { text: time(d.createdAt) }),
        h('dt', { text: t('detail.tries') }), h('dd', { text: String(d.attempts) + (d.status === 'retrying' ? t('detail.nextAt', { time: time(d.nextAttemptAt) }) : '') }),
        h('dt', { text: t('detail.answer') }), h('dd', { class: d.answer && !d.answer.ok ? 'error' : '', text: answer }),
      ]),
      preview(m.format, m.text),
      d.request ? h('details', {}, [h('summary', { text: t('detail.request') }), h('pre', { text: JSON.stringify(d.request, null, 2) })]) : undefined,
    ])]);
    $('delivery-detail').scrollIntoView({ block: 'nearest' });
  }).catch(fail);
}

function loadDead() {
  return api('GET', '/api/deliveries?status=dead&limit=200').then(function (data) {
    var count = data.deliveries.length;
    $('dead-count').textContent = count > 199 ? '200+' : String(count);
    $('dead-count').hidden = count === 0;
    $('replay-all').disabled = count === 0;
    fill($('dead'), [table(deliveryHeaders().concat(['']), data.deliveries.map(function (d) { return deliveryRow(d, true); }),
      t('dead.empty'))]);
  });
}

function replay(id, button) {
  button.disabled = true;
  return api('POST', '/api/deliveries/' + encodeURIComponent(id) + '/replay').then(function (data) {
    showStatus(t('dead.replayed', { id: id, status: t('status.' + data.delivery.status) }), 'ok');
    return refresh();
  }).catch(function (error) { button.disabled = false; fail(error); });
}

function replayAll() {
  $('replay-all').disabled = true;
  return api('POST', '/api/deliveries/replay-dead', {}).then(function (data) {
    showStatus(t('dead.replayedAll', { count: data.replayed }), 'ok');
    return refresh();
  }).catch(fail);
}

function loadSinks() {
  return api('GET', '/api/sinks').then(function (data) {
    state.sinks = data.sinks;
    var select = $('filter-sink');
    var current = select.value;
    fill(select, [h('option', { value: '', text: t('filter.any') })].concat(data.sinks.map(function (s) {
      return h('option', { value: s.name, text: s.name });
    })));
    select.value = current;
    fill($('sinks'), data.sinks.map(function (s) {
      var counts = ['pending', 'sending', 'retrying', 'sent', 'dead'].map(function (k) {
        return h('span', { class: 'count status-' + k }, [h('b', { text: String(s.counts[k]) }), ' ' + t('status.' + k)]);
      });
      var rate = s.rateLimit;
      var wait = rate ? rate.nextFreeAt - Date.now() : 0;
      return h('div', { class: 'card sink', 'data-sink': s.name }, [
        h('div', { class: 'row' }, [h('h3', { text: s.name }), h('span', { class: 'badge', text: s.type + (s.format ? ' · ' + s.format : '') }),
          s.configured ? undefined : h('span', { class: 'badge status-dead', text: t('sinks.notInConfig') })]),
        h('div', { class: 'counts' }, counts),
        h('p', { class: 'muted', text: s.oldestPendingAgeMs !== undefined ? t('sinks.oldest', { age: duration(s.oldestPendingAgeMs) }) : t('sinks.nothing') }),
        rate ? h('div', { class: 'rate' }, rate.limits.map(function (l) {
          var pct = Math.min(100, Math.round(100 * l.sentInWindow / l.count));
          return h('div', { class: 'meter-row' }, [
            h('span', { text: t('sinks.rate', { sent: l.sentInWindow, count: l.count, window: windowName(l.windowMs) }) }),
            h('span', { class: 'meter' }, [h('span', { class: pct >= 100 ? 'full' : '', width: pct + '%' })]),
          ]);
        }).concat([h('p', { class: 'muted', text: wait > 0 ? t('sinks.nextIn', { wait: duration(wait) }) : t('sinks.canSend') }),
          rate.sharedWith.length ? h('p', { class: 'muted', text: t('sinks.shared', { names: rate.sharedWith.join(', ') }) }) : undefined])) : undefined,
        h('details', {}, [h('summary', { text: t('sinks.settings') }), h('pre', { text: JSON.stringify(s.settings, null, 2) })]),
      ]);
    }));
  });
}

// --- playground ------------------------------------------------------------------------------

function preview(format, text) {
  if (format === 'md') {
    var bubble = h('div', { class: 'bubble markdown' });
    bubble.innerHTML = renderWeComMarkdown(text);
    return bubble;
  }
  return h('pre', { class: 'bubble text', text: text });
}

function pickSample() {
  var sample = samples[Number($('sample').value)];
  if (!sample) return;
  $('render-source').value = sample.source;
  $('render-event').value = sample.event;
  $('payload').value = JSON.stringify(sample.payload, null, 2);
}

function loadSamples() {
  if (samples.length > 0) return Promise.resolve();
  return api('GET', '/api/samples').then(function (data) {
    samples = data.samples;
    fill($('sample'), samples.map(function (s, i) {
      return h('option', { value: String(i), text: s.source + ': ' + s.label });
    }));
    pickSample();
  });
}

function render(ev) {
  ev.preventDefault();
  var text = $('payload').value;
  var payload;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    fill($('render-result'), [h('p', { class: 'error', text: t('play.badJson', { error: error.message }) })]);
    return;
  }
  var body = { source: $('render-source').value.trim() || 'gitee', payload: payload };
  if ($('render-event').value) body.event = $('render-event').value;
  fill($('render-result'), [h('p', { class: 'muted', text: t('play.rendering') })]);
  api('POST', '/api/render', body).then(function (data) {
    var head = h('p', { class: 'event-line' }, [t('play.event'), h('code', { text: data.event.name }), ' — ', link(data.event.url, data.event.summary)]);
    if (data.deliveries.length === 0) {
      fill($('render-result'), [head, h('p', { class: 'empty', text: t('play.noRoute') }),
        data.noRoute ? h('ul', { class: 'no-route muted' }, data.noRoute.map(function (line) { return h('li', { class: 'mono', text: line }); })) : undefined]);
      return;
    }
    fill($('render-result'), [head].concat(data.deliveries.map(function (d) {
      return h('div', { class: 'card rendered', 'data-sink': d.sink }, [
        h('div', { class: 'row' }, [h('h3', { text: d.sink }), h('span', { class: 'badge', text: d.type + (d.format ? ' · ' + d.format : '') }),
          h('span', { class: 'muted', text: t('play.route', { name: d.route }) })]),
        preview(d.templateFormat, d.text),
        Object.keys(d.fields).length ? h('details', {}, [h('summary', { text: t('play.fields') }), h('pre', { text: JSON.stringify(d.fields, null, 2) })]) : undefined,
        h('details', {}, [h('summary', { text: t('play.body') }), h('pre', { class: 'request-body', text: JSON.stringify(d.body, null, 2) })]),
      ]);
    })));
  }).catch(function (error) {
    if (error.status !== 401) fill($('render-result'), [h('p', { class: 'error', text: error.message })]);
  });
}

// --- shell -------------------------------------------------------------------------------------

function refresh() {
  var work = [loadSinks(), loadDead(), loadSamples()];
  if (state.tab === 'events') work.push(loadEvents());
  if (state.tab === 'deliveries') work.push(loadDeliveries(false));
  return Promise.all(work).catch(fail);
}

function selectTab(name) {
  state.tab = tabs.indexOf(name) >= 0 ? name : 'events';
  tabs.forEach(function (t) {
    $('view-' + t).hidden = t !== state.tab;
    var a = document.querySelector('[data-tab="' + t + '"]');
    if (a) a.className = t === state.tab ? 'active' : '';
  });
}

function signIn(signedIn) {
  $('login').hidden = signedIn;
  $('tabs').hidden = !signedIn;
  $('refresh').hidden = !signedIn;
  $('logout').hidden = !signedIn;
  if (!signedIn) {
    tabs.forEach(function (t) { $('view-' + t).hidden = true; });
    showStatus('');
    $('token').focus();
    return;
  }
  selectTab(location.hash.slice(1));
  refresh();
}

function signOut(message) {
  sessionStorage.removeItem(tokenKey);
  $('login-error').textContent = message || '';
  $('login-error').hidden = !message;
  signIn(false);
}

function start() {
  applyLanguage();
  $('lang').addEventListener('change', function () { setLanguage($('lang').value); });
  $('sample').addEventListener('change', pickSample);
  $('render-form').addEventListener('submit', render);
  $('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    sessionStorage.setItem(tokenKey, $('token').value.trim());
    $('token').value = '';
    $('login-error').hidden = true;
    signIn(true);
  });
  $('logout').addEventListener('click', function () { signOut(); });
  $('refresh').addEventListener('click', function () { showStatus(''); refresh(); });
  $('replay-all').addEventListener('click', replayAll);
  $('more').addEventListener('click', function () { loadDeliveries(true).catch(fail); });
  $('filter-status').addEventListener('change', function () { loadDeliveries(false).catch(fail); });
  $('filter-sink').addEventListener('change', function () { loadDeliveries(false).catch(fail); });
  window.addEventListener('hashchange', function () {
    if (!sessionStorage.getItem(tokenKey)) return;
    showStatus('');
    selectTab(location.hash.slice(1));
    refresh();
  });
  signIn(Boolean(sessionStorage.getItem(tokenKey)));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
})();
`;
