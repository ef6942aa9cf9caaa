// ECSTests — the runtime's guarantees: handles, storage moves, queries, commands, events,
// change detection, schedule order and determinism.
import ECS
import Foundation
import Testing

struct Position: Component, Equatable { var x: Double, y: Double }
struct Velocity: Component, Equatable { var x: Double, y: Double }
struct Health: Component, Equatable { var value: Int }
struct Frozen: Component {}
struct Label: Component, Equatable { var text: String }  // non-trivial: holds a String
struct Spawned: Equatable { var entity: Entity }

@Suite("Entity handles")
struct HandleTests {
    @Test func despawnedHandleIsStaleAndRecycledIndexIsNotConfused() throws {
        let world = World()
        let first = world.spawn(Health(value: 1))
        try world.despawn(first)
        let second = world.spawn(Health(value: 2))
        #expect(second.index == first.index, "the freed index is reused")
        #expect(second.generation == first.generation + 1)
        #expect(!world.isAlive(first))
        #expect(world.isAlive(second))
        #expect(throws: ECSError.staleEntity(first)) { try world.get(Health.self, of: first) }
        #expect(throws: ECSError.staleEntity(first)) { try world.despawn(first) }
        #expect(throws: ECSError.staleEntity(first)) { try world.insert(Frozen(), into: first) }
        #expect(try world.get(Health.self, of: second) == Health(value: 2))
    }

    @Test func unknownHandleIsReported() {
        let world = World()
        let made = Entity(index: 42, generation: 0)
        #expect(throws: ECSError.unknownEntity(made)) { try world.despawn(made) }
    }

    @Test func entityCountTracksSpawnsAndDespawns() throws {
        let world = World()
        let handles = (0..<10).map { world.spawn(Health(value: $0)) }
        for handle in handles.prefix(4) { try world.despawn(handle) }
        #expect(world.entityCount == 6)
        #expect(world.allEntities == Array(handles.suffix(6)))
    }
}

@Suite("Archetype storage")
struct StorageTests {
    @Test func addingAndRemovingComponentsMovesEntitiesAndKeepsValues() throws {
        let world = World()
        let a = world.spawn(Position(x: 1, y: 2))
        let b = world.spawn(Position(x: 3, y: 4))
        let c = world.spawn(Position(x: 5, y: 6))
        try world.insert(Velocity(x: 9, y: 9), into: a)
        #expect(try world.componentNames(of: a).count == 2)
        #expect(try world.get(Position.self, of: a) == Position(x: 1, y: 2))
        // `a` left the Position-only archetype; the last row (c) filled its place.
        #expect(try world.get(Position.self, of: c) == Position(x: 5, y: 6))
        #expect(try world.get(Position.self, of: b) == Position(x: 3, y: 4))
        #expect(world.query(Read<Position>.self).count == 3)
        #expect(world.query(Read<Position>.self, Read<Velocity>.self).count == 1)

        let removed = try world.remove(Velocity.self, from: a)
        #expect(removed == Velocity(x: 9, y: 9))
        #expect(try world.get(Velocity.self, of: a) == nil)
        #expect(try world.remove(Velocity.self, from: a) == nil)
        #expect(world.query(Read<Position>.self, Read<Velocity>.self).count == 0)
        #expect(try world.get(Position.self, of: a) == Position(x: 1, y: 2))
    }

    @Test func insertingAnExistingComponentReplacesIt() throws {
        let world = World()
        let e = world.spawn(Health(value: 1))
        let archetypes = world.archetypeCount
        try world.insert(Health(value: 7), into: e)
        #expect(try world.get(Health.self, of: e) == Health(value: 7))
        #expect(world.archetypeCount == archetypes)
    }

    @Test func nonTrivialComponentsSurviveMovesAndGrowth() throws {
        let world = World()
        var handles: [Entity] = []
        for i in 0..<1000 { handles.append(world.spawn(Label(text: "entity \(i) " + String(repeating: "x", count: i % 40)))) }
        for (i, e) in handles.enumerated() where i % 3 == 0 { try world.insert(Health(value: i), into: e) }
        for (i, e) in handles.enumerated() where i % 5 == 0 { try world.despawn(e) }
        for (i, e) in handles.enumerated() where i % 5 != 0 {
            #expect(try world.get(Label.self, of: e)?.text.hasPrefix("entity \(i) ") == true)
        }
    }

