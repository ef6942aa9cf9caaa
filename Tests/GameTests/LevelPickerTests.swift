// LevelPickerTests — the menu's Levels: groups (shipped, lessons, the player's levels, each mod's
// under its title in the player's language), a level that does not load shown with its problem,
// a typed path opened, and a click on a row.
import CitySim
import Foundation
import Game
import Locale
import Render
import Testing

/// A data folder with one level of the player's, one broken level and one mod with a level.
func userDataFolder() throws -> String {
    let root = NSTemporaryDirectory() + "nz-picker-\(UUID().uuidString)"
    let fm = FileManager.default
    try fm.createDirectory(atPath: root + "/levels", withIntermediateDirectories: true)
    try fm.createDirectory(atPath: root + "/mods/tide/levels", withIntermediateDirectories: true)
    let level = try String(contentsOfFile: repositoryRoot + "/Levels/sandbox.toml", encoding: .utf8)
    try level.replacingOccurrences(of: "title_zh = \"沙盒小镇\"", with: "title_zh = \"我的小镇\"")
        .write(toFile: root + "/levels/mine.toml", atomically: true, encoding: .utf8)
    try "format = 99\n[level]\nid = \"future\"\n".write(toFile: root + "/levels/future.toml", atomically: true, encoding: .utf8)
    try """
        id = "tide"
        version = "1.0"
        title_en = "Tidal power"
        title_zh = "潮汐能"
        authors = ["Tester"]
        game_versions = ["\(Simulation.version)"]
        """.write(toFile: root + "/mods/tide/mod.toml", atomically: true, encoding: .utf8)
    try level.replacingOccurrences(of: "id = \"sandbox\"", with: "id = \"tide_town\"")
        .replacingOccurrences(of: "title_zh = \"沙盒小镇\"", with: "title_zh = \"潮汐小镇\"")
        .write(toFile: root + "/mods/tide/levels/tide-town.toml", atomically: true, encoding: .utf8)
    return root
}

extension GameWindowTests {
    @Test func levelPickerGroupsTheShippedTheUsersAndTheModsLevels() throws {
        let (session, view) = try makeSession(language: .zh)
        let data = try userDataFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        session.levelPicker.userLevels = data + "/levels"
        session.levelPicker.userMods = data + "/mods"
        try openLevelPicker(session: session, view: view)
        #expect(session.pickingLevel)
        let choices = session.levelChoices
        // Groups in order: shipped, lessons, the player's, then each mod (shipped ones and the player's).
        let user = choices.filter { $0.group == .user }
        #expect(user.map(\.title.zh) == ["future", "我的小镇"])
        #expect(user[0].problem?.contains("future.toml:1:10: error: this level is format 99") == true, "\(user[0].problem ?? "")")
        let tide = try #require(choices.firstIndex { $0.group == .mod(id: "tide", title: Names(en: "Tidal power", zh: "潮汐能")) })
        #expect(choices[tide].title.zh == "潮汐小镇")
        #expect(choices.contains { if case .mod(let id, _) = $0.group { return id == "green-points" }; return false })
        #expect(choices.contains { $0.group == .lessons })
        let firstUser = try #require(choices.firstIndex { $0.group == .user })
        #expect(choices[..<firstUser].allSatisfy { $0.group == .shipped || $0.group == .lessons })

        // A typed path that names nothing: the picker stays open and says so.
        try deliver([.text("/no/such/level.toml"), .key(code: KeyCode.enter, down: true, ctrl: false, shift: false)], to: session, view: view)
        #expect(session.pickingLevel)
        #expect(session.levelPicker.message?.contains("/no/such/level.toml") == true)
        // Esc clears the path first; a typed path to the mod's level opens it.
        try deliver([.key(code: KeyCode.escape, down: true, ctrl: false, shift: false)], to: session, view: view)
        #expect(session.pickingLevel && session.levelPicker.typedPath.isEmpty)
        let path = data + "/mods/tide/levels/tide-town.toml"
        var typing: [InputEvent] = stride(from: 0, to: path.count, by: 20).map { start in
            let from = path.index(path.startIndex, offsetBy: start), to = path.index(from, offsetBy: min(20, path.count - start))
            return .text(String(path[from..<to]))
        }
        typing.append(.key(code: KeyCode.enter, down: true, ctrl: false, shift: false))
        try deliver(typing, to: session, view: view)
        #expect(!session.pickingLevel)
        #expect(session.view.level.id == "tide_town")
        #expect(session.level.mods == [ModReference(id: "tide", version: "1.0")])
    }
}
