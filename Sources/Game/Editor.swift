// Editor.swift — the scenario editor (`netzero edit`, Menu → Editor): paint the map, place
// structures, set the level's metadata, rules, objectives, hints, triggers and catalog
// overrides, undo and redo, save (only a level that passes the check) and test-play.
//
// The editor edits a `LevelEditor` (CitySim's LevelDraft.swift): every edit is a change of the
// draft, written into the level's own text on save, so what it does not touch keeps its bytes.
// The map in the window is the level itself: after each edit the draft's text is read as a level
// and shown as a paused city (`GameSession.start(level:catalog:preview:)`), so what the editor
// shows is what the game will start on, and the level reader's problems show as they happen.
// Controls are PanelUI's (the call that draws a button says whether it was clicked); the map
// keeps the game's camera (right-drag pans, the wheel zooms, Q/E rotate, arrows pan).
import CitySim
import Foundation
import Locale
import Render

public enum EditorTab: String, CaseIterable, Sendable {
    case map, level, rules, objectives, hints, triggers, catalog
}

public final class EditorState {
    public internal(set) var editor: LevelEditor
    /// The editor is on screen (false while the level is test-played).
    public internal(set) var isOpen = true
    public internal(set) var testPlaying = false
    /// The palette's item (LevelDraft.mapItems), the brush's side in tiles (1, 3, 5) and
    /// whether a drag fills a rectangle instead of painting along the cursor's path.
    public var item = "land"
    public var brush = 1
    public var rectangle = false
    public var tab: EditorTab = .map
    /// The last save's or test-play's result, and the level reader's problems with the draft now.
    public internal(set) var message: String?
    public internal(set) var problems: [LevelDiagnostic] = []
    /// The field being typed into (its id) and its text so far.
    public internal(set) var field: String?
    public internal(set) var typed = ""
    public var objectiveIndex = 0
    public var hintIndex = 0
    public var triggerIndex = 0
    /// `netzero check`'s check of a level's bytes at a path (the app adds the script lint);
    /// nil: the level reader's.
    public var check: (@Sendable ([UInt8], String) -> [LevelDiagnostic])?
    let catalog: Catalog
    /// A drag under way: the draft before it and where it started; `strokeDraft` is the draft with it.
    var stroke: (base: LevelDraft, start: (Int, Int))?
    var strokeDraft: LevelDraft?
    var previewShown: LevelDraft?
    /// The fields drawn in the last frame, in order, with their values: Tab moves between them.
    var drawnFields: [(id: String, value: String)] = []
    /// On a form, the control Tab has moved to (its PanelUI id); Space or Enter presses it.
    public internal(set) var focusedControl: String?
    /// The bundled catalog's entries by table path ("plant.solar"), read once.
    var catalogEntries: [String: [LevelDraft.CatalogOverride]] = [:]

    func entries(at path: [String]) -> [LevelDraft.CatalogOverride] {
        let key = path.joined(separator: ".")
        if let found = catalogEntries[key] { return found }
        let found = LevelDraft.catalogEntries(at: path)
        catalogEntries[key] = found
        return found
    }

    public init(editor: LevelEditor, catalog: Catalog) {
        self.editor = editor
        self.catalog = catalog
    }

    /// The draft on screen: the one with the drag under way, else the editor's.
    public var draft: LevelDraft { strokeDraft ?? editor.draft }
}

public enum Editor {
    static let paletteWidth: Float = 240
    /// The check an editor opened from the menu saves with: `netzero check`'s, set by the app
    /// (which knows the script lint); nil: the level reader's.
    nonisolated(unsafe) public static var check: (@Sendable ([UInt8], String) -> [LevelDiagnostic])?
    static let topBar: Float = 40

    // MARK: - Opening, test play, save

    /// Menu → Editor: back to the editor after a test play, or the editor on the level being played.
    public static func open(_ session: GameSession, now: Double) {
        session.menuOpen = false
        if let state = session.editor {
            state.isOpen = true
            state.testPlaying = false
            state.previewShown = nil
            session.paused = true
            refreshPreview(session)
            return
        }
        let (editor, diagnostics) = LevelEditor.open(path: session.level.file, catalog: ((try? Catalog.load()) ?? session.catalog))
        guard let editor else {
            session.notify(session.strings["editor.cannot_open"] + ": " + (diagnostics.first?.description ?? session.level.file), now: now, seconds: 8)
            return
        }
        let state = EditorState(editor: editor, catalog: ((try? Catalog.load()) ?? session.catalog))
        state.check = check
        attach(state, to: session)
    }

    /// Puts an editor on the session (`netzero edit`, the tests).
    public static func attach(_ state: EditorState, to session: GameSession) {
        session.editor = state
        session.paused = true
        session.menuOpen = false
        state.isOpen = true
        state.previewShown = nil
        refreshPreview(session)
    }

    /// The catalog the draft's level runs with: the bundled one with its overrides.
    static func levelCatalog(_ level: LevelDefinition, base: Catalog) -> Catalog? {
        guard let overrides = level.catalogOverrides else { return base }
        return try? Catalog.load(overrideTables: [(overrides, level.file)])
    }

    /// Shows the draft as a paused city when it changed; the reader's problems become `problems`.
    static func refreshPreview(_ session: GameSession) {
        guard let state = session.editor, state.isOpen, state.previewShown != state.draft else { return }
        state.previewShown = state.draft
        let bytes = state.editor.text(of: state.draft).bytes
        let result = LevelFile.parse(bytes: bytes, file: state.editor.path, catalog: state.catalog)
        state.problems = result.diagnostics.filter { $0.severity == .error }
        guard let level = result.level, let catalog = levelCatalog(level, base: state.catalog) else { return }
        session.start(level: level, catalog: catalog, preview: true)
        session.toolIndex = 0
        session.paused = true
    }

    /// Test play: the level as edited, in the game; Menu → Editor comes back with the edits.
    public static func testPlay(_ session: GameSession, now: Double) {
        guard let state = session.editor else { return }
        let result = LevelFile.parse(bytes: state.editor.text.bytes, file: state.editor.path, catalog: state.catalog)
        guard let level = result.level, let catalog = levelCatalog(level, base: state.catalog) else {
            state.message = session.strings["editor.not_playable"] + ": " + (result.diagnostics.first { $0.severity == .error }?.description ?? "")
            return
        }
        state.isOpen = false
        state.testPlaying = true
        state.previewShown = nil
        session.start(level: level, catalog: catalog)
        session.paused = session.briefing.isOpen
        session.notify(session.strings["editor.test_play_back"], now: now, seconds: 8)
    }

