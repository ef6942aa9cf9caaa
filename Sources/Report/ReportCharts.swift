// ReportCharts.swift — the four charts of the educator's report, drawn on a `ChartCanvas`:
//
//   emissionsBySector   stacked bars per year: power, industry, buildings, transport,
//                       agriculture & waste (and land-sink releases when there are any)
//   removalsAndNet      emissions above zero, removals below it, the net line; 2030 and 2060
//   gridMix             generation by plant kind per year with the renewable share (upper),
//                       the grid factor in gCO2/kWh (lower)
//   objectives          a table: each objective, its target and deadline, the value reached,
//                       met / failed / pending
//
// Every chart has a title, a subtitle (level, years), axis labels with units and a legend.
// A year in progress (from a save) is drawn paler, labelled "2031*", and explained in a footnote.
// Each function returns the image and the plot area it drew in, so tests can find the bars.
import CitySim
import Locale
import Raster

/// Where a chart's data went: the plot rectangle, its value range and its year slots.
public struct PlotArea: Sendable, Equatable {
    public var left: Int
    public var top: Int
    public var width: Int
    public var height: Int
    public var yMin: Double
    public var yMax: Double
    /// Number of year slots across the width.
    public var slots: Int

    public var right: Int { left + width }
    public var bottom: Int { top + height }

    /// The row (fractional) of `value`.
    public func y(_ value: Double) -> Double {
        Double(top) + Double(height) * (yMax - value) / (yMax - yMin)
    }
    public func slotCenter(_ index: Int) -> Double {
        Double(left) + (Double(index) + 0.5) * Double(width) / Double(max(1, slots))
    }
    /// The horizontal extent of the bar in slot `index`.
    public func bar(_ index: Int) -> (x0: Double, x1: Double) {
        let slot = Double(width) / Double(max(1, slots))
        let half = max(1, (slot * 0.34).rounded())
        let center = slotCenter(index).rounded()
        return (center - half, center + half)
    }
}

public struct Chart {
    public var image: Image
    /// The main plot (nil when there was nothing to plot).
    public var plot: PlotArea?
    /// The grid-mix chart's lower plot (grid factor).
    public var lowerPlot: PlotArea?
}

public enum ReportColors {
    public static let background = RGBA8(255, 255, 255)
    public static let text = RGBA8(34, 34, 34)
    public static let secondary = RGBA8(102, 102, 102)
    public static let grid = RGBA8(228, 228, 228)
    public static let axis = RGBA8(60, 60, 60)
    public static let removals = RGBA8(0, 158, 115)
    public static let emissionsContext = RGBA8(236, 196, 170)
    public static let net = RGBA8(34, 34, 34)
    public static let renewable = RGBA8(0, 140, 100)
    public static let gridFactor = RGBA8(110, 123, 139)
    public static let delivered = RGBA8(140, 150, 160)
    public static let met = RGBA8(0, 140, 90)
    public static let failed = RGBA8(200, 50, 40)
    public static let pending = RGBA8(210, 150, 20)

    /// The colour-blind-safe set (the game's `colour_blind` setting; read where charts are drawn):
    /// every pair in a legend at least 10 ΔE2000 apart with deuteranopia and protanopia simulated
    /// (Machado et al. 2009; docs/sources.md), where the default set falls to 3.4.
    nonisolated(unsafe) public static var colourBlindSafe = false

    /// Okabe–Ito colours (readable with colour-blindness), one per sector. The colour-blind-safe set
    /// swaps agriculture's olive (5.1 ΔE2000 from power's vermilion with deuteranopia) for black,
    /// and transport and land sinks for sky blue and bluish green.
    public static func sector(_ sector: Sector) -> RGBA8 { self.sector(sector, safe: colourBlindSafe) }

    public static func sector(_ sector: Sector, safe: Bool) -> RGBA8 {
        if safe {
            switch sector {
            case .power: return RGBA8(213, 94, 0)
            case .industry: return RGBA8(0, 114, 178)
            case .buildings: return RGBA8(230, 159, 0)
            case .transport: return RGBA8(86, 180, 233)
            case .agricultureWaste: return RGBA8(0, 0, 0)
            case .landSinks: return RGBA8(0, 158, 115)
            }
        }
        switch sector {
        case .power: return RGBA8(213, 94, 0)
        case .industry: return RGBA8(0, 114, 178)
        case .buildings: return RGBA8(230, 159, 0)
        case .transport: return RGBA8(204, 121, 167)
        case .agricultureWaste: return RGBA8(153, 153, 51)
        case .landSinks: return RGBA8(140, 86, 75)
        }
    }

