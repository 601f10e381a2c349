"""The grpc-python (C-core, Debian's python3-grpcio) interop client.

Runs every case against a server (the C# echo server) and prints one PASS/FAIL line per case naming the
peer; exits 1 when any failed. Messages are built at run time from a descriptor set written by
`FanPin.Grpc.Interop descriptor-set`, so no protoc or generated code is needed.

usage: /usr/bin/python3 client.py --descriptors FILE --address URL --gzip-address URL --token JWT [--peer NAME] [--case NAME]
"""

import argparse
import queue
import sys
import threading
import time
import traceback
import uuid

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

ONE_MIB = 1024 * 1024
FAULT_STATUS, FAULT_VALIDATION, FAULT_ACCESS_DENIED, FAULT_UNHANDLED = 1, 2, 3, 4
ECHO = "/fanpin.testing.v1.EchoService/"


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


def check_code(error, code):
    check(isinstance(error, grpc.RpcError) and error.code() == code,
          f"expected {code}, got {error.code() if isinstance(error, grpc.RpcError) else error}: "
          f"{error.details() if isinstance(error, grpc.RpcError) else ''}")


class Messages:
    """Message classes from a FileDescriptorSet."""

    def __init__(self, path):
        with open(path, "rb") as f:
            files = descriptor_pb2.FileDescriptorSet.FromString(f.read())
        self.pool = descriptor_pool.DescriptorPool()
        for file in files.file:
            self.pool.Add(file)
        self._factory = None

    def __getitem__(self, full_name):
        descriptor = self.pool.FindMessageTypeByName(full_name)
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(descriptor)
        if self._factory is None:
            self._factory = message_factory.MessageFactory(self.pool)
        return self._factory.GetPrototype(descriptor)


