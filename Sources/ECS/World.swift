// World.swift — the container of entities, components, resources and events.
//
// [SECTION] Component registry
// [SECTION] Spawning and despawning
// [SECTION] Adding, removing and reading components
// [SECTION] Change ticks
// [SECTION] Resources
// [SECTION] Determinism hash
//
// A World is single-threaded and fully deterministic: nothing it does depends on hash seeds,
// addresses or time. Archetypes are kept in creation order and queries visit them in that order.

public final class World {
    @usableFromInline var entities = EntityTable()
    @usableFromInline var archetypes: [Archetype] = []
    @usableFromInline var componentInfos: [ComponentInfo] = []
    @usableFromInline var componentIDs = TypeTable<ComponentID>()
    @usableFromInline var archetypeByBundle: [ObjectIdentifier: Int] = [:]
    @usableFromInline var queryCache: [QueryKey: QueryMatch] = [:]
    @usableFromInline var resources = TypeTable<AnyObject>()
    var eventQueues: [ObjectIdentifier: AnyEventQueue] = [:]
    /// Event queues in registration order, so that swapping them is deterministic.
    var eventQueueOrder: [AnyEventQueue] = []

    /// The tick stamped on component writes; advanced by the schedule around every system.
    public internal(set) var changeTick: UInt32 = 1
    /// The change tick at which the running system last ran (0 outside systems): what
    /// `Query.changed` and `Query.added` compare against by default.
    public internal(set) var lastRunTick: UInt32 = 0
    /// Set by the schedule while a system runs.
    var activeAccess: ActiveAccess?
    /// Deferred structural changes; applied by `applyCommands()` and at every phase end.
    public let commands = Commands()

    public init() {
        _ = archetype(for: ComponentSet(), infos: [])
        commands.world = self
    }

    public var entityCount: Int { entities.liveCount }
    public var archetypeCount: Int { archetypes.count }

    // MARK: [SECTION] Component registry

    /// The ID of a component type, registering it on first use.
    @inlinable
    public func componentID<T: Component>(_ type: T.Type) -> ComponentID {
        if let id = componentIDs[ObjectIdentifier(type)] { return id }
        return register(type)
    }

    @usableFromInline
    func register<T: Component>(_ type: T.Type) -> ComponentID {
        precondition(!(type is AnyClass), "\(type) is a class; components must be structs")
        let id = ComponentID(raw: componentInfos.count)
        componentInfos.append(.make(type, id: id))
        componentIDs.set(id, for: ObjectIdentifier(type))
        return id
    }

    public func componentName(_ id: ComponentID) -> String { componentInfos[id.raw].name }

    @usableFromInline
    func archetype(for set: ComponentSet, infos: [ComponentInfo]) -> Archetype {
        if let existing = archetypes.first(where: { $0.components == set }) { return existing }
        let created = Archetype(index: archetypes.count, components: set, infos: infos)
        archetypes.append(created)
        return created
    }

    /// The archetype with `source`'s components plus (or minus) `id`, through cached edges.
    @usableFromInline
    func archetype(from source: Archetype, adding id: ComponentID) -> Archetype {
        if let target = source.addEdges[id] { return archetypes[target] }
        var set = source.components
        set.insert(id)
        let target = archetype(for: set, infos: set.members.map { componentInfos[$0.raw] })
        source.addEdges[id] = target.index
        target.removeEdges[id] = source.index
        return target
    }

    @usableFromInline
    func archetype(from source: Archetype, removing id: ComponentID) -> Archetype {
        if let target = source.removeEdges[id] { return archetypes[target] }
        var set = source.components
        set.remove(id)
        let target = archetype(for: set, infos: set.members.map { componentInfos[$0.raw] })
        source.removeEdges[id] = target.index
        target.addEdges[id] = source.index
        return target
    }

    // MARK: [SECTION] Spawning and despawning

    /// Spawns an entity with the given components (each type at most once).
    @inlinable
    @discardableResult
    public func spawn<each C: Component>(_ component: repeat each C) -> Entity {
        let entity = entities.allocate()
        place(entity, repeat each component)
        return entity
    }

