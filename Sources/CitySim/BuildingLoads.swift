// BuildingLoads.swift — buildings' hourly electricity and heating gas, booked by load profile.
//
// A building's demand in an hour is a few shares of its own (density × occupancy, the smart
// HVAC factor, insulation, a heat pump, a data centre's IT load) times its kind's rates for the
// hour (the profile, the weather, the month), which are the same for every building of the kind.
// The shares change only when the building does (residents or workers come or go, an upgrade,
// abatement, a new island), so each hour costs one step per kind and power island, not one per
// building:
//   - `buildings.demand` gives dispatch each island's demand from the shares summed per kind and
//     island, and books the city's heating gas from them;
//   - `grid.attribute` books the city's grid electricity the same way, and adds the hour to
//     running sums per kind and island (the rate × the served share, and × the grid factor);
//   - a building's own ledger lines take those sums times its shares when they are settled, in
//     the year's last hour (and when every building's shares are read again: a new year, a
//     building demolished, new islands, new catalog values);
//   - a building that changes (residents or workers, an upgrade, abatement) or is built between
//     settlements is visited alone, through the ECS's change ticks: its lines take the hours
//     summed so far at its old shares less the same at its new ones, so that its settlement
//     then leaves each hour at the shares it had (`BuildingLoadBook.addChange`).
// Between settlements, `World.bookedLine` (and so `ledgerLines(of:)` and `forEachLedgerLine`)
// reads a line with the hours since added, without writing it. The books are the per-hour
// booking's sums in another order: equal to within rounding.
import ECS

/// A building's shares of its kind's hourly rates, as they were at its last settlement.
public struct BuildingLoad: Component, Sendable, Equatable, Codable {
    /// Per kWh of the kind's hourly electricity rate: density × occupancy (0 for a data centre).
    public var profileShare = 0.0
    /// Per kWh of the kind's cooling rate: density × the smart-HVAC factor (0 for a data centre).
    public var coolingShare = 0.0
    /// Heat-pump kWh per kWh of the kind's heat rate: density × HVAC × insulation ÷ COP.
    public var heatPumpShare = 0.0
    /// kWh every hour: a data centre's IT load × PUE × density, less its abatement.
    public var constantKWh = 0.0
    /// Gas-boiler heat per kWh of the kind's heat rate (0 with a heat pump).
    public var gasHeatShare = 0.0
    /// density × occupancy: the share of full output when power is fully served.
    public var staffedShare = 0.0
    /// A building with a process line (a factory's process, a farm's field emissions): its
    /// output per unit of its island's served share (density × occupancy), and the tonnes per
    /// unit of output (the kind's factor, less the market's abatement).
    public var processOutput = 0.0
    public var processFactor = 0.0
    /// A factory's freight at full service, tonne-km an hour: by road and by rail.
    public var roadTkm = 0.0
    public var railTkm = 0.0
    /// The power island its hours since the last settlement were summed on.
    public var island: Int32 = 0
    public var rooftopPV = false

    public init() {}
}

/// One kind's output on one island since settlement: the served shares summed (freight moves
/// with the power served), and the same × the kind's fossil-rush factor (process output).
struct OutputTerms: Sendable, Codable, Equatable {
    var served = 0.0
    var output = 0.0
}

/// One kind's electricity terms on one island: the hourly rates × the served share (kWh per unit
/// of share) and the same × the grid factor (g per unit of share), for hours with a factor.
struct LoadTerms: Sendable, Codable, Equatable {
    var profile = 0.0, cooling = 0.0, heatPump = 0.0, constant = 0.0
    var profileGrams = 0.0, coolingGrams = 0.0, heatPumpGrams = 0.0, constantGrams = 0.0

    mutating func add(_ other: LoadTerms) {
        profile += other.profile; cooling += other.cooling; heatPump += other.heatPump; constant += other.constant
        profileGrams += other.profileGrams; coolingGrams += other.coolingGrams
        heatPumpGrams += other.heatPumpGrams; constantGrams += other.constantGrams
    }

