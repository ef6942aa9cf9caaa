// LedgerTests — the city's total equals the sum over all entities, every tick; every flow is
// explained by a factor, its unit and source, and a quantity.
import CitySim
import ECS
import Testing

/// Sums every entity's lines, and the city's network lines (roads, bridges, tunnels, which have
/// no entity), for the last tick and for the current year, by sector and scope.
func entitySums(_ city: City, tick: Int64, year: Int) -> (tick: LedgerTally, year: LedgerTally) {
    var tickSum = LedgerTally(), yearSum = LedgerTally()
    func add(_ flow: Flow) {
        guard flow.isUsed else { return }
        if flow.tick == tick { tickSum.add(flow.tickTonnes, sector: flow.sector, scope: flow.scope) }
        if flow.year == year { yearSum.add(flow.yearTonnes, sector: flow.sector, scope: flow.scope) }
    }
    city.world.forEachLedgerLine { _, flow in add(flow) }
    city.view.networkBooks.forEachFlow { _, flow in add(flow) }
    return (tickSum, yearSum)
}

func tallyClose(_ a: LedgerTally, _ b: LedgerTally) -> Bool {
    Sector.allCases.allSatisfy { sector in Scope.allCases.allSatisfy { close(a.tonnes(sector, $0), b.tonnes(sector, $0), tolerance: 1e-7) } }
}

/// A city loaded from an older save plays on with its books equal to the sum over its entities
/// (and those retired this year), and saves in today's format to the same city.
/// Loads a save fixture of an older format (`Saves/…`), checking its format, its budget and its
/// command log as its README gives them.
func loadOlderSave(_ path: String, format: UInt32, budget: Double, within tolerance: Double, commands: Int) throws -> City {
    let path = repositoryRoot + "/Tests/CitySimTests/Saves/" + path
    #expect(try SaveGame.readHeader(from: path).formatVersion == format)
    let loaded = try SaveGame.load(from: path, catalog: testCatalog).city
    #expect(abs(loaded.view.budget.balance - budget) < tolerance, "\(loaded.view.budget.balance)")
    #expect(loaded.view.commandLog.count == commands)
    return loaded
}

func expectBooksBalanceAndTodaysFormat(_ city: City) throws {
    let clock = city.view.clock
    var year = entitySums(city, tick: clock.tick - 1, year: clock.year).year
    year.add(city.view.ledger.retiredThisYear)
    #expect(tallyClose(city.view.ledger.thisYear.tally, year))
    let bytes = try city.saveData()
    #expect(bytes[8] == UInt8(SaveGame.formatVersion))
    let again = try SaveGame.decode(bytes, catalog: testCatalog).city
    #expect(again.world.contentHash() == city.world.contentHash())
}

/// A random small city drawn from `seed`: a road grid and random structures in its blocks.
func randomCity(seed: UInt64) -> City {
    var random = SeededRandom(seed: seed)
    let side = 12 + Int(random.next() % 12)
    var level = LevelSetup(info: LevelInfo(id: "random", title: "Random", seed: seed, initialOccupancy: 0.3 + random.unit() * 0.7),
                           width: side, height: side, budget: 1e12)
    let all = Structure.all.filter { if case .busStop = $0 { return false }; if case .metroStation = $0 { return false }; if case .bikeLane = $0 { return false }; if case .road = $0 { return false }; return true }
    for y in 0..<side {
        for x in 0..<side {
            if x % 4 == 0 || y % 4 == 0 {
                level.placements.append((.road, x, y))
            } else if random.unit() < 0.8 {
                var structure = all[Int(random.next() % UInt64(all.count))]
                if case .building(let kind, _) = structure { structure = .building(kind, density: 0.05 + random.unit() * 0.5) }
                level.placements.append((structure, x, y))
            }
        }
    }
    return City(level: level, catalog: testCatalog)
}

