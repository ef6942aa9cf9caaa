// Briefing.swift — the lesson's briefing card and its hints.
//
// A level with objectives (a lesson) starts paused on the briefing card: the goal (the level's
// summary), each objective with its target, and "what you need" — the lesson's own numbers worked
// out from the model: what the town emits and absorbs in a year if the player does nothing (a
// copy of the city run for one year on a background thread), each objective's value after that
// year, and for a lesson with green plots what one plot absorbs by the deadline (measured: a second
// copy with one plot planted at the start, when the deadline is at most three years away), what it
// costs to plant and keep, how many plots balance the town and how many the budget pays for.
//
// The level's `[[hints]]` come one at a time through the Hint button (on the card, and below the
// toolbar during play) or the H key; each goes to the messages feed like an advisor card.
// B opens the card again.
//
// [SECTION] State and the projection
// [SECTION] Layout
// [SECTION] Opening, closing, input
// [SECTION] Text: objectives and what you need
// [SECTION] Drawing
import CitySim
import Foundation
import Locale
import Render
import Report

// MARK: - [SECTION] State and the projection

/// One year of the lesson with no player commands, run on a background thread.
public struct LessonProjection: Sendable {
    public var year: Int
    /// Tonnes emitted (before removals), removed, and net, in that year.
    public var emitted: Double
    public var removed: Double
    public var net: Double
    /// Budget at the end of the year minus the budget at the start (yuan).
    public var budgetChange: Double
    /// Each objective's metric at the end of the year.
    public var objectiveValues: [Double]
    /// For a lesson with green plots and a net-emissions deadline at most three years away: the
    /// deadline year's net emissions with no commands, and what one plot of the best zone planted
    /// at the start removes in that year (a second city, the same but for that plot: droughts,
    /// weather and the stock limit included).
    public var deadlineNet: Double?
    public var plotRemoval: Double?
}

/// The plot the projection measures: the zone, and the year its removal counts in.
struct ProjectedPlot: Sendable {
    var zone: ZoneKind
    var deadlineYear: Int
}

/// Runs the projection once and hands the result over to the game's thread.
final class ProjectionJob: @unchecked Sendable {
    private let lock = NSLock()
    private var finished: LessonProjection?

    var result: LessonProjection? {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }

