// HeadlessRun.swift — `netzero run`: simulate a level for N years and write the results.
//
// Outputs (byte-identical for the same level, seed and commands):
//   yearly.csv    one row per simulated year
//   daily.csv     one row per day, from the ledger's DayClosed events
//   summary.json  the run's totals and its final state
//   inventory.csv each year's GPC inventory: sector, sub-sector, scope, tCO2e, notation keys (Inventory.swift)
//   firms.csv     each cap-and-trade firm's result in each settled compliance period
// Numbers are printed with fixed decimals by `Fixed`, never with locale-dependent formatting.

import ECS

public struct RunOptions: Sendable {
    public var years: Int
    public var outputDirectory: String
    public init(years: Int, outputDirectory: String) {
        self.years = years
        self.outputDirectory = outputDirectory
    }
}

/// Fixed-decimal formatting that is the same on every machine.
public enum Fixed {
    public static func format(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e18 else { return String(value) }
        let units = UInt64(scaled)
        let whole = units / UInt64(scale)
        let fraction = units % UInt64(scale)
        var text = String(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return (value < 0 && units != 0 ? "-" : "") + text
    }
}

public enum HeadlessRun {
    public static let yearlyHeader = "year,power_t,industry_t,buildings_t,transport_t,agriculture_waste_t,land_sinks_release_t,"
        + "removals_t,net_t,electricity_scope2_t,grid_factor_g_per_kwh,renewable_share,electricity_kwh,unserved_kwh,"
        + "curtailed_kwh,population,jobs,employed,happiness,air_pm25_ug_m3,budget_yuan,"
        + PlantKind.allCases.map { "generation_\($0.key)_kwh" }.joined(separator: ",")
        + "," + flowColumns.map(\.name).joined(separator: ",")
    /// Energy-balance, capture and scope-3 columns after the generation columns, with their decimals.
    public static let flowColumns: [(name: String, decimals: Int)] = [
        ("generation_rooftop_pv_kwh", 0), ("storage_charge_kwh", 0), ("storage_discharge_kwh", 0), ("curtailed_wind_kwh", 0),
        ("curtailed_solar_kwh", 0), ("curtailed_hydro_kwh", 0), ("grid_losses_kwh", 0), ("captured_t", 3),
        ("scope3_embodied_t", 3), ("scope3_transport_t", 3), ("net_including_scope3_t", 3),
    ]
    public static func flowValues(_ period: LedgerPeriod) -> [Double] {
        [period.rooftopKWh, period.storageChargeKWh, period.storageDischargeKWh, period.curtailedWindKWh, period.curtailedSolarKWh,
         period.curtailedHydroKWh, period.gridLossesKWh, period.captured, period.scope3Embodied,
         period.transboundaryTransport, period.netIncludingScope3]
    }
    public static func flowCells(_ values: [Double]) -> [String] {
        zip(values, flowColumns).map { Fixed.format($0, $1.decimals) }
    }
    /// Carbon-market columns that `netzero run` appends to each yearly row (Market, Certificates,
    /// Offsets, CarbonAccounts): what the market did in the year, and the city's balance after credits
    /// sold outside it.
    public static let carbonHeader = "carbon_price_yuan_per_t,covered_firms,compliance_rate,allowances_surrendered,fines_yuan,"
        + "certificates_retired,certificate_claimed_kwh,offsets_issued,offsets_sold_outside,net_after_transfers_t,"
        + "green_points,trees_planted_from_points"
    /// The city's money flows in each year, after the carbon columns: what it earned (taxes, sales,
    /// grants) and what it spent (construction, upkeep, fines), yuan. `Budget` keeps both as running
    /// totals; a year's figure is the change over the year.
    public static let budgetFlowHeader = "income_yuan,spending_yuan"
    public static let dailyHeader = "date,power_t,industry_t,buildings_t,transport_t,agriculture_waste_t,land_sinks_release_t,"
        + "removals_t,net_t,grid_factor_g_per_kwh,renewable_share,unserved_kwh"

    static func sectorColumns(_ period: LedgerPeriod) -> [String] {
        Sector.allCases.map { sector in
            let tonnes = Scope.allCases.filter(\.countsInCityTotal).reduce(0.0) { $0 + period.tally.tonnes(sector, $1) }
            // Land sinks: releases only (fires, demolition); removals have their own column.
            return Fixed.format(sector == .landSinks ? tonnes + period.removals : tonnes, 3)
        }
    }

    static func scope2(_ period: LedgerPeriod) -> Double {
        Sector.allCases.reduce(0) { $0 + period.tally.tonnes($1, .electricity) }
    }

    public static func yearlyRow(_ period: LedgerPeriod, stats: CityStats, budget: Budget) -> String {
        ([String(period.start.year)] + sectorColumns(period) + [
            Fixed.format(period.removals, 3), Fixed.format(period.net, 3), Fixed.format(scope2(period), 3),
            Fixed.format(period.gridFactor, 2), Fixed.format(period.renewableShare, 4),
            Fixed.format(period.electricityKWh, 0), Fixed.format(period.unservedKWh, 0), Fixed.format(period.curtailedKWh, 0),
            String(stats.population), String(stats.jobs), String(stats.employed), Fixed.format(stats.happiness, 4),
            Fixed.format(stats.airQuality, 2), Fixed.format(budget.balance, 0),
        ] + PlantKind.allCases.map { Fixed.format(period.generationKWh[$0], 0) } + flowCells(flowValues(period))).joined(separator: ",")
    }

