// BudgetChart.swift — the report's budget chart: the city's money at each year's end (a line),
// with what it earned (bars above zero) and spent (bars below zero) in the year, because a
// budget can decide a lesson. In millions of yuan in English, in 万元 or 亿元 in Chinese.
import CitySim
import Locale
import Raster

extension ReportCharts {
    /// The unit money is drawn in: its divisor and axis label.
    static func moneyUnit(largest: Double, strings: Strings) -> (divisor: Double, axis: String) {
        if strings.language == .zh {
            return largest >= 1e8 ? (1e8, strings["report.budget_axis_yi"]) : (1e4, strings["report.budget_axis_wan"])
        }
        return (1e6, strings["report.budget_axis"])
    }

    public static func budget(_ series: RunSeries, strings: Strings, painter: TextPainter, width: Int, height: Int) -> Chart {
        var frame = Frame(series: series, strings: strings, painter: painter, width: width, height: height,
                          title: strings["report.budget_title"])
        let hasFlows = series.years.contains { $0.income != nil || $0.spending != nil }
        var legend = [LegendItem(label: strings["report.balance"], color: ReportColors.balance, isLine: true)]
        if hasFlows {
            legend += [LegendItem(label: strings["report.income"], color: ReportColors.income, isLine: false),
                       LegendItem(label: strings["report.spending"], color: ReportColors.spending, isLine: false)]
        }
        guard series.years.contains(where: { $0.budget != nil || $0.income != nil || $0.spending != nil }) else { return frame.finishEmpty() }
        let balances = series.years.compactMap(\.budget)
        let high = max(0, (balances + series.years.compactMap(\.income)).max() ?? 0)
        let low = min(0, (balances + series.years.compactMap { $0.spending.map { -$0 } }).min() ?? 0)
        let unit = moneyUnit(largest: max(high, -low), strings: strings)
        let plot = frame.layout(legend: legend, yLabel: unit.axis, range: (low / unit.divisor, high / unit.divisor))
        frame.drawAxes(plot, format: { NumberText.grouped($0, step: $1) })
        for (i, row) in series.years.enumerated() {
            let (x0, x1) = plot.bar(i)
            let middle = (x0 + x1) / 2
            if let income = row.income, income > 0 {
                let color = row.partial ? ReportColors.pale(ReportColors.income) : ReportColors.income
                frame.canvas.fill(x0: x0, y0: plot.y(income / unit.divisor), x1: middle, y1: plot.y(0), color)
            }
            if let spending = row.spending, spending > 0 {
                let color = row.partial ? ReportColors.pale(ReportColors.spending) : ReportColors.spending
                frame.canvas.fill(x0: middle, y0: plot.y(0), x1: x1, y1: plot.y(-spending / unit.divisor), color)
            }
        }
        frame.canvas.horizontal(y: Int(plot.y(0).rounded()), x0: plot.left, x1: plot.right, ReportColors.axis, thickness: 2)
        // The year-end balance, with its value over each point when there is room.
        let points = series.years.indices.compactMap { i in series.years[i].budget.map { (i, plot.slotCenter(i), plot.y($0 / unit.divisor)) } }
        let thickness = max(2, 3 * frame.style.scale)
        for k in points.indices.dropFirst() {
            frame.canvas.line(points[k - 1].1, points[k - 1].2, points[k].1, points[k].2, ReportColors.balance, thickness: thickness)
        }
        for (i, x, y) in points {
            frame.canvas.disc(x, y, radius: thickness * 1.6, ReportColors.balance)
            frame.drawValue(NumberText.grouped(series.years[i].budget! / unit.divisor, step: 0.1), above: y - thickness * 2, in: plot, slot: i)
        }
        frame.drawYearLabels(plot)
        return frame.finish(plot: plot)
    }
}

extension ReportColors {
    /// Money: the balance in a dark blue line, income green, spending red-orange (distinct for
    /// red-green colour blindness by lightness as well as hue).
    public static let balance = RGBA8(31, 58, 147)
    /// The colour-blind-safe set: income sky blue, spending vermilion (green and red-orange fall to
    /// 6.5 ΔE2000 apart with deuteranopia).
    public static var income: RGBA8 { income(safe: colourBlindSafe) }
    public static var spending: RGBA8 { spending(safe: colourBlindSafe) }
    public static func income(safe: Bool) -> RGBA8 { safe ? RGBA8(86, 180, 233) : RGBA8(77, 175, 74) }
    public static func spending(safe: Bool) -> RGBA8 { safe ? RGBA8(213, 94, 0) : RGBA8(228, 108, 40) }
}
