// Ledger.swift — the carbon ledger: every tonne emitted or removed, by whom, why, and when.
//
// [SECTION] Sectors, scopes and flows
// [SECTION] Per-entity accounts
// [SECTION] The city ledger (totals and series)
// [SECTION] Explaining an entity (breakdown)
//
// Booking is double entry. A system that computes a flow books it twice in the same loop: on
// the entity's `LedgerLine` (which keeps the factor, the factor value used and the quantity
// that produced the tonnes) and on a `LedgerTally` that is added to the city `Ledger` when the
// system ends. The invariant "the city's total equals the sum over all entities" is therefore a
// real check of two separately summed books, and the tests assert it every tick.
//
// Scopes follow the GHG Protocol for cities (GPC): `direct` (scope 1) is what an entity emits
// or removes itself; `electricity` (scope 2) is its share of the power plants' direct emissions,
// at the grid factor of the hour it drew power; `outsideCity` (scope 3) is what the city's activity
// emits beyond its boundary: the carbon of the materials a structure is built from, made
// elsewhere and booked once when it is built, and the part of residents' out-of-town trips that
// runs beyond the boundary (the GPC's transboundary transport).
// The city's territorial total counts direct flows only: electricity flows attribute the power
// sector's direct emissions to end users (adding them would count the same kWh twice), and
// scope 3 is reported beside the total (`scope3`, `netIncludingScope3`), not inside it.
// CO2 captured by CCUS never reaches the air: the stack books what it releases, and the captured
// tonnes are kept in their own column (`captured`), neither an emission nor a removal.
import ECS

// MARK: - [SECTION] Sectors, scopes and flows

public enum Sector: UInt8, CaseIterable, Sendable, Codable {
    case power, industry, buildings, transport, agricultureWaste, landSinks
    public var key: String {
        ["power", "industry", "buildings", "transport", "agriculture_waste", "land_sinks"][Int(rawValue)]
    }
}

public enum Scope: UInt8, CaseIterable, Sendable, Codable {
    case direct, electricity, outsideCity
    public var key: String { ["direct", "electricity", "outside_city"][Int(rawValue)] }
    /// The GPC scope number: 1 direct, 2 grid electricity, 3 outside the city.
    public var gpcScope: Int { Int(rawValue) + 1 }
    /// Whether flows of this scope add to the city's own (territorial) total: scope 1 only.
    public var countsInCityTotal: Bool { self == .direct }
}

extension FactorID {
    /// The grid's emission factor in the hour of the flow: an output of dispatch, not a catalog entry.
    public static let gridHour = FactorID(raw: .max - 1)
}

// The eight-byte fields come first and the small ones last, so that a line packs into 60 bytes
// (a `LedgerLine` into 72, where declaration order with its padding took 80): the booking
// systems stream these columns every hour.
/// One line of an entity's account: one factor applied to one quantity.
public struct Flow: Sendable, Equatable {
    /// The factor value last used (the catalog value, or the hour's grid factor).
    public var factorValue = 0.0
    /// The tick and year the tick and year sums below belong to.
    public var tick: Int64 = -1
    public var year = Int.min
    /// Quantity (in the factor's denominator unit) and tonnes CO2e (negative = removal).
    public var tickQuantity = 0.0
    public var tickTonnes = 0.0
    public var yearQuantity = 0.0
    public var yearTonnes = 0.0
    public var factor: FactorID = .none
    public var sector: Sector = .power
    public var scope: Scope = .direct

    public init() {}

    /// Adds to `year`'s sums, starting them when the flow held another year's (a settlement of
    /// hours booked in bulk: BuildingLoads.swift, Commutes.swift).
    mutating func addToYear(_ year: Int, quantity: Double, tonnes: Double) {
        if self.year != year {
            self.year = year
            yearQuantity = 0
            yearTonnes = 0
        }
        yearQuantity += quantity
        yearTonnes += tonnes
    }

    public init(factor: FactorID, factorValue: Double, sector: Sector, scope: Scope, tick: Int64, year: Int,
                tickQuantity: Double, tickTonnes: Double, yearQuantity: Double, yearTonnes: Double) {
        self.factor = factor
        self.factorValue = factorValue
        self.sector = sector
        self.scope = scope
        self.tick = tick
        self.year = year
        self.tickQuantity = tickQuantity
        self.tickTonnes = tickTonnes
        self.yearQuantity = yearQuantity
        self.yearTonnes = yearTonnes
    }

