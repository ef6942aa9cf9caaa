// EditCommand.swift — `netzero edit [LEVEL]`: the scenario editor in the game window (Game's Editor.swift).
//
//   netzero edit                 a new level, `untitled.toml` in your levels folder (written from `new-level`'s scaffold)
//   netzero edit NAME            a level by the name `play` takes (`netzero levels`), else a new NAME.toml in your levels folder
//   netzero edit FILE.toml       any level file
// Saving writes the file where it was opened, atomically, and only when it passes `netzero check`.
import ArgumentParser
import CitySim
import Foundation
import Game
import Locale
import Modding
import Render

struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Edit a level in the game window: map, metadata, objectives, hints, triggers, overrides.")

    @Argument(help: "A level file (.toml), a level's name from `netzero levels`, or a new level's name (default: untitled).") var level = "untitled"
    @Option(help: "Interface language: en or zh (default: the one chosen in Settings, else en).") var lang: String?

    func run() throws {
        if let lang, Language(rawValue: lang) == nil { throw ValidationError("--lang is en or zh") }
        let (settings, _) = GameSettings.read(from: GameSettings.defaultPath())
        let language = lang.flatMap(Language.init(rawValue:)) ?? settings.language ?? .en
        let path = try Edit.resolve(level)
        let catalog = try loadCatalog()
        let (opened, diagnostics) = LevelEditor.open(path: path, catalog: catalog)
        for diagnostic in diagnostics { FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8)) }
        guard let editor = opened else {
            fail("netzero edit: \(path) does not pass `netzero check`; fix the problems above in a text editor first")
        }
        let (city, definition) = try openGame(path)
        let view = openWindowOrExplain(Window.Options(width: settings.resolution.width, height: settings.resolution.height))
        let session = GameSession(city: city, level: definition, language: language)
        // The player's palette, UI scale and window as in the game; --lang holds for this run only.
        session.settings = settings
        session.settings.language = language
        SettingsScreen.apply(session)
        session.scriptAttacher = { level, city in
            for problem in LevelScripting.attach(level, to: city).problems { session.notify(problem, now: view.now) }
        }
        let state = EditorState(editor: editor, catalog: catalog)
        state.check = Edit.check(catalog: catalog)
        Editor.attach(state, to: session)
        try GameLoop.run(session, view: view)
    }

    /// `netzero check`'s check of a level's bytes as they would be saved at `path`: the level
    /// reader (with its mod's context) and the script lint.
    static func check(catalog: Catalog) -> @Sendable ([UInt8], String) -> [LevelDiagnostic] {
        { bytes, path in
            var result = LevelFile.parse(bytes: bytes, file: path, catalog: catalog)
            if let modFolder = ModLibrary.folder(owningLevel: path) {
                result.diagnostics += ModLibrary.context(forModAt: modFolder).diagnostics
            }
            if let script = result.level?.script { result.diagnostics += checkScriptSyntax(script) }
            return result.diagnostics
        }
    }

    /// The file to edit: a path as given; a level by the name `play` takes (`LevelIndex.find`:
    /// shipped, lessons, `user/NAME`, `MOD/NAME`); else a new NAME.toml in the user's levels
    /// folder, written from `new-level`'s scaffold.
    static func resolve(_ level: String) throws -> String {
        if level.hasSuffix(".toml") { return level }
        let environment = ProcessInfo.processInfo.environment
        let levels = LevelIndex.list(userLevels: UserDirectories.levels(environment: environment),
                                     userMods: UserDirectories.mods(environment: environment)).levels
        switch LevelIndex.find(level, in: levels) {
        case .found(let path): return path
        case .ambiguous(let message): fail("netzero edit: \(message)")
        case .notFound(let message) where level.contains("/"): fail("netzero edit: \(message)")
        case .notFound: break
        }
        try Scaffold.checkName(level, what: "level")
        let path = UserDirectories.levels(environment: environment) + "/" + level + ".toml"
        try Scaffold.write([(path, Scaffold.level(name: level, scriptFile: nil))])
        print("wrote \(path) (a new level from `netzero new-level`'s scaffold)")
        return path
    }
}
