// Replay.swift — a run's player commands as a text log, what it was made with, and reading it back.
//
//   # NetZero City replay
//   format 2
//   game 0.3.0
//   level sandbox
//   level_hash 5d3c0a9e12f4b7a1
//   catalog_hash 0b6e2f8d4c1a9e73
//   mod carbon-tax-shock 1.0
//   player Li Wei
//   seed 2060
//   120 build road 5 6
//   130 build residential:0.3 7 6
//   131 undo 1
//   400 demolish 5 6
//   410 upgrade heat_pump 7 6
//   500 policy carbon_tax 100
//   900 sell_offsets 250
//   year 2020 6a1f0c33e8d2b495
//   end 17544
//
// Each command line is: the tick it was applied at, then the command (`undo N` names the N-th
// command of the city's whole log, the level script's included). Replaying submits each command
// just before its tick, so it is applied in the same tick as in the original run, and a run's
// outputs are byte-identical. Only the player's commands are logged: a level's script issues
// its own again. `year` lines hold a hash of the city's state at each year's end
// (`StateJournal`), and `end` the tick the recording stopped at: a replay run with another
// model, level or catalog is told apart by them, never graded differently in silence.
//
// Format 1 (no game, hashes, years or end) still loads: it is read as format 2 with nothing to
// check, and `migratedFrom` says so.
import ECS
import Foundation

public struct ReplayLog: Sendable, Equatable {
    public static let format = 2
    public var levelID: String
    public var seed: UInt64
    public var commands: [(tick: Int64, command: CityCommand)]
    /// `Simulation.version` of the game that recorded it (nil in format 1).
    public var gameVersion: String?
    /// `ReplayLog.hash(of:)` of the level file's bytes, and `SaveGame.fingerprint(of:)` of the
    /// catalog in force (overrides included).
    public var levelHash: UInt64?
    public var catalogHash: UInt64?
    public var mods: [(id: String, version: String)] = []
    /// The player's name, as entered once in the game's settings.
    public var player: String?
    /// The city's state hash at the end of each year played.
    public var yearHashes: [(year: Int, hash: UInt64)] = []
    /// The tick the recording stopped at.
    public var endTick: Int64?
    /// The format the text was written in, when older than today's.
    public var migratedFrom: Int?

    public init(levelID: String, seed: UInt64, commands: [(tick: Int64, command: CityCommand)]) {
        self.levelID = levelID
        self.seed = seed
        self.commands = commands
    }

    /// The same play: level, seed and commands (what a recording was made with is compared by `text`).
    public static func == (a: ReplayLog, b: ReplayLog) -> Bool {
        a.levelID == b.levelID && a.seed == b.seed && a.commands.count == b.commands.count
            && zip(a.commands, b.commands).allSatisfy { $0.tick == $1.tick && $0.command == $1.command }
    }

    /// The player's commands of a city so far (done or refused: a refused command is part of
    /// what the player did, and refusing it again is part of replaying it), with what the city
    /// was made from.
    public init(city: City, levelHash: UInt64? = nil, mods: [(id: String, version: String)] = [], player: String? = nil) {
        let view = city.view
        levelID = view.level.id
        seed = view.level.seed
        commands = view.commandLog.filter { $0.source == .player }.map { ($0.tick, $0.command) }
        gameVersion = Simulation.version
        self.levelHash = levelHash
        catalogHash = SaveGame.fingerprint(of: city.catalog)
        self.mods = mods
        self.player = player
        yearHashes = city.world.resource(StateJournal.self)?.years.map { ($0.year, $0.hash) } ?? []
        endTick = view.clock.tick
    }

    /// A process-independent hash of a file's bytes (a level's).
    public static func hash(of bytes: [UInt8]) -> UInt64 {
        var hasher = StableHasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.value
    }