class Suite:
    def __init__(self, messages, address, gzip_address, token):
        self.m = messages
        self.address = address.replace("http://", "").rstrip("/")
        self.gzip_address = gzip_address.replace("http://", "").rstrip("/")
        self.token = token

    def channel(self, address=None, gzip=False):
        return grpc.insecure_channel(
            address or self.address,
            options=[("grpc.max_send_message_length", -1)],
            compression=grpc.Compression.Gzip if gzip else None)

    def auth(self, extra=()):
        return (("authorization", f"Bearer {self.token}"),) + tuple(extra)

    def method(self, channel, name, request_type, response_type, kind="unary_unary", service=ECHO):
        return getattr(channel, kind)(
            service + name,
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=self.m[response_type].FromString)

    def unary(self, channel):
        return self.method(channel, "Unary", "fanpin.testing.v1.UnaryRequest", "fanpin.testing.v1.UnaryResponse")

    def req(self, **fields):
        fault = fields.pop("fault", None)
        request = self.m["fanpin.testing.v1.UnaryRequest"](**fields)
        if fault:
            request.fault.CopyFrom(self.m["fanpin.testing.v1.Fault"](**fault))
        return request

    def expect_error(self, call):
        try:
            call()
        except grpc.RpcError as error:
            return error
        raise Failure("the call succeeded; an error was expected")

    def details(self, error):
        for key, value in error.trailing_metadata() or ():
            if key == "grpc-status-details-bin":
                return self.m["google.rpc.Status"].FromString(value)
        raise Failure("no grpc-status-details-bin")

    def unpack(self, status, full_name):
        for any_ in status.details:
            if any_.type_url.endswith("/" + full_name):
                return self.m[full_name].FromString(any_.value)
        raise Failure(f"no {full_name} detail")

    def wait_for_record(self, channel, tag):
        get = self.method(channel, "GetCallRecord", "fanpin.testing.v1.GetCallRecordRequest", "fanpin.testing.v1.GetCallRecordResponse")
        for _ in range(50):
            record = get(self.m["fanpin.testing.v1.GetCallRecordRequest"](tag=tag), metadata=self.auth())
            if record.found:
                return record
            time.sleep(0.1)
        raise Failure(f"the server never recorded call {tag}")

    # ---- cases ------------------------------------------------------------------------------------

    def case_unary(self):
        with self.channel() as ch:
            r = self.unary(ch)(self.req(message="你好, FanPin", payload=b"\0" * 10, response_payload_size=20), metadata=self.auth())
            check(r.message == "你好, FanPin", f"message {r.message!r}")
            check(r.received_payload_size == 10 and len(r.payload) == 20, "payload sizes")
            check(r.caller_subject == "interop-client", f"caller_subject {r.caller_subject!r}")

    def case_unary_empty_message(self):
        with self.channel() as ch:
            r = self.unary(ch)(self.req(), metadata=self.auth())
            check(r.message == "" and len(r.payload) == 0, "expected an empty echo")

    def case_unary_1mib_messages(self):
        with self.channel() as ch:
            r = self.unary(ch)(self.req(payload=b"\x07" * ONE_MIB, response_payload_size=ONE_MIB), metadata=self.auth())
            check(r.received_payload_size == ONE_MIB and len(r.payload) == ONE_MIB, "sizes")

    def case_unary_oversize_request(self):
        with self.channel() as ch:
            error = self.expect_error(lambda: self.unary(ch)(self.req(payload=b"\0" * (5 * ONE_MIB)), metadata=self.auth()))
            check_code(error, grpc.StatusCode.RESOURCE_EXHAUSTED)
            r = self.unary(ch)(self.req(message="after"), metadata=self.auth())
            check(r.message == "after", "call after the oversize one")

    def case_unary_oversize_response(self):
        with self.channel() as ch:
            error = self.expect_error(lambda: self.unary(ch)(self.req(response_payload_size=5 * ONE_MIB), metadata=self.auth()))
            check_code(error, grpc.StatusCode.RESOURCE_EXHAUSTED)

    def case_error_with_details(self):
        text = "案件已关闭 100% done\nsecond line"
        with self.channel() as ch:
            error = self.expect_error(lambda: self.unary(ch)(
                self.req(fault=dict(kind=FAULT_STATUS, code=9, message=text, reason="CASE_CLOSED")), metadata=self.auth()))
            check_code(error, grpc.StatusCode.FAILED_PRECONDITION)
            check(error.details() == text, f"details {error.details()!r}")
            status = self.details(error)
            check(status.code == 9 and status.message == text, "grpc-status-details-bin status")
            info = self.unpack(status, "google.rpc.ErrorInfo")
            # Field 1 of ErrorInfo: "reason" today, "type" in the older proto of this descriptor set.
            reason = getattr(info, "reason", None) or getattr(info, "type", None)
            check(reason == "CASE_CLOSED" and info.domain == "fanpin", f"ErrorInfo {info}")

    def case_error_validation_bad_request(self):
        with self.channel() as ch:
            error = self.expect_error(lambda: self.unary(ch)(
                self.req(fault=dict(kind=FAULT_VALIDATION, message="must have 18 characters", reason="members[0].id_number")), metadata=self.auth()))
            check_code(error, grpc.StatusCode.INVALID_ARGUMENT)
            bad = self.unpack(self.details(error), "google.rpc.BadRequest")
            check(len(bad.field_violations) == 1 and bad.field_violations[0].field == "members[0].id_number", f"BadRequest {bad}")

    def case_error_access_denied(self):
        with self.channel() as ch:
            error = self.expect_error(lambda: self.unary(ch)(
                self.req(fault=dict(kind=FAULT_ACCESS_DENIED, message="region 620103 is outside the caller's scope 620102")), metadata=self.auth()))
            check_code(error, grpc.StatusCode.PERMISSION_DENIED)
            check("620103" in error.details(), f"details {error.details()!r}")

    def case_error_unhandled_is_internal(self):
        with self.channel() as ch:
            error = self.expect_error(lambda: self.unary(ch)(
                self.req(fault=dict(kind=FAULT_UNHANDLED, message="Password=hunter2")), metadata=self.auth()))
            check_code(error, grpc.StatusCode.INTERNAL)
            check("hunter2" not in error.details() and "secret" not in error.details(), f"leaked: {error.details()!r}")

    def case_every_status_code(self):
        codes = {c.value[0]: c for c in grpc.StatusCode}
        with self.channel() as ch:
            for code in range(1, 17):
                error = self.expect_error(lambda: self.unary(ch)(
                    self.req(fault=dict(kind=FAULT_STATUS, code=code, message=f"code {code}", reason="TEST")), metadata=self.auth()))
                check_code(error, codes[code])
                check(error.details() == f"code {code}", f"code {code}: details {error.details()!r}")

    def case_deadline_exceeded(self):
        with self.channel() as ch:
            tag = uuid.uuid4().hex
            started = time.monotonic()
            error = self.expect_error(lambda: self.unary(ch)(self.req(delay_ms=20000, tag=tag), metadata=self.auth(), timeout=1.0))
            check_code(error, grpc.StatusCode.DEADLINE_EXCEEDED)
            check(time.monotonic() - started < 10, "took too long")
            check(self.wait_for_record(ch, tag).cancelled, "the server call was not cancelled by the deadline")

    def case_cancellation(self):
        with self.channel() as ch:
            tag = uuid.uuid4().hex
            future = self.unary(ch).future(self.req(delay_ms=10000, tag=tag), metadata=self.auth())
            time.sleep(1.0)
            future.cancel()
            check(future.cancelled() and future.code() == grpc.StatusCode.CANCELLED, f"code {future.code()}")
            record = self.wait_for_record(ch, tag)
            check(record.cancelled and not record.deadline_exceeded, f"record {record}")

    def case_metadata_text_and_binary(self):
        binary = bytes([0, 1, 2, 0xFE, 0xFF, 0x80])
        with self.channel() as ch:
            _, call = self.unary(ch).with_call(self.req(message="m"), metadata=self.auth(
                [("x-echo-text", "hello world"), ("x-echo-data-bin", binary), ("x-not-echoed", "no")]))
            for where, md in (("headers", call.initial_metadata()), ("trailers", call.trailing_metadata())):
                values = dict(md)
                check(values.get("x-echo-text") == "hello world", f"{where}: x-echo-text {values.get('x-echo-text')!r}")
                check(values.get("x-echo-data-bin") == binary, f"{where}: x-echo-data-bin {values.get('x-echo-data-bin')!r}")
                check("x-not-echoed" not in values, f"{where}: x-not-echoed was echoed")

    def server_stream(self, ch):
        return self.method(ch, "ServerStream", "fanpin.testing.v1.ServerStreamRequest", "fanpin.testing.v1.ServerStreamResponse", "unary_stream")

    def case_server_streaming(self):
        with self.channel() as ch:
            responses = list(self.server_stream(ch)(
                self.m["fanpin.testing.v1.ServerStreamRequest"](message="s", count=5, payload_size=10), metadata=self.auth()))
            check(len(responses) == 5 and all(r.index == i and r.message == "s" and len(r.payload) == 10 for i, r in enumerate(responses)),
                  f"received {len(responses)}")

    def case_server_streaming_error_after_messages(self):
        with self.channel() as ch:
            request = self.m["fanpin.testing.v1.ServerStreamRequest"](count=3)
            request.fault.CopyFrom(self.m["fanpin.testing.v1.Fault"](kind=FAULT_STATUS, code=10, message="stopped", reason="STOP"))
            received = []

            def read():
                for r in self.server_stream(ch)(request, metadata=self.auth()):
                    received.append(r)

            error = self.expect_error(read)
            check_code(error, grpc.StatusCode.ABORTED)
            check(len(received) == 3, f"received {len(received)} before the error")
            info = self.unpack(self.details(error), "google.rpc.ErrorInfo")
            check((getattr(info, "reason", None) or getattr(info, "type", None)) == "STOP", "ErrorInfo in trailers")

    def case_server_streaming_cancel(self):
        with self.channel() as ch:
            tag = uuid.uuid4().hex
            call = self.server_stream(ch)(self.m["fanpin.testing.v1.ServerStreamRequest"](count=1000, interval_ms=20, tag=tag), metadata=self.auth())
            next(call)
            next(call)
            call.cancel()
            error = self.expect_error(lambda: [r for r in call])
            check_code(error, grpc.StatusCode.CANCELLED)
            check(self.wait_for_record(ch, tag).cancelled, "the server stream was not cancelled")

    def client_stream(self, ch):
        return self.method(ch, "ClientStream", "fanpin.testing.v1.ClientStreamRequest", "fanpin.testing.v1.ClientStreamResponse", "stream_unary")

    def case_client_streaming(self):
        with self.channel() as ch:
            request = self.m["fanpin.testing.v1.ClientStreamRequest"]
            r = self.client_stream(ch)(iter([request(message=f"m{i}", payload=b"\0" * i) for i in range(10)]), metadata=self.auth())
            check(r.count == 10 and r.total_payload_size == 45 and list(r.messages) == [f"m{i}" for i in range(10)], f"response {r}")

    def case_client_streaming_1mib_messages(self):
        with self.channel() as ch:
            request = self.m["fanpin.testing.v1.ClientStreamRequest"]
            r = self.client_stream(ch)(iter([request(payload=b"\x01" * ONE_MIB) for _ in range(3)]), metadata=self.auth())
            check(r.count == 3 and r.total_payload_size == 3 * ONE_MIB, f"count {r.count}, total {r.total_payload_size}")

    def bidi(self, ch):
        return self.method(ch, "BidiStream", "fanpin.testing.v1.BidiStreamRequest", "fanpin.testing.v1.BidiStreamResponse", "stream_stream")

    def case_bidi_streaming(self):
        request = self.m["fanpin.testing.v1.BidiStreamRequest"]
        outbox = queue.Queue()

        def requests():
            while True:
                item = outbox.get()
                if item is None:
                    return
                yield item

        with self.channel() as ch:
            call = self.bidi(ch)(requests(), metadata=self.auth([("x-echo-bidi", "yes")]))
            for i in range(5):
                outbox.put(request(message=f"ping {i}", response_payload_size=i * 100))
                r = next(call)
                check(r.index == i and r.message == f"ping {i}" and len(r.payload) == i * 100, f"response {i}")
            outbox.put(None)
            check(len(list(call)) == 0, "a response after the request stream ended")
            check(dict(call.initial_metadata()).get("x-echo-bidi") == "yes", "response headers")
            check(dict(call.trailing_metadata()).get("x-echo-bidi") == "yes", "trailers")

    def case_bidi_streaming_error(self):
        request = self.m["fanpin.testing.v1.BidiStreamRequest"]
        bad = request()
        bad.fault.CopyFrom(self.m["fanpin.testing.v1.Fault"](kind=FAULT_VALIDATION, message="bad", reason="message"))
        with self.channel() as ch:
            error = self.expect_error(lambda: list(self.bidi(ch)(iter([request(message="one"), bad]), metadata=self.auth())))
            check_code(error, grpc.StatusCode.INVALID_ARGUMENT)
            violations = self.unpack(self.details(error), "google.rpc.BadRequest").field_violations
            check(len(violations) == 1 and violations[0].field == "message", "BadRequest field")

    def case_unimplemented_service(self):
        with self.channel() as ch:
            call = self.method(ch, "UnimplementedCall", "fanpin.testing.v1.UnimplementedCallRequest",
                               "fanpin.testing.v1.UnimplementedCallResponse", service="/fanpin.testing.v1.UnimplementedService/")
            error = self.expect_error(lambda: call(self.m["fanpin.testing.v1.UnimplementedCallRequest"](), metadata=self.auth()))
            check_code(error, grpc.StatusCode.UNIMPLEMENTED)

    def case_unauthenticated_without_token(self):
        with self.channel() as ch:
            error = self.expect_error(lambda: self.unary(ch)(self.req()))
            check_code(error, grpc.StatusCode.UNAUTHENTICATED)
            check(len(error.details()) > 0, "no reason given")

    def case_health_check(self):
        with self.channel() as ch:
            check_ = self.method(ch, "Check", "grpc.health.v1.HealthCheckRequest", "grpc.health.v1.HealthCheckResponse", service="/grpc.health.v1.Health/")
            request = self.m["grpc.health.v1.HealthCheckRequest"]
            check(check_(request()).status == 1, "overall not SERVING")
            check(check_(request(service="fanpin.testing.v1.EchoService")).status == 1, "echo not SERVING")
            check_code(self.expect_error(lambda: check_(request(service="no.such.Service"))), grpc.StatusCode.NOT_FOUND)

    def case_gzip_both_ways(self):
        with self.channel(self.gzip_address, gzip=True) as ch:
            r = self.unary(ch)(self.req(payload=b"\x03" * ONE_MIB, response_payload_size=ONE_MIB), metadata=self.auth())
            check(r.received_payload_size == ONE_MIB and len(r.payload) == ONE_MIB, "1 MiB each way")
            check(self.unary(ch)(self.req(), metadata=self.auth()).message == "", "empty message")
            responses = list(self.server_stream(ch)(self.m["fanpin.testing.v1.ServerStreamRequest"](count=3, payload_size=1000), metadata=self.auth()))
            check(len(responses) == 3, f"stream of {len(responses)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--descriptors", required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--gzip-address")
    parser.add_argument("--token", required=True)
    parser.add_argument("--peer", default="server")
    parser.add_argument("--case")
    args = parser.parse_args()
    suite = Suite(Messages(args.descriptors), args.address, args.gzip_address or args.address, args.token)
    peer = f"grpcpython-client->{args.peer}"
    failed = 0
    for name in [n for n in dir(Suite) if n.startswith("case_")]:
        case = name[len("case_"):]
        if args.case and args.case != case:
            continue
        started = time.monotonic()
        result = {}

        def run():
            try:
                getattr(suite, name)()
            except Exception as error:  # noqa: BLE001 - every failure is reported by case
                result["error"] = error

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(30)
        error = result.get("error") if not worker.is_alive() else Failure("timed out after 30 s")
        if error is None:
            print(f"PASS {peer} {case} ({(time.monotonic() - started) * 1000:.0f} ms)", flush=True)
        else:
            failed += 1
            reason = str(error) if isinstance(error, Failure) else "".join(traceback.format_exception(error)).strip()
            print(f"FAIL {peer} {case}: {reason}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
