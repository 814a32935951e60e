import AffordCore

extension LearningGrounder {
    /// Zoom's crops in one batched backbone pass of the base engine. A learnt action needs
    /// each image's own tokens, so with demonstrations or taught actions the crops go one by
    /// one, at the model's input size, as `teach` saw them.
    public func ground(batch images: [RGBImage], inputSize: Int?, actions: [String]) throws -> [[ActionMap]] {
        guard learnt.isEmpty else { return try images.map { try ground($0, actions: actions) } }
        return try base.ground(batch: images, inputSize: inputSize, actions: actions)
    }
}