    public var isUsed: Bool { factor != .none }
}

/// The kinds of line an entity's carbon books can have. Each line is its own component
/// (`LedgerLine<Kind>`), so a system that books one kind of flow walks only that column: the
/// books stay dense, and booking is a few additions with no search and no allocation.
public enum AccountLine: Int, CaseIterable, Sendable {
    case electricity = 0   // scope 2: buildings, citizens' electric trips
    case primary = 1       // heating gas; a plant's stack; a zone's growth; a citizen's tailpipe
    case process = 2       // factory process or farm field emissions; CCUS capture; fire
    case construction = 3  // embodied carbon when built; a zone's release when demolished
    case freightRoad = 4
    case freightRail = 5
    case carTrips = 6         // a home block's school and other trips by petrol car (Transport.swift flows)
    case busTrips = 7         // the same by diesel bus
    case tripElectricity = 8  // the same trips' grid electricity (electric modes, electric buses)
    case outOfTownTrips = 9   // a home block's trips out of town: the part on the city's own roads (scope 1)
    case outOfTownTripsBeyond = 10  // the same trips beyond the city's boundary (scope 3)
}

public protocol LineKind: Sendable { static var line: AccountLine { get } }
public enum ElectricityUse: LineKind { public static var line: AccountLine { .electricity } }
public enum PrimaryFlow: LineKind { public static var line: AccountLine { .primary } }
public enum ProcessFlow: LineKind { public static var line: AccountLine { .process } }
public enum ConstructionFlow: LineKind { public static var line: AccountLine { .construction } }
public enum RoadFreight: LineKind { public static var line: AccountLine { .freightRoad } }
public enum RailFreight: LineKind { public static var line: AccountLine { .freightRail } }
public enum CarTrips: LineKind { public static var line: AccountLine { .carTrips } }
public enum BusTrips: LineKind { public static var line: AccountLine { .busTrips } }
public enum TripElectricity: LineKind { public static var line: AccountLine { .tripElectricity } }
public enum OutOfTownTrips: LineKind { public static var line: AccountLine { .outOfTownTrips } }
public enum OutOfTownTripsBeyond: LineKind { public static var line: AccountLine { .outOfTownTripsBeyond } }

/// One line of an entity's carbon books.
public struct LedgerLine<Kind: LineKind>: Component, Sendable {
    /// Since the entity was built.
    public var lifetimeTonnes = 0.0
    public var flow = Flow()
    public init() {}

    /// Books `tonnes` produced by `quantity` × `factorValue` of `factor`.
    @inline(__always)
    public mutating func book(_ factor: FactorID, value factorValue: Double, quantity: Double, tonnes: Double,
                              sector: Sector, scope: Scope, tick now: Int64, year nowYear: Int) {
        lifetimeTonnes += tonnes
        if flow.tick != now {
            flow.tick = now
            flow.tickQuantity = 0
            flow.tickTonnes = 0
        }
        if flow.year != nowYear {
            flow.year = nowYear
            flow.yearQuantity = 0
            flow.yearTonnes = 0
        }
        flow.factor = factor
        flow.factorValue = factorValue
        flow.sector = sector
        flow.scope = scope
        flow.tickQuantity += quantity
        flow.tickTonnes += tonnes
        flow.yearQuantity += quantity
        flow.yearTonnes += tonnes
    }
}

public typealias ElectricityLine = LedgerLine<ElectricityUse>
public typealias PrimaryLine = LedgerLine<PrimaryFlow>
public typealias ProcessLine = LedgerLine<ProcessFlow>
public typealias ConstructionLine = LedgerLine<ConstructionFlow>
public typealias RoadFreightLine = LedgerLine<RoadFreight>
public typealias RailFreightLine = LedgerLine<RailFreight>
public typealias CarTripsLine = LedgerLine<CarTrips>
public typealias BusTripsLine = LedgerLine<BusTrips>
public typealias TripElectricityLine = LedgerLine<TripElectricity>
public typealias OutOfTownTripsLine = LedgerLine<OutOfTownTrips>
public typealias OutOfTownTripsBeyondLine = LedgerLine<OutOfTownTripsBeyond>