    func kWh(_ load: BuildingLoad) -> Double {
        load.profileShare * profile + load.coolingShare * cooling + load.heatPumpShare * heatPump + load.constantKWh * constant
    }
    func tonnes(_ load: BuildingLoad) -> Double {
        (load.profileShare * profileGrams + load.coolingShare * coolingGrams + load.heatPumpShare * heatPumpGrams
            + load.constantKWh * constantGrams) / 1e6
    }
}

/// The shares of every building of one kind on one island, summed.
struct LoadTotals: Sendable, Codable, Equatable {
    var load = BuildingLoad()
    var rooftops = 0.0
    /// Process tonnes per unit of the kind's output term (each building's output × factor).
    var processTonnes = 0.0

    /// Adds a building's shares (`sign` 1), or takes them out (−1).
    mutating func add(_ building: BuildingLoad, sign: Double = 1) {
        load.profileShare += sign * building.profileShare
        load.coolingShare += sign * building.coolingShare
        load.heatPumpShare += sign * building.heatPumpShare
        load.constantKWh += sign * building.constantKWh
        load.gasHeatShare += sign * building.gasHeatShare
        load.staffedShare += sign * building.staffedShare
        load.processOutput += sign * building.processOutput
        processTonnes += sign * building.processOutput * building.processFactor
        load.roadTkm += sign * building.roadTkm
        load.railTkm += sign * building.railTkm
        if building.rooftopPV { rooftops += sign }
    }
}

/// The hourly rates of one building kind, per unit of share.
struct KindRates: Sendable, Codable, Equatable {
    var electricity = 0.0  // kWh, at full occupancy
    var cooling = 0.0      // kWh
    var heat = 0.0         // kWh of heat

    /// The electricity drawn this hour by `load`'s shares (one building's, or a kind's summed).
    func kWh(_ load: BuildingLoad) -> Double {
        load.profileShare * electricity + load.coolingShare * cooling + load.heatPumpShare * heat + load.constantKWh
    }
}

/// Every building's shares summed per kind and island, and the hours summed since the buildings'
/// lines were last settled. Saved: a loaded city settles where the running one would have.
public struct BuildingLoadBook: Sendable, SavedResource, Equatable {
    var islands = 1
    /// Per kind × island (kind-major): the shares, and the electricity terms since settlement.
    var totals: [LoadTotals] = []
    var sums: [LoadTerms] = []
    /// The last hour summed (its terms and tick), the year the sums belong to, and each island's
    /// grid factor in the last hour it was booked.
    var lastHour: [LoadTerms] = []
    var lastHourTick: Int64 = -1
    var pendingYear = Int.min
    var lastFactor: [Double] = []
    /// Per kind: heat rates summed since settlement, the same × the gas factor ÷ 1000 (t per unit
    /// of share), and the last hour's.
    var gasHeat: [Double] = []
    var gasTonnes: [Double] = []
    var gasLastHeat: [Double] = []
    var gasLastTonnes: [Double] = []
    var gasLastTick: Int64 = -1
    var gasFactorValue = 0.0
    /// Per kind × island: output terms since settlement (process and freight), the last hour's,
    /// and its tick; the freight factors (g CO2e per tonne-km) the terms are booked at; and the
    /// buildings' process tonnes in the last hour (the fuel tax leaves them out).
    var outputSums: [OutputTerms] = []
    var outputLastHour: [OutputTerms] = []
    var outputLastTick: Int64 = -1
    var freightRoadFactor = 0.0
    var freightRailFactor = 0.0
    var processTonnesLastHour = 0.0
    /// This hour's rates per kind (set by `buildings.demand`, used by `grid.attribute`).
    var hourRates: [KindRates] = []
    /// What the shares were computed with: the buildings' count, the change tick they were read
    /// at, and the catalog's values they depend on. Anything else is a change to settle for.
    var buildingCount = -1
    var checkedTick: UInt32 = 0
    var constants: [Double] = []

    public init() {}

    var kinds: Int { BuildingKind.allCases.count }

