import type { NextConfig } from 'next';
import { securityHeaders } from './lib/http/security-headers';

const dev = process.env.NODE_ENV !== 'production';
const issuer = process.env.OIDC_ISSUER ? new URL(process.env.OIDC_ISSUER).origin : undefined;

const config: NextConfig = {
  // PGlite loads its WASM and data files from node_modules at run time.
  serverExternalPackages: ['@electric-sql/pglite', 'pglite-prisma-adapter'],
  poweredByHeader: false,
  compress: process.env.CUSTODIAN_COMPRESS !== 'off',
  experimental: {
    // forbidden(): a page a role may not see answers HTTP 403.
    authInterrupts: true,
    serverActions: {
      // Server actions keep Next.js's Origin check; behind a proxy that
      // rewrites Host, list the public host(s) here.
      allowedOrigins: (process.env.SERVER_ACTIONS_ALLOWED_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
  },
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders({ dev, formActionOrigins: issuer ? [issuer] : [] }) }];
  },
};

export default config;
