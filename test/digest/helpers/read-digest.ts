/**
 * How many pushes a robot message carries, read from its text as a person would: a single push's
 * message is one; a digest says `共 N 条`, and its push groups (`推送了 N 次，共 …` or one push's
 * `推送了 N 个提交`), counted rows (`> … 推送 N 次`) and an uncounted rest (`另有 N 条未列出`) must
 * add up to N, else this throws.
 */
export function pushesCarried(content: string): number {
  const total = /共 (\d+) 条/.exec(content);
  if (total === null) return 1;
  let counted = 0;
  for (const line of content.split('\n')) {
    const group = /推送了 (?:(\d+) 次，共 )?\d+ 个提交/.exec(line);
    if (group !== null) counted += group[1] === undefined ? 1 : Number(group[1]);
    else if (/^(?:> |· ).*推送 \d+ 次/.test(line)) counted += Number(/推送 (\d+) 次/.exec(line)?.[1]);
    else if (/另有 \d+ 条未列出/.test(line)) counted += Number(/另有 (\d+) 条/.exec(line)?.[1]);
  }
  if (counted !== Number(total[1])) {
    throw new Error(`a digest of ${total[1]} pushes counts ${counted}:\n${content}`);
  }
  return counted;
}
