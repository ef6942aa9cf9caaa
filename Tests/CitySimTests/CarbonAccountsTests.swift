// CarbonAccountsTests — citizens' green points: what earns them, that they are never removals,
// how the platform redeems them for a forest, and their save codec.
import CitySim
import ECS
import Testing

/// A 16 × 5 town for the accounts: four homes at the west end of row 0 (with `upgrades`), two
/// parks beside them (enough green space per head that one more green tile cannot change
/// happiness, so two towns that differ by a planted forest migrate alike), an office at the east
/// end, bus stops near both. With `noFreeLand`, every tile nothing stands on is water.
private func accountsTown(catalog: Catalog = fullRecordCatalog, upgrades: [UpgradeKind] = [], homeDensity: Double = 0.5,
                          noFreeLand: Bool = false, seed: UInt64 = 7) -> City {
    let width = 16, height = 5
    var level = LevelSetup(info: LevelInfo(id: "accounts", title: "Accounts town", seed: seed, initialOccupancy: 0.9),
                           width: width, height: height, budget: 1e9)
    var used = Set<Int>()
    func place(_ structure: Structure, _ x: Int, _ y: Int) {
        level.placements.append((structure, x, y))
        used.insert(y * width + x)
    }
    for x in 0..<width { place(.road, x, 1) }
    place(.busStop, 1, 1)
    place(.busStop, 13, 1)
    for x in 0..<4 { place(.building(.residential, density: homeDensity), x, 0) }
    place(.zone(.park), 4, 0)
    place(.zone(.park), 5, 0)
    place(.building(.office, density: 1), 13, 2)
    if noFreeLand {
        for i in 0..<(width * height) where !used.contains(i) { level.terrain.append((i % width, i / width, .water)) }
    }
    let city = City(level: level, catalog: catalog)
    // The upgrades are bought before the first hour (`LevelSetup.upgrades` would be applied
    // before the homes' entities exist).
    for x in 0..<4 { for upgrade in upgrades { city.submit(.upgrade(upgrade, x: x, y: 0)) } }
    city.applyPendingCommands()
    city.world.insertResource(LevelRules())  // a message feed for the platform's announcements
    city.overrideWeather(WeatherOverride(temperature: 0, drought: false))
    return city
}

/// The bundled catalog with every green trip recorded (`recorded_share` = 1, as lesson 9 sets it),
/// so the points are whole numbers of the hand computations below.
private let fullRecordCatalog: Catalog = {
    do { return try testCatalog.setting("personal_carbon.recorded_share", to: 1, source: "test: every trip recorded") }
    catch { fatalError("\(error)") }
}()

/// The catalog above with one personal-carbon factor changed.
private func catalog(_ path: String, _ value: Double) throws -> Catalog {
    try fullRecordCatalog.setting("personal_carbon." + path, to: value, source: "test")
}

/// tCO2e the town's two parks have booked on their growth lines (negative: removals).
private func parkGrowth(_ city: City) -> Double {
    var total = 0.0
    city.view.forEachZone { entity, zone, _ in
        guard zone.kind == .park else { return }
        total += city.view.ledgerLines(entity).filter { $0.line == .primary }.reduce(0) { $0 + $1.lifetime }
    }
    return total
}

/// Runs whole days until the platform has planted a forest (at most `days`); returns the days run.
@discardableResult
private func runUntilPlanted(_ city: City, days: Int) -> Int {
    for day in 1...days {
        city.run(hours: 24)
        if !city.view.carbonAccounts.forests.isEmpty { return day }
    }
    return days
}

/// The accounts town with rooftop PV on every home, run through 2020 in its own weather: the
/// clock stands at 1 January 2021, 00:00, and the PV's points have planted forests.
private func yearTown() -> City {
    let city = accountsTown(upgrades: [.rooftopPV])
    city.overrideWeather(nil)
    city.run(hours: 24 * 366)
    return city
}

