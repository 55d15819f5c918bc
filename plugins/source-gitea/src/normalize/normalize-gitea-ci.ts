import {
  collectLogins,
  formatDurationZh,
  type HostPipelineData,
  type HostPipelineInfo,
  type JsonRecord,
  type NormalizedHook,
  pickFirst,
  readNumber,
  readRecord,
  readText,
  toHostCommit,
  toHostPerson,
  whoOfHost,
} from '@hookmux/core';
import { createMalformedError, readGiteaCommon, type CommonParts } from './read-gitea-common.js';

/** GitHub-style status + conclusion (Gitea 1.24+ `workflow_run`) to the cross-host CI action. */
function toCiAction(status: string | undefined, conclusion: string | undefined): string {
  if (status !== 'completed') return status === 'in_progress' || status === 'running' ? 'running' : 'pending';
  return toOutcome(conclusion);
}

function toOutcome(value: string | undefined): string {
  switch (value ?? '') {
    case 'success':
    case 'recover':
      return 'success';
    case 'failure':
    case 'failed':
    case 'timed_out':
      return 'failed';
    case 'cancelled':
    case 'canceled':
      return 'cancelled';
    case 'running':
      return 'running';
    case 'waiting':
    case 'blocked':
    case 'pending':
      return 'pending';
    default:
      return 'skipped';
  }
}

function secondsBetween(from: string | undefined, to: string | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms / 1000) : undefined;
}

/** Gitea 1.24+ `workflow_run`: the GitHub shape (`workflow_run {status, conclusion, head_branch...}`). */
export function normalizeGiteaWorkflowRun(body: JsonRecord): NormalizedHook<HostPipelineData> {
  const common = readGiteaCommon(body, 'workflow_run', 'pipeline');
  const run = readRecord(body, 'workflow_run');
  if (run === undefined) throw createMalformedError('workflow_run', 'workflow_run');
  const action = toCiAction(readText(run, 'status'), readText(run, 'conclusion'));
  return ciEvent('workflow_run', common, action, {
    type: 'workflow_run',
    id: readText(run, 'id'),
    number: readText(run, 'run_number'),
    name:
      pickFirst(
        readText(run, 'name'),
        readText(run, 'display_title'),
        readText(readRecord(body, 'workflow'), 'name'),
      ) ?? 'workflow',
    status: action,
    hostStatus: readText(run, 'conclusion') ?? readText(run, 'status'),
    branch: readText(run, 'head_branch'),
    tag: undefined,
    url: readText(run, 'html_url'),
    durationSec:
      action === 'running' || action === 'pending'
        ? undefined
        : secondsBetween(
            readText(run, 'run_started_at') ?? readText(run, 'created_at'),
            readText(run, 'updated_at'),
          ),
    triggeredBy: toHostPerson(run['triggering_actor']) ?? toHostPerson(run['actor']) ?? common.actor,
    trigger: readText(run, 'event'),
    commit: toHostCommit(run['head_commit'], (id) => `${common.repo.url}/commit/${id}`),
    stage: undefined,
    failedJobs: [],
  });
}

/**
 * Forgejo's Actions run notifications (`X-Forgejo-Event: action_run`, action `success`,
 * `failure`, `recover`): read leniently, since the shape is young (`run.title` or
 * `run.workflow_name`, `run.prettyref` or `run.head_branch`, `run.commit_sha` or `run.head_commit`).
 */
export function normalizeForgejoActionRun(body: JsonRecord): NormalizedHook<HostPipelineData> {
  const common = readGiteaCommon(body, 'action_run', 'pipeline');
  const run = readRecord(body, 'run');
  if (run === undefined) throw createMalformedError('action_run', 'run');
  const action = toOutcome(readText(body, 'action') ?? readText(run, 'status'));
  const sha = pickFirst(readText(run, 'commit_sha'), readText(run, 'head_sha'));
  const headCommit = readRecord(run, 'head_commit');
  const durationNs = readNumber(run, 'duration');
  return ciEvent('action_run', common, action, {
    type: 'action_run',
    id: readText(run, 'id'),
    number: readText(run, 'index') ?? readText(run, 'id'),
    name:
      pickFirst(readText(run, 'workflow_name'), readText(run, 'title'), readText(run, 'workflow_id')) ??
      'workflow',
    status: action,
    hostStatus: pickFirst(readText(body, 'action'), readText(run, 'status')),
    branch: pickFirst(readText(run, 'head_branch'), readText(run, 'prettyref')),
    tag: undefined,
    url: readText(run, 'html_url'),
    durationSec:
      durationNs !== undefined
        ? Math.round(durationNs / 1e9)
        : secondsBetween(
            pickFirst(readText(run, 'run_started_at'), readText(run, 'started')),
            pickFirst(readText(run, 'updated_at'), readText(run, 'stopped')),
          ),
    triggeredBy: toHostPerson(run['trigger_user']) ?? common.actor,
    trigger: pickFirst(readText(run, 'trigger_event'), readText(run, 'event')),
    commit:
      toHostCommit(headCommit, (id) => `${common.repo.url}/commit/${id}`) ??
      (sha === undefined ? undefined : toHostCommit({ id: sha }, (id) => `${common.repo.url}/commit/${id}`)),
    stage: undefined,
    failedJobs: [],
  });
}

function ciEvent(
  type: string,
  common: CommonParts,
  action: string,
  info: Omit<HostPipelineInfo, 'durationText'>,
): NormalizedHook<HostPipelineData> {
  const pipeline: HostPipelineInfo = { ...info, durationText: formatDurationZh(info.durationSec) };
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
  const where = `${common.repo.fullName}${pipeline.branch ? `:${pipeline.branch}` : ''}`;
  return {
    type,
    action,
    branch: pipeline.branch,
    tag: undefined,
    url: pipeline.url ?? common.repo.url,
    summary: `${pipeline.name}${pipeline.number ? ` #${pipeline.number}` : ''} ${action} on ${where} (${whoOfHost({ ...common, actor: pipeline.triggeredBy ?? common.actor })})`,
    data: { ...common, mentions, pipeline },
  };
}