    /// Saves the level where it was opened, if it passes the check; else says why and writes nothing.
    public static func save(_ session: GameSession) {
        guard let state = session.editor else { return }
        var editor = state.editor
        let problems = editor.save(catalog: state.catalog, check: state.check)
        state.editor = editor
        if let error = problems.first(where: { $0.severity == .error }) {
            state.message = session.strings["editor.save_refused"] + ": " + error.description
        } else {
            state.message = session.strings.fill("editor.saved", ["path": editor.path])
        }
    }

    public static func undo(_ session: GameSession) { session.editor?.editor.undo() }
    public static func redo(_ session: GameSession) { session.editor?.editor.redo() }

    /// One undoable change of the draft.
    static func edit(_ session: GameSession, _ change: (inout LevelDraft) -> Void) {
        session.editor?.editor.edit(change)
    }

    // MARK: - Input

    /// Handles an event while the editor is open; false leaves it to the game (the camera's
    /// keys and drags, the menu on Esc, the language on L).
    public static func handle(_ event: InputEvent, session: GameSession, size: (width: Int, height: Int), now: Double) -> Bool {
        guard let state = session.editor, !session.menuOpen else { return false }
        if state.field != nil {
            switch event {
            case .text(let text):
                state.typed = String((state.typed + text).prefix(2000))
                return true
            case .key(let code, let down, _, let shift):
                guard down else { return true }
                if code == KeyCode.backspace, !state.typed.isEmpty { state.typed.removeLast() }
                if code == KeyCode.escape { state.field = nil }
                if code == KeyCode.enter { commitField(session) }
                if code == KeyCode.tab, let id = state.field {
                    // Tab and Shift+Tab: keep what was typed and go on to the next or previous field.
                    let fields = state.drawnFields
                    commitField(session)
                    if let i = fields.firstIndex(where: { $0.id == id }) {
                        let next = fields[(i + (shift ? fields.count - 1 : 1)) % fields.count]
                        beginField(state, next.id, next.value)
                    }
                }
                return true
            case .mouseDown(let x, let y, _):
                // A click elsewhere keeps what was typed, as a form does.
                commitField(session)
                return CarbonPanels.takeClick(x: x, y: y, session: session) || true
            default: return false
            }
        }
        switch event {
        case .mouseDown(let x, let y, let button):
            guard button == .left else { return false }
            if CarbonPanels.takeClick(x: x, y: y, session: session) { return true }
            guard state.tab == .map || !overForm(x: x, size: size), let tile = tile(x: x, y: y, session: session, size: size) else { return true }
            state.stroke = (state.editor.draft, tile)
            paintStroke(state, to: tile)
            return true
        case .mouseMove(let x, let y, _):
            if state.stroke != nil, let tile = tile(x: x, y: y, session: session, size: size) { paintStroke(state, to: tile) }
            return false
        case .mouseUp(let x, let y, let button):
            guard button == .left else { return false }
            if state.stroke != nil, let tile = tile(x: x, y: y, session: session, size: size) { paintStroke(state, to: tile) }
            if let painted = state.strokeDraft { edit(session) { $0 = painted } }
            state.stroke = nil
            state.strokeDraft = nil
            return true
        case .key(let code, let down, let ctrl, let shift):
            guard down else { return true }
            return handleKey(code, ctrl: ctrl, shift: shift, session: session, state: state, now: now)
        case .text: return true
        default: return false
        }
    }

    static func handleKey(_ code: Int32, ctrl: Bool, shift: Bool, session: GameSession, state: EditorState, now: Double) -> Bool {
        switch code {
        case KeyCode.letter("z") where ctrl: undo(session)
        case KeyCode.letter("y") where ctrl: redo(session)
        case KeyCode.letter("s") where ctrl: save(session)
        case KeyCode.letter("p") where ctrl: testPlay(session, now: now)
        case KeyCode.letter("1"): state.brush = 1
        case KeyCode.letter("3"): state.brush = 3
        case KeyCode.letter("5"): state.brush = 5
        case KeyCode.letter("r"): state.rectangle.toggle()
        case KeyCode.tab where state.tab != .map:
            moveFocus(session, state: state, backwards: shift)
        case KeyCode.space where state.tab != .map, KeyCode.enter where state.focusedControl != nil:
            // Pressed as a click on the control's centre, which its next drawing takes.
            if let id = state.focusedControl, let rect = session.panels.controls[id] { session.panels.pendingClick = rect.center }
        case KeyCode.tab:
            let items = LevelDraft.mapItems
            let i = items.firstIndex(of: state.item) ?? 0
            state.item = items[(i + (shift ? items.count - 1 : 1)) % items.count]
        case KeyCode.f1 ... KeyCode.f1 + 6:
            state.tab = EditorTab.allCases[Int(code - KeyCode.f1)]
            state.focusedControl = nil
        case KeyCode.enter where state.tab != .map:
            // On a form, Enter starts typing in its first field (then Tab goes on to the next).
            if let first = state.drawnFields.first { beginField(state, first.id, first.value) }
        case KeyCode.enter:
            // Keyboard painting: the brush at the centre of the view.
            let target = session.camera.target
            let tile = (Int(target.x), Int(target.z))
            let (item, brush) = (state.item, state.brush)
            edit(session) { $0.paint(item, x: tile.0, y: tile.1, brush: brush) }
        case KeyCode.escape, KeyCode.letter("l"), KeyCode.letter("q"), KeyCode.letter("e"),
             KeyCode.left, KeyCode.right, KeyCode.up, KeyCode.down, KeyCode.f12:
            return false
        default: break
        }
        return true
    }

    /// Tab on a form: the next control drawn in the last frame, in reading order (row by row,
    /// left to right), so every button, selector and field is reachable without a mouse.
    static func moveFocus(_ session: GameSession, state: EditorState, backwards: Bool) {
        let ordered = session.panels.controls.sorted { a, b in
            let rowA = Int(a.value.y / 8), rowB = Int(b.value.y / 8)
            return rowA != rowB ? rowA < rowB : (a.value.x != b.value.x ? a.value.x < b.value.x : a.key < b.key)
        }.map(\.key)
        guard !ordered.isEmpty else { return }
        let current = state.focusedControl.flatMap { ordered.firstIndex(of: $0) }
        let next = current.map { ($0 + (backwards ? ordered.count - 1 : 1)) % ordered.count } ?? (backwards ? ordered.count - 1 : 0)
        state.focusedControl = ordered[next]
    }

