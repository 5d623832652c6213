// openid-client (v6, an OpenID-certified relying party built on oauth4webapi) against
// `tokenlab serve`: discovery, DPoP (RFC 9449) and PAR (RFC 9126), each step checked by a library
// we did not write. Run by test_openid_client.sh:
//   node openid_client_interop.mjs ISSUER NODE_MODULES_DIR
// Prints one line per step; exits 1 with "FAIL: …" on the first failure.
import { createRequire } from 'node:module';
import path from 'node:path';

const [issuer, modules] = process.argv.slice(2);
if (!issuer || !modules) {
  console.error('usage: node openid_client_interop.mjs ISSUER NODE_MODULES_DIR');
  process.exit(2);
}
// openid-client lives in the build folder, not next to this file: resolve it from there.
const require = createRequire(path.join(modules, 'noop.js'));
const client = await import(require.resolve('openid-client'));

const insecure = { execute: [client.allowInsecureRequests] }; // plain http on loopback
let step = '';
function ok(what) {
  console.log(`ok   ${what}`);
}
function check(cond, what) {
  if (!cond) throw new Error(what);
}
async function json(res, what) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what}: status ${res.status}, not JSON: ${text}`);
  }
}
// fetchProtectedResource throws WWWAuthenticateChallengeError on a 401 with a challenge: return
// the status and the challenge openid-client parsed, so the caller asserts on both.
async function refused(config, token, url, dpop) {
  try {
    const res = await client.fetchProtectedResource(config, token, url, 'GET', undefined, undefined,
                                                     { DPoP: dpop });
    return { status: res.status, challenges: [] };
  } catch (e) {
    if (e.code !== 'OAUTH_WWW_AUTHENTICATE_CHALLENGE') throw e;
    return { status: e.status ?? e.response?.status, challenges: e.cause };
  }
}

try {
  // (a) client_credentials with DPoP, confidential client demo-service.
  step = 'discovery (demo-service)';
  const svc = await client.discovery(new URL(issuer), 'demo-service', 'demo-service-secret',
                                     undefined, insecure);
  const md = svc.serverMetadata();
  check(md.issuer === issuer, `issuer ${md.issuer} != ${issuer}`);
  check(Array.isArray(md.dpop_signing_alg_values_supported) &&
          md.dpop_signing_alg_values_supported.includes('ES256'),
        'metadata lacks dpop_signing_alg_values_supported with ES256');
  check(typeof md.pushed_authorization_request_endpoint === 'string',
        'metadata lacks pushed_authorization_request_endpoint');
  ok(`discovery: issuer ${md.issuer}, DPoP algs ${md.dpop_signing_alg_values_supported.join(' ')}`);

  step = 'client_credentials with DPoP';
  const svcKeys = await client.randomDPoPKeyPair('ES256');
  const svcDPoP = client.getDPoPHandle(svc, svcKeys);
  const cc = await client.clientCredentialsGrant(svc, { scope: 'api:read' }, { DPoP: svcDPoP });
  check(cc.token_type?.toLowerCase() === 'dpop', `token_type is ${cc.token_type}, wanted DPoP`);
  ok(`client_credentials + DPoP: token_type ${cc.token_type}, scope ${cc.scope}`);

  const profile = new URL('/api/profile', issuer);
  step = 'GET /api/profile with DPoP';
  const res = await client.fetchProtectedResource(svc, cc.access_token, profile, 'GET', undefined,
                                                  undefined, { DPoP: svcDPoP });
  const who = await json(res, '/api/profile');
  check(res.status === 200, `status ${res.status}: ${JSON.stringify(who)}`);
  ok(`/api/profile with the DPoP proof: 200, sub ${who.sub}`);

  step = 'the DPoP-bound token as Bearer';
  const bearer = await fetch(profile, { headers: { authorization: `Bearer ${cc.access_token}` } });
  const challenge = bearer.headers.get('www-authenticate') ?? '';
  check(bearer.status === 401, `status ${bearer.status}, wanted 401`);
  check(/error="invalid_token"/.test(challenge), `WWW-Authenticate: ${challenge}`);
  ok(`the same token as Bearer: 401 invalid_token (${challenge})`);

  step = "the token with another key's proof";
  const thief = client.getDPoPHandle(svc, await client.randomDPoPKeyPair('ES256'));
  const stolen = await refused(svc, cc.access_token, profile, thief);
  check(stolen.status === 401, `status ${stolen.status}, wanted 401`);
  const c = stolen.challenges.find((ch) => ch.scheme === 'dpop');
  check(c && c.parameters.error === 'invalid_token',
        `challenge parsed by openid-client: ${JSON.stringify(stolen.challenges)}`);
  // RFC 6750 §3: the description is printable ASCII without '"' or '\' (a header is read as
  // Latin-1: UTF-8 "§" arrives as "Â§")
  check(/^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/.test(c.parameters.error_description),
        `error_description is not RFC 6750 §3 ASCII: ${c.parameters.error_description}`);
  ok(`a proof by another key: 401, DPoP challenge invalid_token (${c.parameters.error_description})`);

  // (b) authorization code + PKCE + PAR + DPoP, public client tokenlab-cli.
  step = 'discovery (tokenlab-cli)';
  const cli = await client.discovery(new URL(issuer), 'tokenlab-cli', undefined, client.None(),
                                     insecure);
  client.enableNonRepudiationChecks(cli); // verify the ID token's signature against /jwks too
  const keys = await client.randomDPoPKeyPair('ES256');
  const DPoP = client.getDPoPHandle(cli, keys);
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const expectedState = client.randomState();
  const expectedNonce = client.randomNonce();

  step = 'PAR';
  const authUrl = await client.buildAuthorizationUrlWithPAR(cli, {
    redirect_uri: 'http://127.0.0.1:7777/callback',
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: expectedState,
    nonce: expectedNonce,
  }, { DPoP });
  check(authUrl.searchParams.get('request_uri')?.startsWith('urn:ietf:params:oauth:request_uri:'),
        `authorization URL has no request_uri: ${authUrl}`);
  check(!authUrl.searchParams.has('code_challenge'), `pushed parameters leak into ${authUrl}`);
  ok(`PAR: ${authUrl.pathname}?${[...authUrl.searchParams.keys()].join('&')}`);

  step = 'the user: GET /authorize (JSON)';
  const form = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  let r = await fetch(authUrl, { headers: { accept: 'application/json' }, redirect: 'manual' });
  const start = await json(r, 'GET /authorize');
  check(r.status === 200 && start.step === 'login', `${r.status} ${JSON.stringify(start)}`);
  const { session, session_secret } = start;
  step = 'the user: POST /authorize/login';
  r = await fetch(new URL(start.action, issuer), {
    method: 'POST', headers: form, redirect: 'manual',
    body: new URLSearchParams({ session, session_secret, email: 'alice@example.com',
                                password: 'wonderland' }),
  });
  const login = await json(r, 'POST /authorize/login');
  check(r.status === 200 && login.step === 'consent', `${r.status} ${JSON.stringify(login)}`);
  step = 'the user: POST /authorize/consent';
  r = await fetch(new URL(login.action, issuer), {
    method: 'POST', headers: form, redirect: 'manual',
    body: new URLSearchParams({ session, session_secret, csrf: login.csrf, decision: 'allow' }),
  });
  const consent = await json(r, 'POST /authorize/consent');
  check(r.status === 200 && consent.step === 'redirect', `${r.status} ${JSON.stringify(consent)}`);
  ok(`the user signed in and consented: redirect to ${new URL(consent.location).pathname}`);

  step = 'authorization_code with DPoP';
  const tokens = await client.authorizationCodeGrant(cli, new URL(consent.location),
                                                     { pkceCodeVerifier, expectedState, expectedNonce },
                                                     undefined, { DPoP });
  check(tokens.token_type?.toLowerCase() === 'dpop', `token_type is ${tokens.token_type}`);
  const claims = tokens.claims();
  check(claims && claims.sub === 'alice', `ID token claims: ${JSON.stringify(claims)}`);
  check(typeof tokens.refresh_token === 'string', 'no refresh_token');
  ok(`authorization_code + PKCE + DPoP: token_type ${tokens.token_type}, ID token valid ` +
     `(signature, iss, aud, nonce, at_hash) for sub ${claims.sub}`);

  step = 'userinfo with DPoP';
  const ui = await client.fetchUserInfo(cli, tokens.access_token, claims.sub, { DPoP });
  ok(`/userinfo with DPoP: sub ${ui.sub}, name ${ui.name}`);

  step = 'refresh with the same DPoP key';
  const again = await client.refreshTokenGrant(cli, tokens.refresh_token, undefined, { DPoP });
  check(again.token_type?.toLowerCase() === 'dpop', `token_type is ${again.token_type}`);
  check(again.refresh_token && again.refresh_token !== tokens.refresh_token,
        'a public client\'s refresh token should rotate');
  const res2 = await client.fetchProtectedResource(cli, again.access_token, profile, 'GET',
                                                   undefined, undefined, { DPoP });
  check(res2.status === 200, `/api/profile with the refreshed token: ${res2.status}`);
  ok('refresh with the same DPoP key: new DPoP token, rotated refresh token, /api/profile 200');

  step = 'refresh with another key';
  const other = client.getDPoPHandle(cli, await client.randomDPoPKeyPair('ES256'));
  let refusedRefresh = null;
  try {
    await client.refreshTokenGrant(cli, again.refresh_token, undefined, { DPoP: other });
  } catch (e) {
    refusedRefresh = e;
  }
  check(refusedRefresh?.error === 'invalid_dpop_proof',
        `wanted invalid_dpop_proof, got ${refusedRefresh ? refusedRefresh.error ?? refusedRefresh : 'tokens'}`);
  ok(`refresh with another key: 400 ${refusedRefresh.error} (${refusedRefresh.error_description})`);
} catch (e) {
  const detail = e.error ? ` [${e.error}: ${e.error_description}]` : '';
  console.error(`FAIL: ${step}: ${e.message}${detail}${e.cause ? ` (cause: ${JSON.stringify(e.cause)})` : ''}`);
  process.exit(1);
}
console.log('openid-client: all steps passed');
