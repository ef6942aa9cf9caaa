// Commutes.swift — employed citizens' commutes, booked by habit.
//
// A commuter keeps the mode it chose (the logit draw of Transport.swift) until it reconsiders:
// about once a week, in one of 168 hourly cohorts, or at once when its commute changes (a job
// found or lost, a new home, an electric car, new networks, another power island). While its
// choice stands its day is the same, so the city books all its commuters each hour from running
// totals (a 24th of their day), and a commuter's own lines take their share only when settled:
// when it reconsiders to another day, when it leaves or loses its job, when the catalog's
// per-mode figures change, and in the year's last hour. `World.bookedLine` reads the
// lines as booked so far. docs/simulation.md says why: people keep their commute mode out of
// habit, and following each commuter every day cost about half the simulation's tick.
//
// The totals are sums of integers (each commute's daily figures rounded to fixed units, in 32
// bits each, so that a commute takes 48 bytes), so that they are the same whatever order
// commuters came and went in, and a load rebuilds them exactly from the citizens' commutes.
import ECS

/// What a citizen's commute adds to the city's day, and how much of it its lines hold.
public struct Commute: Component, Sendable, Equatable, Codable {
    /// Per day, in `CommuteUnits`: tailpipe tonnes, passenger-km burning fuel, grid kWh,
    /// passenger-km, one-way minutes, and road vehicle trips (a bus passenger is a bus's share).
    var tailpipeTonnes: Int32 = 0
    var burningPkm: Int32 = 0
    var kWh: Int32 = 0
    var pkm: Int32 = 0
    var minutes: Int32 = 0
    var vehicles: Int32 = 0
    var homeTile: Int32 = 0
    var workTile: Int32 = 0
    var island: Int32 = 0
    /// The year's hours of tailpipe and of grid electricity already on the citizen's lines.
    var tailpipeHours: Int32 = 0
    var electricityHours: Int32 = 0
    var mode: TravelMode = .walk
    /// Counted in the totals as a commuter with a mode.
    var active = false
    /// Employed, but no mode reaches the job: counted as two trips without a mode a day.
    var stranded = false

    public init() {}
}

/// The fixed units of `Commute`'s daily figures.
enum CommuteUnits {
    static let tonnes = 1e-9
    static let amount = 1e-6

    @inline(__always)
    static func fixed(_ value: Double, _ unit: Double) -> Int32 {
        guard value.isFinite, value > 0 else { return 0 }
        return Int32(min((value / unit).rounded(), Double(Int32.max)))
    }
}

/// The catalog's per-mode figures a commute's day is made of.
struct CommuteRates: Sendable, Equatable {
    var burningShare: [Double] = []
    var directFactor: [Double] = []
    var directFactorID: [FactorID] = []
    var gridKWhPerPkm: [Double] = []
    var vehiclesPerTrip: [Double] = []

    init(catalog: Catalog) {
        for mode in TravelMode.allCases {
            let spec = catalog.mode(mode)
            burningShare.append(catalog.tailpipeShare(mode))
            directFactor.append(spec.directFactor)
            directFactorID.append(spec.directFactorID)
            gridKWhPerPkm.append(catalog.gridKWhPerPkm(mode))
            vehiclesPerTrip.append(mode.usesRoad ? 1 / max(1e-9, spec.occupancy) : 0)
        }
    }

