// Binary.swift — a small, bounds-checked binary encoding for snapshots and save files.
//
// Everything is little-endian and fixed-width, whatever the machine: integers as their own
// width, `Int` as 64 bits, `Double` and `Float` as their IEEE bit patterns (so a value reads back
// bit for bit, NaN payloads and negative zero included), `Bool` as one byte 0 or 1. Byte runs
// and strings carry a length prefix.
//
// Reading never traps on bad input: a read past the end throws `SnapshotError.truncated`, and a
// length prefix is checked against the bytes that are actually left (and a hard upper limit)
// before anything is allocated, so a corrupt length cannot ask for gigabytes.

/// Appends values to a byte buffer.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// An `Int` as a signed 64-bit integer.
    public mutating func write(int value: Int) { write(Int64(value)) }

    public mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }

    public mutating func write(_ value: Double) { write(value.bitPattern) }

    public mutating func write(_ value: Float) { write(value.bitPattern) }

    /// A count (of elements or bytes) as an unsigned 64-bit integer.
    public mutating func write(count: Int) {
        precondition(count >= 0, "a count cannot be negative")
        write(UInt64(count))
    }

    /// Length-prefixed raw bytes.
    public mutating func write<C: Collection>(bytes run: C) where C.Element == UInt8 {
        write(count: run.count)
        bytes.append(contentsOf: run)
    }

    /// Length-prefixed raw bytes from memory.
    public mutating func write(rawBytes run: UnsafeRawBufferPointer) {
        write(count: run.count)
        bytes.append(contentsOf: run)
    }

    /// Raw bytes with no prefix (magic numbers, checksums).
    public mutating func append<C: Collection>(raw run: C) where C.Element == UInt8 {
        bytes.append(contentsOf: run)
    }

    /// A length-prefixed UTF-8 string.
    public mutating func write(_ string: String) {
        var copy = string
        copy.withUTF8 { write(rawBytes: UnsafeRawBufferPointer($0)) }
    }

    /// A presence flag, then the value if present.
    public mutating func write<T>(optional value: T?, _ body: (inout BinaryWriter, T) -> Void) {
        write(value != nil)
        if let value { body(&self, value) }
    }

    /// A count, then each element.
    public mutating func write<S: Collection>(array elements: S, _ body: (inout BinaryWriter, S.Element) -> Void) {
        write(count: elements.count)
        for element in elements { body(&self, element) }
    }
}

/// Reads values written by `BinaryWriter`, checking every read against the end of the input.
public struct BinaryReader: Sendable {
    /// The longest byte run or string a reader accepts, whatever the input's size.
    public static let maximumRunLength = 1 << 30

    public let bytes: [UInt8]
    public private(set) var offset: Int
    /// Reads stop here (exclusive); bytes after it (e.g. a trailing checksum) are not readable.
    public let end: Int

