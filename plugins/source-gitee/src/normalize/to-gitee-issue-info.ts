import { pickFirst, readRecord, readRecords, readText, truncateText, type JsonRecord } from '@hookmux/core';

import type { GiteeIssueInfo } from './gitee-hook-data.js';
import { toGiteePerson } from './to-gitee-person.js';

const maxBodyLength = 4000;

/** The `issue` object, with the top-level copies (`iid`, `title`, `state`, `url`) as fallback. */
export function toGiteeIssueInfo(issue: JsonRecord, top: JsonRecord | undefined): GiteeIssueInfo {
  const milestone = readRecord(issue, 'milestone');
  const milestoneTitle = pickFirst(
    readText(milestone, 'title'),
    top === undefined ? undefined : readText(top, 'milestone'),
  );
  return {
    number: pickFirst(readText(issue, 'number'), readText(top, 'iid'), readText(issue, 'id')) ?? '?',
    title: pickFirst(readText(issue, 'title'), readText(top, 'title')) ?? '',
    url: pickFirst(readText(issue, 'html_url'), readText(top, 'url')),
    state: pickFirst(readText(issue, 'state'), readText(top, 'state')),
    stateName: readText(issue, 'state_name'),
    previousState: undefined,
    type: readText(issue, 'type_name'),
    author: toGiteePerson(issue['user']),
    assignee:
      toGiteePerson(issue['assignee']) ?? (top === undefined ? undefined : toGiteePerson(top['assignee'])),
    milestone:
      milestoneTitle === undefined
        ? undefined
        : { title: milestoneTitle, url: readText(milestone, 'html_url') },
    labels: readRecords(issue, 'labels')
      .map((l) => readText(l, 'name'))
      .filter((n): n is string => n !== undefined),
    body: truncateText(
      (pickFirst(readText(issue, 'body'), readText(top, 'description')) ?? '').replace(/\r\n/g, '\n'),
      maxBodyLength,
    ),
  };
}
