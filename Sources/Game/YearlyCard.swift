// YearlyCard.swift — on each 1 January, a card over the map: what the city emitted, absorbed
// and spent in the year just closed, the ledger line that changed most against the year before,
// and the next milestone (the peak, −50% from the peak, net zero). UI only: the game goes on
// under it (nothing in the city changes), a click on it or Esc dismisses it, and the player can
// turn it off (`GameSession.showsYearlyCard`).
//
// Milestones, from the ledger's closed years' net totals (tCO2e, the city's territorial net):
//   - peak: a closed year's net is clearly below (`EmissionsPeak`, 10%) the highest yearly net
//     before it (the peak year);
//   - −50%: after the peak, a closed year's net is at most half the peak year's net;
//   - net zero: a closed year's net is at most 0.
// The next milestone is the first of these not yet reached, in that order.
import CitySim
import Locale
import Render

public enum Milestone: Equatable, Sendable {
    /// Emissions have not yet fallen below their highest year (`year`, `net` tCO2e).
    case peak(year: Int, net: Double)
    /// Past the peak: the next goal is at most `target` tCO2e, half the peak year's net.
    case halfFromPeak(peakYear: Int, target: Double)
    case netZero
    /// Every milestone is reached: keep the net at or below zero.
    case holdNetZero
}

/// The card's figures for one closed year.
public struct YearSummary: Equatable, Sendable {
    public var year: Int
    /// tCO2e emitted (the net plus what was absorbed), absorbed, and the net.
    public var emitted: Double, absorbed: Double, net: Double
    /// yuan spent and earned, from the budget book (nil when the book does not hold the whole year).
    public var spent: Double?, earned: Double?
    /// The ledger line that changed most against the year before: its key ("sector.power", or
    /// "yearly.removals") and the change, tCO2e (nil in the first year).
    public var biggestChange: (key: String, change: Double)?
    public var next: Milestone
    /// Milestones reached for the first time in this year.
    public var reached: [Milestone]

    public static func == (a: YearSummary, b: YearSummary) -> Bool {
        a.year == b.year && a.emitted == b.emitted && a.absorbed == b.absorbed && a.net == b.net && a.spent == b.spent
            && a.earned == b.earned && a.biggestChange?.key == b.biggestChange?.key && a.biggestChange?.change == b.biggestChange?.change
            && a.next == b.next && a.reached == b.reached
    }

    /// The milestone to reach after the closed years whose nets are `nets` (oldest first), and
    /// the first year (index) each milestone was reached.
    public static func milestones(nets: [(year: Int, net: Double)]) -> (next: Milestone, reachedIn: [(Milestone, Int)]) {
        var reachedIn: [(Milestone, Int)] = []
        var peak: (year: Int, net: Double)?
        var highest: (year: Int, net: Double)?
        var half = false, zero = false
        for (i, entry) in nets.enumerated() {
            if peak == nil {
                if let top = highest, EmissionsPeak.isClearlyBelow(entry.net, peak: top.net) {
                    peak = top
                    reachedIn.append((.peak(year: top.year, net: top.net), i))
                } else if highest == nil || entry.net >= highest!.net {
                    highest = entry
                }
            }
            if let peak, !half, peak.net > 0, entry.year > peak.year, entry.net <= peak.net / 2 {
                half = true
                reachedIn.append((.halfFromPeak(peakYear: peak.year, target: peak.net / 2), i))
            }
            if !zero, entry.net <= 0 {
                zero = true
                reachedIn.append((.netZero, i))
            }
        }
        let next: Milestone
        if zero {
            next = .holdNetZero
        } else if let peak {
            next = half || peak.net <= 0 ? .netZero : .halfFromPeak(peakYear: peak.year, target: peak.net / 2)
        } else if let highest {
            next = .peak(year: highest.year, net: highest.net)
        } else {
            next = .netZero
        }
        return (next, reachedIn)
    }

    /// The summary of the last closed year of `view`'s ledger, if there is one.
    public init?(view: CityView) {
        let years = view.ledger.years
        guard let last = years.last else { return nil }
        year = last.start.year
        net = last.net
        absorbed = last.removals
        emitted = last.net + last.removals
        let book = view.budgetBook
        if book.hasLastYear && book.year == year + 1 {
            let totals = BudgetBook.totals(book.lastYear)
            spent = -totals.expenses
            earned = totals.income
        }
        if years.count >= 2 {
            let before = years[years.count - 2]
            var lines: [(String, Double)] = Sector.allCases.filter { $0 != .landSinks }
                .map { ("sector." + $0.key, last.emissions($0) - before.emissions($0)) }
            lines.append(("yearly.removals", last.removals - before.removals))
            biggestChange = lines.max { abs($0.1) < abs($1.1) }
        }
        let result = YearSummary.milestones(nets: years.map { ($0.start.year, $0.net) })
        next = result.next
        reached = result.reachedIn.filter { $0.1 == years.count - 1 }.map(\.0)
    }
}