    public static func plant(_ kind: PlantKind) -> RGBA8 { plant(kind, safe: colourBlindSafe) }

    public static func plant(_ kind: PlantKind, safe: Bool) -> RGBA8 {
        if safe {
            // Okabe–Ito and Paul Tol's colours, chosen apart in lightness as well as hue.
            switch kind {
            case .coal: return RGBA8(0, 0, 0)
            case .gas: return RGBA8(255, 204, 204)
            case .nuclear: return RGBA8(136, 34, 85)
            case .hydro: return RGBA8(0, 114, 178)
            case .wind: return RGBA8(86, 180, 233)
            case .solar: return RGBA8(240, 228, 66)
            case .biomass: return RGBA8(153, 153, 51)
            case .waste: return RGBA8(102, 51, 0)
            }
        }
        switch kind {
        case .coal: return RGBA8(58, 58, 58)
        case .gas: return RGBA8(150, 150, 165)
        case .nuclear: return RGBA8(176, 122, 161)
        case .hydro: return RGBA8(74, 120, 168)
        case .wind: return RGBA8(118, 183, 178)
        case .solar: return RGBA8(242, 194, 48)
        case .biomass: return RGBA8(122, 106, 58)
        case .waste: return RGBA8(138, 90, 122)
        }
    }

    /// The paler colour a partial year's bars are drawn in.
    static func pale(_ c: RGBA8) -> RGBA8 {
        func p(_ v: UInt8) -> UInt8 { UInt8((Double(v) + 255 * 1.2) / 2.2) }
        return RGBA8(p(c.r), p(c.g), p(c.b))
    }

    public static func status(_ status: String) -> RGBA8 {
        status == "met" ? met : status == "failed" ? failed : pending
    }
}

/// Sizes for a canvas, scaled from a 1280 × 720 design.
struct ReportStyle {
    let width: Int, height: Int
    let scale: Double
    let margin: Int, gap: Int
    let titleSize: Int, subtitleSize: Int, labelSize: Int, tickSize: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        let k = min(Double(width) / 1280, Double(height) / 720)
        scale = k
        let s = { (v: Double, minimum: Int) -> Int in max(minimum, Int((v * k).rounded())) }
        margin = s(24, 8)
        gap = s(8, 3)
        titleSize = s(26, 13)
        subtitleSize = s(15, 10)
        labelSize = s(16, 10)
        tickSize = s(14, 9)
    }
}

public enum ReportCharts {
    // MARK: - Emissions by sector

    public static func emissionsBySector(_ series: RunSeries, strings: Strings, painter: TextPainter,
                                         width: Int, height: Int) -> Chart {
        var frame = Frame(series: series, strings: strings, painter: painter, width: width, height: height,
                          title: strings["report.emissions_title"])
        let sectors = stackedSectors(series)
        // The legend reads like the stack: its top item is the top band.
        let legend = sectors.reversed().map { LegendItem(label: strings.sector($0), color: ReportColors.sector($0), isLine: false) }
        guard !series.years.isEmpty else { return frame.finishEmpty() }
        let top = series.years.map { row in sectors.reduce(0) { $0 + max(0, row.sectors[Int($1.rawValue)]) } }.max() ?? 0
        // Headroom for the totals printed above the bars.
        let plot = frame.layout(legend: legend, yLabel: strings["report.tonnes_axis"], range: (0, top * 1.08))
        frame.drawAxes(plot, format: { NumberText.grouped($0, step: $1) })
        for (i, row) in series.years.enumerated() {
            let (x0, x1) = plot.bar(i)
            var base = 0.0
            for sector in sectors {
                let value = max(0, row.sectors[Int(sector.rawValue)])
                guard value > 0 else { continue }
                let color = row.partial ? ReportColors.pale(ReportColors.sector(sector)) : ReportColors.sector(sector)
                frame.canvas.fill(x0: x0, y0: plot.y(base + value), x1: x1, y1: plot.y(base), color)
                base += value
            }
            frame.drawValue(NumberText.grouped(base, decimals: 0), above: plot.y(base), in: plot, slot: i)
        }
        frame.drawYearLabels(plot)
        return frame.finish(plot: plot)
    }

