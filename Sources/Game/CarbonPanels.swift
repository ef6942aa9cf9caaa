// CarbonPanels.swift — the carbon panels' frame: the row of panel buttons above the overlay
// buttons, the open panel's frame with a tab for each panel, keys and the wheel. Each panel is
// its own file: PoliciesPanel, MarketPanel, RegistryPanel, PositionPanel, CitizensPanel, BudgetPanel; their
// controls are PanelUI's (PanelUI.swift), which draw and report their click in one call.
//
// One panel is open at a time, in a frame between the toolbar and the right edge. Each panel has
// a button in the row above the overlay buttons and a key (P, K, R, N, G, M); the same key closes
// it, Esc too. The panels read the city through `CityView` only, and change it only with
// commands (`setPolicy`, `sellOffsets`), so every change is in the replay log; a refused
// command's reason shows in the messages feed.
import CitySim
import Foundation
import Locale
import Render

public enum CarbonPanel: String, CaseIterable, Sendable {
    case policies, market, registry, position, citizens, budget

    /// The key that opens (and closes) the panel.
    public var shortcut: Character {
        switch self {
        case .policies: return "p"
        case .market: return "k"
        case .registry: return "r"
        case .position: return "n"
        case .citizens: return "g"
        case .budget: return "m"
        }
    }

    public var titleKey: String { "panels." + rawValue }
}

/// What the carbon panels remember between frames (the session holds it).
public struct CarbonPanelState: Sendable {
    public var open: CarbonPanel?
    /// Rows scrolled in the open panel's main list (policy levers, the market's firms).
    public var scroll = 0
    /// Market: how many periods back from the latest one the panel shows.
    public var periodBack = 0
    /// Registry: the selected account and the page of its blocks and history.
    public var account: RegistryAccountID = 1
    public var page = 0
    /// Every string the open panel drew in the last frame (what the player could read; tests check it).
    public internal(set) var drawnText: [String] = []
    /// Where each control was drawn in the last frame, by id ("policies.carbon_tax.plus", "tab.market", …).
    public internal(set) var controls: [String: PanelRect] = [:]
    /// The controls drawn disabled in the last frame, with the reason shown beside each.
    public internal(set) var disabled: [String: String] = [:]
    /// What the panels drew in the last frame that takes clicks: a click there is theirs, not the map's.
    var regions: [PanelRect] = []
    /// A click on `regions`, kept for the next frame's controls.
    var pendingClick: (x: Int, y: Int)?

    public init() {}

    mutating func show(_ panel: CarbonPanel?) {
        open = panel
        scroll = 0
        periodBack = 0
        page = 0
    }
}

public enum CarbonPanels {
    static let frameColor = Vec4(0.05, 0.06, 0.09, 0.96)
    static let buttonColor = Vec4(0.18, 0.2, 0.27, 1)
    static let activeColor = Vec4(0.3, 0.35, 0.5, 1)
    static let good = Vec4(0.6, 1, 0.6, 1)
    static let bad = Vec4(1, 0.5, 0.45, 1)

    // MARK: - Layout

    /// The open panel's frame: right of the toolbar, above the panel buttons.
    public static func frame(size: (width: Int, height: Int)) -> PanelRect {
        let x = HUD.toolbarWidth + 8, y = HUD.topBar + 8
        return PanelRect(x: x, y: y, width: max(300, Float(size.width) - x - 8), height: max(240, Float(size.height) - 60 - y))
    }

    // MARK: - Drawing: the buttons and the open panel

