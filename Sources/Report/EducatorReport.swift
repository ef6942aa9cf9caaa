// EducatorReport.swift — `netzero report INPUT --out DIR`: the charts and tables a teacher
// hands out after a student's run (docs/report.md).
//
// Writes into DIR, byte-identical for the same input, language and size:
//   emissions_by_sector.png  removals_and_net.png  grid_mix.png  objectives.png
//   yearly.csv      the run's own file (copied), or rebuilt from a save's ledger
//   objectives.csv  id, title, metric, comparison, target, deadline, value, status
//   report.md       level, seed, years, result, objectives, what the player built, the charts
import CitySim
import Foundation
import Locale
import Raster

public struct ReportOptions: Sendable {
    public var language: Language
    public var width: Int
    public var height: Int
    /// A font file to use instead of the located one (tests, or $NETZERO_FONT).
    public var fontPath: String?

    public init(language: Language = .en, width: Int = 1280, height: Int = 720, fontPath: String? = nil) {
        self.language = language
        self.width = width
        self.height = height
        self.fontPath = fontPath
    }

    /// Chart sizes accepted by `--size`.
    public static let widths = 480...7680
    public static let heights = 320...4320
}

public enum EducatorReport {
    public static let chartFiles = ["emissions_by_sector.png", "removals_and_net.png", "grid_mix.png", "objectives.png", "budget.png"]
    public static let tableFiles = ["yearly.csv", "objectives.csv", "report.md"]

    /// The five charts, in `chartFiles` order (the budget chart is BudgetChart.swift).
    public static func charts(_ series: RunSeries, strings: Strings, painter: TextPainter,
                              width: Int, height: Int) -> [(file: String, chart: Chart)] {
        [(chartFiles[0], ReportCharts.emissionsBySector(series, strings: strings, painter: painter, width: width, height: height)),
         (chartFiles[1], ReportCharts.removalsAndNet(series, strings: strings, painter: painter, width: width, height: height)),
         (chartFiles[2], ReportCharts.gridMix(series, strings: strings, painter: painter, width: width, height: height)),
         (chartFiles[3], ReportCharts.objectives(series, strings: strings, painter: painter, width: width, height: height)),
         (chartFiles[4], ReportCharts.budget(series, strings: strings, painter: painter, width: width, height: height))]
    }

    /// Writes the report into `directory` (created if needed); returns the paths written, in order.
    @discardableResult
    public static func write(_ series: RunSeries, to directory: String, options: ReportOptions = ReportOptions()) throws(ReportError) -> [String] {
        let painter = try TextPainter(fontPath: options.fontPath)
        let strings = Strings(language: options.language)
        do {
            try FileSystem.makeDirectory(directory)
        } catch {
            throw .unwritable(path: directory, reason: "cannot create the folder")
        }
        var written: [String] = []
        func save(_ bytes: [UInt8], _ name: String) throws(ReportError) {
            let path = directory + "/" + name
            do throws(FileSystem.WriteError) {
                try FileSystem.writeAtomically(bytes, to: path)
            } catch {
                throw .unwritable(path: path, reason: error.reason)
            }
            written.append(path)
        }
        for (file, chart) in charts(series, strings: strings, painter: painter, width: options.width, height: options.height) {
            try save(PNG.encode(chart.image), file)
        }
        try save(Array(series.yearlyCSV.utf8), "yearly.csv")
        try save(Array(objectivesCSV(series, strings: strings).utf8), "objectives.csv")
        // Only a city with a market has firms to list (firms.csv is then the run's own file).
        if let firms = series.firmsCSV, !firmRows(firms).isEmpty { try save(Array(firms.utf8), "firms.csv") }
        try save(Array(markdown(series, strings: strings).utf8), "report.md")
        return written
    }

    // MARK: - objectives.csv

    public static let objectivesHeader = "id,title,metric,comparison,target,deadline,value,status"

