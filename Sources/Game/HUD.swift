// HUD.swift — the heads-up display: top bar, build toolbar, tile inspector, charts, objectives,
// messages, overlay legend, and the Esc menu. Drawn with Canvas2D in framebuffer pixels.
//
// Layout (scaled with the window): a 40 px top bar; the toolbar down the left edge (140 px);
// the inspector and objectives down the right edge (330 px); messages along the bottom; the
// charts panel and the menu in the middle when open.
import CitySim
import ECS
import Foundation
import Locale
import Render
import Report

public enum HUD {
    static let topBar: Float = 40
    static let toolbarWidth: Float = 150
    /// A toolbar row's height: 19 px, less in a short window so that every tool stays on screen
    /// (with room below for the lesson's hint button).
    static func toolHeight(count: Int, height: Float) -> Float {
        min(19, max(12, (height - topBar - 8 - 40) / Float(max(1, count))))
    }
    public static let panelWidth: Float = 340
    public static let menuItems = ["menu.resume", "menu.new", "menu.levels", "menu.editor", "menu.summary", "menu.saves", "menu.settings", "menu.language", "menu.quit"]

    static let panel = Vec4(0.08, 0.09, 0.12, 0.86)
    static let text = Vec4(0.95, 0.95, 0.92, 1)
    static let dim = Vec4(0.7, 0.72, 0.75, 1)
    static let accent = Vec4(0.99, 0.82, 0.25, 1)

    public static func isOverPanel(x: Int, y: Int, session: GameSession, size: (width: Int, height: Int)) -> Bool {
        let fx = Float(x), fy = Float(y)
        if fy < topBar { return true }
        if overlayAt(x: x, y: y, session: session) != nil { return true }
        if CarbonPanels.covers(x: x, y: y, session: session) { return true }
        if fx < toolbarWidth && fy < topBar + Float(session.tools.count) * session.toolRowHeight + 8 { return true }
        if session.selectedTile != nil, let inspector = session.inspectorRect, inspector.contains(x, y) { return true }
        if let objectives = session.objectivesRect, objectives.contains(x, y) { return true }
        if let hint = Briefing.hudHintButton(session: session), hint.contains(x, y) { return true }
        return false
    }

    /// The toolbar entry at a pixel, if any.
    public static func toolAt(x: Int, y: Int, session: GameSession, size: (width: Int, height: Int)) -> Int? {
        guard Float(x) < toolbarWidth, Float(y) >= topBar + 4 else { return nil }
        let index = Int((Float(y) - topBar - 4) / session.toolRowHeight)
        return index < session.tools.count ? index : nil
    }

    /// The overlay buttons along the bottom edge, right of the toolbar, each as wide as its label
    /// in the player's language (measured with the canvas's font).
    public static func overlayButtons(canvas: Canvas2D, strings s: Strings) -> [(overlay: Overlay, rect: PanelRect)] {
        let height: Float = 22, gap: Float = 4
        let y = Float(canvas.size.height) - height - 4
        var x = toolbarWidth + 8
        return Overlay.allCases.map { overlay in
            let width = max(60, Float(canvas.measureText(s["overlay." + overlay.rawValue], size: 12).width) + 12)
            defer { x += width + gap }
            return (overlay, PanelRect(x: x, y: y, width: width, height: height))
        }
    }

    /// The overlay button at a pixel, where the buttons were drawn in the last frame.
    public static func overlayAt(x: Int, y: Int, session: GameSession) -> Overlay? {
        session.overlayButtonRects.first { $0.rect.contains(x, y) }?.overlay
    }

    /// Draws `text` at (x, y) in a box `width` wide; text wider than its box is recorded in
    /// `session.overflowingText` (the tests require none) and drawn anyway.
    @discardableResult
    static func label(_ canvas: Canvas2D, session: GameSession, _ text: String, x: Float, y: Float, width: Float, size: Int,
                      color: Vec4 = HUD.text) -> Float {
        let used = Float(canvas.drawText(text, x: x, y: y, size: size, color: color).width)
        if used > width + 0.5 { session.overflowingText.append("\(text) (\(Int(used)) px in \(Int(width)) px)") }
        return used
    }

    /// Pixel centre of a toolbar entry (tests click it).
    public static func toolCenter(_ index: Int, session: GameSession) -> (x: Int, y: Int) {
        (Int(toolbarWidth / 2), Int(topBar + 4 + (Float(index) + 0.5) * session.toolRowHeight))
    }

