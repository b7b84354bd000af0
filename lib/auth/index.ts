export { isDemoSignInEnabled, listDemoPeople, type DemoPerson } from './demo';
export { getAuthOptions } from './options';
export { getCurrentUser, loadActor } from './session';
export { isOidcConfigured } from './oidc';
export { requirePageAccess } from './guard';
