/**
 * The admin page shell. It is static and holds no data (so it is served without the token);
 * everything it shows comes from `/api` with the token the user types in, kept in
 * sessionStorage. Script and styles are separate files so the CSP can forbid inline code.
 */
export const adminPageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>hookmux admin</title>
<link rel="stylesheet" href="/admin/admin.css">
<script src="/admin/admin.js" defer></script>
</head>
<body>
<header class="top">
  <span class="brand">hookmux <small>admin</small></span>
  <nav id="tabs" hidden>
    <a href="#events" data-tab="events">Events</a>
    <a href="#deliveries" data-tab="deliveries">Deliveries</a>
    <a href="#dead" data-tab="dead">Dead letters <span id="dead-count" class="pill" hidden></span></a>
    <a href="#sinks" data-tab="sinks">Sinks</a>
    <a href="#playground" data-tab="playground">Playground</a>
  </nav>
  <span class="spacer"></span>
  <button id="refresh" type="button" hidden>Refresh</button>
  <button id="logout" type="button" class="quiet" hidden>Sign out</button>
</header>
<main>
  <section id="login" class="card narrow" hidden>
    <h1>Sign in</h1>
    <p>Enter the admin token (<code>admin.token</code> in the config, often <code>$HOOKMUX_ADMIN_TOKEN</code>). It is kept in this tab only.</p>
    <form id="login-form">
      <input id="token" type="password" autocomplete="current-password" placeholder="admin token" required>
      <button type="submit">Sign in</button>
    </form>
    <p id="login-error" class="error" role="alert" hidden></p>
  </section>
  <p id="status" class="notice" role="status" hidden></p>

  <section id="view-events" class="view" hidden>
    <h2>Recent events</h2>
    <p class="hint">The last events hookmux accepted (kept in memory since the last start).</p>
    <div id="events"></div>
  </section>

  <section id="view-deliveries" class="view" hidden>
    <h2>Deliveries</h2>
    <form id="delivery-filter" class="filters">
      <label>Status <select id="filter-status">
        <option value="">any</option><option>pending</option><option>sending</option><option>retrying</option><option>sent</option><option>dead</option>
      </select></label>
      <label>Sink <select id="filter-sink"><option value="">any</option></select></label>
    </form>
    <div id="deliveries"></div>
    <button id="more" type="button" class="quiet" hidden>Load older</button>
    <div id="delivery-detail"></div>
  </section>

  <section id="view-dead" class="view" hidden>
    <h2>Dead letters</h2>
    <p class="hint">Messages a robot refused for good (wrong key, robot removed, bad message). Fix the cause, then replay.</p>
    <div class="actions"><button id="replay-all" type="button">Replay all dead</button></div>
    <div id="dead"></div>
  </section>

  <section id="view-sinks" class="view" hidden>
    <h2>Sinks</h2>
    <div id="sinks" class="grid"></div>
  </section>

  <section id="view-playground" class="view" hidden>
    <h2>Template playground</h2>
    <p class="hint">Render a payload through the config in force: routes, templates and sinks. Nothing is queued or sent.</p>
    <form id="render-form" class="playground">
      <div class="row">
        <label>Sample <select id="sample"></select></label>
        <label>Source <input id="render-source" value="gitee" size="10"></label>
        <label>Event header <select id="render-event">
          <option value="">(from the payload)</option>
          <option>Push Hook</option><option>Tag Push Hook</option><option>Issue Hook</option><option>Merge Request Hook</option><option>Note Hook</option>
        </select></label>
        <button type="submit">Render</button>
      </div>
      <textarea id="payload" spellcheck="false" rows="16" placeholder="Paste a webhook body (JSON)"></textarea>
    </form>
    <div id="render-result"></div>
  </section>
</main>
</body>
</html>
`;
