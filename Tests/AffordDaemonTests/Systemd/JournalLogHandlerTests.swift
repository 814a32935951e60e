import Foundation
import Logging
import Testing

@testable import AffordDaemon

@Suite struct JournalLogHandlerTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []
        func append(_ line: String) { lock.withLock { stored.append(line) } }
        var all: [String] { lock.withLock { stored } }
    }

    @Test func eachEventIsOneLineWithItsSyslogPriority() {
        let lines = Lines()
        var logger = Logger(label: "affordd.pipeline") { JournalLogHandler(label: $0, write: lines.append) }
        logger.logLevel = .trace
        logger[metadataKey: "camera"] = "front"
        logger.trace("t")
        logger.debug("d")
        logger.info("started", metadata: ["fps": "30"])
        logger.notice("n")
        logger.warning("camera lost\nretrying", metadata: ["device": "/dev/video0 (usb)"])
        logger.error("e")
        logger.critical("c")
        let all = lines.all
        #expect(all.map { $0.prefix(3) } == ["<7>", "<7>", "<6>", "<5>", "<4>", "<3>", "<2>"])
        #expect(all.allSatisfy { $0.hasSuffix("\n") && $0.dropLast().firstIndex(of: "\n") == nil })
        #expect(all[2] == "<6>affordd.pipeline: started camera=front fps=30\n")
        #expect(all[4] == "<4>affordd.pipeline: camera lost\\nretrying camera=front device=\"/dev/video0 (usb)\"\n")
    }

    @Test func levelFilteringIsSwiftLogs() {
        let lines = Lines()
        let logger = Logger(label: "l") { JournalLogHandler(label: $0, write: lines.append) }
        logger.debug("hidden at the default info level")
        logger.info("shown")
        #expect(lines.all == ["<6>l: shown\n"])
    }
}
