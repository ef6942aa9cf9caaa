// EditorTests — the scenario editor in a real window: paint an island, place a town and three
// forest plots, add a net-zero objective and a hint, save (the check passes), test-play and come
// back, then play the saved level to a win and verify the win by its replay. Screenshots of the
// editor in English and Chinese go to $TMPDIR/netzero-editor-*.png.
import CitySim
import ECS
import Foundation
import Game
import Locale
import Raster
import Render
import Testing

/// A sea of 30 × 20 tiles to paint an island on.
let emptySea = """
format = 2

# A level started in the editor's window test.
[level]
id = "editor_island"
title_en = "Editor island"
title_zh = "编辑器小岛"
seed = 7
start_year = 2020
budget = 200_000_000   # yuan

[map]
rows = \"\"\"
\(Array(repeating: String(repeating: "~", count: 30), count: 20).joined(separator: "\n"))
\"\"\"
"""

@MainActor
func clickControl(_ id: String, session: GameSession, view: GameView) throws {
    // A control's click acts in the frame after it (PanelUI): draw once more so what it added is drawn.
    try view.render(session)
    let rect = try #require(session.panels.controls[id], "no control '\(id)' was drawn")
    try click(rect.center, session: session, view: view)
}

@MainActor
func dragTiles(from a: (Int, Int), to b: (Int, Int), session: GameSession, view: GameView) throws {
    let p = pixel(of: a, session: session, view: view, height: 0), q = pixel(of: b, session: session, view: view, height: 0)
    try deliver([.mouseDown(x: p.x, y: p.y, button: .left), .mouseMove(x: (p.x + q.x) / 2, y: (p.y + q.y) / 2, buttons: .left),
                 .mouseMove(x: q.x, y: q.y, buttons: .left), .mouseUp(x: q.x, y: q.y, button: .left)], to: session, view: view)
}

/// Clicks a field, replaces its text with `text` and presses Enter.
@MainActor
func type(_ text: String, into id: String, session: GameSession, view: GameView) throws {
    try clickControl("field." + id, session: session, view: view)
    let old = session.editor?.typed.count ?? 0
    var events: [InputEvent] = Array(repeating: .key(code: KeyCode.backspace, down: true, ctrl: false, shift: false), count: old)
    // SDL carries at most 31 bytes in one text event: type in pieces, as an input method does.
    var piece = ""
    for character in text {
        if (piece + String(character)).utf8.count > 30 { events.append(.text(piece)); piece = "" }
        piece.append(character)
    }
    if !piece.isEmpty { events.append(.text(piece)) }
    events.append(.key(code: KeyCode.enter, down: true, ctrl: false, shift: false))
    try deliver(events, to: session, view: view)
}

