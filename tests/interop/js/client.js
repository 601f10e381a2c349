'use strict';
// The grpc-js interop client: runs every case against a server (the C# echo server) and prints one
// PASS/FAIL line per case naming the peer. Exit code 1 when any case failed.
// usage: node client.js --address URL --gzip-address URL --token JWT [--peer NAME] [--case NAME]
const { grpc, echoPackage, healthPackage, decodeStatusDetails, hostPort } = require('./common');

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const address = option('--address');
const gzipAddress = option('--gzip-address') || address;
const token = option('--token');
const peer = `grpcjs-client->${option('--peer') || 'server'}`;
const only = option('--case');
const ONE_MIB = 1024 * 1024;
const FAULT = { STATUS: 1, VALIDATION: 2, ACCESS_DENIED: 3, UNHANDLED: 4 };

class Failure extends Error {}
function check(condition, what) {
  if (!condition) {
    throw new Failure(what);
  }
}
function checkCode(error, code) {
  check(error && error.code === code, `expected code ${code}, got ${error && error.code}: ${error && error.details}`);
}

function client(options = {}) {
  const channelOptions = { 'grpc.max_send_message_length': -1 };
  if (options.gzip) {
    channelOptions['grpc.default_compression_algorithm'] = 2;
  }
  return new echoPackage.EchoService(hostPort(options.address || address), grpc.credentials.createInsecure(), channelOptions);
}

function auth(metadata = new grpc.Metadata()) {
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

// A unary call as a promise of { response, headers, trailers } that rejects with the gRPC error.
function unary(c, method, request, metadata = auth(), callOptions = {}, onCall = () => {}) {
  return new Promise((resolve, reject) => {
    let headers = null;
    let trailers = null;
    let result = null;
    let failure = null;
    let pending = 2;
    const settle = () => {
      if (--pending === 0) {
        if (failure) {
          reject(failure);
        } else {
          resolve({ response: result, headers, trailers });
        }
      }
    };
    const call = c[method](request, metadata, callOptions, (error, response) => {
      failure = error;
      result = response;
      settle();
    });
    call.on('metadata', (md) => {
      headers = md;
    });
    call.on('status', (status) => {
      trailers = status.metadata;
      settle();
    });
    onCall(call);
  });
}

async function expectError(promise) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Failure) {
      throw error;
    }
    return error;
  }
  throw new Failure('the call succeeded; an error was expected');
}

function readAll(call) {
  return new Promise((resolve, reject) => {
    const messages = [];
    call.on('data', (m) => messages.push(m));
    call.on('error', (error) => {
      error.received = messages;
      reject(error);
    });
    call.on('end', () => resolve(messages));
  });
}

