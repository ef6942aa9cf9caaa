// GameWindowTests — the game in a real SDL2/OpenGL window (Xvfb + Mesa in CI): clicks and drags
// build, undo removes, overlays colour the right tiles, the HUD holds text, Chinese draws glyphs,
// and save → quit → load restores the game. Without a display these tests are skipped.
import CitySim
import ECS
import Foundation
import Game
import Locale
import Raster
import Render
import Testing

let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    return FileManager.default.currentDirectoryPath
}()

let hasDisplay = ProcessInfo.processInfo.environment["DISPLAY"].map { !$0.isEmpty } ?? false

let catalog: Catalog = try! Catalog.load(directory: repositoryRoot + "/Resources/catalog")

/// The small level's map: a road along row 4, a coal plant, a forest, some homes on 16 × 12 tiles.
let smallLevelRows = [
    "................",
    "................",
    "..c.........ff..",
    "............ff..",
    "================",
    "..HHH...........",
    "................",
    "................",
    "................",
    "................",
    "................",
    "................",
]

/// A small level on `rows` (by default the map above).
func smallLevel(id: String = "window-test", title: (en: String, zh: String) = ("Window test", "窗口测试"),
                rows: [String] = smallLevelRows) -> LevelDefinition {
    let text = """
    [level]
    id = "\(id)"
    title_en = "\(title.en)"
    title_zh = "\(title.zh)"
    seed = 5
    budget = 5e9

    [map]
    rows = \"\"\"
    \(rows.joined(separator: "\n"))
    \"\"\"
    """
    let result = LevelFile.parse(bytes: Array(text.utf8), file: "\(id).toml", catalog: catalog)
    return result.level!
}

/// Opens the Levels menu from the Esc menu by keyboard.
@MainActor
func openLevelPicker(session: GameSession, view: GameView) throws {
    try deliver([.key(code: KeyCode.escape, down: true, ctrl: false, shift: false)], to: session, view: view)
    let levelsItem = try #require(HUD.menuItems.firstIndex(of: "menu.levels"))
    var keys: [InputEvent] = Array(repeating: .key(code: KeyCode.down, down: true, ctrl: false, shift: false), count: levelsItem)
    keys.append(.key(code: KeyCode.enter, down: true, ctrl: false, shift: false))
    try deliver(keys, to: session, view: view)
}

/// One game view shared by the tests (SDL allows one video subsystem; windows are cheap to reuse).
@MainActor let sharedView: GameView? = hasDisplay ? try? GameView(options: Window.Options(width: 960, height: 600, hidden: true, highDPI: false)) : nil

@MainActor
func makeSession(language: Language = .en) throws -> (GameSession, GameView) {
    let view = try #require(sharedView, "a display is required")
    let level = smallLevel()
    let session = GameSession(city: City(level: level, catalog: catalog), level: level, language: language,
                              savePath: NSTemporaryDirectory() + "nz-\(UUID().uuidString)/quick.nzsave",
                              screenshotDirectory: NSTemporaryDirectory())
    // These tests are about play: a lesson's briefing card (BriefingTests) is dismissed first.
    if session.briefing.isOpen { Briefing.close(session) }
    session.paused = true
    // Look straight down the map's middle so tiles are easy to hit.
    session.camera.target = Vec3(8, 0, 6)
    session.camera.distance = 20
    try view.render(session)
    return (session, view)
}

/// Pushes events through SDL's real queue, then feeds what SDL delivers to the session.
@MainActor
func deliver(_ events: [InputEvent], to session: GameSession, view: GameView) throws {
    for event in events { _ = view.window.push(event) }
    for event in view.window.pollEvents() { session.handle(event, size: view.renderer.framebufferSize, now: view.now) }
    session.advance(frameSeconds: 0, clock: { view.now })
    try view.render(session)
}

@MainActor
func pixel(of tile: (Int, Int), session: GameSession, view: GameView, height: Float = 0.06) -> (x: Int, y: Int) {
    let size = view.renderer.framebufferSize
    let p = session.camera.project(Vec3(Float(tile.0) + 0.5, height, Float(tile.1) + 0.5), width: size.width, height: size.height)!
    return (Int(p.x), Int(p.y))
}

