'use strict';
// The grpc-js echo server: the same behaviour as tests/FanPin.Grpc.Interop/EchoServiceImpl.cs, so the C#
// client runs the same cases against it. Prints "address ...", "gzip-address ..." and "ready".
const { grpc, echoPackage, healthPackage, ErrorInfo, BadRequest, packAny, encodeStatusDetails } = require('./common');

const records = new Map();
const ECHO_PREFIX = 'x-echo-';
const FAULT = { NONE: 0, STATUS: 1, VALIDATION: 2, ACCESS_DENIED: 3, UNHANDLED: 4 };
const SERVING = 1;

// The test server checks only that a bearer token is present and names a subject; signature validation
// is the C# server's business (FanPin.Grpc's authentication interceptor).
function callerSubject(metadata) {
  const header = metadata.get('authorization')[0];
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) {
    return null;
  }
  try {
    const payload = JSON.parse(Buffer.from(header.slice(7).split('.')[1], 'base64url').toString('utf8'));
    return typeof payload.sub === 'string' ? payload.sub : null;
  } catch {
    return null;
  }
}

function unauthenticated() {
  return { code: grpc.status.UNAUTHENTICATED, details: 'no bearer token (authorization: Bearer <token>)' };
}

function echoedMetadata(call) {
  const echoed = new grpc.Metadata();
  let any = false;
  for (const [key, values] of Object.entries(call.metadata.getMap())) {
    if (key.startsWith(ECHO_PREFIX)) {
      for (const value of call.metadata.get(key)) {
        echoed.add(key, value);
      }
      any = any || values !== undefined;
    }
  }
  return any ? echoed : null;
}

function sendEchoHeaders(call) {
  const echoed = echoedMetadata(call);
  if (echoed) {
    call.sendMetadata(echoed);
  }
  return echoed ? echoed.clone() : new grpc.Metadata();
}

function faultError(fault, trailers) {
  const metadata = trailers || new grpc.Metadata();
  switch (fault ? fault.kind : FAULT.NONE) {
    case FAULT.STATUS:
      metadata.set('grpc-status-details-bin', encodeStatusDetails(fault.code, fault.message,
        [packAny(ErrorInfo, { reason: fault.reason, domain: 'fanpin' })]));
      return { code: fault.code, details: fault.message, metadata };
    case FAULT.VALIDATION: {
      const message = `${fault.reason}: ${fault.message}`;
      metadata.set('grpc-status-details-bin', encodeStatusDetails(grpc.status.INVALID_ARGUMENT, message,
        [packAny(BadRequest, { field_violations: [{ field: fault.reason, description: fault.message }] })]));
      return { code: grpc.status.INVALID_ARGUMENT, details: message, metadata };
    }
    case FAULT.ACCESS_DENIED:
      return { code: grpc.status.PERMISSION_DENIED, details: fault.message, metadata };
    case FAULT.UNHANDLED:
      return { code: grpc.status.INTERNAL, details: 'Exception was thrown by handler.', metadata };
    default:
      return null;
  }
}

function record(tag, call) {
  if (tag) {
    const deadline = call.getDeadline();
    const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
    records.set(tag, { found: true, cancelled: call.cancelled, deadline_exceeded: Number.isFinite(deadlineMs) && Date.now() >= deadlineMs });
  }
}

// Resolves after ms, or early (false) when the call is cancelled.
function delay(call, ms) {
  return new Promise((resolve) => {
    if (call.cancelled) {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => resolve(true), ms);
    call.once('cancelled', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

const echoService = {
  async Unary(call, callback) {
    const subject = callerSubject(call.metadata);
    if (subject === null) {
      callback(unauthenticated());
      return;
    }
    const request = call.request;
    const trailers = sendEchoHeaders(call);
    if (request.delay_ms > 0 && !(await delay(call, request.delay_ms))) {
      record(request.tag, call);
      return;
    }
    record(request.tag, call);
    const error = faultError(request.fault, trailers);
    if (error) {
      callback(error);
      return;
    }
    callback(null, {
      message: request.message,
      payload: Buffer.alloc(request.response_payload_size),
      received_payload_size: request.payload.length,
      caller_subject: subject,
    }, trailers);
  },

  async ServerStream(call) {
    if (callerSubject(call.metadata) === null) {
      call.emit('error', unauthenticated());
      return;
    }
    const request = call.request;
    const trailers = sendEchoHeaders(call);
    for (let i = 0; i < request.count; i++) {
      if (request.interval_ms > 0 && !(await delay(call, request.interval_ms))) {
        record(request.tag, call);
        return;
      }
      if (call.cancelled) {
        record(request.tag, call);
        return;
      }
      call.write({ index: i, message: request.message, payload: Buffer.alloc(request.payload_size) });
    }
    record(request.tag, call);
    const error = faultError(request.fault, trailers);
    if (error) {
      call.emit('error', error);
      return;
    }
    call.end(trailers);
  },

  ClientStream(call, callback) {
    if (callerSubject(call.metadata) === null) {
      callback(unauthenticated());
      return;
    }
    const trailers = sendEchoHeaders(call);
    const response = { count: 0, total_payload_size: 0, messages: [] };
    call.on('data', (request) => {
      response.count++;
      response.total_payload_size += request.payload.length;
      response.messages.push(request.message);
    });
    call.on('end', () => callback(null, response, trailers));
    call.on('error', () => {});
  },

  BidiStream(call) {
    if (callerSubject(call.metadata) === null) {
      call.emit('error', unauthenticated());
      return;
    }
    const trailers = sendEchoHeaders(call);
    let index = 0;
    let failed = false;
    call.on('data', (request) => {
      if (failed) {
        return;
      }
      const error = faultError(request.fault, trailers);
      if (error) {
        failed = true;
        call.emit('error', error);
        return;
      }
      call.write({ index: index++, message: request.message, payload: Buffer.alloc(request.response_payload_size) });
    });
    call.on('end', () => {
      if (!failed) {
        call.end(trailers);
      }
    });
    call.on('error', () => {});
  },

  GetCallRecord(call, callback) {
    if (callerSubject(call.metadata) === null) {
      callback(unauthenticated());
      return;
    }
    callback(null, records.get(call.request.tag) || { found: false, cancelled: false, deadline_exceeded: false });
  },
};

const knownServices = new Set(['', 'fanpin.testing.v1.EchoService']);
const healthService = {
  Check(call, callback) {
    if (!knownServices.has(call.request.service)) {
      callback({ code: grpc.status.NOT_FOUND, details: `Unknown service '${call.request.service}'.` });
      return;
    }
    callback(null, { status: SERVING });
  },
  Watch(call) {
    call.write({ status: knownServices.has(call.request.service) ? SERVING : 3 });
    call.on('cancelled', () => {});
  },
};

function start(options) {
  const server = new grpc.Server(options);
  server.addService(echoPackage.EchoService.service, echoService);
  server.addService(healthPackage.Health.service, healthService);
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve({ server, port })));
  });
}

async function main() {
  const plain = await start({});
  // Compression is configured per server, as on the C# side.
  const gzip = await start({ 'grpc.default_compression_algorithm': 2 });
  console.log(`address http://127.0.0.1:${plain.port}`);
  console.log(`gzip-address http://127.0.0.1:${gzip.port}`);
  console.log('ready');
  const stop = () => {
    plain.server.forceShutdown();
    gzip.server.forceShutdown();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { start, echoService, healthService };