    /// The sectors stacked, bottom first: the five emitting sectors, and land-sink releases
    /// (fires, demolished zones) only if some year has any.
    public static func stackedSectors(_ series: RunSeries) -> [Sector] {
        let releases = series.years.contains { $0.sectors[Int(Sector.landSinks.rawValue)] > 0.0005 }
        return Sector.allCases.filter { $0 != .landSinks || releases }
    }

    // MARK: - Removals and net

    public static func removalsAndNet(_ series: RunSeries, strings: Strings, painter: TextPainter,
                                      width: Int, height: Int) -> Chart {
        var frame = Frame(series: series, strings: strings, painter: painter, width: width, height: height,
                          title: strings["report.removals_title"])
        let legend = [LegendItem(label: strings["report.emissions"], color: ReportColors.emissionsContext, isLine: false),
                      LegendItem(label: strings["report.removals"], color: ReportColors.removals, isLine: false),
                      LegendItem(label: strings["report.net"], color: ReportColors.net, isLine: true)]
        guard !series.years.isEmpty else { return frame.finishEmpty() }
        let high = series.years.map { max($0.emissions, $0.net) }.max() ?? 0
        let low = series.years.map { min(-$0.removals, $0.net) }.min() ?? 0
        let plot = frame.layout(legend: legend, yLabel: strings["report.tonnes_axis"], range: (min(0, low), max(0, high)))
        frame.drawAxes(plot, format: { NumberText.grouped($0, step: $1) })
        for (i, row) in series.years.enumerated() {
            let (x0, x1) = plot.bar(i)
            let emissions = row.partial ? ReportColors.pale(ReportColors.emissionsContext) : ReportColors.emissionsContext
            let removals = row.partial ? ReportColors.pale(ReportColors.removals) : ReportColors.removals
            frame.canvas.fill(x0: x0, y0: plot.y(row.emissions), x1: x1, y1: plot.y(0), emissions)
            frame.canvas.fill(x0: x0, y0: plot.y(0), x1: x1, y1: plot.y(-row.removals), removals)
        }
        // The zero line, over the bars.
        frame.canvas.horizontal(y: Int(plot.y(0).rounded()), x0: plot.left, x1: plot.right, ReportColors.axis, thickness: 2)
        // Markers: the 2030 peak and 2060 neutrality, when the run covers those years.
        let markers = [(2030, strings["charts.peak_2030"]), (2060, strings["charts.neutral_2060"])]
        for (year, label) in markers {
            guard let index = series.years.firstIndex(where: { $0.year == year }) else { continue }
            let x = Int(plot.slotCenter(index).rounded())
            frame.canvas.vertical(x: x, y0: plot.top, y1: plot.bottom, ReportColors.secondary, thickness: 2, dash: 6)
            let size = frame.style.tickSize
            let measured = painter.measure(label, size: size)
            let labelX = x + measured.width + frame.style.gap < plot.right ? x + frame.style.gap : x - frame.style.gap - measured.width
            frame.canvas.fill(x: labelX - 2, y: plot.top + 2, width: measured.width + 4, height: measured.height, ReportColors.background)
            frame.canvas.text(label, x: labelX, y: plot.top + 2, size: size, ReportColors.text, painter: painter)
        }
        // The net line and its points.
        let points = series.years.indices.map { (plot.slotCenter($0), plot.y(series.years[$0].net)) }
        let thickness = max(2, 3 * frame.style.scale)
        for i in points.indices.dropFirst() {
            frame.canvas.line(points[i - 1].0, points[i - 1].1, points[i].0, points[i].1, ReportColors.net, thickness: thickness)
        }
        for (x, y) in points { frame.canvas.disc(x, y, radius: thickness * 1.6, ReportColors.net) }
        frame.drawYearLabels(plot)
        return frame.finish(plot: plot)
    }

    // MARK: - Grid mix

