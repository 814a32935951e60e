import AffordCore
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Plain HTTP on a live-view endpoint: `/metrics`, `/healthz` and the page. Every response closes
/// the connection, which scrapers and browsers handle and which keeps no idle state here.
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    static let name = "affordd.http"

    private let page: String
    private let providers: Shared<LiveServer.Providers?>
    private let requests: Shared<UInt64>
    private var head: HTTPRequestHead?

    init(page: String, providers: Shared<LiveServer.Providers?>, requests: Shared<UInt64>) {
        self.page = page
        self.providers = providers
        self.requests = requests
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break  // GET has none; anything else is refused below
        case .end:
            guard let head else { return }
            self.head = nil
            requests.withLock { $0 += 1 }
            let (status, type, body) = respond(to: head)
            var headers = HTTPHeaders([("Content-Type", type), ("Content-Length", String(body.utf8.count)),
                                       ("Connection", "close"), ("Cache-Control", "no-store")])
            if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                          promise: nil)
            if head.method != .HEAD {
                var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
                buffer.writeString(body)
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func respond(to head: HTTPRequestHead) -> (HTTPResponseStatus, String, String) {
        guard head.method == .GET || head.method == .HEAD else { return (.methodNotAllowed, "text/plain", "GET only\n") }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let providers = providers.value
        switch path {
        case "/", "/index.html":
            return (.ok, "text/html; charset=utf-8", page)
        case "/metrics":
            guard let providers else { return (.serviceUnavailable, "text/plain", "starting\n") }
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", providers.metrics())
        case "/healthz":
            guard let providers else { return (.serviceUnavailable, "text/plain", "starting\n") }
            let health = providers.health()
            return (health.healthy ? .ok : .serviceUnavailable, "text/plain", health.summary + "\n")
        default:
            return (.notFound, "text/plain", "not found: try /, /metrics or /healthz\n")
        }
    }
}

/// One Foxglove WebSocket client: its requests go to the hub; the hub's messages come back
/// through the `Outbox` it was given.
final class FoxgloveHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let hub: LiveHub
    private var client: Int?

    init(hub: LiveHub) { self.hub = hub }

    func handlerAdded(context: ChannelHandlerContext) {
        client = hub.connect(ChannelOutbox(channel: context.channel))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let client { hub.disconnect(client) }
        client = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            var payload = frame.unmaskedData
            if let client { hub.receive(payload.readBytes(length: payload.readableBytes) ?? [], from: client) }
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            var code = context.channel.allocator.buffer(capacity: 2)
            code.write(webSocketErrorCode: .normalClosure)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: code)))
                .whenComplete { _ in channel.close(promise: nil) }
        default:
            // Binary client messages need capabilities affordd does not advertise; pongs need nothing.
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

/// A client's outgoing side: writes from any thread (NIO hops onto the channel's event loop).
struct ChannelOutbox: LiveHub.Outbox {
    let channel: any Channel

    var isWritable: Bool { channel.isWritable }

    func sendText(_ text: String) {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: buffer), promise: nil)
    }

    func sendBinary(_ bytes: [UInt8], stillWanted: @escaping @Sendable () -> Bool,
                    done: @escaping @Sendable (_ sent: Bool) -> Void) {
        let channel = self.channel
        // On the event loop, where unsubscribe is handled: a message queued before it but not yet
        // written is skipped.
        channel.eventLoop.execute {
            guard stillWanted() else { return done(false) }
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, data: buffer)).whenComplete { _ in done(true) }
        }
    }
}
