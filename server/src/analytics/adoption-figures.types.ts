// The JSON shapes of the adoption dashboard (GET /api/v1/kith/analytics and …/inactive), snake_case as
// the API sends them; computed by adoption-metrics.ts.
import type { UsageDevice, UsagePeriod } from './usage.types.ts';

export interface DashboardSummary {
  registered: number;
  dau: number;
  wau: number;
  mau: number;
  dau_share: number;
  wau_share: number;
  mau_share: number;
  average_dau: number;
  stickiness: number;
  activated: number;
  activation_share: number;
  events: number;
}

export interface DailyFigures {
  day: string;
  dau: number;
  wau: number;
  mau: number;
  registered: number;
  events: number;
}

export interface WeeklyFigures {
  /** The week's Monday. */
  week: string;
  /** The week clipped to the period. */
  from: string;
  to: string;
  active: number;
  events: number;
}

export interface DepartmentFigures {
  department: string;
  registered: number;
  active: number;
  dau: number;
  wau: number;
  mau: number;
  mau_share: number;
  activated: number;
  activation_share: number;
  events: number;
}

export interface FeatureFigures {
  feature: string;
  events: number;
  accounts: number;
  account_share: number;
  underused: boolean;
}

export interface ClientFigures {
  client: string;
  events: number;
  accounts: number;
}

export interface DeviceFigures {
  device: UsageDevice;
  events: number;
  accounts: number;
}

export interface CrossInstanceFigures {
  follows: number;
  cross_follows: number;
  follow_share: number;
  replies: number;
  cross_replies: number;
  reply_share: number;
}

export interface LeaderFigures {
  leaders: number;
  active: number;
  active_share: number;
  posts: number;
  replies: number;
}

/** GET /api/v1/kith/analytics. */
export interface AdoptionDashboard {
  period: UsagePeriod;
  department: string | null;
  summary: DashboardSummary;
  daily: DailyFigures[];
  weekly: WeeklyFigures[];
  departments: DepartmentFigures[];
  features: FeatureFigures[];
  clients: ClientFigures[];
  devices: DeviceFigures[];
  cross_instance: CrossInstanceFigures;
  leaders: LeaderFigures;
}

/** One row of GET /api/v1/kith/analytics/inactive. */
export interface InactiveAccount {
  id: string;
  username: string;
  display_name: string;
  department: string;
  leader: boolean;
  last_active: string | null;
}