    public var text: String {
        var lines = ["# NetZero City replay", "format \(ReplayLog.format)"]
        if let gameVersion { lines.append("game \(gameVersion)") }
        lines.append("level \(levelID)")
        if let levelHash { lines.append("level_hash \(hex(levelHash))") }
        if let catalogHash { lines.append("catalog_hash \(hex(catalogHash))") }
        for mod in mods { lines.append("mod \(mod.id) \(mod.version)") }
        if let player, !player.isEmpty { lines.append("player \(player)") }
        lines.append("seed \(seed)")
        for (tick, command) in commands { lines.append("\(tick) \(ReplayLog.describe(command))") }
        for (year, hash) in yearHashes { lines.append("year \(year) \(hex(hash))") }
        if let endTick { lines.append("end \(endTick)") }
        return lines.joined(separator: "\n") + "\n"
    }

    private func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The hash a replay records for a level: its file's bytes, then those of its script file
    /// when the script is kept beside it (`script_file`); nil for a level with no file.
    public static func levelHash(of level: LevelDefinition) -> UInt64? {
        guard !level.file.isEmpty, var bytes = FileSystem.read(level.file) else { return nil }
        if let script = level.script, script.file != level.file { bytes += Array(script.source.utf8) }
        return hash(of: bytes)
    }

    /// Why this recording cannot be played with the mods a level runs with now: each mod it
    /// names must be installed in the same version ("replay needs mod X 1.2, installed 1.1"),
    /// and the level may run with no mod it does not name. A recording that names no mods was
    /// made before mods were recorded: nothing to compare.
    public func modProblems(installed: [ModReference]) -> [String] {
        guard !mods.isEmpty else { return [] }
        var problems: [String] = []
        for mod in mods {
            if let found = installed.first(where: { $0.id == mod.id }) {
                let same = ModVersion(found.version).flatMap { a in ModVersion(mod.version).map { a == $0 } } ?? (found.version == mod.version)
                if !same { problems.append("replay needs mod \(mod.id) \(mod.version), installed \(found.version)") }
            } else {
                problems.append("replay needs mod \(mod.id) \(mod.version), which is not installed")
            }
        }
        for mod in installed where !mods.contains(where: { $0.id == mod.id }) {
            problems.append("the level now runs with mod \(mod.id) \(mod.version), which the replay was not recorded with")
        }
        return problems
    }

    /// What differs between this recording and a run of it: the level, the catalog, or a
    /// year's end state. Empty when the run reproduced the recording.
    public func differences(levelHash currentLevel: UInt64?, catalog: Catalog, journal: StateJournal) -> [String] {
        var found: [String] = []
        if let levelHash, let currentLevel, levelHash != currentLevel {
            found.append("the level file differs from the one this replay was recorded with")
        }
        if let catalogHash, catalogHash != SaveGame.fingerprint(of: catalog) {
            found.append("the catalog of factors differs from the one this replay was recorded with")
        }
        for (year, hash) in yearHashes {
            guard let now = journal.years.first(where: { $0.year == year }) else { continue }
            if now.hash != hash { found.append("the city's state at the end of \(year) differs from the recording"); break }
        }
        return found
    }

    public static func describe(_ command: CityCommand) -> String {
        switch command {
        case .build(let structure, let x, let y):
            if case .building(_, let density) = structure, density != 1 {
                return "build \(structure.key):\(density) \(x) \(y)"
            }
            return "build \(structure.key) \(x) \(y)"
        case .demolish(let x, let y): return "demolish \(x) \(y)"
        case .upgrade(let upgrade, let x, let y): return "upgrade \(upgrade.key) \(x) \(y)"
        case .setPolicy(let name, let value): return "policy \(name) \(value)"
        case .sellOffsets(let count): return "sell_offsets \(count)"
        case .undo(let index): return "undo \(index)"
        }
    }

