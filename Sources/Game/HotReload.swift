// HotReload.swift — when a file of the open level changes on disk (saved from the editor or any
// text editor), the game offers "Reload level": a banner under the top bar, or Ctrl+R. Reloading
// starts the level again from its first hour with the new files; a file that no longer loads
// keeps the game as it is and shows the first problem, with file:line:col, until it is fixed.
import CitySim
import Foundation
import Render

public struct ReloadOffer: Sendable, Equatable {
    /// The files that changed, in the order the level reads them.
    public var files: [String]
    /// Why the last reload failed (the level's first error), if it did.
    public var problem: String?
}

extension GameSession {
    /// Seconds between two looks at the level's files.
    static let levelCheckInterval = 1.0

    /// Looks at the level's files at most once a second; a change opens (or extends) the offer.
    public func checkLevelFiles(now: Double) {
        guard now >= nextLevelCheck, var watch = levelWatch else { return }
        nextLevelCheck = now + GameSession.levelCheckInterval
        let changed = watch.changedFiles()
        levelWatch = watch
        guard !changed.isEmpty else { return }
        let files = Set((reloadOffer?.files ?? []) + changed)
        reloadOffer = ReloadOffer(files: watch.files.filter(files.contains), problem: nil)
    }

    /// Starts the level again from its files; if they no longer load, the game goes on and the
    /// offer shows why.
    public func reloadLevel(now: Double) {
        let result = LevelFile.load(path: level.file, catalog: catalog)
        guard result.level != nil else {
            let problem = result.diagnostics.first { $0.severity == .error } ?? result.diagnostics.first
            reloadOffer?.problem = problem?.description ?? level.file
            return
        }
        start(levelAt: level.file, now: now)
    }
}

/// The offer's banner, drawn with the panels' controls (PanelUI) so that its buttons take their clicks.
enum ReloadBanner {
    static let width: Float = 620

    static func draw(_ ui: PanelUI, size: (width: Int, height: Int), now: Double) {
        guard let offer = ui.session.reloadOffer else { return }
        let canvas = ui.canvas, s = ui.s
        let mapLeft = HUD.toolbarWidth + 8
        let width = min(width, Float(size.width) - mapLeft - 8)
        let x = mapLeft + (Float(size.width) - mapLeft - 8 - width) / 2
        let names = offer.files.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
        let changed = HUD.wrap(s.fill("reload.changed", ["files": names]), width: width - 20, canvas: canvas).prefix(2)
        let failed = offer.problem.map { HUD.wrap(s.fill("reload.failed", ["problem": $0]), width: width - 20, canvas: canvas).prefix(4) } ?? []
        let rows = Array(changed) + Array(failed)
        let height = Float(rows.count) * 16 + 44
        let frame = PanelRect(x: x, y: HUD.topBar + 6, width: width, height: height)
        ui.region(frame)
        canvas.fillRect(x: frame.x, y: frame.y, width: frame.width, height: frame.height, color: HUD.panel)
        canvas.strokeRect(x: frame.x, y: frame.y, width: frame.width, height: frame.height, color: HUD.accent)
        for (index, row) in rows.enumerated() {
            let isProblem = index >= changed.count
            ui.text(row, x: frame.x + 10, y: frame.y + 8 + Float(index) * 16, size: 13,
                    color: isProblem ? Vec4(1, 0.55, 0.5, 1) : HUD.text)
        }
        let buttonY = frame.y + height - 30
        if ui.button(PanelRect(x: frame.x + 10, y: buttonY, width: 220, height: 24), s["reload.button"], id: "reload.level") {
            ui.session.reloadLevel(now: now)
        }
        if ui.button(PanelRect(x: frame.x + 238, y: buttonY, width: 120, height: 24), s["reload.dismiss"], id: "reload.dismiss") {
            ui.session.reloadOffer = nil
        }
    }
}
