// BudgetBook.swift — where the money went: every movement of `Budget.balance`, booked on a line
// (taxes by building kind, upkeep by structure kind, fuel, construction, the carbon market, …),
// this month, last month, this year and last year. The budget panel and the yearly card read it.
//
// A separate resource from `Budget` on purpose: the replays' year hashes (`StateJournal`) hash
// `Budget`'s bytes, so the book must not change them. Each place that moves money keeps its own
// arithmetic on `Budget` exactly as before and books the same amounts, split by line, here; the
// sum of a year's lines is that year's change of the balance (to rounding: the lines are summed
// in another order than the balance's aggregates).
import ECS

/// One line of the budget book. Amounts are signed: income > 0, expense < 0.
public enum BudgetLine: Hashable, Sendable {
    /// Residents' income tax (homes) or business tax (every other kind), by building kind.
    case tax(BuildingKind)
    /// The carbon tax on all fuel burnt in the city (income).
    case fuelTax
    /// The carbon market's auctions of allowances, the fines and the tax paid by covered firms.
    case carbonAuction, carbonFines, carbonFirmTax
    /// The city's own power plants' carbon-market bill (trades, abatement, fines, tax): either sign.
    case plantsCarbonMarket
    /// Green-power certificates sold, offset credits sold outside the city, a level's grants.
    case certificates, offsetSales, grants
    /// The upkeep of forests planted with citizens' points, paid by their sponsors (income).
    case sponsoredUpkeep
    /// Maintenance of buildings, by kind (expense).
    case buildingUpkeep(BuildingKind)
    /// Fuel bought for a plant kind, and its fixed operation and maintenance (expense).
    case plantFuel(PlantKind), plantUpkeep(PlantKind)
    case storageUpkeep(StorageKind)
    case zoneUpkeep(ZoneKind)
    /// Transport and storage of captured CO2.
    case captureStorage
    /// The carbon tax the city pays on its own plants' fuel.
    case fuelTaxOnCityPlants
    /// Subsidies paid for heat pumps, rooftop PV, storage and electric cars.
    case subsidies
    /// Building, upgrading and demolishing (an undo within the refund window books back here).
    case construction, upgrades, demolition

    /// Every line, in the order the panel lists them (its index in the book's arrays).
    public static let all: [BudgetLine] = BuildingKind.allCases.map { .tax($0) }
        + [.fuelTax, .carbonAuction, .carbonFines, .carbonFirmTax, .plantsCarbonMarket, .certificates, .offsetSales, .grants,
           .sponsoredUpkeep]
        + BuildingKind.allCases.map { .buildingUpkeep($0) } + PlantKind.allCases.map { .plantFuel($0) }
        + PlantKind.allCases.map { .plantUpkeep($0) } + StorageKind.allCases.map { .storageUpkeep($0) }
        + ZoneKind.allCases.map { .zoneUpkeep($0) }
        + [.captureStorage, .fuelTaxOnCityPlants, .subsidies, .construction, .upgrades, .demolition]

    public static var count: Int { all.count }

    /// The line's place in `all` (no lookup: the book is written every hour).
    public var index: Int {
        let buildings = BuildingKind.allCases.count, plants = PlantKind.allCases.count
        let afterTaxes = buildings, afterIncome = afterTaxes + 9
        let afterBuildingUpkeep = afterIncome + buildings, afterFuel = afterBuildingUpkeep + plants
        let afterPlantUpkeep = afterFuel + plants, afterStorage = afterPlantUpkeep + StorageKind.allCases.count
        let afterZones = afterStorage + ZoneKind.allCases.count
        switch self {
        case .tax(let kind): return Int(kind.rawValue)
        case .fuelTax: return afterTaxes
        case .carbonAuction: return afterTaxes + 1
        case .carbonFines: return afterTaxes + 2
        case .carbonFirmTax: return afterTaxes + 3
        case .plantsCarbonMarket: return afterTaxes + 4
        case .certificates: return afterTaxes + 5
        case .offsetSales: return afterTaxes + 6
        case .grants: return afterTaxes + 7
        case .sponsoredUpkeep: return afterTaxes + 8
        case .buildingUpkeep(let kind): return afterIncome + Int(kind.rawValue)
        case .plantFuel(let kind): return afterBuildingUpkeep + Int(kind.rawValue)
        case .plantUpkeep(let kind): return afterFuel + Int(kind.rawValue)
        case .storageUpkeep(let kind): return afterPlantUpkeep + Int(kind.rawValue)
        case .zoneUpkeep(let kind): return afterStorage + Int(kind.rawValue)
        case .captureStorage: return afterZones
        case .fuelTaxOnCityPlants: return afterZones + 1
        case .subsidies: return afterZones + 2
        case .construction: return afterZones + 3
        case .upgrades: return afterZones + 4
        case .demolition: return afterZones + 5
        }
    }

