// CarbonAccounts.swift — citizens' personal carbon accounts (个人碳账户): green points earned by
// low-carbon behaviour, pooled by a platform and redeemed for real forests on the map.
//
// [SECTION] Points by source
// [SECTION] The accounts (a resource)
// [SECTION] Trip points (booked by transport.trips)
// [SECTION] Systems: household energy saved, redemption
// [SECTION] Save codec
//
// The model is Ant Forest's (汪阳, 柯华, 《中国个人碳交易刍论》): citizens get no allocation and earn points only
// through low-carbon behaviour; a platform pools the small amounts and, when the pool holds a
// forest's worth, plants real trees. One point is 1 kg CO2e of "green energy" (the book's
// 微克拉: 1 unit = 1 kWh saved = 1 kg CO2, `personal_carbon.microcarat_kg_per_kwh`).
//
// Phase simulate:
//   transport.trips        each commute by walk, bike, e-bike, bus, metro or electric car earns
//                          2 × km × (petrol car factor − the mode's factor) × participation share × recorded share,
//                          the mode's factor being its tailpipe factor plus its kWh/pkm at the
//                          national average grid factor (Transport.swift calls `TripPointsTally`);
//   accounts.households    (after weather, before transport.trips) at 00:00 on 1 January the
//                          year's points go into the history; every hour adds the hour's heating
//                          and cooling degrees and sun; at 23:00 each upgraded home earns the kWh
//                          its upgrades saved today × 微克拉 rate × participation share × recorded share;
//   accounts.redeem        (after transport.trips) at 23:00, if the pool holds points per tree ×
//                          trees per tile, the platform plants one forest tile, free of charge, on
//                          the free land tile nearest to the centre of the homes, through the
//                          player's placement code (City.apply); its upkeep is sponsored too.
//
// Points are NEVER booked on the ledger. The emissions a green commute avoids are already there
// (a bike trip books no tailpipe tonnes where a car trip would have), and the kWh a heat pump
// saves are already missing from the gas and grid lines. Counting points as removals would count
// the same avoided tonne twice (杨博文 on Article 6; avoided emissions and the sink credit sold from
// them must not both count). The only removals that follow from points are the planted forest's
// own growth, booked by sinks.grow on that forest's ledger line like any forest's.
import ECS

// MARK: - [SECTION] Points by source

/// Where points come from: one bucket per low-carbon travel mode, one for household energy saved.
public enum PointSource: UInt8, CaseIterable, Sendable, Codable {
    case walk, bike, ebike, bus, metro, carElectric, household

    public var key: String { ["walk", "bike", "ebike", "bus", "metro", "car_electric", "household"][Int(rawValue)] }

    /// The bucket of a travel mode; nil for the petrol car, which earns nothing.
    public init?(mode: TravelMode) {
        switch mode {
        case .walk: self = .walk
        case .bike: self = .bike
        case .ebike: self = .ebike
        case .bus: self = .bus
        case .metro: self = .metro
        case .carElectric: self = .carElectric
        case .carPetrol: return nil
        }
    }
}

/// Points (kg CO2e of "green energy") by source.
public struct PointsBySource: Sendable, Equatable, Codable {
    public internal(set) var values = [Double](repeating: 0, count: PointSource.allCases.count)

    public init() {}

    public subscript(source: PointSource) -> Double {
        get { values[Int(source.rawValue)] }
        set { values[Int(source.rawValue)] = newValue }
    }

    /// Trip points only (every source but household energy).
    public var trips: Double { total - self[.household] }
    public var total: Double { values.reduce(0, +) }

    mutating func add(_ other: PointsBySource) {
        for i in values.indices { values[i] += other.values[i] }
    }
}

// MARK: - [SECTION] The accounts

/// One forest tile the platform planted.
public struct PlantedForest: Sendable, Equatable, Codable {
    public var x: Int
    public var y: Int
    public var date: SimDate
    public var trees: Double
    /// The zone's entity (its upkeep is sponsored while it stands).
    public var entity: Entity
}

/// One closed year of the accounts, for the UI and reports.
public struct CarbonAccountYear: Sendable, Equatable, Codable {
    public var year: Int
    public var earned: PointsBySource
    public var participants: Int
    public var treesPlanted: Double
}

