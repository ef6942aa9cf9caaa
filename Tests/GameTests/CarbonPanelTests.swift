// CarbonPanelTests — the carbon panels in the real window (part of the serialized window suite):
// policy levers change the city through commands that the replay records, the market panel
// draws a running market, selling credits the city does not hold is refused in the messages
// feed, and the panels draw real Chinese glyphs.
import CitySim
import ECS
import Foundation
import Game
import Locale
import Raster
import Render
import Testing

/// A small town with factories, a data centre, a coal and a gas plant under cap and trade
/// (every firm covered), one factory that never buys what it lacks; run two simulated years
/// headlessly, so the 2021 period is settled and the 2022 period is open.
@MainActor let marketTown: (city: City, level: LevelDefinition) = {
    var setup = LevelSetup(info: LevelInfo(id: "market-window", title: "Market window test", seed: 7), width: 16, height: 6, budget: 1e12)
    for x in 0..<16 { setup.placements.append((.road, x, 1)) }
    for x in [0, 2, 4] { setup.placements.append((.building(.residential, density: 1), x, 0)) }
    for x in [6, 8, 10] { setup.placements.append((.building(.industrial, density: 1), x, 0)) }
    setup.placements.append((.building(.datacenter, density: 1), 12, 0))
    setup.placements.append((.plant(.coal), 0, 2))
    setup.placements.append((.plant(.gas), 2, 2))
    setup.placements.append((.plant(.wind), 6, 2))
    setup.policies.capAndTrade = 1
    setup.policies.capStringency = 0.8
    setup.policies.freeAllocationShare = 0.7
    setup.policies.priceFloor = 20
    setup.market.threshold = 1
    var stubborn = MarketRules.FirmSetting(x: 10, y: 0)
    stubborn.buys = false
    setup.market.firms = [stubborn]
    let city = City(level: setup, catalog: catalog)
    city.run(hours: (366 + 365) * 24 + 2)
    return (city, LevelDefinition(setup: setup, file: "market-window.toml"))
}()

@MainActor
func makeSession(city: City, level: LevelDefinition, language: Language = .en) throws -> (GameSession, GameView) {
    let view = try #require(sharedView, "a display is required")
    let session = GameSession(city: city, level: level, language: language,
                              savePath: NSTemporaryDirectory() + "nz-\(UUID().uuidString)/quick.nzsave",
                              screenshotDirectory: NSTemporaryDirectory())
    // These tests are about play: a lesson's briefing card (BriefingTests) is dismissed first.
    if session.briefing.isOpen { Briefing.close(session) }
    session.paused = true
    session.camera.target = Vec3(8, 0, 3)
    session.camera.distance = 20
    try view.render(session)
    return (session, view)
}

@MainActor
func click(_ point: (x: Int, y: Int), session: GameSession, view: GameView) throws {
    try deliver([.mouseDown(x: point.x, y: point.y, button: .left), .mouseUp(x: point.x, y: point.y, button: .left)], to: session, view: view)
}

@MainActor
func press(_ code: Int32, session: GameSession, view: GameView) throws {
    try deliver([.key(code: code, down: true, ctrl: false, shift: false)], to: session, view: view)
}

/// The open panel as drawn: the frame cropped from the frame buffer, and the pixels that are not its background.
@MainActor
func panelTextPixels(view: GameView) -> Int {
    let image = view.renderer.readPixels()
    let frame = CarbonPanels.frame(size: view.renderer.framebufferSize)
    let crop = image.cropped(x: Int(frame.x) + 2, y: Int(frame.y) + 36, width: Int(frame.width) - 4, height: Int(frame.height) - 40)
    // The bottom-right corner of the frame holds no text: the panel's background.
    return crop.countPixels(differentFrom: crop[crop.width - 3, crop.height - 3], tolerance: 40)
}

/// Characters the font draws as an empty box.
@MainActor
func missingGlyphs(_ texts: [String], font: Font) -> Set<Character> {
    var missing = Set<Character>()
    for text in texts {
        for character in text where !character.isWhitespace {
            if character.unicodeScalars.contains(where: { !font.hasGlyph($0, size: 12) }) { missing.insert(character) }
        }
    }
    return missing
}