    /// Spawns `count` entities of one shape; `make(i)` gives the components of the i-th.
    /// The archetype is found once and grown once, which makes this the fast path for bulk loads.
    @inlinable
    @discardableResult
    public func spawnBatch<each C: Component>(count: Int, _ make: (Int) -> (repeat each C)) -> [Entity] {
        let archetype = archetypeFor(repeat (each C).self)
        archetype.reserve(count)
        entities.reserveCapacity(count)
        var handles = [Entity]()
        handles.reserveCapacity(count)
        let tick = changeTick
        let columns = (repeat ColumnCursor<each C>(archetype.column(for: componentID((each C).self))!))
        for i in 0..<count {
            let entity = entities.allocate()
            let row = archetype.appendRow(entity)
            let values = make(i)
            repeat (each columns).initialize(row: row, with: each values, tick: tick)
            entities.records[Int(entity.index)].archetype = Int32(archetype.index)
            entities.records[Int(entity.index)].row = Int32(row)
            handles.append(entity)
        }
        entities.liveCount += count
        return handles
    }

    /// Stores the components of a freshly allocated or reserved entity.
    @inlinable
    func place<each C: Component>(_ entity: Entity, _ component: repeat each C) {
        let archetype = archetypeFor(repeat (each C).self)
        let row = archetype.appendRow(entity)
        let tick = changeTick
        repeat ColumnCursor<each C>(archetype.column(for: componentID((each C).self))!)
            .initialize(row: row, with: each component, tick: tick)
        entities.records[Int(entity.index)].archetype = Int32(archetype.index)
        entities.records[Int(entity.index)].row = Int32(row)
        entities.liveCount += 1
    }

    @inlinable
    func archetypeFor<each C: Component>(_ type: repeat (each C).Type) -> Archetype {
        // One lookup by the bundle's tuple type instead of one per component.
        let bundle = ObjectIdentifier((repeat each C).self)
        if let known = archetypeByBundle[bundle] { return archetypes[known] }
        var archetype = archetypes[0]
        for t in repeat each type {
            let id = componentID(t)
            precondition(!archetype.components.contains(id), "\(t) given twice to one entity")
            archetype = self.archetype(from: archetype, adding: id)
        }
        archetypeByBundle[bundle] = archetype.index
        return archetype
    }

    /// Reserves a handle now and spawns it later (used by command buffers during iteration).
    @usableFromInline func reserveEntity() -> Entity { entities.allocate() }

    /// Destroys an entity and its components. A stale or unknown handle is refused.
    @inlinable
    public func despawn(_ entity: Entity) throws(ECSError) {
        let record = try storedRecord(entity)
        let archetype = archetypes[Int(record.archetype)]
        let row = Int(record.row)
        if !archetype.allTrivial {
            for column in archetype.columns where !column.isTrivial {
                column.info.deinitialize(column.pointer(row: row), 1)
            }
        }
        if let moved = archetype.removeRowByMovingLast(row) {
            entities.records[Int(moved.index)].row = Int32(row)
        }
        entities.release(entity)
        entities.liveCount -= 1
    }

    public func isAlive(_ entity: Entity) -> Bool {
        if case .success(let record) = entities.validate(entity) { return record.archetype >= 0 }
        return false
    }

    /// The record of a spawned entity, or the reason the handle cannot be used.
    @inlinable
    func storedRecord(_ entity: Entity) throws(ECSError) -> EntityRecord {
        switch entities.validate(entity) {
        case .failure(let error): throw error
        case .success(let record):
            guard record.archetype >= 0 else { throw .pendingEntity(entity) }
            return record
        }
    }

    /// Every live entity, in index order.
    public var allEntities: [Entity] {
        entities.records.indices.compactMap { i in
            let r = entities.records[i]
            return r.archetype >= 0 ? Entity(index: UInt32(i), generation: r.generation) : nil
        }
    }

    /// Orders the rows of every archetype holding `T` by `key` (ties keep their order), as
    /// EnTT's `sort` orders a pool: queries then visit those entities in that order. Entities,
    /// values and change ticks are unchanged; only where they are stored. Entities on a grid,
    /// sorted by cell, make a walk over them read per-cell arrays in order, not at random. Not
    /// while a query iterates.
    public func sortRows<T: Component>(by type: T.Type, _ key: (T) -> Int) {
        let id = componentID(type)
        for archetype in archetypes {
            guard let column = archetype.column(for: id), archetype.count > 1 else { continue }
            let keys = (0..<archetype.count).map { key(column.pointer(row: $0).assumingMemoryBound(to: T.self).pointee) }
            let order = (0..<archetype.count).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
            guard order != Array(0..<archetype.count) else { continue }
            archetype.permute(order)
            for row in 0..<archetype.count { entities.records[Int(archetype.entities[row].index)].row = Int32(row) }
        }
    }

    // MARK: [SECTION] Adding, removing and reading components