    /// The day of a commuter who goes `km` each way by `mode` (nil: no mode reaches the job).
    func commute(mode: TravelMode?, km: Double, minutes: Double, citizen: Citizen) -> Commute {
        var commute = Commute()
        commute.homeTile = citizen.homeTile
        commute.workTile = citizen.workTile
        commute.island = citizen.island
        guard let mode else {
            commute.stranded = true
            return commute
        }
        let m = Int(mode.rawValue)
        let pkm = 2 * km
        let burning = directFactor[m] > 0 ? pkm * burningShare[m] : 0
        commute.mode = mode
        commute.active = true
        commute.pkm = CommuteUnits.fixed(pkm, CommuteUnits.amount)
        commute.burningPkm = CommuteUnits.fixed(burning, CommuteUnits.amount)
        commute.tailpipeTonnes = CommuteUnits.fixed(burning * directFactor[m] / 1e6, CommuteUnits.tonnes)
        commute.kWh = CommuteUnits.fixed(pkm * gridKWhPerPkm[m], CommuteUnits.amount)
        commute.minutes = CommuteUnits.fixed(minutes, CommuteUnits.amount)
        commute.vehicles = CommuteUnits.fixed(2 * vehiclesPerTrip[m], CommuteUnits.amount)
        return commute
    }
}

/// What the commuters' lines have yet to take: the hours booked this year, and per island the
/// grid electricity's running sums. Saved.
public struct CommuteBook: Sendable, SavedResource, Equatable {
    /// The year the hours belong to (`Int.min` before the first hour).
    var year = Int.min
    var tailpipeHours: Int32 = 0
    var lastTailpipeTick: Int64 = -1
    /// Per island, one entry per hour booked this year and a first 0: the running sum of the
    /// served share ÷ 24, and of the same × the grid factor ÷ 10⁶ (tonnes per daily kWh).
    var served: [[Double]] = []
    var tonnesPerKWh: [[Double]] = []
    /// Each island's grid factor in the last hour that booked any, gCO2/kWh.
    var lastFactor: [Double] = []
    var lastElectricityTick: Int64 = -1
    /// Every commuter reconsiders in the next hour (new networks, or a save from before habits).
    var reconsiderAll = false

    public init() {}

    var electricityHours: Int32 { Int32(max(0, (served.first?.count ?? 1) - 1)) }

    /// Starts `year`: no hour booked, every island's sums at zero.
    mutating func start(year: Int, islands: Int) {
        self.year = year
        tailpipeHours = 0
        served = Array(repeating: [0], count: max(1, islands))
        tonnesPerKWh = served
        lastFactor = Array(repeating: 0, count: max(1, islands))
    }

    /// Adds the hours since a commute's settlement to its tailpipe line.
    func addTailpipe(to line: inout PrimaryLine, commute: Commute, rates: CommuteRates) {
        let hours = Double(tailpipeHours) - Double(commute.tailpipeHours)
        guard commute.active, commute.burningPkm > 0, hours > 0 else { return }
        let m = Int(commute.mode.rawValue)
        let quantityPerHour = Double(commute.burningPkm) * CommuteUnits.amount / 24
        let tonnesPerHour = Double(commute.tailpipeTonnes) * CommuteUnits.tonnes / 24
        addYear(quantity: quantityPerHour * hours, tonnes: tonnesPerHour * hours, to: &line.flow, lifetime: &line.lifetimeTonnes)
        line.flow.tick = lastTailpipeTick
        line.flow.tickQuantity = quantityPerHour
        line.flow.tickTonnes = tonnesPerHour
        line.flow.factor = rates.directFactorID[m]
        line.flow.factorValue = rates.directFactor[m]
        line.flow.sector = .transport
        line.flow.scope = .direct
    }

    /// Adds the hours since a commute's settlement to its grid electricity line.
    func addElectricity(to line: inout ElectricityLine, commute: Commute) {
        let island = Int(commute.island), from = Int(commute.electricityHours), to = Int(electricityHours)
        guard commute.active, commute.kWh > 0, to > from, island >= 0, island < served.count, to < served[island].count else { return }
        let kWh = Double(commute.kWh) * CommuteUnits.amount
        let quantity = kWh * (served[island][to] - served[island][from])
        let tonnes = kWh * (tonnesPerKWh[island][to] - tonnesPerKWh[island][from])
        guard quantity > 0, tonnes > 0 else { return }
        addYear(quantity: quantity, tonnes: tonnes, to: &line.flow, lifetime: &line.lifetimeTonnes)
        let lastQuantity = kWh * (served[island][to] - served[island][to - 1])
        if lastQuantity > 0 {
            line.flow.tick = lastElectricityTick
            line.flow.tickQuantity = lastQuantity
            line.flow.tickTonnes = kWh * (tonnesPerKWh[island][to] - tonnesPerKWh[island][to - 1])
        }
        line.flow.factor = .gridHour
        line.flow.factorValue = lastFactor[island]
        line.flow.sector = .transport
        line.flow.scope = .electricity
    }

