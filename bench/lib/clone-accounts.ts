// Seeding many accounts fast: copies of one account made through the service (its password hash and keys
// are shared), each with its own id, username, email and search prefixes — scrypt and RSA once, not N times.
import { accountSearchPrefixes, type AccountRecord } from '../../server/src/accounts/accounts.store.ts';
import { newId } from '../../server/src/shared/ids.ts';

/** `template` plus `count - 1` copies named `${prefix}1` …, displayed as `${label} 1` …; only the copies are new. */
export function cloneAccounts(template: AccountRecord, prefix: string, count: number, label: string): AccountRecord[] {
  const accounts: AccountRecord[] = [template];
  for (let i = 1; i < count; i++) {
    const username = `${prefix}${i}`;
    const displayName = `${label} ${i}`;
    accounts.push({
      ...template,
      _id: newId(),
      username,
      usernameLower: username,
      email: `${username}@bench.test`,
      emailLower: `${username}@bench.test`,
      displayName,
      searchPrefixes: accountSearchPrefixes({ username, displayName, title: '', department: '', location: '' }),
    });
  }
  return accounts;
}
