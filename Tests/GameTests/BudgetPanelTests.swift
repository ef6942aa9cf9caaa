// BudgetPanelTests — the budget panel (M) in the real window (part of the serialized window
// suite): the book's lines with their money in both languages, the totals and the projection,
// nothing cut; and the warning under the top bar before the money runs out.
import CitySim
import ECS
import Foundation
import Game
import Locale
import Render
import Testing

/// A town of one coal plant and no taxpayers with 60 days of the plant's running costs in the
/// treasury (measured on a rich twin), run for 30 days: the money runs out about 30 days later,
/// on 1 March 2020.
@MainActor let brokeTown: (city: City, level: LevelDefinition) = {
    func setup(budget: Double) -> LevelSetup {
        var setup = LevelSetup(info: LevelInfo(id: "broke-window", title: "Broke town", seed: 3), width: 16, height: 6, budget: budget)
        for x in 0..<16 { setup.placements.append((.road, x, 1)) }
        setup.placements.append((.plant(.coal), 2, 2))
        return setup
    }
    let rich = City(level: setup(budget: 1e12), catalog: catalog)
    rich.run(hours: 30 * 24)
    let broke = setup(budget: 2 * (1e12 - rich.view.budget.balance))
    let city = City(level: broke, catalog: catalog)
    city.run(hours: 30 * 24)
    return (city, LevelDefinition(setup: broke, file: "broke-window.toml"))
}()

extension GameWindowTests {
    @Test func budgetPanelShowsTheBookAndAProjectionInBothLanguages() throws {
        let (city, level) = marketTown
        for language in [Language.en, .zh] {
            let (session, view) = try makeSession(city: city, level: level, language: language)
            let s = session.strings
            let button = try #require(session.panels.controls["panel.budget"])
            try click(button.center, session: session, view: view)
            #expect(session.panels.open == .budget)
            try view.render(session)
            let text = session.panels.drawnText
            // (The top bar's own overflow with this town's 1e12-yuan treasury at 960 px is not the panel's.)
            #expect(session.overflowingText.filter { !$0.hasPrefix("top bar") }.isEmpty, "\(language): \(session.overflowingText)")
            let book = session.view.budgetBook
            // A tax line and an upkeep line of last year, each with its money as the book holds it.
            let tax = BudgetLine.tax(.residential)
            #expect(text.contains(s.fill("budget.income_tax", ["kind": s.tool("residential")])), "\(language): \(text)")
            #expect(text.contains("+" + s.money(book.lastYear[tax.index])), "\(language): \(text)")
            let upkeep = BudgetLine.plantUpkeep(.coal)
            #expect(book.lastYear[upkeep.index] < 0)
            #expect(text.contains(s.fill("budget.upkeep", ["kind": s.tool("coal_plant")])))
            #expect(text.contains("−" + s.money(-book.lastYear[upkeep.index])))
            let projection = session.view.budgetProjection
            let expected = s.fill("budget.projection", ["year": "\(session.view.clock.year)",
                                                         "money": (projection.yearEnd < 0 ? "−" : "") + s.money(abs(projection.yearEnd))])
            #expect(text.contains(expected), "\(language): \(text)")
            if language == .zh {
                #expect(text.contains { $0.contains("万元") || $0.contains("亿元") }, "Chinese money in 万元/亿元: \(text)")
            }
            try? view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "panel-\(language.rawValue)-budget.png")
            try press(KeyCode.letter("m"), session: session, view: view)
            #expect(session.panels.open == nil, "M closes the panel it opened")
        }
    }

    @Test func theHUDWarnsBeforeTheMoneyRunsOut() throws {
        let (city, level) = brokeTown
        let projection = city.view.budgetProjection
        let runsOut = try #require(projection.runsOut)
        let days = try #require(projection.daysLeft)
        #expect(days > 29 && days < 31 && runsOut.year == city.view.clock.year, "\(runsOut) in \(days) days")
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        for language in [Language.en, .zh] {
            let (session, view) = try makeSession(city: city, level: level, language: language)
            let warning = try #require(session.budgetWarning, "the warning is drawn under the top bar")
            let date = language == .zh ? "\(runsOut.year)年\(runsOut.month)月\(runsOut.day)日"
                : "\(runsOut.day) \(months[runsOut.month - 1]) \(runsOut.year)"
            #expect(warning.contains(date), "\(warning)")
            #expect(session.overflowingText.isEmpty, "\(language): \(session.overflowingText)")
            try? view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "budget-warning-\(language.rawValue).png")
            try press(KeyCode.letter("m"), session: session, view: view)
            #expect(session.budgetWarning == nil, "the open panel shows it instead")
            #expect(session.panels.drawnText.contains("! " + warning.dropFirst(2)), "\(session.panels.drawnText)")
        }
    }
}

@Suite("Yearly card milestones")
struct MilestoneTests {
    typealias Year = (year: Int, net: Double)

