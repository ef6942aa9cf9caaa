// MarketTests.swift — cap and trade, green-power certificates and offsets, on the registry.
import ECS
import XCTest
@testable import CitySim

final class MarketTests: XCTestCase {
    // MARK: - The book's three firms at a fixed price (《元宇宙与碳中和》, 2022, ch. 2)

    /// Three firms each emit 100,000 t; the cap demands a 3% cut, all allocated free. Firm A cuts
    /// 10% and sells its surplus, firm B buys what it lacks, firm C neither cuts nor buys and is
    /// fined three times the price for each missing allowance.
    func testThreeFirmsAtAFixedPriceMatchTheHandComputation() throws {
        let price = 68.38
        let world = World()
        world.insertResource(testCatalog)
        world.insertResource(Clock(startYear: 2025))
        world.insertResource(Budget(balance: 0))
        world.insertResource(CityStats())
        world.insertResource(CarbonRegistry())
        world.insertResource(OffsetBook(year: 2025))
        var policies = Policies()
        policies.capAndTrade = 1
        policies.capStringency = 0.97
        policies.freeAllocationShare = 1
        policies.banking = 0
        world.insertResource(policies)
        var market = CarbonMarket()
        market.rules.fixedPrice = price
        market.rules.threshold = 26_000
        for (x, abatement, buys) in [(0, 0.10, true), (1, 0.0, true), (2, 0.0, false)] {
            var firm = MarketRules.FirmSetting(x: x, y: 0)
            firm.abatement = abatement
            firm.buys = buys
            market.rules.firms.append(firm)
        }
        world.insertResource(market)
        let entities = (0..<3).map { world.spawn(TilePosition($0, 0)) }
        func emissions(_ tonnes: [Double]) -> FirmEmissions {
            FirmEmissions(candidates: (0..<3).map {
                FirmEmissions.Candidate(entity: entities[$0], kind: .industry, name: Names(en: "Firm \($0)", zh: "企业\($0)"),
                                        x: $0, y: 0, tonnes: tonnes[$0], activity: 1)
            })
        }
        // The baseline year closes: the firms join and the first period opens.
        yearEnd(world, emissions([100_000, 100_000, 100_000]), closedYear: 2025)
        // The period closes with A at 90% of its emissions.
        yearEnd(world, emissions([90_000, 100_000, 100_000]), closedYear: 2026, openNext: false)

        let settled = try XCTUnwrap(world.resource(CarbonMarket.self)?.periods.first)
        let firms = world.resource(CarbonMarket.self)!.firms
        XCTAssertEqual(settled.cap, 291_000)
        XCTAssertEqual(firms.map(\.allocated), [97_000, 97_000, 97_000])
        // A: sells 97,000 − 90,000 = 7,000 allowances.
        XCTAssertEqual(firms[0].sold, 7_000)
        XCTAssertEqual(firms[0].tradeRevenue, 7_000 * price, accuracy: 1e-6)
        XCTAssertEqual(firms[0].status, .compliant)
        // B: buys 100,000 − 97,000 = 3,000.
        XCTAssertEqual(firms[1].bought, 3_000)
        XCTAssertEqual(firms[1].tradeCost, 3_000 * price, accuracy: 1e-6)
        XCTAssertEqual(firms[1].status, .compliant)
        // C: 3,000 short, fined 3 × the price for each.
        XCTAssertEqual(firms[2].shortfall, 3_000)
        XCTAssertEqual(firms[2].fine, 3_000 * price * 3, accuracy: 1e-6)
        XCTAssertEqual(firms[2].status, .fined)
        XCTAssertLessThan(firms[2].reputation, 1)
        XCTAssertEqual(settled.complianceRate, 2.0 / 3.0, accuracy: 1e-12)
        // A's 10% along the industry MAC curve: 5% at 10 yuan/t and 5% of the 8% step at 40 yuan/t.
        XCTAssertEqual(firms[0].abatementCost, 0.05 * 100_000 * 10 + 0.05 * 100_000 * 40, accuracy: 1e-6)
        // Every allowance is accounted for: surrendered, or lapsed (cancelled) with banking off.
        let registry = world.resource(CarbonRegistry.self)!
        XCTAssertEqual(registry.audit(), [])
        XCTAssertEqual(registry.total(.allowance, status: .surrendered), 90_000 + 100_000 + 97_000)
        XCTAssertEqual(registry.balance(firms[0].account, .allowance), 0)
        // The city: the fine, plus the market maker bought A's last 4,000 (A's surplus beyond B's need).
        XCTAssertEqual(world.resource(Budget.self)!.balance, 3_000 * price * 3 - 4_000 * price, accuracy: 1e-6)
    }