    private func addYear(quantity: Double, tonnes: Double, to flow: inout Flow, lifetime: inout Double) {
        lifetime += tonnes
        flow.addToYear(year, quantity: quantity, tonnes: tonnes)
    }

    /// Books what a commute's lines have yet to take, and marks them settled.
    func settle(_ commute: inout Commute, tailpipe: inout PrimaryLine, electricity: inout ElectricityLine, rates: CommuteRates) {
        addTailpipe(to: &tailpipe, commute: commute, rates: rates)
        addElectricity(to: &electricity, commute: commute)
        commute.tailpipeHours = tailpipeHours
        commute.electricityHours = electricityHours
    }

    public func validate(in world: World) throws(SaveValidationError) {
        let hoursInYear = 24 * 366
        guard served.count == tonnesPerKWh.count, served.count == lastFactor.count,
              served.allSatisfy({ !$0.isEmpty && $0.count == served[0].count && $0.count <= hoursInYear + 1 }),
              tonnesPerKWh.allSatisfy({ $0.count == served.first?.count }),
              (0...Int32(hoursInYear)).contains(tailpipeHours) else {
            throw SaveValidationError("the commuters' book's hours do not match across its islands")
        }
        guard served.allSatisfy({ $0.allSatisfy { $0.isFinite && $0 >= 0 } }), tonnesPerKWh.allSatisfy({ $0.allSatisfy { $0.isFinite && $0 >= 0 } }),
              lastFactor.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw SaveValidationError("the commuters' book holds a value that is not a finite, non-negative number")
        }
    }
}

/// The city's commuters' day, summed from their commutes (never saved: rebuilt exactly on load).
struct CommuteTotals: Sendable {
    var tailpipeTonnes: Int64 = 0
    var kWhByIsland: [Int64] = []
    var commutersByMode = [Int64](repeating: 0, count: TravelMode.allCases.count)
    var pkmByMode = [Int64](repeating: 0, count: TravelMode.allCases.count)
    var minutes: Int64 = 0
    var commuters: Int64 = 0
    var stranded: Int64 = 0
    /// The commuters' road vehicles as row and column difference arrays (as `RouteLoad`), added
    /// to each day's traffic when it closes.
    var rowDifference: [Int64]
    var columnDifference: [Int64]
    let width: Int
    let height: Int
    /// The figures the commutes were made with; a change settles and remakes them all.
    var rates: CommuteRates?

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        rowDifference = Array(repeating: 0, count: (width + 1) * height)
        columnDifference = Array(repeating: 0, count: width * (height + 1))
    }

    /// Adds (`sign` 1) or takes out (−1) a commute.
    mutating func add(_ commute: Commute, sign: Int64) {
        if commute.stranded { stranded += sign }
        guard commute.active else { return }
        let m = Int(commute.mode.rawValue)
        tailpipeTonnes += sign * Int64(commute.tailpipeTonnes)
        let island = Int(commute.island)
        if island >= kWhByIsland.count { kWhByIsland.append(contentsOf: repeatElement(0, count: island + 1 - kWhByIsland.count)) }
        kWhByIsland[island] += sign * Int64(commute.kWh)
        commutersByMode[m] += sign
        pkmByMode[m] += sign * Int64(commute.pkm)
        minutes += sign * Int64(commute.minutes)
        commuters += sign
        guard commute.vehicles > 0 else { return }
        let home = Int(commute.homeTile), work = Int(commute.workTile)
        let vehicles = sign * Int64(commute.vehicles)
        RouteLoad.cells(fromX: home % width, y: home / width, toX: work % width, y: work / width, width: width, height: height) { alongRow, index, adds in
            if alongRow { rowDifference[index] += adds ? vehicles : -vehicles } else { columnDifference[index] += adds ? vehicles : -vehicles }
        }
    }
}

