// SettingsTests — settings.toml read and written whole, a bad or unknown value giving its default
// and a message at file:line:col, and the Settings screen worked with the mouse and the keys,
// each change applied at once and saved.
import CitySim
import Foundation
@testable import Game
import Locale
import Render
import Report
import Testing

@Suite("Settings file")
struct SettingsFileTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "nz-settings-\(UUID().uuidString).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func everySettingSurvivesARoundTrip() throws {
        var settings = GameSettings(player: "李伟")
        settings.fullscreen = true
        settings.resolution = GameSettings.Resolution(width: 1600, height: 900)
        settings.quality = .low
        settings.language = .zh
        settings.uiScale = 1.5
        settings.dayNight = .smoothed
        settings.colourBlind = true
        settings.edgeScrolling = true
        settings.autosaveMonths = 3
        settings.yearlyCard = false
        let path = try write("")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try settings.save(to: path)
        let read = GameSettings.read(from: path)
        #expect(read.problems.isEmpty, "\(read.problems)")
        #expect(read.settings == settings)
        #expect(GameSettings.read(from: path + ".missing").settings == GameSettings(), "no file: the defaults, silently")
    }

    @Test func badAndUnknownValuesGiveDefaultsAndSayWhere() throws {
        let path = try write("""
            player = "Ana"
            ui_scale = 3.5
            day_night = "dusk"
            resolution = "huge"
            language = "fr"
            colour_blind = "yes"
            autosave_months = -2
            fullscreen = true
            shadows = "ultra"
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (settings, problems) = GameSettings.read(from: path)
        #expect(settings.player == "Ana")
        #expect(settings.fullscreen)
        #expect(settings.uiScale == 1 && settings.dayNight == .on && settings.resolution == GameSettings.Resolution(width: 1280, height: 720))
        #expect(settings.language == nil && !settings.colourBlind && settings.autosaveMonths == 12)
        #expect(problems.count == 7, "\(problems)")
        #expect(problems.contains { $0.hasPrefix(path + ":2:12: error: ui_scale must be a number from 1 to 2") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix(path + ":3:13: error: day_night must be") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix(path + ":9:1: warning: unknown setting 'shadows'") }, "\(problems)")
    }

    @Test func aBrokenFileGivesTheDefaultsAndItsPosition() throws {
        let path = try write("player = \"Ana\"\nui_scale = [1,\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (settings, problems) = GameSettings.read(from: path)
        #expect(settings == GameSettings())
        #expect(problems.count == 1)
        #expect(problems.first?.contains(path + ":") == true, "\(problems)")
        let binary = try write("")
        try FileSystem.writeAtomically([0xFF, 0xFE, 0x00], to: binary)
        #expect(GameSettings.read(from: binary).problems.first?.contains("UTF-8") == true)
    }

    @Test func autosavesFollowTheChosenInterval() throws {
        let data = NSTemporaryDirectory() + "nz-autosave-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let session = try windowlessSession(sandboxPath)
        session.dataDirectory = data
        session.settings.autosaveMonths = 1
        session.slicesTicks = false
        session.paused = false
        session.speed = 3  // a few game hours a call, so that no month is skipped over
        var clock = 0.0
        while session.view.clock.date.month < 3 { session.advance(frameSeconds: 0.1, budget: 1e9, clock: { clock += 1e-6; return clock }) }
        let files = FileSystem.list(data + "/autosaves").filter { $0.hasSuffix(".nzsave") }
        #expect(files.count == 2, "1 February and 1 March: \(files) \(session.view.clock.date)")
        session.settings.autosaveMonths = 0
        try? FileManager.default.removeItem(atPath: data)
        while session.view.clock.date.month < 5 { session.advance(frameSeconds: 0.1, budget: 1e9, clock: { clock += 1e-6; return clock }) }
        #expect(FileSystem.list(data + "/autosaves").isEmpty, "0: no autosaves")
    }

    @Test func dayAndNightFollowTheSetting() {
        let night = Daylight.level(hour: 2, dayOfYear: 10, hoursPerSecond: 1, mode: .on)
        #expect(night < 1)
        #expect(Daylight.level(hour: 2, dayOfYear: 10, hoursPerSecond: 1, mode: .smoothed) == 1 - (1 - night) / 2)
        #expect(Daylight.level(hour: 2, dayOfYear: 10, hoursPerSecond: 1, mode: .off) == 1)
    }
}

extension GameWindowTests {
    @Test func theSettingsScreenTakesTheMouseAndTheKeysAndSavesEachChange() throws {
        let (session, view) = try makeSession(language: .en)
        let path = NSTemporaryDirectory() + "nz-settings-\(UUID().uuidString)/settings.toml"
        session.namePrompt.settingsPath = path
        defer {
            session.settings.uiScale = 1
            Palette.colourBlindSafe = false
            ReportColors.colourBlindSafe = false
        }
        try press(KeyCode.escape, session: session, view: view)
        let item = try #require(HUD.menuItems.firstIndex(of: "menu.settings"))
        try click(HUD.menuLayout(size: view.renderer.framebufferSize).items[item].center, session: session, view: view)
        #expect(session.settingsScreen.isOpen)
        // A click on the language row: the game speaks Chinese at once, and settings.toml says so.
        let language = try #require(session.settingsScreen.rowRects.first { SettingsScreen.rows[$0.index] == "language" })
        try click((Int(language.rect.x + language.rect.width - 20), language.rect.center.y), session: session, view: view)
        #expect(session.strings.language == .zh)
        #expect(GameSettings.read(from: path).settings.language == .zh)
        // The keys: down to the colour-blind palette, → turns it on.
        let target = try #require(SettingsScreen.rows.firstIndex(of: "colour_blind"))
        for _ in 0..<target { try press(KeyCode.down, session: session, view: view) }
        try press(KeyCode.right, session: session, view: view)
        #expect(session.settings.colourBlind && Palette.colourBlindSafe)
        #expect(GameSettings.read(from: path).settings.colourBlind)
        // The yearly card off, through the session's flag.
        let card = try #require(SettingsScreen.rows.firstIndex(of: "yearly_card"))
        for _ in 0..<(card - target) { try press(KeyCode.down, session: session, view: view) }
        try press(KeyCode.enter, session: session, view: view)
        #expect(!session.showsYearlyCard)
        // UI scale 2× in a 1920 × 1200 window: the screen is drawn twice as large, and its rows still take clicks.
        view.window.setSize(width: 1920, height: 1200)
        defer { view.window.setSize(width: 960, height: 600) }
        _ = view.window.pollEvents()
        try view.render(session)
        #expect(view.renderer.framebufferSize.width == 1920 && view.renderer.framebufferSize.height == 1200, "\(view.renderer.framebufferSize)")
        let scaleRow = try #require(SettingsScreen.rows.firstIndex(of: "ui_scale"))
        for _ in 0..<4 {
            let rect = try #require(session.settingsScreen.rowRects.first { $0.index == scaleRow }).rect
            let factor = session.uiScale(frame: view.renderer.framebufferSize)
            try click((Int((rect.x + rect.width - 20) * Float(factor)), Int(Float(rect.center.y) * Float(factor))), session: session, view: view)
        }
        #expect(session.settings.uiScale == 2, "four clicks: 1 → 1.25 → 1.5 → 1.75 → 2")
        #expect(view.canvas.size.width == view.renderer.framebufferSize.width / 2)
        #expect(session.overflowingText.isEmpty, "\(session.overflowingText)")
        // In the 960 × 600 window the same setting leaves the interface at 1×: it would not fit.
        #expect(session.uiScale(frame: (960, 600)) == 1 && session.uiScale(frame: (1280, 720)) == 1.2)
        try press(KeyCode.escape, session: session, view: view)
        #expect(!session.settingsScreen.isOpen)
    }
}

extension GameWindowTests {
    /// Opens every screen and panel of the game on lesson 1 (it has a briefing, objectives and an
    /// end screen) in both languages, at UI scale 1× in a 960 × 600 window and 2× in a
    /// 1920 × 1200 one; no text may leave its box (HUD.label's boxes, the panels' frames and the
    /// window, Canvas2D.pushTextBox).
    @Test func noTextOverflowsOnAnyScreenInEitherLanguageAtEitherScale() throws {
        let view = try #require(sharedView)
        defer {
            view.window.setSize(width: 960, height: 600)
            _ = view.window.pollEvents()
        }
        let data = try temporaryFolder("screens")
        defer { try? FileManager.default.removeItem(atPath: data) }
        var problems: [String] = []
        for (scale, width, height) in [(1.0, 960, 600), (2.0, 1920, 1200)] {
            view.window.setSize(width: width, height: height)
            _ = view.window.pollEvents()
            for language in Language.allCases {
                let session = try sessionOn(levelAt: lessonOnePath, data: data)
                session.strings = Strings(language: language)
                session.settings.uiScale = scale
                session.paused = true
                session.city.run(hours: 24 * 40)
                func check(_ screen: String) throws {
                    try view.render(session)
                    let drawn = view.renderer.framebufferSize
                    if drawn.width != width { problems.append("\(screen): the frame is \(drawn.width) wide, not \(width)") }
                    for text in session.overflowingText { problems.append("\(language) \(scale)× \(screen): \(text)") }
                }
                for overlay in Overlay.allCases {
                    session.overlay = overlay
                    try check("overlay \(overlay)")
                }
                session.overlay = .none
                let map = session.view.map
                if let tile = (0..<map.tileCount).first(where: { map.structure[$0] == .entity }) {
                    session.selectedTile = (tile % map.width, tile / map.width)
                    try check("inspector")
                    session.selectedTile = nil
                }
                session.showCharts = true
                try check("charts")
                session.showCharts = false
                for panel in CarbonPanel.allCases {
                    session.panels.show(panel)
                    try check("panel \(panel)")
                }
                session.panels.show(nil)
                session.menuOpen = true
                try check("menu")
                session.openLevelPicker()
                try check("levels")
                session.pickingLevel = false
                #expect(session.save(named: "城市 \(language)", now: 0))
                SaveBrowser.open(session)
                try check("save / load")
                session.saveBrowser.isOpen = false
                SettingsScreen.open(session)
                try check("settings")
                session.settingsScreen.isOpen = false
                session.menuOpen = false
                session.namePrompt.isOpen = true
                try check("name prompt")
                session.namePrompt.isOpen = false
                Briefing.open(session)
                try check("briefing")
                Briefing.close(session)
                session.paused = true
                LessonEndScreen.open(session)
                try check("lesson end")
                session.lessonEnd.isOpen = false
                #expect(Screens.open("yearly", session: session))
                #expect(session.yearlyCard.isOpen)
                try check("yearly card")
                YearlyCard.dismiss(session)
            }
        }
        #expect(problems.isEmpty, "\(problems.count) overflows:\n\(problems.joined(separator: "\n"))")
    }
}

extension GameWindowTests {
    @Test func theCanvasRecordsTextOutsideItsBoxOrTheWindow() throws {
        let canvas = try #require(sharedView).canvas
        _ = canvas.takeOverflows()
        canvas.pushTextBox(x: 10, y: 10, width: 40, height: 30)
        canvas.drawText("fits", x: 12, y: 12, size: 12)
        #expect(canvas.takeOverflows().isEmpty)
        canvas.drawText("a text far wider than its box", x: 12, y: 12, size: 12)
        canvas.popTextBox()
        #expect(canvas.takeOverflows().count == 1)
        canvas.drawText("past the window's edge", x: Float(canvas.size.width) - 20, y: 12, size: 12)
        #expect(canvas.takeOverflows().first?.hasPrefix("past the window's edge") == true)
        canvas.flush()
    }
}
