/**
 * The admin page shell. It is static and holds no data (so it is served without the token);
 * everything it shows comes from `/api` with the token the user types in, kept in
 * sessionStorage. Script and styles are separate files so the CSP can forbid inline code.
 * Texts marked `data-i18n` are replaced by the script in the reader's language (admin-messages.ts).
 */
export const adminPageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title data-i18n="page.title">hookmux admin</title>
<link rel="stylesheet" href="/admin/admin.css">
<script src="/admin/admin.js" defer></script>
</head>
<body>
<header class="top">
  <span class="brand">hookmux <small data-i18n="brand.admin">admin</small></span>
  <nav id="tabs" hidden>
    <a href="#events" data-tab="events" data-i18n="tab.events">Events</a>
    <a href="#deliveries" data-tab="deliveries" data-i18n="tab.deliveries">Deliveries</a>
    <a href="#dead" data-tab="dead"><span data-i18n="tab.dead">Dead letters</span> <span id="dead-count" class="pill" hidden></span></a>
    <a href="#sinks" data-tab="sinks" data-i18n="tab.sinks">Sinks</a>
    <a href="#playground" data-tab="playground" data-i18n="tab.playground">Playground</a>
  </nav>
  <span class="spacer"></span>
  <select id="lang" aria-label="Language / 语言"><option value="zh">中文</option><option value="en">English</option></select>
  <button id="refresh" type="button" data-i18n="refresh" hidden>Refresh</button>
  <button id="logout" type="button" class="quiet" data-i18n="sign.out" hidden>Sign out</button>
</header>
<main>
  <section id="login" class="card narrow" hidden>
    <h1 data-i18n="sign.in">Sign in</h1>
    <p data-i18n="login.help">Enter the admin token (admin.token in the config, often $HOOKMUX_ADMIN_TOKEN). It is kept in this tab only.</p>
    <form id="login-form">
      <input id="token" type="password" autocomplete="current-password" placeholder="admin token" data-i18n-placeholder="login.placeholder" required>
      <button type="submit" data-i18n="sign.in">Sign in</button>
    </form>
    <p id="login-error" class="error" role="alert" hidden></p>
  </section>
  <p id="status" class="notice" role="status" hidden></p>

  <section id="view-events" class="view" hidden>
    <h2 data-i18n="events.title">Recent events</h2>
    <p class="hint" data-i18n="events.hint">The last events hookmux accepted (kept in memory since the last start).</p>
    <div id="events"></div>
  </section>

  <section id="view-deliveries" class="view" hidden>
    <h2 data-i18n="deliveries.title">Deliveries</h2>
    <form id="delivery-filter" class="filters">
      <label><span data-i18n="filter.status">Status</span> <select id="filter-status">
        <option value="" data-i18n="filter.any">any</option><option value="pending" data-i18n="status.pending">pending</option><option value="sending" data-i18n="status.sending">sending</option><option value="retrying" data-i18n="status.retrying">retrying</option><option value="sent" data-i18n="status.sent">sent</option><option value="dead" data-i18n="status.dead">dead</option>
      </select></label>
      <label><span data-i18n="filter.sink">Sink</span> <select id="filter-sink"><option value="">any</option></select></label>
    </form>
    <div id="deliveries"></div>
    <button id="more" type="button" class="quiet" data-i18n="deliveries.more" hidden>Load older</button>
    <div id="delivery-detail"></div>
  </section>

  <section id="view-dead" class="view" hidden>
    <h2 data-i18n="dead.title">Dead letters</h2>
    <p class="hint" data-i18n="dead.hint">Messages a robot refused for good (wrong key, robot removed, bad message). Fix the cause, then replay.</p>
    <div class="actions"><button id="replay-all" type="button" data-i18n="dead.replayAll">Replay all dead</button></div>
    <div id="dead"></div>
  </section>

  <section id="view-sinks" class="view" hidden>
    <h2 data-i18n="sinks.title">Sinks</h2>
    <div id="sinks" class="grid"></div>
  </section>

  <section id="view-playground" class="view" hidden>
    <h2 data-i18n="play.title">Template playground</h2>
    <p class="hint" data-i18n="play.hint">Render a payload through the config in force: routes, templates and sinks. Nothing is queued or sent.</p>
    <form id="render-form" class="playground">
      <div class="row">
        <label><span data-i18n="play.sample">Sample</span> <select id="sample"></select></label>
        <label><span data-i18n="play.source">Source</span> <input id="render-source" value="gitee" size="10"></label>
        <label><span data-i18n="play.eventHeader">Event header</span> <select id="render-event">
          <option value="" data-i18n="play.fromPayload">(from the payload)</option>
          <option>Push Hook</option><option>Tag Push Hook</option><option>Issue Hook</option><option>Merge Request Hook</option><option>Note Hook</option>
        </select></label>
        <button type="submit" data-i18n="play.render">Render</button>
      </div>
      <textarea id="payload" spellcheck="false" rows="16" placeholder="Paste a webhook body (JSON)" data-i18n-placeholder="play.placeholder"></textarea>
    </form>
    <div id="render-result"></div>
  </section>
</main>
</body>
</html>
`;
