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
        schedule = Simulation.makeSchedule()
        let clock = Clock(startYear: level.info.startYear)
        world.insertResource(catalog)
        world.insertResource(level.info)
        world.insertResource(clock)
        world.insertResource(Weather(seed: level.info.seed))
        var map = TileMap(width: level.width, height: level.height)
        for (x, y, terrain) in level.terrain where map.contains(x, y) { map.setTerrain(x, y, terrain) }
        world.insertResource(map)
        world.insertResource(Ledger(start: clock.date))
        world.insertResource(PowerGrid())
        world.insertResource(TransportState(width: level.width, height: level.height))
        world.insertResource(AirQualityField(tiles: level.width * level.height))
        world.insertResource(Budget(balance: level.budget))
        world.insertResource(CityStats())
        world.insertResource(CommandQueue())
        world.insertResource(level.policies)
        world.insertResource(MarketConditions())
        world.insertResource(AdoptionState(catalog: catalog))
        world.insertResource(CitizenCarbonAccounts())
        world.insertResource(CarbonRegistry())
        var market = CarbonMarket()
        market.rules = level.market
        world.insertResource(market)
        world.insertResource(CertificateBook(year: clock.year))
        world.insertResource(OffsetBook(year: clock.year))
        // The starting city is built free, then people move in.
        for placement in level.placements {
            _ = place(placement.structure, x: placement.x, y: placement.y, free: true)
        }
        world.applyCommands()  // the structures must exist before they are upgraded
        for upgrade in level.upgrades { _ = apply(.upgrade(upgrade.upgrade, x: upgrade.x, y: upgrade.y), free: true) }
        refreshNetworks()
        var homes = 0
        world.query(Read<Building>.self).forEach { b in
            if b.kind == .residential { homes += Int(b.capacity(catalog.buildings[0])) }
        }
        Population.moveIn(world: world, count: Int(Double(homes) * level.info.initialOccupancy), catalog: catalog, day: 0)
        world.applyCommands()
        Economy.takeCensus(world: world)
        // The starting city's embodied carbon is not this player's doing: start the books at zero.
        world.withResource(Ledger.self) { ledger in ledger = Ledger(start: clock.date) }
        world.query(Write<ConstructionLine>.self).forEach { $0.value = ConstructionLine() }
    }

    /// A city rebuilt from a save (SaveGame.swift): `world` already holds every entity and resource.
    init(restoring world: World, catalog: Catalog) {
        self.world = world
        if world.resource(Catalog.self) == nil { world.insertResource(catalog) }
        if world.resource(AdoptionState.self) == nil { world.insertResource(AdoptionState(catalog: catalog)) }
        if world.resource(CitizenCarbonAccounts.self) == nil { world.insertResource(CitizenCarbonAccounts()) }
        let year = world.resource(Clock.self)?.year ?? 0
        if world.resource(CarbonRegistry.self) == nil { world.insertResource(CarbonRegistry()) }
        if world.resource(CarbonMarket.self) == nil { world.insertResource(CarbonMarket()) }
        if world.resource(CertificateBook.self) == nil { world.insertResource(CertificateBook(year: year)) }
        if world.resource(OffsetBook.self) == nil { world.insertResource(OffsetBook(year: year)) }
        schedule = Simulation.makeSchedule()
    }

    /// Every component type of the simulation; a save's component names are mapped back to these.
    static var componentTypes: [any Component.Type] {
        [TilePosition.self, Building.self, PowerPlant.self, StorageUnit.self, GreenZone.self, Citizen.self,
         ElectricityLine.self, PrimaryLine.self, ProcessLine.self, ConstructionLine.self, RoadFreightLine.self, RailFreightLine.self,
         CarTripsLine.self, BusTripsLine.self, TripElectricityLine.self]
    }

    // MARK: [SECTION] Stepping time

    /// A city for a level: its setup, rules and objectives.
    public convenience init(level: LevelDefinition, catalog: Catalog) {
        self.init(level: level.setup, catalog: catalog)
        world.insertResource(LevelRules(objectives: level.objectives, triggers: level.triggers, allowedTools: level.allowedTools))
    }

    /// Queues a command for the next tick.
    public func submit(_ command: CityCommand, from source: CommandSource = .player) {
        world.withResource(CommandQueue.self) { $0.pending.append((command, source)) }
    }

    /// Fixes (or, with nil, frees) the weather from the next tick on. Level events (a heatwave,
    /// a drought) and tests use this; it is part of the level's script, not a player command.
    public func overrideWeather(_ fixed: WeatherOverride?) {
        world.withResource(Weather.self) { $0.override = fixed }
    }

    /// Applies queued commands now, between ticks, exactly as the next tick's input phase would
    /// (used while the game is paused, so that building shows at once). Records them at the
    /// current tick, which is the tick whose input phase would have applied them: replays match.
    public func applyPendingCommands() {
        guard !world.resource(CommandQueue.self)!.pending.isEmpty else { return }
        Simulation.applyQueuedCommands(world: world)
        world.applyCommands()
        City.refreshNetworks(world: world)
    }

    /// The level's script, told about the city's events (see `LevelScriptHost`).
    public private(set) var script: LevelScriptHost?
    private var scriptStarted = false
    /// Commands before this index of the log have been reported to the script.
    private var scriptLogCursor = 0

    /// Attaches a script; `started` says whether its on_start already ran (a loaded game).
    public func attach(script host: LevelScriptHost, started: Bool = false) {
        script = host
        scriptStarted = started
        scriptLogCursor = world.resource(CommandQueue.self)!.applied.count
        host.didAttach(to: self)
    }

    /// Runs one tick (one game hour), then tells the script what happened.
    public func step() {
        if let script, !scriptStarted {
            scriptStarted = true
            script.onStart(self)
        }
        let statusesBefore = world.resource(LevelRules.self)?.statuses ?? []
        do {
            try schedule.run(world)
        } catch {
            preconditionFailure("the simulation schedule is inconsistent: \(error)")
        }
        guard let script else { return }
        let map = world.resource(TileMap.self)!
        let log = world.resource(CommandQueue.self)!.applied
        defer { scriptLogCursor = log.count }
        for record in log[min(scriptLogCursor, log.count)...] {
            if case .build(let structure, let x, let y) = record.command, case .done = record.outcome {
                script.onBuild(self, entity: map.occupant[map.index(x, y)], structure: structure.key, x: x, y: y)
            }
        }
        if let rules = world.resource(LevelRules.self) {
            for (i, status) in rules.statuses.enumerated() where i < statusesBefore.count && statusesBefore[i] != status {
                script.onObjective(self, id: rules.objectives[i].id, status: status)
            }
        }
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
        var map = world.removeResource(TileMap.self)!
        defer { world.insertResource(map) }
        map.rebuildNetworks()
        map.markLinked()
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
        world.query(Write<Citizen>.self).forEach { $0.value.island = homeIslands[$0.value.home] ?? 0 }
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
        let catalog = world.resource(Catalog.self)!
        // Taken out and put back, so that changing it does not copy the whole map.
        var map = world.removeResource(TileMap.self)!
        defer { world.insertResource(map) }
        switch command {
        case .setPolicy(let name, let value):
            guard let lever = PolicyLever.named(name) else { return .refused("unknown policy '\(name)'") }
            guard lever.range.contains(value) else {
                return .refused("\(name) must be within \(lever.range.lowerBound)…\(lever.range.upperBound) \(lever.unit)")
            }
            world.withResource(Policies.self) { $0[lever] = value }
            return .done(cost: 0)
        case .sellOffsets(let count):
            return Offsets.sell(count: count, world: world)
        case .build, .demolish, .upgrade: break
        }
        guard let (x, y) = command.tile else { return .refused("this command needs a tile") }
        guard map.contains(x, y) else { return .refused("tile (\(x), \(y)) is outside the map") }
        let i = map.index(x, y)
        switch command {
        case .build(let structure, _, _):
            // Standards (PUE cap, efficiency standard) bind what the player builds, not the starting city.
            let standard = free ? (upgrades: UInt8(0), cost: 0.0) : Adoption.standard(for: structure, world: world)
            let cost = free ? 0 : City.cost(of: structure, catalog: catalog) + standard.cost
            if !free && world.resource(Budget.self)!.balance < cost {
                return .refused("not enough money: \(structure.key) costs \(Int(cost)) yuan")
            }
            switch structure {
            case .busStop:
                guard map.structure[i] == .road else { return .refused("a bus stop goes on a road tile") }
                map.setStructure(x, y, .busStop)
            case .metroStation:
                guard map.structure[i] == .rail else { return .refused("a metro station goes on a rail tile") }
                map.setStructure(x, y, .metroStation)
            case .bikeLane:
                guard map.structure[i].isRoad else { return .refused("a bike lane goes on a road tile") }
                guard !map.bikeLane[i] else { return .refused("this road already has a bike lane") }
                map.setBikeLane(x, y, true)
            default:
                guard map.terrain[i].isBuildable else { return .refused("cannot build on \(map.terrain[i].name)") }
                guard map.structure[i] == .none else { return .refused("tile (\(x), \(y)) is already occupied") }
                switch structure {
                case .road: map.setStructure(x, y, .road)
                case .rail: map.setStructure(x, y, .rail)
                default:
                    let entity = spawnStructure(structure, x: x, y: y, world: world, catalog: catalog, upgrades: standard.upgrades)
                    map.setStructure(x, y, .entity, occupant: entity)
                }
            }
            if !free { world.withResource(Budget.self) { $0.spend(cost) } }
            return .done(cost: cost)
        case .demolish:
            switch map.structure[i] {
            case .none: return .refused("nothing to demolish at (\(x), \(y))")
            case .road, .rail, .busStop, .metroStation:
                map.setStructure(x, y, map.structure[i] == .busStop ? .road : map.structure[i] == .metroStation ? .rail : .none)
                return .done(cost: 0)
            case .entity:
                let entity = map.occupant[i]
                let cost = free ? 0 : demolitionCost(entity, world: world, catalog: catalog)
                removeStructure(entity, world: world, catalog: catalog)
                map.setStructure(x, y, .none)
                if !free { world.withResource(Budget.self) { $0.spend(cost) } }
                return .done(cost: cost)
            }
        case .upgrade(let upgrade, _, _):
            guard map.structure[i] == .entity else { return .refused("nothing to upgrade at (\(x), \(y))") }
            let entity = map.occupant[i]
            if upgrade == .ccus {
                guard let plant = try? world.get(PowerPlant.self, of: entity), plant.kind.canFitCCUS else {
                    return .refused("carbon capture fits coal and gas plants only")
                }
                guard !plant.hasCCUS else { return .refused("this plant already captures its carbon") }
                let cost = free ? 0 : (plant.kind == .gas ? catalog.ccus.retrofitCostGas : catalog.ccus.retrofitCostCoal)
                if !free && world.resource(Budget.self)!.balance < cost { return .refused("not enough money") }
                try? world.modify(PowerPlant.self, of: entity) { $0.hasCCUS = true }
                if !free { world.withResource(Budget.self) { $0.spend(cost) } }
                return .done(cost: cost)
            }
            guard let building = try? world.get(Building.self, of: entity) else { return .refused("upgrades fit buildings only") }
            guard !building.has(upgrade) else { return .refused("already upgraded") }
            if upgrade == .pue && building.kind != .datacenter { return .refused("the PUE upgrade is for data centres") }
            let cost = free ? 0 : catalog.upgrades[Int(upgrade.rawValue)].cost * building.density
            if !free && world.resource(Budget.self)!.balance < cost { return .refused("not enough money") }
            try? world.modify(Building.self, of: entity) { $0.upgrades |= upgrade.bit }
            if !free { world.withResource(Budget.self) { $0.spend(cost) } }
            return .done(cost: cost)
        case .setPolicy, .sellOffsets:
            return .refused("not a tile command")
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
        }
    }

    static func demolitionCost(_ entity: Entity, world: World, catalog: Catalog) -> Double {
        let fraction = catalog.economy.demolitionFraction
        if let b = try? world.get(Building.self, of: entity) { return fraction * cost(of: .building(b.kind, density: b.density), catalog: catalog) }
        if let p = try? world.get(PowerPlant.self, of: entity) { return fraction * cost(of: .plant(p.kind), catalog: catalog) }
        if let s = try? world.get(StorageUnit.self, of: entity) { return fraction * cost(of: .storage(s.kind), catalog: catalog) }
        if let z = try? world.get(GreenZone.self, of: entity) { return fraction * cost(of: .zone(z.kind), catalog: catalog) }
        return 0
    }

    /// Creates the entity for a structure and books its embodied carbon.
    static func spawnStructure(_ structure: Structure, x: Int, y: Int, world: World, catalog: Catalog, upgrades: UInt8 = 0) -> Entity {
        let clock = world.resource(Clock.self)!
        var construction = ConstructionLine()
        var tally = LedgerTally()
        func embodied(_ tonnes: Double, _ id: FactorID, _ sector: Sector, count: Double = 1) {
            guard tonnes > 0 else { return }
            construction.book(id, value: tonnes, quantity: count, tonnes: tonnes * count, sector: sector, scope: .embodied,
                              tick: clock.tick, year: clock.year)
            tally.add(tonnes * count, sector: sector, scope: .embodied)
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
                entity = world.commands.spawn(building, position, construction, ElectricityLine(), PrimaryLine(), ProcessLine(),
                                              RoadFreightLine(), RailFreightLine())
            case .farm:
                entity = world.commands.spawn(building, position, construction, ElectricityLine(), PrimaryLine(), ProcessLine())
            case .residential:  // its residents' school and other trips are booked on the home block (Transport.swift)
                entity = world.commands.spawn(building, position, construction, ElectricityLine(), PrimaryLine(),
                                              CarTripsLine(), BusTripsLine(), TripElectricityLine())
            default:
                entity = world.commands.spawn(building, position, construction, ElectricityLine(), PrimaryLine())
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
        case .road, .rail, .busStop, .metroStation, .bikeLane:
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
                                 tonnes: tick ? flow.tickTonnes : flow.yearTonnes, sector: flow.sector, scope: flow.scope)
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