    /// Adds `component` to the entity, moving it to a new archetype, or replaces the value it had.
    public func insert<T: Component>(_ component: T, into entity: Entity) throws(ECSError) {
        let record = try storedRecord(entity)
        let id = componentID(T.self)
        let source = archetypes[Int(record.archetype)]
        let row = Int(record.row)
        if let column = source.column(for: id) {
            column.pointer(row: row).assumingMemoryBound(to: T.self).pointee = component
            column.ticks[row].changed = changeTick
            column.lastChanged = changeTick
            return
        }
        let target = archetype(from: source, adding: id)
        let newRow = move(entity, row: row, from: source, to: target)
        ColumnCursor<T>(target.column(for: id)!).initialize(row: newRow, with: component, tick: changeTick)
    }

    /// Removes a component and returns its value, or nil if the entity did not have it.
    @discardableResult
    public func remove<T: Component>(_ type: T.Type, from entity: Entity) throws(ECSError) -> T? {
        let record = try storedRecord(entity)
        let id = componentID(T.self)
        let source = archetypes[Int(record.archetype)]
        guard let column = source.column(for: id) else { return nil }
        let row = Int(record.row)
        let value = column.pointer(row: row).assumingMemoryBound(to: T.self).move()
        let target = archetype(from: source, removing: id)
        _ = move(entity, row: row, from: source, to: target, skipping: id)
        return value
    }

    /// Moves an entity's row to another archetype; columns the target lacks are dropped
    /// (deinitialised) unless `skipping` says the caller already moved that value out.
    func move(_ entity: Entity, row: Int, from source: Archetype, to target: Archetype,
              skipping skipped: ComponentID? = nil) -> Int {
        let newRow = target.appendRow(entity)
        for column in source.columns {
            if let destination = target.column(for: column.info.id) {
                if column.isTrivial {
                    destination.pointer(row: newRow).copyMemory(from: column.pointer(row: row), byteCount: column.stride)
                } else {
                    column.info.moveInitialize(destination.pointer(row: newRow), column.pointer(row: row), 1)
                }
                destination.ticks[newRow] = column.ticks[row]
                destination.lastChanged = max(destination.lastChanged, column.ticks[row].changed)
            } else if column.info.id != skipped, !column.isTrivial {
                column.info.deinitialize(column.pointer(row: row), 1)
            }
        }
        if let moved = source.removeRowByMovingLast(row) {
            entities.records[Int(moved.index)].row = Int32(row)
        }
        entities.records[Int(entity.index)].archetype = Int32(target.index)
        entities.records[Int(entity.index)].row = Int32(newRow)
        return newRow
    }

    /// A copy of the entity's component, or nil if it has none of that type.
    public func get<T: Component>(_ type: T.Type, of entity: Entity) throws(ECSError) -> T? {
        let record = try storedRecord(entity)
        guard let column = archetypes[Int(record.archetype)].column(for: componentID(T.self)) else { return nil }
        return column.pointer(row: Int(record.row)).assumingMemoryBound(to: T.self).pointee
    }

    public func has<T: Component>(_ type: T.Type, _ entity: Entity) -> Bool {
        guard let record = try? storedRecord(entity) else { return false }
        return archetypes[Int(record.archetype)].components.contains(componentID(T.self))
    }

    /// Changes a component in place and marks it changed. Returns nil if the entity lacks it.
    @inlinable @discardableResult
    public func modify<T: Component, R>(_ type: T.Type, of entity: Entity,
                                        _ body: (inout T) -> R) throws(ECSError) -> R? {
        let record = try storedRecord(entity)
        guard let column = archetypes[Int(record.archetype)].column(for: componentID(T.self)) else { return nil }
        let row = Int(record.row)
        column.ticks[row].changed = changeTick
        column.lastChanged = changeTick
        return body(&column.pointer(row: row).assumingMemoryBound(to: T.self).pointee)
    }

    /// The latest change tick of any `T` written or added (0: none yet). Compared with a tick
    /// taken earlier, it says whether any `T` changed since, in a step per archetype; a despawn
    /// is not a change (count the entities for that).
    public func lastChangeTick<T: Component>(_ type: T.Type) -> UInt32 {
        guard let id = componentIDs[ObjectIdentifier(T.self)] else { return 0 }
        var latest: UInt32 = 0
        for archetype in archetypes { if let column = archetype.column(for: id) { latest = max(latest, column.lastChanged) } }
        return latest
    }

    /// The component types an entity has, by name, in ID order (for inspectors and tests).
    public func componentNames(of entity: Entity) throws(ECSError) -> [String] {
        let record = try storedRecord(entity)
        return archetypes[Int(record.archetype)].columns.map(\.info.name)
    }

    // MARK: [SECTION] Change ticks

