// BudgetPanel.swift — the city's money (M), after SimCity 4's budget: every line of CitySim's
// budget book (taxes by building kind, upkeep by structure kind, fuel, construction, the carbon
// market, …) this month, this year and last year; the totals; the balance projected to the
// year's end and, when the running costs would empty the treasury before then, the day they
// would. The same warning shows under the top bar while the panel is closed (`drawWarning`).
import CitySim
import Locale
import Render

enum BudgetPanel {
    /// A line's name in the player's language: "Upkeep: Coal plant", "Income tax: Homes".
    static func name(_ line: BudgetLine, strings s: Strings) -> String {
        let entry = line.entry
        guard let structure = entry.structure else { return s["budget." + entry.key] }
        return s.fill("budget." + entry.key, ["kind": s.tool(structure)])
    }

    /// Income lines first, then expenses; a line of either sign (the city plants' market bill)
    /// sits with the income lines of the market.
    static func isIncome(_ line: BudgetLine) -> Bool {
        switch line {
        case .tax, .fuelTax, .carbonAuction, .carbonFines, .carbonFirmTax, .plantsCarbonMarket, .certificates, .offsetSales,
             .grants, .sponsoredUpkeep:
            return true
        default:
            return false
        }
    }

    /// The warning text when the money would run out before the year ends, else nil.
    static func warning(_ view: CityView, strings s: Strings) -> String? {
        guard let date = view.budgetProjection.runsOut else { return nil }
        return s.fill("budget.runs_out", ["date": dateText(date, strings: s)])
    }

    static func dateText(_ date: SimDate, strings s: Strings) -> String {
        s.language == .zh ? "\(date.year)年\(date.month)月\(date.day)日"
            : "\(date.day) \(s["budget.month_\(date.month)"]) \(date.year)"
    }

