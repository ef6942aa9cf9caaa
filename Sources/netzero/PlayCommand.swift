// PlayCommand.swift — `netzero play` (the game window) and `netzero shot` (one frame to PNG).
//
//   netzero play [LEVEL|SAVE] [--lang zh|en]
//   netzero shot [LEVEL|SAVE] --out FILE.png [--size 1280x720] [--overlay NAME] [--years N] [--lang zh|en]
// LEVEL is a level name or .toml file; SAVE is a .nzsave file. Without a display, or without
// OpenGL 3.3, both print why and exit 2, pointing to `netzero run` for headless use.
import ArgumentParser
import CitySim
import Foundation
import Game
import Locale
import Modding
import Render

/// Opens a level or a save: the city, the level it belongs to, and its catalog.
func openGame(_ target: String, seed: UInt64? = nil) throws -> (City, LevelDefinition) {
    if target.hasSuffix(".nzsave") {
        do {
            // The save's own level, found by id and content hash (SaveLevel.swift).
            let header = try SaveGame.readHeader(from: target)
            let environment = ProcessInfo.processInfo.environment
            let listings = LevelIndex.list(userLevels: UserDirectories.levels(environment: environment),
                                           userMods: UserDirectories.mods(environment: environment)).levels
            let located = try SaveLevel.locate(header, listings: listings, base: try loadCatalog())
            if let warning = located.warning { FileHandle.standardError.write(Data("\(target): warning: \(warning.en)\n".utf8)) }
            let loaded = try SaveGame.load(from: target, catalog: located.catalog)
            let city = loaded.city
            // The level's script resumes with the state it had when the game was saved.
            if let state = loaded.scriptState { try LevelScripting.resume(located.level, city: city, state: state) }
            return (city, located.level)
        } catch {
            fail("\(target): error: \(error)")
        }
    }
    let (level, catalog) = try loadLevel(target, seed: seed)
    let city = City(level: level, catalog: catalog)
    _ = try attachScript(level, to: city)
    return (city, level)
}

func openWindowOrExplain(_ options: Window.Options) -> GameView {
    do {
        return try GameView(options: options)
    } catch {
        fail("netzero: \(error)\nUse `netzero run LEVEL --years N --out DIR` to simulate without a window.")
    }
}

struct Play: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Play: open the game window on a level or a save.")

    @Argument(help: "A level (a .toml file, or a name from `netzero levels`: sandbox, 3 for lesson 3, user/NAME, MOD/NAME) or a save (.nzsave).") var target = "sandbox"
    @Option(help: "Interface language: en or zh (default: the one chosen in Settings, else en).") var lang: String?
    @Flag(help: "Wait for the display's vertical sync.") var vsync = false

    func run() throws {
        if let lang, Language(rawValue: lang) == nil { throw ValidationError("--lang is en or zh") }
        // The player's settings (their name, asked once, the window, the language, …), in the XDG config directory.
        let settingsPath = GameSettings.defaultPath()
        let (settings, problems) = GameSettings.read(from: settingsPath)
        let language = lang.flatMap(Language.init(rawValue:)) ?? settings.language ?? .en
        let (city, level) = try openGame(target)
        let view = openWindowOrExplain(Window.Options(width: settings.resolution.width, height: settings.resolution.height, vsync: vsync))
        let session = GameSession(city: city, level: level, language: language)
        session.scriptAttacher = { level, city in
            for problem in LevelScripting.attach(level, to: city).problems { session.notify(problem, now: view.now) }
        }
        session.scriptResumer = { level, city, state in try LevelScripting.resume(level, city: city, state: state) }
        // Menu → Editor saves only what `netzero check` passes, script lint included.
        Editor.check = Edit.check(catalog: try loadCatalog())
        session.settings = settings
        if lang != nil { session.settings.language = nil }  // --lang holds for this run only
        SettingsScreen.apply(session)
        for problem in problems { session.notify(problem, now: view.now, seconds: 15) }
        session.dataDirectory = GameSettings.dataDirectory()
        session.savePath = GameSettings.dataDirectory() + "/saves/quick.nzsave"
        NamePrompt.openIfNeeded(session, settingsPath: settingsPath)
        try GameLoop.run(session, view: view)
        // The run's player commands, for a teacher to replay headless.
        try? FileSystem.makeDirectory("saves")
        try? FileSystem.writeAtomically(session.replay.text, to: "saves/last-run.replay")
    }
}

