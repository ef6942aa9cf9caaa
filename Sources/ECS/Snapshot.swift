// Snapshot.swift — the whole entity state of a world as plain data, and a world rebuilt from it.
//
// A snapshot holds what decides every future query and spawn: the component registry (type
// names and strides, in component-ID order), the entity table (each index's generation,
// archetype and row; the free list in order; the live count), every archetype in creation order
// with its entity column, each component column's raw bytes and change ticks, and the world's
// change tick. A world restored from it iterates its queries in exactly the same order, hashes
// to the same `contentHash()`, and hands out the same entity handles on its next spawns.
//
// Not in a snapshot: resources (the caller saves its own), events and the command buffer (a
// snapshot is taken between ticks, with no commands pending and no events waiting), and the
// lazily built caches (archetype edges, query matches), which rebuild to the same contents.
//
// Only plain-data (POD) components can be snapshotted: their bytes are their value. A component
// holding a reference or a String is refused by name.
//
// Padding: a struct's bytes between and after its fields are not part of its value, and Swift
// leaves them as whatever was in memory, which differs between runs and between release and
// debug builds. For the types a caller lists, a snapshot writes those bytes as zeros (the
// fields' layout is read from the runtime's reflection metadata, see `ComponentLayout`), so that
// equal worlds give equal snapshots, byte for byte.
@_spi(Reflection) import Swift

/// The entity state of a `World` as plain values; see `World.snapshot()`.
public struct WorldSnapshot: Sendable, Equatable {
    /// One registered component type.
    public struct ComponentType: Sendable, Equatable {
        /// `String(reflecting:)` of the type, e.g. `CitySim.Building`.
        public var name: String
        /// Bytes per value in a column.
        public var stride: Int
        /// Where each scalar field lies (empty in snapshots written before layouts were kept:
        /// such a column is taken to have today's layout if its stride matches).
        public var fields: [ComponentLayout.Field]
        public init(name: String, stride: Int, fields: [ComponentLayout.Field] = []) {
            self.name = name
            self.stride = stride
            self.fields = fields
        }
    }

    /// One entry of the entity table.
    public struct EntitySlot: Sendable, Equatable {
        public var generation: UInt32
        /// Archetype index, or -1 for a free (despawned) index.
        public var archetype: Int32
        public var row: Int32
        public init(generation: UInt32, archetype: Int32, row: Int32) {
            self.generation = generation
            self.archetype = archetype
            self.row = row
        }
    }

    /// One component column of an archetype.
    public struct Column: Sendable, Equatable {
        /// Index into `componentTypes` (the component's ID in the saved world).
        public var component: Int
        /// `rows × stride` bytes.
        public var bytes: [UInt8]
        public var ticks: [ComponentTicks]
        public init(component: Int, bytes: [UInt8], ticks: [ComponentTicks]) {
            self.component = component
            self.bytes = bytes
            self.ticks = ticks
        }
    }

    /// One archetype, in the world's creation order.
    public struct ArchetypeData: Sendable, Equatable {
        /// Component IDs, ascending (the same order as `columns`).
        public var components: [Int]
        /// The entity of each row.
        public var entities: [Entity]
        public var columns: [Column]
        public var rowCount: Int { entities.count }
        public init(components: [Int], entities: [Entity], columns: [Column]) {
            self.components = components
            self.entities = entities
            self.columns = columns
        }
    }

    public var changeTick: UInt32
    /// The component registry in ID order.
    public var componentTypes: [ComponentType]
    /// The entity table, by entity index.
    public var entities: [EntitySlot]
    /// Freed indices, in the order they will be reused from the end (last in, first out).
    public var freeIndices: [UInt32]
    public var liveCount: Int
    public var archetypes: [ArchetypeData]

    public init(changeTick: UInt32, componentTypes: [ComponentType], entities: [EntitySlot], freeIndices: [UInt32],
                liveCount: Int, archetypes: [ArchetypeData]) {
        self.changeTick = changeTick
        self.componentTypes = componentTypes
        self.entities = entities
        self.freeIndices = freeIndices
        self.liveCount = liveCount
        self.archetypes = archetypes
    }

    /// The component type names of an archetype, in column order.
    public func componentNames(ofArchetype index: Int) -> [String] {
        archetypes[index].components.map { componentTypes[$0].name }
    }