@Suite("Game in a real window", .serialized, .enabled(if: hasDisplay, "needs a display: run under xvfb-run"))
@MainActor
struct GameWindowTests {
    @Test func clickingWithTheRoadToolBuildsARoad() throws {
        let (session, view) = try makeSession()
        let roadIndex = try #require(session.tools.firstIndex(of: "road"))
        let toolButton = HUD.toolCenter(roadIndex, session: session)
        try deliver([.mouseDown(x: toolButton.x, y: toolButton.y, button: .left), .mouseUp(x: toolButton.x, y: toolButton.y, button: .left)],
                    to: session, view: view)
        #expect(session.tool == "road")
        let target = pixel(of: (6, 7), session: session, view: view)
        try deliver([.mouseDown(x: target.x, y: target.y, button: .left), .mouseUp(x: target.x, y: target.y, button: .left)],
                    to: session, view: view)
        let map = session.view.map
        #expect(map.structure[map.index(6, 7)] == .road)
    }

    @Test func draggingPaintsARoadAndUndoRemovesIt() throws {
        let (session, view) = try makeSession()
        session.toolIndex = try #require(session.tools.firstIndex(of: "road"))
        let from = pixel(of: (3, 9), session: session, view: view), to = pixel(of: (9, 9), session: session, view: view)
        try deliver([.mouseDown(x: from.x, y: from.y, button: .left), .mouseMove(x: (from.x + to.x) / 2, y: (from.y + to.y) / 2, buttons: .left),
                     .mouseMove(x: to.x, y: to.y, buttons: .left), .mouseUp(x: to.x, y: to.y, button: .left)], to: session, view: view)
        var map = session.view.map
        let painted = (3...9).filter { map.structure[map.index($0, 9)] == .road }
        #expect(painted.count == 7, "the drag paints every tile from 3 to 9")
        let budgetAfterBuild = session.view.budget.balance
        #expect(budgetAfterBuild < 5e9)
        try deliver([.key(code: KeyCode.letter("z"), down: true, ctrl: true, shift: false)], to: session, view: view)
        map = session.view.map
        #expect((3...9).allSatisfy { map.structure[map.index($0, 9)] == .none }, "Ctrl+Z demolishes what the drag built")
        try deliver([.key(code: KeyCode.letter("y"), down: true, ctrl: true, shift: false)], to: session, view: view)
        map = session.view.map
        #expect((3...9).allSatisfy { map.structure[map.index($0, 9)] == .road }, "Ctrl+Y builds it again")
    }

    @Test func keysPauseSetSpeedAndOpenTheMenu() throws {
        let (session, view) = try makeSession()
        try deliver([.key(code: KeyCode.letter("3"), down: true, ctrl: false, shift: false)], to: session, view: view)
        #expect(session.speed == 3 && !session.paused)
        try deliver([.key(code: KeyCode.space, down: true, ctrl: false, shift: false)], to: session, view: view)
        #expect(session.paused)
        let before = session.toolIndex
        try deliver([.key(code: KeyCode.tab, down: true, ctrl: false, shift: false)], to: session, view: view)
        #expect(session.toolIndex == before + 1, "the toolbar works from the keyboard")
        try deliver([.key(code: KeyCode.escape, down: true, ctrl: false, shift: false)], to: session, view: view)
        #expect(session.menuOpen)
    }

    @Test func frameIsNotBlankAndHUDHoldsText() throws {
        let (session, view) = try makeSession()
        session.city.run(hours: 12)
        try view.render(session, animationTime: 1)
        let image = view.renderer.readPixels()
        #expect(image.distinctColors(limit: 400).count > 30, "the frame shows a city, not a flat colour")
        let topBar = image.cropped(x: 0, y: 0, width: image.width, height: 36)
        let background = topBar[image.width / 2 + 150, 2]
        #expect(topBar.countPixels(differentFrom: background, tolerance: 40) > 500, "the top bar holds text")
        #expect(view.drawCalls <= 50)
    }

    @Test func emissionsOverlayIsWarmAtTheCoalPlantAndCoolAtTheForest() throws {
        let (session, view) = try makeSession()
        session.city.run(hours: 24 * 20 + 12)  // to noon, in daylight
        session.overlay = .emissions
        try view.render(session, animationTime: 1)
        let image = view.renderer.readPixels()
        try? image.writePNG(to: NSTemporaryDirectory() + "overlay-test.png")
        let coal = image[pixel(of: (2, 2), session: session, view: view, height: 0.45)]
        let forestPoint = session.camera.project(Vec3(12.28, 0.2, 2.28), width: image.width, height: image.height)!
        let forest = image[Int(forestPoint.x), Int(forestPoint.y)]
        // Viridis: warm (yellow) is high red + green, cool (purple) is high blue, low green.
        #expect(Int(coal.r) + Int(coal.g) > Int(forest.r) + Int(forest.g) + 120, "coal \(coal) vs forest \(forest)")
        #expect(Int(forest.b) > Int(forest.g), "the forest is cool: \(forest)")
    }

