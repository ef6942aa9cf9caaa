// ValidateCommand.swift — `netzero validate [--json]`: the model against published statistics.
//
// Runs the built-in calibration scenarios (CitySim/Validation.swift) and prints one row per
// metric: the model's value, the published range with its unit, the verdict, and the source.
// Exit status 1 when any metric is out of range.
import ArgumentParser
import CitySim
import Foundation

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the model against published statistics (ranges and sources in Resources/catalog/validation.toml).")

    @Flag(help: "Print the table as JSON.") var json = false
    @Option(name: .customLong("override"), help: "A TOML file of catalog overrides (repeatable).")
    var overrides: [String] = []

    func run() throws {
        let (sandbox, catalog) = try loadLevel("sandbox", seed: nil, overrides: overrides)
        let rows = Validation.run(catalog: catalog, sandbox: sandbox) { scenario in
            FileHandle.standardError.write(Data("validate: \(scenario)\n".utf8))
        }
        print(json ? Validation.json(rows) : Validation.table(rows), terminator: "")
        if rows.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
