// LevelFile.swift — reading and checking level files (TOML; the format is docs/levels.md).
//
// [SECTION] Entry points
// [SECTION] Metadata, tools and policies
// [SECTION] The map: ASCII rows with a legend, or a generator
// [SECTION] Objectives, triggers, hints and the script
// [SECTION] Helpers: typed reads with positions, "did you mean"
//
// Every problem is a `LevelDiagnostic` with the file, line and column it concerns, so that
// `netzero check` can print `FILE:LINE:COL: error: message`. Reading never stops at the first
// problem: a teacher sees everything to fix at once.
import Foundation
import TOML

public struct LevelDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var message: String
    /// `file:line:col: severity: message`; a problem with no line (a level name that names no
    /// file) is `name: severity: message`.
    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(severity.rawValue): \(message)" : "\(file): \(severity.rawValue): \(message)"
    }

    public init(file: String, line: Int, column: Int, severity: Severity, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }
}

public struct LevelLoadResult: Sendable {
    public var level: LevelDefinition?
    public var diagnostics: [LevelDiagnostic]
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

public enum LevelFile {
    /// Characters a map may use without declaring them (a level's legend adds or replaces).
    public static let defaultLegend: [(Character, String)] = [
        (".", "land"), ("~", "water"), ("^", "hill"), ("T", "forest_terrain"), ("=", "road"), ("#", "rail"),
        ("b", "bus_stop"), ("m", "metro_station"), ("H", "residential"), ("C", "commercial"), ("O", "office"),
        ("I", "industrial"), ("D", "datacenter"), ("F", "farm"), ("S", "school"), ("+", "hospital"),
        ("c", "coal_plant"), ("g", "gas_plant"), ("n", "nuclear_plant"), ("h", "hydro_plant"), ("w", "wind_plant"),
        ("s", "solar_plant"), ("B", "biomass_plant"), ("W", "waste_plant"), ("e", "battery"), ("p", "pumped_hydro"),
        ("f", "forest"), ("k", "park"), ("l", "wetland"), ("a", "farmland"),
    ]
    static let terrainNames: [String: Terrain] = ["land": .land, "water": .water, "hill": .hill, "forest_terrain": .forest]
    static let topLevelKeys = ["format", "level", "map", "tools", "policies", "market", "catalog", "objectives", "triggers", "hints",
                               "script", "script_file"]

    /// The level-file format this game writes (`format = 2` at the top of the file) and the
    /// newest it reads. A file without `format` is format 1.
    ///   1: the first format (no `format` key).
    ///   2: adds `format` and `script_file` (a Lua file beside the level, as mods keep them).
    public static let formatVersion = 2

    /// Each step turns a document of format N into one of format N + 1 (rename a key, move a
    /// table), as SaveGame's migrations do for saves; the reader only knows today's format.
    /// Format 2 only added keys, so the step from 1 checks that the file uses none of them.
    static let migrations: [Int: @Sendable (inout TOMLTable, inout LevelReader) -> Void] = [
        1: { document, reader in
            if let node = document["script_file"] {
                reader.error(node.keyPosition ?? node.position, "'script_file' is new in level format 2: add `format = 2` at the top of the file")
                _ = document.removeValue(forKey: "script_file")
            }
        },
    ]

    /// The largest level file read, in bytes: a level is a few kilobytes.
    public static let maximumBytes = 4 << 20
    /// The largest script file (`script_file`) read, in bytes: the sandbox's `load` limit.
    public static let maximumScriptBytes = 256 << 10

    // MARK: - [SECTION] Entry points

