// CarbonPanels.swift — the carbon panels: policy levers, the carbon market, the registry, the
// city's carbon position (offsets and green-power certificates) and the citizens' carbon accounts.
//
// [SECTION] Panels, keys and the HUD buttons
// [SECTION] Layout (shared by drawing and clicks)
// [SECTION] Input: clicks, keys, the wheel
// [SECTION] Commands: policy levers and selling credits
// [SECTION] Drawing helpers
// [SECTION] Policies
// [SECTION] Market
// [SECTION] Registry
// [SECTION] Carbon position, offsets and certificates
// [SECTION] Citizens' carbon accounts
// [SECTION] Refusals in the player's language
//
// One panel is open at a time, in a frame between the toolbar and the right edge, with a tab for
// each panel along its top. Each panel has a button in the row above the overlay buttons and a
// key (P, K, R, N, G); the same key closes it, Esc too. The panels read the city through
// `CityView` only, and change it only with commands (`setPolicy`, `sellOffsets`), so every change
// is in the replay log; a refused command's reason shows in the messages feed.
import CitySim
import ECS
import Foundation
import Locale
import Render

// MARK: - [SECTION] Panels, keys and the HUD buttons

public enum CarbonPanel: String, CaseIterable, Sendable {
    case policies, market, registry, position, citizens

