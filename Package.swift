// swift-tools-version:6.0
import PackageDescription

// Dependency direction (STYLE.md): AffordCore at the bottom; engine, imaging,
// capture, recording, postprocess and transport depend on it and never on
// each other; the daemon wires them together; the executables sit on top.
let package = Package(
    name: "affordd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "affordd", targets: ["affordd"]),
        .executable(name: "affordd-bench", targets: ["AffordBench"]),
        .executable(name: "affordd-fuzz", targets: ["AffordFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        // System libraries (Debian -dev packages; `make setup` installs them).
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CV4L2", pkgConfig: "libv4l2", providers: [.apt(["libv4l-dev"])]),
        .systemLibrary(name: "CZMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

        // The bottom layer: frames, heatmaps, errors, the seams.
        .target(name: "AffordCore", dependencies: ["CAffordMath"]),

        // Portable and ISA-specific int8 kernels, chosen at run time.
        .target(name: "CAffordKernels", cSettings: [.unsafeFlags(["-O3"])]),

        // SIMD GELU, softmax and LayerNorm for the engine's fp32 steps.
        .target(name: "CAffordMath", cSettings: [.unsafeFlags(["-O3"])]),

        // The ViT backbone and affordance head; a pure function of weights and pixels.
        .target(name: "AffordEngine", dependencies: ["AffordCore", "CAffordKernels", "CAffordMath", "COpenBLAS"]),

        // Vectorised pixel conversions (AVX2 chosen at run time) for AffordImaging.
        .target(name: "CAffordImaging", cSettings: [.unsafeFlags(["-O3"])]),

        // JPEG/PNG codecs, colour conversion, resizing.
        .target(name: "AffordImaging", dependencies: ["AffordCore", "CAffordImaging", "CTurboJPEG", "CPNG"]),

        // V4L2 cameras.
        .target(name: "AffordCapture", dependencies: ["AffordCore", "AffordImaging", "CV4L2"]),

        // MCAP logs: writer, reader, rosbag2 decoding, replay source.
        .target(name: "AffordRecording", dependencies: ["AffordCore", "AffordImaging", "AffordTransport", "CLZ4", "CZstd"]),

        // Heatmap post-processing and camera geometry.
        .target(name: "AffordPostprocess", dependencies: ["AffordCore", "CAffordMath"]),

        // ZeroMQ sockets, publishing and the control protocol.
        .target(name: "AffordTransport", dependencies: ["AffordCore", "CZMQ"]),

        // Configuration, the per-camera pipeline, lifecycle, sd_notify.
        .target(
            name: "AffordDaemon",
            dependencies: [
                "AffordCore", "AffordEngine", "AffordImaging", "AffordCapture", "AffordRecording",
                "AffordPostprocess", "AffordTransport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // The live view: HTTP (/metrics, /healthz, the page) and the Foxglove WebSocket, on SwiftNIO.
        // Only the affordd executable links it, so the fuzz build never compiles NIO.
        .target(
            name: "AffordLive",
            dependencies: [
                "AffordCore", "AffordRecording",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),

        .executableTarget(
            name: "affordd",
            dependencies: ["AffordDaemon", "AffordEngine", "AffordTransport", "AffordLive",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "AffordBench",
            dependencies: ["AffordEngine", "AffordImaging", "AffordCapture", "AffordRecording", "AffordCore", "AffordDaemon",
                           .product(name: "Logging", package: "swift-log")]
        ),

        // Fakes, capturing sinks and fixture loading shared by the test targets.
        .target(name: "AffordTestSupport", dependencies: ["AffordCore"], path: "Tests/AffordTestSupport"),

        // Fuzz harness bodies: libFuzzer runs them (affordd-fuzz, scripts/fuzz.sh), the tests replay the corpus.
        .target(
            name: "AffordFuzzing",
            dependencies: ["AffordCore", "AffordDaemon", "AffordEngine", "AffordImaging", "AffordPostprocess",
                           "AffordRecording", "AffordTransport", "AffordTestSupport"]
        ),
        .executableTarget(name: "AffordFuzz", dependencies: ["AffordFuzzing"]),

        .testTarget(name: "AffordCoreTests", dependencies: ["AffordCore", "AffordTestSupport"]),
        .testTarget(name: "AffordEngineTests", dependencies: ["AffordEngine", "CAffordKernels", "CAffordMath", "AffordTestSupport"]),
        .testTarget(name: "AffordImagingTests", dependencies: ["AffordImaging", "AffordTestSupport"]),
        .testTarget(name: "AffordCaptureTests", dependencies: ["AffordCapture", "AffordTestSupport"]),
        .testTarget(name: "AffordRecordingTests", dependencies: ["AffordRecording", "AffordTestSupport"]),
        .testTarget(name: "AffordPostprocessTests", dependencies: ["AffordPostprocess", "AffordTestSupport"]),
        .testTarget(name: "AffordTransportTests", dependencies: ["AffordTransport", "AffordTestSupport"]),
        .testTarget(name: "AffordFuzzingTests", dependencies: ["AffordFuzzing", "AffordTestSupport"]),
        .testTarget(name: "AffordLiveTests", dependencies: ["AffordLive", "AffordTestSupport"]),
        .testTarget(
            name: "AffordDaemonTests",
            dependencies: ["AffordDaemon", "AffordTestSupport", "AffordTransport", .product(name: "Logging", package: "swift-log")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