    func testClearingPriceIsTheLowestPriceAtWhichDemandIsMet() {
        let curve = testCatalog.carbon.abatementCurves[Int(CoveredKind.industry.rawValue)]
        // Two firms of 1,000 t holding 900 each; the auction offers nothing: they must cut 10%.
        let demand: (Double) -> Int64 = { p in
            2 * (Int64((1000 * (1 - MarketClearing.abatement(curve, atPrice: p))).rounded(.up)) - 900)
        }
        let (price, met) = MarketClearing.clearingPrice(candidates: curve.map(\.cost), floor: 0, ceiling: nil, supply: 0, demand: demand)
        XCTAssertTrue(met)
        // 5% at 10 yuan is not enough; 5% + 8% at 40 yuan is.
        XCTAssertEqual(price, 40)
        XCTAssertGreaterThan(demand(10), 0)
        XCTAssertLessThanOrEqual(demand(40), 0)
        // A ceiling below that leaves demand unmet at the ceiling.
        let capped = MarketClearing.clearingPrice(candidates: curve.map(\.cost), floor: 0, ceiling: 20, supply: 0, demand: demand)
        XCTAssertEqual(capped.price, 20)
        XCTAssertFalse(capped.met)
        // A floor above it sets the price.
        XCTAssertEqual(MarketClearing.clearingPrice(candidates: curve.map(\.cost), floor: 100, ceiling: nil, supply: 0, demand: demand).price, 100)
    }

