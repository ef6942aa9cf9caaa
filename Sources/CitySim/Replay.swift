// Replay.swift — a run's player commands as a text log, and reading it back.
//
//   # NetZero City replay
//   format 1
//   level sandbox
//   seed 2060
//   120 build road 5 6
//   130 build residential:0.3 7 6
//   400 demolish 5 6
//   410 upgrade heat_pump 7 6
//   500 policy carbon_tax 100
//   900 sell_offsets 250
//
// Each command line is: the tick it was applied at, then the command. Replaying submits each
// command just before its tick, so it is applied in the same tick as in the original run, and
// a run's outputs are byte-identical. Only the player's commands are logged: a level's script
// issues its own again.

public struct ReplayLog: Sendable, Equatable {
    public static let format = 1
    public var levelID: String
    public var seed: UInt64
    public var commands: [(tick: Int64, command: CityCommand)]

    public init(levelID: String, seed: UInt64, commands: [(tick: Int64, command: CityCommand)]) {
        self.levelID = levelID
        self.seed = seed
        self.commands = commands
    }

    public static func == (a: ReplayLog, b: ReplayLog) -> Bool {
        a.levelID == b.levelID && a.seed == b.seed && a.commands.count == b.commands.count
            && zip(a.commands, b.commands).allSatisfy { $0.tick == $1.tick && $0.command == $1.command }
    }

    /// The player's commands of a city so far (done or refused: a refused command is part of
    /// what the player did, and refusing it again is part of replaying it).
    public init(city: City) {
        let view = city.view
        levelID = view.level.id
        seed = view.level.seed
        commands = view.commandLog.filter { $0.source == .player }.map { ($0.tick, $0.command) }
    }

    public var text: String {
        var lines = ["# NetZero City replay", "format \(ReplayLog.format)", "level \(levelID)", "seed \(seed)"]
        for (tick, command) in commands { lines.append("\(tick) \(ReplayLog.describe(command))") }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func describe(_ command: CityCommand) -> String {
        switch command {
        case .build(let structure, let x, let y):
            if case .building(_, let density) = structure, density != 1 {
                return "build \(structure.key):\(Fixed.format(density, 4)) \(x) \(y)"
            }
            return "build \(structure.key) \(x) \(y)"
        case .demolish(let x, let y): return "demolish \(x) \(y)"
        case .upgrade(let upgrade, let x, let y): return "upgrade \(upgrade.key) \(x) \(y)"
        case .setPolicy(let name, let value): return "policy \(name) \(Fixed.format(value, 4))"
        case .sellOffsets(let count): return "sell_offsets \(count)"
        }
    }

    /// Parses a log; problems are `file:line:col` diagnostics.
    public static func parse(_ text: String, file: String) -> (log: ReplayLog?, diagnostics: [LevelDiagnostic]) {
        var diagnostics: [LevelDiagnostic] = []
        var log = ReplayLog(levelID: "", seed: 0, commands: [])
        var sawFormat = false
        var lastTick: Int64 = -1
        func fail(_ line: Int, _ column: Int, _ message: String) {
            diagnostics.append(LevelDiagnostic(file: file, line: line, column: column, severity: .error, message: message))
        }
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let words = raw.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let first = words.first, !first.hasPrefix("#") else { continue }
            switch first {
            case "format":
                guard words.count == 2, Int(words[1]) == format else { fail(line, 8, "this game reads replay format \(format)"); return (nil, diagnostics) }
                sawFormat = true
            case "level":
                guard words.count == 2 else { fail(line, 1, "expected: level ID"); continue }
                log.levelID = words[1]
            case "seed":
                guard words.count == 2, let seed = UInt64(words[1]) else { fail(line, 6, "expected: seed NUMBER"); continue }
                log.seed = seed
            default:
                guard let tick = Int64(first), tick >= 0 else { fail(line, 1, "expected a tick number, 'format', 'level' or 'seed'"); continue }
                guard tick >= lastTick else { fail(line, 1, "ticks must not go backwards (\(tick) after \(lastTick))"); continue }
                lastTick = tick
                switch parseCommand(Array(words.dropFirst())) {
                case .success(let command): log.commands.append((tick, command))
                case .failure(let problem): fail(line, raw.distance(from: raw.startIndex, to: raw.firstIndex(of: " ") ?? raw.startIndex) + 2, problem.message)
                }
            }
        }
        if !sawFormat { fail(1, 1, "not a replay log: the 'format' line is missing") }
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
        default:
            return .failure(Problem(message: "expected 'build STRUCTURE X Y', 'demolish X Y', 'upgrade UPGRADE X Y', 'policy NAME VALUE' or 'sell_offsets N'"))
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
