// CheckCommand.swift — `netzero check PATH...`: validates level files and mods for teachers and modders.
//
// A PATH is a level file, a mod folder (with mod.toml: the manifest, every level, catalog
// override, locale file and script in it, and its dependencies and conflicts among the mods
// beside it and the shipped ones), or a folder of mods (each of them, and their load order).
// Prints every problem as `FILE:LINE:COL: error: message` (or `warning:`), then a summary line.
// Exit status: 1 if any file has an error, 0 otherwise. Lua syntax, undefined calls and unknown
// names are checked in every script (see Scripts.swift).
import ArgumentParser
import CitySim
import Foundation

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check level files and mods and print each problem as FILE:LINE:COL.")

    @Argument(help: "Level files (.toml), mod folders (holding mod.toml), or folders of mods.") var paths: [String]

    func run() throws {
        let catalog = try loadCatalog()
        var errors = 0, warnings = 0, files = 0
        for path in paths {
            let (diagnostics, count) = Check.diagnose(path: path, catalog: catalog)
            files += count
            for diagnostic in diagnostics { print(diagnostic.description) }
            errors += diagnostics.filter { $0.severity == .error }.count
            warnings += diagnostics.filter { $0.severity == .warning }.count
        }
        print("\(files) file\(files == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
        if errors > 0 { throw ExitCode(1) }
    }

    /// The problems of a level file, a mod folder or a folder of mods, and how many files were read.
    static func diagnose(path: String, catalog: Catalog) -> ([LevelDiagnostic], Int) {
        guard FileSystem.isDirectory(path) else { return (diagnose(file: path, catalog: catalog), 1) }
        if FileSystem.exists(path + "/mod.toml") { return diagnose(mod: path, catalog: catalog) }
        let folders = FileSystem.list(path).sorted().filter { !$0.hasPrefix(".") && FileSystem.isDirectory(path + "/" + $0) }
        guard !folders.isEmpty else {
            return ([LevelDiagnostic(file: path, line: 1, column: 1, severity: .error,
                                     message: "neither a level file, a mod folder (no mod.toml) nor a folder of mods")], 0)
        }
        var all: [LevelDiagnostic] = [], count = 0
        let library = ModLibrary.load(roots: [path, ModLibrary.shippedFolder])
        let inside = (path as NSString).standardizingPath + "/"
        all += library.diagnostics.filter { ($0.file as NSString).standardizingPath.hasPrefix(inside) }
        for folder in folders where FileSystem.exists(path + "/" + folder + "/mod.toml") {
            let (found, files) = diagnose(mod: path + "/" + folder, catalog: catalog)
            all += found
            count += files
        }
        return (unique(all), count)
    }

    /// Every problem of one level file: format, map, names, objectives, and its script.
    static func diagnose(file: String, catalog: Catalog) -> [LevelDiagnostic] {
        let result = LevelFile.load(path: file, catalog: catalog)
        var diagnostics = result.diagnostics
        if let script = result.level?.script { diagnostics += checkScriptSyntax(script) }
        return diagnostics
    }

    /// Every problem of one mod: mod.toml, its place among the installed mods (dependencies,
    /// game version, conflicting catalog overrides), its levels, catalog files and scripts.
    static func diagnose(mod folder: String, catalog: Catalog) -> ([LevelDiagnostic], Int) {
        let parent = (folder as NSString).deletingLastPathComponent
        let library = ModLibrary.load(roots: [parent.isEmpty ? "." : parent, ModLibrary.shippedFolder])
        let inside = (folder as NSString).standardizingPath + "/"
        var diagnostics = library.diagnostics.filter { ($0.file as NSString).standardizingPath.hasPrefix(inside) }
        let (package, readProblems) = ModPackage.read(folder: folder)
        if diagnostics.isEmpty { diagnostics = readProblems }
        guard let package else { return (unique(diagnostics), 1) }
        var ids: [String: String] = [:]
        for level in package.levels {
            let result = LevelFile.load(path: level, catalog: catalog)
            diagnostics += result.diagnostics
            if let script = result.level?.script { diagnostics += checkScriptSyntax(script) }
            if let id = result.level?.setup.info.id {
                if let other = ids[id] {
                    diagnostics.append(LevelDiagnostic(file: level, line: 1, column: 1, severity: .error,
                                                       message: "level id '\(id)' is also the id of \(other); grading finds a level by its id"))
                }
                ids[id] = level
            }
        }
        var strings: [String: [String: String]] = [:]
        for member in ModLibrary.context(forModAt: folder).chain {
            for (language, table) in member.strings { strings[language, default: [:]].merge(table) { _, new in new } }
        }
        if strings.isEmpty { strings = package.strings }
        for path in package.scripts {
            switch FileSystem.readRegularFile(path, limit: LevelFile.maximumScriptBytes) {
            case .failure(let problem):
                diagnostics.append(LevelDiagnostic(file: path, line: 1, column: 1, severity: .error, message: "cannot read the script: \(problem.reason)"))
            case .success(let bytes):
                guard let source = String(validating: bytes, as: UTF8.self) else {
                    diagnostics.append(LevelDiagnostic(file: path, line: 1, column: 1, severity: .error, message: "the script is not UTF-8 text"))
                    continue
                }
                var script = LevelScript(source: source, file: path, firstLine: 1)
                script.strings = strings
                diagnostics += checkScriptSyntax(script)
            }
        }
        if !package.catalogFiles.isEmpty {
            do {
                _ = try Catalog.load(overrideTables: package.catalogFiles.map { ($0.table, $0.file) })
            } catch {
                diagnostics += error.errors.map {
                    LevelDiagnostic(file: $0.file, line: $0.position.line, column: $0.position.column, severity: .error, message: "catalog override: " + $0.message)
                }
            }
        }
        return (unique(diagnostics), 1 + package.levels.count + package.scripts.count + package.catalogFiles.count + package.strings.count)
    }

    /// Each problem once (a mod's refusal is reached from each of its levels), in order.
    static func unique(_ diagnostics: [LevelDiagnostic]) -> [LevelDiagnostic] {
        var seen = Set<String>()
        return diagnostics.filter { seen.insert($0.description).inserted }
    }
}
