// LessonEndScreen.swift — the end-of-lesson screen: when the level's result becomes won or lost,
// the game pauses and shows, over the whole window, the result, the level, each objective (target,
// value reached, met / failed / pending), what the player did (their commands counted by tool,
// years played, final net emissions, budget) and the educator report's charts, drawn by the
// Report module from the live city's series and shown as textures.
//
// [SECTION] State
// [SECTION] Layout (shared by drawing and clicks)
// [SECTION] Opening: the result watch, the S key and the menu
// [SECTION] Input: the buttons, Esc
// [SECTION] Save report
// [SECTION] Summary text
// [SECTION] Drawing
//
// "Continue playing" closes the screen and leaves the game paused; the screen does not open again
// by itself for the same result of the same city. S (or Menu → Lesson summary) opens it again.
import CitySim
import Foundation
import Locale
import Raster
import Render
import Report

// MARK: - [SECTION] State

/// What the end-of-lesson screen remembers (the session holds one).
public final class LessonEndState {
    public internal(set) var isOpen = false
    /// The city and result the screen was last opened for by the result watch (weak: a city
    /// replaced by a new game or a load is not mistaken for another at the same address).
    weak var shownCity: City?
    var shownResult: LevelResult?
    /// Every string the screen drew in the last frame (what the player could read; tests check it).
    public internal(set) var drawnText: [String] = []
    /// The folder the last "Save report…" wrote, and the files in it.
    public internal(set) var lastReport: (directory: String, files: [String])?
    /// The last save's message (path or problem), shown on the screen.
    var status: String?
    /// The charts as textures (redrawn when the size, language or hour changes).
    let charts = LiveCharts()

    init() {}
}

public enum LessonEndScreen {
    static let background = Vec4(0.05, 0.06, 0.09, 1)
    static let won = Vec4(0.55, 0.95, 0.55, 1)
    static let lost = Vec4(1, 0.5, 0.45, 1)

    // MARK: - [SECTION] Layout

    public struct Layout: Sendable {
        /// The title and the level's name.
        public var header: PanelRect
        /// The objectives and the summary.
        public var text: PanelRect
        /// Where the charts are drawn, and each chart's rectangle inside it.
        public var chartArea: PanelRect
        public var charts: [PanelRect]
        public var continueButton: PanelRect
        public var saveButton: PanelRect
        public var levelsButton: PanelRect
    }

    public static func layout(size: (width: Int, height: Int)) -> Layout {
        let w = Float(size.width), h = Float(size.height), margin: Float = 16
        let headerHeight: Float = 74, buttonRow: Float = 60
        let textWidth = min(460, max(300, w * 0.36))
        let header = PanelRect(x: margin, y: 8, width: w - 2 * margin, height: headerHeight - 12)
        let text = PanelRect(x: margin, y: headerHeight, width: textWidth, height: max(100, h - headerHeight - buttonRow))
        let areaX = text.x + text.width + margin
        let area = PanelRect(x: areaX, y: headerHeight, width: max(120, w - areaX - margin), height: max(100, h - headerHeight - buttonRow))
        let gap: Float = 8
        var charts: [PanelRect] = []
        let cellW = (area.width - gap) / 2, cellH = (area.height - gap) / 2
        if cellW >= 420 && cellH >= 260 {
            for i in 0..<4 {
                charts.append(PanelRect(x: area.x + Float(i % 2) * (cellW + gap), y: area.y + Float(i / 2) * (cellH + gap),
                                        width: cellW, height: cellH))
            }
        } else {
            for i in 0..<2 { charts.append(PanelRect(x: area.x, y: area.y + Float(i) * (cellH + gap), width: area.width, height: cellH)) }
        }
        let buttonWidth = min(200, (w - 2 * margin - 24) / 3), buttonY = h - buttonRow + 14
        func button(_ i: Int) -> PanelRect { PanelRect(x: margin + Float(i) * (buttonWidth + 12), y: buttonY, width: buttonWidth, height: 32) }
        return Layout(header: header, text: text, chartArea: area, charts: charts,
                      continueButton: button(0), saveButton: button(1), levelsButton: button(2))
    }

    // MARK: - [SECTION] Opening

