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
