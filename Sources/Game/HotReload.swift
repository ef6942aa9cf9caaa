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
        if let problem = start(levelAt: level.file, now: now, quietly: true) { reloadOffer?.problem = problem }
    }
}

/// The offer's banner under the top bar. It is drawn after every other screen (a lesson's
/// briefing card included) and takes its clicks before them (`GameSession.handleReloadClick`),
/// so that it can always be seen and answered.
public enum ReloadBanner {
    static let width: Float = 620

    public struct Layout: Sendable, Equatable {
        public var frame: PanelRect
        public var reload: PanelRect
        public var dismiss: PanelRect
    }

    static func draw(_ canvas: Canvas2D, session: GameSession) {
        guard let offer = session.reloadOffer else {
            session.reloadBanner = nil
            return
        }
        let s = session.strings, size = canvas.size
        let mapLeft = HUD.toolbarWidth + 8
        let width = min(width, Float(size.width) - mapLeft - 8)
        let x = mapLeft + (Float(size.width) - mapLeft - 8 - width) / 2
        let names = offer.files.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
        let changed = HUD.wrap(s.fill("reload.changed", ["files": names]), width: width - 20, canvas: canvas).prefix(2)
        let failed = offer.problem.map { HUD.wrap(s.fill("reload.failed", ["problem": $0]), width: width - 20, canvas: canvas).prefix(4) } ?? []
        let rows = Array(changed) + Array(failed)
        let height = Float(rows.count) * 16 + 44
        // Over a modal screen the banner takes the top bar's place, above the screen's title.
        let frame = PanelRect(x: x, y: session.showsModalScreen ? 0 : HUD.topBar + 6, width: width, height: height)
        let buttonY = frame.y + height - 30
        let layout = Layout(frame: frame, reload: PanelRect(x: frame.x + 10, y: buttonY, width: 220, height: 24),
                            dismiss: PanelRect(x: frame.x + 238, y: buttonY, width: 120, height: 24))
        session.reloadBanner = layout
        canvas.fillRect(x: frame.x, y: frame.y, width: frame.width, height: frame.height, color: Vec4(HUD.panel.x, HUD.panel.y, HUD.panel.z, 1))
        canvas.strokeRect(x: frame.x, y: frame.y, width: frame.width, height: frame.height, color: HUD.accent)
        for (index, row) in rows.enumerated() {
            _ = canvas.drawText(row, x: frame.x + 10, y: frame.y + 8 + Float(index) * 16, size: 13,
                                color: index >= changed.count ? Vec4(1, 0.55, 0.5, 1) : HUD.text)
        }
        for (rect, key) in [(layout.reload, "reload.button"), (layout.dismiss, "reload.dismiss")] {
            canvas.fillRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: CarbonPanels.buttonColor)
            canvas.strokeRect(x: rect.x, y: rect.y, width: rect.width, height: rect.height, color: Vec4(0.4, 0.44, 0.55, 1))
            _ = HUD.label(canvas, session: session, s[key], x: rect.x + 8, y: rect.y + 5, width: rect.width - 16, size: 12, color: HUD.text)
        }
    }
}

extension GameSession {
    /// A screen that covers the game and takes its input: the menu (and the screens it opens), a
    /// lesson's briefing or end card, the name prompt.
    var showsModalScreen: Bool { menuOpen || briefing.isOpen || lessonEnd.isOpen || namePrompt.isOpen }

    /// A left click on the banner: its buttons act, and no click on it reaches what is under it.
    func handleReloadClick(x: Int, y: Int, now: Double) -> Bool {
        guard reloadOffer != nil, let banner = reloadBanner, banner.frame.contains(x, y) else { return false }
        if banner.reload.contains(x, y) {
            reloadLevel(now: now)
        } else if banner.dismiss.contains(x, y) {
            reloadOffer = nil
        }
        return true
    }
}