    @Test func spawnBatchStoresEveryValue() throws {
        let world = World()
        let handles = world.spawnBatch(count: 100) { i in (Position(x: Double(i), y: 0), Health(value: i)) }
        #expect(handles.count == 100)
        for (i, e) in handles.enumerated() {
            #expect(try world.get(Health.self, of: e) == Health(value: i))
        }
    }
}

@Suite("Queries")
struct QueryTests {
    @Test func writeTermsChangeStorageAndReadTermsSeeValues() throws {
        let world = World()
        let e = world.spawn(Position(x: 0, y: 0), Velocity(x: 1, y: 2))
        for _ in 0..<3 {
            world.query(Write<Position>.self, Read<Velocity>.self).forEach { position, velocity in
                position.value.x += velocity.x
                position.y += velocity.y  // through dynamic member lookup
            }
        }
        #expect(try world.get(Position.self, of: e) == Position(x: 3, y: 6))
    }

    @Test func withAndWithoutFilter() {
        let world = World()
        world.spawn(Position(x: 1, y: 0))
        world.spawn(Position(x: 2, y: 0), Frozen())
        world.spawn(Position(x: 3, y: 0), Health(value: 1))
        world.spawn(Position(x: 4, y: 0), Health(value: 1), Frozen())
        var seen: [Double] = []
        world.query(Read<Position>.self).without(Frozen.self).forEach { seen.append($0.x) }
        #expect(seen.sorted() == [1, 3])
        seen = []
        world.query(Read<Position>.self).with(Health.self).without(Frozen.self).forEach { seen.append($0.x) }
        #expect(seen == [3])
        #expect(world.query(Read<Position>.self).with(Frozen.self).count == 2)
    }

    @Test func entityTermAndSixTerms() {
        struct A: Component { var v = 1 }
        struct B: Component { var v = 2 }
        struct C: Component { var v = 3 }
        struct D: Component { var v = 4 }
        struct E: Component { var v = 5 }
        let world = World()
        let target = world.spawn(A(), B(), C(), D(), E())
        world.spawn(A(), B())
        var sums: [Entity: Int] = [:]
        world.query(Entity.self, Read<A>.self, Read<B>.self, Read<C>.self, Read<D>.self, Write<E>.self)
            .forEach { entity, a, b, c, d, e in
                e.value.v = a.v + b.v + c.v + d.v
                sums[entity] = e.value.v
            }
        #expect(sums == [target: 10])
        #expect(world.query(Entity.self, Read<A>.self).entities.count == 2)
    }

    @Test func queriesSeeArchetypesCreatedAfterTheFirstRun() {
        let world = World()
        world.spawn(Health(value: 1))
        #expect(world.query(Read<Health>.self).count == 1)
        world.spawn(Health(value: 2), Frozen())
        #expect(world.query(Read<Health>.self).count == 2)
    }
}

@Suite("Commands, events and change detection")
struct DeferredTests {
    @Test func commandsApplyAtThePhaseEndNotDuringIteration() throws {
        let world = World()
        for i in 0..<5 { world.spawn(Health(value: i)) }
        let schedule = Schedule(phases: ["simulate", "account"])
        var countSeenInSamePhase = -1
        var countSeenInNextPhase = -1
        schedule.add("split", phase: "simulate", access: SystemAccess(reads: [Health.self])) { ctx in
            ctx.world.query(Entity.self, Read<Health>.self).forEach { entity, health in
                if health.value % 2 == 0 { ctx.commands.despawn(entity) }
                ctx.commands.spawn(Position(x: Double(health.value), y: 0))
            }
        }
        schedule.add("look", phase: "simulate", access: SystemAccess(reads: [Health.self])) { ctx in
            countSeenInSamePhase = ctx.world.query(Read<Health>.self).count
        }
        schedule.add("look-later", phase: "account", access: SystemAccess(reads: [Health.self, Position.self])) { ctx in
            countSeenInNextPhase = ctx.world.query(Read<Health>.self).count
                + ctx.world.query(Read<Position>.self).count
        }
        try schedule.run(world)
        #expect(countSeenInSamePhase == 5, "despawns wait for the sync point")
        #expect(countSeenInNextPhase == 2 + 5)
        #expect(world.commands.errors.isEmpty)
    }

    @Test func refusedCommandsAreReportedNotFatal() throws {
        let world = World()
        let e = world.spawn(Health(value: 1))
        world.commands.despawn(e)
        world.commands.despawn(e)
        world.applyCommands()
        #expect(world.commands.errors == [.staleEntity(e)])
    }