    /// The line a command's cost is booked on (its refund on undo books back there).
    static func paying(for command: CityCommand) -> BudgetLine {
        switch command {
        case .demolish: return .demolition
        case .upgrade: return .upgrades
        case .sellOffsets: return .offsetSales
        case .build, .setPolicy, .undo: return .construction
        }
    }

    /// The line's kind of entry, and the catalog key of its structure kind (nil for lines without one):
    /// the game names a line "budget.<entry>" filled with the structure's tool name.
    public var entry: (key: String, structure: String?) {
        switch self {
        case .tax(let kind): return (kind == .residential ? "income_tax" : "business_tax", kind.key)
        case .fuelTax: return ("fuel_tax", nil)
        case .carbonAuction: return ("carbon_auction", nil)
        case .carbonFines: return ("carbon_fines", nil)
        case .carbonFirmTax: return ("carbon_firm_tax", nil)
        case .plantsCarbonMarket: return ("plants_carbon_market", nil)
        case .certificates: return ("certificates", nil)
        case .offsetSales: return ("offset_sales", nil)
        case .grants: return ("grants", nil)
        case .sponsoredUpkeep: return ("sponsored_upkeep", nil)
        case .buildingUpkeep(let kind): return ("upkeep", kind.key)
        case .plantFuel(let kind): return ("fuel", kind.key + "_plant")
        case .plantUpkeep(let kind): return ("upkeep", kind.key + "_plant")
        case .storageUpkeep(let kind): return ("upkeep", kind.key)
        case .zoneUpkeep(let kind): return ("upkeep", kind.key)
        case .captureStorage: return ("capture_storage", nil)
        case .fuelTaxOnCityPlants: return ("fuel_tax_city_plants", nil)
        case .subsidies: return ("subsidies", nil)
        case .construction: return ("construction", nil)
        case .upgrades: return ("upgrades", nil)
        case .demolition: return ("demolition", nil)
        }
    }

    /// Money that comes and goes with the running city, hour after hour (taxes, upkeep, fuel, the
    /// daily fuel tax); not one-off (building, grants, sales) or yearly (market, certificates,
    /// subsidies). The projection to the year's end extends these at their rate so far.
    public var isRecurring: Bool {
        switch self {
        case .tax, .fuelTax, .sponsoredUpkeep, .buildingUpkeep, .plantFuel, .plantUpkeep, .storageUpkeep, .zoneUpkeep,
             .captureStorage, .fuelTaxOnCityPlants:
            return true
        case .carbonAuction, .carbonFines, .carbonFirmTax, .plantsCarbonMarket, .certificates, .offsetSales, .grants, .subsidies,
             .construction, .upgrades, .demolition:
            return false
        }
    }
}

/// The budget book: each line's yuan (income > 0, expense < 0) this month, last month, this year
/// and last year. Periods roll over when the first amount of a new month or year is booked.
public struct BudgetBook: Sendable, Equatable, SavedResource {
    /// The calendar year and month (1…12) of `thisYear` and `thisMonth`; 0 before anything is booked.
    public private(set) var year = 0
    public private(set) var month = 0
    public private(set) var thisMonth: [Double] = BudgetBook.zeros
    public private(set) var lastMonth: [Double] = BudgetBook.zeros
    public private(set) var thisYear: [Double] = BudgetBook.zeros
    public private(set) var lastYear: [Double] = BudgetBook.zeros
    /// Whether `lastYear` holds a whole year booked by this game.
    public private(set) var hasLastYear = false
    /// Whether `thisYear` holds the whole year so far: false in the year a save made before the
    /// book existed was loaded (what came before the load is not in it).
    public private(set) var coversThisYear = false
    /// The tick from which `thisYear` is booked: 1 January 00:00, or the load of an older save.
    public private(set) var thisYearFromTick: Int64 = 0

    static var zeros: [Double] { [Double](repeating: 0, count: BudgetLine.count) }

    /// An empty book that has not started (a save from before the book, migrated).
    public init() {}

    /// An empty book from 1 January of `year`, as a new city starts.
    public init(startingIn year: Int) {
        self.year = year
        month = 1
        coversThisYear = true
    }

    /// Books `yuan` on `line` in the clock's month and year.
    mutating func book(_ line: BudgetLine, _ yuan: Double, clock: Clock) {
        guard yuan != 0 else { return }
        // Never back: an amount dated before the book's month joins the month it is in.
        if clock.year * 12 + clock.month > year * 12 + month { roll(to: clock) }
        thisMonth[line.index] += yuan
        thisYear[line.index] += yuan
    }

