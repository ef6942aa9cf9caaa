// BriefingTests — lesson 1 as a student meets it, in a real window: it starts paused on the
// briefing card with the lesson's own numbers from the model, hints come through the Hint button,
// the objectives panel shows live values with units that match the top bar, the inspector shows a
// factor's whole citation, wrapped, and blocks clicks exactly where it is drawn. Screenshots of
// the card in both languages go to the temporary directory (briefing-en.png, briefing-zh.png).
import CitySim
import Foundation
import Game
import Locale
import Render
import Report
import Testing

/// Lesson 1 as `netzero play` opens it: the level file and the catalog with its overrides.
@MainActor
func lessonOne(language: Language) throws -> (GameSession, GameView) {
    let view = try #require(sharedView, "a display is required")
    let path = repositoryRoot + "/Levels/lessons/01-sources-and-sinks.toml"
    let level = try #require(LevelFile.load(path: path, catalog: catalog).level)
    let overrides = try #require(level.catalogOverrides)
    let levelCatalog = try Catalog.load(directory: repositoryRoot + "/Resources/catalog", overrideTables: [(overrides, level.file)])
    let session = GameSession(city: City(level: level, catalog: levelCatalog), level: level, language: language,
                              savePath: NSTemporaryDirectory() + "nz-\(UUID().uuidString)/quick.nzsave",
                              screenshotDirectory: NSTemporaryDirectory())
    try view.render(session)
    return (session, view)
}

/// Renders frames until the briefing's projection has finished (it runs one game year on a
/// background thread); fails after `limit` seconds.
@MainActor
func waitForProjection(_ session: GameSession, view: GameView, limit: Double = 600) throws -> LessonProjection {
    let start = Date()
    while Briefing.projection(session) == nil && Date().timeIntervalSince(start) < limit {
        usleep(100_000)
        try deliver([], to: session, view: view)
    }
    let projection = try #require(Briefing.projection(session), "the projection finished")
    try deliver([], to: session, view: view)
    return projection
}

/// Words of two or more Latin letters in `text` that are not on the allowlist of units, symbols
/// and proper names a Chinese interface may keep.
func englishWords(in text: String) -> [String] {
    let allowed: Set<String> = ["CO", "CO2", "CO2e", "tCO2e", "gCO2", "kWh", "MWh", "GWh", "kW", "MW", "GW", "PUE", "IT", "PM", "ha",
                                "km", "Enter", "Esc", "Tab", "Space", "Ctrl", "Shift", "IPCC", "NREL", "PNNL", "CEC", "MEE", "NBS",
                                "AL", "OF", "GC", "V2G", "CCUS", "CCER", "ETS", "EU", "EUR", "UNEP", "Guidelines", "Vol", "Ch", "Table"]
    var words: [String] = []
    var current = ""
    for scalar in text.unicodeScalars {
        if (scalar >= "A" && scalar <= "Z") || (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9" && !current.isEmpty) {
            current.unicodeScalars.append(scalar)
        } else {
            if current.count >= 2 && !allowed.contains(current) { words.append(current) }
            current = ""
        }
    }
    if current.count >= 2 && !allowed.contains(current) { words.append(current) }
    return words
}