    static func paintStroke(_ state: EditorState, to tile: (Int, Int)) {
        guard let stroke = state.stroke else { return }
        if state.rectangle {
            var draft = stroke.base
            draft.fill(state.item, from: stroke.start, to: tile)
            state.strokeDraft = draft
        } else {
            var draft = state.strokeDraft ?? stroke.base
            draft.paint(state.item, x: tile.0, y: tile.1, brush: state.brush)
            state.strokeDraft = draft
        }
    }

    /// The tile under a pixel, off the editor's panels.
    public static func tile(x: Int, y: Int, session: GameSession, size: (width: Int, height: Int)) -> (Int, Int)? {
        guard Float(y) > topBar, !CarbonPanels.covers(x: x, y: y, session: session) else { return nil }
        guard let point = session.camera.groundPoint(x: Float(x), y: Float(y), width: size.width, height: size.height) else { return nil }
        let tile = (Int(floor(point.x)), Int(floor(point.z)))
        return session.view.map.contains(tile.0, tile.1) ? tile : nil
    }

    /// The brush's footprint under the cursor (or the rectangle being dragged), drawn over the map as the game's ghost is.
    static func brushInstances(_ session: GameSession) -> [Instance] {
        guard let state = session.editor else { return [] }
        var corners: ((Int, Int), (Int, Int))?
        if let stroke = state.stroke, state.rectangle, let hover = session.hoverTile {
            corners = (stroke.start, (hover.x, hover.y))
        } else if let hover = session.hoverTile {
            let r = state.rectangle ? 0 : state.brush / 2
            corners = ((hover.x - r, hover.y - r), (hover.x + r, hover.y + r))
        }
        guard let (a, b) = corners else { return [] }
        let map = session.view.map
        var out: [Instance] = []
        for y in min(a.1, b.1)...max(a.1, b.1) {
            for x in min(a.0, b.0)...max(a.0, b.0) where map.contains(x, y) && out.count < 4096 {
                out.append(Instance(position: Vec3(Float(x) + 0.5, 0.06, Float(y) + 0.5), scale: Vec3(1, 0.04, 1), color: Palette.ghostAllowed))
            }
        }
        return out
    }

    static func formWidth(_ tab: EditorTab) -> Float { tab == .rules ? 760 : 430 }
    static func overForm(x: Int, size: (width: Int, height: Int)) -> Bool { false }

    // MARK: - Fields

    static func beginField(_ state: EditorState, _ id: String, _ value: String) {
        state.field = id
        state.typed = value
    }

    /// Applies what was typed into the focused field; a number that does not read says so.
    static func commitField(_ session: GameSession) {
        guard let state = session.editor, let id = state.field else { return }
        state.field = nil
        let text = state.typed
        let s = session.strings
        func number() -> Double? {
            guard let value = Double(text.replacingOccurrences(of: "_", with: "").trimmingCharacters(in: .whitespaces)), value.isFinite else {
                state.message = s.fill("editor.not_a_number", ["text": text])
                return nil
            }
            return value
        }
        func whole() -> Int64? {
            guard let value = number() else { return nil }
            guard value == value.rounded(), abs(value) < 9e15 else {
                state.message = s.fill("editor.not_a_number", ["text": text])
                return nil
            }
            return Int64(value)
        }
        let o = state.objectiveIndex, h = state.hintIndex, t = state.triggerIndex
        switch id {
        case "level.id": edit(session) { $0.id = text }
        case "level.title_en": edit(session) { $0.titleEN = text }
        case "level.title_zh": edit(session) { $0.titleZH = text }
        case "level.summary_en": edit(session) { $0.summaryEN = text }
        case "level.summary_zh": edit(session) { $0.summaryZH = text }
        case "level.seed": if let v = whole() { edit(session) { $0.seed = v } }
        case "level.start_year": if let v = whole() { edit(session) { $0.startYear = v } }
        case "level.budget": if let v = number() { edit(session) { $0.budget = v } }
        case "level.occupancy": if let v = number() { edit(session) { $0.occupancy = v } }
        case "objective.id": edit(session) { if o < $0.objectives.count { $0.objectives[o].id = text } }
        case "objective.title_en": edit(session) { if o < $0.objectives.count { $0.objectives[o].titleEN = text } }
        case "objective.title_zh": edit(session) { if o < $0.objectives.count { $0.objectives[o].titleZH = text } }
        case "objective.target": if let v = number() { edit(session) { if o < $0.objectives.count { $0.objectives[o].target = v } } }
        case "objective.by": if let v = whole() { edit(session) { if o < $0.objectives.count { $0.objectives[o].by = Int(v) } } }
        case "hint.en": edit(session) { if h < $0.hints.count { $0.hints[h].en = text } }
        case "hint.zh": edit(session) { if h < $0.hints.count { $0.hints[h].zh = text } }
        case "trigger.id": edit(session) { if t < $0.triggers.count { $0.triggers[t].id = text } }
        case "trigger.date":
            let parts = text.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3 else { state.message = s.fill("editor.not_a_date", ["text": text]); return }
            edit(session) { if t < $0.triggers.count { $0.triggers[t].when = .date(year: parts[0], month: parts[1], day: parts[2]) } }
        case "trigger.target":
            if let v = number() {
                edit(session) {
                    if t < $0.triggers.count, case .metric(let m, let c, _) = $0.triggers[t].when { $0.triggers[t].when = .metric(m, c, v) }
                }
            }
        case _ where id.hasPrefix("action."):
            // action.N.en / .zh / .amount / .days / .value
            let parts = id.split(separator: ".")
            guard parts.count == 3, let n = Int(parts[1]) else { return }
            let what = String(parts[2])
            let value = (what == "en" || what == "zh") ? nil : number()
            if what != "en" && what != "zh" && value == nil { return }
            edit(session) { draft in
                guard t < draft.triggers.count, n < draft.triggers[t].actions.count else { return }
                draft.triggers[t].actions[n] = Editor.action(draft.triggers[t].actions[n], setting: what, text: text, value: value)
            }
        case _ where id.hasPrefix("override."):
            let parts = id.split(separator: ".")
            guard parts.count == 3, let n = Int(parts[1]) else { return }
            if parts[2] == "value" {
                if let v = number() { edit(session) { if n < $0.overrides.count { $0.overrides[n].value = v } } }
            } else {
                edit(session) { if n < $0.overrides.count { $0.overrides[n].source = text } }
            }
        default: break
        }
    }

