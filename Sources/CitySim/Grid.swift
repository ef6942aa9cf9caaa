// Grid.swift — power plants, storage, and the hourly dispatch of every power island.
//
// Connection rule (documented in docs/simulation.md): power lines run along roads. A power
// island is one connected road network; a building, plant or store joins the island of the
// nearest road tile within `TileMap.serviceReach` tiles. Structures with no road in reach are
// unconnected: they get no power and deliver none.
//
// Phase simulate:
//   "grid.dispatch" (after buildings.demand and transport.trips), for each island in order:
//     1. floors: each dispatchable plant keeps at least (last output − ramp × capacity); a hydro
//        plant with water left keeps its ecological minimum flow;
//     2. wind, solar and rooftop PV offer everything the weather gives (zero marginal cost);
//     3. what is still missing is met in merit order (cheapest marginal cost first: hydro within
//        its monthly water budget, then fuel plants within their ramp limits; a plant that starts
//        runs at no less than its minimum stable output when storage or backing off wind, solar
//        and hydro can absorb the excess, and otherwise at what is needed);
//     4. storage discharges at its marginal position: it covers any shortage, then displaces the
//        marginal plant (the most expensive one raised this hour), never the baseload;
//     5. any surplus (floors and renewables above demand, or a unit started at its minimum) is
//        never dumped: it first charges storage, then backs off wind and solar (curtailed, pro
//        rata), then hydro's minimum flow (spilled), and only then forces fuel plants below their
//        floors, most expensive first;
//     6. what is still missing is unserved energy: a blackout, shared by every consumer.
//     Energy balance each hour: plants' output + rooftop PV + discharge = delivered + charge
//     (the lines are lossless), and curtailed energy was never generated.
//     Each plant books its stack CO2 (with CCUS: fuel × 1/(1 − energy penalty) per kWh, of which
//     the capture rate is captured and kept apart) and its CH4 + N2O (`non_co2_factor`, CO2e).
//     The island's grid factor = plant CO2e ÷ energy delivered (gCO2e/kWh).
//   "grid.attribute" (after dispatch): each building books its served electricity × the grid
//     factor as scope-2 emissions; summed over consumers this equals the power sector's direct
//     emissions of the hour.
import ECS

public struct PowerPlant: Component, Sendable {
    public var kind: PlantKind
    public var island: Int32 = 0
    public var hasCCUS = false
    /// kW averaged over the last hour (= kWh sent out in it).
    public var outputKW = 0.0
    public var availableKW = 0.0
    public var curtailedKWh = 0.0
    /// Share of its stack emissions cut by the carbon market's abatement steps (Market.swift).
    public var abatement = 0.0
    /// Renewable kWh sent out and not yet issued as green-power certificates (Certificates.swift).
    public var meteredKWh = 0.0
    /// tCO2 captured by CCUS in the last hour.
    public var capturedTonnes = 0.0
    /// Hydro: kWh of water left in this month's budget, and the month (year × 12 + month) it is for.
    public var waterKWh = 0.0
    public var waterMonth = -1
    public init(kind: PlantKind) { self.kind = kind }
}

public struct StorageUnit: Component, Sendable {
    public var kind: StorageKind
    public var island: Int32 = 0
    /// Energy held, kWh.
    public var stateKWh = 0.0
    public var chargedKWh = 0.0     // drawn from the grid last hour
    public var dischargedKWh = 0.0  // delivered to the grid last hour
    public init(kind: StorageKind) { self.kind = kind }
}

/// Results of the last dispatch, per island (index 0: unconnected structures).
public struct PowerGrid: Sendable, SavedResource {
    public var islandCount = 1
    public var demandKWh: [Double] = [0]
    public var deliveredKWh: [Double] = [0]
    public var unservedKWh: [Double] = [0]
    public var curtailedKWh: [Double] = [0]
    public var renewableKWh: [Double] = [0]
    public var emissions: [Double] = [0]       // tCO2
    /// gCO2 per kWh delivered, this hour.
    public var factor: [Double] = [0]
    /// Demand and rooftop PV gathered this tick by consumers, before dispatch.
    public var scratchDemand: [Double] = [0]
    public var scratchRooftop: [Double] = [0]
    /// Hours with any unserved energy, since the start of the year.
    public var blackoutHoursThisYear = 0

    public init() {}