    @Test func spawnedHandleIsUsableByLaterCommands() throws {
        let world = World()
        let e = world.commands.spawn(Health(value: 3))
        #expect(throws: ECSError.pendingEntity(e)) { try world.get(Health.self, of: e) }
        world.commands.insert(Frozen(), into: e)
        world.applyCommands()
        #expect(world.has(Frozen.self, e))
        #expect(try world.get(Health.self, of: e) == Health(value: 3))
    }

    /// A reserved entity's components can depend on its id: it is spawned under that id, and
    /// the next spawn gets another.
    @Test func aReservedEntityIsSpawnedUnderItsId() throws {
        let world = World()
        let reserved = world.commands.reserve()
        world.commands.spawn(reserved: reserved, Health(value: Int(reserved.index) + 7))
        let next = world.commands.spawn(Health(value: 1))
        world.applyCommands()
        #expect(next != reserved)
        #expect(try world.get(Health.self, of: reserved) == Health(value: Int(reserved.index) + 7))
        #expect(world.query(Read<Health>.self).count == 2)
    }

    @Test func eventsLiveOneTickBoundary() throws {
        let world = World()
        let schedule = Schedule(phases: ["update"])
        var tick = 0
        var readerLog: [[Int]] = []
        var reader = EventReader<Int>()
        // The reader runs before the sender each tick, so it sees each event one tick later.
        schedule.add("reader", phase: "update") { ctx in readerLog.append(reader.read(ctx.world)) }
        schedule.add("sender", phase: "update", after: ["reader"]) { ctx in
            if tick == 0 { ctx.world.send(100); ctx.world.send(101) }
        }
        var live: [[Int]] = []
        for _ in 0..<3 {
            try schedule.run(world)
            live.append(world.events(Int.self))
            tick += 1
        }
        #expect(readerLog == [[], [100, 101], []], "each event is read exactly once")
        #expect(live == [[100, 101], [], []], "after the tick boundary the events are dropped")
    }

    /// A system reads through its context: each event once, whichever phase run sent it; a phase
    /// run alone does not age events; the schedule says which reader is behind.
    @Test func systemsReadEventsOnceThroughTheirContext() throws {
        let world = World()
        let schedule = Schedule(phases: ["input", "later"])
        var sends: [Int] = []
        var inputLog: [[Int]] = [], laterLog: [[Int]] = []
        schedule.add("sender", phase: "input") { ctx in
            for value in sends { ctx.world.send(value) }
            sends = []
        }
        schedule.add("input reader", phase: "input", after: ["sender"]) { ctx in inputLog.append(ctx.readEvents(Int.self)) }
        schedule.add("later reader", phase: "later") { ctx in laterLog.append(ctx.readEvents(Int.self)) }
        sends = [1, 2]
        try schedule.run(world)
        #expect(schedule.unreadEvents(world) == [])
        // A paused moment: the input phase alone, twice. Nothing ages, the later reader is behind.
        sends = [3]
        try schedule.run(phase: "input", world)
        sends = [4]
        try schedule.run(phase: "input", world)
        #expect(schedule.unreadEvents(world) == ["later reader has not read Swift.Int"])
        try schedule.run(world)
        try schedule.run(world)
        #expect(inputLog == [[1, 2], [3], [4], [], []])
        #expect(laterLog == [[1, 2], [3, 4], []])
        #expect(schedule.unreadEvents(world) == [])
        // Code outside the schedule starts a reader at the present.
        world.send(9)
        var outside = EventReader<Int>(after: world)
        world.send(10)
        #expect(outside.read(world) == [10])
        #expect(outside.read(world) == [])
    }

    @Test func changeDetectionSinceLastRun() throws {
        let world = World()
        let a = world.spawn(Health(value: 1))
        let b = world.spawn(Health(value: 2))
        let schedule = Schedule(phases: ["update"])
        var changedSeen: [[Int]] = []
        var addedSeen: [[Int]] = []
        schedule.add("watcher", phase: "update", access: SystemAccess(reads: [Health.self])) { ctx in
            var changed: [Int] = []
            ctx.world.query(Read<Health>.self).changed(Health.self).forEach { changed.append($0.value) }
            changedSeen.append(changed.sorted())
            var added: [Int] = []
            ctx.world.query(Read<Health>.self).added(Health.self).forEach { added.append($0.value) }
            addedSeen.append(added.sorted())
        }
        try schedule.run(world)  // first run: everything is new
        try schedule.run(world)  // nothing happened
        try world.modify(Health.self, of: b) { $0.value = 20 }
        try schedule.run(world)
        try world.insert(Health(value: 10), into: a)
        world.spawn(Health(value: 3))
        try schedule.run(world)
        #expect(changedSeen == [[1, 2], [], [20], [3, 10]])
        #expect(addedSeen == [[1, 2], [], [], [3]])
    }

