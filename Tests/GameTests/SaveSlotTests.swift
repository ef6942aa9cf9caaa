// SaveSlotTests — named saves in the data folder, each loaded with its own level: a save made on
// level A loads with A's catalog, rules and script while level B is open; a save whose level file
// was moved (the teacher's machine) finds it by id and content hash; an edited level loads with a
// warning (saying whether its factors changed), a missing one is named; the browser lists saves with their thumbnails.
import CitySim
import Foundation
@testable import Game
import Locale
import Modding
import Raster
import Render
import Testing

/// A scripted copy of lesson 2 (which overrides the coal units' catalog entry) with the id `id`:
/// its script counts the hours it has seen in its `state` table, which the save must carry.
func scriptedLessonText(id: String) throws -> String {
    let lesson = try String(contentsOfFile: repositoryRoot + "/Levels/lessons/02-grid-emission-factor.toml", encoding: .utf8)
    return "script = '''\nstate = { hours_seen = 0 }\nfunction on_tick(tick) state.hours_seen = state.hours_seen + 1 end\n'''\n"
        + lesson.replacingOccurrences(of: "id = \"lesson02_grid_emission_factor\"", with: "id = \"\(id)\"")
}

/// A session on the level file at `path`, with its catalog and script, saving under `data`.
func sessionOn(levelAt path: String, data: String) throws -> GameSession {
    let level = try #require(LevelFile.load(path: path, catalog: catalog).level)
    let levelCatalog = try level.catalogOverrides.map { try Catalog.load(overrideTables: [($0, level.file)]) } ?? catalog
    let city = City(level: level, catalog: levelCatalog)
    _ = LevelScripting.attach(level, to: city)
    let session = GameSession(city: city, level: level, language: .en)
    session.scriptAttacher = { level, city in _ = LevelScripting.attach(level, to: city) }
    session.scriptResumer = { level, city, state in try LevelScripting.resume(level, city: city, state: state) }
    session.dataDirectory = data
    session.levelPicker.userLevels = data + "/levels"
    session.levelPicker.userMods = data + "/mods"
    session.briefing.isOpen = false
    return session
}

func temporaryFolder(_ name: String) throws -> String {
    let root = NSTemporaryDirectory() + "nz-\(name)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: root + "/levels", withIntermediateDirectories: true)
    return root
}

@Suite("Save slots and each save's own level")
struct SaveSlotTests {
    @Test func aSaveFromLevelALoadsWithAsCatalogAndScriptWhileLevelBIsOpen() throws {
        let data = try temporaryFolder("slots")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let levelA = data + "/level-a.toml"
        try scriptedLessonText(id: "saves_level_a").write(toFile: levelA, atomically: true, encoding: .utf8)
        let session = try sessionOn(levelAt: levelA, data: data)
        let catalogA = session.catalog
        session.city.run(hours: 30)
        let scriptState = try #require(session.city.script?.saveState())
        #expect(scriptState.contains("hours_seen"))
        #expect(session.save(named: "Before the wind farm", now: 0))
        let slotPath = data + "/saves/Before_the_wind_farm.nzsave"
        #expect(FileManager.default.fileExists(atPath: slotPath))
        // The thumbnail beside it reads back as the map's picture.
        let thumbnailBytes = try #require(FileSystem.read(data + "/saves/Before_the_wind_farm.png"))
        let thumbnail = try #require(PNG.decodeStored(thumbnailBytes))
        #expect(thumbnail == SaveSlots.thumbnail(of: session.view))

        // Level B (the sandbox, the bundled catalog, no script) is opened; the save is loaded from there.
        session.start(levelAt: repositoryRoot + "/Levels/sandbox.toml", now: 1)
        #expect(session.level.setup.info.id == "sandbox")
        #expect(SaveGame.fingerprint(of: session.catalog) != SaveGame.fingerprint(of: catalogA))
        #expect(session.city.script == nil)
        #expect(session.load(from: slotPath, now: 2), "\(session.notices.map(\.text))")
        #expect(session.level.setup.info.id == "saves_level_a")
        #expect(session.view.level.id == "saves_level_a")
        #expect(SaveGame.fingerprint(of: session.catalog) == SaveGame.fingerprint(of: catalogA), "A's catalog (its coal units) is back")
        #expect(session.catalog.plant(.coal).capacityKW == 3500)
        #expect(session.city.script?.saveState() == scriptState, "A's script runs on with its saved state")
        #expect(session.view.clock.tick == 30)
        session.city.run(hours: 1)
        #expect(session.city.script?.saveState() != scriptState, "the resumed script runs")

        // The browser lists the save by its name, level and date.
        session.saveBrowser.isOpen = false
        session.menuOpen = true
        let slots = SaveSlots.list(saves: session.savesDirectory, autosaves: data + "/autosaves")
        #expect(slots.count == 1)
        #expect(slots.first?.name == "Before the wind farm")
        #expect(slots.first?.header?.levelID == "saves_level_a")
        #expect(slots.first?.header?.levelHash != nil)
    }

