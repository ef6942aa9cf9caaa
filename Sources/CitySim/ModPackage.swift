// ModPackage.swift — mod packages: what a mod folder holds, and which mods load, in which order.
//
// [SECTION] Versions and references
// [SECTION] One mod: mod.toml and its folders
// [SECTION] The installed mods: load order, refusals, conflicts
// [SECTION] Catalog overrides: flattening, merging
//
// A mod is a folder named after its id (docs/modding.md):
//
//   green-points/
//     mod.toml          id, version, title_en/zh, authors, game_versions, [dependencies]
//     levels/*.toml     level files (docs/levels.md); they may name scripts/*.lua by script_file
//     catalog/*.toml    catalog overrides, as a level's [catalog] tables, for the mod's levels
//     locale/en.toml, locale/zh.toml   the mod's own strings, "[section] key = text"
//     scripts/*.lua     Lua scripts (docs/lua-api.md)
//
// Mods are found in the shipped `Levels/mods/` and in the player's `$XDG_DATA_HOME/netzero/mods/`
// (UserDirectories). Every problem is a `LevelDiagnostic` at a file, line and column; a mod
// that cannot load is refused with a message naming it, never half-loaded.
import Foundation
import TOML

// MARK: - [SECTION] Versions and references

/// A mod and the version a level or a replay ran with.
public struct ModReference: Sendable, Equatable {
    public var id: String
    public var version: String
    public init(id: String, version: String) {
        self.id = id
        self.version = version
    }
}

/// "1", "1.2" or "1.2.3": up to four whole numbers; "1.2" and "1.2.0" are equal.
public struct ModVersion: Sendable, Comparable, CustomStringConvertible {
    public var parts: [Int]

    public init?(_ text: String) {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(pieces.count) else { return nil }
        var parts: [Int] = []
        for piece in pieces {
            guard (1...6).contains(piece.count), piece.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(piece) else { return nil }
            parts.append(value)
        }
        self.parts = parts
    }

    public var description: String { parts.map(String.init).joined(separator: ".") }

    public static func < (a: ModVersion, b: ModVersion) -> Bool {
        for i in 0..<max(a.parts.count, b.parts.count) {
            let x = i < a.parts.count ? a.parts[i] : 0, y = i < b.parts.count ? b.parts[i] : 0
            if x != y { return x < y }
        }
        return false
    }

    public static func == (a: ModVersion, b: ModVersion) -> Bool { !(a < b) && !(b < a) }

    /// "0.3" supports the game 0.3.0 and 0.3.7; "0.3.1" only 0.3.1.
    func covers(_ game: ModVersion) -> Bool {
        parts.count <= game.parts.count && zip(parts, game.parts).allSatisfy { $0 == $1 }
    }
}

// MARK: - [SECTION] One mod

public struct ModDependency: Sendable {
    public var id: String
    /// The oldest version that will do.
    public var minimum: ModVersion
    public var position: SourcePosition
}

/// What `mod.toml` says.
public struct ModManifest: Sendable {
    public var id: String
    public var version: ModVersion
    public var title: Names
    public var summary: Names
    public var authors: [String]
    /// Game versions the mod supports, each a prefix of `Simulation.version` ("0.3").
    public var gameVersions: [ModVersion]
    public var dependencies: [ModDependency]
    public var folder: String
    var idPosition = SourcePosition(line: 1, column: 1)
    var gamePosition = SourcePosition(line: 1, column: 1)

    public var file: String { folder + "/mod.toml" }

    public func supports(gameVersion: String) -> Bool {
        guard let game = ModVersion(gameVersion) else { return false }
        return gameVersions.contains { $0.covers(game) }
    }
}

public struct ModPackage: Sendable {
    public var manifest: ModManifest
    /// Level files in `levels/`, scripts in `scripts/`, sorted by name.
    public var levels: [String] = []
    public var scripts: [String] = []
    /// `catalog/*.toml`, sorted by name.
    public var catalogFiles: [(file: String, table: TOMLTable)] = []
    /// `locale/CODE.toml` as "section.key" → text, per language code ("en", "zh").
    public var strings: [String: [String: String]] = [:]

