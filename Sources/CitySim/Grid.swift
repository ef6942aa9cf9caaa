// Grid.swift — power plants, storage, and the hourly dispatch of every power island.
//
// Connection rule (documented in docs/simulation.md): power lines run along roads. A power
// island is one connected road network; a building, plant or store joins the island of the
// nearest road tile within `TileMap.serviceReach` tiles. Structures with no road in reach are
// unconnected: they get no power and deliver none.
//
// Phase simulate:
//   "grid.dispatch" (after buildings.demand and transport.trips), for each island in order:
//     1. ramp limits: each dispatchable plant must keep at least (last output − ramp × capacity);
//        that must-run output serves demand first;
//     2. renewables (wind, solar, hydro, rooftop PV) serve what is left; their excess charges
//        storage, and what storage cannot take is curtailed;
//     3. storage discharges into any remaining gap;
//     4. dispatchable plants rise in merit order (cheapest fuel first), within ramp limits and
//        never below their minimum stable output once running;
//     5. what is still missing is unserved energy: a blackout, shared by every consumer.
//     Each plant books its stack emissions (and CCUS capture as a negative line).
//     The island's grid factor = plant emissions ÷ energy delivered (gCO2/kWh).
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

    /// City-wide totals of the last hour.
    public var totalDelivered: Double { deliveredKWh.reduce(0, +) }
    public var totalUnserved: Double { unservedKWh.reduce(0, +) }
    public var totalEmissions: Double { emissions.reduce(0, +) }
    public var cityFactor: Double { totalDelivered > 0 ? totalEmissions * 1e6 / totalDelivered : 0 }
}

/// One dispatchable or variable unit during dispatch (scratch, reused every tick).
struct DispatchUnit {
    var island: Int32
    var cost: Double
    var order: Int        // position in query order, to write results back
    var lower: Double
    var upper: Double
    var minimum: Double
    var output: Double
    var variable: Bool
}

