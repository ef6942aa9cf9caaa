// PolicyTests — what subsidies, standards, the all-fuel carbon tax and the green paradox do
// (Adoption.swift, with the edits it makes in Grid, Transport, Buildings and City.apply).
import CitySim
import ECS
import Testing

/// A strip town (see `stripTown`) whose level sets `policies` from the start.
private func policyTown(_ structures: [(Structure, Int, Int)], width: Int = 16, policies: [String: Double] = [:],
                        occupancy: Double = 0.9, budget: Double = 1e10, catalog: Catalog = testCatalog) -> City {
    var level = LevelSetup(info: LevelInfo(id: "test", title: "Policy town", seed: 7, initialOccupancy: occupancy),
                           width: width, height: 5, budget: budget)
    for x in 0..<width { level.placements.append((.road, x, 1)) }
    for (structure, x, y) in structures { level.placements.append((structure, x, y)) }
    for (name, value) in policies.sorted(by: { $0.key < $1.key }) {
        guard let lever = PolicyLever.named(name) else { fatalError("no policy lever '\(name)'") }
        level.policies[lever] = value
    }
    return City(level: level, catalog: catalog)
}

/// Homes and offices on row 0 (a coal plant at x = 0), solar plants every third tile of row 2.
private func subsidyTown(_ policies: [String: Double]) -> City {
    var structures: [(Structure, Int, Int)] = [(.plant(.coal), 0, 0)]
    for x in 1..<36 { structures.append((.building(.residential), x, 0)) }
    for x in 36..<48 { structures.append((.building(.office), x, 0)) }
    for x in stride(from: 0, to: 48, by: 3) { structures.append((.plant(.solar), x, 2)) }
    return policyTown(structures, width: 48, policies: policies)
}

/// Hours until the first tick of the level's second year has run (adoption happens then).
private let firstYearHours = (Clock.isLeap(2020) ? 366 : 365) * 24 + 1

private func upgradeCount(_ upgrade: UpgradeKind, in city: City) -> Int {
    var count = 0
    city.view.forEachBuilding { _, building, _ in if building.has(upgrade) { count += 1 } }
    return count
}

private func electricCars(in city: City) -> Int {
    var count = 0
    city.view.forEachCitizen { _, citizen in if citizen.hasElectricCar { count += 1 } }
    return count
}

private func storageCount(in city: City) -> Int {
    var count = 0
    city.view.forEachStorage { _, _, _ in count += 1 }
    return count
}

@Suite("Policies")
struct PolicyTests {
    // MARK: Subsidies

