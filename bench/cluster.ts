// Several `next start` instances of the production build behind nginx (Debian's package), round-robin with no
// sticky sessions, on one database, and the issuance gate's own server (`npm run gate`) taking
// /api/v1/decisions, as a deployment routes it: started and stopped by the benchmark (`npm run bench -- --instances
// 3`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@/lib/testing/free-port';

const NGINX = '/usr/sbin/nginx';

/**
 * The arguments Node runs an npm script with (`node …` or `next …` in package.json): the cluster runs what a
 * deployment runs, flags included.
 */
function nodeScript(name: string): string[] {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [command, ...args] = (scripts[name] ?? '').split(' ');
  if (command === 'next') return ['node_modules/next/dist/bin/next', ...args];
  if (command !== 'node') throw new Error(`package.json's "${name}" script starts with neither node nor next.`);
  return args;
}

export type Cluster = {
  /** The balancer's origin: every request goes through nginx. */
  url: string;
  /** Each instance's `host:port`, as nginx names it in the `X-Upstream` header it adds to every response. */
  instances: string[];
  /** The gate's `host:port`: nginx sends POST /api/v1/decisions there. */
  gate: string;
  logs: string;
  stop: () => Promise<void>;
};

async function waitReady(url: string, child: ChildProcess, seconds = 90, probe = '/api/ready'): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode} before it was ready.`);
    try {
      if ((await fetch(`${url}${probe}`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url}${probe} did not answer 200 within ${seconds} s.`);
}

function nginxConfig(dir: string, port: number, upstreams: string[], gate: string): string {
  const proxied = (upstream: string) => `
      proxy_pass http://${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      add_header X-Upstream $upstream_addr always;`;
  return `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  client_max_body_size 20m;
  # nginx compresses (the instances run with CUSTODIAN_COMPRESS=off): C's gzip beside the proxy, not Node's per render.
  gzip on;
  gzip_proxied any;
  gzip_comp_level 5;
  gzip_min_length 1024;
  gzip_types text/x-component text/css application/javascript application/json application/problem+json text/csv
    text/plain application/x-ndjson image/svg+xml;
  upstream custodian {
${upstreams.map((u) => `    server ${u};`).join('\n')}
    keepalive 32;
    # Shorter than Node's own keep-alive (5 s): nginx must never reuse a connection the instance is closing, or a
    # POST in flight on it gets a 502.
    keepalive_timeout 4s;
  }
  upstream gate {
    server ${gate};
    keepalive 32;
    keepalive_timeout 4s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {${proxied('custodian')}
    }
    location = /api/v1/decisions {${proxied('gate')}
    }
  }
}
`;
}

/** Starts `count` instances (jobs left to a worker, so none runs a job mid-measurement) and nginx in front. */
export async function startCluster(count: number, env: NodeJS.ProcessEnv): Promise<Cluster> {
  if (!existsSync('.next/BUILD_ID')) throw new Error('No production build: run `npm run build` first.');
  if (!existsSync(NGINX)) throw new Error('nginx is not installed: apt-get install -y nginx');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'custodian-cluster-'));
  const balancer = await freePort();
  const url = `http://127.0.0.1:${balancer}`;
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  const gatePort = await freePort();
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const log = openSync(path.join(dir, `instance-${port}.log`), 'a');
      const child = spawn(process.execPath, [...nodeScript('start'), '-H', '127.0.0.1', '-p', `${port}`], {
        env: {
          ...env,
          NODE_ENV: 'production',
          NEXTAUTH_URL: url,
          CUSTODIAN_JOBS: 'worker',
          CUSTODIAN_COMPRESS: 'off',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', log, log],
      });
      children.push(child);
    }
    const gateLog = openSync(path.join(dir, `gate-${gatePort}.log`), 'a');
    const gate = spawn(process.execPath, nodeScript('gate'), {
      env: { ...env, NODE_ENV: 'production', GATE_PORT: `${gatePort}`, LOG_LEVEL: 'warn' },
      stdio: ['ignore', gateLog, gateLog],
    });
    children.push(gate);
    await Promise.all([
      ...ports.map((port, i) => waitReady(`http://127.0.0.1:${port}`, children[i]!)),
      waitReady(`http://127.0.0.1:${gatePort}`, gate, 90, '/api/health'),
    ]);
    // nginx's workers drop to `nobody` when started as root: they may write their temporary folders.
    chmodSync(dir, 0o755);
    for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, sub), { mode: 0o777 });
    const upstreams = ports.map((p) => `127.0.0.1:${p}`);
    writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, balancer, upstreams, `127.0.0.1:${gatePort}`));
    const test = spawnSync(NGINX, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { encoding: 'utf8' });
    if (test.status !== 0) throw new Error(`nginx refused its configuration: ${test.stderr}`);
    const nginx = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], {
      stdio: ['ignore', 'ignore', openSync(path.join(dir, 'nginx.log'), 'a')],
    });
    children.push(nginx);
    await waitReady(url, nginx, 10);
    return { url, instances: upstreams, gate: `127.0.0.1:${gatePort}`, logs: dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
