// Transport.swift — every resident's trips, mode choice, road traffic and congestion, and freight.
//
// Residents make the catalog's trips per person per day ([trips]). Two designs share the work:
//   * commutes, per citizen, by habit (Commutes.swift): employed citizens live in a home and
//     work in a job building; each keeps the mode of its last decision (a seeded logit draw),
//     reconsidered about once a week (168 hourly cohorts of storage rows) or when its commute
//     changes; each hour the city books a 24th of its commuters' day, and a commuter's own
//     ledger lines take their share when settled;
//   * every other trip (school, shopping, leisure, personal business), as flows from each home
//     block: each hour one 24th of the residential blocks sends its residents' trips of the day
//     out as expected flows — trips × the logit probability of each mode, no draw — booked on
//     the block's trip lines. School trips go to the nearest school on the map; the others have
//     the catalog's exponential length distribution, in bands of equal probability.
// docs/simulation.md says why: the commute is where the map decides (home and job), so each
// commuter is followed; the other trips are more than half of all trips, and as flows (linear in
// the residents) they cost one evaluation per access class and length band each time their
// inputs change (about once a day), and a multiplication per block, instead of one per resident
// and trip.
//
// Phase simulate, "transport.trips" (after buildings.demand, before grid.dispatch):
//   for the commuters who reconsider this hour (Commutes.swift):
//     1. the options: walk and bike within their maximum distance; bus if a stop is within
//        reach of home and work on one road network; metro likewise for stations on one rail
//        line; a car if the citizen has one (a seeded draw against the car-ownership share);
//        a commuter with no option at all makes no trip (counted in `tripsWithoutMode`);
//     2. generalised cost = minutes (access, waiting, riding; cars slowed by the congestion of
//        the home and work districts) + money × 60 / value of time, money including the city's
//        policies (transit fare, car charge); a bike lane cuts cycling's;
//     3. a multinomial logit draw, seeded by (level seed, citizen, day): the same run gives
//        the same choices;
//     4. the commute's day: emissions = passenger-km × the mode's tailpipe share × its direct
//        factor (the bus fleet's diesel share; 1 for other modes); electric modes (and electric
//        buses) take passenger-km × kWh/pkm from the grid (booked at each hour's grid factor by
//        grid.attribute); a low-carbon trip also earns green points (CarbonAccounts.swift, never
//        booked on the ledger); road vehicles load every road tile of an L-shaped route;
//   then a 24th of every commuter's day is booked from the running totals.
// "transport.flows" (after transport.trips): the home blocks of this hour's slice, as above with
//   expected shares for three car classes (none, petrol, electric) in the city's shares; a road
//   vehicle's flow loads the L-shaped route from the block toward the map's centre, as long as
//   the trip. The same blocks send their residents' trips out of town ([out_of_town]: a fixed
//   demand per resident at a fixed car-and-coach mix) by the nearest edge of the map: the road to
//   the edge is booked as scope 1 and loads those road tiles, the rest of the trip as scope 3.
//   factories ship freight each hour: tonne-km by rail if a rail line is within reach, else by
//   road, at the catalog's factors.
// At the end of each day, tile flows become congestion (BPR: t = t0 · (1 + α (v/c)^β)) per
// 16 × 16 district for the next day's choices.
import ECS
import Foundation

// The one-byte fields last: 60 bytes a citizen, where the fields in their natural order with
// padding took 80 (the commute streams this column every hour).
public struct Citizen: Component, Sendable {
    public var home: Entity
    public var work: Entity = .none
    public var homeTile: Int32
    public var workTile: Int32 = -1
    public var island: Int32 = 0
    /// One-way commute minutes (last decision).
    public var commuteMinutes: Float = 0
    public var access = CommuteAccess()
    public var mode: TravelMode = .walk
    public var hasCar = false
    public var hasElectricCar = false
    /// In the labour force: looks for a job (the catalog's employment rate of newcomers). Citizens
    /// of saves made before there was a labour force keep looking, as they did then.
    public var seeksWork = true
    /// No mode reaches the job (last decision): no trip was made and no points earned.
    public var stranded = false
    public init(home: Entity, homeTile: Int32) {
        self.home = home
        self.homeTile = homeTile
    }
    public var isEmployed: Bool { work != .none }
}

/// A citizen's commute options that depend only on where home and work are.
public struct CommuteAccess: Sendable, Equatable {
    public var km: Float = 0
    /// Minutes walking to and from the stops; infinite when there is no usable stop.
    public var busAccessMinutes = Float.infinity
    public var metroAccessMinutes = Float.infinity
    public var homeDistrict: Int32 = 0
    public var workDistrict: Int32 = 0
    /// Home and work are served by one road network (needed for cars and buses).
    public var roadConnected = false
    public var bikeLane = false
}

