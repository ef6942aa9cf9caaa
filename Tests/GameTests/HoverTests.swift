// HoverTests — the ghost under the cursor agrees with the build command, every tool and button
// has a tooltip in English and Chinese, and a drag ends with a summary in the player's language.
import CitySim
import ECS
import Foundation
import Game
import Locale
import Render
import Testing

@Suite("Tooltips")
struct TooltipTests {
    @Test func everyToolHasATooltipInBothLanguages() throws {
        let tools = ["select"] + Structure.all.map(\.key) + UpgradeKind.allCases.map(\.key) + ["demolish"]
        for language in [Language.en, .zh] {
            let s = Strings(language: language)
            for tool in tools {
                let lines = HUD.toolTooltip(tool, strings: s, catalog: catalog)
                #expect(lines.count >= 3, "\(language) \(tool): \(lines)")
                for line in lines {
                    #expect(!line.contains("{") && !line.contains("tooltips.") && !line.contains("tools."), "\(language) \(tool): \(line)")
                    if language == .zh { #expect(englishWords(in: line).isEmpty, "\(tool): \(line)") }
                }
            }
        }
        // Structures say what they cost, their upkeep and their construction carbon, in the catalog's figures.
        let s = Strings(language: .en)
        let coal = HUD.toolTooltip("coal_plant", strings: s, catalog: catalog)
        #expect(coal.contains("Cost: " + s.money(catalog.plant(.coal).buildCost)), "\(coal)")
        #expect(coal.contains("Upkeep: " + s.money(catalog.plant(.coal).fixedOM) + " a year"), "\(coal)")
        #expect(coal.contains { $0.hasPrefix("Construction CO2: ") } && coal.contains { $0.hasPrefix("Emits about ") }, "\(coal)")
        let forest = HUD.toolTooltip("forest", strings: s, catalog: catalog)
        #expect(forest.contains { $0.hasPrefix("Removes up to ") }, "\(forest)")
        // Overlay and panel buttons have their help in both languages.
        for language in [Language.en, .zh] {
            let s = Strings(language: language)
            for overlay in Overlay.allCases { #expect(s.has("overlay_help." + overlay.rawValue) && !s["overlay_help." + overlay.rawValue].isEmpty) }
            for panel in CarbonPanel.allCases { #expect(s.has("panels_help." + panel.rawValue)) }
        }
    }

    @Test func dragSummaryReadsInThePlayersLanguage() {
        let refusals: [Refusal] = [.occupied, .cannotBuildOn(.water), .occupied]
        #expect(GameSession.dragSummaryText(tool: "forest", done: 12, refusals: refusals, strings: Strings(language: .en))
                == "12 built, 3 refused: 2 occupied, 1 water")
        let zh = GameSession.dragSummaryText(tool: "forest", done: 12, refusals: refusals, strings: Strings(language: .zh))
        #expect(zh == "建成 12 处，3 处未成：已占用 2 处，水面 1 处", "\(zh)")
        #expect(GameSession.dragSummaryText(tool: "road", done: 4, refusals: [], strings: Strings(language: .en)) == "4 built")
    }
}

@Suite("Hover and ghosts in a real window", .serialized, .enabled(if: hasDisplay, "needs a display: run under xvfb-run"))
@MainActor
struct HoverTests {
    func pondSession(language: Language = .en) throws -> (GameSession, GameView) {
        let level = pondLevel()
        let (session, view) = try makeSession(city: City(level: level, catalog: catalog), level: level, language: language)
        session.camera.target = Vec3(8, 0, 6)
        session.camera.distance = 20
        try view.render(session)
        return (session, view)
    }

    @Test func theGhostAgreesWithTheCommandOnWaterOccupiedAndFreeTiles() throws {
        let (session, view) = try pondSession()
        session.toolIndex = try #require(session.tools.firstIndex(of: "forest"))
        for (tile, expected) in [((0, 6), Refusal.cannotBuildOn(.water)), ((3, 5), .occupied), ((7, 7), nil)] as [((Int, Int), Refusal?)] {
            let p = pixel(of: tile, session: session, view: view)
            try deliver([.mouseMove(x: p.x, y: p.y, buttons: [])], to: session, view: view)
            let hover = try #require(session.hoverTile, "the cursor is over \(tile)")
            #expect(hover.x == tile.0 && hover.y == tile.1)
            let ghost = try #require(session.ghost().first)
            #expect(ghost.refusal == expected, "\(tile): ghost says \(String(describing: ghost.refusal))")
            let instances = SceneBuilder.ghostInstances(session.ghost(), tool: session.tool, hover: session.hoverTile, view: session.view)
            #expect(!instances.isEmpty && instances.allSatisfy { $0.color == Instance(position: .zero, color: expected == nil ? Palette.ghostAllowed : Palette.ghostRefused).color })
            try click(p, session: session, view: view)
            let record = try #require(session.view.commandLog.last)
            switch record.outcome {
            case .done: #expect(expected == nil, "\(tile) was built although the ghost said \(String(describing: expected))")
            case .refused(let why): #expect(why == expected, "\(tile): the command said \(why)")
            }
        }
    }

    @Test func aDragEndsWithASummaryAndThePreviewShowsItsCarbon() throws {
        for language in [Language.en, .zh] {
            let (session, view) = try pondSession(language: language)
            session.toolIndex = try #require(session.tools.firstIndex(of: "residential"))
            let from = pixel(of: (0, 5), session: session, view: view), to = pixel(of: (5, 6), session: session, view: view)
            try deliver([.mouseDown(x: from.x, y: from.y, button: .left), .mouseMove(x: to.x, y: to.y, buttons: .left)], to: session, view: view)
            let preview = try #require(session.dragPreview)
            let homes = City.constructionTonnes(.building(.residential, density: 0.5), on: .land, catalog: catalog) * 7
            #expect(homes > 0)
            #expect(preview.contains(NumberText.grouped(homes, decimals: homes < 10 ? 1 : 0)), "the preview gives the 7 homes' construction CO2: \(preview)")
            try deliver([.mouseUp(x: to.x, y: to.y, button: .left)], to: session, view: view)
            let notice = session.notices.last?.text ?? ""
            if language == .en {
                #expect(notice == "7 built, 5 refused: 3 occupied, 2 water", "\(notice)")
            } else {
                #expect(notice == "建成 7 处，5 处未成：已占用 3 处，水面 2 处", "\(notice)")
            }
        }
    }

    @Test func hoveringAToolShowsItsTooltip() throws {
        for language in [Language.en, .zh] {
            let (session, view) = try pondSession(language: language)
            let coal = try #require(session.tools.firstIndex(of: "coal_plant"))
            let p = HUD.toolCenter(coal, session: session)
            try deliver([.mouseMove(x: p.x, y: p.y, buttons: [])], to: session, view: view)
            #expect(session.tooltipLines == HUD.toolTooltip("coal_plant", strings: session.strings, catalog: catalog))
            #expect(session.overflowingText.isEmpty, "\(session.overflowingText)")
            let overlay = try #require(session.overlayButtonRects.first { $0.overlay == .air }).rect.center
            try deliver([.mouseMove(x: overlay.x, y: overlay.y, buttons: [])], to: session, view: view)
            #expect(session.tooltipLines.first == session.strings["overlay.air"])
            try view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "tooltip-\(language).png")
        }
    }
}