/// A commuter's mode choice this hour: generalised costs under the city's prices and yesterday's
/// congestion, and a seeded logit draw (see Transport.swift's header).
struct CommuteChoice {
    let rates: CommuteRates
    let minutesPerKm: [Double]
    let moneyMinutesPerKm: [Double]
    let maxKm: [Double]
    let congestion: [Float]
    let travel: TravelSpec
    let seed: UInt64
    let day: UInt64

    init(world: World, catalog: Catalog, clock: Clock) {
        rates = CommuteRates(catalog: catalog)
        travel = catalog.travel
        seed = world.resource(LevelInfo.self)!.seed
        day = UInt64(clock.dayIndex)
        congestion = world.resource(TransportState.self)!.districtCongestion
        let policies = world.resource(Policies.self) ?? Policies()
        let moneyToMinutes = 60 / travel.valueOfTime
        var minutesPerKm: [Double] = [], money: [Double] = [], maxKm: [Double] = []
        for mode in TravelMode.allCases {
            let spec = catalog.mode(mode)
            minutesPerKm.append(60 / spec.speed)
            money.append(Transport.costPerKm(mode, spec: spec, policies: policies, year: clock.year) * moneyToMinutes)
            maxKm.append(spec.maxDistance)
        }
        self.minutesPerKm = minutesPerKm
        moneyMinutesPerKm = money
        self.maxKm = maxKm
    }

    /// The commute `citizen` chooses today, drawn with `draw` (a uniform in [0, 1)).
    func commute(for citizen: Citizen, draw: Double) -> Commute {
        guard citizen.isEmployed else { return Commute() }
        let modeCount = TravelMode.allCases.count
        // Scratch per mode on the stack (no allocation per commuter).
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * modeCount) { scratch in
            let costs = scratch.baseAddress!, minutes = costs + modeCount, weights = costs + 2 * modeCount
            for i in 0..<modeCount { costs[i] = .infinity; minutes[i] = .infinity }
            let a = citizen.access
            let km = Double(a.km)
            func consider(_ mode: TravelMode, _ time: Double, bonus: Double = 0) {
                let m = Int(mode.rawValue)
                guard km <= maxKm[m] else { return }
                minutes[m] = time
                costs[m] = (time + moneyMinutesPerKm[m] * km) * (1 - bonus)
            }
            let laneBonus = a.bikeLane ? travel.bikeLaneBonus : 0
            consider(.walk, km * minutesPerKm[0])
            consider(.bike, km * minutesPerKm[1], bonus: laneBonus)
            consider(.ebike, km * minutesPerKm[2], bonus: laneBonus)
            let congestion = Double(self.congestion[Int(a.homeDistrict)] + self.congestion[Int(a.workDistrict)]) / 2
            if a.busAccessMinutes.isFinite {
                consider(.bus, Double(a.busAccessMinutes) + travel.waitTime + km * minutesPerKm[3] * congestion)
            }
            if a.metroAccessMinutes.isFinite {
                consider(.metro, Double(a.metroAccessMinutes) + travel.waitTime + km * minutesPerKm[4])
            }
            if citizen.hasCar && a.roadConnected {
                let car: TravelMode = citizen.hasElectricCar ? .carElectric : .carPetrol
                consider(car, km * minutesPerKm[Int(car.rawValue)] * congestion + 2)  // + parking
            }
            var best = Double.infinity
            for i in 0..<modeCount where costs[i] < best { best = costs[i] }
            // No mode reaches the job: no trip, no emissions, no points (not a walk).
            guard best.isFinite else { return rates.commute(mode: nil, km: km, minutes: 0, citizen: citizen) }
            var total = 0.0
            for i in 0..<modeCount {
                weights[i] = costs[i].isFinite ? DeterministicMath.exp(-travel.logitScale * (costs[i] - best)) : 0
                total += weights[i]
            }
            var remaining = draw * total
            var chosen = TravelMode.walk
            for i in 0..<modeCount where weights[i] > 0 {
                chosen = TravelMode(rawValue: UInt8(i))!
                remaining -= weights[i]
                if remaining < 0 { break }
            }
            return rates.commute(mode: chosen, km: km, minutes: minutes[Int(chosen.rawValue)], citizen: citizen)
        }
    }

    /// Today's draw for a citizen who reconsiders: seeded by (level, citizen, day).
    func draw(for entity: Entity) -> Double { SeededRandom.unit(seed: seed, UInt64(entity.index), day) }
}

