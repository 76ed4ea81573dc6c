#!/usr/bin/env node
// Interop check: ossguard dev server vs the official `ali-oss` Node SDK (6.23.0).
//
// Runs the list with V1 signatures (ali-oss default), then with authorizationV4.
// Addressing: the endpoint is an IP literal, so ali-oss sends path `/<key>` and puts the
// bucket in `Host: <bucket>.oss-<region>.aliyuncs.com` (its default for IP endpoints).
// `sldEnable` is NOT used: with an IP endpoint ali-oss 6.23.0 then sends `/<bucket>/<key>`
// AND the bucket Host header at the same time, which is ambiguous for a server.
// Env: OSSGUARD_READY, OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSSGUARD_BUCKET_PREFIX.
'use strict';
const OSS = require('ali-oss');

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
const PREFIX = env('OSSGUARD_BUCKET_PREFIX');
const REGIONS = READY.regions;
const HZ = 'cn-hangzhou';
const SH = 'cn-shanghai';
const KEY_ID = '9468da86-3509-4f8d-a61e-6eab1eac0001';
const DATA = Buffer.from('hello from ali-oss interop');

class CheckFailed extends Error {}

function check(name, cond, detail = '') {
  if (!cond) throw new CheckFailed(`${name}: ${detail}`);
  console.log(`ok - ${name}`);
}

async function expectError(name, fn, status, code) {
  try {
    await fn();
  } catch (e) {
    if (e instanceof CheckFailed) throw e;
    check(name, e.status === status && e.code === code,
      `want ${status} ${code}, got ${e.status} ${e.code} (${e.name}: ${e.message})`);
    return e;
  }
  throw new CheckFailed(`${name}: want ${status} ${code}, but the call succeeded`);
}

const J = v => JSON.stringify(v);

class Pass {
  constructor(sig) {
    this.sig = sig;
    this.tag = `alioss ${sig}`;
    this.base = `${PREFIX}-alioss-${sig}`;
    this.created = []; // {c, name, keys}
  }

  client(region, { ak = AK, secret = SK, bucket } = {}) {
    const c = new OSS({
      accessKeyId: ak,
      accessKeySecret: secret,
      endpoint: REGIONS[region],
      region: `oss-${region}`, // Host header suffix and (V4) signing region
      authorizationV4: this.sig === 'v4',
      timeout: 30000,
    });
    if (bucket) c.useBucket(bucket);
    return c;
  }

  async create(suffix, region) {
    const name = `${this.base}-${suffix}`;
    const c = this.client(region, { bucket: name });
    await c.putBucket(name);
    const entry = { c, name, keys: [] };
    this.created.push(entry);
    return entry;
  }