    /// The key that opens (and closes) the panel.
    public var shortcut: Character {
        switch self {
        case .policies: return "p"
        case .market: return "k"
        case .registry: return "r"
        case .position: return "n"
        case .citizens: return "g"
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

    public init() {}

    mutating func show(_ panel: CarbonPanel?) {
        open = panel
        scroll = 0
        periodBack = 0
        page = 0
    }
}

/// A rectangle in framebuffer pixels (origin top-left).
public struct PanelRect: Sendable, Equatable {
    public var x: Float, y: Float, width: Float, height: Float

    public init(x: Float, y: Float, width: Float, height: Float) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public func contains(_ px: Int, _ py: Int) -> Bool {
        Float(px) >= x && Float(px) < x + width && Float(py) >= y && Float(py) < y + height
    }

    public var center: (x: Int, y: Int) { (Int(x + width / 2), Int(y + height / 2)) }
}

public enum CarbonPanels {
    static let frameColor = Vec4(0.05, 0.06, 0.09, 0.96)
    static let buttonColor = Vec4(0.18, 0.2, 0.27, 1)
    static let activeColor = Vec4(0.3, 0.35, 0.5, 1)
    static let good = Vec4(0.6, 1, 0.6, 1)
    static let bad = Vec4(1, 0.5, 0.45, 1)

    // MARK: - [SECTION] Layout

    /// The panels' buttons, in a row just above the overlay buttons.
    public static func buttons(size: (width: Int, height: Int)) -> [(panel: CarbonPanel, rect: PanelRect)] {
        let width: Float = 128, height: Float = 22, gap: Float = 4
        let y = Float(size.height) - 22 - 4 - height - 4
        return CarbonPanel.allCases.enumerated().map { i, panel in
            (panel, PanelRect(x: HUD.toolbarWidth + 8 + Float(i) * (width + gap), y: y, width: width, height: height))
        }
    }

    /// The open panel's frame: right of the toolbar, above the buttons.
    public static func frame(size: (width: Int, height: Int)) -> PanelRect {
        let x = HUD.toolbarWidth + 8, y = HUD.topBar + 8
        return PanelRect(x: x, y: y, width: max(300, Float(size.width) - x - 8), height: max(240, Float(size.height) - 60 - y))
    }

    public static func tabs(size: (width: Int, height: Int)) -> [(panel: CarbonPanel, rect: PanelRect)] {
        let f = frame(size: size)
        let width = min(150, (f.width - 50) / Float(CarbonPanel.allCases.count))
        return CarbonPanel.allCases.enumerated().map { i, panel in
            (panel, PanelRect(x: f.x + 6 + Float(i) * (width + 2), y: f.y + 6, width: width, height: 24))
        }
    }

    public static func closeButton(size: (width: Int, height: Int)) -> PanelRect {
        let f = frame(size: size)
        return PanelRect(x: f.x + f.width - 32, y: f.y + 6, width: 26, height: 24)
    }

    /// Where a panel draws its contents (below the tabs).
    static func content(size: (width: Int, height: Int)) -> PanelRect {
        let f = frame(size: size)
        return PanelRect(x: f.x + 12, y: f.y + 40, width: f.width - 24, height: f.height - 48)
    }

    /// One lever's row in the policies panel; a 0/1 lever has a toggle instead of − and +.
    public struct PolicyRow {
        public var lever: PolicyLever
        public var x: Float, y: Float, width: Float
        public var minus: PanelRect?
        public var plus: PanelRect?
        public var toggle: PanelRect?
    }

    static let policyRowHeight: Float = 22

    /// Levers per column that fit, in two columns.
    static func policiesPerColumn(size: (width: Int, height: Int)) -> Int {
        let fit = max(1, Int((content(size: size).height - 26 - 22) / policyRowHeight))
        return min(fit, (PolicyLever.all.count + 1) / 2)
    }

    /// The policy rows on screen (two columns, filled top to bottom, scrolled by `scroll` levers).
    public static func policyRows(session: GameSession, size: (width: Int, height: Int)) -> [PolicyRow] {
        let c = content(size: size)
        let perColumn = policiesPerColumn(size: size)
        let levers = PolicyLever.all
        let first = min(max(0, session.panels.scroll), max(0, levers.count - 2 * perColumn))
        let columnWidth = (c.width - 12) / 2
        var rows: [PolicyRow] = []
        for (n, lever) in levers.dropFirst(first).prefix(2 * perColumn).enumerated() {
            let x = c.x + Float(n / perColumn) * (columnWidth + 12)
            let y = c.y + 26 + Float(n % perColumn) * policyRowHeight
            var row = PolicyRow(lever: lever, x: x, y: y, width: columnWidth)
            if lever.unit == "0/1" {
                row.toggle = PanelRect(x: x + columnWidth - 60, y: y + 1, width: 58, height: 19)
            } else {
                row.minus = PanelRect(x: x + columnWidth - 58, y: y + 1, width: 26, height: 19)
                row.plus = PanelRect(x: x + columnWidth - 28, y: y + 1, width: 26, height: 19)
            }
            rows.append(row)
        }
        return rows
    }

    /// The market panel's ◀ and ▶ period buttons.
    public static func periodButtons(size: (width: Int, height: Int)) -> (previous: PanelRect, next: PanelRect) {
        let c = content(size: size)
        return (PanelRect(x: c.x + c.width - 240, y: c.y - 1, width: 24, height: 20),
                PanelRect(x: c.x + c.width - 26, y: c.y - 1, width: 24, height: 20))
    }

    static let accountRowHeight: Float = 30

    /// The registry's account list (left column), scrolled so that the selected account shows.
    public static func accountRows(session: GameSession, size: (width: Int, height: Int)) -> [(id: RegistryAccountID, rect: PanelRect)] {
        let c = content(size: size)
        let count = session.view.registry.accounts.count
        let fit = max(1, Int((c.height - 44) / accountRowHeight))
        let selected = Int(min(max(0, session.panels.account), RegistryAccountID(max(0, count - 1))))
        let first = max(0, min(selected - fit / 2, count - fit))
        return (first..<min(count, first + fit)).map { i in
            (RegistryAccountID(i), PanelRect(x: c.x, y: c.y + 40 + Float(i - first) * accountRowHeight, width: c.width * 0.44, height: accountRowHeight - 2))
        }
    }

    /// The registry's ◀ and ▶ page buttons (blocks and history of the selected account).
    public static func pageButtons(size: (width: Int, height: Int)) -> (previous: PanelRect, next: PanelRect) {
        let c = content(size: size)
        return (PanelRect(x: c.x + c.width - 160, y: c.y - 1, width: 24, height: 20),
                PanelRect(x: c.x + c.width - 26, y: c.y - 1, width: 24, height: 20))
    }

    /// The carbon-position panel's "Sell 10 credits" button.
    public static func sellButton(size: (width: Int, height: Int)) -> PanelRect {
        let c = content(size: size)
        return PanelRect(x: c.x, y: c.y + 132 + 22 + 7 * 17 + 6, width: min(300, c.width * 0.46), height: 24)
    }

    // MARK: - [SECTION] Input

    /// Whether the pixel is over a panel button or the open panel (the map does not take it).
    public static func covers(x: Int, y: Int, session: GameSession, size: (width: Int, height: Int)) -> Bool {
        if buttons(size: size).contains(where: { $0.rect.contains(x, y) }) { return true }
        return session.panels.open != nil && frame(size: size).contains(x, y)
    }

    /// A left click; true if a panel took it.
    @discardableResult
    public static func click(x: Int, y: Int, session: GameSession, size: (width: Int, height: Int), now: Double) -> Bool {
        if let hit = buttons(size: size).first(where: { $0.rect.contains(x, y) }) {
            session.panels.show(session.panels.open == hit.panel ? nil : hit.panel)
            return true
        }
        guard let open = session.panels.open, frame(size: size).contains(x, y) else { return false }
        if closeButton(size: size).contains(x, y) {
            session.panels.show(nil)
            return true
        }
        if let tab = tabs(size: size).first(where: { $0.rect.contains(x, y) }) {
            if tab.panel != open { session.panels.show(tab.panel) }
            return true
        }
        switch open {
        case .policies:
            for row in policyRows(session: session, size: size) {
                let value = session.view.policies[row.lever]
                if let toggle = row.toggle, toggle.contains(x, y) {
                    setPolicy(row.lever, to: value >= 0.5 ? 0 : 1, session: session, now: now)
                } else if let minus = row.minus, minus.contains(x, y) {
                    setPolicy(row.lever, to: nudged(row.lever, from: value, up: false, year: session.view.clock.year), session: session, now: now)
                } else if let plus = row.plus, plus.contains(x, y) {
                    setPolicy(row.lever, to: nudged(row.lever, from: value, up: true, year: session.view.clock.year), session: session, now: now)
                }
            }
        case .market:
            let buttons = periodButtons(size: size)
            if buttons.previous.contains(x, y) { session.panels.periodBack += 1 }
            if buttons.next.contains(x, y) { session.panels.periodBack = max(0, session.panels.periodBack - 1) }
        case .registry:
            if let row = accountRows(session: session, size: size).first(where: { $0.rect.contains(x, y) }) {
                session.panels.account = row.id
                session.panels.page = 0
            }
            let buttons = pageButtons(size: size)
            if buttons.previous.contains(x, y) { session.panels.page = max(0, session.panels.page - 1) }
            if buttons.next.contains(x, y) { session.panels.page += 1 }
        case .position:
            if sellButton(size: size).contains(x, y) { sellCredits(10, session: session) }
        case .citizens:
            break
        }
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

    // MARK: - [SECTION] Commands

    /// The lever's next value up or down: the next multiple of its step, within its range. A
    /// year lever jumps between "not set" (0) and this year; a 0/1 lever toggles.
    public static func nudged(_ lever: PolicyLever, from value: Double, up: Bool, year: Int) -> Double {
        if lever.unit == "0/1" { return value >= 0.5 ? 0 : 1 }
        if lever.unit == "year" {
            if up { return value < Double(year) - 50 ? Double(year) : min(lever.range.upperBound, value + 1) }
            return value - 1 < Double(year) - 50 ? 0 : value - 1
        }
        let steps = value / lever.step
        let next = up ? (steps + 1e-9).rounded(.down) + 1 : (steps - 1e-9).rounded(.up) - 1
        let clamped = min(lever.range.upperBound, max(lever.range.lowerBound, next * lever.step))
        return (clamped * 1e9).rounded() / 1e9
    }

    /// Submits `.setPolicy` (when the value changes) and applies it at once, as the next tick's
    /// input phase would, so the panel shows the new value (or the refusal) straight away.
    static func setPolicy(_ lever: PolicyLever, to value: Double, session: GameSession, now: Double) {
        guard value != session.view.policies[lever] else {
            session.notify(session.strings.fill("policies.unchanged", ["lever": session.strings.name(lever.title)]), now: now)
            return
        }
        session.city.submit(.setPolicy(lever.name, value))
        session.city.applyPendingCommands()
    }

    static func sellCredits(_ count: Int, session: GameSession) {
        session.city.submit(.sellOffsets(count: count))
        session.city.applyPendingCommands()
    }

    // MARK: - [SECTION] Drawing helpers

    /// Draws text for the panels and records what was drawn.
    struct Pen {
        let canvas: Canvas2D
        let session: GameSession

        var s: Strings { session.strings }

        /// `text` cut with "…" to fit `width` pixels.
        func fit(_ text: String, size: Int, width: Float) -> String {
            guard Float(canvas.measureText(text, size: size).width) > width else { return text }
            let characters = Array(text)
            var low = 0, high = characters.count
            while low < high {
                let mid = (low + high + 1) / 2
                if Float(canvas.measureText(String(characters.prefix(mid)) + "…", size: size).width) <= width { low = mid } else { high = mid - 1 }
            }
            return String(characters.prefix(low)) + "…"
        }

        @discardableResult
        func text(_ text: String, x: Float, y: Float, size: Int = 12, color: Vec4 = HUD.text, width: Float? = nil) -> Float {
            guard !text.isEmpty else { return 0 }
            let shown = width.map { fit(text, size: size, width: $0) } ?? text
            session.panels.drawnText.append(shown)
            return Float(canvas.drawText(shown, x: x, y: y, size: size, color: color).width)
        }

        /// Text whose right edge is at `right`.
        func right(_ text: String, right: Float, y: Float, size: Int = 12, color: Vec4 = HUD.text) {
            let width = Float(canvas.measureText(text, size: size).width)
            self.text(text, x: right - width, y: y, size: size, color: color)
        }

        func button(_ rect: PanelRect, _ label: String, active: Bool = false, size: Int = 12) {
            canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: active ? activeColor : buttonColor)
            canvas.strokeRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: Vec4(0.4, 0.44, 0.55, 1))
            let label = fit(label, size: size, width: rect.width - 8)
            let width = Float(canvas.measureText(label, size: size).width)
            text(label, x: rect.x + (rect.width - width) / 2, y: rect.y + (rect.height - Float(size)) / 2 - 2, size: size,
                 color: active ? HUD.accent : HUD.text)
        }

        /// "label ........ value" across `width`.
        func pair(_ label: String, _ value: String, x: Float, y: Float, width: Float, size: Int = 12, color: Vec4 = HUD.text) {
            let valueWidth = Float(canvas.measureText(value, size: size).width)
            text(label, x: x, y: y, size: size, color: HUD.dim, width: max(20, width - valueWidth - 10))
            right(value, right: x + width, y: y, size: size, color: color)
        }

        func heading(_ text: String, x: Float, y: Float, width: Float? = nil) {
            self.text(text, x: x, y: y, size: 14, color: HUD.accent, width: width)
        }
    }

    static func price(_ value: Double) -> String { Fixed.format(value, 2) }


    /// A lever's value as the panel shows it, with its unit.
    static func leverValue(_ lever: PolicyLever, _ value: Double, strings s: Strings) -> String {
        func number(_ v: Double) -> String { NumberText.trimmed(v) }
        switch lever.unit {
        case "0/1": return value >= 0.5 ? s["policies.on"] : s["policies.off"]
        case "year": return value < 1 ? s["policies.not_set"] : String(Int(value))
        case "fraction", "fraction/yr":
            if value < 0 { return s["policies.catalog_default"] }
            return number(value * 100) + "%"
        case "level": return s["policies.standard_\(min(2, max(0, Int(value.rounded()))))"]
        case "yuan/tCO2e":
            if value == 0 && (lever.name == "price_floor" || lever.name == "price_ceiling") { return s["panels.none"] }
            return number(value) + " " + s["units.yuan_per_t"]
        case "yuan/km": return number(value) + " " + s["units.yuan_per_km"]
        case "ratio":
            if value == 0 && lever.name == "datacentre_pue_cap" { return s["panels.none"] }
            return number(value) + (lever.name == "datacentre_pue_cap" ? "" : " " + s["units.times"])
        default: return number(value) + " " + lever.unit
        }
    }

    static func accountName(_ id: RegistryAccountID, registry: CarbonRegistry, strings s: Strings) -> String {
        guard let account = registry.account(id) else { return "#\(id)" }
        return s.name(account.name)
    }

    /// A registry note in the player's language: looked up by its words (`notes.free_allocation`),
    /// with its numbers put back in order; a note the locale files do not know is shown as it is.
    static func noteText(_ note: String, strings s: Strings) -> String {
        var words: [String] = [], numbers: [String] = []
        var token = ""
        func flush() {
            guard !token.isEmpty else { return }
            if token.allSatisfy(\.isNumber) { numbers.append(token) } else { words.append(token.lowercased()) }
            token = ""
        }
        for character in note {
            if character.isLetter || character.isNumber { token.append(character) } else { flush() }
        }
        flush()
        let key = "notes." + words.joined(separator: "_")
        guard !words.isEmpty, s.has(key) else { return note }
        var values: [String: String] = [:]
        for (i, number) in numbers.enumerated() { values["\(i)"] = number }
        return s.fill(key, values)
    }

    static func dateText(tick: Int64, startYear: Int) -> String {
        let date = Clock(startYear: startYear, tick: tick).date
        return String(format: "%04d-%02d-%02d", date.year, date.month, date.day)
    }

    // MARK: - Drawing: the buttons and the open panel

    public static func draw(_ canvas: Canvas2D, session: GameSession) {
        let size = canvas.size
        let pen = Pen(canvas: canvas, session: session)
        let s = session.strings
        for (panel, rect) in buttons(size: size) {
            let active = session.panels.open == panel
            canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: active ? activeColor : HUD.panel)
            let label = pen.fit("\(s[panel.titleKey]) (\(String(panel.shortcut).uppercased()))", size: 12, width: rect.width - 8)
            _ = canvas.drawText(label, x: rect.x + 5, y: rect.y + 4, size: 12, color: active ? HUD.accent : HUD.text)
        }
        guard let open = session.panels.open else { return }
        session.panels.drawnText = []
        let f = frame(size: size)
        canvas.fillRect(x: f.x, y: f.y, width: f.width, height: f.height, color: frameColor)
        canvas.strokeRect(x: f.x, y: f.y, width: f.width, height: f.height, color: Vec4(0.3, 0.33, 0.42, 1))
        for (panel, rect) in tabs(size: size) { pen.button(rect, s[panel.titleKey], active: panel == open, size: 13) }
        pen.button(closeButton(size: size), "×", size: 14)
        let c = content(size: size)
        switch open {
        case .policies: drawPolicies(pen, session: session, content: c, size: size)
        case .market: drawMarket(pen, session: session, content: c, size: size)
        case .registry: drawRegistry(pen, session: session, content: c, size: size)
        case .position: drawPosition(pen, session: session, content: c, size: size)
        case .citizens: drawCitizens(pen, session: session, content: c)
        }
    }