@Suite("Scenario editor in a real window", .serialized, .enabled(if: hasDisplay, "needs a display: run under xvfb-run"))
@MainActor
struct EditorTests {
    @Test func paintAnIslandPlaceATownSaveCheckAndWinByReplay() throws {
        let view = try #require(sharedView)
        let folder = NSTemporaryDirectory() + "editor-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/island.toml"
        try FileSystem.writeAtomically(emptySea, to: path)
        let level = try #require(LevelFile.load(path: path, catalog: catalog).level)
        let session = GameSession(city: City(level: level, catalog: catalog), level: level, language: .en,
                                  savePath: folder + "/quick.nzsave", screenshotDirectory: folder)
        let editor = try #require(LevelEditor.open(path: path, catalog: catalog).editor)
        Editor.attach(EditorState(editor: editor, catalog: catalog), to: session)
        session.camera.target = Vec3(15, 0, 10)
        session.camera.distance = 42
        try view.render(session)
        let state = try #require(session.editor)

        // The island: land in a rectangle, a hill with a 3-tile brush.
        try clickControl("editor.item.land", session: session, view: view)
        try clickControl("editor.rectangle", session: session, view: view)
        try dragTiles(from: (4, 3), to: (25, 16), session: session, view: view)
        #expect(state.draft.tile(4, 3) == "." && state.draft.tile(25, 16) == "." && state.draft.tile(3, 3) == "~" && state.draft.tile(26, 16) == "~")
        try clickControl("editor.item.hill", session: session, view: view)
        try clickControl("editor.brush.3", session: session, view: view)
        #expect(!state.rectangle && state.brush == 3)
        try dragTiles(from: (23, 5), to: (23, 5), session: session, view: view)
        #expect(state.draft.tile(22, 4) == "^" && state.draft.tile(24, 6) == "^" && state.draft.tile(21, 4) == ".")
        // Undo and redo the hill.
        try deliver([.key(code: KeyCode.letter("z"), down: true, ctrl: true, shift: false)], to: session, view: view)
        #expect(state.draft.tile(23, 5) == ".")
        try deliver([.key(code: KeyCode.letter("y"), down: true, ctrl: true, shift: false)], to: session, view: view)
        #expect(state.draft.tile(23, 5) == "^")
        // The town: a road, two homes and a shop beside it.
        try clickControl("editor.rectangle", session: session, view: view)
        try clickControl("editor.item.road", session: session, view: view)
        try dragTiles(from: (6, 9), to: (12, 9), session: session, view: view)
        try clickControl("editor.item.residential", session: session, view: view)
        try dragTiles(from: (7, 8), to: (8, 8), session: session, view: view)
        try clickControl("editor.item.commercial", session: session, view: view)
        try dragTiles(from: (10, 8), to: (10, 8), session: session, view: view)
        // Three forest plots, clicked one by one with the 1-tile brush.
        try clickControl("editor.item.forest", session: session, view: view)
        try clickControl("editor.brush.1", session: session, view: view)
        for x in [8, 9, 10] {
            let p = pixel(of: (x, 11), session: session, view: view, height: 0)
            try click(p, session: session, view: view)
        }
        #expect(state.draft.rows[9] == "~~~~..=======.............~~~~")
        #expect(state.draft.rows[11].dropFirst(8).prefix(3) == "fff")
        // The preview is the level: the city shows the town the editor placed.
        #expect(session.view.map.structure[session.view.map.index(7, 8)] == .entity)

        // A net-zero objective and a hint, through the forms.
        try clickControl("editor.tab.objectives", session: session, view: view)
        try clickControl("editor.objectives.add", session: session, view: view)
        #expect(state.draft.objectives.count == 1 && state.draft.objectives[0].metric == .netEmissions)
        try type("2026", into: "objective.by", session: session, view: view)
        try type("Net zero by 2026", into: "objective.title_en", session: session, view: view)
        try type("2026年实现净零", into: "objective.title_zh", session: session, view: view)
        #expect(state.draft.objectives[0].by == 2026 && state.draft.objectives[0].titleZH == "2026年实现净零")
        // Only the game's metrics are offered: the next one after net_emissions is the table's.
        try clickControl("editor.objective.metric.next", session: session, view: view)
        #expect(state.draft.objectives[0].metric == Metric.allCases[1])
        try clickControl("editor.objective.metric.previous", session: session, view: view)
        #expect(state.draft.objectives[0].metric == .netEmissions)
        try clickControl("editor.tab.hints", session: session, view: view)
        try clickControl("editor.hints.add", session: session, view: view)
        try type("Plant the whole island with forest.", into: "hint.en", session: session, view: view)
        try type("把整个岛种满森林。", into: "hint.zh", session: session, view: view)
        #expect(state.draft.hints == [Names(en: "Plant the whole island with forest.", zh: "把整个岛种满森林。")])
        // The level's title by keyboard alone: F2 (the Level tab), Enter, Tab to the next field, type, Enter.
        func key(_ code: Int32, shift: Bool = false) -> InputEvent { .key(code: code, down: true, ctrl: false, shift: shift) }
        try deliver([key(KeyCode.f1 + 1)], to: session, view: view)
        try deliver([key(KeyCode.enter)], to: session, view: view)
        #expect(state.tab == .level && state.field == "level.id")
        try deliver([key(KeyCode.tab)], to: session, view: view)
        #expect(state.field == "level.title_en")
        try deliver(Array(repeating: key(KeyCode.backspace), count: state.typed.count) + [.text("Island by keyboard"), key(KeyCode.enter)],
                    to: session, view: view)
        #expect(state.draft.titleEN == "Island by keyboard" && state.field == nil && state.draft.id == "editor_island")
        // A trigger through its form: on a date, a message in both languages and a grant.
        try clickControl("editor.tab.triggers", session: session, view: view)
        try clickControl("editor.triggers.add", session: session, view: view)
        try type("2020-03-01", into: "trigger.date", session: session, view: view)
        try clickControl("editor.action.add.grant", session: session, view: view)
        try type("5_000_000", into: "action.1.amount", session: session, view: view)
        #expect(state.draft.triggers.first?.when == .date(year: 2020, month: 3, day: 1))
        #expect(state.draft.triggers.first?.actions.last == .grant(5_000_000))
        // A catalog override: the forest plot's build cost, with the catalog's unit and a source.
        try clickControl("editor.tab.catalog", session: session, view: view)
        try clickControl("editor.override.add.build_cost", session: session, view: view)
        try type("editor test: the catalog's own cost, to show the form", into: "override.0.source", session: session, view: view)
        let override = try #require(state.draft.overrides.first)
        #expect(override.path == ["zone", "forest"] && override.unit == "yuan" && override.value == catalog.zone(.forest).buildCost)
        // Both languages: screenshots of every tab, with no text cut.
        for language in [Language.en, .zh] {
            session.strings = Strings(language: language)
            for tab in EditorTab.allCases {
                try clickControl("editor.tab." + tab.rawValue, session: session, view: view)
                try view.render(session)
                #expect(session.overflowingText.isEmpty, "\(language) \(tab): \(session.overflowingText)")
                try view.screenshot(to: NSTemporaryDirectory() + "netzero-editor-\(tab.rawValue)-\(language.rawValue).png")
            }
        }
        try clickControl("editor.tab.objectives", session: session, view: view)
        session.strings = Strings(language: .en)

        // A save that fails the check is refused with the check's message, and writes nothing.
        let before = try #require(FileSystem.read(path))
        try type("2010", into: "objective.by", session: session, view: view)
        try clickControl("editor.save", session: session, view: view)
        #expect(state.message?.contains("can never be met") == true, "\(state.message ?? "")")
        #expect(FileSystem.read(path) == before)
        try type("2026", into: "objective.by", session: session, view: view)
        try clickControl("editor.save", session: session, view: view)
        #expect(state.message?.hasPrefix("Saved") == true, "\(state.message ?? "")")
        let saved = LevelFile.load(path: path, catalog: catalog)
        #expect(!saved.hasErrors, "\(saved.diagnostics)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("# A level started in the editor's window test.") && text.contains("budget = 200_000_000   # yuan"),
                "what the editor did not touch keeps its bytes")

