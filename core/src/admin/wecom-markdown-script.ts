/**
 * Browser code (plain ES2017, no imports) that defines `renderWeComMarkdown(source)`: the WeCom
 * markdown subset a robot message shows (headings, bold, links, inline code, quotes,
 * `<font color="info|comment|warning">`, `<@userid>`) turned into HTML. Every other character
 * is escaped, and links are kept only for http(s) URLs, so its output is safe for innerHTML
 * whatever the template or payload put in the text. It is a string, not a module, because the
 * page loads it as is; `wecom-markdown-script.spec.ts` runs it in Node.
 */
export const weComMarkdownScript = String.raw`
function escapeHtml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function renderWeComInline(text) {
  var pattern = /\x60([^\x60]+)\x60|<font\s+color\s*=\s*["']?(info|comment|warning)["']?\s*>([\s\S]*?)<\/font>|<@([^>\s]+)>|\[([^\]]+)\]\(([^)\s]+)\)|\*\*([^*]+)\*\*/gi;
  var html = '';
  var last = 0;
  var match;
  while ((match = pattern.exec(text)) !== null) {
    html += escapeHtml(text.slice(last, match.index));
    if (match[1] !== undefined) {
      html += '<code>' + escapeHtml(match[1]) + '</code>';
    } else if (match[2] !== undefined) {
      html += '<span class="md-' + match[2].toLowerCase() + '">' + renderWeComInline(match[3]) + '</span>';
    } else if (match[4] !== undefined) {
      html += '<span class="md-mention">@' + escapeHtml(match[4]) + '</span>';
    } else if (match[5] !== undefined) {
      if (/^https?:\/\//i.test(match[6])) {
        html += '<a href="' + escapeHtml(match[6]) + '" target="_blank" rel="noopener noreferrer">' +
          renderWeComInline(match[5]) + '</a>';
      } else {
        html += escapeHtml(match[0]);
      }
    } else {
      html += '<strong>' + renderWeComInline(match[7]) + '</strong>';
    }
    last = pattern.lastIndex;
  }
  return html + escapeHtml(text.slice(last));
}

function renderWeComMarkdown(source) {
  var lines = String(source).replace(/\r\n?/g, '\n').split('\n');
  var html = '';
  var open = '';
  var close = function () {
    if (open) html += '</' + open + '>';
    open = '';
  };
  for (var i = 0; i < lines.length; i++) {
    var line = lines[i];
    var heading = /^(#{1,6})\s+(.*)$/.exec(line);
    var quote = /^>\s?(.*)$/.exec(line);
    if (heading) {
      close();
      html += '<h' + heading[1].length + '>' + renderWeComInline(heading[2]) + '</h' + heading[1].length + '>';
    } else if (quote) {
      if (open !== 'blockquote') { close(); html += '<blockquote>'; open = 'blockquote'; } else html += '<br>';
      html += renderWeComInline(quote[1]);
    } else if (line.trim() === '') {
      close();
    } else {
      if (open !== 'p') { close(); html += '<p>'; open = 'p'; } else html += '<br>';
      html += renderWeComInline(line);
    }
  }
  close();
  return html;
}
`;
