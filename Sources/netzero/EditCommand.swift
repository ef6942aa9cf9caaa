// EditCommand.swift — `netzero edit [LEVEL]`: the scenario editor in the game window (Game's Editor.swift).
//
//   netzero edit                 a new level, `untitled.toml` in your levels folder (written from `new-level`'s scaffold)
//   netzero edit NAME            a shipped level by name, or NAME.toml in your levels folder (new if missing)
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

    @Argument(help: "A level file (.toml), a shipped level's name, or a new level's name (default: untitled).") var level = "untitled"
    @Option(help: "Interface language: en or zh.") var lang = "en"

    func run() throws {
        guard let language = Language(rawValue: lang) else { throw ValidationError("--lang is en or zh") }
        let path = try Edit.resolve(level)
        let catalog = try loadCatalog()
        let (opened, diagnostics) = LevelEditor.open(path: path, catalog: catalog)
        for diagnostic in diagnostics { FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8)) }
        guard let editor = opened else {
            fail("netzero edit: \(path) does not pass `netzero check`; fix the problems above in a text editor first")
        }
        let (city, definition) = try openGame(path)
        let view = openWindowOrExplain(Window.Options(width: 1280, height: 720))
        let session = GameSession(city: city, level: definition, language: language)
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

    /// The file to edit: a path as given; a shipped level's file; else NAME.toml in the user's
    /// levels folder, written from `new-level`'s scaffold when it does not exist.
    static func resolve(_ level: String) throws -> String {
        if level.hasSuffix(".toml") || level.contains("/") { return level }
        let shipped = ResourceLocator.levelsDirectory + "/" + level + ".toml"
        if FileSystem.exists(shipped) { return shipped }
        try Scaffold.checkName(level, what: "level")
        let path = UserDirectories.levels(environment: ProcessInfo.processInfo.environment) + "/" + level + ".toml"
        if !FileSystem.exists(path) {
            try Scaffold.write([(path, Scaffold.level(name: level, scriptFile: nil))])
            print("wrote \(path) (a new level from `netzero new-level`'s scaffold)")
        }
        return path
    }
}