    // MARK: - [SECTION] Policies

    static func drawPolicies(_ pen: Pen, session: GameSession, content c: PanelRect, size: (width: Int, height: Int)) {
        let s = session.strings, policies = session.view.policies, canvas = pen.canvas
        pen.heading(s["policies.title"], x: c.x, y: c.y)
        let rows = policyRows(session: session, size: size)
        for (i, row) in rows.enumerated() {
            if i % 2 == 0 { canvas.fillRect(x: row.x, y: row.y, width: row.width, height: policyRowHeight - 1, color: Vec4(1, 1, 1, 0.04)) }
            let value = policies[row.lever]
            var valueRight = row.x + row.width - 64
            if let toggle = row.toggle {
                pen.button(toggle, CarbonPanels.leverValue(row.lever, value, strings: s), active: value >= 0.5)
                valueRight = toggle.x - 6
            } else {
                if let minus = row.minus { pen.button(minus, "-", size: 14) }
                if let plus = row.plus { pen.button(plus, "+", size: 14) }
                let text = leverValue(row.lever, value, strings: s)
                pen.right(text, right: valueRight, y: row.y + 3, size: 12, color: HUD.accent)
                valueRight -= Float(canvas.measureText(text, size: 12).width)
            }
            pen.text(s.name(row.lever.title), x: row.x + 6, y: row.y + 3, size: 12, width: max(30, valueRight - row.x - 16))
        }
        let hidden = PolicyLever.all.count - rows.count
        var footer = s["panels.keys_policies"]
        if hidden > 0 { footer += "   " + s.fill("panels.more", ["count": "\(hidden)"]) }
        pen.text(footer, x: c.x, y: c.y + c.height - 16, size: 11, color: HUD.dim, width: c.width)
    }