@Suite("Lesson briefing and hints in a real window", .serialized, .enabled(if: hasDisplay, "needs a display: run under xvfb-run"))
@MainActor
struct BriefingTests {
    @Test func lessonOneStartsPausedOnABriefingWithTheModelsNumbers() throws {
        let (session, view) = try lessonOne(language: .en)
        #expect(session.briefing.isOpen && session.paused, "a lesson starts paused on its briefing card")
        #expect(session.advance(frameSeconds: 1, clock: { 0 }) == 0, "no time passes behind the card")
        let projection = try waitForProjection(session, view: view)

        // The card's numbers are the model's: the same year run here, headless, with no commands.
        let level = session.level
        let city = City(level: level, catalog: session.catalog)
        city.run(hours: 366 * 24)
        let year = try #require(city.view.ledger.years.first)
        #expect(projection.net == year.net && projection.removed == year.removals, "\(projection) vs \(year.net), \(year.removals)")
        #expect(projection.emitted > 100, "the town emits: \(projection.emitted) t")

        let texts = session.briefing.drawnText
        let all = texts.joined(separator: " ")
        #expect(texts.contains("Lesson 1: Sources and sinks"))
        #expect(all.contains("Your objectives") && all.contains("What you need"), "\(texts)")
        #expect(all.contains(Fixed.format(year.net + year.removals, 0) + " t"), "the town's yearly emissions are on the card: \(texts)")
        // How many forest plots the card says net zero needs: the level's hint says about 80.
        let needs = try #require(Briefing.whatYouNeed(session)?.first { $0.contains("needs about") })
        let plots = try #require(Int(needs.components(separatedBy: "needs about ").last!.split(separator: " ").first!))
        #expect((60...100).contains(plots), "the card's \(plots) plots agree with the hint's about 80: \(needs)")
        #expect(needs.contains("your budget pays for about"), "\(needs)")
        // Following the card wins: that many forest plots planted at the start balance the town in 2021.
        let following = City(level: level, catalog: session.catalog)
        let map = following.view.map
        let free = (0..<map.height).flatMap { y in (0..<map.width).map { (x: $0, y: y) } }.filter { tile in
            map.terrain[map.index(tile.x, tile.y)].isBuildable && map.structure[map.index(tile.x, tile.y)] == .none }
        for tile in free.prefix(plots) { following.submit(.build(.zone(.forest), x: tile.x, y: tile.y)) }
        following.run(hours: (366 + 365) * 24 + 1)
        #expect(following.view.rules?.result == .won, "\(plots) plots, as the card says: \(String(describing: following.view.rules?.values))")
        #expect(missingGlyphs(texts, font: view.canvas.font).isEmpty)
        try view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "briefing-en.png")

