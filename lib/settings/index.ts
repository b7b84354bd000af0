export { getSettings } from './queries';
export { DEFAULT_SETTINGS, SETTING_KEYS, SettingsSchema, type SettingKey, type Settings } from './schema';