    // MARK: Encoding

    /// Upper limits that keep a corrupt snapshot from asking for absurd amounts of memory.
    public static let maximumEntities = 1 << 28
    public static let maximumArchetypes = 1 << 16
    public static let maximumNameLength = 4096

    public func encode(into writer: inout BinaryWriter) {
        writer.write(changeTick)
        writer.write(array: componentTypes) { w, type in
            w.write(type.name)
            w.write(count: type.stride)
            w.write(array: type.fields) { w, field in
                w.write(field.path)
                w.write(field.typeName)
                w.write(count: field.offset)
                w.write(count: field.size)
            }
        }
        writer.write(array: entities) { w, slot in
            w.write(slot.generation)
            w.write(slot.archetype)
            w.write(slot.row)
        }
        writer.write(array: freeIndices) { w, index in w.write(index) }
        writer.write(count: liveCount)
        writer.write(array: archetypes) { w, archetype in
            w.write(array: archetype.components) { w, id in w.write(UInt32(id)) }
            w.write(array: archetype.entities) { w, entity in
                w.write(entity.index)
                w.write(entity.generation)
            }
            w.write(array: archetype.columns) { w, column in
                w.write(UInt32(column.component))
                w.write(bytes: column.bytes)
                w.write(array: column.ticks) { w, ticks in
                    w.write(ticks.added)
                    w.write(ticks.changed)
                }
            }
        }
    }

    /// Reads a snapshot written by `encode(into:)`. Only the encoding is checked here; whether
    /// the parts agree with each other is checked by `World(restoring:types:)`. `withLayouts`
    /// false reads the older encoding, which kept no field layouts.
    public init(from reader: inout BinaryReader, withLayouts: Bool = true) throws(SnapshotError) {
        changeTick = try reader.read(UInt32.self)
        componentTypes = try reader.readArray(minimumElementSize: 16, limit: ComponentSet.capacity) { r throws(SnapshotError) in
            let name = try r.readString(limit: WorldSnapshot.maximumNameLength)
            let stride = try r.readCount(minimumElementSize: 0, limit: 1 << 20)
            guard withLayouts else { return ComponentType(name: name, stride: stride) }
            let fields = try r.readArray(minimumElementSize: 32, limit: 4096) { r throws(SnapshotError) in
                ComponentLayout.Field(path: try r.readString(limit: WorldSnapshot.maximumNameLength),
                                      typeName: try r.readString(limit: WorldSnapshot.maximumNameLength),
                                      offset: try r.readCount(minimumElementSize: 0, limit: 1 << 20),
                                      size: try r.readCount(minimumElementSize: 0, limit: 1 << 20))
            }
            return ComponentType(name: name, stride: stride, fields: fields)
        }
        entities = try reader.readArray(minimumElementSize: 12, limit: WorldSnapshot.maximumEntities) { r throws(SnapshotError) in
            EntitySlot(generation: try r.read(UInt32.self), archetype: try r.read(Int32.self), row: try r.read(Int32.self))
        }
        freeIndices = try reader.readArray(minimumElementSize: 4, limit: WorldSnapshot.maximumEntities) { r throws(SnapshotError) in
            try r.read(UInt32.self)
        }
        liveCount = try reader.readCount(minimumElementSize: 0, limit: WorldSnapshot.maximumEntities)
        archetypes = try reader.readArray(minimumElementSize: 24, limit: WorldSnapshot.maximumArchetypes) { r throws(SnapshotError) in
            let components = try r.readArray(minimumElementSize: 4, limit: ComponentSet.capacity) { r throws(SnapshotError) in
                Int(try r.read(UInt32.self))
            }
            let entities = try r.readArray(minimumElementSize: 8, limit: WorldSnapshot.maximumEntities) { r throws(SnapshotError) in
                Entity(index: try r.read(UInt32.self), generation: try r.read(UInt32.self))
            }
            let columns = try r.readArray(minimumElementSize: 20, limit: ComponentSet.capacity) { r throws(SnapshotError) in
                let component = Int(try r.read(UInt32.self))
                let bytes = try r.readBytes()
                let ticks = try r.readArray(minimumElementSize: 8, limit: WorldSnapshot.maximumEntities) { r throws(SnapshotError) in
                    ComponentTicks(added: try r.read(UInt32.self), changed: try r.read(UInt32.self))
                }
                return Column(component: component, bytes: bytes, ticks: ticks)
            }
            return ArchetypeData(components: components, entities: entities, columns: columns)
        }
    }

