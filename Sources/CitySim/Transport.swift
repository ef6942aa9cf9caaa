// Transport.swift — citizens' commutes, mode choice, road traffic and congestion, and freight.
//
// Citizens live in a home and (when employed) work in a job building. The citizens are split
// into 24 slices (by storage row); each hour one slice makes its day's commute decision and
// books the day's round trip, which spreads the work evenly over the day.
//
// Phase simulate, "transport.trips" (after buildings.demand, before grid.dispatch):
//   for the citizens of this hour's slice:
//     1. the options: walk and bike within their maximum distance; bus if a stop is within
//        reach of home and work on one road network; metro likewise for stations on one rail
//        line; a car if the citizen has one (a seeded draw against the car-ownership share);
//     2. generalised cost = minutes (access, waiting, riding; cars slowed by the congestion of
//        the home and work districts) + money × 60 / value of time, money including the city's
//        policies (transit fare, car charge); a bike lane cuts cycling's;
//     3. a multinomial logit draw, seeded by (level seed, citizen, day): the same run gives
//        the same choices;
//     4. emissions = passenger-km × the mode's direct factor; electric modes take
//        passenger-km × kWh/pkm from the grid this hour (booked at the hour's grid factor by
//        grid.attribute); a low-carbon trip also earns green points (CarbonAccounts.swift, never
//        booked on the ledger);
//     5. road vehicles add their vehicle trips to every road tile of an L-shaped route.
//   factories ship freight each hour: tonne-km by rail if a rail line is within reach, else by
//   road, at the catalog's factors.
// At the end of each day, tile flows become congestion (BPR: t = t0 · (1 + α (v/c)^β)) per
// 16 × 16 district for the next day's choices.
import ECS
import Foundation

public struct Citizen: Component, Sendable {
    public var home: Entity
    public var work: Entity = .none
    public var homeTile: Int32
    public var workTile: Int32 = -1
    public var island: Int32 = 0
    public var mode: TravelMode = .walk
    public var hasCar = false
    public var hasElectricCar = false
    /// One-way commute minutes (last decision).
    public var commuteMinutes: Float = 0
    /// Electricity drawn for today's trips, booked in the hour of the trip.
    public var pendingKWh = 0.0
    public var access = CommuteAccess()
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
    /// Home and work are served by one road network (needed for cars and buses).
    public var roadConnected = false
    public var bikeLane = false
    public var homeDistrict: Int32 = 0
    public var workDistrict: Int32 = 0
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

    /// Adds `vehicles` to every tile of the L-shaped route: along the home row, then along the
    /// work column.
    @inline(__always)
    mutating func addRoute(fromX hx: Int, y hy: Int, toX wx: Int, y wy: Int, vehicles: Float) {
        let row = hy * (width + 1)
        rowDifference[row + min(hx, wx)] += vehicles
        rowDifference[row + max(hx, wx) + 1] -= vehicles
        guard wy != hy else { return }
        let column = wx * (height + 1)
        let (low, high) = wy > hy ? (hy + 1, wy) : (wy, hy - 1)
        columnDifference[column + low] += vehicles
        columnDifference[column + high + 1] -= vehicles
    }

    /// Turns today's difference arrays into per-tile flows (kept where `isRoad`) and clears them.
    mutating func closeDay(isRoad: (Int) -> Bool) {
        for i in tileFlowsYesterday.indices { tileFlowsYesterday[i] = 0 }
        for y in 0..<height {
            var running: Float = 0
            for x in 0..<width {
                running += rowDifference[y * (width + 1) + x]
                tileFlowsYesterday[y * width + x] += running
            }
        }
        for x in 0..<width {
            var running: Float = 0
            for y in 0..<height {
                running += columnDifference[x * (height + 1) + y]
                tileFlowsYesterday[y * width + x] += running
            }
        }
        for i in tileFlowsYesterday.indices where !isRoad(i) { tileFlowsYesterday[i] = 0 }
        for i in rowDifference.indices { rowDifference[i] = 0 }
        for i in columnDifference.indices { columnDifference[i] = 0 }
    }

