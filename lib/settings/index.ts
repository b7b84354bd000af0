export { getSettings } from './queries';
export { DEFAULT_SETTINGS, SettingsSchema, type SettingKey, type Settings } from './schema';