    /// The snapshot's encoding on its own.
    public func encoded() -> [UInt8] {
        var writer = BinaryWriter()
        encode(into: &writer)
        return writer.bytes
    }

    /// Decodes `bytes`, which must hold exactly one snapshot.
    public init(decoding bytes: [UInt8]) throws(SnapshotError) {
        var reader = BinaryReader(bytes)
        try self.init(from: &reader)
        guard reader.isAtEnd else { throw .invalid("\(reader.remaining) unexpected bytes after the snapshot") }
    }

    // MARK: Consistency

    /// Checks that the entity table, the archetypes and the columns describe one valid world:
    /// every live entity is in exactly the row that names it, the free list holds exactly the
    /// reusable free indices once each, and every column has one value and one tick pair per row.
    public func checkConsistency() throws(SnapshotError) {
        let typeCount = componentTypes.count
        guard typeCount <= ComponentSet.capacity else {
            throw .inconsistent("\(typeCount) component types; at most \(ComponentSet.capacity) are supported")
        }
        var names = Set<String>()
        for type in componentTypes {
            guard names.insert(type.name).inserted else { throw .inconsistent("component \(type.name) is registered twice") }
            guard type.stride >= 1 else { throw .inconsistent("component \(type.name) has stride \(type.stride)") }
        }
        guard let first = archetypes.first, first.components.isEmpty else {
            throw .inconsistent("the first archetype must be the one with no components")
        }
        guard entities.count <= Int(UInt32.max) else { throw .inconsistent("too many entities") }
        var sets = Set<[Int]>()
        for (a, archetype) in archetypes.enumerated() {
            guard sets.insert(archetype.components).inserted else {
                throw .inconsistent("archetype \(a) repeats the components of an earlier archetype")
            }
            for (k, id) in archetype.components.enumerated() {
                guard id >= 0, id < typeCount else { throw .inconsistent("archetype \(a) names component #\(id) of \(typeCount)") }
                guard k == 0 || archetype.components[k - 1] < id else {
                    throw .inconsistent("archetype \(a) lists its components out of order")
                }
            }
            guard archetype.columns.count == archetype.components.count else {
                throw .inconsistent("archetype \(a) has \(archetype.columns.count) columns for \(archetype.components.count) components")
            }
            let rows = archetype.rowCount
            guard rows <= Int(Int32.max) else { throw .inconsistent("archetype \(a) has too many rows") }
            for (k, column) in archetype.columns.enumerated() {
                guard column.component == archetype.components[k] else {
                    throw .inconsistent("archetype \(a), column \(k) holds component #\(column.component), not #\(archetype.components[k])")
                }
                let type = componentTypes[column.component]
                let (expected, overflow) = rows.multipliedReportingOverflow(by: type.stride)
                guard !overflow, column.bytes.count == expected else {
                    throw .inconsistent("archetype \(a), column \(type.name): \(column.bytes.count) bytes for \(rows) rows of \(type.stride)")
                }
                guard column.ticks.count == rows else {
                    throw .inconsistent("archetype \(a), column \(type.name): \(column.ticks.count) ticks for \(rows) rows")
                }
            }
            for (row, entity) in archetype.entities.enumerated() {
                let i = Int(entity.index)
                guard i < entities.count else { throw .inconsistent("archetype \(a), row \(row) holds unknown \(entity)") }
                let slot = entities[i]
                guard slot.archetype == Int32(a), slot.row == Int32(row), slot.generation == entity.generation else {
                    throw .inconsistent("archetype \(a), row \(row) holds \(entity), whose table entry disagrees")
                }
            }
        }
        var live = 0
        var reusable = 0
        for (i, slot) in entities.enumerated() {
            if slot.archetype == EntityRecord.free {
                guard slot.row == -1 else { throw .inconsistent("free entity index \(i) has row \(slot.row)") }
                if slot.generation != UInt32.max { reusable += 1 }
                continue
            }
            guard slot.archetype >= 0, Int(slot.archetype) < archetypes.count else {
                throw .inconsistent("entity index \(i) is in archetype \(slot.archetype) of \(archetypes.count)")
            }
            let archetype = archetypes[Int(slot.archetype)]
            guard slot.row >= 0, Int(slot.row) < archetype.rowCount,
                  archetype.entities[Int(slot.row)] == Entity(index: UInt32(i), generation: slot.generation) else {
                throw .inconsistent("entity index \(i) points at archetype \(slot.archetype), row \(slot.row), which holds another entity")
            }
            live += 1
        }
        guard live == liveCount else { throw .inconsistent("\(live) live entities, but the count says \(liveCount)") }
        var seen = [Bool](repeating: false, count: entities.count)
        for index in freeIndices {
            let i = Int(index)
            guard i < entities.count, entities[i].archetype == EntityRecord.free, entities[i].generation != UInt32.max else {
                throw .inconsistent("the free list holds index \(index), which is not a reusable free index")
            }
            guard !seen[i] else { throw .inconsistent("the free list holds index \(index) twice") }
            seen[i] = true
        }
        guard freeIndices.count == reusable else {
            throw .inconsistent("\(reusable) reusable free indices, but the free list holds \(freeIndices.count)")
        }
    }
}


