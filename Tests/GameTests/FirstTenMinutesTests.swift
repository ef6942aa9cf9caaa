// FirstTenMinutesTests — a new player's first ten minutes on the pond level, in the real window,
// on the game's injected clock (ten minutes of frames, not ten real minutes): reads a tool's
// tooltip, drags Forest over the homes (every tile refused) and undoes it with nothing
// demolished, builds a road and reads the drag summary, plays on at speed 1, and opens the
// budget panel to read the construction line and the year-end projection. The map has a river
// (row 10) with homes on its far bank: the player builds a road across it (a bridge), sees its
// cost and construction CO2 in the drag preview, is charged for it, and the homes over the
// river get road access and power through it.
import CitySim
import ECS
import Foundation
import Game
import Locale
import Render
import Testing

/// The pond level with a river across row 10 and homes on its far bank (row 11), which no road
/// reaches.
func riverLevel() -> LevelDefinition {
    var rows = smallLevelRows
    rows[6] = "~~.............."
    rows[8] = "TTTT............"
    rows[10] = "~~~~~~~~~~~~~~~~"
    rows[11] = "...........HH..."
    return smallLevel(id: "river-test", title: ("River test", "河流测试"), rows: rows)
}

extension GameWindowTests {
    @Test func aNewPlayersFirstTenMinutes() throws {
        let level = riverLevel()
        let (session, view) = try makeSession(city: City(level: level, catalog: catalog), level: level)
        session.camera.target = Vec3(8, 0, 6)
        session.camera.distance = 20
        try view.render(session)
        let s = session.strings
        let map = session.view.map
        let homes = (0..<map.tileCount).filter { map.structure[$0] == .entity }.count

        // 1. The road tool's tooltip: its cost, in the player's words.
        let road = try #require(session.tools.firstIndex(of: "road"))
        let toolPoint = HUD.toolCenter(road, session: session)
        try deliver([.mouseMove(x: toolPoint.x, y: toolPoint.y, buttons: [])], to: session, view: view)
        #expect(session.tooltipLines == HUD.toolTooltip("road", strings: s, catalog: catalog))
        #expect(session.tooltipLines.contains { $0.contains(s.money(catalog.economy.roadCost)) }, "\(session.tooltipLines)")

        // 2. Forest dragged over the three homes: all refused; Ctrl+Z demolishes nothing and costs nothing.
        let balance = session.view.budget.balance
        session.toolIndex = try #require(session.tools.firstIndex(of: "forest"))
        let homeFrom = pixel(of: (2, 5), session: session, view: view), homeTo = pixel(of: (4, 5), session: session, view: view)
        try deliver([.mouseDown(x: homeFrom.x, y: homeFrom.y, button: .left), .mouseMove(x: homeTo.x, y: homeTo.y, buttons: .left),
                     .mouseUp(x: homeTo.x, y: homeTo.y, button: .left)], to: session, view: view)
        #expect(session.notices.last?.text == GameSession.dragSummaryText(tool: "forest", done: 0, refusals: [.occupied, .occupied, .occupied], strings: s))
        try deliver([.key(code: KeyCode.letter("z"), down: true, ctrl: true, shift: false)], to: session, view: view)
        #expect((0..<map.tileCount).filter { session.view.map.structure[$0] == .entity }.count == homes, "nothing demolished")
        #expect(session.view.budget.balance == balance, "nothing charged")

        // 3. A road of five tiles on land: the summary says so, and the budget book has its cost.
        session.toolIndex = road
        let from = pixel(of: (5, 9), session: session, view: view), to = pixel(of: (9, 9), session: session, view: view)
        try deliver([.mouseDown(x: from.x, y: from.y, button: .left), .mouseMove(x: to.x, y: to.y, buttons: .left),
                     .mouseUp(x: to.x, y: to.y, button: .left)], to: session, view: view)
        #expect(session.notices.last?.text == GameSession.dragSummaryText(tool: "road", done: 5, refusals: [], strings: s))
        #expect((5...9).allSatisfy { session.view.map.structure[session.view.map.index($0, 9)] == .road })
        let book = session.view.budgetBook
        #expect(book.amount(.construction, in: book.thisMonth) == -5 * catalog.economy.roadCost)

        // 3b. Across the river: a road from the main road (row 4) down to the far bank (row 11).
        // The drag preview shows the bridge's cost and construction CO2 beside the road's.
        let farHomes = [(11, 11), (12, 11)].map { session.view.map.occupant[session.view.map.index($0.0, $0.1)] }
        #expect(farHomes.allSatisfy { session.view.building($0)?.island == 0 }, "no road reaches the far bank yet")
        let plantIsland = try #require(session.view.plant(session.view.map.occupant[session.view.map.index(2, 2)])).island
        let bridgeFrom = pixel(of: (10, 5), session: session, view: view), bridgeTo = pixel(of: (10, 11), session: session, view: view)
        try deliver([.mouseDown(x: bridgeFrom.x, y: bridgeFrom.y, button: .left), .mouseMove(x: bridgeTo.x, y: bridgeTo.y, buttons: .left)],
                    to: session, view: view)
        let preview = session.ghost()
        #expect(preview.count == 7 && preview.allSatisfy { $0.refusal == nil }, "\(preview.map(\.refusal))")
        let economy = catalog.economy
        #expect(preview.reduce(0) { $0 + $1.cost } == 6 * economy.roadCost + economy.roadBridgeCost)
        #expect(preview.reduce(0) { $0 + $1.tonnes } == 6 * economy.roadEmbodied + economy.bridgeEmbodied)
        try view.render(session)
        let previewText = try #require(session.dragPreview)
        #expect(previewText == s.fill("tooltips.preview", ["money": s.money(6 * economy.roadCost + economy.roadBridgeCost),
                                                           "tonnes": NumberText.grouped(6 * economy.roadEmbodied + economy.bridgeEmbodied)]),
                "\(previewText)")
        let bookBefore = session.view.budgetBook.amount(.construction, in: session.view.budgetBook.thisMonth)
        try deliver([.mouseUp(x: bridgeTo.x, y: bridgeTo.y, button: .left)], to: session, view: view)
        #expect(session.notices.last?.text == GameSession.dragSummaryText(tool: "road", done: 7, refusals: [], strings: s))
        let bridgeTile = session.view.map.index(10, 10)
        #expect(session.view.map.structure[bridgeTile] == .road && session.view.map.terrain[bridgeTile] == .water && session.view.map.isBridge(bridgeTile))
        let charged = bookBefore - session.view.budgetBook.amount(.construction, in: session.view.budgetBook.thisMonth)
        #expect(charged == 6 * economy.roadCost + economy.roadBridgeCost, "charged \(charged)")
        #expect(session.view.networkBooks[.bridge].flow.yearQuantity == 1)

        // 4. Ten minutes at speed 1 on the injected clock: a frame every 1/30 s, drawn once a minute.
        session.paused = false
        session.speed = 1
        let start = session.view.clock.tick
        for frame in 0..<(10 * 60 * 30) {
            session.advance(frameSeconds: 1.0 / 30, budget: 10, clock: { 0 })
            if frame % (60 * 30) == 0 { try view.render(session) }
        }
        let hours = session.view.clock.tick - start
        let expected = GameSpeed.hoursPerSecond(speed: 1, yearMinutes: GameSpeed.yearMinutes(level)) * 600
        #expect(abs(Double(hours) - expected) <= 2, "ten minutes at speed 1 run \(hours) game hours, about \(expected)")
        // The far bank's homes are on the plant's power island through the bridge, and served.
        for home in farHomes {
            let building = try #require(session.view.building(home))
            #expect(building.island != 0 && building.island == plantIsland, "island \(building.island), the plant's \(plantIsland)")
            #expect(session.view.servedShare(of: home)! > 0.99, "served \(session.view.servedShare(of: home)!)")
        }

        // 5. The budget panel (its button): the construction line and the projection to 31 December.
        session.paused = true
        try view.render(session)
        let button = try #require(session.panels.controls["panel.budget"])
        try click(button.center, session: session, view: view)
        #expect(session.panels.open == .budget)
        let text = session.panels.drawnText
        #expect(text.contains(s["budget.construction"]), "\(text)")
        let projection = session.view.budgetProjection
        let year = session.view.clock.year
        #expect(text.contains(s.fill("budget.projection", ["year": "\(year)", "money": (projection.yearEnd < 0 ? "−" : "") + s.money(abs(projection.yearEnd))])),
                "\(text)")
        #expect(session.overflowingText.isEmpty, "\(session.overflowingText)")
    }
}
