// Entity.swift — entity handles and the table that allocates them.
//
// An entity is an (index, generation) pair. Despawning bumps the generation of its index, so an
// old handle to a recycled index no longer matches and is reported as stale instead of silently
// reaching the new entity. Freed indices are reused last-in first-out, which is deterministic.

/// A handle to an entity. Cheap to copy and compare; valid only while its generation matches.
@frozen
public struct Entity: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: UInt32
    public let generation: UInt32

    @inlinable
    public init(index: UInt32, generation: UInt32) {
        self.index = index
        self.generation = generation
    }

    public static func < (a: Entity, b: Entity) -> Bool {
        (a.index, a.generation) < (b.index, b.generation)
    }

    public var description: String { "Entity(\(index)v\(generation))" }
}

/// Why an operation on an entity was refused.
public enum ECSError: Error, Equatable, CustomStringConvertible {
    /// The handle's entity was despawned (its index may since have been reused).
    case staleEntity(Entity)
    /// The handle names an index this world never issued.
    case unknownEntity(Entity)
    /// The entity was reserved by a command buffer and is not spawned until the buffer is applied.
    case pendingEntity(Entity)

    public var description: String {
        switch self {
        case .staleEntity(let e): return "\(e) was despawned; its handle is stale"
        case .unknownEntity(let e): return "\(e) was never spawned in this world"
        case .pendingEntity(let e): return "\(e) is reserved by a command buffer and not spawned yet"
        }
    }
}

/// Where an entity's components live: its archetype and its row there.
@usableFromInline
struct EntityRecord {
    @usableFromInline var generation: UInt32
    /// Index into `World.archetypes`; `EntityRecord.free` or `EntityRecord.reserved` otherwise.
    @usableFromInline var archetype: Int32
    @usableFromInline var row: Int32

    @inlinable init(generation: UInt32, archetype: Int32, row: Int32) {
        self.generation = generation
        self.archetype = archetype
        self.row = row
    }

    @usableFromInline static let free: Int32 = -1
    @usableFromInline static let reserved: Int32 = -2
}

/// Hands out entity indices and tracks where each live entity is stored.
@usableFromInline
struct EntityTable {
    @usableFromInline var records: [EntityRecord] = []
    @usableFromInline var freeIndices: [UInt32] = []
    @usableFromInline var liveCount = 0

    @inlinable init() {}

    @inlinable
    mutating func allocate() -> Entity {
        if let index = freeIndices.popLast() {
            records[Int(index)].archetype = EntityRecord.reserved
            return Entity(index: index, generation: records[Int(index)].generation)
        }
        let index = UInt32(records.count)
        records.append(EntityRecord(generation: 0, archetype: EntityRecord.reserved, row: -1))
        return Entity(index: index, generation: 0)
    }

    @inlinable
    mutating func reserveCapacity(_ extra: Int) {
        records.reserveCapacity(records.count + max(0, extra - freeIndices.count))
    }

    /// Frees the index and bumps its generation. An index whose generation would wrap around is
    /// retired for good, so that no handle can ever match twice.
    @inlinable
    mutating func release(_ entity: Entity) {
        let i = Int(entity.index)
        records[i].archetype = EntityRecord.free
        records[i].row = -1
        if records[i].generation == UInt32.max { return }
        records[i].generation &+= 1
        freeIndices.append(entity.index)
    }

    /// The record of a live (spawned or reserved) entity, or why the handle is not usable.
    @inlinable
    func validate(_ entity: Entity) -> Result<EntityRecord, ECSError> {
        let i = Int(entity.index)
        guard i < records.count else { return .failure(.unknownEntity(entity)) }
        let record = records[i]
        guard record.generation == entity.generation, record.archetype != EntityRecord.free else {
            return .failure(.staleEntity(entity))
        }
        return .success(record)
    }
}

/// An entity archives as one number (generation in the high half), so lists of them pack.
extension Entity: Codable {
    public var packed: UInt64 { UInt64(generation) << 32 | UInt64(index) }
    public init(packed: UInt64) { self.init(index: UInt32(truncatingIfNeeded: packed), generation: UInt32(packed >> 32)) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(packed)
    }

    public init(from decoder: any Decoder) throws {
        self.init(packed: try decoder.singleValueContainer().decode(UInt64.self))
    }
}
