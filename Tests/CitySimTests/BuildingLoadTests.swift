// BuildingLoadTests — buildings' electricity, gas, process and freight booked by load profile
// (BuildingLoads.swift) hold what booking every building every hour would, between settlements
// and after them, through changes mid-day; saves from before load into it and book on.
import CitySim
import ECS
import Testing

@Suite("Building loads")
struct BuildingLoadTests {
    /// Every hour, each building's electricity is computed again from what the view shows (its
    /// demand this hour, its island's served share and grid factor) and summed. Each building's
    /// line must hold the same tonnes, read at any hour (the hours since settlement added),
    /// through heat pumps installed mid-day and a home demolished.
    @Test(arguments: [UInt64(21), 22, 25, 27])
    func loadProfileBooksEqualHourlyBooking(seed: UInt64) throws {
        let city = randomCity(seed: seed)
        var homes: [(entity: Entity, x: Int, y: Int)] = []
        var buildings: [Entity] = []
        city.world.query(Entity.self, Read<Building>.self, Read<TilePosition>.self).forEach { entity, building, position in
            buildings.append(entity)
            if building.kind == .residential { homes.append((entity, Int(position.x), Int(position.y))) }
        }
        try #require(homes.count >= 3)
        var hourByHour: [Entity: Double] = [:]
        var lastFactor: [Entity: Double] = [:]  // the grid factor of the last hour booked, which the line shows
        for hour in 0..<60 {
            if hour == 10 { city.submit(.upgrade(.heatPump, x: homes[1].x, y: homes[1].y)) }
            if hour == 33 { city.submit(.upgrade(.heatPump, x: homes[2].x, y: homes[2].y)) }
            if hour == 40 { city.submit(.demolish(x: homes[0].x, y: homes[0].y)) }
            city.step()
            let grid = city.view.grid
            for entity in buildings {
                guard let building = city.view.building(entity), let kWh = city.view.demandKWh(of: entity) else { continue }
                let island = Int(building.island)
                let served = grid.demandKWh[island] > 0 ? grid.deliveredKWh[island] / grid.demandKWh[island] : 0
                let factor = grid.factor[island]
                if kWh * served > 0 && factor > 0 {
                    hourByHour[entity, default: 0] += kWh * served * factor / 1e6
                    lastFactor[entity] = factor
                }
            }
            guard hour % 7 == 3 || hour == 23 || hour == 47 || hour == 59 else { continue }
            for entity in buildings where city.world.isAlive(entity) {
                let line = city.view.ledgerLines(entity).first { $0.line == .electricity }?.flow
                let booked = line?.yearTonnes ?? 0
                let expected = hourByHour[entity] ?? 0
                #expect(abs(booked - expected) <= 1e-9 * max(abs(booked), abs(expected)),
                        "hour \(hour): \(booked) t booked, \(expected) t hour by hour")
                if let factor = lastFactor[entity] { #expect(line?.factorValue == factor, "hour \(hour): the line's factor") }
            }
        }
        for home in homes[1...2] {
            let load = try #require(try city.world.get(BuildingLoad.self, of: home.entity))
            #expect(load.heatPumpShare > 0 && load.gasHeatShare == 0, "the home heated by gas until the hour its heat pump came")
        }
        #expect(!city.world.isAlive(homes[0].entity))
        #expect(hourByHour.values.contains { $0 > 0 }, "a city whose grid emits (its seed draws fossil plants)")
    }

