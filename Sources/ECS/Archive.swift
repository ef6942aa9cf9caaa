// Archive.swift — one deterministic binary archive for every saved type (any `Codable` value).
//
// [SECTION] The value tree
// [SECTION] Bytes: writing and reading a tree
// [SECTION] Encoder
// [SECTION] Decoder
//
// A value is archived as a self-describing tree: keyed containers keep their field names, so a
// field renamed, reordered or swapped with another of the same type is found by name or refused,
// never read into the wrong place. Migrations edit trees (`ArchiveValue.object` fields) before
// they are decoded. The bytes are a pure function of the value: fields in the order the type
// encodes them (declaration order, for synthesised conformances), integers little-endian,
// floating-point numbers by bit pattern. Arrays of fixed-width numbers are packed.
//
// Reading never trusts a count: every length is checked against the bytes that remain, nesting
// is limited, and strings must be valid UTF-8.

// MARK: - [SECTION] The value tree

public indirect enum ArchiveValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([ArchiveValue])
    case object([ArchiveField])
    /// An array of fixed-width numbers, little-endian.
    case packed(PackedKind, [UInt8])

    /// The field named `key` of an object.
    public subscript(key: String) -> ArchiveValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.key == key }?.value
    }

    /// Sets (or adds, at the end) the field named `key` of an object; a migration's tool.
    public mutating func set(_ key: String, _ value: ArchiveValue) {
        guard case .object(var fields) = self else { return }
        if let i = fields.firstIndex(where: { $0.key == key }) { fields[i].value = value } else { fields.append(ArchiveField(key, value)) }
        self = .object(fields)
    }

    /// Removes the field named `key` of an object, returning its value.
    @discardableResult
    public mutating func remove(_ key: String) -> ArchiveValue? {
        guard case .object(var fields) = self, let i = fields.firstIndex(where: { $0.key == key }) else { return nil }
        let value = fields.remove(at: i).value
        self = .object(fields)
        return value
    }

    /// The path of the first number that is NaN or infinite ("years[3].tally.removals"), or nil.
    public func firstNonFinitePath(_ prefix: String = "") -> String? {
        switch self {
        case .double(let d): return d.isFinite ? nil : (prefix.isEmpty ? "the value" : prefix)
        case .array(let items):
            for (i, item) in items.enumerated() { if let found = item.firstNonFinitePath(prefix + "[\(i)]") { return found } }
            return nil
        case .object(let fields):
            for field in fields {
                if let found = field.value.firstNonFinitePath(prefix.isEmpty ? field.key : prefix + "." + field.key) { return found }
            }
            return nil
        case .packed(.double, let bytes):
            for i in stride(from: 0, to: bytes.count, by: 8) {
                var bits: UInt64 = 0
                for b in 0..<8 { bits |= UInt64(bytes[i + b]) << (8 * b) }
                if !Double(bitPattern: bits).isFinite { return prefix + "[\(i / 8)]" }
            }
            return nil
        case .packed(.float, let bytes):
            for i in stride(from: 0, to: bytes.count, by: 4) {
                var bits: UInt32 = 0
                for b in 0..<4 { bits |= UInt32(bytes[i + b]) << (8 * b) }
                if !Float(bitPattern: bits).isFinite { return prefix + "[\(i / 4)]" }
            }
            return nil
        default: return nil
        }
    }

    var kindName: String {
        switch self {
        case .null: return "nothing"
        case .bool: return "a flag"
        case .int, .uint: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "a record"
        case .packed(let kind, _): return "a list of \(kind)"
        }
    }
}

public struct ArchiveField: Equatable, Sendable {
    public var key: String
    public var value: ArchiveValue
    public init(_ key: String, _ value: ArchiveValue) {
        self.key = key
        self.value = value
    }
}

public enum PackedKind: UInt8, Sendable, CustomStringConvertible {
    case uint8 = 1, int8, uint16, int16, uint32, int32, uint64, int64, float, double, bool

    var width: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float: return 4
        case .uint64, .int64, .double: return 8
        }
    }

    public var description: String {
        ["", "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float", "double", "bool"][Int(rawValue)]
    }
}