public struct TransportState: Sendable, SavedResource {
    public static let districtSize = 16
    /// Vehicle trips on each road tile yesterday (for overlays and air quality).
    public var tileFlowsYesterday: [Float]
    /// Today's trips as difference arrays along rows and columns: adding a straight segment is
    /// two writes, and the day's end turns them into per-tile flows with prefix sums.
    var rowDifference: [Float]
    var columnDifference: [Float]
    let width: Int
    let height: Int
    /// BPR travel-time multiplier per district, from yesterday's traffic.
    public var districtCongestion: [Float]
    public let districtsWide: Int
    /// Commuters by mode this year (trip counts) and the mean commute in minutes.
    public var tripsByMode = [Double](repeating: 0, count: TravelMode.allCases.count)
    public var commuteMinutesTotal = 0.0
    public var commuteCount = 0.0
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        tileFlowsYesterday = Array(repeating: 0, count: width * height)
        rowDifference = Array(repeating: 0, count: (width + 1) * height)
        columnDifference = Array(repeating: 0, count: width * (height + 1))
        districtsWide = (width + TransportState.districtSize - 1) / TransportState.districtSize
        let tall = (height + TransportState.districtSize - 1) / TransportState.districtSize
        districtCongestion = Array(repeating: 1, count: districtsWide * tall)
    }

    /// Runs `body` with today's traffic and the year's trips by mode taken out of the state and
    /// walked through pointers, so that a system's loop pays no uniqueness check per trip. The
    /// body must not touch this state meanwhile (what it reads of it, it reads before).
    mutating func withTripBooks<R>(_ body: (_ routes: RouteLoad, _ tripsByMode: UnsafeMutableBufferPointer<Double>) -> R) -> R {
        var rows: [Float] = [], columns: [Float] = [], trips: [Double] = []
        swap(&rows, &rowDifference)
        swap(&columns, &columnDifference)
        swap(&trips, &tripsByMode)
        defer {
            swap(&rows, &rowDifference)
            swap(&columns, &columnDifference)
            swap(&trips, &tripsByMode)
        }
        let (width, height) = (self.width, self.height)
        return rows.withUnsafeMutableBufferPointer { rows in
            columns.withUnsafeMutableBufferPointer { columns in
                trips.withUnsafeMutableBufferPointer { trips in
                    body(RouteLoad(rowDifference: rows.baseAddress!, columnDifference: columns.baseAddress!, width: width, height: height), trips)
                }
            }
        }
    }

    /// Turns today's difference arrays, with the commuters' road vehicles (`commuters`, of the
    /// same size), into per-tile flows (kept where `isRoad`) and clears them. Each tile adds its
    /// row's running sum, then its column's, as it always did.
    mutating func closeDay(commuters: CommuteTotals?, isRoad: (Int) -> Bool) {
        let (width, height) = (self.width, self.height)
        rowDifference.withUnsafeMutableBufferPointer { rows in
        columnDifference.withUnsafeMutableBufferPointer { columns in
        tileFlowsYesterday.withUnsafeMutableBufferPointer { tiles in
            if let commuters, commuters.rowDifference.count == rows.count, commuters.columnDifference.count == columns.count {
                // Without a branch per cell: adding 0 leaves a cell as it was (no cell is −0, as
                // every sum starts at +0 and adds vehicles ≠ 0).
                commuters.rowDifference.withUnsafeBufferPointer { commuterRows in
                    for i in 0..<rows.count { rows[i] += Float(Double(commuterRows[i]) * CommuteUnits.amount) }
                }
                commuters.columnDifference.withUnsafeBufferPointer { commuterColumns in
                    for i in 0..<columns.count { columns[i] += Float(Double(commuterColumns[i]) * CommuteUnits.amount) }
                }
            }
            for y in 0..<height {
                var running: Float = 0
                for x in 0..<width {
                    running += rows[y * (width + 1) + x]
                    tiles[y * width + x] = 0 + running
                }
            }
            // The columns in bands of 16 (a cache line of tiles in each row), each read down its
            // length: 16 sequential streams rather than one read per cache line.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: width) { running in
                running.initialize(repeating: 0)
                for band in stride(from: 0, to: width, by: 16) {
                    let end = min(band + 16, width)
                    for y in 0..<height {
                        for x in band..<end {
                            running[x] += columns[x * (height + 1) + y]
                            let tile = y * width + x
                            tiles[tile] = isRoad(tile) ? tiles[tile] + running[x] : 0
                        }
                    }
                }
            }
            rows.update(repeating: 0)
            columns.update(repeating: 0)
        }
        }
        }
    }

    func congestion(atTile tile: Int, width: Int) -> Double {
        let x = tile % width, y = tile / width
        return Double(districtCongestion[(y / TransportState.districtSize) * districtsWide + x / TransportState.districtSize])
    }
}

/// Today's traffic as row and column difference arrays, lent by `TransportState.withTripBooks`:
/// adding a straight segment is two writes.
struct RouteLoad {
    let rowDifference: UnsafeMutablePointer<Float>
    let columnDifference: UnsafeMutablePointer<Float>
    let width: Int
    let height: Int

    /// Adds `vehicles` to every tile of the L-shaped route: along the home row, then along the
    /// work column.
    @inline(__always)
    func add(fromX hx: Int, y hy: Int, toX wx: Int, y wy: Int, vehicles: Float) {
        RouteLoad.cells(fromX: hx, y: hy, toX: wx, y: wy, width: width, height: height) { alongRow, index, adds in
            if alongRow { rowDifference[index] += adds ? vehicles : -vehicles } else { columnDifference[index] += adds ? vehicles : -vehicles }
        }
    }

    /// The difference-array cells of an L-shaped route (`alongRow`: the row array, else the
    /// column array), each where the load starts (`adds`) or ends.
    @inline(__always)
    static func cells(fromX hx: Int, y hy: Int, toX wx: Int, y wy: Int, width: Int, height: Int,
                      _ mark: (_ alongRow: Bool, _ index: Int, _ adds: Bool) -> Void) {
        let row = hy * (width + 1)
        mark(true, row + min(hx, wx), true)
        mark(true, row + max(hx, wx) + 1, false)
        guard wy != hy else { return }
        let column = wx * (height + 1)
        let (low, high) = wy > hy ? (hy + 1, wy) : (wy, hy - 1)
        mark(false, column + low, true)
        mark(false, column + high + 1, false)
    }
}

/// The home blocks' flows: figures since the city was created or loaded, and caches rebuilt on
/// demand. Never saved (a resource of its own, so that the saved `TransportState` is the same
/// after a save and a load): every field is either a count for checks and reports or a pure
/// function of the saved state.
/// Grid kWh drawn for trips this tick, to be booked on `entity`'s line at the hour's factor.
typealias PendingTripKWh = (entity: Entity, island: Int32, kWh: Double)

public struct TripFlowState: Sendable {
    /// Trips that no mode could serve (commuters with no way to work; flows too long for every
    /// available mode).
    public internal(set) var tripsWithoutMode = 0.0
    /// Passenger-km of the home blocks' flows (school and other trips) by mode.
    public internal(set) var flowPkmByMode = [Double](repeating: 0, count: TravelMode.allCases.count)
    /// Passenger-km of residents' trips out of town: on the city's roads, and beyond its boundary.
    public internal(set) var outOfTownPkmInside = 0.0
    public internal(set) var outOfTownPkmBeyond = 0.0
    /// The grid kWh of this tick's flows, booked by grid.attribute in the same tick.
    var pendingFlowKWh: [PendingTripKWh] = []
    /// Distance from each tile to the nearest school, and the map revision it was built for.
    var schoolDistance: [UInt8] = []
    var schoolDistanceRevision = -1
    /// Each tile's `FlowAccess.key`, worked out on first use (`UInt16.max`: not yet) and
    /// forgotten when the map changes (`accessKeysRevision`).
    var accessKeys: [UInt16] = []
    var accessKeysRevision = -1
    /// This tick's mode weights by access class and trip length.
    var memo = FlowMemo()

    public init() {}
}

extension CityView {
    /// The home blocks' flows since the city was created or loaded (see `TripFlowState`).
    public var tripFlows: TripFlowState { world.resource(TripFlowState.self) ?? TripFlowState() }
}