    /// Factories' process and freight and farms' field emissions are booked from the load book
    /// too. Every hour each producer's output is computed again the way it was booked building by
    /// building (density × occupancy by its workers × the share of power served in the hour
    /// before, × its factor; freight from its workers' tonne-km, by rail with a siding) and
    /// summed. Its lines must hold the same tonnes, read at any hour, through workers lost when
    /// homes are demolished mid-day, a day's migration, and a factory demolished.
    @Test(arguments: [UInt64(21), 22, 25, 27])
    func outputBooksEqualHourlyBooking(seed: UInt64) throws {
        let city = randomCity(seed: seed)
        let catalog = city.catalog
        var producers: [Entity] = []
        var homes: [(x: Int, y: Int)] = []
        var factory: (x: Int, y: Int)?
        city.world.query(Entity.self, Read<Building>.self, Read<TilePosition>.self).forEach { entity, building, position in
            if building.kind == .industrial || building.kind == .farm { producers.append(entity) }
            if building.kind == .industrial && factory == nil { factory = (Int(position.x), Int(position.y)) }
            if building.kind == .residential { homes.append((Int(position.x), Int(position.y))) }
        }
        let demolished = try #require(factory, "a city with a factory")
        try #require(homes.count >= 2)
        var process: [Entity: Double] = [:], freight: [Entity: Double] = [:]
        /// One hour of a producer's output lines, as booked building by building.
        func book(_ entity: Entity, _ building: Building, served: Double) {
            let spec = catalog.building(building.kind)
            let capacity = max(1, spec.jobs * building.density)
            let staffed = building.density * (0.3 + 0.7 * min(1, Double(building.workers) / capacity))
            if spec.processEmissions > 0 {
                process[entity, default: 0] += spec.processEmissions * (1 - building.abatement) * staffed * served
            }
            if building.kind == .industrial && building.workers > 0 {
                let tkm = Double(building.workers) * catalog.travel.freightTkmPerJob * served
                let rail = building.hasRailSiding ? catalog.travel.railShareWithSiding : 0
                freight[entity, default: 0] += tkm * (1 - rail) * catalog.economy.freightRoadFactor / 1e6
                    + tkm * rail * catalog.economy.freightRailFactor / 1e6
            }
        }
        var checked = 0
        for hour in 0..<60 {
            if hour == 10 { city.submit(.demolish(x: homes[0].x, y: homes[0].y)) }
            if hour == 33 { city.submit(.demolish(x: homes[1].x, y: homes[1].y)) }
            if hour == 40 { city.submit(.demolish(x: demolished.x, y: demolished.y)) }
            // Output is booked on the served share of the hour before. Commands change buildings
            // before the hour is booked, a day's migration (at 00:00) after: so the buildings
            // are read after the step, except at midnight, before it.
            let grid = city.view.grid
            let midnight = city.view.clock.hour == 0
            let before = producers.map { city.view.building($0) }
            city.step()
            for (i, entity) in producers.enumerated() {
                guard let building = midnight ? before[i] : city.view.building(entity), city.world.isAlive(entity) else { continue }
                book(entity, building, served: grid.servedShare(island: Int(building.island)))
            }
            guard hour % 7 == 3 || hour == 23 || hour == 47 || hour == 59 else { continue }
            for entity in producers where city.world.isAlive(entity) {
                let lines = city.view.ledgerLines(entity)
                func booked(_ kinds: [AccountLine]) -> Double { lines.filter { kinds.contains($0.line) }.reduce(0) { $0 + $1.flow.yearTonnes } }
                for (expected, kinds) in [(process[entity] ?? 0, [AccountLine.process]), (freight[entity] ?? 0, [.freightRoad, .freightRail])] {
                    let tonnes = booked(kinds)
                    #expect(abs(tonnes - expected) <= 1e-9 * max(abs(tonnes), abs(expected)),
                            "hour \(hour), \(kinds): \(tonnes) t booked, \(expected) t hour by hour")
                    if expected > 0 { checked += 1 }
                }
            }
        }
        #expect(producers.contains { !city.world.isAlive($0) }, "the factory was demolished")
        #expect(checked > 20, "producers' lines were compared (\(checked))")
    }

    /// A save from before the loads (format 5; see the fixture's README) loads through the
    /// migration, plays on with its buildings' electricity booked by load profile (the city's
    /// books equal the sum over its entities), and saves in today's format.
    @Test func aFormat5SaveLoadsAndItsBuildingsBookOn() throws {
        let loaded = try loadOlderSave("format5/lesson06-year1.nzsave", format: 5, budget: 34_728_194.441, within: 0.0005, commands: 52)
        var withoutLoad = 0
        loaded.world.query(Read<Building>.self).without(BuildingLoad.self).forEach { _ in withoutLoad += 1 }
        #expect(withoutLoad == 0)
        loaded.run(hours: 30)
        #expect(loaded.view.ledger.thisYear.tally.tonnes(.buildings, .electricity) > 0)
        try expectBooksBalanceAndTodaysFormat(loaded)
    }

    /// A save from before output was booked by load profile (format 7; see the fixture's README)
    /// loads through the migration: the first hour reads every building's shares again, and the
    /// factories' lines book on from the load book, with the city's books equal to the sum over
    /// its entities; it saves in today's format.
    @Test func aFormat7SaveLoadsAndItsFactoriesBookOn() throws {
        let loaded = try loadOlderSave("format7/lesson08-year1.nzsave", format: 7, budget: 61_376_501, within: 1, commands: 1)
        var factories: [Entity] = []
        loaded.world.query(Entity.self, Read<Building>.self).forEach { entity, building in
            if building.kind == .industrial { factories.append(entity) }
        }
        try #require(!factories.isEmpty)
        let processBefore = factories.map { loaded.view.ledgerLines($0).first { $0.line == .process }?.lifetime ?? 0 }
        loaded.run(hours: 30)
        let load = try #require(try loaded.world.get(BuildingLoad.self, of: factories[0]))
        #expect(load.processOutput > 0 && load.roadTkm + load.railTkm > 0, "the first hour read the factory's output shares")
        for (i, factory) in factories.enumerated() {
            let after = loaded.view.ledgerLines(factory).first { $0.line == .process }?.lifetime ?? 0
            #expect(after > processBefore[i], "the factory's process line booked on")
        }
        #expect(loaded.view.ledger.thisYear.tally.tonnes(.industry, .direct) > 0)
        try expectBooksBalanceAndTodaysFormat(loaded)
    }

    /// A save whose building carries a negative share (freight here) is refused with a message,
    /// not loaded to book negative emissions.
    @Test func aForgedLoadIsRefused() throws {
        let city = randomCity(seed: 26)
        city.run(hours: 3)
        var factory = Entity.none
        city.world.query(Entity.self, Read<Building>.self).forEach { entity, building in
            if building.kind == .industrial && factory == .none { factory = entity }
        }
        try #require(factory != .none)
        try city.world.modify(BuildingLoad.self, of: factory) { $0.roadTkm = -5 }
        #expect(throws: (any Error).self) { try SaveGame.decode(try city.saveData(), catalog: testCatalog) }
        try city.world.modify(BuildingLoad.self, of: factory) { $0.roadTkm = 5 }
        #expect(throws: Never.self) { try SaveGame.decode(try city.saveData(), catalog: testCatalog) }
    }

    /// Saving mid-day and loading gives the same books as never saving: the hours since
    /// settlement are saved with the load book.
    @Test func aSaveMidDayContinuesAsIfNeverSaved() throws {
        let straight = randomCity(seed: 31)
        straight.run(hours: 13)
        let loaded = try SaveGame.decode(try straight.saveData(), catalog: testCatalog).city
        for city in [straight, loaded] { city.run(hours: 20) }
        #expect(loaded.world.contentHash() == straight.world.contentHash())
        #expect(loaded.view.ledger.thisYear == straight.view.ledger.thisYear)
    }
}
