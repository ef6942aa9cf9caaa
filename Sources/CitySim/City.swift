// City.swift — one running city: the world, its schedule, and the operations on it.
//
// [SECTION] Creating a city from a level
// [SECTION] Stepping time
// [SECTION] Building, demolishing, upgrading
// [SECTION] Read-only view
//
// The game, the renderer and the headless runner all hold a `City`. They read it through
// `CityView` and change it only with `submit(_:)`, which queues a `CityCommand` for the next
// tick; the input phase applies the queue. That is why a log of commands replays a run.
import ECS

/// Names of the schedule's phases, in order.
public enum Phase {
    public static let input = "input"
    public static let simulate = "simulate"
    public static let account = "account"
    public static let all = [input, simulate, account]
}

/// Everything a level fixes before the first tick.
public struct LevelSetup: Sendable {
    public var info: LevelInfo
    public var width: Int
    public var height: Int
    public var budget: Double
    public var terrain: [(x: Int, y: Int, terrain: Terrain)] = []
    public var placements: [(structure: Structure, x: Int, y: Int)] = []
    public var upgrades: [(upgrade: UpgradeKind, x: Int, y: Int)] = []
    public var policies = Policies()
    /// The level's `[market]` settings (cap and trade runs only when the `cap_and_trade` policy is on).
    public var market = MarketRules()
    public init(info: LevelInfo, width: Int, height: Int, budget: Double) {
        self.info = info
        self.width = width
        self.height = height
        self.budget = budget
    }
}

public final class City {
    public let world: World
    let schedule: Schedule
    /// The catalog in force (a level script may change a factor while the level runs).
    public var catalog: Catalog { world.resource(Catalog.self)! }

    // MARK: [SECTION] Creating a city from a level

    public init(level: LevelSetup, catalog: Catalog) {
        world = World()
        let builder = Simulation.build()
        schedule = builder.schedule
        let setup = CitySetup(level: level, catalog: catalog, clock: Clock(startYear: level.info.startYear))
        for start in builder.starters { start(setup, world) }
        let clock = setup.clock
        // The starting city is built free, then people move in.
        for placement in level.placements {
            _ = place(placement.structure, x: placement.x, y: placement.y, free: true)
        }
        world.applyCommands()  // the structures must exist before they are upgraded
        // Stored in map order (a level lists its structures in any order): the walks over them
        // (the home blocks' flows and routes, newcomers filling homes) then read the map's
        // arrays in order rather than at random.
        let width = level.width
        world.sortRows(by: TilePosition.self) { Int($0.y) * width + Int($0.x) }
        Sinks.establishStartingZones(world: world, ageYears: level.info.greenAgeYears)
        for upgrade in level.upgrades { _ = apply(.upgrade(upgrade.upgrade, x: upgrade.x, y: upgrade.y), free: true) }
        refreshNetworks()
        var homes = 0
        let capacities = BuildingCapacities(catalog)
        world.query(Read<Building>.self).forEach { b in
            if b.kind == .residential { homes += Int(b.capacity(capacities)) }
        }
        Population.moveIn(world: world, count: Int(Double(homes) * level.info.initialOccupancy), catalog: catalog, day: 0)
        world.applyCommands()
        Sinks.countStartingForest(world: world)
        Economy.takeCensus(world: world)
        // The starting city's embodied carbon is not this player's doing: start the books at zero.
        world.withResource(Ledger.self) { ledger in ledger = Ledger(start: clock.date) }
        world.query(Write<ConstructionLine>.self).forEach { $0.value = ConstructionLine() }
    }

    /// A city rebuilt from a save (SaveGame.swift): `world` already holds every entity and every
    /// saved resource; the catalog is the one the caller built from the save's header.
    init(restoring world: World, catalog: Catalog) {
        self.world = world
        world.insertResource(catalog)
        world.insertResource(TripFlowState())  // never saved: its caches rebuild on first use (Transport.swift)
        Transport.giveHomesTripLines(world)      // saves from before every resident's trips, or before trips out of town
        BuildingLoads.giveBuildingsLoads(world)  // saves from before buildings' loads were kept
        Commutes.giveCitizensCommutes(world)     // saves from before commutes were kept; sums the totals
        schedule = Simulation.makeSchedule()
    }

    /// Every component type of the simulation; a save's component names are mapped back to these.
    static var componentTypes: [any Component.Type] { Simulation.componentTypes }

    // MARK: [SECTION] Stepping time

    /// A city for a level: its setup, rules and objectives.
    public convenience init(level: LevelDefinition, catalog: Catalog) {
        self.init(level: level.setup, catalog: catalog)
        world.insertResource(LevelRules(objectives: level.objectives, triggers: level.triggers, allowedTools: level.allowedTools))
    }

    /// Queues a command for the next tick. Returns the index its record will have in the
    /// command log (what `.undo(index:)` names): commands are logged in the order queued.
    @discardableResult
    public func submit(_ command: CityCommand, from source: CommandSource = .player) -> Int {
        world.withResource(CommandQueue.self) { queue in
            queue.pending.append((command, source))
            return queue.applied.count + queue.pending.count - 1
        }
    }