    /// Called after every `advance`: opens the screen (and pauses) when the level's result is won
    /// or lost and the screen has not yet been shown for that result of this city.
    static func watch(_ session: GameSession) {
        guard let result = session.view.rules?.result, result != .undecided else { return }
        let state = session.lessonEnd
        if state.shownCity === session.city && state.shownResult == result { return }
        state.shownCity = session.city
        state.shownResult = result
        open(session)
    }

    /// Opens the screen (the S key and the menu call it too, whatever the result) and pauses.
    public static func open(_ session: GameSession) {
        session.lessonEnd.isOpen = true
        session.lessonEnd.status = nil
        session.paused = true
        session.menuOpen = false
        session.pickingLevel = false
        session.showCharts = false
        session.panels.show(nil)
    }

    /// "Continue playing": closes the screen; the game stays paused.
    public static func close(_ session: GameSession) {
        session.lessonEnd.isOpen = false
        session.paused = true
    }

    // MARK: - [SECTION] Input

    /// An event while the screen is open; true if the screen took it (all but quitting and resizing).
    static func handle(_ event: InputEvent, session: GameSession, size: (width: Int, height: Int), now: Double) -> Bool {
        switch event {
        case .quit, .resize, .pointerLeft: return false
        case .key(let code, let down, _, _):
            guard down else { return true }
            if code == KeyCode.escape || code == KeyCode.enter { close(session) }
            return true
        case .mouseDown(let x, let y, let button):
            guard button == .left else { return true }
            let l = layout(size: size)
            if l.continueButton.contains(x, y) {
                close(session)
            } else if l.saveButton.contains(x, y) {
                saveReport(session, now: now)
            } else if l.levelsButton.contains(x, y) {
                close(session)
                session.openLevelPicker()
            }
            return true
        default:
            return true
        }
    }

    // MARK: - [SECTION] Save report

    /// The live city's series, for the charts and the report.
    static func series(_ session: GameSession) -> RunSeries {
        let view = session.view
        let level = session.level.setup.info.id == view.level.id ? session.level : nil
        return RunSeries.live(view, source: .game(view.clock.date.description), level: level)
    }

    /// The folder beside the saves that "Save report…" writes into: `report-<level id>-<year>`.
    public static func reportDirectory(_ session: GameSession) -> String {
        let saves = (session.savePath as NSString).deletingLastPathComponent
        let year = series(session).years.last?.year ?? session.view.clock.year
        return (saves.isEmpty ? "." : saves) + "/report-\(session.view.level.id)-\(year)"
    }

    /// Writes the files `netzero report` writes, in the player's language; the path goes to the
    /// message feed (and the screen's status line).
    public static func saveReport(_ session: GameSession, now: Double) {
        let directory = reportDirectory(session)
        let s = session.strings
        do {
            let files = try EducatorReport.write(series(session), to: directory, options: ReportOptions(language: session.strings.language))
            session.lessonEnd.lastReport = (directory, files)
            session.lessonEnd.status = s.fill("lesson_end.report_saved", ["path": directory])
        } catch {
            session.lessonEnd.status = s.fill("lesson_end.report_failed", ["reason": error.description])
        }
        session.notify(session.lessonEnd.status ?? directory, now: now)
    }

    // MARK: - [SECTION] Summary text

    /// The title: Lesson won / Lesson lost (or Lesson summary while undecided).
    public static func title(_ session: GameSession) -> String {
        switch session.view.rules?.result ?? .undecided {
        case .won: return session.strings["lesson_end.won"]
        case .lost: return session.strings["lesson_end.lost"]
        case .undecided: return session.strings["lesson_end.undecided"]
        }
    }

    /// Each objective: its title (with ✓ × …) and a line with the target, the value reached and the status.
    static func objectiveLines(_ session: GameSession) -> [(title: String, detail: String, status: ObjectiveStatus)] {
        let s = session.strings
        return HUD.objectiveRows(session).map { row in
            let metric = row.objective.metric.rawValue
            let detail = s.fill("lesson_end.objective_detail", [
                "target": row.symbol + " " + ReportCharts.metricValue(row.objective.target, metric: metric, strings: s),
                "value": ReportCharts.metricValue(row.value, metric: metric, strings: s),
                "deadline": String(row.objective.deadlineYear), "status": s.status(row.status.rawValue)])
            return (row.title, detail, row.status)
        }
    }

