import { describe, expect, it } from 'vitest';
import {
  countedRows,
  activeCounts, addDays, adoptionReport, dashboard, departmentAdoption, inactiveAccounts, MAX_SHARED_CLIENTS, mondayOf, rowsWindow,
  type AnalyticsPerson, type MetricsInput,
} from './adoption-metrics.ts';
import {
  MIN_SHARED_GROUP, OTHER_API_CLIENT, OTHER_DEPARTMENTS, USAGE_FEATURES, usageDay, usageKey, type DepartmentAdoption, type UsageDayRecord, type UsageEvent,
} from './usage.types.ts';
import { expectedDashboard, expectedReport, planUsage, type ExpectedAccount } from '../../test/analytics/generated-usage.ts';

function row(day: string, account: string, department: string, extra: Partial<UsageDayRecord> = {}): UsageDayRecord {
  return {
    _id: `${day}:${account}`, day, account, department, events: 1, features: { read: 1 }, clients: { Web: 1 }, devices: { desktop: 1 },
    follows: 0, crossFollows: 0, replies: 0, crossReplies: 0, ...extra,
  };
}

function person(id: string, department: string, created: string, extra: Partial<AnalyticsPerson> = {}): AnalyticsPerson {
  return { _id: id, username: id, displayName: id.toUpperCase(), department, createdAt: new Date(created), suspended: false, ...extra };
}

function input(from: string, to: string, rows: UsageDayRecord[], people: AnalyticsPerson[], activated: string[] = []): MetricsInput {
  return { period: { from, to }, rows, people, activated: new Set(activated) };
}

describe('days', () => {
  it('adds days across months and years, and finds ISO Mondays', () => {
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(mondayOf('2025-06-01')).toBe('2025-05-26'); // a Sunday
    expect(mondayOf('2025-06-02')).toBe('2025-06-02'); // a Monday
    expect(rowsWindow({ from: '2025-03-31', to: '2025-04-05' })).toEqual({ from: '2025-03-02', to: '2025-04-05' });
  });
});

describe('DAU, WAU and MAU windows', () => {
  // a: active on the period's last day; b: 6 days before it (inside WAU); c: 7 days before (outside WAU,
  // inside MAU); d: 29 days before (inside MAU); e: 30 days before (outside MAU).
  const to = '2025-04-30';
  const rows = [
    row(to, 'a', 'X'), row(addDays(to, -6), 'b', 'X'), row(addDays(to, -7), 'c', 'X'), row(addDays(to, -29), 'd', 'X'), row(addDays(to, -30), 'e', 'X'),
  ];
  const people = ['a', 'b', 'c', 'd', 'e'].map((id) => person(id, 'X', '2025-01-01'));

  it('counts each account in the windows [d], [d-6, d] and [d-29, d]', () => {
    const { summary } = dashboard(input(to, to, rows, people), null);
    expect([summary.dau, summary.wau, summary.mau]).toEqual([1, 2, 4]);
    expect(summary.mau_share).toBe(4 / 5);
    expect(summary.events).toBe(1); // only the period's rows
  });

  it('looks back before the period for its first day, and its daily series slides', () => {
    const figures = dashboard(input(addDays(to, -1), to, rows, people), null);
    expect(figures.daily.map((d) => [d.day, d.dau, d.wau, d.mau])).toEqual([[addDays(to, -1), 0, 2, 4], [to, 1, 2, 4]]);
    expect(activeCounts(rows, people, to)).toEqual({ dau: 1, wau: 2, mau: 4, registered: 5 });
  });

  it('averages DAU over every day of the period (idle days count) and divides by MAU for stickiness', () => {
    const s = dashboard(input(addDays(to, -3), to, rows, people), null).summary;
    expect(s.average_dau).toBe(1 / 4);
    expect(s.stickiness).toBe(1 / 4 / 4);
  });

  it('gives 0, not NaN, when nobody is registered or active', () => {
    const s = dashboard(input('2020-01-01', '2020-01-07', [], []), null).summary;
    expect(s).toEqual({ registered: 0, dau: 0, wau: 0, mau: 0, dau_share: 0, wau_share: 0, mau_share: 0, average_dau: 0, stickiness: 0, activated: 0, activation_share: 0, events: 0 });
  });
});

