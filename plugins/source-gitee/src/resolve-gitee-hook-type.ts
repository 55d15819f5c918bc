import { HookmuxError, readText } from '@hookmux/core';

import { giteeHookKinds, isGiteeHookName, type GiteeHookType } from './gitee-event-names.js';

/**
 * `X-Gitee-Event` comes in two spellings: `Push Hook` on real deliveries and `push_hooks` on
 * test deliveries (and, per the jenkins plugin's 2025 fix, maybe on real ones too). Both, and the
 * legacy `X-Git-Oschina-Event`, are folded into the `hook_name` form here, once.
 */
const headerSpellings: Readonly<Record<string, GiteeHookType>> = {
  'push hook': 'push',
  'tag push hook': 'tag_push',
  'issue hook': 'issue',
  'merge request hook': 'merge_request',
  'note hook': 'note',
};

/** `Push Hook`, `push_hooks`, `PUSH HOOK` → `push`; anything else → undefined. */
export function normalizeGiteeEventHeader(value: string | undefined): GiteeHookType | undefined {
  if (value === undefined) return undefined;
  const folded = value.trim().toLowerCase().replace(/\s+/g, ' ');
  if (isGiteeHookName(folded)) return giteeHookKinds[folded];
  return headerSpellings[folded];
}

/** The hook kind from the body `hook_name`, falling back to the event header. */
export function resolveGiteeHookType(
  body: unknown,
  headers: Readonly<Record<string, string | undefined>>,
): GiteeHookType {
  const hookName = readText(body, 'hook_name');
  if (hookName !== undefined && isGiteeHookName(hookName)) return giteeHookKinds[hookName];
  const header = headers['x-gitee-event'] ?? headers['x-git-oschina-event'];
  // A hook_name we do not know wins over the header: the body is what Gitee meant.
  const fromHeader = hookName === undefined ? normalizeGiteeEventHeader(header) : undefined;
  if (fromHeader !== undefined) return fromHeader;
  throw new HookmuxError(
    'HM_ERR_SRC_UNKNOWN_HOOK',
    `unknown Gitee hook kind (hook_name ${describeValue(hookName)}, X-Gitee-Event ${describeValue(header)})`,
    {
      hint: 'hookmux handles push_hooks, tag_push_hooks, issue_hooks, merge_request_hooks and note_hooks; untick other event kinds in the Gitee WebHook settings',
      at: 'hook_name',
    },
  );
}

/** Quoted, printable and short: these strings come from the caller and end up in logs. */
function describeValue(value: string | undefined): string {
  if (value === undefined) return 'missing';
  const printable = value.replace(/[^\x20-\x7e\u4e00-\u9fff]/g, '?');
  return JSON.stringify(printable.length > 40 ? `${printable.slice(0, 40)}…` : printable);
}