    public static func gridMix(_ series: RunSeries, strings: Strings, painter: TextPainter,
                               width: Int, height: Int) -> Chart {
        var frame = Frame(series: series, strings: strings, painter: painter, width: width, height: height,
                          title: strings["report.grid_title"])
        let kinds = PlantKind.allCases.filter { kind in series.years.contains { ($0.generationKWh?[Int(kind.rawValue)] ?? 0) > 0.5 } }
        let hasGeneration = series.hasGeneration
        var legend = hasGeneration
            ? kinds.reversed().map { LegendItem(label: strings.plant($0), color: ReportColors.plant($0), isLine: false) }
            : [LegendItem(label: strings["report.no_breakdown"], color: ReportColors.delivered, isLine: false)]
        legend.append(LegendItem(label: strings["report.renewable_share"], color: ReportColors.renewable, isLine: true))
        legend.append(LegendItem(label: strings["report.grid_factor"], color: ReportColors.gridFactor, isLine: false))
        guard !series.years.isEmpty else { return frame.finishEmpty() }
        func total(_ row: YearRow) -> Double {
            hasGeneration ? kinds.reduce(0) { $0 + max(0, row.generationKWh?[Int($1.rawValue)] ?? 0) } : row.electricityKWh
        }
        let peak = series.years.map(total).max() ?? 0
        let (unit, divisor) = peak >= 1e8 ? ("GWh", 1e6) : peak >= 1e5 ? ("MWh", 1e3) : ("kWh", 1.0)
        let rightAxis = strings["report.share_axis"]
        let upper = frame.layout(legend: legend, yLabel: strings.fill("report.generation_axis", ["unit": unit]),
                                 range: (0, peak / divisor), split: 0.62, rightLabel: rightAxis)
        frame.drawAxes(upper, format: { NumberText.grouped($0, step: $1) })
        for (i, row) in series.years.enumerated() {
            let (x0, x1) = upper.bar(i)
            if hasGeneration {
                var base = 0.0
                for kind in kinds {
                    let value = max(0, row.generationKWh?[Int(kind.rawValue)] ?? 0) / divisor
                    guard value > 0 else { continue }
                    let color = row.partial ? ReportColors.pale(ReportColors.plant(kind)) : ReportColors.plant(kind)
                    frame.canvas.fill(x0: x0, y0: upper.y(base + value), x1: x1, y1: upper.y(base), color)
                    base += value
                }
            } else {
                let color = row.partial ? ReportColors.pale(ReportColors.delivered) : ReportColors.delivered
                frame.canvas.fill(x0: x0, y0: upper.y(row.electricityKWh / divisor), x1: x1, y1: upper.y(0), color)
            }
        }
        // The renewable share on a right-hand 0–100 % axis.
        let shareY = { (share: Double) in Double(upper.top) + Double(upper.height) * (1 - min(1, max(0, share))) }
        for percent in stride(from: 0, through: 100, by: 25) {
            let y = Int(shareY(Double(percent) / 100).rounded())
            frame.canvas.fill(x: upper.right, y: y, width: frame.style.gap / 2 + 1, height: 1, ReportColors.axis)
            frame.canvas.text("\(percent)", x: upper.right + frame.style.gap, y: y - painter.measure("0", size: frame.style.tickSize).height / 2,
                              size: frame.style.tickSize, ReportColors.renewable, painter: painter)
        }
        let points = series.years.indices.map { (upper.slotCenter($0), shareY(series.years[$0].renewableShare)) }
        let thickness = max(2, 3 * frame.style.scale)
        for i in points.indices.dropFirst() {
            frame.canvas.line(points[i - 1].0, points[i - 1].1, points[i].0, points[i].1, ReportColors.renewable, thickness: thickness)
        }
        for (x, y) in points { frame.canvas.disc(x, y, radius: thickness * 1.6, ReportColors.renewable) }

        // Lower plot: the grid factor.
        let factorPeak = series.years.map(\.gridFactor).max() ?? 0
        let lower = frame.lowerLayout(below: upper, yLabel: strings["report.grid_factor_axis"], range: (0, factorPeak * 1.15))
        frame.drawAxes(lower, format: { NumberText.grouped($0, step: $1) })
        for (i, row) in series.years.enumerated() {
            let (x0, x1) = lower.bar(i)
            let color = row.partial ? ReportColors.pale(ReportColors.gridFactor) : ReportColors.gridFactor
            frame.canvas.fill(x0: x0, y0: lower.y(row.gridFactor), x1: x1, y1: lower.y(0), color)
            frame.drawValue(NumberText.grouped(row.gridFactor, decimals: 0), above: lower.y(row.gridFactor), in: lower, slot: i)
        }
        frame.drawYearLabels(lower)
        var chart = frame.finish(plot: upper)
        chart.lowerPlot = lower
        return chart
    }

