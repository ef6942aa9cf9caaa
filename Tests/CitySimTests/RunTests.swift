// RunTests — headless runs: byte-identical outputs, sane values over a century, weather.
import CitySim
import ECS
import Foundation
import Testing

func runFiles(level: String, seed: UInt64? = nil, years: Int) throws -> [String: String] {
    let directory = NSTemporaryDirectory() + "run-\(UUID().uuidString)"
    let city = City(level: try #require(BuiltinLevels.load(level, seed: seed, catalog: testCatalog).level), catalog: testCatalog)
    try HeadlessRun.run(city, options: RunOptions(years: years, outputDirectory: directory))
    var files: [String: String] = [:]
    for name in ["yearly.csv", "daily.csv", "summary.json"] {
        files[name] = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
    }
    return files
}

/// Resident memory of this process, MB.
func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
    return 0
}

@Suite("Headless runs", .serialized)
struct RunTests {
    @Test func sameLevelAndSeedGiveTheSameBytes() throws {
        let first = try runFiles(level: "sandbox", years: 1)
        let second = try runFiles(level: "sandbox", years: 1)
        let otherSeed = try runFiles(level: "sandbox", seed: 99, years: 1)
        for name in ["yearly.csv", "daily.csv", "summary.json"] {
            #expect(first[name] == second[name], "\(name) differs between two identical runs")
        }
        #expect(first["daily.csv"] != otherSeed["daily.csv"], "another seed gives other weather")
        let yearly = try #require(first["yearly.csv"]).split(separator: "\n")
        #expect(yearly.count == 2)
        #expect(yearly[0].hasPrefix("year,power_t,industry_t,buildings_t,transport_t"))
        let daily = try #require(first["daily.csv"]).split(separator: "\n")
        #expect(daily.count == 1 + 366, "2020 is a leap year")
        #expect(try #require(first["summary.json"]).contains("\"level\": \"sandbox\""))
    }

    /// `make test` soaks 20 years; `make soak` sets NETZERO_SOAK_YEARS=100 for the full century.
    @Test func centurySoakStaysFiniteAndBounded() throws {
        let years = max(12, Int(ProcessInfo.processInfo.environment["NETZERO_SOAK_YEARS"] ?? "") ?? 20)
        let city = City(level: sandboxLevel(), catalog: testCatalog)
        var memoryAtYear10 = 0.0
        var entitiesAtYear10 = 0
        for year in 1...years {
            city.run(hours: 24 * (Clock.isLeap(2019 + year) ? 366 : 365))
            let view = city.view
            let last = try #require(view.ledger.years.last)
            for sector in Sector.allCases {
                #expect(last.emissions(sector).isFinite, "year \(last.start.year) \(sector.key)")
            }
            #expect(last.net.isFinite && last.gridFactor.isFinite && view.budget.balance.isFinite && view.stats.happiness.isFinite)
            if year == 10 {
                memoryAtYear10 = residentMegabytes()
                entitiesAtYear10 = view.entityCount
            }
        }
        #expect(city.view.ledger.years.count == years)
        #expect(city.view.ledger.hourly.count == Ledger.hoursKept)
        let growth = residentMegabytes() - memoryAtYear10
        print("soak: \(years) years, resident memory grew \(growth) MB after year 10, \(city.view.entityCount) entities (\(entitiesAtYear10) at year 10)")
        #expect(growth < 32, "resident memory grew \(growth) MB between year 10 and year \(years)")
        // The population may move, but the city cannot grow without bounds.
        #expect(city.view.entityCount < entitiesAtYear10 * 2)
    }

    @Test func weatherIsSeededAndSeasonal() {
        var a = Weather(seed: 5), b = Weather(seed: 5), c = Weather(seed: 6)
        var clock = Clock(startYear: 2020)
        var winter = 0.0, summer = 0.0, differs = false
        for _ in 0..<(24 * 366) {
            a.advance(clock: clock, spec: testCatalog.weather, disturbance: testCatalog.disturbance)
            b.advance(clock: clock, spec: testCatalog.weather, disturbance: testCatalog.disturbance)
            c.advance(clock: clock, spec: testCatalog.weather, disturbance: testCatalog.disturbance)
            #expect(a == b)
            if a.windSpeed != c.windSpeed { differs = true }
            if clock.month == 1 { winter += a.temperature }
            if clock.month == 7 { summer += a.temperature }
            if clock.hour == 0 || clock.hour == 23 { #expect(a.solarFactor == 0, "no sun at midnight") }
            clock.advance()
        }
        #expect(differs)
        #expect(summer / (31 * 24) > winter / (31 * 24) + 15, "July is much warmer than January")
    }

    @Test func clockFollowsTheGregorianCalendar() {
        var clock = Clock(startYear: 2020)
        #expect(clock.date == SimDate(year: 2020, month: 1, day: 1, hour: 0))
        for _ in 0..<(24 * 59 + 5) { clock.advance() }
        #expect(clock.date == SimDate(year: 2020, month: 2, day: 29, hour: 5))
        for _ in 0..<(24 * 306 + 19) { clock.advance() }
        #expect(clock.date == SimDate(year: 2021, month: 1, day: 1, hour: 0))
        #expect(clock.isNewYear)
    }
}

@Suite("Transport")
struct TransportTests {
    /// Mode shares over one day of commutes in a town with a bus line.
    func shares(_ policies: Policies) -> [TravelMode: Double] {
        var level = sandboxLevel()
        level.setup.policies = policies
        let city = City(level: level, catalog: testCatalog)
        city.run(hours: 48)
        var counts: [TravelMode: Double] = [:]
        var total = 0.0
        city.view.forEachCitizen { _, citizen in
            guard citizen.isEmployed else { return }
            counts[citizen.mode, default: 0] += 1
            total += 1
        }
        return counts.mapValues { $0 / total }
    }

    @Test func carChargeMovesCommutersOutOfPetrolCars() {
        let base = shares(Policies())
        var charged = Policies()
        charged.carChargePerKm = 3
        let after = shares(charged)
        #expect((base[.carPetrol] ?? 0) > 0.01, "some commuters drive")
        #expect((after[.carPetrol] ?? 0) < (base[.carPetrol] ?? 0) * 0.8)
    }

    @Test func tripsBookPassengerKilometresTimesFactor() throws {
        let city = City(level: sandboxLevel(), catalog: testCatalog)
        city.run(hours: 24)
        var checked = 0
        city.view.forEachCitizen { entity, citizen in
            guard citizen.mode == .carPetrol || citizen.mode == .bus, checked < 50 else { return }
            guard let line = city.view.ledgerLines(entity).first(where: { $0.line == .primary })?.flow else { return }
            let spec = testCatalog.mode(citizen.mode)
            #expect(line.factorValue == spec.directFactor)
            #expect(close(line.yearTonnes, line.yearQuantity * spec.directFactor / 1e6))
            checked += 1
        }
        #expect(checked > 0)
    }
}