    /// Adds the hours summed since settlement to a building's electricity line (its flow and
    /// lifetime tonnes).
    func addElectricity(to flow: inout Flow, lifetime: inout Double, load: BuildingLoad, kind: BuildingKind) {
        guard load.island >= 0, Int(load.island) < islands else { return }
        let index = Int(kind.rawValue) * islands + Int(load.island)
        guard index < sums.count else { return }
        let quantity = sums[index].kWh(load), tonnes = sums[index].tonnes(load)
        guard quantity > 0, tonnes > 0 else { return }
        addYear(quantity: quantity, tonnes: tonnes, to: &flow, lifetime: &lifetime)
        let lastKWh = lastHour[index].kWh(load)
        if lastKWh > 0 {
            flow.tick = lastHourTick
            flow.tickQuantity = lastKWh
            flow.tickTonnes = lastHour[index].tonnes(load)
        }
        // The factor of the last hour booked (some hour since settlement was, or nothing was).
        flow.factorValue = lastFactor[Int(load.island)]
        flow.factor = .gridHour
        flow.sector = kind.sector
        flow.scope = .electricity
    }

    /// Adds the hours summed since settlement to a building's heating-gas line.
    func addGas(to flow: inout Flow, lifetime: inout Double, load: BuildingLoad, kind: BuildingKind, gasFactorID: FactorID) {
        let k = Int(kind.rawValue)
        guard k < gasHeat.count, load.gasHeatShare > 0, gasHeat[k] > 0 else { return }
        addYear(quantity: load.gasHeatShare * gasHeat[k], tonnes: load.gasHeatShare * gasTonnes[k], to: &flow, lifetime: &lifetime)
        if gasLastHeat[k] > 0 {
            flow.tick = gasLastTick
            flow.tickQuantity = load.gasHeatShare * gasLastHeat[k]
            flow.tickTonnes = load.gasHeatShare * gasLastTonnes[k]
        }
        flow.factor = gasFactorID
        flow.factorValue = gasFactorValue
        flow.sector = kind.sector
        flow.scope = .direct
    }

    /// For a building whose shares change from `old` to `new` between settlements: adds the hours
    /// summed since settlement at `old` less the same at `new` to its lines. Its next settlement
    /// adds every summed hour at `new`, so it then holds its old shares' hours before the change
    /// and its new shares' after, as if it had been settled at the change.
    func addChange(from old: BuildingLoad, to new: BuildingLoad, kind: BuildingKind, electricity: inout ElectricityLine,
                   gas: inout PrimaryLine, gasFactorID: FactorID) {
        let k = Int(kind.rawValue)
        let oldCell = k * islands + Int(old.island), newCell = k * islands + Int(new.island)
        if (0..<sums.count).contains(oldCell), (0..<sums.count).contains(newCell) {
            let oldKWh = sums[oldCell].kWh(old), oldTonnes = sums[oldCell].tonnes(old)
            let quantity = oldKWh - sums[newCell].kWh(new), tonnes = oldTonnes - sums[newCell].tonnes(new)
            if quantity != 0 || tonnes != 0 {
                addYear(quantity: quantity, tonnes: tonnes, to: &electricity.flow, lifetime: &electricity.lifetimeTonnes)
            }
            if oldKWh > 0 && oldTonnes > 0 {
                let lastKWh = lastHour[oldCell].kWh(old)
                if lastKWh > 0 {
                    electricity.flow.tick = lastHourTick
                    electricity.flow.tickQuantity = lastKWh
                    electricity.flow.tickTonnes = lastHour[oldCell].tonnes(old)
                }
                electricity.flow.factorValue = lastFactor[Int(old.island)]
                electricity.flow.factor = .gridHour
                electricity.flow.sector = kind.sector
                electricity.flow.scope = .electricity
            }
        }
        let gasShare = old.gasHeatShare - new.gasHeatShare
        if k < gasHeat.count, gasShare != 0, gasHeat[k] > 0 {
            addYear(quantity: gasShare * gasHeat[k], tonnes: gasShare * gasTonnes[k], to: &gas.flow, lifetime: &gas.lifetimeTonnes)
            if old.gasHeatShare > 0 {
                if gasLastHeat[k] > 0 {
                    gas.flow.tick = gasLastTick
                    gas.flow.tickQuantity = old.gasHeatShare * gasLastHeat[k]
                    gas.flow.tickTonnes = old.gasHeatShare * gasLastTonnes[k]
                }
                gas.flow.factor = gasFactorID
                gas.flow.factorValue = gasFactorValue
                gas.flow.sector = kind.sector
                gas.flow.scope = .direct
            }
        }
    }