extension World {
    /// The world's entity state as plain data (see `WorldSnapshot`).
    ///
    /// Take it between ticks: it throws if a system is running, if deferred commands are waiting,
    /// or if a component in use is not plain data. Events are notifications, not state, and a
    /// snapshot does not hold them: see `Schedule.unreadEvents` for the check a save makes. For the component
    /// types listed in `clearingPaddingOf`, the padding bytes of each value (between and after
    /// its fields) are written as zeros, so that equal worlds give equal bytes.
    public func snapshot(clearingPaddingOf types: [any Component.Type] = []) throws(SnapshotError) -> WorldSnapshot {
        if let access = activeAccess { throw .insideSystem(access.system) }
        guard commands.isEmpty else { throw .pendingCommands(commands.count) }
        var paddingByName: [String: [Int]] = [:]
        var fieldsByName: [String: [ComponentLayout.Field]] = [:]
        for type in types {
            paddingByName[String(reflecting: type)] = ComponentLayout.paddingOffsets(of: type)
            fieldsByName[String(reflecting: type)] = ComponentLayout.fields(of: type)
        }

        let registry = componentInfos.map { WorldSnapshot.ComponentType(name: $0.name, stride: $0.stride, fields: fieldsByName[$0.name] ?? []) }
        var slots: [WorldSnapshot.EntitySlot] = []
        slots.reserveCapacity(entities.records.count)
        for (i, record) in entities.records.enumerated() {
            guard record.archetype != EntityRecord.reserved else {
                throw .inconsistent("entity index \(i) is reserved by a command that was never applied")
            }
            slots.append(WorldSnapshot.EntitySlot(generation: record.generation, archetype: record.archetype, row: record.row))
        }
        var saved: [WorldSnapshot.ArchetypeData] = []
        saved.reserveCapacity(archetypes.count)
        for archetype in archetypes {
            let rows = archetype.count
            var columns: [WorldSnapshot.Column] = []
            for column in archetype.columns {
                guard column.isTrivial else { throw .nonTrivialComponent(column.info.name) }
                var bytes = [UInt8](UnsafeRawBufferPointer(start: column.data, count: rows * column.stride))
                if let padding = paddingByName[column.info.name], !padding.isEmpty {
                    for row in 0..<rows {
                        let base = row * column.stride
                        for offset in padding { bytes[base + offset] = 0 }
                    }
                }
                let ticks = [ComponentTicks](UnsafeBufferPointer(start: column.ticks, count: rows))
                columns.append(WorldSnapshot.Column(component: column.info.id.raw, bytes: bytes, ticks: ticks))
            }
            saved.append(WorldSnapshot.ArchetypeData(
                components: archetype.columns.map(\.info.id.raw),
                entities: [Entity](UnsafeBufferPointer(start: archetype.entities, count: rows)),
                columns: columns))
        }
        return WorldSnapshot(changeTick: changeTick, componentTypes: registry, entities: slots,
                             freeIndices: entities.freeIndices, liveCount: entities.liveCount, archetypes: saved)
    }

