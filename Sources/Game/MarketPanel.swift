// MarketPanel.swift — the carbon market (K): the price and volume of every period on a chart
// with the floor and ceiling, the chosen period's figures, the covered firms and their
// compliance, and the period's trades. ◀ ▶ choose the period.
import CitySim
import Locale
import Render

enum MarketPanel {
    /// The settled periods, then the one under way.
    static func periods(_ market: CarbonMarket) -> [MarketPeriod] {
        market.periods + (market.current.map { [$0] } ?? [])
    }

    static func price(_ value: Double) -> String { Fixed.format(value, 2) }

    static func draw(_ ui: PanelUI, in c: PanelRect) {
        let session = ui.session, s = ui.s, view = session.view, canvas = ui.canvas
        let market = view.carbonMarket, registry = view.registry, policies = view.policies
        ui.heading(s["market.title"], x: c.x, y: c.y, width: c.width - 250)
        let all = periods(market)
        var y = c.y + 22
        if all.isEmpty {
            ui.text(policies.capAndTrade > 0 ? s["market.waiting"] : s["market.off"], x: c.x, y: y, size: 13, width: c.width)
            y += 22
        }
        // The period chosen with ◀ ▶ (the latest by default).
        let arrows = (previous: PanelRect(x: c.x + c.width - 240, y: c.y - 1, width: 24, height: 20),
                      next: PanelRect(x: c.x + c.width - 26, y: c.y - 1, width: 24, height: 20))
        if ui.button(arrows.previous, s["panels.previous"], id: "market.previous") { session.panels.periodBack += 1 }
        if ui.button(arrows.next, s["panels.next"], id: "market.next") { session.panels.periodBack = max(0, session.panels.periodBack - 1) }
        session.panels.periodBack = min(session.panels.periodBack, max(0, all.count - 1))
        let chosenIndex = all.count - 1 - session.panels.periodBack
        let chosen = all.indices.contains(chosenIndex) ? all[chosenIndex] : nil
        let isOpen = chosen != nil && chosenIndex == all.count - 1 && market.current != nil
        if let chosen {
            let label = s.fill("market.period", ["year": "\(chosen.year)"]) + " (" + s[isOpen ? "market.open" : "market.settled"] + ")"
            ui.text(label, x: arrows.previous.x + 30, y: c.y + 1, size: 13, color: HUD.text, width: arrows.next.x - arrows.previous.x - 36)
        }

        // The price chart (points joined by steps) over the volume bars, with the floor and ceiling.
        let chartWidth = min(420, c.width * 0.48), chartHeight: Float = c.height > 520 ? 140 : 110
        let chartX = c.x + 34, chartTop = y + 18
        ui.text(s["market.price_chart"], x: c.x, y: y, size: 12, color: HUD.dim, width: chartWidth + 30)
        canvas.fillRect(x: chartX, y: chartTop, width: chartWidth, height: chartHeight, color: Vec4(1, 1, 1, 0.05))
        let floor = policies.priceFloor, ceiling = policies.priceCeiling
        let maxPrice = max(1, all.map(\.price).max() ?? 0, floor, ceiling) * 1.15
        let maxVolume = Double(max(1, all.map(\.volume).max() ?? 0))
        let slots = max(all.count, 8)
        let slot = chartWidth / Float(slots)
        let bottom = chartTop + chartHeight
        func priceY(_ p: Double) -> Float { bottom - Float(p / maxPrice) * chartHeight }
        var previousY: Float?
        for (i, period) in all.enumerated() {
            let x = chartX + Float(i) * slot
            let barHeight = Float(Double(period.volume) / maxVolume) * chartHeight * 0.45
            canvas.fillRect(x: x + slot * 0.2, y: bottom - barHeight, width: max(2, slot * 0.6), height: barHeight, color: Vec4(0.4, 0.55, 0.8, 0.8))
            let py = priceY(period.price)
            canvas.fillRect(x: x, y: py - 1, width: slot, height: 3, color: HUD.accent)
            if let previousY { canvas.fillRect(x: x - 1, y: min(previousY, py) - 1, width: 3, height: abs(previousY - py) + 3, color: HUD.accent) }
            previousY = py
            if i == chosenIndex { canvas.strokeRect(x: x, y: chartTop, width: slot, height: chartHeight, color: Vec4(1, 1, 1, 0.5)) }
            if i == 0 || i == all.count - 1 || i == chosenIndex {
                ui.text("\(period.year)", x: x, y: bottom + 2, size: 10, color: HUD.dim)
            }
        }
        for (value, key, color) in [(floor, "market.floor", CarbonPanels.good), (ceiling, "market.ceiling", CarbonPanels.bad)] where value > 0 {
            let ly = priceY(value)
            canvas.fillRect(x: chartX, y: ly, width: chartWidth, height: 1, color: color)
            ui.right("\(s[key]) \(price(value))", right: chartX + chartWidth - 2, y: ly - 13, size: 10, color: color)
        }
        ui.right(Fixed.format(maxPrice, 0), right: chartX - 3, y: chartTop - 2, size: 10, color: HUD.dim)
        ui.right("0", right: chartX - 3, y: bottom - 10, size: 10, color: HUD.dim)
        canvas.fillRect(x: c.x, y: bottom + 18, width: 10, height: 8, color: Vec4(0.4, 0.55, 0.8, 0.8))
        ui.text(s["market.volume"] + (chosen.map { ": " + NumberText.grouped($0.volume) } ?? ""), x: c.x + 14, y: bottom + 15, size: 11, color: HUD.dim,
                 width: chartWidth)

        // The chosen period's figures, in two columns right of the chart.
        let figuresX = chartX + chartWidth + 20
        let columnWidth = (c.x + c.width - figuresX - 12) / 2
        if let p = chosen {
            var left: [(String, String)] = [
                (s["market.price"], "\(price(p.price)) \(s["units.yuan_per_t"])"),
                (s["market.cap"], NumberText.grouped(p.cap)),
                (s["market.free_allocation"], NumberText.grouped(p.freeAllocation)),
                (s["market.auctioned"], NumberText.grouped(p.auctioned)),
                (s["market.reserve_sold"], NumberText.grouped(p.reserveSold)),
                (s["market.auction_revenue"], s.money(p.auctionRevenue)),
            ]
            var right: [(String, String)] = []
            if p.settled {
                right = [
                    (s["market.verified_total"], NumberText.grouped(p.verified) + " " + s["units.tonnes"]),
                    (s["market.surrendered"], NumberText.grouped(p.surrendered)),
                    (s["market.offsets_surrendered"], NumberText.grouped(p.offsetsSurrendered)),
                    (s["market.lapsed"], NumberText.grouped(p.lapsed)),
                    (s["market.fines"], s.money(p.fines)),
                    (s["market.compliance"], "\(p.compliant) / \(p.firms)"),
                ]
            } else {
                left.append((s["market.firms"], "\(p.firms)"))
            }
            for (i, item) in left.enumerated() {
                ui.pair(item.0, item.1, x: figuresX, y: chartTop + Float(i) * 17, width: columnWidth, size: 12)
            }
            for (i, item) in right.enumerated() {
                ui.pair(item.0, item.1, x: figuresX + columnWidth + 12, y: chartTop + Float(i) * 17, width: columnWidth, size: 12)
            }
        }

        // The covered firms in the chosen period.
        y = bottom + 36
        ui.heading(s["market.firms"], x: c.x, y: y)
        y += 20
        struct Row { var name: String, kind: String, allocated: Int64, verified: Int64?, bought: Int64, sold: Int64, abatement: Double
                     var status: ComplianceStatus, fine: Double, reputation: Double }
        var rows: [Row] = []
        if let p = chosen {
            if isOpen {
                for firm in market.firms where firm.active {
                    rows.append(Row(name: s.name(firm.name), kind: s["market.kind_" + firm.kind.key], allocated: firm.allocated, verified: nil,
                                    bought: firm.bought, sold: firm.sold, abatement: firm.abatement, status: .open, fine: 0, reputation: firm.reputation))
                }
            } else {
                for result in p.results {
                    let firm = market.firms.first { $0.account == result.account }
                    rows.append(Row(name: firm.map { s.name($0.name) } ?? RegistryPanel.accountName(result.account, registry: registry, strings: s),
                                    kind: firm.map { s["market.kind_" + $0.kind.key] } ?? "", allocated: result.allocated, verified: result.verified,
                                    bought: result.bought, sold: result.sold, abatement: result.abatement, status: result.status, fine: result.fine,
                                    reputation: firm?.reputation ?? 1))
                }
            }
        }
        let columns: [(key: String, share: Float)] = [("market.firm", 0.23), ("market.kind", 0.09), ("market.allocated", 0.08),
            ("market.verified", 0.1), ("market.bought", 0.07), ("market.sold", 0.07), ("market.abatement", 0.07),
            ("market.status", 0.2), ("market.reputation", 0.09)]
        var columnX: [Float] = []
        var cx = c.x
        for column in columns {
            columnX.append(cx)
            ui.text(s[column.key], x: cx, y: y, size: 11, color: HUD.dim, width: column.share * c.width - 6)
            cx += column.share * c.width
        }
        y += 16
        let tradesSpace: Float = 4 * 15 + 24
        let fit = max(1, Int((c.y + c.height - 16 - tradesSpace - y) / 15))
        if rows.isEmpty { ui.text(s["market.no_firms"], x: c.x, y: y, size: 12, color: HUD.dim); y += 15 }
        session.panels.scroll = min(session.panels.scroll, max(0, rows.count - fit))
        for row in rows.dropFirst(session.panels.scroll).prefix(fit) {
            let status: String
            let statusColor: Vec4
            switch row.status {
            case .open: status = s["market.status_open"]; statusColor = HUD.text
            case .compliant: status = s["market.status_compliant"]; statusColor = CarbonPanels.good
            case .fined: status = s.fill("market.status_fined", ["fine": NumberText.grouped(row.fine)]); statusColor = CarbonPanels.bad
            }
            let cells: [(String, Vec4)] = [
                (row.name, HUD.text), (row.kind, HUD.dim), (NumberText.grouped(row.allocated), HUD.text), (row.verified.map { NumberText.grouped($0) } ?? "—", HUD.text),
                (NumberText.grouped(row.bought), HUD.text), (NumberText.grouped(row.sold), HUD.text), (Fixed.format(row.abatement * 100, 0) + "%", HUD.text),
                (status, statusColor), (Fixed.format(row.reputation * 100, 0) + "%", row.reputation < 0.999 ? CarbonPanels.bad : HUD.text),
            ]
            for (i, cell) in cells.enumerated() {
                ui.text(cell.0, x: columnX[i], y: y, size: 11, color: cell.1, width: columns[i].share * c.width - 6)
            }
            y += 15
        }
        if rows.count > fit + session.panels.scroll {
            ui.text(s.fill("panels.more", ["count": "\(rows.count - fit - session.panels.scroll)"]), x: c.x, y: y, size: 11, color: HUD.dim)
            y += 15
        }

        // The chosen period's trades, the same buyer, seller and stage added up.
        y += 6
        ui.heading(s.fill("market.trades", ["year": chosen.map { "\($0.year)" } ?? "—"]), x: c.x, y: y)
        y += 19
        var trades: [MarketTrade] = []
        for trade in chosen?.trades ?? [] {
            if let i = trades.firstIndex(where: { $0.stage == trade.stage && $0.buyer == trade.buyer && $0.seller == trade.seller && $0.price == trade.price }) {
                trades[i].count += trade.count
            } else {
                trades.append(trade)
            }
        }
        if trades.isEmpty { ui.text(s["market.no_trades"], x: c.x, y: y, size: 12, color: HUD.dim) }
        let tradeLines = max(1, Int((c.y + c.height - 16 - y) / 15))
        for trade in trades.prefix(trades.count > tradeLines ? tradeLines - 1 : tradeLines) {
            let stageKey: String
            switch trade.stage {
            case .auction: stageKey = "market.stage_auction"
            case .trueUp: stageKey = "market.stage_trueUp"
            case .offsets: stageKey = "market.stage_offsets"
            }
            let line = s.fill("market.trade", ["buyer": RegistryPanel.accountName(trade.buyer, registry: registry, strings: s),
                                               "seller": RegistryPanel.accountName(trade.seller, registry: registry, strings: s),
                                               "count": NumberText.grouped(trade.count), "price": price(trade.price), "stage": s[stageKey]])
            ui.text(line, x: c.x, y: y, size: 11, width: c.width)
            y += 15
        }
        if trades.count > tradeLines {
            ui.text(s.fill("panels.more", ["count": "\(trades.count - tradeLines + 1)"]), x: c.x, y: y, size: 11, color: HUD.dim)
        }
        ui.text(s["panels.keys_market"], x: c.x, y: c.y + c.height - 14, size: 11, color: HUD.dim, width: c.width)
    }
}