    /// Adds the output summed since settlement to a building's process line: `sign` 1 at its
    /// settlement, or −1 for its new shares when they change (see `addChange`).
    func addProcess(to line: inout ProcessLine, load: BuildingLoad, kind: BuildingKind, factorID: FactorID, sign: Double = 1) {
        let cell = Int(kind.rawValue) * islands + Int(load.island)
        guard load.processOutput > 0, load.island >= 0, cell < outputSums.count else { return }
        let quantity = load.processOutput * outputSums[cell].output
        guard quantity > 0 else { return }
        let last = load.processOutput * outputLastHour[cell].output
        addOutput(quantity, tonnes: quantity * load.processFactor, last: (last, last * load.processFactor), sign: sign,
                  factor: factorID, value: load.processFactor, sector: kind.sector, to: &line.flow, lifetime: &line.lifetimeTonnes)
    }

    /// Adds the served shares summed since settlement to a factory's freight lines (`sign` as
    /// for `addProcess`).
    func addFreight(road: inout RoadFreightLine, rail: inout RailFreightLine, load: BuildingLoad, kind: BuildingKind,
                    roadID: FactorID, railID: FactorID, sign: Double = 1) {
        let cell = Int(kind.rawValue) * islands + Int(load.island)
        guard load.roadTkm > 0 || load.railTkm > 0, load.island >= 0, cell < outputSums.count, outputSums[cell].served > 0 else { return }
        let served = outputSums[cell].served, last = outputLastHour[cell].served
        if load.roadTkm > 0 {
            addOutput(load.roadTkm * served, tonnes: load.roadTkm * served * freightRoadFactor / 1e6,
                      last: (load.roadTkm * last, load.roadTkm * last * freightRoadFactor / 1e6), sign: sign,
                      factor: roadID, value: freightRoadFactor, sector: .transport, to: &road.flow, lifetime: &road.lifetimeTonnes)
        }
        if load.railTkm > 0 {
            addOutput(load.railTkm * served, tonnes: load.railTkm * served * freightRailFactor / 1e6,
                      last: (load.railTkm * last, load.railTkm * last * freightRailFactor / 1e6), sign: sign,
                      factor: railID, value: freightRailFactor, sector: .transport, to: &rail.flow, lifetime: &rail.lifetimeTonnes)
        }
    }

    /// Books an output line's share of the sums: with its last hour as the line's tick and its
    /// factor, sector and scope when `sign` is 1; the sums alone, taken out, when it is −1.
    private func addOutput(_ quantity: Double, tonnes: Double, last: (quantity: Double, tonnes: Double), sign: Double,
                           factor: FactorID, value: Double, sector: Sector, to flow: inout Flow, lifetime: inout Double) {
        addYear(quantity: sign * quantity, tonnes: sign * tonnes, to: &flow, lifetime: &lifetime)
        guard sign > 0 else { return }
        if last.quantity > 0 {
            flow.tick = outputLastTick
            flow.tickQuantity = last.quantity
            flow.tickTonnes = last.tonnes
        }
        flow.factor = factor
        flow.factorValue = value
        flow.sector = sector
        flow.scope = .direct
    }

    /// The kinds of line a building's settlement books (the others are booked as they happen).
    static let settledLines: Set<AccountLine> = [.electricity, .primary, .process, .freightRoad, .freightRail]

    /// The buildings' process tonnes booked in `tick` (0 if that was not the last hour booked).
    func processTonnes(inTick tick: Int64) -> Double { outputLastTick == tick ? processTonnesLastHour : 0 }

