// LuaValue: the plain data that crosses between the host and a sandboxed Lua script — nil,
// booleans, numbers, strings, and tables as ordered key/value pairs — plus the one deterministic
// key order used wherever a table is listed: numbers ascending, then strings bytewise, then
// false, true.

/// A Lua value the host can hold. Functions, userdata and threads have no host form.
public enum LuaValue: Equatable, Sendable {
    case `nil`
    case bool(Bool)
    /// A Lua float.
    case number(Double)
    /// A Lua integer.
    case integer(Int64)
    /// A Lua string (decoded as UTF-8; invalid bytes become U+FFFD).
    case string(String)
    /// A Lua table as key/value pairs; tables read from Lua come in `LuaValue.keyPrecedes` order.
    case table([LuaTableEntry])
}

/// One key/value pair of a `LuaValue.table`.
public struct LuaTableEntry: Equatable, Sendable {
    public var key: LuaValue
    public var value: LuaValue

    public init(_ key: LuaValue, _ value: LuaValue) {
        self.key = key
        self.value = value
    }
}

extension LuaValue {
    /// A table with keys 1...n, like a Lua sequence.
    public static func array(_ values: [LuaValue]) -> LuaValue {
        .table(values.enumerated().map { LuaTableEntry(.integer(Int64($0.offset + 1)), $0.element) })
    }

    /// The value stored under `key` in a table (`.nil` if absent or not a table). Integer and
    /// float keys with the same numeric value match, as in Lua.
    public subscript(key: LuaValue) -> LuaValue {
        guard case .table(let entries) = self else { return .nil }
        for entry in entries where entry.key.sameKey(as: key) {
            return entry.value
        }
        return .nil
    }

    public subscript(key: String) -> LuaValue { self[.string(key)] }
    public subscript(index: Int) -> LuaValue { self[.integer(Int64(index))] }

    public var isNil: Bool { self == .nil }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// An integer, or a float with an integral value that fits.
    public var intValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .number(let value):
            guard value.rounded() == value, value >= -0x1p63, value < 0x1p63 else { return nil }
            return Int64(value)
        default: return nil
        }
    }

    /// Any number, as a Double.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var tableEntries: [LuaTableEntry]? {
        if case .table(let entries) = self { return entries }
        return nil
    }

    /// Whether two keys address the same table slot (numbers compare by value).
    func sameKey(as other: LuaValue) -> Bool {
        switch (self, other) {
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)):
            return Double(a) == b && LuaValue.number(b).intValue == a
        default:
            return self == other
        }
    }

    /// The deterministic order of table keys: numbers (by value; an integer before a float
    /// that rounds to the same Double), then strings (bytewise), then false before true.
    /// Other values sort last and compare equal.
    public static func keyPrecedes(_ a: LuaValue, _ b: LuaValue) -> Bool {
        let (ra, rb) = (a.keyRank, b.keyRank)
        if ra != rb { return ra < rb }
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return x.utf8.lexicographicallyPrecedes(y.utf8)
        case (.bool(let x), .bool(let y)):
            return !x && y
        default:
            guard let x = a.numericKey, let y = b.numericKey else { return false }
            return NumericKey.precedes(x, y)
        }
    }

    private var keyRank: Int {
        switch self {
        case .integer, .number: return 0
        case .string: return 1
        case .bool: return 2
        default: return 3
        }
    }

    private var numericKey: NumericKey? {
        switch self {
        case .integer(let value): return .integer(value)
        case .number(let value): return .float(value)
        default: return nil
        }
    }
}

/// A number key, ordered as the tuple (value as Double, integer-before-float, exact integer):
/// a strict total order even where an integer and a float round to the same Double.
enum NumericKey {
    case integer(Int64)
    case float(Double)

    static func precedes(_ a: NumericKey, _ b: NumericKey) -> Bool {
        let (da, db) = (a.asDouble, b.asDouble)
        if da != db { return da < db }
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x < y
        case (.integer, .float): return true
        default: return false
        }
    }

    private var asDouble: Double {
        switch self {
        case .integer(let value): return Double(value)
        case .float(let value): return value
        }
    }
}

extension LuaValue: CustomStringConvertible {
    /// A Lua-like literal, for logs and test failures.
    public var description: String {
        switch self {
        case .nil: return "nil"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value): return "\(value)"
        case .integer(let value): return "\(value)"
        case .string(let value): return String(reflecting: value)
        case .table(let entries):
            if entries.isEmpty { return "{}" }
            return "{ " + entries.map { "[\($0.key)] = \($0.value)" }.joined(separator: ", ") + " }"
        }
    }
}

extension LuaValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal is a sequence (keys 1...n).
    public init(arrayLiteral elements: LuaValue...) { self = .array(elements) }
    /// A dictionary literal keeps its written order.
    public init(dictionaryLiteral elements: (LuaValue, LuaValue)...) {
        self = .table(elements.map { LuaTableEntry($0.0, $0.1) })
    }
}