        // Start: the card closes and the game runs.
        let start = Briefing.layout(size: view.renderer.framebufferSize).startButton
        try click((Int(start.x + start.width / 2), Int(start.y + start.height / 2)), session: session, view: view)
        #expect(!session.briefing.isOpen && !session.paused)
        #expect(session.advance(frameSeconds: 1, clock: { 0 }) > 0, "the game runs once the card is closed")
    }

    @Test func hintsComeThroughTheHintButtonsAndTheKey() throws {
        let (session, view) = try lessonOne(language: .en)
        let hints = session.level.hints
        #expect(hints.count == 3)
        // On the card.
        let onCard = Briefing.layout(size: view.renderer.framebufferSize).hintButton
        try click((Int(onCard.x + onCard.width / 2), Int(onCard.y + onCard.height / 2)), session: session, view: view)
        #expect(HUD.messageLines(session: session, now: view.now).contains { $0.contains(hints[0].en) }, "hint 1 in the messages feed")
        #expect(session.briefing.drawnText.joined(separator: " ").contains("Hint 1/3"), "and on the card")
        // During play: the button below the toolbar, then H.
        try press(KeyCode.enter, session: session, view: view)
        #expect(!session.briefing.isOpen)
        session.paused = true
        let button = try #require(Briefing.hudHintButton(session: session))
        try click((Int(button.x + button.width / 2), Int(button.y + button.height / 2)), session: session, view: view)
        #expect(HUD.messageLines(session: session, now: view.now).contains { $0.contains(hints[1].en) }, "hint 2 from the HUD button")
        #expect(session.view.commandLog.isEmpty, "the click did not reach the map")
        try press(KeyCode.letter("h"), session: session, view: view)
        let lines = HUD.messageLines(session: session, now: view.now)
        #expect(lines.contains { $0.contains(hints[2].en) }, "the key hint is on screen: \(lines)")
        // B brings the card back, paused.
        try press(KeyCode.letter("b"), session: session, view: view)
        #expect(session.briefing.isOpen && session.paused)
    }

    @Test func chineseBriefingHasNoEnglishAndMoneyInWan() throws {
        let (session, view) = try lessonOne(language: .zh)
        _ = try waitForProjection(session, view: view)
        let texts = session.briefing.drawnText
        #expect(texts.contains("第1课：碳源与碳汇"))
        let english = texts.flatMap(englishWords)
        #expect(english.isEmpty, "English words on the Chinese card: \(english)")
        #expect(texts.joined().contains("万元"), "money in 万元: \(texts)")
        #expect(missingGlyphs(texts, font: view.canvas.font).isEmpty)
        try view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "briefing-zh.png")
        // The play screen behind it, in Chinese: top bar money in 万元, objectives with units.
        Briefing.close(session)
        session.paused = true
        try deliver([], to: session, view: view)
        let objectives = HUD.objectiveLines(session: session)
        #expect(objectives.allSatisfy { englishWords(in: $0.title + $0.progress).isEmpty }, "\(objectives)")
        #expect(objectives.filter { $0.title.contains("可选") }.allSatisfy { $0.title.components(separatedBy: "可选").count == 2 },
                "“可选” once: \(objectives.map(\.title))")
        try view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "lesson1-zh-play.png")
    }

    @Test func objectivesShowLiveValuesWithUnitsThatMatchTheTopBar() throws {
        let (session, view) = try lessonOne(language: .en)
        Briefing.close(session)
        session.paused = true
        try deliver([], to: session, view: view)
        // At the very start, before a game day has passed.
        #expect(session.view.clock.tick == 0)
        let population = session.view.stats.population
        #expect(population > 300)
        let lines = HUD.objectiveLines(session: session)
        let islanders = try #require(lines.first { $0.title.contains("islanders") })
        #expect(islanders.progress.contains("now \(population) persons"), "\(islanders.progress) vs top bar \(population)")
        let budget = try #require(lines.first { $0.title.contains("budget") })
        #expect(budget.progress.contains("now 40.0 m yuan"), "\(budget.progress)")
        let green = try #require(lines.first { $0.title.contains("quarter") })
        #expect(green.progress.contains("%") && green.title.hasSuffix(" (optional)") && !green.title.contains("Optional"), "\(green)")
        #expect(!lines.contains { $0.progress.contains("e+") }, "no exponents: \(lines)")
    }

    @Test func theInspectorShowsTheWholeCitationWrappedAndBlocksOnlyWhereItIsDrawn() throws {
        // A coal plant's factor cites IPCC 2006 Table 2.2 "(other bituminous coal …)": a long source.
        let (session, view) = try makeSession()
        session.toolIndex = try #require(session.tools.firstIndex(of: "select"))
        let plantTile = try #require((0..<16).flatMap { x in (0..<12).map { (x, $0) } }.first { tile in
            session.view.plant(session.view.map.occupant[session.view.map.index(tile.0, tile.1)]) != nil })
        session.paused = false
        for _ in 0..<40 { session.advance(frameSeconds: 1, clock: { 0 }) }
        session.paused = true
        session.selectedTile = plantTile
        try deliver([], to: session, view: view)
        let rows = session.inspectorRows
        // Wrapped rows keep their line's indent: read them as one text, spaces collapsed.
        let joined = rows.joined(separator: " ").split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        #expect(joined.contains("other bituminous coal"), "the citation is not cut at 52 characters: \(rows)")
        let width = Float(view.renderer.framebufferSize.width)
        #expect(rows.allSatisfy { Float(view.canvas.measureText($0, size: 11).width) <= HUD.panelWidth - 20 + 1 }, "every row fits the panel")
        let rect = try #require(session.inspectorRect)
        let size = view.renderer.framebufferSize
        #expect(HUD.isOverPanel(x: Int(width) - 20, y: Int(rect.y + rect.height) - 2, session: session, size: size))
        let objectivesTop = session.objectivesRect?.y ?? Float(size.height)
        if rect.y + rect.height + 4 < objectivesTop {
            #expect(!HUD.isOverPanel(x: Int(width) - 20, y: Int(rect.y + rect.height) + 2, session: session, size: size),
                    "below the drawn panel the map takes clicks")
        }
        try view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "inspector-en.png")
    }
}
