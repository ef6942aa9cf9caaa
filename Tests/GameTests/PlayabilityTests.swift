// PlayabilityTests — issue 14's bugs, each reproduced in the real window: the Esc menu takes the
// mouse, labels fit their boxes in both languages, the top bar follows a paused build, and the
// day/night light neither flashes nor leaves speed 1 in the dark.
import CitySim
import ECS
import Foundation
import Game
import Locale
import Render
import Testing

/// WCAG 2.3.1's general flash, counted on a series of light levels (0…1): a flash is a pair of
/// opposing changes of at least 10% where the darker level is below 0.8.
func flashCount(_ levels: [Float]) -> Int {
    guard var anchor = levels.first else { return 0 }
    var changes = 0
    var direction = 0  // +1 rising, -1 falling, 0 not yet moved
    for level in levels.dropFirst() {
        if direction == 1 && level > anchor || direction == -1 && level < anchor {
            anchor = level  // still going the same way: the extreme moves
        } else if abs(level - anchor) >= 0.1 && min(level, anchor) < 0.8 {
            changes += 1
            direction = level > anchor ? 1 : -1
            anchor = level
        }
    }
    return changes / 2
}

/// The small level with a pond (water at (0, 6) and (1, 6)) below the homes at (2…4, 5), and a
/// strip of forest land at (0…3, 8).
func pondLevel() -> LevelDefinition {
    var rows = smallLevelRows
    rows[6] = "~~.............."
    rows[8] = "TTTT............"
    return smallLevel(id: "pond-test", title: ("Pond test", "池塘测试"), rows: rows)
}

@Suite("Day and night")
struct DaylightTests {
    /// The light sampled at 60 frames over one real second at `hoursPerSecond`, from `startHour`.
    func oneSecond(hoursPerSecond: Double, startHour: Double) -> [Float] {
        (0...60).map { frame in
            // At the top speed there is no rate: a year a frame is more than the game can run.
            let rate = hoursPerSecond.isFinite ? hoursPerSecond : 8760 * 60
            let hours = startHour + rate * Double(frame) / 60
            let day = Int(hours / 24)
            return Daylight.level(hour: hours.truncatingRemainder(dividingBy: 24), dayOfYear: 170 + day, hoursPerSecond: hoursPerSecond)
        }
    }

    @Test func noSpeedFlashesMoreThanThreeTimesASecond() throws {
        let sandbox = try LevelFile.load(path: repositoryRoot + "/Levels/sandbox.toml", catalog: catalog).level.map { GameSpeed.yearMinutes($0) }
        let yearMinutes = try #require(sandbox)
        var rates = (1...GameSpeed.top).map { GameSpeed.hoursPerSecond(speed: $0, yearMinutes: yearMinutes) }
        rates += [1, 6, 11.9, 12, 13, 30, 100, 500, 8760]  // every rate a level's pace could give
        for rate in rates {
            for start in stride(from: 0.0, to: 24, by: 3) {
                let flashes = flashCount(oneSecond(hoursPerSecond: rate, startHour: start))
                #expect(flashes <= 3, "\(flashes) flashes in one second at \(rate) game hours a second")
            }
        }
        // The counter itself sees flashing: a light that swings every few frames.
        #expect(flashCount((0...60).map { $0 % 6 < 3 ? 0.3 : 1 }) > 3)
    }

    @Test func speedOneIsNotDarkHalfTheTime() throws {
        let rate = GameSpeed.hoursPerSecond(speed: 1, yearMinutes: 15)
        let day = stride(from: 0.0, to: 24, by: 0.25).map { Daylight.level(hour: $0, dayOfYear: 355, hoursPerSecond: rate) }
        let dark = day.filter { $0 < 0.5 }.count
        #expect(dark == 0, "\(dark) of \(day.count) quarter-hours of a winter day are dark")
        #expect(day.max()! - day.min()! >= 0.2, "day and night still differ at speed 1")
    }
}