    @Test func fullSubsidiesAdoptAndCostTheBudgetExactlyTheirShare() throws {
        let all = ["heat_pump_subsidy": 1.0, "rooftop_pv_subsidy": 1.0, "storage_subsidy": 1.0, "ev_subsidy": 1.0]
        let subsidised = subsidyTown(all)
        let unsubsidised = subsidyTown([:])
        var carsBefore: [(Entity, Bool)] = []
        unsubsidised.view.forEachCitizen { entity, citizen in carsBefore.append((entity, citizen.hasElectricCar)) }
        #expect(upgradeCount(.heatPump, in: subsidised) == 0 && upgradeCount(.rooftopPV, in: subsidised) == 0)
        // Until the year turns nothing differs, so the budgets differ by exactly what was paid.
        subsidised.run(hours: firstYearHours - 1)
        unsubsidised.run(hours: firstYearHours - 1)
        #expect(subsidised.view.budget.balance == unsubsidised.view.budget.balance)
        #expect(upgradeCount(.heatPump, in: subsidised) == 0, "owners adopt when the year turns, not before")
        subsidised.step()
        unsubsidised.step()

        let heatPumps = upgradeCount(.heatPump, in: subsidised), rooftops = upgradeCount(.rooftopPV, in: subsidised)
        let batteries = storageCount(in: subsidised)
        let switched = electricCars(in: subsidised) - electricCars(in: unsubsidised)
        let eligible = 47, plants = 16
        let rate = testCatalog.carbon.adoptionAtFullSubsidy
        // About `rate` of the eligible owners adopt each upgrade; the draw is seeded, so these are fixed numbers.
        #expect(heatPumps > 0 && heatPumps < eligible / 2, "\(heatPumps) heat pumps of \(eligible) at p = \(rate)")
        #expect(rooftops > 0 && rooftops < eligible / 2, "\(rooftops) rooftop PV of \(eligible)")
        #expect(batteries > 0 && batteries < plants / 2 + 1, "\(batteries) batteries beside \(plants) solar plants")
        #expect(switched > 0, "petrol-car owners switch to electric cars")
        #expect(carsBefore.allSatisfy { entity, electric in
            unsubsidised.world.isAlive(entity) ? (try? unsubsidised.world.get(Citizen.self, of: entity))?.hasElectricCar == electric : true
        }, "without a subsidy nobody switches")
        let share = testCatalog.travel.evFleetShare
        #expect(close(subsidised.world.resource(AdoptionState.self)!.evFleetShare, share + rate * (1 - share)))
        #expect(unsubsidised.world.resource(AdoptionState.self)!.evFleetShare == share)

        // Zero subsidy adopts nothing.
        #expect(upgradeCount(.heatPump, in: unsubsidised) == 0 && upgradeCount(.rooftopPV, in: unsubsidised) == 0)
        #expect(storageCount(in: unsubsidised) == 0)

        // Every battery stands beside a solar plant, one per plant.
        let map = subsidised.view.map
        subsidised.view.forEachStorage { _, _, position in
            let besidePlant = [(-1, 0), (1, 0), (0, -1), (0, 1)].contains { dx, dy in
                let x = Int(position.x) + dx, y = Int(position.y) + dy
                return map.contains(x, y) && subsidised.view.plant(map.occupant[map.index(x, y)])?.kind == .solar
            }
            #expect(besidePlant, "battery at (\(position.x), \(position.y))")
        }

        // The budget paid subsidy × cost × adopters, exactly (all subsidies are 1 here; every
        // building is full size, so density does not scale the upgrade costs).
        let upgrades = testCatalog.upgrades
        let expected = Double(heatPumps) * upgrades[Int(UpgradeKind.heatPump.rawValue)].cost
            + Double(rooftops) * upgrades[Int(UpgradeKind.rooftopPV.rawValue)].cost
            + Double(batteries) * testCatalog.storageSpec(.battery).buildCost
            + Double(switched) * testCatalog.carbon.evPricePremium
        let paid = unsubsidised.view.budget.balance - subsidised.view.budget.balance
        #expect(close(paid, expected, tolerance: 1e-12), "paid \(paid) yuan, expected \(expected)")
        #expect(close(subsidised.world.resource(AdoptionState.self)!.subsidiesThisYear, expected, tolerance: 1e-12))
        #expect(close(subsidised.view.budget.spendingThisYear - unsubsidised.view.budget.spendingThisYear, expected, tolerance: 1e-9))

        // The adopted heat pumps work: in the next (winter) hour they burn no gas, boilers do.
        subsidised.step()
        var gasWithHeatPump = 0.0, gasWithBoiler = 0.0
        let tick = subsidised.view.clock.tick - 1
        subsidised.view.forEachBuilding { entity, building, _ in
            guard building.kind == .residential || building.kind == .office else { return }
            let gas = subsidised.view.ledgerLines(entity).first { $0.line == .primary && $0.flow.tick == tick }?.flow.tickTonnes ?? 0
            if building.has(.heatPump) { gasWithHeatPump += gas } else { gasWithBoiler += gas }
        }
        #expect(gasWithHeatPump == 0 && gasWithBoiler > 0)
    }

    @Test func halfSubsidyPaysHalfTheCost() throws {
        let half = subsidyTown(["heat_pump_subsidy": 0.5])
        let none = subsidyTown([:])
        half.run(hours: firstYearHours)
        none.run(hours: firstYearHours)
        let heatPumps = upgradeCount(.heatPump, in: half)
        #expect(heatPumps > 0)
        #expect(upgradeCount(.rooftopPV, in: half) == 0 && storageCount(in: half) == 0)
        let expected = 0.5 * Double(heatPumps) * testCatalog.upgrades[Int(UpgradeKind.heatPump.rawValue)].cost
        #expect(close(none.view.budget.balance - half.view.budget.balance, expected, tolerance: 1e-12))
    }

    @Test func adoptionIsDeterministic() throws {
        let policies = ["heat_pump_subsidy": 1.0, "rooftop_pv_subsidy": 0.6, "storage_subsidy": 1.0, "ev_subsidy": 0.8]
        let first = subsidyTown(policies), second = subsidyTown(policies)
        first.run(hours: firstYearHours)
        second.run(hours: firstYearHours)
        var a: [(Entity, UInt8)] = [], b: [(Entity, UInt8)] = []
        first.view.forEachBuilding { entity, building, _ in a.append((entity, building.upgrades)) }
        second.view.forEachBuilding { entity, building, _ in b.append((entity, building.upgrades)) }
        #expect(a.contains { $0.1 != 0 }, "something was adopted")
        #expect(a.elementsEqual(b) { $0.0 == $1.0 && $0.1 == $1.1 })
        #expect(first.world.contentHash() == second.world.contentHash())
        #expect(first.view.budget == second.view.budget)
    }

    // MARK: Standards

    @Test func pueCapBuildsNewDataCentresUpgraded() throws {
        let city = policyTown([(.plant(.coal), 0, 0), (.building(.datacenter), 2, 0)], occupancy: 0)
        let spec = testCatalog.building(.datacenter)
        let pueCost = testCatalog.upgrades[Int(UpgradeKind.pue.rawValue)].cost
        city.submit(.build(.building(.datacenter), x: 3, y: 0))
        city.step()
        // The catalog's fleet average is PUE 1.5; a cap of 1.4 makes a new centre buy the upgrade (1.3).
        #expect(city.setPolicy("datacentre_pue_cap", 1.4))
        city.submit(.build(.building(.datacenter, density: 0.5), x: 4, y: 0))
        city.run(hours: 2)
        let start = try #require(city.view.building(entity(at: 2, 0, in: city)))
        let before = try #require(city.view.building(entity(at: 3, 0, in: city)))
        let after = try #require(city.view.building(entity(at: 4, 0, in: city)))
        #expect(spec.pue > 1.4 && testCatalog.upgradedPUE <= 1.4)
        #expect(!start.has(.pue) && !before.has(.pue) && after.has(.pue))
        let beforeKWh = try #require(city.view.demandKWh(of: entity(at: 3, 0, in: city)))
        let afterKWh = try #require(city.view.demandKWh(of: entity(at: 4, 0, in: city)))
        #expect(close(beforeKWh, spec.itLoadKW * spec.pue))
        #expect(close(afterKWh, 0.5 * spec.itLoadKW * testCatalog.upgradedPUE))
        #expect(afterKWh < 0.5 * beforeKWh)
        let costs = city.view.commandLog.compactMap { record -> Double? in
            if case .build = record.command, case .done(let cost) = record.outcome { return cost }
            return nil
        }
        #expect(costs == [spec.buildCost, 0.5 * (spec.buildCost + pueCost)], "the upgrade's cost is added to the build cost")
    }

    @Test func efficiencyStandardInsulatesNewBuildingsOnly() throws {
        let city = policyTown([(.plant(.coal), 0, 0), (.building(.residential), 2, 0)], policies: ["efficiency_standard": 1])
        city.submit(.build(.building(.residential, density: 0.5), x: 3, y: 0))
        city.step()
        #expect(city.setPolicy("efficiency_standard", 2))
        city.submit(.build(.building(.office), x: 4, y: 0))
        city.submit(.build(.building(.datacenter), x: 5, y: 0))
        city.step()
        let starting = try #require(city.view.building(entity(at: 2, 0, in: city)))
        let home = try #require(city.view.building(entity(at: 3, 0, in: city)))
        let office = try #require(city.view.building(entity(at: 4, 0, in: city)))
        let dataCentre = try #require(city.view.building(entity(at: 5, 0, in: city)))
        #expect(starting.upgrades == 0, "the level's starting city is not rebuilt by a standard")
        #expect(home.has(.insulation) && !home.has(.smartHVAC))
        #expect(office.has(.insulation) && office.has(.smartHVAC))
        #expect(dataCentre.upgrades == 0, "data centres answer to the PUE cap, not the building standard")
        let upgrades = testCatalog.upgrades
        let insulation = upgrades[Int(UpgradeKind.insulation.rawValue)].cost, hvac = upgrades[Int(UpgradeKind.smartHVAC.rawValue)].cost
        let costs = city.view.commandLog.compactMap { record -> Double? in
            if case .build = record.command, case .done(let cost) = record.outcome { return cost }
            return nil
        }
        #expect(costs == [0.5 * (testCatalog.building(.residential).buildCost + insulation),
                          testCatalog.building(.office).buildCost + insulation + hvac,
                          testCatalog.building(.datacenter).buildCost])
    }

    // MARK: The carbon tax on all fuel

    @Test func allFuelTaxMovesDispatchFromCoalToGas() throws {
        func run(_ policies: [String: Double]) -> (coal: Double, gas: Double) {
            let city = policyTown([(.plant(.coal), 0, 0), (.plant(.gas), 1, 0), (.building(.datacenter), 3, 0),
                                   (.building(.datacenter), 4, 0), (.building(.datacenter), 5, 0)], policies: policies, occupancy: 0)
            var coal = 0.0, gas = 0.0
            for _ in 0..<24 {
                city.step()
                coal += city.view.plant(entity(at: 0, 0, in: city))!.outputKW
                gas += city.view.plant(entity(at: 1, 0, in: city))!.outputKW
            }
            #expect(city.view.ledger.thisYear.unservedKWh == 0)
            return (coal, gas)
        }
        let coal = testCatalog.plant(.coal), gas = testCatalog.plant(.gas)
        let tax = 500.0
        #expect(coal.fuelCost < gas.fuelCost, "without a tax coal is cheaper")
        #expect(coal.fuelCost + tax * coal.emissionFactor / 1e6 > gas.fuelCost + tax * gas.emissionFactor / 1e6, "at 500 yuan/t gas is")
        let untaxed = run([:])
        let coveredOnly = run(["carbon_tax": tax])
        let allFuel = run(["carbon_tax": tax, "carbon_tax_on_all_fuel": 1])
        let delayed = run(["carbon_tax": tax, "carbon_tax_on_all_fuel": 1, "carbon_tax_start_year": 2021])
        let demand = 24 * 3 * testCatalog.building(.datacenter).itLoadKW * testCatalog.building(.datacenter).pue
        #expect(close(untaxed.coal, demand) && untaxed.gas == 0)
        #expect(coveredOnly.coal == untaxed.coal && coveredOnly.gas == 0, "a tax on covered firms only is the market's business")
        #expect(allFuel.coal == 0 && close(allFuel.gas, demand))
        #expect(delayed.coal == untaxed.coal, "a tax that starts next year does not move today's dispatch")
    }

    @Test func allFuelTaxEarnsTaxTimesDirectFossilTonnes() throws {
        // Homes heated by gas and one gas plant; nobody works, so nobody commutes, and nobody
        // owns a car, so the residents' other trips burn no fuel (they walk, cycle or stay home):
        // the taxed and untaxed towns stay physically identical.
        let noCars = try testCatalog.setting("choice.car_ownership", to: 0, source: "test: nobody owns a car")
        func town(_ policies: [String: Double]) -> City {
            var structures: [(Structure, Int, Int)] = [(.plant(.gas), 0, 0)]
            for x in 1..<12 { structures.append((.building(.residential), x, 0)) }
            return policyTown(structures, policies: policies, catalog: noCars)
        }
        let tax = 200.0
        let taxed = town(["carbon_tax": tax, "carbon_tax_on_all_fuel": 1])
        let untaxed = town([:])
        let days = 3
        taxed.run(hours: 24 * days - 1)
        untaxed.run(hours: 24 * days - 1)
        // At 22:00 of the last day, earlier days are credited and today's tax is still due.
        let pending = try #require(taxed.world.resource(AdoptionState.self))
        #expect(pending.fuelTaxDue > 0)
        #expect(close(taxed.view.budget.incomeThisYear - untaxed.view.budget.incomeThisYear, pending.fuelTaxThisYear, tolerance: 1e-9))
        taxed.step()
        untaxed.step()
        let books = taxed.view.ledger.thisYear.tally
        let power = books.tonnes(.power, .direct), heating = books.tonnes(.buildings, .direct)
        #expect(power > 0 && heating > 0)
        #expect(books.tonnes(.transport, .direct) == 0 && books.tonnes(.industry, .direct) == 0)
        #expect(close(books.tonnes(.power, .direct), untaxed.view.ledger.thisYear.tally.tonnes(.power, .direct)))
        let state = try #require(taxed.world.resource(AdoptionState.self))
        #expect(close(state.fuelTaxThisYear, tax * (power + heating)), "\(state.fuelTaxThisYear) yuan vs \(tax * (power + heating))")
        #expect(close(state.fuelTaxOnCityPlantsThisYear, tax * power))
        // In the budget: the tax on every fuel tonne is income; the city pays its own plants' share.
        #expect(close(taxed.view.budget.incomeThisYear - untaxed.view.budget.incomeThisYear, tax * (power + heating), tolerance: 1e-9))
        #expect(close(taxed.view.budget.spendingThisYear - untaxed.view.budget.spendingThisYear, tax * power, tolerance: 1e-9))
        #expect(untaxed.world.resource(AdoptionState.self)!.fuelTaxThisYear == 0)
    }

    @Test func allFuelTaxMakesPetrolCarsDearer() throws {
        func trips(_ policies: [String: Double]) -> Double {
            var structures: [(Structure, Int, Int)] = [(.plant(.coal), 0, 0)]
            for x in 1..<20 { structures.append((.building(.residential), x, 0)) }
            for x in 0..<40 { structures.append((.building(.office), x, 2)) }
            structures.append((.building(.residential), 39, 0))
            let city = policyTown(structures, width: 40, policies: policies)
            city.run(hours: 48)
            return city.view.transport.tripsByMode[Int(TravelMode.carPetrol.rawValue)]
        }
        let untaxed = trips([:])
        let taxed = trips(["carbon_tax": 2000, "carbon_tax_on_all_fuel": 1])
        #expect(untaxed > 0)
        #expect(taxed < untaxed, "\(taxed) petrol trips with the tax, \(untaxed) without")
        #expect(trips(["carbon_tax": 2000]) == untaxed, "a tax on covered firms only does not reach drivers")
    }

    // MARK: The green paradox

    @Test func greenParadoxRaisesIndustrialEmissionsInTheRushYear() throws {
        func town(_ policies: [String: Double]) -> City {
            let city = policyTown([(.plant(.coal), 0, 0), (.building(.industrial), 2, 0), (.building(.residential), 3, 0),
                                   (.building(.residential), 4, 0)], policies: policies)
            city.world.insertResource(LevelRules())  // a feed for the advisor
            return city
        }
        let announced = ["carbon_tax": 100.0, "carbon_tax_announced_year": 2020, "carbon_tax_start_year": 2022]
        var rushPolicies = announced
        rushPolicies["green_paradox"] = 1
        let rush = town(rushPolicies), calm = town(announced)
        rush.run(hours: 48)
        calm.run(hours: 48)
        func process(_ city: City) -> Double {
            city.view.ledgerLines(entity(at: 2, 0, in: city)).first { $0.line == .process }?.flow.yearTonnes ?? 0
        }
        let factor = 1 + testCatalog.carbon.fossilRush
        #expect(process(calm) > 0)
        #expect(close(process(rush), process(calm) * factor), "\(process(rush)) t vs \(process(calm)) t × \(factor)")
        #expect(rush.view.ledger.thisYear.tally.tonnes(.industry, .direct) > calm.view.ledger.thisYear.tally.tonnes(.industry, .direct))
        let factoryKWh = { (city: City) in city.view.demandKWh(of: entity(at: 2, 0, in: city))! }
        #expect(factoryKWh(rush) > factoryKWh(calm))
        // One advisor message, in both languages, citing the sources.
        let advice = rush.view.rules!.messages.filter { $0.kind == .advisor }
        #expect(advice.count == 1)
        #expect(advice.first?.text.en.contains("green paradox") == true && advice.first?.text.en.contains("Sinn 2008") == true)
        #expect(advice.first?.text.zh.contains("绿色悖论") == true && advice.first?.text.zh.contains("《数字低碳与低碳数字》") == true)
        #expect(calm.view.rules!.messages.filter { $0.kind == .advisor }.isEmpty)
    }
}