public enum Transport: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.resource("transport", TransportState.self) { TransportState(width: $0.level.width, height: $0.level.height) }
        sim.transientResource(TripFlowState.self) { _ in TripFlowState() }  // counts and caches, rebuilt after a load
        sim.component(Citizen.self, default: Citizen(home: .none, homeTile: 0)) { citizen, _, world in
            let tiles = world.resource(TileMap.self)!.tileCount
            let districts = world.resource(TransportState.self)!.districtCongestion.count
            let islands = world.resource(PowerGrid.self)!.islandCount
            if !world.isAlive(citizen.home) { return "its home \(citizen.home) does not exist" }
            if citizen.work != .none && !world.isAlive(citizen.work) { return "its workplace \(citizen.work) does not exist" }
            if !(0..<tiles).contains(Int(citizen.homeTile)) || !(-1..<tiles).contains(Int(citizen.workTile)) { return "its tiles are off the map" }
            // A commute's route is written straight into the day's traffic arrays (RouteLoad).
            if citizen.work != .none && citizen.workTile < 0 { return "it has a workplace but no work tile" }
            if !(0..<districts).contains(Int(citizen.access.homeDistrict)) || !(0..<districts).contains(Int(citizen.access.workDistrict)) {
                return "its districts are off the map"
            }
            if !(0..<islands).contains(Int(citizen.island)) { return "its power island \(citizen.island) does not exist" }
            if !citizen.access.km.isFinite || citizen.access.km < 0 { return "its trip figures are not finite" }
            return nil
        }
        sim.component(Commute.self, default: Commute()) { commute, _, world in
            let tiles = world.resource(TileMap.self)!.tileCount
            let islands = world.resource(PowerGrid.self)!.islandCount
            let book = world.resource(CommuteBook.self)!
            if !(0..<tiles).contains(Int(commute.homeTile)) || !(0..<tiles).contains(Int(commute.workTile)) { return "its commute's tiles are off the map" }
            if !(0..<max(islands, book.served.count)).contains(Int(commute.island)) { return "its commute's power island \(commute.island) does not exist" }
            if commute.tailpipeHours < 0 || commute.tailpipeHours > book.tailpipeHours || commute.electricityHours < 0
                || commute.electricityHours > book.electricityHours {
                return "its commute is booked beyond the commuters' book"
            }
            if [commute.tailpipeTonnes, commute.burningPkm, commute.kWh, commute.pkm, commute.minutes, commute.vehicles].contains(where: { $0 < 0 }) {
                return "its commute's daily figures are out of range"
            }
            return nil
        }
        sim.resource("commutes", CommuteBook.self) { _ in CommuteBook() }
        sim.transientResource(CommuteTotals.self) { setup in  // rebuilt after a load
            var totals = CommuteTotals(width: setup.level.width, height: setup.level.height)
            totals.rates = CommuteRates(catalog: setup.catalog)
            return totals
        }
        sim.system("transport.trips", Phase.simulate, writes: [Citizen.self, Commute.self, PrimaryLine.self, ElectricityLine.self],
                   readsResources: [Catalog.self, Clock.self, Policies.self, TileMap.self, AdoptionState.self, LevelInfo.self],
                   writesResources: [TransportState.self, TripFlowState.self, Ledger.self, CitizenCarbonAccounts.self, PowerGrid.self,
                                     CommuteBook.self, CommuteTotals.self],
                   after: ["buildings.demand"], run: trips)
        sim.system("transport.flows", Phase.simulate, reads: [Building.self, TilePosition.self],
                   writes: [CarTripsLine.self, BusTripsLine.self, TripElectricityLine.self, OutOfTownTripsLine.self,
                            OutOfTownTripsBeyondLine.self],
                   readsResources: [Catalog.self, Clock.self, TileMap.self, CityStats.self, Policies.self, AdoptionState.self],
                   writesResources: [TransportState.self, TripFlowState.self, Ledger.self, CitizenCarbonAccounts.self, PowerGrid.self],
                   after: ["transport.trips"], before: ["grid.dispatch"], run: flows)
        sim.system("transport.freight", Phase.simulate,
                   readsResources: [Clock.self, PowerGrid.self], writesResources: [BuildingLoadBook.self, Ledger.self],
                   after: ["transport.flows"], run: freight)
        sim.system("transport.congestion", Phase.simulate, readsResources: [Catalog.self, Clock.self, TileMap.self, CommuteTotals.self],
                   writesResources: [TransportState.self],
                   after: ["transport.freight"], run: congestion)
    }

    /// What a citizen's commute can use, worked out when the networks, the home or the job
    /// change (not every day): distances, walking access to stops, road connection, bike lane.
    public static func access(homeTile home: Int, workTile work: Int, map: TileMap, travel: TravelSpec,
                              districtsWide: Int) -> CommuteAccess {
        let width = map.width
        let hx = home % width, hy = home / width, wx = work % width, wy = work / width
        var access = CommuteAccess()
        access.km = Float(max(0.2, Double(abs(hx - wx) + abs(hy - wy)) * 0.1))
        let homeRoad = map.servingRoadTile(hx, hy), workRoad = map.servingRoadTile(wx, wy)
        access.roadConnected = homeRoad != nil && workRoad != nil && map.roadComponent[homeRoad!] == map.roadComponent[workRoad!]
        access.bikeLane = homeRoad.map { map.bikeLane[$0] } ?? false
        let busHome = Int(map.busStopDistance[home]), busWork = Int(map.busStopDistance[work])
        if access.roadConnected && busHome <= 5 && busWork <= 5 {
            access.busAccessMinutes = Float(Double(busHome + busWork) * 0.1 / travel.walkAccessSpeed * 60)
        }
        let metroHome = Int(map.metroStationDistance[home]), metroWork = Int(map.metroStationDistance[work])
        if metroHome <= 8 && metroWork <= 8 && map.sameRailLine(home, work) {
            access.metroAccessMinutes = Float(Double(metroHome + metroWork) * 0.1 / travel.walkAccessSpeed * 60)
        }
        let size = TransportState.districtSize
        access.homeDistrict = Int32((hy / size) * districtsWide + hx / size)
        access.workDistrict = Int32((wy / size) * districtsWide + wx / size)
        return access
    }

    /// What a traveller pays per km by `mode`, yuan, under the city's policies: the transit fare
    /// multiplier, the car charge, and for petrol cars the carbon tax on the fuel (the tonnes the
    /// trip books, Adoption.swift). Commutes and the home blocks' flows price trips alike.
    static func costPerKm(_ mode: TravelMode, spec: ModeSpec, policies: Policies, year: Int) -> Double {
        switch mode {
        case .bus, .metro: return spec.cost * policies.transitFareMultiplier
        case .carPetrol: return spec.cost + policies.carChargePerKm + policies.fuelTax(in: year) * spec.directFactor / 1e6
        case .carElectric: return spec.cost + policies.carChargePerKm * policies.electricCarShareOfCharge
        default: return spec.cost
        }
    }

    /// The commuters (Commutes.swift): this hour's cohort reconsiders its mode, and the city
    /// books a 24th of its commuters' day.
    static func trips(_ ctx: SystemContext) {
        let world = ctx.world
        let catalog = world.resource(Catalog.self)!
        let clock = world.resource(Clock.self)!
        var points = CarbonAccounts.beginTrips(world: world, catalog: catalog)  // green points (CarbonAccounts.swift)
        let choice = CommuteChoice(world: world, catalog: catalog, clock: clock)
        Commutes.prepare(world: world, catalog: catalog, clock: clock, choice: choice, points: &points)
        Commutes.reconsiderAndBook(world: world, clock: clock, choice: choice, points: &points)
        CarbonAccounts.endTrips(points, world: world)
    }

    /// Gives every home block the ledger lines of its residents' school and other trips, where a
    /// save from before those trips has none (a new city's homes are spawned with them).
    static func giveHomesTripLines(_ world: World) {
        var homes: [Entity] = []
        var homesWithoutOutOfTownLines: [Entity] = []
        world.query(Entity.self, Read<Building>.self).forEach { entity, building in
            guard building.kind == .residential else { return }
            if !world.has(CarTripsLine.self, entity) { homes.append(entity) }
            if !world.has(OutOfTownTripsLine.self, entity) { homesWithoutOutOfTownLines.append(entity) }
        }
        for home in homes {
            try? world.insert(CarTripsLine(), into: home)
            try? world.insert(BusTripsLine(), into: home)
            try? world.insert(TripElectricityLine(), into: home)
        }
        for home in homesWithoutOutOfTownLines {
            try? world.insert(OutOfTownTripsLine(), into: home)
            try? world.insert(OutOfTownTripsBeyondLine(), into: home)
        }
    }

    /// Recomputes every citizen's commute access (after the networks change); every commuter
    /// then reconsiders in the next hour (Commutes.swift).
    static func refreshAccess(world: World) {
        let map = world.resource(TileMap.self)!
        let travel = world.resource(Catalog.self)!.travel
        let districtsWide = world.resource(TransportState.self)!.districtsWide
        var commuters = 0
        world.query(Write<Citizen>.self).forEach { citizen in
            guard citizen.value.isEmployed else { return }
            citizen.value.access = access(homeTile: Int(citizen.value.homeTile), workTile: Int(citizen.value.workTile),
                                          map: map, travel: travel, districtsWide: districtsWide)
            commuters += 1
        }
        if commuters > 0 { world.withResource(CommuteBook.self) { $0.reconsiderAll = true } }
    }

    /// Books the grid electricity of this tick's home blocks' flows (called by grid.attribute
    /// after dispatch, with each island's served share).
    static func attributeElectricity(world: World, grid: PowerGrid, served: UnsafeBufferPointer<Double>, clock: Clock,
                                     tally: inout LedgerTally) {
        var trips: [PendingTripKWh] = []
        world.withResource(TripFlowState.self) { swap(&trips, &$0.pendingFlowKWh) }
        for trip in trips {
            let island = Int(trip.island)
            let kWh = trip.kWh * served[island]
            let factor = grid.factor[island]
            guard kWh > 0, factor > 0 else { continue }
            let tonnes = kWh * factor / 1e6
            let booked = try? world.modify(TripElectricityLine.self, of: trip.entity) { account in
                account.book(.gridHour, value: factor, quantity: kWh, tonnes: tonnes, sector: .transport, scope: .electricity,
                             tick: clock.tick, year: clock.year)
            }
            if booked != nil { tally.add(tonnes, sector: .transport, scope: .electricity) }
        }
        trips.removeAll(keepingCapacity: true)
        world.withResource(TripFlowState.self) { swap(&trips, &$0.pendingFlowKWh) }
    }

    /// Factories' freight this hour, per kind and island: the tonne-km of every factory at full
    /// service × the share of power served last hour (a blackout cuts output), by rail where a
    /// factory has a siding. Each factory's lines take their share when settled (BuildingLoads.swift).
    static func freight(_ ctx: SystemContext) {
        let world = ctx.world
        let clock = world.resource(Clock.self)!
        var tally = LedgerTally()
        let grid = world.resource(PowerGrid.self)!
        world.withResource(BuildingLoadBook.self) { book in
            let islands = book.islands
            guard book.outputSums.count == book.kinds * islands, book.totals.count == book.outputSums.count else { return }
            for k in 0..<book.kinds {
                for island in 0..<islands {
                    let cell = k * islands + island
                    let totals = book.totals[cell].load
                    guard totals.roadTkm > 0 || totals.railTkm > 0 else {
                        book.outputLastHour[cell].served = 0
                        continue
                    }
                    let served = grid.servedShare(island: island)
                    book.outputSums[cell].served += served
                    book.outputLastHour[cell].served = served
                    let tonnes = served * (totals.roadTkm * book.freightRoadFactor + totals.railTkm * book.freightRailFactor) / 1e6
                    if tonnes > 0 { tally.add(tonnes, sector: .transport, scope: .direct) }
                }
            }
            book.outputLastTick = clock.tick
        }
        world.withResource(Ledger.self) { $0.absorb(tally) }
    }

    /// At the last hour of each day: today's flows become tomorrow's congestion.
    static func congestion(_ ctx: SystemContext) {
        let world = ctx.world
        let clock = world.resource(Clock.self)!
        guard clock.hour == 23 else { return }
        let catalog = world.resource(Catalog.self)!
        let map = world.resource(TileMap.self)!
        let economy = catalog.economy
        let capacity = economy.roadCapacity * catalog.travel.lanesPerRoad
        let peak = catalog.travel.peakHourShare
        world.withResource(TransportState.self) { transport in
            transport.closeDay(commuters: world.resource(CommuteTotals.self)) { map.structure[$0].isRoad }
            var sums = [Double](repeating: 0, count: transport.districtCongestion.count)
            var counts = sums
            for i in 0..<map.tileCount where map.structure[i].isRoad {
                let x = i % map.width, y = i / map.width
                let district = (y / TransportState.districtSize) * transport.districtsWide + x / TransportState.districtSize
                let ratio = Double(transport.tileFlowsYesterday[i]) * peak / capacity
                sums[district] += 1 + economy.congestionAlpha * DeterministicMath.pow(ratio, economy.congestionBeta)
                counts[district] += 1
            }
            for d in sums.indices { transport.districtCongestion[d] = Float(counts[d] > 0 ? min(5, sums[d] / counts[d]) : 1) }
        }
    }
}

