'use strict';
// The reference pair of `dotnet run -c Release --project tests/FanPin.Benchmarks -- grpc`: a grpc-js
// server ("server": prints "address URL" then "ready") and a grpc-js client ("client": prints one JSON
// line with calls, callsPerSecond, p50Ms, p99Ms). They run as two processes, as the C# pair runs on
// the machine's cores.
const { grpc, echoPackage, hostPort } = require('./common');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

function serve() {
  const server = new grpc.Server();
  server.addService(echoPackage.EchoService.service, {
    Unary(call, callback) {
      callback(null, { message: call.request.message });
    },
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) {
      throw error;
    }
    console.log(`address http://127.0.0.1:${port}`);
    console.log('ready');
  });
  process.on('SIGTERM', () => process.exit(0));
}

async function drive(client, concurrency, seconds, samples) {
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const caller = async () => {
    for (;;) {
      const t0 = process.hrtime.bigint();
      if (t0 >= end) {
        return;
      }
      await new Promise((resolve, reject) => client.Unary({ message: 'ping' }, (e) => (e ? reject(e) : resolve())));
      if (samples) {
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, caller));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function run() {
  const client = new echoPackage.EchoService(hostPort(option('address')), grpc.credentials.createInsecure());
  const concurrency = Number(option('concurrency', 64));
  await drive(client, concurrency, Number(option('warmup', 3)), null);
  const samples = [];
  const elapsed = await drive(client, concurrency, Number(option('seconds', 10)), samples);
  samples.sort((a, b) => a - b);
  const at = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  console.log(JSON.stringify({ calls: samples.length, callsPerSecond: samples.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) }));
  client.close();
}

if (args[0] === 'server') {
  serve();
} else if (args[0] === 'client') {
  run().catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  console.error('usage: node bench.js server | client --address URL [--concurrency 64] [--warmup 3] [--seconds 10]');
  process.exit(2);
}