    public static let manifestKeys = ["id", "version", "title_en", "title_zh", "summary_en", "summary_zh", "authors",
                                      "game_versions", "dependencies"]
    public static let folders = ["levels", "catalog", "locale", "scripts"]
    public static let languages = ["en", "zh"]
    /// Limits on what one mod may hold: a mod is a few files of a few kilobytes.
    public static let maximumManifestBytes = 64 << 10
    public static let maximumFilesPerFolder = 500
    public static let maximumDataBytes = 4 << 20

    /// Reads the mod in `folder`; nil with the errors when mod.toml is missing or wrong.
    public static func read(folder: String) -> (package: ModPackage?, diagnostics: [LevelDiagnostic]) {
        let file = folder + "/mod.toml"
        var report = ModReport(file: file)
        guard let manifest = readManifest(folder: folder, report: &report) else { return (nil, report.diagnostics) }
        var package = ModPackage(manifest: manifest)
        for entry in FileSystem.list(folder).sorted() where !entry.hasPrefix(".") {
            let known = folders.contains(entry) || entry == "mod.toml" || entry.uppercased().hasPrefix("README") || entry.uppercased().hasPrefix("LICENSE")
            if !known {
                report.warning(SourcePosition(line: 1, column: 1), "'\(entry)' in the mod folder is ignored: a mod holds " +
                               "mod.toml, levels/, catalog/, locale/, scripts/ (and a README or LICENSE)" + suggestion(entry, folders))
            } else if folders.contains(entry) && !FileSystem.isDirectory(folder + "/" + entry) {
                report.error(SourcePosition(line: 1, column: 1), "'\(entry)' in the mod folder must be a folder")
            }
        }
        package.levels = files(in: folder + "/levels", ending: ".toml", report: &report)
        package.scripts = files(in: folder + "/scripts", ending: ".lua", report: &report)
        for path in files(in: folder + "/catalog", ending: ".toml", report: &report) {
            if let table = readTOML(path, into: &report.diagnostics) { package.catalogFiles.append((path, table)) }
        }
        for path in files(in: folder + "/locale", ending: ".toml", report: &report) {
            let code = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            guard languages.contains(code) else {
                report.diagnostics.append(LevelDiagnostic(file: path, line: 1, column: 1, severity: .error,
                    message: "locale files are en.toml and zh.toml, not '\(code).toml'" + suggestion(code, languages)))
                continue
            }
            if let table = readTOML(path, into: &report.diagnostics) {
                package.strings[code] = readStrings(table, file: path, into: &report.diagnostics)
            }
        }
        if let en = package.strings["en"], let zh = package.strings["zh"] {
            for key in en.keys.sorted() where zh[key] == nil {
                report.diagnostics.append(LevelDiagnostic(file: folder + "/locale/zh.toml", line: 1, column: 1, severity: .warning,
                                                          message: "'\(key)' has an English text but no Chinese one"))
            }
            for key in zh.keys.sorted() where en[key] == nil {
                report.diagnostics.append(LevelDiagnostic(file: folder + "/locale/en.toml", line: 1, column: 1, severity: .warning,
                                                          message: "'\(key)' has a Chinese text but no English one"))
            }
        }
        return (report.hasErrors ? nil : package, report.diagnostics)
    }