    /// Parses a log; problems are `file:line:col` diagnostics.
    public static func parse(_ text: String, file: String) -> (log: ReplayLog?, diagnostics: [LevelDiagnostic]) {
        var diagnostics: [LevelDiagnostic] = []
        var log = ReplayLog(levelID: "", seed: 0, commands: [])
        var version: Int?
        var lastTick: Int64 = -1
        func fail(_ line: Int, _ column: Int, _ message: String) {
            diagnostics.append(LevelDiagnostic(file: file, line: line, column: column, severity: .error, message: message))
        }
        func hash(_ word: String, _ line: Int, _ column: Int) -> UInt64? {
            guard word.count == 16, let value = UInt64(word, radix: 16) else { fail(line, column, "expected 16 hexadecimal digits"); return nil }
            return value
        }
        // A byte-order mark and Windows line ends (a log edited on another system) are not content.
        var body = Substring(text.replacingOccurrences(of: "\r\n", with: "\n"))
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        for (index, rawLine) in body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let raw = rawLine
            let words = raw.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let first = words.first, !first.hasPrefix("#") else { continue }
            if version == nil && first != "format" { fail(line, 1, "not a replay log: the first line must be 'format N'"); return (nil, diagnostics) }
            switch first {
            case "format":
                guard words.count == 2, let found = Int(words[1]), (1...format).contains(found) else {
                    fail(line, 8, "this game reads replay formats 1 to \(format)"); return (nil, diagnostics)
                }
                version = found
                if found < format { log.migratedFrom = found }
            case "game" where version! >= 2:
                guard words.count == 2 else { fail(line, 1, "expected: game VERSION"); continue }
                log.gameVersion = words[1]
            case "level":
                guard words.count == 2 else { fail(line, 1, "expected: level ID"); continue }
                log.levelID = words[1]
            case "level_hash" where version! >= 2:
                guard words.count == 2 else { fail(line, 1, "expected: level_hash HASH"); continue }
                log.levelHash = hash(words[1], line, 12)
            case "catalog_hash" where version! >= 2:
                guard words.count == 2 else { fail(line, 1, "expected: catalog_hash HASH"); continue }
                log.catalogHash = hash(words[1], line, 14)
            case "mod" where version! >= 2:
                guard words.count == 3 else { fail(line, 1, "expected: mod ID VERSION"); continue }
                log.mods.append((words[1], words[2]))
            case "player" where version! >= 2:
                log.player = raw.dropFirst("player ".count).trimmingCharacters(in: .whitespaces)
            case "seed":
                guard words.count == 2, let seed = UInt64(words[1]) else { fail(line, 6, "expected: seed NUMBER"); continue }
                log.seed = seed
            case "year" where version! >= 2:
                guard words.count == 3, let year = Int(words[1]) else { fail(line, 1, "expected: year YEAR HASH"); continue }
                if let value = hash(words[2], line, 7 + words[1].count) { log.yearHashes.append((year, value)) }
            case "end" where version! >= 2:
                guard words.count == 2, let tick = Int64(words[1]), tick >= 0 else { fail(line, 5, "expected: end TICK"); continue }
                log.endTick = tick
            default:
                guard let tick = Int64(first), tick >= 0 else {
                    fail(line, 1, "expected a tick number or one of: format, game, level, level_hash, catalog_hash, mod, player, seed, year, end")
                    continue
                }
                guard tick >= lastTick else { fail(line, 1, "ticks must not go backwards (\(tick) after \(lastTick))"); continue }
                lastTick = tick
                switch parseCommand(Array(words.dropFirst())) {
                case .success(let command): log.commands.append((tick, command))
                case .failure(let problem): fail(line, raw.distance(from: raw.startIndex, to: raw.firstIndex(of: " ") ?? raw.startIndex) + 2, problem.message)
                }
            }
        }
        if version == nil { fail(1, 1, "not a replay log: the 'format' line is missing") }
        if let end = log.endTick, let last = log.commands.last, last.tick > end {
            fail(1, 1, "a command at tick \(last.tick) is dated after the recording's end (tick \(end))")
        }
        return (diagnostics.isEmpty ? log : nil, diagnostics)
    }

    struct Problem: Error { let message: String }

    static func parseCommand(_ words: [String]) -> Result<CityCommand, Problem> {
        func coordinates(_ a: String, _ b: String) -> (Int, Int)? {
            guard let x = Int(a), let y = Int(b), (0..<TileMap.maximumSide).contains(x), (0..<TileMap.maximumSide).contains(y) else { return nil }
            return (x, y)
        }
        switch (words.first, words.count) {
        case ("build", 4):
            let parts = words[1].split(separator: ":").map(String.init)
            guard var structure = Structure.named(parts[0]) else {
                return .failure(Problem(message: "unknown structure '\(parts[0])'" + suggestion(parts[0], Structure.all.map(\.key))))
            }
            if parts.count == 2 {
                guard case .building(let kind, _) = structure, let density = Double(parts[1]), density > 0, density <= 1 else {
                    return .failure(Problem(message: "a density (':0.3') applies to buildings, between 0 and 1"))
                }
                structure = .building(kind, density: density)
            }
            guard let (x, y) = coordinates(words[2], words[3]) else { return .failure(Problem(message: "bad tile coordinates")) }
            return .success(.build(structure, x: x, y: y))
        case ("demolish", 3):
            guard let (x, y) = coordinates(words[1], words[2]) else { return .failure(Problem(message: "bad tile coordinates")) }
            return .success(.demolish(x: x, y: y))
        case ("upgrade", 4):
            guard let upgrade = UpgradeKind.allCases.first(where: { $0.key == words[1] }) else {
                return .failure(Problem(message: "unknown upgrade '\(words[1])'" + suggestion(words[1], UpgradeKind.allCases.map(\.key))))
            }
            guard let (x, y) = coordinates(words[2], words[3]) else { return .failure(Problem(message: "bad tile coordinates")) }
            return .success(.upgrade(upgrade, x: x, y: y))
        case ("policy", 3):
            // An unknown name is kept: the game refused it, and refusing it again is part of the replay.
            guard let value = Double(words[2]), value.isFinite else { return .failure(Problem(message: "bad policy value '\(words[2])'")) }
            return .success(.setPolicy(words[1], value))
        case ("sell_offsets", 2):
            guard let count = Int(words[1]), count > 0 else { return .failure(Problem(message: "expected a positive number of credits")) }
            return .success(.sellOffsets(count: count))
        case ("undo", 2):
            guard let index = Int(words[1]), index >= 0 else { return .failure(Problem(message: "expected the index of the command to undo")) }
            return .success(.undo(index: index))
        default:
            return .failure(Problem(message: "expected 'build STRUCTURE X Y', 'demolish X Y', 'upgrade UPGRADE X Y', 'policy NAME VALUE', 'sell_offsets N' or 'undo N'"))
        }
    }
}