    /// Starts the clock's month and year if the book is still in an earlier one. Money moves
    /// every hour, so a book that was running at the end of a year covers the next from its start.
    mutating func roll(to clock: Clock) {
        if clock.year != year {
            let running = year != 0 && clock.year == year + 1
            hasLastYear = running && coversThisYear
            lastYear = running ? thisYear : BudgetBook.zeros
            thisYear = BudgetBook.zeros
            coversThisYear = running
            thisYearFromTick = running ? clock.tick - Int64(clock.dayOfYear * 24 + clock.hour) : clock.tick
        }
        if clock.year != year || clock.month != month {
            let previous = year != 0 && year * 12 + month == clock.year * 12 + clock.month - 1
            lastMonth = previous ? thisMonth : BudgetBook.zeros
            thisMonth = BudgetBook.zeros
        }
        year = clock.year
        month = clock.month
    }

    /// The book as it stands at `clock` (a period with nothing booked yet reads as empty).
    public func current(at clock: Clock) -> BudgetBook {
        var book = self
        book.roll(to: clock)
        return book
    }

    public func amount(_ line: BudgetLine, in period: [Double]) -> Double { period[line.index] }

    /// Sum of a period's income (> 0) and expense (< 0) lines; a line's sign is its amount's.
    public static func totals(_ period: [Double]) -> (income: Double, expenses: Double, net: Double) {
        var income = 0.0, expenses = 0.0
        for amount in period { if amount > 0 { income += amount } else { expenses += amount } }
        return (income, expenses, income + expenses)
    }

    public func validate(in world: World) throws(SaveValidationError) {
        for period in [thisMonth, lastMonth, thisYear, lastYear] where period.count != BudgetLine.count {
            throw SaveValidationError("the budget book has \(period.count) lines, not \(BudgetLine.count)")
        }
        guard (0...12).contains(month) else { throw SaveValidationError("the budget book's month \(month) does not exist") }
    }
}

/// The year-end projection of the balance, and when the money would run out before then.
public struct BudgetProjection: Sendable, Equatable {
    /// yuan at the end of the year if the running income and costs go on as they have so far
    /// this year (one-off and yearly items already booked stay; none are assumed to come).
    public var yearEnd: Double
    /// yuan per day of the recurring lines.
    public var recurringPerDay: Double
    /// The day the balance would reach zero at that rate, if it is within this year, and how
    /// many days from now that is.
    public var runsOut: SimDate?
    public var daysLeft: Double?

    /// Projects `balance` from `clock` to the year's end with `book`'s recurring lines: their rate
    /// over this year so far, or over last year during the first week of a year.
    public init(balance: Double, book: BudgetBook, clock: Clock) {
        let book = book.current(at: clock)
        let hoursSoFar = Double(clock.dayOfYear * 24 + clock.hour)
        let hoursBooked = Double(max(0, clock.tick - book.thisYearFromTick))
        let hoursInYear = Double(clock.daysInYear * 24)
        func recurring(_ period: [Double]) -> Double {
            BudgetLine.all.reduce(0) { $0 + ($1.isRecurring ? period[$1.index] : 0) }
        }
        var perHour = 0.0
        if hoursBooked >= 24 * 7 || !book.hasLastYear {
            perHour = hoursBooked > 0 ? recurring(book.thisYear) / hoursBooked : 0
        } else {
            perHour = recurring(book.lastYear) / Double((Clock.isLeap(clock.year - 1) ? 366 : 365) * 24)
        }
        let hoursLeft = hoursInYear - hoursSoFar
        yearEnd = balance + perHour * hoursLeft
        recurringPerDay = perHour * 24
        runsOut = nil
        daysLeft = nil
        if perHour < 0 && yearEnd < 0 {
            let hoursToZero = balance <= 0 ? 0 : (balance / -perHour).rounded(.up)
            runsOut = Clock(startYear: clock.startYear, tick: clock.tick + Int64(hoursToZero)).date
            daysLeft = hoursToZero / 24
        }
    }
}

extension World {
    /// Books `yuan` (income > 0, expense < 0) on `line` of the budget book at the city's clock.
    /// Call it beside the `Budget` change it explains. The systems of the account phase that run
    /// after `clock.advance` (the yearly settlements of the market and the certificates, the
    /// level's rules) close the hour that just ended, so they pass `closingHour`: a settlement
    /// made as 1 January begins is booked in the year it settles, as the replays' year hashes
    /// (`StateJournal`, taken after them) count it.
    func book(_ line: BudgetLine, _ yuan: Double, closingHour: Bool = false) {
        guard yuan != 0, let clock = resource(Clock.self), resource(BudgetBook.self) != nil else { return }
        let date = closingHour && clock.tick > 0 ? Clock(startYear: clock.startYear, tick: clock.tick - 1) : clock
        withResource(BudgetBook.self) { $0.book(line, yuan, clock: date) }
    }
}