    public static func draw(_ canvas: Canvas2D, session: GameSession, now: Double) {
        let size = canvas.size
        let ui = PanelUI(canvas: canvas, session: session)
        let s = session.strings
        // The panels' buttons, in a row just above the overlay buttons.
        let buttonY = Float(size.height) - 22 - 4 - 22 - 4
        for (i, panel) in CarbonPanel.allCases.enumerated() {
            let rect = PanelRect(x: HUD.toolbarWidth + 8 + Float(i) * (128 + 4), y: buttonY, width: 128, height: 22)
            let label = "\(s[panel.titleKey]) (\(String(panel.shortcut).uppercased()))"
            if ui.button(rect, label, id: "panel." + panel.rawValue, active: session.panels.open == panel, style: .bar) {
                session.panels.show(session.panels.open == panel ? nil : panel)
            }
        }
        // The Forecast button ends the row, or starts a row above it when the window is too narrow.
        let forecastX = HUD.toolbarWidth + 8 + Float(CarbonPanel.allCases.count) * (128 + 4)
        let fits = forecastX + 128 <= Float(size.width) - 4
        ForecastPanel.draw(ui, buttonRect: PanelRect(x: fits ? forecastX : HUD.toolbarWidth + 8, y: fits ? buttonY : buttonY - 26,
                                                     width: 128, height: 22), size: size)
        guard session.panels.open != nil else { return }
        session.panels.drawnText = []
        let f = frame(size: size)
        ui.region(f)
        canvas.fillRect(x: f.x, y: f.y, width: f.width, height: f.height, color: frameColor)
        canvas.strokeRect(x: f.x, y: f.y, width: f.width, height: f.height, color: Vec4(0.3, 0.33, 0.42, 1))
        canvas.pushTextBox(x: f.x, y: f.y, width: f.width, height: f.height)
        defer { canvas.popTextBox() }
        let tabWidth = min(150, (f.width - 50) / Float(CarbonPanel.allCases.count))
        for (i, panel) in CarbonPanel.allCases.enumerated() {
            let rect = PanelRect(x: f.x + 6 + Float(i) * (tabWidth + 2), y: f.y + 6, width: tabWidth, height: 24)
            if ui.button(rect, s[panel.titleKey], id: "tab." + panel.rawValue, active: panel == session.panels.open, size: 13),
               panel != session.panels.open {
                session.panels.show(panel)
            }
        }
        if ui.button(PanelRect(x: f.x + f.width - 32, y: f.y + 6, width: 26, height: 24), "×", id: "panel.close", size: 14) {
            session.panels.show(nil)
            return
        }
        let content = PanelRect(x: f.x + 12, y: f.y + 40, width: f.width - 24, height: f.height - 48)
        switch session.panels.open {
        case .policies: PoliciesPanel.draw(ui, in: content, now: now)
        case .market: MarketPanel.draw(ui, in: content)
        case .registry: RegistryPanel.draw(ui, in: content)
        case .position: PositionPanel.draw(ui, in: content)
        case .citizens: CitizensPanel.draw(ui, in: content)
        case .budget: BudgetPanel.draw(ui, in: content)
        case nil: break
        }
    }

    // MARK: - Input

    /// Whether the pixel is over what the panels drew in the last frame (the map does not take it).
    public static func covers(x: Int, y: Int, session: GameSession) -> Bool {
        session.panels.regions.contains { $0.contains(x, y) }
    }

    /// A left click: if it is over the panels, it is kept for their next frame, whose controls
    /// act on it, and true is returned (the map does not get it).
    @discardableResult
    public static func takeClick(x: Int, y: Int, session: GameSession) -> Bool {
        guard covers(x: x, y: y, session: session) else { return false }
        if session.panels.pendingClick == nil { session.panels.pendingClick = (x, y) }
        return true
    }

    /// A key press; true if a panel took it (the panels' letters, and Esc and the arrows while one is open).
    public static func handleKey(_ code: Int32, ctrl: Bool, session: GameSession) -> Bool {
        if !ctrl, let panel = CarbonPanel.allCases.first(where: { KeyCode.letter($0.shortcut) == code }) {
            session.panels.show(session.panels.open == panel ? nil : panel)
            return true
        }
        guard let open = session.panels.open else { return false }
        let registryCount = RegistryAccountID(session.view.registry.accounts.count)
        switch code {
        case KeyCode.escape:
            session.panels.show(nil)
        case KeyCode.up, KeyCode.down:
            let step = code == KeyCode.up ? -1 : 1
            if open == .registry {
                session.panels.account = min(max(0, session.panels.account + RegistryAccountID(step)), max(0, registryCount - 1))
                session.panels.page = 0
            } else {
                session.panels.scroll = max(0, session.panels.scroll + step)
            }
        case KeyCode.left, KeyCode.right:
            let step = code == KeyCode.left ? 1 : -1
            if open == .market { session.panels.periodBack = max(0, session.panels.periodBack + step) }
            if open == .registry { session.panels.page = max(0, session.panels.page - step) }
        default:
            return false
        }
        return true
    }

    /// The wheel over the open panel scrolls its list; true if a panel took it.
    public static func wheel(_ dy: Float, at point: (x: Int, y: Int), session: GameSession, size: (width: Int, height: Int)) -> Bool {
        guard let open = session.panels.open, frame(size: size).contains(point.x, point.y) else { return false }
        let step = dy > 0 ? -1 : 1
        if open == .registry {
            let count = RegistryAccountID(session.view.registry.accounts.count)
            session.panels.account = min(max(0, session.panels.account + RegistryAccountID(step)), max(0, count - 1))
            session.panels.page = 0
        } else {
            session.panels.scroll = max(0, session.panels.scroll + step)
        }
        return true
    }

    // MARK: - Refusals in the player's language

    /// A refused command's reason for the messages feed, in the player's language.
    public static func refusalText(_ refusal: Refusal, strings s: Strings) -> String {
        let key = "refusals." + refusal.key
        guard s.has(key) else { return refusal.description }
        var values = Dictionary(uniqueKeysWithValues: refusal.values.map { ($0.name, $0.value) })
        if let tool = values["tool"], s.has("tools." + tool) { values["tool"] = s["tools." + tool] }
        // A lever by its name in the player's language, never by its key.
        if let policy = values["policy"], let lever = PolicyLever.named(policy) { values["policy"] = s.name(lever.title) }
        return s.fill(key, values)
    }
}
