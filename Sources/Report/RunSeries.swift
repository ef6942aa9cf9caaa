// RunSeries.swift — what the educator's report is drawn from, read from either input:
//
//   a run directory written by `netzero run`   yearly.csv (one row per year) and summary.json
//   a save (.nzsave)                           the city's ledger: completed years, plus the
//                                              current year so far (marked partial)
//
// Both become one `RunSeries`: the level, seed and result, a `YearRow` per year, the objectives,
// and the player's commands counted by tool. Every problem with the input is a `ReportError`
// whose description says which file, which line and what to do; nothing here crashes on bad input.
import CitySim
import Foundation
import TOML

/// Why a report could not be made. `description` is written for teachers.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input path does not exist.
    case missingInput(String)
    /// The input is neither a run directory nor a save.
    case unknownInput(String)
    /// A file the input needs is missing or unreadable.
    case missingFile(String, hint: String)
    /// A file is there but its contents are wrong: file, line (0 = whole file), problem.
    case malformed(file: String, line: Int, problem: String)
    /// The save could not be loaded (the save code's own message).
    case save(path: String, message: String)
    /// No font with the glyphs the charts need.
    case noFont(String)
    /// An output could not be written.
    case unwritable(path: String, reason: String)

    /// A save error's text without the game's "your current game was not changed" (no game runs here).
    static func saveMessage(_ error: SaveError) -> String {
        error.description.replacingOccurrences(of: " Your current game was not changed.", with: "")
    }

    public var description: String {
        switch self {
        case .missingInput(let path):
            return "\(path): error: no such file or directory (give a run directory written by `netzero run ... --out DIR`, or a .nzsave file)"
        case .unknownInput(let path):
            return "\(path): error: not a run directory (no yearly.csv) and not a .nzsave file"
        case .missingFile(let path, let hint):
            return "\(path): error: missing or unreadable (\(hint))"
        case .malformed(let file, let line, let problem):
            return line > 0 ? "\(file):\(line): error: \(problem)" : "\(file): error: \(problem)"
        case .save(let path, let message):
            return "\(path): error: \(message)"
        case .noFont(let detail):
            return "netzero report: error: no font for the charts' text (\(detail)); install fonts-wqy-microhei (Tools/setup does) or set NETZERO_FONT"
        case .unwritable(let path, let reason):
            return "\(path): error: cannot write (\(reason))"
        }
    }
}

/// One year of the series. Optional fields are absent from some inputs: a save keeps no
/// year-end population or budget for past years, and an older yearly.csv has no generation.
public struct YearRow: Sendable, Equatable {
    public var year: Int
    /// The year is not over (a save's current year).
    public var partial = false
    /// tCO2e by `Sector.allCases`: direct + embodied; for land sinks, releases only.
    public var sectors: [Double]
    public var removals: Double
    public var net: Double
    public var scope2: Double
    /// gCO2/kWh over the year.
    public var gridFactor: Double
    /// 0…1 of delivered electricity.
    public var renewableShare: Double
    public var electricityKWh: Double
    public var unservedKWh: Double
    public var curtailedKWh: Double
    /// kWh by `PlantKind.allCases`; nil when the input does not record it.
    public var generationKWh: [Double]?
    /// `HeadlessRun.flowColumns` (storage, curtailment by source, capture, scope 3); nil when not recorded.
    public var flows: [Double]?
    public var population: Int?
    public var jobs: Int?
    public var employed: Int?
    public var happiness: Double?
    public var airPM25: Double?
    public var budget: Double?
    /// What the city earned and spent in the year, yuan (nil in a yearly.csv without these columns).
    public var income: Double?
    public var spending: Double?

    public var emissions: Double { sectors.reduce(0) { $0 + max(0, $1) } }