    /// A new world holding exactly the snapshot's entities, in the same archetypes, rows and
    /// order, with the same free list and change tick. `types` lists the component types the
    /// caller knows; every type the snapshot names must be among them, with the same stride.
    /// Types listed but not in the snapshot are registered later, on first use, as in the
    /// original world. The new world has no resources and no events.
    ///
    /// A column whose saved field layout differs from today's is converted field by field: each
    /// field of today's type takes the saved field of the same path, type and size, and a field
    /// the save lacks takes its value from `defaults[name]` (the bytes of a default value of that
    /// type). Without a default, a changed layout is refused.
    public convenience init(restoring original: WorldSnapshot, types: [any Component.Type],
                            defaults: [String: [UInt8]] = [:]) throws(SnapshotError) {
        var snapshot = original
        var known: [String: any Component.Type] = [:]
        for type in types { known[String(reflecting: type)] = type }
        // Resolve every type before touching anything.
        var resolved: [any Component.Type] = []
        for (index, entry) in original.componentTypes.enumerated() {
            guard let type = known[entry.name] else { throw .unknownComponent(entry.name) }
            guard !(type is AnyClass) else { throw .nonTrivialComponent(entry.name) }
            let stride = World.stride(of: type)
            let current = ComponentLayout.fields(of: type)
            if entry.fields.isEmpty || entry.fields == current {
                guard stride == entry.stride else { throw .strideMismatch(component: entry.name, saved: entry.stride, current: stride) }
            } else {
                guard let fallback = defaults[entry.name], fallback.count == stride else {
                    throw .invalid("component \(entry.name) was saved with another layout, and no migration default is registered for it")
                }
                try snapshot.convert(component: index, to: current, stride: stride, defaultBytes: fallback)
            }
            resolved.append(type)
        }
        try snapshot.checkConsistency()
        self.init()
        for type in resolved { _ = registerExistential(type) }
        for archetype in snapshot.archetypes where archetype.rowCount > 0 {
            for id in archetype.components where !componentInfos[id].isTrivial {
                throw .nonTrivialComponent(componentInfos[id].name)
            }
        }
        for (a, data) in snapshot.archetypes.enumerated() {
            let set = ComponentSet(data.components.map(ComponentID.init(raw:)))
            let archetype = self.archetype(for: set, infos: data.components.map { componentInfos[$0] })
            guard archetype.index == a else { throw .inconsistent("archetype \(a) could not be recreated in place") }
            let rows = data.rowCount
            archetype.reserve(rows)
            data.entities.withUnsafeBufferPointer { source in
                if rows > 0 { archetype.entities.initialize(from: source.baseAddress!, count: rows) }
            }
            for (column, saved) in zip(archetype.columns, data.columns) {
                saved.bytes.withUnsafeBytes { source in
                    if rows > 0 { column.data.copyMemory(from: source.baseAddress!, byteCount: rows * column.stride) }
                }
                saved.ticks.withUnsafeBufferPointer { source in
                    if rows > 0 { column.ticks.initialize(from: source.baseAddress!, count: rows) }
                }
                column.lastChanged = saved.ticks.reduce(0) { max($0, $1.changed) }
            }
            archetype.count = rows
        }
        entities.records = snapshot.entities.map {
            EntityRecord(generation: $0.generation, archetype: $0.archetype, row: $0.row)
        }
        entities.freeIndices = snapshot.freeIndices
        entities.liveCount = snapshot.liveCount
        changeTick = snapshot.changeTick
    }

    private func registerExistential(_ type: any Component.Type) -> ComponentID {
        func open<T: Component>(_ t: T.Type) -> ComponentID { componentID(t) }
        return open(type)
    }

    private static func stride(of type: any Component.Type) -> Int {
        func open<T: Component>(_ t: T.Type) -> Int { max(1, MemoryLayout<T>.stride) }
        return open(type)
    }
}