    static func action(_ action: TriggerAction, setting what: String, text: String, value: Double?) -> TriggerAction {
        switch action {
        case .message(var names):
            if what == "en" { names.en = text } else if what == "zh" { names.zh = text }
            return .message(names)
        case .advisor(var names):
            if what == "en" { names.en = text } else if what == "zh" { names.zh = text }
            return .advisor(names)
        case .grant(let amount): return .grant(what == "amount" ? value ?? amount : amount)
        case .event(let kind, let days, let policy, let old):
            if what == "days", let value { return .event(kind, days: max(1, min(3650, Int(value))), policy: policy, value: old) }
            if what == "value" { return .event(kind, days: days, policy: policy, value: value) }
            return action
        default: return action
        }
    }

    // MARK: - Drawing

    public static func draw(_ canvas: Canvas2D, session: GameSession, now: Double) {
        guard let state = session.editor else { return }
        refreshPreview(session)
        // The editor shows no briefing card (a menu's New game on the preview would open one).
        if session.briefing.isOpen { session.briefing.isOpen = false }
        state.drawnFields = []
        let size = canvas.size
        let width = Float(size.width), height = Float(size.height)
        let ui = PanelUI(canvas: canvas, session: session)
        let s = session.strings
        session.panels.drawnText = []
        drawTopBar(ui, state: state, width: width, now: now)
        if state.tab == .map {
            drawPalette(ui, state: state, height: height)
        } else {
            let w = formWidth(state.tab)
            let frame = PanelRect(x: width - w - 6, y: topBar + 4, width: w, height: height - topBar - 40)
            canvas.fillRect(x: frame.x, y: frame.y, width: frame.width, height: frame.height, color: HUD.panel)
            ui.region(frame)
            let x = frame.x + 10, y = frame.y + 8, w2 = frame.width - 20
            switch state.tab {
            case .map: break
            case .level: drawLevelForm(ui, state: state, x: x, y: y, width: w2)
            case .rules: drawRules(ui, state: state, x: x, y: y, width: w2)
            case .objectives: drawObjectives(ui, state: state, x: x, y: y, width: w2)
            case .hints: drawHints(ui, state: state, x: x, y: y, width: w2)
            case .triggers: drawTriggers(ui, state: state, x: x, y: y, width: w2)
            case .catalog: drawCatalog(ui, state: state, x: x, y: y, width: w2)
            }
        }
        // The keyboard's focus, as a form shows it.
        if state.tab != .map, let id = state.focusedControl, let rect = session.panels.controls[id] {
            canvas.strokeRect(x: rect.x - 2, y: rect.y - 2, width: rect.width + 4, height: rect.height + 4, color: HUD.accent)
        }
        // The status line: the save's result, else the reader's first problem, else the keys.
        let status: (String, Vec4)
        if let message = state.message {
            status = (message, message.hasPrefix(s["editor.save_refused"]) || message.hasPrefix(s["editor.not_playable"]) ? Vec4(1, 0.5, 0.4, 1) : HUD.accent)
        } else if let problem = state.problems.first {
            status = (s["editor.problem"] + ": " + problem.description, Vec4(1, 0.5, 0.4, 1))
        } else {
            status = (s[state.tab == .map ? "editor.keys" : "editor.keys_form"], HUD.dim)
        }
        canvas.fillRect(x: 0, y: height - 26, width: width, height: 26, color: HUD.panel)
        ui.region(PanelRect(x: 0, y: height - 26, width: width, height: 26))
        ui.text(status.0, x: 8, y: height - 22, size: 12, color: status.1, width: width - 16)
        if session.menuOpen { HUD.drawMenu(canvas, session: session, width: width, height: height) }
        if session.pickingLevel { LevelPicker.draw(canvas, session: session, width: width, height: height, now: now) }
    }

    static func drawTopBar(_ ui: PanelUI, state: EditorState, width: Float, now: Double) {
        let s = ui.s, canvas = ui.canvas, session = ui.session
        canvas.fillRect(x: 0, y: 0, width: width, height: topBar, color: HUD.panel)
        ui.region(PanelRect(x: 0, y: 0, width: width, height: topBar))
        var x: Float = 6
        ui.text(s["editor.title"], x: x, y: 11, size: 15, color: HUD.accent)
        x += Float(canvas.measureText(s["editor.title"], size: 15).width) + 10
        for tab in EditorTab.allCases {
            let label = s["editor.tab_" + tab.rawValue]
            let w = max(56, Float(canvas.measureText(label, size: 12).width) + 16)
            if ui.button(PanelRect(x: x, y: 8, width: w, height: 24), label, id: "editor.tab." + tab.rawValue, active: state.tab == tab) {
                state.tab = tab
            }
            x += w + 3
        }
        x += 8
        let actions: [(String, Bool, () -> Void)] = [
            ("editor.undo", state.editor.canUndo, { undo(session) }),
            ("editor.redo", state.editor.canRedo, { redo(session) }),
            ("editor.save", true, { save(session) }),
            ("editor.test_play", true, { testPlay(session, now: now) }),
        ]
        for (key, enabled, run) in actions {
            let label = s[key]
            let w = max(56, Float(canvas.measureText(label, size: 12).width) + 16)
            if ui.button(PanelRect(x: x, y: 8, width: w, height: 24), label, id: key, disabled: enabled ? nil : s["editor.nothing_to_undo"]) { run() }
            x += w + 3
        }
        let name = (state.editor.path as NSString).lastPathComponent + (state.editor.isModified ? " *" : "")
        if x + 40 < width { ui.text(name, x: x + 6, y: 12, size: 12, color: HUD.dim, width: width - x - 12) }
    }

    /// A metric's name in the player's language, with its unit: only the metrics the level reader knows (`Metric`).
    static func metricName(_ metric: Metric, strings s: Strings) -> String {
        s["editor.metric_" + metric.rawValue] + " (" + unitName(metric.unit, strings: s) + ")"
    }

    /// A unit in the player's language where the locale names it ("yuan/tCO2e" → "元/吨CO2e"), else as the files write it.
    static func unitName(_ unit: String, strings s: Strings) -> String {
        let key = "editor.unit_" + unit.lowercased().replacingOccurrences(of: "/", with: "_per_").replacingOccurrences(of: "0_per_1", with: "switch")
        return s.has(key) ? s[key] : unit
    }

    static func itemName(_ item: String, strings s: Strings) -> String {
        LevelDraft.terrainItems.contains(item) ? s["editor.item_" + item] : s["tools." + item]
    }