    /// The carbon columns for a year that has just closed.
    public static func carbonColumns(_ view: CityView, year: Int) -> [String] {
        let period = view.carbonMarket.periods.last { $0.year == year }
        let certificates = view.certificates.years.last { $0.year == year }
        let offsets = view.offsets.years.last { $0.year == year }
        let accounts = view.carbonAccounts
        let points = accounts.history.last { $0.year == year }?.earned.total ?? accounts.earned.total
        return [
            Fixed.format(period?.price ?? 0, 2), String(period?.firms ?? 0), Fixed.format(period?.complianceRate ?? 1, 4),
            String(period?.surrendered ?? 0), Fixed.format(period?.fines ?? 0, 0),
            String(certificates?.retired ?? 0), Fixed.format(certificates?.claimedKWh ?? 0, 0),
            String(offsets?.issued ?? 0), String(offsets?.exported ?? 0),
            Fixed.format(view.carbonPosition(year: year).afterTransfers, 3),
            Fixed.format(points, 1), Fixed.format(accounts.treesPlanted, 0),
        ]
    }

    public static func dailyRow(_ period: LedgerPeriod) -> String {
        let d = period.start
        let date = "\(d.year)-\(d.month < 10 ? "0" : "")\(d.month)-\(d.day < 10 ? "0" : "")\(d.day)"
        return ([date] + sectorColumns(period) + [
            Fixed.format(period.removals, 3), Fixed.format(period.net, 3), Fixed.format(period.gridFactor, 2),
            Fixed.format(period.renewableShare, 4), Fixed.format(period.unservedKWh, 0),
        ]).joined(separator: ",")
    }

    /// Runs the city for `options.years` whole years and writes the three files.
    /// `progress(hoursDone, hoursTotal)` is called once per simulated day.
    /// Returns how many of the replay's commands were dated after the run's last tick (and so
    /// never applied).
    @discardableResult
    public static func run(_ city: City, options: RunOptions, replay: ReplayLog? = nil,
                           progress: (Int, Int) -> Void = { _, _ in }) throws -> Int {
        try FileSystem.makeDirectory(options.outputDirectory)
        var dailyLines: [String] = []
        var closedDays = EventReader<DayClosed>(after: city.world)
        var yearly = [yearlyHeader + "," + carbonHeader + "," + budgetFlowHeader]
        var earnedBefore = city.view.budget.incomeThisYear, spentBefore = city.view.budget.spendingThisYear
        var inventory = [Inventory.header]
        let startYear = city.view.clock.year
        let totalHours = Int(Clock.daysFromCivil(year: startYear + options.years, month: 1, day: 1)
            - Clock.daysFromCivil(year: startYear, month: 1, day: 1)) * 24
        var hours = 0
        var cursor = 0
        while hours < totalHours {
            if let replay { city.step(replaying: replay, cursor: &cursor) } else { city.step() }
            hours += 1
            dailyLines += closedDays.read(city.world).map { dailyRow($0.day) }
            if hours % 24 == 0 { progress(hours, totalHours) }
            if city.view.clock.isNewYear {
                let view = city.view
                let closed = view.ledger.years.last!
                let budget = view.budget
                yearly.append(yearlyRow(closed, stats: view.stats, budget: budget) + ","
                              + carbonColumns(view, year: closed.start.year).joined(separator: ",") + ","
                              + Fixed.format(budget.incomeThisYear - earnedBefore, 0) + "," + Fixed.format(budget.spendingThisYear - spentBefore, 0))
                earnedBefore = budget.incomeThisYear
                spentBefore = budget.spendingThisYear
                inventory += Inventory.rows(city.world, year: closed).map(\.csv)
            }
        }
        let directory = options.outputDirectory
        try FileSystem.writeAtomically(yearly.joined(separator: "\n") + "\n", to: directory + "/yearly.csv")
        try FileSystem.writeAtomically(([dailyHeader] + dailyLines).joined(separator: "\n") + "\n", to: directory + "/daily.csv")
        try FileSystem.writeAtomically(summary(city, years: options.years), to: directory + "/summary.json")
        try FileSystem.writeAtomically(inventory.joined(separator: "\n") + "\n", to: directory + "/inventory.csv")
        try FileSystem.writeAtomically(firmsCSV(city.view), to: directory + "/firms.csv")
        return (replay?.commands.count ?? 0) - cursor
    }

    /// firms.csv: one row per covered firm and settled compliance period (a header alone when
    /// the city has no market). The tile is empty for a firm that no longer stands.
    /// abatement_t is what the firm's abatement share kept out of the air: verified × share ÷
    /// (1 − share), verified being the emissions after the cut.
    public static let firmsHeader = "year,account,firm,kind,tile_x,tile_y,baseline_t,allocated,verified_t,abatement_share,"
        + "abatement_t,abatement_yuan,bought,sold,price_yuan_per_t,fine_yuan,status"