    /// Sorting the rows by a key changes only the order queries visit them in: every entity
    /// keeps its values and ticks, and later lookups, writes and despawns find the right rows.
    @Test func sortedRowsKeepTheirEntitiesValuesAndTicks() throws {
        let world = World()
        var random = SplitMix64(seed: 7)
        var spawned: [(Entity, Int)] = []
        for i in 0..<200 {
            let value = Int(random.next() % 1000)
            let entity = i % 3 == 0 ? world.spawn(Health(value: value), Position(x: Double(i), y: 0)) : world.spawn(Health(value: value))
            spawned.append((entity, value))
        }
        let since = world.changeTick
        let schedule = Schedule(phases: ["update"])
        schedule.add("tick", phase: "update", access: SystemAccess()) { _ in }
        try schedule.run(world)
        try world.modify(Health.self, of: spawned[5].0) { $0.value = spawned[5].1 }  // written, same value
        world.sortRows(by: Health.self) { $0.value }
        var seen: [Int] = []
        world.query(Read<Health>.self).without(Position.self).forEach { seen.append($0.value) }
        #expect(seen == seen.sorted() && seen.count == 200 - 67)
        for (entity, value) in spawned { #expect(try world.get(Health.self, of: entity)?.value == value) }
        #expect(world.query(Entity.self, Read<Health>.self).changed(Health.self, since: since).entities == [spawned[5].0])
        try world.despawn(spawned[10].0)
        try world.modify(Health.self, of: spawned[11].0) { $0.value = -1 }
        #expect(try world.get(Health.self, of: spawned[11].0)?.value == -1)
        for (entity, value) in spawned where entity != spawned[10].0 && entity != spawned[11].0 {
            #expect(try world.get(Health.self, of: entity)?.value == value)
        }
    }

    /// A query filtered by change or addition since a tick visits, counts and lists the same
    /// rows, in every archetype: an archetype whose column was not written since is passed over
    /// whole, and a row moved to another archetype keeps its ticks.
    @Test func changeFiltersAgreeAcrossArchetypes() throws {
        let world = World()
        let still = (0..<4).map { world.spawn(Health(value: $0)) }
        let moving = (0..<4).map { world.spawn(Health(value: 10 + $0), Position(x: 0, y: 0)) }
        let since = world.changeTick
        // A system run moves the world's tick on, so that later writes are newer than `since`.
        let schedule = Schedule(phases: ["update"])
        schedule.add("tick", phase: "update", access: SystemAccess()) { _ in }
        func seen(added: Bool) -> (values: [Int], count: Int, entities: Int) {
            let all = world.query(Read<Health>.self)
            let query = added ? all.added(Health.self, since: since) : all.changed(Health.self, since: since)
            var values: [Int] = []
            query.forEach { values.append($0.value) }
            return (values.sorted(), query.count, query.entities.count)
        }
        try schedule.run(world)
        let none = seen(added: false)
        #expect(none.values.isEmpty && none.count == 0 && none.entities == 0)
        try world.modify(Health.self, of: moving[1]) { $0.value = 21 }
        try world.insert(Velocity(x: 1, y: 1), into: moving[2])  // moves to a third archetype, unchanged
        world.spawn(Health(value: 30))
        let changed = seen(added: false)
        #expect(changed.values == [21, 30] && changed.count == 2 && changed.entities == 2)
        let added = seen(added: true)
        #expect(added.values == [30] && added.count == 1 && added.entities == 1)
        #expect(world.query(Read<Health>.self).changed(Health.self, since: 0).count == still.count + moving.count + 1)
    }

    /// A column's latest change tick follows writes, modifications, inserts and spawns, not
    /// reads, each type its own; a restored world has the same.
    @Test func lastChangeTickFollowsWritesNotReads() throws {
        let world = World()
        #expect(world.lastChangeTick(Health.self) == 0)
        let a = world.spawn(Health(value: 1), Position(x: 0, y: 0))
        world.spawn(Health(value: 2))
        let schedule = Schedule(phases: ["update"])
        var writes = false
        schedule.add("reader", phase: "update", access: SystemAccess(reads: [Health.self])) { ctx in
            ctx.world.query(Read<Health>.self).forEach { _ in }
        }
        schedule.add("writer", phase: "update", access: SystemAccess(writes: [Health.self]), after: ["reader"]) { ctx in
            if writes { ctx.world.query(Write<Health>.self).forEach { $0.value.value += 1 } }
        }
        let spawned = world.lastChangeTick(Health.self)
        #expect(spawned > 0 && world.lastChangeTick(Position.self) == spawned)
        try schedule.run(world)
        #expect(world.lastChangeTick(Health.self) == spawned, "reading is not a change")
        writes = true
        try schedule.run(world)
        let written = world.lastChangeTick(Health.self)
        #expect(written > spawned && world.lastChangeTick(Position.self) == spawned, "another type keeps its own tick")
        writes = false
        try schedule.run(world)
        try world.modify(Position.self, of: a) { $0.x = 1 }
        #expect(world.lastChangeTick(Position.self) > written)
        #expect(world.lastChangeTick(Health.self) == written)
        try world.insert(Frozen(), into: a)  // a move to another archetype is not a change to Health
        #expect(world.lastChangeTick(Health.self) == written)
        let restored = try World(restoring: try world.snapshot(), types: [Health.self, Position.self, Frozen.self])
        #expect(restored.lastChangeTick(Health.self) == world.lastChangeTick(Health.self))
        #expect(restored.lastChangeTick(Position.self) == world.lastChangeTick(Position.self))
    }

    @Test func writeQueriesMarkRowsChanged() throws {
        let world = World()
        world.spawn(Health(value: 1), Frozen())
        world.spawn(Health(value: 2))
        let schedule = Schedule(phases: ["update"])
        var seen: [Int] = []
        schedule.add("writer", phase: "update", access: SystemAccess(writes: [Health.self])) { ctx in
            ctx.world.query(Write<Health>.self).without(Frozen.self).forEach { $0.value.value += 1 }
        }
        schedule.add("watcher", phase: "update", access: SystemAccess(reads: [Health.self]), after: ["writer"]) { ctx in
            seen = []
            ctx.world.query(Read<Health>.self).changed(Health.self).forEach { seen.append($0.value) }
        }
        try schedule.run(world)
        try schedule.run(world)
        #expect(seen == [4], "only the row the writer touched since the watcher last ran")
    }
}

@Suite("Schedule")
struct ScheduleTests {
    @Test func phasesRunInOrderAndSystemsFollowAfterAndBefore() throws {
        let world = World()
        let schedule = Schedule(phases: ["input", "simulate", "account", "present"])
        var log: [String] = []
        schedule.add("draw", phase: "present") { _ in log.append("draw") }
        schedule.add("ledger", phase: "account") { _ in log.append("ledger") }
        schedule.add("power", phase: "simulate", after: ["demand"]) { _ in log.append("power") }
        schedule.add("demand", phase: "simulate") { _ in log.append("demand") }
        schedule.add("weather", phase: "simulate", before: ["demand"]) { _ in log.append("weather") }
        schedule.add("keys", phase: "input") { _ in log.append("keys") }
        try schedule.run(world)
        #expect(log == ["keys", "weather", "demand", "power", "ledger", "draw"])
        #expect(try schedule.order().map(\.systems) == [["keys"], ["weather", "demand", "power"], ["ledger"], ["draw"]])
    }