  async run() {
    const t = this.tag;
    // 1. buckets in two regions
    const hz = await this.create('hz', HZ);
    check(`${t}: create bucket ${hz.name} in ${HZ}`, true);
    const sh = await this.create('sh', SH);
    check(`${t}: create bucket ${sh.name} in ${SH} via its own port`, true);
    for (const [b, region] of [[hz, HZ], [sh, SH]]) {
      const info = (await b.c.getBucketInfo(b.name)).bucket;
      check(`${t}: bucket info location of ${region} bucket`, info.Location === `oss-${region}`, `got ${J(info.Location)}`);
    }
    let sse = (await hz.c.getBucketInfo(hz.name)).bucket.ServerSideEncryptionRule;
    check(`${t}: bucket info SSE is None on a fresh bucket`, !sse || !sse.SSEAlgorithm || sse.SSEAlgorithm === 'None', `got ${J(sse)}`);

    // 2. no rule yet
    const getEnc = () => hz.c.getBucketEncryption(hz.name);
    await expectError(`${t}: GET encryption on fresh bucket`, getEnc, 404, 'NoSuchServerSideEncryptionRule');

    // 3. each kind of rule (ali-oss cannot send KMSDataEncryption: that rule goes through a raw signed request)
    const kinds = [
      ['AES256', { SSEAlgorithm: 'AES256' }],
      ['KMS default key', { SSEAlgorithm: 'KMS' }],
      ['KMS with empty key id', { SSEAlgorithm: 'KMS', KMSMasterKeyID: '' }],
      ['KMS with key id', { SSEAlgorithm: 'KMS', KMSMasterKeyID: KEY_ID }],
      ['KMS + SM4 data encryption (raw request)', { SSEAlgorithm: 'KMS', KMSDataEncryption: 'SM4' }],
      ['SM4', { SSEAlgorithm: 'SM4' }],
    ];
    for (const [label, want] of kinds) {
      let r;
      if (want.KMSDataEncryption) r = await this.rawPutEncryption(hz, want);
      else r = await hz.c.putBucketEncryption(hz.name, want);
      check(`${t}: put encryption ${label} -> 200`, r.status === 200, `status ${r.status}`);
      const got = (await getEnc()).encryption || {};
      const norm = o => J([o.SSEAlgorithm, o.KMSMasterKeyID || null, o.KMSDataEncryption || null]);
      check(`${t}: get encryption ${label}`, norm(got) === norm(want), `want ${norm(want)}, got ${J(got)}`);
      sse = (await hz.c.getBucketInfo(hz.name)).bucket.ServerSideEncryptionRule;
      check(`${t}: bucket info SSE after ${label}`, sse && sse.SSEAlgorithm === want.SSEAlgorithm, `got ${J(sse)}`);
    }
    const del = await hz.c.deleteBucketEncryption(hz.name);
    check(`${t}: delete encryption -> 204`, del.status === 204, `status ${del.status}`);
    await expectError(`${t}: GET encryption after delete`, getEnc, 404, 'NoSuchServerSideEncryptionRule');

    // 4. invalid rules
    await expectError(`${t}: PUT encryption DES`, () => hz.c.putBucketEncryption(hz.name, { SSEAlgorithm: 'DES' }),
      400, 'InvalidEncryptionAlgorithmError');
    await expectError(`${t}: PUT encryption AES256 with KMSMasterKeyID`,
      () => hz.c.putBucketEncryption(hz.name, { SSEAlgorithm: 'AES256', KMSMasterKeyID: KEY_ID }), 400, 'InvalidArgument');

    // 5. bad credentials
    await expectError(`${t}: wrong secret`, () => this.client(HZ, { secret: `${SK}x` }).getBucketInfo(hz.name),
      403, 'SignatureDoesNotMatch');
    await expectError(`${t}: unknown access key id`,
      () => this.client(HZ, { ak: 'LTAIunknownkey0000000000' }).getBucketInfo(hz.name), 403, 'InvalidAccessKeyId');

    // 6. cn-shanghai bucket through the cn-hangzhou port, signed for cn-hangzhou.
    // ali-oss does not expose the error XML's <Endpoint>, so only status and code are checked.
    await expectError(`${t}: ${SH} bucket via ${HZ} port`, () => this.client(HZ).getBucketEncryption(sh.name),
      403, 'AccessDenied');

    // 7. object-level SSE
    const sseOf = r => r.res.headers['x-oss-server-side-encryption'];
    await hz.c.put('kms.txt', DATA, { headers: { 'x-oss-server-side-encryption': 'KMS' } });
    hz.keys.push('kms.txt');
    let h = await hz.c.head('kms.txt');
    check(`${t}: HEAD object put with SSE KMS header`, sseOf(h) === 'KMS', `headers=${J(h.res.headers)}`);
    await hz.c.putBucketEncryption(hz.name, { SSEAlgorithm: 'AES256' });
    await hz.c.put('plain.txt', DATA);
    hz.keys.push('plain.txt');
    h = await hz.c.head('plain.txt');
    check(`${t}: HEAD object inherits bucket default AES256`, sseOf(h) === 'AES256', `headers=${J(h.res.headers)}`);
    const g = await hz.c.get('kms.txt');
    check(`${t}: GET object body and SSE header`, DATA.equals(g.content) && sseOf(g) === 'KMS',
      `body=${J(String(g.content))} sse=${sseOf(g)}`);
    await hz.c.copy('copy.txt', 'kms.txt');
    hz.keys.push('copy.txt');
    h = await hz.c.head('copy.txt');
    check(`${t}: CopyObject without SSE header gets bucket default AES256`, sseOf(h) === 'AES256', `headers=${J(h.res.headers)}`);

    // 8. ListBuckets pagination with a marker loop
    for (let i = 1; i <= 3; i++) await this.create(`list${i}`, HZ);
    const mine = this.created.map(b => b.name).sort();
    const lister = this.client(HZ);
    const seen = [];
    let pages = 0;
    let marker = null;
    for (;;) {
      const res = await lister.listBuckets(marker ? { 'max-keys': 2, marker } : { 'max-keys': 2 });
      pages += 1;
      const got = res.buckets || [];
      check(`${t}: list page ${pages} has at most 2 buckets`, got.length <= 2, `got ${got.length}`);
      seen.push(...got);
      if (!res.isTruncated) break;
      check(`${t}: truncated page ${pages} has NextMarker`, !!res.nextMarker, 'empty NextMarker');
      marker = res.nextMarker;
      if (pages > 1000) throw new CheckFailed(`${t}: ListBuckets never stops paginating`);
    }
    const names = seen.map(b => b.name).filter(n => n.startsWith(`${this.base}-`)).sort();
    check(`${t}: ListBuckets used more than one page`, pages > 1, `pages=${pages}`);
    check(`${t}: every created bucket listed exactly once`, J(names) === J(mine), `want ${J(mine)}, got ${J(names)}`);
    const sb = seen.find(b => b.name === sh.name);
    check(`${t}: listed region (Location) of ${SH} bucket`, sb.region === `oss-${SH}`, `got ${J(sb.region)}`);

    // 9. clean up
    await this.cleanup(true);
  }