    static func readManifest(folder: String, report: inout ModReport) -> ModManifest? {
        let bytes: [UInt8]
        switch FileSystem.readRegularFile(report.file, limit: maximumManifestBytes) {
        case .success(let read): bytes = read
        case .failure(let problem):
            report.error(SourcePosition(line: 1, column: 1), "cannot read mod.toml: \(problem.reason)")
            return nil
        }
        let document: TOMLTable
        do {
            document = try TOML.parse(bytes: bytes, file: report.file)
        } catch {
            report.error(error.position, error.message)
            return nil
        }
        report.checkKeys(document, allowed: manifestKeys, context: "mod.toml")
        let id = report.string(document, "id") ?? ""
        let idPosition = document["id"]?.position ?? document.position
        if !id.isEmpty && !ModPackage.isValidID(id) {
            report.error(idPosition, "a mod id is 1–64 lowercase letters, digits, '-' or '_', starting with a letter or digit, not '\(id)'")
        }
        let folderName = ((folder as NSString).standardizingPath as NSString).lastPathComponent
        if ModPackage.isValidID(id) && folderName != id {
            report.error(idPosition, "the mod's folder is named '\(folderName)' but its id is '\(id)': name the folder after the id")
        }
        let versionText = report.string(document, "version") ?? ""
        let version = ModVersion(versionText)
        if version == nil && document["version"]?.value.stringValue != nil {
            report.error(document["version"]!.position, "a mod version is written \"1.2.0\" (up to four whole numbers), not '\(versionText)'")
        }
        let title = Names(en: report.string(document, "title_en") ?? id, zh: report.string(document, "title_zh") ?? id)
        let summary = Names(en: report.string(document, "summary_en", required: false) ?? "",
                            zh: report.string(document, "summary_zh", required: false) ?? "")
        for (key, text) in [("title_en", title.en), ("title_zh", title.zh)] where text.count > 100 {
            report.error(document[key]!.position, "'\(key)' is \(text.count) characters; a title is at most 100")
        }
        let authors = report.strings(document, "authors", example: "[\"Li Wei\"]")
        if document["authors"] != nil && authors.isEmpty {
            report.error(document["authors"]!.position, "'authors' names at least one author")
        }
        var gameVersions: [ModVersion] = []
        for (text, position) in report.stringsWithPositions(document, "game_versions", example: "[\"\(Simulation.version.split(separator: ".").prefix(2).joined(separator: "."))\"]") {
            if let parsed = ModVersion(text) { gameVersions.append(parsed) } else {
                report.error(position, "a game version is written \"0.3\" or \"0.3.0\", not '\(text)'")
            }
        }
        var dependencies: [ModDependency] = []
        if let node = document["dependencies"] {
            if case .table(let table) = node.value {
                for (key, entry) in table.entries {
                    let position = entry.keyPosition ?? entry.position
                    guard ModPackage.isValidID(key) else { report.error(position, "'\(key)' is not a mod id"); continue }
                    guard key != id else { report.error(position, "a mod cannot depend on itself"); continue }
                    guard let text = entry.value.stringValue, let minimum = ModVersion(text) else {
                        report.error(entry.position, "a dependency gives the oldest version that will do, as text: \(key) = \"1.0\"")
                        continue
                    }
                    dependencies.append(ModDependency(id: key, minimum: minimum, position: position))
                }
            } else {
                report.error(node.position, "'dependencies' is a table of mod ids and oldest versions: [dependencies] other-mod = \"1.0\"")
            }
        }
        guard !report.hasErrors, let version else { return nil }
        var manifest = ModManifest(id: id, version: version, title: title, summary: summary, authors: authors,
                                   gameVersions: gameVersions, dependencies: dependencies, folder: folder)
        manifest.idPosition = idPosition
        manifest.gamePosition = document["game_versions"]?.position ?? document.position
        return manifest
    }

