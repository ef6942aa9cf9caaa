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
        // The plant also books its CH4 and N2O (non_co2_factor 3.8 gCO2e/kWh) on its process line:
        // 100 h × 22,500 kWh × (847 + 3.8) g = 1,914.3 t of CO2e. The city's power sector holds
        // exactly that, and the data centres' scope-2 lines add up to it (one kWh never counted twice).
        let withGases = Double(hours) * demand * (spec.emissionFactor + spec.nonCO2Factor) / 1e6
        let gases = try #require(city.view.ledgerLines(coal).first { $0.line == .process }?.flow)
        #expect(gases.factorValue == spec.nonCO2Factor)
        let ledger = city.view.ledger
        #expect(close(ledger.thisYear.tally.tonnes(.power, .direct), withGases))
        #expect(close(ledger.thisYear.tally.tonnes(.industry, .electricity), withGases))
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
        #expect(city.view.servedShare(of: dc) == 0)
        #expect(city.view.grid.unservedKWh[0] > 0)
    }

    /// CCUS burns 1 / (1 − 0.25) times the fuel per kWh sent out and captures 90% of it:
    /// 847 / 0.75 = 1,129.3 g burnt, 112.9 g escape, 1,016.4 g captured per kWh. Capture is kept
    /// in its own column: removals and land-sink flows do not change.
    @Test func ccusCapturesItsShareOfTheStack() throws {
        func town(ccus: Bool) -> City {
            let city = stripTown([(.plant(.coal), 0, 0), (.building(.datacenter), 3, 0), (.building(.datacenter), 4, 0),
                                  (.building(.datacenter), 5, 0)], occupancy: 0)
            if ccus { city.submit(.upgrade(.ccus, x: 0, y: 0)) }
            city.run(hours: 10)
            return city
        }
        let city = town(ccus: true)
        let coal = entity(at: 0, 0, in: city)
        let spec = testCatalog.plant(.coal)
        let sentOut = try #require(city.view.ledgerLines(coal).first { $0.line == .primary }).flow.yearQuantity
        let stack = try #require(city.view.ledgerLines(coal).first { $0.line == .primary }).flow.yearTonnes
        #expect(close(stack, sentOut * 847 / 0.75 * 0.1 / 1e6, tolerance: 1e-9), "\(stack * 1e6 / sentOut) g/kWh")
        let year = city.view.ledger.thisYear
        #expect(close(year.captured, sentOut * 847 / 0.75 * 0.9 / 1e6, tolerance: 1e-9))
        #expect(close(year.tally.tonnes(.power, .direct), stack + sentOut * spec.nonCO2Factor / 0.75 / 1e6, tolerance: 1e-9))
        let plain = town(ccus: false).view.ledger.thisYear
        #expect(year.removals == plain.removals && year.releases == plain.releases)
        #expect(plain.captured == 0)
    }

    /// Every hour: plants' output + rooftop PV + storage discharge = delivered + storage charge
    /// (lossless lines), so nothing is dumped; curtailment is what wind and solar offered and did
    /// not send out. 18 MW of wind beside a town of ≈16 MW: windy hours curtail.
    @Test func energyIsConservedAndMinimumOutputIsNeverDumped() throws {
        var structures: [(Structure, Int, Int)] = [(.plant(.coal), 0, 0), (.plant(.solar), 7, 0), (.storage(.battery), 8, 0),
                                                   (.building(.residential), 9, 0), (.building(.commercial), 10, 0),
                                                   (.building(.datacenter), 11, 0), (.building(.datacenter), 12, 0)]
        for x in 1...6 { structures.append((.plant(.wind), x, 0)) }
        let city = stripTown(structures, occupancy: 0.9)
        var curtailedHours = 0
        for _ in 0..<(24 * 20) {
            city.run(hours: 1)
            let hour = try #require(city.view.ledger.hourly.last)
            let produced = hour.generationKWh.total + hour.rooftopKWh + hour.storageDischargeKWh
            #expect(abs(produced - hour.electricityKWh - hour.storageChargeKWh) <= 1e-6 * max(1, produced))
            #expect(close(hour.curtailedKWh, hour.curtailedWindKWh + hour.curtailedSolarKWh + hour.curtailedHydroKWh, tolerance: 1e-9))
            if hour.curtailedKWh > 0 { curtailedHours += 1 }
        }
        #expect(curtailedHours > 0, "windy hours offer more than the town and the battery can take")
        let year = city.view.ledger.thisYear
        #expect(abs(year.energyImbalanceKWh) <= 1e-6 * year.totalGenerationKWh)
        #expect(year.storageChargeKWh > 0)
    }

    /// Storage sits at its marginal position: it displaces the most expensive running plant (gas),
    /// not the cheaper coal. 11 data centres draw 11 × 7,500 = 82,500 kW; coal gives its 50,000 kW,
    /// gas the other 32,500. With a full battery (10,000 kW), gas falls to its 25,000 kW minimum
    /// and the battery gives 7,500; coal stays at 50,000.
    @Test func storageDisplacesTheMarginalPlant() throws {
        var structures: [(Structure, Int, Int)] = [(.plant(.coal), 0, 0), (.plant(.gas), 1, 0), (.storage(.battery), 2, 0)]
        for x in 3..<14 { structures.append((.building(.datacenter), x, 0)) }
        let city = stripTown(structures, occupancy: 0)
        city.run(hours: 3)
        let coal = entity(at: 0, 0, in: city), gas = entity(at: 1, 0, in: city), battery = entity(at: 2, 0, in: city)
        #expect(city.view.plant(coal)?.outputKW == 50_000)
        #expect(close(city.view.plant(gas)?.outputKW ?? 0, 32_500))
        try city.world.modify(StorageUnit.self, of: battery) { $0.stateKWh = 40_000 }
        city.run(hours: 1)
        #expect(city.view.plant(coal)?.outputKW == 50_000)
        #expect(close(city.view.plant(gas)?.outputKW ?? 0, 25_000))
        let discharged = try city.world.get(StorageUnit.self, of: battery)?.dischargedKWh
        #expect(close(discharged ?? -1, 7_500))
    }
}
