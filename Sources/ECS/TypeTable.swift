// TypeTable.swift — a map from a type to a value, for the lookups systems make every tick.
//
// A world finds a resource's box, and a query its components' IDs, by type, dozens of times a
// tick. A Dictionary keyed by `ObjectIdentifier` hashes the key with SipHash on every lookup; a
// type's identifier is the address of its metadata, so one multiplication spreads it well
// enough for open addressing with linear probing.

@usableFromInline
struct TypeTable<Value> {
    /// Metadata addresses; 0 marks an empty slot (no type lives at address 0).
    @usableFromInline var keys: [UInt]
    @usableFromInline var values: [Value?]
    /// 64 − log2(capacity): the top bits of the product pick the first slot.
    @usableFromInline var shift: UInt
    @usableFromInline private(set) var count = 0

    @usableFromInline
    init() {
        keys = Array(repeating: 0, count: 64)
        values = Array(repeating: nil, count: 64)
        shift = 58
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inlinable
    func slot(of key: UInt) -> Int {
        let mask = keys.count - 1
        var index = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while keys[index] != key && keys[index] != 0 { index = (index + 1) & mask }
        return index
    }

    @inlinable
    subscript(type: ObjectIdentifier) -> Value? {
        let key = UInt(bitPattern: type)
        let index = slot(of: key)
        return keys[index] == key ? values[index] : nil
    }

    @usableFromInline
    mutating func set(_ value: Value, for type: ObjectIdentifier) {
        insert(value, key: UInt(bitPattern: type))
    }

    private mutating func insert(_ value: Value, key: UInt) {
        let index = slot(of: key)
        if keys[index] == key {
            values[index] = value
            return
        }
        keys[index] = key
        values[index] = value
        count += 1
        // At most half full, so that probes stay short.
        if count * 2 > keys.count { rehash(capacity: keys.count * 2) }
    }

    /// Removes a type's value. Rare (a resource taken out), so the table is simply rebuilt.
    @usableFromInline
    mutating func remove(_ type: ObjectIdentifier) -> Value? {
        let key = UInt(bitPattern: type)
        let index = slot(of: key)
        guard keys[index] == key, let removed = values[index] else { return nil }
        keys[index] = 0
        values[index] = nil
        rehash(capacity: keys.count)
        return removed
    }

    private mutating func rehash(capacity: Int) {
        let entries = zip(keys, values).filter { $0.0 != 0 }
        keys = Array(repeating: 0, count: capacity)
        values = Array(repeating: nil, count: capacity)
        shift = UInt(64 - capacity.trailingZeroBitCount)
        count = 0
        for (key, value) in entries {
            if let value { insert(value, key: key) }
        }
    }
}