@Suite("Carbon ledger")
struct LedgerTests {
    @Test(arguments: [UInt64(11), 12, 13, 14, 15, 16])
    func cityTotalEqualsSumOverEntitiesEveryTick(seed: UInt64) throws {
        let city = randomCity(seed: seed)
        var random = SeededRandom(seed: seed ^ 0xABCD)
        let side = city.view.map.width
        for hour in 0..<24 * 8 {
            // Now and then the player demolishes or builds something.
            if hour % 17 == 5 {
                let x = Int(random.next() % UInt64(side)), y = Int(random.next() % UInt64(side))
                // Roads and tunnels book on the city's network lines, which the sums include.
                let roll = random.unit()
                city.submit(roll < 0.4 ? .demolish(x: x, y: y) : roll < 0.6 ? .build(.road, x: x, y: y)
                            : roll < 0.7 ? .build(.metroTunnel, x: x, y: y) : .build(.zone(.park), x: x, y: y))
            }
            let clock = city.view.clock
            city.step()
            let ledger = city.view.ledger
            let sums = entitySums(city, tick: clock.tick, year: clock.year)
            let hour = try #require(ledger.hourly.last)
            let hourBooks = hour.tally
            var tickEntities = sums.tick
            tickEntities.add(hour.retired)
            #expect(tallyClose(hourBooks, tickEntities), "tick \(clock.tick): city \(hourBooks.cityNet) vs entities \(tickEntities.cityNet)")
            var yearEntities = sums.year
            yearEntities.add(ledger.retiredThisYear)
            #expect(tallyClose(ledger.thisYear.tally, yearEntities), "year so far at tick \(clock.tick)")
            // Scope 2 is an attribution of the power sector's direct emissions: never more.
            let scope2 = Sector.allCases.reduce(0.0) { $0 + hourBooks.tonnes($1, .electricity) }
            #expect(scope2 <= hourBooks.tonnes(.power, .direct) + 1e-9)
        }
    }

    @Test func breakdownExplainsEveryFlow() throws {
        let city = stripTown([(.plant(.coal), 0, 0), (.building(.residential, density: 0.5), 2, 0),
                              (.building(.industrial, density: 0.5), 3, 0), (.building(.office, density: 0.5), 4, 0)])
        city.overrideWeather(WeatherOverride(temperature: 0))
        city.run(hours: 30)
        let factory = entity(at: 3, 0, in: city)
        let breakdown = try #require(city.view.breakdown(factory))
        #expect(!breakdown.thisYear.isEmpty)
        for line in breakdown.thisYear {
            #expect(!line.source.isEmpty)
            #expect(!line.factorUnit.isEmpty)
            let (quantityUnit, scale) = FactorUnits.split(line.factorUnit)
            #expect(quantityUnit == line.quantityUnit)
            if line.factorPath.hasPrefix("grid factor") {
                // Hourly factors vary; each hour's tonnes are that hour's kWh × factor.
                #expect(line.tonnes > 0 && line.quantity > 0)
            } else {
                #expect(close(line.tonnes, line.quantity * line.factorValue * scale), "\(line.factorPath)")
            }
        }
        let paths = Set(breakdown.thisYear.map(\.factorPath))
        #expect(paths.contains("heating.gas_factor"), "a cold factory burns gas for heat")
        #expect(paths.contains("building.industrial.process_emissions"))
        #expect(paths.contains("building.industrial.embodied") == false, "the starting city's embodied carbon is not booked")
        let coal = try #require(city.view.breakdown(entity(at: 0, 0, in: city)))
        let stack = try #require(coal.thisYear.first { $0.factorPath == "plant.coal.emission_factor" })
        #expect(stack.factorValue == testCatalog.plant(.coal).emissionFactor)
        #expect(stack.quantityUnit == "kWh")
        #expect(stack.source.contains("IPCC"))
    }

    @Test func buildingBooksEmbodiedCarbonOnce() throws {
        let city = stripTown([(.plant(.coal), 0, 0)])
        city.submit(.build(.building(.office), x: 5, y: 0))
        city.run(hours: 3)
        let office = entity(at: 5, 0, in: city)
        let construction = try #require(city.view.ledgerLines(office).first { $0.line == .construction })
        #expect(construction.flow.yearTonnes == testCatalog.building(.office).embodied)
        #expect(city.view.ledger.thisYear.tally.tonnes(.buildings, .outsideCity) == testCatalog.building(.office).embodied)
    }
}