    @Test func longMessagesWrapToTheFeedWidthInBothLanguages() throws {
        let (_, view) = try makeSession(language: .en)
        let english = String(repeating: "Net zero is a balance of sources and sinks. ", count: 8)
        let rows = HUD.wrap(english, width: 400, canvas: view.canvas)
        #expect(rows.count > 2)
        #expect(rows.joined(separator: " ") == english, "each break drops exactly one space and nothing else")
        #expect(rows.allSatisfy { view.canvas.measureText($0, size: 13).width <= 400 })
        #expect(rows.dropLast().allSatisfy { !$0.hasSuffix(" ") && !$0.hasPrefix(" ") }, "English breaks at spaces")
        let chinese = String(repeating: "净零不是一点都不排放，而是排放与吸收相互平衡。", count: 6)
        let zhRows = HUD.wrap(chinese, width: 300, canvas: view.canvas)
        #expect(zhRows.count > 2)
        #expect(zhRows.joined() == chinese, "Chinese breaks between characters and loses none")
        #expect(zhRows.allSatisfy { view.canvas.measureText($0, size: 13).width <= 300 })
    }

    @Test func chineseInterfaceDrawsGlyphs() throws {
        let (session, view) = try makeSession(language: .zh)
        #expect(view.canvas.font.hasGlyph("碳") && view.canvas.font.hasGlyph("零"))
        try view.render(session)
        let image = view.renderer.readPixels()
        // The toolbar's first entry is 查看 ("inspect"): its pixels differ from the empty-box glyph
        // the font would draw for a character it lacks.
        let chinese = view.canvas.font.rasterize("查看", size: 13)
        let missing = view.canvas.font.rasterize("\u{E000}\u{E001}", size: 13)
        #expect(chinese != nil)
        if let chinese, let missing {
            #expect(chinese.pixels != missing.pixels)
        }
        let toolbar = image.cropped(x: 4, y: 44, width: 120, height: 18)
        #expect(toolbar.countPixels(differentFrom: toolbar[118, 1], tolerance: 40) > 40)
    }

    @Test func saveQuitAndLoadRestoresTheGame() throws {
        let (session, view) = try makeSession()
        session.toolIndex = try #require(session.tools.firstIndex(of: "solar_plant"))
        let target = pixel(of: (7, 5), session: session, view: view)
        try deliver([.mouseDown(x: target.x, y: target.y, button: .left), .mouseUp(x: target.x, y: target.y, button: .left)],
                    to: session, view: view)
        session.city.run(hours: 30)
        let hash = session.city.world.contentHash()
        let tick = session.view.clock.tick
        try deliver([.key(code: KeyCode.f1 + 4, down: true, ctrl: false, shift: false)], to: session, view: view)  // F5
        #expect(FileManager.default.fileExists(atPath: session.savePath))
        // A new session (the player quit and came back) loads with F9.
        let (later, _) = try makeSession()
        later.savePath = session.savePath
        try deliver([.key(code: KeyCode.f1 + 8, down: true, ctrl: false, shift: false)], to: later, view: view)  // F9
        #expect(later.view.clock.tick == tick, "\(later.notices.map(\.text))")
        #expect(later.city.world.contentHash() == hash)
        let map = later.view.map
        #expect(map.structure[map.index(7, 5)] == .entity)
    }