public enum Commutes {
    /// Every commuter reconsiders about once a week: one cohort of storage rows an hour.
    static let cohorts = 7 * 24

    static func cohort(_ clock: Clock) -> Int { Int(clock.dayIndex % 7) * 24 + clock.hour }

    /// Puts a new choice in place of a commuter's old one: its lines take what the old one owes,
    /// the totals swap one for the other, and the citizen shows the new mode.
    static func replace(_ commute: inout Commute, with new: Commute, citizen entity: Entity, _ citizen: inout Citizen,
                        tailpipe: inout PrimaryLine, electricity: inout ElectricityLine, book: CommuteBook, rates: CommuteRates,
                        totals: inout CommuteTotals, points: inout TripPointsTally) {
        var new = new
        new.tailpipeHours = commute.tailpipeHours
        new.electricityHours = commute.electricityHours
        // The same day as before (most reconsiderations): nothing owed changes, so nothing settles.
        if new != commute {
            book.settle(&commute, tailpipe: &tailpipe, electricity: &electricity, rates: rates)
            totals.add(commute, sign: -1)
            new.tailpipeHours = book.tailpipeHours
            new.electricityHours = book.electricityHours
            totals.add(new, sign: 1)
            commute = new
        }
        citizen.show(commute)
        if new.active { points.markParticipant(entity, mode: new.mode) }
    }

    /// The first hour of a year starts the commuters' new year (their lines were settled in the
    /// year's last hour; whatever a city run without that hour still owes is settled here); a change of the
    /// catalog's per-mode figures settles them at the old figures and remakes their days; new
    /// networks (or a save from before habits) make every commuter reconsider.
    static func prepare(world: World, catalog: Catalog, clock: Clock, choice: CommuteChoice, points: inout TripPointsTally) {
        let book = world.resource(CommuteBook.self)!
        let totals = world.resource(CommuteTotals.self)!
        let newYear = book.year != clock.year
        let ratesChanged = totals.rates != choice.rates
        guard newYear || ratesChanged || book.reconsiderAll else { return }
        let islands = world.resource(PowerGrid.self)?.islandCount ?? 1
        if book.year == Int.min && !book.reconsiderAll && !ratesChanged {
            // A new city's first hour: nothing is owed yet, so only the year's participants are counted.
            world.query(Entity.self, Read<Commute>.self).forEach { entity, commute in
                if commute.active { points.markParticipant(entity, mode: commute.mode) }
            }
            world.withResource(CommuteBook.self) { $0.start(year: clock.year, islands: islands) }
            return
        }
        world.withResource(CommuteTotals.self) { totals in
        world.withResource(CommuteBook.self) { book in
            let reconsider = book.reconsiderAll
            let old = totals
            let oldRates = totals.rates ?? choice.rates
            totals = CommuteTotals(width: old.width, height: old.height)
            totals.rates = choice.rates
            let current = book
            world.query(Entity.self, Write<Citizen>.self, Write<Commute>.self, Write<PrimaryLine>.self, Write<ElectricityLine>.self)
                .forEach { entity, citizen, commute, tailpipe, electricity in
                current.settle(&commute.value, tailpipe: &tailpipe.value, electricity: &electricity.value, rates: oldRates)
                if reconsider {
                    var new = choice.commute(for: citizen.value, draw: choice.draw(for: entity))
                    new.tailpipeHours = commute.value.tailpipeHours
                    new.electricityHours = commute.value.electricityHours
                    commute.value = new
                    citizen.value.show(new)
                } else if ratesChanged && commute.value.active {
                    var new = choice.rates.commute(mode: commute.value.mode, km: Double(citizen.value.access.km), minutes: 0,
                                                   citizen: citizen.value)
                    new.minutes = commute.value.minutes
                    new.tailpipeHours = commute.value.tailpipeHours
                    new.electricityHours = commute.value.electricityHours
                    commute.value = new
                }
                if newYear {
                    commute.value.tailpipeHours = 0
                    commute.value.electricityHours = 0
                }
                // A new year counts its participants anew.
                if commute.value.active && (reconsider || newYear) { points.markParticipant(entity, mode: commute.value.mode) }
                totals.add(commute.value, sign: 1)
            }
            book.reconsiderAll = false
            if newYear { book.start(year: clock.year, islands: islands) }
        }
        }
    }