/// Something done for each kind of entity ledger line: a closure cannot be generic over the
/// kind, a protocol's method can.
public protocol LedgerLineVisitor {
    mutating func visit<K: LineKind>(_ type: LedgerLine<K>.Type)
}

public enum LedgerLineKinds {
    /// Visits every kind of entity ledger line, in `AccountLine` order: the one list of them.
    public static func visitAll<V: LedgerLineVisitor>(_ visitor: inout V) {
        visitor.visit(ElectricityLine.self)
        visitor.visit(PrimaryLine.self)
        visitor.visit(ProcessLine.self)
        visitor.visit(ConstructionLine.self)
        visitor.visit(RoadFreightLine.self)
        visitor.visit(RailFreightLine.self)
        visitor.visit(CarTripsLine.self)
        visitor.visit(BusTripsLine.self)
        visitor.visit(TripElectricityLine.self)
        visitor.visit(OutOfTownTripsLine.self)
        visitor.visit(OutOfTownTripsBeyondLine.self)
    }
}

extension World {
    /// Every ledger line an entity has, in `AccountLine` order, as booked so far (`bookedLine`).
    public func ledgerLines(of entity: Entity) -> [(line: AccountLine, flow: Flow, lifetime: Double)] {
        struct Collect: LedgerLineVisitor {
            let world: World, entity: Entity
            var result: [(line: AccountLine, flow: Flow, lifetime: Double)] = []
            mutating func visit<K: LineKind>(_ type: LedgerLine<K>.Type) {
                if let line = world.bookedLine(type, of: entity), line.flow.isUsed { result.append((K.line, line.flow, line.lifetimeTonnes)) }
            }
        }
        var collect = Collect(world: self, entity: entity)
        LedgerLineKinds.visitAll(&collect)
        return collect.result
    }

    /// Visits every ledger line of every entity, as booked so far (for checks of the ledger's
    /// invariant): a building's and a commuter's lines with the hours since their settlement
    /// (BuildingLoads.swift, Commutes.swift).
    public func forEachLedgerLine(_ body: (Entity, Flow) -> Void) {
        forEachBookedLine { entity, _, flow, _ in body(entity, flow) }
    }

    /// Like `forEachLedgerLine`, with each line's kind and lifetime tonnes.
    func forEachBookedLine(_ body: (Entity, AccountLine, Flow, Double) -> Void) {
        withoutActuallyEscaping(body) { body in
            struct Each: LedgerLineVisitor {
                let world: World, body: (Entity, AccountLine, Flow, Double) -> Void
                mutating func visit<K: LineKind>(_ type: LedgerLine<K>.Type) {
                    guard BuildingLoadBook.settledLines.contains(K.line), let book = world.resource(BuildingLoadBook.self) else {
                        world.query(Entity.self, Read<LedgerLine<K>>.self).forEach { entity, line in
                            body(entity, K.line, line.flow, line.lifetimeTonnes)
                        }
                        return
                    }
                    world.query(Entity.self, Read<LedgerLine<K>>.self).without(BuildingLoad.self).without(Commute.self)
                        .forEach { entity, line in body(entity, K.line, line.flow, line.lifetimeTonnes) }
                    let factors = BuildingLoads.LineFactorIDs(world.resource(Catalog.self))
                    world.query(Entity.self, Read<Building>.self, Read<BuildingLoad>.self, Read<LedgerLine<K>>.self).forEach { entity, building, load, line in
                        let booked = world.withPending(line, load: load, kind: building.kind, book: book, factors: factors)
                        body(entity, K.line, booked.flow, booked.lifetimeTonnes)
                    }
                    let commutes = world.resource(CommuteBook.self) ?? CommuteBook()
                    world.query(Entity.self, Read<Commute>.self, Read<LedgerLine<K>>.self).forEach { entity, commute, line in
                        let booked = world.withCommutePending(line, commute: commute, book: commutes)
                        body(entity, K.line, booked.flow, booked.lifetimeTonnes)
                    }
                }
            }
            var each = Each(world: self, body: body)
            LedgerLineKinds.visitAll(&each)
        }
    }
}