/// A fixed-width number that archives packed in arrays.
public protocol ArchivePackable {
    static var packedKind: PackedKind { get }
}
extension UInt8: ArchivePackable { public static var packedKind: PackedKind { .uint8 } }
extension Int8: ArchivePackable { public static var packedKind: PackedKind { .int8 } }
extension UInt16: ArchivePackable { public static var packedKind: PackedKind { .uint16 } }
extension Int16: ArchivePackable { public static var packedKind: PackedKind { .int16 } }
extension UInt32: ArchivePackable { public static var packedKind: PackedKind { .uint32 } }
extension Int32: ArchivePackable { public static var packedKind: PackedKind { .int32 } }
extension UInt64: ArchivePackable { public static var packedKind: PackedKind { .uint64 } }
extension Int64: ArchivePackable { public static var packedKind: PackedKind { .int64 } }
extension Float: ArchivePackable { public static var packedKind: PackedKind { .float } }
extension Double: ArchivePackable { public static var packedKind: PackedKind { .double } }
extension Bool: ArchivePackable { public static var packedKind: PackedKind { .bool } }

/// Arrays of packable numbers, recognised at run time by the encoder and decoder.
protocol PackedArray {
    static var packedKind: PackedKind { get }
    var packedBytes: [UInt8] { get }
    init(packed bytes: [UInt8]) throws(ArchiveError)
}

extension Array: PackedArray where Element: ArchivePackable {
    static var packedKind: PackedKind { Element.packedKind }
    var packedBytes: [UInt8] {
        if Element.self == Bool.self { return map { ($0 as! Bool) ? 1 : 0 } }
        return withUnsafeBytes { [UInt8]($0) }  // little-endian hosts only (x86-64, arm64)
    }
    init(packed bytes: [UInt8]) throws(ArchiveError) {
        let width = Element.packedKind.width
        guard bytes.count % width == 0 else { throw .invalid("a packed list of \(bytes.count) bytes is not a whole number of \(width)-byte values") }
        if Element.self == Bool.self {
            var flags: [Bool] = []
            flags.reserveCapacity(bytes.count)
            for b in bytes {
                guard b <= 1 else { throw .invalid("a flag byte is \(b), not 0 or 1") }
                flags.append(b == 1)
            }
            self = flags as! [Element]
            return
        }
        self = [Element](unsafeUninitializedCapacity: bytes.count / width) { buffer, count in
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            count = bytes.count / width
        }
    }
}

public enum ArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated
    case invalid(String)
    /// A value of the wrong shape at a path, e.g. "ledger.years[3].start".
    case mismatch(path: String, expected: String, found: String)
    case missing(path: String)

    public var description: String {
        switch self {
        case .truncated: return "the data ends too early (truncated)"
        case .invalid(let detail): return detail
        case .mismatch(let path, let expected, let found): return "\(path): expected \(expected), found \(found)"
        case .missing(let path): return "\(path) is missing"
        }
    }
}

// MARK: - [SECTION] Bytes: writing and reading a tree

extension ArchiveValue {
    private enum Tag: UInt8 { case null = 0, falseValue, trueValue, int, uint, double, string, array, object, packed }

    public static let maximumDepth = 64

    public func write(into w: inout BinaryWriter) {
        switch self {
        case .null: w.write(Tag.null.rawValue)
        case .bool(let b): w.write(b ? Tag.trueValue.rawValue : Tag.falseValue.rawValue)
        case .int(let v): w.write(Tag.int.rawValue); w.write(v)
        case .uint(let v): w.write(Tag.uint.rawValue); w.write(v)
        case .double(let v): w.write(Tag.double.rawValue); w.write(v)
        case .string(let s): w.write(Tag.string.rawValue); w.write(s)
        case .array(let items):
            w.write(Tag.array.rawValue)
            w.write(count: items.count)
            for item in items { item.write(into: &w) }
        case .object(let fields):
            w.write(Tag.object.rawValue)
            w.write(count: fields.count)
            for field in fields {
                w.write(field.key)
                field.value.write(into: &w)
            }
        case .packed(let kind, let bytes):
            w.write(Tag.packed.rawValue)
            w.write(kind.rawValue)
            w.write(bytes: bytes)
        }
    }

