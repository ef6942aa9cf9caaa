// LessonEndScreenTests — the end-of-lesson screen in the real window (part of the serialized
// window suite): it opens when the level is decided, shows text and the report's charts, closes
// with "Continue playing" without opening again for the same result, reopens with S, and
// "Save report…" writes the report's files beside the saves.
import CitySim
import ECS
import Foundation
import Game
import Locale
import Raster
import Render
import Report
import Testing

/// A tiny level with two objectives judged at the end of 2020. The net-emissions target cannot be
/// met (a coal plant and homes, a target far below zero), so the lesson is lost on 1 January 2021.
func lessonEndLevel() -> LevelDefinition {
    let text = """
    [level]
    id = "end-test"
    title_en = "End screen test"
    title_zh = "结束画面测试"
    seed = 3
    budget = 5e9

    [map]
    rows = \"\"\"
    ................
    ..c.........ff..
    ================
    ..HHH...........
    ................
    ................
    \"\"\"

    [[objectives]]
    id = "impossible"
    title_en = "Net emissions in 2020 at most -1,000,000 t"
    title_zh = "2020年净排放不超过-1,000,000吨"
    metric = "net_emissions"
    at_most = -1e6
    by = 2020

    [[objectives]]
    id = "money"
    title_en = "Keep the budget at or above 0 yuan"
    title_zh = "预算不低于0元"
    metric = "budget"
    at_least = 0
    by = 2020
    """
    let result = LevelFile.parse(bytes: Array(text.utf8), file: "end-test.toml", catalog: catalog)
    if result.level == nil { Issue.record("the test level does not parse: \(result.diagnostics.map(\.description))") }
    return result.level!
}

@MainActor
func makeLessonSession(language: Language = .en, decide: LevelResult? = nil, hours: Int = 0) throws -> (GameSession, GameView) {
    let level = lessonEndLevel()
    let city = City(level: level, catalog: catalog)
    if hours > 0 { city.run(hours: hours) }
    if let decide { city.decide(decide) }
    let (session, view) = try makeSession(city: city, level: level, language: language)
    session.camera.target = Vec3(8, 0, 3)
    return (session, view)
}

/// Pixels of `rect` in the frame that differ from its top-left corner by more than `tolerance`.
@MainActor
func differing(_ rect: PanelRect, in image: Image, tolerance: Int = 40) -> (count: Int, colors: Int) {
    let crop = image.cropped(x: Int(rect.x) + 1, y: Int(rect.y) + 1, width: Int(rect.width) - 2, height: Int(rect.height) - 2)
    return (crop.countPixels(differentFrom: crop[0, 0], tolerance: tolerance), crop.distinctColors(limit: 200).count)
}

extension GameWindowTests {
    @Test func aLostLessonOpensTheScreenWithTextAndCharts() throws {
        // One game year, headless; the objectives are judged at 1 January 2021.
        let (session, view) = try makeLessonSession(hours: 366 * 24 + 1)
        #expect(session.view.rules?.result == .lost)
        // The session's first frame has run; the next advance sees the result and opens the screen.
        session.paused = false
        try deliver([], to: session, view: view)
        #expect(session.lessonEnd.isOpen, "the screen opens when the result is decided")
        #expect(session.paused, "the game pauses")
        let texts = session.lessonEnd.drawnText
        #expect(texts.contains("Lesson lost"))
        #expect(texts.contains { $0.contains("End screen test") })
        #expect(texts.contains { $0.contains("Net emissions in 2020 at most") })
        #expect(texts.contains { $0.contains("Failed") }, "\(texts)")
        // Why it was lost: the failed objective, its value and the shortfall in tonnes.
        let net = try #require(session.view.ledger.years.first?.net)
        let reasons = LessonEndScreen.lossReasons(session)
        #expect(reasons.count == 1, "only the failed required objective: \(reasons)")
        let shortfall = ReportCharts.metricValue(net + 1e6, metric: "net_emissions", strings: Strings(language: .en))
        #expect(reasons.first == "Lost because of \"Net emissions in 2020 at most -1,000,000 t\": "
                + ReportCharts.metricValue(net, metric: "net_emissions", strings: Strings(language: .en))
                + " at the end of 2020, the goal was ≤ -1,000,000 tCO2e — \(shortfall) short.", "\(reasons)")
        #expect(texts.joined(separator: " ").contains("Lost because of"), "the reason is on screen: \(texts)")
        #expect(texts.contains { $0.contains("Years played: 1") }, "\(texts)")
        #expect(texts.contains("Continue playing") && texts.contains("Save report…") && texts.contains("Levels"))