    static func drawPalette(_ ui: PanelUI, state: EditorState, height: Float) {
        let s = ui.s, canvas = ui.canvas
        let items = LevelDraft.mapItems
        let top = topBar + 4
        let footer: Float = 84
        // One column of rows when they fit at 17 px, else two.
        let columns = (height - top - footer - 30) / Float(items.count) >= 17 ? 1 : 2
        let perColumn = (items.count + columns - 1) / columns
        let row = min(19, max(12, (height - top - footer - 30) / Float(perColumn)))
        let columnWidth = (paletteWidth - 4) / Float(columns)
        let frame = PanelRect(x: 0, y: top, width: paletteWidth, height: Float(perColumn) * row + footer)
        canvas.fillRect(x: frame.x, y: frame.y, width: frame.width, height: frame.height, color: HUD.panel)
        ui.region(frame)
        let size = row >= 17 ? 12 : 11
        for (i, item) in items.enumerated() {
            let rect = PanelRect(x: 2 + Float(i / perColumn) * columnWidth, y: top + 2 + Float(i % perColumn) * row, width: columnWidth - 2, height: row - 1)
            if ui.button(rect, itemName(item, strings: s), id: "editor.item." + item, active: state.item == item, size: size, style: .bar) {
                state.item = item
            }
        }
        var y = top + 6 + Float(perColumn) * row
        ui.text(s["editor.brush"], x: 6, y: y + 3, size: 12, color: HUD.dim)
        var x: Float = 6 + Float(canvas.measureText(s["editor.brush"], size: 12).width) + 8
        for brush in [1, 3, 5] {
            if ui.button(PanelRect(x: x, y: y, width: 28, height: 22), "\(brush)", id: "editor.brush.\(brush)", active: !state.rectangle && state.brush == brush) {
                state.brush = brush
                state.rectangle = false
            }
            x += 31
        }
        y += 28
        if ui.button(PanelRect(x: 6, y: y, width: paletteWidth - 12, height: 22), s["editor.rectangle"], id: "editor.rectangle", active: state.rectangle) {
            state.rectangle.toggle()
        }
        if state.draft.generated { ui.text(s["editor.generated"], x: 6, y: y + 28, size: 11, color: HUD.dim, width: paletteWidth - 12) }
    }