describe('registered accounts', () => {
  it('counts people created on or before the end of the day, not suspended', () => {
    const people = [
      person('early', '', '2025-01-01T00:00:00Z'),
      person('last-ms', '', '2025-01-02T23:59:59.999Z'),
      person('next-day', '', '2025-01-03T00:00:00Z'),
      person('suspended', '', '2025-01-01T00:00:00Z', { suspended: true }),
    ];
    const figures = dashboard(input('2025-01-01', '2025-01-03', [], people), null);
    expect(figures.daily.map((d) => d.registered)).toEqual([1, 2, 3]);
  });

  it('counts activation among the registered only', () => {
    const people = [person('a', '', '2025-01-01'), person('b', '', '2025-01-01'), person('late', '', '2025-02-01'), person('s', '', '2025-01-01', { suspended: true })];
    const s = dashboard(input('2025-01-01', '2025-01-10', [], people, ['a', 'late', 's']), null).summary;
    expect([s.registered, s.activated, s.activation_share]).toEqual([2, 1, 0.5]);
  });
});

describe('counted rows', () => {
  it('drops the rows of suspended people and of accounts that are not people here, so no share passes 100%', () => {
    const people = [person('a', 'Sales', '2025-01-01'), person('s', 'Sales', '2025-01-01', { suspended: true })];
    const rows = [row('2025-05-05', 'a', 'Sales'), row('2025-05-05', 's', 'Sales'), row('2025-05-05', 'gone', 'Sales')];
    expect(countedRows(rows, people).map((r) => r.account)).toEqual(['a']);
    const s = dashboard(input('2025-05-05', '2025-05-05', countedRows(rows, people), people), null).summary;
    expect([s.registered, s.dau, s.mau_share]).toEqual([1, 1, 1]);
  });
});

describe('department filter', () => {
  const rows = [row('2025-05-05', 'a', 'Sales'), row('2025-05-05', 'b', 'Legal'), row('2025-05-05', 'moved', 'Sales')];
  const people = [person('a', 'Sales', '2025-01-01'), person('b', 'Legal', '2025-01-01'), person('moved', 'Legal', '2025-01-01'), person('c', 'Sales', '2025-01-01')];

  it('counts rows of the department and people whose Department field is it', () => {
    const figures = dashboard(input('2025-05-05', '2025-05-05', rows, people), 'Sales');
    expect(figures.department).toBe('Sales');
    expect([figures.summary.registered, figures.summary.dau, figures.summary.events]).toEqual([2, 2, 2]);
  });

  it('lists every department, whatever the filter, by name', () => {
    const figures = dashboard(input('2025-05-05', '2025-05-05', [...rows, row('2025-04-10', 'x', 'Gone')], people), 'Sales');
    expect(figures.departments.map((d) => [d.department, d.registered, d.active, d.dau, d.mau])).toEqual([
      ['Gone', 0, 0, 0, 1], ['Legal', 2, 1, 1, 1], ['Sales', 2, 2, 2, 2],
    ]);
  });

  it("finds people without a department with ''", () => {
    const figures = dashboard(input('2025-05-05', '2025-05-05', [], [person('n', '', '2025-01-01'), ...people]), '');
    expect(figures.summary.registered).toBe(1);
  });
});

