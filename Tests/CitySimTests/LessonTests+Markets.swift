// LessonTests+Markets — the concepts of lessons 7, 8 and 9 (docs/teachers.md), beyond what every
// lesson is tested for in LessonTests.swift (checks cleanly, its replay wins twice the same way,
// doing nothing does not win):
//   lesson 7: green-power certificates claim clean kWh but change no tonne on the ledger;
//   lesson 8: the book's three firms at the fixed price come out as the advisor card computes
//             them, a carbon tax on covered firms makes Firm C cut, and a looser cap loses;
//   lesson 9: the trees planted are whole forest tiles paid for by the citizens' pooled points,
//             and every point earned is redeemed or still in the pool.
import CitySim
import ECS
import Foundation
import Testing

extension LessonTests {
    /// The level's city after `years` years, with `commands` submitted before the first hour.
    func lessonCity(_ name: String, years: Int, commands: [CityCommand] = []) throws -> City {
        let loaded = try loadLesson(LessonCase(name: name).levelPath)
        let city = City(level: loaded.level, catalog: loaded.catalog)
        for command in commands { city.submit(command) }
        city.run(hours: 24 * 365 * years)
        return city
    }

    /// Lesson 7: the same wind, sun and PUE upgrades without a green-power target retire no
    /// certificate and lose — and emit exactly the same tonnes as the winning run, year by year:
    /// a certificate moves the claim to a clean kWh, not the CO2 of the grid.
    @Test func lesson7CertificatesClaimCleanPowerButCutNoTonne() throws {
        let lesson = LessonCase(name: "07-data-centres")
        let winning = try readReplay(lesson)
        var withoutTarget = winning
        withoutTarget.commands.removeAll { if case .setPolicy("green_power_target", _) = $0.command { return true } else { return false } }
        #expect(withoutTarget.commands.count == winning.commands.count - 1)
        let won = try runLesson(lesson.levelPath, replay: winning)
        let unclaimed = try runLesson(lesson.levelPath, replay: withoutTarget)
        #expect(won.result == .won, "\(describe(won))")
        #expect(unclaimed.result == .lost, "\(describe(unclaimed))")
        let retired = try #require(unclaimed.statuses.first { $0.objective.metric == .certificatesRetired })
        #expect(retired.status == .failed && retired.value == 0, "\(describe(unclaimed))")
        // The emission columns of yearly.csv (year … electricity_kwh) are identical.
        func emissionColumns(_ run: LessonRun) -> [String] {
            (run.files["yearly.csv"] ?? "").split(separator: "\n").map { $0.split(separator: ",").prefix(13).joined(separator: ",") }
        }
        #expect(emissionColumns(won) == emissionColumns(unclaimed))
        #expect(emissionColumns(won).count == 3)
    }

