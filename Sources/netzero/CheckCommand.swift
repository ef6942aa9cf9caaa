// CheckCommand.swift — `netzero check FILE...`: validates level files for teachers and modders.
//
// Prints every problem as `FILE:LINE:COL: error: message` (or `warning:`), then a summary line.
// Exit status: 1 if any file has an error, 0 otherwise. Lua syntax is checked when the level has
// a script (see Scripts.swift).
import ArgumentParser
import CitySim
import Foundation

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check level files and print each problem as FILE:LINE:COL.")

    @Argument(help: "Level files (.toml).") var files: [String]

    func run() throws {
        let catalog = try loadCatalog()
        var errors = 0, warnings = 0
        for file in files {
            let diagnostics = Check.diagnose(file: file, catalog: catalog)
            for diagnostic in diagnostics { print(diagnostic.description) }
            errors += diagnostics.filter { $0.severity == .error }.count
            warnings += diagnostics.filter { $0.severity == .warning }.count
        }
        print("\(files.count) file\(files.count == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
        if errors > 0 { throw ExitCode(1) }
    }

    /// Every problem of one level file: format, map, names, objectives, and its script's syntax.
    static func diagnose(file: String, catalog: Catalog) -> [LevelDiagnostic] {
        let result = LevelFile.load(path: file, catalog: catalog)
        var diagnostics = result.diagnostics
        if let script = result.level?.script { diagnostics += checkScriptSyntax(script) }
        return diagnostics
    }
}
