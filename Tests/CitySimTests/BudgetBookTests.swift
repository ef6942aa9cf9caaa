// BudgetBookTests — the budget book (BudgetBook.swift): every movement of the balance is booked
// on a line, so a year's lines sum to that year's change of the balance; undo books a refund back
// on its line; the projection says when the money runs out; a save from before the book loads
// with an empty one and its balance unchanged.
import CitySim
import ECS
import Foundation
import Testing

@Suite("Budget book")
struct BudgetBookTests {
    /// Each year's lines sum to the year's change of the balance, read from the city at each
    /// 1 January: lesson 8 (a carbon market settled as each year ends, on top of taxes and
    /// upkeep) for two years, and lesson 4 with a wind farm built in the first hour (construction).
    @Test func aYearsLinesSumToItsChangeOfTheBalance() throws {
        try expectLinesSumToTheBalance("08-cap-and-trade", years: 2, build: nil)
        try expectLinesSumToTheBalance("04-build-before-break", years: 1, build: .plant(.wind))
    }

    func expectLinesSumToTheBalance(_ lesson: String, years: Int, build: Structure?) throws {
        let loaded = try loadLesson(LessonCase(name: lesson).levelPath)
        let city = City(level: loaded.level, catalog: loaded.catalog)
        if let build {
            let map = city.view.map
            let tile = try #require((0..<map.tileCount).first { city.checkBuild(build, x: $0 % map.width, y: $0 / map.width).refusal == nil })
            city.submit(.build(build, x: tile % map.width, y: tile / map.width))
        }
        var opening = city.view.budget.balance
        for year in 0..<years {
            let start = city.view.clock.year
            city.run(hours: city.view.clock.daysInYear * 24)
            #expect(city.view.clock.year == start + 1 && city.view.clock.tick % 24 == 0 && city.view.clock.dayOfYear == 0)
            let closing = city.view.budget.balance
            let book = city.view.budgetBook
            #expect(book.hasLastYear)
            let sum = book.lastYear.reduce(0, +)
            #expect(close(sum, closing - opening, tolerance: 1e-9), "\(lesson) \(start): lines \(sum) vs balance change \(closing - opening)")
            #expect(book.amount(.tax(.residential), in: book.lastYear) > 0)
            #expect(BudgetLine.all.contains { if case .plantUpkeep = $0 { return book.lastYear[$0.index] < 0 }; return false })
            if year == 0, let build {
                let cost = City.cost(of: build, catalog: loaded.catalog)
                #expect(cost > 0 && book.amount(.construction, in: book.lastYear) == -cost)
            }
            print("\(lesson), \(start): " + BudgetLine.all.filter { book.lastYear[$0.index] != 0 }
                .map { "\($0.entry.key)\($0.entry.structure.map { "(" + $0 + ")" } ?? "") \(Int(book.lastYear[$0.index].rounded()))" }
                .joined(separator: ", "))
            opening = closing
        }
    }

    /// Each line's index is its place in the list the panel shows, and no two lines share one.
    @Test func everyLineHasItsOwnPlace() {
        #expect(BudgetLine.all.enumerated().allSatisfy { $0.offset == $0.element.index })
        #expect(Set(BudgetLine.all).count == BudgetLine.count)
    }

    /// A build undone within the refund window books its cost back on the construction line.
    @Test func aRefundedUndoBooksTheCostBack() throws {
        let city = stripTown([], width: 8)
        let index = city.submit(.build(.zone(.forest), x: 3, y: 0))
        city.run(hours: 1)
        let cost = City.cost(of: .zone(.forest), catalog: testCatalog)
        #expect(city.view.budgetBook.amount(.construction, in: city.view.budgetBook.thisYear) == -cost)
        city.submit(.undo(index: index))
        city.run(hours: 1)
        #expect(city.view.commandLog.last?.outcome == .done(cost: -cost))
        #expect(city.view.budgetBook.amount(.construction, in: city.view.budgetBook.thisYear) == 0)
    }

    /// A town of one coal plant and no taxpayers, with 60 days of its running costs: after 30
    /// days the projection says the money runs out about 30 days later, and ends the year below
    /// zero; with a fortune it never runs out.
    @Test func theProjectionWarnsBeforeTheMoneyRunsOut() throws {
        let rich = stripTown([(.plant(.coal), 3, 0)], width: 8)
        rich.run(hours: 30 * 24)
        let perDay = rich.view.budgetProjection.recurringPerDay
        #expect(perDay < 0)
        #expect(rich.view.budgetProjection.runsOut == nil)
        let spentIn30Days = 1e12 - rich.view.budget.balance
        #expect(close(-perDay * 30, spentIn30Days, tolerance: 1e-6), "\(perDay) a day vs \(spentIn30Days) in 30 days")

        let poor = stripTown([(.plant(.coal), 3, 0)], width: 8, budget: 60 * -perDay)
        poor.run(hours: 30 * 24)
        let projection = poor.view.budgetProjection
        let runsOut = try #require(projection.runsOut)
        #expect(projection.yearEnd < 0)
        let days = try #require(projection.daysLeft)
        #expect(days > 29 && days < 31, "runs out on \(runsOut), \(days) days after \(poor.view.clock.date)")
    }

    /// A save written by the game just before the book (format 3, commit 1be548c; see the
    /// fixture's README) loads through the migration: the balance it printed, an empty book that
    /// books from the load on, and a save in today's format that loads back the same.
    @Test func aSaveFromBeforeTheBookLoadsWithAnEmptyBook() throws {
        let path = repositoryRoot + "/Tests/CitySimTests/Saves/format3-main/lesson01-year1.nzsave"
        #expect(try SaveGame.readHeader(from: path).formatVersion == 3)
        let loaded = try SaveGame.load(from: path, catalog: testCatalog).city
        let balance = loaded.view.budget.balance
        #expect(abs(balance - 38_255_923.3402) < 0.000_05, "\(balance)")
        let book = loaded.view.budgetBook
        #expect(book.thisYear.allSatisfy { $0 == 0 } && book.lastYear.allSatisfy { $0 == 0 } && book.thisMonth.allSatisfy { $0 == 0 })
        #expect(!book.hasLastYear && !book.coversThisYear)
        loaded.run(hours: 48)
        let after = loaded.view.budgetBook
        #expect(after.amount(.tax(.residential), in: after.thisYear) > 0)
        #expect(close(after.thisYear.reduce(0, +), loaded.view.budget.balance - balance))
        let bytes = try loaded.saveData()
        #expect(bytes[8] == UInt8(SaveGame.formatVersion) && SaveGame.formatVersion == 8)
        let again = try SaveGame.decode(bytes, catalog: testCatalog).city
        #expect(again.view.budgetBook == loaded.view.budgetBook)
        #expect(again.world.contentHash() == loaded.world.contentHash())
    }
}
