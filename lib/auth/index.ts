export { isDemoSignInEnabled, listDemoPeople, type DemoPerson } from './demo';
export { getAuthOptions } from './options';
export { getCurrentUser } from './session';
export { getPageAccess, type PageAccess } from './guard';