    func testApportionAlwaysAddsUpAndFollowsTheWeights() {
        XCTAssertEqual(MarketClearing.apportion(10, weights: [1, 1, 1]), [4, 3, 3])
        XCTAssertEqual(MarketClearing.apportion(7, weights: [0, 2, 5]), [0, 2, 5])
        XCTAssertEqual(MarketClearing.apportion(0, weights: [1, 2]), [0, 0])
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let weights = (0..<Int.random(in: 1...6, using: &rng)).map { _ in Double.random(in: 0...5, using: &rng) }
            let total = Int64.random(in: 0...10_000, using: &rng)
            let parts = MarketClearing.apportion(total, weights: weights)
            XCTAssertEqual(parts.reduce(0, +), weights.reduce(0, +) > 0 ? total : 0)
            XCTAssertTrue(parts.allSatisfy { $0 >= 0 })
        }
    }

    // MARK: - A running market in a town

    /// Three factories, a coal plant, a solar farm and a data centre, under a market that
    /// finds its own price. Checked every year: the registry's invariants, each firm's
    /// surrender arithmetic, and the abatement written onto the ledger.
    func testARunningMarketSettlesEveryFirmAndKeepsTheRegistryWhole() throws {
        let city = marketTown(target: 1)
        var checkedPeriods = 0
        for _ in 0..<3 {
            city.run(hours: 24 * 366)
            let registry = city.world.resource(CarbonRegistry.self)!
            XCTAssertEqual(registry.audit(), [])
            let market = city.world.resource(CarbonMarket.self)!
            for period in market.periods {
                XCTAssertEqual(period.verified, period.surrendered + period.offsetsSurrendered + period.shortfall, "period \(period.year)")
                XCTAssertGreaterThan(period.cap, 0)
                XCTAssertEqual(period.results.count, period.firms)
                for result in period.results {
                    XCTAssertEqual(result.verified, result.surrendered + result.offsetsSurrendered + result.shortfall)
                    XCTAssertEqual(result.fine, Double(result.shortfall) * period.price * testCatalog.carbon.penaltyMultiple, accuracy: 1e-6)
                    XCTAssertEqual(result.status, result.shortfall > 0 ? .fined : .compliant)
                }
            }
            checkedPeriods = market.periods.count
        }
        XCTAssertGreaterThanOrEqual(checkedPeriods, 2)
        let market = city.world.resource(CarbonMarket.self)!
        XCTAssertTrue(market.firms.contains { $0.kind == .power })
        XCTAssertTrue(market.firms.contains { $0.kind == .industry })
        // Abatement reaches the ledger: a covered factory books its process at the abated factor.
        let factory = try XCTUnwrap(market.firms.first { $0.kind == .industry && $0.abatement > 0 }, "no factory abated at \(market.price)")
        let line = try XCTUnwrap(city.world.bookedLine(ProcessLine.self, of: factory.entity))
        let catalogFactor = testCatalog.building(.industrial).processEmissions
        XCTAssertEqual(line.flow.factorValue, catalogFactor * (1 - factory.abatement), accuracy: 1e-12)
        // Allowances are conserved: every unit issued is somewhere.
        let registry = city.world.resource(CarbonRegistry.self)!
        let statuses = RegistryUnitStatus.allCases.reduce(Int64(0)) { $0 + registry.total(.allowance, status: $1) }
        XCTAssertEqual(statuses, registry.totalIssued(.allowance))
        XCTAssertEqual(city.metric(.carbonPrice), market.price)
        XCTAssertEqual(city.schedule.accessViolations, [], "every system declares what it reads and writes")
    }

    // MARK: - Certificates: never subtracted twice

    func testCertificatesAreRetiredOnceAndLeaveTheInventoryAlone() throws {
        let withCertificates = marketTown(target: 1)
        let without = marketTown(target: 0)
        withCertificates.run(hours: 24 * 366 * 2)
        without.run(hours: 24 * 366 * 2)
        let book = try XCTUnwrap(withCertificates.world.resource(CertificateBook.self))
        let year = try XCTUnwrap(book.years.first)
        XCTAssertGreaterThan(year.retired, 0)
        // Claims never exceed what renewable plants made, and each certificate is 1,000 kWh.
        XCTAssertLessThanOrEqual(year.claimedKWh, year.renewableKWh)
        XCTAssertEqual(year.claimedKWh, Double(year.retired) * 1000, accuracy: 1e-6)
        // Market-based and location-based totals agree: a claimed kWh leaves the residual mix.
        XCTAssertEqual(year.marketBased, year.locationBased, accuracy: 1e-9 * max(1, year.locationBased))
        let claim = try XCTUnwrap(year.claims.first { $0.claimedKWh > 0 })
        XCTAssertLessThan(claim.marketTonnes, claim.locationTonnes)
        let registry = withCertificates.world.resource(CarbonRegistry.self)!
        XCTAssertEqual(registry.total(.certificate, status: .retired), book.totalRetired)
        XCTAssertEqual(registry.audit(), [])
        // Certificates are a claim on power, not a change in it: the city's ledger is identical.
        let a = withCertificates.view.ledger.years.map(\.net)
        let b = without.view.ledger.years.map(\.net)
        XCTAssertEqual(a.count, 2)
        XCTAssertEqual(a.first, b.first)
        XCTAssertEqual(withCertificates.metric(.certificatesRetired), Double(book.totalRetired))
        XCTAssertEqual(withCertificates.schedule.accessViolations, [])
    }

    // MARK: - Offsets: additionality, the corresponding adjustment, reversals

    func testOffsetsCreditOnlyNewForestsAndASaleComesOffTheCityBalance() throws {
        var setup = LevelSetup(info: LevelInfo(id: "offsets", title: "Offsets", seed: 3), width: 16, height: 5, budget: 1e12)
        for x in 0..<16 { setup.placements.append((.road, x, 1)) }
        setup.placements.append((.building(.residential, density: 0.3), 0, 0))
        setup.placements.append((.zone(.forest), 1, 0))  // there before the programme: not additional
        setup.policies.offsetProgramme = 1
        let city = City(level: setup, catalog: testCatalog)
        for x in 2..<12 { city.submit(.build(.zone(.forest), x: x, y: 2)) }
        city.run(hours: 24 * 366 * 3)
        let book = try XCTUnwrap(city.world.resource(OffsetBook.self))
        XCTAssertEqual(book.projects.count, 10)
        XCTAssertFalse(book.projects.contains { $0.x == 1 && $0.y == 0 })
        let issued = book.years.reduce(Int64(0)) { $0 + $1.issued + $1.buffered }
        XCTAssertGreaterThan(issued, 0)
        // Only removals beyond the baseline are credited.
        let removals = book.years.reduce(0.0) { $0 + $1.projectRemovals }
        XCTAssertLessThanOrEqual(Double(issued), removals * (1 - testCatalog.carbon.afforestationBaselineShare) + 1e-9)
        XCTAssertGreaterThan(Double(issued), removals * (1 - testCatalog.carbon.afforestationBaselineShare) - Double(book.projects.count))
        let buffered = book.years.reduce(Int64(0)) { $0 + $1.buffered }
        XCTAssertGreaterThan(buffered, 0)

        // Sell two credits outside the city: the position after transfers rises by exactly two.
        let year = city.view.clock.year
        let before = city.view.carbonPosition(year: year)
        let budget = city.view.budget.balance
        city.submit(.sellOffsets(count: 2))
        city.step()
        let after = city.view.carbonPosition(year: year)
        XCTAssertEqual(after.exportedCredits - before.exportedCredits, 2)
        XCTAssertEqual(after.afterTransfers - after.inventoryNet, after.exportedCredits)
        XCTAssertEqual(city.world.resource(OffsetBook.self)!.thisYear.exportRevenue, 2 * testCatalog.carbon.offsetExportPrice, accuracy: 1e-6)
        XCTAssertGreaterThan(city.view.budget.balance - budget, 0)
        let registry = city.world.resource(CarbonRegistry.self)!
        XCTAssertEqual(registry.total(.offset, status: .transferred), 2)
        // Selling more than the city holds is refused, and changes nothing.
        city.submit(.sellOffsets(count: 1_000_000))
        city.step()
        XCTAssertEqual(city.world.resource(CarbonRegistry.self)!.total(.offset, status: .transferred), 2)
        if case .refused = city.view.commandLog.last!.outcome {} else { XCTFail("an oversized sale was not refused") }

        // A fire in a credited forest cancels credits from the buffer pool.
        let project = book.projects[0]
        let bufferBefore = registry.balance(book.bufferAccount, .offset)
        try city.world.modify(GreenZone.self, of: project.entity) { $0.burns += 1 }
        city.run(hours: 24)
        let afterFire = city.world.resource(CarbonRegistry.self)!
        XCTAssertLessThan(afterFire.balance(book.bufferAccount, .offset), bufferBefore)
        XCTAssertGreaterThan(afterFire.total(.offset, status: .cancelled), 0)
        XCTAssertEqual(afterFire.audit(), [])
        XCTAssertEqual(city.schedule.accessViolations, [])
    }

    // MARK: - Saves and levels

    func testSaveLoadContinueEqualsNeverSaving() throws {
        let straight = marketTown(target: 1)
        let saved = marketTown(target: 1)
        straight.run(hours: 24 * 400)
        saved.run(hours: 24 * 380)
        let bytes = try saved.saveData()
        let loaded = try SaveGame.decode(bytes, catalog: testCatalog).city
        loaded.run(hours: 24 * 20)
        XCTAssertEqual(loaded.world.resource(CarbonMarket.self), straight.world.resource(CarbonMarket.self))
        XCTAssertEqual(loaded.world.resource(CertificateBook.self), straight.world.resource(CertificateBook.self))
        XCTAssertEqual(loaded.world.resource(CarbonRegistry.self)!.blocks, straight.world.resource(CarbonRegistry.self)!.blocks)
        XCTAssertEqual(loaded.world.resource(CarbonRegistry.self)!.history, straight.world.resource(CarbonRegistry.self)!.history)
        XCTAssertEqual(loaded.view.policies, straight.view.policies)
    }

    func testMarketTableIsReadAndCheckedAtItsPosition() {
        let text = """
        [level]
        id = "m"
        title_en = "M"
        title_zh = "M"
        [map]
        rows = \"\"\"
        ====
        .II.
        \"\"\"
        [market]
        fixed_price = 68.38
        allocation = "auction"
        [[market.firms]]
        x = 1
        y = 1
        abatement = 0.1
        buys = false
        [[market.firms]]
        x = 9
        y = 1
        """
        let result = LevelFile.parse(bytes: Array(text.utf8), file: "m.toml", catalog: testCatalog)
        let messages = result.diagnostics.map { "\($0.line):\($0.column): \($0.message)" }
        XCTAssertTrue(messages.contains { $0.hasPrefix("12:14:") && $0.contains("history") }, "\(messages)")
        XCTAssertTrue(messages.contains { $0.contains("outside the 4 × 2 map") }, "\(messages)")
        let fixed = text.replacingOccurrences(of: "\"auction\"", with: "\"benchmark\"").replacingOccurrences(of: "x = 9", with: "x = 2")
        let level = LevelFile.parse(bytes: Array(fixed.utf8), file: "m.toml", catalog: testCatalog).level
        XCTAssertEqual(level?.setup.market.fixedPrice, 68.38)
        XCTAssertEqual(level?.setup.market.benchmarkAllocation, true)
        XCTAssertEqual(level?.setup.market.firms.first?.buys, false)
        XCTAssertEqual(level?.setup.policies.capAndTrade, 1)
    }

    func testPolicyCommandsAreReplayedAndRangeChecked() throws {
        let city = stripTown([(.building(.residential, density: 0.3), 0, 0)])
        city.submit(.setPolicy("carbon_tax", 120))
        city.submit(.setPolicy("carbon_tax", -5))
        city.submit(.setPolicy("carbon_taks", 5))
        city.step()
        XCTAssertEqual(city.view.policies.carbonTax, 120)
        let outcomes = city.view.commandLog.map(\.outcome)
        XCTAssertEqual(outcomes.first, .done(cost: 0))
        XCTAssertTrue(outcomes.dropFirst().allSatisfy { if case .refused = $0 { true } else { false } })
        let log = ReplayLog(city: city)
        let parsed = try XCTUnwrap(ReplayLog.parse(log.text, file: "r").log)
        XCTAssertEqual(parsed, log)
        XCTAssertTrue(log.text.contains("policy carbon_tax 120.0\n"), "values are written exactly (round-trip)")
    }

    // MARK: - Helpers

    private func yearEnd(_ world: World, _ emissions: FirmEmissions, closedYear: Int, openNext: Bool = true) {
        var market = world.removeResource(CarbonMarket.self)!
        var registry = world.removeResource(CarbonRegistry.self)!
        let catalog = world.resource(Catalog.self)!
        let policies = world.resource(Policies.self)!
        if market.current != nil {
            Market.settle(&market, registry: &registry, world: world, emissions: emissions, catalog: catalog, policies: policies, tick: 0)
        }
        Market.admitFirms(&market, registry: &registry, world: world, emissions: emissions, catalog: catalog)
        if openNext { Market.open(&market, year: closedYear + 1, firstYear: 2026, registry: &registry, world: world, emissions: emissions,
                    catalog: catalog, policies: policies, tick: 0) }
        world.insertResource(market)
        world.insertResource(registry)
    }

    private func marketTown(target: Double) -> City {
        var setup = LevelSetup(info: LevelInfo(id: "market", title: "Market town", seed: 11), width: 16, height: 5, budget: 1e12)
        for x in 0..<16 { setup.placements.append((.road, x, 1)) }
        for x in [0, 2, 4] { setup.placements.append((.building(.residential, density: 1), x, 0)) }
        for x in [6, 8, 10] { setup.placements.append((.building(.industrial, density: 1), x, 0)) }
        setup.placements.append((.building(.datacenter, density: 1), 12, 0))
        setup.placements.append((.plant(.coal), 0, 2))
        setup.placements.append((.plant(.gas), 2, 2))
        setup.placements.append((.plant(.solar), 4, 2))
        setup.placements.append((.plant(.wind), 6, 2))
        setup.policies.capAndTrade = 1
        setup.policies.capStringency = 0.9
        setup.policies.freeAllocationShare = 0.8
        setup.policies.greenPowerTarget = target
        setup.market.threshold = 1
        return City(level: setup, catalog: testCatalog)
    }
}

/// SplitMix64, for the seeded property checks of this test target.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