    public static func draw(_ canvas: Canvas2D, session: GameSession, now: Double) {
        let size = canvas.size
        let s = session.strings
        let view = session.view
        session.overflowingText = []
        _ = canvas.takeOverflows()
        // Every text drawn outside its panel (or the window) is recorded too (Canvas2D.pushTextBox).
        defer { session.overflowingText += canvas.takeOverflows() }
        if session.editor?.isOpen == true {
            Editor.draw(canvas, session: session, now: now)
            return
        }
        drawTopBar(canvas, session: session, width: Float(size.width))
        drawToolbar(canvas, session: session)
        Briefing.drawHUDButton(canvas, session: session)
        drawObjectives(canvas, session: session, width: Float(size.width), height: Float(size.height))
        if let tile = session.selectedTile { drawInspector(canvas, session: session, tile: tile, width: Float(size.width)) } else { session.inspectorRect = nil }
        if session.overlay != .none { drawLegend(canvas, session: session, width: Float(size.width), height: Float(size.height)) }
        session.overlayButtonRects = overlayButtons(canvas: canvas, strings: s)
        for (overlay, rect) in session.overlayButtonRects {
            let active = overlay == session.overlay
            canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: active ? Vec4(0.3, 0.35, 0.5, 1) : panel)
            label(canvas, session: session, s["overlay." + overlay.rawValue], x: rect.x + 6, y: rect.y + 4, width: rect.width - 8, size: 12,
                  color: active ? accent : text)
        }
        if session.showCharts { drawCharts(canvas, session: session, width: Float(size.width), height: Float(size.height)) }
        // The carbon panels' buttons and the open panel; the messages go over it, so a refusal shows.
        CarbonPanels.draw(canvas, session: session, now: now)
        BudgetPanel.drawWarning(canvas, session: session)
        YearlyCard.draw(canvas, session: session)
        drawMessages(canvas, session: session, height: Float(size.height), now: now)
        if !session.dragTiles.isEmpty && session.tool != "select" {
            // What the drag would cost and the construction carbon it would book, for the tiles the
            // build check accepts; how many it would refuse.
            let ghost = session.ghost()
            let cost = ghost.reduce(0) { $0 + $1.cost }, tonnes = ghost.reduce(0) { $0 + $1.tonnes }
            let refused = ghost.filter { $0.refusal != nil }.count
            var label = s.fill("tooltips.preview", ["money": s.money(cost), "tonnes": NumberText.grouped(tonnes, decimals: tonnes < 10 && tonnes > 0 ? 1 : 0)])
            if refused > 0 { label += "   " + s.fill("tooltips.drag_refused", ["count": "\(refused)"]) }
            session.dragPreview = label
            let width = Float(canvas.measureText(label, size: 14).width) + 14
            let x = min(Float(session.mouse.x) + 14, Float(size.width) - width - 4)
            canvas.fillRect(x: x, y: Float(session.mouse.y) + 10, width: width, height: 22, color: panel)
            _ = canvas.drawText(label, x: x + 6, y: Float(session.mouse.y) + 12, size: 14,
                                color: ghost.contains { if case .noMoney? = $0.refusal { return true }; return false } ? Vec4(1, 0.4, 0.4, 1) : text)
        } else {
            session.dragPreview = nil
        }
        drawTooltip(canvas, session: session)
        if let result = view.rules?.result, result != .undecided {
            let label = s[result == .won ? "hud.result_won" : "hud.result_lost"]
            canvas.fillRect(x: Float(size.width) / 2 - 160, y: topBar + 10, width: 320, height: 40, color: panel)
            _ = canvas.drawText(label, x: Float(size.width) / 2 - 140, y: topBar + 18, size: 22, color: accent)
        }
        if session.showsModalScreen {
            // A modal screen dims the city's panels behind it, so they do not read as part of it.
            canvas.fillRect(x: 0, y: 0, width: Float(size.width), height: Float(size.height), color: Vec4(0, 0, 0, 0.45))
        }
        if session.menuOpen { drawMenu(canvas, session: session, width: Float(size.width), height: Float(size.height)) }
        if session.pickingLevel { LevelPicker.draw(canvas, session: session, width: Float(size.width), height: Float(size.height), now: now) }
        if session.saveBrowser.isOpen { SaveBrowser.draw(canvas, session: session, width: Float(size.width), height: Float(size.height), now: now) }
        if session.settingsScreen.isOpen { SettingsScreen.draw(canvas, session: session, width: Float(size.width), height: Float(size.height)) }
        if session.briefing.isOpen { Briefing.draw(canvas, session: session) }
        if session.lessonEnd.isOpen { LessonEndScreen.draw(canvas, session: session, now: now) }
        if session.namePrompt.isOpen { NamePrompt.draw(canvas, session: session, now: now) }
        ReloadBanner.draw(canvas, session: session)
    }

    // MARK: - Tooltips

    /// A tool's tooltip: what it costs to build and to keep, the carbon its construction books,
    /// what it emits or removes in a year, and its keys; every figure from the catalog.
    public static func toolTooltip(_ tool: String, strings s: Strings, catalog: Catalog) -> [String] {
        var lines = [s["tools." + tool]]
        func tonnes(_ t: Double) -> String { NumberText.grouped(t, decimals: t < 10 ? 1 : 0) }
        switch tool {
        case "select": lines.append(s["tooltips.select"])
        case "demolish":
            lines.append(s.fill("tooltips.demolish", ["percent": NumberText.grouped(catalog.economy.demolitionFraction * 100)]))
        case _ where UpgradeKind.allCases.contains { $0.key == tool }:
            let upgrade = UpgradeKind.allCases.first { $0.key == tool }!
            if upgrade == .ccus {
                lines.append(s.fill("tooltips.ccus_cost", ["coal": s.money(catalog.ccus.retrofitCostCoal), "gas": s.money(catalog.ccus.retrofitCostGas)]))
            } else {
                lines.append(s.fill("tooltips.upgrade_cost", ["money": s.money(catalog.upgrades[Int(upgrade.rawValue)].cost)]))
            }
            lines.append(s["tooltips.upgrade_help"])
        default:
            guard var structure = Structure.named(tool) else { break }
            if case .building(let kind, _) = structure { structure = .building(kind, density: 0.5) }
            lines.append(s.fill("tooltips.cost", ["money": s.money(City.cost(of: structure, catalog: catalog))]))
            let hoursPerYear = 8760.0
            var upkeep = 0.0
            switch structure {
            case .building(let kind, let density):
                let spec = catalog.building(kind)
                upkeep = spec.maintenance * density
                lines.append(s.fill("tooltips.upkeep", ["money": s.money(upkeep)]))
                lines.append(s.fill("tooltips.construction", ["tonnes": tonnes(spec.embodied * density)]))
                lines.append(s.fill("tooltips.uses", ["mwh": NumberText.grouped(spec.electricityBase * density * hoursPerYear / 1000)]))
                if spec.processEmissions > 0 {
                    lines.append(s.fill("tooltips.process", ["tonnes": tonnes(spec.processEmissions * density * hoursPerYear)]))
                }
            case .plant(let kind):
                let spec = catalog.plant(kind)
                lines.append(s.fill("tooltips.upkeep", ["money": s.money(spec.fixedOM)]))
                lines.append(s.fill("tooltips.construction", ["tonnes": tonnes(spec.embodied)]))
                let kWh = spec.capacityKW * spec.typicalCapacityFactor * hoursPerYear
                let mw = NumberText.grouped(spec.capacityKW / 1000, decimals: spec.capacityKW < 10_000 ? 1 : 0)
                if spec.emissionFactor > 0 {
                    lines.append(s.fill("tooltips.emits", ["tonnes": tonnes(kWh * spec.emissionFactor / 1e6), "mw": mw,
                                                           "percent": NumberText.grouped(spec.typicalCapacityFactor * 100)]))
                } else {
                    lines.append(s.fill("tooltips.clean", ["mw": mw, "percent": NumberText.grouped(spec.typicalCapacityFactor * 100)]))
                }
            case .storage(let kind):
                let spec = catalog.storageSpec(kind)
                lines.append(s.fill("tooltips.upkeep", ["money": s.money(spec.fixedOM)]))
                lines.append(s.fill("tooltips.construction", ["tonnes": tonnes(spec.embodied)]))
                lines.append(s.fill("tooltips.stores", ["mwh": NumberText.grouped(spec.energyKWh / 1000)]))
            case .zone(let kind):
                let spec = catalog.zone(kind)
                lines.append(s.fill("tooltips.upkeep", ["money": s.money(spec.maintenance)]))
                lines.append(s.fill("tooltips.construction", ["tonnes": tonnes(0)]))
                lines.append(s.fill("tooltips.removes", ["tonnes": tonnes(spec.maxRemoval * spec.areaHa)]))
            case .road, .rail:
                lines.append(s["tooltips.no_upkeep"])
                lines.append(s.fill("tooltips.construction", ["tonnes": tonnes(City.constructionTonnes(structure, on: .land, catalog: catalog))]))
                // Road and rail cross water as bridges, at a bridge's cost and carbon.
                lines.append(s.fill("tooltips.bridge", ["money": s.money(City.cost(of: structure, on: .water, catalog: catalog)),
                                                        "tonnes": tonnes(City.constructionTonnes(structure, on: .water, catalog: catalog))]))
                lines.append(s["tooltips.traffic"])
            case .metroTunnel:
                lines.append(s["tooltips.no_upkeep"])
                lines.append(s.fill("tooltips.construction", ["tonnes": tonnes(City.constructionTonnes(structure, on: .land, catalog: catalog))]))
                lines.append(s["tooltips.tunnel"])
            case .busStop, .metroStation, .bikeLane:
                lines.append(s["tooltips.no_upkeep"])
                lines.append(s.fill("tooltips.construction", ["tonnes": tonnes(0)]))
                lines.append(s["tooltips.traffic"])
            }
        }
        lines.append(s["tooltips.keys_tools"])
        return lines
    }

    /// The tooltip of what the cursor is over: a tool, an overlay button or a panel button.
    static func tooltip(session: GameSession) -> [String]? {
        let s = session.strings, (x, y) = session.mouse
        guard !session.menuOpen, !session.leftDown, !session.briefing.isOpen, !session.lessonEnd.isOpen, !session.namePrompt.isOpen else { return nil }
        if Float(x) < toolbarWidth, Float(y) >= topBar + 4 {
            let index = Int((Float(y) - topBar - 4) / session.toolRowHeight)
            if index < session.tools.count { return toolTooltip(session.tools[index], strings: s, catalog: session.catalog) }
        }
        if let rect = session.demandRect, rect.contains(x, y) {
            return [s["demand.title"]] + demand(session.view, strings: s).map { s.fill("demand.line", ["name": s["demand." + $0.key], "detail": $0.detail]) }
                + [s["demand.explain"]]
        }
        if let overlay = overlayAt(x: x, y: y, session: session) {
            return [s["overlay." + overlay.rawValue], s["overlay_help." + overlay.rawValue], s["tooltips.key_overlay"]]
        }
        for panel in CarbonPanel.allCases {
            if let rect = session.panels.controls["panel." + panel.rawValue], rect.contains(x, y) {
                return [s[panel.titleKey], s["panels_help." + panel.rawValue], s.fill("tooltips.key", ["key": String(panel.shortcut).uppercased()])]
            }
        }
        return nil
    }

    static func drawTooltip(_ canvas: Canvas2D, session: GameSession) {
        guard let lines = tooltip(session: session) else { session.tooltipLines = []; return }
        session.tooltipLines = lines
        let width: Float = 330
        var rows: [(String, Int, Vec4)] = []
        for (i, line) in lines.enumerated() {
            for row in LessonEndScreen.wrap(line, width: width - 16, size: i == 0 ? 14 : 12, canvas: canvas) {
                rows.append((row, i == 0 ? 14 : 12, i == 0 ? accent : i == lines.count - 1 ? dim : text))
            }
        }
        let height = rows.reduce(Float(10)) { $0 + Float($1.1) + 5 }
        let size = canvas.size
        // Beside the toolbar for a tool (the list stays readable), else by the cursor.
        let overToolbar = Float(session.mouse.x) < toolbarWidth
        let x = overToolbar ? toolbarWidth + 6 : min(Float(session.mouse.x) + 16, Float(size.width) - width - 4)
        // Below the cursor in the upper half, above it in the lower half (the buttons along the bottom stay visible).
        let below = Float(session.mouse.y) < Float(size.height) / 2
        let y = max(topBar, min(below ? Float(session.mouse.y) + 12 : Float(session.mouse.y) - height - 8, Float(size.height) - height - 4))
        canvas.fillRect(x: x, y: y, width: width, height: height, color: Vec4(0.04, 0.05, 0.08, 0.97))
        canvas.strokeRect(x: x, y: y, width: width, height: height, color: Vec4(0.4, 0.44, 0.55, 1))
        var rowY = y + 5
        for (row, rowSize, color) in rows {
            label(canvas, session: session, row, x: x + 8, y: rowY, width: width - 16, size: rowSize, color: color)
            rowY += Float(rowSize) + 5
        }
    }

    // MARK: - What the city needs

    /// The demand bars (SimCity's RCI as the anchor), each −1 … 1 (up: the city needs more; down:
    /// it has to spare), from the model's own figures: homes, the migration rate over its cap
    /// (`Economy.migrationPull`, what moves people in or out); jobs, residents out of work
    /// beyond those not of working age less the vacant jobs (shares of the population); power,
    /// the share of yesterday's demand not served; transit, the mean commute against the 30
    /// minutes at which the model's happiness halves its commute score.
    public static func demand(_ view: CityView, strings s: Strings) -> [(key: String, value: Double, detail: String)] {
        let stats = view.stats, catalog = view.catalog
        let pull = Economy.migrationPull(stats, catalog: catalog)
        func percent(_ x: Double) -> String { NumberText.grouped(x * 100, decimals: abs(x) < 0.1 && x != 0 ? 1 : 0) }
        let growthCap = catalog.economy.growthRateMax
        let minutes = stats.meanCommuteMinutes
        return [
            ("homes", pull.rate / growthCap,
             s.fill("demand.homes_detail", ["rate": percent(pull.rate), "max": percent(growthCap), "happiness": percent(stats.happiness)])),
            ("jobs", min(1, max(-1, max(0, pull.unemployment) - pull.vacancy)),
             s.fill("demand.jobs_detail", ["unemployment": percent(max(0, pull.unemployment)), "vacancy": percent(pull.vacancy)])),
            ("power", min(1, max(0, 1 - stats.reliability)), s.fill("demand.power_detail", ["unserved": percent(max(0, 1 - stats.reliability))])),
            ("transit", minutes / (30 + minutes), s.fill("demand.transit_detail", ["minutes": NumberText.grouped(minutes)])),
        ]
    }

    static let demandWidth: Float = 4 * 24

    static func drawDemand(_ canvas: Canvas2D, session: GameSession, x: Float) {
        let bars = demand(session.view, strings: session.strings)
        session.demandRect = PanelRect(x: x, y: 2, width: demandWidth, height: topBar - 4)
        for (i, bar) in bars.enumerated() {
            let bx = x + Float(i) * 24
            _ = canvas.drawText(session.strings["demand." + bar.key + "_short"], x: bx, y: 13, size: 11, color: dim)
            let barX = bx + 12, half: Float = 15, centre: Float = 20
            canvas.fillRect(x: barX, y: centre - half, width: 7, height: 2 * half, color: Vec4(0.2, 0.22, 0.28, 1))
            let h = Float(min(1, max(-1, bar.value))) * half
            canvas.fillRect(x: barX, y: h >= 0 ? centre - h : centre, width: 7, height: abs(h),
                            color: h >= 0 ? Vec4(0.55, 0.95, 0.55, 1) : Vec4(0.55, 0.7, 1, 1))
            canvas.fillRect(x: barX - 1, y: centre, width: 9, height: 1, color: dim)
            canvas.strokeRect(x: barX - 1, y: centre - half - 1, width: 9, height: 2 * half + 2, color: Vec4(0.45, 0.48, 0.55, 1))
        }
    }

    static func drawTopBar(_ canvas: Canvas2D, session: GameSession, width: Float) {
        let s = session.strings, view = session.view
        canvas.fillRect(x: 0, y: 0, width: width, height: topBar, color: panel)
        let ledger = view.ledger
        let net = topBarNet(session.city)
        // Trend: this year's pace (net so far scaled to a full year) against last year.
        let yearFraction = max(1.0 / 365, Double(view.clock.dayOfYear + 1) / Double(view.clock.daysInYear))
        var arrow = "→"
        if let last = ledger.years.last { arrow = net / yearFraction > last.net * 1.01 ? "↑" : net / yearFraction < last.net * 0.99 ? "↓" : "→" }
        let items: [(text: String, color: Vec4)] = [
            ("\(s["hud.date"]) \(view.clock.date.description)", text),
            ("\(s["hud.speed"]) \(speedText(session))", text),
            ("\(s["hud.budget"]) \(s.money(view.budget.balance))", view.budget.balance < 0 ? Vec4(1, 0.4, 0.4, 1) : text),
            ("\(s["hud.population"]) \(view.stats.population)", text),
            ("\(s["hud.net_co2"]) \(NumberText.grouped(net.rounded())) \(s["units.tonnes"]) \(arrow)", net > 0 ? Vec4(1, 0.72, 0.5, 1) : Vec4(0.6, 1, 0.6, 1)),
        ]
        session.topBarText = items.map(\.text)
        // At 15 px with a 180 px grid-mix bar where they fit, else smaller (a narrow window).
        let gridLabelWidth = Float(canvas.measureText(s["hud.grid_mix"], size: 13).width) + 8
        var layout: (size: Int, gap: Float, bar: Float) = (15, 22, 180)
        for candidate in [(15, 22, 180), (14, 16, 140), (13, 12, 100), (12, 10, 80), (11, 8, 60)] as [(Int, Float, Float)] {
            layout = candidate
            let used = items.reduce(Float(10)) { $0 + Float(canvas.measureText($1.text, size: candidate.0).width) + candidate.1 }
            if used + demandWidth + 12 + gridLabelWidth + candidate.2 + 10 <= width { break }
        }
        var x: Float = 10
        for item in items {
            let used = canvas.drawText(item.text, x: x, y: 20 - Float(layout.size) / 2 - 1, size: layout.size, color: item.color)
            x += Float(used.width) + layout.gap
        }
        // Grid mix: output of each plant kind in the last hour.
        var byKind = [Double](repeating: 0, count: PlantKind.allCases.count)
        view.forEachPlant { _, plant, _ in byKind[Int(plant.kind.rawValue)] += plant.outputKW }
        let total = byKind.reduce(0, +)
        let barWidth = layout.bar
        let barX = max(x + demandWidth + 12 + gridLabelWidth, width - barWidth - 10)
        drawDemand(canvas, session: session, x: barX - gridLabelWidth - demandWidth - 12)
        _ = canvas.drawText(s["hud.grid_mix"], x: barX - gridLabelWidth, y: 11, size: 13, color: dim)
        var offset: Float = 0
        for kind in PlantKind.allCases where total > 0 {
            let w = Float(byKind[Int(kind.rawValue)] / total) * barWidth
            canvas.fillRect(x: barX + offset, y: 12, width: w, height: 16, color: Palette.plant(kind) + Vec4(0.15, 0.15, 0.15, 0))
            offset += w
        }
        if total <= 0 {
            // Before the first hour is dispatched (or in a blackout) say so rather than draw an empty bar.
            let full = s["hud.grid_mix_none"]
            let fits = { (text: String) in Float(canvas.measureText(text, size: 11).width) <= barWidth - 8 }
            if let text = [full, s["hud.grid_mix_none_short"]].first(where: fits) {
                _ = canvas.drawText(text, x: barX + 6, y: 13, size: 11, color: dim)
            }
        }
        canvas.strokeRect(x: barX, y: 12, width: barWidth, height: 16, color: dim)
        if barX + barWidth > width - 4 { session.overflowingText.append("top bar (\(Int(barX + barWidth)) px in \(Int(width)) px)") }
    }

    /// This year's net tCO2 as the top bar shows it: the closed hours, what was booked since the
    /// last tick (a paused game's demolished green zone releases its stock at once), and forest
    /// land built on since the day's count, which the model books at the next count
    /// (`Sinks.forestLand`): so the figure follows a paused command without the game ticking.
    public static func topBarNet(_ city: City) -> Double {
        let view = city.view
        var counted: Int?
        city.world.query(Read<ForestLand>.self).forEach { counted = Int($0.standingTiles) }
        let land = view.catalog.forestLand
        let lost = counted.map { max(0, $0 - ForestLand.standingTiles(view.map)) } ?? 0
        let clearing = Double(lost) * land.stock * land.areaHa * land.releaseOnClearing
        return view.ledger.thisYear.net + view.ledger.tick.cityNet + clearing
    }

    /// "▶▶ ×4 · 1.5 min/yr", "▶▶▶▶ max", or "Paused (▶ ×1)": the speed, and what a game year
    /// takes in real time at it.
    public static func speedText(_ session: GameSession) -> String {
        let s = session.strings
        let speed = max(1, min(GameSpeed.top, session.speed))
        let arrows = String(repeating: "▶", count: speed)
        var text: String
        if let minutes = GameSpeed.minutesPerYear(speed: speed, yearMinutes: GameSpeed.yearMinutes(session.level)) {
            let multiplier = GameSpeed.multipliers[speed - 1]
            let time = minutes >= 1 ? s.fill("hud.minutes_per_year", ["n": String(format: "%.1f", minutes)])
                : s.fill("hud.seconds_per_year", ["n": String(format: "%.0f", minutes * 60)])
            text = "\(arrows) ×\(Int(multiplier)) · \(time)"
        } else {
            text = "\(arrows) \(s["hud.speed_max"])"
        }
        return session.paused ? "\(s["hud.paused"]) (\(text))" : text
    }

    static func drawToolbar(_ canvas: Canvas2D, session: GameSession) {
        let s = session.strings
        let toolHeight = toolHeight(count: session.tools.count, height: Float(canvas.size.height))
        session.toolRowHeight = toolHeight
        let size = toolHeight >= 17 ? 13 : toolHeight >= 15 ? 12 : 11
        canvas.fillRect(x: 0, y: topBar, width: toolbarWidth, height: Float(session.tools.count) * toolHeight + 8, color: panel)
        for (i, tool) in session.tools.enumerated() {
            let y = topBar + 4 + Float(i) * toolHeight
            if i == session.toolIndex { canvas.fillRect(x: 2, y: y, width: toolbarWidth - 4, height: toolHeight, color: Vec4(0.3, 0.35, 0.5, 1)) }
            label(canvas, session: session, s["tools." + tool], x: 10, y: y + (toolHeight - Float(size)) / 2 - 1, width: toolbarWidth - 14, size: size,
                  color: i == session.toolIndex ? accent : text)
        }
    }

    static func drawInspector(_ canvas: Canvas2D, session: GameSession, tile: (x: Int, y: Int), width: Float) {
        let s = session.strings, view = session.view
        let x = width - panelWidth, textWidth = panelWidth - 20
        // Rows first (each line wrapped to the panel), then the panel as tall as they are.
        var rows: [(text: String, size: Int, color: Vec4)] = []
        func line(_ text: String, size: Int = 13, color: Vec4 = HUD.text) {
            // An indented line keeps its indent on every row it wraps to.
            let indent = String(text.prefix { $0 == " " })
            let indentWidth = Float(canvas.measureText(indent, size: size).width)
            for row in LessonEndScreen.wrap(String(text.dropFirst(indent.count)), width: textWidth - indentWidth, size: size, canvas: canvas) {
                rows.append((indent + row, size, color))
            }
        }
        let map = view.map
        let i = map.index(tile.x, tile.y)
        // What stands on the tile names the panel; its coordinates come second, small.
        let entity = map.occupant[i]
        let breakdown = map.structure[i] == .entity ? view.breakdown(entity) : nil
        var title: String
        var details: [String] = []
        if let building = view.building(entity), breakdown != nil {
            title = s["tools." + building.kind.key]
            details.append(s.fill("inspector.density", ["percent": String(format: "%.0f", building.density * 100)]))
            details.append("\(s["inspector.residents"]): \(building.residents)   \(s["inspector.workers"]): \(building.workers)")
            details.append(String(format: "%@: %.0f%%", s["inspector.served"], view.grid.servedShare(island: Int(building.island)) * 100))
        } else if let plant = view.plant(entity), breakdown != nil {
            title = s["tools." + plant.kind.key + "_plant"] + String(format: "  %.1f MW", plant.outputKW / 1000)
        } else if let zone = view.zone(entity), breakdown != nil {
            title = s["tools." + zone.kind.key]
            details.append(s.fill("inspector.stored", ["tonnes": String(format: "%.1f", zone.stock)]))
        } else if let storage = view.storage(entity), breakdown != nil {
            title = s["tools." + storage.kind.key]
            details.append(s.fill("inspector.energy_stored", ["mwh": String(format: "%.1f", storage.stateKWh / 1000)]))
        } else if map.structure[i] == .none || map.structure[i] == .entity {
            title = map.terrain[i] == .land ? s["inspector.empty"] : s["editor.item_" + (map.terrain[i] == .forest ? "forest_terrain" : map.terrain[i].name)]
        } else {
            title = s["tools." + structureKey(map.structure[i])]
        }
        line(title, size: 15, color: accent)
        line(s.fill("inspector.tile", ["x": String(tile.x), "y": String(tile.y)]), size: 11, color: dim)
        for detail in details { line(detail) }
        if let breakdown {
            let emitted = breakdown.thisYear.filter { $0.scope != .electricity }.reduce(0) { $0 + max(0, $1.tonnes) }
            let removed = breakdown.thisYear.reduce(0) { $0 + max(0, -$1.tonnes) }
            if breakdown.thisYear.isEmpty {
                // Early in a year "0.0 t" reads as "emits nothing": say the year's books are still empty.
                line(s["inspector.nothing_yet"], color: dim)
            } else {
                line(String(format: "%@: %.1f t   %@: %.1f t", s["inspector.emissions"], emitted, s["inspector.removals"], removed))
            }
            if breakdown.lifetimeTonnes != 0 {
                line(s.fill("inspector.lifetime", ["tonnes": String(format: "%.1f", breakdown.lifetimeTonnes)]), size: 12, color: dim)
            }
            for flow in breakdown.thisYear.prefix(6) {
                line(String(format: "%.2f t = %.3g %@ × %.4g %@", flow.tonnes, flow.quantity, flow.quantityUnit, flow.factorValue, flow.factorUnit), size: 12)
                let (path, source) = flow.isDispatchedGridFactor
                    ? (s["inspector.grid_factor"], s["inspector.grid_factor_source"]) : (flow.factorPath, flow.source)
                line("  \(s["inspector.factor"]): \(path)", size: 11, color: dim)
                line("  \(s["inspector.source"]): \(source)", size: 11, color: dim)
            }
        }
        // Down to the objectives panel (or the bottom rows), never over it; what does not fit is cut.
        let limit = (session.objectivesRect?.y ?? Float(canvas.size.height) - 90) - 6
        var height: Float = 12
        var shown = 0
        for row in rows {
            guard topBar + height + Float(row.size) + 6 <= limit else { break }
            height += Float(row.size) + 6
            shown += 1
        }
        let rect = PanelRect(x: x, y: topBar, width: panelWidth, height: height)
        session.inspectorRect = rect
        session.inspectorRows = rows.prefix(shown).map(\.text)
        canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: panel)
        var y = topBar + 6
        for row in rows.prefix(shown) {
            _ = canvas.drawText(row.text, x: x + 10, y: y, size: row.size, color: row.color)
            y += Float(row.size) + 6
        }
    }

    static func structureKey(_ structure: TileStructure) -> String {
        switch structure {
        case .road: return "road"
        case .rail: return "rail"
        case .busStop: return "bus_stop"
        case .metroStation: return "metro_station"
        default: return "select"
        }
    }

    /// Each objective with what every view of it shows: its title with ✓ × … (and the optional
    /// mark), ≥ or ≤, its status and its value now.
    static func objectiveRows(_ session: GameSession) -> [(objective: Objective, title: String, symbol: String, status: ObjectiveStatus, value: Double)] {
        guard let rules = session.view.rules else { return [] }
        let s = session.strings
        let values = session.view.objectiveValues()
        return rules.objectives.enumerated().map { i, o in
            let status = rules.statuses[i]
            let mark = status == .met ? "✓" : status == .failed ? "×" : "…"
            return (o, "\(mark) \(s.name(o.title))" + (o.required ? "" : s.optionalMark), o.comparison == .atLeast ? "≥" : "≤", status, values[i])
        }
    }

    /// Each objective as the panel shows it: its title (with ✓ × …), then the value now with its
    /// unit, its projection to the deadline and the target (a share as a percentage, money in the
    /// player's units, as the top bar shows them).
    public static func objectiveLines(session: GameSession) -> [(title: String, progress: String, status: ObjectiveStatus)] {
        let s = session.strings
        return objectiveRows(session).enumerated().map { i, row in
            func shown(_ value: Double) -> String { valueText(value, metric: row.objective.metric, strings: s) }
            // A pending objective also shows where it is heading by its deadline (ObjectiveProjection.swift).
            let projection = row.status == .pending ? ObjectiveProjection.projected(i, session: session) : nil
            let key = row.status != .pending ? "hud.objective_final" : projection == nil ? "hud.objective_now" : "hud.objective_projected"
            var progress = s.fill(key, [
                "value": shown(row.value), "target": row.symbol + " " + shown(row.objective.target), "projection": projection.map(shown) ?? "",
                "year": String(row.objective.deadlineYear), "status": s.status(row.status.rawValue)])
            if let projection {
                progress += " " + s[row.objective.comparison.holds(projection, row.objective.target) ? "hud.on_track" : "hud.off_track"]
            }
            return (row.title, progress, row.status)
        }
    }

    /// A metric's value as the HUD shows it: money as the top bar shows it, every other metric in
    /// its unit (a share as a percentage), as the report writes it.
    public static func valueText(_ value: Double, metric: Metric, strings s: Strings) -> String {
        if metric.unit == "yuan" { return s.money(value) }
        return ReportCharts.metricValue(value, metric: metric.rawValue, strings: s)
    }

    static func drawObjectives(_ canvas: Canvas2D, session: GameSession, width: Float, height: Float) {
        guard let rules = session.view.rules, !rules.objectives.isEmpty else { session.objectivesRect = nil; return }
        let s = session.strings
        let x = width - panelWidth, textWidth = panelWidth - 20
        var rows: [(text: String, size: Int, color: Vec4, indent: Float)] = [(s["hud.objectives"], 14, accent, 0)]
        for objective in objectiveLines(session: session) {
            let color = objective.status == .met ? Vec4(0.55, 0.95, 0.55, 1) : objective.status == .failed ? Vec4(1, 0.5, 0.45, 1) : text
            for row in LessonEndScreen.wrap(objective.title, width: textWidth, size: 12, canvas: canvas) { rows.append((row, 12, color, 0)) }
            for row in LessonEndScreen.wrap(objective.progress, width: textWidth - 12, size: 11, canvas: canvas) { rows.append((row, 11, dim, 12)) }
        }
        let panelHeight = rows.reduce(Float(8)) { $0 + Float($1.size) + 5 }
        // Above the messages and buttons at the bottom.
        let top = max(topBar + 120, min(height * 0.56, height - 96 - panelHeight))
        session.objectivesRect = PanelRect(x: x, y: top, width: panelWidth, height: panelHeight)
        canvas.fillRect(x: x, y: top, width: panelWidth, height: panelHeight, color: panel)
        var y = top + 4
        for row in rows {
            _ = canvas.drawText(row.text, x: x + 10 + row.indent, y: y, size: row.size, color: row.color)
            y += Float(row.size) + 5
        }
    }

    /// The lines of the messages feed: the level's last messages and the notices (refused commands among them).
    public static func messageLines(session: GameSession, now: Double) -> [String] {
        session.noticeRefusals(now: now)  // a panel's button may have applied a command while this frame was drawn
        var lines: [String] = []
        if let rules = session.view.rules { lines += rules.messages.suffix(3).map { session.strings.name($0.text) } }
        lines += session.notices.filter { $0.until > now }.map(\.text)
        return Array(lines.suffix(5))
    }

    static func drawMessages(_ canvas: Canvas2D, session: GameSession, height: Float, now: Double) {
        // Advisor cards are paragraphs: each message wraps to the feed's width, newest rows kept.
        // Clear of the inspector and objectives panels down the right edge, which the feed would cover.
        let maxWidth = max(200, min(760, Float(canvas.size.width) - toolbarWidth - panelWidth - 40))
        let lines = messageLines(session: session, now: now)
        if session.wrappedMessages.count > 64 { session.wrappedMessages.removeAll() }
        let rows = Array(lines.flatMap { line in
            let key = "\(Int(maxWidth))|" + line
            if let rows = session.wrappedMessages[key] { return rows }
            let rows = wrap(line, width: maxWidth, canvas: canvas)
            session.wrappedMessages[key] = rows
            return rows
        }.suffix(9))
        // Above the row of panel buttons, which sits above the overlay buttons.
        for (i, row) in rows.enumerated() {
            let y = height - 60 - Float(rows.count - i) * 20
            canvas.fillRect(x: toolbarWidth + 8, y: y - 2, width: Float(canvas.measureText(row, size: 13).width) + 16, height: 20, color: panel)
            _ = canvas.drawText(row, x: toolbarWidth + 16, y: y, size: 13, color: text)
        }
    }

    /// Splits `line` into rows no wider than `width` at size 13: at a space near the row's end,
    /// else between characters (Chinese has no spaces).
    public static func wrap(_ line: String, width: Float, canvas: Canvas2D) -> [String] {
        var rows: [String] = []
        var current = ""
        var lastSpace: String.Index?
        for character in line {
            current.append(character)
            if character == " " { lastSpace = current.index(before: current.endIndex) }
            guard Float(canvas.measureText(current, size: 13).width) > width, current.count > 1 else { continue }
            // Break at the last space only if it is near the end (English); else between characters.
            if let space = lastSpace, current.distance(from: space, to: current.endIndex) < 24 {
                rows.append(String(current[..<space]))
                current = String(current[current.index(after: space)...])
            } else {
                rows.append(String(current.dropLast()))
                current = String(character)
            }
            lastSpace = nil
        }
        if !current.isEmpty { rows.append(current) }
        return rows
    }

    /// The overlay's legend: its title with the unit, and the values at the scale's stops (the
    /// net balance's sinks and sources, air quality's good and bad around the national limit).
    public static func legend(_ field: OverlayField, strings s: Strings) -> (title: String, stops: [(position: Double, label: String)]) {
        func number(_ value: Double) -> String { NumberText.grouped(value, decimals: abs(value) < 10 && value != 0 ? 1 : 0) }
        let title = s.fill("legend.title", ["overlay": s["overlay." + field.overlay.rawValue], "unit": s["legend.unit_" + field.overlay.rawValue]])
        switch field.overlay {
        case .net:
            let sink = field.legendValue(0), source = field.legendValue(1)
            return (title, [(0, number(sink) + " " + s["legend.sink"]), (0.5, "0"), (1, "+" + number(source) + " " + s["legend.source"])])
        case .air:
            return (title, [(0, s["legend.good"]), (0.5, s.fill("legend.standard", ["value": number(field.interim)])), (1, s["legend.bad"])])
        case .power:
            return (title, [(0, "0%"), (0.5, "50%"), (1, "100%")])
        default:
            return (title, [(0, "0"), (0.5, number(field.legendValue(0.5))), (1, number(field.legendValue(1)))])
        }
    }

    static func drawLegend(_ canvas: Canvas2D, session: GameSession, width: Float, height: Float) {
        guard let field = session.overlayField, field.overlay == session.overlay else { return }
        let s = session.strings
        let (title, stops) = legend(field, strings: s)
        let boxWidth: Float = 330, boxHeight: Float = 42
        let x = width - boxWidth, y = height - 98
        canvas.fillRect(x: x, y: y, width: boxWidth, height: boxHeight, color: panel)
        session.legendText = [title] + stops.map(\.label)
        label(canvas, session: session, title, x: x + 8, y: y + 3, width: boxWidth - 16, size: 12)
        let barX = x + 8, barWidth = boxWidth - 16
        for i in 0..<40 {
            canvas.fillRect(x: barX + Float(i) * barWidth / 40, y: y + 19, width: barWidth / 40 + 0.5, height: 7, color: field.legendColor(Double(i) / 39))
        }
        for stop in stops {
            let w = Float(canvas.measureText(stop.label, size: 10).width)
            let lx = min(max(barX, barX + Float(stop.position) * barWidth - w / 2), barX + barWidth - w)
            _ = canvas.drawText(stop.label, x: lx, y: y + 28, size: 10, color: dim)
        }
        if field.overlay == .power {
            // The markers over structures without a road or without power.
            canvas.fillRect(x: x, y: y - 19, width: boxWidth, height: 17, color: panel)
            var kx = x + 8
            for (color, key) in [(Palette.markerNoPower, "legend.no_power"), (Palette.markerNoRoad, "legend.no_road")] {
                canvas.fillRect(x: kx, y: y - 14, width: 9, height: 9, color: color)
                kx += 13 + Float(canvas.drawText(s[key], x: kx + 13, y: y - 17, size: 11, color: text).width) + 10
            }
        }
    }

    /// The report's emissions by sector and its removals and net (with the 2030 peak and 2060
    /// neutrality markers), side by side: the same charts as the educator's report.
    static func drawCharts(_ canvas: Canvas2D, session: GameSession, width: Float, height: Float) {
        let x0 = toolbarWidth + 20, y0 = topBar + 20, w = width - toolbarWidth - panelWidth - 40, h = height * 0.5
        canvas.fillRect(x: x0, y: y0, width: w, height: h, color: panel)
        let cell = (width: Int((w - 30) / 2), height: Int(h - 20))
        let textures = session.charts.textures(session, charts: [(.emissionsBySector, cell.width, cell.height),
                                                                 (.removalsAndNet, cell.width, cell.height)], font: canvas.font)
        for (i, texture) in textures.enumerated() {
            canvas.drawImage(texture, x: x0 + 10 + Float(i) * (Float(cell.width) + 10), y: y0 + 10,
                             width: Float(cell.width), height: Float(cell.height))
        }
    }

    /// The keys listed under the menu's items.
    static let menuKeys = ["menu.keys_panels", "menu.keys_panels2", "menu.keys_view", "menu.keys_files"]

    /// The menu's frame, and each item's row (drawn there, and clicked there).
    public static func menuLayout(size: (width: Int, height: Int)) -> (frame: PanelRect, items: [PanelRect]) {
        let w: Float = 420, h = Float(menuItems.count) * 34 + 50 + 24 + Float(menuKeys.count) * 17
        let x = Float(size.width) / 2 - w / 2, y = Float(size.height) / 2 - h / 2
        let items = menuItems.indices.map { PanelRect(x: x + 10, y: y + 42 + Float($0) * 34, width: w - 20, height: 30) }
        return (PanelRect(x: x, y: y, width: w, height: h), items)
    }

    static func drawMenu(_ canvas: Canvas2D, session: GameSession, width: Float, height: Float) {
        let s = session.strings
        let (frame, items) = menuLayout(size: (Int(width), Int(height)))
        let x = frame.x, y = frame.y, w = frame.width
        canvas.fillRect(x: x, y: y, width: w, height: frame.height, color: Vec4(0.05, 0.06, 0.09, 0.95))
        canvas.pushTextBox(x: x, y: y, width: w, height: frame.height)
        defer { canvas.popTextBox() }
        _ = canvas.drawText(s["menu.title"], x: x + 20, y: y + 12, size: 18, color: accent)
        for (i, item) in menuItems.enumerated() {
            let row = items[i]
            if i == session.menuIndex { canvas.fillRect(x: row.x, y: row.y, width: row.width, height: row.height, color: Vec4(0.3, 0.35, 0.5, 1)) }
            let text = item == "menu.language" ? "\(s[item]): \(session.strings.language == .zh ? "中文" : "English")" : s[item]
            label(canvas, session: session, text, x: row.x + 14, y: row.y + 4, width: row.width - 20, size: 16)
        }
        let keysY = y + 46 + Float(menuItems.count) * 34
        _ = canvas.drawText(s["menu.keys"], x: x + 20, y: keysY, size: 13, color: accent)
        for (i, key) in menuKeys.enumerated() {
            label(canvas, session: session, s[key], x: x + 24, y: keysY + 20 + Float(i) * 17, width: w - 30, size: 12, color: dim)
        }
    }
}

extension Vec4 {
    static func + (a: Vec4, b: Vec4) -> Vec4 { Vec4(min(1, a.x + b.x), min(1, a.y + b.y), min(1, a.z + b.z), min(1, a.w + b.w)) }
}