    @Test func aSaveFindsItsMovedLevelByIDAndHashAndSaysWhenTheLevelChangedOrIsMissing() throws {
        let student = try temporaryFolder("student")
        let teacher = try temporaryFolder("teacher")
        defer {
            try? FileManager.default.removeItem(atPath: student)
            try? FileManager.default.removeItem(atPath: teacher)
        }
        // The student's machine: the level in some folder of theirs, a save of it.
        let original = student + "/homework/level-a.toml"
        try FileManager.default.createDirectory(atPath: student + "/homework", withIntermediateDirectories: true)
        let text = try scriptedLessonText(id: "homework_a")
        try text.write(toFile: original, atomically: true, encoding: .utf8)
        let studentSession = try sessionOn(levelAt: original, data: student)
        studentSession.city.run(hours: 5)
        #expect(studentSession.save(named: "homework", now: 0))
        let save = teacher + "/homework.nzsave"
        try FileManager.default.copyItem(atPath: student + "/saves/homework.nzsave", toPath: save)
        try FileManager.default.removeItem(atPath: original)

        // The teacher's machine: the same level file, under another name in their levels folder.
        let installed = teacher + "/levels/from-class.toml"
        try text.write(toFile: installed, atomically: true, encoding: .utf8)
        let session = try sessionOn(levelAt: repositoryRoot + "/Levels/sandbox.toml", data: teacher)
        #expect(session.load(from: save, now: 1), "\(session.notices.map(\.text))")
        #expect(session.level.setup.info.id == "homework_a")
        #expect(session.level.file == installed)
        #expect(session.view.clock.tick == 5)
        #expect(session.city.script != nil)
        #expect(!session.notices.contains { $0.text.contains("changed") })

        // The level edited, with the same factors: loads, with a warning.
        try (text + "\n# edited by the teacher\n").write(toFile: installed, atomically: true, encoding: .utf8)
        let edited = try sessionOn(levelAt: repositoryRoot + "/Levels/sandbox.toml", data: teacher)
        #expect(edited.load(from: save, now: 1))
        #expect(edited.level.setup.info.id == "homework_a")
        #expect(edited.notices.last?.text.contains("has changed since this game was saved") == true, "\(edited.notices.map(\.text))")

        // Edited factors: loads, and the warning says the factors changed too.
        try text.replacingOccurrences(of: "value = 3500.0", with: "value = 3000.0").write(toFile: installed, atomically: true, encoding: .utf8)
        let refactored = try sessionOn(levelAt: repositoryRoot + "/Levels/sandbox.toml", data: teacher)
        #expect(refactored.load(from: save, now: 1))
        #expect(refactored.level.setup.info.id == "homework_a")
        #expect(refactored.catalog.plant(.coal).capacityKW == 3000)
        #expect(refactored.notices.last?.text.contains("and so have its emission factors") == true, "\(refactored.notices.map(\.text))")

        // Gone: the message names the level.
        try FileManager.default.removeItem(atPath: installed)
        let missing = try sessionOn(levelAt: repositoryRoot + "/Levels/sandbox.toml", data: teacher)
        #expect(!missing.load(from: save, now: 1))
        #expect(missing.notices.last?.text.contains("homework_a") == true)
        #expect(missing.notices.last?.text.contains("is not installed") == true, "\(missing.notices.map(\.text))")
    }