describe('weeks', () => {
  it('has a row for every ISO week touching the period, clipped to it', () => {
    // 2025-06-04 is a Wednesday; 2025-06-17 a Tuesday.
    const rows = [row('2025-06-02', 'early', 'X'), row('2025-06-04', 'a', 'X', { events: 3 }), row('2025-06-08', 'a', 'X'), row('2025-06-09', 'b', 'X'), row('2025-06-17', 'b', 'X'), row('2025-06-18', 'late', 'X')];
    const figures = dashboard(input('2025-06-04', '2025-06-17', rows, []), null);
    expect(figures.weekly).toEqual([
      { week: '2025-06-02', from: '2025-06-04', to: '2025-06-08', active: 1, events: 4 },
      { week: '2025-06-09', from: '2025-06-09', to: '2025-06-15', active: 1, events: 1 },
      { week: '2025-06-16', from: '2025-06-16', to: '2025-06-17', active: 1, events: 1 },
    ]);
  });
});

describe('features, clients, devices, reach, leaders', () => {
  const day = '2025-07-01';
  const people = Array.from({ length: 12 }, (_, i) => person(`p${i}`, 'X', '2025-01-01', { leader: i < 2 }));
  const rows = people.map((p, i) => row(day, p._id, 'X', {
    events: 2, features: i === 0 ? { post: 1, approval: 1 } : { read: 1, post: 1 },
    clients: i < 4 ? { Tusky: 2 } : { Web: 1, [usageKey('Elk.zone')]: 1 }, devices: i < 4 ? { mobile: 2 } : { desktop: 2 },
    follows: 2, crossFollows: i === 0 ? 1 : 0, replies: i === 1 ? 4 : 0, crossReplies: i === 1 ? 3 : 0,
  }));
  const figures = dashboard(input(day, day, rows, people), null);

  it('lists every feature, and flags action features used by less than 10% of active accounts', () => {
    expect(figures.features.map((f) => f.feature)).toEqual([...USAGE_FEATURES]);
    const approval = figures.features.find((f) => f.feature === 'approval');
    expect(approval).toEqual({ feature: 'approval', events: 1, accounts: 1, account_share: 1 / 12, underused: true });
    expect(figures.features.find((f) => f.feature === 'post')).toEqual({ feature: 'post', events: 12, accounts: 12, account_share: 1, underused: false });
    // read is not an action feature: never underused.
    expect(figures.features.find((f) => f.feature === 'other')).toMatchObject({ accounts: 0, underused: false });
    expect(figures.features.find((f) => f.feature === 'relay')).toMatchObject({ accounts: 0, underused: true });
  });

  it('sorts clients by events, and splits devices', () => {
    // Ties by name.
    expect(figures.clients).toEqual([{ client: 'Elk.zone', events: 8, accounts: 8 }, { client: 'Tusky', events: 8, accounts: 4 }, { client: 'Web', events: 8, accounts: 8 }]);
    expect(figures.devices).toEqual([{ device: 'desktop', events: 16, accounts: 8 }, { device: 'mobile', events: 8, accounts: 4 }]);
  });

  it('shares cross-instance follows and replies', () => {
    expect(figures.cross_instance).toEqual({ follows: 24, cross_follows: 1, follow_share: 1 / 24, replies: 4, cross_replies: 3, reply_share: 3 / 4 });
  });

  it('counts leaders among the registered and their posts and replies', () => {
    expect(figures.leaders).toEqual({ leaders: 2, active: 2, active_share: 1, posts: 2, replies: 0 });
  });
});

describe('inactive accounts', () => {
  it('are the registered people of the department with no row in the period, by username', () => {
    const people = [person('zed', 'X', '2025-01-01', { leader: true }), person('amy', 'X', '2025-01-01'), person('bo', 'Y', '2025-01-01'), person('cy', 'X', '2025-01-01'), person('new', 'X', '2026-01-01')];
    const list = inactiveAccounts(people, new Set(['cy']), new Map([['zed', '2025-02-01']]), { from: '2025-03-01', to: '2025-03-31' }, 'X');
    expect(list).toEqual([
      { id: 'amy', username: 'amy', display_name: 'AMY', department: 'X', leader: false, last_active: null },
      { id: 'zed', username: 'zed', display_name: 'ZED', department: 'X', leader: true, last_active: '2025-02-01' },
    ]);
  });
});