/// The citizens' carbon accounts and the platform's pool; a resource of the world.
public struct CitizenCarbonAccounts: Sendable, Equatable, SavedResource {
    /// Points earned this year, by source.
    public internal(set) var earned = PointsBySource()
    /// Points pooled by the platform and not yet redeemed.
    public internal(set) var pool = 0.0
    /// Points redeemed for trees since the start.
    public internal(set) var redeemed = 0.0
    /// Trees planted since the start, and this year.
    public internal(set) var treesPlanted = 0.0
    public internal(set) var treesPlantedThisYear = 0.0
    /// Every forest tile planted, in order.
    public internal(set) var forests: [PlantedForest] = []
    /// Citizens with a commute that earned points this year.
    public internal(set) var participants = 0
    /// One bit per entity index: the citizen has earned trip points this year.
    var participantBits: [UInt64] = []
    /// Closed years, oldest first.
    public internal(set) var history: [CarbonAccountYear] = []
    /// Today's heating and cooling degree-hours (°C·h below 18 °C, above 24 °C) and sun hours
    /// (Σ solar factor), gathered hour by hour for the day's household savings.
    var heatingDegreeHours = 0.0
    var coolingDegreeHours = 0.0
    var sunHours = 0.0

    public init() {}

    /// Earned points go to the platform's pool.
    mutating func earn(_ points: PointsBySource) {
        earned.add(points)
        pool += points.total
    }

    /// Moves this year's figures into the history and starts the next year.
    mutating func closeYear(_ year: Int) {
        history.append(CarbonAccountYear(year: year, earned: earned, participants: participants, treesPlanted: treesPlantedThisYear))
        earned = PointsBySource()
        participants = 0
        treesPlantedThisYear = 0
        for i in participantBits.indices { participantBits[i] = 0 }
    }
}

// MARK: - [SECTION] Trip points

/// Trip points of one run of transport.trips, summed in locals and absorbed once at the end
/// (like `LedgerTally`): recording a trip allocates nothing except when the participant bitset
/// must grow to a new entity index.
public struct TripPointsTally {
    /// Points per passenger-km, by `TravelMode.rawValue`, participation share included.
    var pointsPerPkm: [Double]
    public internal(set) var points = PointsBySource()
    var participantBits: [UInt64] = []
    var newParticipants = 0
    let enabled: Bool

    /// Points per passenger-km of `mode`: the CO2 avoided against the petrol car for the same
    /// passenger-km, kg, times the participation share. The mode's own factor is its tailpipe
    /// factor plus its grid energy at the national average grid factor (a platform's fixed
    /// methodology, not the city's hourly grid). Never negative.
    public static func pointsPerPkm(_ mode: TravelMode, catalog: Catalog) -> Double {
        guard PointSource(mode: mode) != nil else { return 0 }
        let car = catalog.mode(.carPetrol).directFactor
        let own = catalog.tailpipeShare(mode) * catalog.mode(mode).directFactor + catalog.gridKWhPerPkm(mode) * catalog.nationalGridFactor
        return max(0, car - own) / 1000 * catalog.personalCarbon.participationShare * catalog.personalCarbon.recordedShare
    }

    init(catalog: Catalog, participants: [UInt64], enabled: Bool) {
        pointsPerPkm = TravelMode.allCases.map { TripPointsTally.pointsPerPkm($0, catalog: catalog) }
        participantBits = participants
        self.enabled = enabled
    }

    /// Books a home block's flow of trips (transport.flows): each trip earns its km × the mode's
    /// rate, and `pkm` is the flow's trips × km summed. A flow is many residents' trips, so it
    /// names no participant: participants are counted from commutes.
    @inline(__always)
    mutating func recordFlow(_ mode: TravelMode, pkm: Double) {
        guard enabled else { return }
        let earned = pointsPerPkm[Int(mode.rawValue)] * pkm
        guard earned > 0 else { return }
        points.values[Int(mode == .carElectric ? PointSource.carElectric.rawValue : mode.rawValue)] += earned
    }

    /// Counts a commuter by `mode` among this year's participants, if that mode earns points.
    mutating func markParticipant(_ citizen: Entity, mode: TravelMode) {
        guard enabled, pointsPerPkm[Int(mode.rawValue)] > 0 else { return }
        let word = Int(citizen.index >> 6), bit = UInt64(1) << UInt64(citizen.index & 63)
        if word >= participantBits.count {
            participantBits.append(contentsOf: repeatElement(0, count: word + 1 - participantBits.count))
        }
        if participantBits[word] & bit == 0 {
            participantBits[word] |= bit
            newParticipants += 1
        }
    }
}

