// Forecast.swift — the city projected to a chosen year (2060 by default) under its current
// policies, on representative days.
//
// [SECTION] What a forecast returns
// [SECTION] The copy
// [SECTION] Representative days
// [SECTION] Running the copy
// [SECTION] Weighting the sampled days
//
// The method is the time-slice (snapshot-weighting) method of energy-system models such as
// PyPSA and TIMES: a few representative periods are simulated hour by hour, each weighted by
// the hours it stands for. Here each month is represented by `daysPerMonth` consecutive days
// chosen on the weather they bring (a copy of the weather generator is run through the month
// first), with 1 January and 31 December always simulated so that the year's turn and every
// yearly system run; the month's days ÷ the days simulated is their weight. The forecast runs
// the city's own systems on a copy of the city (its save bytes loaded into a new `City`),
// jumping the copy's clock over the skipped days; what must still advance hour by hour or day
// by day is done for each skipped day (the weather, migration, the green zones' growth), and
// what the skipped days would have booked is added at the simulated days' weight (the ledger's
// year, the entities' year lines, the budget's recurring flows). docs/simulation.md, "The
// forecast", says what it skips and measures its error against the full hourly run.
import ECS

// MARK: - [SECTION] What a forecast returns

/// One projected year.
public struct ForecastYear: Sendable, Equatable, Codable {
    public var year: Int
    /// tCO2e emitted in the city before removals (the territorial net plus removals).
    public var grossT: Double
    /// tCO2e removed by the city's sinks.
    public var removalsT: Double
    /// The territorial net (tCO2e), what the ledger calls `net_t`.
    public var netT: Double
    /// The year's grid factor: the plants' CO2e per kWh delivered (gCO2e/kWh).
    public var gridFactor: Double
    /// The budget's balance at the end of the year (yuan).
    public var budgetYuan: Double
    /// Residents at the end of the year.
    public var population: Int
    /// Days of the year simulated hour by hour (the rest are represented by them); a year the
    /// city had already partly lived counts its lived days as simulated.
    public var simulatedDays: Int
    public var days: Int

    public init(year: Int, grossT: Double, removalsT: Double, netT: Double, gridFactor: Double, budgetYuan: Double, population: Int,
                simulatedDays: Int, days: Int) {
        self.year = year
        self.grossT = grossT
        self.removalsT = removalsT
        self.netT = netT
        self.gridFactor = gridFactor
        self.budgetYuan = budgetYuan
        self.population = population
        self.simulatedDays = simulatedDays
        self.days = days
    }
}

/// A whole projection: every year from the city's present year to the target year.
public struct ForecastResult: Sendable, Equatable, Codable {
    /// The moment the forecast starts from.
    public var start: SimDate
    public var years: [ForecastYear]
    /// The year of the highest net emissions, once a later year is clearly below it
    /// (`EmissionsPeak`, the yearly card's "peak" milestone), over the city's closed years and the projection.
    public var peakYear: Int?
    /// The first year whose net is at most 0 t, over the city's closed years and the projection.
    public var netZeroYear: Int?
    /// Hours simulated by the forecast (its cost), and whether it reached the target year.
    public var simulatedHours: Int
    public var isComplete: Bool

    /// Peak and net-zero years of a series of (year, net tCO2e), by the milestones' rules.
    public static func milestones(_ series: [(year: Int, net: Double)]) -> (peak: Int?, netZero: Int?) {
        var highest: (year: Int, net: Double)?
        var peak: Int?
        var netZero: Int?
        for point in series {
            if let top = highest, EmissionsPeak.isClearlyBelow(point.net, peak: top.net) { peak = top.year }
            if highest == nil || point.net > highest!.net { highest = point; peak = nil }
            if netZero == nil && point.net <= 0 { netZero = point.year }
        }
        return (peak, netZero)
    }
}

/// When a fall in the yearly net counts as the peak (docs/simulation.md, "Milestones"). Weather
/// alone moves a city's net from year to year: the sandbox's forecast on unchanged policies
/// changes by 2.0% a year (standard deviation, 6.6% at most, 2020–2060), so any dip below the
/// highest year would announce a peak from noise. A peak counts once a year is at least
/// `decline` (10%) below the highest year before it: about five times that spread.
public enum EmissionsPeak {
    public static let decline = 0.10

