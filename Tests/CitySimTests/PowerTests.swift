// PowerTests — dispatch arithmetic pinned by hand-computed expectations.
import CitySim
import ECS
import Testing

@Suite("Power dispatch")
struct PowerTests {
    @Test func coalPlantAtFixedOutputEmitsOutputTimesFactor() throws {
        // Three data centres draw a constant IT load × PUE every hour; one coal plant serves them.
        let city = stripTown([(.plant(.coal), 0, 0), (.building(.datacenter), 2, 0), (.building(.datacenter), 3, 0),
                              (.building(.datacenter), 4, 0)], occupancy: 0)
        let coal = entity(at: 0, 0, in: city)
        let spec = testCatalog.plant(.coal)
        let dc = testCatalog.building(.datacenter)
        let demand = 3 * dc.itLoadKW * dc.pue
        #expect(demand > spec.minOutput * spec.capacityKW && demand < spec.rampRate * spec.capacityKW,
                "the load is within the plant's first-hour ramp and above its minimum, so output equals load")
        let hours = 100
        city.run(hours: hours)
        let plant = try #require(city.view.plant(coal))
        #expect(plant.outputKW == demand)
        let stack = try #require(city.view.ledgerLines(coal).first { $0.line == .primary }?.flow)
        let expected = Double(hours) * demand * spec.emissionFactor / 1e6
        #expect(close(stack.yearTonnes, expected), "\(stack.yearTonnes) t vs \(expected) t")
        #expect(close(stack.yearQuantity, Double(hours) * demand))
        #expect(stack.factorValue == spec.emissionFactor)
        // The city's power sector holds exactly the same tonnes, and the data centres' scope-2
        // lines add up to them (one kWh is never counted twice).
        let ledger = city.view.ledger
        #expect(close(ledger.thisYear.tally.tonnes(.power, .direct), expected))
        #expect(close(ledger.thisYear.tally.tonnes(.industry, .electricity), expected))
        #expect(ledger.thisYear.unservedKWh == 0)
    }

    @Test func windFarmProducesNothingInCalmHours() throws {
        let city = stripTown([(.plant(.wind), 0, 0), (.plant(.wind), 1, 0), (.building(.datacenter, density: 0.1), 3, 0)],
                             occupancy: 0)
        let turbine = entity(at: 0, 0, in: city)
        let cutIn = testCatalog.weather.cutIn
        city.overrideWeather(WeatherOverride(windSpeed: cutIn * 0.9))
        city.run(hours: 24)
        #expect(city.view.plant(turbine)?.availableKW == 0)
        #expect(city.view.plant(turbine)?.outputKW == 0)
        // With no other supply the whole demand goes unserved: a blackout.
        #expect(city.view.grid.totalDelivered == 0)
        #expect(city.view.grid.totalUnserved > 0)
        // At rated speed the turbines deliver again.
        city.overrideWeather(WeatherOverride(windSpeed: testCatalog.weather.rated + 1))
        city.run(hours: 1)
        #expect(city.view.plant(turbine)?.availableKW == testCatalog.plant(.wind).capacityKW)
        #expect(city.view.grid.totalUnserved == 0)
    }

    @Test func storageLosesExactlyItsRoundTripLoss() throws {
        // Strong wind and a small load fill the battery; then calm empties it into the load.
        let city = stripTown([(.plant(.wind), 0, 0), (.plant(.wind), 1, 0), (.plant(.wind), 2, 0), (.storage(.battery), 4, 0),
                              (.building(.datacenter, density: 0.2), 6, 0)], occupancy: 0)
        let battery = entity(at: 4, 0, in: city)
        let spec = testCatalog.storageSpec(.battery)
        var charged = 0.0, discharged = 0.0
        city.overrideWeather(WeatherOverride(windSpeed: 12))
        for _ in 0..<12 {
            city.step()
            charged += city.view.storage(battery)!.chargedKWh
        }
        #expect(close(city.view.storage(battery)!.stateKWh, spec.energyKWh), "12 windy hours fill the battery")
        #expect(city.view.grid.curtailedKWh.reduce(0, +) > 0, "a full battery cannot take the surplus: it is curtailed")
        city.overrideWeather(WeatherOverride(windSpeed: 0))
        var hoursWithBlackout = 0
        for _ in 0..<48 {
            city.step()
            discharged += city.view.storage(battery)!.dischargedKWh
            if city.view.grid.totalUnserved > 0 { hoursWithBlackout += 1 }
        }
        #expect(city.view.storage(battery)!.stateKWh < 1e-6, "two calm days empty it")
        #expect(close(discharged, charged * spec.roundTripEfficiency), "\(discharged) kWh out of \(charged) kWh in")
        #expect(hoursWithBlackout > 0, "once the battery is empty the calm leaves a blackout")
    }

    @Test func retiringTheOnlyPlantCausesABlackout() throws {
        // Build before you break: demolish the coal plant before any replacement exists.
        let city = stripTown([(.plant(.coal), 0, 0), (.building(.datacenter), 3, 0), (.building(.datacenter), 4, 0),
                              (.building(.datacenter), 5, 0)], occupancy: 0)
        city.run(hours: 5)
        #expect(city.view.grid.totalUnserved == 0)
        city.submit(.demolish(x: 0, y: 0))
        city.run(hours: 3)
        #expect(city.view.grid.totalDelivered == 0)
        #expect(city.view.grid.totalUnserved > 0)
        #expect(city.view.commandLog.last?.outcome != nil)
        // Building a gas plant restores supply.
        city.submit(.build(.plant(.gas), x: 0, y: 2))
        city.run(hours: 2)
        #expect(city.view.grid.totalUnserved == 0)
    }

    @Test func unconnectedStructuresGetNoPower() throws {
        var level = LevelSetup(info: LevelInfo(id: "t", title: "t", seed: 1, initialOccupancy: 0), width: 20, height: 20, budget: 1e12)
        for x in 0..<5 { level.placements.append((.road, x, 0)) }
        level.placements.append((.plant(.coal), 0, 1))
        level.placements.append((.building(.datacenter), 15, 15))  // no road within reach
        let city = City(level: level, catalog: testCatalog)
        city.run(hours: 3)
        let dc = entity(at: 15, 15, in: city)
        #expect(city.view.building(dc)?.island == 0)
        #expect(city.view.building(dc)?.servedFraction == 0)
        #expect(city.view.grid.unservedKWh[0] > 0)
    }

    @Test func ccusCapturesItsShareOfTheStack() throws {
        let city = stripTown([(.plant(.coal), 0, 0), (.building(.datacenter), 3, 0), (.building(.datacenter), 4, 0),
                              (.building(.datacenter), 5, 0)], occupancy: 0)
        city.submit(.upgrade(.ccus, x: 0, y: 0))
        city.run(hours: 10)
        let coal = entity(at: 0, 0, in: city)
        let lines = city.view.ledgerLines(coal)
        let stack = try #require(lines.first { $0.line == .primary }).flow.yearTonnes
        let captured = try #require(lines.first { $0.line == .process }).flow.yearTonnes
        #expect(close(-captured, stack * testCatalog.ccus.captureRate))
        #expect(close(city.view.ledger.thisYear.tally.tonnes(.power, .direct), stack + captured))
    }
}