describe('shared report', () => {
  it(`folds departments with fewer than ${MIN_SHARED_GROUP} registered people into one row over their union`, () => {
    const people = [
      ...Array.from({ length: 6 }, (_, i) => person(`big${i}`, 'Big', '2025-01-01')),
      ...Array.from({ length: 3 }, (_, i) => person(`s${i}`, 'Small', '2025-01-01')),
      ...Array.from({ length: 2 }, (_, i) => person(`t${i}`, 'Tiny', '2025-01-01')),
    ];
    const rows = [row('2025-08-01', 'big0', 'Big'), row('2025-08-01', 's0', 'Small'), row('2025-08-01', 't0', 'Tiny', { features: { post: 1 } })];
    const data = input('2025-08-01', '2025-08-01', rows, people, ['t0']);
    const departments = departmentAdoption(data);
    expect(departments.map((d) => [d.department, d.registered, d.dau, d.activated])).toEqual([['Big', 6, 1, 0], [OTHER_DEPARTMENTS, 5, 2, 1]]);
    expect(departments[1]?.features).toMatchObject({ post: 1, read: 1, relay: 0 });
    const report = adoptionReport('Acme', data);
    expect(report.instance).toBe('Acme');
    expect(report.total).toMatchObject({ department: 'Acme', registered: 11, dau: 3, mau: 3, stickiness: 1 });
    // Nothing about a person: no id, username or name anywhere in what is shared.
    const wire = JSON.stringify(report);
    for (const p of people) expect(wire).not.toContain(`"${p._id}"`);
  });

  it(`moves the smallest named department into a fold of fewer than ${MIN_SHARED_GROUP} people (ties by name)`, () => {
    const staff = (department: string, n: number) => Array.from({ length: n }, (_, i) => person(`${department}${i}`, department, '2025-01-01'));
    const one = input('2025-08-01', '2025-08-01', [], [...staff('Solo', 1), ...staff('Five', 5), ...staff('Six', 6)]);
    expect(departmentAdoption(one).map((d) => [d.department, d.registered])).toEqual([['Six', 6], [OTHER_DEPARTMENTS, 6]]);
    const tie = input('2025-08-01', '2025-08-01', [], [...staff('Solo', 1), ...staff('Bee', 5), ...staff('Ant', 5)]);
    expect(departmentAdoption(tie).map((d) => [d.department, d.registered])).toEqual([['Bee', 5], [OTHER_DEPARTMENTS, 6]]);
    // A department that only has rows (its people moved) is folded too, with 0 registered: the fold takes the smallest in.
    const gone = input('2025-08-01', '2025-08-01', [row('2025-08-01', 'Five0', 'Gone')], [...staff('Five', 5), ...staff('Six', 6)]);
    expect(departmentAdoption(gone).map((d) => [d.department, d.registered, d.dau])).toEqual([['Six', 6, 0], [OTHER_DEPARTMENTS, 5, 1]]);
    // No fold needed: every department is named.
    const big = input('2025-08-01', '2025-08-01', [], [...staff('Five', 5), ...staff('Six', 6)]);
    expect(departmentAdoption(big).map((d) => d.department)).toEqual(['Five', 'Six']);
  });

  it(`shares nothing but zeros for an instance of fewer than ${MIN_SHARED_GROUP} registered people`, () => {
    const people = [person('a', 'X', '2025-01-01', { leader: true }), person('b', 'X', '2025-01-01'), person('c', 'Y', '2025-01-01'), person('late', 'Y', '2025-09-01')];
    const rows = [row('2025-08-01', 'a', 'X', { clients: { Tusky: 1 } }), row('2025-08-01', 'c', 'Y')];
    const report = adoptionReport('Tiny', input('2025-08-01', '2025-08-01', rows, people, ['a']));
    expect(report.departments).toEqual([]);
    expect(report.total).toEqual({
      department: 'Tiny', registered: 0, dau: 0, wau: 0, mau: 0, mau_share: 0, average_dau: 0, stickiness: 0, activated: 0, activation_share: 0, events: 0,
      features: Object.fromEntries(USAGE_FEATURES.map((f) => [f, 0])), clients: {}, devices: { desktop: 0, mobile: 0 },
      cross_instance_follow_share: 0, cross_instance_reply_share: 0, leaders: 0, active_leaders: 0,
    });
    // The local dashboard is not concerned.
    expect(dashboard(input('2025-08-01', '2025-08-01', rows, people), null).summary).toMatchObject({ registered: 3, dau: 2 });
  });

  it(`shares leader counts only for ${MIN_SHARED_GROUP} leaders or more`, () => {
    const people = Array.from({ length: 10 }, (_, i) => person(`p${i}`, i < 5 ? 'Few' : 'Many', '2025-01-01', { leader: i < 3 || i >= 5 }));
    const rows = [row('2025-08-01', 'p0', 'Few'), row('2025-08-01', 'p5', 'Many'), row('2025-08-01', 'p6', 'Many')];
    const report = adoptionReport('Acme', input('2025-08-01', '2025-08-01', rows, people));
    const leaders = (d: DepartmentAdoption | undefined) => [d?.department, d?.leaders, d?.active_leaders];
    expect(report.departments.map(leaders)).toEqual([['Few', 0, 0], ['Many', 5, 2]]);
    expect(leaders(report.total)).toEqual(['Acme', 8, 3]);
    // The local dashboard still counts the 3.
    expect(dashboard(input('2025-08-01', '2025-08-01', rows, people), 'Few').leaders).toMatchObject({ leaders: 3, active: 1 });
  });
});

