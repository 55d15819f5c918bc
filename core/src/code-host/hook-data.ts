/**
 * The cross-host view of a code-host event that templates, digests and the people map read: the
 * field names of source-gitee's `gitee-hook-data.ts`, so one `when:` filter, one template idea and
 * one digest work for Gitee, GitHub, GitLab and Gitea alike. Keys whose value is `undefined` are
 * absent, never `null`. (This file is the same in source-github, source-gitlab and source-gitea.)
 */

/** Someone on the host. `login` is what the `mention` helper looks up under `people: [{<host>: login}]`. */
export interface HostPerson {
  readonly login: string | undefined;
  /** Display name; falls back to the login. */
  readonly name: string;
  readonly url: string | undefined;
}

export interface HostRepo {
  /** The repository's path (`widget`). */
  readonly name: string;
  readonly displayName: string;
  /** `owner/name` (GitLab: the full `group/subgroup/name` path): the id routes match on. */
  readonly fullName: string;
  readonly namespace: string | undefined;
  readonly url: string;
  readonly defaultBranch: string | undefined;
  readonly private: boolean;
}

export interface HostCommit {
  readonly id: string;
  readonly shortId: string;
  /** First line of the message. */
  readonly title: string;
  /** The whole message, trimmed and capped. */
  readonly message: string;
  readonly url: string | undefined;
  readonly timestamp: string | undefined;
  /** Authors without an account on the host have no login. */
  readonly author: { readonly name: string; readonly login: string | undefined };
}

export type HostKind =
  | 'push'
  | 'tag_push'
  | 'issue'
  | 'merge_request'
  | 'note'
  | 'pipeline'
  | 'release'
  /** GitHub's hook-added ping (routed only with `ping: true`). */
  | 'ping';

export interface HostCommonData {
  readonly kind: HostKind;
  /** `github`, `gitlab`, `gitea` (also for Forgejo and Gogs). */
  readonly host: string;
  /** The action as the host spelled it (`labeled`, `synchronize`), beside the normalised `event.action`. */
  readonly hostAction: string | undefined;
  readonly repo: HostRepo;
  readonly actor: HostPerson;
  /** Logins the event asks something of (assignees, reviewers, a failed run's committer), without the actor. */
  readonly mentions: readonly string[];
}

export interface HostPushData extends HostCommonData {
  readonly branch: string | undefined;
  readonly tag: string | undefined;
  readonly ref: string;
  /** Branch or tag name. */
  readonly refName: string;
  /** Web page of the branch or tag (absent when deleted). */
  readonly refUrl: string | undefined;
  readonly before: string;
  readonly after: string;
  readonly created: boolean;
  readonly deleted: boolean;
  /** A force push (GitHub says so; other hosts: `false`). */
  readonly forced: boolean;
  readonly compareUrl: string | undefined;
  readonly commits: readonly HostCommit[];
  readonly headCommit: HostCommit | undefined;
  readonly commitCount: number;
  /** How many of `commitCount` are not in `commits` (hosts cap the list: GitLab at 20). */
  readonly moreCommits: number;
}

export interface HostMilestone {
  readonly title: string;
  readonly url: string | undefined;
}

export interface HostIssueInfo {
  readonly number: string;
  /** `#12`: ready to print. */
  readonly label: string;
  readonly title: string;
  readonly url: string | undefined;
  readonly state: string | undefined;
  readonly stateName: string | undefined;
  /** Issue type (GitHub issue types, GitLab `issue`/`incident`/`task`), when the host says. */
  readonly type: string | undefined;
  readonly author: HostPerson | undefined;
  /** The first assignee (Gitee has one); all of them in `assignees`. */
  readonly assignee: HostPerson | undefined;
  readonly assignees: readonly HostPerson[];
  readonly labels: readonly string[];
  readonly milestone: HostMilestone | undefined;
  readonly body: string;
  /** GitLab confidential issues; `false` elsewhere. */
  readonly confidential: boolean;
}

export interface HostIssueData extends HostCommonData {
  readonly issue: HostIssueInfo;
  /** What changed on `update` / `assign` (Gitee's names where they exist: `update_label`). */
  readonly actionDesc: string | undefined;
  /** GitLab: the issue is confidential (then the event type is `confidential_issue`). */
  readonly confidential: boolean;
}