    public init(year: Int, sectors: [Double], removals: Double, net: Double, scope2: Double = 0, gridFactor: Double,
                renewableShare: Double, electricityKWh: Double = 0, unservedKWh: Double = 0, curtailedKWh: Double = 0) {
        self.year = year
        self.sectors = sectors
        self.removals = removals
        self.net = net
        self.scope2 = scope2
        self.gridFactor = gridFactor
        self.renewableShare = renewableShare
        self.electricityKWh = electricityKWh
        self.unservedKWh = unservedKWh
        self.curtailedKWh = curtailedKWh
    }

    /// A row from a ledger period (a save's years).
    init(period: LedgerPeriod, partial: Bool) {
        self.init(year: period.start.year,
                  sectors: Sector.allCases.map { sector in
                      let tonnes = Scope.allCases.filter(\.countsInCityTotal).reduce(0.0) { $0 + period.tally.tonnes(sector, $1) }
                      return sector == .landSinks ? tonnes + period.removals : tonnes
                  },
                  removals: period.removals, net: period.net,
                  scope2: Sector.allCases.reduce(0) { $0 + period.tally.tonnes($1, .electricity) },
                  gridFactor: period.gridFactor, renewableShare: period.renewableShare,
                  electricityKWh: period.electricityKWh, unservedKWh: period.unservedKWh, curtailedKWh: period.curtailedKWh)
        self.partial = partial
        generationKWh = PlantKind.allCases.map { period.generationKWh[$0] }
        flows = HeadlessRun.flowValues(period)
    }
}

/// One objective of the level, as judged (or as it stands, while pending).
public struct ObjectiveRow: Sendable, Equatable {
    public var id: String
    public var title: Names
    public var metric: String
    /// "at_most" or "at_least".
    public var comparison: String
    public var target: Double
    public var deadline: Int
    public var value: Double
    /// "met", "failed" or "pending".
    public var status: String
    public var required: Bool

    public init(id: String, title: Names, metric: String, comparison: String, target: Double, deadline: Int, value: Double,
                status: String, required: Bool = true) {
        self.id = id
        self.title = title
        self.metric = metric
        self.comparison = comparison
        self.target = target
        self.deadline = deadline
        self.value = value
        self.status = status
        self.required = required
    }
}

public struct RunSeries: Sendable {
    public enum Source: Sendable, Equatable {
        case runDirectory(String)
        case save(String)
        /// A game in play (the game's end-of-lesson screen); the text says which (e.g. the date).
        case game(String)
    }

    public var source: Source
    public var levelID: String
    public var levelTitle: Names
    public var seed: UInt64
    /// First and last simulated dates, as the simulation prints them.
    public var start: String
    public var end: String
    /// "won", "lost" or "undecided".
    public var result: String
    public var years: [YearRow]
    public var objectives: [ObjectiveRow]
    /// The player's commands that were carried out, by tool; nil if the input does not say.
    public var commandsByTool: [(tool: String, count: Int)]?
    /// Every command applied (player's and script's, done or refused); nil if unknown.
    public var commandsApplied: Int?
    /// The text of yearly.csv as written into the report (the run's own file, or rebuilt from a save).
    public var yearlyCSV: String
    /// The text of firms.csv (each cap-and-trade firm's result per settled period), nil when the
    /// run directory has none (written by an older `netzero run`).
    public var firmsCSV: String?

    public init(source: Source, levelID: String, levelTitle: Names, seed: UInt64, start: String, end: String, result: String,
                years: [YearRow], objectives: [ObjectiveRow], commandsByTool: [(tool: String, count: Int)]?,
                commandsApplied: Int?, yearlyCSV: String, firmsCSV: String? = nil) {
        self.firmsCSV = firmsCSV
        self.source = source
        self.levelID = levelID
        self.levelTitle = levelTitle
        self.seed = seed
        self.start = start
        self.end = end
        self.result = result
        self.years = years
        self.objectives = objectives
        self.commandsByTool = commandsByTool
        self.commandsApplied = commandsApplied
        self.yearlyCSV = yearlyCSV
    }