    /// Starts a system run: returns the tick its writes are stamped with.
    func beginSystem(lastRun: UInt32) -> UInt32 {
        changeTick &+= 1
        lastRunTick = lastRun
        return changeTick
    }

    /// Ends a system run. The tick moves on so that writes made between systems are newer than
    /// the run that just ended.
    func endSystem() {
        changeTick &+= 1
        lastRunTick = 0
    }

    // MARK: [SECTION] Resources

    @usableFromInline
    final class ResourceBox<T> {
        @usableFromInline var value: T
        init(_ value: T) { self.value = value }
    }

    /// Stores a singleton, replacing any earlier value of the same type. Inside a system this
    /// counts as a write of that resource.
    public func insertResource<T>(_ value: T) {
        checkResourceAccess(T.self, write: true)
        resources.set(ResourceBox(value), for: ObjectIdentifier(T.self))
    }

    // The accessors below are inlinable so that each caller's resource type is known where it
    // runs: unspecialised, every access looked up `ResourceBox<T>`'s metadata at run time and
    // cast to it dynamically (about a tenth of a forecast's instructions).

    /// A copy of a resource; inside a system, the system must declare it read or written.
    @inlinable
    public func resource<T>(_ type: T.Type) -> T? {
        checkResourceAccess(T.self, write: false)
        guard let box = resources[ObjectIdentifier(T.self)] else { return nil }
        // Stored under T's identifier by `insertResource`, so it is a ResourceBox<T>.
        return unsafeDowncast(box, to: ResourceBox<T>.self).value
    }

    /// Changes a resource in place; traps if it was never inserted, which is a programming error.
    @inlinable @discardableResult
    public func withResource<T, R>(_ type: T.Type, _ body: (inout T) throws -> R) rethrows -> R {
        try body(&box(T.self).value)
    }

    /// Changes two resources in place at once (in place of taking one out and putting it back,
    /// which loses it when the second is missing).
    @inlinable @discardableResult
    public func resourceScope<A, B, R>(_ a: A.Type, _ b: B.Type, _ body: (inout A, inout B) throws -> R) rethrows -> R {
        precondition(A.self != B.self, "resourceScope needs two different resource types")
        let boxA = box(A.self), boxB = box(B.self)
        return try body(&boxA.value, &boxB.value)
    }

    /// Changes three resources in place at once.
    @inlinable @discardableResult
    public func resourceScope<A, B, C, R>(_ a: A.Type, _ b: B.Type, _ c: C.Type,
                                          _ body: (inout A, inout B, inout C) throws -> R) rethrows -> R {
        precondition(A.self != B.self && B.self != C.self && A.self != C.self, "resourceScope needs three different resource types")
        let boxA = box(A.self), boxB = box(B.self), boxC = box(C.self)
        return try body(&boxA.value, &boxB.value, &boxC.value)
    }

    @inlinable
    func box<T>(_ type: T.Type) -> ResourceBox<T> {
        checkResourceAccess(T.self, write: true)
        guard let box = resources[ObjectIdentifier(T.self)] else {
            preconditionFailure("resource \(T.self) was never inserted")
        }
        return unsafeDowncast(box, to: ResourceBox<T>.self)
    }

    @discardableResult
    public func removeResource<T>(_ type: T.Type) -> T? {
        checkResourceAccess(T.self, write: true)
        return resources.remove(ObjectIdentifier(T.self)).map { unsafeDowncast($0, to: ResourceBox<T>.self).value }
    }

    // MARK: [SECTION] Determinism hash

    /// A process-independent hash of every live entity and its component data, visited in
    /// entity-index order and component-ID order. Equal worlds give equal hashes.
    public func contentHash() -> UInt64 {
        var hasher = StableHasher()
        for (index, record) in entities.records.enumerated() where record.archetype >= 0 {
            hasher.combine(UInt32(index))
            hasher.combine(record.generation)
            let archetype = archetypes[Int(record.archetype)]
            for column in archetype.columns {
                hasher.combine(column.info.name)
                column.info.hash(UnsafeRawPointer(column.pointer(row: Int(record.row))), &hasher)
            }
        }
        return hasher.value
    }
}

/// A typed view of one column while spawning; keeps the value writes specialised.
@usableFromInline
struct ColumnCursor<T> {
    @usableFromInline let column: Column
    @inlinable init(_ column: Column) { self.column = column }

    @inlinable
    func initialize(row: Int, with value: T, tick: UInt32) {
        (column.data.assumingMemoryBound(to: T.self) + row).initialize(to: value)
        column.ticks[row] = ComponentTicks(added: tick, changed: tick)
        column.lastChanged = tick
    }
}
