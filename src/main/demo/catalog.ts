/**
 * What the demo product is: a project-management SaaS. Event names, who does what, and how often.
 * Kept apart from the generator so the numbers that shape the data are easy to read and tune.
 */
export const DEMO_EVENT_NAMES = [
  'signup', 'login', 'onboarding_step_completed', 'page_viewed',
  'project_created', 'project_viewed', 'project_archived',
  'task_created', 'task_viewed', 'task_completed', 'task_assigned', 'comment_added',
  'file_uploaded', 'file_downloaded',
  'report_run', 'report_viewed', 'report_shared', 'dashboard_viewed', 'dashboard_created',
  'invite_sent', 'invite_accepted', 'integration_connected', 'integration_disconnected',
  'export_csv', 'export_pdf', 'billing_viewed', 'upgrade_clicked', 'plan_upgraded', 'usage_limit_hit',
  'settings_updated', 'user_role_changed', 'api_key_created', 'template_used', 'search_performed',
  'notification_clicked', 'mobile_app_opened', 'calendar_viewed', 'timeline_viewed',
  'automation_created', 'automation_run', 'help_center_viewed', 'feedback_submitted',
] as const;
export type DemoEventName = (typeof DEMO_EVENT_NAMES)[number];

export type Role = 'admin' | 'creator' | 'consumer';
export type Plan = 'free' | 'starter' | 'growth' | 'enterprise';
export type Archetype = 'power' | 'regular' | 'occasional' | 'churned' | 'visitor';

export const PLAN_WEIGHTS: Record<Plan, number> = { free: 45, starter: 30, growth: 18, enterprise: 7 };
export const ROLE_WEIGHTS: Record<Role, number> = { admin: 14, creator: 46, consumer: 40 };
export const ARCHETYPE_WEIGHTS: Record<Archetype, number> = {
  power: 8,
  regular: 22,
  occasional: 30,
  churned: 22,
  visitor: 18,
};

/** Chance of a session on any given day, and how many actions a session holds besides the login. */
export const ARCHETYPE_ACTIVITY: Record<Archetype, { dailyChance: number; minActions: number; maxActions: number }> = {
  power: { dailyChance: 0.3, minActions: 2, maxActions: 5 },
  regular: { dailyChance: 0.1, minActions: 1, maxActions: 3 },
  occasional: { dailyChance: 0.04, minActions: 1, maxActions: 3 },
  churned: { dailyChance: 0.16, minActions: 1, maxActions: 3 },
  visitor: { dailyChance: 0, minActions: 0, maxActions: 0 },
};

/** The project limit that starter accounts hit: the moment the upsell modal is for. */
export const STARTER_PROJECT_LIMIT = 3;

type Weights = Partial<Record<DemoEventName, number>>;

const CREATOR: Weights = {
  task_created: 14, task_completed: 12, project_viewed: 10, task_viewed: 8, comment_added: 6, report_run: 5,
  dashboard_viewed: 5, search_performed: 5, task_assigned: 5, page_viewed: 6, file_uploaded: 3, timeline_viewed: 3,
  notification_clicked: 3, calendar_viewed: 2, template_used: 2, project_created: 2.5, report_viewed: 2,
  automation_run: 1.5, export_csv: 1.5, mobile_app_opened: 1.5, report_shared: 1, file_downloaded: 1,
  export_pdf: 0.8, help_center_viewed: 0.8, automation_created: 0.6, dashboard_created: 0.6, project_archived: 0.5,
  feedback_submitted: 0.2,
};

const CONSUMER: Weights = {
  task_viewed: 14, project_viewed: 12, comment_added: 10, task_completed: 8, dashboard_viewed: 8, page_viewed: 8,
  notification_clicked: 7, report_viewed: 6, search_performed: 4, mobile_app_opened: 4, file_downloaded: 3,
  task_created: 2, calendar_viewed: 2, timeline_viewed: 2, report_run: 1, help_center_viewed: 1,
  feedback_submitted: 0.2,
};

const ADMIN: Weights = {
  ...Object.fromEntries(Object.entries(CREATOR).map(([k, v]) => [k, v * 0.6])),
  invite_sent: 5, settings_updated: 4, billing_viewed: 2.5, user_role_changed: 1.5, integration_connected: 1.2,
  api_key_created: 0.4, integration_disconnected: 0.2,
};

/** Power users lean on reports, automation and exports: the behaviors the workshop's power persona is about. */
const POWER_BOOST: Weights = { report_run: 4, automation_run: 3, export_csv: 2.5, export_pdf: 2.5, dashboard_created: 2 };

export function actionWeights(role: Role, power: boolean): Weights {
  const base = role === 'admin' ? ADMIN : role === 'creator' ? CREATOR : CONSUMER;
  if (!power) return base;
  const boosted: Weights = { ...base };
  for (const [name, factor] of Object.entries(POWER_BOOST) as [DemoEventName, number][]) {
    boosted[name] = (boosted[name] ?? 0.5) * factor;
  }
  return boosted;
}

const COMPANY_STEMS = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Wonka', 'Soylent',
  'Tyrell', 'Cyberdyne', 'Aperture', 'Oscorp', 'Pied Piper', 'Gringotts', 'Monarch', 'Dunder', 'Nakatomi', 'Prestige',
];
const COMPANY_SUFFIXES = ['Labs', 'Group', 'Studio', 'Works', 'Systems', 'Partners', 'Logistics', 'Health', 'Media', 'Foods'];
export const COMPANIES = COMPANY_STEMS.flatMap((stem) => COMPANY_SUFFIXES.map((suffix) => `${stem} ${suffix}`));
export const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'CA', 'NL', 'SE', 'JP', 'BR', 'IN', 'AU', 'ES'];
export const REPORT_FORMATS = ['pdf', 'csv', 'web'] as const;
export const REPORT_TYPES = ['status', 'workload', 'burndown', 'time_tracking'] as const;
export const INTEGRATIONS = ['slack', 'github', 'google_drive', 'jira', 'salesforce'] as const;
export const PAGES = ['/projects', '/tasks', '/reports', '/dashboard', '/calendar', '/settings', '/billing'] as const;