    // MARK: - Objectives

    public static func objectives(_ series: RunSeries, strings: Strings, painter: TextPainter,
                                  width: Int, height: Int) -> Chart {
        var frame = Frame(series: series, strings: strings, painter: painter, width: width, height: height,
                          title: strings["report.objectives_title"])
        let style = frame.style
        guard !series.objectives.isEmpty else {
            frame.canvas.text(strings["report.no_objectives"], x: width / 2, y: height / 2 - style.labelSize, size: style.labelSize * 3 / 2,
                              ReportColors.secondary, painter: painter, align: .center)
            return Chart(image: frame.canvas.image, plot: nil)
        }
        let headers = [strings["report.objective"], strings["report.target"], strings["report.deadline"],
                       strings["report.reached"], strings["report.status"]]
        let rows = series.objectives.map { o -> [String] in
            let title = strings.name(o.title) + (o.required ? "" : strings.optionalMark)
            let symbol = o.comparison == "at_least" ? painter.glyphOr("≥", ">=") : painter.glyphOr("≤", "<=")
            return [title, symbol + " " + ReportCharts.metricValue(o.target, metric: o.metric, strings: strings),
                    String(o.deadline), ReportCharts.metricValue(o.value, metric: o.metric, strings: strings), strings.status(o.status)]
        }
        let tableTop = frame.contentTop + style.gap * 2
        let available = height - style.margin - tableTop
        let rowHeight = max(style.tickSize + 6, min(Int(Double(style.labelSize) * 2.6), available / (rows.count + 1)))
        let size = min(style.labelSize, rowHeight - 6)
        // Column widths: what the widest cell needs, the title column taking what is left.
        let padding = style.gap * 2
        var widths = (1..<headers.count).map { c in
            ([headers[c]] + rows.map { $0[c] }).map { painter.measure($0, size: size).width }.max()! + padding * 2
        }
        widths[widths.count - 1] += rowHeight   // room for the status dot
        let tableWidth = width - 2 * style.margin
        let titleWidth = max(tableWidth / 4, tableWidth - widths.reduce(0, +))
        let columnWidths = [titleWidth] + widths
        var x = style.margin
        var columnX: [Int] = []
        for w in columnWidths { columnX.append(x); x += w }
        func clipped(_ text: String, _ width: Int) -> String {
            guard painter.measure(text, size: size).width > width else { return text }
            var characters = Array(text)
            while !characters.isEmpty && painter.measure(String(characters) + "…", size: size).width > width { characters.removeLast() }
            return String(characters) + "…"
        }
        // Header row.
        frame.canvas.fill(x: style.margin, y: tableTop, width: tableWidth, height: rowHeight, RGBA8(240, 240, 240))
        for (c, header) in headers.enumerated() {
            let textY = tableTop + (rowHeight - painter.measure(header, size: size).height) / 2
            frame.canvas.text(header, x: columnX[c] + padding, y: textY, size: size, ReportColors.text, painter: painter)
        }
        for (r, cells) in rows.enumerated() {
            let y = tableTop + (r + 1) * rowHeight
            if r % 2 == 1 { frame.canvas.fill(x: style.margin, y: y, width: tableWidth, height: rowHeight, RGBA8(250, 250, 250)) }
            frame.canvas.fill(x: style.margin, y: y, width: tableWidth, height: 1, ReportColors.grid)
            for (c, cell) in cells.enumerated() {
                let text = c == 0 ? clipped(cell, columnWidths[0] - 2 * padding) : cell
                let textY = y + (rowHeight - painter.measure(text, size: size).height) / 2
                if c == cells.count - 1 {
                    let status = series.objectives[r].status
                    let radius = Double(rowHeight) * 0.18
                    frame.canvas.disc(Double(columnX[c] + padding) + radius, Double(y) + Double(rowHeight) / 2, radius: radius,
                                      ReportColors.status(status))
                    frame.canvas.text(text, x: columnX[c] + padding + Int(radius * 2) + style.gap, y: textY, size: size,
                                      ReportColors.status(status), painter: painter)
                } else {
                    frame.canvas.text(text, x: columnX[c] + padding, y: textY, size: size, ReportColors.text, painter: painter)
                }
            }
        }
        let bottom = tableTop + (rows.count + 1) * rowHeight
        frame.canvas.fill(x: style.margin, y: bottom, width: tableWidth, height: 1, ReportColors.axis)
        return Chart(image: frame.canvas.image, plot: nil)
    }

