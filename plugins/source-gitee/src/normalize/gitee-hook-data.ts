/**
 * The normalised, null-safe view of a Gitee hook that templates read (merged into the template
 * context next to `event` and `payload`). README.md documents it field by field; keys whose value
 * is `undefined` are absent, never `null`.
 */

/** Someone on Gitee. `login` is the slug the `mention` helper and the `people:` map use. */
export interface GiteePerson {
  readonly login: string | undefined;
  /** Display name (often Chinese); falls back to the login. */
  readonly name: string;
  readonly url: string | undefined;
}

export interface GiteeRepoData {
  /** The repository's path (`drone-yml-test`). */
  readonly name: string;
  /** Display name, may differ from the path (`Gitee FeedBack`). */
  readonly displayName: string;
  /** `path_with_namespace`: the id routes match on. */
  readonly fullName: string;
  readonly namespace: string | undefined;
  readonly url: string;
  readonly defaultBranch: string | undefined;
  readonly private: boolean;
}

export interface GiteeCommitData {
  readonly id: string;
  readonly shortId: string;
  /** First line of the message. */
  readonly title: string;
  /** The whole message, trimmed and capped. */
  readonly message: string;
  readonly url: string | undefined;
  readonly timestamp: string | undefined;
  /** Commit authors without a Gitee account have no login. */
  readonly author: { readonly name: string; readonly login: string | undefined };
}

export interface GiteeCommonData {
  readonly kind: 'push' | 'tag_push' | 'issue' | 'merge_request' | 'note';
  readonly repo: GiteeRepoData;
  readonly actor: GiteePerson;
  /** Logins the event asks something of (assignees, testers), without the actor. */
  readonly mentions: readonly string[];
  readonly enterprise: { readonly name: string; readonly url: string | undefined } | undefined;
}

export interface GiteePushData extends GiteeCommonData {
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
  readonly compareUrl: string | undefined;
  /** As listed by Gitee, never null (`[]` on create and delete). */
  readonly commits: readonly GiteeCommitData[];
  readonly headCommit: GiteeCommitData | undefined;
  /** Total pushed, from `total_commits_count` or the list's length. */
  readonly commitCount: number;
  /** How many of `commitCount` are not in `commits`. */
  readonly moreCommits: number;
}

export interface GiteeLabelList {
  readonly labels: readonly string[];
}

export interface GiteeIssueInfo extends GiteeLabelList {
  /** `I4CYEO`: Gitee issue numbers are strings. */
  readonly number: string;
  readonly title: string;
  readonly url: string | undefined;
  readonly state: string | undefined;
  /** Display name of the state (`进行中`). */
  readonly stateName: string | undefined;
  /** Known only when this process saw the issue's previous event. */
  readonly previousState: string | undefined;
  readonly type: string | undefined;
  readonly author: GiteePerson | undefined;
  readonly assignee: GiteePerson | undefined;
  readonly milestone: { readonly title: string; readonly url: string | undefined } | undefined;
  readonly body: string;
}

export interface GiteeIssueData extends GiteeCommonData {
  readonly issue: GiteeIssueInfo;
}

export interface GiteePullRequestInfo extends GiteeLabelList {
  readonly number: number | string;
  readonly title: string;
  readonly url: string | undefined;
  /** `open`, `closed` or `merged`. */
  readonly state: string | undefined;
  readonly sourceBranch: string | undefined;
  readonly targetBranch: string | undefined;
  /** `path_with_namespace` of the head repository (a fork, or the same repository). */
  readonly sourceRepo: string | undefined;
  readonly targetRepo: string | undefined;
  readonly author: GiteePerson | undefined;
  readonly assignees: readonly GiteePerson[];
  /** Gitee calls reviewers "assignees" (审查人员); the same list, under the name people use. */
  readonly reviewers: readonly GiteePerson[];
  readonly testers: readonly GiteePerson[];
  readonly merged: boolean;
  readonly mergeStatus: string | undefined;
  readonly mergeable: boolean | undefined;
  readonly needReview: boolean | undefined;
  readonly needTest: boolean | undefined;
  readonly milestone: { readonly title: string; readonly url: string | undefined } | undefined;
  readonly body: string;
  readonly commits: number | undefined;
  readonly additions: number | undefined;
  readonly deletions: number | undefined;
  readonly changedFiles: number | undefined;
  readonly mergeCommitSha: string | undefined;
}

export interface GiteePullRequestData extends GiteeCommonData {
  readonly pullRequest: GiteePullRequestInfo;
  /** Only meaningful with action `update`: `source_branch_changed` (new commits), `update_label`... */
  readonly actionDesc: string | undefined;
}

export interface GiteeNoteTarget {
  readonly kind: 'issue' | 'pull_request' | 'commit' | 'repository';
  /** Issue `I4CF12` or pull request `7`. */
  readonly number: string | undefined;
  /** `#I4CF12`, `!7`, a short SHA, or the repository's name: ready to print. */
  readonly label: string;
  readonly title: string | undefined;
  readonly url: string | undefined;
  readonly shortSha: string | undefined;
  readonly commitId: string | undefined;
}

export interface GiteeNoteData extends GiteeCommonData {
  readonly comment: {
    readonly id: number | undefined;
    readonly body: string;
    readonly url: string | undefined;
    readonly author: GiteePerson;
  };
  readonly target: GiteeNoteTarget;
  /** The commented issue or pull request in full, when there is one. */
  readonly issue: GiteeIssueInfo | undefined;
  readonly pullRequest: GiteePullRequestInfo | undefined;
}

export type GiteeHookData = GiteePushData | GiteeIssueData | GiteePullRequestData | GiteeNoteData;

/** What a normaliser returns; the source adds id, repo, actor, ping and payload. */
export interface NormalizedGiteeHook<D extends GiteeHookData = GiteeHookData> {
  readonly action: string;
  readonly branch: string | undefined;
  readonly tag: string | undefined;
  readonly url: string | undefined;
  readonly summary: string;
  readonly data: D;
}
