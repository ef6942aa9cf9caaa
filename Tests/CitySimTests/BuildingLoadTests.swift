// BuildingLoadTests — buildings' electricity booked by load profile (BuildingLoads.swift) holds
// what booking every building every hour would, between settlements and after them, through
// changes mid-day; a save from before loads into it and books on.
import CitySim
import ECS
import Testing

@Suite("Building loads")
struct BuildingLoadTests {
    /// Every hour, each building's electricity is computed again from what the view shows (its
    /// demand this hour, its island's served share and grid factor) and summed. Each building's
    /// line must hold the same tonnes, read mid-day (the hours since settlement added) and after
    /// a day's end (settled), through heat pumps installed mid-day and a home demolished.
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

    /// A save from before the loads (format 5; see the fixture's README) loads through the
    /// migration, plays on with its buildings' electricity booked by load profile (the city's
    /// books equal the sum over its entities), and saves in today's format.
    @Test func aFormat5SaveLoadsAndItsBuildingsBookOn() throws {
        let path = repositoryRoot + "/Tests/CitySimTests/Saves/format5/lesson06-year1.nzsave"
        #expect(try SaveGame.readHeader(from: path).formatVersion == 5)
        let loaded = try SaveGame.load(from: path, catalog: testCatalog).city
        #expect(abs(loaded.view.budget.balance - 34_728_194.441) < 0.0005, "\(loaded.view.budget.balance)")
        #expect(loaded.view.commandLog.count == 52)
        var withoutLoad = 0
        loaded.world.query(Read<Building>.self).without(BuildingLoad.self).forEach { _ in withoutLoad += 1 }
        #expect(withoutLoad == 0)
        loaded.run(hours: 30)
        #expect(loaded.view.ledger.thisYear.tally.tonnes(.buildings, .electricity) > 0)
        try expectBooksBalanceAndTodaysFormat(loaded)
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