    // MARK: - Numbers

    /// An objective's value in its metric's unit (`Metric.unit`): percentages for fractions,
    /// whole years, grouped tonnes; a metric this report does not know keeps its own unit.
    public static func metricValue(_ value: Double, metric: String, strings: Strings) -> String {
        guard let unit = Metric(rawValue: metric)?.unit else { return NumberText.grouped(value, decimals: 2) }
        switch unit {
        case "fraction": return Fixed.format(value * 100, 1) + " %"
        case "year": return value == 0 ? "—" : String(Int(value.rounded()))
        case "tCO2e": return NumberText.grouped(value, decimals: 0) + " tCO2e"
        case "gCO2/kWh": return NumberText.grouped(value, decimals: 1) + " gCO2/kWh"
        case "yuan": return strings.money(value, inFull: true)
        case "persons": return NumberText.grouped(value, decimals: 0) + " " + strings["report.unit_persons"]
        case "hours": return NumberText.grouped(value, decimals: 0) + " " + strings["report.unit_hours"]
        case "trees": return NumberText.grouped(value, decimals: 0) + " " + strings["report.unit_trees"]
        case "certificates": return NumberText.grouped(value, decimals: 0) + " " + strings["report.unit_certificates"]
        case "yuan/tCO2e": return NumberText.grouped(value, decimals: 2) + " " + strings["units.yuan_per_t"]
        default: return NumberText.grouped(value, decimals: 2) + " " + unit
        }
    }

    /// Round tick values covering `low…high`, about `count` of them.
    static func ticks(_ low: Double, _ high: Double, count: Int = 6) -> (low: Double, high: Double, step: Double) {
        var span = high - low
        if !(span > 0) { span = max(1, abs(high)) }
        let raw = span / Double(count)
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let normal = raw / magnitude
        let step = (normal <= 1 ? 1 : normal <= 2 ? 2 : normal <= 5 ? 5 : 10) * magnitude
        var lo = (low / step).rounded(.down) * step
        var hi = (high / step).rounded(.up) * step
        if hi <= lo { hi = lo + step }
        if lo == -0.0 { lo = 0 }
        return (lo, hi, step)
    }
}

// MARK: - The frame every chart shares

struct LegendItem {
    var label: String
    var color: RGBA8
    var isLine: Bool
}

/// Title, subtitle, legend, axes, year labels and the partial-year footnote of one chart.
struct Frame {
    let series: RunSeries
    let strings: Strings
    let painter: TextPainter
    let style: ReportStyle
    var canvas: ChartCanvas
    /// The first row below the title and subtitle.
    let contentTop: Int
    var legendWidth = 0
    var tickStep = 1.0

    init(series: RunSeries, strings: Strings, painter: TextPainter, width: Int, height: Int, title: String) {
        self.series = series
        self.strings = strings
        self.painter = painter
        style = ReportStyle(width: width, height: height)
        canvas = ChartCanvas(width: width, height: height, background: ReportColors.background)
        let titleHeight = canvas.text(title, x: style.margin, y: style.margin, size: style.titleSize, ReportColors.text, painter: painter).height
        // No seed here: the charts are shown to students on the end-of-lesson screen (report.md keeps it for teachers).
        let subtitle = strings.fill("report.subtitle", ["level": strings.name(series.levelTitle), "years": Frame.yearSpan(series)])
        let subtitleY = style.margin + titleHeight
        let subtitleHeight = canvas.text(subtitle, x: style.margin, y: subtitleY, size: style.subtitleSize, ReportColors.secondary,
                                         painter: painter).height
        contentTop = subtitleY + subtitleHeight + style.gap
    }

    static func yearSpan(_ series: RunSeries) -> String {
        guard let first = series.years.first, let last = series.years.last else { return "—" }
        let tail = last.partial ? "*" : ""
        return first.year == last.year ? "\(first.year)\(tail)" : "\(first.year)–\(last.year)\(tail)"
    }