@Suite("Playability in a real window", .serialized, .enabled(if: hasDisplay, "needs a display: run under xvfb-run"))
@MainActor
struct PlayabilityTests {
    @Test func theEscMenuTakesMouseClicks() throws {
        let (session, view) = try makeSession()
        try press(KeyCode.escape, session: session, view: view)
        #expect(session.menuOpen)
        let items = HUD.menuLayout(size: view.renderer.framebufferSize).items
        let language = try #require(HUD.menuItems.firstIndex(of: "menu.language"))
        try click(items[language].center, session: session, view: view)
        #expect(session.strings.language == .zh, "a click on Language switches it")
        #expect(session.menuOpen)
        // Hovering moves the highlight; a click on Resume closes the menu.
        let resume = try #require(HUD.menuItems.firstIndex(of: "menu.resume"))
        try deliver([.mouseMove(x: items[resume].center.x, y: items[resume].center.y, buttons: [])], to: session, view: view)
        #expect(session.menuIndex == resume)
        try click(items[resume].center, session: session, view: view)
        #expect(!session.menuOpen, "a click on Resume closes the menu")
        // The level picker takes clicks too.
        try press(KeyCode.escape, session: session, view: view)
        try click(items[try #require(HUD.menuItems.firstIndex(of: "menu.levels"))].center, session: session, view: view)
        #expect(session.pickingLevel)
        let sandbox = try #require(session.levelChoices.firstIndex { $0.title.en == "Sandbox town" })
        let row = try #require(session.levelPicker.rowRects.first { $0.index == sandbox }, "the picker drew the sandbox's row")
        try click(row.rect.center, session: session, view: view)
        #expect(!session.pickingLevel && session.view.level.id == "sandbox")
    }

    @Test func noLabelOverflowsItsBoxInEitherLanguage() throws {
        for language in [Language.en, .zh] {
            let (session, view) = try makeSession(language: language)
            for overlay in Overlay.allCases {
                session.overlay = overlay
                try view.render(session)
                #expect(session.overflowingText.isEmpty, "\(language) \(overlay): \(session.overflowingText)")
            }
            session.menuOpen = true
            try view.render(session)
            #expect(session.overflowingText.isEmpty, "\(language) menu: \(session.overflowingText)")
            session.menuOpen = false
            for panel in CarbonPanel.allCases {
                try press(KeyCode.letter(panel.shortcut), session: session, view: view)
                try view.render(session)
                #expect(session.overflowingText.isEmpty, "\(language) \(panel): \(session.overflowingText)")
            }
            try press(KeyCode.escape, session: session, view: view)
            // The overlay buttons do not run into each other.
            let rects = session.overlayButtonRects.map(\.rect)
            #expect(zip(rects, rects.dropFirst()).allSatisfy { $0.x + $0.width <= $1.x }, "\(rects)")
            #expect((rects.last.map { $0.x + $0.width } ?? 0) <= Float(view.renderer.framebufferSize.width))
        }
    }

    @Test func theTopBarFollowsAPausedBuild() throws {
        // Building on forest land releases its stock, which the model books at the day's count:
        // the top bar shows it at once, paused.
        let level = pondLevel()
        let (session, view) = try makeSession(city: City(level: level, catalog: catalog), level: level)
        session.city.run(hours: 25)  // past the first day's count of forest land
        session.paused = true
        session.camera.target = Vec3(8, 0, 6)
        session.camera.distance = 20
        try view.render(session)
        let tick = session.view.clock.tick
        let before = try #require(session.topBarText.first { $0.hasPrefix("Net CO2") })
        let net = HUD.topBarNet(session.city)
        session.toolIndex = try #require(session.tools.firstIndex(of: "road"))
        let from = pixel(of: (0, 8), session: session, view: view), to = pixel(of: (3, 8), session: session, view: view)
        try deliver([.mouseDown(x: from.x, y: from.y, button: .left), .mouseMove(x: to.x, y: to.y, buttons: .left),
                     .mouseUp(x: to.x, y: to.y, button: .left)], to: session, view: view)
        let map = session.view.map
        #expect((0...3).allSatisfy { map.structure[map.index($0, 8)] == .road })
        #expect(session.view.clock.tick == tick, "the game did not tick")
        let land = catalog.forestLand
        let release = 4 * land.stock * land.areaHa * land.releaseOnClearing
        #expect(release > 1)
        #expect(abs(HUD.topBarNet(session.city) - (net + release)) < 1e-6 * max(1, release), "the four cleared tiles' release is in the net at once")
        let after = try #require(session.topBarText.first { $0.hasPrefix("Net CO2") })
        #expect(before != after, "\(before) → \(after)")
    }
}
