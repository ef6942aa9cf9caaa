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
import ECS

// The eight-byte fields first and the small ones last: 64 bytes a building, where the fields in
// their natural order with padding took 80 (three systems stream this column every hour).
public struct Building: Component, Sendable {
    /// 0…1: share of the catalog's full-size building (its floor area, people and demand).
    public var density: Double
    /// Electricity demanded this hour, kWh (heat pumps included).
    public var demandKWh = 0.0
    /// Share of demand served in the last dispatched hour (1 = no blackout).
    public var servedFraction = 1.0
    public var rooftopKWh = 0.0
    /// Share of full output this hour (density × staffing × power served).
    public var output = 0.0
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
        sim.system("buildings.demand", Phase.simulate, writes: [Building.self, PrimaryLine.self, ProcessLine.self],
                   readsResources: [Catalog.self, Clock.self, Weather.self, Policies.self, CityStats.self],
                   writesResources: [Ledger.self, PowerGrid.self],
                   after: ["weather"], run: demand)
    }

    /// This hour's demand per unit of density, for one building kind (computed once per tick).
    struct HourlyRates {
        var electricity = 0.0      // kWh, at full occupancy
        var cooling = 0.0          // kWh
        var heat = 0.0             // kWh
        var process = 0.0          // tCO2e at full output
        var processID = FactorID.none
        var dataCentreKWh = 0.0    // IT load × PUE
        var upgradedDataCentreKWh = 0.0
        var capacity = 0.0         // residents or jobs at density 1
        var sector = Sector.buildings
        var rush = 1.0             // factories' output in a fossil-rush year (Adoption.swift)
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
        let heating = catalog.heating
        let hvacFactor = 1 - catalog.smartHVACSaving
        let insulationFactor = 1 - catalog.insulationHeatReduction
        let rooftopKWh = catalog.rooftopPVKW * weather.solarFactor
        var rates = [HourlyRates](repeating: HourlyRates(), count: BuildingKind.allCases.count)
        for kind in BuildingKind.allCases {
            let spec = catalog.building(kind)
            rates[Int(kind.rawValue)] = HourlyRates(
                electricity: spec.electricityBase * spec.hourlyProfile[hour] * seasonal,
                cooling: spec.coolingPerDegree * coolingDegrees, heat: spec.heatPerDegree * heatingDegrees,
                process: spec.processEmissions, processID: spec.processEmissionsID,
                dataCentreKWh: spec.itLoadKW * spec.pue, upgradedDataCentreKWh: spec.itLoadKW * catalog.upgradedPUE,
                capacity: kind == .residential ? spec.occupants : spec.jobs, sector: kind.sector)
        }
        // The green paradox: before an announced carbon tax, factories produce and burn more.
        let rush = Adoption.fossilRushFactor(world: world, year: clock.year)
        if rush != 1 {
            rates[Int(BuildingKind.industrial.rawValue)].electricity *= rush
            rates[Int(BuildingKind.industrial.rawValue)].rush = rush
        }
        var tally = LedgerTally()
        var demandByIsland = world.resource(PowerGrid.self)!.scratchDemand
        var rooftopByIsland = world.resource(PowerGrid.self)!.scratchRooftop
        demandByIsland.withUnsafeMutableBufferPointer { islandDemand in
        rooftopByIsland.withUnsafeMutableBufferPointer { islandRooftop in
            rates.withUnsafeBufferPointer { rates in
                world.query(Write<Building>.self, Write<PrimaryLine>.self).forEach { building, gas in
                    let b = building.value
                    let rate = rates[Int(b.kind.rawValue)]
                    let capacity = max(1, rate.capacity * b.density)
                    let occupancy = b.kind == .residential ? 0.2 + 0.8 * min(1, Double(b.residents) / capacity)
                        : 0.3 + 0.7 * min(1, Double(b.workers) / capacity)
                    let upgrades = b.upgrades
                    let hvac = upgrades & UpgradeKind.smartHVAC.bit != 0 ? hvacFactor : 1
                    var electricity: Double
                    if b.kind == .datacenter {
                        electricity = (upgrades & UpgradeKind.pue.bit != 0 ? rate.upgradedDataCentreKWh : rate.dataCentreKWh) * b.density
                            * (1 - b.abatement)
                    } else {
                        electricity = (rate.electricity * occupancy + rate.cooling * hvac) * b.density
                    }
                    var heat = rate.heat * b.density * hvac
                    if upgrades & UpgradeKind.insulation.bit != 0 { heat *= insulationFactor }
                    if heat > 0 {
                        if upgrades & UpgradeKind.heatPump.bit != 0 {
                            electricity += heat / heating.heatPumpCOP
                        } else {
                            gas.book(heating.gasFactorID, value: heating.gasFactor, quantity: heat,
                                         tonnes: heat * heating.gasFactor / 1000, sector: rate.sector, scope: .direct,
                                         clock: clock, tally: &tally)
                        }
                    }
                    // Output follows staffing and the power actually served last hour.
                    building.value.output = b.density * occupancy * b.servedFraction
                    building.value.demandKWh = electricity
                    let island = Int(b.island)
                    islandDemand[island] += electricity
                    let pv = upgrades & UpgradeKind.rooftopPV.bit != 0 ? rooftopKWh : 0
                    building.value.rooftopKWh = pv
                    islandRooftop[island] += pv
                }
            }
        }
        }
        world.withResource(PowerGrid.self) { grid in
            grid.scratchDemand = demandByIsland
            grid.scratchRooftop = rooftopByIsland
        }
        // Factories' process and farms' field emissions (only they carry a process line).
        rates.withUnsafeBufferPointer { rates in
            world.query(Read<Building>.self, Write<ProcessLine>.self).forEach { building, process in
                let rate = rates[Int(building.kind.rawValue)]
                guard rate.process > 0 else { return }
                let factor = rate.process * (1 - building.abatement)
                process.book(rate.processID, value: factor, quantity: building.output * rate.rush,
                             tonnes: factor * building.output * rate.rush, sector: rate.sector, scope: .direct, clock: clock, tally: &tally)
            }
        }
        world.withResource(Ledger.self) { $0.absorb(tally) }
    }
}