        // Test play, and back to the editor with the edits.
        try clickControl("editor.test_play", session: session, view: view)
        #expect(!state.isOpen && session.level.objectives.count == 1)
        try deliver([.key(code: KeyCode.escape, down: true, ctrl: false, shift: false)], to: session, view: view)
        if session.briefing.isOpen { Briefing.close(session) }
        session.menuOpen = true
        let editorItem = try #require(HUD.menuItems.firstIndex(of: "menu.editor"))
        try click(HUD.menuLayout(size: view.renderer.framebufferSize).items[editorItem].center, session: session, view: view)
        #expect(state.isOpen && state.draft.hints.count == 1 && state.draft.tile(8, 11) == "f")

        // Play the saved level: plant the island's free land with forest in one drag, run at the
        // top speed on an injected clock, and win.
        try clickControl("editor.test_play", session: session, view: view)
        if session.briefing.isOpen { Briefing.close(session) }
        session.camera.target = Vec3(15, 0, 10)
        session.camera.distance = 42
        try view.render(session)
        let forest = try #require(session.tools.firstIndex(of: "forest"))
        try click(HUD.toolCenter(forest, session: session), session: session, view: view)
        try dragTiles(from: (4, 10), to: (25, 16), session: session, view: view)
        try dragTiles(from: (13, 3), to: (25, 9), session: session, view: view)
        try dragTiles(from: (4, 3), to: (12, 7), session: session, view: view)
        session.paused = false
        session.speed = GameSpeed.top
        session.slicesTicks = false
        // The injected clock stands still: each frame runs the top speed's year within its budget.
        while session.view.rules?.result == .undecided && session.view.clock.year <= 2027 {
            session.advance(frameSeconds: 1, budget: 1, clock: { 0 })
        }
        #expect(session.view.rules?.result == .won, "net \(HUD.topBarNet(session.city)) t")