    public static func objectivesCSV(_ series: RunSeries, strings: Strings) -> String {
        var lines = [objectivesHeader]
        for o in series.objectives {
            lines.append([csvField(o.id), csvField(strings.name(o.title)), o.metric, o.comparison, Fixed.format(o.target, 4),
                          String(o.deadline), Fixed.format(o.value, 4), o.status].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: - report.md

    public static func markdown(_ series: RunSeries, strings s: Strings) -> String {
        var out: [String] = []
        let title = s.name(series.levelTitle)
        out.append("# \(s["report.title"]): \(title)")
        out.append("")
        var facts: [(String, String)] = [
            (s["report.level"], "\(markdownText(title)) (`\(series.levelID)`)"),
            (s["report.seed"], String(series.seed)),
            (s["report.years"], yearsText(series, strings: s)),
            (s["report.result"], "**\(s.result(series.result))**"),
        ]
        if !series.years.isEmpty {
            facts.append((s["report.net_total"], NumberText.grouped(series.years.reduce(0) { $0 + $1.net }, decimals: 0) + " tCO2e"))
            facts.append((s["report.removals_total"], NumberText.grouped(series.years.reduce(0) { $0 + $1.removals }, decimals: 0) + " tCO2e"))
        }
        if let last = series.years.last {
            facts.append((s.fill("report.final_grid", ["year": String(last.year) + (last.partial ? "*" : "")]),
                          NumberText.grouped(last.gridFactor, decimals: 1) + " gCO2/kWh, " + Fixed.format(last.renewableShare * 100, 1) + " %"))
        }
        let source: String
        switch series.source {
        case .runDirectory(let path): source = s.fill("report.source_run", ["path": "`\(path)`"])
        case .save(let path): source = s.fill("report.source_save", ["path": "`\(path)`"])
        case .game(let when): source = s.fill("report.source_game", ["date": when])
        }
        facts.append((s["report.source"], source))
        out.append("| | |")
        out.append("|---|---|")
        for (label, value) in facts { out.append("| \(label) | \(value) |") }
        out.append("")

        out.append("## \(s["report.objectives_title"])")
        out.append("")
        if series.objectives.isEmpty {
            out.append(s["report.no_objectives"])
        } else {
            out.append("| \(s["report.objective"]) | \(s["report.target"]) | \(s["report.deadline"]) | \(s["report.reached"]) | \(s["report.status"]) |")
            out.append("|---|---|---|---|---|")
            for o in series.objectives {
                let symbol = o.comparison == "at_least" ? "≥" : "≤"
                let name = markdownText(s.name(o.title)) + (o.required ? "" : s.optionalMark)
                out.append("| \(name) | \(symbol) \(ReportCharts.metricValue(o.target, metric: o.metric, strings: s)) | \(o.deadline) | "
                           + "\(ReportCharts.metricValue(o.value, metric: o.metric, strings: s)) | \(s.status(o.status)) |")
            }
        }
        out.append("")

        out.append("## \(s["report.built"])")
        out.append("")
        if let commands = series.commandsByTool {
            if commands.isEmpty {
                out.append(s["report.nothing_built"])
            } else {
                out.append("| \(s["report.tool"]) | \(s["report.commands"]) |")
                out.append("|---|---:|")
                for (tool, count) in commands { out.append("| \(markdownText(s.tool(tool))) (`\(tool)`) | \(count) |") }
            }
        } else {
            out.append(s["report.commands_unknown"])
        }
        if let applied = series.commandsApplied {
            out.append("")
            out.append(s.fill("report.commands_applied", ["count": String(applied)]))
        }
        out.append("")

        let firms = firmRows(series.firmsCSV)
        if !firms.isEmpty {
            out.append("## \(s["report.firms_title"])")
            out.append("")
            let columns = ["year", "firm", "kind", "verified_t", "allocated", "bought", "sold", "abatement_t", "abatement_yuan",
                           "price_yuan_per_t", "fine_yuan", "status"]
            out.append("| " + columns.map { s["report.firms_" + $0] }.joined(separator: " | ") + " |")
            out.append("|" + columns.map { ["year", "firm", "kind", "status"].contains($0) ? "---" : "---:" }.joined(separator: "|") + "|")
            for row in firms {
                out.append("| " + columns.map { column in
                    let value = row[column] ?? ""
                    switch column {
                    case "year": return value
                    case "firm": return markdownText(value)
                    case "kind": return s["report.firms_kind_" + value]
                    case "status": return s.status(value)
                    default: return NumberText.grouped(value)
                    }
                }.joined(separator: " | ") + " |")
            }
            out.append("")
        }

        out.append("## \(s["report.charts"])")
        out.append("")
        let chartTitles = ["report.emissions_title", "report.removals_title", "report.grid_title", "report.objectives_title", "report.budget_title"]
        for (file, key) in zip(chartFiles, chartTitles) { out.append("![\(s[key])](\(file))") }
        out.append("")
        out.append("## \(s["report.files"])")
        out.append("")
        out.append(s["report.files_note"])
        if let partial = series.years.last(where: \.partial) {
            out.append("")
            out.append(s.fill("report.partial_note", ["year": String(partial.year), "date": series.end]))
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// firms.csv's rows as column → text (RFC 4180 quoting: a quoted field may hold commas and
    /// doubled quotes). Rows whose width differs from the header's are skipped.
    static func firmRows(_ csv: String?) -> [[String: String]] {
        guard let csv else { return [] }
        func fields(_ line: Substring) -> [String] {
            var result: [String] = [], field = "", quoted = false
            var characters = line.makeIterator()
            var pending: Character? = nil
            while let c = pending ?? characters.next() {
                pending = nil
                if quoted {
                    if c == "\"" {
                        if let next = characters.next() {
                            if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                        } else { quoted = false }
                    } else { field.append(c) }
                } else if c == "\"" { quoted = true
                } else if c == "," { result.append(field); field = ""
                } else { field.append(c) }
            }
            result.append(field)
            return result
        }
        let lines = csv.split(separator: "\n").map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard let header = lines.first.map(fields) else { return [] }
        return lines.dropFirst().compactMap { line in
            let values = fields(line)
            guard values.count == header.count else { return nil }
            return Dictionary(zip(header, values), uniquingKeysWith: { a, _ in a })
        }
    }

    static func yearsText(_ series: RunSeries, strings s: Strings) -> String {
        guard let first = series.years.first, let last = series.years.last else { return "—" }
        let complete = series.years.filter { !$0.partial }.count
        if last.partial {
            return s.fill("report.years_range_partial", ["first": String(first.year), "last": String(last.year),
                                                            "count": String(complete), "date": series.end])
        }
        return s.fill("report.years_range", ["first": String(first.year), "last": String(last.year), "count": String(complete)])
    }

    /// Text safe inside a Markdown table cell.
    static func markdownText(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
