// RunCommand.swift — `netzero run [LEVEL] --years N [--seed S] --out DIR`: a headless run.
//
// LEVEL is a built-in level name (sandbox, reference). Shows a progress bar with an ETA when
// stdout is a terminal, and a plain line per simulated year otherwise.
import ArgumentParser
import CitySim
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a level headless and write yearly.csv, daily.csv and summary.json.")

    @Argument(help: "Level: \(BuiltinLevels.names.joined(separator: ", ")).") var level = "sandbox"
    @Option(help: "Years to simulate.") var years = 10
    @Option(help: "Seed (default: the level's own).") var seed: UInt64?
    @Option(help: "Output folder.") var out = "out/run"
    @Option(name: .customLong("override"), help: "A TOML file of catalog overrides (repeatable), e.g. a mod's cheaper solar.")
    var overrides: [String] = []

    func validate() throws {
        guard years >= 1 && years <= 200 else { throw ValidationError("--years must be between 1 and 200") }
    }

    func run() throws {
        let catalog = try loadCatalog(overrides: overrides)
        guard let setup = BuiltinLevels.named(level, seed: seed, catalog: catalog) else {
            throw ValidationError("unknown level '\(level)'; built-in levels: \(BuiltinLevels.names.joined(separator: ", "))")
        }
        let city = City(level: setup, catalog: catalog)
        let progress = ProgressReporter(label: "\(setup.info.id), \(years) years")
        try HeadlessRun.run(city, options: RunOptions(years: years, outputDirectory: out)) { done, total in
            progress.update(done: done, total: total, year: city.view.clock.year)
        }
        progress.finish()
        print("wrote \(out)/yearly.csv, \(out)/daily.csv, \(out)/summary.json")
    }
}

/// Loads the bundled catalog and any override files, or exits with every problem printed as
/// file:line:col.
func loadCatalog(overrides: [String] = []) throws -> Catalog {
    var documents: [(text: String, file: String)] = []
    for path in overrides {
        guard let bytes = FileSystem.read(path), let text = String(validating: bytes, as: UTF8.self) else {
            FileHandle.standardError.write(Data("\(path): error: cannot read the file as UTF-8 text\n".utf8))
            throw ExitCode(2)
        }
        documents.append((text, path))
    }
    do {
        return try Catalog.load(overrides: documents)
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
