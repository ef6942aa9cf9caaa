// Query.swift — typed iteration over every entity that has a set of components.
//
// A query names 1 to 6 terms, each `Read<T>` (a copy of the value), `Write<T>` (a `Mut<T>` that
// writes in place) or `Entity` (the handle), so read-only versus mutable access is part of the
// query's type:
//
//     world.query(Write<Position>.self, Read<Velocity>.self)
//          .without(Frozen.self)
//          .forEach { position, velocity in position.value.x += velocity.x }
//
// Filters: `with` / `without` (has or lacks a component, not fetched) and `changed` / `added`
// (a component written or added since the running system last ran). Iteration walks each
// matching archetype's columns in order through raw pointers; the closure sees only values.
// Write terms stamp their rows' change ticks after each archetype is walked.
//
// The term lists (`Terms1` … `Terms6`) are what make each arity a concrete type, which the
// optimiser specialises into a plain loop over columns (variadic generics were measured
// 30x slower here, because the compiler does not specialise pack expansions in loops).

/// One term of a query: which component, and how the closure receives it.
public protocol QueryTerm {
    associatedtype Item
    /// Whether the term writes (its rows are stamped as changed).
    static var isWrite: Bool { get }
    /// The component the term reads, or nil for the entity handle itself.
    static func componentID(in world: World) -> ComponentID?
    static func item(_ base: UnsafeMutableRawPointer, _ row: Int) -> Item
}

/// Read-only access: the closure receives a copy of the value.
public enum Read<Value: Component>: QueryTerm {
    public static var isWrite: Bool { false }
    @inlinable public static func componentID(in world: World) -> ComponentID? { world.componentID(Value.self) }
    @inlinable @inline(__always)
    public static func item(_ base: UnsafeMutableRawPointer, _ row: Int) -> Value {
        base.assumingMemoryBound(to: Value.self)[row]
    }
}

/// Mutable access: the closure receives a `Mut` that writes through to storage.
public enum Write<Value: Component>: QueryTerm {
    public static var isWrite: Bool { true }
    @inlinable public static func componentID(in world: World) -> ComponentID? { world.componentID(Value.self) }
    @inlinable @inline(__always)
    public static func item(_ base: UnsafeMutableRawPointer, _ row: Int) -> Mut<Value> {
        Mut(base.assumingMemoryBound(to: Value.self) + row)
    }
}

/// The entity handle as a query term: `world.query(Entity.self, Read<Position>.self)`.
extension Entity: QueryTerm {
    public static var isWrite: Bool { false }
    @inlinable public static func componentID(in world: World) -> ComponentID? { nil }
    @inlinable @inline(__always)
    public static func item(_ base: UnsafeMutableRawPointer, _ row: Int) -> Entity {
        base.assumingMemoryBound(to: Entity.self)[row]
    }
}

/// Write access to one stored component. Valid only inside the closure it was passed to.
@frozen
@dynamicMemberLookup
public struct Mut<Value> {
    @usableFromInline let pointer: UnsafeMutablePointer<Value>
    @inlinable @inline(__always) init(_ pointer: UnsafeMutablePointer<Value>) { self.pointer = pointer }

    /// The stored value; `mut.value.x += 1` changes it in place.
    @inlinable
    public var value: Value {
        @inline(__always) unsafeAddress { UnsafePointer(pointer) }
        @inline(__always) nonmutating unsafeMutableAddress { pointer }
    }

    @inlinable
    public subscript<Field>(dynamicMember keyPath: WritableKeyPath<Value, Field>) -> Field {
        @inline(__always) get { pointer.pointee[keyPath: keyPath] }
        @inline(__always) nonmutating set { pointer.pointee[keyPath: keyPath] = newValue }
    }
}

// MARK: - Term lists, one per arity