// MARK: - Flows from the home blocks (school and other trips)

/// Mode weights of the flows, by (access class, trip length), computed for the keys in use once
/// per generation of their inputs: exp(−scale × (cost − the cheapest mode's cost)) for the five modes
/// without a car, and the petrol and electric car's weights apart, so that each car class's
/// probabilities are w / (Σ non-car + its car's w).
struct FlowMemo: Sendable {
    static let modes = 7
    /// School distances kept in the memo, in tiles (nearer schools; farther ones count as none).
    static let schoolTiles = 128
    var weights: [Double] = []
    var stamp: [Int64] = []
    var lengthKeys = 0

    /// Per resident of a home block, this tick, by access class: the flows of the other trips,
    /// and those of the school trips by distance to the nearest school (0…127 tiles, or
    /// `schoolTiles` for none near). Flows are linear in the residents, so a block's are its
    /// residents × its two entries. Each entry holds, at these offsets, passenger-km and trips
    /// by mode, the trips no mode serves, and road vehicles on the route to the near school
    /// and on each length band's route. Slots are given on first use; an entry is refilled on
    /// its first use after the memo's inputs change (`entryStamp`).
    static let pkm = 0, trips = 7, unserved = 14, nearSchoolRoute = 15, bandRoutes = 16
    static let otherTripsKey = schoolTiles + 1
    static let entryKeys = schoolTiles + 2
    var entrySlot: [Int32] = []
    var entries: [Double] = []
    var entryStamp: [Int64] = []
    var entryStride = 0
    /// Every number the weights and entries are made from (prices, speeds, congestion, trips per
    /// resident, car classes' shares); `generation` counts their changes and stamps the memo.
    /// They change once a day at most, unless the player changes a price: so each access class
    /// and length is worked out about once a day, not once an hour.
    var inputs: [Double] = []
    var generation: Int64 = 0

