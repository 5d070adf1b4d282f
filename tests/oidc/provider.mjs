// provider.mjs — a real OpenID provider for Conclave's tests: npm oidc-provider
// (OpenID-certified) on a loopback port, with a few test accounts, one confidential
// client whose redirect URI is Conclave's callback, PKCE required, and a minimal
// sign-in page of our own (a form with a username; no password: these are test
// accounts on loopback).
//
//   node tests/oidc/provider.mjs --port N --redirect URI [--client-id ID]
//        [--secret-file FILE] [--auth basic|post] [--host 127.0.0.1|localhost]
// prints one line {"issuer": ..., "port": ...} on stdout once it listens.
//
// For the negative tests it can tamper with what its token endpoint answers, as a
// hostile or broken provider would: POST /__test/mode with {"mode": M} (loopback
// only) where M is "" (honest), "other-key" (the ID token re-signed with a key not
// in the JWKS, under the same kid), "new-kid" (signed with a key of a kid the JWKS
// does not have), "aud" (another audience), "expired" (exp in the past), "nonce"
// (another nonce), "alg-none" (alg none), "alg-hs256" (HMAC keyed with the client
// secret), "token-500" (the token
// endpoint fails). Claims are changed and the token re-signed with the provider's
// own key, so only the changed claim is wrong. GET /__test/stats answers how many
// times the JWKS and discovery documents were fetched.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values: opt } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    redirect: { type: 'string' },
    'client-id': { type: 'string', default: 'conclave' },
    'secret-file': { type: 'string' },
    auth: { type: 'string', default: 'basic' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

// The accounts: alice is in the group; bob is not; carol's verified email is a
// Conclave member's; dave's email is not verified; erin is in the group with a
// username that needs normalising.
const ACCOUNTS = {
  alice: { email: 'alice@example.org', email_verified: true, name: 'Alice Example',
    preferred_username: 'alice', groups: ['conclave-core', 'staff'] },
  bob: { email: 'bob@example.org', email_verified: true, name: 'Bob Outside',
    preferred_username: 'bob', groups: ['staff'] },
  carol: { email: 'carol@example.org', email_verified: true, name: 'Carol Member',
    preferred_username: 'carol.c', groups: ['conclave-core'] },
  dave: { email: 'dave@example.org', email_verified: false, name: 'Dave Unverified',
    preferred_username: 'dave', groups: ['conclave-core'] },
  erin: { email: 'erin@example.org', email_verified: true, name: 'Erin Dot',
    preferred_username: 'erin.dot', groups: ['conclave-core'] },
};

function rsaJwk(kid) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
}

const signing = rsaJwk('test-key-1');
const rogue = rsaJwk('test-key-1'); // same kid, not in the JWKS
const rogueNewKid = rsaJwk('test-key-9');
const secret = opt['secret-file'] ? fs.readFileSync(opt['secret-file'], 'utf8').split('\n')[0]
  : 'test-client-secret-0123456789abcdef';
const port = Number(opt.port);
const issuer = `http://${opt.host}:${port}`; // localhost: another site than 127.0.0.1
const stats = { jwks: 0, discovery: 0, token: 0 };
let mode = '';

const b64u = (b) => Buffer.from(b).toString('base64url');

function resign(idToken, change) {
  const [h, p] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  let key = signing;
  const now = Math.floor(Date.now() / 1000);
  if (change === 'aud') payload.aud = 'another-client';
  if (change === 'expired') { payload.iat = now - 300; payload.exp = now - 120; }
  if (change === 'nonce') payload.nonce = 'another-nonce';
  if (change === 'other-key') key = rogue;
  if (change === 'new-kid') { key = rogueNewKid; header.kid = rogueNewKid.kid; }
  if (change === 'alg-none') { // with a signature part, so that alg itself must refuse it
    return `${b64u(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64u(JSON.stringify(payload))}.${idToken.split('.')[2]}`;
  }
  if (change === 'alg-hs256') { // HMAC with the client secret, which Conclave knows too
    const input = `${b64u(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: header.kid }))}.${b64u(JSON.stringify(payload))}`;
    return `${input}.${b64u(crypto.createHmac('sha256', secret).update(input).digest())}`;
  }
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  const sig = crypto.sign('sha256', Buffer.from(input), crypto.createPrivateKey({ key, format: 'jwk' }));
  return `${input}.${b64u(sig)}`;
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: opt['client-id'],
    client_secret: secret,
    redirect_uris: [opt.redirect],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: opt.auth === 'post' ? 'client_secret_post' : 'client_secret_basic',
  }],
  pkce: { required: () => true },
  jwks: { keys: [signing] },
  conformIdTokenClaims: false, // the claims in the ID token, as Keycloak, Dex, Google do
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['groups'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  async findAccount(ctx, id) {
    if (!ACCOUNTS[id]) return undefined;
    return { accountId: id, async claims() { return { sub: `sub-${id}`, ...ACCOUNTS[id] }; } };
  },
  // every scope of our one client granted: no consent screen
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Provider error</title><p>${out.error}: ${out.error_description}</p>`;
  },
});

const page = (uid, login) => `<!doctype html><html><head><title>Test provider: sign in</title></head>
<body><h1>Sign in to the test provider</h1>
<form method="post" action="/interaction/${uid}/login">
<label>Username <input name="login" id="login" value="${login}" autofocus></label>
<button type="submit" id="signin">Sign in</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit" id="decline">Decline</button></form>
</body></html>`;

function readForm(req) {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => resolve(new URLSearchParams(body)));
  });
}

// Our routes before the provider's: the sign-in page and the test controls.
provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/interaction\/([^/]+)(\/login|\/abort)?$/);
  if (m && ctx.method === 'GET' && !m[2]) {
    await provider.interactionDetails(ctx.req, ctx.res);
    ctx.type = 'html';
    ctx.body = page(m[1], '');
    return;
  }
  if (m && ctx.method === 'POST' && m[2]) {
    const form = await readForm(ctx.req);
    const result = m[2] === '/abort'
      ? { error: 'access_denied', error_description: 'the user declined' }
      : ACCOUNTS[form.get('login')] ? { login: { accountId: form.get('login') } }
        : { error: 'access_denied', error_description: 'no such test account' };
    ctx.respond = false;
    await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    return;
  }
  if (ctx.path === '/__test/mode' && ctx.method === 'POST') {
    const form = await readForm(ctx.req);
    mode = form.get('mode') || '';
    ctx.body = { mode };
    return;
  }
  if (ctx.path === '/__test/stats') {
    ctx.body = stats;
    return;
  }
  if (ctx.path === '/jwks') stats.jwks++;
  if (ctx.path === '/.well-known/openid-configuration') stats.discovery++;
  if (ctx.path === '/token') {
    stats.token++;
    if (mode === 'token-500') {
      ctx.status = 500;
      ctx.body = { error: 'server_error' };
      return;
    }
  }
  await next();
  if (ctx.path === '/token' && mode && ctx.status === 200 && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: resign(ctx.body.id_token, mode) };
  }
});

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ issuer, port: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
