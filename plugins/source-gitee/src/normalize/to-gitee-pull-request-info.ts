import {
  pickFirst,
  readBoolean,
  readNumber,
  readRecord,
  readRecords,
  readText,
  truncateText,
  type JsonRecord,
} from '@hookmux/core';

import type { GiteePullRequestInfo } from './gitee-hook-data.js';
import { toGiteePeople, toGiteePerson } from './to-gitee-person.js';

const maxBodyLength = 4000;

/** The `pull_request` object, with the top-level copies (merge_request_hooks) as fallback. */
export function toGiteePullRequestInfo(pr: JsonRecord, top: JsonRecord | undefined): GiteePullRequestInfo {
  const head = readRecord(pr, 'head');
  const base = readRecord(pr, 'base');
  const milestone = readRecord(pr, 'milestone');
  const milestoneTitle = readText(milestone, 'title');
  const assignees = toGiteePeople([
    ...readRecords(pr, 'assignees'),
    ...[readRecord(pr, 'assignee')].filter(isDefined),
  ]);
  const testers = toGiteePeople([
    ...readRecords(pr, 'testers'),
    ...[readRecord(pr, 'tester')].filter(isDefined),
  ]);
  const number =
    readNumber(pr, 'number') ??
    readText(pr, 'number') ??
    readNumber(top, 'number') ??
    readText(top, 'iid') ??
    '?';
  return {
    number,
    title: pickFirst(readText(pr, 'title'), readText(top, 'title')) ?? '',
    url: pickFirst(readText(pr, 'html_url'), readText(top, 'url')),
    state: pickFirst(readText(pr, 'state'), readText(top, 'state')),
    sourceBranch: pickFirst(readText(head, 'ref'), readText(top, 'source_branch')),
    targetBranch: pickFirst(readText(base, 'ref'), readText(top, 'target_branch')),
    sourceRepo: pickFirst(
      readRepoName(readRecord(head, 'repo')),
      readRepoName(readRecord(readRecord(top, 'source_repo'), 'repository')),
    ),
    targetRepo: pickFirst(
      readRepoName(readRecord(base, 'repo')),
      readRepoName(readRecord(readRecord(top, 'target_repo'), 'repository')),
    ),
    author: toGiteePerson(pr['user']) ?? (top === undefined ? undefined : toGiteePerson(top['author'])),
    assignees,
    reviewers: assignees,
    testers,
    merged: readBoolean(pr, 'merged') ?? readText(pr, 'state') === 'merged',
    mergeStatus: pickFirst(readText(pr, 'merge_status'), readText(top, 'merge_status')),
    mergeable: readBoolean(pr, 'mergeable'),
    needReview: readBoolean(pr, 'need_review'),
    needTest: readBoolean(pr, 'need_test'),
    milestone:
      milestoneTitle === undefined
        ? undefined
        : { title: milestoneTitle, url: readText(milestone, 'html_url') },
    labels: readRecords(pr, 'labels')
      .map((l) => readText(l, 'name'))
      .filter((n): n is string => n !== undefined),
    body: truncateText(
      (pickFirst(readText(pr, 'body'), readText(top, 'body')) ?? '').replace(/\r\n/g, '\n'),
      maxBodyLength,
    ),
    commits: readNumber(pr, 'commits'),
    additions: readNumber(pr, 'additions'),
    deletions: readNumber(pr, 'deletions'),
    changedFiles: readNumber(pr, 'changed_files'),
    mergeCommitSha: pickFirst(readText(pr, 'merge_commit_sha'), readText(top, 'merge_commit_sha')),
  };
}

function readRepoName(repo: JsonRecord | undefined): string | undefined {
  return pickFirst(readText(repo, 'path_with_namespace'), readText(repo, 'full_name'));
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
