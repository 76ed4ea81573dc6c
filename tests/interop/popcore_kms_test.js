#!/usr/bin/env node
// Interop check: ossguard dev server KMS vs the official `@alicloud/pop-core` Node SDK (RPC
// signature V1), on every region's port of a `--demo` server: ListKeys across pages,
// DescribeKey of each demo key state, ListAliases, a wrong secret, a replayed nonce, an
// unknown key. Env: OSSGUARD_READY, OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET.
'use strict';
const RPCClient = require('@alicloud/pop-core').RPCClient;

function env(name) {
  const value = process.env[name];
  if (!value) {
    console.log(`not ok - environment variable ${name} is not set`);
    process.exit(1);
  }
  return value;
}

const READY = JSON.parse(env('OSSGUARD_READY'));
const AK = env('OSS_ACCESS_KEY_ID');
const SK = env('OSS_ACCESS_KEY_SECRET');
// The demo keys of a region (ossguard's devserver/demo_keys.rs), by expected state.
const KINDS = {
  aes: 'Enabled', sm4: 'Enabled', disabled: 'Disabled', pending: 'PendingDeletion',
  byok: 'Enabled', import: 'PendingImport', hsm: 'Enabled', sign: 'Enabled',
};
const keyId = (region, kind) => `key-${region.replace(/-/g, '')}-${kind}-demo`;

class CheckFailed extends Error {}

function check(name, cond, detail = '') {
  if (!cond) throw new CheckFailed(`${name}: ${detail}`);
  console.log(`ok - ${name}`);
}

async function expectError(name, fn, code) {
  try {
    await fn();
  } catch (e) {
    if (e instanceof CheckFailed) throw e;
    check(name, e.code === code, `want ${code}, got ${e.code} (${e.name}: ${e.message})`);
    return e;
  }
  throw new CheckFailed(`${name}: want ${code}, but the call succeeded`);
}

function client(region, secret = SK) {
  return new RPCClient({
    accessKeyId: AK,
    accessKeySecret: secret,
    endpoint: READY.regions[region],
    apiVersion: '2016-01-20',
  });
}

async function region(name, method) {
  const tag = `pop-core ${method} ${name}`;
  const kms = client(name);
  const opts = { method, timeout: 30000 };
  // ListKeys, 3 keys a page, until every key is seen.
  const seen = [];
  let total = 0;
  for (let page = 1; page <= 10; page++) {
    const answer = await kms.request('ListKeys', { PageNumber: page, PageSize: 3 }, opts);
    total = answer.TotalCount;
    seen.push(...answer.Keys.Key.map(k => k.KeyId));
    if (seen.length >= total || answer.Keys.Key.length === 0) break;
  }
  check(`${tag}: ListKeys across pages`, seen.length === total && total >= 8 && new Set(seen).size === total,
    `${seen.length} of ${total}`);
  for (const [kind, state] of Object.entries(KINDS)) {
    const answer = await kms.request('DescribeKey', { KeyId: keyId(name, kind) }, opts);
    check(`${tag}: DescribeKey ${kind} is ${state}`, answer.KeyMetadata.KeyState === state,
      JSON.stringify(answer.KeyMetadata));
  }
  const aliases = await kms.request('ListAliases', { PageNumber: 1, PageSize: 100 }, opts);
  check(`${tag}: ListAliases`, aliases.Aliases.Alias.some(a => a.AliasName === `alias/prod-data-${name.replace(/-/g, '')}`
    && a.KeyId === keyId(name, 'aes')), JSON.stringify(aliases));
  await expectError(`${tag}: unknown key`, () => kms.request('DescribeKey', { KeyId: 'key-unknown00000' }, opts),
    'Forbidden.KeyNotFound');
  await expectError(`${tag}: wrong secret`, () => client(name, 'wrong-secret').request('ListKeys', {}, opts),
    'SignatureDoesNotMatch');
  const nonce = `popcore-${method}-${name}-${Date.now()}`;
  await kms.request('ListKeys', { SignatureNonce: nonce }, opts);
  await expectError(`${tag}: replayed nonce`, () => kms.request('ListKeys', { SignatureNonce: nonce }, opts),
    'SignatureNonceUsed');
}

async function main() {
  try {
    for (const method of ['GET', 'POST']) {
      for (const name of Object.keys(READY.regions)) {
        await region(name, method);
      }
    }
  } catch (e) {
    const kind = e instanceof CheckFailed ? '' : `${e.name}: `;
    console.log(`not ok - ${kind}${e.message}`);
    return 1;
  }
  console.log('pop-core KMS interop: all checks passed');
  return 0;
}

main().then(code => { process.exitCode = code; }, e => { console.error(e); process.exitCode = 1; });