    /// Whether any year records generation by plant kind.
    public var hasGeneration: Bool { years.contains { $0.generationKWh != nil } }

    // MARK: - Loading

    /// Whether `path` is to be read as a save: named .nzsave, or starting with a save's magic.
    public static func isSave(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return false }
        if path.hasSuffix(".nzsave") { return true }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return [UInt8](handle.readData(ofLength: SaveGame.magic.count)) == SaveGame.magic
    }

    /// Reads `path`: a run directory, or a save loaded with `catalog`. `level` is asked for the
    /// level by its file (a save's header) or its id (a run's summary): when it finds the same
    /// level, its title is shown in both languages (a run keeps only the English one).
    public static func load(_ path: String, catalog: () throws -> Catalog,
                            level: (String) -> LevelDefinition? = { _ in nil }) throws -> RunSeries {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ReportError.missingInput(path) }
        var series: RunSeries
        if isDirectory.boolValue {
            series = try load(runDirectory: path)
            if let definition = level(series.levelID), definition.setup.info.id == series.levelID { series.levelTitle = definition.title }
            return series
        }
        guard isSave(path) else { throw ReportError.unknownInput(path) }
        let header: SaveHeader
        do {
            header = try SaveGame.readHeader(from: path)
        } catch {
            throw ReportError.save(path: path, message: ReportError.saveMessage(error))
        }
        let definition = level(header.levelFile.isEmpty ? header.levelID : header.levelFile)
        return try load(save: path, catalog: try catalog(), level: definition?.setup.info.id == header.levelID ? definition : nil)
    }

    /// Reads yearly.csv and summary.json from a directory written by `netzero run`.
    public static func load(runDirectory directory: String) throws(ReportError) -> RunSeries {
        let yearlyPath = directory + "/yearly.csv"
        let summaryPath = directory + "/summary.json"
        guard FileSystem.exists(yearlyPath) else {
            throw .missingFile(yearlyPath, hint: "write a run directory with `netzero run LEVEL --years N --out DIR`")
        }
        guard let yearlyBytes = FileSystem.read(yearlyPath) else { throw .missingFile(yearlyPath, hint: "it cannot be read") }
        guard let yearlyText = String(validating: yearlyBytes, as: UTF8.self) else {
            throw .malformed(file: yearlyPath, line: 0, problem: "not UTF-8 text")
        }
        let years = try YearlyCSV.parse(yearlyText, file: yearlyPath)
        guard let summaryBytes = FileSystem.read(summaryPath) else {
            throw .missingFile(summaryPath, hint: "`netzero run` writes it beside yearly.csv; run it again")
        }
        let summary = try Summary(bytes: summaryBytes, file: summaryPath)
        // summary.json holds the English title; the Chinese one is in the level file of that id.
        let title = LevelTitles.find(id: summary.levelID, english: summary.title) ?? Names(en: summary.title, zh: summary.title)
        return RunSeries(source: .runDirectory(directory), levelID: summary.levelID,
                         levelTitle: title, seed: summary.seed,
                         start: summary.start, end: summary.end, result: summary.result, years: years,
                         objectives: summary.objectives, commandsByTool: summary.commandsByTool,
                         commandsApplied: summary.commandsApplied, yearlyCSV: yearlyText,
                         firmsCSV: FileSystem.read(directory + "/firms.csv").flatMap { String(validating: $0, as: UTF8.self) })
    }

    /// Loads a save and takes its series from the ledger: completed years, then the current
    /// year so far (partial) unless the save is exactly at the start of a year.
    public static func load(save path: String, catalog: Catalog, level: LevelDefinition? = nil) throws(ReportError) -> RunSeries {
        let loaded: LoadedGame
        do {
            loaded = try SaveGame.load(from: path, catalog: catalog)
        } catch {
            throw .save(path: path, message: ReportError.saveMessage(error))
        }
        return live(loaded.city.view, source: .save(path), level: level)
    }

    /// The series of a city as it stands (a loaded save, or the game in play): completed years,
    /// then the current year so far (partial) unless the city is exactly at the start of a year.
    public static func live(_ view: CityView, source: Source, level: LevelDefinition? = nil) -> RunSeries {
        let ledger = view.ledger
        var years = ledger.years.map { YearRow(period: $0, partial: false) }
        // Saved at 1 January, 00:00, the current year has not started: nothing to show for it.
        if !view.clock.isNewYear {
            var current = YearRow(period: ledger.thisYear, partial: true)
            current.population = view.stats.population
            current.jobs = view.stats.jobs
            current.employed = view.stats.employed
            current.happiness = view.stats.happiness
            current.airPM25 = view.stats.airQuality
            current.budget = view.budget.balance
            years.append(current)
        }
        let rules = view.rules ?? LevelRules()
        let objectives = rules.objectives.enumerated().map { i, o in
            ObjectiveRow(id: o.id, title: o.title, metric: o.metric.rawValue, comparison: o.comparison.rawValue, target: o.target,
                         deadline: o.deadlineYear, value: rules.values[i], status: rules.statuses[i].rawValue, required: o.required)
        }
        let title = level?.title ?? Names(en: view.level.title, zh: view.level.title)
        let first = ledger.years.first?.start ?? ledger.thisYear.start
        return RunSeries(source: source, levelID: view.level.id, levelTitle: title, seed: view.level.seed,
                         start: String(describing: SimDate(year: first.year, month: first.month, day: first.day, hour: 0)),
                         end: String(describing: view.clock.date), result: rules.result.rawValue, years: years,
                         objectives: objectives, commandsByTool: HeadlessRun.playerCommandCounts(view.commandLog),
                         commandsApplied: view.commandLog.count, yearlyCSV: YearlyCSV.text(years),
                         firmsCSV: HeadlessRun.firmsCSV(view))
    }
}