    static func draw(_ ui: PanelUI, in c: PanelRect) {
        let session = ui.session, s = ui.s, view = session.view, canvas = ui.canvas
        let book = view.budgetBook, projection = view.budgetProjection, clock = view.clock
        ui.heading(s["budget.title"] + " · " + s.fill("budget.balance", ["money": s.money(view.budget.balance)]), x: c.x, y: c.y,
                   width: c.width)

        // Columns: line, this month, this year, last year.
        let size = 12, rowHeight: Float = 16
        let valueWidth = min(130, (c.width - 200) / 3)
        let labelWidth = c.width - 3 * valueWidth
        func columnRight(_ i: Int) -> Float { c.x + labelWidth + Float(i + 1) * valueWidth - 6 }
        var y = c.y + 22
        let headers = [s["budget.month_\(clock.month)"], s.fill("budget.year", ["year": "\(clock.year)"]),
                       s.fill("budget.year", ["year": "\(clock.year - 1)"])]
        for (i, header) in headers.enumerated() { ui.right(header, right: columnRight(i), y: y, size: size, color: HUD.dim) }
        y += rowHeight + 2

        func money(_ yuan: Double) -> String { yuan == 0 ? "·" : (yuan > 0 ? "+" : "−") + s.money(abs(yuan)) }
        let lastYear: [Double]? = book.hasLastYear ? book.lastYear : nil
        let shown = BudgetLine.all.filter { book.thisMonth[$0.index] != 0 || book.thisYear[$0.index] != 0 || (lastYear?[$0.index] ?? 0) != 0 }
        var rows: [(label: String, values: [Double?], kind: Int)] = []   // kind: 0 line, 1 heading, 2 total
        for income in [true, false] {
            let lines = shown.filter { isIncome($0) == income }
            rows.append((s[income ? "budget.income" : "budget.expenses"], [], 1))
            for line in lines {
                rows.append((name(line, strings: s), [book.thisMonth[line.index], book.thisYear[line.index], lastYear?[line.index]], 0))
            }
            if lines.isEmpty { rows.append((s["budget.none"], [], 0)) }
        }
        // The footer (totals and projection) keeps its place; the lines scroll above it.
        let footerHeight: Float = 4 * rowHeight + 64
        let visible = max(3, Int((c.y + c.height - footerHeight - y) / rowHeight))
        let scroll = min(session.panels.scroll, max(0, rows.count - visible))
        session.panels.scroll = scroll
        for row in rows.dropFirst(scroll).prefix(visible) {
            if row.kind == 1 {
                ui.text(row.label, x: c.x, y: y, size: size, color: HUD.accent, width: labelWidth - 8)
            } else {
                ui.text(row.label, x: c.x + 10, y: y, size: size, color: HUD.text, width: labelWidth - 18)
                for (i, value) in row.values.enumerated() {
                    ui.right(value.map(money) ?? "—", right: columnRight(i), y: y, size: size,
                             color: (value ?? 0) < 0 ? CarbonPanels.bad : (value ?? 0) > 0 ? CarbonPanels.good : HUD.dim)
                }
            }
            y += rowHeight
        }
        if rows.count > visible {
            ui.text(s.fill("panels.more", ["count": "\(rows.count - visible - scroll)"]) + "  ↑ ↓", x: c.x + 10, y: y, size: 11,
                    color: HUD.dim, width: labelWidth)
        }

        // Totals, whatever is scrolled.
        y = c.y + c.height - footerHeight
        canvas.fillRect(x: c.x, y: y - 3, width: c.width, height: 1, color: HUD.dim)
        let periods: [[Double]?] = [book.thisMonth, book.thisYear, lastYear]
        let totals = periods.map { $0.map(BudgetBook.totals) }
        for (key, pick) in [("budget.total_income", 0), ("budget.total_expenses", 1), ("budget.net", 2)] {
            ui.text(s[key], x: c.x, y: y, size: size, color: pick == 2 ? HUD.accent : HUD.text, width: labelWidth - 8)
            for (i, total) in totals.enumerated() {
                let value = total.map { pick == 0 ? $0.income : pick == 1 ? $0.expenses : $0.net }
                ui.right(value.map(money) ?? "—", right: columnRight(i), y: y, size: size,
                         color: (value ?? 0) < 0 ? CarbonPanels.bad : HUD.text)
            }
            y += rowHeight
        }
        if !book.coversThisYear {
            ui.text(s["budget.since_load"], x: c.x, y: y, size: 11, color: HUD.dim, width: c.width)
        }
        y += rowHeight + 4

        // The projection to 31 December, and the warning.
        let end = s.fill("budget.projection", ["year": "\(clock.year)", "money": (projection.yearEnd < 0 ? "−" : "") + s.money(abs(projection.yearEnd))])
        ui.text(end, x: c.x, y: y, size: 13, color: projection.yearEnd < 0 ? CarbonPanels.bad : HUD.text, width: c.width)
        y += 18
        let perDay = (projection.recurringPerDay < 0 ? "−" : "+") + s.money(abs(projection.recurringPerDay))
        ui.text(s.fill("budget.rate", ["money": perDay]), x: c.x, y: y, size: 11, color: HUD.dim, width: c.width)
        y += 16
        if let warning = warning(view, strings: s) {
            ui.text("! " + warning, x: c.x, y: y, size: 13, color: CarbonPanels.bad, width: c.width)
        }
    }

    /// The warning under the top bar while the budget panel is closed.
    static func drawWarning(_ canvas: Canvas2D, session: GameSession) {
        guard session.panels.open != .budget, let warning = warning(session.view, strings: session.strings) else {
            session.budgetWarning = nil
            return
        }
        let text = "! " + warning
        session.budgetWarning = text
        let width = Float(canvas.measureText(text, size: 13).width) + 12
        let x = HUD.toolbarWidth + 8, y = HUD.topBar + 4
        canvas.fillRect(x: x, y: y, width: width, height: 20, color: Vec4(0.35, 0.08, 0.08, 0.92))
        HUD.label(canvas, session: session, text, x: x + 6, y: y + 2, width: width - 6, size: 13, color: Vec4(1, 0.8, 0.75, 1))
    }
}
