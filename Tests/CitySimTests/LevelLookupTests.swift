// LevelLookupTests — `netzero play NAME`: a name finds the shipped levels, a lesson by number,
// the player's levels and the mods' levels; a shipped name cannot be shadowed; a name two of the
// player's or mods' levels share asks for the qualified name; an unknown one says what is close.
// And LevelWatch, behind the game's "Reload level": only changed bytes count, each change once.
import CitySim
import Foundation
import Testing

@Suite("Levels by name, and watching a level's files")
struct LevelLookupTests {
    /// A data folder (XDG_DATA_HOME/netzero) with the player's `island` and `sandbox`, and a mod
    /// `tide` with levels `island` and `tide-town`.
    func dataFolder() throws -> (levels: [LevelListing], root: String) {
        let home = NSTemporaryDirectory() + "nz-lookup-\(UUID().uuidString)"
        let root = home + "/netzero"
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/levels", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/mods/tide/levels", withIntermediateDirectories: true)
        let level = try String(contentsOfFile: repositoryRoot + "/Levels/sandbox.toml", encoding: .utf8)
        for path in ["/levels/island.toml", "/levels/sandbox.toml", "/mods/tide/levels/island.toml", "/mods/tide/levels/tide-town.toml"] {
            let id = (path as NSString).lastPathComponent.replacingOccurrences(of: ".toml", with: "").replacingOccurrences(of: "-", with: "_")
            try level.replacingOccurrences(of: "id = \"sandbox\"", with: "id = \"\(id)\"").write(toFile: root + path, atomically: true, encoding: .utf8)
        }
        try """
            id = "tide"
            version = "1.0"
            title_en = "Tidal power"
            title_zh = "潮汐能"
            authors = ["Tester"]
            game_versions = ["\(Simulation.version)"]
            """.write(toFile: root + "/mods/tide/mod.toml", atomically: true, encoding: .utf8)
        return (LevelIndex.list(userLevels: root + "/levels", userMods: root + "/mods").levels, root)
    }

    @Test func aNameFindsShippedLessonUserAndModLevels() throws {
        let (levels, root) = try dataFolder()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        func path(_ name: String) -> String? {
            if case .found(let path) = LevelIndex.find(name, in: levels) { return path }
            return nil
        }
        // Shipped names win over the player's file of the same name.
        #expect(path("sandbox") == ResourceLocator.levelsDirectory + "/sandbox.toml")
        #expect(path("user/sandbox") == root + "/levels/sandbox.toml")
        // A lesson by its file name, its qualified name, or its number.
        let lesson3 = ResourceLocator.levelsDirectory + "/lessons/03-day-night-storage.toml"
        #expect(path("03-day-night-storage") == lesson3)
        #expect(path("lessons/03-day-night-storage") == lesson3)
        #expect(path("3") == lesson3 && path("03") == lesson3)
        #expect(path("11") == nil)
        // The mod's own level by its name alone; a mod that ships with the game too.
        #expect(path("tide-town") == root + "/mods/tide/levels/tide-town.toml")
        #expect(path("tide/island") == root + "/mods/tide/levels/island.toml")
        #expect(path("green-points")?.hasSuffix("Levels/mods/green-points/levels/green-points.toml") == true)
        // Two of them named `island`: the qualified names are asked for.
        guard case .ambiguous(let message) = LevelIndex.find("island", in: levels) else {
            Issue.record("'island' should be ambiguous")
            return
        }
        #expect(message.contains("user/island") && message.contains("tide/island"), "\(message)")
        guard case .notFound(let unknown) = LevelIndex.find("tide-twon", in: levels) else {
            Issue.record("'tide-twon' names nothing")
            return
        }
        #expect(unknown.contains("did you mean 'tide-town'"), "\(unknown)")
    }

    @Test func loadingByNameReadsTheLevelOrSaysWhyNot() throws {
        let (levels, root) = try dataFolder()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let town = BuiltinLevels.load("tide-town", catalog: testCatalog, userLevels: root + "/levels", userMods: root + "/mods")
        #expect(town.level?.setup.info.id == "tide_town")
        #expect(town.level?.mods == [ModReference(id: "tide", version: "1.0")])
        let missing = BuiltinLevels.load("sandbx", catalog: testCatalog, userLevels: root + "/levels", userMods: root + "/mods")
        #expect(missing.level == nil)
        #expect(missing.diagnostics.map(\.description) == [
            "sandbx: error: no level is named 'sandbx'; did you mean 'sandbox'? (levels: "
                + levels.map(\.qualifiedName).joined(separator: ", ") + ", reference)",
        ])
    }

    @Test func aWatchReportsChangedBytesOnceAndNothingElse() throws {
        let folder = NSTemporaryDirectory() + "nz-watch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let level = folder + "/a.toml", script = folder + "/a.lua"
        try "one".write(toFile: level, atomically: true, encoding: .utf8)
        try "print(1)".write(toFile: script, atomically: true, encoding: .utf8)
        var watch = LevelWatch(files: [level, script])
        #expect(watch.changedFiles().isEmpty)
        // Rewritten with the same bytes (a new modification time): no change.
        try "one".write(toFile: level, atomically: true, encoding: .utf8)
        #expect(watch.changedFiles().isEmpty)
        try "two".write(toFile: level, atomically: true, encoding: .utf8)
        #expect(watch.changedFiles() == [level])
        #expect(watch.changedFiles().isEmpty, "a change is reported once")
        // Missing for a moment (saved by rename), then back changed.
        try FileManager.default.removeItem(atPath: script)
        #expect(watch.changedFiles().isEmpty)
        try "print(2)".write(toFile: script, atomically: true, encoding: .utf8)
        #expect(watch.changedFiles() == [script])
    }

    @Test func aModLevelIsWatchedWithItsModsFiles() throws {
        let path = repositoryRoot + "/Levels/mods/rooftop-solar/levels/rooftop-solar.toml"
        let level = try #require(LevelFile.load(path: path, catalog: testCatalog).level)
        let files = LevelWatch.files(of: level).map { String($0.dropFirst(repositoryRoot.count + "/Levels/mods/rooftop-solar/".count)) }
        #expect(files.first == "levels/rooftop-solar.toml")
        #expect(files.contains("mod.toml"))
        #expect(files.contains { $0.hasPrefix("catalog/") } && files.contains { $0.hasPrefix("locale/") } && files.contains { $0.hasPrefix("scripts/") },
                "\(files)")
        #expect(LevelWatch.files(of: try #require(BuiltinLevels.load("reference-64", catalog: testCatalog).level)).isEmpty)
    }
}
