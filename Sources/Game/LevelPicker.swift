// LevelPicker.swift — the menu's Levels: the shipped levels and lessons, the player's own levels
// (`$XDG_DATA_HOME/netzero/levels`) and each installed mod's levels, grouped under headings (a
// mod's heading is its title in the player's language), and a path field to open any level file.
//
// Keys: ↑/↓ choose, Enter opens the highlighted level (or the typed path, when one is typed),
// typing writes a path (~ is the home folder), Backspace edits it, Esc clears it or closes.
// The mouse: a click on a level opens it; the wheel scrolls a long list.
import CitySim
import Foundation
import Locale
import Render

/// One row of the picker.
public struct LevelChoice: Sendable {
    public var path: String
    public var title: Names
    public var group: LevelListing.Group
    /// Why the level cannot be opened (its first error), or nil.
    public var problem: String?
}

/// The picker's state, kept by the session.
public final class LevelPickerState {
    /// Where the player's levels and mods are (nil: not looked for, e.g. in tests).
    public var userLevels: String?
    public var userMods: String?
    /// The path being typed.
    public var typedPath = ""
    /// Problems of mods that did not load, to be shown under the list.
    public var modProblems: [String] = []
    /// Why the last level asked for did not open (shown in the picker, which stays open).
    public var message: String?
    /// The first row drawn (a long list scrolls).
    var firstRow = 0
    /// Where each level's row was last drawn: index → rectangle.
    public internal(set) var rowRects: [(index: Int, rect: PanelRect)] = []

    public init(environment: [String: String]? = ProcessInfo.processInfo.environment) {
        if let environment {
            userLevels = UserDirectories.levels(environment: environment)
            userMods = UserDirectories.mods(environment: environment)
        }
    }
}

enum LevelPicker {
    /// Every level to list, with its title (a level that does not load is listed by its file
    /// name, with its first problem, so the player sees why it will not open).
    static func choices(_ state: LevelPickerState, catalog: Catalog) -> [LevelChoice] {
        let (listings, library) = LevelIndex.list(userLevels: state.userLevels, userMods: state.userMods)
        state.modProblems = library.diagnostics.filter { $0.severity == .error }.map(\.message)
        return listings.map { listing in
            let result = LevelFile.load(path: listing.path, catalog: catalog)
            let name = ((listing.path as NSString).lastPathComponent as NSString).deletingPathExtension
            return LevelChoice(path: listing.path, title: result.level?.title ?? Names(en: name, zh: name), group: listing.group,
                               problem: result.level == nil ? result.diagnostics.first { $0.severity == .error }?.description : nil)
        }
    }

    /// The heading of a group, in the player's language.
    static func heading(_ group: LevelListing.Group, strings: Strings) -> String {
        switch group {
        case .shipped: return strings["levels.shipped"]
        case .lessons: return strings["levels.lessons"]
        case .user: return strings["levels.user"]
        case .mod(_, let title): return strings.fill("levels.mod", ["title": strings.name(title)])
        }
    }

    /// A typed path as a file path: `~` is the home folder.
    static func expand(_ typed: String) -> String {
        let trimmed = typed.trimmingCharacters(in: .whitespaces)
        if trimmed == "~" || trimmed.hasPrefix("~/") { return NSHomeDirectory() + trimmed.dropFirst() }
        return trimmed
    }

    /// An event while the picker is open; true if it took it.
    static func handle(_ event: InputEvent, session: GameSession, now: Double) -> Bool {
        let state = session.levelPicker
        let count = session.levelChoices.count
        switch event {
        case .quit, .resize, .pointerLeft: return false
        case .text(let typed):
            state.typedPath = String((state.typedPath + typed).prefix(4096))
            state.message = nil
            return true
        case .key(let code, let down, _, _):
            guard down else { return true }
            switch code {
            case KeyCode.escape:
                if state.typedPath.isEmpty { session.pickingLevel = false } else { state.typedPath = "" }
            case KeyCode.backspace where !state.typedPath.isEmpty: state.typedPath.removeLast()
            case KeyCode.up where count > 0:
                session.levelIndex = (session.levelIndex + count - 1) % count
                state.message = nil
            case KeyCode.down where count > 0:
                session.levelIndex = (session.levelIndex + 1) % count
                state.message = nil
            case KeyCode.enter:
                if !state.typedPath.isEmpty {
                    open(expand(state.typedPath), session: session, now: now)
                } else if count > 0 {
                    open(session.levelChoices[session.levelIndex].path, session: session, now: now)
                }
            default: break
            }
            return true
        case .mouseDown(let x, let y, let button):
            guard button == .left else { return true }
            if let row = state.rowRects.first(where: { $0.rect.contains(x, y) }) {
                session.levelIndex = row.index
                open(session.levelChoices[row.index].path, session: session, now: now)
            }
            return true
        case .wheel(let dy):
            session.levelIndex = max(0, min(count - 1, session.levelIndex + (dy > 0 ? -1 : 1)))
            return true
        default:
            return true
        }
    }

    /// Opens a level file; on a problem the picker stays open and the feed says why.
    static func open(_ path: String, session: GameSession, now: Double) {
        let state = session.levelPicker
        guard FileSystem.exists(path) else {
            state.message = session.strings.fill("levels.not_found", ["path": path])
            return
        }
        let noticesBefore = session.notices.count
        session.start(levelAt: path, now: now)
        if session.pickingLevel {
            state.message = session.notices.count > noticesBefore ? session.notices.last?.text : nil
        } else {
            state.typedPath = ""
            state.message = nil
        }
    }