    /// The whole first session of a new player: build a coal plant, a wind farm and a forest by
    /// clicking, watch the emissions overlay and the charts change, save, quit, load again.
    @Test func newPlayerBuildsWatchesSavesAndLoads() throws {
        let (session, view) = try makeSession()
        func click(tool: String, at tile: (Int, Int)) throws {
            let button = HUD.toolCenter(try #require(session.tools.firstIndex(of: tool)), session: session)
            try deliver([.mouseDown(x: button.x, y: button.y, button: .left), .mouseUp(x: button.x, y: button.y, button: .left)],
                        to: session, view: view)
            let p = pixel(of: tile, session: session, view: view)
            try deliver([.mouseDown(x: p.x, y: p.y, button: .left), .mouseUp(x: p.x, y: p.y, button: .left)], to: session, view: view)
        }
        try click(tool: "coal_plant", at: (6, 3))
        try click(tool: "wind_plant", at: (8, 3))
        try click(tool: "forest", at: (10, 5))
        let map = session.view.map
        #expect(session.view.plant(map.occupant[map.index(6, 3)])?.kind == .coal)
        #expect(session.view.plant(map.occupant[map.index(8, 3)])?.kind == .wind)
        #expect(session.view.zone(map.occupant[map.index(10, 5)])?.kind == .forest)
        // Charts before and after another simulated year: a new year's stacked bar appears.
        try deliver([.key(code: KeyCode.letter("c"), down: true, ctrl: false, shift: false)], to: session, view: view)
        #expect(session.showCharts)
        session.city.run(hours: 24 * 370)
        try view.render(session, animationTime: 1)
        let before = view.renderer.readPixels()
        session.city.run(hours: 24 * 366)
        // The overlay from its button on the toolbar row (O on the keyboard does the same).
        let button = try #require(session.overlayButtonRects.first { $0.overlay == .emissions }).rect
        let bx = Int(button.x + button.width / 2), by = Int(button.y + button.height / 2)
        try deliver([.mouseDown(x: bx, y: by, button: .left), .mouseUp(x: bx, y: by, button: .left)], to: session, view: view)
        #expect(session.overlay == .emissions)
        let after = view.renderer.readPixels()
        let chart = (x: 180, y: 90, width: 300, height: 200)
        let changed = zip(before.cropped(x: chart.x, y: chart.y, width: chart.width, height: chart.height).pixels,
                          after.cropped(x: chart.x, y: chart.y, width: chart.width, height: chart.height).pixels)
            .filter { abs(Int($0) - Int($1)) > 30 }.count
        #expect(changed > 300, "a new bar: \(changed) channel values changed")
        session.paused = true
        try deliver([.key(code: KeyCode.f1 + 4, down: true, ctrl: false, shift: false)], to: session, view: view)
        let replay = (session.savePath as NSString).deletingPathExtension + ".replay"
        #expect(FileManager.default.fileExists(atPath: replay), "the save comes with the replay log")
        let saved = (tick: session.view.clock.tick, hash: session.city.world.contentHash())
        session.quitRequested = true
        let (returning, _) = try makeSession()
        returning.savePath = session.savePath
        try deliver([.key(code: KeyCode.f1 + 8, down: true, ctrl: false, shift: false)], to: returning, view: view)
        #expect(returning.view.clock.tick == saved.tick)
        #expect(returning.city.world.contentHash() == saved.hash)
        #expect(returning.view.plant(returning.view.map.occupant[map.index(6, 3)])?.kind == .coal)
    }

    @Test func levelPickerListsLevelsAndStartsOne() throws {
        let (session, view) = try makeSession(language: .zh)
        try openLevelPicker(session: session, view: view)
        #expect(session.pickingLevel)
        let titles = session.levelChoices.map(\.title.zh)
        #expect(titles.contains("沙盒小镇"))
        let sandbox = try #require(session.levelChoices.firstIndex { $0.title.zh == "沙盒小镇" })
        var moves: [InputEvent] = Array(repeating: .key(code: KeyCode.down, down: true, ctrl: false, shift: false), count: sandbox)
        moves.append(.key(code: KeyCode.enter, down: true, ctrl: false, shift: false))
        try deliver(moves, to: session, view: view)
        #expect(!session.pickingLevel)
        #expect(session.view.level.id == "sandbox")
        #expect(session.view.map.width == 64)
    }

    @Test func loadingACorruptSaveLeavesTheGameUntouched() throws {
        let (session, view) = try makeSession()
        try FileManager.default.createDirectory(atPath: (session.savePath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("NZCSAVE\0garbage".utf8).write(to: URL(fileURLWithPath: session.savePath))
        session.city.run(hours: 5)
        let hash = session.city.world.contentHash()
        try deliver([.key(code: KeyCode.f1 + 8, down: true, ctrl: false, shift: false)], to: session, view: view)
        #expect(session.city.world.contentHash() == hash)
        #expect(session.notices.last?.text.isEmpty == false, "the player is told why")
    }
}

extension Image {
    subscript(_ point: (x: Int, y: Int)) -> RGBA8 { self[point.x, point.y] }
}