// MARK: - yearly.csv

/// Reading `netzero run`'s yearly.csv by column name, and writing one rebuilt from a save.
public enum YearlyCSV {
    static let required = ["year", "power_t", "industry_t", "buildings_t", "transport_t", "agriculture_waste_t",
                           "removals_t", "net_t", "grid_factor_g_per_kwh", "renewable_share"]
    static func sectorColumn(_ sector: Sector) -> String { sector == .landSinks ? "land_sinks_release_t" : sector.key + "_t" }
    static func generationColumn(_ kind: PlantKind) -> String { "generation_\(kind.key)_kwh" }

    public static func parse(_ text: String, file: String) throws(ReportError) -> [YearRow] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard let headerLine = lines.first, !headerLine.isEmpty else {
            throw .malformed(file: file, line: 1, problem: "the file is empty; expected the header `\(HeadlessRun.yearlyHeader.prefix(40))…`")
        }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() where index[name] == nil { index[name] = i }
        let missing = required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw .malformed(file: file, line: 1, problem: "not a yearly.csv from `netzero run`: no column \(missing.map { "'\($0)'" }.joined(separator: ", "))")
        }
        let hasGeneration = PlantKind.allCases.allSatisfy { index[generationColumn($0)] != nil }
        var rows: [YearRow] = []
        for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let lineNumber = offset + 1
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == header.count else {
                throw .malformed(file: file, line: lineNumber, problem: "\(cells.count) values, but the header has \(header.count) columns")
            }
            func number(_ column: String) throws(ReportError) -> Double? {
                guard let i = index[column] else { return nil }
                let cell = cells[i]
                if cell.isEmpty { return nil }
                guard let value = Double(cell), value.isFinite else {
                    throw .malformed(file: file, line: lineNumber, problem: "'\(cell)' in column \(column) is not a number")
                }
                return value
            }
            func requiredNumber(_ column: String) throws(ReportError) -> Double {
                guard let value = try number(column) else {
                    throw .malformed(file: file, line: lineNumber, problem: "column \(column) is empty")
                }
                return value
            }
            guard let year = Int(cells[index["year"]!]) else {
                throw .malformed(file: file, line: lineNumber, problem: "'\(cells[index["year"]!])' is not a year")
            }
            if let last = rows.last, year <= last.year {
                throw .malformed(file: file, line: lineNumber, problem: "year \(year) comes after \(last.year); years must increase")
            }
            var sectors: [Double] = []
            for sector in Sector.allCases { sectors.append(try number(sectorColumn(sector)) ?? 0) }
            var row = YearRow(year: year, sectors: sectors, removals: try requiredNumber("removals_t"), net: try requiredNumber("net_t"),
                              scope2: try number("electricity_scope2_t") ?? 0,
                              gridFactor: try requiredNumber("grid_factor_g_per_kwh"),
                              renewableShare: try requiredNumber("renewable_share"),
                              electricityKWh: try number("electricity_kwh") ?? 0, unservedKWh: try number("unserved_kwh") ?? 0,
                              curtailedKWh: try number("curtailed_kwh") ?? 0)
            if hasGeneration {
                var generation: [Double] = []
                for kind in PlantKind.allCases { generation.append(try number(generationColumn(kind)) ?? 0) }
                row.generationKWh = generation
            }
            if HeadlessRun.flowColumns.allSatisfy({ index[$0.name] != nil }) {
                var flows: [Double] = []
                for column in HeadlessRun.flowColumns { flows.append(try number(column.name) ?? 0) }
                row.flows = flows
            }
            row.population = try number("population").map { Int($0) }
            row.jobs = try number("jobs").map { Int($0) }
            row.employed = try number("employed").map { Int($0) }
            row.happiness = try number("happiness")
            row.airPM25 = try number("air_pm25_ug_m3")
            row.budget = try number("budget_yuan")
            row.income = try number("income_yuan")
            row.spending = try number("spending_yuan")
            if let partial = try number("partial") { row.partial = partial != 0 }
            rows.append(row)
        }
        return rows
    }

    /// yearly.csv for a series without one (a save): `netzero run`'s columns with the same
    /// decimals, plus `partial` (1 for the year in progress). Values a save does not keep for
    /// past years (population, jobs, budget, …) are left empty.
    public static func text(_ rows: [YearRow]) -> String {
        var lines = [HeadlessRun.yearlyHeader + ",partial"]
        for row in rows {
            var cells = [String(row.year)] + row.sectors.map { Fixed.format($0, 3) }
            cells += [Fixed.format(row.removals, 3), Fixed.format(row.net, 3), Fixed.format(row.scope2, 3),
                      Fixed.format(row.gridFactor, 2), Fixed.format(row.renewableShare, 4), Fixed.format(row.electricityKWh, 0),
                      Fixed.format(row.unservedKWh, 0), Fixed.format(row.curtailedKWh, 0)]
            cells += [row.population.map(String.init) ?? "", row.jobs.map(String.init) ?? "", row.employed.map(String.init) ?? "",
                      row.happiness.map { Fixed.format($0, 4) } ?? "", row.airPM25.map { Fixed.format($0, 2) } ?? "",
                      row.budget.map { Fixed.format($0, 0) } ?? ""]
            cells += (row.generationKWh ?? Array(repeating: 0, count: PlantKind.allCases.count)).map { Fixed.format($0, 0) }
            cells += HeadlessRun.flowCells(row.flows ?? Array(repeating: 0, count: HeadlessRun.flowColumns.count))
            cells.append(row.partial ? "1" : "0")
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

// MARK: - summary.json

/// The fields of `netzero run`'s summary.json that the report uses.
struct Summary {
    var levelID: String
    var title: String
    var seed: UInt64
    var start: String
    var end: String
    var result: String
    var objectives: [ObjectiveRow]
    var commandsByTool: [(tool: String, count: Int)]?
    var commandsApplied: Int?

    init(bytes: [UInt8], file: String) throws(ReportError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw .malformed(file: file, line: 0, problem: "not valid JSON (\(bytes.isEmpty ? "the file is empty" : "cut short or edited by hand?"))")
        }
        guard let root = object as? [String: Any] else { throw .malformed(file: file, line: 0, problem: "expected a JSON object") }
        func string(_ key: String) throws(ReportError) -> String {
            guard let value = root[key] as? String else {
                throw .malformed(file: file, line: 0, problem: "no \"\(key)\" text; is this a summary.json from `netzero run`?")
            }
            return value
        }
        levelID = try string("level")
        title = (root["title"] as? String) ?? levelID
        start = (root["start"] as? String) ?? ""
        end = (root["end"] as? String) ?? ""
        result = (root["result"] as? String) ?? "undecided"
        // The seed is a UInt64, which JSON numbers (doubles) cannot always hold: read its digits.
        seed = Summary.seedDigits(in: bytes) ?? (root["seed"] as? NSNumber)?.uint64Value ?? 0
        commandsApplied = (root["commands_applied"] as? NSNumber)?.intValue
        if let byTool = root["player_commands_by_tool"] as? [String: Any] {
            commandsByTool = byTool.keys.sorted().map { ($0, (byTool[$0] as? NSNumber)?.intValue ?? 0) }
        }
        objectives = []
        for (i, item) in ((root["objectives"] as? [Any]) ?? []).enumerated() {
            guard let o = item as? [String: Any], let id = o["id"] as? String else {
                throw .malformed(file: file, line: 0, problem: "objective \(i + 1) has no id")
            }
            let en = (o["title_en"] as? String) ?? id
            objectives.append(ObjectiveRow(
                id: id, title: Names(en: en, zh: (o["title_zh"] as? String) ?? en),
                metric: (o["metric"] as? String) ?? "", comparison: (o["comparison"] as? String) ?? "",
                target: (o["target"] as? NSNumber)?.doubleValue ?? 0, deadline: (o["by"] as? NSNumber)?.intValue ?? 0,
                value: (o["value"] as? NSNumber)?.doubleValue ?? 0, status: (o["status"] as? String) ?? "pending",
                required: (o["required"] as? Bool) ?? true))
        }
    }

    /// The digits after `"seed": ` in the text.
    static func seedDigits(in bytes: [UInt8]) -> UInt64? {
        let key = Array("\"seed\":".utf8)
        guard bytes.count > key.count else { return nil }
        for start in 0...(bytes.count - key.count) where bytes[start..<(start + key.count)].elementsEqual(key) {
            var i = start + key.count
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
            var digits = ""
            while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) {
                digits.append(Character(Unicode.Scalar(bytes[i])))
                i += 1
            }
            return UInt64(digits)
        }
        return nil
    }
}

/// A level's titles in both languages, found by its id among the levels the game lists
/// (LevelIndex: `Levels/`, `Levels/lessons/`, the player's levels, the mods'; only the `[level]`
/// table is read).
public enum LevelTitles {
    static func find(id: String, english: String) -> Names? {
        for path in listedPaths() {
            guard let level = levelTable(of: path), level.string("id") == id,
                  let en = level.string("title_en"), let zh = level.string("title_zh") else { continue }
            return en == english ? Names(en: en, zh: zh) : nil
        }
        return nil
    }

    /// The `[level] id` of a level file, or nil.
    public static func levelID(of path: String) -> String? { levelTable(of: path)?.string("id") }

    static func levelTable(of path: String) -> TOMLTable? {
        guard case .success(let bytes) = FileSystem.readRegularFile(path, limit: LevelFile.maximumBytes),
              let document = try? TOML.parse(bytes: bytes, file: path) else { return nil }
        return document.table("level")
    }

    static func listedPaths() -> [String] {
        let environment = ProcessInfo.processInfo.environment
        return LevelIndex.list(userLevels: UserDirectories.levels(environment: environment),
                               userMods: UserDirectories.mods(environment: environment)).levels.map(\.path)
    }
}