    @Test func aFailedSaveKeepsThePreviousOneAndNamesStayInTheirFolder() throws {
        let data = try temporaryFolder("atomic")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let session = try sessionOn(levelAt: repositoryRoot + "/Levels/sandbox.toml", data: data)
        #expect(SaveSlots.path(for: "../../etc/passwd", in: "/d") == "/d/______etc_passwd.nzsave")
        #expect(SaveSlots.path(for: "我的城市 1", in: "/d") == "/d/我的城市_1.nzsave")
        #expect(SaveSlots.path(for: "  ", in: "/d") == "/d/save.nzsave")
        #expect(session.save(named: "first", now: 0))
        let path = data + "/saves/first.nzsave"
        let before = try #require(FileSystem.read(path))
        // The temporary file cannot be created (a folder is in its way, as when the disk is full):
        // the save fails with a notice, and the earlier save is whole.
        session.city.run(hours: 3)
        let temporary = data + "/saves/.first.nzsave.tmp-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        #expect(!session.save(named: "first", now: 1))
        #expect(session.notices.last?.text.contains("Any earlier save there is unchanged") == true, "\(session.notices.map(\.text))")
        #expect(FileSystem.read(path) == before)
    }
}

extension GameWindowTests {
    @Test func theSaveBrowserSavesByNameAndLoadsByClickOrKey() throws {
        let (session, view) = try makeSession(language: .zh)
        let data = try temporaryFolder("browser")
        defer { try? FileManager.default.removeItem(atPath: data) }
        session.dataDirectory = data
        session.city.run(hours: 10)
        // Esc, then the menu's Save / Load by a click.
        try press(KeyCode.escape, session: session, view: view)
        let item = try #require(HUD.menuItems.firstIndex(of: "menu.saves"))
        try click(HUD.menuLayout(size: view.renderer.framebufferSize).items[item].center, session: session, view: view)
        #expect(session.saveBrowser.isOpen)
        #expect(session.saveBrowser.slots.isEmpty)
        // A typed name and Enter save into the data folder's saves/.
        try deliver([.text("第一座城"), .key(code: KeyCode.enter, down: true, ctrl: false, shift: false)], to: session, view: view)
        #expect(FileManager.default.fileExists(atPath: data + "/saves/第一座城.nzsave"))
        #expect(!session.saveBrowser.isOpen && !session.menuOpen)
        let tick = session.view.clock.tick
        session.city.run(hours: 5)
        // A second save by the Save button, with the default name.
        try press(KeyCode.escape, session: session, view: view)
        try click(HUD.menuLayout(size: view.renderer.framebufferSize).items[item].center, session: session, view: view)
        try click(try #require(session.saveBrowser.saveButton).center, session: session, view: view)
        #expect(FileSystem.list(data + "/saves").filter { $0.hasSuffix(".nzsave") }.count == 2)
        // The list, newest first, each with its thumbnail; a click on the older one loads it.
        try press(KeyCode.escape, session: session, view: view)
        try click(HUD.menuLayout(size: view.renderer.framebufferSize).items[item].center, session: session, view: view)
        let slots = session.saveBrowser.slots
        #expect(slots.count == 2)
        let older = try #require(slots.firstIndex { $0.name == "第一座城" })
        #expect(FileManager.default.fileExists(atPath: slots[older].thumbnailPath))
        let row = try #require(session.saveBrowser.rowRects.first { $0.index == older })
        try click(row.rect.center, session: session, view: view)
        #expect(session.view.clock.tick == tick, "\(session.notices.map(\.text))")
        #expect(!session.saveBrowser.isOpen)
        // The keys: open, ↓ to the other save, Delete removes it.
        try press(KeyCode.escape, session: session, view: view)
        try click(HUD.menuLayout(size: view.renderer.framebufferSize).items[item].center, session: session, view: view)
        let other = try #require(session.saveBrowser.slots.firstIndex { $0.name != "第一座城" })
        for _ in 0..<other { try press(KeyCode.down, session: session, view: view) }
        try press(KeyCode.delete, session: session, view: view)
        #expect(FileSystem.list(data + "/saves").filter { $0.hasSuffix(".nzsave") } == ["第一座城.nzsave"])
        try press(KeyCode.escape, session: session, view: view)
        #expect(!session.saveBrowser.isOpen)
    }
}
