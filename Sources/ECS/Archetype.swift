// Archetype.swift — contiguous storage for all entities that have exactly the same components.
//
// An archetype holds one column per component type: a raw, aligned buffer of values laid end to
// end, plus two tick arrays for change detection (when each row's value was added, and when it
// was last written). Rows are dense: removing a row moves the last row into its place.

/// One component's values for every row of an archetype.
@usableFromInline
final class Column {
    @usableFromInline let info: ComponentInfo
    /// Copied out of `info` so per-row paths read plain fields, not the struct of closures.
    @usableFromInline let stride: Int
    @usableFromInline let isTrivial: Bool
    @usableFromInline var data: UnsafeMutableRawPointer
    /// When each row's value was added and last written, side by side so a row move is one copy.
    @usableFromInline var ticks: UnsafeMutablePointer<ComponentTicks>
    @usableFromInline var capacity: Int
    /// The latest change tick of any row written or added here (or moved here with its ticks):
    /// whether anything in the column changed since a tick, without a walk over its rows.
    @usableFromInline var lastChanged: UInt32 = 0

    @usableFromInline
    init(info: ComponentInfo) {
        self.info = info
        stride = info.stride
        isTrivial = info.isTrivial
        capacity = 0
        data = UnsafeMutableRawPointer.allocate(byteCount: info.stride, alignment: info.alignment)
        ticks = .allocate(capacity: 1)
    }

    deinit {
        // Rows are deinitialised by the archetype, which knows the count.
        data.deallocate()
        ticks.deallocate()
    }

    @inlinable
    func pointer(row: Int) -> UnsafeMutableRawPointer {
        data + row &* stride
    }

    /// Grows to hold at least `minimumCapacity` rows, keeping the first `count`.
    @usableFromInline
    func grow(to minimumCapacity: Int, count: Int) {
        guard minimumCapacity > capacity else { return }
        let newCapacity = minimumCapacity
        let newData = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * info.stride, alignment: info.alignment)
        if count > 0 {
            if info.isTrivial {
                newData.copyMemory(from: data, byteCount: count * info.stride)
            } else {
                info.moveInitialize(newData, data, count)
            }
        }
        data.deallocate()
        data = newData
        let newTicks = UnsafeMutablePointer<ComponentTicks>.allocate(capacity: newCapacity)
        newTicks.moveInitialize(from: ticks, count: count)
        ticks.deallocate()
        ticks = newTicks
        capacity = newCapacity
    }

    /// Moves a row's value out to `slot` (uninitialised, one value), leaving the row uninitialised.
    func moveOut(row: Int, to slot: UnsafeMutableRawPointer) {
        if isTrivial { slot.copyMemory(from: pointer(row: row), byteCount: stride) } else { info.moveInitialize(slot, pointer(row: row), 1) }
    }

    /// Moves a value from `slot` onto the (uninitialised) row, with its ticks.
    func moveIn(row: Int, from slot: UnsafeMutableRawPointer, ticks rowTicks: ComponentTicks) {
        if isTrivial { pointer(row: row).copyMemory(from: slot, byteCount: stride) } else { info.moveInitialize(pointer(row: row), slot, 1) }
        ticks[row] = rowTicks
    }

    /// Moves row `from` onto the (uninitialised) row `to` of the same column.
    @inlinable
    func moveRow(from: Int, to: Int) {
        if isTrivial {
            pointer(row: to).copyMemory(from: pointer(row: from), byteCount: stride)
        } else {
            info.moveInitialize(pointer(row: to), pointer(row: from), 1)
        }
        ticks[to] = ticks[from]
    }
}

/// All entities with one exact set of components.
@usableFromInline
final class Archetype {
    @usableFromInline let index: Int
    @usableFromInline let components: ComponentSet
    /// Columns in ascending component-ID order.
    @usableFromInline let columns: [Column]
    /// Column index for a component ID, or -1. Sized to the highest ID in this archetype.
    @usableFromInline let columnByComponent: [Int]
    /// The entity in each row; same capacity as the columns.
    @usableFromInline var entities: UnsafeMutablePointer<Entity>
    @usableFromInline var count = 0
    @usableFromInline var capacity = 0
    @usableFromInline let allTrivial: Bool
    /// The columns' storage pointers and strides, refreshed whenever the columns grow, so that
    /// row moves touch plain memory instead of class references.
    @usableFromInline var rawColumns: UnsafeMutablePointer<RawColumn>
    /// Archetype reached by adding / removing one component; filled lazily.
    @usableFromInline var addEdges: [ComponentID: Int] = [:]
    @usableFromInline var removeEdges: [ComponentID: Int] = [:]

    @usableFromInline
    init(index: Int, components: ComponentSet, infos: [ComponentInfo]) {
        self.index = index
        self.components = components
        let sorted = infos.sorted { $0.id < $1.id }
        columns = sorted.map(Column.init(info:))
        var map = [Int](repeating: -1, count: (sorted.last?.id.raw ?? -1) + 1)
        for (i, info) in sorted.enumerated() { map[info.id.raw] = i }
        columnByComponent = map
        allTrivial = sorted.allSatisfy(\.isTrivial)
        entities = .allocate(capacity: 1)
        rawColumns = .allocate(capacity: max(1, sorted.count))
        refreshRawColumns()
    }

