// LevelIndex.swift — every level the game can list, grouped: the shipped levels (Levels/), the
// lessons (Levels/lessons/), the player's own (`$XDG_DATA_HOME/netzero/levels`) and each
// installed mod's (ModPackage.swift), in a fixed order so every listing agrees.
import Foundation

public struct LevelListing: Sendable, Equatable {
    public enum Group: Sendable, Equatable {
        case shipped
        case lessons
        case user
        /// A mod's levels, with the mod's id and title.
        case mod(id: String, title: Names)
    }

    public var group: Group
    public var path: String
}

public enum LevelIndex {
    /// The levels in `Levels/`, `Levels/lessons/`, `userLevels`, then the levels of the mods in
    /// the shipped `Levels/mods/` and `userMods` (in load order), each group sorted by file name.
    /// The mod library comes along, for its problems (mods refused).
    public static func list(userLevels: String?, userMods: String?) -> (levels: [LevelListing], library: ModLibrary) {
        let root = ResourceLocator.levelsDirectory
        var levels: [LevelListing] = []
        func add(_ directory: String, _ group: LevelListing.Group) {
            let names = FileSystem.list(directory).filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") }.sorted()
            for name in names.prefix(ModPackage.maximumFilesPerFolder) { levels.append(LevelListing(group: group, path: directory + "/" + name)) }
        }
        add(root, .shipped)
        add(root + "/lessons", .lessons)
        if let userLevels { add(userLevels, .user) }
        let library = ModLibrary.load(roots: [ModLibrary.shippedFolder] + (userMods.map { [$0] } ?? []))
        for package in library.packages {
            for path in package.levels {
                levels.append(LevelListing(group: .mod(id: package.manifest.id, title: package.manifest.title), path: path))
            }
        }
        return (levels, library)
    }
}

// MARK: - [SECTION] Levels by name

extension LevelListing {
    /// The file name without `.toml`.
    public var stem: String {
        let name = (path as NSString).lastPathComponent
        return name.hasSuffix(".toml") ? String(name.dropLast(5)) : name
    }

    /// The name that picks this level out of every group: `sandbox`, `lessons/01-sources-and-sinks`,
    /// `user/my-island`, `MOD-ID/level`.
    public var qualifiedName: String {
        switch group {
        case .shipped: return stem
        case .lessons: return "lessons/" + stem
        case .user: return "user/" + stem
        case .mod(let id, _): return id + "/" + stem
        }
    }

    /// Whether `name` names this level: its qualified name, its file name alone, or for a lesson
    /// its number (`3` or `03` for `03-day-night-storage`).
    func isNamed(_ name: String) -> Bool {
        if name == qualifiedName || name == stem { return true }
        guard group == .lessons, !name.isEmpty, name.allSatisfy(\.isASCII), let number = Int(name),
              let own = Int(stem.prefix { $0.isNumber }) else { return false }
        return number == own
    }
}

extension LevelIndex {
    public enum Lookup: Sendable, Equatable {
        case found(String)
        /// No level has the name; the message lists what is close.
        case notFound(String)
        /// Two or more of the player's or the mods' levels have the name; the message names them.
        case ambiguous(String)
    }

    /// The level file a name stands for (`netzero play NAME`). The shipped levels and lessons are
    /// looked at first, so no level of the player's or of a mod can stand in for one of them;
    /// among the player's and the mods' levels a name must be unique, or the qualified name
    /// (`user/NAME`, `MOD-ID/NAME`) is asked for.
    public static func find(_ name: String, in levels: [LevelListing]) -> Lookup {
        let shipped = levels.filter { ($0.group == .shipped || $0.group == .lessons) && $0.isNamed(name) }
        if let first = shipped.first { return .found(first.path) }
        let others = levels.filter { $0.group != .shipped && $0.group != .lessons && $0.isNamed(name) }
        if others.count == 1 { return .found(others[0].path) }
        if others.count > 1 {
            return .ambiguous("'\(name)' names \(others.count) levels: \(others.map(\.qualifiedName).joined(separator: ", ")); give one of these names")
        }
        let known = levels.map(\.qualifiedName) + ["reference"]
        let hint = suggestion(name, known + levels.map(\.stem))
        let listed = known.prefix(30).joined(separator: ", ") + (known.count > 30 ? ", …" : "")
        return .notFound("no level is named '\(name)'\(hint) (levels: \(listed))")
    }
}