/// A fixed list of terms: how to fetch all of them for one row.
public protocol QueryTerms {
    associatedtype Items
    associatedtype Bases
    static var count: Int { get }
    static func isWrite(_ term: Int) -> Bool
    static func componentID(_ term: Int, in world: World) -> ComponentID?
    /// `base(i)` is the storage of term i in the archetype being walked.
    static func bases(_ base: (Int) -> UnsafeMutableRawPointer) -> Bases
    static func items(_ bases: Bases, _ row: Int) -> Items
}

public enum Terms1<A: QueryTerm>: QueryTerms {
    public typealias Bases = UnsafeMutableRawPointer
    public static var count: Int { 1 }
    public static func isWrite(_ term: Int) -> Bool { A.isWrite }
    public static func componentID(_ term: Int, in world: World) -> ComponentID? { A.componentID(in: world) }
    @inlinable public static func bases(_ base: (Int) -> UnsafeMutableRawPointer) -> Bases { base(0) }
    @inlinable @inline(__always)
    public static func items(_ b: Bases, _ row: Int) -> A.Item { A.item(b, row) }
}

public enum Terms2<A: QueryTerm, B: QueryTerm>: QueryTerms {
    public typealias Bases = (UnsafeMutableRawPointer, UnsafeMutableRawPointer)
    public static var count: Int { 2 }
    public static func isWrite(_ term: Int) -> Bool { [A.isWrite, B.isWrite][term] }
    public static func componentID(_ term: Int, in world: World) -> ComponentID? {
        [A.componentID(in:), B.componentID(in:)][term](world)
    }
    @inlinable public static func bases(_ base: (Int) -> UnsafeMutableRawPointer) -> Bases { (base(0), base(1)) }
    @inlinable @inline(__always)
    public static func items(_ b: Bases, _ row: Int) -> (A.Item, B.Item) { (A.item(b.0, row), B.item(b.1, row)) }
}

public enum Terms3<A: QueryTerm, B: QueryTerm, C: QueryTerm>: QueryTerms {
    public typealias Bases = (UnsafeMutableRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer)
    public static var count: Int { 3 }
    public static func isWrite(_ term: Int) -> Bool { [A.isWrite, B.isWrite, C.isWrite][term] }
    public static func componentID(_ term: Int, in world: World) -> ComponentID? {
        [A.componentID(in:), B.componentID(in:), C.componentID(in:)][term](world)
    }
    @inlinable public static func bases(_ base: (Int) -> UnsafeMutableRawPointer) -> Bases { (base(0), base(1), base(2)) }
    @inlinable @inline(__always)
    public static func items(_ b: Bases, _ row: Int) -> (A.Item, B.Item, C.Item) {
        (A.item(b.0, row), B.item(b.1, row), C.item(b.2, row))
    }
}

public enum Terms4<A: QueryTerm, B: QueryTerm, C: QueryTerm, D: QueryTerm>: QueryTerms {
    public typealias Bases = (UnsafeMutableRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer,
                              UnsafeMutableRawPointer)
    public static var count: Int { 4 }
    public static func isWrite(_ term: Int) -> Bool { [A.isWrite, B.isWrite, C.isWrite, D.isWrite][term] }
    public static func componentID(_ term: Int, in world: World) -> ComponentID? {
        [A.componentID(in:), B.componentID(in:), C.componentID(in:), D.componentID(in:)][term](world)
    }
    @inlinable public static func bases(_ base: (Int) -> UnsafeMutableRawPointer) -> Bases {
        (base(0), base(1), base(2), base(3))
    }
    @inlinable @inline(__always)
    public static func items(_ b: Bases, _ row: Int) -> (A.Item, B.Item, C.Item, D.Item) {
        (A.item(b.0, row), B.item(b.1, row), C.item(b.2, row), D.item(b.3, row))
    }
}