    /// Reads a level file. A level inside a mod (`MOD/levels/NAME.toml` beside `MOD/mod.toml`)
    /// runs with the catalog overrides of its mod and of the mods it depends on, and names them.
    public static func load(path: String, catalog: Catalog) -> LevelLoadResult {
        let bytes: [UInt8]
        switch FileSystem.readRegularFile(path, limit: maximumBytes) {
        case .success(let read): bytes = read
        case .failure(let problem):
            return LevelLoadResult(level: nil, diagnostics: [LevelDiagnostic(file: path, line: 1, column: 1, severity: .error,
                                                                             message: "cannot read the level: \(problem.reason)")])
        }
        var result = parse(bytes: bytes, file: path, catalog: catalog)
        if let modFolder = ModLibrary.folder(owningLevel: path) {
            let context = ModLibrary.context(forModAt: modFolder)
            result.diagnostics += context.diagnostics
            if context.diagnostics.contains(where: { $0.severity == .error }) {
                result.level = nil
            } else if var level = result.level {
                level.mods = context.chain.map { ModReference(id: $0.manifest.id, version: $0.manifest.version.description) }
                level.modTitle = context.chain.last?.manifest.title
                if level.script != nil {
                    // A mod's strings lay over those of the mods it needs.
                    for package in context.chain {
                        for (language, table) in package.strings { level.script!.strings[language, default: [:]].merge(table) { _, new in new } }
                    }
                }
                if !context.catalogOverrides.isEmpty {
                    var merged = context.catalogOverrides
                    if let own = level.catalogOverrides { CatalogOverrides.merge(own, into: &merged) }
                    level.catalogOverrides = merged
                }
                result.level = level
            }
        }
        return result
    }

    public static func parse(bytes: [UInt8], file: String, catalog: Catalog) -> LevelLoadResult {
        // A level is a few kilobytes; a multi-megabyte file is a mistake, not a level.
        guard bytes.count <= maximumBytes else {
            return LevelLoadResult(level: nil, diagnostics: [LevelDiagnostic(file: file, line: 1, column: 1, severity: .error,
                                                                             message: "the file is \(bytes.count) bytes; a level is at most 4 MB")])
        }
        let document: TOMLTable
        do {
            document = try TOML.parse(bytes: bytes, file: file)
        } catch {
            return LevelLoadResult(level: nil, diagnostics: [LevelDiagnostic(file: file, line: error.position.line, column: error.position.column,
                                                                             severity: .error, message: error.message)])
        }
        var reader = LevelReader(file: file, catalog: catalog)
        reader.sourceLines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var migrated = document
        guard let format = LevelReader.readFormat(&migrated, reader: &reader) else {
            return LevelLoadResult(level: nil, diagnostics: reader.diagnostics)
        }
        var level = reader.read(migrated)
        level.format = formatVersion
        level.migratedFrom = format < formatVersion ? format : nil
        return LevelLoadResult(level: reader.diagnostics.contains { $0.severity == .error } ? nil : level,
                               diagnostics: reader.diagnostics)
    }
}

struct LevelReader {
    let file: String
    let catalog: Catalog
    var diagnostics: [LevelDiagnostic] = []
    var sourceLines: [Substring] = []

    init(file: String, catalog: Catalog) {
        self.file = file
        self.catalog = catalog
    }

    mutating func error(_ position: SourcePosition, _ message: String) {
        diagnostics.append(LevelDiagnostic(file: file, line: position.line, column: position.column, severity: .error, message: message))
    }

    mutating func warning(_ position: SourcePosition, _ message: String) {
        diagnostics.append(LevelDiagnostic(file: file, line: position.line, column: position.column, severity: .warning, message: message))
    }