extension GameWindowTests {
    @Test func policiesPanelChangesTheCarbonTaxThroughAReplayedCommand() throws {
        let (session, view) = try makeSession()
        // The panel's button above the overlay buttons opens it.
        let button = try #require(session.panels.controls["panel.policies"])
        try click(button.center, session: session, view: view)
        #expect(session.panels.open == .policies)
        try? view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "panel-en-policies.png")
        let controls = session.panels.controls
        #expect(PolicyLever.all.allSatisfy { lever in controls.keys.contains { $0.hasPrefix("policies.\(lever.name).") } },
                "every lever fits in two columns at 960 × 600")
        let plus = try #require(controls["policies.carbon_tax.plus"]), minus = try #require(controls["policies.carbon_tax.minus"])
        #expect(session.view.policies.carbonTax == 0)
        try click(plus.center, session: session, view: view)
        #expect(session.view.policies.carbonTax == 25, "+ adds the lever's step")
        #expect(session.panels.drawnText.contains("25 yuan/tCO2e"), "the panel shows the new value: \(session.panels.drawnText.prefix(8))")
        // − twice: back to 0, then clamped at the range's bottom (no command).
        try click(minus.center, session: session, view: view)
        try click(minus.center, session: session, view: view)
        #expect(session.view.policies.carbonTax == 0)
        // A 0/1 lever toggles.
        let capAndTrade = try #require(controls["policies.cap_and_trade.toggle"])
        try click(capAndTrade.center, session: session, view: view)
        #expect(session.view.policies.capAndTrade == 1)
        let replay = ReplayLog(city: session.city).text
        let policyLines = replay.split(separator: "\n").filter { $0.contains(" policy ") }
        #expect(policyLines.count == 3, "\(replay)")
        #expect(policyLines.first?.hasSuffix("policy carbon_tax 25.0") == true, "\(replay)")
        #expect(policyLines.last?.hasSuffix("policy cap_and_trade 1.0") == true, "\(replay)")
        // The click went to the panel, not to the map under it.
        let map = session.view.map
        #expect((0..<map.tileCount).filter { map.structure[$0] == .road }.count == 16)
        try press(KeyCode.letter("p"), session: session, view: view)
        #expect(session.panels.open == nil, "P closes the panel it opened")
    }

    @Test func sellingCreditsTheCityDoesNotHoldIsDisabledWithTheReason() throws {
        let (session, view) = try makeSession()
        try press(KeyCode.letter("n"), session: session, view: view)
        #expect(session.panels.open == .position)
        try view.render(session, animationTime: 1)
        let logBefore = session.view.commandLog.count
        let sell = try #require(session.panels.controls["position.sell"])
        #expect(session.panels.disabled["position.sell"] == "The city holds no offset credits", "the button says why it cannot act")
        try click(sell.center, session: session, view: view)
        #expect(session.view.commandLog.count == logBefore, "a disabled button submits nothing")
        #expect(session.panels.drawnText.contains { $0.hasPrefix("× The city holds no offset credits") }, "the panel shows the reason under the button")
        // In Chinese, the reason is Chinese too.
        session.strings = Strings(language: .zh)
        try view.render(session, animationTime: 1)
        let reason = try #require(session.panels.disabled["position.sell"])
        #expect(englishWords(in: reason).isEmpty, "\(reason)")

        // A level without the policies tool refuses lever changes, with the reason in the feed.
        var level = smallLevel()
        level.allowedTools = ["road"]
        let (restricted, _) = try makeSession(city: City(level: level, catalog: catalog), level: level)
        try press(KeyCode.letter("p"), session: restricted, view: view)
        let plus = try #require(restricted.panels.controls["policies.carbon_tax.plus"])
        try click(plus.center, session: restricted, view: view)
        #expect(restricted.view.policies.carbonTax == 0)
        #expect(HUD.messageLines(session: restricted, now: view.now).last == "Cannot do that: Changing policies is not available in this level")
    }

    @Test func marketPanelsDrawARunningMarket() throws {
        let (city, level) = marketTown
        let market = city.view.carbonMarket
        let settled = try #require(market.lastSettled, "the 2021 period is settled")
        #expect(settled.year == 2021 && market.current?.year == 2022)
        #expect(settled.results.count >= 5, "plants, factories and the data centre are covered")
        let (session, view) = try makeSession(city: city, level: level)
        try press(KeyCode.letter("k"), session: session, view: view)
        #expect(session.panels.open == .market)
        var text = session.panels.drawnText
        #expect(text.contains("Period 2022 (open)"))
        #expect(text.contains { $0.hasPrefix("Factory (6, 0)") }, "\(text)")
        #expect(text.contains("floor 20.00"), "the floor is drawn on the price chart")
        #expect(panelTextPixels(view: view) > 3000, "the market panel holds text and a chart")
        // ← goes back to the settled period: its results, statuses and trades.
        try press(KeyCode.left, session: session, view: view)
        text = session.panels.drawnText
        #expect(text.contains("Period 2021 (settled)"))
        for result in settled.results {
            let status: String
            switch result.status {
            case .compliant: status = "compliant"
            case .fined: status = "fined " + NumberText.grouped(result.fine) + " yuan"
            case .open: status = "open"
            }
            #expect(text.contains(status), "status \(status) is shown: \(text)")
        }
        #expect(settled.results.contains { $0.status == .fined }, "the firm that never buys is fined")
        if settled.volume > 0 {
            #expect(text.contains { $0.contains(" bought ") && $0.contains(" from ") }, "trades are listed: \(text)")
        }
        #expect(missingGlyphs(text, font: view.canvas.font).isEmpty)
        try? view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "panel-en-market.png")

        // The registry: accounts, and the selected account's blocks by serial.
        try press(KeyCode.letter("r"), session: session, view: view)
        #expect(session.panels.open == .registry)
        let first = session.panels.account
        try press(KeyCode.down, session: session, view: view)
        #expect(session.panels.account == first + 1, "↓ selects the next account")
        session.panels.account = market.government
        try view.render(session)
        text = session.panels.drawnText
        #expect(text.contains { $0.hasPrefix("#\(market.government) City allowance account") }, "\(text)")
        let cap = try #require(city.view.registry.blocks(ownedBy: market.government).first { $0.kind == .allowance })
        #expect(text.contains { $0.hasPrefix(CarbonRegistry.serialText(.allowance, cap.firstSerial) + " – ") }, "blocks by serial: \(text)")
        #expect(text.contains { $0.contains(" issued ") && $0.contains("AL-") && $0.hasSuffix("(cap 2022)") }, "history entries: \(text)")
        try? view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "panel-en-registry.png")
        #expect(panelTextPixels(view: view) > 3000)

        // The carbon position and the citizens' accounts.
        try press(KeyCode.letter("n"), session: session, view: view)
        text = session.panels.drawnText
        #expect(text.contains { $0.hasPrefix("A credit sold outside the city no longer counts for our own net zero") })
        let position = city.view.carbonPosition(year: 2021)
        #expect(text.contains(NumberText.grouped(position.inventoryNet) + " t"), "last year's inventory net is shown")
        try? view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "panel-en-position.png")
        try press(KeyCode.letter("g"), session: session, view: view)
        #expect(session.panels.open == .citizens)
        #expect(session.panels.drawnText.contains("Home energy saved"))
        try? view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "panel-en-citizens.png")
        try press(KeyCode.escape, session: session, view: view)
        #expect(session.panels.open == nil && !session.menuOpen, "Esc closes the panel before it opens the menu")
    }

    @Test func carbonPanelsDrawChineseGlyphs() throws {
        let (city, level) = marketTown
        let (session, view) = try makeSession(city: city, level: level, language: .zh)
        let font = view.canvas.font
        let missing = font.rasterize("\u{E000}\u{E001}", size: 13)
        for panel in CarbonPanel.allCases {
            try press(KeyCode.letter(panel.shortcut), session: session, view: view)
            #expect(session.panels.open == panel)
            let title = session.strings[panel.titleKey]
            #expect(title.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }, "the title is Chinese: \(title)")
            #expect(session.panels.drawnText.contains(title))
            let glyphs = font.rasterize(title, size: 13)
            #expect(glyphs != nil && glyphs?.pixels != missing?.pixels)
            let text = session.panels.drawnText
            #expect(missingGlyphs(text, font: font).isEmpty, "\(panel): \(missingGlyphs(text, font: font))")
            #expect(text.contains { $0.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF } })
            #expect(panelTextPixels(view: view) > 1500, "\(panel) holds text")
            try? view.renderer.readPixels().writePNG(to: NSTemporaryDirectory() + "panel-zh-\(panel.rawValue).png")
        }
        let image = view.renderer.readPixels()
        let tab = try #require(session.panels.controls["tab.policies"])
        let crop = image.cropped(x: Int(tab.x) + 2, y: Int(tab.y) + 2, width: Int(tab.width) - 4, height: Int(tab.height) - 4)
        #expect(crop.countPixels(differentFrom: crop[1, 1], tolerance: 40) > 40, "the tab 政策 is drawn")
    }
}
