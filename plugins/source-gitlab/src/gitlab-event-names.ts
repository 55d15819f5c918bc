import { gitLabCiActions } from './normalize/normalize-gitlab-ci.js';
import { gitLabMergeRequestActions } from './normalize/normalize-gitlab-merge-request.js';

/**
 * `X-Gitlab-Event` values and the event type each becomes. Confidential issues and notes are
 * their own types (`confidential_issue`, `confidential_note`), as GitLab keeps them apart: a route
 * with `event: issue` never sends a confidential issue to a group by accident.
 */
export const gitLabHookTypes: Readonly<Record<string, string>> = {
  'push hook': 'push',
  'tag push hook': 'tag_push',
  'issue hook': 'issue',
  'confidential issue hook': 'confidential_issue',
  'merge request hook': 'merge_request',
  'note hook': 'note',
  'confidential note hook': 'confidential_note',
  'pipeline hook': 'pipeline',
  'job hook': 'job',
  'release hook': 'release',
};

/** `object_kind` of the body → event type (`build` is a job). */
export const gitLabObjectKinds: Readonly<Record<string, string>> = {
  push: 'push',
  tag_push: 'tag_push',
  issue: 'issue',
  merge_request: 'merge_request',
  note: 'note',
  pipeline: 'pipeline',
  build: 'job',
  release: 'release',
};

const issueActions = ['open', 'close', 'reopen', 'update', 'assign'];
const noteActions = ['comment', 'edited'];

/** Every event name the GitLab source emits. */
export const gitLabEventNames: readonly string[] = [
  ...['create', 'update', 'delete'].map((a) => `gitlab.push.${a}`),
  ...['create', 'update', 'delete'].map((a) => `gitlab.tag_push.${a}`),
  ...issueActions.map((a) => `gitlab.issue.${a}`),
  ...issueActions.map((a) => `gitlab.confidential_issue.${a}`),
  ...gitLabMergeRequestActions.map((a) => `gitlab.merge_request.${a}`),
  ...noteActions.map((a) => `gitlab.note.${a}`),
  ...noteActions.map((a) => `gitlab.confidential_note.${a}`),
  ...gitLabCiActions.map((a) => `gitlab.pipeline.${a}`),
  ...gitLabCiActions.map((a) => `gitlab.job.${a}`),
  ...['create', 'update', 'delete'].map((a) => `gitlab.release.${a}`),
];