    /// A tick run in slices runs the same systems in the same order as `run`: with no budget,
    /// one system a slice, and the tick is complete only after the last.
    @Test func aSlicedTickRunsEverySystemOnceInOrder() throws {
        let world = World()
        let schedule = Schedule(phases: ["input", "simulate", "account"])
        var log: [String] = []
        schedule.add("keys", phase: "input") { _ in log.append("keys") }
        schedule.add("weather", phase: "simulate") { _ in log.append("weather") }
        schedule.add("demand", phase: "simulate", after: ["weather"]) { _ in log.append("demand") }
        schedule.add("ledger", phase: "account") { _ in log.append("ledger") }
        var slices = 0
        var done = false
        while !done {
            // The first call runs one system to learn durations; after that a zero budget
            // still runs one system per slice (a slice always moves on).
            done = try schedule.runSlice(world, budget: .zero)
            slices += 1
            #expect(schedule.isMidTick == !done)
        }
        #expect(log == ["keys", "weather", "demand", "ledger"])
        #expect(slices == 4)
        // A generous budget runs the whole tick in one slice.
        log.removeAll()
        #expect(try schedule.runSlice(world, budget: .seconds(10)))
        #expect(log == ["keys", "weather", "demand", "ledger"])
        // finishTick completes a tick under way.
        log.removeAll()
        #expect(try schedule.runSlice(world, budget: .zero) == false)
        try schedule.finishTick(world)
        #expect(log == ["keys", "weather", "demand", "ledger"] && !schedule.isMidTick)
    }

