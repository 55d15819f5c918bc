/**
 * Words other hosts (and habit) use for what hookmux calls something else: GitHub's
 * `pull_request`, past-tense actions. Checked before spelling distance, which cannot see them.
 */
const synonyms: Readonly<Record<string, readonly string[]>> = {
  pull_request: ['merge_request'],
  pullrequest: ['merge_request'],
  pr: ['merge_request'],
  mr: ['merge_request'],
  issues: ['issue'],
  issue_comment: ['note'],
  comment: ['note', 'comment'],
  comments: ['note', 'comment'],
  tag: ['tag_push'],
  tags: ['tag_push'],
  release: ['tag_push'],
  push_hooks: ['push'],
  opened: ['open'],
  created: ['create', 'open'],
  closed: ['close'],
  merged: ['merge'],
  reopened: ['reopen'],
  updated: ['update'],
  synchronize: ['update'],
  edited: ['update', 'edited'],
  deleted: ['delete', 'deleted'],
  assigned: ['assign'],
  approve: ['approved'],
  succeeded: ['success'],
  passed: ['success'],
  failure: ['failed'],
};

/**
 * The known word closest to `input`, or undefined when none is close: a synonym first, then
 * the smallest edit distance (case-insensitive) within a third of the word's length.
 */
export function didYouMean(input: string, known: Iterable<string>): string | undefined {
  const words = [...new Set(known)];
  const lower = input.toLowerCase();
  const last = lower.split('.').pop() ?? lower;
  for (const key of [lower, last]) {
    for (const synonym of synonyms[key] ?? []) {
      const prefix = lower.slice(0, lower.length - key.length);
      const hit = words.find((w) => w === `${prefix}${synonym}`) ?? words.find((w) => w === synonym);
      if (hit !== undefined) return hit;
    }
  }
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(lower.length / 3)) + 1;
  for (const word of words) {
    const distance = editDistance(lower, word.toLowerCase());
    if (distance < bestDistance) {
      best = word;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, with adjacent swaps counted as one edit (`pusj`, `psuh`). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...Array<number>(b.length).fill(0)]);
  const row0 = rows[0] as number[];
  for (let j = 0; j <= b.length; j++) row0[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const prev = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = d;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** `(did you mean "merge_request"?)`, or an empty string. */
export function suggestion(input: string, known: Iterable<string>): string {
  const hit = didYouMean(input, known);
  return hit === undefined ? '' : `did you mean "${hit}"?`;
}