    /// A labelled field: shows the value (or what is being typed) and starts typing when clicked.
    static func field(_ ui: PanelUI, state: EditorState, id: String, label: String, value: String, x: Float, y: Float, width: Float, labelWidth: Float = 130) {
        ui.text(label, x: x, y: y + 4, size: 12, color: HUD.dim, width: labelWidth - 6)
        let rect = PanelRect(x: x + labelWidth, y: y, width: width - labelWidth, height: 22)
        let editing = state.field == id
        state.drawnFields.append((id, value))
        ui.canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: editing ? Vec4(0.2, 0.24, 0.34, 1) : CarbonPanels.buttonColor)
        ui.canvas.strokeRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: editing ? HUD.accent : Vec4(0.4, 0.44, 0.55, 1))
        var shown = editing ? state.typed + "▏" : value
        // While typing, the end of the text shows.
        if editing {
            while shown.count > 1 && Float(ui.canvas.measureText(shown, size: 12).width) > rect.width - 10 { shown.removeFirst() }
        }
        // A text box shows the start of a long value (as a text field scrolls), which is not a label cut short.
        if !editing && Float(ui.canvas.measureText(shown, size: 12).width) > rect.width - 10 {
            while shown.count > 1 && Float(ui.canvas.measureText(shown + "…", size: 12).width) > rect.width - 10 { shown.removeLast() }
            shown += "…"
        }
        ui.text(shown, x: rect.x + 5, y: rect.y + 4, size: 12)
        if ui.clicked(rect, id: "field." + id) { beginField(state, id, value) }
    }

    static func drawLevelForm(_ ui: PanelUI, state: EditorState, x: Float, y: Float, width: Float) {
        let s = ui.s, d = state.draft
        ui.heading(s["editor.tab_level"], x: x, y: y)
        let rows: [(String, String)] = [
            ("id", d.id), ("title_en", d.titleEN), ("title_zh", d.titleZH), ("summary_en", d.summaryEN), ("summary_zh", d.summaryZH),
            ("seed", "\(d.seed)"), ("start_year", "\(d.startYear)"), ("budget", LevelText.number(d.budget)), ("occupancy", LevelText.number(d.occupancy)),
        ]
        for (i, (key, value)) in rows.enumerated() {
            field(ui, state: state, id: "level." + key, label: s["editor.field_" + key], value: value, x: x, y: y + 26 + Float(i) * 27, width: width)
        }
        let yy = y + 26 + Float(rows.count) * 27 + 6
        ui.text(s.fill("editor.map_size", ["width": "\(d.width)", "height": "\(d.height)"]), x: x, y: yy, size: 12, color: HUD.dim, width: width)
        ui.text(s["editor.budget_unit"], x: x, y: yy + 18, size: 11, color: HUD.dim, width: width)
    }

    static func drawRules(_ ui: PanelUI, state: EditorState, x: Float, y: Float, width: Float) {
        let s = ui.s, d = state.draft, session = ui.session
        let column: Float = 256
        ui.heading(s["editor.tools"], x: x, y: y, width: column)
        let all = d.allowedTools == nil
        if ui.button(PanelRect(x: x, y: y + 22, width: column, height: 20), s["editor.all_tools"], id: "editor.tools.all", active: all, size: 11) {
            edit(session) { $0.allowedTools = all ? [] : nil }
        }
        let names = LevelDefinition.toolNames
        let half = (names.count + 1) / 2
        let cell = (column - 4) / 2
        let row = min(18, (ui.canvas.size.height > 0 ? (Float(ui.canvas.size.height) - y - 120) : 600) / Float(half))
        for (i, name) in names.enumerated() {
            let rect = PanelRect(x: x + Float(i / half) * (cell + 4), y: y + 46 + Float(i % half) * row, width: cell, height: row - 1)
            let on = d.allowedTools?.contains(name) ?? true
            if ui.button(rect, s["tools." + name], id: "editor.tool." + name, active: on, size: 11, style: .bar) {
                edit(session) { draft in
                    var list = draft.allowedTools ?? names
                    if on { list.removeAll { $0 == name } } else { list.append(name) }
                    draft.allowedTools = list
                }
            }
        }
        // Policies: every lever with its unit; − / + by the panel's step, × back to the default.
        let px = x + column + 16, pw = width - column - 16
        ui.heading(s["editor.policies"], x: px, y: y, width: pw)
        let levers = PolicyLever.all
        let prow = min(24, (Float(ui.canvas.size.height) - y - 110) / Float(levers.count))
        for (i, lever) in levers.enumerated() {
            let ry = y + 24 + Float(i) * prow
            let setting = d.policies.first { $0.name == lever.name }
            let title = s.language == .zh ? lever.title.zh : lever.title.en
            ui.text(title, x: px, y: ry + 2, size: 11, color: setting == nil ? HUD.dim : HUD.text, width: pw - 170)
            let value = setting.map { LevelText.number($0.value) } ?? "–"
            ui.text(value + " " + unitName(lever.unit, strings: s), x: px + pw - 166, y: ry + 2, size: 11, width: 92)
            func change(_ delta: Double) {
                edit(session) { draft in
                    let current = draft.policies.first { $0.name == lever.name }?.value ?? (lever.range.contains(0) ? 0 : lever.range.lowerBound)
                    let next = min(lever.range.upperBound, max(lever.range.lowerBound, ((current + delta) / lever.step).rounded() * lever.step))
                    if let k = draft.policies.firstIndex(where: { $0.name == lever.name }) { draft.policies[k].value = next } else {
                        draft.policies.append(LevelDraft.PolicySetting(name: lever.name, value: next))
                    }
                }
            }
            if ui.button(PanelRect(x: px + pw - 72, y: ry, width: 22, height: prow - 3), "−", id: "editor.policy.\(lever.name).minus", size: 11) { change(-lever.step) }
            if ui.button(PanelRect(x: px + pw - 48, y: ry, width: 22, height: prow - 3), "+", id: "editor.policy.\(lever.name).plus", size: 11) { change(lever.step) }
            if ui.button(PanelRect(x: px + pw - 24, y: ry, width: 22, height: prow - 3), "×", id: "editor.policy.\(lever.name).clear", size: 11,
                         disabled: setting == nil ? s["editor.default"] : nil) {
                edit(session) { $0.policies.removeAll { $0.name == lever.name } }
            }
        }
    }

    enum ListAction { case none, previous, next, add, delete }

    /// "< 2 / 4 >  Add  Delete" over a list: what was clicked.
    static func selector(_ ui: PanelUI, id: String, index: Int, count: Int, x: Float, y: Float) -> ListAction {
        let s = ui.s
        var action = ListAction.none
        if ui.button(PanelRect(x: x, y: y, width: 26, height: 22), "<", id: id + ".previous", disabled: index > 0 ? nil : s["editor.first"]) { action = .previous }
        ui.text(count == 0 ? s["editor.none"] : "\(index + 1) / \(count)", x: x + 34, y: y + 4, size: 12, width: 62)
        if ui.button(PanelRect(x: x + 100, y: y, width: 26, height: 22), ">", id: id + ".next", disabled: index + 1 < count ? nil : s["editor.last"]) { action = .next }
        if ui.button(PanelRect(x: x + 136, y: y, width: 90, height: 22), s["editor.add"], id: id + ".add") { action = .add }
        if ui.button(PanelRect(x: x + 232, y: y, width: 90, height: 22), s["editor.delete"], id: id + ".delete", disabled: count > 0 ? nil : s["editor.none"]) { action = .delete }
        return action
    }

    /// The list's index after a selector's action (`add` and `delete` are the caller's edits).
    static func apply(_ action: ListAction, index: Int, count: Int, add: () -> Void, delete: () -> Void) -> Int {
        switch action {
        case .none: return index
        case .previous: return max(0, index - 1)
        case .next: return min(count - 1, index + 1)
        case .add: add(); return count
        case .delete: delete(); return max(0, index - 1)
        }
    }

    static func cycle<T: Equatable>(_ values: [T], after value: T, by step: Int) -> T {
        let i = values.firstIndex(of: value) ?? 0
        return values[(i + step + values.count) % values.count]
    }

    static func drawObjectives(_ ui: PanelUI, state: EditorState, x: Float, y: Float, width: Float) {
        let s = ui.s, session = ui.session
        ui.heading(s["editor.tab_objectives"], x: x, y: y)
        let count = state.draft.objectives.count
        state.objectiveIndex = max(0, min(state.objectiveIndex, count - 1))
        let current = state.objectiveIndex
        let action = selector(ui, id: "editor.objectives", index: current, count: count, x: x, y: y + 24)
        let index = apply(action, index: current, count: count, add: {
            let year = Int(state.draft.startYear) + 5
            edit(session) { draft in
                draft.objectives.append(LevelDraft.ObjectiveDraft(id: "objective_\(draft.objectives.count + 1)", titleEN: "Net zero by \(year)",
                                                                  titleZH: "\(year)年实现净零", metric: .netEmissions, comparison: .atMost, target: 0, by: year))
            }
        }, delete: { edit(session) { $0.objectives.remove(at: current) } })
        state.objectiveIndex = index
        var yy = y + 54
        guard index < state.draft.objectives.count else { return }
        let o = state.draft.objectives[index]
        for (i, (key, value)) in [("id", o.id), ("title_en", o.titleEN), ("title_zh", o.titleZH)].enumerated() {
            field(ui, state: state, id: "objective." + key, label: s["editor.field_" + key], value: value, x: x, y: yy + Float(i) * 27, width: width)
        }
        yy += 81
        // The metric: only the game's metrics (the ones `check` knows), each with its unit.
        ui.text(s["editor.metric"], x: x, y: yy + 4, size: 12, color: HUD.dim, width: 124)
        if ui.button(PanelRect(x: x + 130, y: yy, width: 26, height: 22), "<", id: "editor.objective.metric.previous") {
            edit(session) { $0.objectives[index].metric = cycle(Metric.allCases, after: o.metric, by: -1) }
        }
        ui.text(metricName(o.metric, strings: s), x: x + 162, y: yy + 4, size: 12, width: width - 200)
        if ui.button(PanelRect(x: x + width - 26, y: yy, width: 26, height: 22), ">", id: "editor.objective.metric.next") {
            edit(session) { $0.objectives[index].metric = cycle(Metric.allCases, after: o.metric, by: 1) }
        }
        yy += 27
        ui.text(s["editor.comparison"], x: x, y: yy + 4, size: 12, color: HUD.dim, width: 124)
        if ui.button(PanelRect(x: x + 130, y: yy, width: width - 130, height: 22), s["editor." + o.comparison.rawValue], id: "editor.objective.comparison") {
            edit(session) { $0.objectives[index].comparison = o.comparison == .atMost ? .atLeast : .atMost }
        }
        yy += 27
        field(ui, state: state, id: "objective.target", label: s["editor.target"] + " (" + unitName(o.metric.unit, strings: s) + ")", value: LevelText.number(o.target), x: x, y: yy, width: width)
        field(ui, state: state, id: "objective.by", label: s["editor.by"], value: "\(o.by)", x: x, y: yy + 27, width: width)
        yy += 54
        if ui.button(PanelRect(x: x + 130, y: yy, width: width - 130, height: 22), s[o.required ? "editor.required" : "editor.optional"], id: "editor.objective.required", active: o.required) {
            edit(session) { $0.objectives[index].required.toggle() }
        }
    }

    static func drawHints(_ ui: PanelUI, state: EditorState, x: Float, y: Float, width: Float) {
        let s = ui.s, session = ui.session
        ui.heading(s["editor.tab_hints"], x: x, y: y)
        let count = state.draft.hints.count
        state.hintIndex = max(0, min(state.hintIndex, count - 1))
        let current = state.hintIndex
        let action = selector(ui, id: "editor.hints", index: current, count: count, x: x, y: y + 24)
        let index = apply(action, index: current, count: count, add: {
            edit(session) { $0.hints.append(Names(en: "A hint", zh: "提示")) }
        }, delete: { edit(session) { $0.hints.remove(at: current) } })
        state.hintIndex = index
        let yy = y + 54
        guard index < state.draft.hints.count else { return }
        let hint = state.draft.hints[index]
        field(ui, state: state, id: "hint.en", label: s["editor.field_text_en"], value: hint.en, x: x, y: yy, width: width)
        field(ui, state: state, id: "hint.zh", label: s["editor.field_text_zh"], value: hint.zh, x: x, y: yy + 27, width: width)
    }

    static func drawTriggers(_ ui: PanelUI, state: EditorState, x: Float, y: Float, width: Float) {
        let s = ui.s, session = ui.session
        ui.heading(s["editor.tab_triggers"], x: x, y: y)
        let count = state.draft.triggers.count
        state.triggerIndex = max(0, min(state.triggerIndex, count - 1))
        let current = state.triggerIndex
        let action = selector(ui, id: "editor.triggers", index: current, count: count, x: x, y: y + 24)
        let index = apply(action, index: current, count: count, add: {
            let year = Int(state.draft.startYear)
            edit(session) { draft in
                draft.triggers.append(Trigger(id: "trigger_\(draft.triggers.count + 1)", when: .date(year: year, month: 1, day: 1),
                                              actions: [.message(Names(en: "A message", zh: "一条消息"))], once: true))
            }
        }, delete: { edit(session) { $0.triggers.remove(at: current) } })
        state.triggerIndex = index
        var yy = y + 54
        guard index < state.draft.triggers.count else { return }
        let trigger = state.draft.triggers[index]
        field(ui, state: state, id: "trigger.id", label: s["editor.field_id"], value: trigger.id, x: x, y: yy, width: width)
        yy += 27
        // When: a date, a structure built, a metric's value or an objective's status.
        let kinds = ["date", "built", "metric", "objective"]
        let kind: String
        switch trigger.when {
        case .date: kind = "date"
        case .built: kind = "built"
        case .metric: kind = "metric"
        case .objective: kind = "objective"
        }
        ui.text(s["editor.when"], x: x, y: yy + 4, size: 12, color: HUD.dim, width: 124)
        if ui.button(PanelRect(x: x + 130, y: yy, width: width - 130, height: 22), s["editor.when_" + kind], id: "editor.trigger.when") {
            let next = cycle(kinds, after: kind, by: 1)
            let year = Int(state.draft.startYear)
            let firstObjective = state.draft.objectives.first?.id
            edit(session) { draft in
                switch next {
                case "built": draft.triggers[index].when = .built(Structure.all[0].key)
                case "metric": draft.triggers[index].when = .metric(.netEmissions, .atMost, 0)
                case "objective" where firstObjective != nil: draft.triggers[index].when = .objective(firstObjective!, .met)
                default: draft.triggers[index].when = .date(year: year, month: 1, day: 1)
                }
            }
        }
        yy += 27
        switch trigger.when {
        case .date(let year, let month, let day):
            let text = String(format: "%04d-%02d-%02d", year, month, day)
            field(ui, state: state, id: "trigger.date", label: s["editor.date"], value: text, x: x, y: yy, width: width)
        case .built(let name):
            if ui.button(PanelRect(x: x + 130, y: yy, width: width - 130, height: 22), s["tools." + name], id: "editor.trigger.built") {
                let next = cycle(Structure.all.map(\.key), after: name, by: 1)
                edit(session) { $0.triggers[index].when = .built(next) }
            }
        case .metric(let metric, let comparison, let target):
            if ui.button(PanelRect(x: x + 130, y: yy, width: width - 130, height: 22), metricName(metric, strings: s), id: "editor.trigger.metric") {
                edit(session) { $0.triggers[index].when = .metric(cycle(Metric.allCases, after: metric, by: 1), comparison, target) }
            }
            yy += 27
            if ui.button(PanelRect(x: x + 130, y: yy, width: width - 130, height: 22), s["editor." + comparison.rawValue], id: "editor.trigger.comparison") {
                edit(session) { $0.triggers[index].when = .metric(metric, comparison == .atMost ? .atLeast : .atMost, target) }
            }
            yy += 27
            field(ui, state: state, id: "trigger.target", label: s["editor.target"], value: LevelText.number(target), x: x, y: yy, width: width)
        case .objective(let id, let status):
            let ids = state.draft.objectives.map(\.id)
            if ui.button(PanelRect(x: x + 130, y: yy, width: (width - 130) / 2 - 2, height: 22), id, id: "editor.trigger.objective", disabled: ids.isEmpty ? s["editor.none"] : nil) {
                edit(session) { $0.triggers[index].when = .objective(cycle(ids, after: id, by: 1), status) }
            }
            if ui.button(PanelRect(x: x + 130 + (width - 130) / 2 + 2, y: yy, width: (width - 130) / 2 - 2, height: 22), s["editor.status_" + status.rawValue], id: "editor.trigger.status") {
                edit(session) { $0.triggers[index].when = .objective(id, status == .met ? .failed : .met) }
            }
        }
        yy += 32
        // Actions: each with its own fields; new ones of the kinds the level format has.
        ui.text(s["editor.actions"], x: x, y: yy, size: 12, color: HUD.accent)
        yy += 20
        for (n, action) in trigger.actions.enumerated() where yy < Float(ui.canvas.size.height) - 120 {
            if ui.button(PanelRect(x: x, y: yy, width: 22, height: 22), "×", id: "editor.action.\(n).delete") {
                edit(session) { $0.triggers[index].actions.remove(at: n) }
            }
            let fx = x + 28, fw = width - 28
            switch action {
            case .message(let names), .advisor(let names):
                let label = { if case .message = action { return s["editor.action_message"] } else { return s["editor.action_advisor"] } }()
                field(ui, state: state, id: "action.\(n).en", label: label + s["editor.in_en"], value: names.en, x: fx, y: yy, width: fw, labelWidth: 130)
                yy += 25
                field(ui, state: state, id: "action.\(n).zh", label: label + s["editor.in_zh"], value: names.zh, x: fx, y: yy, width: fw, labelWidth: 130)
            case .grant(let amount):
                field(ui, state: state, id: "action.\(n).amount", label: s["editor.action_grant"], value: LevelText.number(amount), x: fx, y: yy, width: fw, labelWidth: 100)
            case .unlock(let tool):
                ui.text(s["editor.action_unlock"], x: fx, y: yy + 4, size: 12, color: HUD.dim, width: 94)
                if ui.button(PanelRect(x: fx + 100, y: yy, width: fw - 100, height: 22), s["tools." + tool], id: "editor.action.\(n).tool") {
                    edit(session) { $0.triggers[index].actions[n] = .unlock(cycle(LevelDefinition.toolNames, after: tool, by: 1)) }
                }
            case .event(let kind, let days, let policy, let value):
                ui.text(s["editor.action_event"], x: fx, y: yy + 4, size: 12, color: HUD.dim, width: 94)
                if ui.button(PanelRect(x: fx + 100, y: yy, width: fw - 100, height: 22), s["editor.event_" + kind.rawValue], id: "editor.action.\(n).event") {
                    let next = cycle(LevelEventKind.allCases, after: kind, by: 1)
                    edit(session) {
                        $0.triggers[index].actions[n] = next == .policyChange ? .event(next, days: days, policy: "car_charge_per_km", value: value ?? 1)
                            : .event(next, days: days, policy: nil, value: value)
                    }
                }
                yy += 25
                field(ui, state: state, id: "action.\(n).days", label: s["editor.days"], value: "\(days)", x: fx, y: yy, width: fw / 2 - 4, labelWidth: 60)
                field(ui, state: state, id: "action.\(n).value", label: (policy ?? s["editor.value"]), value: value.map(LevelText.number) ?? "", x: fx + fw / 2, y: yy, width: fw / 2, labelWidth: 120)
            case .win, .lose:
                ui.text(s[action == .win ? "editor.action_win" : "editor.action_lose"], x: fx, y: yy + 4, size: 12, width: fw)
            }
            yy += 29
        }
        let additions: [(String, TriggerAction)] = [("message", .message(Names(en: "A message", zh: "一条消息"))), ("advisor", .advisor(Names(en: "Advice", zh: "建议"))),
                                                ("grant", .grant(1_000_000)), ("unlock", .unlock("road")), ("event", .event(.heatwave, days: 7, policy: nil, value: 8)),
                                                ("win", .win), ("lose", .lose)]
        var ax = x
        for (key, action) in additions {
            let label = "+ " + s["editor.action_" + key]
            let w = max(44, Float(ui.canvas.measureText(label, size: 11).width) + 12)
            if ax + w > x + width { ax = x; yy += 25 }
            if ui.button(PanelRect(x: ax, y: yy, width: w, height: 22), label, id: "editor.action.add." + key, size: 11) {
                edit(session) { $0.triggers[index].actions.append(action) }
            }
            ax += w + 4
        }
    }

    static func drawCatalog(_ ui: PanelUI, state: EditorState, x: Float, y: Float, width: Float) {
        let s = ui.s, session = ui.session
        ui.heading(s["editor.tab_catalog"], x: x, y: y)
        ui.text(s["editor.catalog_help"], x: x, y: y + 22, size: 11, color: HUD.dim, width: width)
        var yy = y + 44
        for (n, override) in state.draft.overrides.enumerated() where yy < Float(ui.canvas.size.height) - 140 {
            ui.text((["catalog"] + override.path + [override.key]).joined(separator: "."), x: x, y: yy, size: 12, color: HUD.accent, width: width - 30)
            if ui.button(PanelRect(x: x + width - 22, y: yy - 2, width: 22, height: 20), "×", id: "editor.override.\(n).delete") {
                edit(session) { $0.overrides.remove(at: n) }
            }
            yy += 20
            field(ui, state: state, id: "override.\(n).value", label: s["editor.value"] + " (" + unitName(override.unit, strings: s) + ")", value: LevelText.number(override.value), x: x, y: yy, width: width)
            yy += 26
            field(ui, state: state, id: "override.\(n).source", label: s["editor.source"], value: override.source, x: x, y: yy, width: width)
            yy += 25
            if let base = state.entries(at: override.path).first(where: { $0.key == override.key }) {
                let line = s.fill("editor.catalog_value", ["value": LevelText.number(base.value), "unit": unitName(base.unit, strings: s), "source": base.source])
                for part in HUD.wrap(line, width: width, canvas: ui.canvas).prefix(3) {
                    ui.text(part, x: x, y: yy, size: 11, color: HUD.dim, width: width)
                    yy += 15
                }
            }
            yy += 8
        }
        // New overrides: the catalog entries of the building the palette has chosen, with their units.
        let entries = overridable(state.item, state: state)
        guard !entries.isEmpty else { return }
        ui.text(s.fill("editor.override_new", ["item": itemName(state.item, strings: s)]), x: x, y: yy, size: 12, color: HUD.dim, width: width)
        yy += 20
        var ax = x
        for entry in entries {
            let label = "+ " + entry.key
            let w = Float(ui.canvas.measureText(label, size: 11).width) + 12
            if ax + w > x + width { ax = x; yy += 25 }
            if ui.button(PanelRect(x: ax, y: yy, width: w, height: 22), label, id: "editor.override.add." + entry.key, size: 11,
                         disabled: state.draft.overrides.contains { $0.path == entry.path && $0.key == entry.key } ? s["editor.default"] : nil) {
                edit(session) { $0.overrides.append(LevelDraft.CatalogOverride(path: entry.path, key: entry.key, value: entry.value, unit: entry.unit, source: "")) }
            }
            ax += w + 4
        }
    }

    /// The catalog entries a level may override for a palette item: their path, value and unit, from the catalog's own files.
    static func overridable(_ item: String, state: EditorState) -> [(path: [String], key: String, value: Double, unit: String)] {
        guard let structure = Structure.named(item) else { return [] }
        let path: [String]
        switch structure {
        case .building(let kind, _): path = ["building", kind.key]
        case .plant(let kind): path = ["plant", String(item.dropLast("_plant".count))]
            _ = kind
        case .zone(let kind): path = ["zone", kind.key]
        default: return []
        }
        return state.entries(at: path).map { (path, $0.key, $0.value, $0.unit) }
    }
}
