/// JSON schemas for the Foxglove types affordd records, written from foxglove's
/// published definitions (the subset of keywords Foxglove reads).
enum FoxgloveSchemas {
    static let encoding = "jsonschema"
    static let messageEncoding = "json"

    static let compressedImageName = "foxglove.CompressedImage"
    static let rawImageName = "foxglove.RawImage"
    static let imageAnnotationsName = "foxglove.ImageAnnotations"
    static let statusName = "affordd.Status"
    static let centroidsName = "affordd.Centroids"

    /// The centroids message as published (docs/PROTOCOL.md); only its shape is promised here.
    static let centroids = """
    {"title":"affordd.Centroids","description":"Every action's components for one frame, as the ZeroMQ centroids topic carries them","type":"object"}
    """

    /// affordd's own status message (docs/PROTOCOL.md); only its shape is promised here.
    static let status = """
    {"title":"affordd.Status","description":"One camera's pipeline status","type":"object"}
    """

    private static let time = """
    {"type":"object","title":"time","properties":{"sec":{"type":"integer","minimum":0},\
    "nsec":{"type":"integer","minimum":0,"maximum":999999999}}}
    """
    private static let point2 = """
    {"type":"object","title":"foxglove.Point2","properties":{"x":{"type":"number"},"y":{"type":"number"}}}
    """
    private static let color = """
    {"type":"object","title":"foxglove.Color","properties":{"r":{"type":"number"},"g":{"type":"number"},\
    "b":{"type":"number"},"a":{"type":"number"}}}
    """

    static let compressedImage = """
    {"title":"foxglove.CompressedImage","description":"A compressed image","type":"object","properties":{\
    "timestamp":\(time),\
    "frame_id":{"type":"string"},\
    "data":{"type":"string","contentEncoding":"base64"},\
    "format":{"type":"string"}}}
    """

    static let rawImage = """
    {"title":"foxglove.RawImage","description":"A raw image","type":"object","properties":{\
    "timestamp":\(time),\
    "frame_id":{"type":"string"},\
    "width":{"type":"integer","minimum":0},\
    "height":{"type":"integer","minimum":0},\
    "encoding":{"type":"string"},\
    "step":{"type":"integer","minimum":0},\
    "data":{"type":"string","contentEncoding":"base64"}}}
    """

    static let imageAnnotations = """
    {"title":"foxglove.ImageAnnotations","description":"Array of annotations for a 2D image","type":"object",\
    "properties":{\
    "circles":{"type":"array","items":{"type":"object","title":"foxglove.CircleAnnotation","properties":{\
    "timestamp":\(time),"position":\(point2),"diameter":{"type":"number"},"thickness":{"type":"number"},\
    "fill_color":\(color),"outline_color":\(color)}}},\
    "points":{"type":"array","items":{"type":"object","title":"foxglove.PointsAnnotation","properties":{\
    "timestamp":\(time),\
    "type":{"title":"foxglove.PointsAnnotationType","oneOf":[{"title":"UNKNOWN","const":0},\
    {"title":"POINTS","const":1},{"title":"LINE_LOOP","const":2},{"title":"LINE_STRIP","const":3},\
    {"title":"LINE_LIST","const":4}]},\
    "points":{"type":"array","items":\(point2)},"outline_color":\(color),\
    "outline_colors":{"type":"array","items":\(color)},"fill_color":\(color),"thickness":{"type":"number"}}}},\
    "texts":{"type":"array","items":{"type":"object","title":"foxglove.TextAnnotation","properties":{\
    "timestamp":\(time),"position":\(point2),"text":{"type":"string"},"font_size":{"type":"number"},\
    "text_color":\(color),"background_color":\(color)}}}}}
    """
}