    /// Whether `net` is clearly below the highest yearly net `peak` (tCO2e).
    public static func isClearlyBelow(_ net: Double, peak: Double) -> Bool {
        net < peak && peak - net >= decline * abs(peak)
    }
}

public struct ForecastOptions: Sendable, Equatable {
    /// The last year projected (through its 31 December).
    public var toYear: Int
    /// Consecutive days simulated per month (1–31; 31 simulates every day: the full run).
    public var daysPerMonth: Int
    public init(toYear: Int = 2060, daysPerMonth: Int = 2) {
        self.toYear = toYear
        self.daysPerMonth = daysPerMonth
    }
}

// MARK: - [SECTION] The copy

/// A city's save bytes and catalog: plain values, so a forecast can be started on one thread
/// and the copy built and run on another, which alone owns it.
public struct ForecastSeed: Sendable {
    public let saveBytes: [UInt8]
    public let catalog: Catalog
    /// The city's closed years' net (tCO2e), for the peak and net-zero years.
    public let pastNet: [(year: Int, net: Double)]

    /// Takes the city's save bytes. Like a save, this first finishes a tick under way (the
    /// same bytes the tick would have computed); it changes nothing else.
    public init(of city: City) throws(SaveError) {
        saveBytes = try city.saveData()
        catalog = city.catalog
        pastNet = city.view.ledger.years.map { ($0.start.year, $0.net) }
    }

    /// A new city from the bytes: an exact copy (a save holds the whole state, seeded
    /// generators included). The level's script does not come with it.
    public func makeCity() throws(SaveError) -> City {
        try SaveGame.decode(saveBytes, catalog: catalog).city
    }

    /// Runs the forecast on a new copy. `onYear` hears each projected year as it closes and
    /// returns false to stop (the result then has `isComplete` false).
    public func run(_ options: ForecastOptions = ForecastOptions(),
                    onYear: (ForecastYear) -> Bool = { _ in true }) throws(SaveError) -> ForecastResult {
        var forecast = Forecast(city: try makeCity(), options: options, pastNet: pastNet)
        return forecast.run(onYear: onYear)
    }
}

// MARK: - [SECTION] Representative days

/// One month (or the rest of one) and the days chosen to represent it.
struct ForecastSegment: Equatable {
    /// Day indices (days since the level's start) of the month's first day and one past its last.
    var first: Int64
    var end: Int64
    var month: Int
    var days: Int64 { end - first }
}

/// What a day's weather does to the city, for choosing representative days: wind and solar
/// output per kW (the grid's renewable offer), and degree-hours below 18 °C (heating) and above
/// 24 °C (cooling), as `buildings.demand` reads them.
struct DayWeather: Equatable {
    var wind = 0.0, solar = 0.0, heating = 0.0, cooling = 0.0
    /// kWh the fuel plants would have to make: each hour's demand (the last simulated day's, by
    /// hour of day) less the wind and solar the weather offers, at least 0. The day's emissions
    /// follow it more closely than the wind itself (curtailment, the hours of the sun).
    var thermal = 0.0

    static let scales = DayWeather(wind: 0.05, solar: 0.02, heating: 24, cooling: 24, thermal: 1)

    mutating func add(_ other: DayWeather, times factor: Double = 1) {
        wind += factor * other.wind
        solar += factor * other.solar
        thermal += factor * other.thermal
        heating += factor * other.heating
        cooling += factor * other.cooling
    }

    /// Squared relative distance to `target`, each feature relative to the target's own size
    /// (or a floor, so that a feature near zero does not dominate).
    func distance(to target: DayWeather) -> Double {
        func term(_ a: Double, _ b: Double, _ floor: Double) -> Double {
            let d = (a - b) / max(abs(b), floor)
            return d * d
        }
        let f = DayWeather.scales
        // The fuel plants' share first: it is what the power sector emits.
        return 4 * term(thermal, target.thermal, f.thermal) + term(heating, target.heating, f.heating)
            + term(cooling, target.cooling, f.cooling) + 0.25 * (term(wind, target.wind, f.wind) + term(solar, target.solar, f.solar))
    }
}