    /// A system that says its run will be long (a year's work on one tick) is judged by its last
    /// long run, not by its recent short ones: a slice that has no room for that run stops before
    /// it. With room (a generous budget) the tick still runs whole; `finishTick` runs through it.
    @Test func aSystemWhoseRunIsLongIsJudgedByItsLastLongRun() throws {
        let world = World()
        let schedule = Schedule(phases: ["simulate", "account"])
        schedule.sliceMemory = 1  // the recent runs remember only the last one
        var log: [String] = []
        var yearEnd = false
        schedule.add("demand", phase: "simulate") { _ in log.append("demand") }
        schedule.add("settle", phase: "account", runsLong: { _ in yearEnd }) { _ in
            if yearEnd { usleep(20_000) }
            log.append("settle")
        }
        schedule.add("rules", phase: "account") { _ in log.append("rules") }
        // A first year's end with a generous budget: the whole tick at once (the long run is learnt).
        yearEnd = true
        #expect(try schedule.runSlice(world, budget: .seconds(10)))
        #expect(log == ["demand", "settle", "rules"])
        // An ordinary tick: settle is quick, and its last run (all the recent runs remember) says so.
        log.removeAll()
        yearEnd = false
        #expect(try schedule.runSlice(world, budget: .seconds(10)))
        #expect(log == ["demand", "settle", "rules"])
        // The next year's end in a 10 ms slice: its last long run (20 ms) does not fit after
        // demand, so the slice stops before it; the next slice starts with it.
        log.removeAll()
        yearEnd = true
        #expect(try schedule.runSlice(world, budget: .milliseconds(10)) == false)
        #expect(log == ["demand"] && schedule.isMidTick)
        _ = try schedule.runSlice(world, budget: .milliseconds(10))
        #expect(log.prefix(2) == ["demand", "settle"])
        try schedule.finishTick(world)
        #expect(log == ["demand", "settle", "rules"] && !schedule.isMidTick)
    }

    /// What a test's systems ran, in order (a class, so that the systems' closures share it).
    final class RunLog { var names: [String] = [] }

    /// A schedule of "weather" and "daily", whose first run takes 20 ms (a day's work at
    /// midnight) and whose later runs are quick.
    private func weatherAndASlowFirstDaily() -> (Schedule, RunLog) {
        let schedule = Schedule(phases: ["simulate"])
        let log = RunLog()
        var runs = 0
        schedule.add("weather", phase: "simulate") { _ in log.names.append("weather") }
        schedule.add("daily", phase: "simulate") { _ in
            runs += 1
            if runs == 1 { usleep(20_000) }
            log.names.append("daily")
        }
        return (schedule, log)
    }

    /// Whole ticks (`run`) are remembered as slices' runs are: after a whole tick whose system
    /// took 20 ms (a day's work at midnight), a 10 ms slice stops before that system instead of
    /// starting it late. (Unremembered, its estimate would be nothing, and the slice would run it.)
    @Test func aSliceRemembersTheRunsOfWholeTicks() throws {
        let world = World()
        let (schedule, log) = weatherAndASlowFirstDaily()
        try schedule.run(world)  // daily takes 20 ms, in a whole tick
        log.names.removeAll()
        #expect(try schedule.runSlice(world, budget: .milliseconds(10)) == false)
        #expect(log.names == ["weather"] && schedule.isMidTick)
        try schedule.finishTick(world)
        #expect(log.names == ["weather", "daily"] && !schedule.isMidTick)
    }

    /// A slice keeps a margin over a system's longest remembered run, since its next run may be
    /// longer: after an 8.5 ms run, a 10 ms slice that has run another system does not start it.
    /// (Judged by the 8.5 ms alone, it would start, and could end the slice late.)
    @Test func aSliceKeepsAMarginOverASystemsLongestRun() throws {
        let world = World()
        let schedule = Schedule(phases: ["simulate"])
        let log = RunLog()
        schedule.add("weather", phase: "simulate") { _ in log.names.append("weather") }
        schedule.add("daily", phase: "simulate") { _ in
            usleep(8_500)
            log.names.append("daily")
        }
        try schedule.run(world)
        log.names.removeAll()
        #expect(try schedule.runSlice(world, budget: .milliseconds(10)) == false)
        #expect(log.names == ["weather"] && schedule.isMidTick)
        try schedule.finishTick(world)
        #expect(log.names == ["weather", "daily"])
    }