    /// The player's commands carried out, by tool, most used first: "12 × Forest, 3 × Wind turbine".
    public static func commandSummary(_ session: GameSession) -> String {
        let s = session.strings
        let counts = HeadlessRun.playerCommandCounts(session.view.commandLog).sorted { $0.count != $1.count ? $0.count > $1.count : $0.tool < $1.tool }
        guard !counts.isEmpty else { return s["lesson_end.no_commands"] }
        let list = counts.map { item -> String in
            let name = s.has("tools." + item.tool) ? s["tools." + item.tool] : s.has("panels." + item.tool) ? s["panels." + item.tool] : item.tool
            return "\(item.count) × \(name)"
        }
        return s.fill("lesson_end.commands", ["list": list.joined(separator: ", ")])
    }

    /// Years played, the final net emissions and the budget.
    static func factLines(_ session: GameSession) -> [String] {
        let s = session.strings, view = session.view, ledger = view.ledger
        var lines: [String] = []
        let first = ledger.years.first?.start.year ?? ledger.thisYear.start.year
        let last = ledger.years.last?.start.year ?? first
        lines.append(s.fill("lesson_end.years", ["count": String(ledger.years.count), "first": String(first), "last": String(last)]))
        let final = ledger.years.last ?? ledger.thisYear
        lines.append(s.fill("lesson_end.net", ["year": String(final.start.year), "value": NumberText.grouped(final.net)]))
        lines.append(s.fill("lesson_end.budget", ["value": s.money(view.budget.balance)]))
        return lines
    }

    /// Why a lost lesson was lost: each required objective that failed, its value against its
    /// goal and by how much it fell short, in the objective's unit.
    public static func lossReasons(_ session: GameSession) -> [String] {
        guard let rules = session.view.rules, rules.result == .lost else { return [] }
        let s = session.strings
        let values = session.view.objectiveValues()
        return rules.objectives.indices.filter { rules.objectives[$0].required && rules.statuses[$0] == .failed }.map { i in
            let o = rules.objectives[i]
            let symbol = o.comparison == .atLeast ? "≥" : "≤"
            let gap = abs(values[i] - o.target)
            return s.fill("lesson_end.lost_because", [
                "title": s.name(o.title), "year": String(o.deadlineYear),
                "value": ReportCharts.metricValue(values[i], metric: o.metric.rawValue, strings: s),
                "target": symbol + " " + ReportCharts.metricValue(o.target, metric: o.metric.rawValue, strings: s),
                "gap": o.metric == .peakYear ? String(Int(gap.rounded())) + " " + s["report.unit_year"]
                    : ReportCharts.metricValue(gap, metric: o.metric.rawValue, strings: s)])
        }
    }

    /// `text` broken into lines no wider than `width` pixels: English at a space when it can;
    /// Chinese between any two characters (a space beside a number is not a better place), and
    /// never so that a line begins with closing punctuation such as "，" or "。".
    public static func wrap(_ text: String, width: Float, size: Int, canvas: Canvas2D) -> [String] {
        var lines: [String] = []
        var rest = Array(text)
        while !rest.isEmpty {
            if Float(canvas.measureText(String(rest), size: size).width) <= width { lines.append(String(rest)); break }
            var low = 1, high = rest.count
            while low < high {
                let mid = (low + high + 1) / 2
                if Float(canvas.measureText(String(rest.prefix(mid)), size: size).width) <= width { low = mid } else { high = mid - 1 }
            }
            var cut = low
            let breaksAnywhere = isIdeographic(rest[low - 1]) || (low < rest.count && isIdeographic(rest[low]))
            if !breaksAnywhere, let space = rest.prefix(low + 1).lastIndex(of: " "), space > low / 2 { cut = space }
            // Between Chinese characters a number or a Latin word is still not split.
            if breaksAnywhere, cut < rest.count, isWordCharacter(rest[cut - 1]), isWordCharacter(rest[cut]) {
                var start = cut
                while start > 0, isWordCharacter(rest[start - 1]) { start -= 1 }
                if start > low / 2 { cut = start }
            }
            // The character before closing punctuation moves down with it, as Chinese typesetting does.
            while cut > 1, cut < rest.count, closingPunctuation.contains(rest[cut]) { cut -= 1 }
            lines.append(String(rest.prefix(cut)).trimmingCharacters(in: .whitespaces))
            rest = Array(rest.dropFirst(cut).drop { $0 == " " })
        }
        return lines
    }