extension Forecast {
    /// The month segments from `day` (a day index) to the end of `toYear`.
    static func segments(from day: Int64, startYear: Int, toYear: Int) -> [ForecastSegment] {
        let origin = Clock.daysFromCivil(year: startYear, month: 1, day: 1)
        let last = Clock.daysFromCivil(year: toYear + 1, month: 1, day: 1) - origin
        var segments: [ForecastSegment] = []
        var cursor = day
        while cursor < last {
            let (year, month, _) = Clock.civil(fromDays: origin + cursor)
            let next = month == 12 ? (year + 1, 1) : (year, month + 1)
            let monthEnd = Clock.daysFromCivil(year: next.0, month: next.1, day: 1) - origin
            segments.append(ForecastSegment(first: cursor, end: monthEnd, month: month))
            cursor = monthEnd
        }
        return segments
    }

    /// The days simulated for a segment, as ranges of day indices in order: `daysPerMonth`
    /// consecutive days whose weather, with the required days', is closest to the segment's
    /// (`weather[i]` is day i of the segment). 1 January and 31 December are required when the
    /// segment holds them: the year's turn is always simulated.
    static func chooseDays(_ segment: ForecastSegment, weather: [DayWeather], daysPerMonth: Int, startsYear: Bool,
                           endsYear: Bool) -> [Range<Int64>] {
        let n = Int(segment.days)
        let k = max(1, daysPerMonth)
        let required = (startsYear ? [0] : []) + (endsYear && n > 1 ? [n - 1] : [])
        if n <= k + required.count { return [segment.first..<segment.end] }
        var mean = DayWeather()
        for day in weather { mean.add(day, times: 1 / Double(n)) }
        var best: (start: Int, distance: Double)?
        for start in 0...(n - k) where !required.contains(where: { (start..<(start + k)).contains($0) }) {
            var chosen = DayWeather()
            let count = Double(k + required.count)
            for i in start..<(start + k) { chosen.add(weather[i], times: 1 / count) }
            for i in required { chosen.add(weather[i], times: 1 / count) }
            let distance = chosen.distance(to: mean)
            if best == nil || distance < best!.distance { best = (start, distance) }
        }
        let start = best!.start
        var ranges = required.map { segment.first + Int64($0)..<(segment.first + Int64($0) + 1) }
        ranges.append(segment.first + Int64(start)..<(segment.first + Int64(start + k)))
        ranges.sort { $0.lowerBound < $1.lowerBound }
        // Neighbouring ranges become one (a chosen block next to a required day).
        var merged: [Range<Int64>] = []
        for range in ranges {
            if let last = merged.last, last.upperBound == range.lowerBound {
                merged[merged.count - 1] = last.lowerBound..<range.upperBound
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// Each hour's weather over a segment (wind and solar output per kW, temperature), from a
    /// copy of the city's weather at the segment's first hour (the city's own is not advanced).
    static func weatherHours(_ segment: ForecastSegment, from weather: Weather, startYear: Int,
                             catalog: Catalog) -> [(wind: Double, solar: Double, temperature: Double)] {
        var replica = weather
        var hours: [(wind: Double, solar: Double, temperature: Double)] = []
        hours.reserveCapacity(Int(segment.days) * 24)
        var clock = Clock(startYear: startYear, tick: segment.first * 24)
        for _ in 0..<(segment.days * 24) {
            replica.advance(clock: clock, spec: catalog.weather, disturbance: catalog.disturbance)
            hours.append((replica.windFactor, replica.solarFactor, replica.temperature))
            clock.advance()
        }
        return hours
    }

    /// Each day's features from its hours: `demand` is kWh by hour of day (nil: none known yet),
    /// `capacity` the connected wind and solar kW.
    static func days(_ hours: [(wind: Double, solar: Double, temperature: Double)], demand: [Double]?,
                     capacity: (wind: Double, solar: Double)) -> [DayWeather] {
        stride(from: 0, to: hours.count, by: 24).map { start in
            var day = DayWeather()
            for h in 0..<24 where start + h < hours.count {
                let hour = hours[start + h]
                day.wind += hour.wind / 24
                day.solar += hour.solar / 24
                day.heating += max(0, 18 - hour.temperature)
                day.cooling += max(0, hour.temperature - 24)
                if let demand { day.thermal += max(0, demand[h] - capacity.wind * hour.wind - capacity.solar * hour.solar) }
            }
            return day
        }
    }

    /// kWh delivered by hour of day over the last simulated day (nil before the first).
    static func demandProfile(_ world: World) -> [Double]? {
        let hourly = world.resource(Ledger.self)!.hourly
        guard hourly.count >= 24 else { return nil }
        var profile = [Double](repeating: 0, count: 24)
        for hour in hourly.suffix(24) { profile[hour.start.hour] = hour.electricityKWh + hour.unservedKWh }
        return profile
    }

    /// The connected wind and solar capacity, kW (what the grid's weather offer multiplies).
    static func renewableCapacity(_ world: World, catalog: Catalog) -> (wind: Double, solar: Double) {
        var wind = 0.0, solar = 0.0
        world.query(Read<PowerPlant>.self).forEach { plant in
            guard plant.island > 0 else { return }
            if plant.kind == .wind { wind += catalog.plants[Int(plant.kind.rawValue)].capacityKW }
            if plant.kind == .solar { solar += catalog.plants[Int(plant.kind.rawValue)].capacityKW }
        }
        return (wind, solar)
    }
}

// MARK: - [SECTION] Running the copy

/// The forecast of one copy. Not Sendable: the copy belongs to the thread that runs it.
struct Forecast {
    let city: City
    let options: ForecastOptions
    let pastNet: [(year: Int, net: Double)]
    private var years: [ForecastYear] = []
    private var simulatedHours = 0
    private var simulatedDaysThisYear = 0
    /// Each entity ledger line's year values when the forecast started (the lived part of the
    /// present year, which is not scaled).
    private var linesAtStart: [LineKey: LineYear] = [:]
    /// Hours of each year the forecast simulated, and the hours they represent.
    private var hoursThisYear: (simulated: Double, represented: Double) = (0, 0)

    struct LineKey: Hashable {
        var line: AccountLine
        var entity: Entity
    }
    typealias LineYear = (year: Int, quantity: Double, tonnes: Double, lifetime: Double)

    init(city: City, options: ForecastOptions, pastNet: [(year: Int, net: Double)]) {
        self.city = city
        self.options = options
        self.pastNet = pastNet
    }

    var clock: Clock { city.world.resource(Clock.self)! }

    mutating func run(onYear: (ForecastYear) -> Bool) -> ForecastResult {
        let start = clock.date
        var complete = true
        simulatedDaysThisYear = clock.dayOfYear  // the days already lived count as simulated
        // The day under way is finished hour by hour, as it is, and counts as lived.
        while clock.hour != 0 { step() }
        linesAtStart = Forecast.yearLines(city.world)
        if start.hour != 0 {
            simulatedDaysThisYear += 1
            // The finished day was 31 December: that year has closed.
            if clock.dayOfYear == 0 && !closeYear(onYear: onYear) { return result(start: start, complete: false) }
        }
        if clock.year > options.toYear { return result(start: start, complete: true) }
        let origin = Clock.daysFromCivil(year: clock.startYear, month: 1, day: 1)
        segmentLoop: for segment in Forecast.segments(from: clock.dayIndex, startYear: clock.startYear, toYear: options.toYear) {
            let (_, _, firstDay) = Clock.civil(fromDays: origin + segment.first)
            let startsYear = segment.month == 1 && firstDay == 1, endsYear = segment.month == 12
            let hours = Forecast.weatherHours(segment, from: city.world.resource(Weather.self)!, startYear: clock.startYear, catalog: city.catalog)
            let required = (startsYear ? 1 : 0) + (endsYear && segment.days > 1 ? 1 : 0)
            let simulated = min(segment.days, Int64(max(1, options.daysPerMonth) + required))
            let weight = Double(segment.days) / Double(simulated)
            // 1 January is simulated first: the days are then chosen on the demand it had.
            var firstDone = false
            if startsYear && simulated < segment.days {
                simulate(segment.first..<(segment.first + 1), weight: weight)
                firstDone = true
            }
            let weather = Forecast.days(hours, demand: Forecast.demandProfile(city.world),
                                        capacity: Forecast.renewableCapacity(city.world, catalog: city.catalog))
            for chosen in Forecast.chooseDays(segment, weather: weather, daysPerMonth: options.daysPerMonth,
                                              startsYear: startsYear, endsYear: endsYear) {
                let range = firstDone && chosen.lowerBound == segment.first ? (chosen.lowerBound + 1)..<chosen.upperBound : chosen
                if !range.isEmpty { simulate(range, weight: weight) }
            }
            skipDays(to: segment.end)
            simulatedDaysThisYear += Int(simulated)
            hoursThisYear.simulated += Double(simulated) * 24
            hoursThisYear.represented += Double(segment.days) * 24
            if clock.dayOfYear == 0 && clock.hour == 0 {
                if !closeYear(onYear: onYear) {
                    complete = false
                    break segmentLoop
                }
            }
        }
        return result(start: start, complete: complete)
    }

    /// Simulates the days of `range` hour by hour, then weighs them.
    private mutating func simulate(_ range: Range<Int64>, weight: Double) {
        skipDays(to: range.lowerBound)
        let ledgerBefore = city.world.resource(Ledger.self)!
        let budgetBefore = Forecast.recurringThisYear(city.world)
        var days = EventReader<DayClosed>(after: city.world)
        var closed: [LedgerPeriod] = []
        for _ in 0..<(range.count * 24) {
            step()
            closed += days.read(city.world).map(\.day)  // an event lives one tick after the one it was sent in
        }
        weigh(closed: closed, by: weight, ledgerBefore: ledgerBefore, budgetBefore: budgetBefore)
    }

    private mutating func step() {
        city.step()
        simulatedHours += 1
    }

    /// Between two blocks: the clock moves to the next block's first hour; each skipped day's
    /// migration is done as `economy.daily` does it, and the green zones grow by the skipped days.
    private mutating func skipDays(to day: Int64) {
        let from = clock.dayIndex
        guard day > from else { return }
        let world = city.world
        let catalog = city.catalog
        for skipped in from..<day {
            // The weather of every skipped hour, so that the next sampled day has the weather the
            // full run would have on that day (one seeded stream, advanced once an hour).
            for hour in 0..<Int64(24) {
                world.withResource(Clock.self) { $0.set(tick: skipped * 24 + hour) }
                let hourClock = clock
                world.withResource(Weather.self) { $0.advance(clock: hourClock, spec: catalog.weather, disturbance: catalog.disturbance) }
            }
            world.withResource(Clock.self) { $0.set(tick: skipped * 24) }
            // The movers `Economy.migrate` will move (its own arithmetic): a census only when someone moves.
            let stats = world.resource(CityStats.self)!
            let rate = Economy.migrationPull(stats, catalog: catalog).rate
            let movers = Int((stats.migrationCarry + rate * Double(max(stats.population, 50)) / 365).rounded(.towardZero))
            Economy.migrate(world: world, catalog: catalog, clock: clock)
            if movers != 0 {
                world.applyCommands()
                Economy.takeCensus(world: world)
            }
        }
        Sinks.growUnbooked(world: world, catalog: catalog, hours: Double(day - from) * 24)
        world.withResource(Clock.self) { $0.set(tick: day * 24) }
    }

    /// Just after 31 December's last hour: the closed year's entity lines are scaled to the
    /// whole year (before 1 January's yearly systems read them), and the year is recorded.
    private mutating func closeYear(onYear: (ForecastYear) -> Bool) -> Bool {
        let world = city.world
        let closedYear = clock.year - 1
        let factor = hoursThisYear.simulated > 0 ? hoursThisYear.represented / hoursThisYear.simulated : 1
        // The buildings' and commuters' lines were settled in the year's last hour (always
        // simulated: `chooseDays` keeps a year's last day).
        Forecast.scaleYearLines(world, year: closedYear, by: factor, base: linesAtStart)
        linesAtStart = [:]
        hoursThisYear = (0, 0)
        let period = world.resource(Ledger.self)!.years.last!
        let days = Int(Clock.isLeap(closedYear) ? 366 : 365)
        let year = ForecastYear(year: closedYear, grossT: period.net + period.removals, removalsT: period.removals,
                                netT: period.net, gridFactor: period.gridFactor, budgetYuan: world.resource(Budget.self)!.balance,
                                population: world.resource(CityStats.self)!.population,
                                simulatedDays: min(days, simulatedDaysThisYear), days: days)
        simulatedDaysThisYear = 0
        years.append(year)
        return onYear(year)
    }

    private func result(start: SimDate, complete: Bool) -> ForecastResult {
        let past = pastNet.filter { point in !years.contains { $0.year == point.year } }
        let marks = ForecastResult.milestones(past + years.map { ($0.year, $0.netT) })
        return ForecastResult(start: start, years: years, peakYear: marks.peak, netZeroYear: marks.netZero,
                              simulatedHours: simulatedHours, isComplete: complete)
    }
}

// MARK: - [SECTION] Weighting the sampled days

extension Forecast {
    /// Adds what the block's days stand for beyond themselves: (weight − 1) × the block's books
    /// to the ledger's year and running total, and × its recurring money flows to the budget.
    fileprivate func weigh(closed: [LedgerPeriod], by weight: Double, ledgerBefore: Ledger, budgetBefore: (year: Int, yuan: Double)) {
        let extra = weight - 1
        guard extra > 0, !closed.isEmpty else { return }
        var block = LedgerPeriod(start: closed[0].start)
        for day in closed { block.add(day, times: 1) }
        let world = city.world
        world.withResource(Ledger.self) { ledger in
            if ledger.thisYear.start.year == block.start.year {
                ledger.thisYear.add(block, times: extra)
            } else if !ledger.years.isEmpty, ledger.years[ledger.years.count - 1].start.year == block.start.year {
                ledger.years[ledger.years.count - 1].add(block, times: extra)
            }
            ledger.cumulative.add(block.tally, times: extra)
        }
        let after = Forecast.recurringThisYear(world)
        let recurring = after.yuan - (after.year == budgetBefore.year ? budgetBefore.yuan : 0)
        world.withResource(Budget.self) { budget in
            if recurring >= 0 { budget.earn(recurring * extra) } else { budget.spend(-recurring * extra) }
        }
    }

    /// The budget book's recurring lines this year (taxes, upkeep, fuel, the fuel tax): the flows
    /// a skipped day would have had. One-offs (construction, subsidies, yearly settlements) are not.
    static func recurringThisYear(_ world: World) -> (year: Int, yuan: Double) {
        guard let book = world.resource(BudgetBook.self) else { return (0, 0) }
        return (book.year, BudgetLine.all.reduce(0) { $0 + ($1.isRecurring ? book.thisYear[$1.index] : 0) })
    }

    /// Every entity ledger line's year values now, as booked so far (with the hours a building or
    /// a commuter has yet to settle).
    static func yearLines(_ world: World) -> [LineKey: LineYear] {
        var lines: [LineKey: LineYear] = [:]
        world.forEachBookedLine { entity, line, flow, lifetime in
            guard flow.isUsed else { return }
            lines[LineKey(line: line, entity: entity)] = (flow.year, flow.yearQuantity, flow.yearTonnes, lifetime)
        }
        return lines
    }

    /// Scales each entity line's year (and lifetime) values booked in `year` by `factor`, less
    /// what it held at the forecast's start (`base`), which was lived, not sampled.
    static func scaleYearLines(_ world: World, year: Int, by factor: Double, base: [LineKey: LineYear]) {
        struct Scale: LedgerLineVisitor {
            let world: World, year: Int, factor: Double, base: [LineKey: LineYear]
            mutating func visit<K: LineKind>(_ type: LedgerLine<K>.Type) {
                let (year, factor, base) = (self.year, self.factor, self.base)
                world.query(Entity.self, Write<LedgerLine<K>>.self).forEach { entity, line in
                    guard line.value.flow.isUsed, line.value.flow.year == year else { return }
                    let start = base[LineKey(line: K.line, entity: entity)]
                    let lived: (quantity: Double, tonnes: Double) = start.map { $0.year == year ? ($0.quantity, $0.tonnes) : (0, 0) } ?? (0, 0)
                    let sampledQuantity = line.value.flow.yearQuantity - lived.quantity
                    let sampledTonnes = line.value.flow.yearTonnes - lived.tonnes
                    line.value.flow.yearQuantity = lived.quantity + sampledQuantity * factor
                    line.value.flow.yearTonnes = lived.tonnes + sampledTonnes * factor
                    line.value.lifetimeTonnes += sampledTonnes * (factor - 1)
                }
            }
        }
        var scale = Scale(world: world, year: year, factor: factor, base: base)
        LedgerLineKinds.visitAll(&scale)
    }
}

extension LedgerTally {
    /// Adds `times` × another tally (removals and capture included).
    mutating func add(_ other: LedgerTally, times factor: Double) {
        withUnsafeMutableBytes(of: &cellsStorage) { mine in
            withUnsafeBytes(of: other.cellsStorage) { theirs in
                let a = mine.baseAddress!.assumingMemoryBound(to: Double.self)
                let b = theirs.baseAddress!.assumingMemoryBound(to: Double.self)
                for i in 0..<LedgerTally.cells { a[i] += factor * b[i] }
            }
        }
        removals += factor * other.removals
        captured += factor * other.captured
    }
}

extension GenerationByKind {
    mutating func add(_ other: GenerationByKind, times factor: Double) {
        for kind in PlantKind.allCases { self[kind] += factor * other[kind] }
    }
}

extension LedgerPeriod {
    /// Adds `times` × another period's books (a weighted day; blackout hours round to whole hours).
    mutating func add(_ other: LedgerPeriod, times factor: Double) {
        tally.add(other.tally, times: factor)
        retired.add(other.retired, times: factor)
        electricityKWh += factor * other.electricityKWh
        renewableKWh += factor * other.renewableKWh
        unservedKWh += factor * other.unservedKWh
        curtailedKWh += factor * other.curtailedKWh
        powerEmissions += factor * other.powerEmissions
        blackoutHours += Int((factor * Double(other.blackoutHours)).rounded())
        generationKWh.add(other.generationKWh, times: factor)
        rooftopKWh += factor * other.rooftopKWh
        storageChargeKWh += factor * other.storageChargeKWh
        storageDischargeKWh += factor * other.storageDischargeKWh
        curtailedWindKWh += factor * other.curtailedWindKWh
        curtailedSolarKWh += factor * other.curtailedSolarKWh
        curtailedHydroKWh += factor * other.curtailedHydroKWh
        gridLossesKWh += factor * other.gridLossesKWh
    }
}

extension Sinks {
    /// The green zones' growth over `hours` the forecast skipped: age and stock as `sinks.grow`
    /// would have left them (no drought, no fire), booking nothing (the sampled days' removals,
    /// weighted, stand for the skipped days').
    static func growUnbooked(world: World, catalog: Catalog, hours: Double) {
        let zones = catalog.zones
        world.query(Write<GreenZone>.self).forEach { zone in
            let spec = zones[Int(zone.value.kind.rawValue)]
            let age = zone.value.ageHours
            zone.value.ageHours = age + hours
            let gained = min(growth(spec, fromHours: age, toHours: age + hours) * spec.areaHa, spec.maxStock * spec.areaHa - zone.value.stock)
            if gained > 0 { zone.value.stock += gained }
        }
    }
}
