// Validation.swift — `netzero validate`: the model measured against published statistics.
//
// Small built-in calibration scenarios run on the real simulation (the same systems, the same
// catalog); each metric's published range, unit and source come from the catalog's
// `validation.toml`. A metric outside its range fails validation.
//
// Scenarios:
//   plant town    one plant (coal, gas, with or without CCUS) feeding four data centres, 3 days:
//                 the plant's booked CO2 (stack less capture) per kWh it sent out;
//   forest        one urban forest tile, a year of the simulation from the level's starting age,
//                 plus the growth curve's own figures by age (Sinks.swift);
//   sandbox       Levels/sandbox.toml for two years; every hour the plants' output, availability
//                 and curtailment, the stores' charge and discharge and the population are summed,
//                 and the second year (2021) is measured;
//   book market   the book's three firms at a fixed price (Market.swift).
import ECS

public struct ValidationRow: Sendable, Equatable {
    public var id: String
    public var name: Names
    public var value: Double
    public var low: Double
    public var high: Double
    public var unit: String
    public var source: String
    public var passed: Bool { value.isFinite && value >= low - 1e-9 && value <= high + 1e-9 }
    public var verdict: String { passed ? "pass" : "FAIL" }
}

/// What the sandbox scenario gathered in its second year.
public struct SandboxMeasures: Sendable {
    public var year: LedgerPeriod
    public var meanPopulation = 0.0
    public var availableKWh = GenerationByKind()
    public var outputKWh = GenerationByKind()
    public var capacityKW = GenerationByKind()
    public var chargeKWh = 0.0
    public var dischargeKWh = 0.0
    public var rooftopSuppliedKWh = 0.0
    public var hours = 0
    public var greenHectares = 0.0
    public var coolingDegreeHours = 0.0
    public var freightTonnes = 0.0
}

public enum Validation {
    /// Metric ids in the order of the table.
    public static let metricIDs = [
        "coal_factor", "gas_factor", "coal_ccus_factor", "gas_ccus_factor",
        "wind_capacity_factor", "solar_capacity_factor", "residential_cooling",
        "forest_young", "forest_established", "forest_age_30",
        "per_capita_net", "per_capita_electricity", "transport_share", "power_share", "passenger_transport",
        "removals_per_green_ha", "grid_factor_recomputed", "energy_balance",
        "book_seller", "book_buyer", "book_fine",
    ]

    /// Runs every scenario and measures every metric. `progress` is told each scenario's name.
    public static func run(catalog: Catalog, sandbox: LevelDefinition, progress: (String) -> Void = { _ in }) -> [ValidationRow] {
        var values: [String: Double] = [:]
        progress("plant towns")
        values["coal_factor"] = plantFactor(.coal, ccus: false, catalog: catalog)
        values["gas_factor"] = plantFactor(.gas, ccus: false, catalog: catalog)
        values["coal_ccus_factor"] = plantFactor(.coal, ccus: true, catalog: catalog)
        values["gas_ccus_factor"] = plantFactor(.gas, ccus: true, catalog: catalog)
        progress("forest")
        let forest = catalog.zone(.forest)
        values["forest_young"] = min(forest.maxStock, Sinks.growth(forest, fromHours: 0, toHours: 20 * Sinks.hoursPerYear)) / 20
        values["forest_age_30"] = Sinks.removalRate(forest, ageYears: 30)
        values["forest_established"] = establishedForestRemoval(catalog: catalog, seed: sandbox.setup.info.seed)
        let degreeHours = Weather.meanCoolingDegreeHours(spec: catalog.weather, disturbance: catalog.disturbance,
                                                         seed: sandbox.setup.info.seed, startYear: 2000, years: 30)
        progress("weather generator: \(Fixed.format(degreeHours, 0)) degC-h above 24 degC a year (30-year mean)")
        progress("sandbox, two years")
        let measures = measureSandbox(sandbox, catalog: catalog)
        for (id, value) in sandboxMetrics(measures, catalog: catalog) { values[id] = value }
        progress("the book's market")
        for (id, value) in bookMarket(catalog: catalog) { values[id] = value }
        return metricIDs.map { id in
            let path = "validation.\(id).range"
            let range = catalog.factor(path: path)
            let names = catalog.validationNames[id] ?? Names(en: id, zh: id)
            return ValidationRow(id: id, name: names, value: values[id] ?? .nan,
                                 low: range?.values.first ?? .nan, high: range?.values.last ?? .nan,
                                 unit: range?.unit ?? "?", source: range?.source ?? "missing: \(path) in validation.toml")
        }
    }

    // MARK: Scenarios