    /// Fixes (or, with nil, frees) the weather from the next tick on. Level events (a heatwave,
    /// a drought) and tests use this; it is part of the level's script, not a player command.
    public func overrideWeather(_ fixed: WeatherOverride?) {
        world.withResource(Weather.self) { $0.override = fixed }
    }

    /// Applies queued commands now, between ticks, by running the input phase alone, with its
    /// declared access checked (used while the game is paused, so that building shows at once).
    /// Records them at the current tick, which is the tick whose input phase would have applied
    /// them: replays match.
    public func applyPendingCommands() {
        guard !world.resource(CommandQueue.self)!.pending.isEmpty else { return }
        finishTick()  // commands apply between ticks
        do {
            try schedule.run(phase: Phase.input, world)
        } catch {
            preconditionFailure("the simulation schedule is inconsistent: \(error)")
        }
    }

    /// The level's script, told about the city's events (see `LevelScriptHost`).
    public private(set) var script: LevelScriptHost?
    private var scriptStarted = false
    private var commandsForScript = EventReader<CommandApplied>()
    private var objectivesForScript = EventReader<ObjectiveChanged>()

    /// Attaches a script; `started` says whether its on_start already ran (a loaded game).
    public func attach(script host: LevelScriptHost, started: Bool = false) {
        script = host
        scriptStarted = started
        commandsForScript = EventReader(after: world)
        objectivesForScript = EventReader(after: world)
        host.didAttach(to: self)
    }

    /// Runs one tick (one game hour), then tells the script what happened. If a sliced tick is
    /// under way (`stepSlice`), that tick is the one finished.
    public func step() {
        if schedule.isMidTick {
            finishTick()
            return
        }
        startScriptIfNeeded()
        do {
            try schedule.run(world)
        } catch {
            preconditionFailure("the simulation schedule is inconsistent: \(error)")
        }
        tickEnded()
    }

    /// Runs the next part of a tick for at most about `budget` seconds (at least one system when
    /// `runsAtLeastOne`, so the tick always moves on; otherwise maybe none): the window's way of
    /// keeping each frame's share of the simulation small. Returns true when this call finished a tick. A sliced tick computes
    /// exactly what `step()` does; between slices the city is mid-tick (`isMidTick`), and
    /// commands, saves and `step()` first finish it.
    @discardableResult
    public func stepSlice(budget: Double, runsAtLeastOne: Bool = true) -> Bool {
        if !schedule.isMidTick { startScriptIfNeeded() }
        let done: Bool
        do {
            done = try schedule.runSlice(world, budget: .nanoseconds(Int64(max(0, budget) * 1e9)), runsAtLeastOne: runsAtLeastOne)
        } catch {
            preconditionFailure("the simulation schedule is inconsistent: \(error)")
        }
        if done { tickEnded() }
        return done
    }

    /// A tick begun by `stepSlice` is not finished.
    public var isMidTick: Bool { schedule.isMidTick }

    /// Finishes a tick begun by `stepSlice`, if any.
    public func finishTick() {
        guard schedule.isMidTick else { return }
        do {
            try schedule.finishTick(world)
        } catch {
            preconditionFailure("the simulation schedule is inconsistent: \(error)")
        }
        tickEnded()
    }

    private func startScriptIfNeeded() {
        if let script, !scriptStarted {
            scriptStarted = true
            script.onStart(self)
        }
    }

    /// What follows a whole tick: the script hears of the tick's commands, objectives and dates.
    private func tickEnded() {
        guard let script else { return }
        let map = world.resource(TileMap.self)!
        for event in commandsForScript.read(world) {
            if case .build(let structure, let x, let y) = event.record.command, case .done = event.record.outcome {
                script.onBuild(self, entity: map.occupant[map.index(x, y)], structure: structure.key, x: x, y: y)
            }
        }
        for event in objectivesForScript.read(world) { script.onObjective(self, id: event.id, status: event.status) }
        script.onTick(self)
        let clock = view.clock
        if clock.isNewDay { script.onDay(self) }
        if clock.isNewYear { script.onYear(self) }
    }

    public func run(hours: Int) {
        for _ in 0..<hours { step() }
    }

    /// Per-system wall time (for `netzero bench sim --systems`); off by default.
    public var profiling: Bool {
        get { schedule.profiling }
        set { schedule.profiling = newValue }
    }
    public var systemNanoseconds: [String: UInt64] { schedule.systemNanoseconds }
    /// Per-system CPU time of the calling thread (`Schedule.systemCPUNanoseconds`).
    public var systemCPUNanoseconds: [String: UInt64] { schedule.systemCPUNanoseconds }
    /// What the slices ran, when not nil (`Schedule.sliceLog`; for `bench render`).
    public var sliceLog: [(step: String, nanoseconds: UInt64)]? {
        get { schedule.sliceLog }
        set { schedule.sliceLog = newValue }
    }

    /// The resolved order of systems, phase by phase (for docs and tests).
    public var systemOrder: [(phase: String, systems: [String])] { (try? schedule.order()) ?? [] }

    func refreshNetworks() {
        City.refreshNetworks(world: world)
    }

    static func refreshNetworks(world: World) {
        let map = world.resource(TileMap.self)!
        guard map.networksDirty || map.revision != map.linkedRevision else { return }
        let networksChanged = map.networksDirty
        linkStructures(world: world)
        if networksChanged { Transport.refreshAccess(world: world) }
    }