    /// Starts a new generation when `inputs` differ from the last ones.
    mutating func use(inputs: [Double]) {
        guard inputs != self.inputs else { return }
        self.inputs = inputs
        generation += 1
    }

    /// A school `tiles` away, in km (0.1 km a tile, 200 m at least).
    static func schoolKm(_ tiles: Int) -> Double { max(0.2, Double(tiles) * 0.1) }

    mutating func prepare(bands: Int) {
        let keys = FlowMemo.schoolTiles + bands
        guard lengthKeys != keys else { return }
        lengthKeys = keys
        weights = Array(repeating: 0, count: FlowAccess.classes * keys * FlowMemo.modes)
        stamp = Array(repeating: -1, count: FlowAccess.classes * keys)
        entryStride = FlowMemo.bandRoutes + bands
        entrySlot = Array(repeating: -1, count: FlowAccess.classes * FlowMemo.entryKeys)
        entries = []
        entryStamp = []
        generation += 1
    }
}

/// What a home block's trips can use, from the home end only (the far end of a flow is not one
/// place): a bus stop within 5 tiles on a road network, a metro station within 8 tiles, a bike
/// lane on the serving road, a road at all (for cars and buses).
struct FlowAccess {
    static let classes = 7 * 10 * 2 * 2
    var busTiles: Int    // 0...5, or 6 for none
    var metroTiles: Int  // 0...8, or 9 for none
    var bikeLane: Bool
    var road: Bool
    var key: Int { ((busTiles * 10 + metroTiles) * 2 + (bikeLane ? 1 : 0)) * 2 + (road ? 1 : 0) }

    init(key: Int) {
        road = key & 1 == 1
        bikeLane = key >> 1 & 1 == 1
        busTiles = (key >> 2) / 10
        metroTiles = (key >> 2) % 10
    }

    init(tile: Int, map: TileMap) {
        let road = map.servingRoadTile(tile % map.width, tile / map.width)
        self.road = road != nil
        bikeLane = road.map { map.bikeLane[$0] } ?? false
        let bus = Int(map.busStopDistance[tile])
        busTiles = self.road && bus <= 5 ? bus : 6
        let metro = Int(map.metroStationDistance[tile])
        metroTiles = metro <= 8 && map.nearestStationLine[tile] >= 0 ? metro : 9
    }
}