    private func addYear(quantity: Double, tonnes: Double, to flow: inout Flow, lifetime: inout Double) {
        lifetime += tonnes
        flow.addToYear(pendingYear, quantity: quantity, tonnes: tonnes)
    }

    /// Empties the sums (after every building's lines took them), for `islands` islands.
    mutating func startSums(islands: Int) {
        self.islands = islands
        let cells = kinds * islands
        sums = Array(repeating: LoadTerms(), count: cells)
        lastHour = sums
        lastFactor = Array(repeating: 0, count: islands)
        gasHeat = Array(repeating: 0, count: kinds)
        gasTonnes = gasHeat
        gasLastHeat = gasHeat
        gasLastTonnes = gasHeat
        outputSums = Array(repeating: OutputTerms(), count: cells)
        outputLastHour = outputSums
    }

    public func validate(in world: World) throws(SaveValidationError) {
        let gridIslands = world.resource(PowerGrid.self)?.islandCount ?? 1
        guard islands >= 1, islands <= max(1, gridIslands) else {
            throw SaveValidationError("the buildings' load book counts \(islands) islands; the grid has \(gridIslands)")
        }
        let cells = kinds * islands
        // An empty book (a new city, or one loaded from before the book) is filled in its first
        // hour; a filled one has every list at its size.
        let sumsFit = sums.isEmpty ? lastHour.isEmpty : (sums.count == cells && lastHour.count == cells && lastFactor.count == islands)
        let gasFits = [gasTonnes.count, gasLastHeat.count, gasLastTonnes.count].allSatisfy { $0 == gasHeat.count }
            && (gasHeat.isEmpty || gasHeat.count == kinds)
        let outputFits = outputSums.count == outputLastHour.count && (outputSums.isEmpty || outputSums.count == cells)
        guard sumsFit, gasFits, outputFits, totals.isEmpty || (totals.count == cells && !sums.isEmpty && !gasHeat.isEmpty),
              hourRates.isEmpty || hourRates.count == kinds else {
            throw SaveValidationError("the buildings' load book's lists do not match its \(islands) islands")
        }
    }
}

public enum BuildingLoads {
    /// The catalog values a building's shares depend on (when they change, every building settles).
    static func constants(_ catalog: Catalog) -> [Double] {
        var values = [catalog.smartHVACSaving, catalog.insulationHeatReduction, catalog.heating.heatPumpCOP, catalog.upgradedPUE,
                      catalog.travel.freightTkmPerJob, catalog.travel.railShareWithSiding, catalog.economy.freightRoadFactor,
                      catalog.economy.freightRailFactor]
        for kind in BuildingKind.allCases {
            let spec = catalog.building(kind)
            values += [kind == .residential ? spec.occupants : spec.jobs, spec.itLoadKW, spec.pue, spec.processEmissions]
        }
        return values
    }

    /// The catalog's values a building's shares are computed from, taken once for a walk over
    /// every building (a `BuildingSpec` copied per building would retain and release its arrays).
    struct ShareRules {
        let seats: [Double]
        let dataCentreKWh: [Double]
        let upgradedDataCentreKWh: [Double]
        let hvacFactor: Double
        let insulationFactor: Double
        let heatPumpCOP: Double
        let processFactor: [Double]
        let freightTkmPerJob: Double
        let railShareWithSiding: Double

        init(_ catalog: Catalog) {
            seats = BuildingCapacities(catalog).seats
            dataCentreKWh = catalog.buildings.map { $0.itLoadKW * $0.pue }
            upgradedDataCentreKWh = catalog.buildings.map { $0.itLoadKW * catalog.upgradedPUE }
            hvacFactor = 1 - catalog.smartHVACSaving
            insulationFactor = 1 - catalog.insulationHeatReduction
            heatPumpCOP = catalog.heating.heatPumpCOP
            processFactor = catalog.buildings.map(\.processEmissions)
            freightTkmPerJob = catalog.travel.freightTkmPerJob
            railShareWithSiding = catalog.travel.railShareWithSiding
        }