public enum Grid: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.resource("grid", PowerGrid.self) { _ in PowerGrid() }
        sim.component(PowerPlant.self, default: PowerPlant(kind: .coal))
        sim.component(StorageUnit.self, default: StorageUnit(kind: .battery)) { unit, _, _ in
            unit.stateKWh.isFinite && unit.stateKWh >= 0 ? nil : "it stores \(unit.stateKWh) kWh"
        }
        sim.system("grid.dispatch", Phase.simulate, writes: [PowerPlant.self, StorageUnit.self, PrimaryLine.self, ProcessLine.self],
                   readsResources: [Catalog.self, Clock.self, Weather.self, MarketConditions.self, Policies.self],
                   writesResources: [PowerGrid.self, Ledger.self],
                   after: ["buildings.demand", "transport.trips"], run: dispatch)
        sim.system("grid.attribute", Phase.simulate, writes: [Building.self, Citizen.self, ElectricityLine.self],
                   readsResources: [Catalog.self, Clock.self, PowerGrid.self], writesResources: [Ledger.self],
                   after: ["grid.dispatch"], run: attribute)
    }

    static func dispatch(_ ctx: SystemContext) {
        let world = ctx.world
        let catalog = world.resource(Catalog.self)!
        let clock = world.resource(Clock.self)!
        let weather = world.resource(Weather.self)!
        let market = world.resource(MarketConditions.self) ?? MarketConditions()
        // The carbon tax on all fuel (Adoption.swift): yuan per tCO2 at the stack, net of capture.
        let fuelTax = world.resource(Policies.self)?.fuelTax(in: clock.year) ?? 0
        var grid = world.removeResource(PowerGrid.self)!
        defer { world.insertResource(grid) }
        let n = grid.islandCount
        var mustRun = [Double](repeating: 0, count: n)
        var renewable = grid.scratchRooftop
        var units: [DispatchUnit] = []

        // 1. Gather plants: availability and ramp window.
        var order = 0
        world.query(Read<PowerPlant>.self).with(PrimaryLine.self).with(ProcessLine.self).forEach { plant in
            let spec = catalog.plants[Int(plant.kind.rawValue)]
            var capacity = spec.capacityKW * (plant.kind == .coal ? market.coalAvailability : 1)
            if plant.hasCCUS {
                capacity *= 1 - (plant.kind == .gas ? catalog.ccus.energyPenaltyGas : catalog.ccus.energyPenaltyCoal)
            }
            let island = plant.island
            if plant.kind.isVariable {
                let available: Double
                switch plant.kind {
                case .wind: available = capacity * weather.windFactor
                case .solar: available = capacity * weather.solarFactor
                default: available = capacity * spec.typicalCapacityFactor * (weather.inDrought ? 0.5 : 1)
                }
                renewable[Int(island)] += island > 0 ? available : 0
                units.append(DispatchUnit(island: island, cost: 0, order: order, lower: 0, upper: available, minimum: 0,
                                          output: 0, variable: true))
            } else {
                let ramp = spec.rampRate * capacity
                let lower = island > 0 ? max(0, plant.outputKW - ramp) : 0
                let upper = island > 0 ? min(capacity, plant.outputKW + ramp) : 0
                mustRun[Int(island)] += lower
                let taxPerKWh = fuelTax * spec.emissionFactor * (1 - plant.abatement) / 1e6 * (plant.hasCCUS ? 1 - catalog.ccus.captureRate : 1)
                units.append(DispatchUnit(island: island, cost: spec.fuelCost * market.fuelPriceMultiplier + taxPerKWh, order: order,
                                          lower: lower, upper: upper,
                                          minimum: spec.minOutput * capacity, output: lower, variable: false))
            }
            order += 1
        }
        // Merit order within each island: cheapest fuel first; ties by build order.
        units.sort { ($0.island, $0.variable ? 0 : 1, $0.cost, $0.order) < ($1.island, $1.variable ? 0 : 1, $1.cost, $1.order) }

        // 2–3. Islands: renewables, storage, must-run surplus.
        var residual = [Double](repeating: 0, count: n)
        var surplus = [Double](repeating: 0, count: n)
        var renewableUsedShare = [Double](repeating: 0, count: n)
        for island in 1..<n {
            let demand = grid.scratchDemand[island]
            let fromMustRun = min(mustRun[island], demand)
            var remaining = demand - fromMustRun
            let renewableUsed = min(renewable[island], remaining)
            remaining -= renewableUsed
            residual[island] = remaining
            surplus[island] = (renewable[island] - renewableUsed) + (mustRun[island] - fromMustRun)
            renewableUsedShare[island] = renewable[island] > 0 ? renewableUsed / renewable[island] : 0
            grid.renewableKWh[island] = renewableUsed
        }
        world.query(Write<StorageUnit>.self).forEach { unit in
            let island = Int(unit.value.island)
            let spec = catalog.storage[Int(unit.value.kind.rawValue)]
            unit.value.chargedKWh = 0
            unit.value.dischargedKWh = 0
            guard island > 0 else { return }
            if surplus[island] > 0 {
                let room = (spec.energyKWh - unit.value.stateKWh) / spec.roundTripEfficiency
                let charge = max(0, min(spec.powerKW, room, surplus[island]))
                unit.value.stateKWh += charge * spec.roundTripEfficiency
                unit.value.chargedKWh = charge
                surplus[island] -= charge
            } else if residual[island] > 0 {
                let discharge = max(0, min(spec.powerKW, unit.value.stateKWh, residual[island]))
                unit.value.stateKWh -= discharge
                unit.value.dischargedKWh = discharge
                residual[island] -= discharge
            }
        }
        // 4. Dispatchable plants in merit order, above their must-run floor.
        for i in units.indices where !units[i].variable && units[i].island > 0 {
            let island = Int(units[i].island)
            guard residual[island] > 0 else { continue }
            var raise = min(residual[island], units[i].upper - units[i].lower)
            // A unit that starts producing does so at no less than its minimum stable output.
            if units[i].lower == 0 && raise > 0 && raise < units[i].minimum {
                raise = min(units[i].minimum, units[i].upper)
                surplus[island] += raise - residual[island] > 0 ? raise - residual[island] : 0
            }
            units[i].output += raise
            residual[island] = max(0, residual[island] - raise)
        }
        // Variable units: the share of availability that was used; the rest is curtailed.
        var outputs = [Double](repeating: 0, count: order)
        var available = [Double](repeating: 0, count: order)
        for unit in units {
            available[unit.order] = unit.upper
            outputs[unit.order] = unit.variable ? unit.upper * renewableUsedShare[Int(unit.island)] : unit.output
        }

        // 5. Book plant emissions; per-island totals.
        var tally = LedgerTally()
        for island in 0..<n {
            grid.emissions[island] = 0
            grid.demandKWh[island] = grid.scratchDemand[island]
            grid.unservedKWh[island] = island == 0 ? grid.scratchDemand[0] : residual[island]
            grid.deliveredKWh[island] = grid.demandKWh[island] - grid.unservedKWh[island]
            grid.curtailedKWh[island] = island == 0 ? 0 : max(0, surplus[island])
        }
        var index = 0
        var generation = GenerationByKind()
        world.query(Write<PowerPlant>.self, Write<PrimaryLine>.self, Write<ProcessLine>.self).forEach { plant, stack, capture in
            let spec = catalog.plants[Int(plant.value.kind.rawValue)]
            let output = outputs[index]
            plant.value.outputKW = output
            plant.value.availableKW = available[index]
            plant.value.curtailedKWh = plant.value.kind.isVariable ? available[index] - output : 0
            index += 1
            guard output > 0 else { return }
            generation[plant.value.kind] += output
            let island = Int(plant.value.island)
            if plant.value.kind == .biomass { grid.renewableKWh[island] += output }
            guard spec.emissionFactor > 0 else { return }
            // A covered plant's abatement (Market.swift) lowers the factor it burns at.
            let factor = spec.emissionFactor * (1 - plant.value.abatement)
            let gross = output * factor / 1e6
            stack.book(spec.emissionFactorID, value: factor, quantity: output, tonnes: gross,
                         sector: .power, scope: .direct, clock: clock, tally: &tally)
            var net = gross
            if plant.value.hasCCUS {
                let captured = gross * catalog.ccus.captureRate
                capture.book(catalog.ccus.captureRateID, value: catalog.ccus.captureRate, quantity: gross, tonnes: -captured,
                             sector: .power, scope: .direct, clock: clock, tally: &tally)
                net -= captured
            }
            grid.emissions[island] += net
        }
        var anyBlackout = false
        for island in 0..<n {
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
                                grid.curtailedKWh.reduce(0, +), grid.totalEmissions)
            ledger.hourGeneration = generation
        }
    }

    static func attribute(_ ctx: SystemContext) {
        let world = ctx.world
        let clock = world.resource(Clock.self)!
        var tally = LedgerTally()
        let grid = world.resource(PowerGrid.self)!
        // Per island, once: the served share and the factor.
        let served = zip(grid.demandKWh, grid.deliveredKWh).map { demand, delivered in demand > 0 ? delivered / demand : 0 }
        served.withUnsafeBufferPointer { served in
            grid.factor.withUnsafeBufferPointer { factors in
                world.query(Write<Building>.self, Write<ElectricityLine>.self).forEach { building, account in
                    let island = Int(building.value.island)
                    let share = served[island]
                    building.value.servedFraction = share
                    let kWh = building.value.demandKWh * share
                    let factor = factors[island]
                    guard kWh > 0, factor > 0 else { return }
                    account.book(.gridHour, value: factor, quantity: kWh, tonnes: kWh * factor / 1e6,
                                 sector: building.value.kind.sector, scope: .electricity, clock: clock, tally: &tally)
                }
            }
        }
        Transport.attributeElectricity(world: world, grid: grid, clock: clock, tally: &tally)
        world.withResource(Ledger.self) { $0.absorb(tally) }
    }
}