extension Transport {
    /// At this hour: the home blocks of this hour's slice send out their residents' school and
    /// other trips of the day as flows (see the file header).
    static func flows(_ ctx: SystemContext) {
        let world = ctx.world
        let catalog = world.resource(Catalog.self)!
        let clock = world.resource(Clock.self)!
        let map = world.resource(TileMap.self)!
        let stats = world.resource(CityStats.self)!
        let trips = catalog.trips, travel = catalog.travel
        let policies = world.resource(Policies.self) ?? Policies()
        // Trips per resident per day: school trips (two per school-age resident) and what is
        // left of the survey's total once today's commutes are counted.
        let population = Double(stats.population)
        let schoolTrips = 2 * catalog.services.schoolAgeShare
        let commuteTrips = population > 0 ? 2 * Double(stats.employed) / population : 0
        let otherTrips = max(0, trips.perPerson - commuteTrips - schoolTrips)
        let carShare = min(1, max(0, travel.carOwnership))
        let evShare = min(1, max(0, world.resource(AdoptionState.self)?.evFleetShare ?? travel.evFleetShare))
        let classShare = [1 - carShare, carShare * (1 - evShare), carShare * evShare]  // none, petrol, electric
        var tally = LedgerTally()
        var points = CarbonAccounts.beginTrips(world: world, catalog: catalog)
        let modeCount = FlowMemo.modes
        var minutesPerKm = [Double](repeating: 0, count: modeCount)
        var moneyMinutesPerKm = minutesPerKm, maxKm = minutesPerKm, tailpipeShare = minutesPerKm, gridKWhPerPkm = minutesPerKm
        var occupancy = minutesPerKm, directFactor = minutesPerKm
        let moneyToMinutes = 60 / travel.valueOfTime
        for mode in TravelMode.allCases {
            let m = Int(mode.rawValue), spec = catalog.mode(mode)
            minutesPerKm[m] = 60 / spec.speed
            moneyMinutesPerKm[m] = costPerKm(mode, spec: spec, policies: policies, year: clock.year) * moneyToMinutes
            maxKm[m] = spec.maxDistance
            tailpipeShare[m] = catalog.tailpipeShare(mode)
            gridKWhPerPkm[m] = catalog.gridKWhPerPkm(mode)
            occupancy[m] = max(1e-9, spec.occupancy)
            directFactor[m] = spec.directFactor
        }
        let bands = trips.otherBandKm
        let outOfTown = trips.outOfTown
        let width = map.width, centreX = map.width / 2, centreY = map.height / 2
        let petrol = catalog.mode(.carPetrol), bus = catalog.mode(.bus)
        var schools: [Int] = []
        if schoolDistanceIsStale(world.resource(TripFlowState.self)!, map: map) {
            world.query(Read<Building>.self, Read<TilePosition>.self).forEach { building, position in
                if building.kind == .school { schools.append(map.index(Int(position.x), Int(position.y))) }
            }
        }
        world.withResource(PowerGrid.self) { grid in
        world.withResource(TransportState.self) { transport in
        world.withResource(TripFlowState.self) { flows in
            refreshSchoolDistance(schools: schools, map: map, flows: &flows)
            if flows.accessKeysRevision != map.revision || flows.accessKeys.count != map.tileCount {
                flows.accessKeys = Array(repeating: .max, count: map.tileCount)
                flows.accessKeysRevision = map.revision
            }
            flows.memo.prepare(bands: bands.count)
            // The city's mean congestion (flows cross many districts).
            var congestion = 0.0
            for value in transport.districtCongestion { congestion += Double(value) }
            congestion /= Double(max(1, transport.districtCongestion.count))
            var inputs = [congestion, otherTrips, schoolTrips, travel.bikeLaneBonus, travel.walkAccessSpeed, travel.waitTime,
                          travel.logitScale] + classShare + bands
            for m in 0..<modeCount { inputs += [minutesPerKm[m], moneyMinutesPerKm[m], maxKm[m], occupancy[m]] }
            flows.memo.use(inputs: inputs)
            let generation = flows.memo.generation
            // The memo's weights, today's traffic and the year's trip counts are walked through
            // pointers (taken out of their resources for the loop): no retain, copy or
            // uniqueness check per flow.
            var memoWeightsArray: [Double] = [], memoStampArray: [Int64] = [], accessKeysArray: [UInt16] = []
            swap(&memoWeightsArray, &flows.memo.weights)
            swap(&memoStampArray, &flows.memo.stamp)
            swap(&accessKeysArray, &flows.accessKeys)
            let schoolDistance = flows.schoolDistance
            memoWeightsArray.withUnsafeMutableBufferPointer { memoWeights in
            memoStampArray.withUnsafeMutableBufferPointer { memoStamp in
            accessKeysArray.withUnsafeMutableBufferPointer { accessKeys in
            transport.withTripBooks { routes, tripsByMode in
            /// The memo's weights for an access class and a length key (computed on first use in this
            /// generation of the memo's inputs).
            func weights(_ access: FlowAccess, lengthKey: Int, km: Double) -> Int {
                let slot = access.key * flows.memo.lengthKeys + lengthKey
                let base = slot * modeCount
                if memoStamp[slot] == generation { return base }
                memoStamp[slot] = generation
                var costs = (Double.infinity, Double.infinity, Double.infinity, Double.infinity, Double.infinity,
                             Double.infinity, Double.infinity)
                withUnsafeMutableBytes(of: &costs) { raw in
                    let cost = raw.bindMemory(to: Double.self)
                    func consider(_ mode: TravelMode, _ minutes: Double, bonus: Double = 0) {
                        let m = Int(mode.rawValue)
                        guard km <= maxKm[m] else { return }
                        cost[m] = (minutes + moneyMinutesPerKm[m] * km) * (1 - bonus)
                    }
                    let lane = access.bikeLane ? travel.bikeLaneBonus : 0
                    consider(.walk, km * minutesPerKm[0])
                    consider(.bike, km * minutesPerKm[1], bonus: lane)
                    consider(.ebike, km * minutesPerKm[2], bonus: lane)
                    // Both ends are taken to be as far from a stop as the home is.
                    if access.busTiles <= 5 {
                        consider(.bus, Double(2 * access.busTiles) * 0.1 / travel.walkAccessSpeed * 60 + travel.waitTime
                                 + km * minutesPerKm[3] * congestion)
                    }
                    if access.metroTiles <= 8 {
                        consider(.metro, Double(2 * access.metroTiles) * 0.1 / travel.walkAccessSpeed * 60 + travel.waitTime
                                 + km * minutesPerKm[4])
                    }
                    if access.road {
                        consider(.carPetrol, km * minutesPerKm[5] * congestion + 2)
                        consider(.carElectric, km * minutesPerKm[6] * congestion + 2)
                    }
                    var best = Double.infinity
                    for m in 0..<modeCount where cost[m] < best { best = cost[m] }
                    for m in 0..<modeCount {
                        memoWeights[base + m] = best.isFinite && cost[m].isFinite
                            ? DeterministicMath.exp(-travel.logitScale * (cost[m] - best)) : 0
                    }
                }
                return base
            }
            /// The offset of a block entry in the memo (see `FlowMemo.entries`), filled on first use
            /// this tick: the other trips for `key` = `FlowMemo.otherTripsKey`, else the school trips
            /// of a block `key` tiles from a school (`schoolTiles`: none near).
            func entry(_ access: FlowAccess, key: Int) -> Int {
                let stride = flows.memo.entryStride
                let keyIndex = access.key * FlowMemo.entryKeys + key
                var slot = Int(flows.memo.entrySlot[keyIndex])
                if slot < 0 {
                    slot = flows.memo.entryStamp.count
                    flows.memo.entrySlot[keyIndex] = Int32(slot)
                    flows.memo.entryStamp.append(-1)
                    flows.memo.entries.append(contentsOf: repeatElement(0, count: stride))
                }
                let offset = slot * stride
                guard flows.memo.entryStamp[slot] != generation else { return offset }
                flows.memo.entryStamp[slot] = generation
                withUnsafeTemporaryAllocation(of: Double.self, capacity: stride) { values in
                    values.initialize(repeating: 0)
                    /// Sends `count` trips per resident of `km` each, by the memo's shares for the
                    /// three car classes; their road vehicles go on `route`.
                    func send(_ count: Double, km: Double, lengthKey: Int, route: Int) {
                        guard count > 0 else { return }
                        let base = weights(access, lengthKey: lengthKey, km: km)
                        let w = memoWeights
                        var nonCar = 0.0
                        for m in 0..<5 { nonCar += w[base + m] }
                        var vehicles = 0.0  // one-way road vehicle trips: buses' and cars' shares of a vehicle
                        for (carClass, share) in classShare.enumerated() where share > 0 {
                            let car = carClass == 1 ? 5 : 6
                            let carWeight = carClass == 0 ? 0 : w[base + car]
                            let total = nonCar + carWeight
                            let classTrips = count * share
                            guard total > 0 else {
                                values[FlowMemo.unserved] += classTrips
                                continue
                            }
                            for m in 0..<5 where w[base + m] > 0 {
                                let modeTrips = classTrips * w[base + m] / total
                                values[FlowMemo.pkm + m] += modeTrips * km
                                values[FlowMemo.trips + m] += modeTrips
                                if m == 3 { vehicles += modeTrips / occupancy[3] }
                            }
                            if carWeight > 0 {
                                let modeTrips = classTrips * carWeight / total
                                values[FlowMemo.pkm + car] += modeTrips * km
                                values[FlowMemo.trips + car] += modeTrips
                                vehicles += modeTrips / occupancy[car]
                            }
                        }
                        values[route] += vehicles
                    }
                    if key == FlowMemo.otherTripsKey {
                        for (b, km) in bands.enumerated() {
                            send(otherTrips / Double(bands.count), km: km, lengthKey: FlowMemo.schoolTiles + b, route: FlowMemo.bandRoutes + b)
                        }
                    } else if key < FlowMemo.schoolTiles {
                        send(schoolTrips, km: FlowMemo.schoolKm(key), lengthKey: key, route: FlowMemo.nearSchoolRoute)
                    } else {
                        for (b, km) in bands.enumerated() {
                            send(schoolTrips / Double(bands.count), km: km, lengthKey: FlowMemo.schoolTiles + b, route: FlowMemo.bandRoutes + b)
                        }
                    }
                    for i in 0..<stride { flows.memo.entries[offset + i] = values[i] }
                }
                return offset
            }
            world.query(Entity.self, Read<Building>.self, Read<TilePosition>.self, Write<CarTripsLine>.self,
                        Write<BusTripsLine>.self, Write<TripElectricityLine>.self)
                .forEach(slice: clock.hour, of: 24) { block, building, position, carLine, busLine, _ in
                guard building.kind == .residential, building.residents > 0 else { return }
                let residents = Double(building.residents)
                let tile = Int(position.y) * width + Int(position.x)

                var accessKey = accessKeys[tile]
                if accessKey == .max {
                    accessKey = UInt16(FlowAccess(tile: tile, map: map).key)
                    accessKeys[tile] = accessKey
                }
                let access = FlowAccess(key: Int(accessKey))
                let school = schoolDistance.isEmpty ? FlowMemo.schoolTiles : min(Int(schoolDistance[tile]), FlowMemo.schoolTiles)
                let other = entry(access, key: FlowMemo.otherTripsKey), near = entry(access, key: school)
                let e = flows.memo.entries
                var pkm = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
                var kWh = 0.0
                withUnsafeMutableBytes(of: &pkm) { raw in
                    let pkmByMode = raw.bindMemory(to: Double.self)
                    for m in 0..<modeCount {
                        pkmByMode[m] = residents * (e[other + FlowMemo.pkm + m] + e[near + FlowMemo.pkm + m])
                        let trips = residents * (e[other + FlowMemo.trips + m] + e[near + FlowMemo.trips + m])
                        if trips > 0 { tripsByMode[m] += trips }
                    }
                    let unserved = residents * (e[other + FlowMemo.unserved] + e[near + FlowMemo.unserved])
                    if unserved > 0 { flows.tripsWithoutMode += unserved }
                    /// A road vehicle's flow loads the L-shaped route from the block toward the
                    /// map's centre, as long as the trip.
                    func route(km: Double, vehicles: Double) {
                        guard vehicles > 0 else { return }
                        let hx = tile % width, hy = tile / width
                        var steps = Int((km * 10).rounded())
                        let alongRow = min(abs(centreX - hx), steps)
                        steps -= alongRow
                        let alongColumn = min(abs(centreY - hy), steps)
                        let tx = hx + (centreX >= hx ? alongRow : -alongRow), ty = hy + (centreY >= hy ? alongColumn : -alongColumn)
                        routes.add(fromX: hx, y: hy, toX: tx, y: ty, vehicles: Float(vehicles))
                    }
                    if school < FlowMemo.schoolTiles {
                        route(km: FlowMemo.schoolKm(school), vehicles: residents * e[near + FlowMemo.nearSchoolRoute])
                    }
                    for (b, km) in bands.enumerated() {
                        route(km: km, vehicles: residents * (e[other + FlowMemo.bandRoutes + b] + e[near + FlowMemo.bandRoutes + b]))
                    }
                    for m in 0..<modeCount where pkmByMode[m] > 0 {
                        flows.flowPkmByMode[m] += pkmByMode[m]
                        kWh += pkmByMode[m] * gridKWhPerPkm[m]
                        points.recordFlow(TravelMode(rawValue: UInt8(m))!, pkm: pkmByMode[m])  // per trip, summed: CarbonAccounts.swift
                    }
                }
                let car = pkm.5 * tailpipeShare[5], diesel = pkm.3 * tailpipeShare[3]
                if car > 0 && directFactor[5] > 0 {
                    carLine.book(petrol.directFactorID, value: petrol.directFactor, quantity: car, tonnes: car * petrol.directFactor / 1e6,
                                 sector: .transport, scope: .direct, clock: clock, tally: &tally)
                }
                if diesel > 0 && directFactor[3] > 0 {
                    busLine.book(bus.directFactorID, value: bus.directFactor, quantity: diesel, tonnes: diesel * bus.directFactor / 1e6,
                                 sector: .transport, scope: .direct, clock: clock, tally: &tally)
                }
                if kWh > 0 {
                    grid.scratchDemand[Int(building.island)] += kWh
                    flows.pendingFlowKWh.append((block, building.island, kWh))
                }
            }
            }
            }
            }
            }
            swap(&memoWeightsArray, &flows.memo.weights)
            swap(&memoStampArray, &flows.memo.stamp)
            swap(&accessKeysArray, &flows.accessKeys)
            // Trips out of town leave by the nearest edge of the map: the road to it is the city's
            // (scope 1), the rest of the trip is beyond its boundary (scope 3).
            transport.withTripBooks { routes, _ in
            world.query(Read<Building>.self, Read<TilePosition>.self, Write<OutOfTownTripsLine>.self, Write<OutOfTownTripsBeyondLine>.self)
                .forEach(slice: clock.hour, of: 24) { building, position, insideLine, beyondLine in
                guard building.kind == .residential, building.residents > 0, outOfTown.meanKm > 0 else { return }
                let trips = Double(building.residents) * outOfTown.tripsPerDay
                guard trips > 0 else { return }
                let x = Int(position.x), y = Int(position.y)
                let west = x, east = map.width - 1 - x, north = y, south = map.height - 1 - y
                let edgeTiles = min(west, east, north, south)
                let insideKm = min(outOfTown.meanKm, Double(edgeTiles) * 0.1)
                let inside = trips * insideKm, beyond = trips * (outOfTown.meanKm - insideKm)
                if inside > 0 {
                    insideLine.book(outOfTown.factorID, value: outOfTown.factor, quantity: inside, tonnes: inside * outOfTown.factor / 1e6,
                                    sector: .transport, scope: .direct, clock: clock, tally: &tally)
                    let vehicles = Float(trips / outOfTown.vehicleOccupancy)
                    switch edgeTiles {
                    case west: routes.add(fromX: x, y: y, toX: 0, y: y, vehicles: vehicles)
                    case east: routes.add(fromX: x, y: y, toX: map.width - 1, y: y, vehicles: vehicles)
                    case north: routes.add(fromX: x, y: y, toX: x, y: 0, vehicles: vehicles)
                    default: routes.add(fromX: x, y: y, toX: x, y: map.height - 1, vehicles: vehicles)
                    }
                }
                if beyond > 0 {
                    beyondLine.book(outOfTown.factorID, value: outOfTown.factor, quantity: beyond, tonnes: beyond * outOfTown.factor / 1e6,
                                    sector: .transport, scope: .outsideCity, clock: clock, tally: &tally)
                }
                flows.outOfTownPkmInside += inside
                flows.outOfTownPkmBeyond += beyond
            }
            }
        }
        }
        }
        world.withResource(Ledger.self) { $0.absorb(tally) }
        CarbonAccounts.endTrips(points, world: world)
    }

