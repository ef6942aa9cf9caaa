// CitizensPanel.swift — the citizens' carbon accounts (G): points earned this year by source,
// the pool towards the next forest, trees planted, and last year's figures.
import CitySim
import Locale
import Render

enum CitizensPanel {
    static func draw(_ ui: PanelUI, in c: PanelRect) {
        let s = ui.s, view = ui.session.view
        let accounts = view.carbonAccounts
        let year = view.clock.year
        let half = (c.width - 30) / 2
        ui.heading(s["citizens.title"], x: c.x, y: c.y)
        var y = c.y + 24
        ui.text(s.fill("citizens.earned", ["year": "\(year)"]), x: c.x, y: y, size: 12, color: HUD.dim, width: half)
        y += 20
        for source in PointSource.allCases {
            ui.pair(s["citizens.source_" + source.key], NumberText.grouped(accounts.earned[source]), x: c.x + 8, y: y, width: half - 8, size: 12)
            y += 17
        }
        ui.pair(s["citizens.total"], NumberText.grouped(accounts.earned.total) + " " + s["units.points"], x: c.x + 8, y: y + 2, width: half - 8, size: 12,
                 color: HUD.accent)
        y += 22
        ui.pair(s["citizens.participants"], NumberText.grouped(Int64(accounts.participants)), x: c.x + 8, y: y, width: half - 8, size: 12)

        let x = c.x + half + 30
        let personal = view.catalog.personalCarbon
        let threshold = personal.pointsPerTile(areaHa: view.catalog.zone(.forest).areaHa)
        y = c.y + 44
        let standing = accounts.forests.filter { view.zone($0.entity) != nil }.count
        let lines: [(String, String)] = [
            (s["citizens.pool"], NumberText.grouped(accounts.pool) + " " + s["units.points"]),
            (s.fill("citizens.next_forest", ["points": NumberText.grouped(threshold)]),
             threshold > 0 ? Fixed.format(min(1, accounts.pool / threshold) * 100, 0) + "%" : "—"),
            (s["citizens.redeemed"], NumberText.grouped(accounts.redeemed) + " " + s["units.points"]),
            (s["citizens.trees"], NumberText.grouped(accounts.treesPlanted)),
            (s["citizens.trees_this_year"], NumberText.grouped(accounts.treesPlantedThisYear)),
            (s["citizens.forests"], "\(accounts.forests.count) (" + s.fill("citizens.standing", ["count": "\(standing)"]) + ")"),
        ]
        for (label, value) in lines {
            ui.pair(label, value, x: x, y: y, width: half, size: 12)
            y += 17
        }
        if let last = accounts.history.last {
            ui.text(s.fill("citizens.last_year", ["year": "\(last.year)", "points": NumberText.grouped(last.earned.total), "trees": NumberText.grouped(last.treesPlanted)]),
                     x: x, y: y + 6, size: 12, color: HUD.dim, width: half)
        }
        ui.text(s["citizens.note"], x: c.x, y: c.y + c.height - 18, size: 12, color: HUD.dim, width: c.width)
    }
}
