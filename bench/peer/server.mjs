// panva/oidc-provider configured as Ostiary's bench peer: in-memory storage, RS256 JWT access tokens
// (resource indicator), client_credentials and rotating refresh tokens, N processes (node cluster).
//
// Every worker listens on the shared PORT (the cluster balances connections: wrk drives this one) and on
// its own port PORT+1+i, so a multi-step driver can keep each virtual user on the worker whose in-memory
// store holds its refresh token (what a sticky load balancer does in front of in-memory storage).
// POST /__bench/refresh-tokens?n=N (own port only) mints N refresh tokens through the provider's own models.
import cluster from 'node:cluster';
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const PORT = Number(process.env.PORT || 4000);
const WORKERS = Number(process.env.WORKERS || 2);
const API = 'https://api.bench.test';
const SCOPES = 'read:things write:things';

if (cluster.isPrimary) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };
  for (let i = 0; i < WORKERS; i += 1) {
    cluster.fork({ BENCH_WORKER_INDEX: String(i), BENCH_JWK: JSON.stringify(jwk) });
  }
  cluster.on('exit', (worker, code) => {
    console.error(`worker ${worker.process.pid} exited with ${code}`);
    process.exit(1);
  });
} else {
  const index = Number(process.env.BENCH_WORKER_INDEX);
  const provider = new Provider(`http://127.0.0.1:${PORT}`, {
    jwks: { keys: [JSON.parse(process.env.BENCH_JWK)] },
    clients: [
      {
        client_id: 'bench-m2m',
        client_secret: 'bench-m2m-secret-0123456789abcdef',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_post',
      },
      {
        client_id: 'bench-web',
        client_secret: 'bench-web-secret-0123456789abcdef',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: SCOPES,
          audience: API,
          accessTokenTTL: 86400,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    scopes: ['openid', 'offline_access', ...SCOPES.split(' ')],
    rotateRefreshToken: true,
    routes: { token: '/oauth/token' },
    cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
  });
  provider.proxy = false;

  async function mintRefreshTokens(n) {
    const client = await provider.Client.find('bench-web');
    const tokens = [];
    for (let i = 0; i < n; i += 1) {
      const accountId = `bench-user-${index}-${i}`;
      const grant = new provider.Grant({ accountId, clientId: client.clientId });
      grant.addOIDCScope('openid offline_access');
      grant.addResourceScope(API, SCOPES);
      const grantId = await grant.save();
      const rt = new provider.RefreshToken({
        accountId,
        client,
        grantId,
        gty: 'authorization_code',
        scope: 'openid offline_access',
        resource: API,
        authTime: Math.floor(Date.now() / 1000),
      });
      tokens.push(await rt.save());
    }
    return tokens;
  }

  const callback = provider.callback();
  const benchRoutes = (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'POST' && url.pathname === '/__bench/refresh-tokens') {
      mintRefreshTokens(Number(url.searchParams.get('n') || 1)).then(
        (tokens) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ worker: index, refresh_tokens: tokens }));
        },
        (err) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
      return;
    }
    callback(req, res);
  };
  http.createServer(callback).listen(PORT, '127.0.0.1');
  http.createServer(benchRoutes).listen(PORT + 1 + index, '127.0.0.1');
}