/// Sums of one system's bookings, added to the `Ledger` when the system ends.
public struct LedgerTally: Sendable, Equatable, Codable {
    static let cells = 18  // Sector.allCases.count × Scope.allCases.count
    /// [sector][scope] tonnes CO2e; negative values are removals.
    var cellsStorage: (Double, Double, Double, Double, Double, Double, Double, Double, Double,
                       Double, Double, Double, Double, Double, Double, Double, Double, Double) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    public var removals = 0.0
    /// tCO2 captured by CCUS and sent to storage: not emitted, not a removal.
    public var captured = 0.0

    public init() {}

    @inline(__always)
    public mutating func add(_ amount: Double, sector: Sector, scope: Scope) {
        let cell = Int(sector.rawValue) * 3 + Int(scope.rawValue)
        withUnsafeMutableBytes(of: &cellsStorage) { $0.baseAddress!.assumingMemoryBound(to: Double.self)[cell] += amount }
        if amount < 0 { removals -= amount }
    }

    public func tonnes(_ sector: Sector, _ scope: Scope) -> Double {
        let cell = Int(sector.rawValue) * 3 + Int(scope.rawValue)
        return withUnsafeBytes(of: cellsStorage) { $0.load(fromByteOffset: cell * 8, as: Double.self) }
    }

    /// Direct flows: the city's own (territorial) net emissions.
    public var cityNet: Double {
        var total = 0.0
        for sector in Sector.allCases { for scope in Scope.allCases where scope.countsInCityTotal { total += tonnes(sector, scope) } }
        return total
    }

    /// Scope 3, reported beside the territorial total: embodied carbon and transboundary trips.
    public var scope3: Double { Sector.allCases.reduce(0) { $0 + tonnes($1, .outsideCity) } }
    /// The part of residents' out-of-town trips beyond the boundary (transport's only scope-3 flow).
    public var transboundaryTransport: Double { tonnes(.transport, .outsideCity) }
    /// The embodied carbon of what was built: scope 3 other than transport.
    public var scope3Embodied: Double { scope3 - transboundaryTransport }
    public var cityNetIncludingScope3: Double { cityNet + scope3 }

    /// Records CO2 captured at a stack (no cell changes: the stack line already books only what escaped).
    @inline(__always)
    public mutating func capture(_ tonnes: Double) { captured += tonnes }

    public mutating func add(_ other: LedgerTally) {
        withUnsafeMutableBytes(of: &cellsStorage) { mine in
            withUnsafeBytes(of: other.cellsStorage) { theirs in
                let a = mine.baseAddress!.assumingMemoryBound(to: Double.self)
                for i in 0..<LedgerTally.cells { a[i] += theirs.load(fromByteOffset: i * 8, as: Double.self) }
            }
        }
        removals += other.removals
        captured += other.captured
    }

    public static func == (a: LedgerTally, b: LedgerTally) -> Bool {
        a.removals == b.removals && a.captured == b.captured && Sector.allCases.allSatisfy { sector in
            Scope.allCases.allSatisfy { a.tonnes(sector, $0) == b.tonnes(sector, $0) }
        }
    }
}

extension Mut {
    /// Books on the entity's line and on the tally in one step (the double entry).
    @inline(__always)
    public func book<K>(_ factor: FactorID, value: Double, quantity: Double, tonnes: Double, sector: Sector, scope: Scope,
                        clock: Clock, tally: inout LedgerTally) where Value == LedgerLine<K> {
        self.value.book(factor, value: value, quantity: quantity, tonnes: tonnes, sector: sector, scope: scope,
                        tick: clock.tick, year: clock.year)
        tally.add(tonnes, sector: sector, scope: scope)
    }
}

// MARK: - [SECTION] The city ledger