export interface HostPullRequestInfo {
  readonly number: number | string;
  /** `#12` (GitHub, Gitea) or `!12` (GitLab): ready to print. */
  readonly label: string;
  readonly title: string;
  readonly url: string | undefined;
  /** `open`, `closed` or `merged`. */
  readonly state: string | undefined;
  readonly sourceBranch: string | undefined;
  readonly targetBranch: string | undefined;
  readonly sourceRepo: string | undefined;
  readonly targetRepo: string | undefined;
  readonly author: HostPerson | undefined;
  readonly assignees: readonly HostPerson[];
  /** Requested reviewers (GitLab: `reviewers`). */
  readonly reviewers: readonly HostPerson[];
  /** Gitee only; always `[]` here. */
  readonly testers: readonly HostPerson[];
  readonly merged: boolean;
  readonly draft: boolean;
  readonly mergeStatus: string | undefined;
  readonly mergeable: boolean | undefined;
  readonly milestone: HostMilestone | undefined;
  readonly labels: readonly string[];
  readonly body: string;
  readonly commits: number | undefined;
  readonly additions: number | undefined;
  readonly deletions: number | undefined;
  readonly changedFiles: number | undefined;
  readonly mergeCommitSha: string | undefined;
}

export interface HostReview {
  /** `approved`, `changes_requested`, `commented`, `dismissed`. */
  readonly state: string;
  readonly body: string;
  readonly url: string | undefined;
  readonly author: HostPerson;
}

export interface HostPullRequestData extends HostCommonData {
  readonly pullRequest: HostPullRequestInfo;
  readonly actionDesc: string | undefined;
  /** Review events (`pull_request_review`, Gitea's `pull_request_approved`...). */
  readonly review: HostReview | undefined;
}

export interface HostNoteTarget {
  readonly kind: 'issue' | 'pull_request' | 'commit' | 'repository' | 'snippet';
  readonly number: string | undefined;
  /** `#12`, `!3`, a short SHA, or the repository's name: ready to print. */
  readonly label: string;
  readonly title: string | undefined;
  readonly url: string | undefined;
  readonly shortSha: string | undefined;
  readonly commitId: string | undefined;
}

export interface HostComment {
  readonly id: number | undefined;
  readonly body: string;
  readonly url: string | undefined;
  readonly author: HostPerson;
  /** A review comment's file and line, when it is on the diff. */
  readonly path: string | undefined;
  readonly line: number | undefined;
}

export interface HostNoteData extends HostCommonData {
  readonly comment: HostComment;
  readonly target: HostNoteTarget;
  readonly issue: HostIssueInfo | undefined;
  readonly pullRequest: HostPullRequestInfo | undefined;
  /** GitLab: a note on a confidential issue (then the event type is `confidential_note`). */
  readonly confidential: boolean;
}

/** CI: a GitHub workflow run or check suite, a GitLab pipeline or job, a Gitea/Forgejo Actions run. */
export interface HostPipelineInfo {
  /** `workflow_run`, `check_suite`, `pipeline`, `job`, `action_run`. */
  readonly type: string;
  readonly id: string | undefined;
  /** Run number as people see it (`#52`). */
  readonly number: string | undefined;
  /** Workflow, pipeline or job name. */
  readonly name: string;
  /** `success`, `failed`, `running`, `pending`, `cancelled`, `skipped`: the event's action. */
  readonly status: string;
  /** The host's own status or conclusion (`failure`, `timed_out`, `canceled`). */
  readonly hostStatus: string | undefined;
  readonly branch: string | undefined;
  readonly tag: string | undefined;
  readonly url: string | undefined;
  readonly durationSec: number | undefined;
  /** `4 分 30 秒`: the duration as the Chinese templates print it. */
  readonly durationText: string | undefined;
  readonly triggeredBy: HostPerson | undefined;
  /** What started it (`push`, `pull_request`, `schedule`, `merge_request_event`...). */
  readonly trigger: string | undefined;
  readonly commit: HostCommit | undefined;
  /** GitLab job's stage. */
  readonly stage: string | undefined;
  /** Failed jobs of a GitLab pipeline (name, stage, url), at most 10. */
  readonly failedJobs: readonly {
    readonly name: string;
    readonly stage: string | undefined;
    readonly url: string | undefined;
  }[];
}

export interface HostPipelineData extends HostCommonData {
  readonly pipeline: HostPipelineInfo;
}

export interface HostReleaseInfo {
  readonly tag: string;
  readonly name: string;
  readonly url: string | undefined;
  readonly body: string;
  readonly draft: boolean;
  readonly prerelease: boolean;
  readonly author: HostPerson | undefined;
}

export interface HostReleaseData extends HostCommonData {
  readonly release: HostReleaseInfo;
}

export type HostHookData =
  HostPushData | HostIssueData | HostPullRequestData | HostNoteData | HostPipelineData | HostReleaseData;

/** What a normaliser returns; the source adds id, repo, actor, ping and payload. */
export interface NormalizedHook<D extends HostHookData = HostHookData> {
  readonly type: string;
  readonly action: string | undefined;
  readonly branch: string | undefined;
  readonly tag: string | undefined;
  readonly url: string | undefined;
  readonly summary: string;
  readonly data: D;
}