    /// Settles every commuter's lines into the book's year, reconsidering nothing: in the year's
    /// last hour, so that 1 January's yearly systems (certificates, the market, the forecast's
    /// scaling) read the year's lines whole.
    static func settleAll(world: World) {
        guard let book = world.resource(CommuteBook.self), book.year != Int.min else { return }
        let rates = world.resource(CommuteTotals.self)?.rates ?? CommuteRates(catalog: world.resource(Catalog.self)!)
        world.query(Write<Commute>.self, Write<PrimaryLine>.self, Write<ElectricityLine>.self).forEach { commute, tailpipe, electricity in
            book.settle(&commute.value, tailpipe: &tailpipe.value, electricity: &electricity.value, rates: rates)
        }
    }

    /// This hour's cohort reconsiders; then the city books a 24th of its commuters' day.
    static func reconsiderAndBook(world: World, clock: Clock, choice: CommuteChoice, points: inout TripPointsTally) {
        let book = world.resource(CommuteBook.self)!
        world.withResource(CommuteTotals.self) { totals in
            world.query(Entity.self, Write<Citizen>.self, Write<Commute>.self, Write<PrimaryLine>.self, Write<ElectricityLine>.self)
                .forEach(slice: cohort(clock), of: cohorts) { entity, citizen, commute, tailpipe, electricity in
                guard citizen.value.isEmployed || commute.value.active || commute.value.stranded else { return }
                let new = choice.commute(for: citizen.value, draw: choice.draw(for: entity))
                replace(&commute.value, with: new, citizen: entity, &citizen.value, tailpipe: &tailpipe.value,
                        electricity: &electricity.value, book: book, rates: choice.rates, totals: &totals, points: &points)
            }
            var tally = LedgerTally()
            let tonnes = Double(totals.tailpipeTonnes) * CommuteUnits.tonnes / 24
            if tonnes > 0 { tally.add(tonnes, sector: .transport, scope: .direct) }
            world.withResource(Ledger.self) { $0.absorb(tally) }
            world.withResource(PowerGrid.self) { grid in
                for (island, kWh) in totals.kWhByIsland.enumerated() where island < grid.scratchDemand.count && kWh > 0 {
                    grid.scratchDemand[island] += Double(kWh) * CommuteUnits.amount / 24
                }
            }
            world.withResource(TransportState.self) { transport in
                for (m, commuters) in totals.commutersByMode.enumerated() where commuters > 0 {
                    transport.tripsByMode[m] += 2 * Double(commuters) / 24
                }
                transport.commuteMinutesTotal += Double(totals.minutes) * CommuteUnits.amount / 24
                transport.commuteCount += Double(totals.commuters) / 24
            }
            if totals.stranded > 0 { world.withResource(TripFlowState.self) { $0.tripsWithoutMode += 2 * Double(totals.stranded) / 24 } }
            for (m, pkm) in totals.pkmByMode.enumerated() where pkm > 0 {
                points.recordFlow(TravelMode(rawValue: UInt8(m))!, pkm: Double(pkm) * CommuteUnits.amount / 24)
            }
        }
        world.withResource(CommuteBook.self) { book in
            book.tailpipeHours += 1
            book.lastTailpipeTick = clock.tick
        }
    }

