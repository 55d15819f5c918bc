/** The admin page's styles: system fonts, no external assets. */
export const adminStyles = `
:root {
  --bg: #f5f6f8; --card: #fff; --ink: #1f2328; --muted: #656d76; --line: #d8dee4; --accent: #0969da;
  --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --info-bg: #ddf4ff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
  color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
[hidden] { display: none !important; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.top { display: flex; align-items: center; gap: 16px; padding: 0 24px; height: 52px; background: #24292f; color: #fff; position: sticky; top: 0; z-index: 1; }
.brand { font-weight: 600; font-size: 16px; }
.brand small { font-weight: 400; color: #9da7b3; }
.top nav { display: flex; gap: 4px; }
.top nav a { color: #d0d7de; padding: 6px 10px; border-radius: 6px; }
.top nav a.active, .top nav a:hover { background: #3b434b; color: #fff; text-decoration: none; }
.spacer { flex: 1; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 20px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 8px 0 4px; }
h3 { font-size: 15px; margin: 0; }
.hint, .muted { color: var(--muted); }
.hint { margin: 0 0 12px; }
button { font: inherit; padding: 5px 12px; border-radius: 6px; border: 1px solid #1f883d; background: #1f883d; color: #fff; cursor: pointer; }
button:hover { filter: brightness(1.08); }
button:disabled { opacity: .5; cursor: default; }
button.quiet { background: transparent; border-color: var(--line); color: inherit; }
.top button.quiet { color: #d0d7de; border-color: #57606a; }
.top button:not(.quiet) { background: #3b434b; border-color: #57606a; }
.top select { background: #3b434b; border-color: #57606a; color: #fff; padding: 4px 8px; }
ul.no-route { margin: 8px 0 0; padding-left: 20px; }
details.no-route ul { margin: 6px 0 0; padding-left: 18px; font-size: 12px; }
input, select, textarea { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: inherit; }
label { color: var(--muted); display: inline-flex; align-items: center; gap: 6px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.narrow { max-width: 440px; margin: 64px auto; }
#login-form { display: flex; gap: 8px; }
#login-form input { flex: 1; }
.notice { padding: 8px 12px; border-radius: 6px; background: var(--info-bg); margin: 0 0 12px; }
.notice.error, p.error { background: #ffebe9; color: var(--bad); padding: 8px 12px; border-radius: 6px; }
.notice.ok { background: #dafbe1; color: var(--ok); }
dd.error { color: var(--bad); }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
tr:last-child td { border-bottom: 0; }
td.num { text-align: right; }
td.answer { max-width: 340px; word-break: break-word; color: var(--muted); }
.nowrap { white-space: nowrap; }
.empty { color: var(--muted); padding: 24px; text-align: center; background: var(--card); border: 1px dashed var(--line); border-radius: 8px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; background: #eaeef2; color: #424a53; margin-left: 6px; white-space: nowrap; }
td > .badge:first-child { margin-left: 0; }
.status-sent { background: #dafbe1; color: var(--ok); }
.status-dead { background: #ffebe9; color: var(--bad); }
.status-retrying { background: #fff8c5; color: var(--warn); }
.status-pending, .status-sending { background: var(--info-bg); color: var(--accent); }
.pill { background: var(--bad); color: #fff; border-radius: 999px; padding: 0 6px; font-size: 11px; margin-left: 4px; }
.filters, .actions, .row { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin-bottom: 12px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; }
.counts { display: flex; gap: 6px; flex-wrap: wrap; margin: 8px 0; }
.count { padding: 2px 8px; border-radius: 6px; font-size: 12px; background: #eaeef2; }
.meter-row { display: grid; grid-template-columns: 150px 1fr; align-items: center; gap: 8px; margin: 4px 0; }
.meter { display: block; height: 8px; background: #eaeef2; border-radius: 4px; overflow: hidden; }
.meter > span { display: block; height: 100%; background: var(--ok); }
.meter > span.full { background: var(--warn); }
.rate p { margin: 4px 0; }
details { margin-top: 8px; }
summary { cursor: pointer; color: var(--muted); }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 10px; overflow: auto; max-height: 360px; margin: 6px 0 0; }
.detail { margin-top: 16px; }
.detail dl { display: grid; grid-template-columns: 120px 1fr; gap: 4px 12px; margin: 8px 0 12px; }
.detail dt { color: var(--muted); }
.detail dd { margin: 0; word-break: break-word; }
.playground textarea { width: 100%; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
#render-result { display: grid; gap: 12px; margin-top: 12px; }
.event-line { margin: 0; }
.bubble { background: #fff; border: 1px solid var(--line); border-left: 4px solid #2aae67; border-radius: 6px; padding: 10px 14px; margin-top: 10px; max-width: 640px; }
pre.bubble { white-space: pre-wrap; word-break: break-word; font-family: inherit; font-size: 14px; max-height: none; background: #fff; }
.markdown h1, .markdown h2, .markdown h3, .markdown h4, .markdown h5, .markdown h6 { margin: 4px 0 6px; font-size: 15px; }
.markdown h1 { font-size: 18px; } .markdown h2 { font-size: 16px; }
.markdown p { margin: 4px 0; }
.markdown blockquote { margin: 6px 0; padding: 2px 10px; border-left: 3px solid var(--line); color: var(--muted); }
.markdown code { background: #f6f8fa; padding: 0 4px; border-radius: 4px; }
.md-info { color: #2aae67; } .md-comment { color: #888; } .md-warning { color: #f37b1d; }
.md-mention { color: var(--accent); }
`;
