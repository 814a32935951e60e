import AffordEngine

/// A safetensors file as the model loaders open it: header and byte ranges, every tensor
/// read by its dtype, and the backbone and head metadata parsers.
enum SafetensorsHarness {
    static func run(_ input: [UInt8]) {
        _ = ScratchFile.with(input, suffix: ".safetensors") { path in
            guard let file = try? SafetensorsFile(path: path) else { return }
            // Touching the first and last element proves the byte range lies inside the mapping.
            for (name, info) in file.tensors {
                _ = info.elementCount
                switch info.dtype {
                case .f32: touch(try? file.floats(name, shape: info.shape))
                case .i8: touch(try? file.int8s(name, shape: info.shape))
                case .u8: touch(try? file.uint8s(name, shape: info.shape))
                default: _ = try? file.info(name)
                }
            }
            for key in file.metadata.keys {
                _ = try? file.metadataInt(key)
                _ = try? file.metadataFloats(key)
                _ = try? file.metadataStrings(key)
            }
            _ = try? BackboneConfig(file: file)
            _ = try? HeadConfig(file: file)
        }
    }

    private static func touch<T>(_ buffer: UnsafeBufferPointer<T>?) {
        guard let buffer, let first = buffer.first, let last = buffer.last else { return }
        withExtendedLifetime((first, last)) {}
    }
}