    /// Books the hour's grid electricity of the commuters, per island, at the served share and
    /// factor (grid.attribute, after dispatch), and adds the hour to the book's running sums.
    static func bookElectricity(world: World, grid: PowerGrid, served: [Double], clock: Clock, tally: inout LedgerTally) {
        let totals = world.resource(CommuteTotals.self)!
        world.withResource(CommuteBook.self) { book in
            if book.served.isEmpty { book.start(year: clock.year, islands: grid.islandCount) }
            while book.served.count < grid.islandCount {
                book.served.append(Array(repeating: 0, count: book.served[0].count))
                book.tonnesPerKWh.append(Array(repeating: 0, count: book.served[0].count))
                book.lastFactor.append(0)
            }
            for island in book.served.indices {
                let share = island < served.count ? served[island] : 0
                let factor = island < grid.islandCount ? grid.factor[island] : 0
                let booked = share > 0 && factor > 0
                let hourShare = booked ? share / 24 : 0, hourTonnes = booked ? share * factor / 24e6 : 0
                if booked { book.lastFactor[island] = factor }
                book.served[island].append(book.served[island].last! + hourShare)
                book.tonnesPerKWh[island].append(book.tonnesPerKWh[island].last! + hourTonnes)
                let kWh = island < totals.kWhByIsland.count ? Double(totals.kWhByIsland[island]) * CommuteUnits.amount : 0
                if kWh > 0 && hourTonnes > 0 { tally.add(kWh * hourTonnes, sector: .transport, scope: .electricity) }
            }
            book.lastElectricityTick = clock.tick
        }
    }

    /// A commuter stops commuting (it leaves the city or loses its job): its lines take what
    /// they owe, and the totals no longer count it.
    static func end(world: World, _ entity: Entity) {
        guard let book = world.resource(CommuteBook.self), var commute = try? world.get(Commute.self, of: entity),
              commute.active || commute.stranded else { return }
        let rates = world.resource(CommuteTotals.self)?.rates ?? CommuteRates(catalog: world.resource(Catalog.self)!)
        var tailpipe = (try? world.get(PrimaryLine.self, of: entity)) ?? PrimaryLine()
        var electricity = (try? world.get(ElectricityLine.self, of: entity)) ?? ElectricityLine()
        book.settle(&commute, tailpipe: &tailpipe, electricity: &electricity, rates: rates)
        world.withResource(CommuteTotals.self) { $0.add(commute, sign: -1) }
        var ended = Commute()
        ended.tailpipeHours = commute.tailpipeHours
        ended.electricityHours = commute.electricityHours
        try? world.modify(PrimaryLine.self, of: entity) { $0 = tailpipe }
        try? world.modify(ElectricityLine.self, of: entity) { $0 = electricity }
        try? world.modify(Commute.self, of: entity) { $0 = ended }
        try? world.modify(Citizen.self, of: entity) { $0.stranded = false; $0.commuteMinutes = 0 }
    }