    var partialRow: YearRow? { series.years.last { $0.partial } }

    var footnoteHeight: Int {
        partialRow == nil ? 0 : painter.measure("*", size: style.tickSize).height + style.gap
    }

    /// Places the legend at the right and the plot beside it; `split` < 1 keeps only that share
    /// of the height for this plot (the rest is for `lowerLayout`).
    mutating func layout(legend: [LegendItem], yLabel: String, range: (Double, Double), split: Double = 1,
                         rightLabel: String? = nil) -> PlotArea {
        let swatch = style.labelSize
        let labelWidth = legend.map { painter.measure($0.label, size: style.labelSize).width }.max() ?? 0
        legendWidth = legend.isEmpty ? 0 : swatch + style.gap + labelWidth
        let legendX = canvas.width - style.margin - legendWidth
        var y = contentTop + style.gap * 2
        let lineHeight = painter.measure("Ag", size: style.labelSize).height + style.gap / 2
        for item in legend {
            let center = y + lineHeight / 2
            if item.isLine {
                canvas.line(Double(legendX), Double(center), Double(legendX + swatch), Double(center), item.color,
                            thickness: max(2, 3 * style.scale))
                canvas.disc(Double(legendX + swatch / 2), Double(center), radius: max(2, 3 * style.scale) * 1.6, item.color)
            } else {
                canvas.fill(x: legendX, y: center - swatch / 2, width: swatch, height: swatch, item.color)
            }
            canvas.text(item.label, x: legendX + swatch + style.gap, y: y, size: style.labelSize, ReportColors.text, painter: painter)
            y += lineHeight
        }
        let ticks = ReportCharts.ticks(range.0, range.1)
        tickStep = ticks.step
        var widest = 0
        var value = ticks.low
        while value <= ticks.high + ticks.step / 2 {
            widest = max(widest, painter.measure(NumberText.grouped(value, step: ticks.step), size: style.tickSize).width)
            value += ticks.step
        }
        let axisLabelHeight = painter.measure(yLabel, size: style.labelSize).height
        let left = style.margin + axisLabelHeight + style.gap + widest + style.gap
        let rightAxisWidth = rightLabel.map { painter.measure($0, size: style.labelSize).height + painter.measure("100", size: style.tickSize).width + style.gap * 3 } ?? 0
        let right = legendX - style.gap * 3 - rightAxisWidth
        let top = contentTop + style.gap * 2
        let tickLabelHeight = painter.measure("2060*", size: style.tickSize).height
        let bottomAll = canvas.height - style.margin - footnoteHeight - painter.measure(strings["report.year"], size: style.labelSize).height
            - tickLabelHeight - style.gap * 2
        let fullHeight = bottomAll - top
        let height = split < 1 ? Int(Double(fullHeight) * split) - tickLabelHeight : fullHeight
        let plot = PlotArea(left: left, top: top, width: max(1, right - left), height: max(1, height), yMin: ticks.low, yMax: ticks.high,
                            slots: series.years.count)
        canvas.text(yLabel, x: style.margin, y: plot.top + plot.height / 2, size: style.labelSize, ReportColors.text, painter: painter,
                    align: .center, rotated: true)
        if let rightLabel {
            canvas.text(rightLabel, x: canvas.width - style.margin - legendWidth - style.gap * 2 - painter.measure(rightLabel, size: style.labelSize).height,
                        y: plot.top + plot.height / 2, size: style.labelSize, ReportColors.renewable, painter: painter,
                        align: .center, rotated: true)
        }
        return plot
    }

    /// A second plot under `upper`, as wide, down to where the year labels start.
    mutating func lowerLayout(below upper: PlotArea, yLabel: String, range: (Double, Double)) -> PlotArea {
        let ticks = ReportCharts.ticks(range.0, range.1, count: 3)
        tickStep = ticks.step
        let tickLabelHeight = painter.measure("2060*", size: style.tickSize).height
        let top = upper.bottom + tickLabelHeight + style.gap * 2
        let bottom = canvas.height - style.margin - footnoteHeight - painter.measure(strings["report.year"], size: style.labelSize).height
            - tickLabelHeight - style.gap * 2
        let plot = PlotArea(left: upper.left, top: top, width: upper.width, height: max(1, bottom - top), yMin: ticks.low, yMax: ticks.high,
                            slots: upper.slots)
        canvas.text(yLabel, x: style.margin, y: plot.top + plot.height / 2, size: style.labelSize, ReportColors.text, painter: painter,
                    align: .center, rotated: true)
        return plot
    }

