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
// Scopes: `direct` is what an entity emits or removes itself; `electricity` is its share of the
// power plants' direct emissions, at the grid factor of the hour it drew power; `embodied` is
// construction carbon, booked once when a structure is built. The city total counts direct and
// embodied flows only: electricity flows are an attribution of the power sector's direct
// emissions to end users, so adding them would count the same kWh twice.
import ECS

// MARK: - [SECTION] Sectors, scopes and flows

public enum Sector: UInt8, CaseIterable, Sendable {
    case power, industry, buildings, transport, agricultureWaste, landSinks
    public var key: String {
        ["power", "industry", "buildings", "transport", "agriculture_waste", "land_sinks"][Int(rawValue)]
    }
}

public enum Scope: UInt8, CaseIterable, Sendable {
    case direct, electricity, embodied
    public var key: String { ["direct", "electricity", "embodied"][Int(rawValue)] }
    /// Whether flows of this scope add to the city's own total.
    public var countsInCityTotal: Bool { self != .electricity }
}

extension FactorID {
    /// The grid's emission factor in the hour of the flow: an output of dispatch, not a catalog entry.
    public static let gridHour = FactorID(raw: .max - 1)
}

/// One line of an entity's account: one factor applied to one quantity.
public struct Flow: Sendable, Equatable {
    public var factor: FactorID = .none
    /// The factor value last used (the catalog value, or the hour's grid factor).
    public var factorValue = 0.0
    public var sector: Sector = .power
    public var scope: Scope = .direct
    /// The tick and year the tick and year sums below belong to.
    public var tick: Int64 = -1
    public var year = Int.min
    /// Quantity (in the factor's denominator unit) and tonnes CO2e (negative = removal).
    public var tickQuantity = 0.0
    public var tickTonnes = 0.0
    public var yearQuantity = 0.0
    public var yearTonnes = 0.0
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

/// One line of an entity's carbon books.
public struct LedgerLine<Kind: LineKind>: Component, Sendable {
    public var flow = Flow()
    /// Since the entity was built.
    public var lifetimeTonnes = 0.0
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

extension World {
    /// Every ledger line an entity has, in `AccountLine` order.
    public func ledgerLines(of entity: Entity) -> [(line: AccountLine, flow: Flow, lifetime: Double)] {
        var result: [(AccountLine, Flow, Double)] = []
        func add<K: LineKind>(_ type: LedgerLine<K>.Type) {
            if let line = try? get(type, of: entity), line.flow.isUsed { result.append((K.line, line.flow, line.lifetimeTonnes)) }
        }
        add(ElectricityLine.self)
        add(PrimaryLine.self)
        add(ProcessLine.self)
        add(ConstructionLine.self)
        add(RoadFreightLine.self)
        add(RailFreightLine.self)
        add(CarTripsLine.self)
        add(BusTripsLine.self)
        add(TripElectricityLine.self)
        return result
    }

    /// Visits every ledger line of every entity (for checks of the ledger's invariant).
    public func forEachLedgerLine(_ body: (Entity, Flow) -> Void) {
        func visit<K: LineKind>(_ type: LedgerLine<K>.Type) {
            query(Entity.self, Read<LedgerLine<K>>.self).forEach { entity, line in body(entity, line.flow) }
        }
        visit(ElectricityLine.self)
        visit(PrimaryLine.self)
        visit(ProcessLine.self)
        visit(ConstructionLine.self)
        visit(RoadFreightLine.self)
        visit(RailFreightLine.self)
        visit(CarTripsLine.self)
        visit(BusTripsLine.self)
        visit(TripElectricityLine.self)
    }
}

/// Sums of one system's bookings, added to the `Ledger` when the system ends.
public struct LedgerTally: Sendable, Equatable {
    static let cells = 18  // Sector.allCases.count × Scope.allCases.count
    /// [sector][scope] tonnes CO2e; negative values are removals.
    var cellsStorage: (Double, Double, Double, Double, Double, Double, Double, Double, Double,
                       Double, Double, Double, Double, Double, Double, Double, Double, Double) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    public var removals = 0.0

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

    /// Direct and embodied flows: the city's own net emissions.
    public var cityNet: Double {
        var total = 0.0
        for sector in Sector.allCases { for scope in Scope.allCases where scope.countsInCityTotal { total += tonnes(sector, scope) } }
        return total
    }

