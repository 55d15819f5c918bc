import { describe, expect, it } from '@jest/globals';

import { adminMessages } from './admin-messages.js';
import { adminPageHtml } from './admin-page-html.js';
import { adminScript } from './admin-script.js';

describe('admin page words', () => {
  it('has every key in both Chinese and English, and none left untranslated', () => {
    expect(Object.keys(adminMessages.zh).sort()).toEqual(Object.keys(adminMessages.en).sort());
    const english: Readonly<Record<string, string>> = adminMessages.en;
    const chinese: Readonly<Record<string, string>> = adminMessages.zh;
    for (const [key, text] of Object.entries(chinese)) {
      const en = english[key] ?? '';
      // Codes and units may read the same; sentences must not.
      if (en.includes(' ')) expect({ key, same: text === en }).toEqual({ key, same: false });
    }
  });

  it('knows every key the page and the script ask for', () => {
    const asked = [
      ...[...adminPageHtml.matchAll(/data-i18n(?:-placeholder)?="([^"]+)"/g)].map((m) => m[1]),
      ...[...adminScript.matchAll(/\bt\('([a-zA-Z.]+)'/g)].map((m) => m[1]),
    ];
    expect(asked.length).toBeGreaterThan(50);
    // `t('status.' + status)` builds its key: the five statuses are checked by name.
    const missing = asked.filter((key) => key !== 'status.' && !(String(key) in adminMessages.en));
    expect(missing).toEqual([]);
  });
});
