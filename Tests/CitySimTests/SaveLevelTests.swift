// SaveLevelTests — a save finds its own level: the real format-3 saves of release 0.3.0 (no
// level hash, no level path) find their lesson by id among the shipped levels, and load with its
// catalog; a hash that matches nothing and an id that is nowhere give a clear message.
import Foundation
import Testing
@testable import CitySim

@Suite("A save's own level")
struct SaveLevelTests {
    static let listings = LevelIndex.list(userLevels: nil, userMods: nil).levels

    @Test(arguments: ["lesson04-day200", "lesson08-day400", "lesson09-day120"])
    func anOldSaveWithoutAHashFindsItsLevelByID(name: String) throws {
        let path = repositoryRoot + "/Tests/CitySimTests/Saves/format3/\(name).nzsave"
        let header = try SaveGame.readHeader(from: path)
        #expect(header.levelHash == nil && header.cityName == nil, "written before the fields existed")
        let located = try SaveLevel.locate(header, listings: SaveLevelTests.listings, base: testCatalog)
        #expect(located.level.setup.info.id == header.levelID)
        // The lesson's catalog overrides come with it (the bundled catalog has changed since 0.3.0).
        let lesson = try #require(LevelFile.load(path: located.level.file, catalog: testCatalog).level)
        let overrides = try #require(lesson.catalogOverrides)
        #expect(SaveGame.fingerprint(of: located.catalog) == SaveGame.fingerprint(of: try Catalog.load(overrideTables: [(overrides, lesson.file)])))
        #expect(located.warning != nil, "found by id, not by the path it names (none): the player is told")
        let loaded = try SaveGame.load(from: path, catalog: located.catalog)
        #expect(loaded.city.view.level.id == header.levelID)
    }

    @Test func aSaveNamesTheLevelItsHashAndItsNameAndAMissingLevelIsNamed() throws {
        let level = try #require(LevelFile.load(path: repositoryRoot + "/Levels/sandbox.toml", catalog: testCatalog).level)
        let city = City(level: level, catalog: testCatalog)
        let hash = try #require(ReplayLog.levelHash(of: level))
        let bytes = try city.saveData(metadata: SaveMetadata(levelFile: "/home/student/elsewhere/sandbox.toml", levelHash: hash, cityName: "Li's town"))
        var header = try SaveGame.header(of: bytes)
        #expect(header.levelHash == hash && header.cityName == "Li's town")
        // The recorded path is not on this machine: the shipped sandbox is found by id and hash.
        let located = try SaveLevel.locate(header, listings: SaveLevelTests.listings, base: testCatalog)
        #expect(located.level.file.hasSuffix("Levels/sandbox.toml") && located.warning == nil)
        // An id found nowhere.
        header.levelID = "no_such_level"
        header.levelTitle = "Nowhere"
        #expect(throws: SaveLevel.Problem.self) { try SaveLevel.locate(header, listings: SaveLevelTests.listings, base: testCatalog) }
        do {
            _ = try SaveLevel.locate(header, listings: SaveLevelTests.listings, base: testCatalog)
        } catch {
            #expect(error.text.en.contains("“Nowhere” (id no_such_level), is not installed"), "\(error.text.en)")
            #expect(error.text.zh.contains("no_such_level"))
        }
    }
}