@Suite("Citizens' carbon accounts")
struct CarbonAccountsTests {
    @Test func greenCommutesEarnTheCO2AvoidedAgainstThePetrolCar() throws {
        // The arithmetic, pinned on the bundled catalog: (petrol car − the mode's own factor)
        // g/pkm ÷ 1000 × participation share, the mode's own factor including its grid energy at
        // the national average factor (536.6 g/kWh).
        let car = fullRecordCatalog.mode(.carPetrol).directFactor
        let share = fullRecordCatalog.personalCarbon.participationShare
        #expect(car == 113 && share == 0.4 && fullRecordCatalog.nationalGridFactor == 536.6)
        func rate(_ mode: TravelMode) -> Double { TripPointsTally.pointsPerPkm(mode, catalog: fullRecordCatalog) }
        // The bundled catalog records 1% of green activity (calibrated to Ant Forest's pace).
        #expect(close(TripPointsTally.pointsPerPkm(.bike, catalog: testCatalog), 0.01 * rate(.bike)))
        #expect(close(rate(.bike), 0.0452))                         // 113 g/pkm avoided × 0.4
        #expect(close(rate(.walk), 0.0452))
        // The bus fleet: 77.2% of bus passenger-km electric (0.08 kWh/pkm), 22.8% diesel (62 g/pkm):
        // 113 − (0.228 × 62 + 0.772 × 0.08 × 536.6) = 113 − (14.136 + 33.140) = 65.724 g/pkm × 0.4.
        #expect(fullRecordCatalog.trips.busElectricShare == 0.772 && fullRecordCatalog.trips.electricBusKWhPerPkm == 0.08)
        #expect(close(rate(.bus), (113 - (0.228 * 62 + 0.772 * 0.08 * 536.6)) / 1000 * 0.4))
        #expect(abs(rate(.bus) - 0.0262894) < 1e-7)
        #expect(close(rate(.ebike), (113 - 0.015 * 536.6) / 1000 * 0.4))
        #expect(close(rate(.metro), (113 - 0.06 * 536.6) / 1000 * 0.4))
        #expect(close(rate(.carElectric), (113 - 0.11 * 536.6) / 1000 * 0.4))
        #expect(rate(.carPetrol) == 0)

        let city = accountsTown()
        city.run(hours: 24)  // one day: every employed citizen makes one round trip
        // The home blocks' flows (school and other trips) earn their passenger-km × the same rates.
        var expected = PointsBySource()
        let flows = city.view.tripFlows.flowPkmByMode
        #expect(flows.reduce(0, +) > 0, "the homes' other trips went out")
        for mode in TravelMode.allCases {
            if let source = PointSource(mode: mode) { expected[source] += flows[Int(mode.rawValue)] * rate(mode) }
        }
        var green = 0, commuters = 0, cyclingOrBus = 0
        city.view.forEachCitizen { _, citizen in
            guard citizen.isEmployed, !citizen.stranded else { return }
            commuters += 1
            guard let source = PointSource(mode: citizen.mode) else { return }
            let mode = citizen.mode
            let avoided = car - (fullRecordCatalog.tailpipeShare(mode) * fullRecordCatalog.mode(mode).directFactor
                                 + fullRecordCatalog.gridKWhPerPkm(mode) * 536.6)   // g/pkm
            expected[source] += 2 * Double(citizen.access.km) * avoided / 1000 * share
            green += 1
            if citizen.mode == .bike || citizen.mode == .bus { cyclingOrBus += 1 }
        }
        #expect(commuters > 100 && cyclingOrBus > 0, "the town commutes, some by bike or bus")
        let accounts = city.view.carbonAccounts
        // A commute's passenger-km are kept to the millimetre (Commutes.swift's fixed units).
        for source in PointSource.allCases {
            #expect(close(accounts.earned[source], expected[source], tolerance: 1e-7),
                    "\(source.key): \(accounts.earned[source]) vs \(expected[source])")
        }
        #expect(accounts.earned[.bike] + accounts.earned[.bus] > 0)
        #expect(accounts.earned[.household] == 0, "no home has an upgrade")
        #expect(close(accounts.pool, expected.total, tolerance: 1e-7))
        #expect(accounts.participants == green)
        #expect(accounts.forests.isEmpty && accounts.treesPlanted == 0)
    }

    @Test func upgradedHomesEarnTheKWhTheirUpgradesSave() throws {
        // One day at 0 °C: 18 °C × 24 h = 432 heating degree-hours, no cooling. A density-1 block
        // needs 20 kWh of heat per degree-hour from gas; insulated (−30%) with a heat pump (COP 2.8)
        // it uses 20 × 0.7 ÷ 2.8 = 5 kWh of electricity instead: 15 kWh saved per degree-hour.
        let city = accountsTown(upgrades: [.insulation, .heatPump], homeDensity: 1)
        #expect(fullRecordCatalog.building(.residential).heatPerDegree == 20 && fullRecordCatalog.heating.heatPumpCOP == 2.8)
        let saving = CarbonAccounts.householdSaving(upgrades: UpgradeKind.insulation.bit | UpgradeKind.heatPump.bit, catalog: fullRecordCatalog)
        #expect(close(saving.perHeatingDegreeHour, 15) && saving.perCoolingDegreeHour == 0 && saving.perSunHour == 0)
        city.run(hours: 24)
        // 4 blocks × 15 kWh × 432 °C·h × 1 point/kWh (微克拉) × 0.4 participation = 10,368 points.
        #expect(close(city.view.carbonAccounts.earned[.household], 10_368))
        // Rooftop PV earns its output; smart HVAC cuts heat and cooling by a quarter.
        let pv = CarbonAccounts.householdSaving(upgrades: UpgradeKind.rooftopPV.bit, catalog: fullRecordCatalog)
        #expect(pv.perSunHour == fullRecordCatalog.rooftopPVKW && pv.perHeatingDegreeHour == 0)
        let hvac = CarbonAccounts.householdSaving(upgrades: UpgradeKind.smartHVAC.bit, catalog: fullRecordCatalog)
        // Cooling: 8 kWh per °C·h above 24 °C (sized on the weather generator's 7,075 °C·h a year) × 0.25 = 2 kWh.
        #expect(close(hvac.perHeatingDegreeHour, 20 * 0.25) && close(hvac.perCoolingDegreeHour, 8 * 0.25))
    }

    @Test func pointsAreNeverRemovals() throws {
        // Two identical towns; in one the pool can never buy a tree.
        let planting = accountsTown(upgrades: [.insulation, .heatPump, .smartHVAC])
        let never = accountsTown(catalog: try catalog("points_per_tree", 1e15), upgrades: [.insulation, .heatPump, .smartHVAC])
        var day = 0
        while planting.view.carbonAccounts.forests.isEmpty && day < 30 {
            // Before any tree: the same points, the same books to the last bit.
            #expect(planting.view.ledger.cumulative == never.view.ledger.cumulative)
            #expect(planting.view.ledger.thisYear.removals == never.view.ledger.thisYear.removals)
            #expect(planting.view.ledger.thisYear.net == never.view.ledger.thisYear.net)
            #expect(planting.view.carbonAccounts.pool == never.view.carbonAccounts.pool)
            planting.run(hours: 24)
            never.run(hours: 24)
            day += 1
        }
        let accounts = planting.view.carbonAccounts
        let forest = try #require(accounts.forests.first, "the pool bought a forest within 30 days")
        #expect(day > 1, "points accrued over several days first")
        #expect(never.view.carbonAccounts.forests.isEmpty && never.view.carbonAccounts.pool > accounts.pool)
        #expect(close(never.view.ledger.cumulative.removals, -parkGrowth(never)), "points alone remove nothing: only the parks do")
        // Two more days: the forest grows. The only difference in the books is its growth, on
        // its own ledger line, in the land-sinks sector.
        planting.run(hours: 48)
        never.run(hours: 48)
        let growth = try #require(planting.view.ledgerLines(forest.entity).first { $0.line == .primary })
        #expect(growth.lifetime < 0, "the planted forest removes CO2")
        let a = planting.view.ledger.cumulative, b = never.view.ledger.cumulative
        for sector in Sector.allCases {
            for scope in Scope.allCases where !(sector == .landSinks && scope == .direct) {
                #expect(a.tonnes(sector, scope) == b.tonnes(sector, scope), "\(sector.key)/\(scope.key)")
            }
        }
        #expect(close(a.tonnes(.landSinks, .direct) - b.tonnes(.landSinks, .direct), growth.lifetime))
        #expect(close(a.removals - b.removals, -growth.lifetime))
        #expect(close(b.removals, -parkGrowth(never)) && close(a.removals, -parkGrowth(planting) - growth.lifetime))
    }

    @Test func thePoolPlantsAForestOnTheNearestFreeLandFreeOfCharge() throws {
        let first = accountsTown(upgrades: [.insulation, .heatPump, .smartHVAC])
        let second = accountsTown(upgrades: [.insulation, .heatPump, .smartHVAC])
        let never = accountsTown(catalog: try catalog("points_per_tree", 1e15), upgrades: [.insulation, .heatPump, .smartHVAC])
        // The tile the platform will choose, checked independently: free land, and no free land
        // tile is nearer to the centre of the homes (x = 1.5, y = 0).
        let chosen = try #require(CarbonAccounts.plantingTile(world: first.world))
        let map = first.view.map
        #expect(map.structure[map.index(chosen.x, chosen.y)] == .none && map.terrain[map.index(chosen.x, chosen.y)] == .land)
        func distance(_ x: Int, _ y: Int) -> Double { (Double(x) - 1.5) * (Double(x) - 1.5) + Double(y * y) }
        for i in 0..<map.tileCount where map.structure[i] == .none && map.terrain[i].isBuildable {
            #expect(distance(i % map.width, i / map.width) >= distance(chosen.x, chosen.y))
        }
        let days = runUntilPlanted(first, days: 30)
        for _ in 0..<days {
            second.run(hours: 24)
            never.run(hours: 24)
        }
        let planted = first.view.carbonAccounts
        let forest = try #require(planted.forests.first)
        #expect(planted.forests.count == 1)
        #expect(forest.x == chosen.x && forest.y == chosen.y)
        #expect(second.view.carbonAccounts.forests == planted.forests, "same level and seed, same tile and day")
        let zone = try #require(first.view.zone(forest.entity))
        #expect(zone.kind == .forest)
        #expect(first.view.map.occupant[first.view.map.index(forest.x, forest.y)] == forest.entity)
        // 17.9 points per tree × 1,089 trees on a hectare (122 million trees / 112,000 ha).
        #expect(forest.trees == 1089 && planted.treesPlanted == 1089 && planted.treesPlantedThisYear == 1089)
        #expect(close(planted.redeemed, 17.9 * 1089))
        #expect(close(planted.pool + planted.redeemed, planted.earned.total))
        #expect(first.metric(.treesPlantedFromPoints) == 1089 && never.metric(.treesPlantedFromPoints) == 0)
        let messages = first.view.rules?.messages ?? []
        #expect(messages.contains { $0.text.en.contains("1089 trees") && $0.text.zh.contains("1089 棵树") })
        // Sponsored: neither the planting (the forest's build cost) nor its upkeep
        // (15,000 yuan a year, ≈ 1.7 yuan an hour) touch the city's budget. (Equal to a hundredth
        // of a yuan: the upkeep is added and taken off again, which may leave a rounding bit.)
        #expect(fullRecordCatalog.zone(.forest).buildCost > 1000 && fullRecordCatalog.zone(.forest).maintenance > 1000)
        #expect(abs(first.view.budget.balance - never.view.budget.balance) < 0.01)
        first.run(hours: 24 * 3)
        never.run(hours: 24 * 3)
        #expect(abs(first.view.budget.balance - never.view.budget.balance) < 0.01)
        #expect(abs(first.view.budget.spendingThisYear - never.view.budget.spendingThisYear) < 0.01)
        #expect(first.view.stats.greenTiles == never.view.stats.greenTiles + 1)
    }

    @Test func withNoFreeLandThePointsStayPooledUntilLandIsFreed() throws {
        // A tree costs 0.01 points here, so the pool holds a forest's worth after the first day.
        let city = accountsTown(catalog: try catalog("points_per_tree", 0.01), noFreeLand: true)
        city.run(hours: 24 * 2)
        var accounts = city.view.carbonAccounts
        #expect(CarbonAccounts.plantingTile(world: city.world) == nil)
        #expect(accounts.forests.isEmpty && accounts.redeemed == 0)
        #expect(accounts.pool >= 0.01 * 1089 && close(accounts.pool, accounts.earned.total))
        // The player clears a park: the next evening the platform plants there.
        city.submit(.demolish(x: 5, y: 0))
        city.run(hours: 24)
        accounts = city.view.carbonAccounts
        #expect(accounts.forests.count == 1)
        #expect(accounts.forests.first.map { ($0.x, $0.y) == (5, 0) } == true)
        #expect(close(accounts.pool, accounts.earned.total - 0.01 * 1089))
    }

    @Test func theYearClosesIntoTheHistory() throws {
        let city = yearTown()
        let year = city.view.carbonAccounts
        #expect(year.history.isEmpty && year.earned[.household] > 0 && year.participants > 0)
        city.run(hours: 1)  // 1 January 2021, 00:00
        let next = city.view.carbonAccounts
        let closed = try #require(next.history.first)
        #expect(next.history.count == 1 && closed.year == 2020)
        #expect(closed.earned == year.earned && closed.participants == year.participants)
        #expect(closed.treesPlanted == year.treesPlantedThisYear && closed.treesPlanted > 0)
        #expect(next.earned[.household] == 0 && next.earned.total < year.earned.total / 100)
        // Commuters keep their mode by habit and every green one earns a 24th of its day each
        // hour, so the first hour of the year counts each of them again, and no one else.
        var green = 0
        city.view.forEachCitizen { _, citizen in
            if citizen.isEmployed && !citizen.stranded && TripPointsTally.pointsPerPkm(citizen.mode, catalog: city.catalog) > 0 { green += 1 }
        }
        #expect(next.participants == green && green > 0, "\(next.participants) participants, \(green) green commuters")
        #expect(next.treesPlanted == year.treesPlanted && next.treesPlantedThisYear == 0)
        #expect(next.pool == year.pool + next.earned.total)
    }

    @Test func codecRoundTrips() throws {
        let city = yearTown()
        city.run(hours: 13)  // into the new year, mid-day: every field is in use
        let accounts = city.view.carbonAccounts
        #expect(!accounts.history.isEmpty && !accounts.forests.isEmpty && accounts.participants > 0 && accounts.pool > 0)
        let bytes = try SaveGame.encodeResource(accounts)
        let restored = try SaveGame.decodeResource(CitizenCarbonAccounts.self, from: bytes)
        #expect(restored == accounts)
        #expect(try SaveGame.encodeResource(restored) == bytes)
        // Damaged inputs are refused, not trusted: cut short, one byte too many, a pool that is
        // not a number, a pool stored as text.
        #expect(throws: (any Error).self) { _ = try SaveGame.decodeResource(CitizenCarbonAccounts.self, from: Array(bytes.dropLast())) }
        #expect(throws: (any Error).self) { _ = try SaveGame.decodeResource(CitizenCarbonAccounts.self, from: bytes + [0]) }
        var tree = try Archive.encode(accounts)
        tree.set("pool", .double(.nan))
        #expect(throws: (any Error).self) { _ = try SaveGame.decodeResource(CitizenCarbonAccounts.self, from: tree.bytes) }
        tree.set("pool", .string("12.5"))
        #expect(throws: (any Error).self) { _ = try SaveGame.decodeResource(CitizenCarbonAccounts.self, from: tree.bytes) }
        tree.set("pool", .double(12.5))
        #expect(try SaveGame.decodeResource(CitizenCarbonAccounts.self, from: tree.bytes).pool == 12.5, "the pool is found by its name")
        // A default (empty) record round-trips too.
        #expect(try SaveGame.decodeResource(CitizenCarbonAccounts.self, from: SaveGame.encodeResource(CitizenCarbonAccounts())) == CitizenCarbonAccounts())
    }
}