    /// A slice that need not run a system (a frame's later slices) runs none when none fits, and
    /// then neither begins a tick nor moves the one under way.
    @Test func aSliceThatNeedNotRunOneMayRunNone() throws {
        let world = World()
        let schedule = Schedule(phases: ["simulate"])
        var log: [String] = []
        schedule.add("weather", phase: "simulate") { _ in log.append("weather") }
        schedule.add("demand", phase: "simulate") { _ in log.append("demand") }
        #expect(try schedule.runSlice(world, budget: .zero, runsAtLeastOne: false) == false)
        #expect(log.isEmpty && !schedule.isMidTick)
        #expect(try schedule.runSlice(world, budget: .zero) == false)
        #expect(log == ["weather"] && schedule.isMidTick)
        #expect(try schedule.runSlice(world, budget: .zero, runsAtLeastOne: false) == false)
        #expect(log == ["weather"] && schedule.isMidTick)
        #expect(try schedule.runSlice(world, budget: .zero))
        #expect(log == ["weather", "demand"] && !schedule.isMidTick)
    }

    /// A slice judges a system by its longest recent run, not its last: a system that was long
    /// once (20 ms, a day's work at midnight) and short since is still not started late in a
    /// 10 ms slice. (Its last run alone would have let it start.)
    @Test func aSliceRemembersASystemsLongestRecentRun() throws {
        let world = World()
        let (schedule, log) = weatherAndASlowFirstDaily()
        #expect(try schedule.runSlice(world, budget: .seconds(10)))   // daily takes 20 ms
        #expect(try schedule.runSlice(world, budget: .seconds(10)))   // daily is quick
        log.names.removeAll()
        #expect(try schedule.runSlice(world, budget: .milliseconds(10)) == false)
        #expect(log.names == ["weather"])
        try schedule.finishTick(world)
        #expect(log.names == ["weather", "daily"])
    }

    @Test func cyclesAndUnknownNamesAreErrors() {
        let schedule = Schedule(phases: ["a"])
        schedule.add("x", phase: "a", after: ["y"]) { _ in }
        schedule.add("y", phase: "a", after: ["x"]) { _ in }
        #expect(throws: ScheduleError.cycle(phase: "a", systems: ["x", "y"])) { try schedule.order() }
        let other = Schedule(phases: ["a"])
        other.add("x", phase: "b") { _ in }
        #expect(throws: ScheduleError.unknownPhase(system: "x", phase: "b")) { try other.order() }
    }

    @Test func undeclaredAccessIsRecorded() throws {
        let world = World()
        world.spawn(Health(value: 1))
        let schedule = Schedule(phases: ["a"])
        schedule.add("sneaky", phase: "a", access: SystemAccess(reads: [Health.self])) { ctx in
            ctx.world.query(Write<Health>.self).forEach { $0.value.value = 0 }
        }
        schedule.add("honest", phase: "a", access: SystemAccess(writes: [Health.self])) { ctx in
            ctx.world.query(Write<Health>.self).forEach { $0.value.value += 1 }
        }
        try schedule.run(world)
        #expect(schedule.accessViolations == ["system 'sneaky' writes ECSTests.Health without declaring it"])
    }

    @Test func undeclaredResourceAccessIsRecordedAndDeclaredAccessIsNot() throws {
        let world = World()
        world.insertResource(Counter(value: 1))
        world.insertResource(Tag<Int, Int>(value: 2))
        let schedule = Schedule(phases: ["a"])
        schedule.add("reader", phase: "a", access: SystemAccess(resourceReads: [Counter.self])) { ctx in
            _ = ctx.world.resource(Counter.self)
            ctx.world.withResource(Counter.self) { $0.value += 1 }
        }
        schedule.add("writer", phase: "a", access: SystemAccess(resourceReads: [Counter.self], resourceWrites: [Tag<Int, Int>.self])) { ctx in
            _ = ctx.world.resource(Counter.self)
            ctx.world.withResource(Tag<Int, Int>.self) { $0.value += 1 }
            _ = ctx.world.resource(Tag<Int, Int>.self)
        }
        try schedule.run(world)
        #expect(schedule.accessViolations == ["system 'reader' writes resource ECSTests.Counter without declaring it"])
        #expect(world.resource(Counter.self)?.value == 2 && world.resource(Tag<Int, Int>.self)?.value == 3)
    }
}

struct Counter { var value: Int }
/// A distinct resource type for each pair of type arguments.
struct Tag<A, B> { var value: Int }

@Suite("Resources")
struct ResourceTests {
    private static let arguments: [Any.Type] = [Int.self, Int8.self, Int16.self, Int32.self, UInt.self, UInt8.self, Double.self, String.self,
                                                Bool.self]