    public init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        let stop = min(max(0, end ?? bytes.count), bytes.count)
        self.end = stop
        offset = min(max(0, start), stop)
    }

    public var remaining: Int { end - offset }
    public var isAtEnd: Bool { offset == end }

    public mutating func read<T: FixedWidthInteger>(_ type: T.Type) throws(SnapshotError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated }
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        offset += size
        return T(littleEndian: value)
    }

    public mutating func readInt() throws(SnapshotError) -> Int {
        Int(try read(Int64.self))
    }

    public mutating func readBool() throws(SnapshotError) -> Bool {
        switch try read(UInt8.self) {
        case 0: return false
        case 1: return true
        case let other: throw .invalid("a flag byte is \(other), not 0 or 1 (at byte \(offset - 1))")
        }
    }

    public mutating func readDouble() throws(SnapshotError) -> Double {
        Double(bitPattern: try read(UInt64.self))
    }

    public mutating func readFloat() throws(SnapshotError) -> Float {
        Float(bitPattern: try read(UInt32.self))
    }

    /// A count of elements that each take at least `minimumElementSize` bytes in the input: it
    /// must fit in what is left (and under `limit`), or the input is corrupt.
    public mutating func readCount(minimumElementSize: Int = 1, limit: Int = Int(Int32.max)) throws(SnapshotError) -> Int {
        let start = offset
        let raw = try read(UInt64.self)
        guard raw <= UInt64(limit) else {
            throw .invalid("a count of \(raw) at byte \(start) is over the limit of \(limit)")
        }
        let count = Int(raw)
        let (needed, overflow) = count.multipliedReportingOverflow(by: max(0, minimumElementSize))
        // More elements than the bytes left could hold: the data was cut short (or the count is
        // damaged); either way nothing is allocated for it.
        guard !overflow, needed <= remaining else { throw .truncated }
        return count
    }

    /// `count` raw bytes with no prefix.
    public mutating func readRaw(count: Int) throws(SnapshotError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw .truncated }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// Length-prefixed raw bytes.
    public mutating func readBytes(limit: Int = BinaryReader.maximumRunLength) throws(SnapshotError) -> [UInt8] {
        let count = try readCount(minimumElementSize: 1, limit: limit)
        return Array(try readRaw(count: count))
    }

    /// A length-prefixed UTF-8 string; invalid UTF-8 is an error, not repaired.
    public mutating func readString(limit: Int = 1 << 24) throws(SnapshotError) -> String {
        let start = offset
        let run = try readRaw(count: try readCount(minimumElementSize: 1, limit: limit))
        guard let string = String(validating: run, as: UTF8.self) else {
            throw .invalid("the text at byte \(start) is not valid UTF-8")
        }
        return string
    }

    /// A presence flag, then the value if present.
    public mutating func readOptional<T>(_ body: (inout BinaryReader) throws(SnapshotError) -> T) throws(SnapshotError) -> T? {
        try readBool() ? try body(&self) : nil
    }

    /// A count, then each element; `minimumElementSize` bounds the count by the bytes left.
    public mutating func readArray<T>(minimumElementSize: Int = 1, limit: Int = Int(Int32.max),
                                      _ body: (inout BinaryReader) throws(SnapshotError) -> T) throws(SnapshotError) -> [T] {
        let count = try readCount(minimumElementSize: minimumElementSize, limit: limit)
        var result: [T] = []
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(try body(&self)) }
        return result
    }

    /// A one-byte raw value that must name a case of `T`.
    public mutating func readEnum<T: RawRepresentable>(_ type: T.Type) throws(SnapshotError) -> T where T.RawValue == UInt8 {
        let raw = try read(UInt8.self)
        guard let value = T(rawValue: raw) else { throw .invalid("\(raw) is not a valid \(T.self) (at byte \(offset - 1))") }
        return value
    }

    /// A string raw value that must name a case of `T`.
    public mutating func readEnum<T: RawRepresentable>(_ type: T.Type) throws(SnapshotError) -> T where T.RawValue == String {
        let raw = try readString(limit: 1 << 10)
        guard let value = T(rawValue: raw) else { throw .invalid("'\(raw)' is not a valid \(T.self)") }
        return value
    }
}

/// Why a snapshot could not be taken, read or restored.
public enum SnapshotError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before a value it announced.
    case truncated
    /// A value that cannot be right: a length too large, a bad flag, an unknown case.
    case invalid(String)
    /// A component type that is not plain data (it holds references), so its bytes mean nothing
    /// outside this process.
    case nonTrivialComponent(String)
    /// The snapshot names a component type the caller did not list.
    case unknownComponent(String)
    /// A component type whose size differs from the one the snapshot was taken with.
    case strideMismatch(component: String, saved: Int, current: Int)
    /// Entity table, archetypes and columns that do not agree with each other.
    case inconsistent(String)
    /// Deferred commands are waiting: a snapshot is taken only between ticks, with none pending.
    case pendingCommands(Int)
    /// A system has not yet read events it reads (see `Schedule.unreadEvents`); a snapshot does not hold events.
    case unreadEvents(String)
    /// A snapshot cannot be taken while a system runs.
    case insideSystem(String)

    public var description: String {
        switch self {
        case .truncated: return "the data ends too early (truncated)"
        case .invalid(let detail): return detail
        case .nonTrivialComponent(let name):
            return "component \(name) is not plain data (it holds references or strings) and cannot be saved"
        case .unknownComponent(let name): return "unknown component type \(name)"
        case .strideMismatch(let name, let saved, let current):
            return "component \(name) was saved with \(saved) bytes per value but is \(current) bytes now"
        case .inconsistent(let detail): return "inconsistent entity data: \(detail)"
        case .pendingCommands(let count): return "\(count) deferred command(s) are waiting; apply them before taking a snapshot"
        case .unreadEvents(let what): return "\(what); a snapshot does not hold events, so save between ticks"
        case .insideSystem(let name): return "a snapshot cannot be taken while system '\(name)' runs"
        }
    }
}