    /// Rebuilds the networks if needed and links every structure to its power island.
    static func linkStructures(world: World) {
        // Linking reads the rebuilt map while it writes buildings, so it works on a copy (shared storage, no copy made).
        let map = world.withResource(TileMap.self) { map in
            map.rebuildNetworks()
            map.markLinked()
            return map
        }
        world.withResource(PowerGrid.self) { $0.resize(islands: map.roadComponentCount) }
        let islandOf = { (p: TilePosition) in Int32(map.island(servingX: Int(p.x), y: Int(p.y)) + 1) }
        let reach = Int(world.resource(Catalog.self)!.travel.railReach)
        world.query(Write<Building>.self, Read<TilePosition>.self).forEach { building, position in
            building.value.island = islandOf(position)
            guard building.value.kind == .industrial else { return }
            var siding = false
            for dy in -reach...reach {
                for dx in -reach...reach where map.contains(Int(position.x) + dx, Int(position.y) + dy) {
                    if map.structure[map.index(Int(position.x) + dx, Int(position.y) + dy)].isRail { siding = true }
                }
            }
            building.value.hasRailSiding = siding
        }
        world.query(Write<PowerPlant>.self, Read<TilePosition>.self).forEach { $0.value.island = islandOf($1) }
        world.query(Write<StorageUnit>.self, Read<TilePosition>.self).forEach { $0.value.island = islandOf($1) }
        var homeIslands: [Entity: Int32] = [:]
        world.query(Entity.self, Read<Building>.self).forEach { e, b in if b.kind == .residential { homeIslands[e] = b.island } }
        var movedIsland: [Entity] = []
        world.query(Entity.self, Write<Citizen>.self).forEach { entity, citizen in
            let island = homeIslands[citizen.value.home] ?? 0
            guard island != citizen.value.island else { return }
            citizen.value.island = island
            movedIsland.append(entity)
        }
        Commutes.reconsider(world: world, movedIsland)  // their commutes' electricity moves with them
    }

    // MARK: [SECTION] Building, demolishing, upgrading

    /// Applies a command now (the input phase calls this for queued commands).
    @discardableResult
    func apply(_ command: CityCommand, free: Bool = false) -> CommandOutcome {
        City.apply(command, world: world, free: free)
    }

    @discardableResult
    func place(_ structure: Structure, x: Int, y: Int, free: Bool) -> CommandOutcome {
        City.apply(.build(structure, x: x, y: y), world: world, free: free)
    }

    static func apply(_ command: CityCommand, world: World, free: Bool) -> CommandOutcome {
        perform(command, world: world, free: free).outcome
    }

    /// Applies a command now: its outcome, and on success what it changed (for undo).
    static func perform(_ command: CityCommand, world: World, free: Bool) -> (outcome: CommandOutcome, effect: CommandEffect?) {
        let catalog = world.resource(Catalog.self)!
        switch command {
        case .setPolicy(let name, let value):
            guard let lever = PolicyLever.named(name) else { return (.refused(.unknownPolicy(name: name)), nil) }
            guard value.isFinite else { return (.refused(.notANumber), nil) }
            guard lever.range.contains(value) else {
                return (.refused(.policyOutOfRange(name: name, lowest: lever.range.lowerBound, highest: lever.range.upperBound, unit: lever.unit)), nil)
            }
            let previous = world.resource(Policies.self)![lever]
            world.withResource(Policies.self) { $0[lever] = value }
            return (.done(cost: 0), .policy(previous: previous))
        case .sellOffsets(let count):
            let outcome = Offsets.sell(count: count, world: world)
            return (outcome, outcome.succeeded ? .sold : nil)
        case .undo(let index):
            return undo(index, world: world, catalog: catalog)
        case .build, .demolish, .upgrade: break
        }
        guard let (x, y) = command.tile else { return (.refused(.outsideMap), nil) }
        return world.withResource(TileMap.self) { map in
            guard map.contains(x, y) else { return (.refused(.outsideMap), nil) }
            return applyOnTile(command, x: x, y: y, map: &map, world: world, catalog: catalog, free: free)
        }
    }

