/** Every event the Gitee source emits; routes and templates key on these names. */
export const giteeEventNames = [
  'gitee.push.create',
  'gitee.push.update',
  'gitee.push.delete',
  'gitee.tag_push.create',
  'gitee.tag_push.delete',
  'gitee.tag_push.update',
  'gitee.issue.open',
  'gitee.issue.state_change',
  'gitee.issue.assign',
  'gitee.issue.delete',
  'gitee.merge_request.open',
  'gitee.merge_request.update',
  'gitee.merge_request.merge',
  'gitee.merge_request.close',
  'gitee.merge_request.reopen',
  'gitee.merge_request.approved',
  'gitee.merge_request.tested',
  'gitee.merge_request.assign',
  'gitee.note.comment',
  'gitee.note.edited',
  'gitee.note.deleted',
] as const;

export type GiteeEventName = (typeof giteeEventNames)[number];

export function isGiteeEventName(name: string): name is GiteeEventName {
  return (giteeEventNames as readonly string[]).includes(name);
}

/** The five hook kinds, by their body `hook_name`; the event `type` is the name minus `_hooks`. */
export const giteeHookKinds = {
  push_hooks: 'push',
  tag_push_hooks: 'tag_push',
  issue_hooks: 'issue',
  merge_request_hooks: 'merge_request',
  note_hooks: 'note',
} as const;

export type GiteeHookName = keyof typeof giteeHookKinds;
export type GiteeHookType = (typeof giteeHookKinds)[GiteeHookName];

export function isGiteeHookName(value: string): value is GiteeHookName {
  return Object.hasOwn(giteeHookKinds, value);
}