describe('clients in the shared report', () => {
  const day = '2025-08-01';
  const staff = Array.from({ length: 6 }, (_, i) => person(`p${i}`, 'X', '2025-01-01'));
  const report = (clients: (i: number) => Record<string, number>) => {
    const rows = staff.map((p, i) => {
      const c = clients(i);
      return row(day, p._id, 'X', { clients: c, events: Object.values(c).reduce((s, n) => s + n, 0) });
    });
    return { shared: adoptionReport('Acme', input(day, day, rows, staff)), local: dashboard(input(day, day, rows, staff), null) };
  };

  it(`names an app only when ${MIN_SHARED_GROUP} accounts used it; the others' events count under ${OTHER_API_CLIENT}`, () => {
    const { shared, local } = report((i) => (i === 0 ? { Web: 1, [usageKey("Jane Doe's bot")]: 3 } : i < 5 ? { Web: 1, Tusky: 2 } : { Web: 2, [usageKey(OTHER_API_CLIENT)]: 1 }));
    expect(shared.total.clients).toEqual({ Web: 7, [OTHER_API_CLIENT]: 12 }); // Tusky: 4 accounts; Jane Doe's bot: 1
    expect(shared.departments[0]?.clients).toEqual(shared.total.clients);
    expect(JSON.stringify(shared)).not.toContain('Jane');
    expect(JSON.stringify(shared)).not.toContain('Tusky');
    // Every event is still counted under some client.
    expect(Object.values(shared.total.clients).reduce((s, n) => s + n, 0)).toBe(shared.total.events);
    // The local dashboard names them all.
    expect(local.clients.map((c) => c.client)).toEqual(['Tusky', 'Web', "Jane Doe's bot", OTHER_API_CLIENT]);
  });

  it(`names at most ${MAX_SHARED_CLIENTS} clients, the busiest (ties by name), and folds the rest`, () => {
    expect(MAX_SHARED_CLIENTS).toBe(49);
    // Client cNN: 1 + ⌊NN/2⌋ events a person, 5 people each: pairs tie, and c10/c11 straddle the cut.
    const names = Array.from({ length: 60 }, (_, n) => `c${String(n).padStart(2, '0')}`);
    const { shared } = report((i) => (i < 5 ? Object.fromEntries(names.map((name, n) => [name, 1 + Math.floor(n / 2)])) : { Web: 1 }));
    const clients = shared.total.clients;
    expect(Object.keys(clients)).toHaveLength(50);
    expect(Object.keys(clients).filter((k) => k !== OTHER_API_CLIENT).sort()).toEqual(['c10', ...names.slice(12)]);
    const folded = [...names.slice(0, 10), 'c11'].reduce((s, name) => s + 5 * (1 + Math.floor(Number(name.slice(1)) / 2)), 0);
    expect(clients[OTHER_API_CLIENT]).toBe(folded + 1); // + the one Web event of a single person
    expect(clients.c59).toBe(150);
  });

  it('never names __proto__, constructor or prototype', () => {
    const traps = ['__proto__', 'constructor', 'prototype'];
    const { shared } = report(() => Object.fromEntries([...traps.map((t) => [t, 1] as const), ['Web', 1]]));
    const clients = shared.total.clients;
    expect(Object.keys(clients).sort()).toEqual([OTHER_API_CLIENT, 'Web']);
    expect(clients[OTHER_API_CLIENT]).toBe(18);
    expect(Object.getPrototypeOf(clients)).toBe(Object.prototype);
    const wire = JSON.stringify(shared);
    for (const trap of traps) expect(wire).not.toContain(`"${trap}"`);
  });
});