        /// A building's shares now.
        func shares(of building: Building) -> BuildingLoad {
            let k = Int(building.kind.rawValue)
            let capacity = max(1, seats[k] * building.density)
            let occupancy = building.kind == .residential ? 0.2 + 0.8 * min(1, Double(building.residents) / capacity)
                : 0.3 + 0.7 * min(1, Double(building.workers) / capacity)
            let hvac = building.has(.smartHVAC) ? hvacFactor : 1
            var load = BuildingLoad()
            load.staffedShare = building.density * occupancy
            if building.kind == .datacenter {
                load.constantKWh = (building.has(.pue) ? upgradedDataCentreKWh[k] : dataCentreKWh[k]) * building.density * (1 - building.abatement)
            } else {
                load.profileShare = building.density * occupancy
                load.coolingShare = building.density * hvac
            }
            var heat = building.density * hvac
            if building.has(.insulation) { heat *= insulationFactor }
            if building.has(.heatPump) { load.heatPumpShare = heat / heatPumpCOP } else { load.gasHeatShare = heat }
            // The kinds spawned with a process line (City.spawnStructure), and with freight lines.
            if (building.kind == .industrial || building.kind == .farm) && processFactor[k] > 0 {
                load.processOutput = load.staffedShare
                load.processFactor = processFactor[k] * (1 - building.abatement)
            }
            if building.kind == .industrial && building.workers > 0 {
                let tkm = Double(building.workers) * freightTkmPerJob
                let rail = building.hasRailSiding ? railShareWithSiding : 0
                load.roadTkm = tkm * (1 - rail)
                load.railTkm = tkm * rail
            }
            load.island = building.island
            load.rooftopPV = building.has(.rooftopPV)
            return load
        }
    }

    /// Whether every building's shares must be read again, each building settled at its old
    /// shares first: a new year (the totals are summed afresh, exactly), a building demolished
    /// (its shares cannot be taken out of the totals alone: it is gone), new islands, or a change
    /// to the catalog's values. A new building is read with the changed ones.
    static func mustRereadAll(_ world: World, book: BuildingLoadBook, catalog: Catalog, islands: Int, year: Int) -> Bool {
        if book.totals.isEmpty || book.pendingYear != year || book.islands != islands || constants(catalog) != book.constants {
            return true
        }
        let count = world.query(Read<Building>.self).count
        guard count != book.buildingCount || world.lastChangeTick(Building.self) > book.checkedTick else { return false }
        // Fewer buildings than those read last time plus those added since: one was demolished.
        let added = world.query(Read<Building>.self).added(Building.self, since: book.checkedTick).count
        return count - added != book.buildingCount
    }

    /// The factor names a building's settled lines are booked under (heating gas, process by
    /// kind, freight by mode), taken from the catalog once for a walk over many buildings.
    struct LineFactorIDs {
        let gas: FactorID
        let process: [FactorID]
        let road: FactorID
        let rail: FactorID

        init(_ catalog: Catalog?) {
            gas = catalog?.heating.gasFactorID ?? .none
            process = catalog?.buildings.map(\.processEmissionsID) ?? []
            road = catalog?.economy.freightRoadFactorID ?? .none
            rail = catalog?.economy.freightRailFactorID ?? .none
        }

        func process(_ kind: BuildingKind) -> FactorID { Int(kind.rawValue) < process.count ? process[Int(kind.rawValue)] : .none }
    }

