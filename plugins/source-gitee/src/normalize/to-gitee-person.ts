import { isJsonRecord, pickFirst, readText, type JsonRecord } from '@hookmux/core';

import type { GiteePerson } from './gitee-hook-data.js';

/**
 * Gitee users come in several sizes (`sender` has `login`, `pusher` only `username`/`user_name`,
 * re-serialised bodies mix them), and commit authors without an account have all of them null.
 */
export function toGiteePerson(value: unknown): GiteePerson | undefined {
  if (!isJsonRecord(value)) return undefined;
  const login = pickFirst(
    readText(value, 'login'),
    readText(value, 'username'),
    readText(value, 'user_name'),
  );
  const name = pickFirst(readText(value, 'name'), login);
  if (name === undefined) return undefined;
  return { login, name, url: pickFirst(readText(value, 'html_url'), readText(value, 'url')) };
}

export function toGiteePeople(values: readonly JsonRecord[]): GiteePerson[] {
  const people = values.map(toGiteePerson).filter((p): p is GiteePerson => p !== undefined);
  const seen = new Set<string>();
  return people.filter((p) => {
    const key = p.login ?? p.name;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Logins of `people`, once each, without the actor's. */
export function collectLogins(people: readonly (GiteePerson | undefined)[], actor: GiteePerson): string[] {
  const logins = people.map((p) => p?.login).filter((l): l is string => l !== undefined && l !== actor.login);
  return [...new Set(logins)];
}