    func congestion(atTile tile: Int, width: Int) -> Double {
        let x = tile % width, y = tile / width
        return Double(districtCongestion[(y / TransportState.districtSize) * districtsWide + x / TransportState.districtSize])
    }
}

public enum Transport: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.resource("transport", TransportState.self) { TransportState(width: $0.level.width, height: $0.level.height) }
        sim.component(Citizen.self, default: Citizen(home: .none, homeTile: 0)) { citizen, _, world in
            let tiles = world.resource(TileMap.self)!.tileCount
            let districts = world.resource(TransportState.self)!.districtCongestion.count
            let islands = world.resource(PowerGrid.self)!.islandCount
            if !world.isAlive(citizen.home) { return "its home \(citizen.home) does not exist" }
            if citizen.work != .none && !world.isAlive(citizen.work) { return "its workplace \(citizen.work) does not exist" }
            if !(0..<tiles).contains(Int(citizen.homeTile)) || !(-1..<tiles).contains(Int(citizen.workTile)) { return "its tiles are off the map" }
            if !(0..<districts).contains(Int(citizen.access.homeDistrict)) || !(0..<districts).contains(Int(citizen.access.workDistrict)) {
                return "its districts are off the map"
            }
            if !(0..<islands).contains(Int(citizen.island)) { return "its power island \(citizen.island) does not exist" }
            if !citizen.access.km.isFinite || citizen.access.km < 0 || !citizen.pendingKWh.isFinite { return "its trip figures are not finite" }
            return nil
        }
        sim.system("transport.trips", Phase.simulate, writes: [Citizen.self, PrimaryLine.self],
                   readsResources: [Catalog.self, Clock.self, Weather.self, Policies.self, TileMap.self, AdoptionState.self, LevelInfo.self],
                   writesResources: [TransportState.self, Ledger.self, CitizenCarbonAccounts.self, PowerGrid.self],
                   after: ["buildings.demand"], run: trips)
        sim.system("transport.freight", Phase.simulate, reads: [Building.self], writes: [RoadFreightLine.self, RailFreightLine.self],
                   readsResources: [Catalog.self, Clock.self, TileMap.self], writesResources: [TransportState.self, Ledger.self],
                   after: ["transport.trips"], run: freight)
        sim.system("transport.congestion", Phase.simulate, readsResources: [Catalog.self, Clock.self, TileMap.self], writesResources: [TransportState.self],
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

    static func trips(_ ctx: SystemContext) {
        let world = ctx.world
        let catalog = world.resource(Catalog.self)!
        let clock = world.resource(Clock.self)!
        let seed = world.resource(LevelInfo.self)!.seed
        let travel = catalog.travel
        let day = UInt64(clock.dayIndex)
        let moneyToMinutes = 60 / travel.valueOfTime
        var tally = LedgerTally()
        var points = CarbonAccounts.beginTrips(world: world, catalog: catalog)  // green points (CarbonAccounts.swift)
        // Per mode: in-vehicle minutes per km and money (as minutes) per km, computed once.
        let modeCount = TravelMode.allCases.count
        var minutesPerKm = [Double](repeating: 0, count: modeCount)
        var moneyMinutesPerKm = minutesPerKm
        var maxKm = minutesPerKm
        let policies = world.resource(Policies.self) ?? Policies()
        for mode in TravelMode.allCases {
            let spec = catalog.mode(mode)
            var costPerKm = spec.cost
            switch mode {
            case .bus, .metro: costPerKm *= policies.transitFareMultiplier
            // The carbon tax on all fuel: the tonnes this trip books (Adoption.swift).
            case .carPetrol: costPerKm += policies.carChargePerKm + policies.fuelTax(in: clock.year) * spec.directFactor / 1e6
            case .carElectric: costPerKm += policies.carChargePerKm * policies.electricCarShareOfCharge
            default: break
            }
            minutesPerKm[Int(mode.rawValue)] = 60 / spec.speed
            moneyMinutesPerKm[Int(mode.rawValue)] = costPerKm * moneyToMinutes
            maxKm[Int(mode.rawValue)] = spec.maxDistance
        }
        world.withResource(PowerGrid.self) { grid in
        world.withResource(TransportState.self) { transport in
        // Scratch per mode on the stack, reused for every citizen (no allocation per citizen).
        withUnsafeTemporaryAllocation(of: Double.self, capacity: modeCount * 3) { scratch in
        let costs = scratch.baseAddress!, minutes = costs + modeCount, weights = costs + 2 * modeCount
        catalog.modes.withUnsafeBufferPointer { modes in
            let width = transport.width
            world.query(Entity.self, Write<Citizen>.self, Write<PrimaryLine>.self)
                .forEach(slice: clock.hour, of: 24) { entity, citizen, tailpipe in
                guard citizen.value.isEmployed else {
                    citizen.value.commuteMinutes = 0
                    return
                }
                let c = citizen.value
                let a = c.access
                let km = Double(a.km)
                @inline(__always) func consider(_ mode: TravelMode, _ time: Double, bonus: Double = 0) {
                    let m = Int(mode.rawValue)
                    guard km <= maxKm[m] else { return }
                    minutes[m] = time
                    costs[m] = (time + moneyMinutesPerKm[m] * km) * (1 - bonus)
                }
                for i in 0..<modeCount { costs[i] = .infinity; minutes[i] = .infinity }
                let laneBonus = a.bikeLane ? travel.bikeLaneBonus : 0
                consider(.walk, km * minutesPerKm[0])
                consider(.bike, km * minutesPerKm[1], bonus: laneBonus)
                consider(.ebike, km * minutesPerKm[2], bonus: laneBonus)
                let congestion = Double(transport.districtCongestion[Int(a.homeDistrict)] + transport.districtCongestion[Int(a.workDistrict)]) / 2
                if a.busAccessMinutes.isFinite {
                    consider(.bus, Double(a.busAccessMinutes) + travel.waitTime + km * minutesPerKm[3] * congestion)
                }
                if a.metroAccessMinutes.isFinite {
                    consider(.metro, Double(a.metroAccessMinutes) + travel.waitTime + km * minutesPerKm[4])
                }
                if c.hasCar && a.roadConnected {
                    let car: TravelMode = c.hasElectricCar ? .carElectric : .carPetrol
                    consider(car, km * minutesPerKm[Int(car.rawValue)] * congestion + 2)  // + parking
                }
                // Logit draw, seeded by (level, citizen, day).
                var best = Double.infinity
                for i in 0..<modeCount where costs[i] < best { best = costs[i] }
                var total = 0.0
                for i in 0..<modeCount {
                    weights[i] = costs[i].isFinite ? exp(-travel.logitScale * (costs[i] - best)) : 0
                    total += weights[i]
                }
                var draw = SeededRandom.unit(seed: seed, UInt64(entity.index), day) * total
                var chosen = TravelMode.walk
                for i in 0..<modeCount where weights[i] > 0 {
                    chosen = TravelMode(rawValue: UInt8(i))!
                    draw -= weights[i]
                    if draw < 0 { break }
                }
                let m = Int(chosen.rawValue)
                let spec = modes[m]
                citizen.value.mode = chosen
                citizen.value.commuteMinutes = Float(minutes[m])
                transport.tripsByMode[m] += 2
                transport.commuteMinutesTotal += minutes[m]
                transport.commuteCount += 1
                let pkm = 2 * km
                points.record(chosen, pkm: pkm, citizen: entity)  // never on the ledger: see CarbonAccounts.swift
                if spec.directFactor > 0 {
                    tailpipe.book(spec.directFactorID, value: spec.directFactor, quantity: pkm, tonnes: pkm * spec.directFactor / 1e6,
                                  sector: .transport, scope: .direct, clock: clock, tally: &tally)
                }
                citizen.value.pendingKWh = pkm * spec.energyPerPkm
                grid.scratchDemand[Int(c.island)] += citizen.value.pendingKWh
                if chosen.usesRoad {
                    // Two one-way vehicle trips per day; a bus passenger is 1/occupancy of a bus.
                    let home = Int(c.homeTile), work = Int(c.workTile)
                    transport.addRoute(fromX: home % width, y: home / width, toX: work % width, y: work / width,
                                       vehicles: Float(2 / spec.occupancy))
                }
            }
        }
        }
        }
        }
        world.withResource(Ledger.self) { $0.absorb(tally) }
        CarbonAccounts.endTrips(points, world: world)
    }

    /// Recomputes every citizen's commute access (after the networks change).
    static func refreshAccess(world: World) {
        let map = world.resource(TileMap.self)!
        let travel = world.resource(Catalog.self)!.travel
        let districtsWide = world.resource(TransportState.self)!.districtsWide
        world.query(Write<Citizen>.self).forEach { citizen in
            guard citizen.value.isEmployed else { return }
            citizen.value.access = access(homeTile: Int(citizen.value.homeTile), workTile: Int(citizen.value.workTile),
                                          map: map, travel: travel, districtsWide: districtsWide)
        }
    }

    /// Books citizens' electricity for today's trips (called by grid.attribute after dispatch).
    static func attributeElectricity(world: World, grid: PowerGrid, clock: Clock, tally: inout LedgerTally) {
        world.query(Write<Citizen>.self, Write<ElectricityLine>.self).forEach(slice: clock.hour, of: 24) { citizen, account in
            guard citizen.value.pendingKWh > 0 else { return }
            let island = Int(citizen.value.island)
            let demand = grid.demandKWh[island]
            let kWh = citizen.value.pendingKWh * (demand > 0 ? grid.deliveredKWh[island] / demand : 0)
            citizen.value.pendingKWh = 0
            let factor = grid.factor[island]
            guard kWh > 0, factor > 0 else { return }
            account.book(.gridHour, value: factor, quantity: kWh, tonnes: kWh * factor / 1e6,
                         sector: .transport, scope: .electricity, clock: clock, tally: &tally)
        }
    }

    static func freight(_ ctx: SystemContext) {
        let world = ctx.world
        let catalog = world.resource(Catalog.self)!
        let clock = world.resource(Clock.self)!
        let travel = catalog.travel
        let economy = catalog.economy
        var tally = LedgerTally()
        world.query(Read<Building>.self, Write<RoadFreightLine>.self, Write<RailFreightLine>.self)
            .forEach { building, roadLine, railLine in
            guard building.workers > 0 else { return }
            let tkm = Double(building.workers) * travel.freightTkmPerJob * building.servedFraction
            let railShare = building.hasRailSiding ? travel.railShareWithSiding : 0
            let road = tkm * (1 - railShare), rail = tkm * railShare
            if road > 0 {
                roadLine.book(economy.freightRoadFactorID, value: economy.freightRoadFactor, quantity: road,
                             tonnes: road * economy.freightRoadFactor / 1e6, sector: .transport, scope: .direct, clock: clock, tally: &tally)
            }
            if rail > 0 {
                railLine.book(economy.freightRailFactorID, value: economy.freightRailFactor, quantity: rail,
                             tonnes: rail * economy.freightRailFactor / 1e6, sector: .transport, scope: .direct, clock: clock, tally: &tally)
            }
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
            transport.closeDay { map.structure[$0].isRoad }
            var sums = [Double](repeating: 0, count: transport.districtCongestion.count)
            var counts = sums
            for i in 0..<map.tileCount where map.structure[i].isRoad {
                let x = i % map.width, y = i / map.width
                let district = (y / TransportState.districtSize) * transport.districtsWide + x / TransportState.districtSize
                let ratio = Double(transport.tileFlowsYesterday[i]) * peak / capacity
                sums[district] += 1 + economy.congestionAlpha * pow(ratio, economy.congestionBeta)
                counts[district] += 1
            }
            for d in sums.indices { transport.districtCongestion[d] = Float(counts[d] > 0 ? min(5, sums[d] / counts[d]) : 1) }
        }
    }
}