    private static func applyOnTile(_ command: CityCommand, x: Int, y: Int, map: inout TileMap, world: World, catalog: Catalog,
                                    free: Bool) -> (outcome: CommandOutcome, effect: CommandEffect?) {
        let i = map.index(x, y)
        func affordable(_ cost: Double) -> Bool { free || world.resource(Budget.self)!.balance >= cost }
        func pay(_ cost: Double, _ line: BudgetLine) {
            guard !free else { return }
            world.withResource(Budget.self) { $0.spend(cost) }
            world.book(line, -cost)
        }
        switch command {
        case .build(let structure, _, _):
            let check = checkBuild(structure, x: x, y: y, map: map, world: world, catalog: catalog, free: free)
            if let refusal = check.refusal { return (.refused(refusal), nil) }
            let cost = check.cost, standardUpgrades = check.upgrades
            var entity: Entity?
            switch structure {
            case .busStop: map.setStructure(x, y, .busStop)
            case .metroStation: map.setStructure(x, y, .metroStation)
            case .bikeLane: map.setBikeLane(x, y, true)
            case .metroTunnel: map.setTunnel(x, y, true)
            default:
                switch structure {
                case .road: map.setStructure(x, y, .road)
                case .rail: map.setStructure(x, y, .rail)
                default:
                    let spawned = spawnStructure(structure, x: x, y: y, world: world, catalog: catalog, upgrades: standardUpgrades)
                    map.setStructure(x, y, .entity, occupant: spawned)
                    entity = spawned
                }
            }
            pay(cost, .construction)
            if !free, let piece = NetworkPiece.built(structure, on: map.terrain[i]) { bookNetwork(piece, tiles: 1, world: world) }
            return (.done(cost: cost), .built(structure, entity: entity))
        case .demolish:
            switch map.structure[i] {
            case .none:
                // An empty surface: the tunnel below, if any, is filled in.
                guard map.tunnel[i] else { return (.refused(.nothingToDemolish), nil) }
                map.setTunnel(x, y, false)
                return (.done(cost: 0), .demolishedTunnel)
            case .road, .rail, .busStop, .metroStation:
                let previous = map.structure[i]
                map.setStructure(x, y, map.surface(afterRemoving: previous, at: i))
                return (.done(cost: 0), .demolishedTile(previous))
            case .entity:
                let entity = map.occupant[i]
                let structure = City.structure(of: entity, world: world)
                let cost = free ? 0 : demolitionCost(entity, world: world, catalog: catalog)
                removeStructure(entity, world: world, catalog: catalog)
                map.setStructure(x, y, .none)
                pay(cost, .demolition)
                return (.done(cost: cost), structure.map { .demolishedStructure($0) })
            }
        case .upgrade(let upgrade, _, _):
            guard map.structure[i] == .entity else { return (.refused(.nothingToUpgrade), nil) }
            let entity = map.occupant[i]
            if upgrade == .ccus {
                guard let plant = try? world.get(PowerPlant.self, of: entity), plant.kind.canFitCCUS else {
                    return (.refused(.captureFitsFossilPlants), nil)
                }
                guard !plant.hasCCUS else { return (.refused(.alreadyCaptures), nil) }
                let cost = free ? 0 : (plant.kind == .gas ? catalog.ccus.retrofitCostGas : catalog.ccus.retrofitCostCoal)
                guard affordable(cost) else { return (.refused(.noMoney(needed: cost)), nil) }
                try? world.modify(PowerPlant.self, of: entity) { $0.hasCCUS = true }
                pay(cost, .upgrades)
                return (.done(cost: cost), .upgraded(upgrade))
            }
            guard let building = try? world.get(Building.self, of: entity) else { return (.refused(.upgradeFitsBuildings), nil) }
            guard !building.has(upgrade) else { return (.refused(.alreadyUpgraded), nil) }
            if upgrade == .pue && building.kind != .datacenter { return (.refused(.pueUpgradeIsForDataCentres), nil) }
            let cost = free ? 0 : catalog.upgrades[Int(upgrade.rawValue)].cost * building.density
            guard affordable(cost) else { return (.refused(.noMoney(needed: cost)), nil) }
            try? world.modify(Building.self, of: entity) { $0.upgrades |= upgrade.bit }
            pay(cost, .upgrades)
            return (.done(cost: cost), .upgraded(upgrade))
        case .setPolicy, .sellOffsets, .undo:
            return (.refused(.outsideMap), nil)
        }
    }

    /// Whether a build at (x, y) would be done now, and at what cost (with the standards'
    /// upgrades it must carry), or why it would be refused: the one check the build command
    /// applies, which the game's ghost under the cursor shows before the player clicks.
    static func checkBuild(_ structure: Structure, x: Int, y: Int, map: TileMap, world: World, catalog: Catalog,
                           free: Bool, spentBefore: Double = 0) -> (cost: Double, upgrades: UInt8, refusal: Refusal?) {
        func refused(_ refusal: Refusal) -> (cost: Double, upgrades: UInt8, refusal: Refusal?) { (0, 0, refusal) }
        guard map.contains(x, y) else { return refused(.outsideMap) }
        let i = map.index(x, y)
        if case .building(_, let density) = structure, !(density.isFinite && density > 0 && density <= 1) {
            return refused(.notANumber)
        }
        // Standards (PUE cap, efficiency standard) bind what the player builds, not the starting city.
        let standard = free ? (upgrades: UInt8(0), cost: 0.0) : Adoption.standard(for: structure, world: world)
        let cost = free ? 0 : City.cost(of: structure, on: map.terrain[i], catalog: catalog) + standard.cost
        guard cost.isFinite else { return refused(.notANumber) }
        guard free || world.resource(Budget.self)!.balance - spentBefore >= cost else { return refused(.noMoney(needed: cost)) }
        switch structure {
        case .busStop:
            guard map.structure[i] == .road else { return refused(.busStopNeedsRoad) }
        case .metroStation:
            // On surface rail, or over a tunnel on an empty tile of land (the station's entrance).
            let overTunnel = map.tunnel[i] && map.structure[i] == .none
            guard map.structure[i] == .rail || overTunnel else { return refused(.metroStationNeedsRail) }
            if overTunnel && !map.terrain[i].isBuildable { return refused(.cannotBuildOn(map.terrain[i])) }
        case .bikeLane:
            guard map.structure[i].isRoad else { return refused(.bikeLaneNeedsRoad) }
            guard !map.bikeLane[i] else { return refused(.alreadyBikeLane) }
        case .metroTunnel:
            // Under anything (buildings, roads, water), but not under surface track: the two
            // would be one rail tile twice.
            guard !map.tunnel[i] else { return refused(.alreadyTunnel) }
            guard !map.structure[i].isRail else { return refused(.tunnelMeetsRail) }
        default:
            // Road and rail bridge water; nothing else stands on it.
            let bridge = (structure == .road || structure == .rail) && map.terrain[i] == .water
            guard map.terrain[i].isBuildable || bridge else { return refused(.cannotBuildOn(map.terrain[i])) }
            guard map.structure[i] == .none else { return refused(.occupied) }
            if structure == .rail && map.tunnel[i] { return refused(.tunnelMeetsRail) }
        }
        return (cost, standard.upgrades, nil)
    }

