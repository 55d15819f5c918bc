import {
  collectLogins,
  formatDurationZh,
  type HostPipelineData,
  type HostPipelineInfo,
  type JsonRecord,
  type NormalizedHook,
  readNumber,
  readRecord,
  readText,
  toHostCommit,
  toHostPerson,
  whoOfHost,
} from '@hookmux/core';
import { createMalformedError, readGitHubCommon } from './read-github-common.js';

/**
 * A run's outcome as an action: `success` / `failed` (failure, timed out, could not start) /
 * `cancelled` / `skipped`; before it ends, `pending` (requested, queued) or `running`.
 */
export function toCiAction(status: string | undefined, conclusion: string | undefined): string {
  if (status !== 'completed') return status === 'in_progress' ? 'running' : 'pending';
  switch (conclusion ?? '') {
    case 'success':
      return 'success';
    case 'failure':
    case 'timed_out':
    case 'startup_failure':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    case 'action_required':
      return 'pending';
    default:
      return 'skipped'; // neutral, skipped, stale
  }
}

function secondsBetween(from: string | undefined, to: string | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms / 1000) : undefined;
}

/** `workflow_run`: one GitHub Actions workflow run requested, in progress or completed. */
export function normalizeGitHubWorkflowRun(body: JsonRecord): NormalizedHook<HostPipelineData> {
  const common = readGitHubCommon(body, 'workflow_run', 'pipeline');
  const run = readRecord(body, 'workflow_run');
  if (run === undefined) throw createMalformedError('workflow_run', 'workflow_run');
  const hostStatus = readText(run, 'conclusion') ?? readText(run, 'status');
  const action = toCiAction(readText(run, 'status'), readText(run, 'conclusion'));
  const commit = toHostCommit(run['head_commit'], (id) => `${common.repo.url}/commit/${id}`);
  const triggeredBy = toHostPerson(run['triggering_actor']) ?? toHostPerson(run['actor']) ?? common.actor;
  const branch = readText(run, 'head_branch');
  const pipeline: Omit<HostPipelineInfo, 'durationText'> = {
    type: 'workflow_run',
    id: readText(run, 'id'),
    number: readText(run, 'run_number'),
    name: readText(run, 'name') ?? readText(readRecord(body, 'workflow'), 'name') ?? 'workflow',
    status: action,
    hostStatus,
    branch,
    tag: undefined,
    url: readText(run, 'html_url'),
    durationSec:
      action === 'pending' || action === 'running'
        ? undefined
        : secondsBetween(
            readText(run, 'run_started_at') ?? readText(run, 'created_at'),
            readText(run, 'updated_at'),
          ),
    triggeredBy,
    trigger: readText(run, 'event'),
    commit,
    stage: undefined,
    failedJobs: [],
  };
  return ciEvent('workflow_run', common, pipeline, action, readNumber(run, 'run_attempt'));
}

/** `check_suite`: the checks of one app (GitHub Actions, a CI service) on one commit. */
export function normalizeGitHubCheckSuite(body: JsonRecord): NormalizedHook<HostPipelineData> {
  const common = readGitHubCommon(body, 'check_suite', 'pipeline');
  const suite = readRecord(body, 'check_suite');
  if (suite === undefined) throw createMalformedError('check_suite', 'check_suite');
  const action = toCiAction(readText(suite, 'status'), readText(suite, 'conclusion'));
  const sha = readText(suite, 'head_sha');
  const commit = toHostCommit(suite['head_commit'], (id) => `${common.repo.url}/commit/${id}`);
  const pipeline: Omit<HostPipelineInfo, 'durationText'> = {
    type: 'check_suite',
    id: readText(suite, 'id'),
    number: undefined,
    name: readText(readRecord(suite, 'app'), 'name') ?? 'checks',
    status: action,
    hostStatus: readText(suite, 'conclusion') ?? readText(suite, 'status'),
    branch: readText(suite, 'head_branch'),
    tag: undefined,
    // A check suite has no page of its own; its commit's checks tab lists it.
    url: sha === undefined ? undefined : `${common.repo.url}/commit/${sha}/checks`,
    durationSec:
      action === 'pending' || action === 'running'
        ? undefined
        : secondsBetween(readText(suite, 'created_at'), readText(suite, 'updated_at')),
    triggeredBy: common.actor,
    trigger: undefined,
    commit,
    stage: undefined,
    failedJobs: [],
  };
  return ciEvent('check_suite', common, pipeline, action, undefined);
}

function ciEvent(
  type: string,
  common: ReturnType<typeof readGitHubCommon>,
  info: Omit<HostPipelineInfo, 'durationText'>,
  action: string,
  attempt: number | undefined,
): NormalizedHook<HostPipelineData> {
  const pipeline: HostPipelineInfo = { ...info, durationText: formatDurationZh(info.durationSec) };
  const where = `${common.repo.fullName}${pipeline.branch ? `:${pipeline.branch}` : ''}`;
  const run = `${pipeline.name}${pipeline.number ? ` #${pipeline.number}` : ''}${attempt !== undefined && attempt > 1 ? ` (attempt ${attempt})` : ''}`;
  // On failure the committer is the one to tell (the people map turns the login into a mention).
  const committer = pipeline.commit?.author.login;
  const mentions =
    action === 'failed'
      ? collectLogins(
          [committer ? { login: committer, name: committer, url: undefined } : pipeline.triggeredBy],
          {
            login: undefined,
            name: '',
            url: undefined,
          },
        )
      : [];
  return {
    type,
    action,
    branch: pipeline.branch,
    tag: undefined,
    url: pipeline.url ?? common.repo.url,
    summary: `${run} ${action} on ${where}${pipeline.triggeredBy ? ` (${whoOfHost({ ...common, actor: pipeline.triggeredBy })})` : ''}`,
    data: { ...common, mentions, pipeline },
  };
}