public enum CarbonAccounts: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.resource("citizen_accounts", CitizenCarbonAccounts.self) { _ in CitizenCarbonAccounts() }
        sim.system("accounts.households", Phase.simulate, reads: [Building.self],
                   readsResources: [Catalog.self, Clock.self, Weather.self], writesResources: [CitizenCarbonAccounts.self],
                   after: ["weather"], before: ["transport.trips"], run: households)
        sim.system("accounts.redeem", Phase.simulate, reads: [Building.self, TilePosition.self],
                   readsResources: [Catalog.self, Clock.self],
                   writesResources: [CitizenCarbonAccounts.self, TileMap.self, Ledger.self, Budget.self, BudgetBook.self, LevelRules.self],
                   after: ["transport.flows", "accounts.households"], run: redeem)
    }

    /// Starts a run of transport.trips: the tally takes the participant bitset out of the
    /// resource (so that marking it copies nothing).
    static func beginTrips(world: World, catalog: Catalog) -> TripPointsTally {
        guard world.resource(CitizenCarbonAccounts.self) != nil else {
            return TripPointsTally(catalog: catalog, participants: [], enabled: false)
        }
        var bits: [UInt64] = []
        world.withResource(CitizenCarbonAccounts.self) { swap(&bits, &$0.participantBits) }
        return TripPointsTally(catalog: catalog, participants: bits, enabled: true)
    }

    /// Ends a run of transport.trips: its points go to the accounts and the pool.
    static func endTrips(_ tally: TripPointsTally, world: World) {
        guard tally.enabled else { return }
        world.withResource(CitizenCarbonAccounts.self) { accounts in
            accounts.participantBits = tally.participantBits
            accounts.participants += tally.newParticipants
            accounts.earn(tally.points)
        }
    }

    // MARK: - [SECTION] Systems

    /// kWh of final energy a residential block of density 1 saves per heating degree-hour, per
    /// cooling degree-hour, and per sun hour, with the upgrades in `bits`, against the same
    /// block without them (the quantities Buildings.demand computes):
    ///   heat without upgrades: heat_per_degree × °C·h, from a gas boiler;
    ///   heat with them: × (1 − smart HVAC saving) × (1 − insulation cut), ÷ COP with a heat pump;
    ///   cooling: cooling_per_degree × °C·h, × (1 − smart HVAC saving) with smart HVAC;
    ///   rooftop PV: its kW × the sun (not scaled by density, as in Buildings.demand).
    public static func householdSaving(upgrades bits: UInt8, catalog: Catalog)
        -> (perHeatingDegreeHour: Double, perCoolingDegreeHour: Double, perSunHour: Double) {
        let spec = catalog.building(.residential)
        let hvac = bits & UpgradeKind.smartHVAC.bit != 0 ? 1 - catalog.smartHVACSaving : 1
        let insulation = bits & UpgradeKind.insulation.bit != 0 ? 1 - catalog.insulationHeatReduction : 1
        let pump = bits & UpgradeKind.heatPump.bit != 0 ? 1 / catalog.heating.heatPumpCOP : 1
        return (spec.heatPerDegree * (1 - hvac * insulation * pump), spec.coolingPerDegree * (1 - hvac),
                bits & UpgradeKind.rooftopPV.bit != 0 ? catalog.rooftopPVKW : 0)
    }

    /// Gathers the hour's weather; at 23:00 books the day's household points; at the first hour
    /// of a year closes the last one.
    static func households(_ ctx: SystemContext) {
        let world = ctx.world
        guard world.resource(CitizenCarbonAccounts.self) != nil else { return }
        let clock = world.resource(Clock.self)!
        let weather = world.resource(Weather.self)!
        world.withResource(CitizenCarbonAccounts.self) { accounts in
            if clock.isNewYear && clock.tick > 0 { accounts.closeYear(clock.year - 1) }
            // The same degrees as Buildings.demand: heating below 18 °C, cooling above 24 °C.
            accounts.heatingDegreeHours += max(0, 18 - weather.temperature)
            accounts.coolingDegreeHours += max(0, weather.temperature - 24)
            accounts.sunHours += weather.solarFactor
        }
        guard clock.hour == 23 else { return }
        let catalog = world.resource(Catalog.self)!
        let accounts = world.resource(CitizenCarbonAccounts.self)!
        let (heating, cooling, sun) = (accounts.heatingDegreeHours, accounts.coolingDegreeHours, accounts.sunHours)
        // kWh saved today by a density-1 block (and by its PV) for each combination of upgrades.
        let relevant = UpgradeKind.insulation.bit | UpgradeKind.heatPump.bit | UpgradeKind.smartHVAC.bit | UpgradeKind.rooftopPV.bit
        var perDensity = [Double](repeating: 0, count: 256)
        var fixed = perDensity
        for bits in 0..<256 where UInt8(bits) & ~relevant == 0 {
            let saving = householdSaving(upgrades: UInt8(bits), catalog: catalog)
            perDensity[bits] = saving.perHeatingDegreeHour * heating + saving.perCoolingDegreeHour * cooling
            fixed[bits] = saving.perSunHour * sun
        }
        var kWh = 0.0
        world.query(Read<Building>.self).forEach { building in
            let bits = Int(building.upgrades & relevant)
            guard building.kind == .residential, bits != 0 else { return }
            kWh += perDensity[bits] * building.density + fixed[bits]
        }
        let personal = catalog.personalCarbon
        var points = PointsBySource()
        points[.household] = kWh * personal.microcaratKgPerKWh * personal.participationShare * personal.recordedShare
        world.withResource(CitizenCarbonAccounts.self) { accounts in
            accounts.earn(points)
            accounts.heatingDegreeHours = 0
            accounts.coolingDegreeHours = 0
            accounts.sunHours = 0
        }
    }

    /// At 23:00: when the pool holds one forest tile's points, plants one (at most one a day).
    static func redeem(_ ctx: SystemContext) {
        let world = ctx.world
        let clock = world.resource(Clock.self)!
        guard clock.hour == 23, let accounts = world.resource(CitizenCarbonAccounts.self) else { return }
        let catalog = world.resource(Catalog.self)!
        let personal = catalog.personalCarbon
        let trees = personal.treesPerTile(areaHa: catalog.zone(.forest).areaHa)
        let threshold = personal.pointsPerTile(areaHa: catalog.zone(.forest).areaHa)
        guard threshold > 0, threshold.isFinite, accounts.pool >= threshold,
              let tile = plantingTile(world: world) else { return }
        // The player's placement code, free of charge: the forest grows and removes CO2 like any.
        guard case .done = City.apply(.build(.zone(.forest), x: tile.x, y: tile.y), world: world, free: true) else { return }
        let map = world.resource(TileMap.self)!
        let forest = map.occupant[map.index(tile.x, tile.y)]
        world.withResource(CitizenCarbonAccounts.self) { accounts in
            accounts.pool -= threshold
            accounts.redeemed += threshold
            accounts.treesPlanted += trees
            accounts.treesPlantedThisYear += trees
            accounts.forests.append(PlantedForest(x: tile.x, y: tile.y, date: clock.date, trees: trees, entity: forest))
        }
        if world.resource(LevelRules.self) != nil {
            let count = Int(trees)
            world.withResource(LevelRules.self) { rules in
                rules.post(.message, Names(en: "Citizens' green points planted a forest of \(count) trees at (\(tile.x), \(tile.y)).",
                                           zh: "市民的绿色积分在 (\(tile.x), \(tile.y)) 种下了一片 \(count) 棵树的森林。"),
                           tick: clock.tick)
            }
        }
    }

    /// The free land tile nearest to the centre of the homes (the map's centre if there are
    /// none), ties broken by the lower tile index; nil when no land is free. Tiles already
    /// wooded (forest terrain) are skipped.
    public static func plantingTile(world: World) -> (x: Int, y: Int)? {
        let map = world.resource(TileMap.self)!
        var sumX = 0.0, sumY = 0.0, homes = 0.0
        world.query(Read<Building>.self, Read<TilePosition>.self).forEach { building, position in
            guard building.kind == .residential else { return }
            sumX += Double(position.x)
            sumY += Double(position.y)
            homes += 1
        }
        let cx = homes > 0 ? sumX / homes : Double(map.width - 1) / 2
        let cy = homes > 0 ? sumY / homes : Double(map.height - 1) / 2
        var best: Int?
        var bestDistance = Double.infinity
        for i in 0..<map.tileCount where map.structure[i] == .none && map.terrain[i].isBuildable && map.terrain[i] != .forest {
            let dx = Double(i % map.width) - cx, dy = Double(i / map.width) - cy
            let distance = dx * dx + dy * dy
            if distance < bestDistance {
                bestDistance = distance
                best = i
            }
        }
        return best.map { ($0 % map.width, $0 / map.width) }
    }

    /// yuan per hour of upkeep the platform pays for the forests it planted that still stand
    /// (economy.budget takes it off the city's spending).
    static func sponsoredUpkeepPerHour(world: World, catalog: Catalog) -> Double {
        guard let accounts = world.resource(CitizenCarbonAccounts.self), !accounts.forests.isEmpty else { return 0 }
        var standing = 0.0
        for forest in accounts.forests where world.isAlive(forest.entity) {
            if let zone = try? world.get(GreenZone.self, of: forest.entity), zone.kind == .forest { standing += 1 }
        }
        return standing * catalog.zone(.forest).maintenance / Sinks.hoursPerYear
    }
}

// MARK: - [SECTION] Save codec