    init(level: LevelDefinition, catalog: Catalog, plot: ProjectedPlot?) {
        let thread = Thread { [self] in
            let result = ProjectionJob.run(level: level, catalog: catalog, plot: plot)
            self.lock.lock()
            self.finished = result
            self.lock.unlock()
        }
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// The level's first year with no player commands (and no level script: the card's numbers
    /// are the model's, not a script's).
    static func run(level: LevelDefinition, catalog: Catalog, plot: ProjectedPlot?) -> LessonProjection {
        let city = City(level: level, catalog: catalog)
        let startYear = city.view.clock.year, startBudget = city.view.budget.balance
        while city.view.clock.year == startYear { city.step() }
        let view = city.view
        let period = view.ledger.years.last ?? view.ledger.thisYear
        let values = (view.rules?.objectives ?? []).map { view.metricValue($0.metric) }
        var result = LessonProjection(year: startYear, emitted: period.net + period.removals, removed: period.removals, net: period.net,
                                      budgetChange: view.budget.balance - startBudget, objectiveValues: values)
        guard let plot, plot.deadlineYear >= startYear, plot.deadlineYear - startYear <= 3 else { return result }
        // On to the end of the deadline year, and the same city with one plot planted at the start.
        while city.view.clock.year <= plot.deadlineYear { city.step() }
        let planted = City(level: level, catalog: catalog)
        let map = planted.view.map
        guard let tile = (0..<map.height).lazy.flatMap({ y in (0..<map.width).lazy.map { (x: $0, y: y) } }).first(where: { tile in
            let i = map.index(tile.x, tile.y)
            return map.terrain[i].isBuildable && map.structure[i] == .none
        }) else { return result }
        planted.submit(.build(.zone(plot.zone), x: tile.x, y: tile.y))
        while planted.view.clock.year <= plot.deadlineYear { planted.step() }
        guard let without = city.view.ledger.years.last(where: { $0.start.year == plot.deadlineYear }),
              let with = planted.view.ledger.years.last(where: { $0.start.year == plot.deadlineYear }) else { return result }
        result.deadlineNet = without.net
        result.plotRemoval = with.removals - without.removals
        // Many plots do not remove quite as many times one plot's tonnes (the town around them
        // changes too), so the estimate is measured again as planted: that many plots on the first
        // free tiles, and what they take off the deadline year's net, per plot.
        guard let onePlot = result.plotRemoval, onePlot > 0.01, without.net > 0 else { return result }
        let estimate = Int((without.net / onePlot).rounded(.up))
        guard estimate > 1, estimate <= 2_000 else { return result }
        let batch = City(level: level, catalog: catalog)
        let batchMap = batch.view.map
        let free = (0..<batchMap.height).lazy.flatMap { y in (0..<batchMap.width).lazy.map { (x: $0, y: y) } }.filter { tile in
            let i = batchMap.index(tile.x, tile.y)
            return batchMap.terrain[i].isBuildable && batchMap.structure[i] == .none
        }
        for tile in free.prefix(estimate) { batch.submit(.build(.zone(plot.zone), x: tile.x, y: tile.y)) }
        while batch.view.clock.year <= plot.deadlineYear { batch.step() }
        if let planted = batch.view.ledger.years.last(where: { $0.start.year == plot.deadlineYear }), without.net > planted.net {
            result.plotRemoval = (without.net - planted.net) / Double(estimate)
        }
        return result
    }
}

/// What the briefing card remembers (the session holds one).
public final class BriefingState {
    public internal(set) var isOpen = false
    /// Hints given so far (the next Hint shows hint number `hintsShown`).
    public internal(set) var hintsShown = 0
    /// Every string the card drew in the last frame (tests read it).
    public internal(set) var drawnText: [String] = []
    var projection: ProjectionJob?
    /// The card's content wrapped for a width: (width, language, projection ready) → rows.
    var cachedRows: (key: String, rows: [Briefing.Row])?

    init() {}
}

public enum Briefing {
    struct Row {
        var text: String
        var size: Int
        var color: Vec4
        var indent: Float = 0
    }

    // MARK: - [SECTION] Layout

    public struct Layout: Sendable {
        public var panel: PanelRect
        public var startButton: PanelRect
        public var hintButton: PanelRect
    }

    public static func layout(size: (width: Int, height: Int)) -> Layout {
        let w = Float(size.width), h = Float(size.height)
        let width = min(820, w - 60), height = min(h - 80, 600)
        let panel = PanelRect(x: (w - width) / 2, y: max(HUD.topBar + 8, (h - height) / 2), width: width, height: height)
        let buttonY = panel.y + panel.height - 46
        return Layout(panel: panel,
                      startButton: PanelRect(x: panel.x + panel.width - 200, y: buttonY, width: 180, height: 32),
                      hintButton: PanelRect(x: panel.x + panel.width - 400, y: buttonY, width: 180, height: 32))
    }

    /// The Hint button during play, below the toolbar (nil when the level has no hints).
    public static func hudHintButton(session: GameSession) -> PanelRect? {
        guard !session.level.hints.isEmpty else { return nil }
        return PanelRect(x: 4, y: HUD.topBar + Float(session.tools.count) * session.toolRowHeight + 14, width: HUD.toolbarWidth - 8, height: 24)
    }

    // MARK: - [SECTION] Opening, closing, input

    /// Whether a level is a lesson (it has objectives), which starts on the card.
    static func isLesson(_ level: LevelDefinition) -> Bool { !level.objectives.isEmpty }

    /// Opens the card and pauses; starts the projection the first time for this city.
    public static func open(_ session: GameSession) {
        let state = session.briefing
        state.isOpen = true
        session.paused = true
        session.menuOpen = false
        if state.projection == nil {
            state.projection = ProjectionJob(level: session.level, catalog: session.catalog, plot: projectedPlot(session))
        }
    }

