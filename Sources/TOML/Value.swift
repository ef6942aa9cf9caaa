// Public data model of the TOML reader: source positions, positioned errors,
// values, nodes (a value plus where it was written) and tables that keep their
// keys in document order. Everything here is an immutable-by-default Sendable value type.

/// A 1-based line and column in a source file. Columns count Unicode scalars
/// (characters) from the start of the line, so a tab counts as one column.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: SourcePosition, b: SourcePosition) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    /// `"LINE:COL"`.
    public var description: String { "\(line):\(column)" }
}

/// A problem in a TOML file, found either by the parser or by the caller's own
/// checks (use `init(file:position:message:)` for those). Its `description`
/// is the compiler-style line `FILE:LINE:COL: error: MESSAGE`.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var position: SourcePosition
    public var message: String

    public init(file: String, position: SourcePosition, message: String) {
        self.file = file
        self.position = position
        self.message = message
    }

    public var description: String {
        "\(file):\(position.line):\(position.column): error: \(message)"
    }
}

/// A TOML value. Date-times of all four kinds (offset, local date-time, local
/// date, local time) are kept as the exact text written in the file.
public indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case datetime(String)
    case array([TOMLNode])
    case table(TOMLTable)

    /// English name of the kind of value, for error messages:
    /// "string", "integer", "float", "boolean", "date-time", "array", "table".
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .bool: return "boolean"
        case .datetime: return "date-time"
        case .array: return "array"
        case .table: return "table"
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }

    /// The value of a float, or of an integer converted to `Double`.
    public var doubleValue: Double? {
        switch self {
        case .float(let d): return d
        case .integer(let i): return Double(i)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The original text of a date-time value.
    public var datetimeValue: String? {
        if case .datetime(let s) = self { return s }
        return nil
    }

    public var arrayValue: [TOMLNode]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var tableValue: TOMLTable? {
        if case .table(let t) = self { return t }
        return nil
    }

    /// Compares two values while ignoring all source positions (`==` compares
    /// positions too). Two NaN floats count as the same content here.
    public func hasSameContent(as other: TOMLValue) -> Bool {
        TOMLValue.compare(self, other, positions: false)
    }

    /// Equal values at equal positions (NaN is unequal to itself, as for `Double`).
    public static func == (a: TOMLValue, b: TOMLValue) -> Bool {
        compare(a, b, positions: true)
    }

    /// Iterative (explicit stack, no recursion), so deeply nested values cannot overflow the call stack.
    private static func compare(_ a: TOMLValue, _ b: TOMLValue, positions: Bool) -> Bool {
        var pending: [(TOMLValue, TOMLValue)] = [(a, b)]
        func push(_ x: TOMLNode, _ y: TOMLNode) -> Bool {
            if positions && (x.position != y.position || x.keyPosition != y.keyPosition) { return false }
            pending.append((x.value, y.value))
            return true
        }
        while let (x, y) = pending.popLast() {
            switch (x, y) {
            case (.string(let p), .string(let q)): if p != q { return false }
            case (.integer(let p), .integer(let q)): if p != q { return false }
            case (.float(let p), .float(let q)):
                if !(p == q || (!positions && p.isNaN && q.isNaN)) { return false }
            case (.bool(let p), .bool(let q)): if p != q { return false }
            case (.datetime(let p), .datetime(let q)): if p != q { return false }
            case (.array(let p), .array(let q)):
                guard p.count == q.count else { return false }
                for (m, n) in zip(p, q) where !push(m, n) { return false }
            case (.table(let p), .table(let q)):
                guard p.keys == q.keys, !positions || p.position == q.position else { return false }
                for key in p.keys {
                    guard let m = p[key], let n = q[key], push(m, n) else { return false }
                }
            default:
                return false
            }
        }
        return true
    }
}

/// A value together with where it was written.
public struct TOMLNode: Sendable, Equatable {
    public var value: TOMLValue
    /// Where the value starts. For a table opened by a `[header]` or an element
    /// of an array of tables, this is the header's `[` (for the array of tables
    /// itself, its first `[[`); for a table created implicitly by a dotted key or
    /// a longer header, it is that key segment.
    public var position: SourcePosition
    /// Where this value's own key starts: for `a.b.c = 1`, the node of `c` has the
    /// position of `c`. `nil` for elements of ordinary arrays; an element of an
    /// array of tables has the key in its own `[[header]]`.
    public var keyPosition: SourcePosition?

    public init(value: TOMLValue, position: SourcePosition, keyPosition: SourcePosition? = nil) {
        self.value = value
        self.position = position
        self.keyPosition = keyPosition
    }
}

/// A TOML table. Keys are kept in document (insertion) order, so iterating
/// `keys` or `entries` is deterministic.
public struct TOMLTable: Sendable, Equatable {
    /// The keys in the order they were first written.
    public private(set) var keys: [String]
    private var storage: [String: TOMLNode]
    /// Where the table was opened: its `[header]`, its inline `{`, the dotted
    /// key segment that created it, or 1:1 for the root table.
    public var position: SourcePosition

    public init(position: SourcePosition = SourcePosition(line: 1, column: 1)) {
        self.keys = []
        self.storage = [:]
        self.position = position
    }

    public subscript(key: String) -> TOMLNode? {
        storage[key]
    }

    /// Key/node pairs in document order.
    public var entries: [(key: String, node: TOMLNode)] {
        var result: [(key: String, node: TOMLNode)] = []
        result.reserveCapacity(keys.count)
        for key in keys {
            if let node = storage[key] { result.append((key: key, node: node)) }
        }
        return result
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public func contains(_ key: String) -> Bool { storage[key] != nil }

    /// Sets `node` for `key`. A new key goes to the end of `keys`; an existing
    /// key keeps its place.
    public mutating func set(_ node: TOMLNode, for key: String) {
        if storage.updateValue(node, forKey: key) == nil { keys.append(key) }
    }

    /// Removes `key` (linear in the number of keys). Returns the removed node.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> TOMLNode? {
        guard let old = storage.removeValue(forKey: key) else { return nil }
        keys.removeAll { $0 == key }
        return old
    }

    // Convenience accessors: nil when the key is missing or has another type.

    public func string(_ key: String) -> String? { storage[key]?.value.stringValue }
    public func int(_ key: String) -> Int64? { storage[key]?.value.intValue }
    /// Accepts floats and integers.
    public func double(_ key: String) -> Double? { storage[key]?.value.doubleValue }
    public func bool(_ key: String) -> Bool? { storage[key]?.value.boolValue }
    public func datetime(_ key: String) -> String? { storage[key]?.value.datetimeValue }
    public func table(_ key: String) -> TOMLTable? { storage[key]?.value.tableValue }
    public func array(_ key: String) -> [TOMLNode]? { storage[key]?.value.arrayValue }
}
