// SaveLevel.swift — finding the level a save was made on, so that each save loads with its own
// level (catalog overrides, rules, script) whatever level is open, and on another machine.
//
// A save names its level by id (`SaveHeader.levelID`) and by the content hash of the level file
// (`SaveHeader.levelHash`, `ReplayLog.levelHash(of:)`: the file's bytes and its script file's). The
// path the game was started with (`levelFile`, often absolute) is only the first place looked:
// a student's save opened on the teacher's machine finds the same level among the shipped
// levels, the player's own (`$XDG_DATA_HOME/netzero/levels`) and the mods' (LevelIndex.swift).
//
// A level with the save's id but another hash (the file was edited since, or a new release of the
// game changed a shipped level) still loads the save, with a warning: the city in the save is
// whole, and what may differ is the level's script, rules or factors, which the warning names
// (the factors by comparing the catalog with the save's `catalogFingerprint`). Refusing would lock
// a player out of every save of a level that a teacher corrected or an update touched, while a
// save of an older release already loads with today's catalog (ArchitectureTests); the player
// is told, and the books from then on use the level's present factors.
import Foundation

public enum SaveLevel {
    /// The level a save runs with, and the catalog to load it with.
    public struct Located {
        public var level: LevelDefinition
        public var catalog: Catalog
        /// Set when the level was found but is not the file the save was made with (another hash,
        /// or an old save found by id): shown to the player, the save loads.
        public var warning: Names?
        public init(level: LevelDefinition, catalog: Catalog, warning: Names?) {
            self.level = level
            self.catalog = catalog
            self.warning = warning
        }
    }

    /// Why a save's level could not be used. `text` is for players.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var text: Names
        public var description: String { text.en }
    }

    /// Finds the save's level (`base`: the bundled catalog, without any level's overrides): the path it names when its file is there with the same hash (or,
    /// for an old save without a hash, when it is there at all), else a level with the same id
    /// and hash among `listings` (LevelIndex.list), else one with the same id and the same
    /// catalog (with a warning). A generated level (`reference`) is made again by name.
    public static func locate(_ header: SaveHeader, listings: [LevelListing], base: Catalog) throws(Problem) -> Located {
        if BuiltinLevels.referenceSize(header.levelFile) != nil || BuiltinLevels.referenceSize(header.levelID) != nil && header.levelFile.isEmpty {
            let name = header.levelFile.isEmpty ? header.levelID : header.levelFile
            guard let level = BuiltinLevels.load(name, seed: header.seed, catalog: base).level else { throw notFound(header) }
            return Located(level: level, catalog: base, warning: nil)
        }
        var candidates: [String] = []
        if !header.levelFile.isEmpty {
            // An old save may name a shipped level by name ("sandbox").
            let isPath = header.levelFile.hasSuffix(".toml") || header.levelFile.contains("/")
            candidates.append(isPath ? header.levelFile : ResourceLocator.levelsDirectory + "/" + header.levelFile + ".toml")
        }
        candidates += listings.map(\.path)
        var seen = Set<String>()
        var sameIDOtherHash: [(LevelDefinition, Catalog)] = []
        var catalogProblem: String?
        for path in candidates {
            let key = (path as NSString).standardizingPath
            guard seen.insert(key).inserted, FileSystem.exists(path) else { continue }
            guard let level = LevelFile.load(path: path, catalog: base).level, level.setup.info.id == header.levelID else { continue }
            var catalog = base
            if let tables = level.catalogOverrides {
                do throws(CatalogError) {
                    catalog = try Catalog.load(overrideTables: [(tables, level.file)])
                } catch {
                    catalogProblem = error.description
                    continue
                }
            }
            guard let hash = header.levelHash else {
                // A save from before levels were hashed: its recorded path, or the first level with its id.
                return Located(level: level, catalog: catalog, warning: path == candidates.first ? nil : Names(
                    en: "This save is from an older version and names its level by path; it was opened with \(level.file), the level with the same id (\(level.setup.info.id)).",
                    zh: "这个存档来自旧版本，只记录了关卡路径；已用同一关卡编号（\(level.setup.info.id)）的 \(level.file) 打开。"))
            }
            if ReplayLog.levelHash(of: level) == hash { return Located(level: level, catalog: catalog, warning: nil) }
            sameIDOtherHash.append((level, catalog))
        }
        if let (level, catalog) = sameIDOtherHash.first(where: { header.matches($0.1) }) {
            return Located(level: level, catalog: catalog, warning: Names(
                en: "The level \(level.setup.info.id) has changed since this game was saved (\(level.file)); the city loads as saved, with the level's present script and rules.",
                zh: "关卡 \(level.setup.info.id) 在存档之后被修改过（\(level.file)）；城市按存档载入，使用关卡现在的脚本和规则。"))
        }
        if let (level, catalog) = sameIDOtherHash.first {
            return Located(level: level, catalog: catalog, warning: Names(
                en: "The level \(level.setup.info.id) has changed since this game was saved, and so have its emission factors (\(level.file)): the city loads as saved, and its figures from now on use the level's present factors.",
                zh: "关卡 \(level.setup.info.id) 在存档之后被修改过，排放因子也变了（\(level.file)）：城市按存档载入，此后的数字使用关卡现在的排放因子。"))
        }
        if let catalogProblem { throw Problem(text: Names(en: catalogProblem, zh: catalogProblem)) }
        throw notFound(header)
    }

    static func notFound(_ header: SaveHeader) -> Problem {
        let title = header.levelTitle.isEmpty ? header.levelID : header.levelTitle
        return Problem(text: Names(
            en: "The level of this save, “\(title)” (id \(header.levelID)), is not installed: it is not among the shipped levels, your levels or your mods' levels. Copy its file into your levels folder.",
            zh: "找不到这个存档的关卡“\(title)”（编号 \(header.levelID)）：它不在内置关卡、你的关卡或模组关卡中。请把关卡文件复制到你的关卡文件夹。"))
    }
}