    public var bytes: [UInt8] {
        var w = BinaryWriter()
        write(into: &w)
        return w.bytes
    }

    public init(reading r: inout BinaryReader, depth: Int = 0) throws(SnapshotError) {
        guard depth < ArchiveValue.maximumDepth else { throw .invalid("values are nested more than \(ArchiveValue.maximumDepth) deep") }
        let raw = try r.read(UInt8.self)
        guard let tag = Tag(rawValue: raw) else { throw .invalid("unknown value tag \(raw) at byte \(r.offset - 1)") }
        switch tag {
        case .null: self = .null
        case .falseValue: self = .bool(false)
        case .trueValue: self = .bool(true)
        case .int: self = .int(try r.read(Int64.self))
        case .uint: self = .uint(try r.read(UInt64.self))
        case .double: self = .double(try r.readDouble())
        case .string: self = .string(try r.readString(limit: BinaryReader.maximumRunLength))
        case .array:
            let count = try r.readCount(minimumElementSize: 1)
            var items: [ArchiveValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try ArchiveValue(reading: &r, depth: depth + 1)) }
            self = .array(items)
        case .object:
            let count = try r.readCount(minimumElementSize: 9)
            var fields: [ArchiveField] = []
            fields.reserveCapacity(count)
            for _ in 0..<count {
                let key = try r.readString(limit: 256)
                fields.append(ArchiveField(key, try ArchiveValue(reading: &r, depth: depth + 1)))
            }
            self = .object(fields)
        case .packed:
            let rawKind = try r.read(UInt8.self)
            guard let kind = PackedKind(rawValue: rawKind) else { throw .invalid("unknown packed kind \(rawKind)") }
            let bytes = try r.readBytes()
            guard bytes.count % kind.width == 0 else { throw .invalid("a packed list of \(kind) has \(bytes.count) bytes") }
            self = .packed(kind, bytes)
        }
    }
}

// MARK: - [SECTION] Encoder

/// Encodes any `Encodable` value into an `ArchiveValue` tree.
public enum Archive {
    public static func encode<T: Encodable>(_ value: T) throws -> ArchiveValue {
        let encoder = TreeEncoder(path: [])
        try encoder.encodeValue(value)
        return encoder.result
    }