    /// Grid lines and y tick labels, then the axes.
    mutating func drawAxes(_ plot: PlotArea, format: (Double, Double) -> String) {
        let step = tickStep
        var value = plot.yMin
        let labelHeight = painter.measure("0", size: style.tickSize).height
        while value <= plot.yMax + step / 2 {
            let y = Int(plot.y(value).rounded())
            canvas.horizontal(y: y, x0: plot.left, x1: plot.right, ReportColors.grid)
            canvas.fill(x: plot.left - style.gap / 2 - 1, y: y, width: style.gap / 2 + 1, height: 1, ReportColors.axis)
            canvas.text(format(value, step), x: plot.left - style.gap, y: y - labelHeight / 2, size: style.tickSize,
                        ReportColors.secondary, painter: painter, align: .right)
            value += step
        }
        canvas.vertical(x: plot.left, y0: plot.top, y1: plot.bottom + 1, ReportColors.axis)
        canvas.horizontal(y: plot.bottom, x0: plot.left, x1: plot.right, ReportColors.axis)
    }

    /// Year labels under the plot, thinned out when they would overlap; the axis title below.
    mutating func drawYearLabels(_ plot: PlotArea) {
        let size = style.tickSize
        let labelWidth = painter.measure("2060*", size: size).width + style.gap * 2
        let slot = Double(plot.width) / Double(max(1, plot.slots))
        let every = max(1, Int((Double(labelWidth) / slot).rounded(.up)))
        var labelled = Array(stride(from: 0, to: series.years.count, by: every))
        // The last year gets its label too when there is room beside the one before it.
        if let last = labelled.last, last != series.years.count - 1,
           Double(series.years.count - 1 - last) * slot >= Double(labelWidth) {
            labelled.append(series.years.count - 1)
        }
        var labelBottom = plot.bottom
        for i in labelled {
            let row = series.years[i]
            let x = Int(plot.slotCenter(i).rounded())
            canvas.fill(x: x, y: plot.bottom, width: 1, height: style.gap / 2 + 1, ReportColors.axis)
            let drawn = canvas.text("\(row.year)\(row.partial ? "*" : "")", x: x, y: plot.bottom + style.gap / 2 + 1, size: size,
                                    ReportColors.secondary, painter: painter, align: .center)
            labelBottom = max(labelBottom, plot.bottom + style.gap / 2 + 1 + drawn.height)
        }
        canvas.text(strings["report.year"], x: plot.left + plot.width / 2, y: labelBottom + style.gap / 2, size: style.labelSize,
                    ReportColors.text, painter: painter, align: .center)
    }

    /// `text` centred over slot `index`, just above row `y`, when the slot is wide enough for it.
    mutating func drawValue(_ text: String, above y: Double, in plot: PlotArea, slot index: Int) {
        let size = style.tickSize
        let measured = painter.measure(text, size: size)
        guard Double(measured.width + style.gap) <= Double(plot.width) / Double(max(1, plot.slots)) else { return }
        let top = Int(y.rounded()) - style.gap / 2 - measured.height
        guard top >= plot.top - measured.height / 2 else { return }
        canvas.text(text, x: Int(plot.slotCenter(index).rounded()), y: top, size: size, ReportColors.secondary, painter: painter,
                    align: .center)
    }

    mutating func finish(plot: PlotArea) -> Chart {
        drawFootnote()
        return Chart(image: canvas.image, plot: plot)
    }

    mutating func finishEmpty() -> Chart {
        canvas.text(strings["report.no_data"], x: canvas.width / 2, y: canvas.height / 2 - style.labelSize, size: style.labelSize * 3 / 2,
                    ReportColors.secondary, painter: painter, align: .center)
        return Chart(image: canvas.image, plot: nil)
    }

    mutating func drawFootnote() {
        guard let row = partialRow else { return }
        let note = strings.fill("report.partial_note", ["year": String(row.year), "date": series.end])
        let y = canvas.height - style.margin - painter.measure(note, size: style.tickSize).height
        canvas.text(note, x: style.margin, y: y, size: style.tickSize, ReportColors.secondary, painter: painter)
    }
}
