// BudgetChartTests — the report's budget chart (BudgetChart.swift): yearly.csv's income and
// spending account for every yuan of the change in the budget, and the chart draws the money
// line and the bars where the numbers say, in both languages (万元 in Chinese).
import CitySim
import Foundation
import Locale
import Raster
import Report
import Testing

@Suite("Budget chart")
struct BudgetChartTests {
    @Test func incomeAndSpendingExplainTheBudgetAndTheChartDrawsThem() throws {
        let start = 60_000_000.0
        let directory = temporaryDirectory("budget-run")
        try HeadlessRun.run(reportTown(budget: start), options: RunOptions(years: 3, outputDirectory: directory))
        let series = try RunSeries.load(runDirectory: directory)
        #expect(series.years.count == 3)
        // Every yuan: the year's income less its spending is the change in the year-end budget
        // (each figure is rounded to the yuan in yearly.csv).
        var before = start
        for row in series.years {
            let budget = try #require(row.budget), income = try #require(row.income), spending = try #require(row.spending)
            #expect(income > 0 && spending > 0, "\(row.year): income \(income), spending \(spending)")
            #expect(abs((before + income - spending) - budget) <= 2, "\(row.year): \(before) + \(income) − \(spending) ≠ \(budget)")
            before = budget
        }
        // The first year pays for what was built at the start, so it spends more than later years.
        #expect(series.years[0].spending! > series.years[1].spending!)

        let painter = try TextPainter()
        for language in Language.allCases {
            let strings = Strings(language: language)
            let chart = ReportCharts.budget(series, strings: strings, painter: painter, width: 1280, height: 720)
            let plot = try #require(chart.plot)
            // Income bars rise from zero on the left half of each slot, spending falls on the right half.
            for (i, row) in series.years.enumerated() {
                let unit = language == .zh ? 1e4 : 1e6
                let (x0, x1) = plot.bar(i)
                let zero = plot.y(0)
                let incomeTop = plot.y(row.income! / unit), spendingBottom = plot.y(-row.spending! / unit)
                if zero - incomeTop >= 6 {
                    #expect(chart.image[Int(x0) + 2, Int(((zero + incomeTop) / 2).rounded())] == ReportColors.income, "\(language) \(row.year) income")
                }
                if spendingBottom - zero >= 6 {
                    #expect(chart.image[Int(x1) - 2, Int(((zero + spendingBottom) / 2).rounded())] == ReportColors.spending, "\(language) \(row.year) spending")
                }
                // The money line passes through its point at the slot's centre.
                let y = Int(plot.y(row.budget! / unit).rounded())
                let centre = Int(plot.slotCenter(i).rounded())
                #expect((y - 2...y + 2).contains { chart.image[centre, $0] == ReportColors.balance }, "\(language) \(row.year) balance at row \(y)")
            }
        }
        // Written with the other charts, and listed in report.md in Chinese with its own title.
        let out = temporaryDirectory("budget-report")
        try EducatorReport.write(series, to: out, options: ReportOptions(language: .zh))
        #expect(pngSize(read(out + "/budget.png")).map { $0.width == 1280 && $0.height == 720 } == true)
        #expect(text(out + "/report.md").contains("![预算：资金、收入与支出](budget.png)"))
    }
}