    /// Reads again the shares of the buildings written or built since they were last read
    /// (residents or workers, an upgrade, abatement, a rail siding; a new building's old shares
    /// are none), and moves each changed one's shares in the totals. Each changed building's
    /// lines take the hours summed so far at its old shares less the same at its new ones
    /// (`BuildingLoadBook.addChange`). Only rows written since are visited.
    static func rereadChanged(_ world: World, book: inout BuildingLoadBook, catalog: Catalog) {
        let rules = ShareRules(catalog)
        let ids = LineFactorIDs(catalog)
        let islands = book.islands
        let current = book
        var totals = book.totals
        // Output lines first, while the loads still hold the old shares.
        world.query(Read<Building>.self, Read<BuildingLoad>.self, Write<ProcessLine>.self)
            .changed(Building.self, since: current.checkedTick)
            .forEach { building, old, process in
            let now = rules.shares(of: building)
            guard now != old else { return }
            let id = ids.process(building.kind)
            current.addProcess(to: &process.value, load: old, kind: building.kind, factorID: id)
            current.addProcess(to: &process.value, load: now, kind: building.kind, factorID: id, sign: -1)
        }
        world.query(Read<Building>.self, Read<BuildingLoad>.self, Write<RoadFreightLine>.self, Write<RailFreightLine>.self)
            .changed(Building.self, since: current.checkedTick)
            .forEach { building, old, road, rail in
            let now = rules.shares(of: building)
            guard now != old else { return }
            current.addFreight(road: &road.value, rail: &rail.value, load: old, kind: building.kind, roadID: ids.road, railID: ids.rail)
            current.addFreight(road: &road.value, rail: &rail.value, load: now, kind: building.kind, roadID: ids.road, railID: ids.rail, sign: -1)
        }
        world.query(Read<Building>.self, Write<BuildingLoad>.self, Write<ElectricityLine>.self, Write<PrimaryLine>.self)
            .changed(Building.self, since: current.checkedTick)
            .forEach { building, load, electricity, gas in
            let now = rules.shares(of: building)
            let old = load.value
            guard now != old else { return }
            current.addChange(from: old, to: now, kind: building.kind, electricity: &electricity.value, gas: &gas.value, gasFactorID: ids.gas)
            let k = Int(building.kind.rawValue)
            totals[k * islands + Int(old.island)].add(old, sign: -1)
            totals[k * islands + Int(now.island)].add(now)
            load.value = now
        }
        book.totals = totals
        book.buildingCount = world.query(Read<Building>.self).count
        book.checkedTick = world.changeTick
    }

    /// Books the hours summed since the last settlement on every building's lines; with
    /// `refresh`, then reads every building's shares again and sums them per kind and island.
    static func settle(_ world: World, book: inout BuildingLoadBook, catalog: Catalog, refresh: Bool) {
        let ids = LineFactorIDs(catalog)
        let pending = book.lastHourTick >= 0 || book.gasLastTick >= 0 || book.outputLastTick >= 0
        let islands = world.resource(PowerGrid.self)?.islandCount ?? 1
        if refresh { book.totals = Array(repeating: LoadTotals(), count: book.kinds * islands) }
        var count = 0
        let current = book
        let rules = ShareRules(catalog)
        if pending && !current.outputSums.isEmpty {
            // Output lines first, at the shares the sums were made with.
            world.query(Read<Building>.self, Read<BuildingLoad>.self, Write<ProcessLine>.self).forEach { building, load, process in
                current.addProcess(to: &process.value, load: load, kind: building.kind, factorID: ids.process(building.kind))
            }
            world.query(Read<Building>.self, Read<BuildingLoad>.self, Write<RoadFreightLine>.self, Write<RailFreightLine>.self)
                .forEach { building, load, road, rail in
                current.addFreight(road: &road.value, rail: &rail.value, load: load, kind: building.kind, roadID: ids.road, railID: ids.rail)
            }
        }
        world.query(Read<Building>.self, Write<BuildingLoad>.self, Write<ElectricityLine>.self, Write<PrimaryLine>.self)
            .forEach { building, load, electricity, gas in
            if pending && !current.sums.isEmpty {
                current.addElectricity(to: &electricity.value.flow, lifetime: &electricity.value.lifetimeTonnes, load: load.value, kind: building.kind)
                current.addGas(to: &gas.value.flow, lifetime: &gas.value.lifetimeTonnes, load: load.value, kind: building.kind, gasFactorID: ids.gas)
            }
            if refresh {
                let now = rules.shares(of: building)
                if now != load.value { load.value = now }
                book.totals[Int(building.kind.rawValue) * islands + Int(now.island)].add(now)
                count += 1
            }
        }
        if refresh {
            book.buildingCount = count
            book.constants = constants(catalog)
            book.checkedTick = world.changeTick
            book.freightRoadFactor = catalog.economy.freightRoadFactor
            book.freightRailFactor = catalog.economy.freightRailFactor
        }
        book.startSums(islands: refresh ? islands : book.islands)
        book.lastHourTick = -1
        book.gasLastTick = -1
        book.outputLastTick = -1
    }

