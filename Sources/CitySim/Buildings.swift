// Buildings.swift — homes, shops, offices, factories, data centres, farms, schools, hospitals.
//
// Phase simulate, system "buildings.demand" (after weather, before transport and dispatch):
//   1. each building's electricity demand this hour:
//        base × density × occupancy × hourly profile × seasonal multiplier
//        + cooling per °C above 24 °C (less with smart HVAC);
//      a data centre draws IT load × PUE instead;
//   2. its heat demand: heat per °C below 18 °C (less with insulation or smart HVAC), met by a
//      gas boiler (direct CO2 at the catalog's gas factor) or by a heat pump (electricity ÷ COP);
//   3. process emissions of factories and field emissions of farms, scaled by output (a
//      blackout cuts output);
//   4. rooftop PV output, offered to the grid as renewable supply.
// Electricity emissions are booked later, by "grid.attribute", at the hour's grid factor.
// Steps 1, 2 and 4 are computed per kind and power island from the buildings' shares, not per
// building (BuildingLoads.swift); a building's own lines are settled from them.
import ECS

// The eight-byte fields first and the small ones last: 40 bytes a building. What it draws and
// makes in an hour is not kept here: no system writes this column hourly, so a change to it is a
// change to the building (BuildingLoads.swift).
public struct Building: Component, Sendable {
    /// 0…1: share of the catalog's full-size building (its floor area, people and demand).
    public var density: Double
    /// Share of a covered factory's process emissions, or a covered data centre's electricity,
    /// cut by the carbon market's abatement steps (Market.swift).
    public var abatement = 0.0
    /// Power island (road component + 1); 0 when no road is within reach.
    public var island: Int32 = 0
    public var residents: Int32 = 0
    public var workers: Int32 = 0
    public var kind: BuildingKind
    public var upgrades: UInt8 = 0
    /// A rail line within the freight siding reach (set when the networks change).
    public var hasRailSiding = false

    public init(kind: BuildingKind, density: Double) {
        self.kind = kind
        self.density = density
    }

    public func has(_ upgrade: UpgradeKind) -> Bool { upgrades & upgrade.bit != 0 }

    /// Residents (homes) or jobs (everything else) at full occupancy.
    public func capacity(_ capacities: BuildingCapacities) -> Int32 {
        Int32((capacities.seats[Int(kind.rawValue)] * density).rounded())
    }
}

/// What each kind of building holds at density 1, by `BuildingKind.rawValue`: taken from the
/// catalog once before a walk over every building, which would otherwise copy a `BuildingSpec`
/// (its profile array and factor names retained and released) per building.
public struct BuildingCapacities: Sendable {
    /// Residents of a home, jobs of any other building.
    public let seats: [Double]
    public let schoolPlaces: [Double]
    public let hospitalBeds: [Double]

    public init(_ catalog: Catalog) {
        seats = catalog.buildings.enumerated().map { $0.offset == Int(BuildingKind.residential.rawValue) ? $0.element.occupants : $0.element.jobs }
        schoolPlaces = catalog.buildings.map(\.students)
        hospitalBeds = catalog.buildings.map(\.beds)
    }
}