    @Test func theMilestonesComeInOrderFromTheLedgersYearlyNets() {
        // Rising: the next milestone is the peak, the highest year so far.
        #expect(YearSummary.milestones(nets: [(2020, 100), (2021, 120)]).next == .peak(year: 2021, net: 120))
        // A dip within the weather's year-to-year spread is not a peak.
        #expect(YearSummary.milestones(nets: [(2020, 100), (2021, 120), (2022, 110)]).next == .peak(year: 2021, net: 120))
        // A year clearly below the highest: the peak was reached (in that year), −50% of it comes next.
        let peaked = YearSummary.milestones(nets: [(2020, 100), (2021, 120), (2022, 108)])
        #expect(peaked.next == .halfFromPeak(peakYear: 2021, target: 60))
        #expect(peaked.reachedIn.map(\.1) == [2])
        // Half the peak, then net zero, each reached once, in the year it happened.
        let half = YearSummary.milestones(nets: [(2020, 100), (2021, 120), (2022, 60)])
        #expect(half.next == .netZero && half.reachedIn.count == 2 && half.reachedIn.allSatisfy { $0.1 == 2 })
        let zero = YearSummary.milestones(nets: [(2020, 100), (2021, 40), (2022, -5), (2023, 3)])
        #expect(zero.next == .holdNetZero)
        #expect(zero.reachedIn.map(\.0) == [.peak(year: 2020, net: 100), .halfFromPeak(peakYear: 2020, target: 50), .netZero])
        #expect(zero.reachedIn.map(\.1) == [1, 1, 2])
        // A city that starts at or below zero has reached net zero in its first year.
        #expect(YearSummary.milestones(nets: [(2020, -1)]).next == .holdNetZero)
    }
}

extension GameWindowTests {
    /// Three twins of the small level run to 31 December 22:00 and on through 1 January on the
    /// injected clock: with the card on, it shows the closed year's ledger and is dismissed by a
    /// click or by Esc while the game goes on; with it off, none shows; all three cities stay
    /// identical (the card is UI only).
    @Test func theYearlyCardSumsUpTheYearAndCanBeDismissedOrTurnedOff() throws {
        let level = smallLevel()
        var sessions: [GameSession] = []
        var view: GameView?
        for (i, language) in [Language.en, .zh, .en].enumerated() {
            let city = City(level: level, catalog: catalog)
            city.run(hours: 366 * 24 - 2)
            let (session, v) = try makeSession(city: city, level: level, language: language)
            session.showsYearlyCard = i < 2
            session.paused = false
            sessions.append(session)
            view = v
        }
        let window = try #require(view)
        for session in sessions {
            var ticks = 0
            while session.view.clock.year == 2020 { ticks += session.advance(frameSeconds: 0.5, budget: 10, clock: { 0 }) }
            #expect(ticks >= 2)
        }
        #expect(!sessions[2].yearlyCard.isOpen, "turned off: no card")
        for session in sessions.prefix(2) {
            let summary = try #require(session.yearlyCard.summary)
            let closed = try #require(session.view.ledger.years.last)
            #expect(summary.year == 2020 && summary.net == closed.net && summary.emitted == closed.net + closed.removals)
            try window.render(session)
            let s = session.strings
            #expect(session.yearlyCard.drawnText.contains(s.fill("yearly.title", ["year": "2020"])))
            #expect(session.yearlyCard.drawnText.contains(s.fill("yearly.emitted", ["tonnes": s.tonnes(summary.emitted)])))
            #expect(session.yearlyCard.drawnText.contains(YearlyCard.milestoneText(summary.next, strings: s)))
            #expect(session.overflowingText.isEmpty, "\(session.overflowingText)")
            try? window.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "yearly-card-\(s.language.rawValue).png")
            // The game goes on under the card.
            let tick = session.view.clock.tick
            session.advance(frameSeconds: 0.5, budget: 10, clock: { 0 })
            #expect(session.view.clock.tick > tick && session.yearlyCard.isOpen)
        }
        let rect = try #require(sessions[0].yearlyCard.rect)
        let roads = sessions[0].view.map.structure.filter { $0 == .road }.count
        try click(rect.center, session: sessions[0], view: window)
        #expect(!sessions[0].yearlyCard.isOpen, "a click dismisses it")
        #expect(sessions[0].view.map.structure.filter { $0 == .road }.count == roads, "and does not reach the map")
        try window.render(sessions[1])
        try press(KeyCode.escape, session: sessions[1], view: window)
        #expect(!sessions[1].yearlyCard.isOpen && !sessions[1].menuOpen, "Esc dismisses it before it opens the menu")
        // Same ticks, same cities.
        for session in sessions.dropFirst() {
            while session.view.clock.tick < sessions[0].view.clock.tick { session.city.step() }
        }
        #expect(Set(sessions.map(\.view.clock.tick)).count == 1)
        #expect(Set(sessions.map { $0.city.world.contentHash() }).count == 1)
    }
}