    /// Gives every building the load it lacks (saves from before loads were kept); the first
    /// hour then reads their shares.
    static func giveBuildingsLoads(_ world: World) {
        var without: [Entity] = []
        world.query(Entity.self, Read<Building>.self).without(BuildingLoad.self).forEach { entity, _ in without.append(entity) }
        for entity in without { try? world.insert(BuildingLoad(), into: entity) }
        if !without.isEmpty { world.withResource(BuildingLoadBook.self) { $0.totals = [] } }
    }
}

extension World {
    /// An entity's ledger line as booked so far: a building's electricity and gas lines with the
    /// hours since their last settlement (BuildingLoads.swift) added, and a commuter's tailpipe
    /// and electricity lines likewise (Commutes.swift). Reads; never writes.
    public func bookedLine<K: LineKind>(_ type: LedgerLine<K>.Type, of entity: Entity) -> LedgerLine<K>? {
        guard let line = try? get(type, of: entity) else { return nil }
        guard BuildingLoadBook.settledLines.contains(K.line) else { return line }
        if let commute = try? get(Commute.self, of: entity), let book = resource(CommuteBook.self) {
            return withCommutePending(line, commute: commute, book: book)
        }
        guard let book = resource(BuildingLoadBook.self), let load = try? get(BuildingLoad.self, of: entity),
              let building = try? get(Building.self, of: entity) else { return line }
        return withPending(line, load: load, kind: building.kind, book: book, factors: BuildingLoads.LineFactorIDs(resource(Catalog.self)))
    }

    func withPending<K: LineKind>(_ line: LedgerLine<K>, load: BuildingLoad, kind: BuildingKind, book: BuildingLoadBook,
                                  factors: BuildingLoads.LineFactorIDs) -> LedgerLine<K> {
        var line = line
        switch K.line {
        case .electricity:
            book.addElectricity(to: &line.flow, lifetime: &line.lifetimeTonnes, load: load, kind: kind)
        case .primary:
            book.addGas(to: &line.flow, lifetime: &line.lifetimeTonnes, load: load, kind: kind, gasFactorID: factors.gas)
        case .process:
            guard var process = line as? ProcessLine else { break }
            book.addProcess(to: &process, load: load, kind: kind, factorID: factors.process(kind))
            return process as! LedgerLine<K>
        case .freightRoad, .freightRail:
            var road = line as? RoadFreightLine ?? RoadFreightLine(), rail = line as? RailFreightLine ?? RailFreightLine()
            book.addFreight(road: &road, rail: &rail, load: load, kind: kind, roadID: factors.road, railID: factors.rail)
            return (K.line == .freightRoad ? road as Any : rail as Any) as! LedgerLine<K>
        default:
            break
        }
        return line
    }
}

extension CityView {
    /// A building's electricity this hour, kWh (heat pumps included), before any blackout: its
    /// shares × its kind's rates for the hour.
    public func demandKWh(of entity: Entity) -> Double? {
        guard let building = try? world.get(Building.self, of: entity), let load = try? world.get(BuildingLoad.self, of: entity),
              let rates = world.resource(BuildingLoadBook.self)?.hourRates, Int(building.kind.rawValue) < rates.count else { return nil }
        return rates[Int(building.kind.rawValue)].kWh(load)
    }

    /// The share of a building's demand served in the last dispatched hour (its island's).
    public func servedShare(of entity: Entity) -> Double? {
        guard let building = try? world.get(Building.self, of: entity) else { return nil }
        return grid.servedShare(island: Int(building.island))
    }
}