/// One row of a time series: tonnes by sector and scope, plus the context the reports need.
public struct LedgerPeriod: Sendable, Equatable, Codable {
    public var start: SimDate
    public var tally = LedgerTally()
    /// Flows of entities removed during the period (part of `tally`, no longer on any entity).
    public var retired = LedgerTally()
    public var electricityKWh = 0.0
    public var renewableKWh = 0.0
    public var unservedKWh = 0.0
    public var curtailedKWh = 0.0
    public var powerEmissions = 0.0
    /// Hours in which some demand went unserved.
    public var blackoutHours = 0
    /// kWh sent out by the power plants of each kind (rooftop PV and storage are not plants),
    /// including what went into storage; curtailed energy was never generated.
    public var generationKWh = GenerationByKind()
    /// kWh of rooftop PV that reached consumers or storage.
    public var rooftopKWh = 0.0
    public var storageChargeKWh = 0.0
    public var storageDischargeKWh = 0.0
    /// Available wind, solar (plants and rooftops) and hydro energy not used.
    public var curtailedWindKWh = 0.0
    public var curtailedSolarKWh = 0.0
    public var curtailedHydroKWh = 0.0
    /// Transmission and distribution losses (the model's lines are lossless: 0).
    public var gridLossesKWh = 0.0

    /// Emissions (positive flows) by sector, direct + embodied.
    public func emissions(_ sector: Sector) -> Double {
        Scope.allCases.filter(\.countsInCityTotal).reduce(0) { $0 + tally.tonnes(sector, $1) } + (sector == .landSinks ? tally.removals : 0)
    }
    public var removals: Double { tally.removals }
    public var net: Double { tally.cityNet }
    public var captured: Double { tally.captured }
    public var scope3: Double { tally.scope3 }
    public var scope3Embodied: Double { tally.scope3Embodied }
    public var transboundaryTransport: Double { tally.transboundaryTransport }
    public var netIncludingScope3: Double { tally.cityNetIncludingScope3 }
    /// Land-sink releases (fires, demolished zones and forests): the sector's positive flows.
    public var releases: Double { tally.tonnes(.landSinks, .direct) + tally.removals }
    /// All electricity produced in the city: plants and rooftops.
    public var totalGenerationKWh: Double { generationKWh.total + rooftopKWh }
    /// generation − (delivered + charge − discharge + losses): zero when energy is conserved.
    public var energyImbalanceKWh: Double {
        totalGenerationKWh - (electricityKWh + storageChargeKWh - storageDischargeKWh + gridLossesKWh)
    }
    /// gCO2/kWh over the period.
    public var gridFactor: Double { electricityKWh > 0 ? powerEmissions * 1e6 / electricityKWh : 0 }
    public var renewableShare: Double { electricityKWh > 0 ? renewableKWh / electricityKWh : 0 }
}

/// kWh per `PlantKind`, in fixed storage so that booking an hour allocates nothing.
public struct GenerationByKind: Sendable, Equatable, Codable {
    static let kinds = 8  // PlantKind.allCases.count (checked in `subscript`)
    var storage: (Double, Double, Double, Double, Double, Double, Double, Double) = (0, 0, 0, 0, 0, 0, 0, 0)

    public init() {}

    public subscript(kind: PlantKind) -> Double {
        get { withUnsafeBytes(of: storage) { $0.load(fromByteOffset: Int(kind.rawValue) * 8, as: Double.self) } }
        set {
            precondition(PlantKind.allCases.count == GenerationByKind.kinds, "GenerationByKind needs one slot per PlantKind")
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: newValue, toByteOffset: Int(kind.rawValue) * 8, as: Double.self) }
        }
    }

    public var total: Double { PlantKind.allCases.reduce(0) { $0 + self[$1] } }

    public mutating func add(_ other: GenerationByKind) {
        for kind in PlantKind.allCases { self[kind] += other[kind] }
    }

    public static func == (a: GenerationByKind, b: GenerationByKind) -> Bool {
        PlantKind.allCases.allSatisfy { a[$0] == b[$0] }
    }
}

/// An event: a game day closed; `day` is its ledger period (what `daily.csv` prints).
public struct DayClosed: Sendable {
    public let day: LedgerPeriod
}

/// The last `Ledger.hoursKept` hours as a ring: once it holds a week, each new hour overwrites
/// the oldest, where taking the first of an array moved the other 167 every tick (a sixteenth
/// of a forecast's work).
struct RecentHours: Sendable, CustomReflectable {
    private var ring: [LedgerPeriod]
    private var start = 0

    init(_ oldestFirst: [LedgerPeriod]) { ring = oldestFirst }

    var oldestFirst: [LedgerPeriod] { start == 0 ? ring : Array(ring[start...] + ring[..<start]) }