    /// What the player's build of `structure` at (x, y) would cost now, or why it would be
    /// refused, after `spentBefore` yuan of the same drag: the build command's own check
    /// (`checkBuild`), without changing anything.
    public func checkBuild(_ structure: Structure, x: Int, y: Int, spentBefore: Double = 0) -> (cost: Double, refusal: Refusal?) {
        if let rules = world.resource(LevelRules.self), !rules.allows(structure.key) { return (0, .toolUnavailable(tool: structure.key)) }
        let map = world.resource(TileMap.self)!
        let check = City.checkBuild(structure, x: x, y: y, map: map, world: world, catalog: world.resource(Catalog.self)!, free: false,
                                    spentBefore: spentBefore)
        return (check.cost, check.refusal)
    }

    /// The structure an entity stands for (nil for citizens).
    static func structure(of entity: Entity, world: World) -> Structure? {
        if let b = try? world.get(Building.self, of: entity) { return .building(b.kind, density: b.density) }
        if let p = try? world.get(PowerPlant.self, of: entity) { return .plant(p.kind) }
        if let s = try? world.get(StorageUnit.self, of: entity) { return .storage(s.kind) }
        if let z = try? world.get(GreenZone.self, of: entity) { return .zone(z.kind) }
        return nil
    }

    /// Ticks within which undoing a build or an upgrade refunds it in full and takes back its
    /// construction carbon: the same game day, as a fresh placement is refunded in city builders.
    public static let refundWindowTicks: Int64 = 24

    /// The exact inverse of the command at `index` of the log, if it succeeded and what it
    /// changed is still as it left it.
    private static func undo(_ index: Int, world: World, catalog: Catalog) -> (outcome: CommandOutcome, effect: CommandEffect?) {
        let log = world.resource(CommandQueue.self)!.applied
        guard log.indices.contains(index), log[index].outcome.succeeded, let effect = log[index].effect else {
            return (.refused(.nothingToUndo), nil)
        }
        let record = log[index]
        if log.contains(where: { $0.command == .undo(index: index) && $0.outcome.succeeded }) { return (.refused(.alreadyUndone), nil) }
        let tick = world.resource(Clock.self)!.tick
        let refund: Double
        if case .done(let cost) = record.outcome, tick - record.tick < refundWindowTicks { refund = cost } else { refund = 0 }
        func refunded() -> (outcome: CommandOutcome, effect: CommandEffect?) {
            if refund != 0 {
                world.withResource(Budget.self) { $0.spend(-refund) }
                world.book(BudgetLine.paying(for: record.command), refund)
            }
            return (.done(cost: -refund), .undid(index: index))
        }
        switch (record.command, effect) {
        case (.setPolicy(let name, let value), .policy(let previous)):
            guard let lever = PolicyLever.named(name), world.resource(Policies.self)![lever] == value else { return (.refused(.changedSince), nil) }
            world.withResource(Policies.self) { $0[lever] = previous }
            return refunded()
        case (.build(_, let x, let y), .built(let structure, let entity)):
            return world.withResource(TileMap.self) { map in
                let i = map.index(x, y)
                switch structure {
                case .bikeLane:
                    guard map.bikeLane[i] else { return (.refused(.changedSince), nil) }
                    map.setBikeLane(x, y, false)
                case .busStop, .metroStation:
                    let kind: TileStructure = structure == .busStop ? .busStop : .metroStation
                    guard map.structure[i] == kind else { return (.refused(.changedSince), nil) }
                    map.setStructure(x, y, map.surface(afterRemoving: kind, at: i))
                case .road, .rail:
                    guard map.structure[i] == (structure == .road ? .road : .rail), !map.bikeLane[i] else { return (.refused(.changedSince), nil) }
                    // Within the refund window the piece's construction carbon is booked back too.
                    if refund != 0, let piece = NetworkPiece.built(structure, on: map.terrain[i]) { bookNetwork(piece, tiles: -1, world: world) }
                    map.setStructure(x, y, .none)
                case .metroTunnel:
                    guard map.tunnel[i], map.structure[i] != .metroStation else { return (.refused(.changedSince), nil) }
                    if refund != 0 { bookNetwork(.tunnel, tiles: -1, world: world) }
                    map.setTunnel(x, y, false)
                default:
                    guard let entity, map.structure[i] == .entity, map.occupant[i] == entity else { return (.refused(.changedSince), nil) }
                    // Within the refund window the construction carbon was never really spent:
                    // it is booked back as a correction before the structure goes.
                    if refund != 0 { takeBackConstruction(of: entity, world: world) }
                    removeStructure(entity, world: world, catalog: catalog)
                    map.setStructure(x, y, .none)
                }
                return refunded()
            }
        case (.upgrade(let upgrade, let x, let y), .upgraded):
            let map = world.resource(TileMap.self)!
            let entity = map.occupant[map.index(x, y)]
            if upgrade == .ccus {
                guard (try? world.get(PowerPlant.self, of: entity))?.hasCCUS == true else { return (.refused(.changedSince), nil) }
                try? world.modify(PowerPlant.self, of: entity) { $0.hasCCUS = false }
            } else {
                guard (try? world.get(Building.self, of: entity))?.has(upgrade) == true else { return (.refused(.changedSince), nil) }
                try? world.modify(Building.self, of: entity) { $0.upgrades &= ~upgrade.bit }
            }
            return refunded()
        case (.demolish(let x, let y), .demolishedTile(let previous)):
            return world.withResource(TileMap.self) { map in
                let i = map.index(x, y)
                let now = map.structure[i]
                guard now == map.surface(afterRemoving: previous, at: i) else { return (.refused(.changedSince), nil) }
                map.setStructure(x, y, previous)
                return refunded()
            }
        case (.demolish(let x, let y), .demolishedTunnel):
            return world.withResource(TileMap.self) { map in
                let i = map.index(x, y)
                guard !map.tunnel[i], !map.structure[i].isRail else { return (.refused(.changedSince), nil) }
                map.setTunnel(x, y, true)
                return refunded()
            }
        default:
            return (.refused(.cannotUndo(tool: record.command.tool)), nil)
        }
    }

