// RunCommand.swift — `netzero run [LEVEL] --years N [--seed S] --out DIR`: a headless run.
//
// LEVEL is a built-in level name (sandbox, reference). Shows a progress bar with an ETA when
// stdout is a terminal, and a plain line per simulated year otherwise.
import ArgumentParser
import CitySim
import Foundation
import TOML

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a level headless and write yearly.csv, daily.csv and summary.json.")

    @Argument(help: "A level file (.toml), or a level name from `netzero levels` (sandbox, reference, 3 for lesson 3, user/NAME, MOD/NAME).") var level = "sandbox"
    @Option(help: "Years to simulate.") var years = 10
    @Option(help: "Seed (default: the level's own).") var seed: UInt64?
    @Option(help: "Output folder.") var out = "out/run"
    @Option(help: "A replay log to reproduce (the player's commands with their ticks).") var replay: String?
    @Option(help: "Write the run's player commands to this replay log (useful with --replay to check equality).")
    var record: String?
    @Option(help: "Write the city at the run's end as a save (.nzsave), as the game's F5 does.") var save: String?
    @Option(name: .customLong("override"), help: "A TOML file of catalog overrides (repeatable), e.g. a mod's cheaper solar.")
    var overrides: [String] = []
    @Option(help: "Write what the level's script printed and posted (print, message, advisor) to this file, one line each: date, kind, text.")
    var log: String?
    @Flag(help: "Print the forecast to --to under the level's policies (representative days) instead of running.") var forecast = false
    @Option(help: "With --forecast: the last year projected.") var to = 2060
    @Flag(help: "With --forecast: print JSON.") var json = false
    @Option(help: "With --forecast: consecutive days simulated per month (31: every day).") var daysPerMonth = ForecastOptions().daysPerMonth

    func validate() throws {
        guard years >= 1 && years <= 200 else { throw ValidationError("--years must be between 1 and 200") }
        guard (1...31).contains(daysPerMonth) else { throw ValidationError("--days-per-month must be between 1 and 31") }
        guard (1900...2300).contains(to) else { throw ValidationError("--to must be a year between 1900 and 2300") }
    }

    func run() throws {
        let (definition, catalog) = try loadLevel(level, seed: seed, overrides: overrides)
        if forecast {
            let city = City(level: definition, catalog: catalog)
            let result = try ForecastSeed(of: city).run(ForecastOptions(toYear: to, daysPerMonth: daysPerMonth))
            print(forecastText(result, level: definition.setup.info.id, json: json), terminator: "")
            return
        }
        var replayLog: ReplayLog?
        if let replay {
            guard let bytes = FileSystem.read(replay), let text = String(validating: bytes, as: UTF8.self) else {
                fail("\(replay):1:1: error: cannot read the replay log")
            }
            let parsed = ReplayLog.parse(text, file: replay)
            guard let parsedLog = parsed.log else { fail(parsed.diagnostics.map(\.description).joined(separator: "\n")) }
            if parsedLog.levelID != definition.setup.info.id {
                fail("\(replay):3:7: error: this replay is of level '\(parsedLog.levelID)', not '\(definition.setup.info.id)'")
            }
            let modProblems = parsedLog.modProblems(installed: definition.mods)
            if !modProblems.isEmpty {
                fail(modProblems.map { "\(replay): error: \($0)" }.joined(separator: "\n"))
            }
            replayLog = parsedLog
        }
        var setupLevel = definition
        if let replayLog, seed == nil { setupLevel.setup.info.seed = replayLog.seed }
        let city = City(level: setupLevel, catalog: catalog)
        let script = try attachScript(definition, to: city)
        let progress = ProgressReporter(label: "\(definition.setup.info.id), \(years) years")
        let unapplied = try HeadlessRun.run(city, options: RunOptions(years: years, outputDirectory: out), replay: replayLog) { done, total in
            progress.update(done: done, total: total, year: city.view.clock.year)
        }
        progress.finish()
        let levelHash = levelFileHash(definition)
        if let log {
            try FileSystem.writeAtomically((script?.log ?? []).map { $0 + "\n" }.joined(), to: log)
        }
        if let log = replayLog, let replay {
            if let format = log.migratedFrom {
                warn("\(replay): note: a format-\(format) replay: it records no hashes, so this run cannot be checked against the recording")
            }
            for difference in log.differences(levelHash: levelHash, catalog: city.catalog, journal: city.world.resource(StateJournal.self)!) {
                warn("\(replay): warning: \(difference); its results may not be the student's")
            }
            if unapplied > 0 {
                warn("\(replay): warning: \(unapplied) command(s) are dated after the run's end and were not applied; run more --years")
            }
        }
        if let record {
            try FileSystem.writeAtomically(ReplayLog(city: city, levelHash: levelHash, mods: definition.mods.map { ($0.id, $0.version) }).text, to: record)
        }
        if let save {
            let directory = (save as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileSystem.makeDirectory(directory) }
            try city.save(to: save, metadata: SaveMetadata(levelFile: definition.file, scriptState: script?.saveState()))
        }
        for message in script?.problems ?? [] { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        print("wrote \(out)/yearly.csv, \(out)/daily.csv, \(out)/summary.json (result: \(city.view.rules?.result.rawValue ?? "undecided"))")
        // The run finished without the level's script: the outputs are not the level as written.
        if script?.isStopped == true {
            FileHandle.standardError.write(Data("netzero run: the level's script was stopped (see above); exit status 3\n".utf8))
            throw ExitCode(3)
        }
    }
}