    mutating func keep(_ hour: LedgerPeriod) {
        if ring.count < Ledger.hoursKept {
            ring.append(hour)
        } else {
            ring[start] = hour
            start = (start + 1) % Ledger.hoursKept
        }
    }

    /// The hours oldest first: where the ring starts depends on when the city was last loaded,
    /// which is no part of its state.
    var customMirror: Mirror { Mirror(self, unlabeledChildren: oldestFirst, displayStyle: .collection) }
}

public struct Ledger: Sendable, SavedResource {
    public static let hoursKept = 24 * 7

    /// This tick (cleared at the start of each tick).
    public internal(set) var tick = LedgerTally()
    /// The last 7 days' hours, oldest first.
    public internal(set) var hourly: [LedgerPeriod] {
        get { recentHours.oldestFirst }
        set { recentHours = RecentHours(newValue) }
    }
    private var recentHours = RecentHours([])
    public internal(set) var today: LedgerPeriod
    public internal(set) var thisYear: LedgerPeriod
    public internal(set) var years: [LedgerPeriod] = []    // completed years
    public internal(set) var cumulative = LedgerTally()
    /// Year sums of entities that were removed this year (so the per-entity sum stays whole).
    public internal(set) var retiredThisYear = LedgerTally()
    /// This tick's flows of entities removed in this tick.
    public internal(set) var retiredThisTick = LedgerTally()
    /// The last dispatch: delivered, renewable, unserved, curtailed kWh and power-sector tCO2.
    public internal(set) var hourPower: (delivered: Double, renewable: Double, unserved: Double, curtailed: Double, emissions: Double) = (0, 0, 0, 0, 0)
    /// The last dispatch's kWh by plant kind (zero between ticks, so not saved).
    public internal(set) var hourGeneration = GenerationByKind()
    /// The last dispatch's storage, rooftop and curtailment kWh (zero between ticks, so not saved).
    public internal(set) var hourFlows = HourFlows()

    public init(start: SimDate) {
        today = LedgerPeriod(start: start)
        thisYear = LedgerPeriod(start: start)
    }

    mutating func absorb(_ tally: LedgerTally) {
        tick.add(tally)
    }

    mutating func keepHour(_ hour: LedgerPeriod) {
        recentHours.keep(hour)
    }

    public var cityNetThisYear: Double { thisYear.net }
}

// MARK: - [SECTION] Explaining an entity

public struct BreakdownLine: Sendable, Equatable {
    public var factorPath: String
    public var factorValue: Double
    public var factorUnit: String
    public var source: String
    public var quantity: Double
    public var quantityUnit: String
    public var tonnes: Double
    public var sector: Sector
    public var scope: Scope
    /// The factor is the grid's, computed each hour by the dispatch (no catalog entry): the
    /// window names it in the player's language, `factorPath` and `source` in English.
    public var isDispatchedGridFactor = false
}

public struct Breakdown: Sendable {
    public var entity: Entity
    public var tick: Int64
    public var year: Int
    /// This tick's lines (empty if the entity booked nothing this tick).
    public var thisTick: [BreakdownLine]
    /// The year's lines so far.
    public var thisYear: [BreakdownLine]
    public var lifetimeTonnes: Double
}

public enum FactorUnits {
    /// For a factor unit like "gCO2/kWh": the quantity unit ("kWh") and the scale to tonnes.
    public static func split(_ unit: String) -> (quantityUnit: String, toTonnes: Double) {
        if unit == "fraction" { return ("tCO2e", 1) }
        guard let slash = unit.firstIndex(of: "/") else { return ("unit", 1) }
        let mass = unit[..<slash]
        let scale: Double = mass.hasPrefix("kg") ? 1e-3 : mass.hasPrefix("g") ? 1e-6 : 1
        // "tCO2e/ha/yr" × (ha·yr) = tCO2e: every further denominator multiplies the quantity.
        let quantity = unit[unit.index(after: slash)...].split(separator: "/").joined(separator: "·")
        return (quantity, scale)
    }
}

// MARK: - Closing the books each tick

