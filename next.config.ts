import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NextConfig } from 'next';
import { securityHeaders } from './lib/http/security-headers';

const dev = process.env.NODE_ENV !== 'production';
// The icon sprite's address carries a hash of its content: browsers keep it for a year, and a redrawn sprite is a new
// address (components/ui/sprite-icon.tsx).
const spriteVersion = createHash('sha256').update(readFileSync('public/icons.svg')).digest('hex').slice(0, 12);
const issuer = process.env.OIDC_ISSUER ? new URL(process.env.OIDC_ISSUER).origin : undefined;

const config: NextConfig = {
  // PGlite loads its WASM and data files from node_modules at run time.
  serverExternalPackages: ['@electric-sql/pglite', 'pglite-prisma-adapter'],
  poweredByHeader: false,
  compress: process.env.CUSTODIAN_COMPRESS !== 'off',
  env: { CUSTODIAN_SPRITE_VERSION: spriteVersion },
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
    return [
      { source: '/:path*', headers: securityHeaders({ dev, formActionOrigins: issuer ? [issuer] : [] }) },
      {
        source: '/icons.svg',
        has: [{ type: 'query', key: 'v', value: spriteVersion }],
        headers: [{ key: 'Cache-Control', value: 'public, max-age=31536000, immutable' }],
      },
    ];
  },
};

export default config;