    mutating func resize(islands: Int) {
        islandCount = islands + 1
        for keyPath in [\PowerGrid.demandKWh, \.deliveredKWh, \.unservedKWh, \.curtailedKWh, \.renewableKWh,
                        \.emissions, \.factor, \.scratchDemand, \.scratchRooftop] {
            self[keyPath: keyPath] = Array(repeating: 0, count: islandCount)
        }
    }

    /// The share of an island's demand served in the last dispatched hour (1 before any dispatch
    /// or with no demand; none on island 0, which no road reaches).
    public func servedShare(island: Int) -> Double {
        guard island > 0 else { return 0 }
        guard island < islandCount, demandKWh[island] > 0 else { return 1 }
        return deliveredKWh[island] / demandKWh[island]
    }

    /// City-wide totals of the last hour.
    public var totalDelivered: Double { deliveredKWh.reduce(0, +) }
    public var totalUnserved: Double { unservedKWh.reduce(0, +) }
    public var totalEmissions: Double { emissions.reduce(0, +) }
    public var cityFactor: Double { totalDelivered > 0 ? totalEmissions * 1e6 / totalDelivered : 0 }
}

/// One plant during dispatch (scratch, rebuilt every tick).
struct DispatchUnit {
    enum Role { case variable, hydro, fuel }
    var island: Int32
    var role: Role
    var kind: PlantKind
    var cost: Double
    var order: Int        // position in query order, to write results back
    /// Variable: what the weather offers. Hydro: the ecological minimum. Fuel: the ramp floor.
    var floor: Double
    /// Highest output this hour (ramp, capacity, water).
    var upper: Double
    var minimum: Double
    /// Output above the floor chosen in merit order.
    var raise = 0.0
    /// Output taken back to absorb a surplus (curtailment, spill, forced back-down).
    var backedOff = 0.0
    var output: Double { floor + raise - backedOff }
}