public enum LedgerBooks: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.resource("ledger", Ledger.self) { Ledger(start: $0.clock.date) }
        sim.resource("network_books", NetworkBooks.self) { _ in NetworkBooks() }
        sim.component(ElectricityLine.self, default: ElectricityLine())
        sim.component(PrimaryLine.self, default: PrimaryLine())
        sim.component(ProcessLine.self, default: ProcessLine())
        sim.component(ConstructionLine.self, default: ConstructionLine())
        sim.component(RoadFreightLine.self, default: RoadFreightLine())
        sim.component(RailFreightLine.self, default: RailFreightLine())
        sim.component(CarTripsLine.self, default: CarTripsLine())
        sim.component(BusTripsLine.self, default: BusTripsLine())
        sim.component(TripElectricityLine.self, default: TripElectricityLine())
        sim.component(OutOfTownTripsLine.self, default: OutOfTownTripsLine())
        sim.component(OutOfTownTripsBeyondLine.self, default: OutOfTownTripsBeyondLine())
        sim.system("ledger.close", Phase.account,
                   reads: [ElectricityLine.self, PrimaryLine.self, ProcessLine.self, ConstructionLine.self, RoadFreightLine.self, RailFreightLine.self,
                           CarTripsLine.self, BusTripsLine.self, TripElectricityLine.self, OutOfTownTripsLine.self,
                           OutOfTownTripsBeyondLine.self],
                   readsResources: [Clock.self, PowerGrid.self], writesResources: [Ledger.self], run: close)
    }

    /// Adds the tick to the hour ring, the day and the year; closes the day and the year when
    /// the next tick starts a new one.
    static func close(_ ctx: SystemContext) {
        let world = ctx.world
        let clock = world.resource(Clock.self)!
        world.withResource(Ledger.self) { ledger in
            var hour = LedgerPeriod(start: clock.date)
            hour.tally = ledger.tick
            hour.retired = ledger.retiredThisTick
            ledger.retiredThisTick = LedgerTally()
            let power = ledger.hourPower
            hour.electricityKWh = power.delivered
            hour.renewableKWh = power.renewable
            hour.unservedKWh = power.unserved
            hour.curtailedKWh = power.curtailed
            hour.powerEmissions = power.emissions
            hour.blackoutHours = power.unserved > 1e-6 * max(1, power.delivered + power.unserved) ? 1 : 0
            hour.generationKWh = ledger.hourGeneration
            ledger.hourFlows.write(to: &hour)
            ledger.keepHour(hour)
            for period in [\Ledger.today, \Ledger.thisYear] {
                ledger[keyPath: period].tally.add(hour.tally)
                ledger[keyPath: period].electricityKWh += hour.electricityKWh
                ledger[keyPath: period].renewableKWh += hour.renewableKWh
                ledger[keyPath: period].unservedKWh += hour.unservedKWh
                ledger[keyPath: period].curtailedKWh += hour.curtailedKWh
                ledger[keyPath: period].powerEmissions += hour.powerEmissions
                ledger[keyPath: period].blackoutHours += hour.blackoutHours
                ledger[keyPath: period].generationKWh.add(hour.generationKWh)
                ledger[keyPath: period].addFlows(of: hour)
            }
            ledger.cumulative.add(hour.tally)
            ledger.tick = LedgerTally()
            ledger.hourPower = (0, 0, 0, 0, 0)
            ledger.hourGeneration = GenerationByKind()
            ledger.hourFlows = HourFlows()
            var next = clock
            next.advance()
            if next.isNewDay {
                world.send(DayClosed(day: ledger.today))
                ledger.today = LedgerPeriod(start: next.date)
            }
            if next.isNewYear {
                ledger.years.append(ledger.thisYear)
                ledger.thisYear = LedgerPeriod(start: next.date)
                ledger.retiredThisYear = LedgerTally()
            }
        }
    }
}

// MARK: - Saved form

extension LedgerTally {
    enum CodingKeys: String, CodingKey { case cells, removals, captured }
    /// Cells by sector and scope, as `[sector × 3 + scope]`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(withUnsafeBytes(of: cellsStorage) { Array($0.bindMemory(to: Double.self)) }, forKey: .cells)
        try container.encode(removals, forKey: .removals)
        try container.encode(captured, forKey: .captured)
    }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let cells = try container.decode([Double].self, forKey: .cells)
        guard cells.count == LedgerTally.cells else {
            throw SaveValidationError("a ledger tally has \(cells.count) cells, not \(LedgerTally.cells)")
        }
        self.init()
        withUnsafeMutableBytes(of: &cellsStorage) { storage in cells.withUnsafeBytes { storage.copyMemory(from: $0) } }
        removals = try container.decode(Double.self, forKey: .removals)
        captured = try container.decode(Double.self, forKey: .captured)
    }
}