    /// Books the negative of an entity's construction flows this year (a correction, same
    /// factor and scope), so that an undone fresh build leaves no embodied carbon behind.
    static func takeBackConstruction(of entity: Entity, world: World) {
        let clock = world.resource(Clock.self)!
        guard let line = try? world.get(ConstructionLine.self, of: entity), line.flow.isUsed, line.flow.year == clock.year else { return }
        let flow = line.flow
        var tally = LedgerTally()
        try? world.modify(ConstructionLine.self, of: entity) { account in
            account.book(flow.factor, value: flow.factorValue, quantity: -flow.yearQuantity, tonnes: -flow.yearTonnes,
                         sector: flow.sector, scope: flow.scope, tick: clock.tick, year: clock.year)
        }
        tally.add(-flow.yearTonnes, sector: flow.sector, scope: flow.scope)
        world.withResource(Ledger.self) { $0.absorb(tally) }
    }

    /// What building `structure` on a tile of `terrain` costs: a road or rail piece on water is a bridge.
    public static func cost(of structure: Structure, on terrain: Terrain, catalog: Catalog) -> Double {
        guard terrain == .water else { return cost(of: structure, catalog: catalog) }
        switch structure {
        case .road: return catalog.economy.roadBridgeCost
        case .rail: return catalog.economy.railBridgeCost
        default: return cost(of: structure, catalog: catalog)
        }
    }

    public static func cost(of structure: Structure, catalog: Catalog) -> Double {
        let economy = catalog.economy
        switch structure {
        case .building(let kind, let density): return catalog.building(kind).buildCost * density
        case .plant(let kind): return catalog.plant(kind).buildCost
        case .storage(let kind): return catalog.storageSpec(kind).buildCost
        case .zone(let kind): return catalog.zone(kind).buildCost
        case .road: return economy.roadCost
        case .rail: return economy.railCost
        case .busStop: return economy.busStopCost
        case .metroStation: return economy.metroStationCost
        case .bikeLane: return economy.roadCost * 0.1
        case .metroTunnel: return economy.metroTunnelCost
        }
    }

    static func demolitionCost(_ entity: Entity, world: World, catalog: Catalog) -> Double {
        guard let structure = structure(of: entity, world: world) else { return 0 }
        return catalog.economy.demolitionFraction * cost(of: structure, catalog: catalog)
    }