    /// A town of four data centres on one road, powered by one plant: its net booked CO2 per kWh sent out.
    static func plantFactor(_ kind: PlantKind, ccus: Bool, catalog: Catalog) -> Double {
        var setup = LevelSetup(info: LevelInfo(id: "validate-plant", title: "Plant town", seed: 1), width: 12, height: 3, budget: 1e12)
        for x in 0..<12 { setup.placements.append((.road, x, 1)) }
        for x in [2, 4, 6, 8] { setup.placements.append((.building(.datacenter, density: 1), x, 0)) }
        setup.placements.append((.plant(kind), 0, 2))
        if ccus { setup.upgrades.append((.ccus, 0, 2)) }
        let city = City(level: setup, catalog: catalog)
        var sentOut = 0.0
        for _ in 0..<72 {
            city.step()
            city.world.query(Read<PowerPlant>.self).forEach { sentOut += $0.outputKW }
        }
        var tonnes = 0.0
        // The stack line books the CO2 that escapes (capture is kept apart; CH4 and N2O are on the process line).
        city.world.query(Read<PowerPlant>.self, Read<PrimaryLine>.self).forEach { _, stack in tonnes += stack.lifetimeTonnes }
        return sentOut > 0 ? tonnes * 1e6 / sentOut : .nan
    }

    /// One forest tile started as a level's starting zones start; its removals over the first year, per ha.
    static func establishedForestRemoval(catalog: Catalog, seed: UInt64) -> Double {
        var setup = LevelSetup(info: LevelInfo(id: "validate-forest", title: "Forest", seed: seed), width: 3, height: 3, budget: 0)
        setup.placements.append((.zone(.forest), 1, 1))
        let city = City(level: setup, catalog: catalog)
        let start = city.view.clock.year
        while city.view.clock.year == start { city.step() }
        let year = city.view.ledger.years.last!
        return year.removals / catalog.zone(.forest).areaHa
    }

    /// Runs the sandbox for two years and gathers the second year's physical totals hour by hour.
    public static func measureSandbox(_ level: LevelDefinition, catalog: Catalog) -> SandboxMeasures {
        let city = City(level: level, catalog: catalog)
        let startYear = city.view.clock.year
        var m = SandboxMeasures(year: LedgerPeriod(start: city.view.clock.date))
        var populationSum = 0.0
        var days = 0
        while city.view.clock.year < startYear + 2 {
            let measuring = city.view.clock.year == startYear + 1
            city.step()
            guard measuring else { continue }
            m.hours += 1
            city.world.query(Read<PowerPlant>.self).forEach { plant in
                m.outputKWh[plant.kind] += plant.outputKW
                m.availableKWh[plant.kind] += plant.kind.isVariable ? plant.availableKW : plant.outputKW
            }
            m.coolingDegreeHours += max(0, city.view.weather.temperature - 24)
            if city.view.clock.hour == 0 {
                populationSum += Double(city.view.stats.population)
                days += 1
            }
        }
        m.year = city.view.ledger.years.last!
        m.chargeKWh = m.year.storageChargeKWh
        m.dischargeKWh = m.year.storageDischargeKWh
        m.rooftopSuppliedKWh = m.year.rooftopKWh
        m.meanPopulation = days > 0 ? populationSum / Double(days) : 0
        let closed = m.year.start.year
        city.world.query(Read<PowerPlant>.self).forEach { plant in
            m.capacityKW[plant.kind] += catalog.plant(plant.kind).capacityKW
        }
        city.world.query(Read<GreenZone>.self).forEach { zone in m.greenHectares += catalog.zone(zone.kind).areaHa }
        m.greenHectares += Double(ForestLand.standingTiles(city.view.map)) * catalog.forestLand.areaHa
        city.world.forEachBookedLine { _, line, flow, _ in
            if (line == .freightRoad || line == .freightRail) && flow.year == closed { m.freightTonnes += flow.yearTonnes }
        }
        return m
    }

    static func sandboxMetrics(_ m: SandboxMeasures, catalog: Catalog) -> [(String, Double)] {
        let year = m.year
        let population = max(1, m.meanPopulation)
        let hours = Double(max(1, m.hours))
        // Residents' travel wherever it runs, as national figures count it: the city's own roads
        // (scope 1) and the out-of-town part of their trips (scope 3, the GPC's transboundary
        // transport), which joins the gross total for the shares.
        let transboundary = year.transboundaryTransport
        let gross = year.net + year.removals + transboundary
        let transport = year.tally.tonnes(.transport, .direct) + transboundary
        let passenger = transport - m.freightTonnes + year.tally.tonnes(.transport, .electricity)
        var generated = 0.0
        var recomputed = 0.0
        for kind in PlantKind.allCases {
            generated += year.generationKWh[kind]
            recomputed += year.generationKWh[kind] * (catalog.plant(kind).emissionFactor + catalog.plant(kind).nonCO2Factor)
        }
        generated += m.rooftopSuppliedKWh
        let recomputedFactor = generated > 0 ? recomputed / generated : 0
        let balance = generated - (year.electricityKWh + m.chargeKWh - m.dischargeKWh + year.gridLossesKWh)
        let residential = catalog.building(.residential)
        return [
            ("wind_capacity_factor", m.capacityKW[.wind] > 0 ? m.availableKWh[.wind] / (m.capacityKW[.wind] * hours) : .nan),
            ("solar_capacity_factor", m.capacityKW[.solar] > 0 ? m.availableKWh[.solar] / (m.capacityKW[.solar] * hours) : .nan),
            ("residential_cooling", residential.coolingPerDegree * m.coolingDegreeHours / residential.floorArea),
            ("per_capita_net", year.net / population),
            ("per_capita_electricity", year.electricityKWh / population),
            ("transport_share", gross > 0 ? transport / gross : .nan),
            ("power_share", gross > 0 ? year.tally.tonnes(.power, .direct) / gross : .nan),
            ("passenger_transport", passenger / population),
            ("removals_per_green_ha", m.greenHectares > 0 ? year.removals / m.greenHectares : .nan),
            ("grid_factor_recomputed", recomputedFactor > 0 ? year.gridFactor / recomputedFactor - 1 : .nan),
            ("energy_balance", generated > 0 ? balance / generated : .nan),
        ]
    }