    /// Lesson 8, doing nothing: the first period (2022) is the book's example (《元宇宙与碳中和》 ch. 2) at
    /// 68.38 yuan/t, to within the registry's whole allowances (each firm's 2021 baseline is
    /// 8,760 h × 11.4155 t/h = 99,999.8 t): a cap of 291,000; Firm A cuts 10% and sells 7,000,
    /// Firm B buys 3,000, Firm C is 3,000 short and fined 3 × the price for each.
    @Test func lesson8DoingNothingIsTheBooksExample() throws {
        let city = try lessonCity("08-cap-and-trade", years: 2)
        let market = try #require(city.world.resource(CarbonMarket.self))
        let period = try #require(market.periods.first)
        #expect(period.year == 2022 && period.price == 68.38 && period.firms == 3 && period.compliant == 2)
        #expect(abs(period.cap - 291_000) <= 2, "cap \(period.cap)")
        let names = market.firms.map(\.name.en)
        #expect(names == ["Firm A", "Firm B", "Firm C"])
        let (a, b, c) = (period.results[0], period.results[1], period.results[2])
        for firm in [a, b, c] { #expect(abs(firm.allocated - 97_000) <= 1, "\(firm)") }
        #expect(a.abatement == 0.10 && abs(a.verified - 90_000) <= 1 && abs(a.sold - 7_000) <= 1 && a.status == .compliant, "\(a)")
        #expect(b.abatement == 0 && abs(b.bought - 3_000) <= 1 && b.shortfall == 0 && b.status == .compliant, "\(b)")
        #expect(c.abatement == 0 && c.bought == 0 && abs(c.shortfall - 3_000) <= 1 && c.status == .fined, "\(c)")
        #expect(abs(c.fine - Double(c.shortfall) * 68.38 * 3) < 1e-6, "\(c)")
        #expect(city.metric(.complianceRate) < 1)
    }

    /// Lesson 8's levers: a carbon tax of 60 yuan/t on covered firms (68.38 + 60 ≥ 120) makes Firm
    /// C take its 90- and 120-yuan steps (13%) in both periods; 25 yuan (≥ 90 only: 5%) is enough
    /// for 2022 but not for 2023's smaller cap; loosening the cap makes every firm comply and
    /// still loses, because the city emits more than the 2023 cap.
    @Test func lesson8TaxMakesFirmCCutAndALooserCapLoses() throws {
        for (tax, abatement, compliant2023) in [(60.0, 0.13, true), (25.0, 0.05, false)] {
            let city = try lessonCity("08-cap-and-trade", years: 3, commands: [.setPolicy("carbon_tax", tax)])
            let market = try #require(city.world.resource(CarbonMarket.self))
            #expect(market.periods.count == 2)
            for period in market.periods {
                #expect(abs(period.results[2].abatement - abatement) < 1e-9, "tax \(tax), \(period.year): \(period.results[2])")
                #expect(period.results[2].bought == 0)
            }
            #expect(market.periods[0].complianceRate == 1, "tax \(tax)")
            #expect((market.periods[1].complianceRate == 1) == compliant2023, "tax \(tax)")
        }
        let path = LessonCase(name: "08-cap-and-trade").levelPath
        let looser = ReplayLog(levelID: "lesson08_cap_and_trade", seed: 808, commands: [(100, .setPolicy("cap_stringency", 1.1))])
        let run = try runLesson(path, replay: looser)
        #expect(run.result == .lost, "\(describe(run))")
        for status in run.statuses {
            #expect(status.status == (status.objective.metric == .complianceRate ? .met : .failed), "\(describe(run))")
        }
    }

    /// Lesson 9: the winning run's trees are whole forest tiles, each bought with one tile's
    /// worth of pooled points (17.9 points a tree × 1,089 trees), and every one stands on the map.
    @Test func lesson9TreesAreForestTilesPaidWithPooledPoints() throws {
        let lesson = LessonCase(name: "09-citizens-carbon-accounts")
        let replay = try readReplay(lesson)
        let loaded = try loadLesson(lesson.levelPath)
        let city = City(level: loaded.level, catalog: loaded.catalog)
        var cursor = 0
        for _ in 0..<(24 * (366 + 365)) { city.step(replaying: replay, cursor: &cursor) }
        let accounts = city.view.carbonAccounts
        #expect(accounts.forests.count >= 20, "\(accounts.forests.count) forests")
        #expect(accounts.treesPlanted == accounts.forests.reduce(0) { $0 + $1.trees })
        #expect(accounts.treesPlanted >= 20_000 && city.view.rules?.result == .won)
        let perTile = accounts.redeemed / Double(accounts.forests.count)
        #expect(abs(perTile - 17.9 * accounts.forests[0].trees) < 1e-6 * perTile, "\(perTile) points a tile")
        // Every point earned is either redeemed or still pooled (closed years plus this one).
        let earned = accounts.history.reduce(accounts.earned.total) { $0 + $1.earned.total }
        #expect(abs(earned - accounts.redeemed - accounts.pool) < 1e-6 * earned, "earned \(earned), redeemed \(accounts.redeemed), pool \(accounts.pool)")
        #expect(accounts.pool < perTile)
        for forest in accounts.forests { #expect(city.world.isAlive(forest.entity), "forest at (\(forest.x), \(forest.y))") }
    }
}