extension WorldSnapshot {
    /// Rewrites every column of component `index` from its saved layout to `fields`.
    mutating func convert(component index: Int, to fields: [ComponentLayout.Field], stride: Int, defaultBytes: [UInt8]) throws(SnapshotError) {
        let saved = componentTypes[index]
        guard saved.stride >= 1 else { throw .inconsistent("component \(saved.name) has stride \(saved.stride)") }
        for field in saved.fields where field.offset + field.size > saved.stride {
            throw .inconsistent("component \(saved.name): field \(field.path) lies outside its \(saved.stride) bytes")
        }
        var moves: [(from: Int, to: Int, size: Int)] = []
        for field in fields {
            if let old = saved.fields.first(where: { $0.path == field.path && $0.typeName == field.typeName && $0.size == field.size }) {
                moves.append((old.offset, field.offset, field.size))
            }
        }
        for a in archetypes.indices {
            for c in archetypes[a].columns.indices where archetypes[a].columns[c].component == index {
                let old = archetypes[a].columns[c].bytes
                let rows = old.count / saved.stride
                guard rows * saved.stride == old.count else {
                    throw .inconsistent("archetype \(a), column \(saved.name): \(old.count) bytes are not whole rows of \(saved.stride)")
                }
                var new = [UInt8](repeating: 0, count: rows * stride)
                for row in 0..<rows {
                    let from = row * saved.stride, to = row * stride
                    for b in 0..<stride { new[to + b] = defaultBytes[b] }
                    for move in moves {
                        for b in 0..<move.size { new[to + move.to + b] = old[from + move.from + b] }
                    }
                }
                archetypes[a].columns[c].bytes = new
            }
        }
        componentTypes[index] = ComponentType(name: saved.name, stride: stride, fields: fields)
    }
}

/// Where a plain-data type keeps its fields, read from the runtime's reflection metadata.
public enum ComponentLayout {
    /// One scalar field: its path from the top ("flow.tick"), its type, and where it lies.
    public struct Field: Sendable, Equatable {
        public var path: String
        public var typeName: String
        public var offset: Int
        public var size: Int
        public init(path: String, typeName: String, offset: Int, size: Int) {
            self.path = path
            self.typeName = typeName
            self.offset = offset
            self.size = size
        }
    }

    /// The type's scalar fields, nested structs and tuples followed down; an enum or optional
    /// is one field. Empty if the runtime cannot list the fields.
    public static func fields(of type: Any.Type) -> [Field] {
        var fields: [Field] = []
        collectFields(of: type, prefix: "", at: 0, into: &fields)
        return fields
    }

    @discardableResult
    private static func collectFields(of type: Any.Type, prefix: String, at base: Int, into fields: inout [Field]) -> Bool {
        var position = 0
        var found: [(String, Int, Any.Type, _MetadataKind)] = []
        let reflected = _forEachField(of: type, options: _EachFieldOptions()) { name, offset, fieldType, kind in
            let label = String(cString: name)
            found.append((label.isEmpty ? "\(position)" : label, offset, fieldType, kind))
            position += 1
            return true
        }
        guard reflected else { return false }
        for (label, offset, fieldType, kind) in found {
            let path = prefix.isEmpty ? label : prefix + "." + label
            if kind == .struct || kind == .tuple, !isStandardScalar(fieldType),
               collectFields(of: fieldType, prefix: path, at: base + offset, into: &fields),
               fields.last.map({ $0.path.hasPrefix(path + ".") }) == true {
                continue
            }
            fields.append(Field(path: path, typeName: String(reflecting: fieldType), offset: base + offset, size: sizeOf(fieldType)))
        }
        return true
    }

    /// For each of the type's `stride` bytes, whether it belongs to a field (true) or is
    /// padding (false). Nested structs and tuples are followed down to their scalar fields; an
    /// enum or optional counts whole. If the type's fields cannot be read, every byte counts as
    /// data, so that nothing is ever dropped.
    public static func dataMask(of type: any Component.Type) -> [Bool] {
        let stride = max(1, strideOf(type))
        var mask = [Bool](repeating: false, count: stride)
        if !markFields(of: type, at: 0, in: &mask) {
            for b in 0..<sizeOf(type) { mask[b] = true }
        }
        return mask
    }

    /// The offsets of the type's padding bytes within its stride, ascending.
    public static func paddingOffsets(of type: any Component.Type) -> [Int] {
        let mask = dataMask(of: type)
        return mask.indices.filter { !mask[$0] }
    }