    public mutating func add(_ other: LedgerTally) {
        withUnsafeMutableBytes(of: &cellsStorage) { mine in
            withUnsafeBytes(of: other.cellsStorage) { theirs in
                let a = mine.baseAddress!.assumingMemoryBound(to: Double.self)
                for i in 0..<LedgerTally.cells { a[i] += theirs.load(fromByteOffset: i * 8, as: Double.self) }
            }
        }
        removals += other.removals
    }

    public static func == (a: LedgerTally, b: LedgerTally) -> Bool {
        a.removals == b.removals && Sector.allCases.allSatisfy { sector in
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
public struct LedgerPeriod: Sendable, Equatable {
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
    /// kWh sent out by the power plants of each kind (rooftop PV and storage are not plants).
    public var generationKWh = GenerationByKind()

    /// Emissions (positive flows) by sector, direct + embodied.
    public func emissions(_ sector: Sector) -> Double {
        Scope.allCases.filter(\.countsInCityTotal).reduce(0) { $0 + tally.tonnes(sector, $1) } + (sector == .landSinks ? tally.removals : 0)
    }
    public var removals: Double { tally.removals }
    public var net: Double { tally.cityNet }
    /// gCO2/kWh over the period.
    public var gridFactor: Double { electricityKWh > 0 ? powerEmissions * 1e6 / electricityKWh : 0 }
    public var renewableShare: Double { electricityKWh > 0 ? renewableKWh / electricityKWh : 0 }
}

/// kWh per `PlantKind`, in fixed storage so that booking an hour allocates nothing.
public struct GenerationByKind: Sendable, Equatable {
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

public struct Ledger: Sendable {
    public static let hoursKept = 24 * 7

    /// This tick (cleared at the start of each tick).
    public internal(set) var tick = LedgerTally()
    public internal(set) var hourly: [LedgerPeriod] = []   // ring of the last 7 days, oldest first
    public internal(set) var today: LedgerPeriod
    public internal(set) var thisYear: LedgerPeriod
    public internal(set) var years: [LedgerPeriod] = []    // completed years
    public internal(set) var cumulative = LedgerTally()
    /// Year sums of entities that were removed this year (so the per-entity sum stays whole).
    public internal(set) var retiredThisYear = LedgerTally()
    /// This tick's flows of entities removed in this tick.
    public internal(set) var retiredThisTick = LedgerTally()
    /// Called with each completed day (for streaming daily.csv without keeping every day).
    public var onDayClosed: (@Sendable (LedgerPeriod) -> Void)?
    /// The last dispatch: delivered, renewable, unserved, curtailed kWh and power-sector tCO2.
    public internal(set) var hourPower: (delivered: Double, renewable: Double, unserved: Double, curtailed: Double, emissions: Double) = (0, 0, 0, 0, 0)
    /// The last dispatch's kWh by plant kind (zero between ticks, so not saved).
    public internal(set) var hourGeneration = GenerationByKind()

    public init(start: SimDate) {
        today = LedgerPeriod(start: start)
        thisYear = LedgerPeriod(start: start)
    }

    mutating func absorb(_ tally: LedgerTally) {
        tick.add(tally)
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

public enum LedgerBooks {
    public static func register(in schedule: Schedule) {
        schedule.add("ledger.close", phase: Phase.account, run: close)
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
            if ledger.hourly.count == Ledger.hoursKept { ledger.hourly.removeFirst() }
            ledger.hourly.append(hour)
            for period in [\Ledger.today, \Ledger.thisYear] {
                ledger[keyPath: period].tally.add(hour.tally)
                ledger[keyPath: period].electricityKWh += hour.electricityKWh
                ledger[keyPath: period].renewableKWh += hour.renewableKWh
                ledger[keyPath: period].unservedKWh += hour.unservedKWh
                ledger[keyPath: period].curtailedKWh += hour.curtailedKWh
                ledger[keyPath: period].powerEmissions += hour.powerEmissions
                ledger[keyPath: period].blackoutHours += hour.blackoutHours
                ledger[keyPath: period].generationKWh.add(hour.generationKWh)
            }
            ledger.cumulative.add(hour.tally)
            ledger.tick = LedgerTally()
            ledger.hourPower = (0, 0, 0, 0, 0)
            ledger.hourGeneration = GenerationByKind()
            var next = clock
            next.advance()
            if next.isNewDay {
                ledger.onDayClosed?(ledger.today)
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
