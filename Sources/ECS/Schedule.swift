// Schedule.swift — what runs when.
//
// A schedule is a list of named phases (e.g. input → simulate → account → present). Each system
// belongs to one phase and declares the components it reads and writes; within a phase, systems
// run in registration order unless `after:` / `before:` say otherwise. At the end of each phase
// the world's command buffer is applied (a sync point); at the end of a run, events age one tick.
//
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum FileHandleStderr {
    static func print(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}

// Systems run one after another on one thread. That keeps every run bit-identical; the declared
// access is checked at run time, so a query outside a system's declaration is reported.

/// What a system may touch, declared when it is added: components, and resources (any type
/// stored with `World.insertResource`). Writing implies reading.
public struct SystemAccess {
    public var reads: [any Component.Type]
    public var writes: [any Component.Type]
    public var resourceReads: [Any.Type]
    public var resourceWrites: [Any.Type]
    public init(reads: [any Component.Type] = [], writes: [any Component.Type] = [],
                resourceReads: [Any.Type] = [], resourceWrites: [Any.Type] = []) {
        self.reads = reads
        self.writes = writes
        self.resourceReads = resourceReads
        self.resourceWrites = resourceWrites
    }

    /// Everything `self` and `other` declare.
    public func merged(with other: SystemAccess) -> SystemAccess {
        SystemAccess(reads: reads + other.reads, writes: writes + other.writes,
                     resourceReads: resourceReads + other.resourceReads, resourceWrites: resourceWrites + other.resourceWrites)
    }
}

/// What a running system is given.
public struct SystemContext {
    public let world: World
    public let name: String
    /// The change tick of this system's previous run (0 on its first run).
    public let lastRun: UInt32
    let schedule: Schedule

    public var commands: Commands { world.commands }

    /// The events of this type sent since this system last read them, oldest first (Bevy's
    /// `EventReader` parameter). Where each system has read to is kept by its schedule, so a
    /// world made from a save, which has no events yet, starts every reader afresh.
    public func readEvents<E>(_ type: E.Type) -> [E] {
        let key = Schedule.EventPositionKey(system: name, event: ObjectIdentifier(E.self))
        var reader = EventReader<E>(position: schedule.eventPositions[key] ?? 0)
        let events = reader.read(world)
        schedule.eventPositions[key] = reader.nextSequence
        return events
    }
}

/// The declared access of the system that is running; queries made meanwhile are checked
/// against it (see `Query.init`).
struct ActiveAccess {
    let system: String
    let readable: ComponentSet
    let writable: ComponentSet
    /// A system declares a handful of resources: a scan of a short array is quicker than
    /// hashing into a set at every access.
    let readableResources: [ObjectIdentifier]
    let writableResources: [ObjectIdentifier]
    let schedule: Schedule
}

public enum ScheduleError: Error, Equatable, CustomStringConvertible {
    case unknownPhase(system: String, phase: String)
    case unknownSystem(system: String, reference: String)
    case duplicateSystem(String)
    case cycle(phase: String, systems: [String])

    public var description: String {
        switch self {
        case .unknownPhase(let s, let p): return "system '\(s)' names unknown phase '\(p)'"
        case .unknownSystem(let s, let r): return "system '\(s)' is ordered against unknown system '\(r)'"
        case .duplicateSystem(let s): return "system '\(s)' is added twice"
        case .cycle(let p, let names): return "ordering cycle in phase '\(p)' among: \(names.joined(separator: ", "))"
        }
    }
}

public final class Schedule {
    public struct System {
        public let name: String
        public let phase: String
        public let access: SystemAccess
        public let after: [String]
        public let before: [String]
        /// True when this run is expected to be long (a system that does a month's or a year's
        /// work on one tick, which its last runs do not show): a slice then judges it by its
        /// last run that said so, or, before it has had one, by the longest recent run of any
        /// system. Read-only on the world; nil, the slice judges by the system's recent runs alone.
        let runsLong: ((World) -> Bool)?
        let run: (SystemContext) -> Void
    }

    public let phases: [String]
    private var systems: [System] = []
    /// The change tick of each system's last run, by its index in `systems`.
    private var lastRun: [UInt32] = []
    struct EventPositionKey: Hashable {
        let system: String
        let event: ObjectIdentifier
    }
    /// How far each system has read each event type (see `SystemContext.readEvents`).
    var eventPositions: [EventPositionKey: Int] = [:]

    /// "SYSTEM has not read EVENT" for each event type some system reads and has not yet read
    /// to the end, sorted. Empty between ticks when every reader runs in the phase of its senders;
    /// a save checks it, because a snapshot does not hold events.
    public func unreadEvents(_ world: World) -> [String] {
        eventPositions.compactMap { key, position in
            guard let queue = world.eventQueues[key.event], queue.sequenceEnd > position else { return nil }
            return "\(key.system) has not read \(queue.eventTypeName)"
        }.sorted()
    }
    private var resolved: [[Int]]?
    private var accessSets: [(reads: ComponentSet, writes: ComponentSet)] = []
    private var resourceAccessSets: [(reads: [ObjectIdentifier], writes: [ObjectIdentifier])] = []
    public private(set) var accessViolations: [String] = []
    /// When set, each system's wall time is added to `systemNanoseconds` (for benchmarks only;
    /// timings never feed back into the world).
    public var profiling = false
    public private(set) var systemNanoseconds: [String: UInt64] = [:]
    /// The same runs' CPU time on the calling thread: unlike wall time, not stretched while the
    /// thread waits for a core on a busy machine.
    public private(set) var systemCPUNanoseconds: [String: UInt64] = [:]

    /// CPU time the calling thread has used so far (benches time a frame's share with it too).
    public static func threadCPUNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
    /// When not nil, `runSlice` appends what each slice ran, in order, with its wall time: each
    /// system by name, and the phases' deferred commands and the events' ageing as
    /// "(commands)" and "(events)" (for `bench render`, which names what filled its longest
    /// frame; timings never feed back into the world). The caller empties it.
    public var sliceLog: [(step: String, nanoseconds: UInt64)]?

    public init(phases: [String]) {
        self.phases = phases
    }

    /// Adds a system; `after` / `before` name systems of the same phase.
    /// `runsLong` says, before a run, that this run will be long (see `System.runsLong`).
    public func add(_ name: String, phase: String, access: SystemAccess = SystemAccess(),
                    after: [String] = [], before: [String] = [], runsLong: ((World) -> Bool)? = nil,
                    run: @escaping (SystemContext) -> Void) {
        systems.append(System(name: name, phase: phase, access: access, after: after, before: before, runsLong: runsLong, run: run))
        lastRun.append(0)
        resolved = nil
    }

    /// The systems of each phase in the order they will run.
    public func order() throws(ScheduleError) -> [(phase: String, systems: [String])] {
        let plan = try resolve()
        return zip(phases, plan).map { ($0, $1.map { systems[$0].name }) }
    }

    private func resolve() throws(ScheduleError) -> [[Int]] {
        if let resolved { return resolved }
        var indexByName: [String: Int] = [:]
        for (i, system) in systems.enumerated() {
            guard indexByName[system.name] == nil else { throw .duplicateSystem(system.name) }
            guard phases.contains(system.phase) else { throw .unknownPhase(system: system.name, phase: system.phase) }
            indexByName[system.name] = i
        }
        var plan: [[Int]] = []
        for phase in phases {
            let members = systems.indices.filter { systems[$0].phase == phase }
            // Edges: predecessor → successor, only within the phase.
            var predecessors = [Int: Set<Int>]()
            for m in members { predecessors[m] = [] }
            for m in members {
                for name in systems[m].after {
                    guard let other = indexByName[name] else { throw .unknownSystem(system: systems[m].name, reference: name) }
                    if systems[other].phase == phase { predecessors[m]!.insert(other) }
                }
                for name in systems[m].before {
                    guard let other = indexByName[name] else { throw .unknownSystem(system: systems[m].name, reference: name) }
                    if systems[other].phase == phase { predecessors[other]!.insert(m) }
                }
            }
            // Kahn's algorithm, always taking the earliest-registered ready system: a stable order.
            var ordered: [Int] = []
            var remaining = members
            while !remaining.isEmpty {
                guard let next = remaining.first(where: { predecessors[$0]!.isSubset(of: ordered) }) else {
                    throw .cycle(phase: phase, systems: remaining.map { systems[$0].name })
                }
                ordered.append(next)
                remaining.removeAll { $0 == next }
            }
            plan.append(ordered)
        }
        resolved = plan
        return plan
    }

    /// The declared access of each system, by name (for `netzero schedule` and docs).
    public var declaredAccess: [(name: String, access: SystemAccess)] { systems.map { ($0.name, $0.access) } }

    /// Runs every phase once: one tick of the world.
    public func run(_ world: World) throws(ScheduleError) {
        precondition(sliceCursor == nil, "a sliced tick is under way: finish it (finishTick) first")
        let plan = try resolve()
        prepareAccess(world)
        prepareSliceMemory()
        // Whole ticks are timed into the slices' memory too, so that slices after whole ticks
        // (a level run headless, then shown in the window; a bench's warm-up) know each
        // system's long hours, such as a day's work at midnight.
        for phaseSystems in plan {
            for index in phaseSystems {
                runRemembered(index, world, saysLong: systems[index].runsLong?(world) == true)
            }
            world.applyCommands()
        }
        world.updateEvents()
    }

    private func prepareSliceMemory() {
        if sliceNanoseconds.count != systems.count {
            sliceNanoseconds = Array(repeating: Array(repeating: 0, count: max(1, sliceMemory)), count: systems.count)
            sliceRingNext = Array(repeating: 0, count: systems.count)
        }
        if longRunNanoseconds.count != systems.count { longRunNanoseconds = Array(repeating: 0, count: systems.count) }
    }

    /// Where a sliced tick stands (the next system to run), nil between ticks.
    private var sliceCursor: (phase: Int, position: Int)?
    /// Each system's wall times over its last `sliceMemory` runs in slices (a ring per system),
    /// to judge whether it fits what is left of a slice's budget: the longest of them, since a
    /// system's cost changes with the tick (one that does a day's work at midnight is long one
    /// run in 24, and its last run says nothing of the next). Timings decide only where a tick
    /// pauses, never what it computes.
    private var sliceNanoseconds: [[UInt64]] = []
    private var sliceRingNext: [Int] = []
    /// How many of a system's runs its estimate remembers: more than the 24 hourly ticks of a
    /// simulated day, so that a system long once a day is known to be long the next day.
    public var sliceMemory = 32 {
        didSet { sliceNanoseconds = [] }
    }

    /// Each system's last run that it said would be long (`runsLong`), 0 before it has had one:
    /// kept apart from the ring, which a year's work on one tick would leave long before the next.
    private var longRunNanoseconds: [UInt64] = []

    /// What the system's next run is expected to take: the longest of its remembered runs, and
    /// when it says this run will be long, its last long run (or the longest remembered run of
    /// any system, before it has had one); and a quarter more, since the next run can be longer
    /// than any remembered one (more people move in today than yesterday; the machine is busier):
    /// a midnight's run a third longer than the last one took a 5 ms slice past its end.
    private func sliceEstimate(_ index: Int, saysLong: Bool) -> UInt64 {
        var expected = sliceNanoseconds[index].max() ?? 0
        if saysLong {
            let long = longRunNanoseconds[index] > 0 ? longRunNanoseconds[index] : (sliceNanoseconds.map { $0.max() ?? 0 }.max() ?? 0)
            expected = max(expected, long)
        }
        return expected + expected / 4
    }

    /// Runs one system and remembers how long it took (in its ring, and as its last long run
    /// when it said this one would be long). Returns the wall time.
    @discardableResult
    private func runRemembered(_ index: Int, _ world: World, saysLong: Bool) -> UInt64 {
        let start = ContinuousClock.now
        runSystem(index, world)
        let took = Schedule.nanoseconds(start.duration(to: ContinuousClock.now))
        sliceNanoseconds[index][sliceRingNext[index]] = took
        sliceRingNext[index] = (sliceRingNext[index] + 1) % sliceNanoseconds[index].count
        if saysLong { longRunNanoseconds[index] = took }
        return took
    }

    /// A tick begun by `runSlice` and not yet finished.
    public var isMidTick: Bool { sliceCursor != nil }

    /// Runs the tick's systems in order for at most about `budget` of wall time: before each
    /// system it stops if that system's expected run (`sliceEstimate`: its longest recent run, or
    /// its last long run when it says this one will be long, and a quarter more) would overrun the budget, except that the first system of a slice
    /// always runs when `runsAtLeastOne` is true (so a tick always moves on). The next call
    /// carries on where this one stopped. With `runsAtLeastOne` false (a frame's later slices,
    /// after a tick finished within the frame) a slice may run nothing, and then does not begin
    /// a tick. The systems run, and the phases' commands and the events age, exactly as `run`
    /// does them, so that a sliced tick computes the same bytes. Returns true when the tick is
    /// complete.
    public func runSlice(_ world: World, budget: Duration, runsAtLeastOne: Bool = true) throws(ScheduleError) -> Bool {
        try runSlice(world, budgetNanoseconds: Int64(Schedule.nanoseconds(budget)), runsAtLeastOne: runsAtLeastOne)
    }

    /// `budgetNanoseconds` nil: run to the end of the tick, whatever the systems say of their runs.
    private func runSlice(_ world: World, budgetNanoseconds: Int64?, runsAtLeastOne: Bool) throws(ScheduleError) -> Bool {
        let plan = try resolve()
        prepareAccess(world)
        prepareSliceMemory()
        let clock = ContinuousClock(), start = clock.now
        var (phase, position) = sliceCursor ?? (0, 0)
        var ranOne = !runsAtLeastOne
        while phase < plan.count {
            while position < plan[phase].count {
                let index = plan[phase][position]
                let saysLong = budgetNanoseconds != nil && systems[index].runsLong?(world) == true
                if ranOne, let budgetNanoseconds {
                    let elapsed = Int64(Schedule.nanoseconds(start.duration(to: clock.now)))
                    if elapsed + Int64(sliceEstimate(index, saysLong: saysLong)) >= budgetNanoseconds {
                        // Nothing run yet: the tick is left as it was (not begun, or where it stood).
                        if sliceCursor != nil || phase > 0 || position > 0 { sliceCursor = (phase, position) }
                        return false
                    }
                }
                let took = runRemembered(index, world, saysLong: saysLong)
                sliceLog?.append((systems[index].name, took))
                ranOne = true
                position += 1
            }
            let commandsStart = clock.now
            world.applyCommands()
            if sliceLog != nil { sliceLog!.append(("(commands)", Schedule.nanoseconds(commandsStart.duration(to: clock.now)))) }
            phase += 1
            position = 0
        }
        let eventsStart = clock.now
        world.updateEvents()
        if sliceLog != nil { sliceLog!.append(("(events)", Schedule.nanoseconds(eventsStart.duration(to: clock.now)))) }
        sliceCursor = nil
        return true
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(max(0, duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000))
    }

    /// Finishes a sliced tick, if one is under way.
    public func finishTick(_ world: World) throws(ScheduleError) {
        guard sliceCursor != nil else { return }
        _ = try runSlice(world, budgetNanoseconds: nil, runsAtLeastOne: true)
    }

    /// Runs the systems of one phase only, with the same access checks, then applies the
    /// deferred commands. Events do not age: this is part of a tick, not a tick. (A paused game
    /// applies the player's commands this way, through the input phase.)
    public func run(phase: String, _ world: World) throws(ScheduleError) {
        precondition(sliceCursor == nil, "a sliced tick is under way: finish it (finishTick) first")
        let plan = try resolve()
        guard let index = phases.firstIndex(of: phase) else { throw .unknownPhase(system: "run(phase:)", phase: phase) }
        prepareAccess(world)
        runSystems(plan[index], world)
        world.applyCommands()
    }

    private func prepareAccess(_ world: World) {
        guard accessSets.count != systems.count else { return }
        accessSets = systems.map { system in
            (ComponentSet(system.access.reads.map { world.componentID(ofExistential: $0) }),
             ComponentSet(system.access.writes.map { world.componentID(ofExistential: $0) }))
        }
        resourceAccessSets = systems.map { system in
            (system.access.resourceReads.map { ObjectIdentifier($0) }, system.access.resourceWrites.map { ObjectIdentifier($0) })
        }
    }

    private func runSystems(_ indices: [Int], _ world: World) {
        for index in indices { runSystem(index, world) }
    }

    private func runSystem(_ index: Int, _ world: World) {
        let system = systems[index]
        let previous = lastRun[index]
        let tick = world.beginSystem(lastRun: previous)
        world.activeAccess = ActiveAccess(system: system.name, readable: accessSets[index].reads,
                                          writable: accessSets[index].writes,
                                          readableResources: resourceAccessSets[index].reads,
                                          writableResources: resourceAccessSets[index].writes, schedule: self)
        if profiling {
            let start = ContinuousClock.now, cpuStart = Schedule.threadCPUNanoseconds()
            system.run(SystemContext(world: world, name: system.name, lastRun: previous, schedule: self))
            systemNanoseconds[system.name, default: 0] += Schedule.nanoseconds(ContinuousClock.now - start)
            systemCPUNanoseconds[system.name, default: 0] += Schedule.threadCPUNanoseconds() &- cpuStart
        } else {
            system.run(SystemContext(world: world, name: system.name, lastRun: previous, schedule: self))
        }
        world.activeAccess = nil
        world.endSystem()
        lastRun[index] = tick
    }

    /// Records a query term the running system did not declare. The query still runs, so that
    /// the mistake is visible in `accessViolations` and on stderr, not silent.
    func recordViolation(_ message: String) {
        if !accessViolations.contains(message) {
            accessViolations.append(message)
            FileHandleStderr.print("ECS: \(message)\n")
        }
    }
}

extension World {
    /// Checks a query's terms against the running system's declared access.
    @usableFromInline
    func checkAccess(terms: Int, isWrite: (Int) -> Bool, ids: [ComponentID?]) {
        guard let access = activeAccess else { return }
        for term in 0..<terms {
            guard let id = ids[term] else { continue }
            let write = isWrite(term)
            let allowed = write ? access.writable.contains(id) : (access.readable.contains(id) || access.writable.contains(id))
            if !allowed {
                access.schedule.recordViolation(
                    "system '\(access.system)' \(write ? "writes" : "reads") \(componentName(id)) without declaring it")
            }
        }
    }

    /// Checks a resource access against the running system's declaration.
    @usableFromInline
    func checkResourceAccess(_ type: Any.Type, write: Bool) {
        guard let access = activeAccess else { return }
        let id = ObjectIdentifier(type)
        let allowed = access.writableResources.contains(id) || (!write && access.readableResources.contains(id))
        if !allowed {
            access.schedule.recordViolation(
                "system '\(access.system)' \(write ? "writes" : "reads") resource \(String(reflecting: type)) without declaring it")
        }
    }

    fileprivate func componentID(ofExistential type: any Component.Type) -> ComponentID {
        func open<T: Component>(_ t: T.Type) -> ComponentID { self.componentID(t) }
        return open(type)
    }
}
