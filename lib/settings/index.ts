export {
  getPolicy,
  getSettings,
  getSettingsPage,
  readSettings,
  storedSettingsJson,
  type SettingProblem,
  type StoredSetting,
} from './queries';
export { DEFAULT_SETTINGS, SETTING_KEYS, SettingsSchema, type SettingKey, type Settings } from './schema';