        let image = view.renderer.readPixels()
        let layout = LessonEndScreen.layout(size: view.renderer.framebufferSize)
        #expect(differing(layout.header, in: image).count > 300, "the title and the level's name are drawn")
        #expect(differing(layout.text, in: image).count > 1500, "the objectives and the summary are drawn")
        #expect(layout.charts.count >= 2)
        for chart in layout.charts {
            let inside = differing(chart, in: image)
            #expect(inside.count > 2000 && inside.colors > 8, "a chart, not a blank rectangle: \(inside)")
        }
        #expect(missingGlyphs(texts, font: view.canvas.font).isEmpty, "every character has a glyph")
        try? image.writePNG(to: NSTemporaryDirectory() + "lesson-end-test.png")
    }

    @Test func continuePlayingClosesTheScreenForGoodAndSReopensIt() throws {
        let (session, view) = try makeLessonSession(decide: .won)
        try deliver([], to: session, view: view)
        #expect(session.lessonEnd.isOpen)
        #expect(session.lessonEnd.drawnText.contains("Lesson won"))
        let button = LessonEndScreen.layout(size: view.renderer.framebufferSize).continueButton.center
        try click(button, session: session, view: view)
        #expect(!session.lessonEnd.isOpen, "Continue playing closes the screen")
        #expect(session.paused, "and the game stays paused")
        // Frames go by, the game runs again: the same result does not open the screen again.
        session.paused = false
        for _ in 0..<3 { try deliver([], to: session, view: view) }
        #expect(!session.lessonEnd.isOpen)
        session.paused = true
        // S opens the summary again; Esc closes it.
        try press(KeyCode.letter("s"), session: session, view: view)
        #expect(session.lessonEnd.isOpen)
        try press(KeyCode.escape, session: session, view: view)
        #expect(!session.lessonEnd.isOpen)
        // The menu's entry opens it too.
        try press(KeyCode.escape, session: session, view: view)
        #expect(session.menuOpen)
        let item = try #require(HUD.menuItems.firstIndex(of: "menu.summary"))
        var keys: [InputEvent] = Array(repeating: .key(code: KeyCode.down, down: true, ctrl: false, shift: false), count: item)
        keys.append(.key(code: KeyCode.enter, down: true, ctrl: false, shift: false))
        try deliver(keys, to: session, view: view)
        #expect(session.lessonEnd.isOpen && !session.menuOpen)
    }

    @Test func saveReportWritesTheReportBesideTheSaves() throws {
        let (session, view) = try makeLessonSession(decide: .lost, hours: 24 * 40)
        try deliver([], to: session, view: view)
        #expect(session.lessonEnd.isOpen)
        let button = LessonEndScreen.layout(size: view.renderer.framebufferSize).saveButton.center
        try click(button, session: session, view: view)
        let directory = LessonEndScreen.reportDirectory(session)
        let saves = (session.savePath as NSString).deletingLastPathComponent
        #expect(directory == saves + "/report-end-test-2020")
        #expect(session.lessonEnd.lastReport?.directory == directory)
        for name in ["emissions_by_sector.png", "removals_and_net.png", "grid_mix.png", "objectives.png"] {
            let bytes = try #require(FileManager.default.contents(atPath: directory + "/" + name), "\(name) is written")
            #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(name) is a PNG")
            #expect(bytes.count > 2000)
        }
        for name in ["yearly.csv", "objectives.csv", "report.md"] {
            let text = try #require(FileManager.default.contents(atPath: directory + "/" + name).flatMap { String(data: $0, encoding: .utf8) })
            #expect(!text.isEmpty, "\(name) has content")
        }
        let objectives = try String(contentsOfFile: directory + "/objectives.csv", encoding: .utf8)
        #expect(objectives.contains("impossible") && objectives.contains("money"))
        #expect(session.notices.contains { $0.text.contains(directory) }, "the path is in the message feed")
        #expect(session.lessonEnd.drawnText.contains { $0.contains("report-end-test-2020") }, "and on the screen")
    }

    @Test func theScreenSpeaksChinese() throws {
        let (session, view) = try makeLessonSession(language: .zh, decide: .won)
        try deliver([], to: session, view: view)
        #expect(session.lessonEnd.isOpen)
        let texts = session.lessonEnd.drawnText
        #expect(texts.contains("课程成功"))
        #expect(texts.contains("继续游戏") && texts.contains("保存报告…") && texts.contains("关卡"))
        #expect(missingGlyphs(texts, font: view.canvas.font).isEmpty)
        try? view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "lesson-end-zh-test.png")
    }
}
