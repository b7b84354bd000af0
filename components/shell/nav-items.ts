import type { SpriteIconName } from '@/components/ui/sprite-icons';
import type { Permission } from '@/lib/authz';
import type { NavCountKey } from '@/lib/navigation/counts';

export type NavItem = {
  href: string;
  label: string;
  icon: SpriteIconName;
  permission: Permission;
  count?: NavCountKey;
};

// The console's sections. Icons are the sprite's names, so this list stays plain data for server and client alike.
export const NAV_ITEMS: NavItem[] = [
  { href: '/', label: 'Dashboard', icon: 'gauge', permission: 'agent.read' },
  { href: '/agents', label: 'Agents', icon: 'bot', permission: 'agent.read' },
  { href: '/ownership', label: 'Ownership', icon: 'users-round', permission: 'agent.read' },
  {
    href: '/exceptions',
    label: 'Exceptions',
    icon: 'shield-alert',
    permission: 'agent.read',
    count: 'pendingExceptions',
  },
  { href: '/reviews', label: 'Reviews', icon: 'calendar-check', permission: 'agent.read', count: 'overdueReviews' },
  { href: '/timeline', label: 'Timeline', icon: 'history', permission: 'audit.read' },
  { href: '/findings', label: 'Findings', icon: 'triangle-alert', permission: 'findings.read', count: 'openFindings' },
  { href: '/changes', label: 'Changes', icon: 'git-pull-request', permission: 'change.read', count: 'pendingChanges' },
  { href: '/people', label: 'People', icon: 'contact', permission: 'user.read' },
  { href: '/notifications', label: 'Notifications', icon: 'bell', permission: 'notifications.read' },
  { href: '/tokens', label: 'API tokens', icon: 'key-round', permission: 'token.manage' },
  { href: '/settings', label: 'Settings', icon: 'settings', permission: 'settings.read' },
  { href: '/system', label: 'System', icon: 'server-cog', permission: 'system.read' },
];
