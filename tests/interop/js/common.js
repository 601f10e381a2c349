'use strict';
// Shared by the grpc-js interop server, client and benchmark: the protos (loaded from protos/ at run
// time, as a downstream system would), google.rpc.Status encoding, small helpers.
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const PROTOS = path.join(__dirname, '..', '..', '..', 'protos');
const definition = protoLoader.loadSync(
  ['fanpin/testing/v1/echo.proto', 'grpc/health/v1/health.proto'],
  { includeDirs: [PROTOS], keepCase: true, longs: Number, enums: Number, defaults: true, oneofs: true });
const packages = grpc.loadPackageDefinition(definition);
const echoPackage = packages.fanpin.testing.v1;
const healthPackage = packages.grpc.health.v1;

// google.rpc.Status and its details, written here from the public protos (field numbers are the wire contract).
const rpcRoot = protobuf.parse(`
syntax = "proto3";
package google.rpc;
message Any { string type_url = 1; bytes value = 2; }
message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
message ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }
message BadRequest {
  message FieldViolation { string field = 1; string description = 2; }
  repeated FieldViolation field_violations = 1;
}
`, { keepCase: true }).root;
const RpcStatus = rpcRoot.lookupType('google.rpc.Status');
const ErrorInfo = rpcRoot.lookupType('google.rpc.ErrorInfo');
const BadRequest = rpcRoot.lookupType('google.rpc.BadRequest');
const TYPE_PREFIX = 'type.googleapis.com/';

function packAny(type, fields) {
  return { type_url: TYPE_PREFIX + type.fullName.replace(/^\./, ''), value: type.encode(type.create(fields)).finish() };
}

function encodeStatusDetails(code, message, details) {
  return Buffer.from(RpcStatus.encode(RpcStatus.create({ code, message, details })).finish());
}

function decodeStatusDetails(metadata) {
  const values = metadata ? metadata.get('grpc-status-details-bin') : [];
  if (!values || values.length === 0) {
    return null;
  }
  const status = RpcStatus.decode(values[0]);
  const unpack = (type) => {
    const any = status.details.find((d) => d.type_url === TYPE_PREFIX + type.fullName.replace(/^\./, ''));
    return any ? type.decode(any.value) : null;
  };
  return { code: status.code, message: status.message, errorInfo: unpack(ErrorInfo), badRequest: unpack(BadRequest) };
}

function hostPort(address) {
  return address.replace(/^https?:\/\//, '').replace(/\/$/, '');
}

module.exports = {
  grpc, echoPackage, healthPackage, ErrorInfo, BadRequest, packAny, encodeStatusDetails, decodeStatusDetails, hostPort,
};
