// ScreenFlawTests — flaws seen in the screenshots of every screen: the inspector naming what
// stands on a tile and saying when a year's books are still empty, the grid-mix bar at the first
// hour, a modal screen covering the panels behind it; and the game stopping behind the name
// prompt, edge scrolling stopping when the pointer leaves the window, and the language key
// remembered.
import CitySim
import Foundation
@testable import Game
import Locale
import Raster
import Render
import Testing

@Suite("Input outside the map")
struct PointerAndPromptTests {
    @Test func edgeScrollingStopsWhenThePointerLeavesTheWindow() throws {
        let session = try windowlessSession(sandboxPath)
        session.settings.edgeScrolling = true
        let size = (width: 1280, height: 720)
        session.handle(.mouseMove(x: 1279, y: 300, buttons: []), size: size, now: 0)
        let start = session.camera.target
        session.edgeScroll(size: size, seconds: 0.1)
        let scrolled = session.camera.target
        #expect(scrolled != start, "the pointer at the right edge pans the map")
        session.handle(.pointerLeft, size: size, now: 0)
        session.edgeScroll(size: size, seconds: 0.1)
        #expect(session.camera.target == scrolled, "outside the window it pans no more")
        session.handle(.mouseMove(x: 1279, y: 300, buttons: []), size: size, now: 0)
        session.edgeScroll(size: size, seconds: 0.1)
        #expect(session.camera.target != scrolled, "back inside at the edge, it pans again")
    }

    @Test func theLanguageKeyIsRememberedForTheNextGame() throws {
        let session = try windowlessSession(sandboxPath)
        let path = NSTemporaryDirectory() + "nz-language-\(UUID().uuidString)/settings.toml"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        session.namePrompt.settingsPath = path
        session.handle(.key(code: KeyCode.letter("l"), down: true, ctrl: false, shift: false), size: (1280, 720), now: 0)
        #expect(session.strings.language == .zh)
        #expect(GameSettings.read(from: path).settings.language == .zh, "the choice is in settings.toml")
        session.runMenuItem("menu.language", now: 0)
        #expect(session.strings.language == .en)
        #expect(GameSettings.read(from: path).settings.language == .en)
    }

    @Test func theGameWaitsWhileThePlayerTypesTheirName() throws {
        let session = try windowlessSession(sandboxPath)
        session.slicesTicks = false
        session.paused = false
        session.namePrompt.isOpen = true
        var clock = 0.0
        for _ in 0..<20 { session.advance(frameSeconds: 0.5, budget: 1e9, clock: { clock += 1e-6; return clock }) }
        #expect(session.view.clock.tick == 0, "no hour passes behind the prompt")
        session.namePrompt.isOpen = false
        for _ in 0..<20 { session.advance(frameSeconds: 0.5, budget: 1e9, clock: { clock += 1e-6; return clock }) }
        #expect(session.view.clock.tick > 0, "closing it lets the game run")
    }
}

extension GameWindowTests {
    @Test func theInspectorNamesWhatStandsOnTheTileAndSaysWhenTheYearIsStillEmpty() throws {
        for language in [Language.en, .zh] {
            let (session, view) = try makeSession(language: language)
            let s = session.strings
            let map = session.view.map
            let plantTile = try #require((0..<map.tileCount).first { session.view.plant(map.occupant[$0]) != nil })
            let plant = try #require(session.view.plant(map.occupant[plantTile]))
            let tile = (plantTile % map.width, plantTile / map.width)
            session.toolIndex = try #require(session.tools.firstIndex(of: "select"))
            session.paused = true
            session.selectedTile = tile
            try deliver([], to: session, view: view)
            var rows = session.inspectorRows
            #expect(rows.first?.hasPrefix(s["tools." + plant.kind.key + "_plant"]) == true, "the panel is named by the plant: \(rows)")
            #expect(rows.contains(s.fill("inspector.tile", ["x": String(tile.0), "y": String(tile.1)])), "\(rows)")
            #expect(rows.contains(s["inspector.nothing_yet"]), "tick 0: the year's books are empty, not '0.0 t': \(rows)")
            #expect(!rows.contains { $0.hasPrefix(s["inspector.emissions"]) }, "\(rows)")
            session.paused = false
            for _ in 0..<30 { session.advance(frameSeconds: 1, clock: { 0 }) }
            session.paused = true
            try deliver([], to: session, view: view)
            rows = session.inspectorRows
            #expect(rows.contains { $0.hasPrefix(s["inspector.emissions"]) }, "after some hours the year's figures: \(rows)")
            #expect(!rows.contains(s["inspector.nothing_yet"]), "\(rows)")
            // Open water names its terrain in the player's language.
            if let water = (0..<map.tileCount).first(where: { map.terrain[$0] == .water && map.structure[$0] == .none }) {
                session.selectedTile = (water % map.width, water / map.width)
                try deliver([], to: session, view: view)
                #expect(session.inspectorRows.first == s["editor.item_water"], "\(session.inspectorRows)")
            }
        }
    }

    @Test func aModalScreenDimsThePanelsBehindItAndTheReloadBannerLeavesItsTitleClear() throws {
        let (session, view) = try makeSession()
        session.paused = true
        session.selectedTile = (0, 0)
        try deliver([], to: session, view: view)
        let inspector = try #require(session.inspectorRect)
        let inside = (Int(inspector.x + inspector.width) - 4, Int(inspector.y + inspector.height) - 3)
        let before = view.renderer.readPixels()[(x: inside.0, y: inside.1)]
        session.menuOpen = true
        session.reloadOffer = ReloadOffer(files: ["level.toml"], problem: nil)
        try deliver([], to: session, view: view)
        let after = view.renderer.readPixels()[(x: inside.0, y: inside.1)]
        let brightness = { (pixel: RGBA8) in Int(pixel.r) + Int(pixel.g) + Int(pixel.b) }
        #expect(brightness(after) < brightness(before), "behind the menu the inspector is dimmed: \(before) → \(after)")
        let banner = try #require(session.reloadBanner)
        #expect(banner.frame.y == 0, "over a modal screen the banner takes the top bar's place")
        session.menuOpen = false
        try deliver([], to: session, view: view)
        #expect(session.reloadBanner?.frame.y == HUD.topBar + 6)
        session.reloadOffer = nil
        session.selectedTile = nil
    }
}