    /// A new game or level: hints start again, and a lesson at its first hour opens on its card
    /// (a city already played, as `netzero shot --years N` renders it, does not).
    static func reset(_ session: GameSession) {
        let state = session.briefing
        state.hintsShown = 0
        state.projection = nil
        state.cachedRows = nil
        state.isOpen = false
        if isLesson(session.level) && session.view.clock.tick == 0 { open(session) }
    }

    /// "Start": closes the card; the game runs (at the speed chosen before).
    public static func close(_ session: GameSession) {
        session.briefing.isOpen = false
        session.paused = false
    }

    /// Gives the next hint: to the messages feed (for a minute) and, while it is open, on the card.
    public static func showHint(_ session: GameSession, now: Double) {
        let hints = session.level.hints
        guard !hints.isEmpty else { return }
        let state = session.briefing
        let index = min(state.hintsShown, hints.count - 1)
        let text = session.strings.fill("briefing.hint_message", ["n": String(index + 1), "count": String(hints.count),
                                                                 "text": session.strings.name(hints[index])])
        session.notify(text, now: now, seconds: 60)
        state.hintsShown = min(hints.count, state.hintsShown + 1)
        state.cachedRows = nil
    }

    /// The projection, once it has finished.
    public static func projection(_ session: GameSession) -> LessonProjection? { session.briefing.projection?.result }

    /// An event while the card is open; true if the card took it (all but quitting and resizing).
    static func handle(_ event: InputEvent, session: GameSession, size: (width: Int, height: Int), now: Double) -> Bool {
        switch event {
        case .quit, .resize, .pointerLeft: return false
        case .key(let code, let down, _, _):
            guard down else { return true }
            if code == KeyCode.enter || code == KeyCode.escape || code == KeyCode.space { close(session) }
            if code == KeyCode.letter("h") { showHint(session, now: now) }
            return true
        case .mouseDown(let x, let y, let button):
            guard button == .left else { return true }
            let l = layout(size: size)
            if l.startButton.contains(x, y) { close(session) }
            else if l.hintButton.contains(x, y) && !session.level.hints.isEmpty { showHint(session, now: now) }
            return true
        default:
            return true
        }
    }

    // MARK: - [SECTION] Text: objectives and what you need

    /// Each objective with its target and deadline.
    static func objectiveLines(_ session: GameSession) -> [String] {
        let s = session.strings
        return session.level.objectives.map { o in
            let symbol = o.comparison == .atLeast ? "≥" : "≤"
            return s.fill("briefing.objective", ["title": s.name(o.title) + (o.required ? "" : s.optionalMark),
                                                 "target": symbol + " " + HUD.valueText(o.target, metric: o.metric, strings: s),
                                                 "year": String(o.deadlineYear)])
        }
    }

    /// The green-plot zone with the highest full removal among the lesson's tools.
    static func bestZone(_ session: GameSession) -> ZoneKind? {
        let catalog = session.catalog
        return ZoneKind.allCases.filter { session.tools.contains($0.key) }
            .max { catalog.zone($0).maxRemoval * catalog.zone($0).areaHa < catalog.zone($1).maxRemoval * catalog.zone($1).areaHa }
    }

    static func projectedPlot(_ session: GameSession) -> ProjectedPlot? {
        guard let zone = bestZone(session), let net = session.level.objectives.first(where: { $0.metric == .netEmissions }) else { return nil }
        return ProjectedPlot(zone: zone, deadlineYear: net.deadlineYear)
    }