    /// The distance (tiles, Manhattan, up to 127) from every tile to the nearest school; rebuilt
    /// when the map's structures change (a pure function of the map, so a loaded game rebuilds
    /// the same field). `schools` are the school tiles, gathered only when the field is stale.
    static func refreshSchoolDistance(schools: [Int], map: TileMap, flows: inout TripFlowState) {
        guard schoolDistanceIsStale(flows, map: map) else { return }
        flows.schoolDistanceRevision = map.revision
        var field = [UInt8](repeating: UInt8.max, count: map.tileCount)
        var frontier = schools.sorted()
        for i in frontier { field[i] = 0 }
        var next: [Int] = []
        var distance: UInt8 = 0
        while !frontier.isEmpty && Int(distance) < FlowMemo.schoolTiles - 1 {
            distance += 1
            next.removeAll(keepingCapacity: true)
            for i in frontier {
                let x = i % map.width, y = i / map.width
                for (nx, ny) in [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)] where map.contains(nx, ny) {
                    let j = map.index(nx, ny)
                    if field[j] == UInt8.max {
                        field[j] = distance
                        next.append(j)
                    }
                }
            }
            swap(&frontier, &next)
        }
        flows.schoolDistance = field
    }

    static func schoolDistanceIsStale(_ flows: TripFlowState, map: TileMap) -> Bool {
        flows.schoolDistanceRevision != map.revision || flows.schoolDistance.count != map.tileCount
    }
}

