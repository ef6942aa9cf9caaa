// SettingsScreen.swift — the Esc menu's Settings: language, interface scale, window, graphics
// quality, day and night, the colour-blind palette, edge scrolling, autosaves and the yearly card.
// Every change is applied at once (`apply`) and written to settings.toml (Settings.swift).
//
// Keys: ↑/↓ choose a setting, ←/→ or Enter change it, Esc closes. The mouse: a click on a
// setting's row moves it to its next value (its left third, to the previous one).
import CitySim
import Foundation
import Locale
import Render
import Report

public final class SettingsScreenState {
    public var isOpen = false
    public var index = 0
    /// Where each setting's row was last drawn.
    public internal(set) var rowRects: [(index: Int, rect: PanelRect)] = []
    public init() {}
}

public enum SettingsScreen {
    /// The settings listed, in order (each a key of `[options]` in the locale files).
    public static let rows = ["language", "ui_scale", "fullscreen", "resolution", "quality", "day_night",
                              "colour_blind", "edge_scrolling", "autosave_months", "yearly_card"]

    static func open(_ session: GameSession) {
        session.settingsScreen.isOpen = true
        session.settingsScreen.index = 0
    }

    /// The value of a setting as shown, in the player's language.
    static func value(_ row: String, settings: GameSettings, strings s: Strings) -> String {
        func flag(_ on: Bool) -> String { s[on ? "options.on" : "options.off"] }
        switch row {
        case "language": return s.language == .zh ? "中文" : "English"
        case "ui_scale": return String(format: "%.2g×", settings.uiScale)
        case "fullscreen": return flag(settings.fullscreen)
        case "resolution": return settings.resolution.description.replacingOccurrences(of: "x", with: " × ")
        case "quality": return s["options.quality_" + settings.quality.rawValue]
        case "day_night": return s["options.day_night_" + settings.dayNight.rawValue]
        case "colour_blind": return flag(settings.colourBlind)
        case "edge_scrolling": return flag(settings.edgeScrolling)
        case "autosave_months": return settings.autosaveMonths == 0 ? s["options.never"] : s.fill("options.months", ["count": "\(settings.autosaveMonths)"])
        case "yearly_card": return flag(settings.yearlyCard)
        default: return ""
        }
    }

    /// `list`'s next (or previous) element after `current`.
    static func step<T: Equatable>(_ list: [T], _ current: T, _ by: Int) -> T {
        let i = list.firstIndex(of: current) ?? 0
        return list[((i + by) % list.count + list.count) % list.count]
    }

    /// Moves a setting to its next (`by` 1) or previous (−1) value, applies it and saves.
    public static func change(_ row: String, by: Int, session: GameSession, now: Double) {
        var settings = session.settings
        switch row {
        case "language": settings.language = session.strings.language.other
        case "ui_scale": settings.uiScale = step(GameSettings.uiScales, settings.uiScale, by)
        case "fullscreen": settings.fullscreen.toggle()
        case "resolution": settings.resolution = step(GameSettings.Resolution.offered, settings.resolution, by)
        case "quality": settings.quality = step(GameSettings.GraphicsQuality.allCases, settings.quality, by)
        case "day_night": settings.dayNight = step(GameSettings.DayNight.allCases, settings.dayNight, by)
        case "colour_blind": settings.colourBlind.toggle()
        case "edge_scrolling": settings.edgeScrolling.toggle()
        case "autosave_months": settings.autosaveMonths = step(GameSettings.autosaveChoices, settings.autosaveMonths, by)
        case "yearly_card": settings.yearlyCard.toggle()
        default: return
        }
        session.settings = settings
        apply(session)
        guard let path = session.namePrompt.settingsPath else { return }
        do {
            try settings.save(to: path)
        } catch {
            session.notify("\(path): \(error)", now: now)
        }
    }

    /// Puts the settings into effect: the language, the palette, the yearly card, the scene
    /// (quality, day and night); the window's size and full screen are applied by the game loop.
    public static func apply(_ session: GameSession) {
        let settings = session.settings
        if let language = settings.language, language != session.strings.language { session.strings = Strings(language: language) }
        Palette.colourBlindSafe = settings.colourBlind
        ReportColors.colourBlindSafe = settings.colourBlind
        session.showsYearlyCard = settings.yearlyCard
        session.staticDirty = true
    }

    /// An event while the screen is open; true if it took it.
    static func handle(_ event: InputEvent, session: GameSession, now: Double) -> Bool {
        let state = session.settingsScreen
        switch event {
        case .quit, .resize, .pointerLeft: return false
        case .key(let code, let down, _, _):
            guard down else { return true }
            switch code {
            case KeyCode.escape: state.isOpen = false
            case KeyCode.up: state.index = (state.index + rows.count - 1) % rows.count
            case KeyCode.down: state.index = (state.index + 1) % rows.count
            case KeyCode.left: change(rows[state.index], by: -1, session: session, now: now)
            case KeyCode.right, KeyCode.enter: change(rows[state.index], by: 1, session: session, now: now)
            default: break
            }
            return true
        case .mouseDown(let x, let y, let button):
            guard button == .left else { return true }
            if let row = state.rowRects.first(where: { $0.rect.contains(x, y) }) {
                state.index = row.index
                change(rows[row.index], by: Float(x) < row.rect.x + row.rect.width / 3 ? -1 : 1, session: session, now: now)
            }
            return true
        default:
            return true
        }
    }

    static func draw(_ canvas: Canvas2D, session: GameSession, width: Float, height: Float) {
        let s = session.strings
        let state = session.settingsScreen
        let rowHeight: Float = 30
        let w: Float = min(560, width - 40), h = 60 + Float(rows.count) * rowHeight + 40
        let x = width / 2 - w / 2, y = max(HUD.topBar + 4, height / 2 - h / 2)
        canvas.fillRect(x: x, y: y, width: w, height: h, color: Vec4(0.05, 0.06, 0.09, 1))
        canvas.strokeRect(x: x, y: y, width: w, height: h, color: Vec4(0.4, 0.44, 0.55, 1))
        canvas.pushTextBox(x: x, y: y, width: w, height: h)
        defer { canvas.popTextBox() }
        HUD.label(canvas, session: session, s["menu.settings"], x: x + 20, y: y + 12, width: w - 40, size: 18, color: HUD.accent)
        state.rowRects = []
        let valueX = x + w * 0.58
        for (i, row) in rows.enumerated() {
            let rect = PanelRect(x: x + 10, y: y + 48 + Float(i) * rowHeight, width: w - 20, height: rowHeight - 2)
            if i == state.index { canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: Vec4(0.3, 0.35, 0.5, 1)) }
            state.rowRects.append((i, rect))
            HUD.label(canvas, session: session, s["options." + row], x: rect.x + 10, y: rect.y + 5, width: valueX - rect.x - 20, size: 15)
            HUD.label(canvas, session: session, "‹ " + value(row, settings: session.settings, strings: s) + " ›", x: valueX, y: rect.y + 5,
                      width: rect.x + rect.width - valueX - 8, size: 15, color: HUD.accent)
        }
        HUD.label(canvas, session: session, s["options.keys"], x: x + 20, y: y + h - 28, width: w - 40, size: 12, color: HUD.dim)
    }
}