    mutating func read(_ document: TOMLTable) -> LevelDefinition {
        checkKeys(document, allowed: LevelFile.topLevelKeys, context: "the level file")
        let levelTable = requireTable(document, "level", context: "the level file") ?? TOMLTable()
        var info = LevelInfo(id: "level", title: "Level", seed: 1)
        checkKeys(levelTable, allowed: ["id", "title_en", "title_zh", "summary_en", "summary_zh", "author", "version", "seed",
                                        "start_year", "budget", "occupancy", "green_age", "year_minutes"], context: "[level]")
        info.id = string(levelTable, "id", required: true) ?? "level"
        let title = Names(en: string(levelTable, "title_en", required: true) ?? info.id,
                          zh: string(levelTable, "title_zh", required: true) ?? info.id)
        info.title = title.en
        info.seed = UInt64(clamping: integer(levelTable, "seed", range: 0...Int64.max) ?? 1)
        info.startYear = Int(integer(levelTable, "start_year", range: 1900...2200) ?? 2020)
        info.initialOccupancy = number(levelTable, "occupancy", range: 0...1) ?? 0.9
        // Age of the starting green zones in years (default: each kind's maturity age; Sinks.swift).
        info.greenAgeYears = number(levelTable, "green_age", range: 0...500)
        let budget = number(levelTable, "budget", range: -1e15...1e15) ?? 1e9

        var setup = readMap(document, info: info, budget: budget)
        setup.info = info
        var level = LevelDefinition(setup: setup, file: file)
        level.title = title
        level.summary = Names(en: string(levelTable, "summary_en") ?? "", zh: string(levelTable, "summary_zh") ?? "")
        level.author = string(levelTable, "author") ?? ""
        level.version = Int(integer(levelTable, "version", range: 1...1_000_000) ?? 1)
        // Pacing: a lesson sets how long a game year lasts at speed 1, so that it fits a class period.
        level.yearMinutes = number(levelTable, "year_minutes", range: 0.5...120)
        readToolsAndPolicies(document, into: &level)
        readMarket(document, into: &level)
        var limitsCatalog = catalog
        if let overrides = document.table("catalog") {
            limitsCatalog = checkCatalogOverrides(overrides) ?? catalog
            level.catalogOverrides = overrides
        }
        if let problem = CityLimits.problem(placements: level.setup.placements, catalog: limitsCatalog) {
            error(document["map"]?.position ?? SourcePosition(line: 1, column: 1), problem)
        }
        readObjectives(document, into: &level)
        readTriggers(document, into: &level)
        readHints(document, into: &level)
        if let node = document["script"] {
            if case .string(let source) = node.value {
                // A multi-line string whose opening quotes end their line starts on the next line.
                let line = node.position.line - 1 < sourceLines.count ? sourceLines[node.position.line - 1] : ""
                let opening = line.dropFirst(node.position.column - 1)
                let startsOnNextLine = (opening.hasPrefix("\"\"\"") || opening.hasPrefix("'''"))
                    && opening.dropFirst(3).allSatisfy { $0 == " " || $0 == "\r" }
                level.script = LevelScript(source: source, file: file, firstLine: node.position.line + (startsOnNextLine ? 1 : 0))
            } else {
                error(node.position, "'script' must be a string (a multi-line \"\"\" … \"\"\" string of Lua)")
            }
        }
        if let node = document["script_file"] {
            if document["script"] != nil {
                error(node.keyPosition ?? node.position, "give 'script' or 'script_file', not both")
            } else if let name = node.value.stringValue {
                if let path = scriptPath(name, at: node.position) {
                    switch FileSystem.readRegularFile(path, limit: LevelFile.maximumScriptBytes) {
                    case .success(let bytes):
                        if let source = String(validating: bytes, as: UTF8.self) {
                            level.script = LevelScript(source: source, file: path, firstLine: 1)
                        } else {
                            error(node.position, "script file '\(name)' is not UTF-8 text")
                        }
                    case .failure(let problem):
                        error(node.position, "cannot read script file '\(name)' (\(path)): \(problem.reason)")
                    }
                }
            } else {
                error(node.position, "'script_file' must be text: a path such as \"../scripts/main.lua\", relative to the level file")
            }
        }
        return level
    }

    /// The path of a `script_file`, relative to the level's folder. It may climb one folder (a
    /// mod's `levels/x.toml` names `../scripts/x.lua`) and no further, so a level cannot read
    /// files elsewhere on the player's disk.
    mutating func scriptPath(_ name: String, at position: SourcePosition) -> String? {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\\"), !name.contains("\u{0}") else {
            error(position, "'script_file' is a relative path such as \"../scripts/main.lua\", not '\(name)'")
            return nil
        }
        guard name.hasSuffix(".lua") else {
            error(position, "'script_file' names a Lua file ending in .lua, not '\(name)'")
            return nil
        }
        var depth = 0
        for part in name.split(separator: "/", omittingEmptySubsequences: false) {
            if part == ".." { depth -= 1 } else if part != "." && !part.isEmpty { depth += 1 }
            if depth < -1 {
                error(position, "'script_file' may climb one folder from the level at most (\"../scripts/x.lua\"), not '\(name)'")
                return nil
            }
        }
        let folder = (file as NSString).deletingLastPathComponent
        return LevelReader.collapse((folder.isEmpty ? "." : folder) + "/" + name)
    }

