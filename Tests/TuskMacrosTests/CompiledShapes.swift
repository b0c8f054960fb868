import TuskModel

/// Type spellings the generated `T.self` and `KeyPath<_, T>` must accept, private properties,
/// and a struct that declares its table itself.
@Model
struct CompiledShapes {
    /// A nested value type.
    enum Outer {
        struct Inner: Codable, Sendable {
            var x: Int
        }
    }

    /// A generic value type.
    struct Box<Value: Codable & Sendable>: Codable, Sendable {
        var value: Value
    }

    static let tableName = "shapes"
    var id: Int64?
    // Implicitly unwrapped: generated code spells it `Int32?`. (It cannot be `id`: Swift infers no
    // associated type from an implicitly unwrapped property.)
    var legacy: Int32!
    var counts: [String: Int]
    var nested: Outer.Inner?
    var boxed: Optional<Box<Int>>
    var matrix: [[Double]]
    @JSON var blob: [String: [Int]]?
    var `default`: Bool, flag: Bool
    var a, b: Int16
    var observed: Int = 0 {
        didSet { observedChanges += 1 }
    }
    @Transient var observedChanges = 0
    private var secret: String
    @Transient lazy var lazyValue: Int = 1

    init(secret: String) {
        id = nil
        legacy = nil
        counts = [:]
        nested = nil
        boxed = nil
        matrix = []
        blob = nil
        `default` = false
        flag = false
        a = 0
        b = 0
        self.secret = secret
    }
}