public enum Grid: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.resource("grid", PowerGrid.self) { _ in PowerGrid() }
        sim.component(PowerPlant.self, default: PowerPlant(kind: .coal)) { plant, _, world in
            (0..<world.resource(PowerGrid.self)!.islandCount).contains(Int(plant.island)) ? nil : "its power island \(plant.island) does not exist"
        }
        sim.component(StorageUnit.self, default: StorageUnit(kind: .battery)) { unit, _, world in
            guard (0..<world.resource(PowerGrid.self)!.islandCount).contains(Int(unit.island)) else { return "its power island \(unit.island) does not exist" }
            return unit.stateKWh.isFinite && unit.stateKWh >= 0 ? nil : "it stores \(unit.stateKWh) kWh"
        }
        sim.system("grid.dispatch", Phase.simulate, writes: [PowerPlant.self, StorageUnit.self, PrimaryLine.self, ProcessLine.self],
                   readsResources: [Catalog.self, Clock.self, Weather.self, MarketConditions.self, Policies.self],
                   writesResources: [PowerGrid.self, Ledger.self],
                   after: ["buildings.demand", "transport.trips"], run: dispatch)
        sim.system("grid.attribute", Phase.simulate, reads: [Building.self],
                   writes: [BuildingLoad.self, Commute.self, ElectricityLine.self, PrimaryLine.self, ProcessLine.self,
                            RoadFreightLine.self, RailFreightLine.self, TripElectricityLine.self],
                   readsResources: [Catalog.self, Clock.self, PowerGrid.self, CommuteTotals.self],
                   writesResources: [Ledger.self, TripFlowState.self, BuildingLoadBook.self, CommuteBook.self],
                   after: ["grid.dispatch"], run: attribute)
    }

    /// Hours from this tick to the end of its month, this tick included.
    static func hoursLeftInMonth(_ clock: Clock) -> Double {
        let date = clock.date
        let next = date.month == 12 ? (date.year + 1, 1) : (date.year, date.month + 1)
        let days = Clock.daysFromCivil(year: next.0, month: next.1, day: 1) - Clock.daysFromCivil(year: date.year, month: date.month, day: 1)
        return Double((Int(days) - date.day) * 24 + (24 - clock.hour))
    }

    static func dispatch(_ ctx: SystemContext) {
        let world = ctx.world
        let catalog = world.resource(Catalog.self)!
        let clock = world.resource(Clock.self)!
        let weather = world.resource(Weather.self)!
        let market = world.resource(MarketConditions.self) ?? MarketConditions()
        // The carbon tax on all fuel (Adoption.swift): yuan per tCO2 at the stack, net of capture.
        let fuelTax = world.resource(Policies.self)?.fuelTax(in: clock.year) ?? 0
        world.withResource(PowerGrid.self) { grid in
            let n = grid.islandCount
            let monthKey = clock.date.year * 12 + clock.date.month
            let hoursLeft = hoursLeftInMonth(clock)
            var flows = HourFlows()
            var units: [DispatchUnit] = []

            // 1. Gather plants: what each can do this hour. A new month refills hydro's water budget;
            //    last month's unused water was spilled.
            var order = 0
            world.query(Write<PowerPlant>.self).forEach { plant in
                let kind = plant.value.kind
                let spec = catalog.plants[Int(kind.rawValue)]
                var capacity = spec.capacityKW * (kind == .coal ? market.coalAvailability : 1)
                if plant.value.hasCCUS { capacity *= 1 - catalog.ccusPenalty(kind) }
                let island = plant.value.island
                let connected = island > 0
                switch kind {
                case .wind, .solar:
                    let offered = connected ? capacity * (kind == .wind ? weather.windFactor : weather.solarFactor) : 0
                    units.append(DispatchUnit(island: island, role: .variable, kind: kind, cost: 0, order: order,
                                              floor: offered, upper: offered, minimum: 0))
                case .hydro:
                    if plant.value.waterMonth != monthKey {
                        if plant.value.waterMonth >= 0 { flows.curtailedHydroKWh += plant.value.waterKWh }
                        plant.value.waterMonth = monthKey
                        plant.value.waterKWh = capacity * spec.typicalCapacityFactor * hoursLeft
                    }
                    // A drought halves the river's inflow for the hour.
                    if weather.inDrought { plant.value.waterKWh = max(0, plant.value.waterKWh - 0.5 * capacity * spec.typicalCapacityFactor) }
                    let water = connected ? plant.value.waterKWh : 0
                    // Paced so the month's water lasts: at most twice the average rate that is left.
                    let upper = min(capacity, water, max(spec.minOutput * capacity, 2 * water / max(1, hoursLeft)))
                    let floor = min(spec.minOutput * capacity, upper)
                    units.append(DispatchUnit(island: island, role: .hydro, kind: kind, cost: 0, order: order,
                                              floor: floor, upper: upper, minimum: floor))
                default:
                    let ramp = spec.rampRate * capacity
                    let floor = connected ? max(0, plant.value.outputKW - ramp) : 0
                    let upper = connected ? min(capacity, plant.value.outputKW + ramp) : 0
                    let fuel = catalog.ccusFuelMultiplier(kind, hasCCUS: plant.value.hasCCUS)
                    let escaping = plant.value.hasCCUS ? 1 - catalog.ccus.captureRate : 1
                    let taxPerKWh = fuelTax * spec.emissionFactor * fuel * escaping * (1 - plant.value.abatement) / 1e6
                    units.append(DispatchUnit(island: island, role: .fuel, kind: kind,
                                              cost: spec.fuelCost * fuel * market.fuelPriceMultiplier + taxPerKWh, order: order,
                                              floor: min(floor, upper), upper: upper, minimum: spec.minOutput * capacity))
                }
                order += 1
            }
            // Merit order within each island: cheapest marginal cost first; ties by build order.
            units.sort { ($0.island, $0.cost, $0.order) < ($1.island, $1.cost, $1.order) }
            var firstUnit = [Int](repeating: units.count, count: n + 1)
            for i in units.indices.reversed() { firstUnit[Int(units[i].island)] = i }
            for island in stride(from: n - 1, through: 0, by: -1) where firstUnit[island] > firstUnit[island + 1] {
                firstUnit[island] = firstUnit[island + 1]
            }

            // Storage: what each island's stores can give and take this hour.
            var canDischarge = [Double](repeating: 0, count: n)
            var canCharge = [Double](repeating: 0, count: n)
            world.query(Read<StorageUnit>.self).forEach { unit in
                let island = Int(unit.island)
                guard island > 0 else { return }
                let spec = catalog.storage[Int(unit.kind.rawValue)]
                canDischarge[island] += max(0, min(spec.powerKW, unit.stateKWh))
                canCharge[island] += max(0, min(spec.powerKW, (spec.energyKWh - unit.stateKWh) / spec.roundTripEfficiency))
            }

            var discharge = [Double](repeating: 0, count: n)
            var charge = [Double](repeating: 0, count: n)
            var rooftopUsed = [Double](repeating: 0, count: n)
            var unserved = [Double](repeating: 0, count: n)
            for island in 1..<n {
                let range = firstUnit[island]..<firstUnit[island + 1]
                let demand = grid.scratchDemand[island]
                let rooftop = grid.scratchRooftop[island]
                var supply = rooftop
                for i in range { supply += units[i].floor }
                // 3. Merit order for what the floors and the weather leave unmet. A plant that starts runs
                //    at its minimum stable output when the excess can be absorbed (storage, wind and
                //    solar backing off, hydro's minimum flow); otherwise it runs at what is needed.
                var need = demand - supply
                var absorbable = canCharge[island] + rooftop
                for i in range where units[i].role != .fuel { absorbable += units[i].floor }
                for i in range where need > 0 && units[i].role != .variable {
                    var raise = min(need, units[i].upper - units[i].floor)
                    guard raise > 0 else { continue }
                    if units[i].role == .fuel && units[i].floor == 0 && raise < units[i].minimum {
                        let overshoot = min(units[i].minimum, units[i].upper) - raise
                        if overshoot <= absorbable {
                            raise += overshoot
                            absorbable -= overshoot
                        }
                    }
                    units[i].raise = raise
                    need -= raise
                }
                // 4. Storage at its marginal position: the shortage first, then the most expensive fuel.
                var stored = canDischarge[island]
                if need > 0 {
                    let covered = min(stored, need)
                    discharge[island] += covered
                    stored -= covered
                    need -= covered
                }
                // Only the marginal plant (the most expensive one raised this hour) is displaced.
                if stored > 0, let i = range.reversed().first(where: { units[$0].role == .fuel && units[$0].raise > 0 }) {
                    var displaced = min(stored, units[i].raise)
                    // A unit started this hour either stays at its minimum or does not start.
                    if units[i].floor == 0 && units[i].raise - displaced < units[i].minimum && displaced < units[i].raise {
                        displaced = max(0, units[i].raise - units[i].minimum)
                    }
                    units[i].raise -= displaced
                    discharge[island] += displaced
                    stored -= displaced
                }
                unserved[island] = max(0, need)
                // 5. A surplus is never dumped: storage takes it first, then wind and solar back off,
                //    then hydro spills its minimum flow, then fuel plants are forced down.
                var surplus = -min(0, need)
                if surplus > 0 && discharge[island] > 0 {
                    let less = min(surplus, discharge[island])
                    discharge[island] -= less
                    surplus -= less
                }
                if surplus > 0 {
                    let taken = min(surplus, canCharge[island])
                    charge[island] = taken
                    surplus -= taken
                }
                var offered = rooftop
                for i in range where units[i].role == .variable { offered += units[i].floor }
                if surplus > 0 && offered > 0 {
                    let share = min(1, surplus / offered)
                    for i in range where units[i].role == .variable {
                        units[i].backedOff = units[i].floor * share
                        if units[i].kind == .wind { flows.curtailedWindKWh += units[i].backedOff } else { flows.curtailedSolarKWh += units[i].backedOff }
                    }
                    flows.curtailedSolarKWh += rooftop * share
                    rooftopUsed[island] = rooftop * (1 - share)
                    surplus -= min(surplus, offered)
                } else {
                    rooftopUsed[island] = rooftop
                }
                for i in range where surplus > 0 && units[i].role == .hydro {
                    let spill = min(surplus, units[i].output)
                    units[i].backedOff += spill
                    flows.curtailedHydroKWh += spill
                    surplus -= spill
                }
                for i in range.reversed() where surplus > 0 && units[i].role == .fuel {
                    let down = min(surplus, units[i].output)
                    units[i].backedOff += down
                    surplus -= down
                }
            }

            // Stores carry out the island's charge and discharge, in query order.
            var toCharge = charge
            var toDischarge = discharge
            world.query(Write<StorageUnit>.self).forEach { unit in
                let island = Int(unit.value.island)
                let spec = catalog.storage[Int(unit.value.kind.rawValue)]
                unit.value.chargedKWh = 0
                unit.value.dischargedKWh = 0
                guard island > 0 else { return }
                if toCharge[island] > 0 {
                    let room = max(0, min(spec.powerKW, (spec.energyKWh - unit.value.stateKWh) / spec.roundTripEfficiency))
                    let taken = min(room, toCharge[island])
                    unit.value.stateKWh = min(spec.energyKWh, unit.value.stateKWh + taken * spec.roundTripEfficiency)
                    unit.value.chargedKWh = taken
                    toCharge[island] -= taken
                } else if toDischarge[island] > 0 {
                    let given = min(max(0, min(spec.powerKW, unit.value.stateKWh)), toDischarge[island])
                    unit.value.stateKWh = max(0, unit.value.stateKWh - given)
                    unit.value.dischargedKWh = given
                    toDischarge[island] -= given
                }
            }

            // 6. Per-island totals.
            for island in 0..<n {
                grid.emissions[island] = 0
                grid.demandKWh[island] = grid.scratchDemand[island]
                grid.unservedKWh[island] = island == 0 ? grid.scratchDemand[0] : unserved[island]
                grid.deliveredKWh[island] = grid.demandKWh[island] - grid.unservedKWh[island]
                grid.curtailedKWh[island] = 0
                grid.renewableKWh[island] = rooftopUsed[island]
                flows.rooftopKWh += rooftopUsed[island]
                flows.chargeKWh += charge[island]
                flows.dischargeKWh += discharge[island]
            }
            var outputs = [Double](repeating: 0, count: order)
            var available = [Double](repeating: 0, count: order)
            for unit in units {
                outputs[unit.order] = max(0, unit.output)
                available[unit.order] = unit.role == .fuel ? unit.upper : unit.floor + unit.raise
                if unit.role != .fuel { grid.curtailedKWh[Int(unit.island)] += unit.backedOff }
            }

            // Book plant emissions.
            var tally = LedgerTally()
            var index = 0
            var generation = GenerationByKind()
            world.query(Write<PowerPlant>.self, Write<PrimaryLine>.self, Write<ProcessLine>.self).forEach { plant, stack, gases in
                let kind = plant.value.kind
                let spec = catalog.plants[Int(kind.rawValue)]
                let output = outputs[index]
                plant.value.outputKW = output
                plant.value.availableKW = available[index]
                plant.value.curtailedKWh = kind.isVariable ? max(0, available[index] - output) : 0
                plant.value.capturedTonnes = 0
                index += 1
                if kind == .hydro { plant.value.waterKWh = max(0, plant.value.waterKWh - output) }
                guard output > 0 else { return }
                generation[kind] += output
                let island = Int(plant.value.island)
                if kind.isRenewable { grid.renewableKWh[island] += output }
                // A covered plant's abatement (Market.swift) lowers the factor it burns at; CCUS burns
                // 1 / (1 − penalty) times the fuel per kWh and captures the capture rate of it.
                let fuel = catalog.ccusFuelMultiplier(kind, hasCCUS: plant.value.hasCCUS)
                let escaping = plant.value.hasCCUS ? 1 - catalog.ccus.captureRate : 1
                if spec.emissionFactor > 0 {
                    let burnt = spec.emissionFactor * fuel * (1 - plant.value.abatement)
                    let emitted = output * burnt * escaping / 1e6
                    stack.book(spec.emissionFactorID, value: burnt * escaping, quantity: output, tonnes: emitted,
                               sector: .power, scope: .direct, clock: clock, tally: &tally)
                    if plant.value.hasCCUS {
                        let captured = output * burnt * catalog.ccus.captureRate / 1e6
                        plant.value.capturedTonnes = captured
                        tally.capture(captured)
                    }
                    grid.emissions[island] += emitted
                }
                if spec.nonCO2Factor > 0 {
                    let factor = spec.nonCO2Factor * fuel
                    let gasTonnes = output * factor / 1e6
                    gases.book(spec.nonCO2FactorID, value: factor, quantity: output, tonnes: gasTonnes,
                               sector: .power, scope: .direct, clock: clock, tally: &tally)
                    grid.emissions[island] += gasTonnes
                }
            }
            var anyBlackout = false
            for island in 0..<n {
                grid.renewableKWh[island] = min(grid.renewableKWh[island], grid.deliveredKWh[island])
                grid.factor[island] = grid.deliveredKWh[island] > 0 ? grid.emissions[island] * 1e6 / grid.deliveredKWh[island] : 0
                if grid.unservedKWh[island] > 1e-6 * max(1, grid.demandKWh[island]) && grid.demandKWh[island] > 0 { anyBlackout = true }
                grid.scratchDemand[island] = 0
                grid.scratchRooftop[island] = 0
            }
            if clock.isNewYear { grid.blackoutHoursThisYear = 0 }
            if anyBlackout { grid.blackoutHoursThisYear += 1 }
            world.withResource(Ledger.self) { ledger in
                ledger.absorb(tally)
                ledger.hourPower = (grid.totalDelivered, grid.renewableKWh.reduce(0, +), grid.totalUnserved,
                                    flows.curtailedWindKWh + flows.curtailedSolarKWh + flows.curtailedHydroKWh, grid.totalEmissions)
                ledger.hourGeneration = generation
                ledger.hourFlows = flows
            }
        }
    }

    static func attribute(_ ctx: SystemContext) {
        let world = ctx.world
        let clock = world.resource(Clock.self)!
        var tally = LedgerTally()
        let grid = world.resource(PowerGrid.self)!
        // Per island, once: the served share and the factor.
        let served = zip(grid.demandKWh, grid.deliveredKWh).map { demand, delivered in demand > 0 ? delivered / demand : 0 }
        // The buildings' electricity, per kind and island (BuildingLoads.swift): the city's books
        // now, each building's at its next settlement.
        world.withResource(BuildingLoadBook.self) { book in
            let islands = book.islands
            guard book.sums.count == book.kinds * islands, book.totals.count == book.sums.count, book.hourRates.count == book.kinds else { return }
            for island in 0..<min(islands, grid.islandCount) {
                let share = served[island], factor = grid.factor[island]
                let booked = share > 0 && factor > 0
                if booked { book.lastFactor[island] = factor }
                for k in 0..<book.kinds {
                    let cell = k * islands + island
                    guard booked else { book.lastHour[cell] = LoadTerms(); continue }
                    let rates = book.hourRates[k]
                    let grams = share * factor
                    let hour = LoadTerms(profile: rates.electricity * share, cooling: rates.cooling * share, heatPump: rates.heat * share,
                                         constant: share, profileGrams: rates.electricity * grams, coolingGrams: rates.cooling * grams,
                                         heatPumpGrams: rates.heat * grams, constantGrams: grams)
                    book.lastHour[cell] = hour
                    book.sums[cell].add(hour)
                    let tonnes = hour.tonnes(book.totals[cell].load)
                    if tonnes > 0 { tally.add(tonnes, sector: BuildingKind(rawValue: UInt8(k))!.sector, scope: .electricity) }
                }
            }
            book.lastHourTick = clock.tick
            // The year's last hour settles every building's lines, so that no sum spans two years
            // (and the year's lines are whole when 1 January's yearly systems read them).
            if clock.isLastHourOfYear {
                BuildingLoads.settle(world, book: &book, catalog: world.resource(Catalog.self)!, refresh: false)
            }
        }
        Commutes.bookElectricity(world: world, grid: grid, served: served, clock: clock, tally: &tally)
        if clock.isLastHourOfYear { Commutes.settleAll(world: world) }
        served.withUnsafeBufferPointer { served in
            Transport.attributeElectricity(world: world, grid: grid, served: served, clock: clock, tally: &tally)
        }
        world.withResource(Ledger.self) { $0.absorb(tally) }
    }
}

extension PowerGrid {
    public func validate(in world: World) throws(SaveValidationError) {
        let islands = (world.resource(TileMap.self)?.roadComponentCount ?? 0) + 1
        guard islandCount == islands else { throw SaveValidationError("the grid has \(islandCount) islands; the map's roads make \(islands)") }
        for values in [demandKWh, deliveredKWh, unservedKWh, curtailedKWh, renewableKWh, emissions, factor, scratchDemand, scratchRooftop]
            where values.count != islandCount {
            throw SaveValidationError("a per-island list of the grid has \(values.count) values for \(islandCount) islands")
        }
    }
}

extension TransportState {
    public func validate(in world: World) throws(SaveValidationError) {
        guard let map = world.resource(TileMap.self), width == map.width, height == map.height,
              tileFlowsYesterday.count == map.tileCount else {
            throw SaveValidationError("the traffic grid does not cover the map")
        }
    }
}

extension AirQualityField {
    public func validate(in world: World) throws(SaveValidationError) {
        let tiles = world.resource(TileMap.self)?.tileCount ?? 0
        guard concentration.count == tiles, emissionsToday.count == tiles else { throw SaveValidationError("the air-quality field does not cover the map") }
    }
}
