// ForecastChart.swift — the forecast (CitySim/Forecast.swift) as three small plots one above the
// other: net emissions, the grid factor and the budget, year by year. The years the city has lived
// are solid lines, the projected years dashed; the peak and net-zero years are marked and named.
import CitySim
import Locale
import Raster

public enum ForecastChart {
    /// `lived`: the city's closed years; `projected`: the forecast's years so far; `toYear`: the
    /// last year the forecast will reach (the x axis runs to it even while it fills in).
    public static func draw(lived: [ForecastYear], projected: [ForecastYear], peakYear: Int?, netZeroYear: Int?, toYear: Int,
                            status: String, strings: Strings, painter: TextPainter, width: Int, height: Int) -> Image {
        let style = ReportStyle(width: width, height: height)
        var canvas = ChartCanvas(width: width, height: height, background: ReportColors.background)
        let titleHeight = canvas.text(strings.fill("forecast.title", ["year": String(toYear)]), x: style.margin, y: style.margin,
                                      size: style.labelSize, ReportColors.text, painter: painter).height
        let statusHeight = canvas.text(status, x: style.margin, y: style.margin + titleHeight, size: style.tickSize,
                                       ReportColors.secondary, painter: painter).height
        let years = lived + projected.filter { year in !lived.contains { $0.year == year.year } }
        guard let firstYear = years.first?.year else { return canvas.image }
        let lastYear = max(toYear, years.last!.year)
        let lastLived = lived.last?.year
        let tickHeight = painter.measure("2060", size: style.tickSize).height
        let top = style.margin + titleHeight + statusHeight + style.gap
        let bottom = height - style.margin - tickHeight - style.gap
        let panelGap = style.gap * 2
        let panelHeight = max(1, (bottom - top - 2 * panelGap) / 3)
        let left = style.margin + painter.measure("-000,000", size: style.tickSize).width + style.gap
        let right = width - style.margin
        func x(_ year: Int) -> Double {
            Double(left) + Double(year - firstYear) * Double(right - left) / Double(max(1, lastYear - firstYear))
        }
        let money = ReportCharts.moneyUnit(largest: years.map { abs($0.budgetYuan) }.max() ?? 0, strings: strings)
        let panels: [(label: String, color: RGBA8, value: (ForecastYear) -> Double)] = [
            (strings["forecast.net"], ReportColors.net, { $0.netT }),
            (strings["forecast.grid"], ReportColors.renewable, { $0.gridFactor }),
            (strings["forecast.budget"] + " (" + money.axis + ")", ReportColors.balance,
             { $0.budgetYuan / money.divisor }),
        ]
        for (index, panel) in panels.enumerated() {
            let panelTop = top + index * (panelHeight + panelGap)
            let labelHeight = canvas.text(panel.label, x: left, y: panelTop, size: style.tickSize, ReportColors.text, painter: painter).height
            let plotTop = panelTop + labelHeight + style.gap / 2
            let plotHeight = max(1, panelHeight - labelHeight - style.gap / 2)
            let values = years.map(panel.value)
            let ticks = ReportCharts.ticks(min(0, values.min() ?? 0), max(0, values.max() ?? 1), count: 2)
            func y(_ value: Double) -> Double {
                Double(plotTop) + Double(plotHeight) * (ticks.high - value) / max(1e-12, ticks.high - ticks.low)
            }
            for value in [ticks.low, ticks.high] where ticks.high > ticks.low {
                let row = Int(y(value).rounded())
                canvas.horizontal(y: row, x0: left, x1: right, ReportColors.grid)
                canvas.text(NumberText.grouped(value, step: ticks.step), x: left - style.gap, y: row - tickHeight / 2, size: style.tickSize,
                            ReportColors.secondary, painter: painter, align: .right)
            }
            canvas.horizontal(y: Int(y(0).rounded()), x0: left, x1: right, ReportColors.axis)
            let thickness = max(2, 2 * style.scale)
            for i in years.indices.dropFirst() {
                let (a, b) = (years[i - 1], years[i])
                let (x0, y0, x1, y1) = (x(a.year), y(panel.value(a)), x(b.year), y(panel.value(b)))
                if let lastLived, b.year <= lastLived {
                    canvas.line(x0, y0, x1, y1, panel.color, thickness: thickness)
                } else {
                    // Dashed: five pieces, every other one drawn.
                    for piece in stride(from: 0, to: 5, by: 2) {
                        let t0 = Double(piece) / 5, t1 = Double(piece + 1) / 5
                        canvas.line(x0 + (x1 - x0) * t0, y0 + (y1 - y0) * t0, x0 + (x1 - x0) * t1, y0 + (y1 - y0) * t1,
                                    panel.color, thickness: thickness)
                    }
                }
            }
            if years.count == 1 { canvas.disc(x(years[0].year), y(panel.value(years[0])), radius: thickness * 1.5, panel.color) }
            // The net panel names the peak and net-zero years at their points.
            guard index == 0 else { continue }
            for (year, key) in [(peakYear, "forecast.peak"), (netZeroYear, "forecast.net_zero")] {
                guard let year, let point = years.first(where: { $0.year == year }) else { continue }
                let px = x(year), py = y(point.netT)
                canvas.disc(px, py, radius: thickness * 2, ReportColors.text)
                let text = strings.fill(key, ["year": String(year)])
                let measured = painter.measure(text, size: style.tickSize)
                let tx = min(Int(px) + style.gap, right - measured.width)
                let ty = max(plotTop, min(Int(py) - measured.height - style.gap / 2, plotTop + plotHeight - measured.height))
                canvas.fill(x: tx - 2, y: ty, width: measured.width + 4, height: measured.height, ReportColors.background)
                canvas.text(text, x: tx, y: ty, size: style.tickSize, ReportColors.text, painter: painter)
            }
        }
        // Year labels: the first, the last lived, and each decade.
        var labelled = Set<Int>([firstYear, lastYear])
        for year in firstYear...lastYear where year % 10 == 0 { labelled.insert(year) }
        var previousRight = Int.min
        for year in labelled.sorted() {
            let text = String(year)
            let w = painter.measure(text, size: style.tickSize).width
            // Centred under its year, but never cut by the picture's edge (the last year sits on it).
            let cx = min(max(Int(x(year).rounded()), w / 2 + 1), width - w / 2 - 2)
            guard cx - w / 2 > previousRight + style.gap else { continue }
            canvas.text(text, x: cx, y: bottom + style.gap / 2, size: style.tickSize, ReportColors.secondary, painter: painter, align: .center)
            previousRight = cx + w / 2
        }
        return canvas.image
    }
}