    static let closingPunctuation: Set<Character> = ["，", "。", "、", "；", "：", "！", "？", "）", "」", "』", "》", "%", ")", ",", ".", ";", ":"]

    /// A letter or digit of a Latin word or a number ("12,345.6").
    static func isWordCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "," || character == ".")
    }

    /// A CJK character or full-width punctuation mark: a line may break on either side of it.
    static func isIdeographic(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first?.value else { return false }
        return (0x2E80...0x9FFF).contains(scalar) || (0xF900...0xFAFF).contains(scalar) || (0xFF00...0xFFEF).contains(scalar)
    }

    // MARK: - [SECTION] Drawing

    /// The report's four charts of the live city, for the layout's cells.
    static func chartTextures(_ session: GameSession, layout: Layout, font: Font) -> [Texture] {
        let kinds: [LiveCharts.Kind] = [.emissionsBySector, .removalsAndNet, .gridMix, .objectives]
        return session.lessonEnd.charts.textures(session, charts: zip(kinds, layout.charts).map { ($0, Int($1.width), Int($1.height)) }, font: font)
    }

    public static func draw(_ canvas: Canvas2D, session: GameSession, now: Double) {
        let size = canvas.size
        let l = layout(size: size)
        let s = session.strings
        let state = session.lessonEnd
        state.drawnText = []
        func text(_ t: String, x: Float, y: Float, size: Int, color: Vec4 = HUD.text) {
            guard !t.isEmpty else { return }
            state.drawnText.append(t)
            _ = canvas.drawText(t, x: x, y: y, size: size, color: color)
        }
        canvas.fillRect(x: 0, y: 0, width: Float(size.width), height: Float(size.height), color: background)

        // The header: the result and the level.
        let result = session.view.rules?.result ?? .undecided
        text(title(session), x: l.header.x, y: l.header.y, size: 26, color: result == .won ? won : result == .lost ? lost : HUD.accent)
        text(s.name(session.level.title) + "  ·  " + session.view.clock.date.description, x: l.header.x, y: l.header.y + 36, size: 15, color: HUD.dim)

        // The text column: objectives, then what the player did.
        let t = l.text, width = t.width - 8
        canvas.fillRect(x: t.x - 6, y: t.y - 6, width: t.width + 6, height: t.height, color: HUD.panel)
        var y = t.y
        let bottom = t.y + t.height - 20
        func lines(_ content: String, size: Int, color: Vec4 = HUD.text, indent: Float = 0) {
            for line in wrap(content, width: width - indent, size: size, canvas: canvas) where y < bottom {
                text(line, x: t.x + indent, y: y, size: size, color: color)
                y += Float(size) + 5
            }
        }
        for reason in lossReasons(session) {
            lines(reason, size: 14, color: lost)
            y += 4
        }
        lines(s["lesson_end.objectives"], size: 16, color: HUD.accent)
        for objective in objectiveLines(session) {
            lines(objective.title, size: 13, color: objective.status == .met ? won : objective.status == .failed ? lost : HUD.text)
            lines(objective.detail, size: 12, color: HUD.dim, indent: 16)
            y += 3
        }
        y += 8
        lines(s["lesson_end.summary"], size: 16, color: HUD.accent)
        lines(commandSummary(session), size: 13)
        for fact in factLines(session) { lines(fact, size: 13) }
        if let status = state.status {
            y += 8
            lines(status, size: 12, color: HUD.accent)
        }
        text(s["lesson_end.hint"], x: t.x, y: t.y + t.height - 18, size: 11, color: HUD.dim)

        // The charts, as the report draws them.
        for (texture, rect) in zip(chartTextures(session, layout: l, font: canvas.font), l.charts) {
            canvas.drawImage(texture, x: rect.x, y: rect.y, width: rect.width, height: rect.height)
        }

        // The buttons.
        for (rect, key) in [(l.continueButton, "lesson_end.continue"), (l.saveButton, "lesson_end.save_report"), (l.levelsButton, "lesson_end.levels")] {
            canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: CarbonPanels.buttonColor)
            canvas.strokeRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: Vec4(0.4, 0.44, 0.55, 1))
            let label = s[key]
            let measured = canvas.measureText(label, size: 14)
            text(label, x: rect.x + (rect.width - Float(measured.width)) / 2, y: rect.y + (rect.height - Float(measured.height)) / 2, size: 14)
        }
    }
}