public enum Buildings: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.component(Building.self, default: Building(kind: .residential, density: 1)) { building, _, world in
            building.density.isFinite && building.density > 0 && building.density <= 1 && building.residents >= 0 && building.workers >= 0
                && (0..<world.resource(PowerGrid.self)!.islandCount).contains(Int(building.island))
                ? nil : "density \(building.density), \(building.residents) residents, \(building.workers) workers, island \(building.island)"
        }
        sim.component(BuildingLoad.self, default: BuildingLoad()) { load, _, world in
            if !(0..<world.resource(PowerGrid.self)!.islandCount).contains(Int(load.island)) { return "its power island \(load.island) does not exist" }
            let shares = [load.profileShare, load.coolingShare, load.heatPumpShare, load.constantKWh, load.gasHeatShare, load.staffedShare,
                          load.processOutput, load.processFactor, load.roadTkm, load.railTkm]
            return shares.contains { $0 < 0 } ? "its load shares are negative" : nil
        }
        sim.resource("building_loads", BuildingLoadBook.self) { _ in BuildingLoadBook() }
        sim.system("buildings.demand", Phase.simulate, reads: [Building.self],
                   writes: [BuildingLoad.self, ElectricityLine.self, PrimaryLine.self, ProcessLine.self, RoadFreightLine.self,
                            RailFreightLine.self],
                   readsResources: [Catalog.self, Clock.self, Weather.self, Policies.self, CityStats.self],
                   writesResources: [Ledger.self, PowerGrid.self, BuildingLoadBook.self],
                   after: ["weather"], run: demand)
    }

    static func demand(_ ctx: SystemContext) {
        let world = ctx.world
        let catalog = world.resource(Catalog.self)!
        let clock = world.resource(Clock.self)!
        let weather = world.resource(Weather.self)!
        let hour = clock.hour
        let seasonal = catalog.economy.seasonalMultiplier[clock.month - 1]
        let heatingDegrees = max(0, 18 - weather.temperature)
        let coolingDegrees = max(0, weather.temperature - 24)
        let rooftopKWh = catalog.rooftopPVKW * weather.solarFactor
        // The green paradox: before an announced carbon tax, factories produce and burn more.
        let rush = Adoption.fossilRushFactor(world: world, year: clock.year)
        let kinds = BuildingKind.allCases.count
        var rates = [KindRates](repeating: KindRates(), count: kinds)
        for kind in BuildingKind.allCases {
            let spec = catalog.building(kind)
            rates[Int(kind.rawValue)] = KindRates(
                electricity: spec.electricityBase * spec.hourlyProfile[hour] * seasonal * (kind == .industrial ? rush : 1),
                cooling: spec.coolingPerDegree * coolingDegrees, heat: spec.heatPerDegree * heatingDegrees)
        }
        let islands = world.resource(PowerGrid.self)!.islandCount
        var tally = LedgerTally()
        world.withResource(BuildingLoadBook.self) { book in
            if BuildingLoads.mustRereadAll(world, book: book, catalog: catalog, islands: islands, year: clock.year) {
                BuildingLoads.settle(world, book: &book, catalog: catalog, refresh: true)
            } else if world.lastChangeTick(Building.self) > book.checkedTick {
                BuildingLoads.rereadChanged(world, book: &book, catalog: catalog)
            }
            book.hourRates = rates
            // Heating gas: per kind, the heat rate × the kind's gas-heated shares.
            let gasFactor = catalog.heating.gasFactor
            book.gasFactorValue = gasFactor
            for k in 0..<kinds {
                let heat = rates[k].heat
                book.gasLastHeat[k] = 0
                book.gasLastTonnes[k] = 0
                guard heat > 0 else { continue }
                var share = 0.0
                for island in 0..<islands { share += book.totals[k * islands + island].load.gasHeatShare }
                let tonnesPerShare = heat * gasFactor / 1000
                book.gasLastHeat[k] = heat
                book.gasLastTonnes[k] = tonnesPerShare
                book.gasHeat[k] += heat
                book.gasTonnes[k] += tonnesPerShare
                if share > 0 { tally.add(share * tonnesPerShare, sector: BuildingKind(rawValue: UInt8(k))!.sector, scope: .direct) }
            }
            book.gasLastTick = clock.tick
            book.pendingYear = clock.year
            world.withResource(PowerGrid.self) { grid in
                for island in 0..<islands {
                    var demand = 0.0, rooftops = 0.0
                    for k in 0..<kinds {
                        let totals = book.totals[k * islands + island]
                        demand += rates[k].kWh(totals.load)
                        rooftops += totals.rooftops
                    }
                    grid.scratchDemand[island] += demand
                    grid.scratchRooftop[island] += rooftops * rooftopKWh
                }
            }
            // Factories' process and farms' field emissions, by output: staffing × the power served
            // last hour (× the fossil rush for factories), per kind and island.
            let grid = world.resource(PowerGrid.self)!
            var processTonnes = 0.0
            for k in 0..<kinds {
                let kindRush = k == Int(BuildingKind.industrial.rawValue) ? rush : 1
                for island in 0..<islands {
                    let cell = k * islands + island
                    guard cell < book.outputSums.count else { continue }
                    let output = grid.servedShare(island: island) * kindRush
                    book.outputSums[cell].output += output
                    book.outputLastHour[cell].output = output
                    let tonnes = book.totals[cell].processTonnes * output
                    if tonnes != 0 { tally.add(tonnes, sector: BuildingKind(rawValue: UInt8(k))!.sector, scope: .direct) }
                    processTonnes += tonnes
                }
            }
            book.processTonnesLastHour = processTonnes
            book.outputLastTick = clock.tick
        }
        world.withResource(Ledger.self) { $0.absorb(tally) }
    }
}