    /// Creates the entity for a structure and books its embodied carbon.
    static func spawnStructure(_ structure: Structure, x: Int, y: Int, world: World, catalog: Catalog, upgrades: UInt8 = 0) -> Entity {
        let clock = world.resource(Clock.self)!
        var construction = ConstructionLine()
        var tally = LedgerTally()
        func embodied(_ tonnes: Double, _ id: FactorID, _ sector: Sector, count: Double = 1) {
            guard tonnes > 0 else { return }
            construction.book(id, value: tonnes, quantity: count, tonnes: tonnes * count, sector: sector, scope: .outsideCity,
                              tick: clock.tick, year: clock.year)
            tally.add(tonnes * count, sector: sector, scope: .outsideCity)
        }
        let position = TilePosition(x, y)
        let entity: Entity
        switch structure {
        case .building(let kind, let density):
            let spec = catalog.building(kind)
            embodied(spec.embodied, spec.embodiedID, kind.sector, count: density)
            var building = Building(kind: kind, density: density)
            building.upgrades = upgrades
            switch kind {
            case .industrial:
                entity = world.commands.spawn(building, BuildingLoad(), position, construction, ElectricityLine(), PrimaryLine(),
                                              ProcessLine(), RoadFreightLine(), RailFreightLine())
            case .farm:
                entity = world.commands.spawn(building, BuildingLoad(), position, construction, ElectricityLine(), PrimaryLine(),
                                              ProcessLine())
            case .residential:  // its residents' school and other trips are booked on the home block (Transport.swift)
                entity = world.commands.spawn(building, BuildingLoad(), position, construction, ElectricityLine(), PrimaryLine(),
                                              CarTripsLine(), BusTripsLine(), TripElectricityLine(), OutOfTownTripsLine(),
                                              OutOfTownTripsBeyondLine())
            default:
                entity = world.commands.spawn(building, BuildingLoad(), position, construction, ElectricityLine(), PrimaryLine())
            }
        case .plant(let kind):
            let spec = catalog.plant(kind)
            embodied(spec.embodied, spec.embodiedID, .power)
            entity = world.commands.spawn(PowerPlant(kind: kind), position, construction, PrimaryLine(), ProcessLine())
        case .storage(let kind):
            let spec = catalog.storageSpec(kind)
            embodied(spec.embodied, spec.embodiedID, .power)
            entity = world.commands.spawn(StorageUnit(kind: kind), position, construction)
        case .zone(let kind):
            entity = world.commands.spawn(GreenZone(kind: kind), position, construction, PrimaryLine(), ProcessLine())
        case .road, .rail, .busStop, .metroStation, .bikeLane, .metroTunnel:
            preconditionFailure("tile structures have no entity")
        }
        world.withResource(Ledger.self) { $0.absorb(tally) }
        return entity
    }

    /// Removes a structure's entity: releases a green zone's stock, lets its residents leave and
    /// its workers lose their jobs, and keeps its year's flows in the ledger's retired books.
    static func removeStructure(_ entity: Entity, world: World, catalog: Catalog) {
        let clock = world.resource(Clock.self)!
        if let zone = try? world.get(GreenZone.self, of: entity), zone.stock > 0 {
            let spec = catalog.zone(zone.kind)
            let released = zone.stock * spec.releaseOnDemolition
            var tally = LedgerTally()
            try? world.modify(ConstructionLine.self, of: entity) { account in
                account.book(spec.releaseOnDemolitionID, value: spec.releaseOnDemolition, quantity: zone.stock,
                             tonnes: released, sector: .landSinks, scope: .direct, tick: clock.tick, year: clock.year)
            }
            tally.add(released, sector: .landSinks, scope: .direct)
            world.withResource(Ledger.self) { $0.absorb(tally) }
        }
        if let building = try? world.get(Building.self, of: entity) {
            var leaving: [Entity] = []
            var laidOff: [Entity] = []
            world.query(Entity.self, Read<Citizen>.self).forEach { citizen, c in
                if c.home == entity { leaving.append(citizen) } else if c.work == entity { laidOff.append(citizen) }
            }
            for citizen in leaving { removeCitizen(world: world, citizen) }
            for citizen in laidOff {
                Commutes.end(world: world, citizen)
                try? world.modify(Citizen.self, of: citizen) { $0.work = .none; $0.workTile = -1 }
            }
            _ = building
        }
        retire(entity, world: world)
    }

    /// Despawns a citizen, updating their home's and workplace's counts.
    static func removeCitizen(world: World, _ entity: Entity) {
        guard let citizen = try? world.get(Citizen.self, of: entity) else { return }
        try? world.modify(Building.self, of: citizen.home) { $0.residents -= 1 }
        if citizen.isEmployed { try? world.modify(Building.self, of: citizen.work) { $0.workers -= 1 } }
        Commutes.end(world: world, entity)
        retire(entity, world: world)
    }

    /// Moves an entity's year flows to the ledger's retired books, then despawns it (deferred).
    static func retire(_ entity: Entity, world: World) {
        let clock = world.resource(Clock.self)!
        let lines = world.ledgerLines(of: entity)
        world.withResource(Ledger.self) { ledger in
            for (_, flow, _) in lines {
                if flow.year == clock.year { ledger.retiredThisYear.add(flow.yearTonnes, sector: flow.sector, scope: flow.scope) }
                if flow.tick == clock.tick { ledger.retiredThisTick.add(flow.tickTonnes, sector: flow.sector, scope: flow.scope) }
            }
        }
        world.commands.despawn(entity)
    }

    // MARK: [SECTION] Read-only view

    public var view: CityView { CityView(world: world, catalog: catalog) }
}

/// What the renderer, the game and the reports may read. It has no way to change the city.
public struct CityView {
    let world: World
    public let catalog: Catalog

