// Component.swift — what a component is, and the type information the storage needs.
//
// Components are plain structs. Each type gets a dense `ComponentID` the first time a world sees
// it; the world keeps its size, alignment and the few type-erased operations (move, destroy,
// hash) that archetype moves need. Those run per entity move, never inside a query loop, where
// every access is through a concrete, specialised type.

/// A plain value stored on entities. Conform structs only: class components are refused when
/// first registered, because references would break contiguous storage and determinism.
public protocol Component {}

/// Dense per-world number of a component type; also its bit in a `ComponentSet`.
@frozen
public struct ComponentID: Hashable, Comparable, Sendable {
    public let raw: Int
    @inlinable init(raw: Int) { self.raw = raw }
    public static func < (a: ComponentID, b: ComponentID) -> Bool { a.raw < b.raw }
}

/// Everything the world knows about one component type.
@usableFromInline
struct ComponentInfo {
    @usableFromInline let id: ComponentID
    @usableFromInline let name: String
    @usableFromInline let stride: Int
    @usableFromInline let alignment: Int
    /// Trivial types are moved with memcpy and need no destruction.
    @usableFromInline let isTrivial: Bool
    /// Moves `count` values from `source` to uninitialised `destination`.
    @usableFromInline let moveInitialize: (UnsafeMutableRawPointer, UnsafeMutableRawPointer, Int) -> Void
    @usableFromInline let deinitialize: (UnsafeMutableRawPointer, Int) -> Void
    /// Feeds one value into a stable (process-independent, padding-blind) hash.
    @usableFromInline let hash: (UnsafeRawPointer, inout StableHasher) -> Void

    @usableFromInline
    static func make<T>(_ type: T.Type, id: ComponentID) -> ComponentInfo {
        let trivial = _isPOD(T.self)
        return ComponentInfo(
            id: id,
            name: String(reflecting: T.self),
            stride: max(1, MemoryLayout<T>.stride),
            alignment: MemoryLayout<T>.alignment,
            isTrivial: trivial,
            moveInitialize: { destination, source, count in
                destination.assumingMemoryBound(to: T.self)
                    .moveInitialize(from: source.assumingMemoryBound(to: T.self), count: count)
            },
            deinitialize: { pointer, count in
                pointer.assumingMemoryBound(to: T.self).deinitialize(count: count)
            },
            hash: { pointer, hasher in
                // Through the value's reflection (its fields, printed exactly), not its bytes: a
                // struct's padding bytes are undefined, and Swift's own Hasher is seeded per process.
                hasher.combine(String(reflecting: pointer.assumingMemoryBound(to: T.self).pointee))
            })
    }
}

/// A set of component IDs as a bit set; supports up to `ComponentSet.capacity` component types
/// per world, which keeps archetype matching to a few word operations.
@frozen
public struct ComponentSet: Hashable, Sendable {
    public static let capacity = 256
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    @inlinable public init() {}

    @inlinable
    public init<S: Sequence>(_ ids: S) where S.Element == ComponentID {
        for id in ids { insert(id) }
    }

    @inlinable
    public mutating func insert(_ id: ComponentID) {
        precondition(id.raw < ComponentSet.capacity, "more than \(ComponentSet.capacity) component types")
        let bit = UInt64(1) << UInt64(id.raw & 63)
        switch id.raw >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    @inlinable
    public mutating func remove(_ id: ComponentID) {
        let mask = ~(UInt64(1) << UInt64(id.raw & 63))
        switch id.raw >> 6 {
        case 0: words.0 &= mask
        case 1: words.1 &= mask
        case 2: words.2 &= mask
        default: words.3 &= mask
        }
    }

    @inlinable
    public func contains(_ id: ComponentID) -> Bool {
        let bit = UInt64(1) << UInt64(id.raw & 63)
        switch id.raw >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    @inlinable
    public func isSuperset(of other: ComponentSet) -> Bool {
        words.0 & other.words.0 == other.words.0 && words.1 & other.words.1 == other.words.1
            && words.2 & other.words.2 == other.words.2 && words.3 & other.words.3 == other.words.3
    }

    @inlinable
    public func isDisjoint(with other: ComponentSet) -> Bool {
        words.0 & other.words.0 == 0 && words.1 & other.words.1 == 0
            && words.2 & other.words.2 == 0 && words.3 & other.words.3 == 0
    }

    @inlinable
    public func union(_ other: ComponentSet) -> ComponentSet {
        var result = self
        result.words = (words.0 | other.words.0, words.1 | other.words.1,
                        words.2 | other.words.2, words.3 | other.words.3)
        return result
    }

    public var isEmpty: Bool { self == ComponentSet() }

    /// Members in ascending ID order.
    public var members: [ComponentID] {
        (0..<ComponentSet.capacity).lazy.map(ComponentID.init(raw:)).filter(contains)
    }

    public static func == (a: ComponentSet, b: ComponentSet) -> Bool {
        a.words == b.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0); hasher.combine(words.1); hasher.combine(words.2); hasher.combine(words.3)
    }
}

/// FNV-1a, 64-bit: a hash that is the same in every process, for determinism checks.
public struct StableHasher {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
    }

    public mutating func combine<T: FixedWidthInteger>(_ integer: T) {
        withUnsafeBytes(of: integer.littleEndian) { combine(bytes: $0) }
    }

    public mutating func combine(_ string: String) {
        var copy = string
        copy.withUTF8 { combine(bytes: UnsafeRawBufferPointer($0)) }
        combine(UInt8(0xff))
    }
}
