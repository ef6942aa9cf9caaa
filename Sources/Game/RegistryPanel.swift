// RegistryPanel.swift — the registry (R): every account with its balances, and the selected
// account's blocks by serial and its history, a page at a time.
import CitySim
import Foundation
import Locale
import Render

enum RegistryPanel {
    static let rowHeight: Float = 30

    static func draw(_ ui: PanelUI, in c: PanelRect) {
        let session = ui.session, s = ui.s, view = session.view, canvas = ui.canvas
        let registry = view.registry
        let startYear = view.clock.startYear
        ui.heading(s["registry.title"], x: c.x, y: c.y, width: c.width - 200)
        session.panels.account = min(max(0, session.panels.account), RegistryAccountID(max(0, registry.accounts.count - 1)))
        let kinds = RegistryUnitKind.allCases

        // Accounts, with their usable balances (what was sold outside, for the outside account),
        // scrolled so that the selected one shows; a click on a row selects it.
        ui.text(s["registry.accounts"] + " — " + s["registry.balances"], x: c.x, y: c.y + 22, size: 11, color: HUD.dim, width: c.width * 0.44)
        let count = registry.accounts.count
        let fit = max(1, Int((c.height - 44) / rowHeight))
        let firstRow = max(0, min(Int(session.panels.account) - fit / 2, count - fit))
        let rows = (firstRow..<min(count, firstRow + fit)).map { i in
            (id: RegistryAccountID(i), rect: PanelRect(x: c.x, y: c.y + 40 + Float(i - firstRow) * rowHeight, width: c.width * 0.44, height: rowHeight - 2))
        }
        for (id, rect) in rows where ui.clicked(rect, id: "registry.account.\(id)") {
            session.panels.account = id
            session.panels.page = 0
        }
        let selected = session.panels.account
        for (id, rect) in rows {
            guard let account = registry.account(id) else { continue }
            canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height,
                            color: id == selected ? CarbonPanels.activeColor : Vec4(1, 1, 1, 0.04))
            let kind = s["registry.kind_" + account.kind.key]
            let kindWidth = Float(canvas.measureText(kind, size: 11).width)
            ui.text("#\(id) " + s.name(account.name), x: rect.x + 4, y: rect.y + 1, size: 12,
                     color: id == selected ? HUD.accent : HUD.text, width: rect.width - kindWidth - 16)
            ui.right(kind, right: rect.x + rect.width - 4, y: rect.y + 2, size: 11, color: HUD.dim)
            let amounts = kinds.map { kind -> String in
                let held = account.kind == .outside
                    ? registry.blocks(ownedBy: id).filter { $0.kind == kind }.reduce(0) { $0 + $1.count }
                    : registry.balance(id, kind)
                return NumberText.grouped(held)
            }
            ui.text(amounts.joined(separator: " / "), x: rect.x + 14, y: rect.y + 15, size: 11, color: HUD.dim, width: rect.width - 18)
        }

        // The selected account's blocks and history, a page at a time.
        let x = c.x + c.width * 0.44 + 16, width = c.x + c.width - x
        let name = accountName(selected, registry: registry, strings: s)
        let blocks = registry.blocks(ownedBy: selected)
        let history = Array(registry.history(of: selected).reversed())
        let listHeight = (c.height - 30 - 22 - 40) / 2
        let perPage = max(1, Int(listHeight / 15))
        let pages = max(1, (max(blocks.count, history.count) + perPage - 1) / perPage)
        let arrows = (previous: PanelRect(x: c.x + c.width - 160, y: c.y - 1, width: 24, height: 20),
                      next: PanelRect(x: c.x + c.width - 26, y: c.y - 1, width: 24, height: 20))
        if ui.button(arrows.previous, s["panels.previous"], id: "registry.previous") { session.panels.page = max(0, session.panels.page - 1) }
        if ui.button(arrows.next, s["panels.next"], id: "registry.next") { session.panels.page += 1 }
        session.panels.page = min(session.panels.page, pages - 1)
        let page = session.panels.page
        let pageLabel = s.fill("panels.page", ["page": "\(page + 1)", "pages": "\(pages)"])
        ui.text(pageLabel, x: arrows.previous.x + 30, y: c.y + 1, size: 12, color: HUD.dim, width: arrows.next.x - arrows.previous.x - 34)

        var y = c.y + 24
        ui.heading(s.fill("registry.blocks", ["account": name]), x: x, y: y, width: width)
        y += 20
        if blocks.isEmpty { ui.text(s["registry.no_blocks"], x: x, y: y, size: 12, color: HUD.dim) }
        for block in blocks.dropFirst(page * perPage).prefix(perPage) {
            let line = s.fill("registry.block", [
                "first": CarbonRegistry.serialText(block.kind, block.firstSerial),
                "last": CarbonRegistry.serialText(block.kind, block.lastSerial),
                "count": NumberText.grouped(block.count), "vintage": "\(block.vintage)", "status": s["registry.status_" + block.status.key]])
            ui.text(line, x: x, y: y, size: 11, color: block.status.isFinal ? HUD.dim : HUD.text, width: width)
            y += 15
        }
        y = c.y + 44 + listHeight + 6
        ui.heading(s.fill("registry.history", ["account": name]), x: x, y: y, width: width)
        y += 20
        if history.isEmpty { ui.text(s["registry.no_history"], x: x, y: y, size: 12, color: HUD.dim) }
        for entry in history.dropFirst(page * perPage).prefix(perPage) {
            var line = s.fill("registry.entry", [
                "date": dateText(tick: entry.tick, startYear: startYear), "operation": s["registry.op_" + entry.operation.key],
                "count": NumberText.grouped(entry.count),
                "first": CarbonRegistry.serialText(entry.kind, entry.firstSerial),
                "from": "#\(entry.from)", "to": "#\(entry.to)"])
            if !entry.note.isEmpty { line += "  (" + noteText(entry.note, strings: s) + ")" }
            ui.text(line, x: x, y: y, size: 11, width: width)
            y += 15
        }
        ui.text(s["panels.keys_registry"], x: c.x, y: c.y + c.height - 14, size: 11, color: HUD.dim, width: c.width)
    }

    static func accountName(_ id: RegistryAccountID, registry: CarbonRegistry, strings s: Strings) -> String {
        guard let account = registry.account(id) else { return "#\(id)" }
        return s.name(account.name)
    }

    /// A registry note in the player's language: looked up by its words (`notes.free_allocation`),
    /// with its numbers put back in order; a note the locale files do not know is shown as it is.
    static func noteText(_ note: String, strings s: Strings) -> String {
        var words: [String] = [], numbers: [String] = []
        var token = ""
        func flush() {
            guard !token.isEmpty else { return }
            if token.allSatisfy(\.isNumber) { numbers.append(token) } else { words.append(token.lowercased()) }
            token = ""
        }
        for character in note {
            if character.isLetter || character.isNumber { token.append(character) } else { flush() }
        }
        flush()
        let key = "notes." + words.joined(separator: "_")
        guard !words.isEmpty, s.has(key) else { return note }
        var values: [String: String] = [:]
        for (i, number) in numbers.enumerated() { values["\(i)"] = number }
        return s.fill(key, values)
    }

    static func dateText(tick: Int64, startYear: Int) -> String {
        let date = Clock(startYear: startYear, tick: tick).date
        return String(format: "%04d-%02d-%02d", date.year, date.month, date.day)
    }
}