    /// "What you need": the lesson's numbers from the model (nil while the projection runs).
    public static func whatYouNeed(_ session: GameSession) -> [String]? {
        guard let p = projection(session) else { return nil }
        let s = session.strings
        let level = session.level, catalog = session.catalog
        var lines = [s.fill("briefing.town_emits", ["year": String(p.year), "emitted": s.tonnes(p.emitted), "absorbed": s.tonnes(p.removed),
                                                    "net": s.tonnes(p.net)])]
        lines.append(s.fill("briefing.if_nothing", ["year": String(p.year)]))
        // A compliance rate has no settled period yet after the first year, and a peak year is that year: neither says anything.
        for (i, o) in level.objectives.enumerated() where i < p.objectiveValues.count && o.metric != .complianceRate && o.metric != .peakYear {
            lines.append("• " + s.fill("briefing.objective_after_year", [
                "title": s.name(o.title), "value": HUD.valueText(p.objectiveValues[i], metric: o.metric, strings: s)]))
        }
        // Green plots: what one plot does by the deadline of the net-emissions objective, and what it costs.
        if let best = bestZone(session), let netObjective = level.objectives.first(where: { $0.metric == .netEmissions }) {
            if let deadlineNet = p.deadlineNet, netObjective.deadlineYear != p.year {
                lines.append(s.fill("briefing.deadline_net", ["deadline": String(netObjective.deadlineYear), "net": s.tonnes(deadlineNet)]))
            }
            let spec = catalog.zone(best)
            let start = level.setup.info.startYear, deadline = netObjective.deadlineYear
            let hoursBefore = Double(deadline - start) * Sinks.hoursPerYear
            // As sinks.grow books it (without droughts): the curve's growth, stopped at the plot's stock limit.
            let limit = spec.maxStock * spec.areaHa
            let stockBefore = min(limit, Sinks.growth(spec, fromHours: 0, toHours: hoursBefore) * spec.areaHa)
            // Measured by the projection when the deadline is near; else the curve's arithmetic.
            let inDeadlineYear = p.plotRemoval ?? max(0, min(Sinks.growth(spec, fromHours: hoursBefore, toHours: hoursBefore + Sinks.hoursPerYear) * spec.areaHa,
                                                             limit - stockBefore))
            let mature = spec.maxRemoval * spec.areaHa
            lines.append(s.fill("briefing.one_plot", ["zone": s["tools." + best.key], "deadline": String(deadline),
                                                      "first": s.tonnes(inDeadlineYear), "mature": s.tonnes(mature),
                                                      "cost": s.money(spec.buildCost), "upkeep": s.money(spec.maintenance)]))
            let years = Double(deadline - start + 1)
            let gap = (p.deadlineNet ?? p.net) - netObjective.target
            if gap > 0 && inDeadlineYear < 0.01 {
                lines.append(s.fill("briefing.plots_full", ["zone": s["tools." + best.key], "deadline": String(deadline)]))
            } else if gap > 0 {
                let needed = Int((gap / inDeadlineYear).rounded(.up))
                let money = session.view.budget.balance + p.budgetChange * years
                let perPlot = spec.buildCost + spec.maintenance * years
                let affordable = perPlot > 0 ? Int(max(0, money / perPlot).rounded(.down)) : needed
                lines.append(s.fill("briefing.plots_needed", ["deadline": String(deadline), "plots": String(needed),
                                                              "affordable": String(affordable), "years": String(Int(years))]))
            }
        }
        return lines
    }