    public var clock: Clock { world.resource(Clock.self)! }
    public var map: TileMap { world.resource(TileMap.self)! }
    public var ledger: Ledger { world.resource(Ledger.self)! }
    public var grid: PowerGrid { world.resource(PowerGrid.self)! }
    public var budget: Budget { world.resource(Budget.self)! }
    /// The budget book as it stands now (a month or year with nothing booked yet reads as empty).
    public var budgetBook: BudgetBook { world.resource(BudgetBook.self)!.current(at: clock) }
    /// The balance projected to the year's end, and when the money would run out before then.
    public var budgetProjection: BudgetProjection {
        BudgetProjection(balance: budget.balance, book: world.resource(BudgetBook.self)!, clock: clock)
    }
    public var stats: CityStats { world.resource(CityStats.self)! }
    public var weather: Weather { world.resource(Weather.self)! }
    public var level: LevelInfo { world.resource(LevelInfo.self)! }
    public var transport: TransportState { world.resource(TransportState.self)! }
    public var air: AirQualityField { world.resource(AirQualityField.self)! }
    public var policies: Policies { world.resource(Policies.self)! }
    public var rules: LevelRules? { world.resource(LevelRules.self) }
    public var market: MarketConditions { world.resource(MarketConditions.self)! }
    public var carbonAccounts: CitizenCarbonAccounts { world.resource(CitizenCarbonAccounts.self) ?? CitizenCarbonAccounts() }
    /// Cap and trade (`market` above is the fuel-price conditions), the registry, and the
    /// certificate and offset books, for the game's carbon panels.
    public var carbonMarket: CarbonMarket { world.resource(CarbonMarket.self) ?? CarbonMarket() }
    public var registry: CarbonRegistry { world.resource(CarbonRegistry.self) ?? CarbonRegistry() }
    public var certificates: CertificateBook { world.resource(CertificateBook.self) ?? CertificateBook(year: clock.year) }
    public var offsets: OffsetBook { world.resource(OffsetBook.self) ?? OffsetBook(year: clock.year) }
    public var commandLog: [CommandRecord] { world.resource(CommandQueue.self)!.applied }
    /// The construction carbon of roads, bridges and tunnels (they have no entity).
    public var networkBooks: NetworkBooks { world.resource(NetworkBooks.self) ?? NetworkBooks() }

    public func building(_ entity: Entity) -> Building? { try? world.get(Building.self, of: entity) }
    public func plant(_ entity: Entity) -> PowerPlant? { try? world.get(PowerPlant.self, of: entity) }
    public func zone(_ entity: Entity) -> GreenZone? { try? world.get(GreenZone.self, of: entity) }
    public func storage(_ entity: Entity) -> StorageUnit? { try? world.get(StorageUnit.self, of: entity) }
    public func ledgerLines(_ entity: Entity) -> [(line: AccountLine, flow: Flow, lifetime: Double)] { world.ledgerLines(of: entity) }
    public func position(_ entity: Entity) -> TilePosition? { try? world.get(TilePosition.self, of: entity) }

    /// Every flow of an entity with the factor, its unit and source, and the quantity behind it.
    public func breakdown(_ entity: Entity) -> Breakdown? {
        guard world.isAlive(entity) else { return nil }
        let lines = world.ledgerLines(of: entity)
        let clock = self.clock
        func line(_ flow: Flow, tick: Bool) -> BreakdownLine {
            let factor = catalog.factor(flow.factor)
            let unit = factor?.unit ?? "gCO2/kWh"
            return BreakdownLine(factorPath: factor?.path ?? "grid factor this hour (dispatch: plant emissions ÷ kWh delivered)",
                                 factorValue: flow.factorValue, factorUnit: unit,
                                 source: factor?.source ?? "computed by grid.dispatch from the plants' catalog factors",
                                 quantity: tick ? flow.tickQuantity : flow.yearQuantity,
                                 quantityUnit: FactorUnits.split(unit).quantityUnit,
                                 tonnes: tick ? flow.tickTonnes : flow.yearTonnes, sector: flow.sector, scope: flow.scope,
                                 isDispatchedGridFactor: factor == nil)
        }
        let flows = lines.map(\.flow)
        return Breakdown(entity: entity, tick: clock.tick, year: clock.year,
                         thisTick: flows.filter { $0.tick == clock.tick }.map { line($0, tick: true) },
                         thisYear: flows.filter { $0.year == clock.year }.map { line($0, tick: false) },
                         lifetimeTonnes: lines.reduce(0) { $0 + $1.lifetime })
    }

    /// Entities of each kind, for the renderer (order is deterministic).
    public func forEachBuilding(_ body: (Entity, Building, TilePosition) -> Void) {
        world.query(Entity.self, Read<Building>.self, Read<TilePosition>.self).forEach(body)
    }
    public func forEachPlant(_ body: (Entity, PowerPlant, TilePosition) -> Void) {
        world.query(Entity.self, Read<PowerPlant>.self, Read<TilePosition>.self).forEach(body)
    }
    public func forEachZone(_ body: (Entity, GreenZone, TilePosition) -> Void) {
        world.query(Entity.self, Read<GreenZone>.self, Read<TilePosition>.self).forEach(body)
    }
    public func forEachStorage(_ body: (Entity, StorageUnit, TilePosition) -> Void) {
        world.query(Entity.self, Read<StorageUnit>.self, Read<TilePosition>.self).forEach(body)
    }
    public func forEachCitizen(_ body: (Entity, Citizen) -> Void) {
        world.query(Entity.self, Read<Citizen>.self).forEach(body)
    }
    public var citizenCount: Int { world.query(Read<Citizen>.self).count }
    public var entityCount: Int { world.entityCount }
}