public enum Terms5<A: QueryTerm, B: QueryTerm, C: QueryTerm, D: QueryTerm, E: QueryTerm>: QueryTerms {
    public typealias Bases = (UnsafeMutableRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer,
                              UnsafeMutableRawPointer, UnsafeMutableRawPointer)
    public static var count: Int { 5 }
    public static func isWrite(_ term: Int) -> Bool {
        [A.isWrite, B.isWrite, C.isWrite, D.isWrite, E.isWrite][term]
    }
    public static func componentID(_ term: Int, in world: World) -> ComponentID? {
        [A.componentID(in:), B.componentID(in:), C.componentID(in:), D.componentID(in:), E.componentID(in:)][term](world)
    }
    @inlinable public static func bases(_ base: (Int) -> UnsafeMutableRawPointer) -> Bases {
        (base(0), base(1), base(2), base(3), base(4))
    }
    @inlinable @inline(__always)
    public static func items(_ b: Bases, _ row: Int) -> (A.Item, B.Item, C.Item, D.Item, E.Item) {
        (A.item(b.0, row), B.item(b.1, row), C.item(b.2, row), D.item(b.3, row), E.item(b.4, row))
    }
}

public enum Terms6<A: QueryTerm, B: QueryTerm, C: QueryTerm, D: QueryTerm, E: QueryTerm, F: QueryTerm>: QueryTerms {
    public typealias Bases = (UnsafeMutableRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer,
                              UnsafeMutableRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer)
    public static var count: Int { 6 }
    public static func isWrite(_ term: Int) -> Bool {
        [A.isWrite, B.isWrite, C.isWrite, D.isWrite, E.isWrite, F.isWrite][term]
    }
    public static func componentID(_ term: Int, in world: World) -> ComponentID? {
        [A.componentID(in:), B.componentID(in:), C.componentID(in:), D.componentID(in:), E.componentID(in:),
         F.componentID(in:)][term](world)
    }
    @inlinable public static func bases(_ base: (Int) -> UnsafeMutableRawPointer) -> Bases {
        (base(0), base(1), base(2), base(3), base(4), base(5))
    }
    @inlinable @inline(__always)
    public static func items(_ b: Bases, _ row: Int) -> (A.Item, B.Item, C.Item, D.Item, E.Item, F.Item) {
        (A.item(b.0, row), B.item(b.1, row), C.item(b.2, row), D.item(b.3, row), E.item(b.4, row), F.item(b.5, row))
    }
}

extension World {
    @inlinable public func query<A>(_ a: A.Type) -> Query<Terms1<A>> { Query(world: self) }
    @inlinable public func query<A, B>(_ a: A.Type, _ b: B.Type) -> Query<Terms2<A, B>> { Query(world: self) }
    @inlinable public func query<A, B, C>(_ a: A.Type, _ b: B.Type, _ c: C.Type) -> Query<Terms3<A, B, C>> {
        Query(world: self)
    }
    @inlinable public func query<A, B, C, D>(_ a: A.Type, _ b: B.Type, _ c: C.Type, _ d: D.Type)
        -> Query<Terms4<A, B, C, D>> { Query(world: self) }
    @inlinable public func query<A, B, C, D, E>(_ a: A.Type, _ b: B.Type, _ c: C.Type, _ d: D.Type, _ e: E.Type)
        -> Query<Terms5<A, B, C, D, E>> { Query(world: self) }
    @inlinable public func query<A, B, C, D, E, F>(_ a: A.Type, _ b: B.Type, _ c: C.Type, _ d: D.Type,
                                                   _ e: E.Type, _ f: F.Type)
        -> Query<Terms6<A, B, C, D, E, F>> { Query(world: self) }
}

// MARK: - The query

/// The archetypes that match a query's component sets, cached per world and extended as new
/// archetypes appear (archetypes are never removed).
@usableFromInline
struct QueryKey: Hashable {
    @usableFromInline let required: ComponentSet
    @usableFromInline let excluded: ComponentSet
    @inlinable init(required: ComponentSet, excluded: ComponentSet) {
        self.required = required
        self.excluded = excluded
    }
}

@usableFromInline
final class QueryMatch {
    @usableFromInline var archetypes: [Archetype] = []
    @usableFromInline var checkedCount = 0
    @usableFromInline init() {}
}