public struct YearlyCardState: Sendable {
    public internal(set) var summary: YearSummary?
    /// Where the card was drawn in the last frame (a click there dismisses it).
    public internal(set) var rect: PanelRect?
    /// Every line the card drew in the last frame.
    public internal(set) var drawnText: [String] = []
    public var isOpen: Bool { summary != nil }
    public init() {}
}

public enum YearlyCard {
    /// After a tick: on 1 January, the card of the year just closed (if the player wants it).
    static func watch(_ session: GameSession) {
        let clock = session.view.clock
        guard session.showsYearlyCard, clock.isNewYear, clock.tick > 0, let summary = YearSummary(view: session.view),
              summary.year == clock.year - 1 else { return }
        session.yearlyCard.summary = summary
    }

    static func dismiss(_ session: GameSession) {
        session.yearlyCard.summary = nil
        session.yearlyCard.rect = nil
    }

    /// A click on the card dismisses it (and does not reach the map).
    static func takeClick(x: Int, y: Int, session: GameSession) -> Bool {
        guard session.yearlyCard.isOpen, let rect = session.yearlyCard.rect, rect.contains(x, y) else { return false }
        dismiss(session)
        return true
    }

    public static func milestoneText(_ milestone: Milestone, strings s: Strings) -> String {
        switch milestone {
        case .peak(let year, let net):
            // The peak counts once a year is clearly below the highest (EmissionsPeak): say by how much.
            return s.fill("yearly.next_peak", ["year": "\(year)", "percent": NumberText.grouped(EmissionsPeak.decline * 100),
                                               "tonnes": s.tonnes(net - EmissionsPeak.decline * abs(net))])
        case .halfFromPeak(let peakYear, let target):
            return s.fill("yearly.next_half", ["year": "\(peakYear)", "tonnes": s.tonnes(target)])
        case .netZero: return s["yearly.next_net_zero"]
        case .holdNetZero: return s["yearly.hold_net_zero"]
        }
    }

    static func reachedText(_ milestone: Milestone, strings s: Strings) -> String {
        switch milestone {
        case .peak(let year, _): return s.fill("yearly.reached_peak", ["year": "\(year)"])
        case .halfFromPeak: return s["yearly.reached_half"]
        case .netZero, .holdNetZero: return s["yearly.reached_net_zero"]
        }
    }

    static func draw(_ canvas: Canvas2D, session: GameSession) {
        guard let summary = session.yearlyCard.summary else { session.yearlyCard.rect = nil; return }
        let s = session.strings
        func money(_ yuan: Double?) -> String { yuan.map { s.money($0) } ?? s["yearly.not_booked"] }
        var lines: [(String, Vec4, Int)] = [
            (s.fill("yearly.title", ["year": "\(summary.year)"]), HUD.accent, 16),
            (s.fill("yearly.emitted", ["tonnes": s.tonnes(summary.emitted)]), HUD.text, 13),
            (s.fill("yearly.absorbed", ["tonnes": s.tonnes(summary.absorbed)]), HUD.text, 13),
            (s.fill("yearly.net", ["tonnes": s.tonnes(summary.net)]), summary.net > 0 ? Vec4(1, 0.72, 0.5, 1) : Vec4(0.6, 1, 0.6, 1), 13),
            (s.fill("yearly.spent", ["spent": money(summary.spent), "earned": money(summary.earned)]), HUD.text, 13),
        ]
        if let change = summary.biggestChange {
            let name = change.key == "yearly.removals" ? s["yearly.removals"] : s[change.key]
            let sign = change.change > 0 ? "+" : change.change < 0 ? "−" : ""
            lines.append((s.fill("yearly.biggest", ["line": name, "change": sign + s.tonnes(abs(change.change))]), HUD.text, 13))
        }
        for milestone in summary.reached { lines.append(("✓ " + reachedText(milestone, strings: s), Vec4(0.6, 1, 0.6, 1), 13)) }
        lines.append((milestoneText(summary.next, strings: s), HUD.accent, 13))
        lines.append((s["yearly.dismiss"], HUD.dim, 11))
        let size = canvas.size
        let contentWidth = lines.map { Float(canvas.measureText($0.0, size: $0.2).width) }.max() ?? 200
        let width = min(Float(size.width) - HUD.toolbarWidth - 40, max(360, contentWidth + 28))
        let height = Float(lines.count) * 21 + 20
        let x = HUD.toolbarWidth + (Float(size.width) - HUD.toolbarWidth - width) / 2
        let y = max(HUD.topBar + 30, (Float(size.height) - height) / 2 - 40)
        session.yearlyCard.rect = PanelRect(x: x, y: y, width: width, height: height)
        canvas.fillRect(x: x, y: y, width: width, height: height, color: Vec4(0.06, 0.08, 0.12, 0.95))
        canvas.strokeRect(x: x, y: y, width: width, height: height, color: HUD.accent)
        var lineY = y + 12
        session.yearlyCard.drawnText = []
        for (text, color, textSize) in lines {
            HUD.label(canvas, session: session, text, x: x + 14, y: lineY, width: width - 28, size: textSize, color: color)
            session.yearlyCard.drawnText.append(text)
            lineY += textSize == 16 ? 24 : 21
        }
    }
}