    /// The book's three firms (100,000 t each, a 3% cut, all free) at a fixed price: what A sold,
    /// what B bought, and C's fine per missing allowance over the price.
    static func bookMarket(catalog: Catalog) -> [(String, Double)] {
        let price = 68.38
        let world = World()
        world.insertResource(catalog)
        world.insertResource(Clock(startYear: 2025))
        world.insertResource(Budget(balance: 0))
        world.insertResource(CityStats())
        world.insertResource(OffsetBook(year: 2025))
        var policies = Policies()
        policies.capAndTrade = 1
        policies.capStringency = 0.97
        policies.freeAllocationShare = 1
        policies.banking = 0
        var market = CarbonMarket()
        market.rules.fixedPrice = price
        market.rules.threshold = 26_000
        for (x, abatement, buys) in [(0, 0.10, true), (1, 0.0, true), (2, 0.0, false)] {
            var firm = MarketRules.FirmSetting(x: x, y: 0)
            firm.abatement = abatement
            firm.buys = buys
            market.rules.firms.append(firm)
        }
        var registry = CarbonRegistry()
        let entities = (0..<3).map { world.spawn(TilePosition($0, 0)) }
        func emissions(_ tonnes: [Double]) -> FirmEmissions {
            FirmEmissions(candidates: (0..<3).map {
                FirmEmissions.Candidate(entity: entities[$0], kind: .industry, name: Names(en: "Firm \($0)", zh: "企业\($0)"),
                                        x: $0, y: 0, tonnes: tonnes[$0], activity: 1)
            })
        }
        world.insertResource(policies)
        let baseline = emissions([100_000, 100_000, 100_000])
        Market.admitFirms(&market, registry: &registry, world: world, emissions: baseline, catalog: catalog)
        Market.open(&market, year: 2026, firstYear: 2026, registry: &registry, world: world, emissions: baseline,
                    catalog: catalog, policies: policies, tick: 0)
        Market.settle(&market, registry: &registry, world: world, emissions: emissions([90_000, 100_000, 100_000]),
                      catalog: catalog, policies: policies, tick: 0)
        let firms = market.firms
        guard firms.count == 3 else { return [] }
        let fineRatio = firms[2].shortfall > 0 ? firms[2].fine / (Double(firms[2].shortfall) * price) : .nan
        return [("book_seller", Double(firms[0].sold)), ("book_buyer", Double(firms[1].bought)), ("book_fine", fineRatio)]
    }

    // MARK: Output

    /// The table as text: metric, model value, range, verdict; each source on the line below.
    public static func table(_ rows: [ValidationRow]) -> String {
        var lines: [String] = []
        let width = min(84, rows.map { $0.name.en.count }.max() ?? 20)
        lines.append(pad("metric", width) + "  " + pad("model", 12) + "  " + pad("range", 24) + "  verdict")
        for row in rows {
            let name = row.name.en.count > width ? String(row.name.en.prefix(width - 1)) + "…" : row.name.en
            let range = "\(number(row.low))–\(number(row.high)) \(row.unit)"
            lines.append(pad(name, width) + "  " + pad(number(row.value), 12) + "  " + pad(range, 24) + "  " + row.verdict)
            lines.append("    source: " + row.source)
        }
        let failed = rows.filter { !$0.passed }.count
        lines.append("\(rows.count) metrics: \(rows.count - failed) pass, \(failed) fail")
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ rows: [ValidationRow]) -> String {
        let items = rows.map { row in
            "{\"id\": \(HeadlessRun.quote(row.id)), \"metric_en\": \(HeadlessRun.quote(row.name.en)), "
                + "\"metric_zh\": \(HeadlessRun.quote(row.name.zh)), \"value\": \(row.value.isFinite ? Fixed.format(row.value, 6) : "null"), "
                + "\"low\": \(Fixed.format(row.low, 6)), \"high\": \(Fixed.format(row.high, 6)), \"unit\": \(HeadlessRun.quote(row.unit)), "
                + "\"source\": \(HeadlessRun.quote(row.source)), \"verdict\": \(HeadlessRun.quote(row.verdict))}"
        }
        return "{\"metrics\": [\n  " + items.joined(separator: ",\n  ") + "\n], \"failed\": \(rows.filter { !$0.passed }.count)}\n"
    }

    /// Three significant decimals, or fewer for large numbers, with fixed formatting.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        let magnitude = abs(value)
        return Fixed.format(value, magnitude >= 1000 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 4)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