public struct Query<Terms: QueryTerms> {
    @usableFromInline let world: World
    /// Each term's component (nil for the entity handle).
    @usableFromInline let termIDs: [ComponentID?]
    @usableFromInline var required = ComponentSet()
    @usableFromInline var excluded = ComponentSet()
    /// Components whose change (or addition) tick must be newer than `since`.
    @usableFromInline var changedFilter: [ComponentID] = []
    @usableFromInline var addedFilter: [ComponentID] = []
    @usableFromInline var since: UInt32

    @inlinable
    init(world: World) {
        self.world = world
        termIDs = (0..<Terms.count).map { Terms.componentID($0, in: world) }
        for case let id? in termIDs {
            precondition(!required.contains(id), "\(world.componentName(id)) appears twice in one query")
            required.insert(id)
        }
        since = world.lastRunTick
        world.checkAccess(terms: Terms.count, isWrite: Terms.isWrite, ids: termIDs)
    }

    /// Only entities that also have `T` (not fetched).
    public func with<T: Component>(_ type: T.Type) -> Self {
        var copy = self
        copy.required.insert(world.componentID(type))
        return copy
    }

    /// Only entities that do not have `T`.
    public func without<T: Component>(_ type: T.Type) -> Self {
        var copy = self
        copy.excluded.insert(world.componentID(type))
        return copy
    }

    /// Only entities whose `T` was written after `tick` (default: after the running system's
    /// last run; outside a system, at any time).
    public func changed<T: Component>(_ type: T.Type, since tick: UInt32? = nil) -> Self {
        var copy = self
        let id = world.componentID(type)
        copy.required.insert(id)
        copy.changedFilter.append(id)
        if let tick { copy.since = tick }
        return copy
    }

    /// Only entities whose `T` was added after `tick` (default as for `changed`).
    public func added<T: Component>(_ type: T.Type, since tick: UInt32? = nil) -> Self {
        var copy = self
        let id = world.componentID(type)
        copy.required.insert(id)
        copy.addedFilter.append(id)
        if let tick { copy.since = tick }
        return copy
    }

    @inlinable
    var matchingArchetypes: [Archetype] {
        let key = QueryKey(required: required, excluded: excluded)
        let match: QueryMatch
        if let cached = world.queryCache[key] {
            match = cached
        } else {
            match = QueryMatch()
            world.queryCache[key] = match
        }
        if match.checkedCount < world.archetypes.count {
            for archetype in world.archetypes[match.checkedCount...]
            where archetype.components.isSuperset(of: required) && archetype.components.isDisjoint(with: excluded) {
                match.archetypes.append(archetype)
            }
            match.checkedCount = world.archetypes.count
        }
        return match.archetypes
    }

    @inlinable
    func storage(_ archetype: Archetype, term: Int) -> UnsafeMutableRawPointer {
        guard let id = termIDs[term] else { return UnsafeMutableRawPointer(archetype.entities) }
        return archetype.column(for: id)!.data
    }

    @inlinable
    var hasTickFilter: Bool { !changedFilter.isEmpty || !addedFilter.isEmpty }

    /// An archetype's tick filter, its columns looked up once rather than per row; nil when no
    /// row can pass: a filtered column last written at or before `since` (a row's added tick
    /// is never later than its changed tick, and `lastChanged` bounds them all).
    @inlinable
    func tickFilter(_ archetype: Archetype) -> TickFilter? {
        var filter = TickFilter(since: since)
        for id in changedFilter {
            let column = archetype.column(for: id)!
            if column.lastChanged <= since { return nil }
            filter.changed.append(column.ticks)
        }
        for id in addedFilter {
            let column = archetype.column(for: id)!
            if column.lastChanged <= since { return nil }
            filter.added.append(column.ticks)
        }
        return filter
    }

