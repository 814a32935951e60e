import Testing

@testable import AffordTransport

@Suite struct ZMQSocketTests {
    @Test func multipartRoundTripKeepsFramesAndEmptyParts() throws {
        let context = try ZMQContext()
        let a = try ZMQSocket(context, .pair)
        let b = try ZMQSocket(context, .pair)
        try a.bind("inproc://roundtrip")
        try b.connect("inproc://roundtrip")
        let big = ZMQMessage(count: 1 << 20) { buffer in
            for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: index) }
        }
        try a.send([ZMQMessage("topic/"), ZMQMessage(), big])
        let frames = try #require(try b.receive())
        #expect(frames.map(\.size) == [6, 0, 1 << 20])
        #expect(String(decoding: frames[0].bytes, as: UTF8.self) == "topic/")
        #expect(frames[2].bytes[1000] == UInt8(truncatingIfNeeded: 1000))
    }

    @Test func dontWaitReturnsNilWhenNothingIsQueued() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .pair)
        try socket.bind("inproc://quiet")
        #expect(try socket.receive(dontWait: true) == nil)
        #expect(try ZMQSocket.pollReadable([socket], timeoutMs: 10) == [false])
    }

    @Test func failuresNameTheCallAndLibzmqsReason() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .sub)
        do {
            try socket.connect("nonsense://x")
            Issue.record("connect to a bad transport succeeded")
        } catch {
            #expect(error.call == "zmq_connect(nonsense://x)")
            #expect(error.description.contains("Protocol not supported"))
        }
        #expect(try socket.lastEndpoint() == "")
    }
}

@Suite struct IPCCleanupTests {
    @Test func closingRemovesTheIPCSocketFile() throws {
        let context = try ZMQContext()
        let endpoint = temporaryIPCEndpoint("cleanup")
        let path = String(endpoint.dropFirst("ipc://".count))
        let socket = try ZMQSocket(context, .pub)
        try socket.bind(endpoint)
        #expect(access(path, F_OK) == 0)
        socket.close()
        #expect(access(path, F_OK) != 0)
    }
}

#if canImport(Glibc)
import Glibc
#endif
