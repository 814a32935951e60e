import AffordCore
import Foundation

/// The control thread's sockets and one step of its loop.
final class ControlLoop: @unchecked Sendable {
    // @unchecked: created and used only on the control thread (SocketThread's contract).
    private let router: ZMQSocket
    private let subscriber: ZMQSocket?
    private let handler: any ControlHandler
    private let counters: Shared<ControlServer.Counters>
    private let handlerTimeoutSeconds: Double

    init(
        router: ZMQSocket, subscriber: ZMQSocket?, handler: any ControlHandler, counters: Shared<ControlServer.Counters>,
        handlerTimeoutSeconds: Double
    ) {
        self.router = router
        self.subscriber = subscriber
        self.handler = handler
        self.counters = counters
        self.handlerTimeoutSeconds = handlerTimeoutSeconds
    }

    func close() {
        router.close()
        subscriber?.close()
    }

    func step() {
        let sockets = [router] + (subscriber.map { [$0] } ?? [])
        guard let readable = try? ZMQSocket.pollReadable(sockets, timeoutMs: 50) else { return }
        // A bounded drain per step keeps the stop flag responsive under a flood.
        if readable[0] {
            for _ in 0..<32 {
                guard let message = try? router.receive(dontWait: true) else { break }
                serve(message.map(\.bytes))
            }
        }
        if readable.count > 1, readable[1], let subscriber {
            for _ in 0..<32 {
                guard let message = try? subscriber.receive(dontWait: true) else { break }
                broadcast(message.map(\.bytes))
            }
        }
    }

    /// One ROUTER message: split the envelope, parse, run, reply.
    private func serve(_ frames: [[UInt8]]) {
        counters.withLock { $0.requests += 1 }
        guard let identity = frames.first else { return }
        var rest = frames.dropFirst()
        // An empty frame followed by more is REQ's delimiter; alone, it is a DEALER's empty body.
        let delimiter: [[UInt8]] = rest.count > 1 && rest.first?.isEmpty == true ? [[]] : []
        rest = rest.dropFirst(delimiter.count)
        let reply: [UInt8]
        if let body = rest.first {
            switch ControlParser.parse(body, attachments: Array(rest.dropFirst())) {
            case .failure(let error):
                counters.withLock { $0.malformed += 1 }
                reply = ControlReply.failure(error)
            case .success(let request):
                reply = run(request, origin: .request)
            }
        } else {
            counters.withLock { $0.malformed += 1 }
            reply = ControlReply.failure(op: nil, id: nil, code: "bad_request", reason: "message has no body frame")
        }
        let frames = ([identity] + delimiter + [reply]).map { ZMQMessage($0) }
        // A peer that left, or whose queue is full, loses its reply; nothing else waits on it.
        _ = try? router.send(frames, dontWait: true)
    }

    /// One SUB message: `[topic, body, attachments…]`; no reply goes back.
    private func broadcast(_ frames: [[UInt8]]) {
        counters.withLock { $0.broadcasts += 1 }
        guard frames.count >= 2 else {
            counters.withLock { $0.malformedBroadcasts += 1 }
            return
        }
        switch ControlParser.parse(frames[1], attachments: Array(frames.dropFirst(2))) {
        case .failure:
            counters.withLock { $0.malformedBroadcasts += 1 }
        case .success(let request):
            _ = run(request, origin: .broadcast(topic: String(decoding: frames[0], as: UTF8.self)))
        }
    }

    /// Runs the async handler from this plain thread, waiting at most the timeout.
    private func run(_ request: ControlRequest, origin: ControlOrigin) -> [UInt8] {
        let handler = self.handler
        let outcome = awaitBlocking(timeoutSeconds: handlerTimeoutSeconds) { () -> Result<JSONValue, any Error> in
            do { return .success(try await handler.handle(request, origin: origin)) } catch { return .failure(error) }
        }
        let op = request.command.op
        guard let result = outcome else {
            // The task was cancelled; handlers check for cancellation before they change state,
            // so a late one changes nothing.
            counters.withLock { $0.failed += 1 }
            return ControlReply.failure(op: op.rawValue, id: request.id, code: "timeout", reason: "handler took longer than \(handlerTimeoutSeconds) s")
        }
        switch result {
        case .success(let value):
            counters.withLock { $0.succeeded += 1 }
            return ControlReply.success(op: op, id: request.id, result: value)
        case .failure(let error):
            counters.withLock { $0.failed += 1 }
            return ControlReply.failure(op: op, id: request.id, error: error)
        }
    }
}