    /// The card's rows wrapped to `width`.
    static func rows(_ session: GameSession, width: Float, canvas: Canvas2D) -> [Row] {
        let s = session.strings
        let ready = projection(session) != nil
        let key = "\(Int(width))|\(s.language.rawValue)|\(ready)|\(session.briefing.hintsShown)"
        if let cached = session.briefing.cachedRows, cached.key == key { return cached.rows }
        var rows: [Row] = []
        func add(_ text: String, size: Int, color: Vec4 = HUD.text, indent: Float = 0) {
            for line in LessonEndScreen.wrap(text, width: width - indent, size: size, canvas: canvas) {
                rows.append(Row(text: line, size: size, color: color, indent: indent))
            }
        }
        add(s.name(session.level.summary), size: 15)
        rows.append(Row(text: "", size: 6, color: HUD.text))
        add(s["briefing.objectives"], size: 15, color: HUD.accent)
        for line in objectiveLines(session) { add("• " + line, size: 13, indent: 8) }
        rows.append(Row(text: "", size: 6, color: HUD.text))
        add(s["briefing.what_you_need"], size: 15, color: HUD.accent)
        if let needs = whatYouNeed(session) {
            for line in needs { add(line, size: 13, indent: line.hasPrefix("• ") ? 16 : 8) }
        } else {
            add(s["briefing.computing"], size: 13, color: HUD.dim, indent: 8)
        }
        let hints = session.level.hints
        if session.briefing.hintsShown > 0 {
            rows.append(Row(text: "", size: 6, color: HUD.text))
            for i in 0..<min(session.briefing.hintsShown, hints.count) {
                add(s.fill("briefing.hint_message", ["n": String(i + 1), "count": String(hints.count), "text": s.name(hints[i])]),
                    size: 13, color: HUD.accent, indent: 8)
            }
        }
        session.briefing.cachedRows = ready ? (key, rows) : nil
        return rows
    }

    // MARK: - [SECTION] Drawing

    public static func draw(_ canvas: Canvas2D, session: GameSession) {
        let size = canvas.size
        let l = layout(size: size)
        let s = session.strings
        let state = session.briefing
        state.drawnText = []
        func text(_ t: String, x: Float, y: Float, size: Int, color: Vec4 = HUD.text) {
            guard !t.isEmpty else { return }
            state.drawnText.append(t)
            _ = canvas.drawText(t, x: x, y: y, size: size, color: color)
        }
        let p = l.panel
        canvas.fillRect(x: p.x, y: p.y, width: p.width, height: p.height, color: Vec4(0.05, 0.06, 0.09, 1))  // opaque: the feed and the objectives under it do not show through
        canvas.strokeRect(x: p.x, y: p.y, width: p.width, height: p.height, color: Vec4(0.4, 0.44, 0.55, 1))
        canvas.pushTextBox(x: p.x, y: p.y, width: p.width, height: p.height)
        defer { canvas.popTextBox() }
        text(s["briefing.title"], x: p.x + 20, y: p.y + 12, size: 13, color: HUD.dim)
        text(s.name(session.level.title), x: p.x + 20, y: p.y + 30, size: 22, color: HUD.accent)
        var y = p.y + 66
        let bottom = l.startButton.y - 8
        for row in rows(session, width: p.width - 40, canvas: canvas) {
            guard y + Float(row.size) <= bottom else { break }
            text(row.text, x: p.x + 20 + row.indent, y: y, size: row.size, color: row.color)
            y += Float(row.size) + 6
        }
        var buttons = [(l.startButton, s["briefing.start"])]
        if !session.level.hints.isEmpty {
            let left = session.level.hints.count - state.hintsShown
            buttons.append((l.hintButton, s.fill("briefing.hint_button", ["left": String(left)])))
        }
        for (rect, label) in buttons {
            canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: CarbonPanels.buttonColor)
            canvas.strokeRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: Vec4(0.4, 0.44, 0.55, 1))
            let measured = canvas.measureText(label, size: 14)
            text(label, x: rect.x + (rect.width - Float(measured.width)) / 2, y: rect.y + (rect.height - Float(measured.height)) / 2, size: 14)
        }
        text(s["briefing.keys"], x: p.x + 20, y: l.startButton.y + 10, size: 11, color: HUD.dim)
    }

    /// The Hint button during play.
    static func drawHUDButton(_ canvas: Canvas2D, session: GameSession) {
        guard let rect = hudHintButton(session: session) else { return }
        let s = session.strings
        let left = session.level.hints.count - session.briefing.hintsShown
        canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: CarbonPanels.buttonColor)
        canvas.strokeRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: Vec4(0.4, 0.44, 0.55, 1))
        _ = canvas.drawText(s.fill("briefing.hint_button", ["left": String(left)]), x: rect.x + 8, y: rect.y + 4, size: 13,
                            color: left > 0 ? HUD.accent : HUD.dim)
    }
}