extension GenerationByKind {
    /// kWh by plant kind, keyed by the kind's name, so that a kind added later reads as 0.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: NamedKey.self)
        for kind in PlantKind.allCases { try container.encode(self[kind], forKey: NamedKey(kind.key)) }
    }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NamedKey.self)
        self.init()
        for kind in PlantKind.allCases { self[kind] = try container.decodeIfPresent(Double.self, forKey: NamedKey(kind.key)) ?? 0 }
    }
}

/// A coding key made at run time (a kind's name).
struct NamedKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

extension Ledger {
    enum CodingKeys: String, CodingKey {
        case tick, hourly, today, thisYear, years, cumulative, retiredThisYear, retiredThisTick, hourPower
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tick, forKey: .tick)
        try container.encode(hourly, forKey: .hourly)
        try container.encode(today, forKey: .today)
        try container.encode(thisYear, forKey: .thisYear)
        try container.encode(years, forKey: .years)
        try container.encode(cumulative, forKey: .cumulative)
        try container.encode(retiredThisYear, forKey: .retiredThisYear)
        try container.encode(retiredThisTick, forKey: .retiredThisTick)
        try container.encode([hourPower.delivered, hourPower.renewable, hourPower.unserved, hourPower.curtailed, hourPower.emissions],
                             forKey: .hourPower)
    }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let today = try container.decode(LedgerPeriod.self, forKey: .today)
        self.init(start: today.start)
        self.today = today
        tick = try container.decode(LedgerTally.self, forKey: .tick)
        hourly = try container.decode([LedgerPeriod].self, forKey: .hourly)
        thisYear = try container.decode(LedgerPeriod.self, forKey: .thisYear)
        years = try container.decode([LedgerPeriod].self, forKey: .years)
        cumulative = try container.decode(LedgerTally.self, forKey: .cumulative)
        retiredThisYear = try container.decode(LedgerTally.self, forKey: .retiredThisYear)
        retiredThisTick = try container.decode(LedgerTally.self, forKey: .retiredThisTick)
        let power = try container.decode([Double].self, forKey: .hourPower)
        guard power.count == 5 else { throw SaveValidationError("the ledger's last hour of power has \(power.count) figures, not 5") }
        hourPower = (power[0], power[1], power[2], power[3], power[4])
        guard hourly.count <= Ledger.hoursKept else { throw SaveValidationError("the ledger keeps \(hourly.count) hours, more than \(Ledger.hoursKept)") }
    }
}

/// One dispatch's energy flows beside the plants' output.
public struct HourFlows: Sendable, Equatable {
    public var rooftopKWh = 0.0
    public var chargeKWh = 0.0
    public var dischargeKWh = 0.0
    public var curtailedWindKWh = 0.0
    public var curtailedSolarKWh = 0.0
    public var curtailedHydroKWh = 0.0
    public var lossesKWh = 0.0
    public init() {}

    func write(to period: inout LedgerPeriod) {
        period.rooftopKWh = rooftopKWh
        period.storageChargeKWh = chargeKWh
        period.storageDischargeKWh = dischargeKWh
        period.curtailedWindKWh = curtailedWindKWh
        period.curtailedSolarKWh = curtailedSolarKWh
        period.curtailedHydroKWh = curtailedHydroKWh
        period.gridLossesKWh = lossesKWh
    }
}

extension LedgerPeriod {
    mutating func addFlows(of hour: LedgerPeriod) {
        rooftopKWh += hour.rooftopKWh
        storageChargeKWh += hour.storageChargeKWh
        storageDischargeKWh += hour.storageDischargeKWh
        curtailedWindKWh += hour.curtailedWindKWh
        curtailedSolarKWh += hour.curtailedSolarKWh
        curtailedHydroKWh += hour.curtailedHydroKWh
        gridLossesKWh += hour.gridLossesKWh
    }
}