  // PUT ?encryption with a body ali-oss cannot build itself (KMSDataEncryption), signed by ali-oss.
  async rawPutEncryption(b, rule) {
    const params = b.c._bucketRequestParams('PUT', b.name, 'encryption', {});
    const inner = Object.entries(rule).map(([k, v]) => `<${k}>${v}</${k}>`).join('');
    params.content = '<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionRule>'
      + `<ApplyServerSideEncryptionByDefault>${inner}</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>`;
    params.mime = 'xml';
    params.successStatuses = [200];
    return b.c.request(params);
  }

  async cleanup(strict) {
    for (const b of this.created.slice().reverse()) {
      try {
        for (const k of b.keys) await b.c.delete(k);
        await b.c.deleteBucket(b.name);
        if (strict) check(`${this.tag}: delete bucket ${b.name}`, true);
      } catch (e) {
        if (strict) throw new CheckFailed(`${this.tag}: cleanup of ${b.name}: ${e.code || e.name}: ${e.message}`);
        console.error(`# cleanup of ${b.name} failed: ${e.message}`);
      }
    }
    this.created = [];
    if (strict) {
      await expectError(`${this.tag}: deleted bucket is gone`, () => this.client(HZ).getBucketInfo(`${this.base}-hz`),
        404, 'NoSuchBucket');
    }
  }
}

async function main() {
  for (const sig of ['v1', 'v4']) {
    const p = new Pass(sig);
    try {
      await p.run();
    } catch (e) {
      const kind = e instanceof CheckFailed ? '' : `${e.name}: `;
      console.log(`not ok - ${kind}${e.message}`);
      if (!(e instanceof CheckFailed) && e.stack) console.error(e.stack);
      await p.cleanup(false);
      return 1;
    }
  }
  console.log('ali-oss interop: all checks passed');
  return 0;
}

main().then(code => { process.exitCode = code; }, e => { console.error(e); process.exitCode = 1; });