    public static func decode<T: Decodable>(_ type: T.Type, from value: ArchiveValue, path: String = "") throws(ArchiveError) -> T {
        do {
            return try TreeDecoder(value: value, path: path.isEmpty ? [] : [path]).decodeValue(T.self)
        } catch let error as ArchiveError {
            throw error
        } catch let error as DecodingError {
            throw .invalid(Archive.describe(error))
        } catch {
            throw .invalid("\(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return (path.isEmpty ? "" : path + ": ") + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}

/// A node being built; containers hold a reference so that nested containers fill in place.
final class TreeNode {
    var value: ArchiveValue = .null
    var fields: [(String, TreeNode)]?
    var items: [TreeNode]?

    func finish() -> ArchiveValue {
        if let fields { return .object(fields.map { ArchiveField($0.0, $0.1.finish()) }) }
        if let items { return .array(items.map { $0.finish() }) }
        return value
    }
}

final class TreeEncoder: Encoder {
    let node = TreeNode()
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(path: [any CodingKey]) { codingPath = path }

    var result: ArchiveValue { node.finish() }

    func encodeValue<T: Encodable>(_ value: T) throws {
        if let packed = value as? any PackedArray {
            node.value = .packed(type(of: packed).packedKind, packed.packedBytes)
            return
        }
        try value.encode(to: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.fields == nil { node.fields = [] }
        return KeyedEncodingContainer(KeyedTreeEncoding<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.items == nil { node.items = [] }
        return UnkeyedTreeEncoding(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTreeEncoding(node: node, codingPath: codingPath) }
}

/// Scalars shared by the three container kinds.
private func scalar<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> ArchiveValue {
    switch value {
    case let v as Bool: return .bool(v)
    case let v as String: return .string(v)
    case let v as Double: return .double(v)
    case let v as Float: return .double(Double(v))
    case let v as Int: return .int(Int64(v))
    case let v as Int8: return .int(Int64(v))
    case let v as Int16: return .int(Int64(v))
    case let v as Int32: return .int(Int64(v))
    case let v as Int64: return .int(v)
    case let v as UInt: return .uint(UInt64(v))
    case let v as UInt8: return .uint(UInt64(v))
    case let v as UInt16: return .uint(UInt64(v))
    case let v as UInt32: return .uint(UInt64(v))
    case let v as UInt64: return .uint(v)
    default:
        let encoder = TreeEncoder(path: path)
        try encoder.encodeValue(value)
        return encoder.result
    }
}

struct KeyedTreeEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: TreeNode
    let codingPath: [any CodingKey]

    private func child(_ key: Key) -> TreeNode {
        let child = TreeNode()
        node.fields!.append((key.stringValue, child))
        return child
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).value = .null }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        child(key).value = try scalar(value, path: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = child(key)
        nested.fields = []
        return KeyedEncodingContainer(KeyedTreeEncoding<NestedKey>(node: nested, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = child(key)
        nested.items = []
        return UnkeyedTreeEncoding(node: nested, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let encoder = TreeEncoder(path: codingPath + [key])
        node.fields!.append((key.stringValue, encoder.node))
        return encoder
    }
}

struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue!)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

struct UnkeyedTreeEncoding: UnkeyedEncodingContainer {
    let node: TreeNode
    let codingPath: [any CodingKey]
    var count: Int { node.items!.count }

    private func next() -> TreeNode {
        let child = TreeNode()
        node.items!.append(child)
        return child
    }

    mutating func encodeNil() throws { next().value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [IndexKey(count)]
        next().value = try scalar(value, path: path)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = codingPath + [IndexKey(count)]
        let nested = next()
        nested.fields = []
        return KeyedEncodingContainer(KeyedTreeEncoding<NestedKey>(node: nested, codingPath: path))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = codingPath + [IndexKey(count)]
        let nested = next()
        nested.items = []
        return UnkeyedTreeEncoding(node: nested, codingPath: path)
    }
    mutating func superEncoder() -> any Encoder {
        let encoder = TreeEncoder(path: codingPath + [IndexKey(count)])
        node.items!.append(encoder.node)
        return encoder
    }
}

struct SingleTreeEncoding: SingleValueEncodingContainer {
    let node: TreeNode
    let codingPath: [any CodingKey]
    mutating func encodeNil() throws { node.value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let encoded = try scalar(value, path: codingPath)
        node.value = encoded
    }
}

// MARK: - [SECTION] Decoder

private func pathText(_ path: [any CodingKey]) -> String {
    var text = ""
    for key in path {
        if let index = key.intValue, key is IndexKey { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
    }
    return text.isEmpty ? "the value" : text
}

struct TreeDecoder: Decoder {
    let value: ArchiveValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: ArchiveValue, path: [any CodingKey]) {
        self.value = value
        codingPath = path
    }

    init(value: ArchiveValue, path: [String]) {
        self.value = value
        codingPath = path.map { NameKey($0) }
    }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let packedType = T.self as? any PackedArray.Type {
            guard case .packed(let kind, let bytes) = value else {
                if case .array(let items) = value, items.isEmpty { return try packedType.init(packed: []) as! T }
                throw ArchiveError.mismatch(path: pathText(codingPath), expected: "a list of \(packedType.packedKind)", found: value.kindName)
            }
            guard kind == packedType.packedKind else {
                throw ArchiveError.mismatch(path: pathText(codingPath), expected: "a list of \(packedType.packedKind)", found: "a list of \(kind)")
            }
            return try packedType.init(packed: bytes) as! T
        }
        return try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let fields) = value else {
            throw ArchiveError.mismatch(path: pathText(codingPath), expected: "a record", found: value.kindName)
        }
        return KeyedDecodingContainer(KeyedTreeDecoding<Key>(fields: fields, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let items): return UnkeyedTreeDecoding(items: items, codingPath: codingPath)
        default: throw ArchiveError.mismatch(path: pathText(codingPath), expected: "a list", found: value.kindName)
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleTreeDecoding(value: value, codingPath: codingPath) }
}

struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// Decodes a scalar or a nested value found at `path`.
private func decodeScalar<T: Decodable>(_ type: T.Type, _ value: ArchiveValue, path: [any CodingKey]) throws -> T {
    func mismatch(_ expected: String) -> ArchiveError {
        .mismatch(path: pathText(path), expected: expected, found: value.kindName)
    }
    func integer<I: FixedWidthInteger>(_: I.Type) throws -> I {
        switch value {
        case .int(let v): if let x = I(exactly: v) { return x }
        case .uint(let v): if let x = I(exactly: v) { return x }
        default: throw mismatch("an integer")
        }
        throw ArchiveError.invalid("\(pathText(path)): \(value) is outside the range of \(I.self)")
    }
    switch T.self {
    case is Bool.Type:
        guard case .bool(let b) = value else { throw mismatch("a flag") }
        return b as! T
    case is String.Type:
        guard case .string(let s) = value else { throw mismatch("a string") }
        return s as! T
    case is Double.Type:
        guard case .double(let d) = value else { throw mismatch("a number") }
        return d as! T
    case is Float.Type:
        guard case .double(let d) = value else { throw mismatch("a number") }
        return Float(d) as! T
    case is Int.Type: return try integer(Int.self) as! T
    case is Int8.Type: return try integer(Int8.self) as! T
    case is Int16.Type: return try integer(Int16.self) as! T
    case is Int32.Type: return try integer(Int32.self) as! T
    case is Int64.Type: return try integer(Int64.self) as! T
    case is UInt.Type: return try integer(UInt.self) as! T
    case is UInt8.Type: return try integer(UInt8.self) as! T
    case is UInt16.Type: return try integer(UInt16.self) as! T
    case is UInt32.Type: return try integer(UInt32.self) as! T
    case is UInt64.Type: return try integer(UInt64.self) as! T
    default: return try TreeDecoder(value: value, path: path).decodeValue(T.self)
    }
}

struct KeyedTreeDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let fields: [ArchiveField]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { fields.compactMap { Key(stringValue: $0.key) } }
    func contains(_ key: Key) -> Bool { fields.contains { $0.key == key.stringValue } }

    private func field(_ key: Key) throws -> ArchiveValue {
        guard let found = fields.first(where: { $0.key == key.stringValue }) else {
            throw ArchiveError.missing(path: pathText(codingPath + [key]))
        }
        return found.value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let found = fields.first(where: { $0.key == key.stringValue }) else { return true }
        return found.value == .null
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeScalar(T.self, try field(key), path: codingPath + [key])
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try TreeDecoder(value: try field(key), path: codingPath + [key]).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(value: try field(key), path: codingPath + [key]).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder { try superDecoder(forKey: Key(stringValue: "super")!) }
    func superDecoder(forKey key: Key) throws -> any Decoder { TreeDecoder(value: try field(key), path: codingPath + [key]) }
}

struct UnkeyedTreeDecoding: UnkeyedDecodingContainer {
    let items: [ArchiveValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [ArchiveValue], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    private mutating func next() throws -> (ArchiveValue, [any CodingKey]) {
        guard !isAtEnd else { throw ArchiveError.missing(path: pathText(codingPath + [IndexKey(currentIndex)])) }
        defer { currentIndex += 1 }
        return (items[currentIndex], codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return true }
        if items[currentIndex] == .null { currentIndex += 1; return true }
        return false
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try decodeScalar(T.self, value, path: path)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next()
        return try TreeDecoder(value: value, path: path).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try TreeDecoder(value: value, path: path).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next()
        return TreeDecoder(value: value, path: path)
    }
}

struct SingleTreeDecoding: SingleValueDecodingContainer {
    let value: ArchiveValue
    let codingPath: [any CodingKey]
    func decodeNil() -> Bool { value == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeScalar(T.self, value, path: codingPath) }
}
