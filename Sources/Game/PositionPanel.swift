// PositionPanel.swift — the city's carbon position (N): the inventory, credits sold outside and
// the position after transfers, this year and last; offset credits with a "Sell 10" button;
// green-power certificates and the claims made with them.
import CitySim
import Locale
import Render

enum PositionPanel {
    static func draw(_ ui: PanelUI, in c: PanelRect) {
        let session = ui.session, s = ui.s, view = session.view, canvas = ui.canvas
        let year = view.clock.year
        let hasLastYear = view.ledger.years.contains { $0.start.year == year - 1 }
        let now = view.carbonPosition(year: year)
        let last = hasLastYear ? view.carbonPosition(year: year - 1) : nil

        // Inventory, credits sold outside, and the position after transfers, this year and last.
        ui.heading(s["position.title"], x: c.x, y: c.y)
        let labelWidth = min(420, c.width * 0.5)
        let column = (c.width - labelWidth) / 2
        var y = c.y + 22
        ui.right(s.fill("position.this_year", ["year": "\(year)"]), right: c.x + labelWidth + column - 10, y: y, size: 12, color: HUD.dim)
        ui.right(s.fill("position.last_year", ["year": "\(year - 1)"]), right: c.x + labelWidth + 2 * column - 10, y: y, size: 12, color: HUD.dim)
        y += 18
        let lines: [(String, (CarbonPosition) -> Double, Bool)] = [
            (s["position.inventory"], { $0.inventoryNet }, false),
            ("+ " + s["position.exported"], { $0.exportedCredits }, false),
            ("= " + s["position.after"], { $0.afterTransfers }, true),
        ]
        for (label, value, total) in lines {
            if total { canvas.fillRect(x: c.x, y: y - 2, width: c.width, height: 1, color: HUD.dim) }
            ui.text(label, x: c.x, y: y, size: 12, color: total ? HUD.accent : HUD.text, width: labelWidth - 8)
            ui.right(NumberText.grouped(value(now)) + " " + s["units.tonnes"], right: c.x + labelWidth + column - 10, y: y, size: 12)
            ui.right(last.map { NumberText.grouped(value($0)) + " " + s["units.tonnes"] } ?? s["position.no_year"], right: c.x + labelWidth + 2 * column - 10,
                      y: y, size: 12)
            y += 18
        }
        ui.text(s["position.adjustment"], x: c.x, y: y + 2, size: 12, color: HUD.accent, width: c.width)

        // Offset credits (left) and green-power certificates (right).
        let offsets = view.offsets, registry = view.registry
        let half = (c.width - 20) / 2
        y = c.y + 132
        ui.heading(s["position.offsets"], x: c.x, y: y)
        let years = offsets.years + [offsets.thisYear]
        let held = offsets.cityAccount >= 0 ? registry.balance(offsets.cityAccount, .offset) : 0
        let buffer = offsets.bufferAccount >= 0 ? registry.balance(offsets.bufferAccount, .offset) : 0
        let issued = years.reduce(Int64(0)) { $0 + $1.issued + $1.buffered }
        let reversed = years.reduce(Int64(0)) { $0 + $1.reversed }
        let state = view.policies.offsetProgramme > 0 ? s["policies.on"] : s["policies.off"]
        let offsetLines: [(String, String)] = [
            (s.fill("position.programme", ["state": state, "projects": "\(offsets.projects.count)"]), ""),
            (s["position.held"], NumberText.grouped(held)),
            (s["position.buffer"], NumberText.grouped(buffer)),
            (s["position.issued"], NumberText.grouped(issued)),
            (s["position.reversed"], NumberText.grouped(reversed)),
            (s["position.sold"], NumberText.grouped(offsets.totalExported)),
        ]
        y += 22
        for (label, value) in offsetLines {
            ui.pair(label, value, x: c.x, y: y, width: half, size: 12)
            y += 17
        }
        let sell = PanelRect(x: c.x, y: y + 23, width: min(300, c.width * 0.46), height: 24)
        let sellPrice = 10 * view.catalog.carbon.offsetExportPrice
        // Disabled, with the reason, when the city holds fewer than 10 credits (the refusal the
        // command would give, in the same words).
        let cannotSell: Refusal? = held <= 0 ? .noOffsetCredits : held < 10 ? .notEnoughOffsetCredits(held: held, asked: 10) : nil
        let reason = cannotSell.map { CarbonPanels.refusalText($0, strings: s) }
        if ui.button(sell, s.fill("position.sell", ["price": s.money(sellPrice)]), id: "position.sell", active: held >= 10, disabled: reason) {
            sellCredits(10, session: session)
        }
        if let reason {
            ui.text("× " + reason, x: sell.x, y: sell.y + 30, size: 12, color: HUD.dim, width: half)
        } else if let record = view.commandLog.last(where: { if case .sellOffsets = $0.command { return true }; return false }) {
            let text: String, color: Vec4
            switch record.outcome {
            case .done(let cost): text = "✓ " + s["position.sold"] + ": " + s.money(-cost); color = CarbonPanels.good
            case .refused(let why): text = "× " + CarbonPanels.refusalText(why, strings: s); color = CarbonPanels.bad
            }
            ui.text(text, x: sell.x, y: sell.y + 30, size: 12, color: color, width: half)
        }

        let x = c.x + half + 20
        y = c.y + 132
        ui.heading(s["position.certificates"], x: x, y: y)
        y += 22
        let book = view.certificates
        let lastCertificates = book.years.last { $0.year == year - 1 }
        let labelWidth2 = min(200, half * 0.46), valueColumn = (half - labelWidth2) / 2
        ui.right(s.fill("position.this_year", ["year": "\(year)"]), right: x + labelWidth2 + valueColumn, y: y, size: 11, color: HUD.dim)
        ui.right(s.fill("position.last_year", ["year": "\(year - 1)"]), right: x + half, y: y, size: 11, color: HUD.dim)
        y += 16
        let pending = s["position.no_year"]
        func kWh(_ value: Double) -> String { NumberText.grouped(value / 1000) + " " + s["units.mwh"] }
        func tonnes(_ value: Double) -> String { NumberText.grouped(value) + " " + s["units.tonnes"] }
        let rows: [(String, String, String)] = [
            (s["position.renewable"], kWh(book.thisYear.renewableKWh), lastCertificates.map { kWh($0.renewableKWh) } ?? pending),
            (s["position.cert_issued"], NumberText.grouped(book.thisYear.issued), lastCertificates.map { NumberText.grouped($0.issued) } ?? pending),
            (s["position.cert_retired"], pending, lastCertificates.map { NumberText.grouped($0.retired) } ?? pending),
            (s["position.claimed"], pending, lastCertificates.map { kWh($0.claimedKWh) } ?? pending),
            (s["position.location"], pending, lastCertificates.map { tonnes($0.locationBased) } ?? pending),
            (s["position.market"], pending, lastCertificates.map { tonnes($0.marketBased) } ?? pending),
            (s["position.claimants_location"], pending, lastCertificates.map { tonnes($0.claims.reduce(0) { $0 + $1.locationTonnes }) } ?? pending),
            (s["position.claimants_market"], pending, lastCertificates.map { tonnes($0.claims.reduce(0) { $0 + $1.marketTonnes }) } ?? pending),
            (s["position.residual"], pending, lastCertificates.map { Fixed.format($0.residualFactor * 1e6, 0) + " " + s["units.g_per_kwh"] } ?? pending),
        ]
        for (label, thisYear, lastYear) in rows {
            ui.text(label, x: x, y: y, size: 11, color: HUD.dim, width: labelWidth2 - 4)
            ui.right(thisYear, right: x + labelWidth2 + valueColumn, y: y, size: 11)
            ui.right(lastYear, right: x + half, y: y, size: 11)
            y += 16
        }
        ui.text("— " + s["position.at_year_end"], x: x, y: y + 2, size: 11, color: HUD.dim, width: half)
    }

    /// Submits `.sellOffsets` and applies it at once, so the panel shows the outcome.
    static func sellCredits(_ count: Int, session: GameSession) {
        session.city.submit(.sellOffsets(count: count))
        session.city.applyPendingCommands()
    }
}
