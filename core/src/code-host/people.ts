import type { HostPerson } from './hook-data.js';
import { isJsonRecord, pickFirst, readText, type JsonRecord } from './json-reader.js';

/**
 * A user object of any of the hosts: GitHub `{login, html_url}`, GitLab `{username, name}`,
 * Gitea `{login, username, full_name}`, commit authors `{name, username?}`.
 */
export function toHostPerson(value: unknown): HostPerson | undefined {
  if (!isJsonRecord(value)) return undefined;
  const login = pickFirst(
    readText(value, 'login'),
    readText(value, 'username'),
    readText(value, 'user_name'),
  );
  const name = pickFirst(readText(value, 'full_name'), readText(value, 'name'), login);
  if (name === undefined) return undefined;
  return { login, name, url: pickFirst(readText(value, 'html_url'), readText(value, 'web_url')) };
}

/** Distinct people (by login, else name). */
export function toHostPeople(values: readonly unknown[]): HostPerson[] {
  const seen = new Set<string>();
  const out: HostPerson[] = [];
  for (const value of values) {
    const person = toHostPerson(value);
    if (person === undefined) continue;
    const key = person.login ?? person.name;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(person);
  }
  return out;
}

/** Logins of `people`, once each, without the actor's. */
export function collectLogins(people: readonly (HostPerson | undefined)[], actor: HostPerson): string[] {
  const logins = people.map((p) => p?.login).filter((l): l is string => l !== undefined && l !== actor.login);
  return [...new Set(logins)];
}

export function readLabels(values: readonly JsonRecord[]): string[] {
  return values
    .map((l) => pickFirst(readText(l, 'name'), readText(l, 'title')))
    .filter((n): n is string => n !== undefined);
}

export const someone: HostPerson = { login: undefined, name: 'someone', url: undefined };