    /// These citizens reconsider now (a job found, an electric car bought, another island).
    static func reconsider(world: World, _ entities: [Entity]) {
        guard !entities.isEmpty, let book = world.resource(CommuteBook.self) else { return }
        let catalog = world.resource(Catalog.self)!, clock = world.resource(Clock.self)!
        let choice = CommuteChoice(world: world, catalog: catalog, clock: clock)
        var points = CarbonAccounts.beginTrips(world: world, catalog: catalog)
        world.withResource(CommuteTotals.self) { totals in
            if totals.rates == nil { totals.rates = choice.rates }
            let rates = totals.rates!  // the figures the old commutes were made with
            for entity in entities {
                guard var citizen = try? world.get(Citizen.self, of: entity), var commute = try? world.get(Commute.self, of: entity),
                      var tailpipe = try? world.get(PrimaryLine.self, of: entity),
                      var electricity = try? world.get(ElectricityLine.self, of: entity) else { continue }
                let new = choice.commute(for: citizen, draw: choice.draw(for: entity))
                replace(&commute, with: new, citizen: entity, &citizen, tailpipe: &tailpipe, electricity: &electricity,
                        book: book, rates: rates, totals: &totals, points: &points)
                try? world.modify(Citizen.self, of: entity) { $0 = citizen }
                try? world.modify(Commute.self, of: entity) { $0 = commute }
                try? world.modify(PrimaryLine.self, of: entity) { $0 = tailpipe }
                try? world.modify(ElectricityLine.self, of: entity) { $0 = electricity }
            }
        }
        CarbonAccounts.endTrips(points, world: world)
    }

    /// A newcomer's first commute (it is spawned with it, as `entity`): today's draw, as if it
    /// had reconsidered, owing nothing before `book`'s hours. The caller adds it to the totals.
    static func first(for citizen: Citizen, entity: Entity, book: CommuteBook, choice: CommuteChoice) -> Commute {
        var commute = choice.commute(for: citizen, draw: choice.draw(for: entity))
        commute.tailpipeHours = book.tailpipeHours
        commute.electricityHours = book.electricityHours
        return commute
    }

    /// The totals, summed from every citizen's commute (a new city, or after a load).
    static func makeTotals(world: World) -> CommuteTotals {
        let transport = world.resource(TransportState.self)!
        var totals = CommuteTotals(width: transport.width, height: transport.height)
        world.query(Read<Commute>.self).forEach { totals.add($0, sign: 1) }
        if let catalog = world.resource(Catalog.self) { totals.rates = CommuteRates(catalog: catalog) }
        return totals
    }

    /// Gives every citizen the commute it lacks (saves from before habits): they all reconsider
    /// in the next hour. Then sums the totals.
    static func giveCitizensCommutes(_ world: World) {
        var without: [Entity] = []
        world.query(Entity.self, Read<Citizen>.self).without(Commute.self).forEach { entity, _ in without.append(entity) }
        for entity in without { try? world.insert(Commute(), into: entity) }
        if !without.isEmpty { world.withResource(CommuteBook.self) { $0.reconsiderAll = true } }
        world.insertResource(makeTotals(world: world))
    }
}

extension Citizen {
    /// Shows a commute on the citizen: its mode, its one-way minutes, and whether it is stranded.
    mutating func show(_ commute: Commute) {
        mode = commute.mode
        commuteMinutes = Float(Double(commute.minutes) * CommuteUnits.amount)
        stranded = commute.stranded
    }
}

extension World {
    /// A citizen's commute line with the hours since its settlement added (Commutes.swift).
    func withCommutePending<K: LineKind>(_ line: LedgerLine<K>, commute: Commute, book: CommuteBook) -> LedgerLine<K> {
        switch K.line {
        case .primary:
            guard var tailpipe = line as? PrimaryLine else { return line }
            let rates = resource(CommuteTotals.self)?.rates ?? CommuteRates(catalog: resource(Catalog.self)!)
            book.addTailpipe(to: &tailpipe, commute: commute, rates: rates)
            return tailpipe as! LedgerLine<K>
        case .electricity:
            guard var electricity = line as? ElectricityLine else { return line }
            book.addElectricity(to: &electricity, commute: commute)
            return electricity as! LedgerLine<K>
        default:
            return line
        }
    }
}