struct Shot: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Simulate N years, then render one frame to a PNG (no input).")

    @Argument(help: "A level (a .toml file, or a name from `netzero levels`: sandbox, 3 for lesson 3, user/NAME, MOD/NAME) or a save (.nzsave).") var target = "sandbox"
    @Option(help: "The PNG to write.") var out: String
    @Option(help: "Frame size, WIDTHxHEIGHT.") var size = "1280x720"
    @Option(help: "Overlay: \(Overlay.allCases.map(\.rawValue).joined(separator: ", ")).") var overlay = "none"
    @Option(help: "Years to simulate first.") var years = 0
    @Option(help: "Then run on to this hour of the day (0–23), so the frame has daylight.") var hour = 12
    @Option(help: "Interface language: en or zh.") var lang = "en"
    @Flag(help: "Show the charts panel.") var charts = false
    @Option(help: "Select (inspect) this tile, X,Y.") var inspect: String?
    @Option(help: "Open a screen or panel over the game: \(Screens.names.joined(separator: ", ")).") var screen = "map"
    @Option(help: "UI scale, 1 to 2 (as far as the frame leaves the interface 960 × 600 units).") var uiScale = 1.0

    func run() throws {
        guard let language = Language(rawValue: lang) else { throw ValidationError("--lang is en or zh") }
        guard let chosen = Overlay(rawValue: overlay) else { throw ValidationError("unknown overlay '\(overlay)'") }
        let parts = size.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 64, parts[1] >= 64, parts[0] <= 7680, parts[1] <= 4320 else {
            throw ValidationError("--size is WIDTHxHEIGHT, e.g. 1280x720")
        }
        let (city, level) = try openGame(target)
        city.run(hours: years * 8766)
        while city.view.clock.hour != min(23, max(0, hour)) { city.step() }
        let view = openWindowOrExplain(Window.Options(width: parts[0], height: parts[1], hidden: true, highDPI: false))
        let session = GameSession(city: city, level: level, language: language)
        // A lesson at its start shows its briefing card: wait for the card's numbers (one game year, computed in the background).
        while session.briefing.isOpen && Briefing.projection(session) == nil { usleep(50_000) }
        session.overlay = chosen
        session.showCharts = charts
        guard (1...2).contains(uiScale) else { throw ValidationError("--ui-scale is from 1 to 2") }
        session.settings.uiScale = uiScale
        // The save browser lists the saves of a folder of its own, with one save of this game in it.
        let saves = NSTemporaryDirectory() + "netzero-shot-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: saves) }
        if screen == "saves" {
            session.dataDirectory = saves
            session.save(named: session.strings.name(level.title), now: 0)
        }
        guard Screens.open(screen, session: session) else {
            throw ValidationError("--screen: '\(screen)' is not one of \(Screens.names.joined(separator: ", ")) (or the level has none)")
        }
        while session.briefing.isOpen && Briefing.projection(session) == nil { usleep(50_000) }
        if let inspect {
            let xy = inspect.split(separator: ",").compactMap { Int($0) }
            if xy.count == 2 { session.selectedTile = (xy[0], xy[1]) }
        }
        try view.render(session, animationTime: 1.5)
        try view.screenshot(to: out)
        print("wrote \(out) (\(parts[0])x\(parts[1]), \(view.drawCalls) draw calls, \(session.view.clock.date))")
    }
}
