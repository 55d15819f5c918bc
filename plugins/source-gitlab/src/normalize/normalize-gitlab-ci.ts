import {
  collectLogins,
  formatDurationZh,
  type HostCommit,
  type HostPipelineData,
  type HostPipelineInfo,
  isJsonRecord,
  type JsonRecord,
  type NormalizedHook,
  pickFirst,
  readBoolean,
  readNumber,
  readRecord,
  readRecords,
  readText,
  someone,
  toHostCommit,
} from '@hookmux/core';
import {
  createMalformedError,
  publicCommon,
  readGitLabCommon,
  toGitLabPerson,
  type CommonParts,
} from './read-gitlab-common.js';

/** GitLab's pipeline and job statuses as the cross-host CI action. */
export function toGitLabCiAction(status: string | undefined): string {
  switch (status ?? '') {
    case 'success':
      return 'success';
    case 'failed':
      return 'failed';
    case 'canceled':
    case 'canceling':
      return 'cancelled';
    case 'running':
      return 'running';
    case 'skipped':
      return 'skipped';
    case 'manual':
      return 'manual';
    default:
      return 'pending'; // created, waiting_for_resource, preparing, pending, scheduled
  }
}

export const gitLabCiActions = [
  'pending',
  'running',
  'success',
  'failed',
  'cancelled',
  'skipped',
  'manual',
] as const;

/** Pipeline Hook: the pipeline's status, its failed jobs, the commit and who started it. */
export function normalizeGitLabPipeline(body: JsonRecord): NormalizedHook<HostPipelineData> {
  const attributes = readRecord(body, 'object_attributes');
  if (attributes === undefined) throw createMalformedError('pipeline', 'object_attributes');
  const common = readGitLabCommon(body, 'pipeline', 'pipeline');
  const hostStatus = readText(attributes, 'status');
  const action = toGitLabCiAction(hostStatus);
  const id = readText(attributes, 'id');
  const number = pickFirst(readText(attributes, 'iid'), id);
  const named = readText(attributes, 'name');
  const web = common.repo.url;
  const isTag = readBoolean(attributes, 'tag') ?? false;
  const ref = readText(attributes, 'ref');
  const failedJobs = readRecords(body, 'builds')
    .filter((b) => readText(b, 'status') === 'failed')
    .slice(0, 10)
    .map((b) => ({
      name: readText(b, 'name') ?? 'job',
      stage: readText(b, 'stage'),
      url: readText(b, 'id') === undefined ? undefined : `${web}/-/jobs/${readText(b, 'id') ?? ''}`,
    }));
  const commit = readPipelineCommit(body['commit'], web);
  return ciEvent(common, action, 'pipeline', {
    type: 'pipeline',
    id,
    // Pipelines have a name only when `workflow:name` sets one; else the number is the name.
    number: named === undefined ? undefined : number,
    name: named ?? (number === undefined ? 'pipeline' : `#${number}`),
    status: action,
    hostStatus,
    branch: ref,
    tag: isTag ? ref : undefined,
    url: readText(attributes, 'url') ?? (id === undefined ? undefined : `${web}/-/pipelines/${id}`),
    durationSec: readNumber(attributes, 'duration'),
    triggeredBy: toGitLabPerson(body['user'], common.origin),
    trigger: readText(attributes, 'source'),
    commit,
    stage: undefined,
    failedJobs,
  });
}

/** Job Hook (`object_kind: build`): one job of a pipeline. */
export function normalizeGitLabJob(body: JsonRecord): NormalizedHook<HostPipelineData> {
  const common = readGitLabCommon(body, 'job', 'pipeline');
  const hostStatus = readText(body, 'build_status');
  const action = toGitLabCiAction(hostStatus);
  const id = readText(body, 'build_id');
  const web = common.repo.url;
  const commitRecord = readRecord(body, 'commit');
  const sha = pickFirst(readText(commitRecord, 'sha'), readText(body, 'sha'));
  const commit =
    sha === undefined
      ? undefined
      : toHostCommit(
          {
            id: sha,
            message: readText(commitRecord, 'message') ?? '',
            author: { name: readText(commitRecord, 'author_name') ?? 'unknown' },
          },
          (c) => `${web}/-/commit/${c}`,
        );
  const isTag = readBoolean(body, 'tag') ?? false;
  const ref = readText(body, 'ref');
  return ciEvent(common, action, 'job', {
    type: 'job',
    id,
    number: id,
    name: readText(body, 'build_name') ?? 'job',
    status: action,
    hostStatus,
    branch: ref,
    tag: isTag ? ref : undefined,
    url: id === undefined ? undefined : `${web}/-/jobs/${id}`,
    durationSec: readNumber(body, 'build_duration'),
    triggeredBy: toGitLabPerson(body['user'], common.origin),
    trigger: undefined,
    commit,
    stage: readText(body, 'build_stage'),
    failedJobs: [],
  });
}

function readPipelineCommit(value: unknown, web: string): HostCommit | undefined {
  return isJsonRecord(value) ? toHostCommit(value, (id) => `${web}/-/commit/${id}`) : undefined;
}

function ciEvent(
  common: CommonParts,
  action: string,
  type: 'pipeline' | 'job',
  info: Omit<HostPipelineInfo, 'durationText'>,
): NormalizedHook<HostPipelineData> {
  const pipeline: HostPipelineInfo = {
    ...info,
    durationSec: info.durationSec === undefined ? undefined : Math.round(info.durationSec),
    durationText: formatDurationZh(info.durationSec),
  };
  // On failure, the one to tell is who pushed (GitLab gives no commit author login, only the user).
  const mentions =
    action === 'failed' ? collectLogins([pipeline.triggeredBy], { ...someone, login: undefined }) : [];
  const where = `${common.repo.fullName}${pipeline.branch ? `:${pipeline.branch}` : ''}`;
  return {
    type,
    action,
    branch: pipeline.tag === undefined ? pipeline.branch : undefined,
    tag: pipeline.tag,
    url: pipeline.url ?? common.repo.url,
    summary: `${type === 'job' ? 'job' : 'pipeline'} ${pipeline.name} ${action} on ${where}${pipeline.triggeredBy ? ` (${pipeline.triggeredBy.login ?? pipeline.triggeredBy.name})` : ''}`,
    data: { ...publicCommon(common), mentions, pipeline },
  };
}