    @usableFromInline
    func refreshRawColumns() {
        for (i, column) in columns.enumerated() {
            (rawColumns + i).initialize(to: RawColumn(data: column.data, ticks: column.ticks,
                                                      stride: column.stride))
        }
    }

    deinit {
        for column in columns where !column.isTrivial {
            column.info.deinitialize(column.data, count)
        }
        entities.deallocate()
        rawColumns.deallocate()
    }

    @inlinable
    func column(for id: ComponentID) -> Column? {
        id.raw < columnByComponent.count && columnByComponent[id.raw] >= 0 ? columns[columnByComponent[id.raw]] : nil
    }

    /// Makes room for `extra` more rows.
    @usableFromInline
    func reserve(_ extra: Int) {
        let needed = count + extra
        guard needed > capacity else { return }
        let newCapacity = max(needed, capacity * 2, 8)
        for column in columns { column.grow(to: newCapacity, count: count) }
        let newEntities = UnsafeMutablePointer<Entity>.allocate(capacity: newCapacity)
        newEntities.moveInitialize(from: entities, count: count)
        entities.deallocate()
        entities = newEntities
        capacity = newCapacity
        refreshRawColumns()
    }

    /// Appends a row for `entity`; the caller must initialise every column's value at the row.
    @inlinable
    func appendRow(_ entity: Entity) -> Int {
        let row = count
        if row == capacity { reserve(1) }
        entities[row] = entity
        count = row + 1
        return row
    }

    /// Reorders the rows in place: row i takes the entity and values row `order[i]` held (a
    /// permutation of 0..<count), one cycle of the permutation at a time, through one spare
    /// value per column (no second copy of the columns). The caller updates the records.
    func permute(_ order: [Int]) {
        let spare = columns.map { UnsafeMutableRawPointer.allocate(byteCount: $0.stride, alignment: $0.info.alignment) }
        defer { for slot in spare { slot.deallocate() } }
        var spareTicks = [ComponentTicks](repeating: ComponentTicks(added: 0, changed: 0), count: columns.count)
        var placed = [Bool](repeating: false, count: order.count)
        for start in 0..<order.count where !placed[start] && order[start] != start {
            for (c, column) in columns.enumerated() {
                spareTicks[c] = column.ticks[start]
                column.moveOut(row: start, to: spare[c])
            }
            let startEntity = entities[start]
            var row = start
            while true {
                placed[row] = true
                let from = order[row]
                if from == start {
                    for (c, column) in columns.enumerated() { column.moveIn(row: row, from: spare[c], ticks: spareTicks[c]) }
                    entities[row] = startEntity
                    break
                }
                for column in columns { column.moveRow(from: from, to: row) }
                entities[row] = entities[from]
                row = from
            }
        }
    }

    /// Removes `row` by moving the last row into it. Values at `row` must already be
    /// deinitialised or moved out. Returns the entity that now occupies `row`, if one moved.
    @inlinable
    func removeRowByMovingLast(_ row: Int) -> Entity? {
        let last = count - 1
        count = last
        if row == last { return nil }
        if allTrivial {
            for c in 0..<columns.count {
                let column = rawColumns[c]
                copyValue(from: column.data + last &* column.stride, to: column.data + row &* column.stride,
                          byteCount: column.stride)
                column.ticks[row] = column.ticks[last]
            }
        } else {
            for column in columns { column.moveRow(from: last, to: row) }
        }
        let moved = entities[last]
        entities[row] = moved
        return moved
    }
}

/// A column's storage as plain pointers (see `Archetype.rawColumns`).
@usableFromInline
struct RawColumn {
    @usableFromInline let data: UnsafeMutableRawPointer
    @usableFromInline let ticks: UnsafeMutablePointer<ComponentTicks>
    @usableFromInline let stride: Int
    @inlinable init(data: UnsafeMutableRawPointer, ticks: UnsafeMutablePointer<ComponentTicks>, stride: Int) {
        self.data = data
        self.ticks = ticks
        self.stride = stride
    }
}

/// Copies one trivial value. Small 4-byte-aligned values are copied word by word, which is
/// several times faster than a call to memmove for the 4–32-byte components a game has.
@inlinable @inline(__always)
func copyValue(from source: UnsafeMutableRawPointer, to destination: UnsafeMutableRawPointer, byteCount: Int) {
    if byteCount <= 32 && byteCount & 3 == 0 {
        var offset = 0
        while offset < byteCount {
            destination.storeBytes(of: source.load(fromByteOffset: offset, as: UInt32.self),
                                   toByteOffset: offset, as: UInt32.self)
            offset &+= 4
        }
    } else {
        destination.copyMemory(from: source, byteCount: byteCount)
    }
}

/// The change-detection ticks of one stored value.
@frozen
public struct ComponentTicks: Equatable, Sendable {
    /// The world change tick at which the component was added to the entity.
    public var added: UInt32
    /// The world change tick at which it was last written.
    public var changed: UInt32
    @inlinable public init(added: UInt32, changed: UInt32) {
        self.added = added
        self.changed = changed
    }
}