// MARK: - Trip demand and the bus fleet (catalog)

/// Trips other than the commute, and the bus fleet's electric share (catalog `[trips]`,
/// `mode.bus.electric_share`, `mode.bus.electric_energy_per_pkm`).
public struct TripSpec: Sendable {
    /// Trips per resident per day, all purposes (commutes included).
    public var perPerson: Double
    /// Mean length of a trip that is neither a commute nor to school, km.
    public var otherMeanKm: Double
    /// The mean km of each equal-probability band of that exponential length distribution.
    public var otherBandKm: [Double]
    /// Share of bus passenger-km run by electric buses.
    public var busElectricShare: Double
    /// kWh per passenger-km of an electric bus.
    public var electricBusKWhPerPkm: Double
    /// Residents' road trips out of town (intercity car and coach travel).
    public var outOfTown: OutOfTownTravel

    init(reader r: inout CatalogReader) {
        perPerson = max(0, r.value("trips.per_person", "trips/person-day"))
        otherMeanKm = max(0, r.value("trips.other_trip_mean_km", "km"))
        let bands = max(1, min(20, Int(max(1, min(20, r.value("trips.length_bands", "bands"))).rounded())))
        otherBandKm = TripSpec.bandMeans(meanKm: otherMeanKm, bands: bands)
        busElectricShare = min(1, max(0, r.value("mode.bus.electric_share", "fraction")))
        electricBusKWhPerPkm = max(0, r.value("mode.bus.electric_energy_per_pkm", "kWh/pkm"))
        let (factor, factorID) = r.factor("out_of_town.direct_factor", "gCO2e/pkm")
        outOfTown = OutOfTownTravel(tripsPerDay: max(0, r.value("out_of_town.trips_per_person", "trips/person-yr")) / 365,
                                    meanKm: max(0, r.value("out_of_town.mean_km", "km")), factor: max(0, factor), factorID: factorID,
                                    vehicleOccupancy: max(1, r.value("out_of_town.vehicle_occupancy", "persons")))
    }

    /// The mean of each of `bands` equal-probability bands of an exponential distribution of
    /// mean μ: band k spans the quantiles p_a = k/n to p_b = (k+1)/n, x(p) = −μ ln(1 − p), and its
    /// mean is n × [(x_a + μ)(1 − p_a) − (x_b + μ)(1 − p_b)] (the last band's second term is 0).
    /// The bands' means average to μ.
    public static func bandMeans(meanKm mu: Double, bands n: Int) -> [Double] {
        (0..<n).map { k in
            let pa = Double(k) / Double(n), pb = Double(k + 1) / Double(n)
            let xa = -mu * log(1 - pa)
            let upper = k == n - 1 ? 0 : (-mu * log(1 - pb) + mu) * (1 - pb)
            return Double(n) * ((xa + mu) * (1 - pa) - upper)
        }
    }
}

/// Residents' road trips out of town (catalog `[out_of_town]`): a fixed demand per resident at a
/// fixed car-and-coach mix, which the city's networks and prices do not change.
public struct OutOfTownTravel: Sendable {
    public var tripsPerDay: Double      // per resident
    public var meanKm: Double
    public var factor: Double           // gCO2e/pkm, the car-and-coach mix
    public var factorID: FactorID
    public var vehicleOccupancy: Double // persons per road vehicle, for the load on the roads
}

extension Catalog {
    /// Share of a mode's passenger-km that burns fuel at the tailpipe: the bus fleet's diesel
    /// share for the bus, 1 for every other mode (whose direct factor is 0 when it has no fuel).
    public func tailpipeShare(_ mode: TravelMode) -> Double { mode == .bus ? 1 - trips.busElectricShare : 1 }

    /// Grid kWh per passenger-km of a mode, the bus fleet's electric share included.
    public func gridKWhPerPkm(_ mode: TravelMode) -> Double {
        let spec = self.mode(mode)
        guard mode == .bus else { return spec.energyPerPkm }
        return (1 - trips.busElectricShare) * spec.energyPerPkm + trips.busElectricShare * trips.electricBusKWhPerPkm
    }
}

extension CityView {
    /// Passenger transport of `year` (commutes, the home blocks' flows and trips out of town),
    /// tCO2e: tailpipe on the city's roads (direct), grid electricity (scope 2) and the out-of-town
    /// trips beyond the boundary (scope 3), summed over the ledger lines of the citizens and
    /// homes that still stand. Read it when the year has just closed (1 January, 00:00): each
    /// line still holds that year's figures. Citizens who moved away took their lines with them,
    /// so this is a lower bound when people leave during the year.
    public func passengerTransportTonnes(year: Int) -> (direct: Double, electricity: Double, beyond: Double) {
        var direct = 0.0, electricity = 0.0, beyond = 0.0
        func add<K: LineKind>(_ type: LedgerLine<K>.Type) {
            world.query(Read<LedgerLine<K>>.self).forEach { line in
                guard line.flow.year == year, line.flow.sector == .transport else { return }
                switch line.flow.scope {
                case .direct: direct += line.flow.yearTonnes
                case .electricity: electricity += line.flow.yearTonnes
                case .outsideCity: beyond += line.flow.yearTonnes
                }
            }
        }
        let commutes = world.resource(CommuteBook.self) ?? CommuteBook()
        world.query(Read<Commute>.self, Read<PrimaryLine>.self, Read<ElectricityLine>.self).forEach { commute, tailpipe, grid in
            let tailpipe = world.withCommutePending(tailpipe, commute: commute, book: commutes).flow
            let grid = world.withCommutePending(grid, commute: commute, book: commutes).flow
            if tailpipe.year == year { direct += tailpipe.yearTonnes }
            if grid.year == year { electricity += grid.yearTonnes }
        }
        add(CarTripsLine.self)
        add(BusTripsLine.self)
        add(TripElectricityLine.self)
        add(OutOfTownTripsLine.self)
        add(OutOfTownTripsBeyondLine.self)
        return (direct, electricity, beyond)
    }
}