    // MARK: - [SECTION] Market

    /// The settled periods, then the one under way.
    static func periods(_ market: CarbonMarket) -> [MarketPeriod] {
        market.periods + (market.current.map { [$0] } ?? [])
    }

    static func drawMarket(_ pen: Pen, session: GameSession, content c: PanelRect, size: (width: Int, height: Int)) {
        let s = session.strings, view = session.view, canvas = pen.canvas
        let market = view.carbonMarket, registry = view.registry, policies = view.policies
        pen.heading(s["market.title"], x: c.x, y: c.y, width: c.width - 250)
        let all = periods(market)
        var y = c.y + 22
        if all.isEmpty {
            pen.text(policies.capAndTrade > 0 ? s["market.waiting"] : s["market.off"], x: c.x, y: y, size: 13, width: c.width)
            y += 22
        }
        // The period chosen with ◀ ▶ (the latest by default).
        session.panels.periodBack = min(session.panels.periodBack, max(0, all.count - 1))
        let chosenIndex = all.count - 1 - session.panels.periodBack
        let chosen = all.indices.contains(chosenIndex) ? all[chosenIndex] : nil
        let isOpen = chosen != nil && chosenIndex == all.count - 1 && market.current != nil
        let arrows = periodButtons(size: size)
        pen.button(arrows.previous, s["panels.previous"])
        pen.button(arrows.next, s["panels.next"])
        if let chosen {
            let label = s.fill("market.period", ["year": "\(chosen.year)"]) + " (" + s[isOpen ? "market.open" : "market.settled"] + ")"
            pen.text(label, x: arrows.previous.x + 30, y: c.y + 1, size: 13, color: HUD.text, width: arrows.next.x - arrows.previous.x - 36)
        }

        // The price chart (points joined by steps) over the volume bars, with the floor and ceiling.
        let chartWidth = min(420, c.width * 0.48), chartHeight: Float = c.height > 520 ? 140 : 110
        let chartX = c.x + 34, chartTop = y + 18
        pen.text(s["market.price_chart"], x: c.x, y: y, size: 12, color: HUD.dim, width: chartWidth + 30)
        canvas.fillRect(x: chartX, y: chartTop, width: chartWidth, height: chartHeight, color: Vec4(1, 1, 1, 0.05))
        let floor = policies.priceFloor, ceiling = policies.priceCeiling
        let maxPrice = max(1, all.map(\.price).max() ?? 0, floor, ceiling) * 1.15
        let maxVolume = Double(max(1, all.map(\.volume).max() ?? 0))
        let slots = max(all.count, 8)
        let slot = chartWidth / Float(slots)
        let bottom = chartTop + chartHeight
        func priceY(_ p: Double) -> Float { bottom - Float(p / maxPrice) * chartHeight }
        var previousY: Float?
        for (i, period) in all.enumerated() {
            let x = chartX + Float(i) * slot
            let barHeight = Float(Double(period.volume) / maxVolume) * chartHeight * 0.45
            canvas.fillRect(x: x + slot * 0.2, y: bottom - barHeight, width: max(2, slot * 0.6), height: barHeight, color: Vec4(0.4, 0.55, 0.8, 0.8))
            let py = priceY(period.price)
            canvas.fillRect(x: x, y: py - 1, width: slot, height: 3, color: HUD.accent)
            if let previousY { canvas.fillRect(x: x - 1, y: min(previousY, py) - 1, width: 3, height: abs(previousY - py) + 3, color: HUD.accent) }
            previousY = py
            if i == chosenIndex { canvas.strokeRect(x: x, y: chartTop, width: slot, height: chartHeight, color: Vec4(1, 1, 1, 0.5)) }
            if i == 0 || i == all.count - 1 || i == chosenIndex {
                pen.text("\(period.year)", x: x, y: bottom + 2, size: 10, color: HUD.dim)
            }
        }
        for (value, key, color) in [(floor, "market.floor", good), (ceiling, "market.ceiling", bad)] where value > 0 {
            let ly = priceY(value)
            canvas.fillRect(x: chartX, y: ly, width: chartWidth, height: 1, color: color)
            pen.right("\(s[key]) \(price(value))", right: chartX + chartWidth - 2, y: ly - 13, size: 10, color: color)
        }
        pen.right(Fixed.format(maxPrice, 0), right: chartX - 3, y: chartTop - 2, size: 10, color: HUD.dim)
        pen.right("0", right: chartX - 3, y: bottom - 10, size: 10, color: HUD.dim)
        canvas.fillRect(x: c.x, y: bottom + 18, width: 10, height: 8, color: Vec4(0.4, 0.55, 0.8, 0.8))
        pen.text(s["market.volume"] + (chosen.map { ": " + NumberText.grouped($0.volume) } ?? ""), x: c.x + 14, y: bottom + 15, size: 11, color: HUD.dim,
                 width: chartWidth)

        // The chosen period's figures, in two columns right of the chart.
        let figuresX = chartX + chartWidth + 20
        let columnWidth = (c.x + c.width - figuresX - 12) / 2
        if let p = chosen {
            var left: [(String, String)] = [
                (s["market.price"], "\(price(p.price)) \(s["units.yuan_per_t"])"),
                (s["market.cap"], NumberText.grouped(p.cap)),
                (s["market.free_allocation"], NumberText.grouped(p.freeAllocation)),
                (s["market.auctioned"], NumberText.grouped(p.auctioned)),
                (s["market.reserve_sold"], NumberText.grouped(p.reserveSold)),
                (s["market.auction_revenue"], s.money(p.auctionRevenue)),
            ]
            var right: [(String, String)] = []
            if p.settled {
                right = [
                    (s["market.verified_total"], NumberText.grouped(p.verified) + " " + s["units.tonnes"]),
                    (s["market.surrendered"], NumberText.grouped(p.surrendered)),
                    (s["market.offsets_surrendered"], NumberText.grouped(p.offsetsSurrendered)),
                    (s["market.lapsed"], NumberText.grouped(p.lapsed)),
                    (s["market.fines"], s.money(p.fines)),
                    (s["market.compliance"], "\(p.compliant) / \(p.firms)"),
                ]
            } else {
                left.append((s["market.firms"], "\(p.firms)"))
            }
            for (i, item) in left.enumerated() {
                pen.pair(item.0, item.1, x: figuresX, y: chartTop + Float(i) * 17, width: columnWidth, size: 12)
            }
            for (i, item) in right.enumerated() {
                pen.pair(item.0, item.1, x: figuresX + columnWidth + 12, y: chartTop + Float(i) * 17, width: columnWidth, size: 12)
            }
        }

        // The covered firms in the chosen period.
        y = bottom + 36
        pen.heading(s["market.firms"], x: c.x, y: y)
        y += 20
        struct Row { var name: String, kind: String, allocated: Int64, verified: Int64?, bought: Int64, sold: Int64, abatement: Double
                     var status: ComplianceStatus, fine: Double, reputation: Double }
        var rows: [Row] = []
        if let p = chosen {
            if isOpen {
                for firm in market.firms where firm.active {
                    rows.append(Row(name: s.name(firm.name), kind: s["market.kind_" + firm.kind.key], allocated: firm.allocated, verified: nil,
                                    bought: firm.bought, sold: firm.sold, abatement: firm.abatement, status: .open, fine: 0, reputation: firm.reputation))
                }
            } else {
                for result in p.results {
                    let firm = market.firms.first { $0.account == result.account }
                    rows.append(Row(name: firm.map { s.name($0.name) } ?? accountName(result.account, registry: registry, strings: s),
                                    kind: firm.map { s["market.kind_" + $0.kind.key] } ?? "", allocated: result.allocated, verified: result.verified,
                                    bought: result.bought, sold: result.sold, abatement: result.abatement, status: result.status, fine: result.fine,
                                    reputation: firm?.reputation ?? 1))
                }
            }
        }
        let columns: [(key: String, share: Float)] = [("market.firm", 0.23), ("market.kind", 0.09), ("market.allocated", 0.08),
            ("market.verified", 0.1), ("market.bought", 0.07), ("market.sold", 0.07), ("market.abatement", 0.07),
            ("market.status", 0.2), ("market.reputation", 0.09)]
        var columnX: [Float] = []
        var cx = c.x
        for column in columns {
            columnX.append(cx)
            pen.text(s[column.key], x: cx, y: y, size: 11, color: HUD.dim, width: column.share * c.width - 6)
            cx += column.share * c.width
        }
        y += 16
        let tradesSpace: Float = 4 * 15 + 24
        let fit = max(1, Int((c.y + c.height - 16 - tradesSpace - y) / 15))
        if rows.isEmpty { pen.text(s["market.no_firms"], x: c.x, y: y, size: 12, color: HUD.dim); y += 15 }
        session.panels.scroll = min(session.panels.scroll, max(0, rows.count - fit))
        for row in rows.dropFirst(session.panels.scroll).prefix(fit) {
            let status: String
            let statusColor: Vec4
            switch row.status {
            case .open: status = s["market.status_open"]; statusColor = HUD.text
            case .compliant: status = s["market.status_compliant"]; statusColor = good
            case .fined: status = s.fill("market.status_fined", ["fine": NumberText.grouped(row.fine)]); statusColor = bad
            }
            let cells: [(String, Vec4)] = [
                (row.name, HUD.text), (row.kind, HUD.dim), (NumberText.grouped(row.allocated), HUD.text), (row.verified.map { NumberText.grouped($0) } ?? "—", HUD.text),
                (NumberText.grouped(row.bought), HUD.text), (NumberText.grouped(row.sold), HUD.text), (Fixed.format(row.abatement * 100, 0) + "%", HUD.text),
                (status, statusColor), (Fixed.format(row.reputation * 100, 0) + "%", row.reputation < 0.999 ? bad : HUD.text),
            ]
            for (i, cell) in cells.enumerated() {
                pen.text(cell.0, x: columnX[i], y: y, size: 11, color: cell.1, width: columns[i].share * c.width - 6)
            }
            y += 15
        }
        if rows.count > fit + session.panels.scroll {
            pen.text(s.fill("panels.more", ["count": "\(rows.count - fit - session.panels.scroll)"]), x: c.x, y: y, size: 11, color: HUD.dim)
            y += 15
        }

        // The chosen period's trades, the same buyer, seller and stage added up.
        y += 6
        pen.heading(s.fill("market.trades", ["year": chosen.map { "\($0.year)" } ?? "—"]), x: c.x, y: y)
        y += 19
        var trades: [MarketTrade] = []
        for trade in chosen?.trades ?? [] {
            if let i = trades.firstIndex(where: { $0.stage == trade.stage && $0.buyer == trade.buyer && $0.seller == trade.seller && $0.price == trade.price }) {
                trades[i].count += trade.count
            } else {
                trades.append(trade)
            }
        }
        if trades.isEmpty { pen.text(s["market.no_trades"], x: c.x, y: y, size: 12, color: HUD.dim) }
        let tradeLines = max(1, Int((c.y + c.height - 16 - y) / 15))
        for trade in trades.prefix(trades.count > tradeLines ? tradeLines - 1 : tradeLines) {
            let stageKey: String
            switch trade.stage {
            case .auction: stageKey = "market.stage_auction"
            case .trueUp: stageKey = "market.stage_trueUp"
            case .offsets: stageKey = "market.stage_offsets"
            }
            let line = s.fill("market.trade", ["buyer": accountName(trade.buyer, registry: registry, strings: s),
                                               "seller": accountName(trade.seller, registry: registry, strings: s),
                                               "count": NumberText.grouped(trade.count), "price": price(trade.price), "stage": s[stageKey]])
            pen.text(line, x: c.x, y: y, size: 11, width: c.width)
            y += 15
        }
        if trades.count > tradeLines {
            pen.text(s.fill("panels.more", ["count": "\(trades.count - tradeLines + 1)"]), x: c.x, y: y, size: 11, color: HUD.dim)
        }
        pen.text(s["panels.keys_market"], x: c.x, y: c.y + c.height - 14, size: 11, color: HUD.dim, width: c.width)
    }

