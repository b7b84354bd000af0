export { getPolicy, getSettings, getSettingsPage, readSettings, type SettingProblem } from './queries';
export { DEFAULT_SETTINGS, SETTING_KEYS, SettingsSchema, type SettingKey, type Settings } from './schema';