extension City {
    /// Queues the log's commands for the ticks they belong to, as the clock reaches them.
    public func step(replaying log: ReplayLog, cursor: inout Int) {
        let tick = view.clock.tick
        while cursor < log.commands.count && log.commands[cursor].tick <= tick {
            if log.commands[cursor].tick == tick { submit(log.commands[cursor].command) }
            cursor += 1
        }
        step()
    }
}

/// A hash of the city's state at each year's end, kept as the city runs, so that a replay can
/// say which year first differs when it is run with another model. It hashes what grading reads
/// (the closed year's books, the budget, the census, the number of entities), not every byte.
public struct StateJournal: SavedResource, Sendable, Equatable {
    public struct Year: Codable, Sendable, Equatable {
        public var year: Int
        public var hash: UInt64
    }
    public internal(set) var years: [Year] = []

    static func stateHash(_ world: World) throws -> UInt64 {
        var hasher = StableHasher()
        for value in [try Archive.encode(world.resource(Ledger.self)!.years.last), try Archive.encode(world.resource(Budget.self)!),
                      try Archive.encode(world.resource(CityStats.self)!)] {
            value.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
        hasher.combine(UInt64(world.entityCount))
        return hasher.value
    }
}

enum StateJournalPlugin: SimulationPlugin {
    static func build(_ sim: SimulationBuilder) {
        sim.resource("journal", StateJournal.self) { _ in StateJournal() }
        sim.system("journal.year", Phase.account, readsResources: [Clock.self, Ledger.self, Budget.self, CityStats.self],
                   writesResources: [StateJournal.self], after: ["level.rules"],
                   runsLong: { $0.resource(Clock.self)!.isNewYear }) { ctx in
            let clock = ctx.world.resource(Clock.self)!
            guard clock.isNewYear, clock.tick > 0, let hash = try? StateJournal.stateHash(ctx.world) else { return }
            ctx.world.withResource(StateJournal.self) { $0.years.append(.init(year: clock.year - 1, hash: hash)) }
        }
    }
}