    /// Inserts, finds, replaces and removes 81 resources of distinct types: enough to make the
    /// world's table of resources (64 slots, kept at most half full) grow twice, and to probe
    /// past collisions.
    @Test func manyResourcesKeepTheirOwnValuesThroughGrowthAndRemoval() {
        let world = World()
        func each(_ body: (Int, any Any.Type, any Any.Type) -> Void) {
            for (i, a) in Self.arguments.enumerated() {
                for (j, b) in Self.arguments.enumerated() { body(i * Self.arguments.count + j, a, b) }
            }
        }
        func insert<A, B>(_: A.Type, _: B.Type, _ value: Int) { world.insertResource(Tag<A, B>(value: value)) }
        func value<A, B>(_: A.Type, _: B.Type) -> Int? { world.resource(Tag<A, B>.self)?.value }
        func remove<A, B>(_: A.Type, _: B.Type) -> Int? { world.removeResource(Tag<A, B>.self)?.value }
        each { n, a, b in insert(a, b, n) }
        var found: [Int?] = []
        each { _, a, b in found.append(value(a, b)) }
        #expect(found == (0..<81).map { $0 })
        each { n, a, b in if n % 3 == 0 { insert(a, b, n + 1000) } }
        each { n, a, b in if n % 5 == 0 { #expect(remove(a, b) == (n % 3 == 0 ? n + 1000 : n)) } }
        found = []
        each { _, a, b in found.append(value(a, b)) }
        #expect(found == (0..<81).map { $0 % 5 == 0 ? nil : $0 % 3 == 0 ? $0 + 1000 : $0 })
        #expect(world.resource(Counter.self) == nil && world.removeResource(Counter.self) == nil)
        each { n, a, b in if n % 5 == 0 { insert(a, b, -n) } }
        #expect(value(Int.self, Int.self) == 0 && value(Int8.self, Int.self) == 1009 && value(Int8.self, Int8.self) == -10
                && value(Int8.self, Int16.self) == 11 && value(Int8.self, Int32.self) == 1012)
    }
}

@Suite("Determinism")
struct DeterminismTests {
    /// A small deterministic scenario: spawns, moves, despawns and command buffers.
    func runScenario(seed: UInt64) throws -> UInt64 {
        var rng = SplitMix64(seed: seed)
        let world = World()
        let schedule = Schedule(phases: ["simulate", "account"])
        schedule.add("move", phase: "simulate", access: SystemAccess(reads: [Velocity.self], writes: [Position.self])) { ctx in
            ctx.world.query(Write<Position>.self, Read<Velocity>.self).without(Frozen.self).forEach { p, v in
                p.value.x += v.x * 0.1
                p.value.y += v.y * 0.1
            }
        }
        schedule.add("age", phase: "account", access: SystemAccess(writes: [Health.self])) { ctx in
            ctx.world.query(Entity.self, Write<Health>.self).forEach { entity, health in
                health.value.value -= 1
                if health.value.value <= 0 { ctx.commands.despawn(entity) }
            }
        }
        for _ in 0..<200 {
            for _ in 0..<Int(rng.next() % 20) {
                let e = world.spawn(Position(x: rng.unit(), y: rng.unit()), Velocity(x: rng.unit(), y: rng.unit()),
                                    Health(value: Int(rng.next() % 50) + 1))
                if rng.next() % 4 == 0 { try world.insert(Frozen(), into: e) }
            }
            try schedule.run(world)
        }
        return world.contentHash()
    }

    @Test func sameInputsGiveTheSameHashAndOtherInputsDoNot() throws {
        let first = try runScenario(seed: 7)
        let second = try runScenario(seed: 7)
        let other = try runScenario(seed: 8)
        #expect(first == second)
        #expect(first != other)
    }
}

/// A tiny seeded generator for tests (SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