    /// `a/levels/../scripts/x.lua` as `a/scripts/x.lua` (by the text alone: one file has one
    /// name in messages).
    static func collapse(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: false) {
            if part == "." && !parts.isEmpty { continue }
            if part == "..", let last = parts.last, last != "..", last != ".", !last.isEmpty {
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        return parts.joined(separator: "/")
    }

    /// The file's `format` (1 when absent), with the document migrated to today's format; nil
    /// (and an error at the key) for a format this game cannot read.
    static func readFormat(_ document: inout TOMLTable, reader: inout LevelReader) -> Int? {
        var format = 1
        if let node = document["format"] {
            guard let value = node.value.intValue else {
                reader.error(node.position, "'format' must be a whole number (the level-file format, \(LevelFile.formatVersion) today), not \(node.value.typeName)")
                return nil
            }
            guard value >= 1 else {
                reader.error(node.position, "format \(value) does not exist: level formats start at 1")
                return nil
            }
            guard value <= Int64(LevelFile.formatVersion) else {
                reader.error(node.position, "this level is format \(value), made for a newer NetZero City; this game (\(Simulation.version)) reads level formats 1–\(LevelFile.formatVersion)")
                return nil
            }
            format = Int(value)
        }
        var version = format
        while version < LevelFile.formatVersion {
            LevelFile.migrations[version]?(&document, &reader)
            version += 1
        }
        return format
    }

    // MARK: - [SECTION] Metadata, tools and policies

    mutating func readToolsAndPolicies(_ document: TOMLTable, into level: inout LevelDefinition) {
        if let tools = document.table("tools") {
            checkKeys(tools, allowed: ["allowed"], context: "[tools]")
            if let list = tools["allowed"] {
                guard case .array(let items) = list.value else {
                    error(list.position, "'allowed' must be a list of tool names, e.g. [\"road\", \"solar_plant\"]")
                    return
                }
                var allowed = Set<String>()
                for item in items {
                    guard let name = item.value.stringValue else { error(item.position, "a tool name must be text"); continue }
                    if LevelDefinition.toolNames.contains(name) {
                        allowed.insert(name)
                    } else {
                        error(item.position, "unknown tool '\(name)'" + suggestion(name, LevelDefinition.toolNames))
                    }
                }
                level.allowedTools = allowed
            }
        }
        if let policies = document.table("policies") {
            checkKeys(policies, allowed: PolicyLever.all.map(\.name), context: "[policies]")
            for lever in PolicyLever.all {
                if let value = number(policies, lever.name, range: lever.range) { level.setup.policies[lever] = value }
            }
        }
    }

    /// `[market]`: the cap-and-trade settings; its presence switches cap and trade on unless
    /// `[policies] cap_and_trade = 0` says otherwise.
    mutating func readMarket(_ document: TOMLTable, into level: inout LevelDefinition) {
        guard let node = document["market"] else { return }
        guard case .table(let table) = node.value else { error(node.position, "'market' must be a table"); return }
        checkKeys(table, allowed: ["threshold", "first_year", "fixed_price", "allocation", "penalty_multiple", "firms"], context: "[market]")
        var rules = MarketRules()
        rules.threshold = number(table, "threshold", range: 0...1e9)
        rules.firstYear = integer(table, "first_year", range: 1900...2200).map { Int($0) }
        rules.fixedPrice = number(table, "fixed_price", range: 0...1e5)
        rules.penaltyMultiple = number(table, "penalty_multiple", range: 0...100)
        if let allocation = string(table, "allocation") {
            switch allocation {
            case "history": rules.benchmarkAllocation = false
            case "benchmark": rules.benchmarkAllocation = true
            default: error(table["allocation"]!.position, "allocation must be \"history\" or \"benchmark\", not \"\(allocation)\"")
            }
        }
        for firm in tables(table, "firms") {
            checkKeys(firm, allowed: ["x", "y", "name_en", "name_zh", "abatement", "buys"], context: "[[market.firms]]")
            var setting = MarketRules.FirmSetting(x: Int(integer(firm, "x", required: true, range: 0...4095) ?? 0),
                                                  y: Int(integer(firm, "y", required: true, range: 0...4095) ?? 0))
            if let en = string(firm, "name_en") { setting.name = Names(en: en, zh: string(firm, "name_zh") ?? en) }
            setting.abatement = number(firm, "abatement", range: 0...0.95)
            setting.buys = bool(firm, "buys") ?? true
            if setting.x >= level.setup.width || setting.y >= level.setup.height {
                error(firm.position, "firm at (\(setting.x), \(setting.y)) is outside the \(level.setup.width) × \(level.setup.height) map")
            }
            rules.firms.append(setting)
        }
        level.setup.market = rules
        let policies = document.table("policies")
        if policies?["cap_and_trade"] == nil { level.setup.policies.capAndTrade = 1 }
    }

    /// The catalog with the level's overrides, or nil (with the problems reported).
    mutating func checkCatalogOverrides(_ overrides: TOMLTable) -> Catalog? {
        // The catalog checks paths, units and ranges when the level is started; check them now too.
        do {
            return try Catalog.load(directory: Catalog.bundledDirectory, overrideTables: [(overrides, file)])
        } catch {
            for problem in error.errors where problem.file == file {
                self.error(problem.position, "catalog override: " + problem.message)
            }
            return nil
        }
    }

    // MARK: - [SECTION] The map

    mutating func readMap(_ document: TOMLTable, info: LevelInfo, budget: Double) -> LevelSetup {
        var empty = LevelSetup(info: info, width: 16, height: 16, budget: budget)
        guard let map = requireTable(document, "map", context: "the level file") else { return empty }
        checkKeys(map, allowed: ["rows", "legend", "generator"], context: "[map]")
        if let generator = map.table("generator") {
            checkKeys(generator, allowed: ["kind", "seed", "size"], context: "[map.generator]")
            let kind = string(generator, "kind", required: true) ?? "reference"
            let seed = integer(generator, "seed", range: 0...Int64.max).map(UInt64.init) ?? info.seed
            guard kind == "reference" else {
                error(generator["kind"]?.position ?? generator.position, "unknown map generator '\(kind)'" + suggestion(kind, ["reference"]))
                return empty
            }
            var side = BuiltinLevels.referenceDefaultSize
            if let node = generator["size"], let size = integer(generator, "size", range: 1...Int64(BuiltinLevels.referenceSizes.max()!)) {
                if BuiltinLevels.referenceSizes.contains(Int(size)) {
                    side = Int(size)
                } else {
                    error(node.position, "the reference generator's size is one of \(BuiltinLevels.referenceSizes.map(String.init).joined(separator: ", ")), not \(size)")
                }
            }
            var setup = BuiltinLevels.reference(seed: seed, catalog: catalog, side: side)
            setup.budget = budget
            return setup
        }
        var legend: [Character: String] = [:]
        for (character, meaning) in LevelFile.defaultLegend { legend[character] = meaning }
        if let table = map.table("legend") {
            for (key, node) in table.entries {
                let position = node.keyPosition ?? node.position
                guard key.count == 1, let character = key.first, character != " " else {
                    error(position, "legend keys are single characters, not '\(key)'")
                    continue
                }
                guard let meaning = node.value.stringValue else { error(node.position, "legend values are text, e.g. \"residential:0.3\""); continue }
                if parseStructure(meaning) == nil && LevelFile.terrainNames[meaning] == nil {
                    error(node.position, "unknown map item '\(meaning)'" + suggestion(meaning, mapItemNames))
                    continue
                }
                legend[character] = meaning
            }
        }
        guard let rowsNode = map["rows"] else {
            error(map.position, "[map] needs 'rows' (the map drawn in characters) or a [map.generator]")
            return empty
        }
        guard case .string(let text) = rowsNode.value else {
            error(rowsNode.position, "'rows' must be a multi-line string (\"\"\" … \"\"\")")
            return empty
        }
        var rows = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.reversed().drop(while: { $0 == " " || $0 == "\r" }).reversed()) }
        while rows.last?.isEmpty == true { rows.removeLast() }
        let firstLine = rowsNode.position.line + 1
        guard !rows.isEmpty else {
            error(rowsNode.position, "the map has no rows")
            return empty
        }
        let width = rows[0].count
        guard width > 0, width <= TileMap.maximumSide, rows.count <= TileMap.maximumSide else {
            error(rowsNode.position, "the map is \(width) × \(rows.count) tiles; it must be between 1 and \(TileMap.maximumSide) on each side")
            return empty
        }
        empty = LevelSetup(info: info, width: width, height: rows.count, budget: budget)
        var setup = empty
        for (y, row) in rows.enumerated() {
            if row.count != width {
                error(SourcePosition(line: firstLine + y, column: min(row.count, width) + 1),
                      "row \(y + 1) is \(row.count) characters wide; the first row is \(width)")
            }
            for (x, character) in row.enumerated() where x < width {
                guard let meaning = legend[character] else {
                    error(SourcePosition(line: firstLine + y, column: x + 1),
                          "unknown map character '\(character)'; add it to [map.legend] (e.g. \"\(character)\" = \"park\")")
                    continue
                }
                if let terrain = LevelFile.terrainNames[meaning] {
                    setup.terrain.append((x, y, terrain))
                } else if let structure = parseStructure(meaning) {
                    if case .busStop = structure { setup.placements.append((.road, x, y)) }
                    if case .metroStation = structure { setup.placements.append((.rail, x, y)) }
                    setup.placements.append((structure, x, y))
                }
            }
        }
        return setup
    }

    var mapItemNames: [String] { Array(LevelFile.terrainNames.keys).sorted() + Structure.all.map(\.key) }

    /// "residential", "residential:0.3" (density), "coal_plant", "road", …
    func parseStructure(_ text: String) -> Structure? {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let base = parts.first, let structure = Structure.named(base) else { return nil }
        if parts.count == 2 {
            guard case .building(let kind, _) = structure, let density = Double(parts[1]), density > 0, density <= 1 else { return nil }
            return .building(kind, density: density)
        }
        return structure
    }

    // MARK: - [SECTION] Objectives, triggers, hints

    mutating func readObjectives(_ document: TOMLTable, into level: inout LevelDefinition) {
        var ids = Set<String>()
        for table in tables(document, "objectives") {
            checkKeys(table, allowed: ["id", "title_en", "title_zh", "metric", "at_most", "at_least", "by", "required"],
                      context: "[[objectives]]")
            let id = string(table, "id", required: true) ?? "objective"
            if !ids.insert(id).inserted { error(table["id"]?.position ?? table.position, "objective id '\(id)' is used twice") }
            guard let metric = metric(table, "metric") else { continue }
            guard let (comparison, target) = comparisonAndTarget(table, context: "objective '\(id)'") else { continue }
            let deadline = Int(integer(table, "by", required: true, range: 1900...2300) ?? Int64(level.setup.info.startYear))
            if deadline < level.setup.info.startYear, let node = table["by"] {
                error(node.position, "objective '\(id)' is due by \(deadline), before the level starts in \(level.setup.info.startYear): it can never be met")
            }
            if metric == .peakYear, comparison == .atMost, Int(target) < level.setup.info.startYear, let node = table["at_most"] {
                error(node.position, "objective '\(id)' wants the peak before the level starts (\(Int(target))): impossible")
            }
            level.objectives.append(Objective(id: id, title: Names(en: string(table, "title_en") ?? id, zh: string(table, "title_zh") ?? id),
                                              metric: metric, comparison: comparison, target: target, deadlineYear: deadline,
                                              required: bool(table, "required") ?? true))
        }
    }

    mutating func readTriggers(_ document: TOMLTable, into level: inout LevelDefinition) {
        for table in tables(document, "triggers") {
            checkKeys(table, allowed: ["id", "when", "actions", "once"], context: "[[triggers]]")
            let id = string(table, "id", required: true) ?? "trigger"
            guard let whenNode = table["when"], case .table(let when) = whenNode.value else {
                error(table.position, "trigger '\(id)' needs 'when', e.g. when = { date = \"2025-01-01\" }")
                continue
            }
            guard let condition = readCondition(when, objectives: level.objectives) else { continue }
            var actions: [TriggerAction] = []
            guard let actionsNode = table["actions"], case .array(let items) = actionsNode.value else {
                error(table.position, "trigger '\(id)' needs 'actions', a list such as [{ message_en = \"…\", message_zh = \"…\" }]")
                continue
            }
            for item in items {
                guard case .table(let action) = item.value else { error(item.position, "each action is a { … } table"); continue }
                if let parsed = readAction(action) { actions.append(parsed) }
            }
            level.triggers.append(Trigger(id: id, when: condition, actions: actions, once: bool(table, "once") ?? true))
        }
    }

    mutating func readCondition(_ when: TOMLTable, objectives: [Objective]) -> TriggerCondition? {
        checkKeys(when, allowed: ["metric", "at_most", "at_least", "date", "built", "objective", "status"], context: "'when'")
        if when.contains("metric") {
            guard let metric = metric(when, "metric"), let (comparison, target) = comparisonAndTarget(when, context: "'when'") else { return nil }
            return .metric(metric, comparison, target)
        }
        if let node = when["date"] {
            guard let text = node.value.stringValue ?? node.value.datetimeValue, let date = parseDate(text) else {
                error(node.position, "a date is written \"YYYY-MM-DD\"")
                return nil
            }
            return .date(year: date.0, month: date.1, day: date.2)
        }
        if let node = when["built"] {
            guard let name = node.value.stringValue, Structure.named(name) != nil else {
                let name = node.value.stringValue ?? ""
                error(node.position, "unknown structure '\(name)'" + suggestion(name, Structure.all.map(\.key)))
                return nil
            }
            return .built(name)
        }
        if let node = when["objective"] {
            let id = node.value.stringValue ?? ""
            guard objectives.contains(where: { $0.id == id }) else {
                error(node.position, "unknown objective '\(id)'" + suggestion(id, objectives.map(\.id)))
                return nil
            }
            let statusText = string(when, "status") ?? "met"
            guard let status = ObjectiveStatus(rawValue: statusText), status != .pending else {
                error(when["status"]?.position ?? when.position, "status is \"met\" or \"failed\"")
                return nil
            }
            return .objective(id, status)
        }
        error(when.position, "'when' needs one of: metric, date, built, objective")
        return nil
    }

    mutating func readAction(_ action: TOMLTable) -> TriggerAction? {
        checkKeys(action, allowed: ["message_en", "message_zh", "advisor_en", "advisor_zh", "grant", "unlock", "event", "days",
                                    "policy", "value", "win", "lose"], context: "an action")
        if action.contains("message_en") || action.contains("message_zh") {
            return .message(Names(en: string(action, "message_en", required: true) ?? "", zh: string(action, "message_zh", required: true) ?? ""))
        }
        if action.contains("advisor_en") || action.contains("advisor_zh") {
            return .advisor(Names(en: string(action, "advisor_en", required: true) ?? "", zh: string(action, "advisor_zh", required: true) ?? ""))
        }
        if action.contains("grant") { return number(action, "grant", range: -1e15...1e15).map(TriggerAction.grant) }
        if let node = action["unlock"] {
            let name = node.value.stringValue ?? ""
            guard LevelDefinition.toolNames.contains(name) else {
                error(node.position, "unknown tool '\(name)'" + suggestion(name, LevelDefinition.toolNames))
                return nil
            }
            return .unlock(name)
        }
        if let node = action["event"] {
            let name = node.value.stringValue ?? ""
            guard let kind = LevelEventKind(rawValue: name) else {
                error(node.position, "unknown event '\(name)'" + suggestion(name, LevelEventKind.allCases.map(\.rawValue)))
                return nil
            }
            let days = Int(integer(action, "days", range: 1...3650) ?? 7)
            var policy: String?
            if kind == .policyChange {
                policy = string(action, "policy", required: true)
                let known = ["transit_fare_multiplier", "car_charge_per_km", "electric_car_share_of_charge"]
                if let name = policy, !known.contains(name) {
                    error(action["policy"]!.position, "unknown policy '\(name)'" + suggestion(name, known))
                }
            }
            return .event(kind, days: days, policy: policy, value: kind == .policyChange ? number(action, "value", required: true, range: 0...1e6) : number(action, "value", range: 0...100))
        }
        if bool(action, "win") == true { return .win }
        if bool(action, "lose") == true { return .lose }
        error(action.position, "an action needs one of: message_en/zh, advisor_en/zh, grant, unlock, event, win, lose")
        return nil
    }

    mutating func readHints(_ document: TOMLTable, into level: inout LevelDefinition) {
        for table in tables(document, "hints") {
            checkKeys(table, allowed: ["text_en", "text_zh"], context: "[[hints]]")
            level.hints.append(Names(en: string(table, "text_en", required: true) ?? "", zh: string(table, "text_zh", required: true) ?? ""))
        }
    }

    // MARK: - [SECTION] Helpers

    mutating func checkKeys(_ table: TOMLTable, allowed: [String], context: String) {
        for (key, node) in table.entries where !allowed.contains(key) {
            error(node.keyPosition ?? node.position, "unknown key '\(key)' in \(context)" + suggestion(key, allowed))
        }
    }

    mutating func requireTable(_ table: TOMLTable, _ key: String, context: String) -> TOMLTable? {
        guard let node = table[key] else {
            error(table.position, "\(context) needs a [\(key)] table")
            return nil
        }
        guard case .table(let sub) = node.value else {
            error(node.position, "'\(key)' must be a table")
            return nil
        }
        return sub
    }

    mutating func tables(_ document: TOMLTable, _ key: String) -> [TOMLTable] {
        guard let node = document[key] else { return [] }
        guard case .array(let items) = node.value else {
            error(node.position, "'\(key)' is a list: write each entry as [[\(key)]]")
            return []
        }
        return items.compactMap { item in
            if case .table(let table) = item.value { return table }
            error(item.position, "each entry of '\(key)' must be a table")
            return nil
        }
    }

    mutating func string(_ table: TOMLTable, _ key: String, required: Bool = false) -> String? {
        guard let node = table[key] else {
            if required { error(table.position, "missing '\(key)'") }
            return nil
        }
        guard let text = node.value.stringValue else {
            error(node.position, "'\(key)' must be text (in quotes), not \(node.value.typeName)")
            return nil
        }
        return text
    }

    mutating func number(_ table: TOMLTable, _ key: String, required: Bool = false, range: ClosedRange<Double>) -> Double? {
        guard let node = table[key] else {
            if required { error(table.position, "missing '\(key)'") }
            return nil
        }
        guard let value = node.value.doubleValue else {
            error(node.position, "'\(key)' must be a number, not \(node.value.typeName)")
            return nil
        }
        guard value.isFinite else {
            error(node.position, "'\(key)' must be a finite number, not \(value)")
            return nil
        }
        guard range.contains(value) else {
            error(node.position, "'\(key)' = \(value) is outside \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func integer(_ table: TOMLTable, _ key: String, required: Bool = false, range: ClosedRange<Int64>) -> Int64? {
        guard let node = table[key] else {
            if required { error(table.position, "missing '\(key)'") }
            return nil
        }
        guard let value = node.value.intValue else {
            error(node.position, "'\(key)' must be a whole number, not \(node.value.typeName)")
            return nil
        }
        guard range.contains(value) else {
            error(node.position, "'\(key)' = \(value) is outside \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func bool(_ table: TOMLTable, _ key: String) -> Bool? {
        guard let node = table[key] else { return nil }
        guard let value = node.value.boolValue else {
            error(node.position, "'\(key)' must be true or false")
            return nil
        }
        return value
    }

    mutating func metric(_ table: TOMLTable, _ key: String) -> Metric? {
        guard let name = string(table, key, required: true) else { return nil }
        guard let metric = Metric(rawValue: name) else {
            error(table[key]!.position, "unknown metric '\(name)'" + suggestion(name, Metric.allCases.map(\.rawValue)))
            return nil
        }
        return metric
    }

    mutating func comparisonAndTarget(_ table: TOMLTable, context: String) -> (Comparison, Double)? {
        let most = table["at_most"], least = table["at_least"]
        if most != nil && least != nil {
            error(least!.position, "\(context) gives both at_most and at_least; give one")
            return nil
        }
        if most != nil, let value = number(table, "at_most", range: -1e15...1e15) { return (.atMost, value) }
        if least != nil, let value = number(table, "at_least", range: -1e15...1e15) { return (.atLeast, value) }
        if most == nil && least == nil { error(table.position, "\(context) needs at_most or at_least") }
        return nil
    }

    func parseDate(_ text: String) -> (Int, Int, Int)? {
        let parts = text.prefix(10).split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        return (parts[0], parts[1], parts[2])
    }
}

/// ", did you mean 'x'?" for the closest known name (edit distance ≤ 3), or "".
public func suggestion(_ name: String, _ known: [String]) -> String {
    var best: (String, Int)?
    for candidate in known {
        let distance = editDistance(name.lowercased(), candidate.lowercased())
        if distance <= 3 && distance < (best?.1 ?? .max) { best = (candidate, distance) }
    }
    return best.map { "; did you mean '\($0.0)'?" } ?? ""
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.prefix(64)), b = Array(b.prefix(64))
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