    /// Marks the bytes of `type`'s fields; false if its fields could not be read.
    private static func markFields(of type: Any.Type, at base: Int, in mask: inout [Bool]) -> Bool {
        var fields = 0
        let reflected = _forEachField(of: type, options: _EachFieldOptions()) { _, offset, fieldType, kind in
            fields += 1
            let start = base + offset
            if kind == .struct || kind == .tuple {
                if !markFields(of: fieldType, at: start, in: &mask) {
                    for b in 0..<sizeOf(fieldType) where start + b < mask.count { mask[start + b] = true }
                }
            } else {
                for b in 0..<sizeOf(fieldType) where start + b < mask.count { mask[start + b] = true }
            }
            return true
        }
        // No readable fields but some bytes (e.g. metadata stripped): the caller counts it all as data.
        return reflected && (fields > 0 || sizeOf(type) == 0)
    }

    private static func sizeOf(_ type: Any.Type) -> Int {
        func open<T>(_: T.Type) -> Int { MemoryLayout<T>.size }
        return _openExistential(type, do: open)
    }

    private static func strideOf(_ type: Any.Type) -> Int {
        func open<T>(_: T.Type) -> Int { MemoryLayout<T>.stride }
        return _openExistential(type, do: open)
    }
}

extension World {
    /// Checks every one-byte enum and flag field of the given component types in every row:
    /// a byte that names no case (e.g. from a damaged or hostile save) would make Swift's
    /// switches undefined. A no-payload enum with N cases stores 0..<N, and `Optional` stores
    /// its `nil` as N, which is how N is found without knowing the type.
    public func checkEnumFields(of types: [any Component.Type]) throws(SnapshotError) {
        for type in types {
            guard let id = componentIDs[ObjectIdentifier(type)] else { continue }
            let limits = ComponentLayout.byteLimits(of: type)
            guard !limits.isEmpty else { continue }
            for archetype in archetypes {
                guard let column = archetype.column(for: id) else { continue }
                for row in 0..<archetype.count {
                    let base = column.pointer(row: row)
                    for limit in limits {
                        let byte = base.load(fromByteOffset: limit.offset, as: UInt8.self)
                        guard byte < limit.cases else {
                            throw .invalid("\(column.info.name).\(limit.path) holds \(byte), which names none of its \(limit.cases) values")
                        }
                    }
                }
            }
        }
    }
}

extension ComponentLayout {
    /// Numbers and flags of the standard library are leaves, not structs to open.
    static func isStandardScalar(_ type: Any.Type) -> Bool { String(reflecting: type).hasPrefix("Swift.") }

    /// The one-byte enum and Bool fields of a type and how many values each may hold.
    static func byteLimits(of type: Any.Type) -> [(path: String, offset: Int, cases: Int)] {
        var found: [(String, Int, Any.Type)] = []
        collectTypedFields(of: type, prefix: "", at: 0, into: &found)
        return found.compactMap { path, offset, fieldType in
            func open<T>(_: T.Type) -> Int? {
                guard MemoryLayout<T>.size == 1, MemoryLayout<T?>.size == 1 else { return nil }
                var none: T? = nil
                return Int(withUnsafeBytes(of: &none) { $0[0] })
            }
            return _openExistential(fieldType, do: open).map { (path, offset, $0) }
        }
    }

    private static func collectTypedFields(of type: Any.Type, prefix: String, at base: Int, into found: inout [(String, Int, Any.Type)]) {
        var children: [(String, Int, Any.Type, _MetadataKind)] = []
        var position = 0
        _ = _forEachField(of: type, options: _EachFieldOptions()) { name, offset, fieldType, kind in
            let label = String(cString: name)
            children.append((label.isEmpty ? "\(position)" : label, offset, fieldType, kind))
            position += 1
            return true
        }
        for (label, offset, fieldType, kind) in children {
            let path = prefix.isEmpty ? label : prefix + "." + label
            if kind == .struct || kind == .tuple, !isStandardScalar(fieldType) {
                let before = found.count
                collectTypedFields(of: fieldType, prefix: path, at: base + offset, into: &found)
                if found.count > before || kind == .tuple { continue }
            }
            found.append((path, base + offset, fieldType))
        }
    }
}