/** The rollup of events, as the recorder builds it (department of the day's last event). */
function rollup(events: readonly UsageEvent[]): UsageDayRecord[] {
  const rows = new Map<string, UsageDayRecord & { lastAt: number }>();
  for (const e of events) {
    const day = usageDay(e.at);
    const id = `${day}:${e.accountId}`;
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { ...row(day, e.accountId, e.department, { events: 0, features: {}, clients: {}, devices: {} }), lastAt: 0 }));
    if (e.at.getTime() >= r.lastAt) [r.lastAt, r.department] = [e.at.getTime(), e.department];
    r.events++;
    r.features[e.feature] = (r.features[e.feature] ?? 0) + 1;
    r.clients[usageKey(e.client)] = (r.clients[usageKey(e.client)] ?? 0) + 1;
    r.devices[e.device] = (r.devices[e.device] ?? 0) + 1;
    if (e.feature === 'follow') [r.follows, r.crossFollows] = [r.follows + 1, r.crossFollows + (e.crossInstance ? 1 : 0)];
    if (e.feature === 'reply') [r.replies, r.crossReplies] = [r.replies + 1, r.crossReplies + (e.crossInstance ? 1 : 0)];
  }
  return [...rows.values()].map(({ lastAt: _, ...r }) => r);
}

describe('agreement with the independent computation of the generated-usage test', () => {
  const plan = planUsage({ seed: 11, days: 45, lastDay: '2025-09-30', departments: [{ name: 'A', accounts: 30, activity: 0.6 }, { name: 'B', accounts: 12, activity: 0.2 }, { name: 'C', accounts: 3, activity: 0.5 }] });
  const accounts: ExpectedAccount[] = plan.accounts;
  const people: AnalyticsPerson[] = accounts.map((a) => ({ _id: a.id, username: a.username, displayName: a.displayName, department: a.department, createdAt: a.createdAt, suspended: a.suspended, leader: a.leader }));
  const rows = countedRows(rollup(plan.events), people);
  const activated = accounts.filter((a) => a.activated).map((a) => a.id);

  for (const [from, department] of [['2025-08-17', null], ['2025-09-10', 'B'], ['2025-09-24', 'A']] as const) {
    it(`dashboard from ${from}, department ${department}`, () => {
      const period = { from, to: plan.lastDay };
      expect(dashboard(input(from, plan.lastDay, rows, people, activated), department)).toEqual(expectedDashboard(accounts, plan.events, period, department));
    });
  }

  it('report', () => {
    const period = { from: '2025-09-01', to: plan.lastDay };
    expect(adoptionReport('Acme', input(period.from, period.to, rows, people, activated))).toEqual(expectedReport('Acme', accounts, plan.events, period));
  });
});