    // MARK: - [SECTION] Registry

    static func drawRegistry(_ pen: Pen, session: GameSession, content c: PanelRect, size: (width: Int, height: Int)) {
        let s = session.strings, view = session.view, canvas = pen.canvas
        let registry = view.registry
        let startYear = view.clock.startYear
        pen.heading(s["registry.title"], x: c.x, y: c.y, width: c.width - 200)
        session.panels.account = min(max(0, session.panels.account), RegistryAccountID(max(0, registry.accounts.count - 1)))
        let selected = session.panels.account
        let kinds = RegistryUnitKind.allCases

        // Accounts, with their usable balances (what was sold outside, for the outside account).
        pen.text(s["registry.accounts"] + " — " + s["registry.balances"], x: c.x, y: c.y + 22, size: 11, color: HUD.dim, width: c.width * 0.44)
        for (id, rect) in accountRows(session: session, size: size) {
            guard let account = registry.account(id) else { continue }
            canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height,
                            color: id == selected ? activeColor : Vec4(1, 1, 1, 0.04))
            let kind = s["registry.kind_" + account.kind.key]
            let kindWidth = Float(canvas.measureText(kind, size: 11).width)
            pen.text("#\(id) " + s.name(account.name), x: rect.x + 4, y: rect.y + 1, size: 12,
                     color: id == selected ? HUD.accent : HUD.text, width: rect.width - kindWidth - 16)
            pen.right(kind, right: rect.x + rect.width - 4, y: rect.y + 2, size: 11, color: HUD.dim)
            let amounts = kinds.map { kind -> String in
                let held = account.kind == .outside
                    ? registry.blocks(ownedBy: id).filter { $0.kind == kind }.reduce(0) { $0 + $1.count }
                    : registry.balance(id, kind)
                return NumberText.grouped(held)
            }
            pen.text(amounts.joined(separator: " / "), x: rect.x + 14, y: rect.y + 15, size: 11, color: HUD.dim, width: rect.width - 18)
        }