/// Prints a line to stderr.
func warn(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// The hash of the level file a definition was read from (nil for generated levels).
func levelFileHash(_ level: LevelDefinition) -> UInt64? {
    ReplayLog.levelHash(of: level)
}

/// Prints a message to stderr and exits with status 1.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    Foundation.exit(1)
}

/// A level and the catalog it runs with (the bundled one, the level's own overrides, then any
/// override files), or exits with every problem printed as file:line:col.
/// A level by path or by name (`LevelIndex.find`): the shipped levels, then the player's own and
/// the mods' in `$XDG_DATA_HOME/netzero/{levels,mods}`.
func findLevel(_ nameOrPath: String, seed: UInt64? = nil, catalog: Catalog) -> LevelLoadResult {
    let environment = ProcessInfo.processInfo.environment
    return BuiltinLevels.load(nameOrPath, seed: seed, catalog: catalog, userLevels: UserDirectories.levels(environment: environment),
                              userMods: UserDirectories.mods(environment: environment))
}

func loadLevel(_ nameOrPath: String, seed: UInt64?, overrides: [String] = []) throws -> (LevelDefinition, Catalog) {
    let base = try loadCatalog(overrides: overrides)
    let result = findLevel(nameOrPath, seed: seed, catalog: base)
    for diagnostic in result.diagnostics { FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8)) }
    guard let level = result.level else { throw ExitCode(1) }
    guard let tables = level.catalogOverrides else { return (level, base) }
    return (level, try loadCatalog(overrides: overrides, tables: [(tables, level.file)]))
}

/// Loads the bundled catalog and any override files, or exits with every problem printed as
/// file:line:col.
func loadCatalog(overrides: [String] = [], tables: [(table: TOMLTable, file: String)] = []) throws -> Catalog {
    var documents: [(text: String, file: String)] = []
    for path in overrides {
        guard let bytes = FileSystem.read(path), let text = String(validating: bytes, as: UTF8.self) else {
            FileHandle.standardError.write(Data("\(path): error: cannot read the file as UTF-8 text\n".utf8))
            throw ExitCode(2)
        }
        documents.append((text, path))
    }
    do {
        return try Catalog.load(overrides: documents, overrideTables: tables)
    } catch {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(2)
    }
}

/// A progress bar with ETA on a terminal; a line per year otherwise.
final class ProgressReporter {
    let label: String
    let isTerminal = isatty(STDOUT_FILENO) != 0
    let start = Date()
    var lastYear = Int.min

    init(label: String) { self.label = label }

    func update(done: Int, total: Int, year: Int) {
        let fraction = Double(done) / Double(max(1, total))
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let elapsed = Date().timeIntervalSince(start)
            let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            print("\r\(label) [\(bar)] \(Int(fraction * 100))%  year \(year)  ETA \(Int(eta.rounded()))s   ", terminator: "")
            FileHandle.standardOutput.synchronizeFile()
        } else if year != lastYear {
            lastYear = year
            print("\(label): simulating \(year) (\(Int(fraction * 100))%)")
        }
    }

    func finish() {
        if isTerminal { print("") }
    }
}