    public static func firmsCSV(_ view: CityView) -> String {
        var lines = [firmsHeader]
        let market = view.carbonMarket
        for period in market.periods {
            for result in period.results {
                let firm = market.firms.first { $0.account == result.account }
                let position = firm.flatMap { view.position($0.entity) }
                let share = result.abatement
                let abated = share > 0 && share < 1 ? Double(result.verified) * share / (1 - share) : 0
                lines.append([
                    String(period.year), String(result.account), csvField(firm?.name.en ?? "account \(result.account)"),
                    firm?.kind.key ?? "", position.map { String($0.x) } ?? "", position.map { String($0.y) } ?? "",
                    Fixed.format(firm?.baseline ?? 0, 3), String(result.allocated), String(result.verified), Fixed.format(share, 4),
                    Fixed.format(abated, 3), Fixed.format(result.abatementCost, 0), String(result.bought), String(result.sold),
                    Fixed.format(period.price, 2), Fixed.format(result.fine, 0), result.status.key,
                ].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    public static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The run's summary as JSON, keys in a fixed order.
    public static func summary(_ city: City, years: Int) -> String {
        let view = city.view
        let ledger = view.ledger
        let peak = ledger.years.max { $0.net < $1.net }
        let last = ledger.years.last
        var fields: [(String, String)] = [
            ("level", quote(view.level.id)),
            ("title", quote(view.level.title)),
            ("seed", String(view.level.seed)),
            ("years", String(years)),
            ("start", quote(String(describing: ledger.years.first?.start ?? view.clock.date))),
            ("end", quote(String(describing: view.clock.date))),
            ("cumulative_net_t", Fixed.format(ledger.cumulative.cityNet, 3)),
            ("cumulative_removals_t", Fixed.format(ledger.cumulative.removals, 3)),
            ("final_year_net_t", Fixed.format(last?.net ?? 0, 3)),
            ("final_year_grid_factor_g_per_kwh", Fixed.format(last?.gridFactor ?? 0, 2)),
            ("final_year_renewable_share", Fixed.format(last?.renewableShare ?? 0, 4)),
            ("peak_year", peak.map { String($0.start.year) } ?? "null"),
            ("peak_net_t", Fixed.format(peak?.net ?? 0, 3)),
            ("population", String(view.stats.population)),
            ("jobs", String(view.stats.jobs)),
            ("happiness", Fixed.format(view.stats.happiness, 4)),
            ("budget_yuan", Fixed.format(view.budget.balance, 0)),
            ("blackout_hours_final_year", String(view.grid.blackoutHoursThisYear)),
            ("commands_applied", String(view.commandLog.count)),
            ("player_commands_by_tool", commandsByTool(view.commandLog)),
        ]
        var sectors: [String] = []
        for sector in Sector.allCases {
            let tonnes = Scope.allCases.filter(\.countsInCityTotal).reduce(0.0) { $0 + ledger.cumulative.tonnes(sector, $1) }
            sectors.append("\(quote(sector.key)): \(Fixed.format(tonnes, 3))")
        }
        fields.append(("cumulative_by_sector_t", "{" + sectors.joined(separator: ", ") + "}"))
        let rules = view.rules ?? LevelRules()
        fields.append(("result", quote(rules.result.rawValue)))
        let objectives = rules.objectives.enumerated().map { i, objective in
            "{\"id\": \(quote(objective.id)), \"title_en\": \(quote(objective.title.en)), \"title_zh\": \(quote(objective.title.zh)), "
                + "\"required\": \(objective.required), \"status\": \(quote(rules.statuses[i].rawValue)), "
                + "\"value\": \(Fixed.format(rules.values[i], 4)), \"target\": \(Fixed.format(objective.target, 4)), "
                + "\"metric\": \(quote(objective.metric.rawValue)), \"comparison\": \(quote(objective.comparison.rawValue)), "
                + "\"by\": \(objective.deadlineYear)}"
        }
        fields.append(("objectives", objectives.isEmpty ? "[]" : "[\n    " + objectives.joined(separator: ",\n    ") + "\n  ]"))
        return "{\n" + fields.map { "  \(quote($0.0)): \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }

    /// The player's commands that were carried out, counted by tool, in tool-name order.
    public static func playerCommandCounts(_ log: [CommandRecord]) -> [(tool: String, count: Int)] {
        var counts: [String: Int] = [:]
        for record in log where record.source == .player {
            if case .done = record.outcome { counts[record.command.tool, default: 0] += 1 }
        }
        return counts.keys.sorted().map { ($0, counts[$0]!) }
    }

    /// `playerCommandCounts` as a JSON object.
    static func commandsByTool(_ log: [CommandRecord]) -> String {
        "{" + playerCommandCounts(log).map { "\(quote($0.tool)): \($0.count)" }.joined(separator: ", ") + "}"
    }

    /// `text` as a JSON string literal, which is also a TOML basic string (the game's settings file
    /// writes its strings with it): quotes, backslashes and control characters escaped.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let digits = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
