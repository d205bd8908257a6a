/// A refusal as warden recorded it (an audit event, or a worker's report while learning),
/// in the terms `learn` lists and `policy suggest` weighs.
public struct Refusal: Sendable, Equatable {
    /// wasi, seccomp, landlock, limit, policy
    public var layer: String
    public var operation: String
    public var preopen: String?
    public var path: String?
    public var reason: String
    /// For limit events: which limit ("memory", "fuel", "cpu-time", "wall-time", "open-files").
    public var limit: String?
    /// How many refusals this stands for (a rate limiter's summary stands for many).
    public var count: Int = 1

    public init(layer: String, operation: String, preopen: String? = nil, path: String? = nil, reason: String, limit: String? = nil) {
        self.layer = layer
        self.operation = operation
        self.preopen = preopen
        self.path = path
        self.reason = reason
        self.limit = limit
    }
}
