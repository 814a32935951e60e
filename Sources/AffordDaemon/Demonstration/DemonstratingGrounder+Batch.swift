import AffordCore

extension DemonstratingGrounder {
    /// Zoom's crops in one batched backbone pass of the base engine. A demonstrated action
    /// needs each image's own tokens, so with demonstrations the crops go one by one.
    public func ground(batch images: [RGBImage], actions: [String]) throws -> [[ActionMap]] {
        guard book.actions.isEmpty else { return try images.map { try ground($0, actions: actions) } }
        return try base.ground(batch: images, actions: actions)
    }
}