        // The win, by replay: the recorded commands on the saved file reproduce it, hash for hash.
        let recording = session.replay
        let replayLevel = try #require(LevelFile.load(path: path, catalog: catalog).level)
        let replayed = City(level: replayLevel, catalog: catalog)
        var cursor = 0
        while replayed.view.clock.tick < session.view.clock.tick { replayed.step(replaying: recording, cursor: &cursor) }
        #expect(replayed.view.rules?.result == .won)
        let journal = try #require(replayed.world.resource(StateJournal.self))
        #expect(recording.differences(levelHash: ReplayLog.levelHash(of: replayLevel), catalog: catalog, journal: journal).isEmpty)
        #expect(replayed.world.contentHash() == session.city.world.contentHash())
    }
}

extension EditorTests {
    /// The forms without a mouse: Tab walks every control in reading order, Space presses the
    /// focused one, so an objective's metric, comparison and "required" change by keyboard alone.
    @Test func everyFormControlIsReachableAndPressedByKeyboard() throws {
        let view = try #require(sharedView)
        let folder = NSTemporaryDirectory() + "editor-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/island.toml"
        try FileSystem.writeAtomically(emptySea, to: path)
        let level = try #require(LevelFile.load(path: path, catalog: catalog).level)
        let session = GameSession(city: City(level: level, catalog: catalog), level: level, language: .zh,
                                  savePath: folder + "/quick.nzsave", screenshotDirectory: folder)
        let editor = try #require(LevelEditor.open(path: path, catalog: catalog).editor)
        Editor.attach(EditorState(editor: editor, catalog: catalog), to: session)
        let state = try #require(session.editor)
        func key(_ code: Int32, shift: Bool = false) throws {
            try deliver([.key(code: code, down: true, ctrl: false, shift: shift)], to: session, view: view)
        }
        /// Tabs until `id` has the focus; fails after a full round.
        func focus(_ id: String) throws {
            for _ in 0..<200 where state.focusedControl != id { try key(KeyCode.tab) }
            #expect(state.focusedControl == id)
        }
        let objectivesTab = try #require(EditorTab.allCases.firstIndex(of: .objectives))
        try key(KeyCode.f1 + Int32(objectivesTab))
        #expect(state.tab == .objectives && state.focusedControl == nil)
        // No objective yet: the selector's "add" button makes one.
        let before = state.draft.objectives.count
        let controls = Set(session.panels.controls.keys)
        let add = try #require(controls.first { $0.hasPrefix("editor.objectives") && $0.contains("add") }, "\(controls.sorted())")
        try focus(add)
        try key(KeyCode.space)
        #expect(state.draft.objectives.count == before + 1)
        let index = state.draft.objectives.count - 1
        let metric = state.draft.objectives[index].metric
        try focus("editor.objective.metric.next")
        try key(KeyCode.space)
        let metrics = Metric.allCases
        let metricIndex = try #require(metrics.firstIndex(of: metric))
        #expect(state.draft.objectives[index].metric == metrics[(metricIndex + 1) % metrics.count])
        let comparison = state.draft.objectives[index].comparison
        try focus("editor.objective.comparison")
        try key(KeyCode.enter)
        #expect(state.draft.objectives[index].comparison != comparison)
        // Shift+Tab goes back to the metric's next button; a field takes typing when pressed.
        try key(KeyCode.tab, shift: true)
        #expect(state.focusedControl == "editor.objective.metric.next")
        try focus("field.objective.by")
        try key(KeyCode.space)
        #expect(state.field == "objective.by")
        #expect(session.overflowingText.isEmpty, "\(session.overflowingText)")
    }
}
