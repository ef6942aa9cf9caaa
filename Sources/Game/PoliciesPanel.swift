// PoliciesPanel.swift — the policy levers (P): two columns of levers, each with − and + (or a
// toggle for a 0/1 lever); a click submits `.setPolicy`, so every change is in the replay log.
import CitySim
import Locale
import Render

enum PoliciesPanel {
    static let rowHeight: Float = 22

    static func draw(_ ui: PanelUI, in c: PanelRect, now: Double) {
        let session = ui.session, s = ui.s, canvas = ui.canvas
        ui.heading(s["policies.title"], x: c.x, y: c.y)
        // Two columns, filled top to bottom, scrolled by `scroll` levers.
        let levers = PolicyLever.all
        let perColumn = min(max(1, Int((c.height - 26 - 22) / rowHeight)), (levers.count + 1) / 2)
        let first = min(max(0, session.panels.scroll), max(0, levers.count - 2 * perColumn))
        let columnWidth = (c.width - 12) / 2
        let shown = Array(levers.dropFirst(first).prefix(2 * perColumn))
        let year = session.view.clock.year
        for (n, lever) in shown.enumerated() {
            let x = c.x + Float(n / perColumn) * (columnWidth + 12)
            let y = c.y + 26 + Float(n % perColumn) * rowHeight
            if n % 2 == 0 { canvas.fillRect(x: x, y: y, width: columnWidth, height: rowHeight - 1, color: Vec4(1, 1, 1, 0.04)) }
            let value = session.view.policies[lever]
            var valueRight = x + columnWidth - 64
            if lever.unit == "0/1" {
                let toggle = PanelRect(x: x + columnWidth - 60, y: y + 1, width: 58, height: 19)
                if ui.button(toggle, leverValue(lever, value, strings: s), id: "policies.\(lever.name).toggle", active: value >= 0.5) {
                    setPolicy(lever, to: value >= 0.5 ? 0 : 1, session: session, now: now)
                }
                valueRight = toggle.x - 6
            } else {
                let minus = PanelRect(x: x + columnWidth - 58, y: y + 1, width: 26, height: 19)
                let plus = PanelRect(x: x + columnWidth - 28, y: y + 1, width: 26, height: 19)
                if ui.button(minus, "-", id: "policies.\(lever.name).minus", size: 14) {
                    setPolicy(lever, to: nudged(lever, from: value, up: false, year: year), session: session, now: now)
                }
                if ui.button(plus, "+", id: "policies.\(lever.name).plus", size: 14) {
                    setPolicy(lever, to: nudged(lever, from: value, up: true, year: year), session: session, now: now)
                }
                // After a click, the value the command left.
                let text = leverValue(lever, session.view.policies[lever], strings: s)
                ui.right(text, right: valueRight, y: y + 3, size: 12, color: HUD.accent)
                valueRight -= Float(canvas.measureText(text, size: 12).width)
            }
            ui.text(s.name(lever.title), x: x + 6, y: y + 3, size: 12, width: max(30, valueRight - x - 16))
        }
        let hidden = levers.count - shown.count
        var footer = s["panels.keys_policies"]
        if hidden > 0 { footer += "   " + s.fill("panels.more", ["count": "\(hidden)"]) }
        ui.text(footer, x: c.x, y: c.y + c.height - 16, size: 11, color: HUD.dim, width: c.width)
    }

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
}