    static func draw(_ canvas: Canvas2D, session: GameSession, width: Float, height: Float, now: Double) {
        let s = session.strings
        let state = session.levelPicker
        let choices = session.levelChoices
        let w: Float = min(620, width - 40)
        let rowHeight: Float = 26, headingHeight: Float = 24
        // Rows: a heading before each group, then the group's levels.
        var rows: [(heading: String?, index: Int?)] = []
        var lastHeading: String?
        for (i, choice) in choices.enumerated() {
            let heading = heading(choice.group, strings: s)
            if heading != lastHeading { rows.append((heading, nil)); lastHeading = heading }
            rows.append((nil, i))
        }
        let footer: Float = 96 + Float(min(2, state.modProblems.count)) * 18
        let available = max(rowHeight * 3, height - HUD.topBar - 40 - 50 - footer)
        let visible = max(3, Int(available / rowHeight))
        // Keep the highlighted level in view.
        let selectedRow = rows.firstIndex { $0.index == session.levelIndex } ?? 0
        if selectedRow < state.firstRow { state.firstRow = max(0, selectedRow - 1) }
        if selectedRow >= state.firstRow + visible { state.firstRow = selectedRow - visible + 1 }
        state.firstRow = max(0, min(state.firstRow, max(0, rows.count - visible)))
        let shown = rows[min(state.firstRow, rows.count)..<min(rows.count, state.firstRow + visible)]
        let listHeight = Float(shown.count) * rowHeight
        let h = 50 + listHeight + footer
        let x = width / 2 - w / 2, y = max(HUD.topBar + 10, height / 2 - h / 2)
        canvas.fillRect(x: x, y: y, width: w, height: h, color: Vec4(0.05, 0.06, 0.09, 1))
        canvas.strokeRect(x: x, y: y, width: w, height: h, color: Vec4(0.4, 0.44, 0.55, 1))
        canvas.pushTextBox(x: x, y: y, width: w, height: h)
        defer { canvas.popTextBox() }
        _ = canvas.drawText(s["menu.levels"], x: x + 20, y: y + 12, size: 18, color: HUD.accent)
        if rows.count > visible {
            _ = canvas.drawText("\(state.firstRow + 1)–\(state.firstRow + shown.count) / \(rows.count)", x: x + w - 120, y: y + 16, size: 12, color: HUD.dim)
        }
        state.rowRects = []
        var iy = y + 46
        for row in shown {
            if let heading = row.heading {
                _ = canvas.drawText(heading, x: x + 16, y: iy + 4, size: 13, color: HUD.accent)
                canvas.fillRect(x: x + 16, y: iy + headingHeight - 3, width: w - 32, height: 1, color: Vec4(0.4, 0.44, 0.55, 1))
            } else if let i = row.index {
                let choice = choices[i]
                if i == session.levelIndex { canvas.fillRect(x: x + 10, y: iy - 2, width: w - 20, height: rowHeight, color: Vec4(0.3, 0.35, 0.5, 1)) }
                state.rowRects.append((i, PanelRect(x: x + 10, y: iy - 2, width: w - 20, height: rowHeight)))
                let title = s.name(choice.title) + (choice.problem == nil ? "" : "  (!)")
                _ = canvas.drawText(title, x: x + 32, y: iy + 2, size: 15, color: choice.problem == nil ? HUD.text : Vec4(1, 0.6, 0.5, 1))
            }
            iy += rowHeight
        }
        // The highlighted level's problem, the path field, the mods that did not load, the keys.
        iy += 6
        if let problem = state.message ?? (choices.indices.contains(session.levelIndex) ? choices[session.levelIndex].problem : nil) {
            _ = canvas.drawText(clip(problem, canvas: canvas, width: w - 40, size: 12), x: x + 20, y: iy, size: 12, color: Vec4(1, 0.6, 0.5, 1))
        }
        iy += 20
        _ = canvas.drawText(s["levels.open_path"], x: x + 20, y: iy, size: 13, color: HUD.dim)
        canvas.fillRect(x: x + 20, y: iy + 18, width: w - 40, height: 24, color: Vec4(0.12, 0.13, 0.18, 1))
        let caret = Int(now * 2) % 2 == 0 ? "▏" : " "
        let typed = state.typedPath.isEmpty ? "" : clip(state.typedPath, canvas: canvas, width: w - 60, size: 14, keepEnd: true)
        _ = canvas.drawText(typed + caret, x: x + 26, y: iy + 22, size: 14, color: HUD.text)
        iy += 48
        for problem in state.modProblems.prefix(2) {
            _ = canvas.drawText(clip(s["levels.mod_refused"] + " " + problem, canvas: canvas, width: w - 40, size: 12),
                                x: x + 20, y: iy, size: 12, color: Vec4(1, 0.6, 0.5, 1))
            iy += 18
        }
        _ = canvas.drawText(s["levels.keys"], x: x + 20, y: iy, size: 12, color: HUD.dim)
    }

    /// `text` cut to `width` pixels with "…" (at its start when `keepEnd`, for paths).
    static func clip(_ text: String, canvas: Canvas2D, width: Float, size: Int, keepEnd: Bool = false) -> String {
        if Float(canvas.measureText(text, size: size).width) <= width { return text }
        var characters = Array(text)
        while characters.count > 1 {
            if keepEnd { characters.removeFirst() } else { characters.removeLast() }
            let candidate = keepEnd ? "…" + String(characters) : String(characters) + "…"
            if Float(canvas.measureText(candidate, size: size).width) <= width { return candidate }
        }
        return "…"
    }
}