    /// Stamps the written terms' change ticks for `rows`, or for the row range `range`.
    @usableFromInline
    func stampWrites(_ archetype: Archetype, rows: [Int]?, range: Range<Int>? = nil) {
        let tick = world.changeTick
        for term in 0..<Terms.count where Terms.isWrite(term) {
            guard let id = termIDs[term], let column = archetype.column(for: id) else { continue }
            let ticks = column.ticks
            if let rows {
                for row in rows { ticks[row].changed = tick }
                if !rows.isEmpty { column.lastChanged = tick }
            } else {
                let range = range ?? 0..<archetype.count
                for row in range { ticks[row].changed = tick }
                if !range.isEmpty { column.lastChanged = tick }
            }
        }
    }

    /// Like `forEach`, over one of `slices` equal parts of every matching archetype's rows.
    /// Calling it with slice 0, 1, …, slices − 1 visits each entity once, provided nothing is
    /// spawned or despawned in between (a spawn or despawn moves rows, so an entity may then be
    /// visited twice or skipped once). Spreads per-entity work over several ticks.
    @inlinable
    public func forEach(slice: Int, of slices: Int, _ body: (Terms.Items) -> Void) {
        precondition(slices > 0 && slice >= 0 && slice < slices, "slice \(slice) of \(slices)")
        for archetype in matchingArchetypes {
            let rows = archetype.count
            let range = rows * slice / slices ..< rows * (slice + 1) / slices
            if range.isEmpty { continue }
            let bases = Terms.bases { storage(archetype, term: $0) }
            if hasTickFilter {
                guard let filter = tickFilter(archetype) else { continue }
                var passed: [Int] = []
                for row in range where filter.passes(row) {
                    body(Terms.items(bases, row))
                    passed.append(row)
                }
                stampWrites(archetype, rows: passed)
            } else {
                for row in range { body(Terms.items(bases, row)) }
                stampWrites(archetype, rows: nil, range: range)
            }
        }
    }

    /// Calls `body` once per matching entity, archetype by archetype, row by row. The closure
    /// must not spawn, despawn or add/remove components directly: use `world.commands`.
    @inlinable
    public func forEach(_ body: (Terms.Items) -> Void) {
        for archetype in matchingArchetypes {
            let rows = archetype.count
            if rows == 0 { continue }
            let bases = Terms.bases { storage(archetype, term: $0) }
            if hasTickFilter {
                guard let filter = tickFilter(archetype) else { continue }
                var passed: [Int] = []
                for row in 0..<rows where filter.passes(row) {
                    body(Terms.items(bases, row))
                    passed.append(row)
                }
                stampWrites(archetype, rows: passed)
            } else {
                for row in 0..<rows {
                    body(Terms.items(bases, row))
                }
                stampWrites(archetype, rows: nil)
            }
        }
    }

    /// The number of matching entities (respecting tick filters).
    public var count: Int {
        var total = 0
        for archetype in matchingArchetypes {
            if hasTickFilter {
                guard let filter = tickFilter(archetype) else { continue }
                for row in 0..<archetype.count where filter.passes(row) { total += 1 }
            } else {
                total += archetype.count
            }
        }
        return total
    }

    /// Matching entities in iteration order.
    public var entities: [Entity] {
        var result: [Entity] = []
        for archetype in matchingArchetypes {
            let filter = hasTickFilter ? tickFilter(archetype) : nil
            if hasTickFilter && filter == nil { continue }
            for row in 0..<archetype.count where filter?.passes(row) ?? true {
                result.append(archetype.entities[row])
            }
        }
        return result
    }
}

/// The change and added ticks a tick-filtered query compares, for one archetype.
@usableFromInline
struct TickFilter {
    @usableFromInline let since: UInt32
    @usableFromInline var changed: [UnsafeMutablePointer<ComponentTicks>] = []
    @usableFromInline var added: [UnsafeMutablePointer<ComponentTicks>] = []

    @inlinable init(since: UInt32) { self.since = since }

    @inlinable
    func passes(_ row: Int) -> Bool {
        for ticks in changed where ticks[row].changed <= since { return false }
        for ticks in added where ticks[row].added <= since { return false }
        return true
    }
}