async function waitForRecord(c, tag) {
  for (let i = 0; i < 50; i++) {
    const { response } = await unary(c, 'GetCallRecord', { tag });
    if (response.found) {
      return response;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Failure(`the server never recorded call ${tag}`);
}

const newTag = () => `${Date.now()}-${Math.random().toString(16).slice(2)}`;

const cases = {
  async unary() {
    const { response } = await unary(client(), 'Unary', { message: '你好, FanPin', payload: Buffer.alloc(10), response_payload_size: 20 });
    check(response.message === '你好, FanPin', `message ${response.message}`);
    check(response.received_payload_size === 10 && response.payload.length === 20, 'payload sizes');
    check(response.caller_subject === 'interop-client', `caller_subject ${response.caller_subject}`);
  },
  async unary_empty_message() {
    const { response } = await unary(client(), 'Unary', {});
    check(response.message === '' && response.payload.length === 0, 'expected an empty echo');
  },
  async unary_1mib_messages() {
    const { response } = await unary(client(), 'Unary', { payload: Buffer.alloc(ONE_MIB, 7), response_payload_size: ONE_MIB });
    check(response.received_payload_size === ONE_MIB && response.payload.length === ONE_MIB, 'sizes');
  },
  async unary_oversize_request() {
    const c = client();
    const error = await expectError(unary(c, 'Unary', { payload: Buffer.alloc(5 * ONE_MIB) }));
    checkCode(error, grpc.status.RESOURCE_EXHAUSTED);
    const { response } = await unary(c, 'Unary', { message: 'after' });
    check(response.message === 'after', 'call after the oversize one');
  },
  async unary_oversize_response() {
    const error = await expectError(unary(client(), 'Unary', { response_payload_size: 5 * ONE_MIB }));
    checkCode(error, grpc.status.RESOURCE_EXHAUSTED);
  },
  async error_with_details() {
    const text = '案件已关闭 100% done\nsecond line';
    const error = await expectError(unary(client(), 'Unary', { fault: { kind: FAULT.STATUS, code: 9, message: text, reason: 'CASE_CLOSED' } }));
    checkCode(error, grpc.status.FAILED_PRECONDITION);
    check(error.details === text, `details ${JSON.stringify(error.details)}`);
    const details = decodeStatusDetails(error.metadata);
    check(details && details.code === 9 && details.message === text, 'grpc-status-details-bin status');
    check(details.errorInfo && details.errorInfo.reason === 'CASE_CLOSED' && details.errorInfo.domain === 'fanpin', 'ErrorInfo');
  },
  async error_validation_bad_request() {
    const error = await expectError(unary(client(), 'Unary', { fault: { kind: FAULT.VALIDATION, message: 'must have 18 characters', reason: 'members[0].id_number' } }));
    checkCode(error, grpc.status.INVALID_ARGUMENT);
    const details = decodeStatusDetails(error.metadata);
    const violations = details && details.badRequest ? details.badRequest.field_violations : [];
    check(violations.length === 1 && violations[0].field === 'members[0].id_number' && violations[0].description === 'must have 18 characters', 'BadRequest');
  },
  async error_access_denied() {
    const error = await expectError(unary(client(), 'Unary', { fault: { kind: FAULT.ACCESS_DENIED, message: 'region 620103 is outside the caller\'s scope 620102' } }));
    checkCode(error, grpc.status.PERMISSION_DENIED);
    check(error.details.includes('620103'), `details ${error.details}`);
  },
  async error_unhandled_is_internal() {
    const error = await expectError(unary(client(), 'Unary', { fault: { kind: FAULT.UNHANDLED, message: 'Password=hunter2' } }));
    checkCode(error, grpc.status.INTERNAL);
    check(!error.details.includes('hunter2') && !error.details.includes('secret'), `leaked: ${error.details}`);
  },
  async every_status_code() {
    const c = client();
    for (let code = 1; code <= 16; code++) {
      const error = await expectError(unary(c, 'Unary', { fault: { kind: FAULT.STATUS, code, message: `code ${code}`, reason: 'TEST' } }));
      checkCode(error, code);
      check(error.details === `code ${code}`, `code ${code}: details ${error.details}`);
    }
  },
  async deadline_exceeded() {
    const c = client();
    const tag = newTag();
    const started = Date.now();
    const error = await expectError(unary(c, 'Unary', { delay_ms: 20000, tag }, auth(), { deadline: Date.now() + 1000 }));
    checkCode(error, grpc.status.DEADLINE_EXCEEDED);
    check(Date.now() - started < 10000, `took ${Date.now() - started} ms`);
    const record = await waitForRecord(c, tag);
    check(record.cancelled, 'the server call was not cancelled by the deadline');
  },
  async cancellation() {
    const c = client();
    const tag = newTag();
    const error = await expectError(unary(c, 'Unary', { delay_ms: 10000, tag }, auth(), {}, (call) => setTimeout(() => call.cancel(), 1000)));
    checkCode(error, grpc.status.CANCELLED);
    const record = await waitForRecord(c, tag);
    check(record.cancelled && !record.deadline_exceeded, `record ${JSON.stringify(record)}`);
  },
  async metadata_text_and_binary() {
    const binary = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80]);
    const metadata = auth();
    metadata.set('x-echo-text', 'hello world');
    metadata.set('x-echo-data-bin', binary);
    metadata.set('x-not-echoed', 'no');
    const { headers, trailers } = await unary(client(), 'Unary', { message: 'm' }, metadata);
    for (const [where, md] of [['headers', headers], ['trailers', trailers]]) {
      check(md && md.get('x-echo-text')[0] === 'hello world', `${where}: x-echo-text`);
      check(md.get('x-echo-data-bin')[0] && Buffer.compare(md.get('x-echo-data-bin')[0], binary) === 0, `${where}: x-echo-data-bin`);
      check(md.get('x-not-echoed').length === 0, `${where}: x-not-echoed was echoed`);
    }
  },
  async server_streaming() {
    const messages = await readAll(client().ServerStream({ message: 's', count: 5, payload_size: 10 }, auth()));
    check(messages.length === 5 && messages.every((m, i) => m.index === i && m.message === 's' && m.payload.length === 10), `received ${messages.length}`);
  },
  async server_streaming_error_after_messages() {
    const call = client().ServerStream({ count: 3, fault: { kind: FAULT.STATUS, code: 10, message: 'stopped', reason: 'STOP' } }, auth());
    const error = await expectError(readAll(call));
    checkCode(error, grpc.status.ABORTED);
    check(error.received.length === 3, `received ${error.received.length} before the error`);
    const details = decodeStatusDetails(error.metadata);
    check(details && details.errorInfo && details.errorInfo.reason === 'STOP', 'ErrorInfo in trailers');
  },
  async server_streaming_cancel() {
    const c = client();
    const tag = newTag();
    const call = c.ServerStream({ count: 1000, interval_ms: 20, tag }, auth());
    let received = 0;
    const error = await expectError(new Promise((resolve, reject) => {
      call.on('data', () => {
        if (++received === 2) {
          call.cancel();
        }
      });
      call.on('error', reject);
      call.on('end', resolve);
    }));
    checkCode(error, grpc.status.CANCELLED);
    const record = await waitForRecord(c, tag);
    check(record.cancelled, 'the server stream was not cancelled');
  },
  async client_streaming() {
    const response = await new Promise((resolve, reject) => {
      const call = client().ClientStream(auth(), (error, r) => (error ? reject(error) : resolve(r)));
      for (let i = 0; i < 10; i++) {
        call.write({ message: `m${i}`, payload: Buffer.alloc(i) });
      }
      call.end();
    });
    check(response.count === 10 && response.total_payload_size === 45 && response.messages.join() === [...Array(10).keys()].map((i) => `m${i}`).join(), JSON.stringify(response));
  },
  async client_streaming_1mib_messages() {
    const response = await new Promise((resolve, reject) => {
      const call = client().ClientStream(auth(), (error, r) => (error ? reject(error) : resolve(r)));
      for (let i = 0; i < 3; i++) {
        call.write({ payload: Buffer.alloc(ONE_MIB, 1) });
      }
      call.end();
    });
    check(response.count === 3 && response.total_payload_size === 3 * ONE_MIB, JSON.stringify({ count: response.count, total: response.total_payload_size }));
  },
  async bidi_streaming() {
    const metadata = auth();
    metadata.set('x-echo-bidi', 'yes');
    const call = client().BidiStream(metadata);
    let headers = null;
    call.on('metadata', (md) => {
      headers = md;
    });
    const trailers = new Promise((resolve) => call.on('status', (s) => resolve(s.metadata)));
    const responses = [];
    let next = null;
    call.on('data', (m) => {
      responses.push(m);
      if (next) {
        next();
      }
    });
    const ended = new Promise((resolve, reject) => {
      call.on('end', resolve);
      call.on('error', reject);
    });
    for (let i = 0; i < 5; i++) {
      const got = new Promise((resolve) => {
        next = resolve;
      });
      call.write({ message: `ping ${i}`, response_payload_size: i * 100 });
      await got;
      const r = responses[i];
      check(r && r.index === i && r.message === `ping ${i}` && r.payload.length === i * 100, `response ${i}`);
    }
    call.end();
    await ended;
    check(responses.length === 5, `${responses.length} responses`);
    check(headers && headers.get('x-echo-bidi')[0] === 'yes', 'response headers');
    check((await trailers).get('x-echo-bidi')[0] === 'yes', 'trailers');
  },
  async bidi_streaming_error() {
    const call = client().BidiStream(auth());
    const done = readAll(call);
    call.write({ message: 'one' });
    call.write({ fault: { kind: FAULT.VALIDATION, message: 'bad', reason: 'message' } });
    const error = await expectError(done);
    checkCode(error, grpc.status.INVALID_ARGUMENT);
    const details = decodeStatusDetails(error.metadata);
    check(details && details.badRequest && details.badRequest.field_violations[0].field === 'message', 'BadRequest field');
    call.end();
  },
  async unimplemented_service() {
    const c = new echoPackage.UnimplementedService(hostPort(address), grpc.credentials.createInsecure());
    const error = await expectError(unary(c, 'UnimplementedCall', {}));
    checkCode(error, grpc.status.UNIMPLEMENTED);
  },
  async unauthenticated_without_token() {
    const error = await expectError(unary(client(), 'Unary', {}, new grpc.Metadata()));
    checkCode(error, grpc.status.UNAUTHENTICATED);
    check(error.details.length > 0, 'no reason given');
  },
  async health_check() {
    const c = new healthPackage.Health(hostPort(address), grpc.credentials.createInsecure());
    const overall = await unary(c, 'Check', { service: '' }, new grpc.Metadata());
    check(overall.response.status === 1, `overall ${overall.response.status}`);
    const echo = await unary(c, 'Check', { service: 'fanpin.testing.v1.EchoService' }, new grpc.Metadata());
    check(echo.response.status === 1, `echo ${echo.response.status}`);
    const error = await expectError(unary(c, 'Check', { service: 'no.such.Service' }, new grpc.Metadata()));
    checkCode(error, grpc.status.NOT_FOUND);
    // Watch sends the current status at once.
    const watch = c.Watch({ service: '' });
    const first = await new Promise((resolve, reject) => {
      watch.on('data', resolve);
      watch.on('error', reject);
    });
    check(first.status === 1, `watch ${first.status}`);
    watch.on('error', () => {});
    watch.cancel();
  },
  async gzip_both_ways() {
    const c = client({ address: gzipAddress, gzip: true });
    const { response } = await unary(c, 'Unary', { payload: Buffer.alloc(ONE_MIB, 3), response_payload_size: ONE_MIB });
    check(response.received_payload_size === ONE_MIB && response.payload.length === ONE_MIB, '1 MiB each way');
    const empty = await unary(c, 'Unary', {});
    check(empty.response.message === '', 'empty message');
    const messages = await readAll(c.ServerStream({ count: 3, payload_size: 1000 }, auth()));
    check(messages.length === 3, `stream of ${messages.length}`);
  },
};

async function main() {
  if (!address || !token) {
    console.error('usage: node client.js --address URL --gzip-address URL --token JWT [--peer NAME] [--case NAME]');
    process.exit(2);
  }
  let failed = 0;
  for (const [name, run] of Object.entries(cases)) {
    if (only && only !== name) {
      continue;
    }
    const started = Date.now();
    try {
      await Promise.race([run(), new Promise((_, reject) => setTimeout(() => reject(new Failure('timed out after 30 s')), 30000))]);
      console.log(`PASS ${peer} ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      console.log(`FAIL ${peer} ${name}: ${error instanceof Failure ? error.message : (error && error.stack) || error}`);
    }
  }
  process.exit(failed === 0 ? 0 : 1);
}

main();