        // The selected account's blocks and history, a page at a time.
        let x = c.x + c.width * 0.44 + 16, width = c.x + c.width - x
        let name = accountName(selected, registry: registry, strings: s)
        let blocks = registry.blocks(ownedBy: selected)
        let history = Array(registry.history(of: selected).reversed())
        let listHeight = (c.height - 30 - 22 - 40) / 2
        let perPage = max(1, Int(listHeight / 15))
        let pages = max(1, (max(blocks.count, history.count) + perPage - 1) / perPage)
        session.panels.page = min(session.panels.page, pages - 1)
        let page = session.panels.page
        let arrows = pageButtons(size: size)
        pen.button(arrows.previous, s["panels.previous"])
        pen.button(arrows.next, s["panels.next"])
        let pageLabel = s.fill("panels.page", ["page": "\(page + 1)", "pages": "\(pages)"])
        pen.text(pageLabel, x: arrows.previous.x + 30, y: c.y + 1, size: 12, color: HUD.dim, width: arrows.next.x - arrows.previous.x - 34)

        var y = c.y + 24
        pen.heading(s.fill("registry.blocks", ["account": name]), x: x, y: y, width: width)
        y += 20
        if blocks.isEmpty { pen.text(s["registry.no_blocks"], x: x, y: y, size: 12, color: HUD.dim) }
        for block in blocks.dropFirst(page * perPage).prefix(perPage) {
            let line = s.fill("registry.block", [
                "first": CarbonRegistry.serialText(block.kind, block.firstSerial),
                "last": CarbonRegistry.serialText(block.kind, block.lastSerial),
                "count": NumberText.grouped(block.count), "vintage": "\(block.vintage)", "status": s["registry.status_" + block.status.key]])
            pen.text(line, x: x, y: y, size: 11, color: block.status.isFinal ? HUD.dim : HUD.text, width: width)
            y += 15
        }
        y = c.y + 44 + listHeight + 6
        pen.heading(s.fill("registry.history", ["account": name]), x: x, y: y, width: width)
        y += 20
        if history.isEmpty { pen.text(s["registry.no_history"], x: x, y: y, size: 12, color: HUD.dim) }
        for entry in history.dropFirst(page * perPage).prefix(perPage) {
            var line = s.fill("registry.entry", [
                "date": dateText(tick: entry.tick, startYear: startYear), "operation": s["registry.op_" + entry.operation.key],
                "count": NumberText.grouped(entry.count),
                "first": CarbonRegistry.serialText(entry.kind, entry.firstSerial),
                "from": "#\(entry.from)", "to": "#\(entry.to)"])
            if !entry.note.isEmpty { line += "  (" + noteText(entry.note, strings: s) + ")" }
            pen.text(line, x: x, y: y, size: 11, width: width)
            y += 15
        }
        pen.text(s["panels.keys_registry"], x: c.x, y: c.y + c.height - 14, size: 11, color: HUD.dim, width: c.width)
    }

    // MARK: - [SECTION] Carbon position, offsets and certificates

    static func drawPosition(_ pen: Pen, session: GameSession, content c: PanelRect, size: (width: Int, height: Int)) {
        let s = session.strings, view = session.view, canvas = pen.canvas
        let year = view.clock.year
        let hasLastYear = view.ledger.years.contains { $0.start.year == year - 1 }
        let now = view.carbonPosition(year: year)
        let last = hasLastYear ? view.carbonPosition(year: year - 1) : nil

        // Inventory, credits sold outside, and the position after transfers, this year and last.
        pen.heading(s["position.title"], x: c.x, y: c.y)
        let labelWidth = min(420, c.width * 0.5)
        let column = (c.width - labelWidth) / 2
        var y = c.y + 22
        pen.right(s.fill("position.this_year", ["year": "\(year)"]), right: c.x + labelWidth + column - 10, y: y, size: 12, color: HUD.dim)
        pen.right(s.fill("position.last_year", ["year": "\(year - 1)"]), right: c.x + labelWidth + 2 * column - 10, y: y, size: 12, color: HUD.dim)
        y += 18
        let lines: [(String, (CarbonPosition) -> Double, Bool)] = [
            (s["position.inventory"], { $0.inventoryNet }, false),
            ("+ " + s["position.exported"], { $0.exportedCredits }, false),
            ("= " + s["position.after"], { $0.afterTransfers }, true),
        ]
        for (label, value, total) in lines {
            if total { canvas.fillRect(x: c.x, y: y - 2, width: c.width, height: 1, color: HUD.dim) }
            pen.text(label, x: c.x, y: y, size: 12, color: total ? HUD.accent : HUD.text, width: labelWidth - 8)
            pen.right(NumberText.grouped(value(now)) + " " + s["units.tonnes"], right: c.x + labelWidth + column - 10, y: y, size: 12)
            pen.right(last.map { NumberText.grouped(value($0)) + " " + s["units.tonnes"] } ?? s["position.no_year"], right: c.x + labelWidth + 2 * column - 10,
                      y: y, size: 12)
            y += 18
        }
        pen.text(s["position.adjustment"], x: c.x, y: y + 2, size: 12, color: HUD.accent, width: c.width)

        // Offset credits (left) and green-power certificates (right).
        let offsets = view.offsets, registry = view.registry
        let half = (c.width - 20) / 2
        y = c.y + 132
        pen.heading(s["position.offsets"], x: c.x, y: y)
        let years = offsets.years + [offsets.thisYear]
        let held = offsets.cityAccount >= 0 ? registry.balance(offsets.cityAccount, .offset) : 0
        let buffer = offsets.bufferAccount >= 0 ? registry.balance(offsets.bufferAccount, .offset) : 0
        let issued = years.reduce(Int64(0)) { $0 + $1.issued + $1.buffered }
        let reversed = years.reduce(Int64(0)) { $0 + $1.reversed }
        let state = view.policies.offsetProgramme > 0 ? s["policies.on"] : s["policies.off"]
        let offsetLines: [(String, String)] = [
            (s.fill("position.programme", ["state": state, "projects": "\(offsets.projects.count)"]), ""),
            (s["position.held"], NumberText.grouped(held)),
            (s["position.buffer"], NumberText.grouped(buffer)),
            (s["position.issued"], NumberText.grouped(issued)),
            (s["position.reversed"], NumberText.grouped(reversed)),
            (s["position.sold"], NumberText.grouped(offsets.totalExported)),
        ]
        y += 22
        for (label, value) in offsetLines {
            pen.pair(label, value, x: c.x, y: y, width: half, size: 12)
            y += 17
        }
        let sell = sellButton(size: size)
        let sellPrice = 10 * view.catalog.carbon.offsetExportPrice
        pen.button(sell, s.fill("position.sell", ["price": s.money(sellPrice)]), active: held >= 10)
        // The last sale's outcome (a refusal also shows in the messages feed).
        if let record = view.commandLog.last(where: { if case .sellOffsets = $0.command { return true }; return false }) {
            let text: String, color: Vec4
            switch record.outcome {
            case .done(let cost): text = "✓ " + s["position.sold"] + ": " + s.money(-cost); color = good
            case .refused(let why): text = "× " + refusalText(why, strings: s); color = bad
            }
            pen.text(text, x: sell.x, y: sell.y + 30, size: 12, color: color, width: half)
        }

        let x = c.x + half + 20
        y = c.y + 132
        pen.heading(s["position.certificates"], x: x, y: y)
        y += 22
        let book = view.certificates
        let lastCertificates = book.years.last { $0.year == year - 1 }
        let labelWidth2 = min(200, half * 0.46), valueColumn = (half - labelWidth2) / 2
        pen.right(s.fill("position.this_year", ["year": "\(year)"]), right: x + labelWidth2 + valueColumn, y: y, size: 11, color: HUD.dim)
        pen.right(s.fill("position.last_year", ["year": "\(year - 1)"]), right: x + half, y: y, size: 11, color: HUD.dim)
        y += 16
        let pending = s["position.no_year"]
        func kWh(_ value: Double) -> String { NumberText.grouped(value / 1000) + " " + s["units.mwh"] }
        func tonnes(_ value: Double) -> String { NumberText.grouped(value) + " " + s["units.tonnes"] }
        let rows: [(String, String, String)] = [
            (s["position.renewable"], kWh(book.thisYear.renewableKWh), lastCertificates.map { kWh($0.renewableKWh) } ?? pending),
            (s["position.cert_issued"], NumberText.grouped(book.thisYear.issued), lastCertificates.map { NumberText.grouped($0.issued) } ?? pending),
            (s["position.cert_retired"], pending, lastCertificates.map { NumberText.grouped($0.retired) } ?? pending),
            (s["position.claimed"], pending, lastCertificates.map { kWh($0.claimedKWh) } ?? pending),
            (s["position.location"], pending, lastCertificates.map { tonnes($0.locationBased) } ?? pending),
            (s["position.market"], pending, lastCertificates.map { tonnes($0.marketBased) } ?? pending),
            (s["position.claimants_location"], pending, lastCertificates.map { tonnes($0.claims.reduce(0) { $0 + $1.locationTonnes }) } ?? pending),
            (s["position.claimants_market"], pending, lastCertificates.map { tonnes($0.claims.reduce(0) { $0 + $1.marketTonnes }) } ?? pending),
            (s["position.residual"], pending, lastCertificates.map { Fixed.format($0.residualFactor * 1e6, 0) + " " + s["units.g_per_kwh"] } ?? pending),
        ]
        for (label, thisYear, lastYear) in rows {
            pen.text(label, x: x, y: y, size: 11, color: HUD.dim, width: labelWidth2 - 4)
            pen.right(thisYear, right: x + labelWidth2 + valueColumn, y: y, size: 11)
            pen.right(lastYear, right: x + half, y: y, size: 11)
            y += 16
        }
        pen.text("— " + s["position.at_year_end"], x: x, y: y + 2, size: 11, color: HUD.dim, width: half)
    }

    // MARK: - [SECTION] Citizens' carbon accounts

    static func drawCitizens(_ pen: Pen, session: GameSession, content c: PanelRect) {
        let s = session.strings, view = session.view
        let accounts = view.carbonAccounts
        let year = view.clock.year
        let half = (c.width - 30) / 2
        pen.heading(s["citizens.title"], x: c.x, y: c.y)
        var y = c.y + 24
        pen.text(s.fill("citizens.earned", ["year": "\(year)"]), x: c.x, y: y, size: 12, color: HUD.dim, width: half)
        y += 20
        for source in PointSource.allCases {
            pen.pair(s["citizens.source_" + source.key], NumberText.grouped(accounts.earned[source]), x: c.x + 8, y: y, width: half - 8, size: 12)
            y += 17
        }
        pen.pair(s["citizens.total"], NumberText.grouped(accounts.earned.total) + " " + s["units.points"], x: c.x + 8, y: y + 2, width: half - 8, size: 12,
                 color: HUD.accent)
        y += 22
        pen.pair(s["citizens.participants"], NumberText.grouped(Int64(accounts.participants)), x: c.x + 8, y: y, width: half - 8, size: 12)

        let x = c.x + half + 30
        let personal = view.catalog.personalCarbon
        let threshold = personal.pointsPerTile(areaHa: view.catalog.zone(.forest).areaHa)
        y = c.y + 44
        let standing = accounts.forests.filter { view.zone($0.entity) != nil }.count
        let lines: [(String, String)] = [
            (s["citizens.pool"], NumberText.grouped(accounts.pool) + " " + s["units.points"]),
            (s.fill("citizens.next_forest", ["points": NumberText.grouped(threshold)]),
             threshold > 0 ? Fixed.format(min(1, accounts.pool / threshold) * 100, 0) + "%" : "—"),
            (s["citizens.redeemed"], NumberText.grouped(accounts.redeemed) + " " + s["units.points"]),
            (s["citizens.trees"], NumberText.grouped(accounts.treesPlanted)),
            (s["citizens.trees_this_year"], NumberText.grouped(accounts.treesPlantedThisYear)),
            (s["citizens.forests"], "\(accounts.forests.count) (" + s.fill("citizens.standing", ["count": "\(standing)"]) + ")"),
        ]
        for (label, value) in lines {
            pen.pair(label, value, x: x, y: y, width: half, size: 12)
            y += 17
        }
        if let last = accounts.history.last {
            pen.text(s.fill("citizens.last_year", ["year": "\(last.year)", "points": NumberText.grouped(last.earned.total), "trees": NumberText.grouped(last.treesPlanted)]),
                     x: x, y: y + 6, size: 12, color: HUD.dim, width: half)
        }
        pen.text(s["citizens.note"], x: c.x, y: c.y + c.height - 18, size: 12, color: HUD.dim, width: c.width)
    }

    // MARK: - [SECTION] Refusals in the player's language

    /// A refused command's reason for the messages feed, in the player's language.
    public static func refusalText(_ refusal: Refusal, strings s: Strings) -> String {
        let key = "refusals." + refusal.key
        guard s.has(key) else { return refusal.description }
        var values = Dictionary(uniqueKeysWithValues: refusal.values.map { ($0.name, $0.value) })
        if let tool = values["tool"], s.has("tools." + tool) { values["tool"] = s["tools." + tool] }
        return s.fill(key, values)
    }
}