    public static func isValidID(_ id: String) -> Bool {
        guard (1...64).contains(id.utf8.count), let first = id.unicodeScalars.first,
              (first.properties.isLowercase || ("0"..."9").contains(first)), first.isASCII else { return false }
        return id.unicodeScalars.allSatisfy { $0.isASCII && (("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }

    /// The files of one of the mod's folders with the given ending, sorted by name.
    static func files(in directory: String, ending: String, report: inout ModReport) -> [String] {
        guard FileSystem.isDirectory(directory) else { return [] }
        let names = FileSystem.list(directory).filter { !$0.hasPrefix(".") }.sorted()
        if names.count > maximumFilesPerFolder {
            report.error(SourcePosition(line: 1, column: 1), "\(directory) holds \(names.count) entries; a mod folder holds at most \(maximumFilesPerFolder)")
            return []
        }
        var found: [String] = []
        for name in names {
            if name.hasSuffix(ending) { found.append(directory + "/" + name) } else {
                report.warning(SourcePosition(line: 1, column: 1), "\(directory)/\(name) is ignored: only *\(ending) files are read there")
            }
        }
        return found
    }

    static func readTOML(_ path: String, into diagnostics: inout [LevelDiagnostic]) -> TOMLTable? {
        switch FileSystem.readRegularFile(path, limit: maximumDataBytes) {
        case .failure(let problem):
            diagnostics.append(LevelDiagnostic(file: path, line: 1, column: 1, severity: .error, message: "cannot read the file: \(problem.reason)"))
            return nil
        case .success(let bytes):
            do {
                return try TOML.parse(bytes: bytes, file: path)
            } catch {
                diagnostics.append(LevelDiagnostic(file: path, line: error.position.line, column: error.position.column, severity: .error,
                                                   message: error.message))
                return nil
            }
        }
    }

    /// A locale file: `[section]` tables of `key = "text"`, as the game's own Resources/locale.
    static func readStrings(_ table: TOMLTable, file: String, into diagnostics: inout [LevelDiagnostic]) -> [String: String] {
        var strings: [String: String] = [:]
        for (section, node) in table.entries {
            guard case .table(let entries) = node.value else {
                diagnostics.append(LevelDiagnostic(file: file, line: node.position.line, column: node.position.column, severity: .error,
                                                   message: "'\(section)' must be a [section] of key = \"text\" lines"))
                continue
            }
            for (key, entry) in entries.entries {
                if let text = entry.value.stringValue { strings[section + "." + key] = text } else {
                    diagnostics.append(LevelDiagnostic(file: file, line: entry.position.line, column: entry.position.column, severity: .error,
                                                       message: "'\(section).\(key)' must be text, not \(entry.value.typeName)"))
                }
            }
        }
        return strings
    }
}

/// Problems found in one mod.toml, with typed reads that report at the key.
struct ModReport {
    let file: String
    var diagnostics: [LevelDiagnostic] = []
    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    mutating func error(_ position: SourcePosition, _ message: String) {
        diagnostics.append(LevelDiagnostic(file: file, line: position.line, column: position.column, severity: .error, message: message))
    }

    mutating func warning(_ position: SourcePosition, _ message: String) {
        diagnostics.append(LevelDiagnostic(file: file, line: position.line, column: position.column, severity: .warning, message: message))
    }

    mutating func checkKeys(_ table: TOMLTable, allowed: [String], context: String) {
        for (key, node) in table.entries where !allowed.contains(key) {
            error(node.keyPosition ?? node.position, "unknown key '\(key)' in \(context)" + suggestion(key, allowed))
        }
    }

    mutating func string(_ table: TOMLTable, _ key: String, required: Bool = true) -> String? {
        guard let node = table[key] else {
            if required { error(table.position, "mod.toml needs '\(key)'") }
            return nil
        }
        guard let text = node.value.stringValue, !text.isEmpty else {
            error(node.position, "'\(key)' must be text (in quotes), not \(node.value.typeName == "string" ? "empty" : node.value.typeName)")
            return nil
        }
        return text
    }

    mutating func strings(_ table: TOMLTable, _ key: String, example: String) -> [String] {
        stringsWithPositions(table, key, example: example).map(\.0)
    }

    mutating func stringsWithPositions(_ table: TOMLTable, _ key: String, example: String) -> [(String, SourcePosition)] {
        guard let node = table[key] else {
            error(table.position, "mod.toml needs '\(key)', a list such as \(key) = \(example)")
            return []
        }
        guard case .array(let items) = node.value else {
            error(node.position, "'\(key)' must be a list, e.g. \(key) = \(example)")
            return []
        }
        var found: [(String, SourcePosition)] = []
        for item in items {
            if let text = item.value.stringValue, !text.isEmpty { found.append((text, item.position)) } else {
                error(item.position, "each entry of '\(key)' is text, e.g. \(example)")
            }
        }
        if found.isEmpty && items.isEmpty { error(node.position, "'\(key)' is empty; give at least one, e.g. \(key) = \(example)") }
        return found
    }
}

// MARK: - [SECTION] The installed mods

/// The mods found in some folders: those that load, in load order, and every problem.
public struct ModLibrary: Sendable {
    /// The mods that load: dependencies before the mods that need them, otherwise by id.
    public var packages: [ModPackage] = []
    /// Refusals (errors, at the refused mod's mod.toml) and warnings.
    public var diagnostics: [LevelDiagnostic] = []
    /// The folders searched.
    public var roots: [String] = []

    public init() {}

    /// The mods that ship with the game.
    public static var shippedFolder: String { ResourceLocator.levelsDirectory + "/mods" }

    /// Every mod in `roots` (each a folder of mod folders; a mod found twice loads from the
    /// first root), checked against `gameVersion`.
    public static func load(roots: [String], gameVersion: String = Simulation.version) -> ModLibrary {
        var library = ModLibrary()
        var candidates: [ModPackage] = []
        var seenRoots = Set<String>()
        for root in roots {
            let standard = (root as NSString).standardizingPath
            guard seenRoots.insert(standard).inserted else { continue }
            library.roots.append(root)
            guard FileSystem.isDirectory(root) else { continue }
            let entries = FileSystem.list(root).filter { !$0.hasPrefix(".") }.sorted()
            for entry in entries.prefix(ModPackage.maximumFilesPerFolder) {
                let folder = root + "/" + entry
                guard FileSystem.isDirectory(folder) else { continue }
                guard FileSystem.exists(folder + "/mod.toml") else {
                    library.diagnostics.append(LevelDiagnostic(file: folder, line: 1, column: 1, severity: .warning,
                                                               message: "not a mod: the folder has no mod.toml"))
                    continue
                }
                let (package, problems) = ModPackage.read(folder: folder)
                library.diagnostics += problems
                guard let package else { continue }
                if let first = candidates.first(where: { $0.manifest.id == package.manifest.id }) {
                    library.refuse(package, at: package.manifest.idPosition, "mod '\(package.manifest.id)' is installed twice; "
                                   + "the copy in \(first.manifest.folder) (\(first.manifest.version)) is used, this one is not")
                    continue
                }
                candidates.append(package)
            }
            if entries.count > ModPackage.maximumFilesPerFolder {
                library.diagnostics.append(LevelDiagnostic(file: root, line: 1, column: 1, severity: .error,
                    message: "\(entries.count) entries; only the first \(ModPackage.maximumFilesPerFolder) (by name) are read"))
            }
        }
        library.resolve(candidates, gameVersion: gameVersion)
        library.reportConflicts()
        return library
    }

    /// Refuses mods for an unsupported game version or a missing, too old, refused or circular
    /// dependency, and orders the rest: a mod after its dependencies, otherwise by id.
    mutating func resolve(_ candidates: [ModPackage], gameVersion: String) {
        var byID: [String: ModPackage] = [:]
        for package in candidates {
            let manifest = package.manifest
            if !manifest.supports(gameVersion: gameVersion) {
                refuse(package, at: manifest.gamePosition, "mod '\(manifest.id)' \(manifest.version) supports NetZero City "
                       + manifest.gameVersions.map(\.description).joined(separator: ", ") + "; this game is \(gameVersion)")
            } else {
                byID[manifest.id] = package
            }
        }
        let installed = Dictionary(candidates.map { ($0.manifest.id, $0.manifest.version) }, uniquingKeysWith: { a, _ in a })
        // A refusal can refuse the mods that need it: repeat until nothing changes.
        var changed = true
        while changed {
            changed = false
            for id in byID.keys.sorted() {
                guard let package = byID[id] else { continue }
                for dependency in package.manifest.dependencies {
                    let needs = "mod '\(id)' needs mod '\(dependency.id)' \(dependency.minimum) or newer"
                    var problem: String?
                    if let found = byID[dependency.id] {
                        if found.manifest.version < dependency.minimum {
                            problem = "\(needs); installed: \(dependency.id) \(found.manifest.version)"
                        }
                    } else if let version = installed[dependency.id] {
                        problem = "\(needs); \(dependency.id) \(version) is installed but cannot load (see its errors)"
                    } else {
                        problem = "\(needs), which is not installed (looked in " + roots.joined(separator: " and ") + ")"
                    }
                    if let problem {
                        refuse(package, at: dependency.position, problem)
                        byID[id] = nil
                        changed = true
                    }
                }
            }
        }
        // Kahn's order, taking the smallest id ready at each step, so the order never depends
        // on the file system's.
        var waiting = byID
        var done = Set<String>()
        while true {
            let ready = waiting.values.filter { $0.manifest.dependencies.allSatisfy { done.contains($0.id) } }
            guard let next = ready.min(by: { $0.manifest.id < $1.manifest.id }) else { break }
            packages.append(next)
            done.insert(next.manifest.id)
            waiting[next.manifest.id] = nil
        }
        let circular = waiting.keys.sorted()
        for id in circular {
            let package = waiting[id]!
            refuse(package, at: package.manifest.dependencies.first?.position ?? package.manifest.idPosition,
                   "mod '\(id)' is in a circle of dependencies (" + circular.joined(separator: ", ") + "): none of them can load first")
        }
    }

    mutating func refuse(_ package: ModPackage, at position: SourcePosition, _ message: String) {
        diagnostics.append(LevelDiagnostic(file: package.manifest.file, line: position.line, column: position.column,
                                           severity: .error, message: message))
    }

    /// The mod and every mod it depends on, in load order (the mod last); nil if it did not load.
    public func chain(for id: String) -> [ModPackage]? {
        guard packages.contains(where: { $0.manifest.id == id }) else { return nil }
        var needed: Set<String> = [id]
        for package in packages.reversed() where needed.contains(package.manifest.id) {
            for dependency in package.manifest.dependencies { needed.insert(dependency.id) }
        }
        return packages.filter { needed.contains($0.manifest.id) }
    }

    /// Two mods that set one catalog entry to different values: an error at the later mod in
    /// load order when one needs the other (its levels would run with both), else a warning
    /// (each mod's overrides apply to its own levels only).
    mutating func reportConflicts() {
        var refusedIDs = Set<String>()
        var entries: [String: [CatalogOverrides.Entry]] = [:]
        for package in packages {
            entries[package.manifest.id] = package.catalogFiles.flatMap { CatalogOverrides.flatten($0.table, file: $0.file) }
        }
        for (i, first) in packages.enumerated() {
            for second in packages[(i + 1)...] {
                let related = chain(for: second.manifest.id)?.contains { $0.manifest.id == first.manifest.id } == true
                for conflict in CatalogOverrides.conflicts(entries[first.manifest.id] ?? [], entries[second.manifest.id] ?? []) {
                    let message = "catalog entry '\(conflict.0.path)' is set by two mods: '\(first.manifest.id)' (\(first.manifest.title.en)) "
                        + "at \(conflict.0.file):\(conflict.0.position) and '\(second.manifest.id)' (\(second.manifest.title.en)) here, to another value"
                        + (related ? "; '\(second.manifest.id)' needs '\(first.manifest.id)', so its levels would run with both" : "; each mod's overrides apply to its own levels only")
                    diagnostics.append(LevelDiagnostic(file: conflict.1.file, line: conflict.1.position.line, column: conflict.1.position.column,
                                                       severity: related ? .error : .warning, message: message))
                    if related { refusedIDs.insert(second.manifest.id) }
                }
            }
        }
        // A mod refused here takes the mods that need it along.
        var removed = refusedIDs
        for package in packages where !removed.contains(package.manifest.id) {
            if let dependency = package.manifest.dependencies.first(where: { removed.contains($0.id) }) {
                refuse(package, at: dependency.position, "mod '\(package.manifest.id)' needs mod '\(dependency.id)', whose catalog overrides conflict (see above)")
                removed.insert(package.manifest.id)
            }
        }
        packages.removeAll { removed.contains($0.manifest.id) }
    }

    // MARK: Levels inside mods

    /// The mod folder a level file belongs to (`MOD/levels/NAME.toml` beside `MOD/mod.toml`), or nil.
    public static func folder(owningLevel path: String) -> String? {
        let levels = (path as NSString).deletingLastPathComponent
        guard (levels as NSString).lastPathComponent == "levels" else { return nil }
        let folder = (levels as NSString).deletingLastPathComponent
        return FileSystem.exists(folder + "/mod.toml") ? (folder.isEmpty ? "." : folder) : nil
    }

    /// What a level of the mod in `folder` runs with: the mod and its dependencies (found beside
    /// it and among the shipped mods) in load order, their catalog overrides merged in that
    /// order, and the problems that stop the mod from loading.
    public static func context(forModAt folder: String, gameVersion: String = Simulation.version)
        -> (chain: [ModPackage], catalogOverrides: TOMLTable, diagnostics: [LevelDiagnostic]) {
        let parent = (folder as NSString).deletingLastPathComponent
        let library = load(roots: [parent.isEmpty ? "." : parent, shippedFolder], gameVersion: gameVersion)
        let standard = (folder as NSString).standardizingPath
        guard let package = library.packages.first(where: { ($0.manifest.folder as NSString).standardizingPath == standard }),
              let chain = library.chain(for: package.manifest.id) else {
            var problems = library.diagnostics.filter { $0.severity == .error && ($0.file as NSString).standardizingPath.hasPrefix(standard + "/") }
            if problems.isEmpty {
                problems.append(LevelDiagnostic(file: folder + "/mod.toml", line: 1, column: 1, severity: .error,
                                                message: "the mod in \(folder) cannot load"))
            }
            return ([], TOMLTable(), problems)
        }
        var merged = TOMLTable()
        for member in chain {
            for (_, table) in member.catalogFiles { CatalogOverrides.merge(table, into: &merged) }
        }
        let ids = Set(chain.map { $0.manifest.folder + "/" })
        let related = library.diagnostics.filter { diagnostic in ids.contains { diagnostic.file.hasPrefix($0) } && diagnostic.severity == .error }
        return (chain, merged, related)
    }
}

// MARK: - [SECTION] Catalog overrides

/// Catalog override tables (a level's `[catalog]`, a mod's `catalog/*.toml`) as entries.
public enum CatalogOverrides {
    public struct Entry: Sendable {
        public var path: String
        public var value: TOMLValue
        public var file: String
        public var position: SourcePosition
    }

    /// A factor is a table with a value, values, unit or source (as Catalog reads it).
    static func isFactor(_ table: TOMLTable) -> Bool {
        table.contains("unit") || table.contains("value") || table.contains("values") || table.contains("source")
    }

    /// Every factor and text entry of an override table, with its dotted path.
    public static func flatten(_ table: TOMLTable, file: String, prefix: String = "") -> [Entry] {
        var entries: [Entry] = []
        for (key, node) in table.entries {
            let path = prefix.isEmpty ? key : prefix + "." + key
            if case .table(let sub) = node.value, !isFactor(sub) {
                entries += flatten(sub, file: file, prefix: path)
            } else {
                entries.append(Entry(path: path, value: node.value, file: file, position: node.keyPosition ?? node.position))
            }
        }
        return entries
    }

    /// Pairs of entries with the same path and different values (sources aside, a factor's
    /// value and unit must agree).
    static func conflicts(_ a: [Entry], _ b: [Entry]) -> [(Entry, Entry)] {
        let byPath = Dictionary(a.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        return b.compactMap { entry in
            guard let other = byPath[entry.path], !sameSetting(other.value, entry.value) else { return nil }
            return (other, entry)
        }
    }

    static func sameSetting(_ a: TOMLValue, _ b: TOMLValue) -> Bool {
        if case .table(let x) = a, case .table(let y) = b {
            return ["value", "values", "unit"].allSatisfy { key in
                switch (x[key], y[key]) {
                case (nil, nil): return true
                case (let p?, let q?): return p.value.hasSameContent(as: q.value)
                default: return false
                }
            }
        }
        return a.hasSameContent(as: b)
    }

    /// Lays `table` over `base`: a factor or text replaces the one at its path; other tables merge.
    public static func merge(_ table: TOMLTable, into base: inout TOMLTable) {
        for (key, node) in table.entries {
            if case .table(let sub) = node.value, !isFactor(sub), case .table(var existing)? = base[key]?.value, !isFactor(existing) {
                merge(sub, into: &existing)
                base.set(TOMLNode(value: .table(existing), position: base[key]!.position, keyPosition: base[key]!.keyPosition), for: key)
            } else {
                base.set(node, for: key)
            }
        }
    }
}
